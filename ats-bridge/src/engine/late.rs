//! Late results: after the results note, write what Willo adds later (transcripts,
//! AI summaries, reviewers' scores and comments) as the difference, once, and keep
//! the row's durable schedule of late-results checks.

use std::sync::Arc;

use super::Engine;
use super::action::{Action, EngineError};
use super::failure::{Failure, millis};
use super::write_order::write_in_order;
use crate::Ats;
use crate::late_results::{FingerprintParts, ResultsFingerprint, ResultsUpdate};
use crate::model::{InterviewOutcome, WriteBack};
use crate::note::{Note, NoteEvent, NoteRenderError};
use crate::store::{Claim, LedgerRow, Recheck, RowState, StoreError, WrittenResults};

impl Engine {
    /// Which parts of the results count as news (see [`super::LateResults`]).
    pub(super) fn fingerprint_parts(&self) -> FingerprintParts {
        let late = &self.inner.config.late_results;
        FingerprintParts::new(late.scores, late.comments)
    }

    /// The schedule to store with the first results note: the first check, unless
    /// every answer already has its transcript and summary.
    pub(super) fn first_recheck(&self, results: &InterviewOutcome) -> Recheck {
        let at = self
            .recheck_time(0)
            .filter(|_| self.late_results_on() && !complete(results));
        Recheck::new(at, 0)
    }

    /// Whether late results are written at all (`[notes.results_updated]`, on by
    /// default).
    fn late_results_on(&self) -> bool {
        self.inner.rules.notes.enabled(NoteEvent::ResultsUpdated)
    }

    /// When check `done + 1` is due, counted from now; `None` when the schedule is
    /// over.
    fn recheck_time(&self, done: u32) -> Option<i64> {
        let delay = self.inner.config.late_results.delay_after(done)?;
        Some(self.now_ms().saturating_add(millis(delay)))
    }

    /// The schedule after looking at `results` for a synced `row`: `None` keeps the
    /// stored one (news from a webhook between checks), else the next check — none
    /// once every answer has its transcript and summary or the schedule is over.
    fn next_recheck(&self, row: &LedgerRow, results: &InterviewOutcome) -> Option<Recheck> {
        let due = row.recheck_at_ms.is_some_and(|at| at <= self.now_ms());
        let done = if due {
            row.rechecks.saturating_add(1)
        } else {
            row.rechecks
        };
        if complete(results) {
            return row
                .recheck_at_ms
                .is_some()
                .then(|| Recheck::new(None, done));
        }
        due.then(|| Recheck::new(self.recheck_time(done), done))
    }

    /// A synced row whose outcome is written: write what `results` add to what the
    /// ATS holds, once, and plan the next late-results check.
    pub(super) async fn late_results(
        &self,
        row: LedgerRow,
        results: &InterviewOutcome,
    ) -> Result<Action, EngineError> {
        let key = row.key.clone();
        if !self.late_results_on() {
            // Switched off: nothing to write, and no check left planned (one stored
            // before the setting changed would otherwise come due again and again).
            if row.recheck_at_ms.is_some() {
                self.store_recheck(&row, Recheck::new(None, row.rechecks))
                    .await?;
            }
            return Ok(Action::AlreadyDone { key });
        }
        // No fingerprint: no results note was written (an ATS without notes), or the
        // row was written before fingerprints were kept; nothing to compare with.
        let Some(before) = row
            .results_fingerprint
            .as_deref()
            .and_then(ResultsFingerprint::decode)
        else {
            return Ok(Action::AlreadyDone { key });
        };
        let now = ResultsFingerprint::of(results, self.fingerprint_parts());
        let recheck = self.next_recheck(&row, results);
        if now == before {
            if let Some(recheck) = recheck {
                self.store_recheck(&row, recheck).await?;
            }
            return Ok(Action::AlreadyDone { key });
        }
        let fingerprint = now.encode();
        let claim = self
            .inner
            .stores
            .ledger
            .claim_results_update(&key, &fingerprint, &self.lease())
            .await?;
        let (row, first_attempt) = match claim {
            Claim::Acquired(row) => (row, false),
            Claim::Fresh(row) => (row, true),
            Claim::Busy(_) => return Ok(Action::Busy { key }),
            Claim::Settled(_) => return Ok(Action::AlreadyDone { key }),
        };
        let changes = now.changes_since(&before);
        let claimed = row.clone();
        let work = self.write_update(row, results, changes, (fingerprint, recheck), first_attempt);
        crate::metrics::write_back(&key.ats, self.within_lease(&claimed, work).await)
    }

