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
//! An engine serving one connection of a fleet with an outage store
//! ([`EngineBuilder::outage_store`]) also records its outages there, so every
//! replica's status and a process started later see them: written when an outage
//! starts, refreshed at most once per [`RetrySchedule::initial`] of the probes (not at
//! every refused request), deleted when a call works again. The engine's own view in
//! memory stays what parks its work.
//!
//! [`EngineConfig::credential_probes`]: super::EngineConfig
//! [`EngineBuilder::outage_store`]: super::EngineBuilder::outage_store
//! [`RetrySchedule::initial`]: super::RetrySchedule

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use super::{Engine, lock};
use crate::connection::{ConnectionId, Connections, StoredOutage};
use crate::store::StoreError;

/// The connection name used for Willo's credentials.
pub const WILLO: &str = "willo";

/// A connection whose credentials are refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct CredentialOutage {
    /// Since when (epoch ms): the first refusal.
    pub since_ms: i64,
    /// When the credentials were last refused (epoch ms). For an outage read from the
    /// store (another replica's, or an engine's no longer loaded), the last refusal
    /// written, at most one probe interval old while refusals go on.
    pub last_refusal_ms: i64,
    /// The last refusal, as the vendor said it (no secrets, no personal data).
    pub reason: String,
    /// Refusals since the outage began; each parks the work a little longer.
    pub refusals: u32,
}

impl CredentialOutage {
    /// The outage a store keeps.
    pub(crate) fn from_stored(stored: &StoredOutage) -> Self {
        Self {
            since_ms: stored.since_ms,
            last_refusal_ms: stored.last_refusal_ms,
            reason: stored.reason.clone(),
            refusals: stored.refusals,
        }
    }

    /// Fold `other` (the same credential, seen elsewhere) into this one: the earlier
    /// start, the later refusal with its reason, the larger count.
    pub(crate) fn merge(&mut self, other: &CredentialOutage) {
        self.since_ms = self.since_ms.min(other.since_ms);
        if other.last_refusal_ms > self.last_refusal_ms {
            self.last_refusal_ms = other.last_refusal_ms;
            self.reason = other.reason.clone();
        }
        self.refusals = self.refusals.max(other.refusals);
    }
}

/// One outage as this engine knows it.
#[derive(Debug, Clone)]
pub(crate) struct LiveOutage {
    pub(crate) outage: CredentialOutage,
    /// Where its record in the outage store is.
    pub(crate) record: Record,
}

/// Where an outage's record in the outage store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Record {
    /// Not written (no store, or the last write failed).
    Unwritten,
    /// A write is on its way.
    Writing,
    /// Written at this time (epoch ms).
    Written(i64),
    /// The store keeps no outages ([`StoreError::Unsupported`]): this engine's view
    /// is the only one.
    Unkept,
}

/// The outages now, by connection (`willo` or the ATS connection's name).
pub(crate) type Outages = std::sync::Mutex<BTreeMap<String, LiveOutage>>;

/// Where a connection's engine records its outages, and what it last read there.
pub(crate) struct OutageStore {
    store: Arc<dyn Connections>,
    /// The credentials recorded as refused when last read (other engines' outages
    /// included), and when that was (epoch ms): a call that works deletes its
    /// credential's record even if this engine never saw the refusal.
    read: std::sync::Mutex<(BTreeSet<String>, Option<i64>)>,
}

impl OutageStore {
    pub(crate) fn new(store: Arc<dyn Connections>) -> Self {
        Self {
            store,
            read: std::sync::Mutex::new((BTreeSet::new(), None)),
        }
    }
}

/// The name of `connection`'s credential `credential` as an engine knows it: `willo`,
/// or the scoped ATS name (`{id}/lever`).
pub(crate) fn engine_name(connection: &ConnectionId, credential: &str) -> String {
    if credential == WILLO {
        WILLO.to_owned()
    } else {
        connection.scope(credential)
    }
}

impl Engine {
    /// Connections whose credentials the vendor refuses right now, by name (`willo`,
    /// or an ATS connection's [`Ats::name`](crate::Ats::name)), as this engine has
    /// seen them. Empty when all work. A fleet's connection status adds the outages
    /// other replicas recorded ([`crate::connection::ConnectionStatus`]).
    pub fn credential_outages(&self) -> BTreeMap<String, CredentialOutage> {
        lock(&self.inner.outages)
            .iter()
            .map(|(name, live)| (name.clone(), live.outage.clone()))
            .collect()
    }

    /// This engine's outages with where their records are (for a fleet's status).
    pub(crate) fn live_outages(&self) -> BTreeMap<String, LiveOutage> {
        lock(&self.inner.outages).clone()
    }

