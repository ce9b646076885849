//! Environments and credentials: API keys (HTTP Basic, key as username, empty
//! password) and OAuth 2.0 authorization code with rotating refresh tokens.

use std::fmt;
use std::sync::Arc;

use client_core::auth::Authenticator;
use client_core::oauth::{ClientAuthMethod, OAuthApp, RefreshTokenSource, TokenEndpoint};
use client_core::{Error, Result, SecretString, Url};

/// OAuth pieces callers touch, re-exported: a stored access token, the token response,
/// and the trait (also implemented by closures) that persists rotated refresh tokens.
pub use client_core::auth::AccessToken;
pub use client_core::oauth::{RefreshTokenStore, TokenResponse};

/// The `offline_access` scope: without it Lever issues no refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// Where a Lever account lives: its Data API root and its OAuth endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// `https://api.lever.co/v1`, OAuth at `auth.lever.co`.
    Production,
    /// `https://api.sandbox.lever.co/v1`, OAuth at `sandbox-lever.auth0.com` with its own
    /// audience. Sandbox and production need separate OAuth apps.
    Sandbox,
    /// `https://api.eu.lever.co/v1`. **Uncertain**: Lever does not document an EU Data
    /// API host (only the Postings API's `api.eu.lever.co`), and says OAuth requests are
    /// redirected to the right data center, so the production OAuth endpoints and
    /// audience are used. Use [`Environment::Custom`] if your account differs.
    Eu,
    /// Any other set of URLs (a proxy, a test server).
    Custom(Endpoints),
}

/// The URLs of one environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoints {
    /// The Data API root, e.g. `https://api.lever.co/v1`.
    pub api_base: String,
    /// The OAuth consent page.
    pub authorize_url: String,
    /// The OAuth token endpoint (code exchange and refresh).
    pub token_url: String,
    /// The OAuth `audience` (note Lever's trailing slash).
    pub audience: String,
}

impl Endpoints {
    /// Endpoints of a custom environment (a proxy, a test server).
    pub fn new(
        api_base: impl Into<String>,
        authorize_url: impl Into<String>,
        token_url: impl Into<String>,
        audience: impl Into<String>,
    ) -> Self {
        Self {
            api_base: api_base.into(),
            authorize_url: authorize_url.into(),
            token_url: token_url.into(),
            audience: audience.into(),
        }
    }
}

impl Environment {
    /// The URLs of this environment.
    pub fn endpoints(&self) -> Endpoints {
        let (api_base, auth_host, audience) = match self {
            Environment::Production => (
                "https://api.lever.co/v1",
                "https://auth.lever.co",
                "https://api.lever.co/v1/",
            ),
            Environment::Sandbox => (
                "https://api.sandbox.lever.co/v1",
                "https://sandbox-lever.auth0.com",
                "https://api.sandbox.lever.co/v1/",
            ),
            Environment::Eu => (
                "https://api.eu.lever.co/v1",
                "https://auth.lever.co",
                "https://api.lever.co/v1/",
            ),
            Environment::Custom(endpoints) => return endpoints.clone(),
        };
        Endpoints {
            api_base: api_base.to_owned(),
            authorize_url: format!("{auth_host}/authorize"),
            token_url: format!("{auth_host}/oauth/token"),
            audience: audience.to_owned(),
        }
    }
}

/// A registered Lever OAuth app (partner integrations): builds the consent URL,
/// exchanges the code, and produces the refreshing token source.
#[derive(Clone)]
pub struct LeverOAuth {
    endpoints: Endpoints,
    client_id: String,
    client_secret: SecretString,
    redirect_uri: String,
}

impl fmt::Debug for LeverOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeverOAuth")
            .field("endpoints", &self.endpoints)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

impl LeverOAuth {
    /// An app registered in `environment` with the given client credentials and the
    /// redirect URI registered for it (it must match exactly).
    pub fn new(
        environment: &Environment,
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: impl Into<String>,
    ) -> Self {
        Self {
            endpoints: environment.endpoints(),
            client_id: client_id.into(),
            client_secret,
            redirect_uri: redirect_uri.into(),
        }
    }

