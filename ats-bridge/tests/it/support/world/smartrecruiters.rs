//! SmartRecruiters' side of the engine matrix: a candidate's assignment to a job is
//! the application (known by the pair), tags are the labels (read, then replaced;
//! added alone for the invite), notes are shared messages, the stage is the
//! assignment's status, deliveries carry ids and are resolved by reading the candidate.

use std::sync::Arc;

use ats_bridge::Ats;
use ats_bridge::late_results::{ResultsUpdate, render_follow_up_note};
use ats_bridge::model::InterviewOutcome;
use ats_bridge::note::render_note;
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use client_core::header::HeaderMap;
use serde_json::{Value, json};
use smartrecruiters_client::MAX_NOTE_CHARS;
use smartrecruiters_client::webhooks::TestDelivery;
use willo_client::{ParticipantKey, SecretString};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

use super::{JobListed, VendorWorld};
use crate::support::mock_server::{mount_exactly, now_millis, ok, short_retries};
use crate::support::smartrecruiters_mock::{SR_KEY, WEBHOOK_SECRET, smartrecruiters_client};
use crate::support::willo_mock::{Invitee, PARTICIPANT, PHONE};

// The ids of the application status delivery fixture.
pub const CANDIDATE: &str = "90e2bb61-28ef-4ca6-abae-62edcaf4ff5c";
pub const JOB: &str = "3588f6b0-ae55-4c10-aaa5-2903ee3a7fe6";
/// The ledger's application id: the (candidate, job) pair, whichever path found it.
pub const APPLICATION: &str =
    "90e2bb61-28ef-4ca6-abae-62edcaf4ff5c:3588f6b0-ae55-4c10-aaa5-2903ee3a7fe6";
/// A tag the recruiter put on the candidate; the bridge keeps it.
pub const OWN_TAG: &str = "Barista pool";

pub struct SmartRecruitersWorld;

pub fn fixture(name: &str) -> Value {
    crate::support::mock_server::fixture("smartrecruiters", name)
}

/// A request to `route` with the API key.
pub fn sr(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(route))
        .and(header("X-SmartToken", SR_KEY))
}

/// The adapter over `ats` configured as `config` says, verifying with the test secret.
pub fn adapter_with(ats: &MockServer, config: SmartRecruitersAtsConfig) -> SmartRecruitersAts {
    SmartRecruitersAts::new(
        smartrecruiters_client(ats, short_retries()),
        config.webhook_secret(SecretString::from(WEBHOOK_SECRET)),
    )
}

