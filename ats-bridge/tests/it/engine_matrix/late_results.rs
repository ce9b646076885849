//! Results that arrive after the results note: transcripts and summaries found by the
//! scheduled checks, reviewers' scores and comments brought by Willo's webhooks; each
//! written once, as the difference (Lever amends its note, SmartRecruiters gets one
//! follow-up note), and the checks bounded.

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::engine::{Action, EngineConfig, LateResults};
use ats_bridge::late_results::{
    FingerprintParts, ResultsFingerprint, ResultsUpdate, render_follow_up_note,
};
use ats_bridge::model::{InterviewOutcome, ParticipantKey};
use ats_bridge::note::{NoteEvent, NoteSetting};
use ats_bridge::rules::Rules;
use ats_bridge::store::{MemoryStore, RowState};
use serde_json::{Value, json};
use willo_client::WebhookEvent;

use crate::support::engine_setup::{config, on_willo_news, rows_in};
use crate::support::willo_mock::{PARTICIPANT, participant, willo_results};
use crate::support::world::{INVITED, TO_REVIEW, VendorWorld, World};

/// Checks at once after the results note, then an hour later.
fn checking_at_once() -> EngineConfig {
    let mut config = config();
    config.late_results = LateResults::new(vec![Duration::ZERO, Duration::from_secs(3600)]);
    config
}

/// The answers of `participant("Received")` with every transcript and summary.
fn transcribed() -> Value {
    let mut now = participant("Received");
    now["responses"][0]["summary"] = json!("Makes coffee for a living.");
    now["responses"][1]["transcript"] = json!("Because you roast your own beans.");
    now
}

/// `transcribed()` with a reviewer's comment.
fn commented() -> Value {
    let mut now = transcribed();
    now["comments"] = json!([{"comment": "Great energy", "author": {"name": "Sam Reviewer"}}]);
    now
}

fn outcome(participant: &Value) -> InterviewOutcome {
    let mut outcome = InterviewOutcome::from_participant_json(
        ParticipantKey::from(PARTICIPANT),
        participant.clone(),
    );
    // As `interview_results` fills it with the client's default template.
    outcome.willo_url = Some(willo_client::DEFAULT_PARTICIPANT_PAGE_URL.into());
    outcome
}

/// The update the engine sends when Willo's record goes from `before` to `now`.
fn update_of<V: VendorWorld>(before: &Value, now: &Value) -> ResultsUpdate {
    let parts = FingerprintParts::default();
    let (before, now) = (outcome(before), outcome(now));
    let changes =
        ResultsFingerprint::of(&now, parts).changes_since(&ResultsFingerprint::of(&before, parts));
    ResultsUpdate::new(now, changes).amending(V::WRITTEN_NOTE)
}

pub async fn late_transcripts_and_comments_are_written_once_as_the_difference<V: VendorWorld>() {
    let w = World::<V>::with(
        Arc::new(MemoryStore::new()),
        World::<V>::rules(),
        checking_at_once(),
    )
    .await;
    let key = World::<V>::key();
    w.invite().await;
    let first = participant("Received");
    willo_results(&w.willo, first.clone(), 1).await;
    w.results_written_back(&first).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, World::<V>::wrote_back("completed"));
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert!(row.results_fingerprint.is_some());
    assert_eq!(row.results_note_id.as_deref(), Some(V::WRITTEN_NOTE));
    assert!(
        row.recheck_at_ms.is_some(),
        "answers lack transcripts: checked again"
    );

    // The check finds the transcripts and summaries: written once, as the difference.
    let now = transcribed();
    willo_results(&w.willo, now.clone(), 1).await;
    V::late_results_written(&w.ats, &update_of::<V>(&first, &now), 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert_eq!(
        (row.recheck_at_ms, row.rechecks),
        (None, 1),
        "complete: no more checks"
    );
    assert_eq!(row.state, RowState::Synced);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);

    // A score that changes nothing is read and not written.
    willo_results(&w.willo, now.clone(), 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewScore).await;
    assert_eq!(action, Action::AlreadyDone { key: key.clone() });

    // A reviewer's comment: written once, however often Willo tells.
    let with_comment = commented();
    willo_results(&w.willo, with_comment.clone(), 2).await;
    V::late_results_written(&w.ats, &update_of::<V>(&now, &with_comment), 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewComment).await;
    assert_eq!(
        action,
        Action::WroteUpdate {
            key: key.clone(),
            changes: 1
        }
    );
    let again = on_willo_news(&w.engine, WebhookEvent::NewComment).await;
    assert_eq!(again, Action::AlreadyDone { key });

    let notes = if V::AMENDS_NOTES { 1 } else { 3 };
    assert_eq!(
        V::notes_written(&w.ats).await,
        notes,
        "never the whole note again"
    );
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