    /// With the lease held: write the update (nothing when only removals changed the
    /// fingerprint) and record its fingerprint.
    async fn write_update(
        &self,
        row: LedgerRow,
        results: &InterviewOutcome,
        changes: Vec<crate::late_results::ResultsChange>,
        (fingerprint, recheck): (String, Option<Recheck>),
        first_attempt: bool,
    ) -> Result<Action, EngineError> {
        let key = &row.key;
        let ats = self.ats(&key.ats)?.clone();
        let count = changes.len();
        if !changes.is_empty() {
            let mut results = results.clone();
            if !self.inner.config.late_results.comments {
                // Not to be written: an amended note would show them too.
                results.comments.clear();
            }
            let update = ResultsUpdate::new(results, changes);
            let (mut write, notes) = match self.update_write(&ats, &row, update).await {
                Ok(planned) => planned,
                Err(error) => {
                    let failure = Failure::from_ats("rendering the note", &error.into());
                    return Ok(self
                        .record_failure(key, row.attempts, Some(row.fence), failure)
                        .await?);
                }
            };
            write.first_attempt = first_attempt;
            // A worker paused past its lease must not write the update the row's new
            // holder writes too: re-read the row just before the note.
            let still_held = self.still_held(&row);
            let application = row.application();
            match write_in_order(ats.as_ref(), &application, &write, &notes, still_held).await {
                Ok(Ok(_)) => {}
                Ok(Err(stopped)) => return stopped,
                Err(error) => {
                    let failure = Failure::from_ats("writing late results back", &error);
                    return Ok(self
                        .record_failure(key, row.attempts, Some(row.fence), failure)
                        .await?);
                }
            }
        }
        let tag = row.synced_outcome.clone().unwrap_or_default();
        let mut written = WrittenResults::new(tag).fingerprint(fingerprint);
        if let Some(recheck) = recheck {
            written = written.recheck(recheck);
        }
        if let Some(stopped) = self.record_written(&row, &written).await? {
            return Ok(stopped);
        }
        tracing::info!(row = %key, changes = count, "late results written back");
        Ok(Action::WroteUpdate {
            key: key.clone(),
            changes: count,
        })
    }

    /// How `update` reaches the ATS. With a `[notes.results_updated]` template of the
    /// team's, its text is the note: rendered here with the update's variables
    /// ([`ResultsUpdate::vars`]) and written as a note of its own, never as an
    /// amendment (an edited results note would not show the team's text); nothing is
    /// written when it renders nothing. With the built-in text, the update goes to the
    /// ATS as [`WriteBack::update`], which amends the results note where the ATS can
    /// (Lever) or adds the built-in follow-up; the amendment re-renders the built-in
    /// results note, so it is offered only while `completed` has the built-in text
    /// too (it would replace a team's own results note).
    async fn update_write(
        &self,
        ats: &Arc<dyn Ats>,
        row: &LedgerRow,
        mut update: ResultsUpdate,
    ) -> Result<(WriteBack, Vec<Note>), NoteRenderError> {
        let notes = &self.inner.rules.notes;
        let event = NoteEvent::ResultsUpdated;
        if notes.setting(event).template.is_some() {
            let vars = update.vars();
            let note = self
                .results_note(ats, row, event, &update.results, None, Some(vars))
                .await?;
            return Ok((WriteBack::default(), note.into_iter().collect()));
        }
        let built_in_results_note = notes.setting(NoteEvent::Completed).template.is_none();
        if let Some(note) = row
            .results_note_id
            .as_ref()
            .filter(|_| built_in_results_note)
        {
            update = update.amending(note.clone());
        }
        Ok((WriteBack::update(update), Vec::new()))
    }

    /// Store the next check of `row`, unless a worker holds it (it stores its own).
    async fn store_recheck(&self, row: &LedgerRow, recheck: Recheck) -> Result<(), EngineError> {
        match self
            .inner
            .stores
            .ledger
            .schedule_recheck(&row.key, recheck, self.now_ms())
            .await
        {
            Ok(()) | Err(StoreError::Fenced(_)) | Err(StoreError::Conflict(_)) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    /// A late-results check could not read Willo: try again after the retry delay,
    /// without counting a failure against a row whose results are written.
    pub(super) async fn recheck_later(&self, row: &LedgerRow) -> Result<Action, EngineError> {
        let delay = self.inner.config.retry.delay(1, &row.key.to_string());
        let at = self.now_ms().saturating_add(millis(delay));
        self.store_recheck(row, Recheck::new(Some(at), row.rechecks))
            .await?;
        Ok(Action::AlreadyDone {
            key: row.key.clone(),
        })
    }
}

/// Whether nothing more is expected: every answer has its transcript and summary.
fn complete(results: &InterviewOutcome) -> bool {
    !results.responses.is_empty()
        && results
            .responses
            .iter()
            .all(|r| r.transcript.is_some() && r.summary.is_some())
}

/// Whether `row` is a synced row waiting only for a late-results check (no failed
/// step to retry).
pub(super) fn only_rechecking(row: &LedgerRow) -> bool {
    row.state == RowState::Synced && row.next_attempt_at_ms.is_none()
}
