//! [`SmartRecruitersClient`], its builder (environment or base URL, credentials,
//! limits, retries) and every resource accessor.

use std::fmt;
use std::time::Duration;

use client_core::auth::OAuthBearer;
use client_core::rate_limit::RateLimitStatus;
use client_core::{ClientOptions, Error, LimitSpec, RateLimits, Result, Transport};

use crate::auth::Credentials;
use crate::{
    Applications, Candidates, Configuration, Interviews, Jobs, Notes, Subscriptions, Users,
};

/// Production API host.
pub const PRODUCTION_BASE_URL: &str = "https://api.smartrecruiters.com";
/// Default timeout per attempt. SmartRecruiters is slow on large searches; two
/// independent sources recommend at least 128 s.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(128);
/// Endpoint class of `GET /candidates` (one request in flight per credential).
pub const CLASS_CANDIDATES_LIST: &str = "candidates.list";
/// Endpoint class of the job publication endpoints (2 requests per second).
pub const CLASS_PUBLICATION: &str = "publication";

/// Which SmartRecruiters deployment to talk to. SmartRecruiters documents one API
/// host; sandbox *companies* live on it too (smartrecruiters.md §1.1). A sandbox host
/// seen in one third-party client (`api.sandbox.smartrecruiters.com`) is not
/// documented, so it is not a variant: pass it as [`Environment::Custom`] if your
/// account uses it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// [`PRODUCTION_BASE_URL`] (the default).
    #[default]
    Production,
    /// Any other API root, such as a proxy or a test server. Paths are appended to it
    /// as given (`{root}/candidates`).
    Custom(String),
}

impl Environment {
    /// The API root of this environment.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Production => PRODUCTION_BASE_URL,
            Environment::Custom(url) => url,
        }
    }
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
    /// Start configuring a client; give it credentials with
    /// [`SmartRecruitersClientBuilder::api_key`] or
    /// [`SmartRecruitersClientBuilder::credentials`].
    pub fn builder() -> SmartRecruitersClientBuilder {
        SmartRecruitersClientBuilder::default()
    }

    /// The documented limits per credential: 10 req/s and 8 in flight overall, one
    /// `GET /candidates` in flight ([`CLASS_CANDIDATES_LIST`]), 2 req/s on publication
    /// endpoints ([`CLASS_PUBLICATION`]).
    pub fn default_limits() -> RateLimits {
        RateLimits::new(
            LimitSpec::default()
                .per_second(10)
                .burst(10)
                .max_in_flight(8),
        )
        .class(CLASS_CANDIDATES_LIST, LimitSpec::default().max_in_flight(1))
        .class(CLASS_PUBLICATION, LimitSpec::default().per_second(2))
    }

    /// Candidate calls.
    pub fn candidates(&self) -> Candidates<'_> {
        Candidates { client: self }
    }

    /// Application calls.
    pub fn applications(&self) -> Applications<'_> {
        Applications { client: self }
    }

    /// Note (Message API) calls.
    pub fn notes(&self) -> Notes<'_> {
        Notes { client: self }
    }

    /// Job calls.
    pub fn jobs(&self) -> Jobs<'_> {
        Jobs { client: self }
    }

    /// Configuration calls.
    pub fn configuration(&self) -> Configuration<'_> {
        Configuration { client: self }
    }

    /// User calls.
    pub fn users(&self) -> Users<'_> {
        Users { client: self }
    }

    /// Interviews API calls.
    pub fn interviews(&self) -> Interviews<'_> {
        Interviews { client: self }
    }

    /// Webhooks API (subscription) calls.
    pub fn subscriptions(&self) -> Subscriptions<'_> {
        Subscriptions { client: self }
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

/// Configures a [`SmartRecruitersClient`]. Every setting has a default except the
/// credentials: [`Environment::Production`], [`DEFAULT_TIMEOUT`] (128 s),
/// [`SmartRecruitersClient::default_limits`] (requests for `GET /candidates` use class
/// [`CLASS_CANDIDATES_LIST`], publication calls [`CLASS_PUBLICATION`]), and the default
/// retry policy.
#[must_use]
pub struct SmartRecruitersClientBuilder {
    environment: Environment,
    credentials: Option<Credentials>,
    options: ClientOptions,
    refresh_margin: Duration,
}

impl Default for SmartRecruitersClientBuilder {
    fn default() -> Self {
        Self {
            environment: Environment::default(),
            credentials: None,
            options: ClientOptions::new(
                concat!("smartrecruiters-client/", env!("CARGO_PKG_VERSION")),
                SmartRecruitersClient::default_limits(),
                DEFAULT_TIMEOUT,
            ),
            refresh_margin: OAuthBearer::DEFAULT_REFRESH_MARGIN,
        }
    }
}

impl fmt::Debug for SmartRecruitersClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartRecruitersClientBuilder")
            .field("environment", &self.environment)
            .field("credentials", &self.credentials)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SmartRecruitersClientBuilder {
    /// Production (default) or a custom API root.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Shortcut for `environment(Environment::Custom(url))` (a proxy or a test server).
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
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
                .base_url(self.environment.base_url())
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
