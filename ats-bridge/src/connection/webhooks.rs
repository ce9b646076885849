//! Registering a stored connection's webhooks in its own vendor accounts, at its own
//! URLs (`/webhooks/{connection}/{source}`), and keeping the secrets the vendors
//! return in its sealed secrets.
// Without an adapter feature only Willo's registration is compiled.
#![cfg_attr(
    not(all(feature = "smartrecruiters", feature = "lever")),
    allow(
        dead_code,
        unused_imports,
        unused_variables,
        unused_mut,
        clippy::never_loop
    )
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use client_core::{ExposeSecret, SecretString};
use serde::Serialize;

use super::adapters::{AdapterBuilder, not_compiled_in};
use super::{
    AtsAccountConfig, AtsAuth, AtsKind, ConnectionError, ConnectionId, ConnectionManager,
    ConnectionRecord, ConnectionSecrets,
};
use crate::registration::{self, Change, SecretPolicy, connection_webhook_url};
use crate::webhook::WilloSource;

/// Registers a connection's webhooks: for each of its ATS accounts and its Willo
/// account, with that account's own credentials (clients built as the fleet builds
/// them, through an [`AdapterBuilder`]), it runs the idempotent `ensure_*`
/// registration of [`crate::registration`] at the connection's URLs, then stores the
/// secrets the vendors returned and activates SmartRecruiters subscriptions.
///
/// Running it again registers nothing new: what is already registered is adopted.
/// [`WebhookRegistrar::unregister`] removes them again, when the connection leaves.
///
/// - **Lever**: each created webhook's signature token is added in front of the
///   account's stored ones (older ones keep verifying). Lever shows a token only when
///   it creates a webhook, so an account with no stored token has its webhooks
///   replaced by new ones ([`SecretPolicy::Rotate`]).
/// - **SmartRecruiters**: the subscription's signing key (read back when adopted)
///   goes in front of the stored ones when it differs; an inactive subscription is
///   activated once the key is stored, because the activation handshake reaches the
///   connection's intake.
/// - **Willo**: the URL token already registered is kept, else the stored one, else
///   a fresh random one, and stored.
///
/// When a vendor refuses, nothing is stored and the Lever webhooks this call created
/// are deleted again (their tokens would otherwise be lost); what else was changed at
/// the vendors (duplicates removed, stale URLs repointed) is what the next run would
/// do anyway.
#[derive(Debug, Clone)]
pub struct WebhookRegistrar {
    pub(super) manager: ConnectionManager,
    pub(super) adapters: AdapterBuilder,
    public_url: String,
}

impl WebhookRegistrar {
    /// Register `manager`'s connections at `public_url` (the bridge's address as the
    /// vendors reach it, `https://bridge.example`), with clients from `adapters` (give
    /// it the fleet's: the same OAuth apps, pool and limiters).
    pub fn new(
        manager: ConnectionManager,
        adapters: AdapterBuilder,
        public_url: impl Into<String>,
    ) -> Self {
        Self {
            manager,
            adapters,
            public_url: public_url.into(),
        }
    }

    /// The URL the connection `id`'s deliveries from `source` are registered at.
    pub fn url(&self, id: &ConnectionId, source: &str) -> String {
        connection_webhook_url(&self.public_url, id, source)
    }

    /// Register the webhooks of the live connection `id` and store their secrets.
    pub async fn register(
        &self,
        id: &ConnectionId,
    ) -> Result<ConnectionWebhooks, WebhookRegistrationError> {
        let record = self.manager.live(id).await?;
        let secrets = self.manager.secrets(id).await?;
        // Its webhooks are registered with its own credentials: an OAuth account has
        // none until the customer consents.
        if let Some(account) = record.config.ats.iter().find(|account| {
            account.auth == AtsAuth::Oauth
                && secrets
                    .ats
                    .get(&account.name)
                    .is_none_or(|s| s.grant.is_none())
        }) {
            return Err(ConnectionError::Invalid(format!(
                "the OAuth account `{}` is not connected; connect it before registering webhooks",
                account.name
            ))
            .into());
        }
        let mut run = Run::default();
        let registered = self.at_vendors(&record, &secrets, &mut run).await;
        let stored = match registered {
            Ok(()) => self
                .manager
                .store_webhook_secrets(id, run.willo_token.as_ref(), &run.ats_secrets)
                .await
                .map_err(WebhookRegistrationError::from),
            Err(error) => Err(error),
        };
        if let Err(error) = stored {
            tracing::warn!(target: "ats_bridge::connection", connection = %id, %error, "webhook registration failed; nothing stored");
            run.roll_back(id).await;
            return Err(error);
        }
        if let Err(error) = self.activate(&mut run).await {
            tracing::warn!(target: "ats_bridge::connection", connection = %id, %error, "webhook secrets stored, activation failed");
            return Err(error);
        }
        tracing::info!(
            target: "ats_bridge::connection",
            connection = %id,
            created = run.report.iter().map(SourceWebhooks::created).sum::<usize>(),
            "webhooks registered"
        );
        Ok(ConnectionWebhooks {
            connection: id.clone(),
            sources: run.report,
        })
    }

