//! The stores that make the workflow happen exactly once, and survive restarts.
//!
//! Split by job, one trait each, so a caller (or a test double) deals only with the
//! part it uses:
//!
//! - [`Ledger`]: one [`LedgerRow`] per (ATS, application, interview) records how far
//!   the workflow got: `pending → invited → responded → synced`, or `cancelled` /
//!   `failed`. Work is taken with a *claim*: a [`Lease`] with an owner and an expiry,
//!   granted atomically, so two workers (or two replicas sharing one database) never
//!   send the same invite or write the same results twice. A crashed worker's lease
//!   simply expires.
//! - [`Inbox`]: received webhook deliveries, deduplicated on the sender's id, kept in
//!   typed columns ([`NewDelivery`]).
//! - [`ReconcilerState`]: what the reconciler and the engine keep between passes:
//!   cursors, the last reported state of each job, and the application created for
//!   each screening row.
//!
//! A backend implements all three, which makes it a [`Store`]; the engine takes them
//! as one [`Stores`] value (one `Arc` of each), so embedders pass one store and tests
//! can swap a single part.
//!
//! Time is always passed in by the caller (`now_ms`, epoch milliseconds): the store
//! has no clock of its own, so its behaviour is deterministic and testable.
//!
//! Backends: [`MemoryStore`] (tests) here; `SqliteStore` (the embedded default: one
//! file, no server) and `PostgresStore` (several replicas sharing one database,
//! claims atomic across processes) in the `ats-store-sql` crate. A backend of your own
//! implements [`backend::LedgerTx`] and [`backend::LedgerBackend`] (the ledger's rules
//! come from here), [`Inbox`] and [`ReconcilerState`]. Every backend passes the same
//! conformance suite, `ats_testkit::store::run_store_suite`.
//!
//! # Example: send an invite exactly once
//!
//! ```
//! use ats_bridge::model::{CandidateId, JobId, ParticipantKey};
//! use ats_bridge::store::{Claim, InviteClaim, Lease, Ledger, LedgerKey, MemoryStore};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ats_bridge::store::StoreError> {
//! let store = MemoryStore::new();
//! let invite = InviteClaim::new(
//!     LedgerKey::new("lever", "opportunity-1", "interview-1"),
//!     CandidateId::new("contact-1"),
//!     JobId::new("posting-1"),
//! );
//! let now_ms = 1_700_000_000_000;
//!
//! if let Claim::Fresh(row) = store.claim_invite(&invite, &Lease::new("worker-a", now_ms, 60_000)).await? {
//!     // ... the row is new: invite the candidate in Willo, then record it under the
//!     // claim's fencing token (refused if another worker has taken the row since):
//!     let participant = ParticipantKey::new("participant-1");
//!     store.record_invited(&invite.key, &participant, row.fence, now_ms + 500).await?;
//! }
//! // A second delivery of the same event finds the work done.
//! let again = store.claim_invite(&invite, &Lease::new("worker-b", now_ms + 1_000, 60_000)).await?;
//! assert!(matches!(again, Claim::Settled(_)));
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::model::{
    ApplicationId, ApplicationRef, AtsName, CandidateId, InterviewKey, JobId, ParticipantKey,
};

pub mod backend;
mod inbox;
mod late;
mod ledger;
mod memory;
mod screening;
mod stores;
mod traits;

pub use inbox::{InboxBacklog, InboxItem, NewDelivery};
pub use late::{Recheck, WrittenResults};
pub use memory::MemoryStore;
pub use screening::{ScreeningClaim, ScreeningKey, ScreeningRow};
pub use stores::Stores;
pub use traits::{Inbox, Ledger, ReconcilerState, Store};

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
    /// The caller no longer holds the lease it claimed: another worker claimed the
    /// row (or item) since, so the caller's result is refused (see [`Fence`]).
    #[error("lease lost: {0}")]
    Fenced(String),
    /// This store does not implement the named method (a single-account store asked
    /// for a connection's scoped rows).
    #[error("the store does not support `{0}`")]
    Unsupported(&'static str),
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
    /// Stopped by a permanent error; an operator may [`Ledger::redrive`] it.
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
    /// The fencing token of the latest lease granted on the row.
    pub fence: Fence,
    /// The outcome tag last written to the ATS (for example `completed` or
    /// `decision:accepted`), so each distinct outcome is written once.
    pub synced_outcome: Option<String>,
    /// What the results written to the ATS contained ([`ResultsFingerprint`](crate::late_results::ResultsFingerprint)'s
    /// stored form), so later news writes only the difference, once. `None` until a results
    /// note is written (and for rows written before the fingerprint was kept).
    pub results_fingerprint: Option<String>,
    /// The ATS's id of the results note, for ATSs that can amend it.
    pub results_note_id: Option<String>,
    /// When Willo is next asked for late results (transcripts, summaries, reviewers'
    /// scores and comments) of a synced row (epoch ms); `None`: no check planned.
    pub recheck_at_ms: Option<i64>,
    /// Late-results checks made so far (see `EngineConfig::late_results`).
    pub rechecks: u32,
    /// Something that went wrong without stopping the workflow (a phone number Willo
    /// would refuse, left out of the invite), for operators. Holds no personal data.
    pub warning: Option<String>,
    /// When the row was created (epoch ms).
    pub created_at_ms: i64,
    /// When the row last changed (epoch ms).
    pub updated_at_ms: i64,
}

