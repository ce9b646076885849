//! The SmartRecruiters adapter against a mock SmartRecruiters: exact requests, and
//! what the bridge makes of the answers.
#![cfg(feature = "smartrecruiters")]

use crate::support;

use ats_bridge::model::{
    ApplicationId, ApplicationRef, AtsEvent, CandidateDetails, CandidateMatch, InterviewOutcome,
    JobId, JobState, StageId, WriteBack,
};
use ats_bridge::smartrecruiters::{
    SmartRecruitersAts, SmartRecruitersAtsConfig, parse_stage_id, stage_id,
};
use ats_bridge::{Ats, AtsError, WebhookEventsError, WebhookRejection};
use ats_bridge::{AtsWebhooks, WebhookRequest, WebhookSource};
use client_core::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use smartrecruiters_client::webhooks::TestDelivery;
use smartrecruiters_client::{ApplicationStatus, JobStatus, SecretString, SmartRecruitersClient};
use support::mock_server::{now_secs, ok, strict_server};
use support::smartrecruiters_mock::{SR_KEY, WEBHOOK_SECRET};
use support::willo_mock::{PARTICIPANT, participant};
use support::world::smartrecruiters::adapter_with;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockBuilder, MockServer, Request, ResponseTemplate};

fn adapter(server: &MockServer) -> SmartRecruitersAts {
    adapter_with(server, SmartRecruitersAtsConfig::new())
}

fn api(verb: &str, route: &str) -> wiremock::MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("X-SmartToken", SR_KEY))
}

/// `mock` answered 200 with `body`, exactly once.
async fn answers_once(server: &MockServer, mock: MockBuilder, body: Value) {
    mock.respond_with(ok(body)).expect(1).mount(server).await;
}

fn app_ref() -> ApplicationRef {
    ApplicationRef {
        application: ApplicationId::from("c1:j1"),
        candidate: "c1".into(),
        job: "j1".into(),
    }
}

fn signed(event: &str, body: &Value, timestamp: u64, secret: &str) -> (HeaderMap, Vec<u8>) {
    let body = serde_json::to_vec(body).unwrap();
    let headers = TestDelivery::new(event, body.clone(), timestamp)
        .sign(&SecretString::from(secret))
        .headers;
    (headers, body)
}

fn delivery(event: &str, body: Value) -> (HeaderMap, Vec<u8>) {
    signed(event, &body, now_secs(), WEBHOOK_SECRET)
}

#[test]
fn stage_ids_encode_status_and_sub_status() {
    let stage = stage_id(&ApplicationStatus::Interview, Some("Video call"));
    assert_eq!(stage, StageId::from("INTERVIEW/Video call"));
    assert_eq!(
        parse_stage_id(&stage),
        (ApplicationStatus::Interview, Some("Video call".to_owned()))
    );
    assert_eq!(
        stage_id(&ApplicationStatus::New, None),
        StageId::from("NEW")
    );
}

#[tokio::test]
async fn jobs_follow_every_page_and_apply_the_allow_list() {
    let server = strict_server().await;
    answers_once(
        &server,
        api("GET", "/jobs")
            .and(query_param("limit", "100"))
            .and(query_param("sort", "job_id"))
            .and(query_param_is_missing("pageId")),
        json!({
            "totalFound": 3, "nextPageId": "p2",
            "content": [
                {"id": "j1", "title": "Barista", "status": "SOURCING"},
                {"id": "j2", "title": "Chef", "status": "ON_HOLD"}
            ]
        }),
    )
    .await;
    answers_once(
        &server,
        api("GET", "/jobs")
            .and(query_param("pageId", "p2"))
            .and(query_param("sort", "job_id")),
        json!({
            "totalFound": 3,
            "content": [
                {"id": "j3", "title": "Waiter", "status": "PENDING_APPROVAL"},
                {"id": "j4", "title": "Host", "status": "INTERVIEW"}
            ]
        }),
    )
    .await;

    let jobs = adapter(&server).jobs().await.unwrap();
    let states: Vec<(&str, &str, JobState)> = jobs
        .iter()
        .map(|j| (j.id.as_str(), j.title.as_str(), j.state.clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("j1", "Barista", JobState::Open),
            ("j2", "Chef", JobState::Closed),
            ("j3", "Waiter", JobState::Closed),
            ("j4", "Host", JobState::Open),
        ]
    );
}

