//! [`WilloClient`], its builder (environment or base URL, credentials and auth
//! scheme, limits, retries) and every resource accessor.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::{ClientOptions, Error, LimitSpec, RateLimits, Result, SecretString, Transport};

use crate::auth::{AuthScheme, Credentials};
use crate::children::Children;
use crate::departments::Departments;
use crate::idv_countries::IdvCountries;
use crate::interview_templates::{Categories, InterviewTemplates};
use crate::interviews::Interviews;
use crate::languages::Languages;
use crate::message_templates::MessageTemplates;
use crate::participants::Participants;
use crate::users::Users;
use crate::webhook_subscriptions::Webhooks;

/// Production API root (confirmed, willo.md §1).
pub const PRODUCTION_BASE_URL: &str = "https://api.willotalent.com/api/integrations/v2";
/// Staging API root (confirmed only by a third party, willo.md §1; a production key
/// probably does not work there).
pub const STAGING_BASE_URL: &str = "https://api.stage.willotalent.com/api/integrations/v2";
/// Path of the IDV countries list as Willo's reference spells it (`counties`, sic).
/// The spelling is uncertain: override it with
/// [`WilloClientBuilder::idv_countries_path`].
pub const DEFAULT_IDV_COUNTRIES_PATH: &str = "/idv-counties/";

/// Where a participant's page is shown unless
/// [`WilloClientBuilder::participant_page_url`] says otherwise: the Willo app
/// (`app.willotalent.com`, where keys are managed and invite links point). Willo
/// documents no address for one participant's page, so by default this is the app's
/// home, where a reviewer finds the participant by name.
pub const DEFAULT_PARTICIPANT_PAGE_URL: &str = "https://app.willotalent.com/";

/// Time allowed for one attempt unless [`WilloClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Which Willo deployment to talk to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// [`PRODUCTION_BASE_URL`] (the default).
    #[default]
    Production,
    /// [`STAGING_BASE_URL`].
    Staging,
    /// Any other API root, such as a local sandbox or a test server. Paths are appended
    /// to it as given (`{root}/participants/`).
    Custom(String),
}

impl Environment {
    /// The API root of this environment.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Production => PRODUCTION_BASE_URL,
            Environment::Staging => STAGING_BASE_URL,
            Environment::Custom(url) => url,
        }
    }
}

/// A client for the Willo Integration API v2. Cheap to clone; clones share
/// connections, limits and the retry budget.
///
/// Resources are reached through accessors that read like the API:
/// `client.participants().invite(..)`, `client.interviews().list(..)`.
#[derive(Clone)]
pub struct WilloClient {
    transport: Transport,
    idv_countries_path: Arc<str>,
    participant_page_url: Arc<str>,
}

impl fmt::Debug for WilloClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The transport's Debug redacts the key (StaticHeader prints `[redacted]`).
        f.debug_struct("WilloClient")
            .field("transport", &self.transport)
            .field("idv_countries_path", &self.idv_countries_path)
            .field("participant_page_url", &self.participant_page_url)
            .finish()
    }
}

impl WilloClient {
    /// Start configuring a client; give it credentials with
    /// [`WilloClientBuilder::api_key`] or [`WilloClientBuilder::credentials`].
    pub fn builder() -> WilloClientBuilder {
        WilloClientBuilder::default()
    }

    /// The default client-side limits: Willo publishes no numbers and throttles bursts
    /// and concurrency (willo.md §3), so 5 requests per second and 2 in flight.
    pub fn default_limits() -> RateLimits {
        RateLimits::new(LimitSpec::default().per_second(5).max_in_flight(2))
    }

    /// The shared transport, for calls the typed layer does not cover
    /// ([`Transport::request_json`]).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Departments (shown as "Companies" in the Willo app).
    pub fn departments(&self) -> Departments<'_> {
        Departments::new(self)
    }

    /// Interviews (a named set of questions, roughly a job).
    pub fn interviews(&self) -> Interviews<'_> {
        Interviews::new(self)
    }

    /// Participants (candidates invited to an interview) and their answers.
    pub fn participants(&self) -> Participants<'_> {
        Participants::new(self)
    }

    /// Message templates (invite, reminder and success emails/SMS).
    pub fn message_templates(&self) -> MessageTemplates<'_> {
        MessageTemplates::new(self)
    }

    /// Users of the Willo account.
    pub fn users(&self) -> Users<'_> {
        Users::new(self)
    }

    /// Webhook subscriptions.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks::new(self)
    }

    /// The interview template library and its categories.
    pub fn interview_templates(&self) -> InterviewTemplates<'_> {
        InterviewTemplates::new(self)
    }

    /// Categories of the interview template library.
    pub fn categories(&self) -> Categories<'_> {
        Categories::new(self)
    }

    /// Child organisations (agencies, resellers, multi-brand accounts).
    pub fn children(&self) -> Children<'_> {
        Children::new(self)
    }

    /// Languages available for interviews.
    pub fn languages(&self) -> Languages<'_> {
        Languages::new(self)
    }

    /// Countries of employment for identity verification.
    pub fn idv_countries(&self) -> IdvCountries<'_> {
        IdvCountries::new(self)
    }

    pub(crate) fn idv_countries_path(&self) -> &str {
        &self.idv_countries_path
    }

    /// The participant's page in the Willo app: the builder's template with
    /// `{participant}` and `{interview}` replaced by the keys (`interview` may be empty).
    pub fn participant_page_url(&self, participant: &str, interview: &str) -> String {
        self.participant_page_url
            .replace("{participant}", participant)
            .replace("{interview}", interview)
    }
}

