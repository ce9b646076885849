//! The memory store's connection tables.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::{Inner, MemoryStore};
use crate::connection::{
    ConnectionConfig, ConnectionId, ConnectionRecord, ConnectionState, Connections, LedgerErasure,
    Removal, SecretEntry, SecretLock, StoredOutage,
};
use crate::store::{StoreError, StoreResult};

/// Connections, their sealed secrets and their refused credentials.
#[derive(Debug, Default)]
pub(super) struct Tables {
    records: BTreeMap<ConnectionId, ConnectionRecord>,
    secrets: BTreeMap<(ConnectionId, String), SecretEntry>,
    outages: BTreeMap<(ConnectionId, String), StoredOutage>,
}

impl Tables {
    fn record(&mut self, id: &ConnectionId) -> StoreResult<&mut ConnectionRecord> {
        self.records
            .get_mut(id)
            .ok_or_else(|| StoreError::NotFound(format!("connection {id}")))
    }

    fn set_state(
        &mut self,
        id: &ConnectionId,
        state: ConnectionState,
        reason: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()> {
        let record = self.record(id)?;
        if record.state == ConnectionState::Removed {
            return Err(StoreError::Conflict(format!("connection {id} is removed")));
        }
        record.state = state;
        record.state_reason = reason.map(str::to_owned);
        record.updated_at_ms = bumped(record.updated_at_ms, now_ms);
        Ok(())
    }
}

/// A new `updated_at_ms`: `now_ms`, or one past the old value if the clock did not
/// move, so every change gives a new version.
pub(crate) fn bumped(old: i64, now_ms: i64) -> i64 {
    now_ms.max(old.saturating_add(1))
}

fn scoped(name: &str, prefix: &str) -> bool {
    name.starts_with(prefix)
}

#[async_trait]
impl Connections for MemoryStore {
    async fn connection_insert(
        &self,
        record: &ConnectionRecord,
        secrets: &[SecretEntry],
    ) -> StoreResult<()> {
        let mut inner = self.lock().await;
        let tables = &mut inner.connections;
        if tables
            .records
            .get(&record.id)
            .is_some_and(|old| old.state != ConnectionState::Removed)
        {
            return Err(StoreError::Conflict(format!(
                "connection {} exists",
                record.id
            )));
        }
        tables.secrets.retain(|(id, _), _| id != &record.id);
        tables.outages.retain(|(id, _), _| id != &record.id);
        tables.records.insert(record.id.clone(), record.clone());
        for entry in secrets {
            tables
                .secrets
                .insert((record.id.clone(), entry.name.clone()), entry.clone());
        }
        Ok(())
    }

    async fn connection_get(&self, id: &ConnectionId) -> StoreResult<Option<ConnectionRecord>> {
        Ok(self.lock().await.connections.records.get(id).cloned())
    }

    async fn connection_list(&self) -> StoreResult<Vec<ConnectionRecord>> {
        Ok(self
            .lock()
            .await
            .connections
            .records
            .values()
            .cloned()
            .collect())
    }

    async fn connection_set_config(
        &self,
        id: &ConnectionId,
        config: &ConnectionConfig,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut inner = self.lock().await;
        let record = inner.connections.record(id)?;
        record.config = config.clone();
        record.updated_at_ms = bumped(record.updated_at_ms, now_ms);
        Ok(())
    }

    async fn connection_set_state(
        &self,
        id: &ConnectionId,
        state: ConnectionState,
        reason: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.lock()
            .await
            .connections
            .set_state(id, state, reason, now_ms)
    }

    async fn connection_secrets(&self, id: &ConnectionId) -> StoreResult<Vec<SecretEntry>> {
        let inner = self.lock().await;
        Ok(inner
            .connections
            .secrets
            .iter()
            .filter(|((owner, _), _)| owner == id)
            .map(|(_, entry)| entry.clone())
            .collect())
    }

    async fn connection_put_secrets(
        &self,
        id: &ConnectionId,
        put: &[SecretEntry],
        delete: &[String],
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut inner = self.lock().await;
        let tables = &mut inner.connections;
        let record = tables.record(id)?;
        record.updated_at_ms = bumped(record.updated_at_ms, now_ms);
        for name in delete {
            tables.secrets.remove(&(id.clone(), name.clone()));
        }
        for entry in put {
            tables
                .secrets
                .insert((id.clone(), entry.name.clone()), entry.clone());
        }
        Ok(())
    }

