//! The engine end to end with the Lever adapter, against a mock Willo and a mock Lever:
//! every request the engine makes is asserted (path, auth, `perform_as`, exact JSON
//! body, count), and anything unexpected gets a 599 and fails the test.
//!
//! Mocks are mounted for the whole test and sequenced with `up_to_n_times` (wiremock
//! 0.6's scoped mocks do not mix with mock priorities: dropping a guard can unmount
//! another mock).
#![cfg(feature = "lever")]

use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use ats_bridge::engine::{Action, Engine, EngineConfig, EngineError, Ignored, ParticipantChecks};
use ats_bridge::lever::{LeverAts, LeverAtsConfig, NOTE_MAX_CHARS};
use ats_bridge::model::{ApplicationRef, AtsEvent, AtsName, InterviewOutcome, JobState};
use ats_bridge::note::render_note;
use ats_bridge::rules::{Decision, JobSelector, Rules};
use ats_bridge::store::{LedgerKey, MemoryStore, RowState, Store};
use ats_bridge::{WebhookRequest, WebhookSource};
use client_core::header::HeaderMap;
use client_core::webhook::{Clock, SystemClock};
use lever_client::webhooks::{Event, EventData, TestDelivery};
use serde_json::{Value, json};
use support::engine_setup::{config, count, engine_over, on_willo_news, participant_row, rows_in};
use support::lever_mock::{LEVER_BASIC, QueryIs, lever_client};
use support::mock_server::{
    CLIENT_ATTEMPTS, fail_first, mount_exactly, now_millis, ok, short_retries, strict_server,
};
use support::willo_mock::{
    INTERVIEW, Invitee, PARTICIPANT, PHONE, inbox_willo_delivery, participant, willo, willo_invite,
    willo_lookup, willo_results, willo_results_unavailable,
};
use willo_client::{ParticipantKey, SecretString, WebhookEvent};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

const SIGNING_TOKEN: &str = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089";
const USER: &str = "df0adaa6-172c-4cd6-8520-49b203660fe1";
// The ids of Lever's documented stage-change delivery.
const OPP: &str = "3410c8b9-5c31-4bab-b7e9-9f710206d647";
const CONTACT: &str = "05c248f9-ccb1-435f-bab5-0ec608aec263";
const TRIGGER_STAGE: &str = "7c2690d8-6308-4ed9-ae2a-cbfe7db26593";
const POSTING: &str = "f2f01e16-27f8-4711-a728-7d49499795a0";
const ONSITE: &str = "onsite-stage";
/// The candidate of Lever's documented opportunity.
const SHANE: Invitee = Invitee {
    name: "Shane Smith",
    email: "shane@exampleq3.com",
    listed_email: "Shane@ExampleQ3.com",
};

// ---------------------------------------------------------------- the world

/// The engine over both mocks, and the adapter (for verifying deliveries).
struct World {
    willo: MockServer,
    lever: MockServer,
    adapter: Arc<LeverAts>,
    store: Arc<dyn Store>,
    engine: Engine,
}

fn rules() -> Rules {
    Rules::new().trigger(
        "lever",
        JobSelector::Job(POSTING.into()),
        [TRIGGER_STAGE],
        INTERVIEW,
    )
}

async fn world_with(store: Arc<dyn Store>, rules: Rules, config: EngineConfig) -> World {
    world_on_clock(store, rules, config, Arc::new(SystemClock)).await
}

async fn world_on_clock(
    store: Arc<dyn Store>,
    rules: Rules,
    config: EngineConfig,
    clock: Arc<dyn Clock>,
) -> World {
    let willo = strict_server().await;
    let lever = strict_server().await;
    let adapter = Arc::new(LeverAts::new(
        lever_client(&lever, short_retries()),
        LeverAtsConfig::new(USER).signature_token(SecretString::from(SIGNING_TOKEN)),
    ));
    let engine = engine_over(&willo, store.clone(), adapter.clone(), rules)
        .config(config)
        .clock(clock)
        .build()
        .unwrap();
    World {
        willo,
        lever,
        adapter,
        store,
        engine,
    }
}

async fn world() -> World {
    world_with(Arc::new(MemoryStore::new()), rules(), config()).await
}

/// Another engine on the same store and vendors, as a second replica would be.
fn replica(w: &World) -> Engine {
    engine_over(&w.willo, w.store.clone(), w.adapter.clone(), rules())
        .config(config())
        .build()
        .unwrap()
}

fn lever_name() -> AtsName {
    AtsName::from("lever")
}

fn application() -> ApplicationRef {
    ApplicationRef {
        application: OPP.into(),
        candidate: CONTACT.into(),
        job: POSTING.into(),
    }
}

fn key() -> LedgerKey {
    LedgerKey::new(lever_name(), OPP, INTERVIEW)
}

fn stage_changed() -> AtsEvent {
    AtsEvent::StageChanged {
        application: application(),
        stage: TRIGGER_STAGE.into(),
        details: None,
    }
}

// ---------------------------------------------------------------- fixtures

