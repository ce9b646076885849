//! `LeverAts` against a mock Lever: every request is asserted (method, path, Basic
//! auth, query including `perform_as`, JSON body) and unexpected requests get a 599.
#![cfg(feature = "lever")]

use crate::support;

use std::sync::Arc;

use ats_bridge::lever::{LeverAts, LeverAtsConfig, NOTE_MAX_CHARS, interview_tag};
use ats_bridge::model::{
    ApplicationRef, AtsEvent, CandidateDetails, CandidateMatch, InterviewKey, InterviewOutcome,
    Job, JobAttributes, JobId, JobState, Stage, StageId, WriteBack,
};
use ats_bridge::note::render_note;
use ats_bridge::rules::{Labels, Rules};
use ats_bridge::{Ats, AtsError, WebhookEventsError, WebhookRejection};
use ats_bridge::{AtsWebhooks, WebhookRequest, WebhookSource};
use client_core::SecretString;
use client_core::header::HeaderMap;
use lever_client::webhooks::{Event, EventData, FixedClock, TestDelivery};
use serde_json::{Value, json};
use support::lever_mock::{LEVER_BASIC, QueryIs, lever_client, query};
use support::mock_server::{lenient_server, now_millis, ok, short_retries};
use support::willo_mock::{PARTICIPANT, participant};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const USER: &str = "df0adaa6-172c-4cd6-8520-49b203660fe1";
const OPP: &str = "250d8f03-738a-4bba-a671-8a3d73477145";
const POSTING: &str = "f2f01e16-27f8-4711-a728-7d49499795a0";
const TOKEN: &str = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089";

fn fixture(name: &str) -> Value {
    support::mock_server::fixture("lever", name)
}

fn config() -> LeverAtsConfig {
    LeverAtsConfig::new(USER)
        .signature_token(SecretString::from("an-old-token"))
        .signature_token(SecretString::from(TOKEN))
}

fn lever_with(server: &MockServer, config: LeverAtsConfig) -> LeverAts {
    LeverAts::new(lever_client(server, short_retries()), config)
}

async fn lever(server: &MockServer) -> LeverAts {
    lever_with(server, config())
}

fn get(p: &str) -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path(format!("/v1{p}")))
        .and(header("authorization", LEVER_BASIC))
}

fn application() -> ApplicationRef {
    ApplicationRef {
        application: OPP.into(),
        candidate: "7f23e772-f2cb-4ebb-b33f-54b872999992".into(),
        job: POSTING.into(),
    }
}

#[tokio::test]
async fn jobs_are_postings_of_every_page_open_while_published_or_internal() {
    let server = lenient_server().await;
    let posting = |id: &str, title: &str, state: &str| json!({"id": id, "text": title, "state": state, "tags": []});
    get("/postings")
        .and(query(&[]))
        .respond_with(ok(json!({
            "data": [posting("p1", "Nurse", "published"), posting("p2", "Porter", "internal")],
            "hasNext": true,
            "next": "%5B1%5D"
        })))
        .expect(1)
        .mount(&server)
        .await;
    get("/postings")
        .and(query(&[("offset", "%5B1%5D")]))
        .respond_with(ok(json!({
            "data": [
                posting("p3", "Chef", "closed"),
                posting("p4", "Cleaner", "draft"),
                posting("p5", "Cook", "on-hold"),
                fixture("sandbox-posting-get.json")["data"].clone()
            ],
            "hasNext": false
        })))
        .expect(1)
        .mount(&server)
        .await;

    let jobs = lever(&server).await.jobs().await.unwrap();
    let summary: Vec<(&str, JobState)> = jobs
        .iter()
        .map(|j| (j.id.as_str(), j.state.clone()))
        .collect();
    assert_eq!(
        summary[..5],
        [
            ("p1", JobState::Open),
            ("p2", JobState::Open),
            ("p3", JobState::Closed),
            ("p4", JobState::Closed),
            ("p5", JobState::Closed),
        ]
    );
    // A listed posting carries every attribute Lever has: nothing to read again.
    assert_eq!(
        jobs[0],
        Job::new("p1", "Nurse", JobState::Open).with_attributes(JobAttributes::new().completed())
    );
    assert_eq!(jobs.len(), 6);
    // Categories, country and tags of Lever's documented posting become attributes
    // (`level: null` is no value; `allLocations` is no string).
    assert_eq!(
        jobs[5].attributes,
        JobAttributes::new()
            .department("Research & Development")
            .city("San Francisco, CA")
            .country_code("US")
            .employment_type("Full-time")
            .custom("team", "Engineering")
            .completed()
    );
}

