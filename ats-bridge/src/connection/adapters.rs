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
use willo_client::{Environment, WilloClient};

use super::oauth::OAuthConnect;
use super::{
    AtsAccountConfig, AtsAuth, ConnectionError, ConnectionManager, ConnectionRecord,
    ConnectionSecrets, LimitOverrides, StoredGrantSource,
};
use crate::Ats;
use crate::webhook::WilloSource;

/// Builds the [`Ats`] adapters of a connection: API-key accounts with their key,
/// OAuth accounts over a [`StoredGrantSource`] (so refresh is single-flight across
/// replicas), each verifying webhooks with every one of its webhook secrets; and its
/// Willo client ([`AdapterBuilder::willo_client`]).
///
/// Given an HTTP client and a [`SharedLimiters`], every client it builds sends
/// through that one connection pool and paces under its credential's one limiter, so
/// connections sharing a credential share its quota and a connection costs no pool
/// of its own.
///
/// Each credential is paced by, most specific first: the connection's own limits for
/// the account ([`ConnectionConfig::willo_limits`](super::ConnectionConfig::willo_limits),
/// [`AtsAccountConfig::limits`]), value by value over [`AdapterBuilder::limits`] for
/// its vendor, else its client's `default_limits()`. Connections that share a
/// credential but set different limits for it are all held to the strictest of them
/// (see [`SharedLimiters`]): a quota is the vendor's, per credential, and the
/// lowest figure anyone gave for it is the safe one.
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

    /// The limits of a credential of `vendor` used by `account` (`willo` or an ATS
    /// account's name): the connection's `own` values over the builder's limits for
    /// the vendor, else over the client's `default`. Limits are checked when stored;
    /// they are checked again here because a 0 would mean "no limit" to a client.
    fn limits_for(
        &self,
        vendor: &'static str,
        default: impl FnOnce() -> RateLimits,
        account: &str,
        own: Option<&LimitOverrides>,
    ) -> Result<RateLimits, ConnectionError> {
        let base = self.limits.get(vendor).cloned().unwrap_or_else(default);
        match own {
            Some(own) => {
                own.validate(account)?;
                Ok(own.apply(&base))
            }
            None => Ok(base),
        }
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
        let limits = self.limits_for(
            "smartrecruiters",
            SmartRecruitersClient::default_limits,
            &account.name,
            account.limits.as_ref(),
        )?;
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
        let limits = self.limits_for(
            "lever",
            LeverClient::default_limits,
            &account.name,
            account.limits.as_ref(),
        )?;
        client = match self.limiter(record, account, key, "lever", &limits) {
            Some(limiter) => client.shared_limiter(limiter),
            None => client.limits(limits),
        };
        client.build().map_err(|e| invalid_account(account, &e))
    }

    /// The connection's Willo client: its key and API root (`willo_base_url`:
    /// `staging` or a URL), the shared pool and the key's shared limiter, paced by its
    /// `willo_limits` over the builder's Willo limits.
    pub fn willo_client(
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
        let limits = self.limits_for(
            "willo",
            WilloClient::default_limits,
            WilloSource::NAME,
            record.config.willo_limits.as_ref(),
        )?;
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

#[cfg(test)]
mod tests {
    use client_core::LimitSpec;

    use super::*;
    use crate::connection::{Keyring, LimitProblem, SealingKey};
    use crate::store::MemoryStore;

    fn builder() -> AdapterBuilder {
        let keys = Keyring::new(SealingKey::new("k1", &[7; 32]));
        AdapterBuilder::new(ConnectionManager::new(
            Arc::new(MemoryStore::new()),
            Arc::new(keys),
        ))
    }

    fn client_default() -> RateLimits {
        RateLimits::new(LimitSpec::default().per_second(10).burst(20))
    }

    #[test]
    fn the_connections_limits_over_the_fleets_over_the_clients_default() {
        let own = LimitOverrides::new().per_second(3);
        // Nothing configured: the client's default.
        let plain = builder();
        assert_eq!(
            plain
                .limits_for("lever", client_default, "lever", None)
                .unwrap(),
            client_default()
        );
        // The connection's values over the client's default.
        assert_eq!(
            plain
                .limits_for("lever", client_default, "lever", Some(&own))
                .unwrap(),
            RateLimits::new(LimitSpec::default().per_second(3).burst(20))
        );

        // The fleet's limits replace the client's default…
        let fleet = builder().limits(
            "lever",
            RateLimits::new(LimitSpec::default().per_second(8).max_in_flight(4)),
        );
        assert_eq!(
            fleet
                .limits_for("lever", client_default, "lever", None)
                .unwrap(),
            RateLimits::new(LimitSpec::default().per_second(8).max_in_flight(4))
        );
        // …and the connection's values override the fleet's, value by value.
        assert_eq!(
            fleet
                .limits_for("lever", client_default, "lever", Some(&own))
                .unwrap(),
            RateLimits::new(LimitSpec::default().per_second(3).max_in_flight(4))
        );
        // Another vendor's fleet limits do not apply.
        assert_eq!(
            fleet
                .limits_for("willo", client_default, "willo", None)
                .unwrap(),
            client_default()
        );
    }

    #[test]
    fn a_zero_that_reached_the_store_builds_no_unlimited_client() {
        let zero = LimitOverrides::new().max_in_flight(0);
        let refused = builder()
            .limits_for("lever", client_default, "lever", Some(&zero))
            .unwrap_err();
        match refused {
            ConnectionError::Limits(invalid) => {
                assert_eq!(invalid.field, "max_in_flight");
                assert_eq!(invalid.problem, LimitProblem::Zero);
            }
            other => panic!("{other:?}"),
        }
    }
}
