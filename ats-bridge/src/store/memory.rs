//! The in-memory store, for tests and single-process experiments. Nothing survives
//! the process.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::{Mutex, MutexGuard};

use super::backend::{LedgerBackend, LedgerChange, LedgerTx};
use super::ledger;
use super::{
    Fence, Inbox, InboxBacklog, InboxItem, Lease, LedgerKey, LedgerRow, NewDelivery,
    ReconcilerState, ScreeningKey, ScreeningRow, StatusReport, StoreError, StoreResult,
};
mod connections;

use crate::model::{ApplicationId, AtsName, CandidateId, JobId, JobState, ParticipantKey};

/// A [`super::Store`] in a mutex. Same semantics as the database backends.
#[derive(Debug, Default)]
pub struct MemoryStore {
    // An async mutex: the ledger's shared flows (`backend`) are async, and hold
    // the lock from load to save like a database transaction.
    // In an `Arc` so a connection secret's lock (`connections`) can outlive the borrow.
    inner: Arc<Mutex<Inner>>,
    /// Held by each [`crate::connection::SecretLock`]: one at a time, like a row lock.
    secret_lock: Arc<Mutex<()>>,
}

#[derive(Debug, Default)]
struct Inner {
    rows: BTreeMap<LedgerKey, LedgerRow>,
    /// By id, so claims go oldest first.
    inbox: BTreeMap<i64, InboxEntry>,
    /// The last inbox id handed out (ids are never reused, even after a prune).
    last_inbox_id: i64,
    cursors: BTreeMap<String, String>,
    job_states: BTreeMap<(AtsName, JobId), JobState>,
    screenings: BTreeMap<ScreeningKey, ScreeningRow>,
    history_start_ms: Option<i64>,
    /// The connection tables (`connections`).
    connections: connections::Tables,
}

#[derive(Debug)]
struct InboxEntry {
    item: InboxItem,
    received_at_ms: i64,
    processed_at_ms: Option<i64>,
    next_attempt_at_ms: Option<i64>,
    lease_until_ms: Option<i64>,
}

impl InboxEntry {
    /// Whether a claim at `now_ms` may take it: unprocessed, due, not leased.
    fn claimable(&self, now_ms: i64) -> bool {
        self.processed_at_ms.is_none()
            && self.next_attempt_at_ms.is_none_or(|at| at <= now_ms)
            && self.lease_until_ms.is_none_or(|until| until <= now_ms)
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    async fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().await
    }

