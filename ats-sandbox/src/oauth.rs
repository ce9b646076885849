//! The OAuth 2.0 authorization server of the SmartRecruiters and Lever simulators
//! (authorization-code grant with rotating refresh tokens), on each vendor's own
//! listener at the vendor's paths: SmartRecruiters `GET /identity/oauth/allow` and
//! `POST /identity/oauth/token` (smartrecruiters.md §1.1, §1.3), Lever `GET /authorize`
//! and `POST /oauth/token` (lever.md §1.3).
//!
//! - **Apps** are registered at runtime ([`OAuthSandbox::register_app`]) with their
//!   client id, secret and exact redirect URIs, as the vendors register partner apps.
//! - **Consent** is automatic: the authorize endpoint answers `302` to the redirect URI
//!   with `code` and the same `state`. Which account consents (the customer who would
//!   log in) is the `account` query parameter, else the app's
//!   [`SandboxOAuthApp::consent_as`], else the [`DEFAULT_ACCOUNT`]. An account the
//!   sandbox does not have answers `error=access_denied`, which is how a declined
//!   consent comes back. An unknown client or redirect URI is a `400`, never a redirect.
//!   Other parameters (Lever's `audience`, `prompt`) are accepted and not checked.
//! - **Token endpoint** (form-encoded, or JSON as Lever also accepts; client secret in
//!   the body or HTTP Basic): `authorization_code` (the code is single-use, expires
//!   after 10 minutes, and must come with the same client and redirect URI) and
//!   `refresh_token`, which **rotates**: every refresh returns a new refresh token and
//!   the old one is answered `400 {"error":"invalid_grant"}` from then on (optionally
//!   revoking the whole grant, [`OAuthSandbox::revoke_on_reuse`]).
//! - **Access tokens** last [`OAuthSandbox::set_access_token_lifetime`] (SmartRecruiters
//!   30 minutes, Lever one hour by default), are accepted as `Authorization: Bearer` by
//!   their account's API only, and are refused with the vendor's `401` once expired or
//!   revoked.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use client_core::webhook::constant_time_eq;
use client_core::{ExposeSecret as _, SecretString};
use serde_json::{Value, json};
use tokio::time::Instant;
use url::Url;

use super::accounts::DEFAULT_ACCOUNT;
use super::door::Directory;
use super::gate::{Vendor, lock};

/// How long an authorization code can be exchanged (RFC 6749 §4.1.2 recommends at most
/// ten minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(600);

/// Where a vendor's OAuth endpoints live on its listener.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OAuthPaths {
    pub authorize: &'static str,
    pub token: &'static str,
}

impl OAuthPaths {
    fn of(vendor: Vendor) -> Self {
        match vendor {
            Vendor::Lever => Self {
                authorize: "/authorize",
                token: "/oauth/token",
            },
            // Willo has no OAuth; SmartRecruiters' paths.
            _ => Self {
                authorize: "/identity/oauth/allow",
                token: "/identity/oauth/token",
            },
        }
    }
}

/// An OAuth app the sandbox knows, as a vendor registers a partner's app.
#[derive(Clone)]
pub struct SandboxOAuthApp {
    client_id: String,
    client_secret: SecretString,
    redirect_uris: Vec<String>,
    consent_as: Option<String>,
}

impl fmt::Debug for SandboxOAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxOAuthApp")
            .field("client_id", &self.client_id)
            .field("redirect_uris", &self.redirect_uris)
            .field("consent_as", &self.consent_as)
            .finish_non_exhaustive()
    }
}

impl SandboxOAuthApp {
    /// An app with this client id and secret and no redirect URI yet.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            redirect_uris: Vec::new(),
            consent_as: None,
        }
    }

    /// Accept this redirect URI (compared exactly, as both vendors do).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// The account that consents when the consent URL names none (default: the
    /// [`DEFAULT_ACCOUNT`]).
    pub fn consent_as(mut self, account: impl Into<String>) -> Self {
        self.consent_as = Some(account.into());
        self
    }
}

