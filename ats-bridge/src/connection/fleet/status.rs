//! Each connection's status and the fleet's roll-up: what an operator (and
//! `/health`) reads.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Fleet;
use crate::connection::{ConnectionId, ConnectionRecord, ConnectionState, StoredOutage};
use crate::engine::credentials::{LiveOutage, Record, engine_name};
use crate::engine::{CredentialOutage, EngineError};
use crate::store::StoreError;

/// What a connection's work last reported (kept by the fleet, per process).
#[derive(Debug, Clone, Default)]
pub(super) struct Report {
    pub(super) last_reconcile_at_ms: Option<i64>,
    pub(super) last_reconcile_error: Option<String>,
    pub(super) last_error: Option<String>,
}

/// One connection's status.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ConnectionStatus {
    /// Its id.
    pub id: ConnectionId,
    /// What operators see.
    pub display_name: String,
    /// Active, paused, needs credentials.
    pub state: ConnectionState,
    /// Why it is paused or needs credentials.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
    /// Its ledger rows per state (`pending`, `invited`, …, `failed`).
    pub rows: BTreeMap<String, u64>,
    /// Its deliveries not processed yet.
    pub inbox_pending: u64,
    /// How long the oldest of them has waited (ms; 0 when none).
    pub inbox_oldest_age_ms: u64,
    /// When its last reconciler pass ended, in this process (epoch ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reconcile_at_ms: Option<i64>,
    /// The first error of that pass, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reconcile_error: Option<String>,
    /// The last error of its work outside a pass (building its engine, retries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Credentials a vendor refuses right now, by source (`willo`, `{id}/lever`):
    /// the work waits for them. Recorded in the store by whichever replica's engine
    /// saw the refusal, so shown whether or not the engine is loaded here.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub credential_outages: BTreeMap<String, CredentialOutage>,
    /// Whether its engine is built now (it has had work lately).
    pub loaded: bool,
}

impl ConnectionStatus {
    /// Whether the connection works as it should: active (or paused by an operator),
    /// no refused credential, no error in its last pass or work.
    pub fn healthy(&self) -> bool {
        self.state != ConnectionState::NeedsCredentials
            && self.credential_outages.is_empty()
            && self.last_reconcile_error.is_none()
            && self.last_error.is_none()
    }
}

/// Every live connection's status and their totals.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct FleetStatus {
    /// Connections per state.
    pub connections_by_state: BTreeMap<String, u64>,
    /// Ledger rows per state, all connections together.
    pub rows: BTreeMap<String, u64>,
    /// Deliveries not processed yet, all connections together.
    pub inbox_pending: u64,
    /// The longest any of them has waited (ms).
    pub inbox_oldest_age_ms: u64,
    /// Each connection, by id.
    pub connections: Vec<ConnectionStatus>,
}

impl FleetStatus {
    /// The connections that are not healthy ([`ConnectionStatus::healthy`]).
    pub fn unhealthy(&self) -> impl Iterator<Item = &ConnectionStatus> {
        self.connections.iter().filter(|c| !c.healthy())
    }
}

impl Fleet {
    /// The status of every live connection (two store reads each, one for every
    /// connection's recorded outages) and their totals. Also sets the
    /// connection-state and refused-credential gauges when the `metrics` feature is
    /// on.
    pub async fn status(&self) -> Result<FleetStatus, EngineError> {
        self.refresh().await?;
        let records = self.records();
        // This process's views before the store's (see `merged_outages`).
        let live: Vec<_> = records.iter().map(|r| self.live_view(&r.id)).collect();
        let mut stored = self.stored_outages(None).await?;
        let mut fleet = FleetStatus::default();
        let mut refused = 0;
        for (record, live) in records.iter().zip(live) {
            let stored = stored.remove(&record.id).unwrap_or_default();
            let status = self.status_of(record, live, stored).await?;
            *fleet
                .connections_by_state
                .entry(status.state.as_str().to_owned())
                .or_default() += 1;
            for (state, rows) in &status.rows {
                *fleet.rows.entry(state.clone()).or_default() += rows;
            }
            fleet.inbox_pending += status.inbox_pending;
            fleet.inbox_oldest_age_ms = fleet.inbox_oldest_age_ms.max(status.inbox_oldest_age_ms);
            refused += u64::from(!status.credential_outages.is_empty());
            fleet.connections.push(status);
        }
        crate::metrics::record_connections(&fleet.connections_by_state);
        crate::metrics::record_credentials_refused(refused);
        Ok(fleet)
    }

    /// The status of the connection `record` (three store reads): its credential
    /// outages are those recorded in the store by any replica, with what its engine
    /// here, if loaded, has seen since.
    pub async fn connection_status(
        &self,
        record: &ConnectionRecord,
    ) -> Result<ConnectionStatus, EngineError> {
        let live = self.live_view(&record.id);
        let stored = self
            .stored_outages(Some(&record.id))
            .await?
            .remove(&record.id)
            .unwrap_or_default();
        self.status_of(record, live, stored).await
    }

    /// The outages the engine of `id` holds, if it is loaded.
    fn live_view(&self, id: &ConnectionId) -> Option<BTreeMap<String, LiveOutage>> {
        self.inner
            .engines
            .peek(id)
            .map(|engine| engine.live_outages())
    }