    /// `connection` refused its credentials: note the outage (logged and recorded
    /// when it begins, the record refreshed at most once per probe interval) and
    /// return how long to park the work.
    pub(crate) async fn credentials_refused(&self, connection: &str, reason: &str) -> Duration {
        let now = self.now_ms();
        let probes = self.inner.config.credential_probes;
        let refresh_ms = super::failure::millis(probes.initial);
        let recording = self.inner.outage_store.is_some();
        let (delay, write) = {
            let mut outages = lock(&self.inner.outages);
            let live = outages.entry(connection.to_owned()).or_insert_with(|| {
                tracing::error!(%connection, %reason, "credentials refused; parking work until they work again");
                LiveOutage {
                    outage: CredentialOutage {
                        since_ms: now,
                        last_refusal_ms: now,
                        reason: reason.to_owned(),
                        refusals: 0,
                    },
                    record: Record::Unwritten,
                }
            });
            live.outage.refusals = live.outage.refusals.saturating_add(1);
            live.outage.reason = reason.to_owned();
            live.outage.last_refusal_ms = now;
            let due = match live.record {
                Record::Unwritten => true,
                Record::Writing | Record::Unkept => false,
                Record::Written(at) => now.saturating_sub(at) >= refresh_ms,
            };
            let write = (recording && due).then(|| {
                live.record = Record::Writing;
                live.outage.clone()
            });
            (probes.delay(live.outage.refusals, connection), write)
        };
        if let Some(outage) = write {
            self.record_outage(connection, &outage, now).await;
        }
        delay
    }

    /// A call on `connection` worked: its outage, if any, is over, here and in the
    /// outage store (where another engine may have recorded it).
    pub(crate) async fn credentials_work(&self, connection: &str) {
        let ended = lock(&self.inner.outages).remove(connection);
        if let Some(live) = &ended {
            tracing::info!(%connection, refusals = live.outage.refusals, "credentials work again; parked work resumes");
        }
        let (Some(store), Some(id)) = (&self.inner.outage_store, &self.inner.scope) else {
            return;
        };
        let credential = credential_name(id, connection);
        if ended.is_none() && !self.recorded_elsewhere(store, id, &credential).await {
            return;
        }
        end_recorded(store, id, &credential).await;
    }

    /// Write the outage of `connection` to the outage store.
    async fn record_outage(&self, connection: &str, outage: &CredentialOutage, now: i64) {
        let (Some(store), Some(id)) = (&self.inner.outage_store, &self.inner.scope) else {
            return;
        };
        let stored = StoredOutage {
            connection: id.clone(),
            credential: credential_name(id, connection),
            since_ms: outage.since_ms,
            last_refusal_ms: outage.last_refusal_ms,
            refusals: outage.refusals,
            reason: outage.reason.clone(),
        };
        let result = store.store.credential_outage_put(&stored).await;
        let record = match &result {
            Ok(()) => Record::Written(now),
            Err(StoreError::Unsupported(_)) => Record::Unkept,
            // Recorded nowhere else: the engine's own view still parks the work, and
            // the next refusal tries again.
            Err(error) => {
                tracing::warn!(connection = %id, credential = %stored.credential, %error, "the credential outage could not be recorded; other replicas will not show it");
                Record::Unwritten
            }
        };
        let ended_meanwhile = match lock(&self.inner.outages).get_mut(connection) {
            // Unless the outage ended and began again while writing.
            Some(live) if live.record == Record::Writing => {
                live.record = record;
                false
            }
            Some(_) => false,
            None => true,
        };
        if ended_meanwhile && result.is_ok() {
            // A call worked while this was written, and its delete may have come first.
            end_recorded(store, id, &stored.credential).await;
        }
    }

    /// Whether the outage store lists `credential` of `id` as refused, as read at most
    /// one probe interval ago ([`RetrySchedule::max`](super::RetrySchedule)): an outage
    /// this engine did not see (another replica's, or an engine's before this one).
    async fn recorded_elsewhere(
        &self,
        store: &OutageStore,
        id: &ConnectionId,
        credential: &str,
    ) -> bool {
        let now = self.now_ms();
        let every_ms = super::failure::millis(self.inner.config.credential_probes.max);
        {
            let mut read = lock(&store.read);
            let fresh = read.1.is_some_and(|at| now.saturating_sub(at) < every_ms);
            if fresh {
                return read.0.contains(credential);
            }
            // One reader at a time: the others go by the last read.
            read.1 = Some(now);
        }
        let names = match store.store.credential_outages(Some(id)).await {
            Ok(stored) => stored.into_iter().map(|o| o.credential).collect(),
            Err(StoreError::Unsupported(_)) => BTreeSet::new(),
            Err(error) => {
                tracing::warn!(connection = %id, %error, "recorded credential outages could not be read");
                BTreeSet::new()
            }
        };
        let mut read = lock(&store.read);
        read.0 = names;
        read.0.contains(credential)
    }
}

/// Delete the record of `id`'s refused `credential`: it works again.
async fn end_recorded(store: &OutageStore, id: &ConnectionId, credential: &str) {
    lock(&store.read).0.remove(credential);
    match store
        .store
        .credential_outage_end(id, Some(credential))
        .await
    {
        Ok(0) | Err(StoreError::Unsupported(_)) => {}
        Ok(_) => {
            tracing::info!(connection = %id, %credential, "recorded credential outage ended");
        }
        Err(error) => {
            tracing::warn!(connection = %id, %credential, %error, "the ended credential outage could not be deleted from the store");
        }
    }
}

/// The stored name of the credential an engine of connection `id` calls `name`:
/// `willo`, or the ATS account's name without the connection's prefix.
fn credential_name(id: &ConnectionId, name: &str) -> String {
    name.strip_prefix(&id.scope_prefix())
        .unwrap_or(name)
        .to_owned()
}
