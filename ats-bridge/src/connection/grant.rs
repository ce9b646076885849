//! OAuth refresh, single-flight across replicas: the grant lives in the store, and a
//! refresh happens under the store's lock on it.
//!
//! Rotating refresh tokens (SmartRecruiters, Lever) make a naive refresh unsafe with
//! several replicas: both see the token expire, both refresh with the same refresh
//! token, the second gets `invalid_grant` (and reuse detection may revoke the whole
//! grant). Here a replica that needs a token locks the grant's row, reads it again, and
//! refreshes only if the stored access token is still the one it had (or expired);
//! otherwise it takes the token the winner stored. One refresh per expiry, whatever
//! the number of replicas.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use client_core::auth::{AccessToken, TokenSource};
use client_core::oauth::TokenEndpoint;
use client_core::{Error, ExposeSecret, SecretString};
use tokio::sync::Mutex;

use super::secret_names::{self as names, AtsPart};
use super::{ConnectionError, ConnectionId, ConnectionManager, ConnectionState, OAuthGrant};

/// A [`TokenSource`] over a connection's stored OAuth grant (see the module docs). Put
/// it in a `client_core::auth::OAuthBearer` for the account's client.
///
/// A refused refresh token (`invalid_grant`) moves the connection to
/// [`ConnectionState::NeedsCredentials`] in the same transaction and surfaces as
/// [`Error::ReauthorizationRequired`], which parks the connection's work.
pub struct StoredGrantSource {
    manager: ConnectionManager,
    connection: ConnectionId,
    account: String,
    endpoint: TokenEndpoint,
    margin: Duration,
    /// The access token this source last handed out: asked again while the store
    /// still holds it, the caller found it stale or refused, so it is refreshed.
    last_handed: Mutex<Option<SecretString>>,
}

impl StoredGrantSource {
    /// Tokens for account `account` of `connection`, refreshed at `endpoint` (the
    /// vendor's token endpoint for the bridge's OAuth app).
    pub fn new(
        manager: ConnectionManager,
        connection: ConnectionId,
        account: impl Into<String>,
        endpoint: TokenEndpoint,
    ) -> Self {
        Self {
            manager,
            connection,
            account: account.into(),
            endpoint,
            margin: client_core::auth::OAuthBearer::DEFAULT_REFRESH_MARGIN,
            last_handed: Mutex::new(None),
        }
    }

    /// A stored token expiring within `margin` is refreshed rather than used (the
    /// default is `OAuthBearer`'s own margin, 60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    async fn fetch(&self) -> Result<AccessToken, Error> {
        let store = self.manager.store();
        let name = names::ats(&self.account, AtsPart::Grant);
        let lock = store
            .secret_lock(&self.connection, &name)
            .await
            .map_err(|e| Error::Config(format!("the grant store failed: {e}")))?;
        let Some(entry) = lock.current().cloned() else {
            let _ = lock.release().await;
            return Err(Error::ReauthorizationRequired {
                reason: format!("no OAuth grant is stored for `{}`", self.account),
            });
        };
        let grant = match self.manager.open_grant(&self.connection, &entry).await {
            Ok(grant) => grant,
            Err(error) => {
                let _ = lock.release().await;
                return Err(config_error(error));
            }
        };
        let now_ms = self.manager.now_ms();
        let mut last = self.last_handed.lock().await;
        if let Some(token) = self.usable_stored(&grant, last.as_ref(), now_ms) {
            let _ = lock.release().await;
            *last = Some(token.token.clone());
            return Ok(token);
        }
        match self.endpoint.refresh(&grant.refresh_token).await {
            Ok(response) => {
                let fresh = OAuthGrant {
                    refresh_token: response
                        .refresh_token
                        .clone()
                        .unwrap_or(grant.refresh_token),
                    access_token: Some(response.access_token.clone()),
                    access_expires_at_ms: response.expires_in.map(|secs| {
                        now_ms.saturating_add(
                            i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX),
                        )
                    }),
                };
                let entry = self
                    .manager
                    .seal_grant(&self.connection, &self.account, &fresh)
                    .await
                    .map_err(config_error)?;
                // The rotated refresh token must be stored before the access token is
                // used: the old one is dead.
                lock.replace(entry, now_ms)
                    .await
                    .map_err(|e| Error::Config(format!("the grant store failed: {e}")))?;
                *last = Some(response.access_token.clone());
                Ok(response.access())
            }
            Err(Error::ReauthorizationRequired { reason }) => {
                tracing::warn!(
                    target: "ats_bridge::connection",
                    connection = %self.connection,
                    account = %self.account,
                    "OAuth grant refused (invalid_grant); the connection needs credentials"
                );
                let why = format!(
                    "the OAuth grant of `{}` was refused: {reason}",
                    self.account
                );
                let _ = lock
                    .set_state(ConnectionState::NeedsCredentials, &why, now_ms)
                    .await;
                Err(Error::ReauthorizationRequired { reason })
            }
            Err(error) => {
                let _ = lock.release().await;
                Err(error)
            }
        }
    }

    /// The stored access token, if another replica refreshed it and it is not about
    /// to expire.
    fn usable_stored(
        &self,
        grant: &OAuthGrant,
        last_handed: Option<&SecretString>,
        now_ms: i64,
    ) -> Option<AccessToken> {
        let token = grant.access_token.as_ref()?;
        if last_handed.is_some_and(|last| last.expose_secret() == token.expose_secret()) {
            return None;
        }
        let margin_ms = i64::try_from(self.margin.as_millis()).unwrap_or(i64::MAX);
        match grant.access_expires_at_ms {
            Some(at) if at.saturating_sub(margin_ms) > now_ms => Some(AccessToken::new(
                token.clone(),
                Some(Duration::from_millis(
                    u64::try_from(at - now_ms).unwrap_or(0),
                )),
            )),
            Some(_) => None,
            None => Some(AccessToken::new(token.clone(), None)),
        }
    }
}

fn config_error(error: ConnectionError) -> Error {
    Error::Config(format!("the stored OAuth grant cannot be used: {error}"))
}

impl fmt::Debug for StoredGrantSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredGrantSource")
            .field("connection", &self.connection)
            .field("account", &self.account)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl TokenSource for StoredGrantSource {
    async fn fetch_token(&self) -> client_core::Result<AccessToken> {
        self.fetch().await
    }

    fn use_http_client(&self, client: &client_core::HttpClient) {
        self.endpoint.use_http_client(client);
    }
}
