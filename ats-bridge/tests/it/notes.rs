//! Notes per event as a custom `Ats` sees them (the structured record on every
//! write-back, the note's event and text) and the `[notes]` settings as the rules
//! file loads them (issue 17).

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::engine::{Action, Engine, EngineConfig};
use ats_bridge::late_results::{ResultsChange, ResultsUpdate};
use ats_bridge::model::{AtsEvent, InterviewOutcome, ParticipantKey};
use ats_bridge::note::{Note, NoteEvent, NoteFacts, NoteSetting};
use ats_bridge::rules::{JobSelector, Rules, RulesError};
use ats_bridge::store::MemoryStore;
use serde_json::json;
use willo_client::webhooks::{Delivery, WebhookEvent};

use crate::support::fake_willo::willo;
use crate::support::tiny_ats::{app, tiny};

const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";

fn new_response(participant: &ParticipantKey) -> Delivery {
    let body = json!({"participant": {"key": participant.as_str()}}).to_string();
    Delivery::parse(body.as_bytes(), Some(WebhookEvent::NewResponse)).unwrap()
}

#[tokio::test]
async fn a_custom_ats_receives_the_structured_record_and_each_note_with_its_event() {
    let (_server, fake, client) = willo().await;
    let ats = Arc::new(tiny());
    let mut rules = Rules::new().trigger("tiny", JobSelector::Any, ["screen"], INTERVIEW);
    rules.notes = rules.notes.clone().with(
        NoteEvent::Invited,
        NoteSetting::on().template("Invited {{ candidate.first_name }} ({{ candidate.id }})"),
    );
    let mut config = EngineConfig::default();
    config.young_ledger_window = Duration::ZERO;
    let engine = Engine::builder(client, Arc::new(MemoryStore::new()))
        .ats(ats.clone())
        .rules(rules)
        .config(config)
        .build()
        .unwrap();

    let stage_changed = AtsEvent::StageChanged {
        application: app(1, "job-open"),
        stage: "screen".into(),
        details: None,
    };
    let participant = match engine
        .handle_ats_event(&"tiny".into(), &stage_changed)
        .await
        .unwrap()
    {
        Action::Invited { participant, .. } => participant,
        other => panic!("expected an invite, got {other:?}"),
    };
    fake.answer(&participant);
    let action = engine
        .handle_willo_delivery(&new_response(&participant))
        .await
        .unwrap();
    assert!(matches!(action, Action::WroteBack { .. }), "{action:?}");

    let writes = ats.writes();
    // The invite: its label, then its note; the results: labels, then the note.
    assert_eq!(writes.len(), 4, "{writes:?}");
    for (application, write) in &writes {
        assert_eq!(application, &app(1, "job-open"));
        let record = write
            .record
            .as_ref()
            .expect("every write-back has the record");
        assert_eq!(record.candidate_id, "cand-1");
        assert_eq!(record.interview_key, INTERVIEW);
        assert_eq!(
            record.participant_key.as_deref(),
            Some(participant.as_str())
        );
    }
    let (_, invited_note) = &writes[1];
    let note = invited_note.note.as_ref().expect("the invited note");
    assert_eq!(note.event(), NoteEvent::Invited);
    assert_eq!(
        invited_note.note_text(1_000).unwrap().as_deref(),
        Some("Invited Candidate (cand-1)")
    );
    assert_eq!(
        invited_note.record.as_ref().unwrap().interview_status,
        "invited"
    );
    assert!(
        invited_note.outcome.is_none(),
        "an invite reports no results"
    );

    let (_, results) = &writes[3];
    assert_eq!(results.note.as_ref().unwrap().event(), NoteEvent::Completed);
    assert!(
        results.outcome.is_some(),
        "kept for implementations that render it"
    );
    let record = serde_json::to_value(results.record.as_ref().unwrap()).unwrap();
    assert_eq!(record["interview_status"], "completed");
    assert_eq!(
        record["responses"],
        json!([{
            "question": "Why us?",
            "video_url": "https://media.example/1.mp4",
            "transcript": "Because.",
            "summary": null,
            "score": null
        }])
    );
    let text = results.note_text(10_000).unwrap().unwrap();
    assert!(text.starts_with("Willo interview results\n"), "{text}");
    assert!(text.contains("Transcript: Because."), "{text}");
}

