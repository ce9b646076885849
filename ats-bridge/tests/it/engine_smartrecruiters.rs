//! The engine end to end with the SmartRecruiters adapter, against a mock Willo and a
//! mock SmartRecruiters: every request the engine makes is asserted (path, auth, exact
//! JSON body, count), and anything unexpected gets a 599 and fails the test.
//!
//! Mocks are mounted for the whole test and sequenced with `up_to_n_times` (wiremock
//! 0.6's scoped mocks do not mix with mock priorities: dropping a guard can unmount
//! another mock).
#![cfg(feature = "smartrecruiters")]

use crate::support;

use std::sync::Arc;

use ats_bridge::engine::{Action, Engine, EngineConfig, Ignored};
use ats_bridge::model::{ApplicationRef, AtsEvent, AtsName, InterviewOutcome, JobState};
use ats_bridge::note::render_note;
use ats_bridge::rules::{Decision, JobSelector, Rules};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_bridge::store::{LedgerKey, MemoryStore, RowState, Store};
use ats_bridge::{WebhookRequest, WebhookSource};
use serde_json::{Value, json};
use smartrecruiters_client::MAX_NOTE_CHARS;
use smartrecruiters_client::webhooks::TestDelivery;
use support::engine_setup::{config, count, engine_over, on_willo_news, participant_row, rows_in};
use support::mock_server::{
    CLIENT_ATTEMPTS, fail_first, mount_exactly, now_millis, ok, short_retries, strict_server,
};
use support::smartrecruiters_mock::{SR_KEY, WEBHOOK_SECRET, smartrecruiters_client};
use support::willo_mock::{
    INTERVIEW, Invitee, PARTICIPANT, PHONE, inbox_willo_delivery, participant, willo,
    willo_delivery, willo_invite, willo_lookup, willo_results, willo_results_unavailable,
};
use willo_client::webhooks::Delivery;
use willo_client::{ParticipantKey, SecretString, WebhookEvent};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

// The ids of the application status delivery fixture.
const CANDIDATE: &str = "90e2bb61-28ef-4ca6-abae-62edcaf4ff5c";
const JOB: &str = "3588f6b0-ae55-4c10-aaa5-2903ee3a7fe6";
/// The ledger's application id: the (candidate, job) pair, whichever path found it.
const APPLICATION: &str =
    "90e2bb61-28ef-4ca6-abae-62edcaf4ff5c:3588f6b0-ae55-4c10-aaa5-2903ee3a7fe6";
const TRIGGER_STAGE: &str = "INTERVIEW/Video call";
/// A tag the recruiter put on the candidate; the bridge keeps it.
const OWN_TAG: &str = "Barista pool";
/// The candidate as `candidate` shows them.
const ADA: Invitee = Invitee {
    name: "Ada Lovelace",
    email: "ada@example.com",
    listed_email: "ADA@example.com",
};

// ---------------------------------------------------------------- the world

/// The engine over both mocks, and the adapter (for verifying deliveries).
struct World {
    willo: MockServer,
    sr: MockServer,
    adapter: Arc<SmartRecruitersAts>,
    store: Arc<dyn Store>,
    engine: Engine,
}

fn rules() -> Rules {
    Rules::new().trigger(
        "smartrecruiters",
        JobSelector::Job(JOB.into()),
        [TRIGGER_STAGE],
        INTERVIEW,
    )
}

async fn world_with(store: Arc<dyn Store>, rules: Rules, config: EngineConfig) -> World {
    world_on(store, rules, config, SmartRecruitersAtsConfig::new()).await
}

/// [`world_with`], the adapter configured with `adapter_config` (and the webhook secret).
async fn world_on(
    store: Arc<dyn Store>,
    rules: Rules,
    config: EngineConfig,
    adapter_config: SmartRecruitersAtsConfig,
) -> World {
    let willo = strict_server().await;
    let sr = strict_server().await;
    let adapter = Arc::new(SmartRecruitersAts::new(
        smartrecruiters_client(&sr, short_retries()),
        adapter_config.webhook_secret(SecretString::from(WEBHOOK_SECRET)),
    ));
    let engine = engine_over(&willo, store.clone(), adapter.clone(), rules)
        .config(config)
        .build()
        .unwrap();
    World {
        willo,
        sr,
        adapter,
        store,
        engine,
    }
}