/// The documented candidate, with a real name, email and `phone`.
pub fn candidate(phone: &str) -> Value {
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

/// The note for `participant` (Willo key `key`) on `candidate`: tagged to the
/// candidate, shared with the job's hiring team.
pub fn note_body_for(candidate: &str, key: &str, participant: &Value) -> Value {
    let mut outcome =
        InterviewOutcome::from_participant_json(ParticipantKey::from(key), participant.clone());
    // As `interview_results` fills it with the client's default template.
    outcome.willo_url = Some(willo_client::DEFAULT_PARTICIPANT_PAGE_URL.into());
    let tag = format!("#[CANDIDATE:{candidate}] ");
    let text = render_note(&outcome, MAX_NOTE_CHARS - tag.chars().count());
    json!({
        "content": format!("{tag}{}", text.trim()),
        "shareWith": {"users": [], "hiringTeamOf": [JOB], "everyone": false, "openNote": false}
    })
}

/// A signed delivery of `event` with id `event_id` and `body`.
pub fn signed(event: &str, event_id: &str, body: &Value) -> (HeaderMap, Vec<u8>) {
    let body = serde_json::to_vec(body).unwrap();
    let mut delivery = TestDelivery::new(event, body.clone(), now_millis() / 1000);
    delivery.event_id = event_id.into();
    (
        delivery.sign(&SecretString::from(WEBHOOK_SECRET)).headers,
        body,
    )
}

fn tags() -> String {
    format!("/candidates/{CANDIDATE}/tags")
}

/// The candidate's tags read as `current`.
async fn tags_read(ats: &MockServer, current: &[&str], times: u64) {
    mount_exactly(
        ats,
        times,
        sr("GET", &tags()).respond_with(ok(json!({ "tags": current }))),
    )
    .await
}

/// `GET /candidates` at the trigger stage of `JOB`.
fn trigger_stage_listing() -> MockBuilder {
    sr("GET", "/candidates")
        .and(query_param("jobId", JOB))
        .and(query_param("status", "INTERVIEW"))
        .and(query_param("subStatus", "Video call"))
        .and(query_param("limit", "100"))
}

impl VendorWorld for SmartRecruitersWorld {
    const NAME: &'static str = "smartrecruiters";
    const JOB: &'static str = JOB;
    const CANDIDATE: &'static str = CANDIDATE;
    const APPLICATION: &'static str = APPLICATION;
    const TRIGGER_STAGE: &'static str = "INTERVIEW/Video call";
    const ONSITE_STAGE: &'static str = "INTERVIEW/Onsite";
    const REJECTED_STAGE: &'static str = "REJECTED";
    /// The candidate as `candidate` shows them.
    const INVITEE: Invitee = Invitee {
        name: "Ada Lovelace",
        email: "ada@example.com",
        listed_email: "ADA@example.com",
    };
    const NATIONAL_PHONE: &'static str = "07911 123456";
    const PHONE_DIGITS: &'static str = "123456";
    const LISTING_HAS_DETAILS: bool = false;

    fn adapter(ats: &MockServer) -> Arc<dyn Ats> {
        Arc::new(adapter_with(ats, SmartRecruitersAtsConfig::new()))
    }

    fn gone() -> String {
        format!("candidate {CANDIDATE}")
    }

    const RECORD: &'static str = CANDIDATE;

    fn candidate_route() -> MockBuilder {
        sr("GET", &format!("/candidates/{CANDIDATE}"))
    }

    fn candidate_record(phone: &str) -> Value {
        candidate(phone)
    }

    fn drop_email(record: &mut Value) {
        record["email"] = json!(null);
    }

    fn drop_name(record: &mut Value) {
        record["firstName"] = json!(" ");
        record["lastName"] = json!(null);
    }

    fn not_found() -> ResponseTemplate {
        ResponseTemplate::new(404).set_body_json(json!({"message": "Not found"}))
    }

    fn deletion_delivery() -> (HeaderMap, Vec<u8>) {
        signed(
            "candidate.deleted",
            "evt-deleted",
            &json!({ "id": CANDIDATE }),
        )
    }

    fn other_deliveries() -> Vec<(&'static str, (HeaderMap, Vec<u8>))> {
        [
            ("job.created", json!({"id": JOB})),
            (
                "application.created",
                json!({"job_id": JOB, "candidate_id": CANDIDATE}),
            ),
            ("offer.approved", json!({"whatever": 1})),
        ]
        .into_iter()
        .map(|(name, body)| (name, signed(name, "evt-other", &body)))
        .collect()
    }

    fn stage_change_delivery(id: &str) -> (HeaderMap, Vec<u8>) {
        let body = fixture("webhook-application-status-updated.json");
        signed("application.status.updated", id, &body)
    }

    /// The candidate's assignments give the application's current status; no
    /// `GET …/jobs/{job}`.
    async fn delivery_resolved(ats: &MockServer, times: u64) {
        Self::candidate_read(ats, PHONE, times).await
    }

    async fn delivery_unresolvable(ats: &MockServer, times: u64) {
        let down = ResponseTemplate::new(503);
        mount_exactly(ats, times, Self::candidate_route().respond_with(down)).await
    }

    /// `POST …/tags` adds the label alone (adding keeps the others).
    async fn invited_label_added(ats: &MockServer, times: u64) {
        Self::invited_label_refused(ats, ResponseTemplate::new(204), times).await
    }

    async fn invited_label_refused(ats: &MockServer, answer: ResponseTemplate, times: u64) {
        mount_exactly(
            ats,
            times,
            sr("POST", &tags())
                .and(body_json(json!({ "tags": [super::INVITED] })))
                .respond_with(answer),
        )
        .await;
    }

    /// The tags are read, then replaced: `from` by `to`, the recruiter's own kept.
    async fn labels_moved(ats: &MockServer, from: &str, to: &str, times: u64) {
        tags_read(ats, &[OWN_TAG, from], times).await;
        mount_exactly(
            ats,
            times,
            sr("PUT", &tags())
                .and(body_json(json!({ "tags": [OWN_TAG, to] })))
                .respond_with(ResponseTemplate::new(204)),
        )
        .await;
    }

    /// The retry reads the tags, finds them right and writes nothing.
    async fn labels_found(ats: &MockServer, to: &str) {
        tags_read(ats, &[OWN_TAG, to], 1).await
    }

    /// The first request of the move, reading the tags, answered `answer`.
    async fn labels_refused(ats: &MockServer, _to: &str, answer: ResponseTemplate, times: u64) {
        sr("GET", &tags())
            .respond_with(answer)
            .up_to_n_times(times)
            .with_priority(1)
            .expect(times)
            .mount(ats)
            .await
    }

    /// `PUT …/status` with the status, and the sub-status where the stage names one.
    async fn stage_moved(ats: &MockServer, stage: &str, times: u64) {
        let body = match stage.split_once('/') {
            Some((status, sub)) => json!({"status": status, "subStatus": sub}),
            None => json!({ "status": stage }),
        };
        mount_exactly(
            ats,
            times,
            sr("PUT", &format!("/candidates/{CANDIDATE}/jobs/{JOB}/status"))
                .and(body_json(body))
                .respond_with(ResponseTemplate::new(204)),
        )
        .await;
    }

    /// `message-share-response.json`'s message (the documented example).
    const WRITTEN_NOTE: &'static str = "string";

    fn note_write(participant: &Value) -> MockBuilder {
        sr("POST", "/messages/shares").and(body_json(note_body_for(
            CANDIDATE,
            PARTICIPANT,
            participant,
        )))
    }

    async fn note_written(ats: &MockServer, participant: &Value, times: u64) {
        mount_exactly(
            ats,
            times,
            Self::note_write(participant).respond_with(
                ResponseTemplate::new(201).set_body_json(fixture("message-share-response.json")),
            ),
        )
        .await;
    }

    const AMENDS_NOTES: bool = false;

    async fn late_results_written(ats: &MockServer, update: &ResultsUpdate, times: u64) {
        let tag = format!("#[CANDIDATE:{CANDIDATE}] ");
        let text = render_follow_up_note(update, MAX_NOTE_CHARS - tag.chars().count());
        Self::text_note_written(ats, &text, times).await;
    }

    async fn text_note_written(ats: &MockServer, text: &str, times: u64) {
        let body = json!({
            "content": format!("#[CANDIDATE:{CANDIDATE}] {text}"),
            "shareWith": {"users": [], "hiringTeamOf": [JOB], "everyone": false, "openNote": false}
        });
        mount_exactly(
            ats,
            times,
            sr("POST", "/messages/shares")
                .and(body_json(body))
                .respond_with(
                    ResponseTemplate::new(201)
                        .set_body_json(fixture("message-share-response.json")),
                ),
        )
        .await;
    }

    /// `GET /messages` of the application.
    fn notes_listing() -> MockBuilder {
        sr("GET", "/messages")
            .and(query_param("candidateId", CANDIDATE))
            .and(query_param("jobId", JOB))
    }

    fn notes_page(notes: Vec<Value>) -> Value {
        json!({ "content": notes })
    }

    fn listed_note(participant: &Value) -> Value {
        json!({
            "content": note_body_for(CANDIDATE, PARTICIPANT, participant)["content"],
            "visibility": "DIRECT",
            "context": {"applications": [{"candidateId": CANDIDATE, "jobId": JOB}]}
        })
    }

    async fn notes_written(ats: &MockServer) -> usize {
        ats.received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.url.path() == "/messages/shares")
            .count()
    }

    async fn job_listed(ats: &MockServer, listed: JobListed, times: u64) {
        let status = match listed {
            JobListed::Open => "SOURCING",
            JobListed::OnHold => "ON_HOLD",
            JobListed::Gone => "",
        };
        let mut jobs = vec![json!({"id": "other-job", "title": "Porter", "status": "SOURCING"})];
        if !status.is_empty() {
            jobs.push(json!({"id": JOB, "title": "Barista", "status": status}));
        }
        mount_exactly(
            ats,
            times,
            sr("GET", "/jobs")
                .and(query_param("limit", "100"))
                .and(query_param("sort", "job_id"))
                .respond_with(ok(json!({"totalFound": jobs.len(), "content": jobs}))),
        )
        .await;
    }

    async fn listed_at_trigger_stage(ats: &MockServer, times: u64) {
        Self::job_listed(ats, JobListed::Open, times).await;
        mount_exactly(
            ats,
            times,
            trigger_stage_listing()
                .respond_with(ok(json!({"totalFound": 1, "content": [{"id": CANDIDATE}]}))),
        )
        .await;
    }

    async fn nobody_at_trigger_stage(ats: &MockServer, times: u64) {
        Self::job_listed(ats, JobListed::Open, times).await;
        mount_exactly(
            ats,
            times,
            trigger_stage_listing().respond_with(ok(json!({"totalFound": 0, "content": []}))),
        )
        .await;
    }
}
