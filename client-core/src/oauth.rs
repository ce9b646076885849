//! OAuth 2.0 token endpoint calls shared by the clients: client credentials,
//! authorization-code exchange, refresh (with rotated refresh tokens handed to a
//! callback), and the consent URL.
//!
//! The vendor crates wrap these with their own URLs, scopes and quirks; the grant
//! mechanics live here once.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value};
use tokio::sync::Mutex;
use url::Url;

use crate::auth::{AccessToken, TokenSource};
use crate::error::{ApiError, Error, Result};
use crate::error_body::{ErrorBodyParser, GenericErrorParser};

/// How the client authenticates itself to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAuthMethod {
    /// `client_id` and `client_secret` in the form body (`client_secret_post`).
    #[default]
    RequestBody,
    /// HTTP Basic with the client id and secret (`client_secret_basic`).
    BasicHeader,
}

/// A registered OAuth application and its token endpoint.
#[derive(Clone)]
pub struct OAuthApp {
    /// The token endpoint.
    pub token_url: Url,
    /// The application's client id.
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: SecretString,
    /// How to present the client credentials.
    pub auth_method: ClientAuthMethod,
    /// Extra form parameters sent with every grant (e.g. Lever's `audience`).
    pub extra_params: Vec<(String, String)>,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("auth_method", &self.auth_method)
            .field("extra_params", &self.extra_params)
            .finish()
    }
}

/// A token endpoint response.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct TokenResponse {
    /// The access token.
    pub access_token: SecretString,
    /// Usually `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Lifetime in seconds, if stated.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// A new refresh token. With rotating refresh tokens the previous one is now dead.
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
    /// Granted scopes, space separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// Anything else the issuer sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TokenResponse {
    /// The access token with its expiry, ready for [`crate::auth::OAuthBearer`].
    pub fn access(&self) -> AccessToken {
        AccessToken::new(
            self.access_token.clone(),
            self.expires_in.map(Duration::from_secs),
        )
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"[redacted]")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "[redacted]"),
            )
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Calls one application's token endpoint.
///
/// Inside a client, token calls use the client's HTTP client (the one injected with
/// `.http_client(…)`, or the one the transport built): the transport hands it over with
/// [`Authenticator::use_http_client`](crate::auth::Authenticator::use_http_client). A
/// grant carries the client secret and a refresh token, so whatever client is used, the
/// call never takes an answer that came through a redirect: a `3xx` is an error, and so
/// is a response from another URL than the token endpoint (a client that followed a
/// redirect). Give an injected client [`crate::redirect::same_origin_only`] (or no
/// redirects) so a redirect cannot take the secrets to another host in the first place.
#[derive(Debug, Clone)]
pub struct TokenEndpoint {
    app: OAuthApp,
    http: Arc<RwLock<reqwest::Client>>,
}