#[tokio::test]
async fn a_custom_ats_receives_the_results_updated_note_with_the_news() {
    // Issue 17 §2: with a team's template, late results reach a custom `Ats` as a note
    // like any other (`WriteBack::note`, event `results_updated`, `update.*` in its
    // variables), not as an update to render or amend.
    let (_server, fake, client) = willo().await;
    let ats = Arc::new(tiny());
    let mut rules = Rules::new().trigger("tiny", JobSelector::Any, ["screen"], INTERVIEW);
    rules.notes = rules.notes.clone().with(
        NoteEvent::ResultsUpdated,
        NoteSetting::on().template(
            "{{ update.summary }}:{% for c in update.comments %} {{ c.author }} said \
             \"{{ c.text }}\"{% endfor %}{% for r in update.responses %} / \
             {{ r.number }}. {{ r.summary }}{% endfor %}",
        ),
    );
    rules.validate().unwrap();
    let mut config = EngineConfig::default();
    config.young_ledger_window = Duration::ZERO;
    let engine = Engine::builder(client, Arc::new(MemoryStore::new()))
        .ats(ats.clone())
        .rules(rules)
        .config(config)
        .build()
        .unwrap();
    let stage_changed = AtsEvent::StageChanged {
        application: app(1, "job-open"),
        stage: "screen".into(),
        details: None,
    };
    let participant = match engine
        .handle_ats_event(&"tiny".into(), &stage_changed)
        .await
        .unwrap()
    {
        Action::Invited { participant, .. } => participant,
        other => panic!("expected an invite, got {other:?}"),
    };
    fake.answer(&participant);
    engine
        .handle_willo_delivery(&new_response(&participant))
        .await
        .unwrap();

    // Later, Willo has an AI summary and a reviewer's comment.
    fake.add(
        participant.as_str(),
        json!({
            "key": participant.as_str(),
            "interview": INTERVIEW,
            "responses": [{
                "question": "Why us?",
                "media_url": "https://media.example/1.mp4",
                "transcript": "Because.",
                "summary": "Keen."
            }],
            "comments": [{"text": "Strong", "author": "Sam"}]
        }),
    );
    let body = json!({"participant": {"key": participant.as_str()}}).to_string();
    let news = Delivery::parse(body.as_bytes(), Some(WebhookEvent::NewComment)).unwrap();
    let action = engine.handle_willo_delivery(&news).await.unwrap();
    assert!(
        matches!(action, Action::WroteUpdate { changes: 2, .. }),
        "{action:?}"
    );

    let writes = ats.writes();
    // The invited label; the results' labels, then their note; the follow-up.
    assert_eq!(writes.len(), 4, "{writes:?}");
    let (application, follow_up) = &writes[3];
    assert_eq!(application, &app(1, "job-open"));
    let note = follow_up.note.as_ref().expect("the follow-up note");
    assert_eq!(note.event(), NoteEvent::ResultsUpdated);
    let update = note.context().update.as_ref().expect("the news");
    assert_eq!(update.kinds, ["summary", "comment"]);
    assert_eq!(
        follow_up.note_text(1_000).unwrap().as_deref(),
        Some("AI summary and reviewer comment added: Sam said \"Strong\" / 1. Keen.")
    );
    assert!(
        follow_up.update.is_none() && follow_up.outcome.is_none(),
        "one note to write, nothing else: {follow_up:?}"
    );
}

#[test]
fn the_rules_file_names_the_template_and_the_unknown_variable() {
    let error = Rules::from_toml(
        r#"
        [notes.decision]
        template = "Decision for {{ candidate.first_name }}: {{ decison }}"
        "#,
    )
    .unwrap_err();
    assert_eq!(
        error,
        RulesError::Invalid {
            entry: "notes.decision.template".into(),
            reason: "unknown variable `decison` (the decision note has: event, candidate, \
                     application, interview, participant, results, decision, dates, record)"
                .into(),
        }
    );

    // JSON too, and a variable only another event has.
    let error = Rules::from_json(
        r#"{"notes": {"invited": {"enabled": true, "template": "{{ results.score }}"}}}"#,
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("notes.invited.template")
            && error.to_string().contains("`results.score`"),
        "{error}"
    );

    let error = Rules::from_toml("[notes.expired]\nenabled = true\nstages = []\n").unwrap_err();
    assert!(
        error.to_string().starts_with("notes.expired.stages"),
        "{error}"
    );
}

