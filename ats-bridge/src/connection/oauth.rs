//! The OAuth connect flow: a customer's ATS account joins a connection through the
//! vendor's consent page.
//!
//! 1. An operator (the admin API) asks for the consent URL of a connection's OAuth
//!    account: [`OAuthConnect::consent_url`]. Its `state` is signed with the bridge's
//!    key (HMAC-SHA256), names the connection and account, and expires (10 minutes by
//!    default): a forged or replayed-late `state` is refused, which is what makes the
//!    callback CSRF-safe (an attacker cannot make a victim's browser attach the
//!    attacker's grant to a connection, nor the other way round).
//! 2. The customer consents; the vendor redirects to the callback with `code` and
//!    `state`: [`OAuthConnect::callback`] (or the `GET /oauth/callback` route of
//!    [`router`]) checks the state, exchanges the code, and stores the grant sealed.
//!    A connection that waited only for this becomes active.
//!
//! Refreshing the grant afterwards is [`super::StoredGrantSource`]'s job.

use std::collections::BTreeMap;
use std::fmt;
#[cfg(feature = "axum")]
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_core::Url;
use client_core::oauth::{ClientAuthMethod, OAuthApp, TokenEndpoint, authorize_url};
use client_core::secrecy::{ExposeSecret, SecretBox, SecretString};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{AtsAuth, AtsKind, ConnectionError, ConnectionId, ConnectionManager, OAuthGrant};

/// How long a consent URL's `state` is accepted by default.
pub const DEFAULT_STATE_TTL: Duration = Duration::from_secs(600);

/// One vendor's OAuth app as the bridge registered it: where consent happens, the
/// token endpoint, the redirect URI and the scopes asked for.
#[derive(Clone)]
pub struct OAuthProvider {
    kind: AtsKind,
    authorize_url: Url,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    authorize_params: Vec<(String, String)>,
    token: TokenEndpoint,
    code_exchange: TokenEndpoint,
}

impl OAuthProvider {
    /// An app of `kind` with explicit URLs (a test server, a proxy). The secret is sent
    /// in the form body.
    pub fn new(
        kind: AtsKind,
        authorize_url: Url,
        token_url: Url,
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: impl Into<String>,
    ) -> Result<Self, client_core::Error> {
        let client_id = client_id.into();
        let token = TokenEndpoint::new(OAuthApp {
            token_url,
            client_id: client_id.clone(),
            client_secret,
            auth_method: ClientAuthMethod::RequestBody,
            extra_params: Vec::new(),
        })?;
        Ok(Self {
            kind,
            authorize_url,
            client_id,
            redirect_uri: redirect_uri.into(),
            scopes: Vec::new(),
            authorize_params: Vec::new(),
            code_exchange: token.clone(),
            token,
        })
    }

    /// SmartRecruiters' production consent page and token endpoint.
    #[cfg(feature = "smartrecruiters")]
    pub fn smartrecruiters(
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: impl Into<String>,
    ) -> Result<Self, client_core::Error> {
        let parse =
            |url: &str| Url::parse(url).map_err(|e| client_core::Error::Config(e.to_string()));
        Self::new(
            AtsKind::Smartrecruiters,
            parse(smartrecruiters_client::DEFAULT_AUTHORIZE_URL)?,
            parse(smartrecruiters_client::DEFAULT_TOKEN_URL)?,
            client_id,
            client_secret,
            redirect_uri,
        )
    }

    /// Lever's consent page and token endpoint in `environment`, with its `audience`
    /// and the `offline_access` scope (no refresh token without it).
    #[cfg(feature = "lever")]
    pub fn lever(
        environment: &lever_client::Environment,
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: impl Into<String>,
    ) -> Result<Self, client_core::Error> {
        let endpoints = environment.endpoints();
        let parse =
            |url: &str| Url::parse(url).map_err(|e| client_core::Error::Config(e.to_string()));
        Ok(Self::new(
            AtsKind::Lever,
            parse(&endpoints.authorize_url)?,
            parse(&endpoints.token_url)?,
            client_id,
            client_secret,
            redirect_uri,
        )?
        .scope("offline_access")
        .authorize_param("audience", endpoints.audience))
    }