pub async fn late_result_checks_end_with_the_schedule<V: VendorWorld>() {
    let mut config = config();
    config.late_results = LateResults::new(vec![Duration::ZERO, Duration::ZERO]);
    let w = World::<V>::with(Arc::new(MemoryStore::new()), World::<V>::rules(), config).await;
    let key = World::<V>::key();
    w.invite().await;
    let first = participant("Received");
    // The response, then exactly two checks: nothing new, nothing written.
    willo_results(&w.willo, first.clone(), 3).await;
    w.results_written_back(&first).await;
    on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(
        w.engine.retry_due().await.unwrap(),
        0,
        "the schedule is over"
    );
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert_eq!((row.recheck_at_ms, row.rechecks), (None, 2));
    assert_eq!(V::notes_written(&w.ats).await, 1);
}

pub async fn reviewer_comments_can_be_left_out<V: VendorWorld>() {
    let mut config = checking_at_once();
    config.late_results = config.late_results.comments(false);
    let w = World::<V>::with(Arc::new(MemoryStore::new()), World::<V>::rules(), config).await;
    let key = World::<V>::key();
    w.invite().await;
    let now = transcribed();
    willo_results(&w.willo, now.clone(), 2).await;
    w.results_written_back(&now).await;
    on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert_eq!(
        row.recheck_at_ms, None,
        "every transcript and summary is there"
    );
    let action = on_willo_news(&w.engine, WebhookEvent::NewComment).await;
    assert_eq!(
        action,
        Action::AlreadyDone { key },
        "comments are not written"
    );
    assert_eq!(V::notes_written(&w.ats).await, 1);
}

pub async fn late_results_switched_off_write_nothing_and_plan_no_check<V: VendorWorld>() {
    let mut rules = World::<V>::rules();
    rules.notes = rules
        .notes
        .with(NoteEvent::ResultsUpdated, NoteSetting::off());
    let w = World::<V>::with(Arc::new(MemoryStore::new()), rules, checking_at_once()).await;
    let key = World::<V>::key();
    w.invite().await;
    let first = participant("Received");
    willo_results(&w.willo, first.clone(), 2).await;
    w.results_written_back(&first).await;
    on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert_eq!(
        row.recheck_at_ms, None,
        "no check planned while switched off"
    );
    let action = on_willo_news(&w.engine, WebhookEvent::NewComment).await;
    assert_eq!(action, Action::AlreadyDone { key });
    assert_eq!(V::notes_written(&w.ats).await, 1, "the results note only");
}

pub async fn a_planned_late_results_check_survives_a_restart<V: VendorWorld>() {
    let store = crate::support::world::sqlite_store().await;
    let w = World::<V>::with(store, World::<V>::rules(), checking_at_once()).await;
    let key = World::<V>::key();
    w.invite().await;
    let first = participant("Received");
    willo_results(&w.willo, first.clone(), 1).await;
    w.results_written_back(&first).await;
    on_willo_news(&w.engine, WebhookEvent::NewResponse).await;

    // Another engine on the same database (a restart, or another replica) finds the
    // planned check in the ledger, not in the first engine's memory.
    let restarted = w.replica();
    let now = transcribed();
    willo_results(&w.willo, now.clone(), 1).await;
    V::late_results_written(&w.ats, &update_of::<V>(&first, &now), 1).await;
    assert_eq!(restarted.retry_due().await.unwrap(), 1);
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert_eq!((row.recheck_at_ms, row.rechecks), (None, 1));
}

/// The default rules with `event`'s note set to `template`, checked as at load.
fn with_template<V: VendorWorld>(event: NoteEvent, template: &str) -> Rules {
    let mut rules = World::<V>::rules();
    rules.notes = rules
        .notes
        .clone()
        .with(event, NoteSetting::on().template(template));
    rules.validate().expect("valid note settings");
    rules
}