#[tokio::test]
async fn a_custom_allow_list_decides_what_is_open() {
    let server = strict_server().await;
    answers_once(
        &server,
        api("GET", "/jobs"),
        json!({
            "content": [
                {"id": "j1", "title": "Barista", "status": "SOURCING"},
                {"id": "j2", "title": "Chef", "status": "CREATED"}
            ]
        }),
    )
    .await;
    let config = SmartRecruitersAtsConfig::new().job_status_allow_list(vec![JobStatus::Created]);
    let jobs = adapter_with(&server, config).jobs().await.unwrap();
    assert_eq!(jobs[0].state, JobState::Closed);
    assert_eq!(jobs[1].state, JobState::Open);
}

#[tokio::test]
async fn stages_are_statuses_and_the_active_processes_sub_statuses() {
    let server = strict_server().await;
    answers_once(
        &server,
        api("GET", "/configuration/hiring-processes"),
        json!({
            "totalFound": 3,
            "content": [
                {"id": "p1", "name": "Default", "active": true,
                 "subStatuses": {"INTERVIEW": ["Video call", "Onsite"], "IN_REVIEW": ["Screen"]}},
                {"id": "p2", "name": "Sales", "active": true,
                 "subStatuses": {"INTERVIEW": ["Video call"]}},
                {"id": "p3", "name": "Old", "active": false,
                 "subStatuses": {"OFFERED": ["Retired"]}}
            ]
        }),
    )
    .await;
    let stages = adapter(&server).stages(&JobId::from("j1")).await.unwrap();
    let ids: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "LEAD",
            "NEW",
            "IN_REVIEW",
            "IN_REVIEW/Screen",
            "INTERVIEW",
            "INTERVIEW/Video call",
            "INTERVIEW/Onsite",
            "OFFERED",
            "HIRED",
            "REJECTED",
            "WITHDRAWN",
            "TRANSFERRED",
        ]
    );
    assert_eq!(stages[5].name, "Interview / Video call");
}

/// `GET /candidates/c1` once: Ada, applied to `assignments` (job id, status, sub-status).
async fn profile_with(server: &MockServer, assignments: &[(&str, Option<&str>, Option<&str>)]) {
    profile_read(server, assignments, 1).await;
}

/// [`profile_with`], read `times` times.
async fn profile_read(
    server: &MockServer,
    assignments: &[(&str, Option<&str>, Option<&str>)],
    times: u64,
) {
    let assignment = |(job, status, sub): &(&str, Option<&str>, Option<&str>)| json!({"job": {"id": job, "title": "Engineer"}, "status": status, "subStatus": sub});
    let (primary, secondary) = match assignments.split_first() {
        Some((first, rest)) => (assignment(first), rest.iter().map(assignment).collect()),
        None => (Value::Null, Vec::new()),
    };
    api("GET", "/candidates/c1")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "c1", "firstName": "Ada", "lastName": "Lovelace",
            "email": "ada@example.com", "phoneNumber": "+447700900123",
            "internal": false, "tags": [],
            "primaryAssignment": primary, "secondaryAssignments": secondary
        })))
        .expect(times)
        .mount(server)
        .await;
}

fn ada() -> Option<CandidateDetails> {
    Some(
        CandidateDetails::new("Ada Lovelace")
            .email("ada@example.com")
            .phone("+447700900123"),
    )
}

/// `app_ref()` moved to the video call, with Ada's details.
fn at_video_call() -> AtsEvent {
    AtsEvent::StageChanged {
        application: app_ref(),
        stage: StageId::from("INTERVIEW/Video call"),
        details: ada(),
    }
}