    /// Ask for `scope` too.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Add a parameter to the consent URL.
    pub fn authorize_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.authorize_params.push((name.into(), value.into()));
        self
    }

    /// Exchange codes at another endpoint than refreshes (SmartRecruiters' `www` token
    /// URL for codes).
    pub fn code_exchange_url(mut self, url: Url) -> Result<Self, client_core::Error> {
        let app = OAuthApp {
            token_url: url,
            ..self.token.app().clone()
        };
        self.code_exchange = TokenEndpoint::new(app)?;
        Ok(self)
    }

    /// The ATS this app is for.
    pub fn kind(&self) -> AtsKind {
        self.kind
    }

    /// The token endpoint refreshes go to (for [`super::StoredGrantSource`]).
    pub fn token_endpoint(&self) -> &TokenEndpoint {
        &self.token
    }

    fn consent_url(&self, state: &str) -> Url {
        let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        let extra: Vec<(&str, &str)> = self
            .authorize_params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        authorize_url(
            &self.authorize_url,
            &self.client_id,
            &self.redirect_uri,
            &scopes,
            state,
            &extra,
        )
    }
}

impl fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("kind", &self.kind)
            .field("authorize_url", &self.authorize_url.as_str())
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// What a signed `state` carries.
#[derive(Debug, Serialize, Deserialize)]
struct StateClaims {
    /// The connection.
    c: String,
    /// The account within it.
    a: String,
    /// Expiry, epoch ms.
    e: i64,
    /// A random nonce: two consent URLs never share a state.
    n: String,
}

/// Why the connect flow failed. Never carries a code, token or secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The `state` was not signed by this bridge, or was altered.
    #[error("the OAuth state is invalid (not issued by this bridge)")]
    InvalidState,
    /// The `state` expired: the consent took too long; start again.
    #[error("the OAuth state expired; start the connection again")]
    ExpiredState,
    /// The vendor redirected with an error (the customer declined, say).
    #[error("the ATS refused the authorisation: {0}")]
    Denied(String),
    /// No OAuth app is configured for this ATS.
    #[error("no OAuth app is configured for {0}")]
    NoProvider(&'static str),
    /// The code exchange failed.
    #[error("the code exchange failed: {0}")]
    Exchange(client_core::Error),
    /// The connection or account is unknown, or not an OAuth account.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
}

/// The connect flow: consent URLs and the callback (see the module docs).
pub struct OAuthConnect {
    manager: ConnectionManager,
    providers: BTreeMap<&'static str, OAuthProvider>,
    state_key: SecretBox<[u8]>,
    state_ttl: Duration,
}

impl OAuthConnect {
    /// A flow storing grants through `manager`, signing states with `state_key` (32
    /// random bytes or more, kept secret, the same on every replica).
    pub fn new(manager: ConnectionManager, state_key: SecretBox<[u8]>) -> Self {
        Self {
            manager,
            providers: BTreeMap::new(),
            state_key,
            state_ttl: DEFAULT_STATE_TTL,
        }
    }

    /// Connect accounts of `provider`'s ATS through it.
    pub fn provider(mut self, provider: OAuthProvider) -> Self {
        self.providers.insert(provider.kind.as_str(), provider);
        self
    }

    /// Accept states for this long (default [`DEFAULT_STATE_TTL`]).
    pub fn state_ttl(mut self, ttl: Duration) -> Self {
        self.state_ttl = ttl;
        self
    }

    /// The app for `kind`, if configured (its token endpoint refreshes grants).
    pub fn provider_for(&self, kind: AtsKind) -> Option<&OAuthProvider> {
        self.providers.get(kind.as_str())
    }

    /// The consent URL for OAuth account `account` of `connection`, to send the
    /// customer to.
    pub async fn consent_url(
        &self,
        connection: &ConnectionId,
        account: &str,
    ) -> Result<Url, ConnectError> {
        let provider = self.oauth_account(connection, account).await?;
        let mut nonce = [0u8; 16];
        getrandom::getrandom(&mut nonce)
            .map_err(|e| ConnectError::Denied(format!("no random source: {e}")))?;
        let ttl_ms = i64::try_from(self.state_ttl.as_millis()).unwrap_or(i64::MAX);
        let claims = StateClaims {
            c: connection.to_string(),
            a: account.to_owned(),
            e: self.manager.now_ms().saturating_add(ttl_ms),
            n: URL_SAFE_NO_PAD.encode(nonce),
        };
        Ok(provider.consent_url(&self.sign(&claims)))
    }