/// The world whose rules also move the application to `stage` on `decision` in Willo.
async fn world_deciding(decision: Decision, stage: &str) -> World {
    let rules = rules().progress(
        "smartrecruiters",
        JobSelector::Job(JOB.into()),
        decision,
        stage,
    );
    world_with(Arc::new(MemoryStore::new()), rules, config()).await
}

async fn world() -> World {
    world_with(Arc::new(MemoryStore::new()), rules(), config()).await
}

fn sr_name() -> AtsName {
    AtsName::from("smartrecruiters")
}

fn application() -> ApplicationRef {
    ApplicationRef {
        application: APPLICATION.into(),
        candidate: CANDIDATE.into(),
        job: JOB.into(),
    }
}

fn key() -> LedgerKey {
    LedgerKey::new(sr_name(), APPLICATION, INTERVIEW)
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
    support::mock_server::fixture("smartrecruiters", name)
}

/// The documented candidate, with a real name, email and `phone`.
fn candidate(phone: &str) -> Value {
    let mut candidate = fixture("candidate.json");
    candidate["id"] = json!(CANDIDATE);
    candidate["firstName"] = json!("Ada");
    candidate["lastName"] = json!("Lovelace");
    candidate["email"] = json!("ada@example.com");
    candidate["phoneNumber"] = json!(phone);
    // Applied to JOB, now at the trigger stage (what a status delivery resolves to).
    candidate["primaryAssignment"] = json!({
        "job": { "id": JOB, "title": "Engineer" },
        "status": "INTERVIEW",
        "subStatus": "Video call"
    });
    candidate["secondaryAssignments"] = json!([]);
    candidate
}

/// The note the adapter posts for `participant`: tagged to the candidate, shared with
/// the job's hiring team.
fn note_body(participant: &Value) -> Value {
    note_body_for(CANDIDATE, PARTICIPANT, participant)
}

/// The note for `participant` (Willo key `key`) on `candidate`.
fn note_body_for(candidate: &str, key: &str, participant: &Value) -> Value {
    let outcome =
        InterviewOutcome::from_participant_json(ParticipantKey::from(key), participant.clone());
    let tag = format!("#[CANDIDATE:{candidate}] ");
    let text = render_note(&outcome, MAX_NOTE_CHARS - tag.chars().count());
    json!({
        "content": format!("{tag}{}", text.trim()),
        "shareWith": {"users": [], "hiringTeamOf": [JOB], "everyone": false, "openNote": false}
    })
}

/// Verify a signed SmartRecruiters delivery like the intake does, and keep it in the
/// inbox. Returns whether it was new.
async fn deliver(w: &World, event: &str, event_id: &str, body: Value) -> bool {
    let body = serde_json::to_vec(&body).unwrap();
    let mut delivery = TestDelivery::new(event, body.clone(), now_millis() / 1000);
    delivery.event_id = event_id.into();
    let headers = delivery.sign(&SecretString::from(WEBHOOK_SECRET)).headers;
    let verified = w
        .adapter
        .verify(&WebhookRequest::new(&headers, &body))
        .unwrap();
    w.store
        .inbox_insert(&verified.to_inbox(sr_name().as_str()), now_millis() as i64)
        .await
        .unwrap()
}

// ---------------------------------------------------------------- mocks

fn sr(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("X-SmartToken", SR_KEY))
}

/// `GET /candidates/{id}` (the candidate's details).
async fn candidate_read(w: &World, phone: &str, times: u64) {
    mount_exactly(
        &w.sr,
        times,
        sr("GET", &format!("/candidates/{CANDIDATE}")).respond_with(ok(candidate(phone))),
    )
    .await;
}

/// The candidate's tags are `current`, then replaced by exactly `next`.
async fn tags_replaced(w: &World, current: &[&str], next: &[&str]) {
    mount_exactly(
        &w.sr,
        1,
        sr("GET", &format!("/candidates/{CANDIDATE}/tags"))
            .respond_with(ok(json!({ "tags": current }))),
    )
    .await;
    mount_exactly(
        &w.sr,
        1,
        sr("PUT", &format!("/candidates/{CANDIDATE}/tags"))
            .and(body_json(json!({ "tags": next })))
            .respond_with(ResponseTemplate::new(204)),
    )
    .await;
}

