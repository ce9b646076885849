//! Building a connection's ATS adapters from its stored settings and secrets.
// Without the adapter features there is nothing to build.
#![cfg_attr(
    not(any(feature = "smartrecruiters", feature = "lever")),
    allow(dead_code, unused_imports)
)]

use std::sync::Arc;

use client_core::auth::{Authenticator, OAuthBearer};
use client_core::rate_limit::{CredentialKey, SharedLimiters};
use client_core::{HttpClient, RateLimits, SecretString};

use super::oauth::OAuthConnect;
use super::{
    AtsAccountConfig, AtsAuth, ConnectionError, ConnectionManager, ConnectionRecord,
    ConnectionSecrets, StoredGrantSource,
};
use crate::Ats;
use willo_client::{Environment, WilloClient};

/// Builds the [`Ats`] adapters of a connection: API-key accounts with their key,
/// OAuth accounts over a [`StoredGrantSource`] (so refresh is single-flight across
/// replicas), each verifying webhooks with every one of its webhook secrets.
///
/// Given an HTTP client and a [`SharedLimiters`], every client it builds sends
/// through that one connection pool and paces under its credential's one limiter, so
/// connections sharing a credential share its quota and a connection costs no pool
/// of its own.
#[derive(Debug, Clone)]
pub struct AdapterBuilder {
    manager: ConnectionManager,
    oauth: Option<Arc<OAuthConnect>>,
    http: Option<HttpClient>,
    limiters: Option<Arc<SharedLimiters>>,
    /// Limits per vendor (`willo`, `smartrecruiters`, `lever`) instead of the clients'
    /// defaults.
    limits: std::collections::BTreeMap<&'static str, RateLimits>,
}

impl AdapterBuilder {
    /// Adapters whose OAuth grants are read through `manager`.
    pub fn new(manager: ConnectionManager) -> Self {
        Self {
            manager,
            oauth: None,
            http: None,
            limiters: None,
            limits: std::collections::BTreeMap::new(),
        }
    }

    /// Pace every credential of `vendor` (`willo`, `smartrecruiters` or `lever`) under
    /// `limits` instead of its client's `default_limits()`: a vendor that granted an
    /// account more (Willo publishes no numbers, and raises them on request), or one
    /// that is stricter than documented.
    pub fn limits(mut self, vendor: &'static str, limits: RateLimits) -> Self {
        self.limits.insert(vendor, limits);
        self
    }

    /// The limits of `vendor`'s credentials: configured, else `default`.
    pub(crate) fn limits_of(&self, vendor: &'static str, default: RateLimits) -> RateLimits {
        self.limits.get(vendor).cloned().unwrap_or(default)
    }

    /// Send every client's requests through `http` (one pool for all connections).
    pub fn http_client(mut self, http: HttpClient) -> Self {
        self.http = Some(http);
        self
    }

    /// Pace every client under its credential's limiter in `limiters`.
    pub fn limiters(mut self, limiters: Arc<SharedLimiters>) -> Self {
        self.limiters = Some(limiters);
        self
    }

    /// This builder with a shared HTTP client and shared limiters where it has none:
    /// what a fleet of connections needs (one pool, one limiter per credential).
    pub(crate) fn with_shared_defaults(mut self) -> Result<Self, client_core::Error> {
        if self.http.is_none() {
            let http = HttpClient::builder()
                .user_agent(concat!("ats-bridge/", env!("CARGO_PKG_VERSION")))
                // Credentials ride on every request: never to another origin.
                .redirect(client_core::redirect::same_origin_only())
                .timeout(std::time::Duration::from_secs(60))
                .connect_timeout(std::time::Duration::from_secs(10))
                .build()
                .map_err(|e| client_core::Error::Config(format!("the HTTP client: {e}")))?;
            self.http = Some(http);
        }
        self.limiters.get_or_insert_with(Default::default);
        Ok(self)
    }

    /// The limiter of a credential known by its secret, when limiters are shared.
    pub(crate) fn limiter_of_secret(
        &self,
        vendor: &'static str,
        secret: &SecretString,
        limits: &RateLimits,
    ) -> Option<Arc<client_core::rate_limit::Limiter>> {
        let limiters = self.limiters.as_ref()?;
        Some(limiters.limiter(&CredentialKey::of_secret(vendor, secret), limits))
    }

