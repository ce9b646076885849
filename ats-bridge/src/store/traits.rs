//! The store's jobs, one trait each: the [`Ledger`], the [`Inbox`] and the
//! [`ReconcilerState`]. A backend implements all three and is then a [`Store`].
//!
//! Every method that changes something takes the caller's time. Transitions not
//! allowed from a row's state fail with [`StoreError::Conflict`]; unknown rows or
//! items with [`StoreError::NotFound`].

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::{
    Claim, InboxBacklog, InboxItem, InviteClaim, Lease, LedgerKey, LedgerRow, NewDelivery,
    StatusReport, StoreResult, Stores,
};
#[cfg(doc)]
use super::{RowState, StoreError};
use crate::model::{ApplicationRef, AtsName, CandidateId, JobId, JobState, ParticipantKey};

/// The ledger: one row per (ATS, application, interview), its claims and transitions.
#[async_trait]
pub trait Ledger: Send + Sync + fmt::Debug {
    /// Create the row as [`RowState::Pending`] if absent, then take `lease` if the row
    /// is pending, not leased and due.
    ///
    /// [`Claim::Fresh`] when this call created the row and no other application of the
    /// same candidate (same ATS) has a row for the same interview; [`Claim::Busy`]
    /// while another such application's invite is in flight (pending under a live
    /// lease): one invite per person and interview at a time, across workers.
    /// [`Claim::Settled`] when the row is past pending (including cancelled/failed).
    async fn claim_invite(&self, invite: &InviteClaim, lease: &Lease) -> StoreResult<Claim>;