    /// Handle the redirect back from the consent page: check `state`, exchange `code`,
    /// store the grant. Returns the connection and account connected.
    pub async fn callback(
        &self,
        query: &CallbackQuery,
    ) -> Result<(ConnectionId, String), ConnectError> {
        let claims = self.verify(query.state.as_deref().unwrap_or_default())?;
        if let Some(error) = &query.error {
            // Vendors' error codes are short words (`access_denied`); keep it bounded.
            let error: String = error.chars().take(64).collect();
            return Err(ConnectError::Denied(error));
        }
        let connection = ConnectionId::new(claims.c).map_err(|_| ConnectError::InvalidState)?;
        let provider = self.oauth_account(&connection, &claims.a).await?;
        let code = query
            .code
            .clone()
            .ok_or(ConnectError::Denied("no code in the redirect".into()))?;
        let response = provider
            .code_exchange
            .exchange_code(&code, &provider.redirect_uri)
            .await
            .map_err(ConnectError::Exchange)?;
        let refresh_token = response.refresh_token.clone().ok_or(ConnectError::Denied(
            "the grant has no refresh token (offline access not granted?)".into(),
        ))?;
        let now_ms = self.manager.now_ms();
        let grant = OAuthGrant {
            refresh_token,
            access_token: Some(response.access_token.clone()),
            access_expires_at_ms: response.expires_in.map(|secs| {
                now_ms.saturating_add(i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX))
            }),
        };
        self.manager
            .store_grant(&connection, &claims.a, &grant)
            .await?;
        Ok((connection, claims.a))
    }

    async fn oauth_account(
        &self,
        connection: &ConnectionId,
        account: &str,
    ) -> Result<&OAuthProvider, ConnectError> {
        let record = self.manager.live(connection).await?;
        let config = record
            .config
            .account(account)
            .filter(|a| a.auth == AtsAuth::Oauth)
            .ok_or_else(|| {
                ConnectionError::Invalid(format!(
                    "`{account}` is not an OAuth account of {connection}"
                ))
            })?;
        self.provider_for(config.kind)
            .ok_or(ConnectError::NoProvider(config.kind.as_str()))
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes keys of any length.
        Hmac::<Sha256>::new_from_slice(self.state_key.expose_secret())
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"))
    }

    fn sign(&self, claims: &StateClaims) -> String {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).unwrap_or_default());
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    fn verify(&self, state: &str) -> Result<StateClaims, ConnectError> {
        let (payload, tag) = state.split_once('.').ok_or(ConnectError::InvalidState)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| ConnectError::InvalidState)?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        // Constant time: the comparison leaks nothing about the expected tag.
        mac.verify_slice(&tag)
            .map_err(|_| ConnectError::InvalidState)?;
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| ConnectError::InvalidState)?;
        let claims: StateClaims =
            serde_json::from_slice(&json).map_err(|_| ConnectError::InvalidState)?;
        if claims.e <= self.manager.now_ms() {
            return Err(ConnectError::ExpiredState);
        }
        Ok(claims)
    }
}

impl fmt::Debug for OAuthConnect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConnect")
            .field("providers", &self.providers)
            .field("state_ttl", &self.state_ttl)
            .finish_non_exhaustive()
    }
}

/// The query of the consent redirect.
#[derive(Clone, Default, Deserialize)]
pub struct CallbackQuery {
    /// The authorisation code.
    pub code: Option<SecretString>,
    /// The state from the consent URL.
    pub state: Option<String>,
    /// The vendor's error code, when consent failed.
    pub error: Option<String>,
}

impl fmt::Debug for CallbackQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackQuery")
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("state", &self.state.as_ref().map(|_| "[present]"))
            .field("error", &self.error)
            .finish()
    }
}

/// `GET /oauth/callback`: the redirect URI to register with the vendors (under the
/// bridge's public URL). Answers a short plain-text page: connected, or why not.
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub fn router(connect: Arc<OAuthConnect>) -> axum::Router {
    use axum::extract::{Query, State};
    use axum::http::StatusCode;
    use axum::routing::get;

    async fn callback(
        State(connect): State<Arc<OAuthConnect>>,
        Query(query): Query<CallbackQuery>,
    ) -> (StatusCode, String) {
        match connect.callback(&query).await {
            Ok((connection, account)) => (
                StatusCode::OK,
                format!("Connected: `{account}` of {connection}. You can close this page."),
            ),
            Err(error) => {
                tracing::warn!(target: "ats_bridge::connection", %error, "OAuth callback refused");
                let status = match error {
                    ConnectError::Exchange(_) => StatusCode::BAD_GATEWAY,
                    _ => StatusCode::BAD_REQUEST,
                };
                (status, format!("Not connected: {error}"))
            }
        }
    }

    axum::Router::new()
        .route("/oauth/callback", get(callback))
        .with_state(connect)
}
