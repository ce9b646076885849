//! Pluggable request authentication: a static header, HTTP Basic, or an OAuth bearer
//! token that is fetched once, cached until shortly before it expires, and refreshed by
//! one caller at a time however many requests are waiting.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{Error, Result};

/// Adds credentials to each outgoing request.
///
/// Implementations must never print a secret in `Debug`.
#[async_trait]
pub trait Authenticator: Send + Sync + fmt::Debug {
    /// Put the credentials on `headers`. Called before every attempt, so a refreshed
    /// token is picked up by retries.
    async fn authorize(&self, headers: &mut HeaderMap) -> Result<()>;

    /// The API answered 401 to a request sent with `sent` headers. Return `true` if the
    /// credentials were renewed and the request is worth one more attempt.
    async fn on_unauthorized(&self, _sent: &HeaderMap) -> bool {
        false
    }

    /// The transport this authenticator was given to hands over its HTTP client (the
    /// injected one, or the one it built), once, when it is built. An authenticator that
    /// makes calls of its own (an OAuth token endpoint) makes them with it, so they go
    /// through the same proxy, timeouts and trusted roots as the API calls.
    fn use_http_client(&self, _client: &reqwest::Client) {}
}

/// Builds a header value from a secret and marks it sensitive, so `reqwest` and
/// `http` never print it.
pub fn sensitive_header(value: &str) -> Result<HeaderValue> {
    let mut header = HeaderValue::from_str(value).map_err(|_| {
        Error::Config("a credential contains characters not allowed in an HTTP header".into())
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// A fixed header carrying a secret: `Authorization: <key>`, `X-SmartToken: <key>`,
/// `Authorization: Token <key>`…
pub struct StaticHeader {
    name: HeaderName,
    prefix: Option<String>,
    secret: SecretString,
}

impl StaticHeader {
    /// `name: <prefix> <secret>` (or `name: <secret>` without a prefix).
    pub fn new(name: HeaderName, prefix: Option<&str>, secret: SecretString) -> Self {
        Self {
            name,
            prefix: prefix.map(str::to_owned),
            secret,
        }
    }
}

impl fmt::Debug for StaticHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticHeader")
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("secret", &"[redacted]")
            .finish()
    }
}

#[async_trait]
impl Authenticator for StaticHeader {
    async fn authorize(&self, headers: &mut HeaderMap) -> Result<()> {
        let value = match &self.prefix {
            Some(prefix) => sensitive_header(&format!("{prefix} {}", self.secret.expose_secret()))?,
            None => sensitive_header(self.secret.expose_secret())?,
        };
        headers.insert(self.name.clone(), value);
        Ok(())
    }
}

/// HTTP Basic: `Authorization: Basic base64(user:password)`. Lever's API key is the
/// username with an empty password.
pub struct BasicAuth {
    header: SecretString,
}

impl BasicAuth {
    /// Basic credentials from a username and password (both secret).
    pub fn new(username: &SecretString, password: &SecretString) -> Self {
        let raw = format!("{}:{}", username.expose_secret(), password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
        Self {
            header: SecretString::from(format!("Basic {encoded}")),
        }
    }
}

impl fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BasicAuth([redacted])")
    }
}

#[async_trait]
impl Authenticator for BasicAuth {
    async fn authorize(&self, headers: &mut HeaderMap) -> Result<()> {
        headers.insert(
            AUTHORIZATION,
            sensitive_header(self.header.expose_secret())?,
        );
        Ok(())
    }
}

/// An access token with its expiry.
#[derive(Clone)]
pub struct AccessToken {
    /// The bearer token.
    pub token: SecretString,
    /// When it stops working, if the issuer said. `None` means "until refused".
    pub expires_at: Option<Instant>,
}