/// What one account's OAuth grants went through, on one vendor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OAuthStats {
    /// Consents given (codes issued) by the account.
    pub consents: u64,
    /// Codes exchanged for tokens.
    pub code_exchanges: u64,
    /// Refresh-token grants answered with new tokens.
    pub refreshes: u64,
    /// Token requests refused with `invalid_grant` (a reused refresh token, a revoked
    /// grant).
    pub refused: u64,
}

impl OAuthStats {
    /// Every token request the account's grants made (exchanges, refreshes, refusals).
    pub fn token_requests(&self) -> u64 {
        self.code_exchanges + self.refreshes + self.refused
    }
}

struct App {
    secret: SecretString,
    redirect_uris: Vec<String>,
    consent_as: Option<String>,
}

struct Code {
    client_id: String,
    redirect_uri: String,
    account: String,
    scope: Option<String>,
    expires: Instant,
}

struct Grant {
    account: String,
    client_id: String,
    scope: Option<String>,
    revoked: bool,
}

struct Access {
    grant: usize,
    expires: Instant,
}

struct Grants {
    apps: HashMap<String, App>,
    codes: HashMap<String, Code>,
    /// Every grant ever given; the index is its id.
    grants: Vec<Grant>,
    /// The live refresh token of each grant.
    refresh: HashMap<String, usize>,
    /// Refresh tokens already used (rotated away), to recognise reuse.
    spent: HashMap<String, usize>,
    access: HashMap<String, Access>,
    lifetime: Duration,
    revoke_on_reuse: bool,
    stats: HashMap<String, OAuthStats>,
    rng: fastrand::Rng,
}

impl Grants {
    fn token(&mut self) -> String {
        let rng = &mut self.rng;
        (0..2).map(|_| format!("{:016x}", rng.u64(..))).collect()
    }

    fn stats(&mut self, account: &str) -> &mut OAuthStats {
        self.stats.entry(account.to_owned()).or_default()
    }

    /// A new access token and refresh token for `grant`.
    fn issue(&mut self, grant: usize, now: Instant) -> (String, String) {
        // Keep expired tokens one lifetime longer, so a late request is still a 401
        // counted on its account; then forget them.
        let lifetime = self.lifetime;
        self.access.retain(|_, a| a.expires + lifetime > now);
        let access = self.token();
        let refresh = self.token();
        self.access.insert(
            access.clone(),
            Access {
                grant,
                expires: now + lifetime,
            },
        );
        self.refresh.insert(refresh.clone(), grant);
        (access, refresh)
    }

    /// Its refresh token stays known, so a refusal is counted on its account.
    fn revoke(&mut self, grant: usize) {
        self.grants[grant].revoked = true;
    }
}

/// One vendor's authorization server.
pub(crate) struct OAuthServer {
    vendor: Vendor,
    paths: OAuthPaths,
    /// `http://127.0.0.1:port` of the vendor's listener.
    root: String,
    grants: Mutex<Grants>,
}

impl OAuthServer {
    pub fn new(vendor: Vendor, root: String, seed: u64) -> Self {
        let lifetime = match vendor {
            Vendor::Lever => Duration::from_secs(3600),
            _ => Duration::from_secs(1800),
        };
        Self {
            vendor,
            paths: OAuthPaths::of(vendor),
            root,
            grants: Mutex::new(Grants {
                apps: HashMap::new(),
                codes: HashMap::new(),
                grants: Vec::new(),
                refresh: HashMap::new(),
                spent: HashMap::new(),
                access: HashMap::new(),
                lifetime,
                revoke_on_reuse: false,
                stats: HashMap::new(),
                rng: fastrand::Rng::with_seed(seed ^ vendor.rng_salt(4)),
            }),
        }
    }

    /// The account an access token belongs to, and whether it is still good.
    pub fn access(&self, token: &str) -> Option<(String, bool)> {
        let grants = lock(&self.grants);
        let access = grants.access.get(token)?;
        let grant = &grants.grants[access.grant];
        Some((
            grant.account.clone(),
            !grant.revoked && Instant::now() < access.expires,
        ))
    }