#[tokio::test]
async fn stages_are_the_account_wide_lever_stages() {
    let server = lenient_server().await;
    get("/stages")
        .and(query(&[]))
        .respond_with(ok(fixture("sandbox-stage-list.json")))
        .expect(1)
        .mount(&server)
        .await;
    let stages = lever(&server)
        .await
        .stages(&JobId::from("any-posting"))
        .await
        .unwrap();
    assert_eq!(stages[0], Stage::new("lead-new", "New lead"));
    assert!(stages.contains(&Stage::new(
        "49422c7e-5b86-4a06-9386-d432f6e98d57",
        "HM Review"
    )));
}

fn stage_change_data() -> EventData {
    serde_json::from_value(fixture("webhook-candidate-stage-change.json")["data"].clone()).unwrap()
}

fn stage_change_delivery(token: &str, triggered_at: u64) -> Vec<u8> {
    TestDelivery::new(Event::CandidateStageChange, token, triggered_at)
        .data(stage_change_data())
        .sign(&SecretString::from(TOKEN))
        .body
}

const DELIVERY_OPP: &str = "3410c8b9-5c31-4bab-b7e9-9f710206d647";

async fn mount_delivery_opportunity(server: &MockServer, applications: Value) {
    let mut opportunity = fixture("opportunity.json");
    opportunity["data"]["id"] = json!(DELIVERY_OPP);
    opportunity["data"]["applications"] = applications;
    get(&format!("/opportunities/{DELIVERY_OPP}"))
        .and(query(&[("expand", "applications")]))
        .respond_with(ok(opportunity))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_stage_change_of_an_opportunity_without_a_posting_is_unknown() {
    let server = lenient_server().await;
    mount_delivery_opportunity(&server, json!([])).await;
    let body = stage_change_delivery("t-no-posting", now_millis());
    let events = lever(&server)
        .await
        .events(&WebhookRequest::new(&HeaderMap::new(), &body))
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![AtsEvent::Unknown {
            name: "candidateStageChange".into()
        }]
    );
}

/// Lever signs only `token` and `triggeredAt`: a captured delivery can be re-sent
/// with its body's `toStageId` and `contactId` changed and still verify. The event
/// reports what Lever's API says instead, so a forged "moved to the trigger stage"
/// invites nobody who is not there.
#[tokio::test]
async fn a_stage_change_reports_the_stage_and_contact_read_from_lever_not_the_body() {
    let server = lenient_server().await;
    // opportunity.json is at stage 00922a60… with contact 7f23e772…; the delivery
    // claims 7c2690d8… and 05c248f9….
    mount_delivery_opportunity(&server, json!([{"id": "a-1", "posting": POSTING}])).await;
    let body = stage_change_delivery("t-claims", now_millis());
    let events = lever(&server)
        .await
        .events(&WebhookRequest::new(&HeaderMap::new(), &body))
        .await
        .unwrap();
    let [
        AtsEvent::StageChanged {
            application, stage, ..
        },
    ] = &events[..]
    else {
        panic!("{events:?}");
    };
    assert_eq!(stage.as_str(), "00922a60-7c15-422b-b086-f62000824fd7");
    assert_eq!(
        application.candidate.as_str(),
        "7f23e772-f2cb-4ebb-b33f-54b872999992"
    );
}

