//! The ledger's transition rules, written once over a [`LedgerRow`].
//!
//! Backends supply only the primitives of [`super::backend::LedgerTx`] (load a row
//! for update, save it, …) inside one atomic unit; the flows in [`super::backend`]
//! apply these functions between them, so every backend has the same semantics.

use std::collections::BTreeSet;

use super::{
    Claim, Fence, InviteClaim, Lease, LedgerKey, LedgerRow, RowState, ScreeningKey, StoreError,
    StoreResult,
};
use crate::model::{ApplicationRef, CandidateId, ParticipantKey};

/// A fresh pending row.
pub(crate) fn new_row(invite: &InviteClaim, now_ms: i64) -> LedgerRow {
    LedgerRow {
        key: invite.key.clone(),
        candidate: invite.candidate.clone(),
        job: invite.job.clone(),
        state: RowState::Pending,
        failed_from: None,
        participant: None,
        attempts: 0,
        next_attempt_at_ms: None,
        last_error: None,
        lease_owner: None,
        lease_until_ms: None,
        fence: Fence::default(),
        synced_outcome: None,
        results_fingerprint: None,
        results_note_id: None,
        recheck_at_ms: None,
        rechecks: 0,
        warning: None,
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
    }
}

/// The row of an application created for `screening`: invited already, since the
/// participant took the interview before the application existed.
pub(crate) fn screened_row(
    screening: &ScreeningKey,
    created: &ApplicationRef,
    now_ms: i64,
) -> LedgerRow {
    let invite = InviteClaim::new(
        LedgerKey::new(
            screening.ats.clone(),
            created.application.clone(),
            screening.interview.clone(),
        ),
        created.candidate.clone(),
        created.job.clone(),
    );
    LedgerRow {
        state: RowState::Invited,
        participant: Some(screening.participant.clone()),
        ..new_row(&invite, now_ms)
    }
}

/// What a claim decided; `Acquired` and `Fresh` have already taken the lease on the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Acquired,
    Fresh,
    Busy,
    Settled,
}

impl Decision {
    /// The claim answer carrying the row.
    pub(crate) fn into_claim(self, row: LedgerRow) -> Claim {
        match self {
            Decision::Acquired => Claim::Acquired(row),
            Decision::Fresh => Claim::Fresh(row),
            Decision::Busy => Claim::Busy(row),
            Decision::Settled => Claim::Settled(row),
        }
    }
}

fn retry_reached(row: &LedgerRow, now_ms: i64) -> bool {
    row.next_attempt_at_ms.is_none_or(|at| at <= now_ms)
}

/// Take the lease if nobody holds a live one and the retry time is reached.
pub(super) fn take_lease(row: &mut LedgerRow, lease: &Lease) -> Decision {
    if row.lease_live(lease.now_ms) || !retry_reached(row, lease.now_ms) {
        return Decision::Busy;
    }
    row.lease_owner = Some(lease.worker.clone());
    row.lease_until_ms = Some(lease.until_ms());
    row.fence = row.fence.next();
    row.updated_at_ms = lease.now_ms;
    Decision::Acquired
}

/// Refuse a caller whose lease was taken over: `fence` is older than the row's.
pub(super) fn hold(row: &LedgerRow, fence: Fence) -> StoreResult<()> {
    if row.fence == fence {
        return Ok(());
    }
    Err(StoreError::Fenced(format!(
        "{} is held under fence {}, not {fence}",
        row.key, row.fence
    )))
}

/// A caller with a lease must still hold it; one without (a periodic check, a
/// results read before any claim) must not change a row someone else is working on.
pub(super) fn hold_or_unleased(
    row: &LedgerRow,
    fence: Option<Fence>,
    now_ms: i64,
) -> StoreResult<()> {
    match fence {
        Some(fence) => hold(row, fence),
        None if row.lease_live(now_ms) => Err(StoreError::Fenced(format!(
            "{} is leased to another worker",
            row.key
        ))),
        None => Ok(()),
    }
}

fn release(row: &mut LedgerRow) {
    row.lease_owner = None;
    row.lease_until_ms = None;
}

pub(super) fn succeed(row: &mut LedgerRow, state: RowState, now_ms: i64) {
    row.state = state;
    row.attempts = 0;
    row.next_attempt_at_ms = None;
    row.last_error = None;
    release(row);
    row.updated_at_ms = now_ms;
}