#[test]
fn the_rules_file_switches_events_on_and_off() {
    let rules = Rules::from_toml(
        r#"
        [notes.completed]
        enabled = false

        [notes.invited]
        template = "Sent {{ interview.name }}"

        [notes.withdrawn]
        enabled = true
        stages = ["Withdrew", "Candidate withdrew"]
        "#,
    )
    .unwrap();
    assert!(!rules.notes.enabled(NoteEvent::Completed));
    assert!(
        rules.notes.enabled(NoteEvent::Invited),
        "a template switches its event on"
    );
    assert!(
        rules.notes.enabled(NoteEvent::ResultsUpdated),
        "on by default"
    );
    assert!(!rules.notes.enabled(NoteEvent::Decision), "off by default");
    assert_eq!(
        rules.notes.closing_event("candidate WITHDREW"),
        Some(NoteEvent::Withdrawn)
    );
    assert_eq!(rules.notes.closing_event("Expired"), None, "expired is off");
    assert_eq!(Rules::from_toml("").unwrap().notes, Default::default());
}

#[test]
fn a_template_for_updated_results_loads_and_an_unknown_variable_is_named() {
    // Issue 17 §2: `results_updated` takes a template like every other event.
    let rules = Rules::from_toml(
        r#"
        [notes.results_updated]
        template = "Updated: {{ update.summary }} ({{ update.kinds | join(', ') }})"
        "#,
    )
    .unwrap();
    assert!(rules.notes.enabled(NoteEvent::ResultsUpdated));
    assert_eq!(
        rules.notes.template(NoteEvent::ResultsUpdated),
        "Updated: {{ update.summary }} ({{ update.kinds | join(', ') }})"
    );

    let error = Rules::from_toml(
        r#"
        [notes.results_updated]
        template = "Updated: {{ update.sumary }}"
        "#,
    )
    .unwrap_err();
    assert_eq!(
        error,
        RulesError::Invalid {
            entry: "notes.results_updated.template".into(),
            reason: "unknown variable `update.sumary` (the results_updated note has: event, \
                     candidate, application, interview, participant, results, update, dates, \
                     record)"
                .into(),
        }
    );
    let off = Rules::from_toml("[notes.results_updated]\nenabled = false\n").unwrap();
    assert!(!off.notes.enabled(NoteEvent::ResultsUpdated));
}

#[test]
fn the_readme_examples_of_the_note_settings_load() {
    let readme = include_str!("../../../README.md");
    let section = &readme[readme.find("## Notes per event").unwrap()..];
    let start = section.find("```toml\n").unwrap() + "```toml\n".len();
    let block = &section[start..start + section[start..].find("```").unwrap()];
    let rules = Rules::from_toml(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
    assert!(!rules.notes.enabled(NoteEvent::Completed));
    assert!(
        rules
            .notes
            .setting(NoteEvent::ResultsUpdated)
            .template
            .is_some(),
        "the README shows a results_updated template"
    );
    for event in [
        NoteEvent::Invited,
        NoteEvent::ResultsUpdated,
        NoteEvent::Decision,
        NoteEvent::Expired,
        NoteEvent::Withdrawn,
    ] {
        assert!(rules.notes.enabled(event), "{event}");
    }
    assert_eq!(
        rules.notes.closing_event("invite expired"),
        Some(NoteEvent::Expired)
    );

    // The results_updated example writes what the README promises.
    let results = InterviewOutcome::from_participant_json(
        ParticipantKey::from("p"),
        json!({"share_url": "https://willo.example/r/1", "responses": [
            {"question": "Why us?", "summary": "Keen."},
            {"question": "Your hobbies?"}
        ], "comments": [{"text": "Strong", "author": "Sam"}]}),
    );
    let update = ResultsUpdate::new(
        results.clone(),
        vec![ResultsChange::Summary(0), ResultsChange::Comment(0)],
    );
    let application = app(1, "job-open");
    let (ats, interview) = ("tiny".into(), INTERVIEW.into());
    let event = NoteEvent::ResultsUpdated;
    let mut facts = NoteFacts::new(event, &ats, &application, &interview, 0);
    facts.full_name = Some("Ada Lovelace");
    facts.results = Some(&results);
    facts.update = Some(update.vars());
    let note = Note::new(event, rules.notes.template(event), facts.context());
    assert_eq!(
        note.text(10_000).unwrap(),
        "Willo update for Ada: AI summary and reviewer comment added\n\
         1. Why us?: Keen.\n\
         Sam: Strong\n\
         https://willo.example/r/1"
    );
}
