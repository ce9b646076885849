//! Bringing a participant's results to the ATS: once per (application, interview,
//! outcome), then late results as differences (see `late.rs`).

use super::Engine;
use super::action::{Action, EngineError, Ignored};
use super::failure::{Failure, millis};
use super::outcome::Outcome;
use super::write_order::write_in_order;
use crate::late_results::ResultsFingerprint;
use crate::model::{InterviewOutcome, ParticipantKey};
use crate::note::NoteEvent;
use crate::store::{Claim, LedgerRow, RowState, StoreError, WrittenResults};

/// Why the results are being looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SyncCause {
    /// A Willo webhook; `answered` when it was `new_response`.
    Webhook { answered: bool },
    /// A due retry of an earlier failure.
    Retry,
    /// A periodic check of a participant who has not answered.
    Check,
}

impl Engine {
    /// Act on news about `participant` (from Willo's webhook): for each application
    /// the participant answers for (usually one; several when one person applied to
    /// several jobs sending the same interview), or screening when there is none.
    /// With several, the first action that is not a no-op is returned, unless a row
    /// was busy: then [`Action::Busy`], since the news must be looked at again once
    /// the other worker is done.
    pub(crate) async fn participant_news(
        &self,
        participant: &ParticipantKey,
        cause: SyncCause,
    ) -> Result<Action, EngineError> {
        let rows = self.own_rows(
            self.inner
                .stores
                .ledger
                .rows_by_participant(participant)
                .await?,
        );
        if rows.is_empty() {
            return self.screen(participant).await;
        }
        let mut first = None;
        let mut busy = None;
        for row in rows {
            let action = self.sync_row(row, cause).await?;
            if matches!(action, Action::Busy { .. }) {
                busy.get_or_insert(action);
            } else if first.is_none() || matches!(first, Some(Action::AlreadyDone { .. })) {
                first = Some(action);
            }
        }
        Ok(busy.or(first).expect("at least one row"))
    }

    /// Fetch the results for `row` and write the outcome they show, once.
    pub(crate) async fn sync_row(
        &self,
        row: LedgerRow,
        cause: SyncCause,
    ) -> Result<Action, EngineError> {
        let key = row.key.clone();
        let participant = match (&row.state, &row.participant) {
            (RowState::Invited | RowState::Responded | RowState::Synced, Some(p)) => p.clone(),
            (state, _) => return Ok(Action::Ignored(Ignored::RowStopped(*state))),
        };
        self.ats(&key.ats)?;
        let results = match self.inner.willo.interview_results(&participant).await {
            Ok(results) => results,
            // A webhook's failure goes back to the inbox, which retries it; the row is
            // left alone so its own schedule is not disturbed.
            Err(error) if matches!(cause, SyncCause::Webhook { .. }) && error.is_transient() => {
                return Err(error.into());
            }
            // A late-results check of a written row: try again later; the results
            // are in the ATS already, so this is no failure of the row.
            Err(error) if super::late::only_rechecking(&row) => {
                tracing::debug!(row = %key, %error, "late results unavailable; checking later");
                return self.recheck_later(&row).await;
            }
            Err(error) if row.lease_live(self.now_ms()) => {
                tracing::debug!(row = %key, %error, "results unavailable; row busy elsewhere");
                return Ok(Action::Busy { key });
            }
            Err(error) => {
                let failure = Failure::from_willo("reading the Willo results", &error);
                return Ok(self
                    .record_failure(&key, row.attempts, None, failure)
                    .await?);
            }
        };
        // A responded or synced row is answered by definition, whatever field names
        // Willo's record uses for the answers.
        let answered_hint = matches!(cause, SyncCause::Webhook { answered: true })
            || matches!(row.state, RowState::Responded)
            || (row.state == RowState::Synced && !row_closed(&row));
        let Some(outcome) = Outcome::of(&results, &self.inner.rules, answered_hint) else {
            return self.not_answered(&row, cause).await;
        };
        if row.state == RowState::Invited && !matches!(outcome, Outcome::Closed(_)) {
            self.inner
                .stores
                .ledger
                .mark_responded(&key, self.now_ms())
                .await?;
        }
        let tag = outcome.tag();
        if row.state == RowState::Synced && row.synced_outcome.as_deref() == Some(tag.as_str()) {
            // The outcome is written; what may be new is late results.
            return self.late_results(row, &results).await;
        }
        let claim = self
            .inner
            .stores
            .ledger
            .claim_sync(&key, &tag, &self.lease())
            .await?;
        let (row, first_attempt) = match claim {
            Claim::Acquired(row) => (row, false),
            Claim::Fresh(row) => (row, true),
            Claim::Busy(_) => return Ok(Action::Busy { key }),
            Claim::Settled(_) => return Ok(Action::AlreadyDone { key }),
        };
        let claimed = row.clone();
        let work = self.write_outcome(row, outcome, &results, first_attempt);
        crate::metrics::write_back(&key.ats, self.within_lease(&claimed, work).await)
    }

