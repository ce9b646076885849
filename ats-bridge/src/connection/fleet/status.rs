//! Each connection's status and the fleet's roll-up: what an operator (and
//! `/health`) reads.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Fleet;
use crate::connection::{ConnectionId, ConnectionRecord, ConnectionState};
use crate::engine::{CredentialOutage, EngineError};

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
    /// the work waits for them.
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
    /// The status of every live connection (two store reads each) and their totals.
    /// Also sets the connection-state gauge when the `metrics` feature is on.
    pub async fn status(&self) -> Result<FleetStatus, EngineError> {
        self.refresh().await?;
        let mut fleet = FleetStatus::default();
        for record in self.records() {
            let status = self.connection_status(&record).await?;
            *fleet
                .connections_by_state
                .entry(status.state.as_str().to_owned())
                .or_default() += 1;
            for (state, rows) in &status.rows {
                *fleet.rows.entry(state.clone()).or_default() += rows;
            }
            fleet.inbox_pending += status.inbox_pending;
            fleet.inbox_oldest_age_ms = fleet.inbox_oldest_age_ms.max(status.inbox_oldest_age_ms);
            fleet.connections.push(status);
        }
        crate::metrics::record_connections(&fleet.connections_by_state);
        Ok(fleet)
    }

    /// The status of the connection `record` (two store reads).
    pub async fn connection_status(
        &self,
        record: &ConnectionRecord,
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
        let engine = self.inner.engines.peek(&record.id);
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
            credential_outages: engine
                .as_ref()
                .map(|engine| engine.credential_outages())
                .unwrap_or_default(),
            loaded: engine.is_some(),
        })
    }
}