fn fixture(name: &str) -> Value {
    support::mock_server::fixture("lever", name)
}

/// Lever's documented opportunity, moved onto the delivery's ids, applied to
/// `POSTING`, with `phone`.
fn opportunity(phone: &str) -> Value {
    let mut opportunity = fixture("opportunity.json");
    opportunity["data"]["id"] = json!(OPP);
    opportunity["data"]["contact"] = json!(CONTACT);
    opportunity["data"]["phones"] = json!([{ "value": phone }]);
    opportunity["data"]["applications"] = json!([{
        "id": "cdb4ff13-f7aa-49b0-b6ec-eb4617009cfa", "type": "posting", "posting": POSTING
    }]);
    opportunity
}

/// The note the adapter renders from `participant`.
fn note_text(participant: &Value) -> String {
    let outcome = InterviewOutcome::from_participant_json(
        ParticipantKey::from(PARTICIPANT),
        participant.clone(),
    );
    render_note(&outcome, NOTE_MAX_CHARS)
}

/// Lever's documented stage-change delivery, signed now.
fn signed_stage_change(token: &str) -> Vec<u8> {
    let data: EventData =
        serde_json::from_value(fixture("webhook-candidate-stage-change.json")["data"].clone())
            .unwrap();
    TestDelivery::new(Event::CandidateStageChange, token, now_millis())
        .data(data)
        .sign(&SecretString::from(SIGNING_TOKEN))
        .body
}

// ---------------------------------------------------------------- mocks

fn lever_get(route: &str, query: &[(&'static str, &'static str)]) -> MockBuilder {
    Mock::given(method("GET"))
        .and(path(format!("/v1{route}")))
        .and(header("authorization", LEVER_BASIC))
        .and(QueryIs(query.to_vec()))
}

/// A write on the opportunity, attributed to `USER`.
fn lever_write(verb: &str, suffix: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(format!("/v1/opportunities/{OPP}{suffix}")))
        .and(header("authorization", LEVER_BASIC))
        .and(QueryIs(vec![("perform_as", USER)]))
}

/// `GET /opportunities/{OPP}` (the candidate's details), `times` times.
async fn candidate_read(w: &World, phone: &str, times: u64) {
    mount_exactly(
        &w.lever,
        times,
        lever_get(&format!("/opportunities/{OPP}"), &[]).respond_with(ok(opportunity(phone))),
    )
    .await
}

/// `addTags` with exactly `tags`.
async fn tags_added(w: &World, tags: &[&str], times: u64) {
    tags_written(w, "/addTags", tags, times).await
}

/// `removeTags` with exactly `tags`.
async fn tags_removed(w: &World, tags: &[&str], times: u64) {
    tags_written(w, "/removeTags", tags, times).await
}

/// The tag endpoint `suffix` with exactly `tags`.
async fn tags_written(w: &World, suffix: &str, tags: &[&str], times: u64) {
    mount_exactly(
        &w.lever,
        times,
        lever_write("POST", suffix)
            .and(body_json(json!({ "tags": tags })))
            .respond_with(ok(opportunity(PHONE))),
    )
    .await
}

/// The opportunity's notes (read before writing one, to never write it twice).
async fn notes_listed(w: &World, notes: Value, times: u64) {
    mount_exactly(
        &w.lever,
        times,
        lever_get(&format!("/opportunities/{OPP}/notes"), &[])
            .respond_with(ok(json!({"data": notes, "hasNext": false}))),
    )
    .await
}

/// The results note with exactly `text`, answered 201.
async fn note_written(w: &World, text: &str, times: u64) {
    mount_exactly(
        &w.lever,
        times,
        lever_write("POST", "/notes")
            .and(body_json(json!({ "value": text })))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(fixture("note-create-response-docs.json")),
            ),
    )
    .await
}

/// The labels every results write-back sets: "To Review" replaces the others.
async fn labels_to_review(w: &World, times: u64) {
    tags_added(w, &["Willo:To Review"], times).await;
    tags_removed(
        w,
        &["Willo:Invited", "Willo:Accepted", "Willo:Rejected"],
        times,
    )
    .await;
}

/// Everything one results write-back of `answered` does, each exactly once: the note
/// is written (a first attempt reads no notes: nothing can be there yet), the labels
/// move to "To Review".
async fn results_written_back(w: &World, answered: &Value) {
    notes_listed(w, json!([]), 0).await;
    note_written(w, &note_text(answered), 1).await;
    labels_to_review(w, 1).await;
}

/// A results write-back of `answered` whose note Lever refuses once (503): Willo is read
/// twice, the labels move on both attempts (the note goes last, and tag changes are
/// safe to repeat), the notes are read once (by the retry, which may follow a
/// half-done attempt) and the note is written on the retry.
async fn note_fails_first_then_is_written(w: &World, answered: &Value) {
    let text = note_text(answered);
    willo_results(&w.willo, answered.clone(), 2).await;
    notes_listed(w, json!([]), 1).await;
    fail_first(
        &w.lever,
        503,
        lever_write("POST", "/notes").and(body_json(json!({ "value": text }))),
    )
    .await;
    note_written(w, &text, 1).await;
    labels_to_review(w, 2).await;
}

