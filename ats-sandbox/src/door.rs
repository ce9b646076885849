//! The front door of each vendor's listener: it reads the credential of a request,
//! finds the account it belongs to and hands the request to that account's router,
//! marked [`Authenticated`]. A credential no account has goes, unmarked, to the
//! [`DEFAULT_ACCOUNT`](super::DEFAULT_ACCOUNT), whose gate answers the vendor's 401 and
//! counts it (as the one-account sandbox always did); an expired or revoked OAuth token
//! goes unmarked to its own account, so the 401 is counted where it belongs.
//!
//! Credentials, per vendor (the reference notes' §1):
//! - Willo: `Authorization: <key>`, optionally after `Bearer` or `Token`.
//! - SmartRecruiters: `X-SmartToken: <key>`, or `Authorization: Bearer <access token>`
//!   from the OAuth server ([`super::oauth`]).
//! - Lever: `Authorization: Basic base64(<key>:)` (empty password), or
//!   `Authorization: Bearer <access token>`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_core::ExposeSecret as _;
use tower::ServiceExt as _;

use super::SandboxError;
use super::accounts::{Account, DEFAULT_ACCOUNT, slot};
use super::gate::{Authenticated, Vendor};
use super::oauth::OAuthServer;

/// Every account of a sandbox, by name and by API key.
pub(crate) struct Directory {
    inner: RwLock<Accounts>,
}

struct Accounts {
    by_name: HashMap<String, Arc<Account>>,
    /// Bare API key → account, one map per vendor (indexed by [`slot`]).
    by_key: [HashMap<String, Arc<Account>>; 3],
    default: Arc<Account>,
}

const VENDORS: [Vendor; 3] = [Vendor::Willo, Vendor::SmartRecruiters, Vendor::Lever];

