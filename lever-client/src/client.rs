//! [`LeverClient`], its builder (environment or base URL, credentials, limits,
//! retries) and every resource accessor.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::auth::AccessToken;
use client_core::oauth::RefreshTokenStore;
use client_core::{ClientOptions, Error, LimitSpec, RateLimits, Result, SecretString, Transport};

use crate::audit_events::AuditEvents;
use crate::auth::{Credentials, Environment, LeverOAuth};
use crate::common::LeverErrorParser;
use crate::files::{Files, Resumes, Uploads};
use crate::ids::{FeedbackTemplateId, FormTemplateId, OpportunityId};
use crate::interviews::{Interviews, Panels};
use crate::requisitions::Requisitions;
use crate::templates::Templates;
use crate::{
    applications::Applications, archive_reasons::ArchiveReasons, contacts::Contacts,
    feedback::Feedbacks, notes::Notes, opportunities::Opportunities, postings::Postings,
    sources::Sources, stages::Stages, tags::Tags, users::Users, webhook_management::Webhooks,
};
use crate::{forms::ProfileForms, offers::Offers};

/// A Lever Data API v1 client. Cheap to clone; clones share connections, the rate
/// limiter and the OAuth token cache.
#[derive(Clone)]
pub struct LeverClient {
    transport: Transport,
}

impl fmt::Debug for LeverClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeverClient")
            .field("transport", &self.transport)
            .finish()
    }
}

impl LeverClient {
    /// Start configuring a client; give it credentials with
    /// [`LeverClientBuilder::api_key`], [`LeverClientBuilder::oauth`] or
    /// [`LeverClientBuilder::credentials`].
    pub fn builder() -> LeverClientBuilder {
        LeverClientBuilder::default()
    }

    /// Lever's documented limit: a token bucket per API key, 10 requests/second steady
    /// with bursts up to 20.
    pub fn default_limits() -> RateLimits {
        RateLimits::new(LimitSpec::default().per_second(10).burst(20))
    }

    /// Opportunities (candidacies): list, get, create, stage, archive, tags, links, sources.
    pub fn opportunities(&self) -> Opportunities<'_> {
        Opportunities::new(self)
    }

    /// Notes on one opportunity.
    pub fn notes(&self, opportunity: &OpportunityId) -> Notes<'_> {
        Notes::new(self, opportunity)
    }

    /// Applications of one opportunity.
    pub fn applications(&self, opportunity: &OpportunityId) -> Applications<'_> {
        Applications::new(self, opportunity)
    }

    /// Feedback (interview scorecards) on one opportunity.
    pub fn feedback(&self, opportunity: &OpportunityId) -> Feedbacks<'_> {
        Feedbacks::new(self, opportunity)
    }

    /// Feedback form templates.
    pub fn feedback_templates(&self) -> Templates<'_, FeedbackTemplateId> {
        Templates::new(self, "/feedback_templates")
    }

    /// Profile form templates.
    pub fn form_templates(&self) -> Templates<'_, FormTemplateId> {
        Templates::new(self, "/form_templates")
    }

    /// Interviews of one opportunity.
    pub fn interviews(&self, opportunity: &OpportunityId) -> Interviews<'_> {
        Interviews::new(self, opportunity)
    }

    /// Interview panels of one opportunity.
    pub fn panels(&self, opportunity: &OpportunityId) -> Panels<'_> {
        Panels::new(self, opportunity)
    }

    /// Profile forms of one opportunity.
    pub fn forms(&self, opportunity: &OpportunityId) -> ProfileForms<'_> {
        ProfileForms::new(self, opportunity)
    }

    /// Offers of one opportunity.
    pub fn offers(&self, opportunity: &OpportunityId) -> Offers<'_> {
        Offers::new(self, opportunity)
    }

    /// Files of one opportunity.
    pub fn files(&self, opportunity: &OpportunityId) -> Files<'_> {
        Files::new(self, opportunity)
    }

    /// Resumes of one opportunity.
    pub fn resumes(&self, opportunity: &OpportunityId) -> Resumes<'_> {
        Resumes::new(self, opportunity)
    }

    /// Staged uploads.
    pub fn uploads(&self) -> Uploads<'_> {
        Uploads::new(self)
    }

    /// Requisitions.
    pub fn requisitions(&self) -> Requisitions<'_> {
        Requisitions::new(self)
    }

    /// The account's audit log.
    pub fn audit_events(&self) -> AuditEvents<'_> {
        AuditEvents::new(self)
    }

    /// Pipeline stages.
    pub fn stages(&self) -> Stages<'_> {
        Stages::new(self)
    }

    /// Tags in use.
    pub fn tags(&self) -> Tags<'_> {
        Tags::new(self)
    }

    /// Sources in use.
    pub fn sources(&self) -> Sources<'_> {
        Sources::new(self)
    }

    /// Archive reasons.
    pub fn archive_reasons(&self) -> ArchiveReasons<'_> {
        ArchiveReasons::new(self)
    }

    /// Job postings.
    pub fn postings(&self) -> Postings<'_> {
        Postings::new(self)
    }

    /// Users of the Lever account.
    pub fn users(&self) -> Users<'_> {
        Users::new(self)
    }

    /// Contacts (the people behind opportunities).
    pub fn contacts(&self) -> Contacts<'_> {
        Contacts::new(self)
    }

    /// Webhooks created through the API.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks::new(self)
    }

    /// The underlying transport, for endpoints without a typed call
    /// (`client.transport().request_json(..)`), with the same auth, limits and retries.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }
}