pub(super) fn conflict(row: &LedgerRow, action: &str) -> StoreError {
    StoreError::Conflict(format!(
        "cannot {action} {} in state {}",
        row.key, row.state
    ))
}

/// The invite claim of `row`, knowing whether this claim `created` it and the rows
/// of the same candidate for the same interview under other applications.
///
/// One invite per person and interview at a time: while a sibling's invite is in
/// flight (pending under a live lease) the row is busy, so the same person is never
/// sent two invites by two workers racing on two of their applications. A row this
/// claim created, with no sibling, is [`Decision::Fresh`]: nobody can have sent
/// anything for it.
pub(crate) fn claim_invite(
    row: &mut LedgerRow,
    created: bool,
    siblings: &[LedgerRow],
    lease: &Lease,
) -> Decision {
    if row.state != RowState::Pending {
        return Decision::Settled;
    }
    let sibling_in_flight = siblings
        .iter()
        .any(|s| s.state == RowState::Pending && s.lease_live(lease.now_ms));
    if sibling_in_flight {
        return Decision::Busy;
    }
    match take_lease(row, lease) {
        Decision::Acquired if created && siblings.is_empty() => Decision::Fresh,
        other => other,
    }
}

/// Whether `row` is another application of `key`'s candidate for the same interview.
pub(crate) fn is_sibling(row: &LedgerRow, key: &LedgerKey, candidate: &CandidateId) -> bool {
    row.key.ats == key.ats
        && row.key.interview == key.interview
        && row.key.application != key.application
        && row.candidate == *candidate
}

pub(crate) fn claim_sync(
    row: &mut LedgerRow,
    outcome_tag: &str,
    lease: &Lease,
) -> StoreResult<Decision> {
    match row.state {
        RowState::Pending => Err(conflict(row, "sync results for")),
        RowState::Cancelled | RowState::Failed => Ok(Decision::Settled),
        RowState::Synced if row.synced_outcome.as_deref() == Some(outcome_tag) => {
            Ok(Decision::Settled)
        }
        RowState::Invited | RowState::Responded | RowState::Synced => {
            let untouched = untouched_since_last_success(row);
            Ok(match take_lease(row, lease) {
                Decision::Acquired if untouched => Decision::Fresh,
                other => other,
            })
        }
    }
}

/// No worker has held the row since its last successful step (a crashed one leaves
/// its expired lease), no attempt failed since (attempts, or the error a redrive
/// keeps): nothing of the next step can have been done yet.
pub(super) fn untouched_since_last_success(row: &LedgerRow) -> bool {
    row.lease_owner.is_none() && row.attempts == 0 && row.last_error.is_none()
}

pub(crate) fn record_invited(
    row: &mut LedgerRow,
    participant: &ParticipantKey,
    fence: Fence,
    now_ms: i64,
) -> StoreResult<()> {
    // A stale token first: a holder whose row was taken over learns that, whatever
    // the new holder did with the row since.
    hold(row, fence)?;
    if row.state != RowState::Pending {
        return Err(conflict(row, "record the invite of"));
    }
    row.participant = Some(participant.clone());
    succeed(row, RowState::Invited, now_ms);
    Ok(())
}

/// Returns whether the row changed.
pub(crate) fn mark_responded(row: &mut LedgerRow, now_ms: i64) -> StoreResult<bool> {
    match row.state {
        RowState::Invited => {
            // A new phase: polling attempts and their schedule no longer apply.
            row.state = RowState::Responded;
            row.attempts = 0;
            row.next_attempt_at_ms = None;
            row.last_error = None;
            row.updated_at_ms = now_ms;
            Ok(true)
        }
        RowState::Responded | RowState::Synced => Ok(false),
        _ => Err(conflict(row, "mark as responded")),
    }
}

pub(crate) fn record_synced(
    row: &mut LedgerRow,
    outcome_tag: &str,
    fence: Fence,
    now_ms: i64,
) -> StoreResult<()> {
    hold(row, fence)?;
    match row.state {
        RowState::Invited | RowState::Responded | RowState::Synced => {
            row.synced_outcome = Some(outcome_tag.to_owned());
            succeed(row, RowState::Synced, now_ms);
            Ok(())
        }
        _ => Err(conflict(row, "record the sync of")),
    }
}

/// How a rescheduled step counts against the row's attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Count {
    /// A failed attempt ([`super::Ledger::record_retry`]).
    Attempt,
    /// Work parked while it cannot succeed ([`super::Ledger::record_parked`]).
    Parked,
}