    /// Revoke every grant of `account`: its refresh tokens get `invalid_grant`, its
    /// access tokens 401. Returns how many grants were live.
    pub fn revoke_account(&self, account: &str) -> usize {
        let mut grants = lock(&self.grants);
        let live: Vec<usize> = (0..grants.grants.len())
            .filter(|&g| !grants.grants[g].revoked && grants.grants[g].account == account)
            .collect();
        for &g in &live {
            grants.revoke(g);
        }
        live.len()
    }
}

/// The routes of `server`, on the vendor's listener.
pub(crate) fn routes(server: Arc<OAuthServer>, directory: Arc<Directory>) -> Router {
    let paths = server.paths;
    Router::new()
        .route(paths.authorize, get(authorize))
        .route(paths.token, post(token))
        .with_state(Endpoint { server, directory })
}

#[derive(Clone)]
struct Endpoint {
    server: Arc<OAuthServer>,
    directory: Arc<Directory>,
}

/// RFC 6749 §5.2's error body.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn redirect(to: &Url) -> Response {
    match HeaderValue::from_str(to.as_str()) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the redirect URI cannot be sent back",
        ),
    }
}

/// `redirect_uri` with the answer's parameters, `state` last (as sent).
fn redirect_with(redirect_uri: &Url, params: &[(&str, &str)], state: Option<&String>) -> Response {
    let mut to = redirect_uri.clone();
    {
        let mut query = to.query_pairs_mut();
        for (name, value) in params {
            query.append_pair(name, value);
        }
        if let Some(state) = state {
            query.append_pair("state", state);
        }
    }
    redirect(&to)
}

/// `GET <authorize>?response_type=code&client_id&redirect_uri&state[&scope][&account]`.
async fn authorize(
    State(endpoint): State<Endpoint>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let param = |name: &str| query.get(name).map(String::as_str);
    let client_id = param("client_id").unwrap_or_default();
    let redirect_uri = param("redirect_uri").unwrap_or_default();
    let mut grants = lock(&endpoint.server.grants);
    let Some(app) = grants.apps.get(client_id) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client_id",
        );
    };
    // Never redirect to a URI the app did not register (RFC 6749 §4.1.2.1).
    let registered = app.redirect_uris.iter().any(|uri| uri == redirect_uri);
    let Some(target) = Url::parse(redirect_uri).ok().filter(|_| registered) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is not registered for this client",
        );
    };
    let state = query.get("state");
    if param("response_type") != Some("code") {
        return redirect_with(&target, &[("error", "unsupported_response_type")], state);
    }
    // SmartRecruiters refuses an empty `scope=` (smartrecruiters.md §1.3).
    if param("scope").is_some_and(|s| s.trim().is_empty()) {
        return redirect_with(&target, &[("error", "invalid_scope")], state);
    }
    let account = param("account")
        .map(str::to_owned)
        .or_else(|| app.consent_as.clone())
        .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned());
    if endpoint.directory.get(&account).is_none() {
        return redirect_with(
            &target,
            &[
                ("error", "access_denied"),
                ("error_description", "the sandbox has no such account"),
            ],
            state,
        );
    }
    let now = Instant::now();
    grants.codes.retain(|_, c| c.expires > now);
    let code = grants.token();
    grants.stats(&account).consents += 1;
    grants.codes.insert(
        code.clone(),
        Code {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            account,
            scope: param("scope").map(str::to_owned),
            expires: now + CODE_LIFETIME,
        },
    );
    redirect_with(&target, &[("code", &code)], state)
}

/// The token request's parameters: a form, or a JSON object of strings.
fn parameters(headers: &HeaderMap, body: &[u8]) -> Option<HashMap<String, String>> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Some(url::form_urlencoded::parse(body).into_owned().collect());
    }
    let Value::Object(object) = serde_json::from_slice(body).ok()? else {
        return None;
    };
    Some(
        object
            .into_iter()
            .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned())))
            .collect(),
    )
}