/// `POST /candidates/{id}/tags` adding the invited label (adding keeps the others).
async fn invited_tag_added(w: &World, times: u64) {
    mount_exactly(
        &w.sr,
        times,
        sr("POST", &format!("/candidates/{CANDIDATE}/tags"))
            .and(body_json(json!({ "tags": ["Willo:Invited"] })))
            .respond_with(ResponseTemplate::new(204)),
    )
    .await;
}

/// `POST /messages/shares` with exactly the results note of `participant`.
async fn note_shared(w: &World, participant: &Value, times: u64) {
    mount_exactly(
        &w.sr,
        times,
        sr("POST", "/messages/shares")
            .and(body_json(note_body(participant)))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
            ),
    )
    .await;
}

/// The notes on the application (`GET /messages`), read before sharing the note again
/// on a retry.
async fn notes_listed(w: &World, notes: Value, times: u64) {
    mount_exactly(
        &w.sr,
        times,
        sr("GET", "/messages")
            .and(query_param("candidateId", CANDIDATE))
            .and(query_param("jobId", JOB))
            .respond_with(ok(json!({ "content": notes }))),
    )
    .await;
}

/// Everything one successful invite does, each exactly once.
async fn one_invite(w: &World) {
    one_invite_reading(w, 1).await;
}

/// [`one_invite`], reading the candidate `reads` times.
async fn one_invite_reading(w: &World, reads: u64) {
    candidate_read(w, PHONE, reads).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite(&w.willo, &ADA, 1).await;
    invited_tag_added(w, 1).await;
}

/// The labels a results write-back sets: "To Review" replaces "Invited".
async fn labels_to_review(w: &World) {
    tags_replaced(
        w,
        &[OWN_TAG, "Willo:Invited"],
        &[OWN_TAG, "Willo:To Review"],
    )
    .await;
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
        .handle_ats_event(&sr_name(), &stage_changed())
        .await
        .unwrap()
}

async fn invite(w: &World) {
    one_invite(w).await;
    assert_eq!(on_stage_change(w).await, invited());
}

async fn notes_posted(w: &World) -> usize {
    w.sr.received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/messages/shares")
        .count()
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

    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    note_shared(&w, &answered, 1).await;
    labels_to_review(&w).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, wrote_back("completed"));

    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1, "one row in all");
    assert_eq!(
        status.by_job[&(sr_name(), JOB.into())][&RowState::Synced],
        1
    );
    assert!(status.failed.is_empty());
}

#[tokio::test]
async fn a_status_change_invites_once_and_the_answer_is_shared_once() {
    trigger_invite_response_write_back(Arc::new(MemoryStore::new())).await;
}

#[tokio::test]
async fn the_same_flow_on_the_sqlite_store() {
    let store = ats_store_sql::SqliteStore::open_in_memory().await.unwrap();
    trigger_invite_response_write_back(Arc::new(store)).await;
}

// ---------------------------------------------------------------- 2. duplicates, order

#[tokio::test]
async fn repeated_status_changes_direct_and_through_the_inbox_invite_once() {
    let w = world().await;
    // Once for the direct event's invite, once to resolve the delivery: the candidate's
    // assignments give the application's current status.
    one_invite_reading(&w, 2).await;

    let first = on_stage_change(&w).await;
    assert_eq!(first, invited());
    let second = on_stage_change(&w).await;
    assert_eq!(second, Action::AlreadyDone { key: key() });

    // SmartRecruiters delivers the same event twice: one inbox item.
    let body = fixture("webhook-application-status-updated.json");
    assert!(deliver(&w, "application.status.updated", "evt-1", body.clone()).await);
    assert!(!deliver(&w, "application.status.updated", "evt-1", body).await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 0, "item done");

    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
}