#[tokio::test]
async fn candidate_deleted_names_the_contact_or_else_the_deleted_opportunity() {
    let server = lenient_server().await;
    let lever = lever(&server).await;
    let token = SecretString::from(TOKEN);
    let deleted = |t: &str, data: Value| {
        TestDelivery::new(Event::CandidateDeleted, t, now_millis())
            .data(serde_json::from_value(data).unwrap())
            .sign(&token)
            .body
    };
    let events = lever
        .events(&WebhookRequest::new(
            &HeaderMap::new(),
            &deleted("t1", json!({"opportunityId": "o-1", "contactId": "c-1"})),
        ))
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![AtsEvent::CandidateDeleted {
            candidate: "c-1".into()
        }]
    );
    let events = lever
        .events(&WebhookRequest::new(
            &HeaderMap::new(),
            &deleted("t2", json!({"opportunityId": "o-2"})),
        ))
        .await
        .unwrap();
    // Without the contact, the opportunity: rows are keyed by contact, so the engine
    // looks its contact up in the ledger (it used to report the opportunity id as a
    // candidate id, which matched no row).
    assert_eq!(
        events,
        vec![AtsEvent::ApplicationDeleted {
            application: "o-2".into()
        }]
    );
}

async fn rejection(lever: &LeverAts, body: &[u8]) -> WebhookRejection {
    match lever
        .events(&WebhookRequest::new(&HeaderMap::new(), body))
        .await
    {
        Err(WebhookEventsError::Rejected(rejection)) => rejection,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

const DAY_MS: u64 = 24 * 3_600_000;

/// Lever retries a failed delivery five times with growing waits, and an admin can
/// re-run the deliveries of the last two weeks: the same signed delivery, its
/// `triggeredAt` unchanged. The window must let them in (the inbox and the ledger keep
/// a repeat from acting twice).
#[tokio::test]
async fn lever_retries_and_re_runs_of_the_last_two_weeks_are_accepted() {
    let server = lenient_server().await;
    let triggered_at = 1_431_454_330_072;
    for (token, age_ms) in [
        ("t-retry", 15 * 60_000),
        ("t-three-days", 3 * DAY_MS),
        ("t-re-run", 14 * DAY_MS),
    ] {
        let lever = lever_with(
            &server,
            config().clock(Arc::new(FixedClock::at_millis(triggered_at + age_ms))),
        );
        let body = stage_change_delivery(token, triggered_at);
        let verified = lever.verify(&WebhookRequest::new(&HeaderMap::new(), &body));
        assert!(verified.is_ok(), "{token}: {verified:?}");
    }
}

#[tokio::test]
async fn each_refused_delivery_has_its_own_rejection() {
    let server = lenient_server().await;
    let triggered_at = 1_431_454_330_072;
    let lever = lever_with(
        &server,
        config().clock(Arc::new(FixedClock::at_millis(triggered_at + 1_000))),
    );

    assert!(matches!(
        rejection(&lever, b"not json").await,
        WebhookRejection::Malformed(_)
    ));
    assert!(matches!(
        rejection(
            &lever,
            br#"{"event":"candidateHired","token":"t","signature":"s"}"#
        )
        .await,
        WebhookRejection::Malformed(_)
    ));

    let forged = TestDelivery::new(Event::CandidateStageChange, "t-forged", triggered_at)
        .data(stage_change_data())
        .sign(&SecretString::from("not-our-token"))
        .body;
    assert_eq!(
        rejection(&lever, &forged).await,
        WebhookRejection::BadSignature
    );

    // Older than Lever's two weeks of re-runs (and then some): stale.
    let stale = stage_change_delivery("t-stale", triggered_at - 16 * DAY_MS);
    assert_eq!(rejection(&lever, &stale).await, WebhookRejection::Stale);

    // A genuine stage change without the opportunity id is malformed.
    let mut data = stage_change_data();
    data.opportunity_id = None;
    let incomplete = TestDelivery::new(Event::CandidateStageChange, "t-incomplete", triggered_at)
        .data(data)
        .sign(&SecretString::from(TOKEN))
        .body;
    assert!(matches!(
        rejection(&lever, &incomplete).await,
        WebhookRejection::Malformed(_)
    ));

    let hired = TestDelivery::new(Event::CandidateHired, "t-hired", triggered_at)
        .sign(&SecretString::from(TOKEN))
        .body;
    assert!(
        lever
            .events(&WebhookRequest::new(&HeaderMap::new(), &hired))
            .await
            .is_ok()
    );
    assert_eq!(rejection(&lever, &hired).await, WebhookRejection::Replayed);
}

#[tokio::test]
async fn without_signature_tokens_every_delivery_is_refused_and_webhooks_are_off() {
    let server = lenient_server().await;
    let lever = lever_with(&server, LeverAtsConfig::new(USER));
    assert!(lever.webhooks().is_none());
    let body = stage_change_delivery("t", now_millis());
    assert_eq!(
        rejection(&lever, &body).await,
        WebhookRejection::BadSignature
    );
}

#[tokio::test]
async fn capabilities_and_name() {
    let server = lenient_server().await;
    let lever = lever(&server).await;
    let caps = lever.capabilities();
    assert!(caps.notes && caps.labels && caps.stage_moves && caps.polling);
    assert!(caps.create_candidates);
    assert!(lever.webhooks().is_some());
    assert_eq!(lever.name().as_str(), "lever");
    let renamed = lever_with(&server, config().name("lever-eu"));
    assert_eq!(renamed.name().as_str(), "lever-eu");
}

#[test]
fn config_debug_hides_signature_tokens() {
    let text = format!("{:?}", config());
    assert!(
        !text.contains(TOKEN) && !text.contains("an-old-token"),
        "{text}"
    );
    assert!(text.contains("2 [redacted]"), "{text}");
}

fn opportunities_query(offset: Option<&'static str>) -> QueryIs {
    let mut pairs = vec![
        ("posting_id", POSTING),
        ("stage_id", "phone-screen"),
        ("archived", "false"),
    ];
    pairs.extend(offset.map(|o| ("offset", o)));
    QueryIs(pairs)
}

#[tokio::test]
async fn applications_at_stage_reads_one_page_and_returns_the_offset_token() {
    let server = lenient_server().await;
    let page = fixture("opportunity-list-page.json");
    let next = page["next"].as_str().unwrap().to_owned();
    get("/opportunities")
        .and(opportunities_query(None))
        .respond_with(ok(page))
        .expect(1)
        .mount(&server)
        .await;
    get("/opportunities")
        .and(opportunities_query(Some("saved-token")))
        .respond_with(ok(json!({
            "data": [{"id": "o-2"}, {"id": "o-3", "contact": "c-3"}],
            "hasNext": false
        })))
        .expect(1)
        .mount(&server)
        .await;

    let lever = lever(&server).await;
    let stage = StageId::from("phone-screen");
    let first = lever
        .applications_at_stage(&JobId::from(POSTING), &stage, None)
        .await
        .unwrap();
    assert_eq!(
        first.applications,
        vec![ApplicationRef {
            application: "2087af84-f146-4535-9368-2309e33e049f".into(),
            candidate: "e2719ee1-21f5-4287-a60a-59bd29deac80".into(),
            job: POSTING.into(),
        }]
    );
    assert_eq!(first.next_cursor.as_deref(), Some(next.as_str()));

    let last = lever
        .applications_at_stage(&JobId::from(POSTING), &stage, Some("saved-token"))
        .await
        .unwrap();
    let ids: Vec<(&str, &str)> = last
        .applications
        .iter()
        .map(|a| (a.application.as_str(), a.candidate.as_str()))
        .collect();
    // Without a contact the opportunity stands for the candidate.
    assert_eq!(ids, [("o-2", "o-2"), ("o-3", "c-3")]);
    assert_eq!(last.next_cursor, None);
}

#[tokio::test]
async fn an_expired_offset_token_restarts_from_the_first_page() {
    let server = lenient_server().await;
    get("/opportunities")
        .and(opportunities_query(Some("expired")))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "BadRequestError",
            "message": "Invalid offset token: expired"
        })))
        .expect(1)
        .mount(&server)
        .await;
    get("/opportunities")
        .and(opportunities_query(None))
        .respond_with(ok(
            json!({"data": [{"id": "o-1", "contact": "c-1"}], "hasNext": true, "next": "n2"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let page = lever(&server)
        .await
        .applications_at_stage(
            &JobId::from(POSTING),
            &StageId::from("phone-screen"),
            Some("expired"),
        )
        .await
        .unwrap();
    assert_eq!(page.applications.len(), 1);
    assert_eq!(page.applications[0].application.as_str(), "o-1");
    assert_eq!(page.next_cursor.as_deref(), Some("n2"));
}

#[tokio::test]
async fn other_listing_errors_are_reported() {
    let server = lenient_server().await;
    get("/opportunities")
        .and(opportunities_query(None))
        .respond_with(
            ResponseTemplate::new(403).set_body_json(json!({"code": "Forbidden", "message": "no"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = lever(&server)
        .await
        .applications_at_stage(&JobId::from(POSTING), &StageId::from("phone-screen"), None)
        .await
        .unwrap_err();
    assert!(matches!(error, AtsError::Api(_)), "{error:?}");
    assert!(!error.is_transient());
}

/// Willo's answered participant, as the engine hands it to the adapter.
fn outcome() -> InterviewOutcome {
    InterviewOutcome::from_participant_json(PARTICIPANT.into(), participant("Received"))
}

fn post(suffix: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(format!("/v1/opportunities/{OPP}{suffix}")))
        .and(header("authorization", LEVER_BASIC))
        .and(query(&[("perform_as", USER)]))
}

/// `POST …/{suffix}` (`/addTags`, `/removeTags`) with exactly `tags`, once.
async fn tags_posted(server: &MockServer, suffix: &str, tags: &[&str]) {
    post(suffix)
        .and(body_json(json!({ "tags": tags })))
        .respond_with(ok(fixture("opportunity.json")))
        .expect(1)
        .mount(server)
        .await;
}

/// The opportunity's notes, one page holding `note`, listed once.
async fn notes_listed(server: &MockServer, note: Value) {
    get(&format!("/opportunities/{OPP}/notes"))
        .and(query(&[]))
        .respond_with(ok(json!({"data": [note], "hasNext": false})))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn write_back_writes_one_note_moves_the_tags_and_the_stage_as_the_configured_user() {
    let server = lenient_server().await;
    let outcome = outcome();
    let note = render_note(&outcome, NOTE_MAX_CHARS);
    assert!(
        note.contains("https://videos.willo.example/a1")
            && note.contains("https://videos.willo.example/a2")
    );
    notes_listed(&server, fixture("sandbox-note-get.json")["data"].clone()).await;
    post("/notes")
        .and(body_json(json!({ "value": note })))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("note-create-response-docs.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    tags_posted(&server, "/addTags", &["Willo:To Review"]).await;
    tags_posted(&server, "/removeTags", &["Willo:Invited"]).await;
    Mock::given(method("PUT"))
        .and(path(format!("/v1/opportunities/{OPP}/stage")))
        .and(header("authorization", LEVER_BASIC))
        .and(query(&[("perform_as", USER)]))
        .and(body_json(json!({"stage": "onsite"})))
        .respond_with(ok(fixture(
            "sandbox-opportunity-stage-update-response.json",
        )))
        .expect(1)
        .mount(&server)
        .await;

    let lever = lever(&server).await;
    let labels = Labels::default();
    let write = WriteBack::results(
        outcome,
        vec![labels.responded.clone()],
        vec![labels.invited.clone()],
    )
    .moving_to("onsite".into());
    let receipt = lever.write_back(&application(), &write).await.unwrap();
    assert_eq!(
        receipt.note_id.as_deref(),
        Some("915a6cef-4f91-4f3d-b8ff-a49e1eae2c30")
    );
    assert_eq!(receipt.labels_added, ["Willo:To Review"]);
    assert_eq!(receipt.labels_removed, ["Willo:Invited"]);
    assert_eq!(receipt.moved_to, Some(StageId::from("onsite")));
}

#[test]
fn interview_tags_name_the_interview_and_the_account() {
    assert_eq!(
        interview_tag("Nurse screening", "Acme Care"),
        "Willo:Nurse screening-Acme Care"
    );
}

#[tokio::test]
async fn postings_tagged_with_an_interview_tag_map_to_that_interview() {
    let server = lenient_server().await;
    get("/postings")
        .and(query(&[]))
        .respond_with(ok(json!({
            "data": [
                {"id": "p1", "text": "Nurse", "state": "published", "tags": ["Full-time", "Willo:Nurse screening-Acme"]},
                {"id": "p2", "text": "Porter", "state": "published", "tags": ["Full-time"]},
                {"id": "p3", "text": "Chef", "state": "internal", "tags": ["Willo:Kitchen-Acme", "willo:nurse screening-acme"]}
            ],
            "hasNext": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let nurse = InterviewKey::from("1e2048a686804049b128f1357c559cbf");
    let kitchen = InterviewKey::from("2f3159b797915150c239f2468d660dc0");
    let tags = [
        (nurse.clone(), interview_tag("Nurse screening", "Acme")),
        (kitchen.clone(), interview_tag("Kitchen", "Acme")),
    ];
    let mapping = lever(&server)
        .await
        .postings_for_interview_tags(&tags)
        .await
        .unwrap();
    // Tags are case-sensitive: p3's lower-case copy does not count.
    assert_eq!(
        mapping,
        vec![
            (JobId::from("p1"), nurse.clone()),
            (JobId::from("p3"), kitchen.clone())
        ]
    );

    // The mapping becomes ordinary rules: each tagged posting's opportunities
    // inherit the interview at the trigger stages.
    let rules = Rules::new().triggers_for_jobs("lever", ["phone-screen"], mapping);
    rules.validate().unwrap();
    let at = |posting: &str| {
        rules.interview_for(&"lever".into(), &posting.into(), &"phone-screen".into())
    };
    assert_eq!(at("p1"), Some(&nurse));
    assert_eq!(at("p3"), Some(&kitchen));
    assert_eq!(at("p2"), None, "untagged postings send nothing");

    // A posting tagged for two interviews is a conflict, named on load.
    let conflicting = Rules::new().triggers_for_jobs(
        "lever",
        ["phone-screen"],
        [(JobId::from("p1"), nurse), (JobId::from("p1"), kitchen)],
    );
    let error = conflicting.validate().unwrap_err().to_string();
    assert!(
        error.contains("trigger[1]") && error.contains("p1"),
        "{error}"
    );
}

#[tokio::test]
async fn a_repeated_write_back_does_not_write_the_note_twice() {
    let server = lenient_server().await;
    let outcome = outcome();
    let mut existing = fixture("sandbox-note-get.json")["data"].clone();
    existing["id"] = json!("note-written-before");
    existing["fields"][0]["value"] = json!(render_note(&outcome, NOTE_MAX_CHARS));
    notes_listed(&server, existing).await;
    post("/notes")
        .respond_with(
            ResponseTemplate::new(201).set_body_json(fixture("note-create-response-docs.json")),
        )
        .expect(0)
        .mount(&server)
        .await;
    tags_posted(&server, "/addTags", &["Willo:To Review"]).await;
    let write = WriteBack::results(outcome, vec!["Willo:To Review".into()], vec![]);
    let receipt = lever(&server)
        .await
        .write_back(&application(), &write)
        .await
        .unwrap();
    assert_eq!(receipt.note_id.as_deref(), Some("note-written-before"));
    assert_eq!(receipt.labels_added, ["Willo:To Review"]);
}

/// Which lifecycle labels go is the engine's decision (every other one, see
/// `Rules::labels`): the adapter adds and removes exactly what the write-back lists.
#[tokio::test]
async fn labels_are_added_then_removed_as_the_write_back_lists_them() {
    let server = lenient_server().await;
    let mut tagged = fixture("opportunity.json");
    tagged["data"]["tags"] = json!(["Support", "Willo:Accepted", "Willo:Invited"]);
    post("/addTags")
        .and(body_json(json!({"tags": ["Willo:Accepted"]})))
        .respond_with(ok(tagged))
        .expect(1)
        .mount(&server)
        .await;
    let others = ["Willo:Invited", "Willo:To Review", "Willo:Rejected"];
    tags_posted(&server, "/removeTags", &others).await;
    let write = WriteBack::labels(
        vec!["Willo:Accepted".into()],
        vec![
            "Willo:Invited".into(),
            "Willo:To Review".into(),
            "Willo:Rejected".into(),
        ],
    );
    let receipt = lever(&server)
        .await
        .write_back(&application(), &write)
        .await
        .unwrap();
    assert_eq!(receipt.labels_added, ["Willo:Accepted"]);
    assert_eq!(
        receipt.labels_removed,
        ["Willo:Invited", "Willo:To Review", "Willo:Rejected"]
    );
}

#[tokio::test]
async fn a_delivery_whose_lookup_failed_is_accepted_when_lever_retries_it() {
    let server = lenient_server().await;
    let lookup = format!("/opportunities/{DELIVERY_OPP}");
    get(&lookup)
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(4)
        .with_priority(1)
        .mount(&server)
        .await;
    let lever = lever(&server).await;
    let body = stage_change_delivery("t-retried", now_millis());
    match lever
        .events(&WebhookRequest::new(&HeaderMap::new(), &body))
        .await
    {
        Err(WebhookEventsError::Ats(error)) => assert!(error.is_transient(), "{error:?}"),
        other => panic!("expected a lookup failure, got {other:?}"),
    }
    server.reset().await;
    mount_delivery_opportunity(&server, json!([{"id": "a-1", "posting": {"id": POSTING}}])).await;
    let events = lever
        .events(&WebhookRequest::new(&HeaderMap::new(), &body))
        .await
        .unwrap();
    assert!(
        matches!(&events[..], [AtsEvent::StageChanged { application, .. }] if application.job.as_str() == POSTING),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_stage_change_without_a_contact_id_takes_the_contact_from_the_opportunity() {
    let server = lenient_server().await;
    mount_delivery_opportunity(&server, json!([{"id": "a-1", "posting": POSTING}])).await;
    let mut data = stage_change_data();
    data.contact_id = None;
    let body = TestDelivery::new(Event::CandidateStageChange, "t-no-contact", now_millis())
        .data(data)
        .sign(&SecretString::from(TOKEN))
        .body;
    let events = lever(&server)
        .await
        .events(&WebhookRequest::new(&HeaderMap::new(), &body))
        .await
        .unwrap();
    match &events[..] {
        [AtsEvent::StageChanged { application, .. }] => {
            // opportunity.json's contact.
            assert_eq!(
                application.candidate.as_str(),
                "7f23e772-f2cb-4ebb-b33f-54b872999992"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// `GET /opportunities` for the e-mail on the posting, active only, answering `found`.
async fn looked_up(server: &MockServer, email: &'static str, found: Value) {
    get("/opportunities")
        .and(query(&[
            ("email", email),
            ("posting_id", POSTING),
            ("archived", "false"),
        ]))
        .respond_with(ok(json!({"data": found, "hasNext": false})))
        .expect(1)
        .mount(server)
        .await;
}

fn ada() -> CandidateDetails {
    CandidateDetails::new("Ada Lovelace")
        .email("ada@example.com")
        .phone("+447700900123")
}

/// `POST /opportunities?perform_as=…` with exactly Ada's details on the posting,
/// answering Lever's `{deduped, data}`.
async fn created(server: &MockServer, deduped: bool) {
    let mut answer = fixture("sandbox-opportunity-create-response.json");
    answer["deduped"] = json!(deduped);
    Mock::given(method("POST"))
        .and(path("/v1/opportunities"))
        .and(header("authorization", LEVER_BASIC))
        .and(query(&[("perform_as", USER)]))
        .and(body_json(json!({
            "name": "Ada Lovelace",
            "phones": [{"value": "+447700900123"}],
            "emails": ["ada@example.com"],
            "postings": [POSTING]
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(answer))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn screening_creates_an_opportunity_on_the_posting_as_the_configured_user() {
    let server = lenient_server().await;
    looked_up(&server, "ada@example.com", json!([])).await;
    created(&server, false).await;
    let created = lever(&server)
        .await
        .create_application(&JobId::from(POSTING), &ada())
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::New);
    assert_eq!(
        created.application,
        ApplicationRef {
            application: "90bb80d6-db1b-4ba8-9d4f-8bcb25b6c017".into(),
            candidate: "1419004b-c860-4c8f-a46a-4a5a9cccdee6".into(),
            job: POSTING.into(),
        }
    );
}

#[tokio::test]
async fn a_contact_lever_already_knows_by_email_is_reported_as_existing() {
    let server = lenient_server().await;
    looked_up(&server, "ada@example.com", json!([])).await;
    created(&server, true).await;
    let created = lever(&server)
        .await
        .create_application(&JobId::from(POSTING), &ada())
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::ExistingCandidate);
    assert!(created.candidate.is_existing());
    assert_eq!(
        created.application.candidate.as_str(),
        "1419004b-c860-4c8f-a46a-4a5a9cccdee6"
    );
}

#[tokio::test]
async fn someone_who_already_applied_to_the_posting_keeps_their_opportunity() {
    let server = lenient_server().await;
    let mut mine = fixture("opportunity.json")["data"].clone();
    mine["emails"] = json!(["ADA@example.com"]);
    // Another contact Lever matched loosely: the e-mail is checked again.
    let mut other = mine.clone();
    other["id"] = json!("someone-else");
    other["emails"] = json!(["ada.l@example.com"]);
    looked_up(&server, "ada@example.com", json!([other, mine.clone()])).await;
    // Nothing is created.
    Mock::given(method("POST"))
        .and(path("/v1/opportunities"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let created = lever(&server)
        .await
        .create_application(&JobId::from(POSTING), &ada())
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::ExistingApplication);
    assert_eq!(created.application.application.as_str(), OPP);
    assert_eq!(created.application.job.as_str(), POSTING);
}

#[tokio::test]
async fn find_application_looks_the_email_up_on_the_posting() {
    let server = lenient_server().await;
    looked_up(&server, "ada@example.com", json!([])).await;
    let found = lever(&server)
        .await
        .find_application(&JobId::from(POSTING), " ada@example.com ")
        .await
        .unwrap();
    assert_eq!(found, None);
}

#[tokio::test]
async fn screening_without_a_name_is_refused_before_any_call() {
    let server = lenient_server().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201))
        .expect(0)
        .mount(&server)
        .await;
    let err = lever(&server)
        .await
        .create_application(
            &JobId::from(POSTING),
            &CandidateDetails::new("  ").email("ada@example.com"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, AtsError::Invalid(_)), "{err:?}");
}
