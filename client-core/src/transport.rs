//! The HTTP transport every client shares: base URL, user agent, timeouts, auth, rate
//! limits, retries, error mapping and tracing, written once.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use backon::Retryable as _;
use bytes::Bytes;
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument as _;
use url::Url;

use crate::auth::Authenticator;
use crate::credentials::{CredentialState, LastCredentialState};
use crate::error::{ApiError, Error, Result};
use crate::error_body::{ErrorBodyParser, GenericErrorParser};
use crate::rate_limit::{LastSeen, Limiter, RateLimitStatus, RateLimits};
use crate::request::{RequestBuilder, Target};
use crate::retry::{RetryBudget, RetryPolicy, parse_retry_after};

/// A response as received: status, headers and the whole body.
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// HTTP status (always a success status: errors become [`Error`]).
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
}

impl RawResponse {
    /// Decode the body as JSON, naming the path of any mismatch.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        crate::decode::json(&self.body)
    }

    /// A header's value as text, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The shared HTTP transport. Cheap to clone; clones share connections, limits, the
/// retry budget and the token cache.
#[derive(Clone)]
pub struct Transport {
    inner: Arc<Inner>,
}

struct Inner {
    vendor: &'static str,
    http: reqwest::Client,
    /// Headers an injected client does not carry (a built one has them as defaults).
    injected_defaults: HeaderMap,
    base_url: Url,
    auth: Option<Arc<dyn Authenticator>>,
    limiter: Arc<Limiter>,
    retry: RetryPolicy,
    budget: Arc<RetryBudget>,
    error_parser: Arc<dyn ErrorBodyParser>,
    request_id_headers: Vec<HeaderName>,
    last_rate_limit: LastSeen,
    credentials: LastCredentialState,
    max_pages: usize,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("vendor", &self.inner.vendor)
            .field("base_url", &self.inner.base_url.as_str())
            .field("auth", &self.inner.auth)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Start configuring a transport for `vendor` (used in tracing and the default
    /// user agent).
    pub fn builder(vendor: &'static str) -> TransportBuilder {
        TransportBuilder::new(vendor)
    }

    /// The base URL every path is joined to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The live rate limiter (share it with another transport using the same credential).
    pub fn limiter(&self) -> Arc<Limiter> {
        self.inner.limiter.clone()
    }

    /// The vendor's rate-limit headers from the latest response that carried them.
    pub fn rate_limit_status(&self) -> Option<RateLimitStatus> {
        self.inner.last_rate_limit.get()
    }

    /// Whether the vendor accepted the credentials the last time it answered: for
    /// readiness probes, which must not call the vendor themselves.
    pub fn credential_state(&self) -> CredentialState {
        self.inner.credentials.get()
    }

    /// The most pages one listing may follow; the clients pass it to
    /// [`crate::pagination::boxed_items_capped`].
    pub fn max_pages(&self) -> usize {
        self.inner.max_pages
    }

    /// The underlying HTTP client (for calls outside the API, such as OAuth).
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// A request to `path` (relative to the base URL, kept as given: trailing slashes
    /// matter to some vendors).
    pub fn request(&self, method: Method, path: impl Into<String>) -> RequestBuilder<'_> {
        RequestBuilder::new(self, method, Target::Path(path.into()))
    }

    /// `GET path`.
    pub fn get(&self, path: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(&self, path: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(&self, path: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::PUT, path)
    }

    /// `PATCH path`.
    pub fn patch(&self, path: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::PATCH, path)
    }