    /// The limiter of an ATS account's credential: its API key's, or for an OAuth
    /// account the grant's (one per connection account, whatever its tokens).
    fn limiter(
        &self,
        record: &ConnectionRecord,
        account: &AtsAccountConfig,
        api_key: Option<&SecretString>,
        vendor: &'static str,
        limits: &RateLimits,
    ) -> Option<Arc<client_core::rate_limit::Limiter>> {
        let limiters = self.limiters.as_ref()?;
        let credential = match (account.auth, api_key) {
            (AtsAuth::ApiKey, Some(key)) => CredentialKey::of_secret(vendor, key),
            _ => CredentialKey::named(vendor, record.id.scope(&account.name)),
        };
        Some(limiters.limiter(&credential, limits))
    }

    /// The OAuth apps whose token endpoints refresh OAuth accounts' grants.
    pub fn oauth(mut self, oauth: Arc<OAuthConnect>) -> Self {
        self.oauth = Some(oauth);
        self
    }

    /// One adapter per ATS account of `record`, named after the account.
    pub fn build(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
    ) -> Result<Vec<Arc<dyn Ats>>, ConnectionError> {
        record
            .config
            .ats
            .iter()
            .map(|account| self.adapter(record, secrets, account, account.name.clone()))
            .collect()
    }

    /// Like [`AdapterBuilder::build`], each adapter named `{id}/{account}`
    /// ([`super::ConnectionId::scope`]): the names a connection's engine keeps its
    /// ledger rows under in a store shared with other connections.
    pub fn build_scoped(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
    ) -> Result<Vec<Arc<dyn Ats>>, ConnectionError> {
        record
            .config
            .ats
            .iter()
            .map(|account| {
                let name = record.id.scope(&account.name);
                self.adapter(record, secrets, account, name)
            })
            .collect()
    }

    fn authenticator(
        &self,
        record: &ConnectionRecord,
        account: &AtsAccountConfig,
    ) -> Result<Arc<dyn Authenticator>, ConnectionError> {
        let provider = self
            .oauth
            .as_ref()
            .and_then(|oauth| oauth.provider_for(account.kind))
            .ok_or_else(|| {
                ConnectionError::Invalid(format!(
                    "no OAuth app is configured for {}, needed by `{}`",
                    account.kind.as_str(),
                    account.name
                ))
            })?;
        let source = StoredGrantSource::new(
            self.manager.clone(),
            record.id.clone(),
            account.name.clone(),
            provider.token_endpoint().clone(),
        );
        Ok(Arc::new(OAuthBearer::new(Arc::new(source))))
    }

    #[allow(unused_variables)]
    fn adapter(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
        account: &AtsAccountConfig,
        name: String,
    ) -> Result<Arc<dyn Ats>, ConnectionError> {
        let ats_secrets = secrets.ats.get(&account.name).cloned().unwrap_or_default();
        match account.kind {
            #[cfg(feature = "smartrecruiters")]
            super::AtsKind::Smartrecruiters => {
                use crate::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
                let client = self.smartrecruiters_client(record, secrets, account)?;
                let mut config = SmartRecruitersAtsConfig::new().name(name.as_str());
                for secret in ats_secrets.webhook_secrets {
                    config = config.webhook_secret(secret);
                }
                Ok(Arc::new(SmartRecruitersAts::new(client, config)))
            }
            #[cfg(feature = "lever")]
            super::AtsKind::Lever => {
                use crate::lever::{LeverAts, LeverAtsConfig};
                let client = self.lever_client(record, secrets, account)?;
                let perform_as = account.perform_as.clone().unwrap_or_default();
                let mut config = LeverAtsConfig::new(perform_as).name(name.as_str());
                for secret in ats_secrets.webhook_secrets {
                    config = config.signature_token(secret);
                }
                Ok(Arc::new(LeverAts::new(client, config)))
            }
            #[allow(unreachable_patterns)]
            kind => Err(not_compiled_in(kind)),
        }
    }