    /// The environment URLs this app uses.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The consent URL to send a person to. `offline_access` is added to `scopes` when
    /// missing (no refresh token without it); `state` must be checked on the redirect.
    pub fn authorize_url(&self, scopes: &[&str], state: &str) -> Result<Url> {
        let base = parse_url(&self.endpoints.authorize_url)?;
        let mut all: Vec<&str> = scopes.to_vec();
        if !all.contains(&OFFLINE_ACCESS) {
            all.push(OFFLINE_ACCESS);
        }
        Ok(client_core::oauth::authorize_url(
            &base,
            &self.client_id,
            &self.redirect_uri,
            &all,
            state,
            &[("audience", &self.endpoints.audience)],
        ))
    }

    /// The token endpoint client (form-encoded, client credentials in the body, as in
    /// Lever's documented curl example).
    pub fn token_endpoint(&self) -> Result<TokenEndpoint> {
        TokenEndpoint::new(OAuthApp {
            token_url: parse_url(&self.endpoints.token_url)?,
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            auth_method: ClientAuthMethod::RequestBody,
            extra_params: Vec::new(),
        })
    }

    /// Trade the `code` from the consent redirect for tokens. Store the returned
    /// `refresh_token`: it is needed for every later session.
    pub async fn exchange_code(&self, code: &SecretString) -> Result<TokenResponse> {
        self.token_endpoint()?
            .exchange_code(code, &self.redirect_uri)
            .await
    }

    /// A token source refreshing with `refresh_token`. Lever rotates refresh tokens:
    /// every refresh returns a new one, handed to `store` (the old one is dead).
    /// A refused refresh token surfaces as [`Error::ReauthorizationRequired`].
    pub fn refresh_source(
        &self,
        refresh_token: SecretString,
        store: Arc<dyn RefreshTokenStore>,
    ) -> Result<RefreshTokenSource> {
        Ok(RefreshTokenSource::new(
            self.token_endpoint()?,
            refresh_token,
            store,
        ))
    }
}

fn parse_url(raw: &str) -> Result<Url> {
    Url::parse(raw).map_err(|e| Error::Config(format!("`{raw}` is not a valid URL: {e}")))
}

/// How the client authenticates.
// Built once per client, so the size difference between variants does not matter.
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum Credentials {
    /// An API key, sent as the Basic-auth username with an empty password.
    ApiKey(SecretString),
    /// OAuth: refresh on demand (single-flight), persisting rotated refresh tokens.
    OAuth {
        /// The registered app.
        app: LeverOAuth,
        /// The latest stored refresh token.
        refresh_token: SecretString,
        /// Receives each rotated refresh token.
        store: Arc<dyn RefreshTokenStore>,
        /// An access token still valid from an earlier exchange, if any.
        access_token: Option<AccessToken>,
    },
    /// Any other authenticator.
    Custom(Arc<dyn Authenticator>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiKey(_) => f.write_str("ApiKey([redacted])"),
            Credentials::OAuth { app, .. } => f
                .debug_struct("OAuth")
                .field("app", app)
                .field("refresh_token", &"[redacted]")
                .finish_non_exhaustive(),
            Credentials::Custom(auth) => f.debug_tuple("Custom").field(auth).finish(),
        }
    }
}

impl Credentials {
    /// The authenticator the transport uses.
    pub(crate) fn into_authenticator(self) -> Result<Arc<dyn Authenticator>> {
        use client_core::auth::{BasicAuth, OAuthBearer};
        Ok(match self {
            Credentials::ApiKey(key) => Arc::new(BasicAuth::new(&key, &SecretString::from(""))),
            Credentials::OAuth {
                app,
                refresh_token,
                store,
                access_token,
            } => {
                let source = Arc::new(app.refresh_source(refresh_token, store)?);
                let bearer = OAuthBearer::new(source);
                Arc::new(match access_token {
                    Some(token) => bearer.with_initial_token(token),
                    None => bearer,
                })
            }
            Credentials::Custom(auth) => auth,
        })
    }
}
