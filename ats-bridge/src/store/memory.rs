//! The in-memory store, for tests and single-process experiments. Nothing survives
//! the process.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::ledger::{self, change};
use super::{Claim, InboxItem, LedgerKey, LedgerRow, StatusReport, Store, StoreError, StoreResult};
use crate::model::{AtsName, CandidateId, JobId, ParticipantKey};

/// A [`Store`] in a mutex. Same semantics as the database backends.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    rows: BTreeMap<LedgerKey, LedgerRow>,
    /// By id, so claims go oldest first.
    inbox: BTreeMap<i64, InboxEntry>,
    /// The last inbox id handed out (ids are never reused, even after a prune).
    last_inbox_id: i64,
    cursors: BTreeMap<String, String>,
}

#[derive(Debug)]
struct InboxEntry {
    item: InboxItem,
    processed_at_ms: Option<i64>,
    next_attempt_at_ms: Option<i64>,
    lease_until_ms: Option<i64>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a row half-written (every change
        // is applied to a whole row), so a poisoned lock is still consistent.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Apply `change` to the row at `key`, keeping the old row if it fails.
    fn modify<T>(
        &self,
        key: &LedgerKey,
        change: impl FnOnce(&mut LedgerRow) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let mut inner = self.lock();
        let row = inner
            .rows
            .get_mut(key)
            .ok_or_else(|| StoreError::NotFound(format!("ledger row {key}")))?;
        let mut updated = row.clone();
        let out = change(&mut updated)?;
        *row = updated;
        Ok(out)
    }

    fn inbox_entry(inner: &mut Inner, id: i64) -> StoreResult<&mut InboxEntry> {
        inner
            .inbox
            .get_mut(&id)
            .ok_or_else(|| StoreError::NotFound(format!("inbox item {id}")))
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn claim_invite(
        &self,
        key: &LedgerKey,
        candidate: &CandidateId,
        job: &JobId,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<Claim> {
        let mut inner = self.lock();
        let siblings: Vec<LedgerRow> = inner
            .rows
            .values()
            .filter(|row| ledger::is_sibling(row, key, candidate))
            .cloned()
            .collect();
        let created = !inner.rows.contains_key(key);
        let row = inner
            .rows
            .entry(key.clone())
            .or_insert_with(|| ledger::new_row(key, candidate, job, now_ms));
        let decision = ledger::claim_invite(row, created, &siblings, worker, now_ms, lease_ms);
        Ok(decision.into_claim(row.clone()))
    }

    async fn record_invited(
        &self,
        key: &LedgerKey,
        participant: &ParticipantKey,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.modify(key, change::record_invited(participant, now_ms))
    }

    async fn row(&self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>> {
        Ok(self.lock().rows.get(key).cloned())
    }

    async fn rows_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Vec<LedgerRow>> {
        let mut rows: Vec<LedgerRow> = self
            .lock()
            .rows
            .values()
            .filter(|row| row.participant.as_ref() == Some(participant))
            .cloned()
            .collect();
        rows.sort_by(|a, b| (a.created_at_ms, &a.key).cmp(&(b.created_at_ms, &b.key)));
        Ok(rows)
    }

    async fn find_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Option<LedgerRow>> {
        Ok(self
            .lock()
            .rows
            .values()
            .find(|row| row.participant.as_ref() == Some(participant))
            .cloned())
    }

    async fn mark_responded(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()> {
        self.modify(key, change::mark_responded(now_ms))
    }

    async fn claim_sync(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<Claim> {
        self.modify(
            key,
            change::claim_sync(outcome_tag, worker, now_ms, lease_ms),
        )
    }

    async fn record_synced(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.modify(key, change::record_synced(outcome_tag, now_ms))
    }

    async fn record_retry(
        &self,
        key: &LedgerKey,
        error: &str,
        next_attempt_at_ms: i64,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.modify(key, change::record_retry(error, next_attempt_at_ms, now_ms))
    }

    async fn record_failed(&self, key: &LedgerKey, error: &str, now_ms: i64) -> StoreResult<()> {
        self.modify(key, change::record_failed(error, now_ms))
    }

    async fn redrive(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()> {
        self.modify(key, change::redrive(now_ms))
    }

    async fn cancel_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
        now_ms: i64,
    ) -> StoreResult<u64> {
        let mut inner = self.lock();
        let theirs = |row: &LedgerRow| &row.key.ats == ats && &row.candidate == candidate;
        let participants: BTreeSet<ParticipantKey> = inner
            .rows
            .values()
            .filter(|row| theirs(row))
            .filter_map(|row| row.participant.clone())
            .collect();
        for participant in participants {
            let shared = inner
                .rows
                .values()
                .any(|row| !theirs(row) && row.participant.as_ref() == Some(&participant));
            if !shared {
                let needle = participant.as_str().as_bytes();
                inner.inbox.retain(|_, entry| {
                    let in_flight = entry.lease_until_ms.is_some_and(|until| until > now_ms);
                    in_flight || !contains(&entry.item.payload, needle)
                });
            }
        }
        let changed = inner
            .rows
            .values_mut()
            .filter(|row| theirs(row))
            .map(|row| ledger::cancel(row, now_ms))
            .filter(|changed| *changed)
            .count();
        Ok(changed as u64)
    }

    async fn rows_due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<LedgerRow>> {
        let inner = self.lock();
        let mut due: Vec<LedgerRow> = inner
            .rows
            .values()
            .filter(|row| ledger::is_due(row, now_ms))
            .cloned()
            .collect();
        due.sort_by_key(|row| {
            (
                row.next_attempt_at_ms.unwrap_or(i64::MIN),
                row.updated_at_ms,
            )
        });
        due.truncate(limit);
        Ok(due)
    }

    async fn stale_invites(
        &self,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        let inner = self.lock();
        let mut stale: Vec<LedgerRow> = inner
            .rows
            .values()
            .filter(|row| ledger::is_stale_invite(row, invited_before_ms))
            .cloned()
            .collect();
        stale.sort_by_key(|row| row.updated_at_ms);
        stale.truncate(limit);
        Ok(stale)
    }

    async fn inbox_insert(
        &self,
        source: &str,
        dedupe_key: &str,
        payload: &[u8],
        _now_ms: i64,
    ) -> StoreResult<bool> {
        let mut inner = self.lock();
        let known = inner
            .inbox
            .values()
            .any(|entry| entry.item.source == source && entry.item.dedupe_key == dedupe_key);
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
                    source: source.to_owned(),
                    dedupe_key: dedupe_key.to_owned(),
                    payload: payload.to_vec(),
                    attempts: 0,
                },
                processed_at_ms: None,
                next_attempt_at_ms: None,
                lease_until_ms: None,
            },
        );
        Ok(true)
    }

    async fn inbox_claim(
        &self,
        _worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<InboxItem>> {
        let mut inner = self.lock();
        let claimable = inner.inbox.values_mut().filter(|entry| {
            entry.processed_at_ms.is_none()
                && entry.next_attempt_at_ms.is_none_or(|at| at <= now_ms)
                && entry.lease_until_ms.is_none_or(|until| until <= now_ms)
        });
        Ok(claimable
            .take(limit)
            .map(|entry| {
                entry.lease_until_ms = Some(now_ms.saturating_add(lease_ms));
                entry.item.clone()
            })
            .collect())
    }

    async fn inbox_done(&self, id: i64, now_ms: i64) -> StoreResult<()> {
        let mut inner = self.lock();
        let entry = Self::inbox_entry(&mut inner, id)?;
        entry.processed_at_ms = Some(now_ms);
        entry.lease_until_ms = None;
        Ok(())
    }

    async fn inbox_retry(&self, id: i64, _error: &str, next_attempt_at_ms: i64) -> StoreResult<()> {
        // Nothing here shows inbox errors to operators, so the text is not kept.
        let mut inner = self.lock();
        let entry = Self::inbox_entry(&mut inner, id)?;
        entry.item.attempts = entry.item.attempts.saturating_add(1);
        entry.next_attempt_at_ms = Some(next_attempt_at_ms);
        entry.lease_until_ms = None;
        Ok(())
    }

    async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64> {
        let mut inner = self.lock();
        let before = inner.inbox.len();
        inner.inbox.retain(|_, entry| {
            entry
                .processed_at_ms
                .is_none_or(|at| at >= processed_before_ms)
        });
        Ok((before - inner.inbox.len()) as u64)
    }

    async fn cursor_get(&self, name: &str) -> StoreResult<Option<String>> {
        Ok(self.lock().cursors.get(name).cloned())
    }

    async fn cursor_set(&self, name: &str, value: &str, _now_ms: i64) -> StoreResult<()> {
        self.lock()
            .cursors
            .insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    async fn status(&self) -> StoreResult<StatusReport> {
        Ok(StatusReport::from_rows(self.lock().rows.values()))
    }
}

/// Whether `needle` (not empty) occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}