    /// The SmartRecruiters client of `account`: its key or OAuth grant, its API root,
    /// the shared pool and its credential's limiter.
    #[cfg(feature = "smartrecruiters")]
    pub(crate) fn smartrecruiters_client(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
        account: &AtsAccountConfig,
    ) -> Result<smartrecruiters_client::SmartRecruitersClient, ConnectionError> {
        use smartrecruiters_client::{Credentials, SmartRecruitersClient};
        let key = secrets
            .ats
            .get(&account.name)
            .and_then(|s| s.api_key.as_ref());
        let credentials = match (account.auth, key) {
            (AtsAuth::ApiKey, Some(key)) => Credentials::ApiKey(key.clone()),
            _ => Credentials::Custom(self.authenticator(record, account)?),
        };
        let mut client = SmartRecruitersClient::builder().credentials(credentials);
        if let Some(url) = &account.base_url {
            client = client.base_url(url.clone());
        }
        if let Some(http) = &self.http {
            client = client.http_client(http.clone());
        }
        let limits = self.limits_of("smartrecruiters", SmartRecruitersClient::default_limits());
        client = match self.limiter(record, account, key, "smartrecruiters", &limits) {
            Some(limiter) => client.shared_limiter(limiter),
            None => client.limits(limits),
        };
        client.build().map_err(|e| invalid_account(account, &e))
    }

    /// The Lever client of `account`: its key or OAuth grant, its API root, the shared
    /// pool and its credential's limiter.
    #[cfg(feature = "lever")]
    pub(crate) fn lever_client(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
        account: &AtsAccountConfig,
    ) -> Result<lever_client::LeverClient, ConnectionError> {
        use lever_client::{Credentials, LeverClient};
        let key = secrets
            .ats
            .get(&account.name)
            .and_then(|s| s.api_key.as_ref());
        let credentials = match (account.auth, key) {
            (AtsAuth::ApiKey, Some(key)) => Credentials::ApiKey(key.clone()),
            _ => Credentials::Custom(self.authenticator(record, account)?),
        };
        let mut client = LeverClient::builder().credentials(credentials);
        if let Some(url) = &account.base_url {
            client = client.base_url(url.clone());
        }
        if let Some(http) = &self.http {
            client = client.http_client(http.clone());
        }
        let limits = self.limits_of("lever", LeverClient::default_limits());
        client = match self.limiter(record, account, key, "lever", &limits) {
            Some(limiter) => client.shared_limiter(limiter),
            None => client.limits(limits),
        };
        client.build().map_err(|e| invalid_account(account, &e))
    }

    /// The connection's Willo client: its key, its environment, the shared pool and
    /// the key's limiter.
    pub(crate) fn willo_client(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
    ) -> Result<WilloClient, ConnectionError> {
        let key = &secrets.willo_api_key;
        let mut client = WilloClient::builder().api_key(key.clone());
        match record.config.willo_base_url.as_deref() {
            Some("staging") => client = client.environment(Environment::Staging),
            Some(url) => client = client.base_url(url),
            None => {}
        }
        if let Some(http) = &self.http {
            client = client.http_client(http.clone());
        }
        let limits = self.limits_of("willo", WilloClient::default_limits());
        client = match self.limiter_of_secret("willo", key, &limits) {
            Some(limiter) => client.shared_limiter(limiter),
            None => client.limits(limits),
        };
        client
            .build()
            .map_err(|e| ConnectionError::Invalid(format!("Willo client: {e}")))
    }
}

/// The error for an account whose client cannot be built (a bad API root).
fn invalid_account(account: &AtsAccountConfig, error: &client_core::Error) -> ConnectionError {
    ConnectionError::Invalid(format!("account `{}`: {error}", account.name))
}

/// The error for an account of an ATS whose adapter feature is off.
pub(crate) fn not_compiled_in(kind: super::AtsKind) -> ConnectionError {
    ConnectionError::Invalid(format!(
        "the {} adapter is not compiled in (feature `{}`)",
        kind.as_str(),
        kind.as_str()
    ))
}
