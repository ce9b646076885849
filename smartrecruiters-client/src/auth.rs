//! Credentials: the `X-SmartToken` API key, OAuth 2.0 client credentials, and the
//! authorization-code grant (consent URL, code exchange, refresh with single-use
//! refresh tokens handed to your [`RefreshTokenStore`]).
//!
//! Access tokens are cached by [`OAuthBearer`] until shortly before `expires_in`
//! (30 minutes at SmartRecruiters) and refreshed by one task at a time, which matters
//! doubly here: SmartRecruiters refresh tokens are single-use, so two parallel refreshes
//! would invalidate each other.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::auth::{AccessToken, Authenticator, OAuthBearer, StaticHeader};
use client_core::header::HeaderName;
use client_core::oauth::{
    self, ClientAuthMethod, ClientCredentialsSource, OAuthApp, RefreshTokenSource,
    RefreshTokenStore, TokenEndpoint, TokenResponse,
};
use client_core::{Error, Result, SecretString, Url};

/// Default token endpoint, for every grant: the host SmartRecruiters' documentation
/// shows (`api.smartrecruiters.com`, in its client-credentials guide). The
/// authorization-code guide's exchange step names no other host that could be read,
/// while SmartRecruiters' own passport strategy posts the code exchange (and its
/// refreshes) to [`WWW_TOKEN_URL`]. Which host is canonical for that grant is uncertain,
/// so both URLs are configurable: [`OAuthClient::token_url`] for all grants and
/// [`OAuthClient::code_exchange_url`] for the code exchange alone.
pub const DEFAULT_TOKEN_URL: &str = "https://api.smartrecruiters.com/identity/oauth/token";
/// The token endpoint on the `www.` host, used by SmartRecruiters' passport strategy for
/// the authorization-code grant. Pass it to [`OAuthClient::code_exchange_url`] (or
/// [`OAuthClient::token_url`]) if the default host refuses your codes.
pub const WWW_TOKEN_URL: &str = "https://www.smartrecruiters.com/identity/oauth/token";
/// Default consent page of the authorization-code flow.
pub const DEFAULT_AUTHORIZE_URL: &str = "https://www.smartrecruiters.com/identity/oauth/allow";
/// The header carrying an API key.
pub const API_KEY_HEADER: &str = "x-smarttoken";

/// A registered SmartRecruiters OAuth application: client id and secret, token and
/// consent URLs, and how the secret is presented (form body by default, or HTTP Basic).
#[derive(Clone)]
pub struct OAuthClient {
    client_id: String,
    client_secret: SecretString,
    token_url: String,
    code_exchange_url: Option<String>,
    authorize_url: String,
    auth_method: ClientAuthMethod,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("token_url", &self.token_url)
            .field("code_exchange_url", &self.code_exchange_url)
            .field("authorize_url", &self.authorize_url)
            .field("auth_method", &self.auth_method)
            .finish()
    }
}

impl OAuthClient {
    /// An application with the default URLs, sending its secret in the form body.
    pub fn new(client_id: impl Into<String>, client_secret: SecretString) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret,
            token_url: DEFAULT_TOKEN_URL.to_owned(),
            code_exchange_url: None,
            authorize_url: DEFAULT_AUTHORIZE_URL.to_owned(),
            auth_method: ClientAuthMethod::RequestBody,
        }
    }

    /// Use another token endpoint for every grant (sandbox, [`WWW_TOKEN_URL`], a test
    /// server).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// Exchange authorization codes at this endpoint instead of the token URL (refreshes
    /// and client-credentials grants stay on [`OAuthClient::token_url`]). Without it the
    /// exchange uses the token URL, [`DEFAULT_TOKEN_URL`] by default.
    pub fn code_exchange_url(mut self, url: impl Into<String>) -> Self {
        self.code_exchange_url = Some(url.into());
        self
    }

    /// Use another consent page.
    pub fn authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = url.into();
        self
    }

    /// Present the client secret with HTTP Basic (`client_secret_basic`) instead of the
    /// form body.
    pub fn basic_auth(mut self) -> Self {
        self.auth_method = ClientAuthMethod::BasicHeader;
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The consent URL a person opens to authorise the app. Scopes are space-separated;
    /// an empty list means the app's default scopes (an empty `scope=` is refused by
    /// SmartRecruiters, so it is omitted).
    pub fn consent_url(&self, redirect_uri: &str, scopes: &[&str], state: &str) -> Result<Url> {
        let endpoint = parse_url(&self.authorize_url, "authorize URL")?;
        Ok(oauth::authorize_url(
            &endpoint,
            &self.client_id,
            redirect_uri,
            scopes,
            state,
            &[],
        ))
    }

    /// Trade the `code` from the consent redirect for tokens. Store
    /// `refresh_token` (valid 28 days, single-use) and build the client with
    /// [`RefreshTokenGrant`].
    pub async fn exchange_code(
        &self,
        code: &SecretString,
        redirect_uri: &str,
    ) -> Result<TokenResponse> {
        let url = self.code_exchange_url.as_deref().unwrap_or(&self.token_url);
        self.endpoint_at(url)?
            .exchange_code(code, redirect_uri)
            .await
    }

    /// One `client_credentials` grant, outside of any client (to check a credential).
    pub async fn client_credentials_token(&self, scopes: &[String]) -> Result<TokenResponse> {
        self.endpoint()?.client_credentials(scopes).await
    }

    pub(crate) fn endpoint(&self) -> Result<TokenEndpoint> {
        self.endpoint_at(&self.token_url)
    }

    fn endpoint_at(&self, token_url: &str) -> Result<TokenEndpoint> {
        TokenEndpoint::new(OAuthApp {
            token_url: parse_url(token_url, "token URL")?,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            auth_method: self.auth_method,
            extra_params: Vec::new(),
        })
    }
}

