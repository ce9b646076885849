//! Removing a leaving connection's webhooks from its vendor accounts
//! ([`WebhookRegistrar::unregister`]), so the vendors stop sending deliveries that
//! nothing will accept any more.
// Without an adapter feature only Willo's removal is compiled.
#![cfg_attr(
    not(all(feature = "smartrecruiters", feature = "lever")),
    allow(unused_imports, unused_variables, unused_mut)
)]

use serde::Serialize;

use super::adapters::not_compiled_in;
use super::{
    AtsAccountConfig, AtsAuth, AtsKind, ConnectionError, ConnectionId, ConnectionSecrets,
    WebhookRegistrar,
};
use crate::registration::{self, Change};
use crate::webhook::WilloSource;

/// Why an account was skipped: it has no credentials to reach the vendor with, so
/// the registrar never registered anything for it either.
const NOT_CONNECTED: &str = "the OAuth account is not connected: no credentials to reach it";

impl WebhookRegistrar {
    /// Remove the webhooks of the live connection `id` from its vendor accounts, with
    /// its own credentials: at each of its ATS accounts, then at its Willo account,
    /// every webhook (or SmartRecruiters subscription) whose URL ends with the
    /// connection's intake path for that source (`/webhooks/{id}/{source}`, on any
    /// host), and nothing else — another connection sharing the account keeps its
    /// webhooks, and so does a single-account bridge.
    ///
    /// Idempotent: with nothing left, it succeeds and removes nothing. An OAuth account
    /// the customer never connected is skipped (reported with a reason): without
    /// credentials nothing can have been registered for it by the registrar.
    ///
    /// When a vendor refuses, the call stops there with
    /// [`WebhookUnregistrationError::Vendor`], naming the source; what was removed
    /// before (at the other sources, and at that one before the refusal) stays
    /// removed, and the error says what. Running it again finishes the job.
    ///
    /// The stored webhook secrets are left as they are: a delivery sent just before
    /// the removal still verifies, removing the connection erases them, and a later
    /// registration puts new ones in front (Lever's and SmartRecruiters' are new with
    /// every new webhook).
    pub async fn unregister(
        &self,
        id: &ConnectionId,
    ) -> Result<ConnectionUnregistered, WebhookUnregistrationError> {
        let record = self.manager.live(id).await?;
        let secrets = self.manager.secrets(id).await?;
        // Every client first: a connection whose settings cannot build one is refused
        // before any vendor is called.
        let mut targets = Vec::with_capacity(record.config.ats.len() + 1);
        for account in &record.config.ats {
            let target = if !connected(account, &secrets) {
                Target::NotConnected
            } else {
                match account.kind {
                    #[cfg(feature = "lever")]
                    AtsKind::Lever => {
                        Target::Lever(self.adapters.lever_client(&record, &secrets, account)?)
                    }
                    #[cfg(feature = "smartrecruiters")]
                    AtsKind::Smartrecruiters => Target::SmartRecruiters(
                        self.adapters
                            .smartrecruiters_client(&record, &secrets, account)?,
                    ),
                    #[allow(unreachable_patterns)]
                    kind => return Err(not_compiled_in(kind).into()),
                }
            };
            targets.push((account.name.as_str(), account.kind.as_str(), target));
        }
        let willo = Target::Willo(self.adapters.willo_client(&record, &secrets)?);
        targets.push((WilloSource::NAME, WilloSource::NAME, willo));

        let mut done = ConnectionUnregistered {
            connection: id.clone(),
            sources: Vec::new(),
        };
        for (name, vendor, target) in targets {
            let mut source = SourceUnregistered {
                source: name.to_owned(),
                vendor,
                url: self.url(id, name),
                removed: Vec::new(),
                skipped: None,
            };
            let result = target.remove(&source.url, &mut source.removed).await;
            if let Target::NotConnected = target {
                source.skipped = Some(NOT_CONNECTED);
            }
            done.finish(source, result)?;
        }
        tracing::info!(
            target: "ats_bridge::connection",
            connection = %id,
            removed = done.removed(),
            "webhooks unregistered"
        );
        Ok(done)
    }
}