/// Everything one successful invite does, each exactly once.
async fn one_invite(w: &World) {
    one_invite_reading(w, 1).await;
}

/// [`one_invite`], reading the opportunity `reads` times: none when the invite came
/// from a resolved webhook, which already read it.
async fn one_invite_reading(w: &World, reads: u64) {
    candidate_read(w, PHONE, reads).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite(&w.willo, &SHANE, 1).await;
    tags_added(w, &["Willo:Invited"], 1).await;
}

fn invited() -> Action {
    support::engine_setup::invited(key())
}

fn wrote_back(outcome: &str) -> Action {
    support::engine_setup::wrote_back(key(), outcome)
}

/// The engine's action on the application reaching the trigger stage.
async fn on_stage_change(w: &World) -> Action {
    w.engine
        .handle_ats_event(&lever_name(), &stage_changed())
        .await
        .unwrap()
}

async fn invite(w: &World) {
    one_invite(w).await;
    assert_eq!(on_stage_change(w).await, invited());
}

// ---------------------------------------------------------------- 1. the happy path

async fn trigger_invite_response_write_back(store: Arc<dyn Store>) {
    let w = world_with(store, rules(), config()).await;
    invite(&w).await;
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
    let row = participant_row(w.store.as_ref())
        .await
        .expect("the participant is linked to the row");
    assert_eq!(row.key, key());
    assert_eq!(row.candidate.as_str(), CONTACT);

    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    results_written_back(&w, &answered).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, wrote_back("completed"));

    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1, "one row in all");
    assert_eq!(
        status.by_job[&(lever_name(), POSTING.into())][&RowState::Synced],
        1
    );
    assert!(status.failed.is_empty());
}

#[tokio::test]
async fn a_stage_change_invites_once_and_the_answer_is_written_back_once() {
    trigger_invite_response_write_back(Arc::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn the_same_flow_on_the_sqlite_store() {
    let store = ats_store_sql::SqliteStore::open_in_memory().await.unwrap();
    trigger_invite_response_write_back(Arc::new(store)).await;
}

// ---------------------------------------------------------------- 2. duplicates, order

#[tokio::test]
async fn repeated_stage_changes_direct_and_through_the_inbox_invite_once() {
    let w = world().await;
    one_invite(&w).await;
    // Resolving the signed delivery reads the opportunity with its applications.
    lever_get(
        &format!("/opportunities/{OPP}"),
        &[("expand", "applications")],
    )
    .respond_with(ok(opportunity(PHONE)))
    .expect(1)
    .mount(&w.lever)
    .await;

    let lever = lever_name();
    let first = w
        .engine
        .handle_ats_event(&lever, &stage_changed())
        .await
        .unwrap();
    assert_eq!(first, invited());
    let second = w
        .engine
        .handle_ats_event(&lever, &stage_changed())
        .await
        .unwrap();
    assert_eq!(second, Action::AlreadyDone { key: key() });

    // Lever delivers the same webhook twice: one inbox item, resolved to the same
    // application, which is already done.
    let body = signed_stage_change("be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154");
    let verified = w
        .adapter
        .verify(&WebhookRequest::new(&HeaderMap::new(), &body))
        .unwrap();
    let again = w
        .adapter
        .verify(&WebhookRequest::new(&HeaderMap::new(), &body))
        .unwrap();
    assert_eq!(verified.dedupe_key, again.dedupe_key);
    let source = lever.as_str();
    let now = now_millis() as i64;
    assert!(
        w.store
            .inbox_insert(&verified.to_inbox(source), now)
            .await
            .unwrap()
    );
    assert!(
        !w.store
            .inbox_insert(&again.to_inbox(source), now)
            .await
            .unwrap()
    );
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 0, "item done");

    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
}

#[tokio::test]
async fn late_and_repeated_willo_news_write_one_note_then_the_decision_moves_labels_and_stage() {
    let rules = rules().progress(
        "lever",
        JobSelector::Job(POSTING.into()),
        Decision::Accepted,
        ONSITE,
    );
    let w = world_with(Arc::new(MemoryStore::new()), rules, config()).await;
    invite(&w).await;

    {
        let answered = participant("Received");
        // stage_change, then new_response directly, then new_response twice through
        // the inbox: Willo is read each time, Lever written once.
        willo_results(&w.willo, answered.clone(), 3).await;
        results_written_back(&w, &answered).await;

        let first = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
        assert_eq!(first, wrote_back("completed"));
        let second = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
        assert_eq!(second, Action::AlreadyDone { key: key() });

        for _ in 0..2 {
            inbox_willo_delivery(w.store.as_ref(), WebhookEvent::NewResponse).await;
        }
        assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    }

    // The hiring team accepts in Willo: labels move, the stage moves, no second note.
    willo_results(&w.willo, participant("Accepted"), 2).await;
    tags_added(&w, &["Willo:Accepted"], 1).await;
    tags_removed(
        &w,
        &["Willo:Invited", "Willo:To Review", "Willo:Rejected"],
        1,
    )
    .await;
    lever_write("PUT", "/stage")
        .and(body_json(json!({ "stage": ONSITE })))
        .respond_with(ok(fixture(
            "sandbox-opportunity-stage-update-response.json",
        )))
        .expect(1)
        .mount(&w.lever)
        .await;
    let decided = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(decided, wrote_back("decision:accepted"));
    let again = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(again, Action::AlreadyDone { key: key() });

    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
}

// ---------------------------------------------------------------- 3. deleted candidate

#[tokio::test]
async fn a_deleted_candidate_cancels_the_invited_row_and_erases_the_link() {
    let w = world().await;
    invite(&w).await;
    // Willo's delivery about them (it can carry their name and e-mail), still waiting.
    assert!(inbox_willo_delivery(w.store.as_ref(), WebhookEvent::StageChange).await);

    let action = w
        .engine
        .handle_ats_event(
            &lever_name(),
            &AtsEvent::CandidateDeleted {
                candidate: CONTACT.into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        action,
        Action::Cancelled {
            ats: lever_name(),
            candidate: CONTACT.into(),
            rows: 1
        }
    );
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Cancelled), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
    assert!(
        participant_row(w.store.as_ref()).await.is_none(),
        "the participant link is erased"
    );
    assert!(
        inbox_willo_delivery(w.store.as_ref(), WebhookEvent::StageChange).await,
        "the delivery is erased too: its copy is stored as new"
    );

    // Willo's news about the participant now concerns no one: no request at all.
    let willo_seen = w.willo.received_requests().await.unwrap().len();
    let lever_seen = w.lever.received_requests().await.unwrap().len();
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, Action::Ignored(Ignored::UnknownParticipant));
    // A later stage change for the same application does not invite again either.
    let action = on_stage_change(&w).await;
    assert_eq!(action, Action::AlreadyDone { key: key() });
    assert_eq!(w.willo.received_requests().await.unwrap().len(), willo_seen);
    assert_eq!(w.lever.received_requests().await.unwrap().len(), lever_seen);
}

