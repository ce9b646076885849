//! The ledger that makes the workflow happen exactly once, and survive restarts.
//!
//! One [`LedgerRow`] per (ATS, application, interview) records how far the workflow
//! got: `pending → invited → responded → synced`, or `cancelled` / `failed`. Work is
//! taken with a *claim*: a lease with an owner and an expiry, granted atomically, so
//! two workers (or two replicas sharing one database) never send the same invite or
//! write the same results twice. A crashed worker's lease simply expires.
//!
//! Beside the ledger the store keeps an inbox of received webhook events (deduplicated
//! on the sender's id) and the reconciler's cursors.
//!
//! Time is always passed in by the caller (`now_ms`, epoch milliseconds): the store
//! has no clock of its own, so its behaviour is deterministic and testable.
//!
//! Backends: [`MemoryStore`] (tests); with feature `sqlite`, [`SqliteStore`] (the
//! embedded default: one file, no server); with feature `postgres`, `PostgresStore`
//! (several replicas sharing one database, claims atomic across processes). Every
//! backend passes the same conformance suite, [`suite::run_store_suite`].
//!
//! # Example: send an invite exactly once
//!
//! ```
//! use ats_bridge::model::{CandidateId, JobId, ParticipantKey};
//! use ats_bridge::store::{Claim, LedgerKey, MemoryStore, Store};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ats_bridge::store::StoreError> {
//! let store = MemoryStore::new();
//! let key = LedgerKey::new("lever", "opportunity-1", "interview-1");
//! let (candidate, job) = (CandidateId::new("contact-1"), JobId::new("posting-1"));
//! let now_ms = 1_700_000_000_000;
//!
//! if let Claim::Fresh(_) = store
//!     .claim_invite(&key, &candidate, &job, "worker-a", now_ms, 60_000)
//!     .await?
//! {
//!     // ... the row is new: invite the candidate in Willo, then record it:
//!     store.record_invited(&key, &ParticipantKey::new("participant-1"), now_ms + 500).await?;
//! }
//! // A second delivery of the same event finds the work done.
//! let again = store.claim_invite(&key, &candidate, &job, "worker-b", now_ms + 1_000, 60_000).await?;
//! assert!(matches!(again, Claim::Settled(_)));
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;

use crate::model::{ApplicationId, AtsName, CandidateId, InterviewKey, JobId, ParticipantKey};

#[cfg(feature = "sqlite")]
mod checkpoint;
mod ledger;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;
#[doc(hidden)]
pub mod suite;

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresOptions, PostgresStore};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed (connection, I/O, constraint, corrupt data).
    #[error("store backend error: {0}")]
    Backend(String),
    /// The row or item does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The row is in a state that does not allow this transition.
    #[error("conflict: {0}")]
    Conflict(String),
}

/// The result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Identifies one ledger row: one interview for one application in one ATS.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LedgerKey {
    /// The ATS the application lives in.
    pub ats: AtsName,
    /// The application (candidacy).
    pub application: ApplicationId,
    /// The Willo interview sent for it.
    pub interview: InterviewKey,
}

impl LedgerKey {
    /// A key from its three parts.
    pub fn new(
        ats: impl Into<AtsName>,
        application: impl Into<ApplicationId>,
        interview: impl Into<InterviewKey>,
    ) -> Self {
        Self {
            ats: ats.into(),
            application: application.into(),
            interview: interview.into(),
        }
    }
}

impl fmt::Display for LedgerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.ats, self.application, self.interview)
    }
}

/// Where a ledger row is in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowState {
    /// Known, invite not sent yet.
    Pending,
    /// Invite sent; waiting for the candidate.
    Invited,
    /// The candidate answered; results not yet written to the ATS.
    Responded,
    /// Results written to the ATS (see [`LedgerRow::synced_outcome`]).
    Synced,
    /// Stopped: the candidate was deleted or withdrawn.
    Cancelled,
    /// Stopped by a permanent error; an operator may [`Store::redrive`] it.
    Failed,
}