async fn status_update(server: &MockServer, event: Value) -> Vec<AtsEvent> {
    let (headers, body) = delivery("application.status.updated", event);
    adapter(server)
        .events(&WebhookRequest::new(&headers, &body))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_status_update_becomes_a_stage_change_at_the_current_status() {
    let server = strict_server().await;
    // One read: the candidate's assignments carry the status, the profile the details.
    profile_with(
        &server,
        &[
            ("j0", Some("NEW"), None),
            ("j1", Some("INTERVIEW"), Some("Video call")),
        ],
    )
    .await;
    let events = status_update(
        &server,
        json!({"job_id": "j1", "candidate_id": "c1", "application_id": "a1"}),
    )
    .await;
    assert_eq!(events, [at_video_call()]);
}

#[tokio::test]
async fn an_application_the_candidate_does_not_list_with_a_status_is_read_on_its_own() {
    for listed in [&[("j0", Some("NEW"), None)][..], &[("j1", None, None)]] {
        let server = strict_server().await;
        profile_with(&server, listed).await;
        api("GET", "/candidates/c1/jobs/j1")
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "status": "INTERVIEW", "subStatus": "Video call"
            })))
            .expect(1)
            .mount(&server)
            .await;
        let events = status_update(&server, json!({"job_id": "j1", "candidate_id": "c1"})).await;
        assert_eq!(events, [at_video_call()], "{listed:?}");
    }
}

#[tokio::test]
async fn the_pair_names_the_application_with_or_without_an_application_id() {
    let server = strict_server().await;
    profile_with(&server, &[("j1", Some("NEW"), None)]).await;
    let events = status_update(&server, json!({"job_id": "j1", "candidate_id": "c1"})).await;
    let AtsEvent::StageChanged {
        application, stage, ..
    } = &events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!(application.application.as_str(), "c1:j1");
    assert_eq!(stage.as_str(), "NEW");
}

#[tokio::test]
async fn a_job_status_update_reads_the_job_and_applies_the_allow_list() {
    let server = strict_server().await;
    let ats = adapter(&server);
    for (job, status, state) in [
        ("j1", "FILLED", JobState::Closed),
        ("j2", "OFFER", JobState::Open),
    ] {
        api("GET", &format!("/jobs/{job}"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": job, "title": "Barista", "status": status
            })))
            .expect(1)
            .mount(&server)
            .await;
        let (headers, body) = delivery("job.status.updated", json!({ "id": job }));
        let events = ats
            .events(&WebhookRequest::new(&headers, &body))
            .await
            .unwrap();
        assert_eq!(
            events,
            vec![AtsEvent::JobStatusChanged {
                job: job.into(),
                state
            }]
        );
    }
}

#[tokio::test]
async fn a_handshake_is_not_taken_for_a_delivery() {
    // The intake answers activation handshakes; the adapter never stores one.
    let server = strict_server().await;
    let mut headers = HeaderMap::new();
    headers.insert("x-hook-secret", HeaderValue::from_static("handshake-value"));
    let refused = adapter(&server).verify(&WebhookRequest::new(&headers, b""));
    assert!(
        matches!(&refused, Err(WebhookRejection::Malformed(reason)) if reason.contains("handshake")),
        "{refused:?}"
    );
}