pub async fn a_results_updated_template_writes_its_text_as_the_follow_up<V: VendorWorld>() {
    // Issue 17 §2: the team's template for late results, with the news as variables.
    let template = "{{ update.summary }} for {{ candidate.first_name }} \
        ({{ update.kinds | join(', ') }})
{% for r in update.responses %}
{{ r.number }}. {{ r.question }}: {{ r.summary if r.summary is not none else '-' }} / \
{{ r.transcript if r.transcript is not none else '-' }}
{% endfor %}
{% for c in update.comments %}
{{ c.author }}: {{ c.text }}
{% endfor %}
Review: {{ results.link }}";
    let rules = with_template::<V>(NoteEvent::ResultsUpdated, template);
    let w = World::<V>::with(Arc::new(MemoryStore::new()), rules, checking_at_once()).await;
    let key = World::<V>::key();
    w.invite().await;
    let mut first = participant("Received");
    first["name"] = json!("Ada Lovelace");
    willo_results(&w.willo, first.clone(), 1).await;
    w.results_written_back(&first).await;
    on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let link = outcome(&first).link().unwrap().to_owned();

    // Transcripts and summaries: the template's text, as a note of its own; never
    // the built-in follow-up, and on Lever never an amendment of the results note.
    let mut now = transcribed();
    now["name"] = json!("Ada Lovelace");
    willo_results(&w.willo, now.clone(), 1).await;
    V::late_results_written(&w.ats, &update_of::<V>(&first, &now), 0).await;
    V::text_note_written(
        &w.ats,
        &format!(
            "transcript and AI summary added for Ada (transcript, summary)\n\
             1. Tell us about yourself: Makes coffee for a living. / -\n\
             2. Why us?: - / Because you roast your own beans.\n\
             Review: {link}"
        ),
        1,
    )
    .await;
    // A first attempt: no look for an earlier copy.
    V::notes_listed(&w.ats, vec![], 0).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);

    // A reviewer's comment: only the comment is news.
    let mut with_comment = commented();
    with_comment["name"] = json!("Ada Lovelace");
    willo_results(&w.willo, with_comment.clone(), 1).await;
    V::late_results_written(&w.ats, &update_of::<V>(&now, &with_comment), 0).await;
    V::text_note_written(
        &w.ats,
        &format!(
            "reviewer comment added for Ada (comment)\n\
             Sam Reviewer: Great energy\n\
             Review: {link}"
        ),
        1,
    )
    .await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewComment).await;
    assert_eq!(action, Action::WroteUpdate { key, changes: 1 });
    assert_eq!(
        V::notes_written(&w.ats).await,
        3,
        "the results note, then one note per news"
    );
}

pub async fn a_results_updated_template_that_writes_nothing_writes_no_note<V: VendorWorld>() {
    // Only comments are worth a note to this team: a transcript writes nothing, and
    // is not written later either (the fingerprint records it as seen).
    let template = "{% if 'comment' in update.kinds %}Willo comments: \
        {% for c in update.comments %}{{ c.text }}{% endfor %}{% endif %}";
    let rules = with_template::<V>(NoteEvent::ResultsUpdated, template);
    let w = World::<V>::with(Arc::new(MemoryStore::new()), rules, checking_at_once()).await;
    let key = World::<V>::key();
    w.invite().await;
    let first = participant("Received");
    willo_results(&w.willo, first.clone(), 1).await;
    w.results_written_back(&first).await;
    on_willo_news(&w.engine, WebhookEvent::NewResponse).await;

    let now = transcribed();
    willo_results(&w.willo, now.clone(), 1).await;
    V::late_results_written(&w.ats, &update_of::<V>(&first, &now), 0).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(V::notes_written(&w.ats).await, 1, "the results note only");

    let with_comment = commented();
    willo_results(&w.willo, with_comment.clone(), 1).await;
    V::text_note_written(&w.ats, "Willo comments: Great energy", 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewComment).await;
    assert_eq!(action, Action::WroteUpdate { key, changes: 1 });
    assert_eq!(V::notes_written(&w.ats).await, 2);
}

pub async fn a_team_results_note_is_followed_up_not_amended<V: VendorWorld>() {
    // The amendment re-renders the built-in results note: with the team's own
    // `completed` text it would replace that text, so late results are the built-in
    // follow-up instead, on every ATS.
    let rules = with_template::<V>(
        NoteEvent::Completed,
        "Willo results: {{ results.responses | length }} answers",
    );
    let w = World::<V>::with(Arc::new(MemoryStore::new()), rules, checking_at_once()).await;
    w.invite().await;
    let first = participant("Received");
    willo_results(&w.willo, first.clone(), 1).await;
    V::labels_moved(&w.ats, INVITED, TO_REVIEW, 1).await;
    V::text_note_written(&w.ats, "Willo results: 2 answers", 1).await;
    on_willo_news(&w.engine, WebhookEvent::NewResponse).await;

    let now = transcribed();
    willo_results(&w.willo, now.clone(), 1).await;
    let update = update_of::<V>(&first, &now);
    if V::AMENDS_NOTES {
        V::late_results_written(&w.ats, &update, 0).await;
    }
    let follow_up = render_follow_up_note(&update, 5_000);
    assert!(
        follow_up.starts_with("Updated Willo results: transcript and AI summary added\n"),
        "{follow_up}"
    );
    V::text_note_written(&w.ats, &follow_up, 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(V::notes_written(&w.ats).await, 2);
}