impl RowState {
    /// Every state, in workflow order.
    pub const ALL: [RowState; 6] = [
        RowState::Pending,
        RowState::Invited,
        RowState::Responded,
        RowState::Synced,
        RowState::Cancelled,
        RowState::Failed,
    ];

    /// The lowercase name stored in databases.
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::Invited => "invited",
            RowState::Responded => "responded",
            RowState::Synced => "synced",
            RowState::Cancelled => "cancelled",
            RowState::Failed => "failed",
        }
    }

    /// Parse a stored name; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == text)
    }
}

impl fmt::Display for RowState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ledger row. Holds ids only: no names, emails or phone numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    /// Which (ATS, application, interview) this is.
    pub key: LedgerKey,
    /// The candidate behind the application (for privacy deletions).
    pub candidate: CandidateId,
    /// The job applied to (for status per job).
    pub job: JobId,
    /// Where the row is in the workflow.
    pub state: RowState,
    /// For [`RowState::Failed`] rows: the state it failed from, restored by a redrive.
    pub failed_from: Option<RowState>,
    /// The Willo participant created by the invite.
    pub participant: Option<ParticipantKey>,
    /// Retryable failures since the last success.
    pub attempts: u32,
    /// Not to be retried before this time (epoch ms).
    pub next_attempt_at_ms: Option<i64>,
    /// The last error, for operators. May quote vendor text; erased on cancellation.
    pub last_error: Option<String>,
    /// The worker holding the lease, if any.
    pub lease_owner: Option<String>,
    /// When the lease expires (epoch ms); at or after it, others may claim the row.
    pub lease_until_ms: Option<i64>,
    /// The outcome tag last written to the ATS (for example `completed` or
    /// `decision:accepted`), so each distinct outcome is written once.
    pub synced_outcome: Option<String>,
    /// When the row was created (epoch ms).
    pub created_at_ms: i64,
    /// When the row last changed (epoch ms).
    pub updated_at_ms: i64,
}

impl LedgerRow {
    /// Whether someone holds a lease that has not expired at `now_ms`.
    pub fn lease_live(&self, now_ms: i64) -> bool {
        self.lease_until_ms.is_some_and(|until| until > now_ms)
    }
}

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller now holds the lease and must do the work, then record the result.
    /// Someone may have worked on the row before (a crashed worker, a retry, a
    /// redrive), so an invite should first look for one sent earlier.
    Acquired(LedgerRow),
    /// Like [`Claim::Acquired`], when nothing of the step can have been done yet, so
    /// the caller need not look for an earlier attempt's traces. For an invite: this
    /// very claim created the row, and no other application of the same candidate
    /// for the same interview is in the ledger. For a write-back: no worker has held
    /// the row since its last successful step and no attempt failed since (nor was
    /// it redriven).
    Fresh(LedgerRow),
    /// Not now: another worker holds a live lease, or the retry time is not reached.
    Busy(LedgerRow),
    /// Nothing to do: the work is already done, or the row was cancelled or failed.
    Settled(LedgerRow),
}

impl Claim {
    /// Whether the lease was granted.
    pub fn is_acquired(&self) -> bool {
        matches!(self, Claim::Acquired(_) | Claim::Fresh(_))
    }

    /// The row as it is after the claim.
    pub fn row(&self) -> &LedgerRow {
        match self {
            Claim::Acquired(row) | Claim::Fresh(row) | Claim::Busy(row) | Claim::Settled(row) => {
                row
            }
        }
    }
}

/// A received webhook event waiting to be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    /// The store's id for it.
    pub id: i64,
    /// Who sent it (`willo`, `smartrecruiters`, `lever`…).
    pub source: String,
    /// The sender's id for the event, unique per source.
    pub dedupe_key: String,
    /// The raw body as received.
    pub payload: Vec<u8>,
    /// Failed processing attempts so far.
    pub attempts: u32,
}

/// Counts for operators.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusReport {
    /// Rows per state.
    pub by_state: BTreeMap<RowState, u64>,
    /// Rows per state for each (ATS, job).
    pub by_job: BTreeMap<(AtsName, JobId), BTreeMap<RowState, u64>>,
    /// Failed rows with their reasons, newest first, at most [`STATUS_FAILED_LIMIT`].
    pub failed: Vec<LedgerRow>,
}