    /// The recorded outages of `id` (every connection's for `None`), by connection;
    /// none from a store that keeps none.
    async fn stored_outages(
        &self,
        id: Option<&ConnectionId>,
    ) -> Result<BTreeMap<ConnectionId, Vec<StoredOutage>>, EngineError> {
        let stored = match self.inner.manager.store().credential_outages(id).await {
            Ok(stored) => stored,
            Err(StoreError::Unsupported(_)) => Vec::new(),
            Err(error) => return Err(error.into()),
        };
        let mut by_connection: BTreeMap<_, Vec<_>> = BTreeMap::new();
        for outage in stored {
            by_connection
                .entry(outage.connection.clone())
                .or_default()
                .push(outage);
        }
        Ok(by_connection)
    }

    async fn status_of(
        &self,
        record: &ConnectionRecord,
        live: Option<BTreeMap<String, LiveOutage>>,
        stored: Vec<StoredOutage>,
    ) -> Result<ConnectionStatus, EngineError> {
        let scope = record.id.scope_prefix();
        let stores = &self.inner.stores;
        let rows = stores.ledger.status_scoped(&scope).await?;
        let backlog = stores.inbox.inbox_backlog_scoped(&scope).await?;
        let report = self
            .inner
            .reports
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&record.id)
            .cloned()
            .unwrap_or_default();
        Ok(ConnectionStatus {
            id: record.id.clone(),
            display_name: record.config.display_name.clone(),
            state: record.state,
            state_reason: record.state_reason.clone(),
            rows: rows
                .by_state
                .iter()
                .map(|(state, n)| (state.as_str().to_owned(), *n))
                .collect(),
            inbox_pending: backlog.pending,
            inbox_oldest_age_ms: backlog.oldest_age_ms(self.now_ms()),
            last_reconcile_at_ms: report.last_reconcile_at_ms,
            last_reconcile_error: report.last_reconcile_error,
            last_error: report.last_error,
            loaded: live.is_some(),
            credential_outages: merged_outages(&record.id, live.unwrap_or_default(), &stored),
        })
    }
}

/// A connection's outages: those recorded in the store, with what its loaded engine
/// has seen (`live`, read before `stored`). An outage the engine had written, now gone
/// from the store, ended elsewhere (a probe that worked on another replica, the
/// secrets replaced) and is left out; one it has not written yet is shown.
fn merged_outages(
    id: &ConnectionId,
    live: BTreeMap<String, LiveOutage>,
    stored: &[StoredOutage],
) -> BTreeMap<String, CredentialOutage> {
    let mut outages: BTreeMap<_, _> = stored
        .iter()
        .map(|outage| {
            (
                engine_name(id, &outage.credential),
                CredentialOutage::from_stored(outage),
            )
        })
        .collect();
    for (name, live) in live {
        match outages.get_mut(&name) {
            Some(outage) => outage.merge(&live.outage),
            None if matches!(live.record, Record::Written(_)) => {}
            None => {
                outages.insert(name, live.outage);
            }
        }
    }
    outages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outage(
        since_ms: i64,
        last_refusal_ms: i64,
        refusals: u32,
        reason: &str,
    ) -> CredentialOutage {
        CredentialOutage {
            since_ms,
            last_refusal_ms,
            reason: reason.to_owned(),
            refusals,
        }
    }

    fn live(outage: CredentialOutage, record: Record) -> LiveOutage {
        LiveOutage { outage, record }
    }

    #[test]
    fn stored_and_live_outages_merge_by_credential() {
        let id = ConnectionId::new("acme").unwrap();
        let stored = [
            StoredOutage {
                connection: id.clone(),
                credential: "lever".to_owned(),
                since_ms: 1_000,
                last_refusal_ms: 2_000,
                refusals: 1,
                reason: "Lever said 401".to_owned(),
            },
            StoredOutage {
                connection: id.clone(),
                credential: "willo".to_owned(),
                since_ms: 5_000,
                last_refusal_ms: 5_000,
                refusals: 2,
                reason: "Willo said 401".to_owned(),
            },
        ];
        let live = BTreeMap::from([
            // Seen here since it was recorded: the later refusal and count show.
            (
                "acme/lever".to_owned(),
                live(
                    outage(1_500, 3_000, 4, "Lever said 403"),
                    Record::Written(1_500),
                ),
            ),
            // Written here, gone from the store: it ended elsewhere.
            (
                "acme/smartrecruiters".to_owned(),
                live(
                    outage(1_000, 1_000, 1, "SR said 401"),
                    Record::Written(1_000),
                ),
            ),
            // Not written yet (or the store keeps none): shown as this engine sees it.
            (
                "acme/other".to_owned(),
                live(outage(4_000, 4_000, 1, "401"), Record::Writing),
            ),
            (
                "acme/kept-nowhere".to_owned(),
                live(outage(4_000, 4_000, 1, "401"), Record::Unkept),
            ),
        ]);
        let merged = merged_outages(&id, live, &stored);
        assert_eq!(
            merged.keys().map(String::as_str).collect::<Vec<_>>(),
            ["acme/kept-nowhere", "acme/lever", "acme/other", "willo"]
        );
        assert_eq!(
            merged["acme/lever"],
            outage(1_000, 3_000, 4, "Lever said 403")
        );
        assert_eq!(merged["willo"], outage(5_000, 5_000, 2, "Willo said 401"));
    }
}
