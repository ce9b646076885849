//! What a participant's results amount to, and what writing them back means in the
//! ATS: the labels each outcome sets and the optional stage move (the notes are
//! `notes.rs`'s).

use crate::model::{AtsName, Capabilities, InterviewOutcome, JobId, WriteBack};
use crate::note::NoteEvent;
use crate::rules::{Decision, Rules};

/// Outcome tag for answered interviews without a decision.
pub(crate) const COMPLETED: &str = "completed";

/// Where a participant stands, as far as the ATS needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Answered; waiting for the hiring team.
    Completed,
    /// The hiring team decided in Willo.
    Decided(Decision),
    /// Not answered, and Willo's stage says it will not be (`Expired` or `Withdrawn`
    /// events, whose stage names and notes are set in `[notes]`). Only when that
    /// event's note is on: otherwise the row keeps waiting, as it always has.
    Closed(NoteEvent),
}

/// The ledger tags of [`Outcome::Closed`] start with this.
const CLOSED_PREFIX: &str = "closed:";

impl Outcome {
    /// Read `results`. `answered_hint` is true when Willo's `new_response` webhook
    /// said so (results' field names are unconfirmed, so the hint counts too).
    /// `None`: not answered yet.
    pub(crate) fn of(
        results: &InterviewOutcome,
        rules: &Rules,
        answered_hint: bool,
    ) -> Option<Self> {
        if let Some(decision) = results
            .stage
            .as_deref()
            .and_then(|stage| rules.decision_stages.decision_for(stage))
        {
            return Some(Outcome::Decided(decision));
        }
        let answered =
            answered_hint || results.completed_at.is_some() || !results.responses.is_empty();
        if answered {
            return Some(Outcome::Completed);
        }
        results
            .stage
            .as_deref()
            .and_then(|stage| rules.notes.closing_event(stage))
            .map(Outcome::Closed)
    }

    /// The note event this outcome stands for (the record's status follows it).
    pub(crate) fn note_event(self) -> NoteEvent {
        match self {
            Outcome::Completed => NoteEvent::Completed,
            Outcome::Decided(_) => NoteEvent::Decision,
            Outcome::Closed(event) => event,
        }
    }

    /// The decision, for a decided outcome.
    pub(crate) fn decision(self) -> Option<Decision> {
        match self {
            Outcome::Decided(decision) => Some(decision),
            _ => None,
        }
    }

    /// Whether a ledger tag is a [`Outcome::Closed`] one: such a row was not answered,
    /// so its results note is still to write if answers come after all.
    pub(crate) fn is_closed_tag(tag: &str) -> bool {
        tag.starts_with(CLOSED_PREFIX)
    }

    /// The ledger's name for it: each distinct tag is written once.
    pub(crate) fn tag(self) -> String {
        match self {
            Outcome::Completed => COMPLETED.to_owned(),
            Outcome::Decided(Decision::Accepted) => "decision:accepted".to_owned(),
            Outcome::Decided(Decision::Rejected) => "decision:rejected".to_owned(),
            Outcome::Closed(event) => format!("{CLOSED_PREFIX}{event}"),
        }
    }

    /// The label and stage changes for this outcome (the notes come from
    /// `Engine::outcome_notes`). A closed interview changes neither.
    pub(crate) fn write_back(
        self,
        target: (&AtsName, &JobId),
        rules: &Rules,
        capabilities: Capabilities,
    ) -> WriteBack {
        let labels = &rules.labels;
        let (add, move_to) = match self {
            Outcome::Closed(_) => return WriteBack::default(),
            Outcome::Completed => (labels.responded.clone(), None),
            Outcome::Decided(decision) => (
                labels.for_decision(decision).to_owned(),
                rules
                    .move_on_decision(target.0, target.1, decision)
                    .cloned(),
            ),
        };
        let (add_labels, remove_labels) = if capabilities.labels {
            let remove = labels
                .all()
                .into_iter()
                .filter(|label| *label != add)
                .map(str::to_owned)
                .collect();
            (vec![add], remove)
        } else {
            (Vec::new(), Vec::new())
        };
        let mut write = WriteBack::labels(add_labels, remove_labels);
        if capabilities.stage_moves {
            write.move_to = move_to;
        }
        write
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ParticipantKey;

    fn results(raw: serde_json::Value) -> InterviewOutcome {
        InterviewOutcome::from_participant_json(ParticipantKey::from("p"), raw)
    }

    #[test]
    fn decisions_come_from_configured_stage_names() {
        let rules = Rules::new();
        let accepted = results(json!({"stage": {"name": "ACCEPTED"}}));
        assert_eq!(
            Outcome::of(&accepted, &rules, false),
            Some(Outcome::Decided(Decision::Accepted))
        );
        let waiting = results(json!({"stage": "Invited"}));
        assert_eq!(Outcome::of(&waiting, &rules, false), None);
        assert_eq!(
            Outcome::of(&waiting, &rules, true),
            Some(Outcome::Completed),
            "Willo's new_response webhook counts as answered"
        );
    }

    #[test]
    fn a_decision_replaces_every_other_label_and_moves_if_a_rule_says_so() {
        let rules = Rules::new().progress(
            "lever",
            crate::rules::JobSelector::Any,
            Decision::Rejected,
            "archived-stage",
        );
        let write = Outcome::Decided(Decision::Rejected).write_back(
            (&"lever".into(), &"posting".into()),
            &rules,
            Capabilities::all(),
        );
        assert_eq!(write.add_labels, vec!["Willo:Rejected"]);
        assert_eq!(
            write.remove_labels,
            vec!["Willo:Invited", "Willo:To Review", "Willo:Accepted"]
        );
        assert_eq!(
            write.move_to.as_ref().map(|s| s.as_str()),
            Some("archived-stage")
        );
    }

    #[test]
    fn capabilities_limit_what_is_written() {
        let write = Outcome::Completed.write_back(
            (&"tiny".into(), &"job".into()),
            &Rules::new(),
            Capabilities::none().with_notes(true),
        );
        assert!(write.add_labels.is_empty() && write.remove_labels.is_empty());
    }

    #[test]
    fn expired_and_withdrawn_count_only_when_their_note_is_on() {
        use crate::note::NoteSetting;
        let expired = results(json!({"stage": "expired"}));
        assert_eq!(
            Outcome::of(&expired, &Rules::new(), false),
            None,
            "off by default"
        );
        let mut rules = Rules::new();
        rules.notes = rules
            .notes
            .clone()
            .with(NoteEvent::Expired, NoteSetting::on().stages(["Expired"]));
        assert_eq!(
            Outcome::of(&expired, &rules, false),
            Some(Outcome::Closed(NoteEvent::Expired))
        );
        assert_eq!(Outcome::Closed(NoteEvent::Expired).tag(), "closed:expired");
        assert!(Outcome::is_closed_tag("closed:expired"));
        // Answers win over the stage name.
        assert_eq!(
            Outcome::of(&expired, &rules, true),
            Some(Outcome::Completed)
        );
    }
}