async fn rejection(ats: &SmartRecruitersAts, headers: &HeaderMap, body: &[u8]) -> WebhookRejection {
    match ats.events(&WebhookRequest::new(headers, body)).await {
        Err(WebhookEventsError::Rejected(r)) => r,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn each_refusal_has_its_own_rejection() {
    let server = strict_server().await;
    let ats = adapter(&server);
    let body = json!({"id": "c1"});

    let (mut headers, raw) = delivery("candidate.deleted", body.clone());
    headers.remove("smartrecruiters-signature");
    assert_eq!(
        rejection(&ats, &headers, &raw).await,
        WebhookRejection::MissingHeader("smartrecruiters-signature".into())
    );

    let (headers, raw) = signed("candidate.deleted", &body, now_secs(), "some-other-secret");
    assert_eq!(
        rejection(&ats, &headers, &raw).await,
        WebhookRejection::BadSignature
    );

    let (headers, mut raw) = delivery("candidate.deleted", body.clone());
    raw.extend_from_slice(b" ");
    assert_eq!(
        rejection(&ats, &headers, &raw).await,
        WebhookRejection::BadSignature
    );

    let (headers, raw) = signed(
        "candidate.deleted",
        &body,
        now_secs() - 3_600,
        WEBHOOK_SECRET,
    );
    assert_eq!(
        rejection(&ats, &headers, &raw).await,
        WebhookRejection::Stale
    );

    let (headers, raw) = delivery("application.status.updated", json!({"job_id": 7}));
    assert!(matches!(
        rejection(&ats, &headers, &raw).await,
        WebhookRejection::Malformed(_)
    ));
}

#[tokio::test]
async fn without_secrets_every_delivery_is_refused() {
    let server = strict_server().await;
    let client = SmartRecruitersClient::builder()
        .base_url(server.uri())
        .api_key(SecretString::from(SR_KEY))
        .build()
        .unwrap();
    let ats = SmartRecruitersAts::new(client, SmartRecruitersAtsConfig::new());
    let (headers, raw) = delivery("candidate.deleted", json!({"id": "c1"}));
    assert_eq!(
        rejection(&ats, &headers, &raw).await,
        WebhookRejection::BadSignature
    );
}

#[tokio::test]
async fn a_failed_lookup_is_an_ats_error_that_stays_transient() {
    let server = strict_server().await;
    api("GET", "/candidates/c1")
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "down"})))
        .mount(&server)
        .await;
    let (headers, body) = delivery(
        "application.status.updated",
        json!({"job_id": "j1", "candidate_id": "c1"}),
    );
    match adapter(&server)
        .events(&WebhookRequest::new(&headers, &body))
        .await
    {
        Err(WebhookEventsError::Ats(e)) => assert!(e.is_transient(), "{e:?}"),
        other => panic!("expected an ATS error, got {other:?}"),
    }
}

/// `GET /candidates` of job `j1` in `status`.
fn search(status: &str) -> MockBuilder {
    api("GET", "/candidates")
        .and(query_param("jobId", "j1"))
        .and(query_param("status", status))
}

#[tokio::test]
async fn applications_at_a_stage_page_with_the_cursor() {
    let server = strict_server().await;
    answers_once(
        &server,
        search("INTERVIEW")
            .and(query_param("subStatus", "Video call"))
            .and(query_param("limit", "2"))
            .and(query_param_is_missing("pageId")),
        json!({
            "totalFound": 3, "nextPageId": "n2",
            "content": [{"id": "c1"}, {"id": "c2"}]
        }),
    )
    .await;
    answers_once(
        &server,
        search("INTERVIEW")
            .and(query_param("subStatus", "Video call"))
            .and(query_param("pageId", "n2")),
        json!({
            "totalFound": 3, "content": [{"id": "c3"}]
        }),
    )
    .await;
    let ats = adapter_with(&server, SmartRecruitersAtsConfig::new().page_size(2));
    let job = JobId::from("j1");
    let stage = StageId::from("INTERVIEW/Video call");

    let first = ats.applications_at_stage(&job, &stage, None).await.unwrap();
    let ids: Vec<&str> = first
        .applications
        .iter()
        .map(|a| a.application.as_str())
        .collect();
    assert_eq!(ids, vec!["c1:j1", "c2:j1"]);
    assert_eq!(first.applications[1].candidate.as_str(), "c2");
    assert_eq!(first.applications[1].job.as_str(), "j1");
    assert_eq!(first.next_cursor.as_deref(), Some("n2"));

    let second = ats
        .applications_at_stage(&job, &stage, first.next_cursor.as_deref())
        .await
        .unwrap();
    assert_eq!(second.applications.len(), 1);
    assert_eq!(second.applications[0].candidate.as_str(), "c3");
    assert_eq!(second.next_cursor, None);
}