/// Where one source's webhooks are removed: its vendor's client, or nowhere.
enum Target {
    /// An OAuth account never connected: skipped.
    NotConnected,
    #[cfg(feature = "lever")]
    Lever(lever_client::LeverClient),
    #[cfg(feature = "smartrecruiters")]
    SmartRecruiters(smartrecruiters_client::SmartRecruitersClient),
    Willo(willo_client::WilloClient),
}

impl Target {
    /// Remove the webhooks registered for `url`, recording each into `removed`.
    async fn remove(&self, url: &str, removed: &mut Vec<Change>) -> client_core::Result<()> {
        match self {
            Self::NotConnected => Ok(()),
            #[cfg(feature = "lever")]
            Self::Lever(client) => registration::teardown_lever_into(client, url, removed).await,
            #[cfg(feature = "smartrecruiters")]
            Self::SmartRecruiters(client) => {
                registration::teardown_smartrecruiters_into(client, url, removed).await
            }
            Self::Willo(client) => registration::teardown_willo_into(client, url, removed).await,
        }
    }
}

/// Whether `account` has credentials: an API key account always (its key is
/// checked when the connection is stored), an OAuth account once consented.
fn connected(account: &AtsAccountConfig, secrets: &ConnectionSecrets) -> bool {
    account.auth != AtsAuth::Oauth
        || secrets
            .ats
            .get(&account.name)
            .is_some_and(|s| s.grant.is_some())
}

/// What [`WebhookRegistrar::unregister`] removed, per source. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConnectionUnregistered {
    /// The connection.
    pub connection: ConnectionId,
    /// One entry per source handled, ATS accounts in the connection's order, then
    /// Willo (after a refusal: those handled until then, the refusing one last).
    pub sources: Vec<SourceUnregistered>,
}

impl ConnectionUnregistered {
    /// How many webhooks or subscriptions were removed.
    pub fn removed(&self) -> usize {
        self.sources.iter().map(|s| s.removed.len()).sum()
    }

    /// The entry of `source` (an ATS account's name, or `willo`).
    pub fn source(&self, source: &str) -> Option<&SourceUnregistered> {
        self.sources.iter().find(|s| s.source == source)
    }

    /// Record `source`, or the refusal that stopped it (with everything removed so
    /// far, that source's own deletions included).
    fn finish(
        &mut self,
        source: SourceUnregistered,
        result: client_core::Result<()>,
    ) -> Result<(), WebhookUnregistrationError> {
        let account = source.source.clone();
        self.sources.push(source);
        result.map_err(|error| {
            tracing::warn!(
                target: "ats_bridge::connection",
                connection = %self.connection,
                account,
                %error,
                removed = self.removed(),
                "unregistering webhooks failed; what was removed stays removed"
            );
            WebhookUnregistrationError::Vendor {
                account,
                error,
                removed: Box::new(self.clone()),
            }
        })
    }
}

/// What was removed for one source of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SourceUnregistered {
    /// The ATS account's name, or `willo`.
    pub source: String,
    /// `lever`, `smartrecruiters` or `willo`.
    pub vendor: &'static str,
    /// The connection's intake URL for it under the registrar's public URL (webhooks
    /// at the same path on another host are removed too).
    pub url: String,
    /// The webhooks or subscriptions removed (each [`registration::Action::Removed`]).
    pub removed: Vec<Change>,
    /// Why the source was not visited, when it was not (an OAuth account not
    /// connected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<&'static str>,
}

/// Why a connection's webhooks could not all be removed. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookUnregistrationError {
    /// The connection is unknown or removed, its settings or secrets unusable (no
    /// client could be built for an account), or the store failed; no vendor was
    /// called.
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    /// A vendor refused a call. What was removed before stays removed (`removed`).
    #[error("removing the webhooks of `{account}` failed: {error}")]
    Vendor {
        /// The ATS account's name, or `willo`.
        account: String,
        /// What the vendor answered.
        error: client_core::Error,
        /// What was removed before the refusal.
        removed: Box<ConnectionUnregistered>,
    },
}