impl LedgerRow {
    /// Whether the row waits after a problem ([`StatusReport::waiting`]): not failed or
    /// cancelled, tried again at a set time, with the reason recorded.
    pub fn is_waiting(&self) -> bool {
        !matches!(self.state, RowState::Failed | RowState::Cancelled)
            && self.next_attempt_at_ms.is_some()
            && self.last_error.is_some()
    }

    /// The application the row is about, with its candidate and job.
    pub fn application(&self) -> ApplicationRef {
        ApplicationRef {
            application: self.key.application.clone(),
            candidate: self.candidate.clone(),
            job: self.job.clone(),
        }
    }

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

/// Counts for operators.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusReport {
    /// Rows per state.
    pub by_state: BTreeMap<RowState, u64>,
    /// Rows per state for each (ATS, job).
    pub by_job: BTreeMap<(AtsName, JobId), BTreeMap<RowState, u64>>,
    /// Failed rows with their reasons, newest first, at most [`STATUS_FAILED_LIMIT`].
    pub failed: Vec<LedgerRow>,
    /// Rows with a warning ([`LedgerRow::warning`]: the workflow went on, something
    /// was left out), newest first, at most [`STATUS_FAILED_LIMIT`].
    pub warned: Vec<LedgerRow>,
    /// Rows waiting after a problem, with its reason ([`LedgerRow::last_error`]) and
    /// when they are tried again ([`LedgerRow::next_attempt_at_ms`]): a retry after a
    /// vendor error, work parked by a refused credential, a write-back held for a
    /// mandatory mapped value. Not failed: each goes on by itself, or at once when an
    /// operator redrives it after fixing the cause. Newest first, at most
    /// [`STATUS_FAILED_LIMIT`].
    pub waiting: Vec<LedgerRow>,
}

/// How many failed rows [`Ledger::status`] lists.
pub const STATUS_FAILED_LIMIT: usize = 100;

impl StatusReport {
    /// Build the report from every row (backends without aggregate queries use this).
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = &'a LedgerRow>) -> Self {
        let mut report = Self::default();
        let (mut failed, mut warned, mut waiting) = (Vec::new(), Vec::new(), Vec::new());
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
            if row.warning.is_some() {
                warned.push(row.clone());
            }
            if row.is_waiting() {
                waiting.push(row.clone());
            }
        }
        report.failed = newest(failed);
        report.warned = newest(warned);
        report.waiting = newest(waiting);
        report
    }
}

/// The newest [`STATUS_FAILED_LIMIT`] of `rows`, newest first (then in key order).
fn newest(mut rows: Vec<LedgerRow>) -> Vec<LedgerRow> {
    rows.sort_by(|a, b| {
        b.updated_at_ms
            .cmp(&a.updated_at_ms)
            .then_with(|| a.key.cmp(&b.key))
    });
    rows.truncate(STATUS_FAILED_LIMIT);
    rows
}

/// A fencing token: a per-row counter, one higher with every lease granted.
///
/// A lease alone cannot stop a worker that was paused past its expiry (a GC pause,
/// a suspended VM) or whose clock runs ahead: it still believes it holds the row
/// while another worker has claimed it. So every claim hands out the row's next
/// token, and every `record_*` (and inbox completion) names the token it holds; the
/// store refuses a token older than the row's with [`StoreError::Fenced`], and the
/// late worker's result never lands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fence(u64);

impl Fence {
    /// The token with this value (as stored).
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    /// The stored value.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// The token the next lease gets.
    pub const fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl fmt::Display for Fence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A request for a lease: who asks, at what time, for how long.
///
/// One value rather than three arguments. A backend with a shared clock (PostgreSQL)
/// takes the time of a claim from the database instead of `now_ms`, so a replica
/// whose clock runs ahead cannot see a live lease as expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The worker asking; it owns the lease once granted.
    pub worker: String,
    /// The caller's time (epoch ms).
    pub now_ms: i64,
    /// How long the lease lasts from `now_ms`.
    pub lease_ms: i64,
}

impl Lease {
    /// A lease request for `worker` at `now_ms`, lasting `lease_ms`.
    pub fn new(worker: impl Into<String>, now_ms: i64, lease_ms: i64) -> Self {
        Self {
            worker: worker.into(),
            now_ms,
            lease_ms,
        }
    }

    /// When a lease granted now would expire (epoch ms).
    pub fn until_ms(&self) -> i64 {
        self.now_ms.saturating_add(self.lease_ms)
    }
}

/// What an invite claim is about: the row, and the ids the row is created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteClaim {
    /// The row to create or claim.
    pub key: LedgerKey,
    /// The candidate behind the application.
    pub candidate: CandidateId,
    /// The job applied to.
    pub job: JobId,
}

impl InviteClaim {
    /// An invite claim from its parts.
    pub fn new(key: LedgerKey, candidate: impl Into<CandidateId>, job: impl Into<JobId>) -> Self {
        Self {
            key,
            candidate: candidate.into(),
            job: job.into(),
        }
    }
}