    /// Every vendor's registration, ATS accounts first, then Willo.
    async fn at_vendors(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
        run: &mut Run,
    ) -> Result<(), WebhookRegistrationError> {
        for account in &record.config.ats {
            let stored = secrets
                .ats
                .get(&account.name)
                .map(|s| s.webhook_secrets.clone())
                .unwrap_or_default();
            match account.kind {
                #[cfg(feature = "lever")]
                AtsKind::Lever => self.lever(record, secrets, account, stored, run).await?,
                #[cfg(feature = "smartrecruiters")]
                AtsKind::Smartrecruiters => {
                    self.smartrecruiters(record, secrets, account, stored, run)
                        .await?;
                }
                #[allow(unreachable_patterns)]
                kind => return Err(not_compiled_in(kind).into()),
            }
        }
        self.willo(record, secrets, run).await
    }

    #[cfg(feature = "lever")]
    async fn lever(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
        account: &AtsAccountConfig,
        stored: Vec<SecretString>,
        run: &mut Run,
    ) -> Result<(), WebhookRegistrationError> {
        let client = self.adapters.lever_client(record, secrets, account)?;
        let url = self.url(&record.id, &account.name);
        // Without a stored token the adopted webhooks could not be verified.
        let policy = if stored.is_empty() {
            SecretPolicy::Rotate
        } else {
            SecretPolicy::Keep
        };
        let mut registration = registration::LeverRegistration::empty();
        let result =
            registration::ensure_lever_into(&client, &url, policy, &mut registration).await;
        let created: Vec<_> = registration
            .webhooks
            .iter()
            .filter(|w| w.signature_token.is_some())
            .map(|w| w.id.clone())
            .collect();
        if !created.is_empty() {
            run.lever_created.push((client, created));
        }
        result.map_err(|error| vendor(&account.name, error))?;
        let fresh = registration.new_tokens();
        let secret_added = !fresh.is_empty();
        if secret_added {
            run.ats_secrets
                .push((account.name.clone(), in_front(fresh, stored)));
        }
        run.report.push(SourceWebhooks {
            source: account.name.clone(),
            vendor: AtsKind::Lever.as_str(),
            url,
            changes: registration.changes,
            secret_added,
            active: None,
        });
        Ok(())
    }

    #[cfg(feature = "smartrecruiters")]
    async fn smartrecruiters(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
        account: &AtsAccountConfig,
        stored: Vec<SecretString>,
        run: &mut Run,
    ) -> Result<(), WebhookRegistrationError> {
        let client = self
            .adapters
            .smartrecruiters_client(record, secrets, account)?;
        let url = self.url(&record.id, &account.name);
        let registration = registration::ensure_smartrecruiters(&client, &url, SecretPolicy::Keep)
            .await
            .map_err(|error| vendor(&account.name, error))?;
        let secret = registration.subscription.secret.clone();
        let secret_added = stored
            .first()
            .is_none_or(|current| current.expose_secret() != secret.expose_secret());
        if secret_added {
            run.ats_secrets
                .push((account.name.clone(), in_front(vec![secret], stored)));
        }
        if !registration.active {
            run.to_activate
                .push((run.report.len(), client, registration.subscription.clone()));
        }
        run.report.push(SourceWebhooks {
            source: account.name.clone(),
            vendor: AtsKind::Smartrecruiters.as_str(),
            url,
            changes: registration.changes,
            secret_added,
            active: Some(registration.active),
        });
        Ok(())
    }

    async fn willo(
        &self,
        record: &ConnectionRecord,
        secrets: &ConnectionSecrets,
        run: &mut Run,
    ) -> Result<(), WebhookRegistrationError> {
        let client = self.adapters.willo_client(record, secrets)?;
        let url = self.url(&record.id, WilloSource::NAME);
        let stored = secrets.willo_webhook_token.clone();
        let fresh = match &stored {
            Some(token) => token.clone(),
            None => new_url_token()?,
        };
        let registration = registration::ensure_willo_at(&client, &url, fresh, SecretPolicy::Keep)
            .await
            .map_err(|error| vendor(WilloSource::NAME, error))?;
        let secret_added = stored
            .is_none_or(|stored| stored.expose_secret() != registration.token.expose_secret());
        if secret_added {
            run.willo_token = Some(registration.token.clone());
        }
        run.report.push(SourceWebhooks {
            source: WilloSource::NAME.to_owned(),
            vendor: WilloSource::NAME,
            url,
            changes: registration.changes,
            secret_added,
            active: None,
        });
        Ok(())
    }

    /// Activate the SmartRecruiters subscriptions not active yet: their keys are
    /// stored, so the connection's intake answers the handshake.
    async fn activate(&self, run: &mut Run) -> Result<(), WebhookRegistrationError> {
        #[cfg(feature = "smartrecruiters")]
        for (index, client, subscription) in std::mem::take(&mut run.to_activate) {
            let report = &mut run.report[index];
            registration::activate_smartrecruiters(&client, &subscription)
                .await
                .map_err(|error| WebhookRegistrationError::Activation {
                    account: report.source.clone(),
                    error,
                })?;
            report.active = Some(true);
        }
        Ok(())
    }
}