/// The client's id and secret: HTTP Basic, else the body.
fn client_credentials(
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("Basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok());
    if let Some(basic) = basic {
        let (id, secret) = basic.split_once(':')?;
        return Some((id.to_owned(), secret.to_owned()));
    }
    Some((
        params.get("client_id")?.clone(),
        params.get("client_secret")?.clone(),
    ))
}

/// `POST <token>`: `grant_type=authorization_code` or `refresh_token`.
async fn token(State(endpoint): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(params) = parameters(&headers, &body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body is neither a form nor a JSON object",
        );
    };
    let server = &endpoint.server;
    let mut grants = lock(&server.grants);
    let client = client_credentials(&headers, &params).filter(|(id, secret)| {
        grants.apps.get(id).is_some_and(|app| {
            constant_time_eq(secret.as_bytes(), app.secret.expose_secret().as_bytes())
        })
    });
    let Some((client_id, _)) = client else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "unknown client or wrong client secret",
        );
    };
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or_default();
    let now = Instant::now();
    let grant = match param("grant_type") {
        "authorization_code" => {
            // Single use: the code is gone whatever the outcome.
            let Some(code) = grants.codes.remove(param("code")) else {
                return invalid_grant("unknown, used or expired code");
            };
            if code.expires <= now
                || code.client_id != client_id
                || code.redirect_uri != param("redirect_uri")
            {
                return invalid_grant("the code was issued to another client or redirect_uri");
            }
            grants.stats(&code.account).code_exchanges += 1;
            grants.grants.push(Grant {
                account: code.account,
                client_id,
                scope: code.scope,
                revoked: false,
            });
            grants.grants.len() - 1
        }
        "refresh_token" => {
            let sent = param("refresh_token");
            match grants.refresh.get(sent).copied() {
                Some(grant) if grants.grants[grant].revoked => {
                    let account = grants.grants[grant].account.clone();
                    grants.stats(&account).refused += 1;
                    return invalid_grant("the grant was revoked");
                }
                Some(grant) if grants.grants[grant].client_id == client_id => {
                    grants.refresh.remove(sent);
                    grants.spent.insert(sent.to_owned(), grant);
                    let account = grants.grants[grant].account.clone();
                    grants.stats(&account).refreshes += 1;
                    grant
                }
                Some(_) => return invalid_grant("the refresh token belongs to another client"),
                None => {
                    // A rotated-away token: refused, and with reuse detection the
                    // whole grant goes with it.
                    if let Some(grant) = grants.spent.get(sent).copied() {
                        let account = grants.grants[grant].account.clone();
                        grants.stats(&account).refused += 1;
                        if grants.revoke_on_reuse {
                            grants.revoke(grant);
                        }
                        return invalid_grant("the refresh token was already used");
                    }
                    return invalid_grant("unknown refresh token");
                }
            }
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    let (access, refresh) = grants.issue(grant, now);
    let expires_in = grants.lifetime.as_secs_f64().ceil() as u64;
    let answer = match server.vendor {
        // Lever (Auth0) states the token type capitalised and the granted scopes.
        Vendor::Lever => json!({
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "scope": grants.grants[grant].scope.clone().unwrap_or_default(),
            "expires_in": expires_in,
        }),
        _ => json!({
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": expires_in,
        }),
    };
    let mut response = Json(answer).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn invalid_grant(description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", description)
}

/// Control and inspection of one vendor's OAuth server
/// ([`crate::Sandbox::smartrecruiters_oauth`], [`crate::Sandbox::lever_oauth`]).
/// Cheap to clone.
///
/// The whole flow with Lever's client (the consent URL is opened as a browser would,
/// without following the redirect to the app):
///
/// ```
/// use ats_sandbox::{Sandbox, SandboxAccount, SandboxConfig, SandboxOAuthApp};
/// use client_core::SecretString;
/// use lever_client::{Environment, LeverClient, LeverOAuth};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sandbox = Sandbox::start(SandboxConfig::new()).await?;
/// sandbox.add_account(SandboxAccount::new("acme"))?;
/// let redirect = "http://127.0.0.1:9/oauth/callback";
/// let secret = SecretString::from("app-secret");
/// sandbox.lever_oauth().register_app(
///     SandboxOAuthApp::new("my-app", secret.clone()).redirect_uri(redirect),
/// );
/// let app = LeverOAuth::new(&Environment::Custom(sandbox.lever_endpoints()), "my-app", secret, redirect);
///
/// // Consent as acme: the sandbox redirects to the app with a code.
/// let mut consent = app.authorize_url(&["opportunities:read:admin"], "xyz")?;
/// consent.query_pairs_mut().append_pair("account", "acme");
/// let browser = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
/// let answer = browser.get(consent).send().await?;
/// let back = client_core::Url::parse(answer.headers()["location"].to_str()?)?;
/// let code = back.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned()).unwrap();
///
/// let tokens = app.exchange_code(&SecretString::from(code)).await?;
/// let store = std::sync::Arc::new(|_: &SecretString| Ok(())); // persist rotated tokens here
/// let client = LeverClient::builder()
///     .base_url(sandbox.lever_base_url())
///     .oauth(app, tokens.refresh_token.clone().unwrap(), store)
///     .access_token(tokens.access())
///     .build()?;
/// client.stages().page(None).await?; // acme's Lever
/// assert_eq!(sandbox.lever_oauth().stats("acme").code_exchanges, 1);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuthSandbox {
    server: Arc<OAuthServer>,
}

impl fmt::Debug for OAuthSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSandbox")
            .field("vendor", &self.server.vendor)
            .finish_non_exhaustive()
    }
}