    /// `DELETE path`.
    pub fn delete(&self, path: impl Into<String>) -> RequestBuilder<'_> {
        self.request(Method::DELETE, path)
    }

    /// A `GET` of an absolute URL the API handed out (a pagination link). The URL must
    /// point at the API's own host: credentials are never sent anywhere else.
    pub fn get_url(&self, url: &str) -> Result<RequestBuilder<'_>> {
        let url = self.same_origin(url)?;
        Ok(RequestBuilder::new(
            self,
            Method::GET,
            Target::Absolute(url),
        ))
    }

    /// The escape hatch: any method and path with an optional JSON body, decoded as a
    /// [`Value`], through the same auth, limits and retries as the typed calls.
    /// `POST`/`PATCH` are not replayed after a server error.
    pub async fn request_json(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value> {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send_value().await
    }

    /// Shortcut: `GET path` with query pairs, decoded.
    pub async fn get_json<T: DeserializeOwned, Q: Serialize + ?Sized>(
        &self,
        path: &str,
        query: &Q,
    ) -> Result<T> {
        let pairs = query_pairs(query)?;
        self.get(path).query_pairs(pairs).send().await
    }

    fn same_origin(&self, raw: &str) -> Result<Url> {
        let mut url = Url::parse(raw)
            .map_err(|e| Error::InvalidInput(format!("`{raw}` is not a valid URL: {e}")))?;
        let base = &self.inner.base_url;
        if url.host_str() != base.host_str() {
            return Err(Error::InvalidInput(format!(
                "refusing to follow a link to another host ({}); credentials stay with {}",
                url.host_str().unwrap_or("none"),
                base.host_str().unwrap_or("none")
            )));
        }
        // A proxy in front of the API may build links with its own scheme or port;
        // the origin we were configured with is the one we trust.
        let _ = url.set_scheme(base.scheme());
        let _ = url.set_port(base.port());
        Ok(url)
    }

    fn resolve(&self, method: &Method, target: &Target) -> Result<Url> {
        match target {
            Target::Absolute(url) => Ok(url.clone()),
            Target::Path(path) => {
                if has_unusable_segment(path) {
                    return Err(Error::InvalidPathSegment {
                        endpoint: format!("{method} {path}"),
                    });
                }
                let base = self.inner.base_url.as_str().trim_end_matches('/');
                let joined = if path.starts_with('/') {
                    format!("{base}{path}")
                } else {
                    format!("{base}/{path}")
                };
                Url::parse(&joined).map_err(|e| {
                    Error::InvalidInput(format!("cannot build a URL from `{path}`: {e}"))
                })
            }
        }
    }

    pub(crate) async fn execute(&self, request: RequestBuilder<'_>) -> Result<RawResponse> {
        let RequestBuilder {
            method,
            target,
            query,
            body,
            headers,
            class,
            idempotency,
            ..
        } = request;
        let body = body?;
        let mut url = self.resolve(&method, &target)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query.iter());
        }
        // The path only: query strings can carry emails and names.
        let endpoint = format!("{method} {}", url.path());
        let call = Call {
            method,
            url,
            body,
            headers,
            class,
            endpoint,
        };
        let replay_allowed = idempotency.allows_replay(&call.method);
        let attempts = AtomicUsize::new(0);
        let span = tracing::info_span!(
            "http_request",
            vendor = self.inner.vendor,
            endpoint = %call.endpoint,
            class = call.class.as_deref().unwrap_or(""),
        );
        let policy = &self.inner.retry;
        let result = (|| async {
            let attempt = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            let span = tracing::info_span!(
                "attempt",
                n = attempt,
                status = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
            );
            self.attempt(&call).instrument(span).await
        })
        .retry(policy.backoff())
        .sleep(tokio::time::sleep)
        .when(|error| {
            attempts.load(Ordering::SeqCst) < policy.max_attempts
                && policy.is_retryable(error, replay_allowed)
                && self.inner.budget.try_withdraw(error)
        })
        .adjust(|error, backoff| backoff.map(|d| policy.next_delay(error, d)))
        .notify(|error, delay| {
            crate::metrics::retry(self.inner.vendor, call.class(), error_kind(error));
            // Status and kind only: vendor messages can quote personal data back.
            tracing::warn!(
                status = error.status().map(|s| s.as_u16()),
                kind = error_kind(error),
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
        })
        .instrument(span)
        .await;
        if result.is_ok() {
            self.inner.budget.deposit();
        }
        result
    }

    /// One attempt, including at most one immediate repeat after a 401 that made the
    /// authenticator renew its credentials.
    async fn attempt(&self, call: &Call) -> Result<RawResponse> {
        let span = tracing::Span::current();
        let mut renewed = false;
        loop {
            let queued = tokio::time::Instant::now();
            let _permit = self.inner.limiter.acquire(call.class.as_deref()).await;
            crate::metrics::limiter_wait(self.inner.vendor, call.class(), queued.elapsed());
            let mut headers = call.headers.clone();
            for (name, value) in &self.inner.injected_defaults {
                if !headers.contains_key(name) {
                    headers.insert(name, value.clone());
                }
            }
            if let Some(auth) = &self.inner.auth
                && let Err(error) = auth.authorize(&mut headers).await
            {
                if matches!(
                    error,
                    Error::ReauthorizationRequired { .. } | Error::Unauthorized(_)
                ) {
                    self.inner.credentials.observe(self.inner.vendor, false);
                }
                return Err(error);
            }
            let mut request = self
                .inner
                .http
                .request(call.method.clone(), call.url.clone())
                .headers(headers.clone());
            if let Some(body) = &call.body {
                request = body.apply(request);
            }
            let started = tokio::time::Instant::now();
            let response = request.send().await.map_err(|e| {
                let error = self.transport_error(e, call);
                // No response: the failure's kind stands in for a status.
                crate::metrics::request(self.inner.vendor, call.class(), error_kind(&error));
                error
            })?;
            let status = response.status();
            crate::metrics::request(self.inner.vendor, call.class(), status.as_str());
            span.record("status", status.as_u16());
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            let response_headers = response.headers().clone();
            self.inner.last_rate_limit.record(&response_headers);
            let body = response
                .bytes()
                .await
                .map_err(|e| self.transport_error(e, call))?;
            tracing::debug!(status = status.as_u16(), bytes = body.len(), "response");
            if status.is_success() {
                self.inner.credentials.observe(self.inner.vendor, true);
                return Ok(RawResponse {
                    status,
                    headers: response_headers,
                    body,
                });
            }
            if status == StatusCode::UNAUTHORIZED
                && !renewed
                && let Some(auth) = &self.inner.auth
                && auth.on_unauthorized(&headers).await
            {
                renewed = true;
                continue;
            }
            // Any answer but a 401 means the credentials were accepted (a 403 is about
            // one resource or scope, not the key as a whole).
            let accepted = status != StatusCode::UNAUTHORIZED;
            self.inner.credentials.observe(self.inner.vendor, accepted);
            return Err(self.api_error(status, &response_headers, &body, call));
        }
    }

    fn transport_error(&self, source: reqwest::Error, call: &Call) -> Error {
        if source.is_timeout() {
            Error::Timeout {
                endpoint: call.endpoint.clone(),
            }
        } else {
            // Drop the URL from the error: its query string may hold personal data.
            Error::Transport {
                endpoint: call.endpoint.clone(),
                source: source.without_url(),
            }
        }
    }

    fn api_error(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        call: &Call,
    ) -> Error {
        let parsed = self.inner.error_parser.parse(status, body);
        let invalid_cursor = parsed.invalid_cursor;
        let mut api = ApiError::from_parsed(status, parsed, body, call.endpoint.clone());
        api.request_id = self
            .inner
            .request_id_headers
            .iter()
            .find_map(|name| headers.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        api.retry_after = parse_retry_after(headers, SystemTime::now());
        if invalid_cursor {
            return Error::InvalidCursor(Box::new(api));
        }
        api.into_error()
    }
}

