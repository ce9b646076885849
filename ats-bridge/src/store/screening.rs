//! Screening claims: a Willo participant who took a screening interview becomes a
//! candidate in the ATS exactly once.
//!
//! Until the candidate exists there is no application to key a ledger row by, so
//! the intent lives in a row of its own, keyed by the participant: claimed with a
//! lease and a [`Fence`] like a ledger row, recorded before anything is created (a
//! crash after creating the candidate leaves the intent, so the retry looks the
//! candidate up instead of creating a second one), and closed by
//! [`Ledger::record_screened`](super::Ledger::record_screened), which in the same
//! transaction creates the ordinary ledger row of the new application, already
//! invited. From there the results go the way of every other row.

use super::{Fence, Lease, StoreError, StoreResult};
use crate::model::{ApplicationRef, AtsName, InterviewKey, JobId, ParticipantKey};

/// Identifies one screening: a participant of a screening interview, for one ATS.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScreeningKey {
    /// The ATS the candidate is created in.
    pub ats: AtsName,
    /// The Willo screening interview.
    pub interview: InterviewKey,
    /// The Willo participant who took it.
    pub participant: ParticipantKey,
}

impl ScreeningKey {
    /// A key from its three parts.
    pub fn new(
        ats: impl Into<AtsName>,
        interview: impl Into<InterviewKey>,
        participant: impl Into<ParticipantKey>,
    ) -> Self {
        Self {
            ats: ats.into(),
            interview: interview.into(),
            participant: participant.into(),
        }
    }
}

impl std::fmt::Display for ScreeningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/screening/{}/{}",
            self.ats, self.interview, self.participant
        )
    }
}

/// One screening's progress. Holds ids only, no personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningRow {
    /// Which screening this is.
    pub key: ScreeningKey,
    /// The ATS job the candidate is created on.
    pub job: JobId,
    /// The application created for it, once created.
    pub created: Option<ApplicationRef>,
    /// Failed attempts since the intent was recorded.
    pub attempts: u32,
    /// The last error, for operators.
    pub last_error: Option<String>,
    /// The worker holding the lease, if any.
    pub lease_owner: Option<String>,
    /// When the lease expires (epoch ms).
    pub lease_until_ms: Option<i64>,
    /// The fencing token of the latest lease granted.
    pub fence: Fence,
    /// When the intent was recorded (epoch ms).
    pub created_at_ms: i64,
    /// When the row last changed (epoch ms).
    pub updated_at_ms: i64,
}

impl ScreeningRow {
    /// A new, unclaimed intent.
    pub(crate) fn new(key: ScreeningKey, job: JobId, now_ms: i64) -> Self {
        Self {
            key,
            job,
            created: None,
            attempts: 0,
            last_error: None,
            lease_owner: None,
            lease_until_ms: None,
            fence: Fence::default(),
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        }
    }

    /// Whether someone holds a lease that has not expired at `now_ms`.
    pub fn lease_live(&self, now_ms: i64) -> bool {
        self.lease_until_ms.is_some_and(|until| until > now_ms)
    }
}

/// The answer to a screening claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreeningClaim {
    /// This claim recorded the intent: nothing can have been created yet.
    Fresh(ScreeningRow),
    /// The caller holds the lease, but an earlier attempt may have created the
    /// candidate before it crashed or failed: look for them before creating.
    Acquired(ScreeningRow),
    /// Another worker holds a live lease.
    Busy(ScreeningRow),
    /// The candidate was created already ([`ScreeningRow::created`]).
    Created(ScreeningRow),
}

impl ScreeningClaim {
    /// The row as it is after the claim.
    pub fn row(&self) -> &ScreeningRow {
        match self {
            ScreeningClaim::Fresh(row)
            | ScreeningClaim::Acquired(row)
            | ScreeningClaim::Busy(row)
            | ScreeningClaim::Created(row) => row,
        }
    }
}

/// The claim of `row`, which this claim `inserted` or found.
pub(crate) fn claim(row: &mut ScreeningRow, inserted: bool, lease: &Lease) -> ScreeningClaim {
    if row.created.is_some() {
        return ScreeningClaim::Created(row.clone());
    }
    if row.lease_live(lease.now_ms) {
        return ScreeningClaim::Busy(row.clone());
    }
    row.lease_owner = Some(lease.worker.clone());
    row.lease_until_ms = Some(lease.until_ms());
    row.fence = row.fence.next();
    row.updated_at_ms = lease.now_ms;
    if inserted {
        ScreeningClaim::Fresh(row.clone())
    } else {
        ScreeningClaim::Acquired(row.clone())
    }
}

/// Refuse a caller whose lease was taken over.
fn hold(row: &ScreeningRow, fence: Fence) -> StoreResult<()> {
    if row.fence == fence {
        return Ok(());
    }
    Err(StoreError::Fenced(format!(
        "screening {} is held under fence {}, not {fence}",
        row.key, row.fence
    )))
}

/// The candidate was created: remember the application, release the lease.
pub(crate) fn record_created(
    row: &mut ScreeningRow,
    created: &ApplicationRef,
    fence: Fence,
    now_ms: i64,
) -> StoreResult<()> {
    hold(row, fence)?;
    row.created = Some(created.clone());
    row.last_error = None;
    row.lease_owner = None;
    row.lease_until_ms = None;
    row.updated_at_ms = now_ms;
    Ok(())
}

/// An attempt failed: count it, keep the reason, release the lease.
pub(crate) fn record_attempt_failed(
    row: &mut ScreeningRow,
    error: &str,
    fence: Fence,
    now_ms: i64,
) -> StoreResult<()> {
    hold(row, fence)?;
    row.attempts = row.attempts.saturating_add(1);
    row.last_error = Some(error.to_owned());
    row.lease_owner = None;
    row.lease_until_ms = None;
    row.updated_at_ms = now_ms;
    Ok(())
}