/// Configures a [`LeverClient`]: environment or base URL, credentials, limits, retries.
/// Defaults: production, [`LeverClient::default_limits`] (10 req/s, bursts to 20), [`DEFAULT_TIMEOUT`], the default retry policy (429s always retried,
/// `Retry-After` honoured when present).
#[must_use]
pub struct LeverClientBuilder {
    environment: Environment,
    base_url: Option<String>,
    credentials: Option<Credentials>,
    access_token: Option<AccessToken>,
    options: ClientOptions,
}

/// Time allowed for one attempt unless [`LeverClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for LeverClientBuilder {
    fn default() -> Self {
        Self {
            environment: Environment::Production,
            base_url: None,
            credentials: None,
            access_token: None,
            options: ClientOptions::new(
                concat!("lever-client/", env!("CARGO_PKG_VERSION")),
                LeverClient::default_limits(),
                DEFAULT_TIMEOUT,
            ),
        }
    }
}

impl fmt::Debug for LeverClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeverClientBuilder")
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("credentials", &self.credentials)
            .field("options", &self.options)
            .finish()
    }
}

impl LeverClientBuilder {
    /// Which Lever environment to call (default production).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Override the Data API root (a proxy or a test server); takes precedence over the
    /// environment's.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Authenticate with an API key (Basic auth, key as username, empty password).
    pub fn api_key(mut self, key: SecretString) -> Self {
        self.credentials = Some(Credentials::ApiKey(key));
        self
    }

    /// Authenticate with OAuth: tokens are refreshed on demand, one refresh at a time,
    /// and each rotated refresh token is handed to `store` to persist.
    pub fn oauth(
        mut self,
        app: LeverOAuth,
        refresh_token: SecretString,
        store: Arc<dyn RefreshTokenStore>,
    ) -> Self {
        self.credentials = Some(Credentials::OAuth {
            app,
            refresh_token,
            store,
            access_token: None,
        });
        self
    }

    /// With [`LeverClientBuilder::oauth`]: start from an access token obtained earlier
    /// (used until it is about to expire). Ignored with other credentials.
    pub fn access_token(mut self, token: AccessToken) -> Self {
        self.access_token = Some(token);
        self
    }

    /// Any other credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    client_core::client_options_setters!(options);

    /// Build the client. Fails without credentials or with an invalid URL.
    pub fn build(self) -> Result<LeverClient> {
        let mut credentials = self.credentials.ok_or_else(|| {
            Error::Config("Lever needs credentials: call .api_key(..) or .oauth(..)".into())
        })?;
        if let (Credentials::OAuth { access_token, .. }, Some(token)) =
            (&mut credentials, self.access_token)
        {
            *access_token = Some(token);
        }
        let base_url = self
            .base_url
            .unwrap_or_else(|| self.environment.endpoints().api_base);
        let transport = self
            .options
            .apply(
                Transport::builder("lever")
                    .base_url(base_url)
                    .auth(credentials.into_authenticator()?)
                    .error_parser(Arc::new(LeverErrorParser)),
            )
            .build()?;
        Ok(LeverClient { transport })
    }
}