/// How many failed rows [`Store::status`] lists.
pub const STATUS_FAILED_LIMIT: usize = 100;

impl StatusReport {
    /// Build the report from every row (backends without aggregate queries use this).
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a LedgerRow>) -> Self {
        let mut report = Self::default();
        let mut failed = Vec::new();
        for row in rows {
            *report.by_state.entry(row.state).or_default() += 1;
            *report
                .by_job
                .entry((row.key.ats.clone(), row.job.clone()))
                .or_default()
                .entry(row.state)
                .or_default() += 1;
            if row.state == RowState::Failed {
                failed.push(row.clone());
            }
        }
        failed.sort_by(|a, b| {
            b.updated_at_ms
                .cmp(&a.updated_at_ms)
                .then_with(|| a.key.cmp(&b.key))
        });
        failed.truncate(STATUS_FAILED_LIMIT);
        report.failed = failed;
        report
    }
}

/// The ledger, the webhook inbox and the reconciler cursors.
///
/// Every method that changes something takes the caller's `now_ms`. Transitions not
/// allowed from a row's state fail with [`StoreError::Conflict`]; unknown rows with
/// [`StoreError::NotFound`].
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Create the row as [`RowState::Pending`] if absent, then take a lease of
    /// `lease_ms` for `worker` if the row is pending, not leased and due.
    ///
    /// [`Claim::Fresh`] when this call created the row and no other application of the
    /// same candidate (same ATS) has a row for the same interview; [`Claim::Busy`]
    /// while another such application's invite is in flight (pending under a live
    /// lease): one invite per person and interview at a time, across workers.
    /// [`Claim::Settled`] when the row is past pending (including cancelled/failed).
    async fn claim_invite(
        &self,
        key: &LedgerKey,
        candidate: &CandidateId,
        job: &JobId,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<Claim>;

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

    /// Take a lease to write the outcome tagged `outcome_tag` to the ATS. Claimable
    /// rows are invited, responded, or synced with a *different* outcome (a later
    /// decision is written once more). [`Claim::Settled`] when `outcome_tag` is already
    /// written, or the row is cancelled/failed. Conflict for a pending row (no invite).
    /// [`Claim::Fresh`] when no worker held the row since its last successful step
    /// and no attempt failed since.
    async fn claim_sync(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
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
    /// safe for Willo's 32-hex keys: one cannot be part of another.
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

    /// Keep a received event unless `(source, dedupe_key)` is already there. Returns
    /// whether it was new.
    async fn inbox_insert(
        &self,
        source: &str,
        dedupe_key: &str,
        payload: &[u8],
        now_ms: i64,
    ) -> StoreResult<bool>;

    /// Lease up to `limit` unprocessed, due and unleased events to `worker`, oldest
    /// first.
    async fn inbox_claim(
        &self,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<InboxItem>>;

    /// The event is processed; it is never claimed again.
    async fn inbox_done(&self, id: i64, now_ms: i64) -> StoreResult<()>;

    /// Processing failed: attempts + 1, the error, not before `next_attempt_at_ms`,
    /// lease released.
    async fn inbox_retry(&self, id: i64, error: &str, next_attempt_at_ms: i64) -> StoreResult<()>;

    /// Delete the events processed before `processed_before_ms` (never unprocessed
    /// ones), so received payloads are not kept for ever; returns how many. A delivery
    /// repeated after its event was pruned is stored as new, and the ledger's claims
    /// still keep it from acting twice.
    async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64>;

    /// A reconciler cursor.
    async fn cursor_get(&self, name: &str) -> StoreResult<Option<String>>;

    /// Save a reconciler cursor.
    async fn cursor_set(&self, name: &str, value: &str, now_ms: i64) -> StoreResult<()>;

    /// Counts per state and per job, and the failed rows.
    async fn status(&self) -> StoreResult<StatusReport>;
}