#[tokio::test]
async fn a_candidate_deleted_before_the_invite_went_out_is_never_invited() {
    let w = world().await;
    // Willo is down: the invite is rescheduled, the row stays pending.
    candidate_read(&w, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo("POST", "/participants/")
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&w.willo)
        .await;
    let action = on_stage_change(&w).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");

    let action = w
        .engine
        .handle_ats_event(
            &lever_name(),
            &AtsEvent::CandidateDeleted {
                candidate: CONTACT.into(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(action, Action::Cancelled { rows: 1, .. }));
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Cancelled), 1);
    // The retry finds nothing to do: no further request anywhere.
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
}

// ---------------------------------------------------------------- 4. closed job

#[tokio::test]
async fn a_closed_posting_takes_no_invites() {
    let w = world().await;
    let action = w
        .engine
        .handle_ats_event(
            &lever_name(),
            &AtsEvent::JobStatusChanged {
                job: POSTING.into(),
                state: JobState::Closed,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        action,
        Action::JobStateRecorded {
            ats: lever_name(),
            job: POSTING.into(),
            state: JobState::Closed
        }
    );
    let action = on_stage_change(&w).await;
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    assert!(w.lever.received_requests().await.unwrap().is_empty());
    assert!(w.engine.status().await.unwrap().by_state.is_empty());

    // Reopened: the next stage change invites.
    w.engine
        .handle_ats_event(
            &lever_name(),
            &AtsEvent::JobStatusChanged {
                job: POSTING.into(),
                state: JobState::Open,
            },
        )
        .await
        .unwrap();
    invite(&w).await;
}

#[tokio::test]
async fn a_stage_without_a_rule_is_ignored() {
    let w = world().await;
    let action = w
        .engine
        .handle_ats_event(
            &lever_name(),
            &AtsEvent::StageChanged {
                application: application(),
                stage: "some-other-stage".into(),
                details: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(action, Action::Ignored(Ignored::NoRule));
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    assert!(w.lever.received_requests().await.unwrap().is_empty());
}

// ---------------------------------------------------------------- 5. dry run

#[tokio::test]
async fn a_dry_run_reads_the_candidate_and_sends_and_writes_nothing() {
    let mut config = config();
    config.dry_run = true;
    let w = world_with(Arc::new(MemoryStore::new()), rules(), config).await;
    candidate_read(&w, PHONE, 1).await;
    let action = on_stage_change(&w).await;
    assert_eq!(action, Action::WouldInvite { key: key() });
    assert_eq!(w.engine.would_invite(), vec![key()]);
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    let lever_calls = w.lever.received_requests().await.unwrap();
    assert!(lever_calls.iter().all(|r| r.method.as_str() == "GET"));
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
}

// ---------------------------------------------------------------- 6. failures

#[tokio::test]
async fn a_willo_outage_on_the_invite_is_retried_and_invites_once() {
    let w = world().await;
    candidate_read(&w, PHONE, 2).await;
    willo_lookup(&w.willo, json!([]), 1).await;
    fail_first(
        &w.willo,
        503,
        willo("POST", "/participants/").and(body_json(SHANE.invite_body())),
    )
    .await;
    willo_invite(&w.willo, &SHANE, 1).await;
    tags_added(&w, &["Willo:Invited"], 1).await;

    let action = on_stage_change(&w).await;
    let Action::Rescheduled {
        key: row, reason, ..
    } = &action
    else {
        panic!("expected a retry, got {action:?}");
    };
    assert_eq!(row, &key());
    assert!(reason.contains("sending the Willo invite"), "{reason}");
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Pending), 1);

    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
    assert!(participant_row(w.store.as_ref()).await.is_some());
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "nothing left due");
}