pub(crate) fn record_retry(
    row: &mut LedgerRow,
    error: &str,
    next_attempt_at_ms: i64,
    fence: Option<Fence>,
    now_ms: i64,
    count: Count,
) -> StoreResult<()> {
    if matches!(row.state, RowState::Cancelled | RowState::Failed) {
        return Err(conflict(row, "schedule a retry of"));
    }
    hold_or_unleased(row, fence, now_ms)?;
    if count == Count::Attempt {
        row.attempts = row.attempts.saturating_add(1);
    }
    row.last_error = Some(error.to_owned());
    row.next_attempt_at_ms = Some(next_attempt_at_ms);
    release(row);
    row.updated_at_ms = now_ms;
    Ok(())
}

pub(crate) fn record_failed(
    row: &mut LedgerRow,
    error: &str,
    fence: Option<Fence>,
    now_ms: i64,
) -> StoreResult<()> {
    if row.state == RowState::Cancelled {
        return Err(conflict(row, "fail"));
    }
    hold_or_unleased(row, fence, now_ms)?;
    if row.state != RowState::Failed {
        row.failed_from = Some(row.state);
        row.state = RowState::Failed;
    }
    row.last_error = Some(error.to_owned());
    row.next_attempt_at_ms = None;
    release(row);
    row.updated_at_ms = now_ms;
    Ok(())
}

pub(crate) fn redrive(row: &mut LedgerRow, now_ms: i64) -> StoreResult<()> {
    if is_waiting(row) {
        if row.lease_live(now_ms) {
            return Err(StoreError::Fenced(format!(
                "{} is leased to another worker",
                row.key
            )));
        }
        // Due now, with a fresh count; the reason stays, as for a failed row, so the
        // next claim knows the step was tried before.
        row.attempts = 0;
        row.next_attempt_at_ms = Some(now_ms);
        release(row);
        row.updated_at_ms = now_ms;
        return Ok(());
    }
    let Some(from) = row.failed_from.filter(|_| row.state == RowState::Failed) else {
        return Err(conflict(row, "redrive"));
    };
    row.failed_from = None;
    // The error stays for the operator, and tells the next claim that the step was
    // attempted before (it may have half-happened).
    let error = row.last_error.take();
    succeed(row, from, now_ms);
    row.last_error = error;
    Ok(())
}

/// Returns whether the row changed.
pub(crate) fn cancel(row: &mut LedgerRow, now_ms: i64) -> bool {
    if matches!(row.state, RowState::Synced | RowState::Cancelled) {
        return false;
    }
    row.state = RowState::Cancelled;
    row.failed_from = None;
    row.participant = None;
    row.last_error = None;
    row.next_attempt_at_ms = None;
    release(row);
    row.updated_at_ms = now_ms;
    true
}

/// A row scheduled to be looked at again later (a retry, a wait for a mandatory
/// mapped field, a credential outage): unfinished, with a time set. An operator's
/// redrive makes it due at once.
fn is_waiting(row: &LedgerRow) -> bool {
    matches!(
        row.state,
        RowState::Pending | RowState::Invited | RowState::Responded
    ) && row.next_attempt_at_ms.is_some()
}

/// Whether the retry loop should pick the row up (see [`super::Ledger::rows_due`]).
pub(crate) fn is_due(row: &LedgerRow, now_ms: i64) -> bool {
    if row.lease_live(now_ms) {
        return false;
    }
    match row.state {
        RowState::Pending | RowState::Responded => retry_reached(row, now_ms),
        RowState::Invited => row.next_attempt_at_ms.is_some_and(|at| at <= now_ms),
        RowState::Synced => {
            row.next_attempt_at_ms.is_some_and(|at| at <= now_ms)
                || row.recheck_at_ms.is_some_and(|at| at <= now_ms)
        }
        _ => false,
    }
}

/// The Willo participants of `rows`, each once (see [`super::Ledger::cancel_candidate`]).
pub(crate) fn participants(rows: &[LedgerRow]) -> BTreeSet<&ParticipantKey> {
    rows.iter()
        .filter_map(|row| row.participant.as_ref())
        .collect()
}

/// Whether the reconciler should check the row (see [`super::Ledger::stale_invites`]).
pub(crate) fn is_stale_invite(row: &LedgerRow, invited_before_ms: i64) -> bool {
    row.state == RowState::Invited
        && row.next_attempt_at_ms.is_none()
        && row.updated_at_ms < invited_before_ms
}