impl TokenEndpoint {
    /// A token endpoint client with its own HTTP client (rustls, 30 s timeout, no
    /// redirects), until it is given another ([`TokenEndpoint::with_http_client`], or
    /// the client's transport).
    pub fn new(app: OAuthApp) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("client-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            app,
            http: Arc::new(RwLock::new(http)),
        })
    }

    /// Use this HTTP client (to share its connection pool and settings).
    pub fn with_http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Arc::new(RwLock::new(http));
        self
    }

    /// Make token calls with `http` from now on (this endpoint and its clones).
    pub fn use_http_client(&self, http: &reqwest::Client) {
        // A poisoned lock only means a panic elsewhere; the client in it is whole.
        *self.http.write().unwrap_or_else(PoisonError::into_inner) = http.clone();
    }

    fn http(&self) -> reqwest::Client {
        self.http
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The application this endpoint serves.
    pub fn app(&self) -> &OAuthApp {
        &self.app
    }

    /// `grant_type=client_credentials`, optionally limited to `scopes`.
    pub async fn client_credentials(&self, scopes: &[String]) -> Result<TokenResponse> {
        let mut form = vec![("grant_type".to_owned(), "client_credentials".to_owned())];
        if !scopes.is_empty() {
            form.push(("scope".to_owned(), scopes.join(" ")));
        }
        self.grant(form).await
    }

    /// `grant_type=authorization_code`: trade the code from the consent redirect.
    pub async fn exchange_code(
        &self,
        code: &SecretString,
        redirect_uri: &str,
    ) -> Result<TokenResponse> {
        self.grant(vec![
            ("grant_type".to_owned(), "authorization_code".to_owned()),
            ("code".to_owned(), code.expose_secret().to_owned()),
            ("redirect_uri".to_owned(), redirect_uri.to_owned()),
        ])
        .await
    }

    /// `grant_type=refresh_token`. A rejected refresh token (`invalid_grant`) becomes
    /// [`Error::ReauthorizationRequired`].
    pub async fn refresh(&self, refresh_token: &SecretString) -> Result<TokenResponse> {
        self.grant(vec![
            ("grant_type".to_owned(), "refresh_token".to_owned()),
            (
                "refresh_token".to_owned(),
                refresh_token.expose_secret().to_owned(),
            ),
        ])
        .await
    }

    async fn grant(&self, mut form: Vec<(String, String)>) -> Result<TokenResponse> {
        form.extend(self.app.extra_params.iter().cloned());
        let mut request = self.http().post(self.app.token_url.clone());
        match self.app.auth_method {
            ClientAuthMethod::RequestBody => {
                form.push(("client_id".to_owned(), self.app.client_id.clone()));
                form.push((
                    "client_secret".to_owned(),
                    self.app.client_secret.expose_secret().to_owned(),
                ));
            }
            ClientAuthMethod::BasicHeader => {
                request = request.basic_auth(
                    &self.app.client_id,
                    Some(self.app.client_secret.expose_secret()),
                );
            }
        }
        let grant_type = form[0].1.clone();
        let result = self.post_form(request, &form, &grant_type).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(Error::ReauthorizationRequired { .. }) => "reauthorization_required",
            Err(_) => "error",
        };
        crate::metrics::token_request(&grant_type, outcome);
        result
    }

    async fn post_form(
        &self,
        request: reqwest::RequestBuilder,
        form: &[(String, String)],
        grant_type: &str,
    ) -> Result<TokenResponse> {
        let endpoint = format!("POST {} ({grant_type})", self.app.token_url.path());
        let response = request.form(form).send().await.map_err(|source| {
            if source.is_timeout() {
                Error::Timeout {
                    endpoint: endpoint.clone(),
                }
            } else {
                Error::Transport {
                    endpoint: endpoint.clone(),
                    source,
                }
            }
        })?;
        let status = response.status();
        // Tokens only from the token endpoint itself: never from an answer a redirect
        // led to (the HTTP client followed it), nor from a redirect's own answer.
        if status.is_redirection() || response.url() != &self.app.token_url {
            return Err(ApiError {
                endpoint,
                ..ApiError::new(
                    status,
                    "the token endpoint redirected the grant; token calls follow no redirect",
                )
            }
            .into_error());
        }
        let body = response.bytes().await.map_err(|source| Error::Transport {
            endpoint: endpoint.clone(),
            source,
        })?;
        if !status.is_success() {
            return Err(token_error(status, &body, endpoint));
        }
        crate::decode::json(&body)
    }
}

fn token_error(status: StatusCode, body: &[u8], endpoint: String) -> Error {
    let parsed = GenericErrorParser.parse(status, body);
    if parsed.code.as_deref() == Some("invalid_grant") {
        return Error::ReauthorizationRequired {
            reason: parsed.message.unwrap_or_else(|| "invalid_grant".to_owned()),
        };
    }
    ApiError::from_parsed(status, parsed, body, endpoint).into_error()
}

/// Builds the consent URL a person opens to authorise the app
/// (`response_type=code`, client id, redirect URI, scopes, state, extras).
pub fn authorize_url(
    authorize_endpoint: &Url,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[&str],
    state: &str,
    extra: &[(&str, &str)],
) -> Url {
    let mut url = authorize_endpoint.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state);
        if !scopes.is_empty() {
            query.append_pair("scope", &scopes.join(" "));
        }
        for (k, v) in extra {
            query.append_pair(k, v);
        }
    }
    url
}

/// [`TokenSource`] for the client-credentials grant.
#[derive(Debug, Clone)]
pub struct ClientCredentialsSource {
    endpoint: TokenEndpoint,
    scopes: Vec<String>,
}