#[tokio::test]
async fn an_invite_that_went_through_despite_the_error_is_found_and_not_sent_again() {
    let w = world().await;
    candidate_read(&w, PHONE, 2).await;
    // Willo created the participant but the answer was lost: the retry finds them.
    willo_lookup(&w.willo, json!([]), 0).await;
    mount_exactly(
        &w.willo,
        1,
        willo("POST", "/participants/")
            .and(body_json(SHANE.invite_body()))
            .respond_with(ResponseTemplate::new(502)),
    )
    .await;
    let action = on_stage_change(&w).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    willo_lookup(&w.willo, SHANE.listed(), 1).await;
    tags_added(&w, &["Willo:Invited"], 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
}

#[tokio::test]
async fn a_failed_note_is_retried_and_written_once() {
    let w = world().await;
    invite(&w).await;
    note_fails_first_then_is_written(&w, &participant("Received")).await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let Action::Rescheduled { reason, .. } = &action else {
        panic!("expected a retry, got {action:?}");
    };
    assert!(reason.contains("writing the results back"), "{reason}");
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Responded), 1);

    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
}

#[tokio::test]
async fn a_write_back_failing_before_the_note_is_retried_with_one_note() {
    let w = world().await;
    invite(&w).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    // The first attempt fails on the tags; the note, written last, waits for the
    // retry (a note written first would be written again by it). Tag changes are
    // idempotent: the client retries them before giving up.
    lever_write("POST", "/addTags")
        .and(body_json(json!({"tags": ["Willo:To Review"]})))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(CLIENT_ATTEMPTS)
        .with_priority(1)
        .expect(CLIENT_ATTEMPTS)
        .mount(&w.lever)
        .await;
    tags_added(&w, &["Willo:To Review"], 1).await;
    tags_removed(
        &w,
        &["Willo:Invited", "Willo:Accepted", "Willo:Rejected"],
        1,
    )
    .await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");

    // The retry may follow a half-done attempt: it looks for the note, then writes it.
    notes_listed(&w, json!([]), 1).await;
    note_written(&w, &note_text(&answered), 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
}

#[tokio::test]
async fn a_phone_that_is_not_e164_fails_the_row_until_redriven() {
    let w = world().await;
    {
        // Lever's documented opportunity has a national-format phone.
        candidate_read(&w, "(123) 456-7891", 1).await;
        let action = on_stage_change(&w).await;
        let Action::Failed { key: row, reason } = &action else {
            panic!("expected a failure, got {action:?}");
        };
        assert_eq!(row, &key());
        assert!(reason.contains("E.164"), "{reason}");
        assert!(!reason.contains("456-7891"), "no personal data: {reason}");
    }
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    let status = w.engine.status().await.unwrap();
    assert_eq!(status.failed.len(), 1);
    assert_eq!(status.failed[0].key, key());
    assert!(
        status.failed[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("E.164"))
    );
    // Failed rows are not retried on their own.
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);

    // The recruiter fixes the phone in Lever; the operator re-drives the row.
    w.engine.redrive(&key()).await.unwrap();
    let status = w.engine.status().await.unwrap();
    assert!(status.failed.is_empty());
    assert_eq!(count(&status, RowState::Pending), 1);
    // A redriven row may have reached Willo before it failed: it looks first.
    candidate_read(&w, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 1).await;
    willo_invite(&w.willo, &SHANE, 1).await;
    tags_added(&w, &["Willo:Invited"], 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
}

#[tokio::test]
async fn a_retried_write_back_is_done_even_when_willo_names_the_answers_differently() {
    let w = world().await;
    invite(&w).await;
    // Willo's field names are unconfirmed: this record shows no answers the client
    // recognises, so only the `new_response` webhook says the candidate answered.
    let bare = json!({"key": PARTICIPANT, "interview": INTERVIEW, "stage": "Received"});
    note_fails_first_then_is_written(&w, &bare).await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Responded), 1);

    // The row is known to be answered: its retry must write the results back.
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1, "{status:?}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "nothing left due");
}