fn parse_url(raw: &str, what: &str) -> Result<Url> {
    Url::parse(raw).map_err(|e| Error::Config(format!("the {what} `{raw}` is not valid: {e}")))
}

/// A refresh token from an authorization-code grant, with the store that persists each
/// rotated refresh token. SmartRecruiters refresh tokens are single-use: after every
/// refresh the old one is dead and the new one is handed to `store` before the call
/// that triggered the refresh continues.
#[derive(Clone)]
pub struct RefreshTokenGrant {
    app: OAuthClient,
    refresh_token: SecretString,
    store: Arc<dyn RefreshTokenStore>,
    access_token: Option<AccessToken>,
}

impl fmt::Debug for RefreshTokenGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenGrant")
            .field("app", &self.app)
            .field("refresh_token", &"[redacted]")
            .field("access_token", &self.access_token)
            .finish_non_exhaustive()
    }
}

impl RefreshTokenGrant {
    /// Refresh with `refresh_token`, reporting every rotated token to `store`.
    pub fn new(
        app: OAuthClient,
        refresh_token: SecretString,
        store: Arc<dyn RefreshTokenStore>,
    ) -> Self {
        Self {
            app,
            refresh_token,
            store,
            access_token: None,
        }
    }

    /// Start with a still-valid access token (e.g. straight from
    /// [`OAuthClient::exchange_code`]), saving one refresh.
    pub fn with_access_token(mut self, token: AccessToken) -> Self {
        self.access_token = Some(token);
        self
    }
}

/// How the client authenticates.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// `X-SmartToken: <key>` (32-character company API key, no expiry).
    ApiKey(SecretString),
    /// OAuth 2.0 client credentials, optionally limited to `scopes`.
    ClientCredentials {
        /// The application.
        app: OAuthClient,
        /// Scopes to request (empty: the credential's configured scopes).
        scopes: Vec<String>,
    },
    /// OAuth 2.0 authorization code: refresh-token grant with rotation.
    AuthorizationCode(RefreshTokenGrant),
    /// Any other authenticator (a token managed by the embedding application…).
    Custom(Arc<dyn Authenticator>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiKey(_) => f.write_str("ApiKey([redacted])"),
            Credentials::ClientCredentials { app, scopes } => f
                .debug_struct("ClientCredentials")
                .field("app", app)
                .field("scopes", scopes)
                .finish(),
            Credentials::AuthorizationCode(grant) => {
                f.debug_tuple("AuthorizationCode").field(grant).finish()
            }
            Credentials::Custom(auth) => f.debug_tuple("Custom").field(auth).finish(),
        }
    }
}

impl Credentials {
    /// An API key.
    pub fn api_key(key: SecretString) -> Self {
        Credentials::ApiKey(key)
    }

    /// OAuth client credentials with the credential's configured scopes.
    pub fn client_credentials(app: OAuthClient) -> Self {
        Credentials::ClientCredentials {
            app,
            scopes: Vec::new(),
        }
    }

    /// The authenticator for the transport. `refresh_margin` is how long before
    /// `expires_in` an OAuth token is renewed.
    pub(crate) fn authenticator(&self, refresh_margin: Duration) -> Result<Arc<dyn Authenticator>> {
        Ok(match self {
            Credentials::ApiKey(key) => Arc::new(StaticHeader::new(
                HeaderName::from_static(API_KEY_HEADER),
                None,
                key.clone(),
            )),
            Credentials::ClientCredentials { app, scopes } => {
                let source = ClientCredentialsSource::new(app.endpoint()?, scopes.clone());
                Arc::new(OAuthBearer::new(Arc::new(source)).refresh_margin(refresh_margin))
            }
            Credentials::AuthorizationCode(grant) => {
                let source = RefreshTokenSource::new(
                    grant.app.endpoint()?,
                    grant.refresh_token.clone(),
                    grant.store.clone(),
                );
                let bearer = OAuthBearer::new(Arc::new(source)).refresh_margin(refresh_margin);
                Arc::new(match &grant.access_token {
                    Some(token) => bearer.with_initial_token(token.clone()),
                    None => bearer,
                })
            }
            Credentials::Custom(auth) => auth.clone(),
        })
    }
}