#[tokio::test]
async fn without_phones_in_invites_a_listing_hands_on_names_and_emails() {
    let server = strict_server().await;
    api("GET", "/candidates")
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"content": [
            {"id": "c1", "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com"},
            {"id": "c2", "email": "nameless@example.com"}
        ]})))
        .expect(2)
        .mount(&server)
        .await;
    let (job, stage) = (JobId::from("j1"), StageId::from("INTERVIEW"));

    let by_default = adapter(&server)
        .applications_at_stage(&job, &stage, None)
        .await
        .unwrap();
    assert!(by_default.details.is_empty(), "the invite reads the phone");

    let ats = adapter_with(
        &server,
        SmartRecruitersAtsConfig::new().phones_in_invites(false),
    );
    let page = ats.applications_at_stage(&job, &stage, None).await.unwrap();
    assert_eq!(page.applications.len(), 2);
    assert_eq!(
        page.details.into_iter().collect::<Vec<_>>(),
        vec![(
            ApplicationId::from("c1:j1"),
            CandidateDetails::new("Ada Lovelace").email("ada@example.com")
        )],
        "without a name the invite reads the profile (and reports it)"
    );
}

#[tokio::test]
async fn without_phones_in_invites_no_phone_is_handed_on_from_the_profile_either() {
    let server = strict_server().await;
    profile_read(&server, &[("j1", Some("INTERVIEW"), None)], 2).await;
    let ats = adapter_with(
        &server,
        SmartRecruitersAtsConfig::new().phones_in_invites(false),
    );
    let mut without_phone = ada().unwrap();
    without_phone.phone = None;
    assert_eq!(ats.candidate(&app_ref()).await.unwrap(), without_phone);
    let (headers, body) = delivery(
        "application.status.updated",
        json!({"job_id": "j1", "candidate_id": "c1"}),
    );
    let events = ats
        .events(&WebhookRequest::new(&headers, &body))
        .await
        .unwrap();
    assert!(
        matches!(&events[..], [AtsEvent::StageChanged { details: Some(d), .. }] if *d == without_phone),
        "{events:?}"
    );
}

#[tokio::test]
async fn a_plain_status_is_searched_without_a_sub_status() {
    let server = strict_server().await;
    answers_once(
        &server,
        search("NEW").and(query_param_is_missing("subStatus")),
        json!({"content": []}),
    )
    .await;
    let page = adapter(&server)
        .applications_at_stage(&JobId::from("j1"), &StageId::from("NEW"), None)
        .await
        .unwrap();
    assert!(page.applications.is_empty() && page.next_cursor.is_none());
}

/// Willo's answered participant, each transcript `transcript_chars` long.
fn outcome(transcript_chars: usize) -> InterviewOutcome {
    let mut answered = participant("Received");
    let transcript = json!("word ".repeat(transcript_chars / 5));
    for response in answered["responses"].as_array_mut().unwrap() {
        response["transcript"] = transcript.clone();
    }
    InterviewOutcome::from_participant_json(PARTICIPANT.into(), answered)
}

async fn mount_note(server: &MockServer) {
    api("POST", "/messages/shares")
        .and(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            body["shareWith"]
                == json!({"users": [], "hiringTeamOf": ["j1"], "everyone": false, "openNote": false})
        })
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "m1", "shareRequired": false})))
        .expect(1)
        .mount(server)
        .await;
}

