//! One connection's engine on a store shared by many: the few store calls that read
//! "every row" or "every delivery" read only the connection's, and the names the
//! engine keeps in shared tables carry the connection's prefix.
//!
//! Everything else the engine stores is already the connection's own: its ATS
//! adapters are named `{id}/{account}` ([`crate::connection::Fleet`] builds them so),
//! and ledger rows, job states and screening rows are keyed by that name.

use crate::connection::ConnectionId;
use crate::store::{InboxBacklog, InboxItem, LedgerRow, StatusReport};

use super::{Engine, EngineError};

impl Engine {
    /// The connection this engine serves, when it is one of a fleet's.
    pub fn connection(&self) -> Option<&ConnectionId> {
        self.inner.scope.as_ref()
    }

    /// The connection's prefix in shared tables (`{id}/`), if any.
    fn scope_prefix(&self) -> Option<String> {
        self.inner.scope.as_ref().map(ConnectionId::scope_prefix)
    }

    /// A cursor's name in the shared cursor table.
    pub(crate) fn cursor_name(&self, name: String) -> String {
        match &self.inner.scope {
            Some(id) => id.scope(&name),
            None => name,
        }
    }

    /// Lease up to `limit` stored deliveries for this engine (the connection's own).
    pub(crate) async fn claim_inbox(&self, limit: usize) -> Result<Vec<InboxItem>, EngineError> {
        let inbox = &self.inner.stores.inbox;
        let lease = self.lease();
        Ok(match self.scope_prefix() {
            Some(scope) => inbox.inbox_claim_scoped(&scope, &lease, limit).await?,
            None => inbox.inbox_claim(&lease, limit).await?,
        })
    }

    /// Rows whose retry time has come (the connection's own).
    pub(crate) async fn rows_due(&self, limit: usize) -> Result<Vec<LedgerRow>, EngineError> {
        let ledger = &self.inner.stores.ledger;
        let now_ms = self.now_ms();
        Ok(match self.scope_prefix() {
            Some(scope) => ledger.rows_due_scoped(&scope, now_ms, limit).await?,
            None => ledger.rows_due(now_ms, limit).await?,
        })
    }

    /// Invited rows not heard of since `before_ms` (the connection's own).
    pub(crate) async fn stale_invites(
        &self,
        before_ms: i64,
        limit: usize,
    ) -> Result<Vec<LedgerRow>, EngineError> {
        let ledger = &self.inner.stores.ledger;
        Ok(match self.scope_prefix() {
            Some(scope) => {
                ledger
                    .stale_invites_scoped(&scope, before_ms, limit)
                    .await?
            }
            None => ledger.stale_invites(before_ms, limit).await?,
        })
    }

    /// Counts per state and per job, and the failed rows (the connection's own).
    pub async fn status(&self) -> Result<StatusReport, EngineError> {
        let ledger = &self.inner.stores.ledger;
        Ok(match self.scope_prefix() {
            Some(scope) => ledger.status_scoped(&scope).await?,
            None => ledger.status().await?,
        })
    }

    /// The deliveries not processed yet and the oldest one's age (the connection's own).
    pub async fn inbox_backlog(&self) -> Result<InboxBacklog, EngineError> {
        let inbox = &self.inner.stores.inbox;
        Ok(match self.scope_prefix() {
            Some(scope) => inbox.inbox_backlog_scoped(&scope).await?,
            None => inbox.inbox_backlog().await?,
        })
    }

    /// Keep the rows this engine acts on: a Willo participant's rows of another
    /// connection (two connections sharing one Willo account) are theirs.
    pub(crate) fn own_rows(&self, mut rows: Vec<LedgerRow>) -> Vec<LedgerRow> {
        if let Some(scope) = self.scope_prefix() {
            rows.retain(|row| row.key.ats.as_str().starts_with(&scope));
        }
        rows
    }
}