/// True when `path` holds an id [`crate::encode_segment`] refused, or a dot segment
/// (`.`, `..`, or their percent-encoded forms, which URL parsing resolves the same way):
/// a path built without `encode_segment` must not walk up either.
fn has_unusable_segment(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.contains(crate::request::UNUSABLE_SEGMENT)
        || path.split('/').any(|segment| {
            let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
            decoded == "." || decoded == ".."
        })
}

fn error_kind(error: &Error) -> &'static str {
    match error {
        Error::RateLimited(_) => "rate_limited",
        Error::Api(_) => "api",
        Error::Timeout { .. } => "timeout",
        Error::Transport { .. } => "transport",
        _ => "other",
    }
}

/// Turn any `Serialize` struct of filters into query pairs (`None` fields skipped,
/// sequences repeated).
pub fn query_pairs<Q: Serialize + ?Sized>(query: &Q) -> Result<Vec<(String, String)>> {
    let value = serde_json::to_value(query)
        .map_err(|e| Error::InvalidInput(format!("the query cannot be serialised: {e}")))?;
    let mut pairs = Vec::new();
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                push_query_value(&mut pairs, &key, value);
            }
        }
        Value::Null => {}
        other => {
            return Err(Error::InvalidInput(format!(
                "query parameters must be a struct or map, not {other}"
            )));
        }
    }
    Ok(pairs)
}