#[tokio::test]
async fn a_failed_invited_tag_is_retried_and_finds_the_participant_instead_of_inviting_again() {
    let w = world().await;
    candidate_read(&w, PHONE, 2).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite(&w.willo, &SHANE, 1).await;
    // Tagging is idempotent: the client retries it before the engine gives up for now.
    mount_exactly(
        &w.lever,
        CLIENT_ATTEMPTS,
        lever_write("POST", "/addTags")
            .and(body_json(json!({"tags": ["Willo:Invited"]})))
            .respond_with(ResponseTemplate::new(503)),
    )
    .await;
    let action = on_stage_change(&w).await;
    let Action::Rescheduled { reason, .. } = &action else {
        panic!("expected a retry, got {action:?}");
    };
    assert!(reason.contains("labelling the invite"), "{reason}");
    // Not recorded yet: Willo's news cannot reach the row until the label is written.
    assert_eq!(rows_in(&w.engine, RowState::Pending).await, 1);

    // The retry finds the participant by email: no second POST, no second email.
    willo_lookup(&w.willo, SHANE.listed(), 1).await;
    tags_added(&w, &["Willo:Invited"], 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let row = participant_row(w.store.as_ref())
        .await
        .expect("recorded on retry");
    assert_eq!(row.state, RowState::Invited);
    assert_eq!(row.attempts, 0);
}

#[tokio::test]
async fn retries_give_up_after_the_configured_attempts() {
    let w = world().await;
    candidate_read(&w, PHONE, 3).await;
    willo_lookup(&w.willo, json!([]), 2).await;
    willo("POST", "/participants/")
        .and(body_json(SHANE.invite_body()))
        .respond_with(ResponseTemplate::new(503))
        .expect(3)
        .mount(&w.willo)
        .await;
    let action = on_stage_change(&w).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert!(w.engine.status().await.unwrap().failed.is_empty());
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);

    let status = w.engine.status().await.unwrap();
    assert_eq!(status.failed.len(), 1);
    let reason = status.failed[0].last_error.as_deref().unwrap_or_default();
    assert!(reason.starts_with("gave up after 3 attempts"), "{reason}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "failed rows wait");
}

#[tokio::test]
async fn a_write_back_onto_a_deleted_opportunity_fails_the_row_with_the_reason() {
    let w = world().await;
    invite(&w).await;
    willo_results(&w.willo, participant("Received"), 1).await;
    // The first step of the write-back, the tags, finds the opportunity gone.
    lever_write("POST", "/addTags")
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"code": "ResourceNotFound", "message": "not found"})),
        )
        .expect(1)
        .mount(&w.lever)
        .await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let Action::Failed { reason, .. } = &action else {
        panic!("expected a failure, got {action:?}");
    };
    assert!(reason.contains(&format!("opportunity {OPP}")), "{reason}");
    let status = w.engine.status().await.unwrap();
    assert_eq!(status.failed.len(), 1);
    assert_eq!(status.failed[0].failed_from, Some(RowState::Responded));
}

#[tokio::test]
async fn a_willo_delivery_that_cannot_be_read_yet_stays_in_the_inbox_until_it_can() {
    let w = world().await;
    invite(&w).await;
    willo_results_unavailable(&w.willo, CLIENT_ATTEMPTS).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    results_written_back(&w, &answered).await;

    inbox_willo_delivery(w.store.as_ref(), WebhookEvent::NewResponse).await;
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    // Willo was down: the row is untouched and the delivery is kept for later.
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1, "taken again");
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 0, "then done");
}

#[tokio::test]
async fn a_stage_change_whose_lookup_failed_is_retried_from_the_inbox() {
    let w = world().await;
    let expanded = format!("/opportunities/{OPP}");
    mount_exactly(
        &w.lever,
        CLIENT_ATTEMPTS,
        lever_get(&expanded, &[("expand", "applications")])
            .respond_with(ResponseTemplate::new(503)),
    )
    .await;
    lever_get(&expanded, &[("expand", "applications")])
        .respond_with(ok(opportunity(PHONE)))
        .expect(1)
        .mount(&w.lever)
        .await;
    // The opportunity read to resolve the delivery gives the candidate's details too.
    one_invite_reading(&w, 0).await;

    let body = signed_stage_change("a-fresh-delivery-token");
    let verified = w
        .adapter
        .verify(&WebhookRequest::new(&HeaderMap::new(), &body))
        .unwrap();
    assert_eq!(verified.dedupe_key, "a-fresh-delivery-token");
    w.store
        .inbox_insert(
            &verified.to_inbox(lever_name().as_str()),
            now_millis() as i64,
        )
        .await
        .unwrap();
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

#[tokio::test]
async fn two_replicas_handling_the_same_stage_change_at_once_invite_once() {
    let w = world().await;
    one_invite(&w).await;
    let other = replica(&w);
    let lever = lever_name();
    let event = stage_changed();
    let (a, b) = tokio::join!(
        w.engine.handle_ats_event(&lever, &event),
        other.handle_ats_event(&lever, &event)
    );
    let mut actions = [a.unwrap(), b.unwrap()];
    actions.sort_by_key(|a| matches!(a, Action::Invited { .. }));
    assert_eq!(actions, [Action::Busy { key: key() }, invited()]);
    // Once recorded, either replica sees the work done.
    let late = other.handle_ats_event(&lever, &event).await.unwrap();
    assert_eq!(late, Action::AlreadyDone { key: key() });
}

#[tokio::test]
async fn the_reconciler_invites_what_webhooks_missed_once() {
    let w = world().await;
    lever_get(
        "/opportunities",
        &[
            ("posting_id", POSTING),
            ("stage_id", TRIGGER_STAGE),
            ("archived", "false"),
        ],
    )
    .respond_with(ok(
        json!({"data": [opportunity(PHONE)["data"]], "hasNext": false}),
    ))
    .expect(2)
    .mount(&w.lever)
    .await;
    // The listing carries the whole opportunity: it is not read again to invite.
    candidate_read(&w, PHONE, 0).await;
    willo_invite(&w.willo, &SHANE, 1).await;
    tags_added(&w, &["Willo:Invited"], 1).await;

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 1);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let row = participant_row(w.store.as_ref()).await.expect("invited");
    assert_eq!(row.key, key());
    assert_eq!(row.candidate.as_str(), CONTACT);

    // The next pass sees the same application and leaves it alone.
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 0);
    // And a late webhook for it finds the work done.
    let late = on_stage_change(&w).await;
    assert_eq!(late, Action::AlreadyDone { key: key() });
}