impl AccessToken {
    /// A token that expires `expires_in` from now (or never, if `None`).
    pub fn new(token: SecretString, expires_in: Option<Duration>) -> Self {
        Self {
            token,
            expires_at: expires_in.map(|d| Instant::now() + d),
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Where bearer tokens come from: a client-credentials grant, a refresh-token grant, a
/// token the embedding application manages itself…
#[async_trait]
pub trait TokenSource: Send + Sync + fmt::Debug {
    /// Obtain a fresh access token. Called by one task at a time.
    async fn fetch_token(&self) -> Result<AccessToken>;

    /// Make token calls with this HTTP client from now on (see
    /// [`Authenticator::use_http_client`]).
    fn use_http_client(&self, _client: &reqwest::Client) {}
}

/// `Authorization: Bearer <token>` from a [`TokenSource`], cached and refreshed
/// single-flight: however many requests need a token at once, the source is asked once.
pub struct OAuthBearer {
    source: Arc<dyn TokenSource>,
    cached: Mutex<Option<AccessToken>>,
    /// Refresh this long before the stated expiry, so a token never dies in flight.
    refresh_margin: Duration,
}

impl OAuthBearer {
    /// Refresh margin used by [`OAuthBearer::new`].
    pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

    /// Bearer auth over `source`, refreshing 60 s before expiry.
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        Self {
            source,
            cached: Mutex::new(None),
            refresh_margin: Self::DEFAULT_REFRESH_MARGIN,
        }
    }

    /// Start with a token obtained elsewhere (for example a stored one).
    pub fn with_initial_token(self, token: AccessToken) -> Self {
        Self {
            cached: Mutex::new(Some(token)),
            ..self
        }
    }

    /// Change how long before expiry the token is renewed.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The current token, fetching one if there is none or it is about to expire.
    pub async fn token(&self) -> Result<SecretString> {
        // Holding the lock across the fetch is what makes refresh single-flight: callers
        // that arrive meanwhile wait here and then reuse the new token.
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| self.is_fresh(t)) {
            return Ok(token.token.clone());
        }
        let fresh = self.source.fetch_token().await?;
        let secret = fresh.token.clone();
        *cached = Some(fresh);
        Ok(secret)
    }

    fn is_fresh(&self, token: &AccessToken) -> bool {
        match token.expires_at {
            Some(at) => Instant::now() + self.refresh_margin < at,
            None => true,
        }
    }
}

impl fmt::Debug for OAuthBearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBearer")
            .field("source", &self.source)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Authenticator for OAuthBearer {
    async fn authorize(&self, headers: &mut HeaderMap) -> Result<()> {
        let token = self.token().await?;
        headers.insert(
            AUTHORIZATION,
            sensitive_header(&format!("Bearer {}", token.expose_secret()))?,
        );
        Ok(())
    }

    async fn on_unauthorized(&self, sent: &HeaderMap) -> bool {
        let mut cached = self.cached.lock().await;
        let sent_token = sent.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
        let current = cached
            .as_ref()
            .map(|t| format!("Bearer {}", t.token.expose_secret()));
        // Only drop the token that was refused; another task may already have renewed it.
        if sent_token.is_some() && sent_token == current.as_deref() {
            *cached = None;
        }
        true
    }

    fn use_http_client(&self, client: &reqwest::Client) {
        self.source.use_http_client(client);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Debug, Default)]
    struct CountingSource {
        calls: AtomicUsize,
    }

    #[async_trait]
    impl TokenSource for CountingSource {
        async fn fetch_token(&self) -> Result<AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok(AccessToken::new(
                SecretString::from(format!("token-{n}")),
                Some(Duration::from_secs(3600)),
            ))
        }
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch_and_refresh_after_expiry() {
        let source = Arc::new(CountingSource::default());
        let auth = Arc::new(OAuthBearer::new(source.clone()));
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let auth = auth.clone();
                tokio::spawn(async move { auth.token().await.unwrap() })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().expose_secret(), "token-1");
        }
        assert_eq!(source.calls.load(Ordering::SeqCst), 1);

        tokio::time::advance(Duration::from_secs(3600 - 30)).await;
        assert_eq!(auth.token().await.unwrap().expose_secret(), "token-2");
        assert_eq!(source.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn unauthorized_drops_only_the_refused_token() {
        let source = Arc::new(CountingSource::default());
        let auth = OAuthBearer::new(source.clone());
        let mut stale = HeaderMap::new();
        stale.insert(AUTHORIZATION, HeaderValue::from_static("Bearer old"));
        auth.token().await.unwrap();
        assert!(auth.on_unauthorized(&stale).await);
        assert_eq!(auth.token().await.unwrap().expose_secret(), "token-1");

        let mut current = HeaderMap::new();
        auth.authorize(&mut current).await.unwrap();
        assert!(auth.on_unauthorized(&current).await);
        assert_eq!(auth.token().await.unwrap().expose_secret(), "token-2");
    }

    #[tokio::test]
    async fn debug_never_shows_secrets() {
        let key = SecretString::from("super-secret-key");
        let header = StaticHeader::new(AUTHORIZATION, Some("Token"), key.clone());
        let basic = BasicAuth::new(&key, &SecretString::from(""));
        let token = AccessToken::new(key, None);
        for text in [
            format!("{header:?}"),
            format!("{basic:?}"),
            format!("{token:?}"),
        ] {
            assert!(!text.contains("super-secret-key"), "{text}");
        }
        let mut headers = HeaderMap::new();
        header.authorize(&mut headers).await.unwrap();
        assert_eq!(headers[AUTHORIZATION], "Token super-secret-key");
        assert!(headers[AUTHORIZATION].is_sensitive());
        basic.authorize(&mut headers).await.unwrap();
        // base64("super-secret-key:")
        assert_eq!(headers[AUTHORIZATION], "Basic c3VwZXItc2VjcmV0LWtleTo=");
    }
}