fn push_query_value(pairs: &mut Vec<(String, String)>, key: &str, value: Value) {
    match value {
        Value::Null => {}
        Value::String(s) => pairs.push((key.to_owned(), s)),
        Value::Array(items) => {
            for item in items {
                push_query_value(pairs, key, item);
            }
        }
        other => pairs.push((key.to_owned(), other.to_string())),
    }
}

struct Call {
    method: Method,
    url: Url,
    body: Option<crate::request::Body>,
    headers: HeaderMap,
    class: Option<String>,
    endpoint: String,
}

impl Call {
    /// The endpoint class as a metric label.
    fn class(&self) -> &str {
        self.class
            .as_deref()
            .unwrap_or(crate::metrics::DEFAULT_CLASS)
    }
}

/// Configures a [`Transport`]. Every setting has a sane default except the base URL.
#[must_use]
pub struct TransportBuilder {
    vendor: &'static str,
    base_url: Option<String>,
    user_agent: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    auth: Option<Arc<dyn Authenticator>>,
    limits: RateLimits,
    limiter: Option<Arc<Limiter>>,
    retry: RetryPolicy,
    budget: Option<Arc<RetryBudget>>,
    error_parser: Arc<dyn ErrorBodyParser>,
    request_id_headers: Vec<HeaderName>,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
    max_pages: usize,
}

