//! Credential outages: while a vendor refuses the credentials (HTTP 401, an OAuth
//! grant gone), work is parked, not failed.
//!
//! A refused credential is not the row's fault: failing every row touched during an
//! outage would leave an operator to re-drive them all. Instead the row (or inbox
//! delivery) is rescheduled without counting an attempt, the connection is marked as
//! needing credentials (logged once, listed by [`Engine::credential_outages`]), and
//! the parked work comes back on a backoff ([`EngineConfig::credential_probes`]):
//! each comeback is a probe, and the first call that works ends the outage.
//!
//! [`EngineConfig::credential_probes`]: super::EngineConfig

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Engine, lock};

/// The connection name used for Willo's credentials.
pub const WILLO: &str = "willo";

/// A connection whose credentials are refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CredentialOutage {
    /// Since when (epoch ms): the first refusal.
    pub since_ms: i64,
    /// The last refusal, as the vendor said it (no secrets, no personal data).
    pub reason: String,
    /// Refusals since the outage began; each parks the work a little longer.
    pub refusals: u32,
}

/// The outages now, by connection (`willo` or the ATS connection's name).
pub(crate) type Outages = std::sync::Mutex<BTreeMap<String, CredentialOutage>>;

impl Engine {
    /// Connections whose credentials the vendor refuses right now, by name (`willo`,
    /// or an ATS connection's [`Ats::name`](crate::Ats::name)). Empty when all work.
    pub fn credential_outages(&self) -> BTreeMap<String, CredentialOutage> {
        lock(&self.inner.outages).clone()
    }

    /// `connection` refused its credentials: note the outage (logged once, when it
    /// begins) and return how long to park the work.
    pub(crate) fn credentials_refused(&self, connection: &str, reason: &str) -> Duration {
        let now = self.now_ms();
        let mut outages = lock(&self.inner.outages);
        let outage = outages.entry(connection.to_owned()).or_insert_with(|| {
            tracing::error!(%connection, %reason, "credentials refused; parking work until they work again");
            CredentialOutage {
                since_ms: now,
                reason: reason.to_owned(),
                refusals: 0,
            }
        });
        outage.refusals = outage.refusals.saturating_add(1);
        outage.reason = reason.to_owned();
        self.inner
            .config
            .credential_probes
            .delay(outage.refusals, connection)
    }

    /// A call on `connection` worked: its outage, if any, is over.
    pub(crate) fn credentials_work(&self, connection: &str) {
        if let Some(outage) = lock(&self.inner.outages).remove(connection) {
            tracing::info!(%connection, refusals = outage.refusals, "credentials work again; parked work resumes");
        }
    }
}