    /// The item `id`, if the caller's claim (`fence`) is still its latest.
    fn held_inbox_entry(inner: &mut Inner, id: i64, fence: Fence) -> StoreResult<&mut InboxEntry> {
        let entry = inner
            .inbox
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("inbox item {id}")))?;
        if entry.item.fence != fence {
            return Err(StoreError::Fenced(format!(
                "inbox item {id} is held under fence {}, not {fence}",
                entry.item.fence
            )));
        }
        Ok(entry)
    }

    /// Release delivery `id` held under `fence` until `next_attempt_at_ms`, counting
    /// the attempt or not. (Nothing here shows inbox errors to operators, so their
    /// text is not kept.)
    async fn reschedule_inbox(
        &self,
        id: i64,
        fence: Fence,
        next_attempt_at_ms: i64,
        count: ledger::Count,
    ) -> StoreResult<()> {
        let mut inner = self.lock().await;
        let entry = Self::held_inbox_entry(&mut inner, id, fence)?;
        if count == ledger::Count::Attempt {
            entry.item.attempts = entry.item.attempts.saturating_add(1);
        }
        entry.next_attempt_at_ms = Some(next_attempt_at_ms);
        entry.lease_until_ms = None;
        Ok(())
    }

    /// Deliveries of `scope` ("" for every source) that [`Inbox::inbox_claim`] could
    /// take now, oldest first, leased to `lease`.
    async fn claim_inbox(&self, scope: &str, lease: &Lease, limit: usize) -> Vec<InboxItem> {
        let now_ms = lease.now_ms;
        let mut inner = self.lock().await;
        let claimable = inner
            .inbox
            .values_mut()
            .filter(|entry| entry.item.source.starts_with(scope) && entry.claimable(now_ms));
        claimable
            .take(limit)
            .map(|entry| {
                entry.lease_until_ms = Some(lease.until_ms());
                entry.item.fence = entry.item.fence.next();
                entry.item.clone()
            })
            .collect()
    }

    /// [`Inbox::inbox_backlog`] of the deliveries of `scope` ("" for every source).
    async fn backlog(&self, scope: &str) -> InboxBacklog {
        let inner = self.lock().await;
        let pending = inner.inbox.values().filter(|entry| {
            entry.processed_at_ms.is_none() && entry.item.source.starts_with(scope)
        });
        let (count, oldest) = pending.fold((0, None::<i64>), |(count, oldest), entry| {
            let at = entry.received_at_ms;
            (count + 1, Some(oldest.map_or(at, |o| o.min(at))))
        });
        InboxBacklog::new(count, oldest)
    }

    /// [`Ledger::rows_due`](super::Ledger::rows_due) of the rows of `scope` ("" for
    /// every row).
    async fn due(&self, scope: &str, now_ms: i64, limit: usize) -> Vec<LedgerRow> {
        self.select(
            |row| row.key.ats.as_str().starts_with(scope) && ledger::is_due(row, now_ms),
            |row| {
                (
                    row.next_attempt_at_ms.unwrap_or(i64::MIN),
                    row.updated_at_ms,
                )
            },
            limit,
        )
        .await
    }

    /// [`Ledger::stale_invites`](super::Ledger::stale_invites) of the rows of `scope`
    /// ("" for every row).
    async fn stale(&self, scope: &str, invited_before_ms: i64, limit: usize) -> Vec<LedgerRow> {
        self.select(
            |row| {
                row.key.ats.as_str().starts_with(scope)
                    && ledger::is_stale_invite(row, invited_before_ms)
            },
            |row| (row.updated_at_ms, 0),
            limit,
        )
        .await
    }

    async fn select(
        &self,
        filter: impl Fn(&LedgerRow) -> bool,
        order: impl Fn(&LedgerRow) -> (i64, i64),
        limit: usize,
    ) -> Vec<LedgerRow> {
        let mut rows: Vec<LedgerRow> = self
            .lock()
            .await
            .rows
            .values()
            .filter(|row| filter(row))
            .cloned()
            .collect();
        rows.sort_by_key(|row| order(row));
        rows.truncate(limit);
        rows
    }
}

/// The lock is the atomic unit: nothing else runs between load and save.
impl LedgerTx for Inner {
    async fn lock_person(&mut self, _: &LedgerKey, _: &CandidateId) -> StoreResult<()> {
        Ok(())
    }

    async fn insert_if_absent(&mut self, row: &LedgerRow) -> StoreResult<bool> {
        if self.rows.contains_key(&row.key) {
            return Ok(false);
        }
        self.rows.insert(row.key.clone(), row.clone());
        Ok(true)
    }

