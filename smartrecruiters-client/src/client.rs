//! [`SmartRecruitersClient`] and its builder: base URL, credentials, limits, retries.

use std::fmt;
use std::time::Duration;

use client_core::auth::OAuthBearer;
use client_core::rate_limit::RateLimitStatus;
use client_core::{ClientOptions, Error, LimitSpec, RateLimits, Result, Transport};

use crate::auth::Credentials;

/// Production API host.
pub const DEFAULT_BASE_URL: &str = "https://api.smartrecruiters.com";
/// Default timeout per attempt. SmartRecruiters is slow on large searches; two
/// independent sources recommend at least 128 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(128);
/// Endpoint class of `GET /candidates` (one request in flight per credential).
pub const CLASS_CANDIDATES_LIST: &str = "candidates.list";
/// Endpoint class of the job publication endpoints (2 requests per second).
pub const CLASS_PUBLICATION: &str = "publication";

/// The documented limits per credential: 10 req/s and 8 in flight overall, one
/// `GET /candidates` in flight, 2 req/s on publication endpoints.
pub fn default_rate_limits() -> RateLimits {
    RateLimits::new(
        LimitSpec::default()
            .per_second(10)
            .burst(10)
            .max_in_flight(8),
    )
    .class(CLASS_CANDIDATES_LIST, LimitSpec::default().max_in_flight(1))
    .class(CLASS_PUBLICATION, LimitSpec::default().per_second(2))
}

/// A SmartRecruiters Customer API client. Cheap to clone; clones share connections,
/// rate limits and the OAuth token cache.
#[derive(Clone)]
pub struct SmartRecruitersClient {
    pub(crate) transport: Transport,
}

impl fmt::Debug for SmartRecruitersClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartRecruitersClient")
            .field("transport", &self.transport)
            .finish()
    }
}

impl SmartRecruitersClient {
    /// Start configuring a client.
    pub fn builder() -> SmartRecruitersClientBuilder {
        SmartRecruitersClientBuilder::default()
    }

    /// The shared transport, for endpoints without a typed call
    /// ([`Transport::request_json`]).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// The `X-RateLimit-*` headers of the latest response that carried them.
    pub fn rate_limit_status(&self) -> Option<RateLimitStatus> {
        self.transport.rate_limit_status()
    }
}

/// Configures a [`SmartRecruitersClient`]. Defaults: [`DEFAULT_BASE_URL`],
/// [`DEFAULT_TIMEOUT`] (128 s), [`default_rate_limits`] (requests for
/// `GET /candidates` use class [`CLASS_CANDIDATES_LIST`], publication calls
/// [`CLASS_PUBLICATION`]), and the default retry policy.
#[must_use]
pub struct SmartRecruitersClientBuilder {
    base_url: String,
    credentials: Option<Credentials>,
    options: ClientOptions,
    refresh_margin: Duration,
}

impl Default for SmartRecruitersClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            credentials: None,
            options: ClientOptions::new(
                concat!("smartrecruiters-client/", env!("CARGO_PKG_VERSION")),
                default_rate_limits(),
                DEFAULT_TIMEOUT,
            ),
            refresh_margin: OAuthBearer::DEFAULT_REFRESH_MARGIN,
        }
    }
}

impl fmt::Debug for SmartRecruitersClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartRecruitersClientBuilder")
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SmartRecruitersClientBuilder {
    /// API host (default [`DEFAULT_BASE_URL`]; a sandbox company or a test server).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// How to authenticate (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Shortcut for [`Credentials::ApiKey`].
    pub fn api_key(self, key: client_core::SecretString) -> Self {
        self.credentials(Credentials::ApiKey(key))
    }

    client_core::client_options_setters!(options);

    /// Renew OAuth access tokens this long before `expires_in` (default 60 s).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Build the client.
    pub fn build(self) -> Result<SmartRecruitersClient> {
        let credentials = self
            .credentials
            .ok_or_else(|| Error::Config("SmartRecruiters credentials are required".into()))?;
        let builder = self.options.apply(
            Transport::builder("smartrecruiters")
                .base_url(self.base_url)
                .auth(credentials.authenticator(self.refresh_margin)?),
        );
        let builder = builder.request_id_headers(vec![
            client_core::header::HeaderName::from_static("x-request-id"),
            client_core::header::HeaderName::from_static("x-correlation-id"),
        ]);
        Ok(SmartRecruitersClient {
            transport: builder.build()?,
        })
    }
}