/// Configures a [`WilloClient`]. Every setting has a default except the credentials:
/// production, the bare key, [`WilloClient::default_limits`] (5 req/s, 2 in flight:
/// Willo publishes no limits), [`DEFAULT_TIMEOUT`], and retries that never replay an
/// invite after a server error.
#[must_use]
pub struct WilloClientBuilder {
    credentials: Option<Credentials>,
    environment: Environment,
    auth_scheme: AuthScheme,
    options: ClientOptions,
    idv_countries_path: String,
    participant_page_url: String,
}

impl fmt::Debug for WilloClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WilloClientBuilder")
            .field("credentials", &self.credentials)
            .field("environment", &self.environment)
            .field("auth_scheme", &self.auth_scheme)
            .field("options", &self.options)
            .field("idv_countries_path", &self.idv_countries_path)
            .field("participant_page_url", &self.participant_page_url)
            .finish_non_exhaustive()
    }
}

impl Default for WilloClientBuilder {
    fn default() -> Self {
        Self {
            credentials: None,
            environment: Environment::default(),
            auth_scheme: AuthScheme::default(),
            options: ClientOptions::new(
                format!("willo-client/{}", env!("CARGO_PKG_VERSION")),
                WilloClient::default_limits(),
                DEFAULT_TIMEOUT,
            ),
            idv_countries_path: DEFAULT_IDV_COUNTRIES_PATH.to_owned(),
            participant_page_url: DEFAULT_PARTICIPANT_PAGE_URL.to_owned(),
        }
    }
}

impl WilloClientBuilder {
    /// How to authenticate (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Shortcut for [`Credentials::ApiKey`]: the API key of a Willo user.
    pub fn api_key(self, key: SecretString) -> Self {
        self.credentials(Credentials::ApiKey(key))
    }

    /// Production (default), staging or a custom API root.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Shortcut for `environment(Environment::Custom(url))`.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.environment(Environment::Custom(url.into()))
    }

    /// How an API key is sent (default [`AuthScheme::Bare`]).
    pub fn auth_scheme(mut self, scheme: AuthScheme) -> Self {
        self.auth_scheme = scheme;
        self
    }

    client_core::client_options_setters!(options);

    /// Path of the IDV countries list (default [`DEFAULT_IDV_COUNTRIES_PATH`],
    /// `/idv-counties/` as the reference lists it; set `/idv-countries/` if Willo
    /// answers 404). Keep the trailing slash.
    pub fn idv_countries_path(mut self, path: impl Into<String>) -> Self {
        self.idv_countries_path = path.into();
        self
    }

    /// The address of a participant's page in the Willo app, shown where answers
    /// could not be read ([`crate::InterviewResults::willo_url`]): a template in which
    /// `{participant}` and `{interview}` become the keys, such as
    /// `https://app.willotalent.com/…/{participant}` once you know your account's
    /// address. Willo documents none, so the default is
    /// [`DEFAULT_PARTICIPANT_PAGE_URL`], the app's home.
    pub fn participant_page_url(mut self, template: impl Into<String>) -> Self {
        self.participant_page_url = template.into();
        self
    }

    /// Build the client.
    pub fn build(self) -> Result<WilloClient> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::Config("Willo needs credentials: call .api_key(..) or .credentials(..)".into())
        })?;
        if self.idv_countries_path.trim().is_empty() {
            return Err(Error::Config(
                "the IDV countries path cannot be empty".into(),
            ));
        }
        let auth = credentials.into_authenticator(self.auth_scheme);
        let transport = self.options.apply(
            Transport::builder("willo")
                .base_url(self.environment.base_url())
                .auth(auth),
        );
        Ok(WilloClient {
            transport: transport.build()?,
            idv_countries_path: self.idv_countries_path.into(),
            participant_page_url: self.participant_page_url.into(),
        })
    }
}