impl Directory {
    pub fn new(default: Arc<Account>) -> Self {
        let mut accounts = Accounts {
            by_name: HashMap::new(),
            by_key: Default::default(),
            default: Arc::clone(&default),
        };
        accounts.insert(default);
        Self {
            inner: RwLock::new(accounts),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Accounts> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Accounts> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Add `account`; its name must be new.
    pub fn insert(&self, account: Arc<Account>) -> Result<(), SandboxError> {
        let mut accounts = self.write();
        if accounts.by_name.contains_key(account.name()) {
            return Err(SandboxError::Invalid(format!(
                "the sandbox already has an account named {}",
                account.name()
            )));
        }
        accounts.insert(account);
        Ok(())
    }

    /// Remove the account named `name` (never the default one).
    pub fn remove(&self, name: &str) -> Result<Arc<Account>, SandboxError> {
        if name == DEFAULT_ACCOUNT {
            return Err(SandboxError::Invalid(
                "the default account cannot be removed".into(),
            ));
        }
        let mut accounts = self.write();
        let account = accounts
            .by_name
            .remove(name)
            .ok_or_else(|| SandboxError::NotFound {
                what: format!("account {name}"),
            })?;
        for vendor in VENDORS {
            accounts.by_key[slot(vendor)].remove(account.key(vendor).expose_secret());
        }
        Ok(account)
    }

    pub fn get(&self, name: &str) -> Option<Arc<Account>> {
        self.read().by_name.get(name).cloned()
    }

    /// Every account, the default one first, then by name.
    pub fn all(&self) -> Vec<Arc<Account>> {
        let accounts = self.read();
        let mut all: Vec<_> = accounts.by_name.values().cloned().collect();
        all.sort_by(|a, b| {
            (a.name() != DEFAULT_ACCOUNT, a.name()).cmp(&(b.name() != DEFAULT_ACCOUNT, b.name()))
        });
        all
    }

    fn default_account(&self) -> Arc<Account> {
        Arc::clone(&self.read().default)
    }

    fn by_key(&self, vendor: Vendor, key: &str) -> Option<Arc<Account>> {
        self.read().by_key[slot(vendor)].get(key).cloned()
    }
}

impl Accounts {
    fn insert(&mut self, account: Arc<Account>) {
        for vendor in VENDORS {
            self.by_key[slot(vendor)].insert(
                account.key(vendor).expose_secret().to_owned(),
                Arc::clone(&account),
            );
        }
        self.by_name.insert(account.name().to_owned(), account);
    }
}

/// One vendor's listener: its accounts and, for the ATSs, its OAuth server.
pub(crate) struct Door {
    pub vendor: Vendor,
    pub directory: Arc<Directory>,
    pub oauth: Option<Arc<OAuthServer>>,
}

/// What a credential says about a request: the account to serve it and whether the
/// credential is good.
struct Resolved {
    account: Arc<Account>,
    authenticated: bool,
}

impl Door {
    fn resolve(&self, headers: &HeaderMap) -> Resolved {
        let found = match self.vendor {
            Vendor::Willo => header(headers, header::AUTHORIZATION.as_str())
                .map(|sent| strip_scheme(sent, &["Bearer", "Token"]).unwrap_or(sent))
                .and_then(|key| self.by_key(key)),
            Vendor::SmartRecruiters => {
                match header(headers, smartrecruiters_client::API_KEY_HEADER) {
                    Some(key) => self.by_key(key),
                    None => self.bearer(headers),
                }
            }
            Vendor::Lever => self.bearer(headers).or_else(|| {
                let basic =
                    strip_scheme(header(headers, header::AUTHORIZATION.as_str())?, &["Basic"])?;
                let decoded = STANDARD.decode(basic).ok()?;
                let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
                if password.is_empty() {
                    self.by_key(user)
                } else {
                    None
                }
            }),
        };
        found.unwrap_or_else(|| Resolved {
            account: self.directory.default_account(),
            authenticated: false,
        })
    }

    fn by_key(&self, key: &str) -> Option<Resolved> {
        self.directory
            .by_key(self.vendor, key)
            .map(|account| Resolved {
                account,
                authenticated: true,
            })
    }

    /// An OAuth access token: its account, authenticated while it is live.
    fn bearer(&self, headers: &HeaderMap) -> Option<Resolved> {
        let oauth = self.oauth.as_ref()?;
        let token = strip_scheme(
            header(headers, header::AUTHORIZATION.as_str())?,
            &["Bearer"],
        )?;
        let (name, live) = oauth.access(token)?;
        let account = self.directory.get(&name)?;
        Some(Resolved {
            account,
            authenticated: live,
        })
    }
}

/// A header's value, trimmed, if present and text.
fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The credential after one of `schemes` (`Bearer x` → `x`), case-insensitively.
fn strip_scheme<'a>(value: &'a str, schemes: &[&str]) -> Option<&'a str> {
    let (word, rest) = value.split_once(' ')?;
    schemes
        .iter()
        .any(|scheme| word.eq_ignore_ascii_case(scheme))
        .then_some(rest.trim())
}

/// The listener's router: the OAuth endpoints (SmartRecruiters, Lever), then every
/// other request through the front door to its account.
pub(crate) fn router(door: Arc<Door>) -> Router {
    let front = Router::new()
        .fallback(front_door)
        .with_state(Arc::clone(&door));
    match &door.oauth {
        Some(oauth) => super::oauth::routes(Arc::clone(oauth), Arc::clone(&door.directory))
            .fallback_service(front),
        None => front,
    }
}

async fn front_door(State(door): State<Arc<Door>>, mut request: Request) -> Response {
    let resolved = door.resolve(request.headers());
    if resolved.authenticated {
        request.extensions_mut().insert(Authenticated);
    }
    let router = resolved.account.router(door.vendor).clone();
    match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_stripped_case_insensitively() {
        assert_eq!(strip_scheme("Bearer k1", &["Bearer", "Token"]), Some("k1"));
        assert_eq!(strip_scheme("token  k1 ", &["Bearer", "Token"]), Some("k1"));
        assert_eq!(strip_scheme("Basic k1", &["Bearer"]), None);
        assert_eq!(strip_scheme("k1", &["Bearer"]), None);
    }
}
