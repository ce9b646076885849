//! Results that arrive after the results note: transcripts and summaries found by the
//! scheduled checks, reviewers' scores and comments brought by Willo's webhooks; each
//! written once, as the difference (Lever amends its note, SmartRecruiters gets one
//! follow-up note), and the checks bounded.

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::engine::{Action, EngineConfig, LateResults};
use ats_bridge::late_results::{FingerprintParts, ResultsFingerprint, ResultsUpdate};
use ats_bridge::model::{InterviewOutcome, ParticipantKey};
use ats_bridge::note::{NoteEvent, NoteSetting};
use ats_bridge::store::{MemoryStore, RowState};
use serde_json::{Value, json};
use willo_client::WebhookEvent;

use crate::support::engine_setup::{config, on_willo_news, rows_in};
use crate::support::willo_mock::{PARTICIPANT, participant, willo_results};
use crate::support::world::{VendorWorld, World};

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
