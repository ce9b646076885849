//! The store's connection tables: [`Connections`], implemented by the memory store and
//! both SQL stores, checked by `ats_testkit::store::run_connection_suite`.
//!
//! The store sees secrets only sealed ([`SecretEntry`]); sealing and opening happen in
//! [`super::ConnectionManager`]. A connection's rows in the shared tables (inbox
//! sources, cursors, job states, ledger and screening ATS names) carry its scope
//! prefix (`{id}/`, [`ConnectionId::scope`]), which is how removal finds them.

use std::fmt;

use async_trait::async_trait;

use super::{ConnectionConfig, ConnectionId, ConnectionRecord, ConnectionState, Sealed};
use crate::store::{StoreError, StoreResult};

/// One sealed secret of a connection, by name (`willo/api_key`,
/// `ats/lever/grant`…, see [`super::secret_names`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretEntry {
    /// The secret's name within its connection.
    pub name: String,
    /// The sealed value.
    pub sealed: Sealed,
    /// For an OAuth grant: when its access token expires (epoch ms), kept in the clear
    /// so a replica can tell a fresh token without opening it.
    pub expires_at_ms: Option<i64>,
}

impl SecretEntry {
    /// An entry without expiry.
    pub fn new(name: impl Into<String>, sealed: Sealed) -> Self {
        Self {
            name: name.into(),
            sealed,
            expires_at_ms: None,
        }
    }
}

/// A credential of a connection that a vendor refuses (an API key answered 401/403),
/// as the store keeps it so every replica, and a process started later, sees it
/// ([`Connections::credential_outage_put`]). Never a secret: the reason is what the
/// vendor said, as the engine logs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOutage {
    /// The connection.
    pub connection: ConnectionId,
    /// Whose credential: `willo`, or the ATS account's name within the connection
    /// (`lever`), without the connection's prefix.
    pub credential: String,
    /// The first refusal (epoch ms).
    pub since_ms: i64,
    /// The last refusal written (epoch ms). Engines write it at most once per probe
    /// interval, not at every refusal.
    pub last_refusal_ms: i64,
    /// Refusals counted by the engine that wrote it last.
    pub refusals: u32,
    /// The last refusal, as the vendor said it.
    pub reason: String,
}

/// What removing a connection does with its ledger rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerErasure {
    /// Keep the rows' ids and states (what was sent to whom, for audits), dropping
    /// the free text (last errors).
    #[default]
    KeepIds,
    /// Delete the rows and screenings too.
    Erase,
}

/// What a removal erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Removal {
    /// Sealed secrets deleted.
    pub secrets: u64,
    /// Inbox deliveries deleted.
    pub inbox: u64,
    /// Cursors and job states deleted.
    pub cursors: u64,
    /// Ledger rows and screenings deleted ([`LedgerErasure::Erase`]) or stripped to
    /// ids ([`LedgerErasure::KeepIds`]).
    pub ledger_rows: u64,
}

/// The connections of a bridge, with their sealed secrets.
///
/// Missing connections are [`StoreError::NotFound`]; adding an id that exists (other
/// than as a removed tombstone) is [`StoreError::Conflict`].
#[async_trait]
pub trait Connections: Send + Sync + fmt::Debug {
    /// Add `record` with `secrets`, in one transaction. A removed connection's
    /// tombstone is replaced (and any credential outage left of it deleted).
    async fn connection_insert(
        &self,
        record: &ConnectionRecord,
        secrets: &[SecretEntry],
    ) -> StoreResult<()>;

    /// The connection `id`, if any (removed ones included).
    async fn connection_get(&self, id: &ConnectionId) -> StoreResult<Option<ConnectionRecord>>;

    /// Every connection (removed ones included), by id.
    async fn connection_list(&self) -> StoreResult<Vec<ConnectionRecord>>;

    /// Replace the settings of `id`.
    async fn connection_set_config(
        &self,
        id: &ConnectionId,
        config: &ConnectionConfig,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Move `id` to `state` with `reason`. [`StoreError::Conflict`] for a removed
    /// connection (add it again instead).
    async fn connection_set_state(
        &self,
        id: &ConnectionId,
        state: ConnectionState,
        reason: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// The sealed secrets of `id`, by name.
    async fn connection_secrets(&self, id: &ConnectionId) -> StoreResult<Vec<SecretEntry>>;

    /// Insert or replace `put` and delete the secrets named in `delete`, in one
    /// transaction.
    async fn connection_put_secrets(
        &self,
        id: &ConnectionId,
        put: &[SecretEntry],
        delete: &[String],
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Remove `id`: delete its secrets, credential outages, inbox deliveries, cursors
    /// and job states; strip or delete its ledger rows and screenings (`ledger`); leave
    /// a [`ConnectionState::Removed`] tombstone. One transaction.
    async fn connection_remove(
        &self,
        id: &ConnectionId,
        ledger: LedgerErasure,
        now_ms: i64,
    ) -> StoreResult<Removal>;

    /// Lock the secret `name` of `id` until the returned lock is finished, across every
    /// process sharing the store (PostgreSQL: `SELECT … FOR UPDATE`; SQLite: a write
    /// transaction; memory: a mutex), and read it under the lock. How OAuth refresh is
    /// single-flight across replicas ([`super::StoredGrantSource`]).
    async fn secret_lock(&self, id: &ConnectionId, name: &str) -> StoreResult<Box<dyn SecretLock>>;

    /// Record that a credential of `outage.connection` is refused, or refresh that
    /// record: one row per (connection, credential). An existing row keeps the
    /// earlier `since_ms` and the later `last_refusal_ms`, the larger `refusals`, and
    /// the reason of the later refusal. [`StoreError::NotFound`] unless the
    /// connection exists and is not removed.
    ///
    /// The outage methods serve a fleet's engines ([`super::Fleet`]); a store that
    /// leaves them out answers [`StoreError::Unsupported`], and outages are then
    /// known only to the engine that saw them.
    async fn credential_outage_put(&self, outage: &StoredOutage) -> StoreResult<()> {
        let _ = outage;
        Err(StoreError::Unsupported("credential_outage_put"))
    }

    /// The refused credential `credential` of `id` works again (or, for `None`, every
    /// credential of `id` was replaced): delete the record(s). Returns how many were
    /// deleted; a connection without any is not an error.
    async fn credential_outage_end(
        &self,
        id: &ConnectionId,
        credential: Option<&str>,
    ) -> StoreResult<u64> {
        let _ = (id, credential);
        Err(StoreError::Unsupported("credential_outage_end"))
    }

    /// The recorded outages of `id`, or of every connection for `None`, by connection
    /// then credential.
    async fn credential_outages(
        &self,
        id: Option<&ConnectionId>,
    ) -> StoreResult<Vec<StoredOutage>> {
        let _ = id;
        Err(StoreError::Unsupported("credential_outages"))
    }
}

/// One locked secret ([`Connections::secret_lock`]). Finish it with one of its methods;
/// dropping it releases the lock without a change.
#[async_trait]
pub trait SecretLock: Send {
    /// The secret as read under the lock (`None` if it does not exist).
    fn current(&self) -> Option<&SecretEntry>;

    /// Store `entry` in its place and release the lock.
    async fn replace(self: Box<Self>, entry: SecretEntry, now_ms: i64) -> StoreResult<()>;

    /// Move the connection to `state` (`NeedsCredentials` when the grant was refused)
    /// and release the lock.
    async fn set_state(
        self: Box<Self>,
        state: ConnectionState,
        reason: &str,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Release the lock without a change.
    async fn release(self: Box<Self>) -> StoreResult<()>;
}