async fn note_content(server: &MockServer) -> String {
    let requests = server.received_requests().await.unwrap();
    let notes: Vec<&Request> = requests
        .iter()
        .filter(|r| r.url.path() == "/messages/shares")
        .collect();
    assert_eq!(notes.len(), 1, "exactly one note");
    let body: Value = serde_json::from_slice(&notes[0].body).unwrap();
    body["content"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn write_back_writes_one_note_replaces_tags_and_moves_the_application() {
    let server = strict_server().await;
    mount_note(&server).await;
    answers_once(
        &server,
        api("GET", "/candidates/c1/tags"),
        json!({
            "tags": ["Willo:Invited", "Barista pool"]
        }),
    )
    .await;
    api("PUT", "/candidates/c1/tags")
        .and(body_json(
            json!({"tags": ["Barista pool", "Willo:To Review"]}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    api("PUT", "/candidates/c1/jobs/j1/status")
        .and(body_json(
            json!({"status": "INTERVIEW", "subStatus": "Video call"}),
        ))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let write = WriteBack::results(
        outcome(100),
        vec!["Willo:To Review".into()],
        vec!["Willo:Invited".into()],
    )
    .moving_to(StageId::from("INTERVIEW/Video call"))
    .as_first_attempt();
    let receipt = adapter(&server)
        .write_back(&app_ref(), &write)
        .await
        .unwrap();
    assert_eq!(receipt.note_id.as_deref(), Some("m1"));
    assert_eq!(receipt.labels_added, vec!["Willo:To Review".to_owned()]);
    assert_eq!(receipt.labels_removed, vec!["Willo:Invited".to_owned()]);
    assert_eq!(
        receipt.moved_to,
        Some(StageId::from("INTERVIEW/Video call"))
    );

    let content = note_content(&server).await;
    assert!(
        content.starts_with("#[CANDIDATE:c1] Willo interview results"),
        "{content}"
    );
    for part in [
        "Overall score: 4.5",
        "Answer: https://videos.willo.example/a1",
        "Answer: https://videos.willo.example/a2",
        "Transcript: word",
    ] {
        assert!(content.contains(part), "missing {part:?}");
    }
}

#[tokio::test]
async fn a_huge_outcome_still_fits_one_note_with_every_answer_link() {
    let server = strict_server().await;
    mount_note(&server).await;
    let write = WriteBack::results(outcome(40_000), Vec::new(), Vec::new()).as_first_attempt();
    let receipt = adapter(&server)
        .write_back(&app_ref(), &write)
        .await
        .unwrap();
    assert_eq!(receipt.note_id.as_deref(), Some("m1"));
    let content = note_content(&server).await;
    assert!(
        content.chars().count() <= 10_000,
        "{}",
        content.chars().count()
    );
    assert!(content.starts_with("#[CANDIDATE:c1] "));
    assert!(content.contains("Answer: https://videos.willo.example/a1"));
    assert!(content.contains("Answer: https://videos.willo.example/a2"));
}

#[tokio::test]
async fn labels_already_right_are_left_alone() {
    let server = strict_server().await;
    answers_once(
        &server,
        api("GET", "/candidates/c1/tags"),
        json!({
            "tags": ["willo:to review"]
        }),
    )
    .await;
    let write = WriteBack::labels(vec!["Willo:To Review".into()], vec!["Willo:Invited".into()]);
    let receipt = adapter(&server)
        .write_back(&app_ref(), &write)
        .await
        .unwrap();
    assert_eq!(receipt.note_id, None);
    assert_eq!(receipt.moved_to, None);
}

#[tokio::test]
async fn removing_the_last_label_replaces_with_an_empty_set() {
    let server = strict_server().await;
    answers_once(
        &server,
        api("GET", "/candidates/c1/tags"),
        json!({"tags": ["Willo:Invited"]}),
    )
    .await;
    api("PUT", "/candidates/c1/tags")
        .and(body_json(json!({"tags": []})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let write = WriteBack::labels(Vec::new(), vec!["Willo:Invited".into()]);
    adapter(&server)
        .write_back(&app_ref(), &write)
        .await
        .unwrap();
}

#[tokio::test]
async fn moving_a_missing_application_is_not_found() {
    let server = strict_server().await;
    api("PUT", "/candidates/c1/jobs/j1/status")
        .and(body_json(json!({"status": "REJECTED"})))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"})))
        .expect(1)
        .mount(&server)
        .await;
    let write = WriteBack::default().moving_to(StageId::from("REJECTED"));
    let err = adapter(&server)
        .write_back(&app_ref(), &write)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AtsError::NotFound { what } if what == "application c1:j1"),
        "{err:?}"
    );
}

/// `GET /candidates?q="mary@example.com"&limit=100` answering `listed`, once.
async fn email_looked_up(server: &MockServer, listed: Value) {
    api("GET", "/candidates")
        .and(query_param("q", "\"mary@example.com\""))
        .and(query_param("limit", "100"))
        .respond_with(ok(json!({"totalFound": 1, "content": listed})))
        .expect(1)
        .mount(server)
        .await;
}

fn mary() -> CandidateDetails {
    CandidateDetails::new("Mary Ann Smith")
        .email("mary@example.com")
        .phone("+15550100")
}

#[tokio::test]
async fn create_application_adds_the_candidate_to_the_job() {
    let server = strict_server().await;
    email_looked_up(&server, json!([])).await;
    api("POST", "/jobs/j1/candidates")
        .and(body_json(json!({
            "firstName": "Mary Ann", "lastName": "Smith",
            "email": "mary@example.com", "phoneNumber": "+15550100"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "c7", "firstName": "Mary Ann", "lastName": "Smith"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = adapter(&server)
        .create_application(&JobId::from("j1"), &mary())
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::New);
    assert_eq!(created.application.candidate.as_str(), "c7");
    assert_eq!(created.application.application.as_str(), "c7:j1");
    assert!(adapter(&server).capabilities().create_candidates);
}

#[tokio::test]
async fn a_known_email_gets_the_application_on_the_existing_candidate() {
    let server = strict_server().await;
    // Known under other spellings of the name: their own profile is what is sent.
    email_looked_up(
        &server,
        json!([{
            "id": "c3", "firstName": "Mary-Ann", "lastName": "Smith",
            "email": "Mary@Example.com",
            "primaryAssignment": {"job": {"id": "j0"}, "status": "REJECTED"}
        }]),
    )
    .await;
    api("POST", "/jobs/j1/candidates")
        .and(body_json(json!({
            "firstName": "Mary-Ann", "lastName": "Smith", "email": "Mary@Example.com"
        })))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": "c3", "firstName": "Mary-Ann", "lastName": "Smith"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let created = adapter(&server)
        .create_application(&JobId::from("j1"), &mary())
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::ExistingCandidate);
    assert_eq!(
        created.application,
        SmartRecruitersAts::application_ref("c3", "j1")
    );
}

#[tokio::test]
async fn someone_who_already_applied_to_the_job_keeps_their_application() {
    let server = strict_server().await;
    email_looked_up(
        &server,
        json!([{
            "id": "c3", "firstName": "Mary Ann", "lastName": "Smith",
            "email": "mary@example.com",
            "primaryAssignment": {"job": {"id": "j0"}, "status": "NEW"},
            "secondaryAssignments": [{"job": {"id": "j1"}, "status": "IN_REVIEW"}]
        }]),
    )
    .await;
    // Nothing is created (the strict server would answer 599 to a POST).
    let created = adapter(&server)
        .create_application(&JobId::from("j1"), &mary())
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::ExistingApplication);
    assert_eq!(
        created.application,
        SmartRecruitersAts::application_ref("c3", "j1")
    );
}

#[tokio::test]
async fn a_second_profile_made_despite_a_known_email_is_reported_new() {
    let server = strict_server().await;
    email_looked_up(
        &server,
        json!([{"id": "c3", "firstName": "Mary Ann", "lastName": "Smith",
                "email": "mary@example.com"}]),
    )
    .await;
    api("POST", "/jobs/j1/candidates")
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "c8"})))
        .expect(1)
        .mount(&server)
        .await;
    let created = adapter(&server)
        .create_application(&JobId::from("j1"), &mary())
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::New);
    assert_eq!(created.application.candidate.as_str(), "c8");
}

#[tokio::test]
async fn a_vanished_candidate_or_application_in_a_delivery_is_not_found() {
    let not_found = || ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"}));
    let resolve = |server: MockServer| async move {
        let (headers, body) = delivery(
            "application.status.updated",
            json!({"job_id": "j1", "candidate_id": "c1", "application_id": "a1"}),
        );
        match adapter(&server)
            .events(&WebhookRequest::new(&headers, &body))
            .await
        {
            Err(WebhookEventsError::Ats(AtsError::NotFound { what })) => what,
            other => panic!("expected not found, got {other:?}"),
        }
    };

    let server = strict_server().await;
    api("GET", "/candidates/c1")
        .respond_with(not_found())
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(resolve(server).await, "candidate c1");

    let server = strict_server().await;
    profile_with(&server, &[]).await;
    api("GET", "/candidates/c1/jobs/j1")
        .respond_with(not_found())
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(resolve(server).await, "application c1:j1");
}

#[tokio::test]
async fn notes_can_be_open_notes_instead() {
    let server = strict_server().await;
    api("POST", "/messages/shares")
        .and(|request: &Request| {
            let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
            body["shareWith"]
                == json!({"users": [], "hiringTeamOf": [], "everyone": false, "openNote": true})
        })
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "m2"})))
        .expect(1)
        .mount(&server)
        .await;
    let ats = adapter_with(
        &server,
        SmartRecruitersAtsConfig::new().note_share_hiring_team(false),
    );
    let write = WriteBack::results(outcome(10), Vec::new(), Vec::new()).as_first_attempt();
    let receipt = ats.write_back(&app_ref(), &write).await.unwrap();
    assert_eq!(receipt.note_id.as_deref(), Some("m2"));
}