impl fmt::Debug for TransportBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("vendor", &self.vendor)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("auth", &self.auth)
            .field("limits", &self.limits)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl TransportBuilder {
    fn new(vendor: &'static str) -> Self {
        let mut default_headers = HeaderMap::new();
        default_headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Self {
            vendor,
            base_url: None,
            user_agent: None,
            timeout: Some(Duration::from_secs(60)),
            connect_timeout: Some(Duration::from_secs(10)),
            auth: None,
            limits: RateLimits::unlimited(),
            limiter: None,
            retry: RetryPolicy::default(),
            budget: None,
            error_parser: Arc::new(GenericErrorParser),
            request_id_headers: [
                "x-request-id",
                "request-id",
                "x-correlation-id",
                "x-amzn-requestid",
            ]
            .into_iter()
            .map(HeaderName::from_static)
            .collect(),
            default_headers,
            http: None,
            max_pages: crate::pagination::DEFAULT_MAX_PAGES,
        }
    }

    /// The API root every path is joined to (required).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `User-Agent` header (default `<vendor>-client/<version of client-core>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = Some(agent.into());
        self
    }

    /// Total time allowed for one attempt, response body included (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// No request or connect timeout at all. Meant for tests on tokio's paused clock,
    /// where the runtime jumps to the next timer while a socket is waited on, so any
    /// timeout would fire at once.
    pub fn without_timeouts(mut self) -> Self {
        self.timeout = None;
        self.connect_timeout = None;
        self
    }

    /// How requests are authenticated.
    pub fn auth(mut self, auth: Arc<dyn Authenticator>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Client-side rate and concurrency limits (default: none).
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Use an existing limiter, shared with other clients of the same credential.
    /// Takes precedence over [`TransportBuilder::rate_limits`].
    pub fn shared_limiter(mut self, limiter: Arc<Limiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Which failures are retried and how (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The retry budget (default [`RetryBudget::default`], one per transport).
    pub fn retry_budget(mut self, budget: Arc<RetryBudget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// How error bodies are read (default [`GenericErrorParser`]).
    pub fn error_parser(mut self, parser: Arc<dyn ErrorBodyParser>) -> Self {
        self.error_parser = parser;
        self
    }

    /// Response headers that carry the vendor's request id, checked in order.
    pub fn request_id_headers(mut self, names: Vec<HeaderName>) -> Self {
        self.request_id_headers = names;
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.default_headers.insert(name, value);
        self
    }

    /// Use this `reqwest::Client` instead of building one (a proxy, custom TLS roots,
    /// tests on a paused clock). The default headers (`Accept`) still go with every
    /// request; timeouts, the user agent and the redirect policy are then the client's
    /// own (see [`crate::redirect`]).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The most pages one listing may follow before it ends with
    /// [`Error::TooManyPages`] (default [`crate::pagination::DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, max_pages: usize) -> Self {
        self.max_pages = max_pages;
        self
    }

    /// The configured limits (for clients that want to show or adjust them).
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Build the transport.
    pub fn build(self) -> Result<Transport> {
        let raw = self
            .base_url
            .ok_or_else(|| Error::Config("a base URL is required".into()))?;
        let base_url = Url::parse(&raw)
            .map_err(|e| Error::Config(format!("the base URL `{raw}` is not valid: {e}")))?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "the base URL `{raw}` must be an http(s) URL"
            )));
        }
        let mut injected_defaults = HeaderMap::new();
        let http = match self.http {
            Some(client) => {
                injected_defaults = self.default_headers;
                client
            }
            None => {
                let mut builder = reqwest::Client::builder()
                    .user_agent(self.user_agent.unwrap_or_else(|| {
                        format!("{}-client/{}", self.vendor, env!("CARGO_PKG_VERSION"))
                    }))
                    .default_headers(self.default_headers)
                    // Credentials ride on every request: never to another origin.
                    .redirect(crate::redirect::same_origin_only());
                if let Some(timeout) = self.timeout {
                    builder = builder.timeout(timeout);
                }
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder
                    .build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        if let Some(auth) = &self.auth {
            auth.use_http_client(&http);
        }
        Ok(Transport {
            inner: Arc::new(Inner {
                vendor: self.vendor,
                http,
                injected_defaults,
                base_url,
                auth: self.auth,
                limiter: self.limiter.unwrap_or_else(|| self.limits.build()),
                retry: self.retry,
                budget: self.budget.unwrap_or_default(),
                error_parser: self.error_parser,
                request_id_headers: self.request_id_headers,
                last_rate_limit: LastSeen::default(),
                credentials: LastCredentialState::default(),
                max_pages: self.max_pages,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    #[derive(Serialize)]
    struct Filters {
        search: Option<String>,
        page_size: u32,
        tag: Vec<&'static str>,
        skipped: Option<u32>,
    }

    #[test]
    fn query_pairs_skip_none_and_repeat_sequences() {
        let pairs = query_pairs(&Filters {
            search: Some("a b".into()),
            page_size: 30,
            tag: vec!["x", "y"],
            skipped: None,
        })
        .unwrap();
        assert_eq!(
            pairs,
            vec![
                ("search".to_owned(), "a b".to_owned()),
                ("page_size".to_owned(), "30".to_owned()),
                ("tag".to_owned(), "x".to_owned()),
                ("tag".to_owned(), "y".to_owned()),
            ]
        );
    }

    #[test]
    fn paths_join_and_links_stay_on_the_api_host() {
        let t = Transport::builder("test")
            .base_url("https://api.example.com/api/v2")
            .build()
            .unwrap();
        let url = t
            .resolve(&Method::GET, &Target::Path("/participants/".into()))
            .unwrap();
        assert_eq!(url.as_str(), "https://api.example.com/api/v2/participants/");
        let next = t
            .same_origin("http://api.example.com/api/v2/participants/?page=2")
            .unwrap();
        assert_eq!(
            next.as_str(),
            "https://api.example.com/api/v2/participants/?page=2"
        );
        assert!(matches!(
            t.same_origin("https://evil.example.net/steal"),
            Err(Error::InvalidInput(_))
        ));
    }

    #[test]
    fn base_url_must_be_http() {
        let err = Transport::builder("test")
            .base_url("ftp://x")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        let err = Transport::builder("test").build().unwrap_err();
        assert!(matches!(err, Error::Config(_)));
    }
}
