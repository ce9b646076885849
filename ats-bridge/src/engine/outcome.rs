//! What a participant's results amount to, and what writing them back means in the
//! ATS: the labels each outcome sets, the note, the optional stage move.

use crate::model::{AtsName, Capabilities, InterviewOutcome, JobId, WriteBack};
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
}

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
        answered.then_some(Outcome::Completed)
    }

    /// The ledger's name for it: each distinct tag is written once.
    pub(crate) fn tag(self) -> String {
        match self {
            Outcome::Completed => COMPLETED.to_owned(),
            Outcome::Decided(Decision::Accepted) => "decision:accepted".to_owned(),
            Outcome::Decided(Decision::Rejected) => "decision:rejected".to_owned(),
        }
    }

    /// The write-back for this outcome. The note goes with the first write only
    /// (`first_write`), so a later decision moves labels without a second note.
    pub(crate) fn write_back(
        self,
        results: &InterviewOutcome,
        target: (&AtsName, &JobId),
        rules: &Rules,
        capabilities: Capabilities,
        first_write: bool,
    ) -> WriteBack {
        let labels = &rules.labels;
        let (add, move_to) = match self {
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
        if first_write && capabilities.notes {
            write.outcome = Some(results.clone());
        }
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
            &results(json!({})),
            (&"lever".into(), &"posting".into()),
            &rules,
            Capabilities::all(),
            false,
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
        assert!(write.outcome.is_none(), "no second note");
    }

    #[test]
    fn capabilities_limit_what_is_written() {
        let write = Outcome::Completed.write_back(
            &results(json!({"responses": []})),
            (&"tiny".into(), &"job".into()),
            &Rules::new(),
            Capabilities::none().with_notes(true),
            true,
        );
        assert!(write.add_labels.is_empty() && write.remove_labels.is_empty());
        assert!(write.outcome.is_some());
    }
}
