//! The ledger's part in late results: what a row's results write-back contained, the
//! claim of a follow-up, and the durable schedule of late-results checks.
//!
//! A follow-up note is the one step not safe to repeat, so it is fenced like the first
//! write-back: [`super::Ledger::claim_results_update`] takes the row's lease for one
//! fingerprint, and [`super::Ledger::record_results_written`] records it under that
//! lease. The same content is never claimed twice: a row whose stored fingerprint is
//! the one asked for is settled.

use super::ledger::{
    Decision, conflict, hold, hold_or_unleased, succeed, take_lease, untouched_since_last_success,
};
use super::{Fence, Lease, LedgerRow, RowState, StoreResult};

/// What a results write-back (the first one, or a follow-up) put in the ATS, recorded
/// with [`super::Ledger::record_results_written`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WrittenResults {
    /// The outcome tag the row is synced with afterwards (see
    /// [`LedgerRow::synced_outcome`]).
    pub outcome_tag: String,
    /// The fingerprint of the results now in the ATS; `None` keeps the stored one.
    pub fingerprint: Option<String>,
    /// The id of the results note; `None` keeps the stored one.
    pub note_id: Option<String>,
    /// The next late-results check; `None` keeps the stored schedule.
    pub recheck: Option<Recheck>,
}

impl WrittenResults {
    /// The outcome `outcome_tag` was written; nothing else changes.
    pub fn new(outcome_tag: impl Into<String>) -> Self {
        Self {
            outcome_tag: outcome_tag.into(),
            fingerprint: None,
            note_id: None,
            recheck: None,
        }
    }

    /// With the fingerprint of what the ATS holds now.
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = Some(fingerprint.into());
        self
    }

    /// With the results note's id.
    pub fn note_id(mut self, note_id: impl Into<String>) -> Self {
        self.note_id = Some(note_id.into());
        self
    }

    /// With the next late-results check.
    pub fn recheck(mut self, recheck: Recheck) -> Self {
        self.recheck = Some(recheck);
        self
    }
}

/// A row's late-results schedule: when it is next checked, and how many checks were
/// made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recheck {
    /// The next check (epoch ms); `None`: no more checks.
    pub at_ms: Option<i64>,
    /// Checks made so far.
    pub done: u32,
}

impl Recheck {
    /// Check at `at_ms` (`None`: never again), after `done` checks.
    pub fn new(at_ms: Option<i64>, done: u32) -> Self {
        Self { at_ms, done }
    }
}

/// [`super::Ledger::claim_results_update`] on `row`.
pub(crate) fn claim_results_update(
    row: &mut LedgerRow,
    fingerprint: &str,
    lease: &Lease,
) -> StoreResult<Decision> {
    match row.state {
        RowState::Pending | RowState::Invited | RowState::Responded => {
            Err(conflict(row, "update the written results of"))
        }
        RowState::Cancelled | RowState::Failed => Ok(Decision::Settled),
        RowState::Synced if row.results_fingerprint.as_deref() == Some(fingerprint) => {
            Ok(Decision::Settled)
        }
        RowState::Synced => {
            let untouched = untouched_since_last_success(row);
            Ok(match take_lease(row, lease) {
                Decision::Acquired if untouched => Decision::Fresh,
                other => other,
            })
        }
    }
}

/// [`super::Ledger::record_results_written`] on `row`.
pub(crate) fn record_results_written(
    row: &mut LedgerRow,
    written: &WrittenResults,
    fence: Fence,
    now_ms: i64,
) -> StoreResult<()> {
    hold(row, fence)?;
    if !matches!(
        row.state,
        RowState::Invited | RowState::Responded | RowState::Synced
    ) {
        return Err(conflict(row, "record the results of"));
    }
    row.synced_outcome = Some(written.outcome_tag.clone());
    if let Some(fingerprint) = &written.fingerprint {
        row.results_fingerprint = Some(fingerprint.clone());
    }
    if let Some(note_id) = &written.note_id {
        row.results_note_id = Some(note_id.clone());
    }
    if let Some(recheck) = written.recheck {
        set_recheck(row, recheck);
    }
    succeed(row, RowState::Synced, now_ms);
    Ok(())
}

/// [`super::Ledger::schedule_recheck`] on `row`.
pub(crate) fn schedule_recheck(
    row: &mut LedgerRow,
    recheck: Recheck,
    now_ms: i64,
) -> StoreResult<()> {
    if row.state != RowState::Synced {
        return Err(conflict(row, "schedule a late-results check of"));
    }
    hold_or_unleased(row, None, now_ms)?;
    set_recheck(row, recheck);
    row.updated_at_ms = now_ms;
    Ok(())
}

/// [`super::Ledger::record_warning`] on `row`: a note for operators, which changes
/// nothing of the workflow, so it needs no lease.
pub(crate) fn record_warning(row: &mut LedgerRow, warning: Option<&str>, now_ms: i64) {
    row.warning = warning.map(str::to_owned);
    row.updated_at_ms = now_ms;
}

fn set_recheck(row: &mut LedgerRow, recheck: Recheck) {
    row.recheck_at_ms = recheck.at_ms;
    row.rechecks = recheck.done;
}
