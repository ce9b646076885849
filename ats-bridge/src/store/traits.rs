//! The store's jobs, one trait each: the [`Ledger`], the [`Inbox`] and the
//! [`ReconcilerState`]. A backend implements all three and is then a [`Store`].
//!
//! Every method that changes something takes the caller's time. Transitions not
//! allowed from a row's state fail with [`StoreError::Conflict`]; unknown rows or
//! items with [`StoreError::NotFound`].
//!
//! Fencing: a method that names a [`Fence`] takes the token the caller's claim
//! returned (`claim.row().fence`, [`InboxItem::fence`]). When another claim was
//! granted since, the store changes nothing and answers [`StoreError::Fenced`].
//! Where the fence is an `Option`, `None` is a caller without a lease, refused while
//! someone else's lease is live.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

#[cfg(doc)]
use super::RowState;
use super::StoreError;
use super::{
    Claim, Fence, InboxBacklog, InboxItem, InviteClaim, Lease, LedgerKey, LedgerRow, NewDelivery,
    Recheck, ScreeningClaim, ScreeningKey, ScreeningRow, StatusReport, StoreResult, Stores,
    WrittenResults,
};
use crate::model::{
    ApplicationId, ApplicationRef, AtsName, CandidateId, JobId, JobState, ParticipantKey,
};

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
    /// and error cleared. Conflict unless the row is pending; [`StoreError::Fenced`]
    /// unless `fence` is the row's latest (another worker claimed the row since).
    async fn record_invited(
        &self,
        key: &LedgerKey,
        participant: &ParticipantKey,
        fence: Fence,
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

    /// Every row of `candidate` in `ats`, in key order (deletions read them to find
    /// the Willo participants to erase).
    async fn rows_of_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
    ) -> StoreResult<Vec<LedgerRow>>;

    /// Every row of `application` in `ats` (one per interview), in key order.
    async fn rows_of_application(
        &self,
        ats: &AtsName,
        application: &ApplicationId,
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
    /// cleared. Conflict unless invited, responded or synced; [`StoreError::Fenced`]
    /// unless `fence` is the row's latest.
    async fn record_synced(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Take `lease` to write a follow-up of late results whose fingerprint is
    /// `fingerprint` (see [`WrittenResults`]). Claimable rows are synced with a
    /// different stored fingerprint. [`Claim::Settled`] when `fingerprint` is already
    /// stored (the same content is never written twice), or the row is
    /// cancelled/failed; Conflict before the results were first written (pending,
    /// invited, responded). [`Claim::Fresh`] as for [`Ledger::claim_sync`].
    async fn claim_results_update(
        &self,
        key: &LedgerKey,
        fingerprint: &str,
        lease: &Lease,
    ) -> StoreResult<Claim>;

    /// Results were written (the first write-back, a later outcome, or a follow-up):
    /// → synced with `written.outcome_tag`, keeping its fingerprint, note id and
    /// late-results schedule where given; lease, attempts and error cleared. Conflict
    /// unless invited, responded or synced; [`StoreError::Fenced`] unless `fence` is
    /// the row's latest.
    async fn record_results_written(
        &self,
        key: &LedgerKey,
        written: &WrittenResults,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Plan the next late-results check of a synced row (`recheck.at_ms: None`: no
    /// more). For a caller without a lease: [`StoreError::Fenced`] while another
    /// worker's lease is live; Conflict unless synced.
    async fn schedule_recheck(
        &self,
        key: &LedgerKey,
        recheck: Recheck,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Set (or with `None` clear) the row's warning for operators: something that
    /// went wrong without stopping the workflow. Any state; no lease needed.
    async fn record_warning(
        &self,
        key: &LedgerKey,
        warning: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// A retryable error: attempts + 1, the error, not before `next_attempt_at_ms`,
    /// lease released; the state is unchanged. Conflict for cancelled/failed rows.
    /// `fence`: the caller's claim, or `None` for a caller without one (refused with
    /// [`StoreError::Fenced`] while another worker's lease is live).
    async fn record_retry(
        &self,
        key: &LedgerKey,
        error: &str,
        next_attempt_at_ms: i64,
        fence: Option<Fence>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Work that cannot succeed for now (the vendor refuses the credentials): like
    /// [`Ledger::record_retry`], but the attempts are not counted, so an outage of any
    /// length never exhausts them.
    async fn record_parked(
        &self,
        key: &LedgerKey,
        error: &str,
        next_attempt_at_ms: i64,
        fence: Option<Fence>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// A permanent error: → failed with the reason, remembering the state it failed
    /// from; lease released. Conflict for cancelled rows; `fence` as for
    /// [`Ledger::record_retry`].
    async fn record_failed(
        &self,
        key: &LedgerKey,
        error: &str,
        fence: Option<Fence>,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// Put a failed row back in the state it failed from, with no attempts and no
    /// retry delay; the last error stays (so the next claim is not fresh).
    ///
    /// A waiting row (pending, invited or responded with a time to be looked at
    /// again: a retry, a write-back held for a mandatory mapped field, a credential
    /// outage) is made due now, with no attempts, its state and reason kept; `Fenced`
    /// while a worker holds it. Conflict for any other row (synced, cancelled, or
    /// with nothing scheduled).
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
    /// outcome's write-back), and synced rows whose late-results check
    /// ([`LedgerRow::recheck_at_ms`]) is reached. Oldest retry time first, at most
    /// `limit`.
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

    /// [`Ledger::rows_due`] of one connection: rows whose ATS name starts with `scope`
    /// (a connection's `{id}/`, [`ConnectionId::scope_prefix`]), compared exactly
    /// (case-sensitive, no wildcards).
    ///
    /// The scoped methods serve a bridge running many connections on one store
    /// (`connection::Fleet`); a store for one account may leave them out
    /// (they then answer [`StoreError::Unsupported`]).
    ///
    /// [`ConnectionId::scope_prefix`]: crate::connection::ConnectionId::scope_prefix
    async fn rows_due_scoped(
        &self,
        scope: &str,
        now_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        let _ = (scope, now_ms, limit);
        Err(StoreError::Unsupported("rows_due_scoped"))
    }

    /// How many rows [`Ledger::rows_due`] would return at `now_ms`, per connection:
    /// keyed by the text before the first `/` of the rows' ATS names (rows whose ATS
    /// name has no `/` belong to no connection and are left out). The fleet asks
    /// this once per tick to know which connections have retries due.
    async fn rows_due_by_scope(&self, now_ms: i64) -> StoreResult<BTreeMap<String, u64>> {
        let _ = now_ms;
        Err(StoreError::Unsupported("rows_due_by_scope"))
    }

    /// [`Ledger::stale_invites`] of one connection (`scope` as in
    /// [`Ledger::rows_due_scoped`]).
    async fn stale_invites_scoped(
        &self,
        scope: &str,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        let _ = (scope, invited_before_ms, limit);
        Err(StoreError::Unsupported("stale_invites_scoped"))
    }

    /// [`Ledger::status`] of one connection (`scope` as in [`Ledger::rows_due_scoped`]).
    async fn status_scoped(&self, scope: &str) -> StoreResult<StatusReport> {
        let _ = scope;
        Err(StoreError::Unsupported("status_scoped"))
    }

    /// Record the intent to create the candidate of a screening (`screening`, on
    /// `job`) if it is not recorded yet, then take `lease` unless another worker
    /// holds a live one or the candidate exists already (see [`ScreeningClaim`]).
    async fn claim_screening(
        &self,
        screening: &ScreeningKey,
        job: &JobId,
        lease: &Lease,
    ) -> StoreResult<ScreeningClaim>;

    /// The screening's candidate was created as `created`: in one transaction, the
    /// screening remembers it (lease released) and the ledger gets the row of the new
    /// application for the screening interview, invited with the participant (kept
    /// if it exists). Returns that row. [`StoreError::Fenced`] unless `fence` is the
    /// screening's latest.
    async fn record_screened(
        &self,
        screening: &ScreeningKey,
        created: &ApplicationRef,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<LedgerRow>;

    /// An attempt to create the screening's candidate failed: attempts + 1, the
    /// reason, lease released. [`StoreError::Fenced`] unless `fence` is the latest.
    async fn record_screening_failed(
        &self,
        screening: &ScreeningKey,
        error: &str,
        fence: Fence,
        now_ms: i64,
    ) -> StoreResult<()>;

    /// The screening with `key`, if its intent was recorded.
    async fn screening(&self, key: &ScreeningKey) -> StoreResult<Option<ScreeningRow>>;
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

    /// The delivery is processed; it is never claimed again. [`StoreError::Fenced`]
    /// unless `fence` is the item's latest claim ([`InboxItem::fence`]): a worker
    /// paused past its lease must not mark done what another worker is processing.
    async fn inbox_done(&self, id: i64, fence: Fence, now_ms: i64) -> StoreResult<()>;

    /// Processing failed: attempts + 1, the error, not before `next_attempt_at_ms`,
    /// lease released. [`StoreError::Fenced`] unless `fence` is the item's latest.
    async fn inbox_retry(
        &self,
        id: i64,
        fence: Fence,
        error: &str,
        next_attempt_at_ms: i64,
    ) -> StoreResult<()>;

    /// Processing cannot succeed for now (a vendor refuses the credentials): like
    /// [`Inbox::inbox_retry`], but the attempt is not counted, so the delivery is
    /// never given up over an outage.
    async fn inbox_park(
        &self,
        id: i64,
        fence: Fence,
        error: &str,
        next_attempt_at_ms: i64,
    ) -> StoreResult<()>;

    /// Delete the deliveries processed before `processed_before_ms` (never unprocessed
    /// ones), so received payloads are not kept for ever; returns how many. A delivery
    /// repeated after it was pruned is stored as new, and the ledger's claims still
    /// keep it from acting twice.
    async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64>;

    /// How many deliveries are not processed yet and when the oldest arrived: for
    /// monitoring (a growing backlog, a stuck engine). Cheap enough for a timer, but
    /// not meant to be called per request.
    async fn inbox_backlog(&self) -> StoreResult<InboxBacklog>;

    /// [`Inbox::inbox_claim`] of one connection: only deliveries whose source starts
    /// with `scope` (a connection's `{id}/`, compared exactly), oldest first.
    ///
    /// The scoped methods serve a bridge running many connections on one store
    /// (`connection::Fleet`); a store for one account may leave them out
    /// (they then answer [`StoreError::Unsupported`]).
    async fn inbox_claim_scoped(
        &self,
        scope: &str,
        lease: &Lease,
        limit: usize,
    ) -> StoreResult<Vec<InboxItem>> {
        let _ = (scope, lease, limit);
        Err(StoreError::Unsupported("inbox_claim_scoped"))
    }

    /// How many deliveries [`Inbox::inbox_claim`] could take at `now_ms` (unprocessed,
    /// due, not under a live lease), per connection: keyed by the text before the
    /// first `/` of their source (sources without a `/` are left out). The fleet
    /// asks this to schedule fairly among the connections that have work.
    async fn inbox_ready_by_scope(&self, now_ms: i64) -> StoreResult<BTreeMap<String, u64>> {
        let _ = now_ms;
        Err(StoreError::Unsupported("inbox_ready_by_scope"))
    }

    /// [`Inbox::inbox_backlog`] of one connection (`scope` as in
    /// [`Inbox::inbox_claim_scoped`]).
    async fn inbox_backlog_scoped(&self, scope: &str) -> StoreResult<InboxBacklog> {
        let _ = scope;
        Err(StoreError::Unsupported("inbox_backlog_scoped"))
    }
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

    /// When the ledger's history starts (epoch ms): the first call on a new store
    /// records `now_ms`, later calls return what was recorded. Before that time the
    /// ledger cannot vouch that nothing was sent: a store that was lost (a container
    /// without a volume) or is new to an account the bridge already served starts
    /// empty, and the engine looks candidates up in Willo before first invites
    /// until its history is old enough (`EngineConfig::young_ledger_window`).
    async fn history_start(&self, now_ms: i64) -> StoreResult<i64>;

    /// Start the ledger's history again at `now_ms`: after restoring a backup, whose
    /// rows miss what was sent since it was taken.
    async fn restart_history(&self, now_ms: i64) -> StoreResult<()>;
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