    /// With the lease held: write the outcome and record it.
    async fn write_outcome(
        &self,
        row: LedgerRow,
        outcome: Outcome,
        results: &InterviewOutcome,
        first_attempt: bool,
    ) -> Result<Action, EngineError> {
        let key = &row.key;
        let ats = self.ats(&key.ats)?.clone();
        let application = row.application();
        let mut write = outcome.write_back(
            (&key.ats, &application.job),
            &self.inner.rules,
            ats.capabilities(),
        );
        write.first_attempt = first_attempt;
        if let Some(held) = self
            .write_mapped_fields(&row, &application, outcome, results)
            .await?
        {
            return Ok(held);
        }
        // The results note goes with the first write only (a closed interview wrote
        // none), so a later decision moves labels without a second one.
        let first_write = row.synced_outcome.is_none() || row_closed(&row);
        let notes = match self
            .outcome_notes(&ats, &row, outcome, results, first_write)
            .await
        {
            Ok(notes) => notes,
            Err(error) => {
                let failure = Failure::from_ats("rendering the note", &error.into());
                return Ok(self
                    .record_failure(key, row.attempts, Some(row.fence), failure)
                    .await?);
            }
        };
        write.outcome = Some(results.clone());
        write.record = Some(self.record(
            &row,
            outcome.note_event(),
            outcome.decision(),
            None,
            Some(results),
        ));
        let results_note = notes
            .iter()
            .any(|note| note.event() == NoteEvent::Completed);
        let tag = outcome.tag();
        let still_held = self.still_held(&row);
        match write_in_order(ats.as_ref(), &application, &write, &notes, still_held).await {
            Ok(Err(stopped)) => stopped,
            Ok(Ok(receipt)) => {
                let mut written = WrittenResults::new(tag.clone());
                if results_note {
                    // The results note: what it holds, and when to look for more.
                    let parts = self.fingerprint_parts();
                    written = written
                        .fingerprint(ResultsFingerprint::of(results, parts).encode())
                        .recheck(self.first_recheck(results));
                    if let Some(note) = receipt.note_id {
                        written = written.note_id(note);
                    }
                }
                if let Some(stopped) = self.record_written(&row, &written).await? {
                    return Ok(stopped);
                }
                self.credentials_work(super::WILLO).await;
                self.credentials_work(key.ats.as_str()).await;
                tracing::info!(row = %key, outcome = %tag, "results written back");
                Ok(Action::WroteBack {
                    key: key.clone(),
                    outcome: tag,
                })
            }
            Err(error) => {
                let failure = Failure::from_ats("writing the results back", &error);
                Ok(self
                    .record_failure(key, row.attempts, Some(row.fence), failure)
                    .await?)
            }
        }
    }

    /// Record what a write-back wrote under `row`'s fence. `Some`: the row was
    /// cancelled or taken over meanwhile, and this is what to answer instead.
    pub(super) async fn record_written(
        &self,
        row: &LedgerRow,
        written: &WrittenResults,
    ) -> Result<Option<Action>, EngineError> {
        let key = &row.key;
        match self
            .inner
            .stores
            .ledger
            .record_results_written(key, written, row.fence, self.now_ms())
            .await
        {
            Ok(()) => Ok(None),
            Err(StoreError::Conflict(_)) => Ok(Some(self.stopped(key).await?)),
            Err(StoreError::Fenced(lost)) => Ok(Some(self.lease_lost(key, &lost))),
            Err(other) => Err(other.into()),
        }
    }

    /// Just before the note (the one step not safe to repeat), whether this worker
    /// still holds `claimed`: a worker paused past its lease finds the row claimed
    /// again and stops, leaving the note to the new holder, as the invite looks before
    /// its send. `Err` carries what to answer instead.
    pub(super) async fn still_held(
        &self,
        claimed: &LedgerRow,
    ) -> Result<(), Result<Action, EngineError>> {
        let key = &claimed.key;
        match self.inner.stores.ledger.row(key).await {
            Ok(Some(now)) if now.fence == claimed.fence => Ok(()),
            Ok(Some(now)) => {
                let lost = format!("{key} was claimed again (fence {})", now.fence);
                Err(Ok(self.lease_lost(key, &lost)))
            }
            Ok(None) => Err(self.stopped(key).await.map_err(EngineError::from)),
            Err(error) => Err(Err(error.into())),
        }
    }

    /// No answer yet. A periodic check schedules the next one, or — after the
    /// configured number — leaves the row to Willo's webhook.
    async fn not_answered(&self, row: &LedgerRow, cause: SyncCause) -> Result<Action, EngineError> {
        let key = row.key.clone();
        if row.state != RowState::Invited || matches!(cause, SyncCause::Webhook { .. }) {
            return Ok(Action::NotAnswered { key });
        }
        let checks = self.inner.config.participant_checks;
        let done = row.attempts + 1;
        let now = self.now_ms();
        let (note, next) = if done >= checks.max_checks {
            (
                format!("no answer after {done} checks; waiting for Willo's webhook"),
                i64::MAX,
            )
        } else {
            (
                format!("no answer at check {done} of {}", checks.max_checks),
                now.saturating_add(millis(checks.delay_after(done))),
            )
        };
        match self
            .inner
            .stores
            .ledger
            .record_retry(&key, &note, next, None, now)
            .await
        {
            Ok(()) | Err(StoreError::Fenced(_)) => {} // Fenced: another worker is on it.
            Err(StoreError::Conflict(_)) => return Ok(self.stopped(&key).await?),
            Err(other) => return Err(other.into()),
        }
        Ok(Action::NotAnswered { key })
    }
}

/// Whether the row's last write was of a closed interview (expired, withdrawn): it
/// has not been answered.
fn row_closed(row: &LedgerRow) -> bool {
    row.synced_outcome
        .as_deref()
        .is_some_and(Outcome::is_closed_tag)
}