    async fn load_for_update(&mut self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>> {
        Ok(self.rows.get(key).cloned())
    }

    async fn siblings(
        &mut self,
        key: &LedgerKey,
        candidate: &CandidateId,
    ) -> StoreResult<Vec<LedgerRow>> {
        Ok(self
            .rows
            .values()
            .filter(|row| ledger::is_sibling(row, key, candidate))
            .cloned()
            .collect())
    }

    async fn candidate_rows_for_update(
        &mut self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> StoreResult<Vec<LedgerRow>> {
        Ok(self
            .rows
            .values()
            .filter(|row| &row.key.ats == ats && &row.candidate == candidate)
            .cloned()
            .collect())
    }

    async fn save(&mut self, row: &LedgerRow) -> StoreResult<()> {
        self.rows.insert(row.key.clone(), row.clone());
        Ok(())
    }

    async fn insert_screening_if_absent(&mut self, row: &ScreeningRow) -> StoreResult<bool> {
        if self.screenings.contains_key(&row.key) {
            return Ok(false);
        }
        self.screenings.insert(row.key.clone(), row.clone());
        Ok(true)
    }

    async fn load_screening_for_update(
        &mut self,
        key: &ScreeningKey,
    ) -> StoreResult<Option<ScreeningRow>> {
        Ok(self.screenings.get(key).cloned())
    }

    async fn save_screening(&mut self, row: &ScreeningRow) -> StoreResult<()> {
        self.screenings.insert(row.key.clone(), row.clone());
        Ok(())
    }

    async fn forget_deliveries(
        &mut self,
        participant: &ParticipantKey,
        ats: &AtsName,
        candidate: &CandidateId,
        now_ms: i64,
    ) -> StoreResult<()> {
        let shared = self.rows.values().any(|row| {
            !(&row.key.ats == ats && &row.candidate == candidate)
                && row.participant.as_ref() == Some(participant)
        });
        if !shared {
            let needle = participant.as_str().as_bytes();
            self.inbox.retain(|_, entry| {
                let in_flight = entry.lease_until_ms.is_some_and(|until| until > now_ms);
                in_flight || !contains(&entry.item.payload, needle)
            });
        }
        Ok(())
    }
}

/// The lock is the unit: a change applies from load to save with no one in between.
impl LedgerBackend for MemoryStore {
    async fn transact<T: Send + 'static>(&self, change: LedgerChange<T>) -> StoreResult<T> {
        change.apply(&mut *self.lock().await).await
    }

    async fn row(&self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>> {
        Ok(self.lock().await.rows.get(key).cloned())
    }

    async fn rows_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Vec<LedgerRow>> {
        // Stable over key order: oldest first, then by key.
        Ok(self
            .select(
                |row| row.participant.as_ref() == Some(participant),
                |row| (row.created_at_ms, 0),
                usize::MAX,
            )
            .await)
    }

    async fn rows_of_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> StoreResult<Vec<LedgerRow>> {
        let inner = self.lock().await;
        let rows = inner.rows.values();
        Ok(rows
            .filter(|row| &row.key.ats == ats && &row.candidate == candidate)
            .cloned()
            .collect())
    }

    async fn rows_of_application(
        &self,
        ats: &AtsName,
        application: &ApplicationId,
    ) -> StoreResult<Vec<LedgerRow>> {
        let inner = self.lock().await;
        let rows = inner.rows.values();
        Ok(rows
            .filter(|row| &row.key.ats == ats && &row.key.application == application)
            .cloned()
            .collect())
    }

    async fn find_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Option<LedgerRow>> {
        Ok(self
            .lock()
            .await
            .rows
            .values()
            .find(|row| row.participant.as_ref() == Some(participant))
            .cloned())
    }

    async fn rows_due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<LedgerRow>> {
        Ok(self.due("", now_ms, limit).await)
    }

    async fn stale_invites(
        &self,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        Ok(self.stale("", invited_before_ms, limit).await)
    }

    async fn status(&self) -> StoreResult<StatusReport> {
        Ok(StatusReport::from_rows(self.lock().await.rows.values()))
    }

    async fn rows_due_scoped(
        &self,
        scope: &str,
        now_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        Ok(self.due(scope, now_ms, limit).await)
    }

    async fn rows_due_by_scope(&self, now_ms: i64) -> StoreResult<BTreeMap<String, u64>> {
        let inner = self.lock().await;
        let due = inner
            .rows
            .values()
            .filter(|row| ledger::is_due(row, now_ms));
        Ok(count_by_scope(due.map(|row| row.key.ats.as_str())))
    }

    async fn stale_invites_scoped(
        &self,
        scope: &str,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        Ok(self.stale(scope, invited_before_ms, limit).await)
    }

    async fn status_scoped(&self, scope: &str) -> StoreResult<StatusReport> {
        let inner = self.lock().await;
        let rows = inner.rows.values();
        Ok(StatusReport::from_rows(
            rows.filter(|row| row.key.ats.as_str().starts_with(scope)),
        ))
    }

    async fn screening(&self, key: &ScreeningKey) -> StoreResult<Option<ScreeningRow>> {
        Ok(self.lock().await.screenings.get(key).cloned())
    }
}

#[async_trait]
impl Inbox for MemoryStore {
    async fn inbox_insert(&self, delivery: &NewDelivery<'_>, now_ms: i64) -> StoreResult<bool> {
        let mut inner = self.lock().await;
        let known = inner.inbox.values().any(|entry| {
            entry.item.source == delivery.source && entry.item.dedupe_key == delivery.dedupe_key
        });
        if known {
            return Ok(false);
        }
        inner.last_inbox_id += 1;
        let id = inner.last_inbox_id;
        inner.inbox.insert(
            id,
            InboxEntry {
                item: InboxItem {
                    id,
                    source: delivery.source.to_owned(),
                    dedupe_key: delivery.dedupe_key.to_owned(),
                    event: delivery.event.map(str::to_owned),
                    payload: delivery.payload.to_vec(),
                    attempts: 0,
                    fence: Fence::default(),
                },
                received_at_ms: now_ms,
                processed_at_ms: None,
                next_attempt_at_ms: None,
                lease_until_ms: None,
            },
        );
        Ok(true)
    }

    async fn inbox_claim(&self, lease: &Lease, limit: usize) -> StoreResult<Vec<InboxItem>> {
        Ok(self.claim_inbox("", lease, limit).await)
    }

    async fn inbox_done(&self, id: i64, fence: Fence, now_ms: i64) -> StoreResult<()> {
        let mut inner = self.lock().await;
        let entry = Self::held_inbox_entry(&mut inner, id, fence)?;
        entry.processed_at_ms = Some(now_ms);
        entry.lease_until_ms = None;
        Ok(())
    }

    async fn inbox_retry(
        &self,
        id: i64,
        fence: Fence,
        _error: &str,
        next_attempt_at_ms: i64,
    ) -> StoreResult<()> {
        self.reschedule_inbox(id, fence, next_attempt_at_ms, ledger::Count::Attempt)
            .await
    }

    async fn inbox_park(
        &self,
        id: i64,
        fence: Fence,
        _error: &str,
        next_attempt_at_ms: i64,
    ) -> StoreResult<()> {
        self.reschedule_inbox(id, fence, next_attempt_at_ms, ledger::Count::Parked)
            .await
    }

    async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64> {
        let mut inner = self.lock().await;
        let before = inner.inbox.len();
        inner.inbox.retain(|_, entry| {
            entry
                .processed_at_ms
                .is_none_or(|at| at >= processed_before_ms)
        });
        Ok((before - inner.inbox.len()) as u64)
    }

    async fn inbox_backlog(&self) -> StoreResult<InboxBacklog> {
        Ok(self.backlog("").await)
    }

    async fn inbox_claim_scoped(
        &self,
        scope: &str,
        lease: &Lease,
        limit: usize,
    ) -> StoreResult<Vec<InboxItem>> {
        Ok(self.claim_inbox(scope, lease, limit).await)
    }

    async fn inbox_ready_by_scope(&self, now_ms: i64) -> StoreResult<BTreeMap<String, u64>> {
        let inner = self.lock().await;
        let ready = inner.inbox.values().filter(|entry| entry.claimable(now_ms));
        Ok(count_by_scope(
            ready.map(|entry| entry.item.source.as_str()),
        ))
    }

    async fn inbox_backlog_scoped(&self, scope: &str) -> StoreResult<InboxBacklog> {
        Ok(self.backlog(scope).await)
    }
}

#[async_trait]
impl ReconcilerState for MemoryStore {
    async fn cursor_get(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(self.lock().await.cursors.get(name).cloned())
    }

    async fn cursor_set(&self, name: &str, value: &str, _now_ms: i64) -> StoreResult<()> {
        self.lock()
            .await
            .cursors
            .insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    async fn job_state(&self, ats: &AtsName, job: &JobId) -> StoreResult<Option<JobState>> {
        let key = (ats.clone(), job.clone());
        Ok(self.lock().await.job_states.get(&key).cloned())
    }

    async fn set_job_state(
        &self,
        ats: &AtsName,
        job: &JobId,
        state: &JobState,
        _now_ms: i64,
    ) -> StoreResult<()> {
        let key = (ats.clone(), job.clone());
        self.lock().await.job_states.insert(key, state.clone());
        Ok(())
    }

    async fn history_start(&self, now_ms: i64) -> StoreResult<i64> {
        Ok(*self.lock().await.history_start_ms.get_or_insert(now_ms))
    }

    async fn restart_history(&self, now_ms: i64) -> StoreResult<()> {
        self.lock().await.history_start_ms = Some(now_ms);
        Ok(())
    }
}

/// How many of `names` each connection has: keyed by the text before the first `/`
/// (names without one belong to no connection and are left out).
fn count_by_scope<'a>(names: impl Iterator<Item = &'a str>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::<&str, u64>::new();
    for (scope, _) in names.filter_map(|name| name.split_once('/')) {
        *counts.entry(scope).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(scope, n)| (scope.to_owned(), n))
        .collect()
}

/// Whether `needle` (not empty) occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}