// ---------------------------------------------------------------- more behaviour

/// The engine's clock, moved forward by the test (the system time plus an offset, so
/// Lever's signature staleness checks, on their own clock, are unaffected).
#[derive(Debug, Default)]
struct MovableClock {
    ahead_ms: AtomicU64,
}

impl MovableClock {
    fn advance(&self, by: Duration) {
        self.ahead_ms
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

impl Clock for MovableClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() + Duration::from_millis(self.ahead_ms.load(Ordering::SeqCst))
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// The reconciler's listing of the trigger stage: empty, `times` times.
async fn nobody_at_trigger_stage(w: &World, times: u64) {
    lever_get(
        "/opportunities",
        &[
            ("posting_id", POSTING),
            ("stage_id", TRIGGER_STAGE),
            ("archived", "false"),
        ],
    )
    .respond_with(ok(json!({"data": [], "hasNext": false})))
    .up_to_n_times(times)
    .expect(times)
    .mount(&w.lever)
    .await;
}

async fn checked_world(clock: Arc<MovableClock>) -> World {
    let mut config = config();
    config.participant_checks = ParticipantChecks::new(HOUR, HOUR, 2);
    world_on_clock(Arc::new(MemoryStore::new()), rules(), config, clock).await
}

#[tokio::test]
async fn quiet_participants_are_checked_a_bounded_number_of_times_then_left_to_the_webhook() {
    let clock = Arc::new(MovableClock::default());
    let w = checked_world(clock.clone()).await;
    invite(&w).await;
    nobody_at_trigger_stage(&w, 3).await;
    let waiting = json!({"key": PARTICIPANT, "interview": INTERVIEW, "stage": "Invited"});
    willo_results(&w.willo, waiting, 2).await;

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 0, "invited just now");

    clock.advance(2 * HOUR);
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 1);
    assert_eq!(report.written_back, 0);
    assert_eq!(
        w.engine.retry_due().await.unwrap(),
        0,
        "next check in an hour"
    );

    clock.advance(2 * HOUR);
    assert_eq!(w.engine.retry_due().await.unwrap(), 1, "the second check");
    clock.advance(30 * 24 * HOUR);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "no third check");
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 0);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);

    // Willo's webhook still brings the answer.
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    results_written_back(&w, &answered).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, wrote_back("completed"));
}

