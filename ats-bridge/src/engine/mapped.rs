//! The write-back's mapped fields (see [`crate::mapping`]): planned before anything
//! is sent, so a mandatory target without data holds the whole write-back, and
//! written before the labels and the note.

use super::Engine;
use super::action::{Action, EngineError};
use super::failure::{Failure, millis};
use super::outcome::Outcome;
use crate::mapping::SourceData;
use crate::mapping::plan::{Unfilled, apply, plan};
use crate::model::{ApplicationRef, InterviewOutcome};
use crate::store::{LedgerRow, StoreError};

impl Engine {
    /// Write the mapped fields of `row`'s connection for `results`. `None`: done (or
    /// nothing mapped), go on with the labels and the note. `Some`: the row was
    /// held (a mandatory target cannot be filled) or the write failed, as recorded.
    pub(super) async fn write_mapped_fields(
        &self,
        row: &LedgerRow,
        application: &ApplicationRef,
        outcome: Outcome,
        results: &InterviewOutcome,
    ) -> Result<Option<Action>, EngineError> {
        let key = &row.key;
        let mapping = self.inner.rules.mapping_for(&key.ats);
        // An interview that closed unanswered has no results to map.
        if !mapping.writes_fields() || matches!(outcome, Outcome::Closed(_)) {
            return Ok(None);
        }
        let decision = outcome.decision();
        let planned = match plan(mapping, &key.ats, &SourceData::new(results, decision)) {
            Ok(planned) => planned,
            Err(Unfilled(reason)) => {
                let wait = std::time::Duration::from_secs(mapping.mandatory_recheck_secs);
                return Ok(Some(self.hold_for_data(row, reason, wait).await?));
            }
        };
        let ats = self.ats(&key.ats)?.clone();
        match apply(ats.as_ref(), application, planned).await {
            Ok(applied) => {
                tracing::debug!(
                    row = %key,
                    written = applied.written.len(),
                    kept = applied.kept.len(),
                    "mapped fields written"
                );
                Ok(None)
            }
            Err(error) => {
                let failure = Failure::from_ats("writing the mapped fields", &error);
                Ok(Some(
                    self.record_failure(key, row.attempts, Some(row.fence), failure)
                        .await?,
                ))
            }
        }
    }

    /// Park the row with `reason` (attempts are not counted: nothing failed) until
    /// `wait` has passed; then the retry loop, or Willo's next news, reads the
    /// participant again.
    async fn hold_for_data(
        &self,
        row: &LedgerRow,
        reason: String,
        wait: std::time::Duration,
    ) -> Result<Action, EngineError> {
        let key = &row.key;
        let now = self.now_ms();
        let next_attempt_at_ms = now.saturating_add(millis(wait));
        match self
            .inner
            .stores
            .ledger
            .record_parked(key, &reason, next_attempt_at_ms, Some(row.fence), now)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Ok(self.stopped(key).await?),
            Err(StoreError::Fenced(lost)) => return Ok(self.lease_lost(key, &lost)),
            Err(other) => return Err(other.into()),
        }
        tracing::warn!(row = %key, %reason, "write-back held for a mandatory mapped target");
        Ok(Action::Rescheduled {
            key: key.clone(),
            reason,
            next_attempt_at_ms,
        })
    }
}