#[test]
fn debug_of_the_adapter_shows_no_secret() {
    let client = SmartRecruitersClient::builder()
        .base_url("http://127.0.0.1:9")
        .api_key(SecretString::from(SR_KEY))
        .build()
        .unwrap();
    let ats = SmartRecruitersAts::new(
        client,
        SmartRecruitersAtsConfig::new().webhook_secret(SecretString::from(WEBHOOK_SECRET)),
    );
    let text = format!("{ats:?}");
    assert!(
        !text.contains(SR_KEY) && !text.contains(WEBHOOK_SECRET),
        "{text}"
    );
}

fn outcome_with_markup() -> InterviewOutcome {
    let mut answered = participant("Received");
    for response in answered["responses"].as_array_mut().unwrap() {
        response["transcript"] = json!("Ask @[USER:boss] about #[CANDIDATE:other]");
    }
    InterviewOutcome::from_participant_json(PARTICIPANT.into(), answered)
}

#[tokio::test]
async fn markup_in_willo_text_is_escaped_and_a_repeat_still_finds_the_note() {
    let server = strict_server().await;
    mount_note(&server).await;
    let first =
        WriteBack::results(outcome_with_markup(), Vec::new(), Vec::new()).as_first_attempt();
    adapter(&server)
        .write_back(&app_ref(), &first)
        .await
        .unwrap();
    let content = note_content(&server).await;
    assert!(
        content.contains("Ask @\u{200B}[USER:boss] about #\u{200B}[CANDIDATE:other]"),
        "{content}"
    );
    assert_eq!(content.matches("#[CANDIDATE:").count(), 1, "{content}");
    assert!(content.starts_with("#[CANDIDATE:c1] "), "{content}");
    assert!(!content.contains("@[USER:"), "{content}");

    // A repeat lists the stored (escaped) note and recognises it: no second note.
    let again = strict_server().await;
    answers_once(
        &again,
        api("GET", "/messages"),
        json!({"content": [{"content": content, "id": "m1"}]}),
    )
    .await;
    let repeat = WriteBack::results(outcome_with_markup(), Vec::new(), Vec::new());
    let receipt = adapter(&again)
        .write_back(&app_ref(), &repeat)
        .await
        .unwrap();
    assert_eq!(receipt.note_id.as_deref(), Some("m1"));
}

#[tokio::test]
async fn an_event_the_bridge_ignores_resolves_to_unknown_whatever_its_body() {
    // Every documented event is typed by the client now; the bridge still reads only
    // the events it subscribes to, so a body outside an ignored event's schema is kept
    // and resolved to `Unknown`, never refused.
    let server = strict_server().await;
    let (headers, body) = delivery("offer.created", json!({"offer_id": "o1"}));
    let events = adapter(&server)
        .events(&WebhookRequest::new(&headers, &body))
        .await
        .unwrap();
    assert_eq!(
        events,
        vec![AtsEvent::Unknown {
            name: "offer.created".into()
        }]
    );
}
