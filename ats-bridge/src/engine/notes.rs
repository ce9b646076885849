//! Which notes a write-back carries, as the rules' `[notes]` settings say, and the
//! facts their templates read. The engine decides; the adapters write
//! [`Note::text`](crate::note::Note::text).

use std::sync::Arc;

use serde_json::Value;

use super::Engine;
use super::outcome::Outcome;
use crate::Ats;
use crate::model::{ApplicationRef, InterviewOutcome, ParticipantKey};
use crate::note::{Note, NoteEvent, NoteFacts, NoteRenderError, ResultsRecord, UpdateVars};
use crate::rules::Decision;
use crate::store::LedgerRow;

impl Engine {
    /// The notes for writing `outcome` on `row`'s application, in the order they are
    /// written: the results note on the first write of an answered interview (as
    /// always), then the decision's or the closing event's, each when its setting is
    /// on. A template that renders nothing gives no note.
    pub(super) async fn outcome_notes(
        &self,
        ats: &Arc<dyn Ats>,
        row: &LedgerRow,
        outcome: Outcome,
        results: &InterviewOutcome,
        first_write: bool,
    ) -> Result<Vec<Note>, NoteRenderError> {
        let mut events = Vec::new();
        let answered = !matches!(outcome, Outcome::Closed(_));
        if answered && first_write {
            events.push((NoteEvent::Completed, None));
        }
        match outcome {
            Outcome::Decided(decision) => events.push((NoteEvent::Decision, Some(decision))),
            Outcome::Closed(event) => events.push((event, None)),
            Outcome::Completed => {}
        }
        let mut notes = Vec::new();
        for (event, decision) in events {
            let note = self
                .results_note(ats, row, event, results, decision, None)
                .await?;
            notes.extend(note);
        }
        Ok(notes)
    }

    /// `event`'s note about `row`'s results, when its setting is on and its template
    /// writes something: with `decision` for [`NoteEvent::Decision`], and what changed
    /// (`update`) for [`NoteEvent::ResultsUpdated`], the follow-up of late results.
    pub(super) async fn results_note(
        &self,
        ats: &Arc<dyn Ats>,
        row: &LedgerRow,
        event: NoteEvent,
        results: &InterviewOutcome,
        decision: Option<Decision>,
        update: Option<UpdateVars>,
    ) -> Result<Option<Note>, NoteRenderError> {
        if !ats.capabilities().notes || !self.inner.rules.notes.enabled(event) {
            return Ok(None);
        }
        let application = row.application();
        let full_name = self.full_name(ats, event, &application, results).await;
        let mut facts = self.facts(event, row, &application);
        facts.results = Some(results);
        facts.decision = decision;
        facts.update = update;
        facts.full_name = full_name.as_deref();
        facts.interview_name = self.interview_name(event, row, Some(results)).await;
        self.note(event, &facts)
    }

    /// The note of a sent invite, when `invited` is on and the ATS takes notes.
    pub(super) async fn invited_note(
        &self,
        ats: &Arc<dyn Ats>,
        row: &LedgerRow,
        participant: &ParticipantKey,
        full_name: &str,
    ) -> Result<Option<Note>, NoteRenderError> {
        let event = NoteEvent::Invited;
        if !ats.capabilities().notes || !self.inner.rules.notes.enabled(event) {
            return Ok(None);
        }
        let application = row.application();
        let mut facts = self.facts(event, row, &application);
        facts.participant = Some(participant);
        facts.full_name = Some(full_name);
        facts.interview_name = self.interview_name(event, row, None).await;
        self.note(event, &facts)
    }

    /// The structured record for a write-back about `row`: the interview's status
    /// and, with `results`, the answers.
    pub(super) fn record(
        &self,
        row: &LedgerRow,
        event: NoteEvent,
        decision: Option<Decision>,
        participant: Option<&ParticipantKey>,
        results: Option<&InterviewOutcome>,
    ) -> ResultsRecord {
        let application = row.application();
        let mut facts = self.facts(event, row, &application);
        facts.results = results;
        facts.participant = participant;
        facts.decision = decision;
        facts.context().record
    }

    fn facts<'a>(
        &self,
        event: NoteEvent,
        row: &'a LedgerRow,
        application: &'a ApplicationRef,
    ) -> NoteFacts<'a> {
        let mut facts = NoteFacts::new(
            event,
            &row.key.ats,
            application,
            &row.key.interview,
            self.now_ms(),
        );
        facts.participant = row.participant.as_ref();
        facts.invited_ms = Some(row.created_at_ms);
        facts
    }

    /// `event`'s note with `facts`, rendered once here so a template that renders
    /// nothing gives no note and one that fails does so before anything is written.
    fn note(
        &self,
        event: NoteEvent,
        facts: &NoteFacts<'_>,
    ) -> Result<Option<Note>, NoteRenderError> {
        let note = Note::new(
            event,
            self.inner.rules.notes.template(event),
            facts.context(),
        );
        let text = note.text(usize::MAX)?;
        Ok((!text.trim().is_empty()).then_some(note))
    }

    /// The candidate's name for a note about results: Willo's record holds the name
    /// it was invited with; when it does not and the template shows the first name,
    /// the ATS is asked. A name is decoration: when neither answers, it stays empty.
    async fn full_name(
        &self,
        ats: &Arc<dyn Ats>,
        event: NoteEvent,
        application: &ApplicationRef,
        results: &InterviewOutcome,
    ) -> Option<String> {
        let from_willo = ["first_name", "name", "full_name"]
            .iter()
            .find_map(|field| results.raw.get(*field).and_then(Value::as_str))
            .filter(|name| !name.trim().is_empty())
            .map(str::to_owned);
        if from_willo.is_some() || !self.inner.rules.notes.uses(event, "candidate.first_name") {
            return from_willo;
        }
        match ats.candidate(application).await {
            Ok(details) => Some(details.name),
            Err(error) => {
                tracing::debug!(%error, "no candidate name for the note");
                None
            }
        }
    }

    /// The interview's title, when the template shows it: from Willo's record of the
    /// participant when it embeds the interview, else one request to Willo.
    async fn interview_name(
        &self,
        event: NoteEvent,
        row: &LedgerRow,
        results: Option<&InterviewOutcome>,
    ) -> Option<String> {
        if !self.inner.rules.notes.uses(event, "interview.name") {
            return None;
        }
        let embedded = results
            .and_then(|r| r.raw.get("interview"))
            .and_then(|i| i.get("title"))
            .and_then(Value::as_str);
        if let Some(title) = embedded {
            return Some(title.to_owned());
        }
        match self.inner.willo.interviews().get(&row.key.interview).await {
            Ok(interview) => interview.title,
            Err(error) => {
                tracing::debug!(row = %row.key, %error, "no interview title for the note");
                None
            }
        }
    }
}