#[tokio::test]
async fn a_check_that_finds_the_answer_writes_it_back_without_the_webhook() {
    let clock = Arc::new(MovableClock::default());
    let w = checked_world(clock.clone()).await;
    invite(&w).await;
    nobody_at_trigger_stage(&w, 1).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    results_written_back(&w, &answered).await;

    clock.advance(2 * HOUR);
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 1);
    assert_eq!(report.written_back, 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

#[tokio::test]
async fn a_tag_lever_refuses_does_not_undo_the_invite() {
    let w = world().await;
    candidate_read(&w, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite(&w.willo, &SHANE, 1).await;
    lever_write("POST", "/addTags")
        .and(body_json(json!({"tags": ["Willo:Invited"]})))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": "BadRequest", "message": "tags refused"})),
        )
        .expect(1)
        .mount(&w.lever)
        .await;
    let action = on_stage_change(&w).await;
    assert_eq!(action, invited());
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

#[tokio::test]
async fn a_dry_run_reports_a_candidate_it_could_not_invite_and_keeps_nothing() {
    let mut config = config();
    config.dry_run = true;
    let w = world_with(Arc::new(MemoryStore::new()), rules(), config).await;
    candidate_read(&w, "(123) 456-7891", 1).await;
    let action = on_stage_change(&w).await;
    let Action::Failed { reason, .. } = &action else {
        panic!("expected a failure, got {action:?}");
    };
    assert!(reason.contains("E.164"), "{reason}");
    assert!(w.engine.would_invite().is_empty());
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    let status = w.engine.status().await.unwrap();
    assert!(status.by_state.is_empty() && status.failed.is_empty());
}

#[tokio::test]
async fn a_recruiter_can_send_the_interview_on_a_closed_posting() {
    let w = world().await;
    w.engine
        .handle_ats_event(
            &lever_name(),
            &AtsEvent::JobStatusChanged {
                job: POSTING.into(),
                state: JobState::Closed,
            },
        )
        .await
        .unwrap();
    one_invite(&w).await;
    let action = w
        .engine
        .send_interview(&lever_name(), &application(), &INTERVIEW.into())
        .await
        .unwrap();
    assert_eq!(action, invited());
    // Sent once: a second click finds it done.
    let again = w
        .engine
        .send_interview(&lever_name(), &application(), &INTERVIEW.into())
        .await
        .unwrap();
    assert_eq!(again, Action::AlreadyDone { key: key() });
}

#[tokio::test]
async fn screening_into_lever_is_refused_when_the_engine_is_built() {
    let w = world().await;
    let screening = rules().screen("2f3159b797915150c239f2468d660dc0", "lever", POSTING);
    let error = engine_over(&w.willo, w.store.clone(), w.adapter.clone(), screening)
        .config(config())
        .build()
        .unwrap_err();
    assert!(
        matches!(&error, EngineError::Config(text) if text.contains("cannot create candidates")),
        "{error}"
    );
}

#[tokio::test]
async fn a_decision_whose_write_failed_is_retried_without_a_note() {
    let w = world().await;
    invite(&w).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    results_written_back(&w, &answered).await;
    let first = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(first, wrote_back("completed"));

    // Rejected in Willo while Lever is down: retried later, labels only.
    willo_results(&w.willo, participant("Rejected"), 2).await;
    mount_exactly(
        &w.lever,
        CLIENT_ATTEMPTS,
        lever_write("POST", "/addTags")
            .and(body_json(json!({"tags": ["Willo:Rejected"]})))
            .respond_with(ResponseTemplate::new(503)),
    )
    .await;
    tags_added(&w, &["Willo:Rejected"], 1).await;
    tags_removed(
        &w,
        &["Willo:Invited", "Willo:To Review", "Willo:Accepted"],
        1,
    )
    .await;
    let action = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    let notes_read = w
        .lever
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/notes"))
        .count();
    assert_eq!(
        notes_read, 1,
        "the note, written for the answer without a list (a first attempt)"
    );
}

#[tokio::test]
async fn job_states_seen_by_the_reconciler_stop_invites_on_closed_postings() {
    let rules = Rules::new().trigger("lever", JobSelector::Any, [TRIGGER_STAGE], INTERVIEW);
    let w = world_with(Arc::new(MemoryStore::new()), rules, config()).await;
    lever_get("/postings", &[])
        .respond_with(ok(json!({
            "data": [
                {"id": POSTING, "text": "Nurse", "state": "closed", "tags": []},
                {"id": "open-posting", "text": "Porter", "state": "published", "tags": []}
            ],
            "hasNext": false
        })))
        .expect(1)
        .mount(&w.lever)
        .await;
    lever_get(
        "/opportunities",
        &[
            ("posting_id", "open-posting"),
            ("stage_id", TRIGGER_STAGE),
            ("archived", "false"),
        ],
    )
    .respond_with(ok(json!({"data": [], "hasNext": false})))
    .expect(1)
    .mount(&w.lever)
    .await;
    let report = w.engine.reconcile().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.applications_seen, 0);

    let action = on_stage_change(&w).await;
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
    assert!(w.willo.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_candidate_deleted_while_the_invite_is_in_flight_stops_the_row_without_an_error() {
    let w = world().await;
    one_invite(&w).await;
    let lever = lever_name();
    let changed = stage_changed();
    let deleted = AtsEvent::CandidateDeleted {
        candidate: CONTACT.into(),
    };
    // The participant the invite created for the now deleted candidate is taken back.
    willo("DELETE", &format!("/participants/{PARTICIPANT}/"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&w.willo)
        .await;
    // The deletion is handled while the invite waits for Lever's answer.
    let (invite, cancel) = tokio::join!(
        w.engine.handle_ats_event(&lever, &changed),
        w.engine.handle_ats_event(&lever, &deleted)
    );
    assert!(
        matches!(cancel, Ok(Action::Cancelled { rows: 1, .. })),
        "{cancel:?}"
    );
    assert_eq!(rows_in(&w.engine, RowState::Cancelled).await, 1);
    assert!(
        matches!(
            invite,
            Ok(Action::Ignored(Ignored::RowStopped(RowState::Cancelled)))
        ),
        "{invite:?}"
    );
}