impl OAuthSandbox {
    pub(crate) fn new(server: Arc<OAuthServer>) -> Self {
        Self { server }
    }

    /// The consent page, e.g. `http://127.0.0.1:port/identity/oauth/allow`.
    pub fn authorize_url(&self) -> String {
        format!("{}{}", self.server.root, self.server.paths.authorize)
    }

    /// The token endpoint (code exchange and refresh), e.g.
    /// `http://127.0.0.1:port/oauth/token`.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.server.root, self.server.paths.token)
    }

    /// Register `app` (replacing an app with the same client id).
    pub fn register_app(&self, app: SandboxOAuthApp) {
        lock(&self.server.grants).apps.insert(
            app.client_id,
            App {
                secret: app.client_secret,
                redirect_uris: app.redirect_uris,
                consent_as: app.consent_as,
            },
        );
    }

    /// Access tokens issued from now on last `lifetime` (`expires_in`, rounded up to
    /// whole seconds).
    pub fn set_access_token_lifetime(&self, lifetime: Duration) {
        lock(&self.server.grants).lifetime = lifetime;
    }

    /// Whether reusing a rotated refresh token also revokes its whole grant (Auth0's
    /// reuse detection; off by default: only the reused token is refused).
    pub fn revoke_on_reuse(&self, revoke: bool) {
        lock(&self.server.grants).revoke_on_reuse = revoke;
    }

    /// Revoke every grant `account` gave, as an administrator removing the app would:
    /// its refresh tokens are refused with `invalid_grant` and its access tokens with
    /// 401. Returns how many grants were live.
    pub fn revoke(&self, account: &str) -> usize {
        self.server.revoke_account(account)
    }

    /// Make every access token of `account` expire now (the next API call gets 401 and
    /// the client must refresh). Returns how many were still live.
    pub fn expire_access_tokens(&self, account: &str) -> usize {
        let mut grants = lock(&self.server.grants);
        let now = Instant::now();
        let Grants {
            access,
            grants: all,
            ..
        } = &mut *grants;
        let mut expired = 0;
        for token in access.values_mut() {
            if all[token.grant].account == account && token.expires > now {
                token.expires = now;
                expired += 1;
            }
        }
        expired
    }

    /// What `account`'s grants went through so far.
    pub fn stats(&self, account: &str) -> OAuthStats {
        lock(&self.server.grants)
            .stats
            .get(account)
            .copied()
            .unwrap_or_default()
    }
}