    async fn connection_remove(
        &self,
        id: &ConnectionId,
        ledger: LedgerErasure,
        now_ms: i64,
    ) -> StoreResult<Removal> {
        let mut guard = self.lock().await;
        let inner: &mut Inner = &mut guard;
        inner.connections.record(id)?;
        let prefix = id.scope_prefix();
        let mut removal = Removal::default();
        let before = inner.connections.secrets.len();
        inner
            .connections
            .secrets
            .retain(|(owner, _), _| owner != id);
        removal.secrets = (before - inner.connections.secrets.len()) as u64;
        inner
            .connections
            .outages
            .retain(|(owner, _), _| owner != id);
        let before = inner.inbox.len();
        inner
            .inbox
            .retain(|_, entry| !scoped(&entry.item.source, &prefix));
        removal.inbox = (before - inner.inbox.len()) as u64;
        let before = inner.cursors.len() + inner.job_states.len();
        inner.cursors.retain(|name, _| !scoped(name, &prefix));
        inner
            .job_states
            .retain(|(ats, _), _| !scoped(ats.as_str(), &prefix));
        removal.cursors = (before - inner.cursors.len() - inner.job_states.len()) as u64;
        match ledger {
            LedgerErasure::Erase => {
                let before = inner.rows.len() + inner.screenings.len();
                inner
                    .rows
                    .retain(|key, _| !scoped(key.ats.as_str(), &prefix));
                inner
                    .screenings
                    .retain(|key, _| !scoped(key.ats.as_str(), &prefix));
                removal.ledger_rows = (before - inner.rows.len() - inner.screenings.len()) as u64;
            }
            LedgerErasure::KeepIds => {
                for row in inner
                    .rows
                    .values_mut()
                    .filter(|row| scoped(row.key.ats.as_str(), &prefix))
                {
                    row.last_error = None;
                    removal.ledger_rows += 1;
                }
                for row in inner
                    .screenings
                    .values_mut()
                    .filter(|row| scoped(row.key.ats.as_str(), &prefix))
                {
                    row.last_error = None;
                    removal.ledger_rows += 1;
                }
            }
        }
        let record = inner.connections.record(id)?;
        record.state = ConnectionState::Removed;
        record.state_reason = None;
        record.updated_at_ms = bumped(record.updated_at_ms, now_ms);
        Ok(removal)
    }

    async fn secret_lock(&self, id: &ConnectionId, name: &str) -> StoreResult<Box<dyn SecretLock>> {
        let held = self.secret_lock.clone().lock_owned().await;
        let current = self
            .lock()
            .await
            .connections
            .secrets
            .get(&(id.clone(), name.to_owned()))
            .cloned();
        Ok(Box::new(MemorySecretLock {
            _held: held,
            inner: self.inner.clone(),
            id: id.clone(),
            current,
        }))
    }

    async fn credential_outage_put(&self, outage: &StoredOutage) -> StoreResult<()> {
        let mut inner = self.lock().await;
        let tables = &mut inner.connections;
        if tables
            .records
            .get(&outage.connection)
            .is_none_or(|record| record.state == ConnectionState::Removed)
        {
            return Err(StoreError::NotFound(format!(
                "connection {}",
                outage.connection
            )));
        }
        let key = (outage.connection.clone(), outage.credential.clone());
        match tables.outages.get_mut(&key) {
            Some(stored) => merge_outage(stored, outage),
            None => {
                tables.outages.insert(key, outage.clone());
            }
        }
        Ok(())
    }

    async fn credential_outage_end(
        &self,
        id: &ConnectionId,
        credential: Option<&str>,
    ) -> StoreResult<u64> {
        let mut inner = self.lock().await;
        let outages = &mut inner.connections.outages;
        let before = outages.len();
        outages.retain(|(owner, name), _| {
            owner != id || credential.is_some_and(|credential| credential != name)
        });
        Ok((before - outages.len()) as u64)
    }

    async fn credential_outages(
        &self,
        id: Option<&ConnectionId>,
    ) -> StoreResult<Vec<StoredOutage>> {
        let inner = self.lock().await;
        Ok(inner
            .connections
            .outages
            .values()
            .filter(|outage| id.is_none_or(|id| &outage.connection == id))
            .cloned()
            .collect())
    }
}

/// `new` written over `stored`: the earlier start, the later refusal (with its
/// reason), the larger count (two replicas count their own refusals).
fn merge_outage(stored: &mut StoredOutage, new: &StoredOutage) {
    stored.since_ms = stored.since_ms.min(new.since_ms);
    if new.last_refusal_ms >= stored.last_refusal_ms {
        stored.last_refusal_ms = new.last_refusal_ms;
        stored.reason = new.reason.clone();
    }
    stored.refusals = stored.refusals.max(new.refusals);
}

/// A secret locked in the memory store.
struct MemorySecretLock {
    _held: OwnedMutexGuard<()>,
    inner: Arc<Mutex<Inner>>,
    id: ConnectionId,
    current: Option<SecretEntry>,
}

#[async_trait]
impl SecretLock for MemorySecretLock {
    fn current(&self) -> Option<&SecretEntry> {
        self.current.as_ref()
    }

    async fn replace(self: Box<Self>, entry: SecretEntry, _now_ms: i64) -> StoreResult<()> {
        let mut inner = self.inner.lock().await;
        inner.connections.record(&self.id)?;
        inner
            .connections
            .secrets
            .insert((self.id.clone(), entry.name.clone()), entry);
        Ok(())
    }

    async fn set_state(
        self: Box<Self>,
        state: ConnectionState,
        reason: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        let mut inner = self.inner.lock().await;
        inner
            .connections
            .set_state(&self.id, state, Some(reason), now_ms)
    }

    async fn release(self: Box<Self>) -> StoreResult<()> {
        Ok(())
    }
}
