//! Building a connection's ATS adapters from its stored settings and secrets.
// Without the adapter features there is nothing to build.
#![cfg_attr(
    not(any(feature = "smartrecruiters", feature = "lever")),
    allow(dead_code, unused_imports)
)]

use std::sync::Arc;

use client_core::auth::{Authenticator, OAuthBearer};

use super::oauth::OAuthConnect;
use super::{
    AtsAccountConfig, AtsAuth, ConnectionError, ConnectionManager, ConnectionRecord,
    ConnectionSecrets, StoredGrantSource,
};
use crate::Ats;

/// Builds the [`Ats`] adapters of a connection: API-key accounts with their key,
/// OAuth accounts over a [`StoredGrantSource`] (so refresh is single-flight across
/// replicas), each verifying webhooks with every one of its webhook secrets.
#[derive(Debug, Clone)]
pub struct AdapterBuilder {
    manager: ConnectionManager,
    oauth: Option<Arc<OAuthConnect>>,
}

impl AdapterBuilder {
    /// Adapters whose OAuth grants are read through `manager`.
    pub fn new(manager: ConnectionManager) -> Self {
        Self {
            manager,
            oauth: None,
        }
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
            .map(|account| self.adapter(record, secrets, account))
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
    ) -> Result<Arc<dyn Ats>, ConnectionError> {
        let ats_secrets = secrets.ats.get(&account.name).cloned().unwrap_or_default();
        let invalid = |e: client_core::Error| {
            ConnectionError::Invalid(format!("account `{}`: {e}", account.name))
        };
        match account.kind {
            #[cfg(feature = "smartrecruiters")]
            super::AtsKind::Smartrecruiters => {
                use crate::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
                use smartrecruiters_client::{Credentials, SmartRecruitersClient};
                let credentials = match (account.auth, &ats_secrets.api_key) {
                    (AtsAuth::ApiKey, Some(key)) => Credentials::ApiKey(key.clone()),
                    _ => Credentials::Custom(self.authenticator(record, account)?),
                };
                let mut client = SmartRecruitersClient::builder().credentials(credentials);
                if let Some(url) = &account.base_url {
                    client = client.base_url(url.clone());
                }
                let mut config = SmartRecruitersAtsConfig::new().name(account.name.as_str());
                for secret in ats_secrets.webhook_secrets {
                    config = config.webhook_secret(secret);
                }
                Ok(Arc::new(SmartRecruitersAts::new(
                    client.build().map_err(invalid)?,
                    config,
                )))
            }
            #[cfg(feature = "lever")]
            super::AtsKind::Lever => {
                use crate::lever::{LeverAts, LeverAtsConfig};
                use lever_client::{Credentials, LeverClient};
                let credentials = match (account.auth, &ats_secrets.api_key) {
                    (AtsAuth::ApiKey, Some(key)) => Credentials::ApiKey(key.clone()),
                    _ => Credentials::Custom(self.authenticator(record, account)?),
                };
                let mut client = LeverClient::builder().credentials(credentials);
                if let Some(url) = &account.base_url {
                    client = client.base_url(url.clone());
                }
                let perform_as = account.perform_as.clone().unwrap_or_default();
                let mut config = LeverAtsConfig::new(perform_as).name(account.name.as_str());
                for secret in ats_secrets.webhook_secrets {
                    config = config.signature_token(secret);
                }
                Ok(Arc::new(LeverAts::new(
                    client.build().map_err(invalid)?,
                    config,
                )))
            }
            #[allow(unreachable_patterns)]
            kind => Err(ConnectionError::Invalid(format!(
                "the {} adapter is not compiled in (feature `{}`)",
                kind.as_str(),
                kind.as_str()
            ))),
        }
    }
}