impl ClientCredentialsSource {
    /// Fetch tokens for `scopes` (empty: the app's defaults).
    pub fn new(endpoint: TokenEndpoint, scopes: Vec<String>) -> Self {
        Self { endpoint, scopes }
    }
}

#[async_trait]
impl TokenSource for ClientCredentialsSource {
    async fn fetch_token(&self) -> Result<AccessToken> {
        Ok(self
            .endpoint
            .client_credentials(&self.scopes)
            .await?
            .access())
    }

    fn use_http_client(&self, client: &reqwest::Client) {
        self.endpoint.use_http_client(client);
    }
}

/// Receives each new refresh token so the application can persist it. With rotating
/// refresh tokens (Lever, SmartRecruiters) the previous token is dead once a new one is
/// issued: failing to store it means the next restart needs a person to re-authorise.
#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// Persist `refresh_token`. An error is returned to the call that triggered the refresh.
    async fn store(&self, refresh_token: &SecretString) -> Result<()>;
}

#[async_trait]
impl<F> RefreshTokenStore for F
where
    F: Fn(&SecretString) -> Result<()> + Send + Sync,
{
    async fn store(&self, refresh_token: &SecretString) -> Result<()> {
        self(refresh_token)
    }
}

/// [`TokenSource`] for the refresh-token grant, with rotation: each new refresh token
/// replaces the old one here and is handed to the [`RefreshTokenStore`].
pub struct RefreshTokenSource {
    endpoint: TokenEndpoint,
    refresh_token: Mutex<SecretString>,
    store: Arc<dyn RefreshTokenStore>,
}

impl RefreshTokenSource {
    /// Refresh with `refresh_token`, reporting rotated tokens to `store`.
    pub fn new(
        endpoint: TokenEndpoint,
        refresh_token: SecretString,
        store: Arc<dyn RefreshTokenStore>,
    ) -> Self {
        Self {
            endpoint,
            refresh_token: Mutex::new(refresh_token),
            store,
        }
    }
}

impl fmt::Debug for RefreshTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshTokenSource")
            .field("endpoint", &self.endpoint)
            .field("refresh_token", &"[redacted]")
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl TokenSource for RefreshTokenSource {
    async fn fetch_token(&self) -> Result<AccessToken> {
        let mut current = self.refresh_token.lock().await;
        let response = self.endpoint.refresh(&current).await?;
        if let Some(rotated) = &response.refresh_token
            && rotated.expose_secret() != current.expose_secret()
        {
            *current = rotated.clone();
            self.store.store(rotated).await?;
        }
        Ok(response.access())
    }

    fn use_http_client(&self, client: &reqwest::Client) {
        self.endpoint.use_http_client(client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_encodes_every_part() {
        let base = Url::parse("https://auth.example.com/authorize").unwrap();
        let url = authorize_url(
            &base,
            "client 1",
            "https://app.example.com/cb?x=1",
            &["offline_access", "notes:write:admin"],
            "st&te",
            &[("audience", "https://api.example.com/")],
        );
        assert_eq!(
            url.as_str(),
            "https://auth.example.com/authorize?response_type=code&client_id=client+1\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb%3Fx%3D1&state=st%26te\
             &scope=offline_access+notes%3Awrite%3Aadmin&audience=https%3A%2F%2Fapi.example.com%2F"
        );
    }

    #[test]
    fn token_response_debug_redacts() {
        let r: TokenResponse = serde_json::from_str(
            r#"{"access_token":"AT-secret","refresh_token":"RT-secret","expires_in":3600,"token_type":"Bearer","x":1}"#,
        )
        .unwrap();
        let text = format!("{r:?}");
        assert!(
            !text.contains("AT-secret") && !text.contains("RT-secret"),
            "{text}"
        );
        assert_eq!(r.extra["x"], 1);
    }

    #[test]
    fn invalid_grant_means_reauthorise() {
        let err = token_error(
            StatusCode::BAD_REQUEST,
            br#"{"error":"invalid_grant","error_description":"token revoked"}"#,
            "POST /oauth/token".into(),
        );
        assert!(
            matches!(err, Error::ReauthorizationRequired { reason } if reason == "token revoked")
        );
    }
}