    /// The invite was sent: pending → invited with its participant; lease, attempts
    /// and error cleared. Conflict unless the row is pending.
    async fn record_invited(
        &self,
        key: &LedgerKey,
        participant: &ParticipantKey,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// The row with `key`, if any.
    async fn row(&self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>>;

    /// Every row whose invite found or created `participant`: one person who applied
    /// to several jobs sending the same interview is one Willo participant for all
    /// of those applications. Oldest first.
    async fn rows_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Vec<LedgerRow>>;

    /// The row whose invite created `participant`.
    async fn find_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Option<LedgerRow>>;

    /// The candidate answered: invited → responded, with attempts, retry time and
    /// error cleared (they belonged to waiting for the answer). Already responded or
    /// synced: no change. Conflict from other states.
    async fn mark_responded(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()>;

    /// Take `lease` to write the outcome tagged `outcome_tag` to the ATS. Claimable
    /// rows are invited, responded, or synced with a *different* outcome (a later
    /// decision is written once more). [`Claim::Settled`] when `outcome_tag` is already
    /// written, or the row is cancelled/failed. Conflict for a pending row (no invite).
    /// [`Claim::Fresh`] when no worker held the row since its last successful step
    /// and no attempt failed since.
    async fn claim_sync(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        lease: &Lease,
    ) -> StoreResult<Claim>;

    /// The outcome was written: → synced with `outcome_tag`; lease, attempts and error
    /// cleared. Conflict unless invited, responded or synced.
    async fn record_synced(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// A retryable error: attempts + 1, the error, not before `next_attempt_at_ms`,
    /// lease released; the state is unchanged. Conflict for cancelled/failed rows.
    async fn record_retry(
        &self,
        key: &LedgerKey,
        error: &str,
        next_attempt_at_ms: i64,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// A permanent error: → failed with the reason, remembering the state it failed
    /// from; lease released. Conflict for cancelled rows.
    async fn record_failed(&self, key: &LedgerKey, error: &str, now_ms: i64) -> StoreResult<()>;

    /// Put a failed row back in the state it failed from, with no attempts and no
    /// retry delay; the last error stays (so the next claim is not fresh). Conflict
    /// unless failed.
    async fn redrive(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()>;

    /// The candidate was deleted: every row of theirs in `ats` that is not synced (or
    /// already cancelled) becomes cancelled, with its error text, lease, retry time and
    /// participant link erased. Synced rows are untouched. Returns how many changed.
    ///
    /// In the same transaction, received deliveries that name one of their Willo
    /// participants (of any of their rows, synced ones included) are deleted, processed
    /// or not: Willo deliveries can carry the person's name and e-mail, which must not
    /// outlive them until the inbox retention runs out. A participant that a row of
    /// another candidate shares (the same person as two candidates) keeps its
    /// deliveries, and so does a delivery under a live lease (a worker is on it; the
    /// retention removes it later). Payloads are matched on the key's text, which is
    /// safe for Willo's 32-hex keys: one cannot be part of another. (This is why the
    /// ledger and the inbox of one backend share a database.)
    async fn cancel_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
        now_ms: i64,
    ) -> StoreResult<u64>;

    /// Rows with work due at `now_ms` and no live lease, for the retry loop: pending
    /// and responded rows whose retry time is unset or reached, and invited or synced
    /// rows with a scheduled retry that is reached (a participant check, a later
    /// outcome's write-back). Oldest retry time first, at most `limit`.
    async fn rows_due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<LedgerRow>>;

    /// Invited rows with no retry scheduled, unchanged since before
    /// `invited_before_ms`, oldest first: the reconciler checks them against Willo
    /// once, then schedules any further checks as retries.
    async fn stale_invites(
        &self,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>>;

    /// Counts per state and per job, and the failed rows.
    async fn status(&self) -> StoreResult<StatusReport>;
}

/// Received webhook deliveries waiting to be processed.
#[async_trait]
pub trait Inbox: Send + Sync + fmt::Debug {
    /// Keep a received delivery unless `(source, dedupe_key)` is already there.
    /// Returns whether it was new.
    async fn inbox_insert(&self, delivery: &NewDelivery<'_>, now_ms: i64) -> StoreResult<bool>;

    /// Lease up to `limit` unprocessed, due and unleased deliveries to `lease.worker`,
    /// oldest first.
    async fn inbox_claim(&self, lease: &Lease, limit: usize) -> StoreResult<Vec<InboxItem>>;

    /// The delivery is processed; it is never claimed again.
    async fn inbox_done(&self, id: i64, now_ms: i64) -> StoreResult<()>;

    /// Processing failed: attempts + 1, the error, not before `next_attempt_at_ms`,
    /// lease released.
    async fn inbox_retry(&self, id: i64, error: &str, next_attempt_at_ms: i64) -> StoreResult<()>;

    /// Delete the deliveries processed before `processed_before_ms` (never unprocessed
    /// ones), so received payloads are not kept for ever; returns how many. A delivery
    /// repeated after it was pruned is stored as new, and the ledger's claims still
    /// keep it from acting twice.
    async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64>;

    /// How many deliveries are not processed yet and when the oldest arrived: for
    /// monitoring (a growing backlog, a stuck engine). Cheap enough for a timer, but
    /// not meant to be called per request.
    async fn inbox_backlog(&self) -> StoreResult<InboxBacklog>;
}

/// What the reconciler and the engine keep between passes, each in its own table.
#[async_trait]
pub trait ReconcilerState: Send + Sync + fmt::Debug {
    /// A reconciler cursor: where its last pass over `name` stopped.
    async fn cursor_get(&self, name: &str) -> StoreResult<Option<String>>;

    /// Save a reconciler cursor.
    async fn cursor_set(&self, name: &str, value: &str, now_ms: i64) -> StoreResult<()>;

    /// The state `ats` last reported for `job`, if it reported one.
    async fn job_state(&self, ats: &AtsName, job: &JobId) -> StoreResult<Option<JobState>>;

    /// Remember the state `ats` reported for `job`.
    async fn set_job_state(
        &self,
        ats: &AtsName,
        job: &JobId,
        state: &JobState,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// The application created in the ATS for the screening row `key`, if any.
    async fn screening_application(&self, key: &LedgerKey) -> StoreResult<Option<ApplicationRef>>;

    /// Remember the application created for the screening row `key`, so a retry after
    /// a crash reuses it instead of creating a second one.
    async fn set_screening_application(
        &self,
        key: &LedgerKey,
        application: &ApplicationRef,
        now_ms: i64,
    ) -> StoreResult<()>;
}

/// A backend that does every job: what embedders usually pass around.
///
/// Implemented for every type that implements the three traits; turn it into the
/// engine's [`Stores`] with `Stores::from`.
pub trait Store: Ledger + Inbox + ReconcilerState {
    /// The three parts, each an `Arc` of this backend.
    fn into_stores(self: Arc<Self>) -> Stores;
}

impl<T: Ledger + Inbox + ReconcilerState + 'static> Store for T {
    fn into_stores(self: Arc<Self>) -> Stores {
        Stores {
            ledger: self.clone(),
            inbox: self.clone(),
            state: self,
        }
    }
}