#[tokio::test]
async fn a_status_change_through_the_inbox_reads_the_candidate_once_and_invites() {
    let w = world().await;
    // The read that resolves the delivery gives the invite its details too; no
    // `GET …/jobs/{job}` (the assignment has the status).
    one_invite(&w).await;
    let body = fixture("webhook-application-status-updated.json");
    assert!(deliver(&w, "application.status.updated", "evt-1", body).await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

#[tokio::test]
async fn late_and_repeated_willo_news_share_one_note_then_the_decision_moves_tags_and_status() {
    let w = world_deciding(Decision::Accepted, "INTERVIEW/Onsite").await;
    invite(&w).await;

    let answered = participant("Received");
    // stage_change, then new_response directly, then new_response twice through the
    // inbox: Willo is read each time, SmartRecruiters written once.
    willo_results(&w.willo, answered.clone(), 3).await;
    note_shared(&w, &answered, 1).await;
    labels_to_review(&w).await;
    let first = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(first, wrote_back("completed"));
    let second = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(second, Action::AlreadyDone { key: key() });
    for _ in 0..2 {
        inbox_willo_delivery(w.store.as_ref(), WebhookEvent::NewResponse).await;
    }
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);

    // The hiring team accepts in Willo: tags and status move, no second note.
    willo_results(&w.willo, participant("Accepted"), 2).await;
    tags_replaced(
        &w,
        &[OWN_TAG, "Willo:To Review"],
        &[OWN_TAG, "Willo:Accepted"],
    )
    .await;
    sr("PUT", &format!("/candidates/{CANDIDATE}/jobs/{JOB}/status"))
        .and(body_json(
            json!({"status": "INTERVIEW", "subStatus": "Onsite"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&w.sr)
        .await;
    let decided = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(decided, wrote_back("decision:accepted"));
    let again = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(again, Action::AlreadyDone { key: key() });

    assert_eq!(notes_posted(&w).await, 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
}

// ---------------------------------------------------------------- 3. deleted candidate

#[tokio::test]
async fn a_deleted_candidate_cancels_the_invited_row_and_erases_the_link() {
    let w = world().await;
    invite(&w).await;

    let action = w
        .engine
        .handle_ats_event(
            &sr_name(),
            &AtsEvent::CandidateDeleted {
                candidate: CANDIDATE.into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        action,
        Action::Cancelled {
            ats: sr_name(),
            candidate: CANDIDATE.into(),
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

    // Willo's news about the participant now concerns no one: no request at all.
    let willo_seen = w.willo.received_requests().await.unwrap().len();
    let sr_seen = w.sr.received_requests().await.unwrap().len();
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, Action::Ignored(Ignored::UnknownParticipant));
    assert_eq!(w.willo.received_requests().await.unwrap().len(), willo_seen);
    assert_eq!(w.sr.received_requests().await.unwrap().len(), sr_seen);
}

#[tokio::test]
async fn a_deletion_delivered_through_the_inbox_cancels_the_row_without_an_api_call() {
    let w = world().await;
    invite(&w).await;
    let sr_seen = w.sr.received_requests().await.unwrap().len();
    let mut body = fixture("webhook-candidate-deleted.json");
    body["id"] = json!(CANDIDATE);
    assert!(deliver(&w, "candidate.deleted", "evt-deleted", body).await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(w.sr.received_requests().await.unwrap().len(), sr_seen);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Cancelled), 1);
    assert!(participant_row(w.store.as_ref()).await.is_none());
}

// ---------------------------------------------------------------- 4. closed job

#[tokio::test]
async fn a_closed_job_takes_no_invites() {
    let w = world().await;
    let action = w
        .engine
        .handle_ats_event(
            &sr_name(),
            &AtsEvent::JobStatusChanged {
                job: JOB.into(),
                state: JobState::Closed,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        action,
        Action::JobStateRecorded {
            ats: sr_name(),
            job: JOB.into(),
            state: JobState::Closed
        }
    );
    let action = on_stage_change(&w).await;
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    assert!(w.sr.received_requests().await.unwrap().is_empty());
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
}

#[tokio::test]
async fn a_job_closed_through_the_inbox_stops_invites_and_reopening_resumes_them() {
    let w = world().await;
    let mut job = fixture("job.json");
    job["id"] = json!(JOB);
    let mut cancelled = job.clone();
    cancelled["status"] = json!("CANCELLED");
    job["status"] = json!("SOURCING");
    mount_exactly(
        &w.sr,
        1,
        sr("GET", &format!("/jobs/{JOB}")).respond_with(ok(cancelled)),
    )
    .await;
    mount_exactly(
        &w.sr,
        1,
        sr("GET", &format!("/jobs/{JOB}")).respond_with(ok(job)),
    )
    .await;
    let mut body = fixture("webhook-job-status-updated.json");
    body["id"] = json!(JOB);

    assert!(deliver(&w, "job.status.updated", "evt-closed", body.clone()).await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    let action = on_stage_change(&w).await;
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
    assert!(w.willo.received_requests().await.unwrap().is_empty());

    assert!(deliver(&w, "job.status.updated", "evt-reopened", body).await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    invite(&w).await;
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
    let sr_calls = w.sr.received_requests().await.unwrap();
    assert!(sr_calls.iter().all(|r| r.method.as_str() == "GET"));
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
        willo("POST", "/participants/").and(body_json(ADA.invite_body())),
    )
    .await;
    willo_invite(&w.willo, &ADA, 1).await;
    invited_tag_added(&w, 1).await;

    let action = on_stage_change(&w).await;
    let Action::Rescheduled {
        key: row, reason, ..
    } = &action
    else {
        panic!("expected a retry, got {action:?}");
    };
    assert_eq!(row, &key());
    assert!(reason.contains("sending the Willo invite"), "{reason}");
    assert_eq!(rows_in(&w.engine, RowState::Pending).await, 1);

    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "nothing left due");
}

/// A results write-back whose note SmartRecruiters refuses once (503). The note goes
/// last, so the retry finds the tags already moved; it reads the application's notes
/// (answered with `listing`), finds none of this answer, and shares it.
async fn note_refused_once_then_shared(listing: ResponseTemplate) {
    let w = world().await;
    invite(&w).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    // A note is not idempotent: the client does not repeat it; the engine does,
    // once SmartRecruiters is back.
    fail_first(
        &w.sr,
        503,
        sr("POST", "/messages/shares").and(body_json(note_body(&answered))),
    )
    .await;
    note_shared(&w, &answered, 1).await;
    labels_to_review(&w).await;
    mount_exactly(&w.sr, 1, sr("GET", "/messages").respond_with(listing)).await;
    mount_exactly(
        &w.sr,
        1,
        sr("GET", &format!("/candidates/{CANDIDATE}/tags"))
            .respond_with(ok(json!({ "tags": [OWN_TAG, "Willo:To Review"] }))),
    )
    .await;

    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    let Action::Rescheduled { reason, .. } = &action else {
        panic!("expected a retry, got {action:?}");
    };
    assert!(reason.contains("writing the results back"), "{reason}");
    assert_eq!(rows_in(&w.engine, RowState::Responded).await, 1);

    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
}

#[tokio::test]
async fn a_failed_note_is_retried_and_shared_once() {
    note_refused_once_then_shared(ok(json!({ "content": [] }))).await;
}

/// Reading notes needs an administrator; without the right the retry shares the note
/// as it would without the check.
#[tokio::test]
async fn a_retry_that_may_not_read_notes_shares_the_note() {
    let forbidden = ResponseTemplate::new(403)
        .set_body_json(json!({"message": "Accessible only for administrators"}));
    note_refused_once_then_shared(forbidden).await;
}

#[tokio::test]
async fn a_write_back_failing_after_the_note_is_retried_without_a_second_note() {
    let w = world().await;
    invite(&w).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    sr("POST", "/messages/shares")
        .and(body_json(note_body(&answered)))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
        )
        .mount(&w.sr)
        .await;
    // The first attempt fails on the tags; the note, written last, waits for the
    // retry (a note written first would be shared again by it).
    mount_exactly(
        &w.sr,
        CLIENT_ATTEMPTS,
        sr("GET", &format!("/candidates/{CANDIDATE}/tags"))
            .respond_with(ResponseTemplate::new(503)),
    )
    .await;
    labels_to_review(&w).await;
    notes_listed(&w, json!([]), 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");

    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(notes_posted(&w).await, 1, "the note is shared once");
}

/// The note was shared but its answer was lost: the retry reads the application's
/// notes, finds the same results, and does not share them again.
#[tokio::test]
async fn a_note_whose_answer_was_lost_is_found_and_not_shared_again() {
    let w = world().await;
    invite(&w).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    labels_to_review(&w).await;
    mount_exactly(
        &w.sr,
        1,
        sr("POST", "/messages/shares")
            .and(body_json(note_body(&answered)))
            .respond_with(ResponseTemplate::new(502)),
    )
    .await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");

    let shared = json!({
        "content": note_body(&answered)["content"],
        "visibility": "DIRECT",
        "context": {"applications": [{"candidateId": CANDIDATE, "jobId": JOB}]}
    });
    notes_listed(&w, json!([shared]), 1).await;
    mount_exactly(
        &w.sr,
        1,
        sr("GET", &format!("/candidates/{CANDIDATE}/tags"))
            .respond_with(ok(json!({ "tags": [OWN_TAG, "Willo:To Review"] }))),
    )
    .await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(notes_posted(&w).await, 1, "only the first, lost, attempt");
}

#[tokio::test]
async fn a_phone_that_is_not_e164_fails_the_row_until_redriven() {
    let w = world().await;
    candidate_read(&w, "07911 123456", 1).await;
    let action = on_stage_change(&w).await;
    let Action::Failed { key: row, reason } = &action else {
        panic!("expected a failure, got {action:?}");
    };
    assert_eq!(row, &key());
    assert!(reason.contains("E.164"), "{reason}");
    assert!(!reason.contains("123456"), "no personal data: {reason}");
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
    // Failed rows wait for an operator; a repeated event does not retry them.
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
    let again = on_stage_change(&w).await;
    assert_eq!(again, Action::AlreadyDone { key: key() });

    // The recruiter fixes the phone; the operator re-drives the row.
    w.engine.redrive(&key()).await.unwrap();
    let status = w.engine.status().await.unwrap();
    assert!(status.failed.is_empty());
    assert_eq!(count(&status, RowState::Pending), 1);
    // A redriven row may have reached Willo before it failed: it looks first.
    candidate_read(&w, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 1).await;
    willo_invite(&w.willo, &ADA, 1).await;
    invited_tag_added(&w, 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

#[tokio::test]
async fn a_candidate_without_an_email_fails_with_the_reason_and_no_willo_call() {
    let w = world().await;
    let mut no_email = candidate(PHONE);
    no_email["email"] = json!(null);
    sr("GET", &format!("/candidates/{CANDIDATE}"))
        .respond_with(ok(no_email))
        .expect(1)
        .mount(&w.sr)
        .await;
    let action = on_stage_change(&w).await;
    let Action::Failed { reason, .. } = &action else {
        panic!("expected a failure, got {action:?}");
    };
    assert!(reason.contains("no email"), "{reason}");
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    assert_eq!(w.engine.status().await.unwrap().failed.len(), 1);
}

#[tokio::test]
async fn a_failed_invited_tag_is_retried_and_finds_the_participant_instead_of_inviting_again() {
    let w = world().await;
    candidate_read(&w, PHONE, 2).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite(&w.willo, &ADA, 1).await;
    // Adding a tag is idempotent: the client retries it before the engine gives up
    // for now.
    mount_exactly(
        &w.sr,
        CLIENT_ATTEMPTS,
        sr("POST", &format!("/candidates/{CANDIDATE}/tags"))
            .respond_with(ResponseTemplate::new(503)),
    )
    .await;
    let action = on_stage_change(&w).await;
    let Action::Rescheduled { reason, .. } = &action else {
        panic!("expected a retry, got {action:?}");
    };
    assert!(reason.contains("labelling the invite"), "{reason}");

    // The retry finds the participant by email: no second POST, no second email.
    willo_lookup(&w.willo, ADA.listed(), 1).await;
    invited_tag_added(&w, 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let row = participant_row(w.store.as_ref())
        .await
        .expect("recorded on retry");
    assert_eq!(row.key, key());
    assert_eq!(row.state, RowState::Invited);
}

#[tokio::test]
async fn a_willo_delivery_that_cannot_be_read_yet_stays_in_the_inbox_until_it_can() {
    let w = world().await;
    invite(&w).await;
    willo_results_unavailable(&w.willo, CLIENT_ATTEMPTS).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    note_shared(&w, &answered, 1).await;
    labels_to_review(&w).await;

    inbox_willo_delivery(w.store.as_ref(), WebhookEvent::NewResponse).await;
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1, "taken again");
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 0, "then done");
}

/// `GET /candidates` at the trigger stage of `JOB`, listing `CANDIDATE`, `times` times.
async fn candidates_at_trigger_stage(w: &World, times: u64) {
    mount_exactly(
        &w.sr,
        times,
        sr("GET", "/candidates")
            .and(query_param("jobId", JOB))
            .and(query_param("status", "INTERVIEW"))
            .and(query_param("subStatus", "Video call"))
            .and(query_param("limit", "100"))
            .respond_with(ok(json!({"totalFound": 1, "content": [{"id": CANDIDATE}]}))),
    )
    .await;
}

#[tokio::test]
async fn the_reconciler_invites_what_webhooks_missed_once() {
    let w = world().await;
    candidates_at_trigger_stage(&w, 2).await;
    one_invite(&w).await;

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 1);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let row = participant_row(w.store.as_ref()).await.expect("invited");
    // A listed application is known by its (candidate, job) pair.
    assert_eq!(row.key.application.as_str(), format!("{CANDIDATE}:{JOB}"));

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 0);
    assert_eq!(
        w.engine
            .status()
            .await
            .unwrap()
            .by_state
            .values()
            .sum::<u64>(),
        1
    );
}

#[tokio::test]
async fn without_phones_a_listed_candidate_is_invited_from_the_search_alone() {
    let adapter_config = SmartRecruitersAtsConfig::new().phones_in_invites(false);
    let w = world_on(
        Arc::new(MemoryStore::new()),
        rules(),
        config(),
        adapter_config,
    )
    .await;
    let listed = json!({"id": CANDIDATE, "firstName": "Ada", "lastName": "Lovelace",
        "email": "ada@example.com"});
    mount_exactly(
        &w.sr,
        1,
        sr("GET", "/candidates")
            .and(query_param("jobId", JOB))
            .and(query_param("status", "INTERVIEW"))
            .and(query_param("subStatus", "Video call"))
            .respond_with(ok(json!({"totalFound": 1, "content": [listed]}))),
    )
    .await;
    candidate_read(&w, PHONE, 0).await;
    let invite =
        json!({"interview": INTERVIEW, "name": "Ada Lovelace", "email": "ada@example.com"});
    let mut created = invite.clone();
    created["key"] = json!(PARTICIPANT);
    mount_exactly(
        &w.willo,
        1,
        willo("POST", "/participants/")
            .and(body_json(invite))
            .respond_with(ResponseTemplate::new(201).set_body_json(created)),
    )
    .await;
    invited_tag_added(&w, 1).await;

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.invited, 1, "{:?}", report.errors);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

#[tokio::test]
async fn the_reconciler_leaves_an_application_invited_through_a_webhook_alone() {
    let w = world().await;
    invite(&w).await;
    candidates_at_trigger_stage(&w, 1).await;
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 0, "{report:?}");
    let status = w.engine.status().await.unwrap();
    assert_eq!(status.by_state.values().sum::<u64>(), 1, "{status:?}");
}

#[tokio::test]
async fn a_rejection_before_any_other_news_writes_the_note_with_the_rejected_tag_and_status() {
    let w = world_deciding(Decision::Rejected, "REJECTED").await;
    invite(&w).await;
    let rejected = participant("Rejected");
    willo_results(&w.willo, rejected.clone(), 1).await;
    tags_replaced(
        &w,
        &[OWN_TAG, "Willo:Invited"],
        &[OWN_TAG, "Willo:Rejected"],
    )
    .await;
    sr("PUT", &format!("/candidates/{CANDIDATE}/jobs/{JOB}/status"))
        .and(body_json(json!({"status": "REJECTED"})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&w.sr)
        .await;
    note_shared(&w, &rejected, 1).await;
    let action = on_willo_news(&w.engine, WebhookEvent::StageChange).await;
    assert_eq!(action, wrote_back("decision:rejected"));
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}

const SCREENING_INTERVIEW: &str = "2f3159b797915150c239f2468d660dc0";
const SCREENED: &str = "6c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f";
const NEW_CANDIDATE: &str = "c-created-by-screening";

#[tokio::test]
async fn a_screening_interview_creates_the_candidate_once_with_the_results() {
    let rules = rules().screen(SCREENING_INTERVIEW, "smartrecruiters", JOB);
    let w = world_with(Arc::new(MemoryStore::new()), rules, config()).await;
    let mut screened = participant("Received");
    screened["key"] = json!(SCREENED);
    screened["interview"] = json!(SCREENING_INTERVIEW);
    screened["name"] = json!("Grace Brewster Hopper");
    screened["email"] = json!("grace@example.com");
    screened["phone"] = json!("+15550100");
    // Read to find the interview, again for the results, once more for the repeat.
    willo("GET", &format!("/participants/{SCREENED}/"))
        .respond_with(ok(screened.clone()))
        .expect(3)
        .mount(&w.willo)
        .await;
    sr("POST", &format!("/jobs/{JOB}/candidates"))
        .and(body_json(json!({
            "firstName": "Grace Brewster", "lastName": "Hopper",
            "email": "grace@example.com", "phoneNumber": "+15550100"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": NEW_CANDIDATE, "firstName": "Grace Brewster", "lastName": "Hopper"
        })))
        .expect(1)
        .mount(&w.sr)
        .await;
    sr("GET", &format!("/candidates/{NEW_CANDIDATE}/tags"))
        .respond_with(ok(json!({"tags": []})))
        .expect(1)
        .mount(&w.sr)
        .await;
    sr("PUT", &format!("/candidates/{NEW_CANDIDATE}/tags"))
        .and(body_json(json!({"tags": ["Willo:To Review"]})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&w.sr)
        .await;
    sr("POST", "/messages/shares")
        .and(body_json(note_body_for(NEW_CANDIDATE, SCREENED, &screened)))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
        )
        .expect(1)
        .mount(&w.sr)
        .await;

    let body = serde_json::to_vec(&json!({"participant": {"key": SCREENED}})).unwrap();
    let delivery = Delivery::parse(&body, Some(WebhookEvent::NewResponse)).unwrap();
    let action = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    let screening_key = LedgerKey::new(
        sr_name(),
        format!("willo-participant:{SCREENED}").as_str(),
        SCREENING_INTERVIEW,
    );
    assert_eq!(
        action,
        Action::Screened {
            key: screening_key.clone()
        }
    );
    let again = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    assert_eq!(again, Action::AlreadyDone { key: screening_key });
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Synced), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
}

#[tokio::test]
async fn a_participant_of_another_interview_is_not_screened() {
    let rules = rules().screen(SCREENING_INTERVIEW, "smartrecruiters", JOB);
    let w = world_with(Arc::new(MemoryStore::new()), rules, config()).await;
    let mut stranger = participant("Received");
    stranger["key"] = json!(SCREENED);
    stranger["interview"] = json!("ffffffffffffffffffffffffffffffff");
    willo("GET", &format!("/participants/{SCREENED}/"))
        .respond_with(ok(stranger))
        .expect(1)
        .mount(&w.willo)
        .await;
    let body = serde_json::to_vec(&json!({"participant_key": SCREENED})).unwrap();
    let delivery = Delivery::parse(&body, Some(WebhookEvent::NewResponse)).unwrap();
    let action = w.engine.handle_willo_delivery(&delivery).await.unwrap();
    assert_eq!(action, Action::Ignored(Ignored::UnknownParticipant));
    assert!(w.sr.received_requests().await.unwrap().is_empty());
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
}

#[tokio::test]
async fn two_replicas_receiving_the_same_answer_at_once_share_one_note() {
    let w = world().await;
    invite(&w).await;
    let other = engine_over(&w.willo, w.store.clone(), w.adapter.clone(), rules())
        .config(config())
        .build()
        .unwrap();
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 2).await;
    note_shared(&w, &answered, 1).await;
    labels_to_review(&w).await;

    let delivery = willo_delivery(WebhookEvent::NewResponse);
    let (a, b) = tokio::join!(
        w.engine.handle_willo_delivery(&delivery),
        other.handle_willo_delivery(&delivery)
    );
    let mut actions = [a.unwrap(), b.unwrap()];
    actions.sort_by_key(|a| matches!(a, Action::WroteBack { .. }));
    assert_eq!(actions[1], wrote_back("completed"));
    // The other replica finds the row leased, or already written if it was slower.
    assert!(
        matches!(&actions[0], Action::Busy { key: k } | Action::AlreadyDone { key: k } if *k == key()),
        "{actions:?}"
    );
    assert_eq!(notes_posted(&w).await, 1);
}