/// What one call of [`WebhookRegistrar::register`] is doing: the secrets to store,
/// what to undo if it fails, what to activate after, and the report.
#[derive(Default)]
struct Run {
    /// Per ATS account whose secrets changed: its new list, current first.
    ats_secrets: Vec<(String, Vec<SecretString>)>,
    /// The Willo URL token, when it changed.
    willo_token: Option<SecretString>,
    /// Lever webhooks created by this call, by client.
    #[cfg(feature = "lever")]
    lever_created: Vec<(lever_client::LeverClient, Vec<lever_client::WebhookId>)>,
    /// SmartRecruiters subscriptions to activate: their report's index, client and
    /// subscription.
    #[cfg(feature = "smartrecruiters")]
    to_activate: Vec<(
        usize,
        smartrecruiters_client::SmartRecruitersClient,
        registration::SmartRecruitersSubscription,
    )>,
    report: Vec<SourceWebhooks>,
}

impl Run {
    /// Delete the Lever webhooks this call created: their tokens were not stored and
    /// Lever never shows them again. Best effort: a failure is logged, and a webhook
    /// left behind is replaced by the next run (its account has no token for it).
    async fn roll_back(&self, id: &ConnectionId) {
        #[cfg(feature = "lever")]
        for (client, created) in &self.lever_created {
            for webhook in created {
                if let Err(error) = client.webhooks().delete(webhook).await {
                    tracing::warn!(
                        target: "ats_bridge::connection",
                        connection = %id,
                        webhook = webhook.as_str(),
                        %error,
                        "a Lever webhook created by a failed registration could not be deleted"
                    );
                }
            }
        }
    }
}

/// `fresh` secrets in front of `stored` ones, each once.
fn in_front(fresh: Vec<SecretString>, stored: Vec<SecretString>) -> Vec<SecretString> {
    let mut all: Vec<SecretString> = Vec::with_capacity(fresh.len() + stored.len());
    for secret in fresh.into_iter().chain(stored) {
        if !all
            .iter()
            .any(|kept| kept.expose_secret() == secret.expose_secret())
        {
            all.push(secret);
        }
    }
    all
}

/// A long random URL token (256 bits) from the operating system's random source.
fn new_url_token() -> Result<SecretString, WebhookRegistrationError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        WebhookRegistrationError::Connection(ConnectionError::Invalid(format!(
            "no secure random source for a Willo URL token: {e}"
        )))
    })?;
    Ok(SecretString::from(URL_SAFE_NO_PAD.encode(bytes)))
}

fn vendor(account: &str, error: client_core::Error) -> WebhookRegistrationError {
    WebhookRegistrationError::Vendor {
        account: account.to_owned(),
        error,
    }
}

/// What [`WebhookRegistrar::register`] did, per source. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConnectionWebhooks {
    /// The connection.
    pub connection: ConnectionId,
    /// One entry per ATS account, in the connection's order, then Willo.
    pub sources: Vec<SourceWebhooks>,
}

impl ConnectionWebhooks {
    /// How many webhooks or subscriptions were created.
    pub fn created(&self) -> usize {
        self.sources.iter().map(SourceWebhooks::created).sum()
    }

    /// The entry of `source` (an ATS account's name, or `willo`).
    pub fn source(&self, source: &str) -> Option<&SourceWebhooks> {
        self.sources.iter().find(|s| s.source == source)
    }
}

/// What was registered for one source of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SourceWebhooks {
    /// The ATS account's name, or `willo`.
    pub source: String,
    /// `lever`, `smartrecruiters` or `willo`.
    pub vendor: &'static str,
    /// The intake URL registered (without Willo's token).
    pub url: String,
    /// What was done at the vendor, webhook by webhook.
    pub changes: Vec<Change>,
    /// Whether a new secret was stored for it (the older ones kept where the source
    /// has a list: Lever's and SmartRecruiters').
    pub secret_added: bool,
    /// SmartRecruiters only: whether the subscription is active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl SourceWebhooks {
    /// How many webhooks or subscriptions were created.
    pub fn created(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.action == registration::Action::Created)
            .count()
    }
}

/// Why a connection's webhooks could not be registered. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRegistrationError {
    /// The connection is unknown or removed, its settings or secrets unusable, or the
    /// store failed.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// A vendor refused a call; nothing was stored.
    #[error("registering the webhooks of `{account}` failed: {error}")]
    Vendor {
        /// The ATS account's name, or `willo`.
        account: String,
        /// What the vendor answered.
        error: client_core::Error,
    },
    /// The secrets were stored, but activating the SmartRecruiters subscription
    /// failed (its handshake did not reach the intake?); run the registration again
    /// once the intake serves the connection's URL.
    #[error("activating the SmartRecruiters subscription of `{account}` failed: {error}")]
    Activation {
        /// The ATS account's name.
        account: String,
        /// What SmartRecruiters answered.
        error: client_core::Error,
    },
}
