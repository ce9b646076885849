//! Lever's side of the engine matrix: opportunities (the applications) of a contact
//! (the candidate), tags as labels (`addTags`/`removeTags`), notes and stage moves
//! attributed to `perform_as`, signed stage-change webhooks.

use std::sync::Arc;

use ats_bridge::Ats;
use ats_bridge::late_results::{ResultsUpdate, render_amended_note};
use ats_bridge::lever::{LeverAts, LeverAtsConfig, NOTE_MAX_CHARS};
use ats_bridge::model::InterviewOutcome;
use ats_bridge::note::render_note;
use client_core::header::HeaderMap;
use lever_client::webhooks::{Event, EventData, TestDelivery};
use serde_json::{Value, json};
use willo_client::{ParticipantKey, SecretString};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

use super::{JobListed, LABELS, VendorWorld};
use crate::support::lever_mock::{LEVER_BASIC, QueryIs, lever_client};
use crate::support::mock_server::{mount_exactly, now_millis, ok, short_retries};
use crate::support::willo_mock::{Invitee, PARTICIPANT, PHONE};

pub const SIGNING_TOKEN: &str = "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089";
pub const USER: &str = "df0adaa6-172c-4cd6-8520-49b203660fe1";
// The ids of Lever's documented stage-change delivery.
pub const OPP: &str = "3410c8b9-5c31-4bab-b7e9-9f710206d647";
pub const CONTACT: &str = "05c248f9-ccb1-435f-bab5-0ec608aec263";
pub const TRIGGER_STAGE: &str = "7c2690d8-6308-4ed9-ae2a-cbfe7db26593";
pub const POSTING: &str = "f2f01e16-27f8-4711-a728-7d49499795a0";

pub struct LeverWorld;

pub fn fixture(name: &str) -> Value {
    crate::support::mock_server::fixture("lever", name)
}

/// Lever's documented opportunity, moved onto the delivery's ids, applied to
/// `POSTING`, with `phone`.
pub fn opportunity(phone: &str) -> Value {
    let mut opportunity = fixture("opportunity.json");
    opportunity["data"]["id"] = json!(OPP);
    opportunity["data"]["contact"] = json!(CONTACT);
    // Where a stage change's delivery says it went: the adapter trusts the read.
    opportunity["data"]["stage"] = json!(TRIGGER_STAGE);
    opportunity["data"]["phones"] = json!([{ "value": phone }]);
    opportunity["data"]["applications"] = json!([{
        "id": "cdb4ff13-f7aa-49b0-b6ec-eb4617009cfa", "type": "posting", "posting": POSTING
    }]);
    opportunity
}

/// The note the adapter renders from `participant`.
fn note_text(participant: &Value) -> String {
    let mut outcome = InterviewOutcome::from_participant_json(
        ParticipantKey::from(PARTICIPANT),
        participant.clone(),
    );
    // As `interview_results` fills it with the client's default template.
    outcome.willo_url = Some(willo_client::DEFAULT_PARTICIPANT_PAGE_URL.into());
    render_note(&outcome, NOTE_MAX_CHARS)
}

/// A read of `route` under `/v1` with exactly the query `query`.
pub fn lever_get(route: &str, query: &[(&'static str, &'static str)]) -> MockBuilder {
    Mock::given(method("GET"))
        .and(path(format!("/v1{route}")))
        .and(header("authorization", LEVER_BASIC))
        .and(QueryIs(query.to_vec()))
}

/// A write on the opportunity, attributed to `USER`.
pub fn lever_write(verb: &str, suffix: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(format!("/v1/opportunities/{OPP}{suffix}")))
        .and(header("authorization", LEVER_BASIC))
        .and(QueryIs(vec![("perform_as", USER)]))
}

/// The tag endpoint `suffix` with exactly `tags`.
async fn tags_written(ats: &MockServer, suffix: &str, tags: &[&str], times: u64) {
    mount_exactly(
        ats,
        times,
        lever_write("POST", suffix)
            .and(body_json(json!({ "tags": tags })))
            .respond_with(ok(opportunity(PHONE))),
    )
    .await
}

/// The reconciler's listing of the trigger stage.
fn trigger_stage_listing() -> MockBuilder {
    lever_get(
        "/opportunities",
        &[
            ("posting_id", POSTING),
            ("stage_id", TRIGGER_STAGE),
            ("archived", "false"),
        ],
    )
}

/// The opportunity read with its applications (which name the posting).
fn expanded_read() -> MockBuilder {
    lever_get(
        &format!("/opportunities/{OPP}"),
        &[("expand", "applications")],
    )
}

impl VendorWorld for LeverWorld {
    const NAME: &'static str = "lever";
    const JOB: &'static str = POSTING;
    const CANDIDATE: &'static str = CONTACT;
    const APPLICATION: &'static str = OPP;
    const TRIGGER_STAGE: &'static str = TRIGGER_STAGE;
    const ONSITE_STAGE: &'static str = "onsite-stage";
    const REJECTED_STAGE: &'static str = "rejected-stage";
    /// The candidate of Lever's documented opportunity.
    const INVITEE: Invitee = Invitee {
        name: "Shane Smith",
        email: "shane@exampleq3.com",
        listed_email: "Shane@ExampleQ3.com",
    };
    // Lever's documented opportunity has a national-format phone.
    const NATIONAL_PHONE: &'static str = "(123) 456-7891";
    const PHONE_DIGITS: &'static str = "456-7891";
    const LISTING_HAS_DETAILS: bool = true;

    fn adapter(ats: &MockServer) -> Arc<dyn Ats> {
        Arc::new(LeverAts::new(
            lever_client(ats, short_retries()),
            LeverAtsConfig::new(USER).signature_token(SecretString::from(SIGNING_TOKEN)),
        ))
    }

    fn gone() -> String {
        format!("opportunity {OPP}")
    }

    const RECORD: &'static str = OPP;

    fn candidate_route() -> MockBuilder {
        lever_get(&format!("/opportunities/{OPP}"), &[])
    }

    fn candidate_record(phone: &str) -> Value {
        opportunity(phone)
    }

    fn drop_email(record: &mut Value) {
        record["data"]["emails"] = json!([]);
    }

    fn drop_name(record: &mut Value) {
        record["data"]["name"] = Value::Null;
    }

    fn not_found() -> ResponseTemplate {
        ResponseTemplate::new(404)
            .set_body_json(json!({"code": "ResourceNotFound", "message": "gone"}))
    }

    fn deletion_delivery() -> (HeaderMap, Vec<u8>) {
        let data = json!({"opportunityId": OPP, "contactId": CONTACT});
        let body = TestDelivery::new(Event::CandidateDeleted, "t-deleted", now_millis())
            .data(serde_json::from_value(data).unwrap())
            .sign(&SecretString::from(SIGNING_TOKEN))
            .body;
        (HeaderMap::new(), body)
    }

    fn other_deliveries() -> Vec<(&'static str, (HeaderMap, Vec<u8>))> {
        let body = TestDelivery::new(Event::CandidateHired, "test-delivery", now_millis())
            .sign(&SecretString::from(SIGNING_TOKEN))
            .body;
        vec![("candidateHired", (HeaderMap::new(), body))]
    }

    /// Lever's documented stage-change delivery, signed now; `id` is its token.
    fn stage_change_delivery(id: &str) -> (HeaderMap, Vec<u8>) {
        let data: EventData =
            serde_json::from_value(fixture("webhook-candidate-stage-change.json")["data"].clone())
                .unwrap();
        let body = TestDelivery::new(Event::CandidateStageChange, id, now_millis())
            .data(data)
            .sign(&SecretString::from(SIGNING_TOKEN))
            .body;
        (HeaderMap::new(), body)
    }

    async fn delivery_resolved(ats: &MockServer, times: u64) {
        mount_exactly(
            ats,
            times,
            expanded_read().respond_with(ok(opportunity(PHONE))),
        )
        .await
    }

    async fn delivery_unresolvable(ats: &MockServer, times: u64) {
        mount_exactly(
            ats,
            times,
            expanded_read().respond_with(ResponseTemplate::new(503)),
        )
        .await
    }

    async fn invited_label_added(ats: &MockServer, times: u64) {
        tags_written(ats, "/addTags", &[super::INVITED], times).await
    }

    async fn invited_label_refused(ats: &MockServer, answer: ResponseTemplate, times: u64) {
        mount_exactly(
            ats,
            times,
            lever_write("POST", "/addTags")
                .and(body_json(json!({"tags": [super::INVITED]})))
                .respond_with(answer),
        )
        .await
    }

    /// `to` added, every other label of the lifecycle removed (Lever's tag calls are
    /// idempotent: what was there before does not matter).
    async fn labels_moved(ats: &MockServer, _from: &str, to: &str, times: u64) {
        tags_written(ats, "/addTags", &[to], times).await;
        let others: Vec<&str> = LABELS.into_iter().filter(|l| *l != to).collect();
        tags_written(ats, "/removeTags", &others, times).await;
    }

    /// Tag changes are safe to repeat: the retry writes them again.
    async fn labels_found(ats: &MockServer, to: &str) {
        Self::labels_moved(ats, "", to, 1).await
    }

    async fn labels_refused(ats: &MockServer, to: &str, answer: ResponseTemplate, times: u64) {
        lever_write("POST", "/addTags")
            .and(body_json(json!({ "tags": [to] })))
            .respond_with(answer)
            .up_to_n_times(times)
            .with_priority(1)
            .expect(times)
            .mount(ats)
            .await
    }

    async fn stage_moved(ats: &MockServer, stage: &str, times: u64) {
        mount_exactly(
            ats,
            times,
            lever_write("PUT", "/stage")
                .and(body_json(json!({ "stage": stage })))
                .respond_with(ok(fixture(
                    "sandbox-opportunity-stage-update-response.json",
                ))),
        )
        .await
    }

    /// `note-create-response-docs.json`'s note.
    const WRITTEN_NOTE: &'static str = "915a6cef-4f91-4f3d-b8ff-a49e1eae2c30";

    fn note_write(participant: &Value) -> MockBuilder {
        lever_write("POST", "/notes").and(body_json(json!({ "value": note_text(participant) })))
    }

    async fn note_written(ats: &MockServer, participant: &Value, times: u64) {
        mount_exactly(
            ats,
            times,
            Self::note_write(participant).respond_with(
                ResponseTemplate::new(201).set_body_json(fixture("note-create-response-docs.json")),
            ),
        )
        .await
    }

    async fn text_note_written(ats: &MockServer, text: &str, times: u64) {
        mount_exactly(
            ats,
            times,
            lever_write("POST", "/notes")
                .and(body_json(json!({ "value": text })))
                .respond_with(
                    ResponseTemplate::new(201)
                        .set_body_json(fixture("note-create-response-docs.json")),
                ),
        )
        .await
    }

    fn notes_listing() -> MockBuilder {
        lever_get(&format!("/opportunities/{OPP}/notes"), &[])
    }

    const AMENDS_NOTES: bool = true;

    async fn late_results_written(ats: &MockServer, update: &ResultsUpdate, times: u64) {
        let note = Self::WRITTEN_NOTE;
        let body = json!({
            "values": [{"value": render_amended_note(update, NOTE_MAX_CHARS)}],
            "user": USER
        });
        mount_exactly(
            ats,
            times,
            Mock::given(method("PUT"))
                .and(path(format!("/v1/opportunities/{OPP}/notes/{note}")))
                .and(header("authorization", LEVER_BASIC))
                .and(QueryIs(vec![]))
                .and(body_json(body))
                .respond_with(ok(json!({"data": {"noteId": note}}))),
        )
        .await
    }

    fn notes_page(notes: Vec<Value>) -> Value {
        json!({"data": notes, "hasNext": false})
    }

    fn listed_note(participant: &Value) -> Value {
        let mut note = fixture("sandbox-note-get.json")["data"].clone();
        note["id"] = json!("note-written-before");
        note["fields"][0]["value"] = json!(note_text(participant));
        note
    }

    async fn notes_written(ats: &MockServer) -> usize {
        ats.received_requests()
            .await
            .unwrap()
            .iter()
            .filter(|r| r.method.as_str() == "POST" && r.url.path().ends_with("/notes"))
            .count()
    }

    async fn job_listed(ats: &MockServer, listed: JobListed, times: u64) {
        let state = match listed {
            JobListed::Open => "published",
            JobListed::OnHold => "closed",
            JobListed::Gone => "",
        };
        let mut postings =
            vec![json!({"id": "other-posting", "text": "Porter", "state": "published"})];
        if !state.is_empty() {
            postings.push(json!({"id": POSTING, "text": "Barista", "state": state}));
        }
        mount_exactly(
            ats,
            times,
            lever_get("/postings", &[])
                .respond_with(ok(json!({"data": postings, "hasNext": false}))),
        )
        .await;
    }

    async fn listed_at_trigger_stage(ats: &MockServer, times: u64) {
        Self::job_listed(ats, JobListed::Open, times).await;
        mount_exactly(
            ats,
            times,
            trigger_stage_listing().respond_with(ok(
                json!({"data": [opportunity(PHONE)["data"]], "hasNext": false}),
            )),
        )
        .await
    }

    async fn nobody_at_trigger_stage(ats: &MockServer, times: u64) {
        Self::job_listed(ats, JobListed::Open, times).await;
        mount_exactly(
            ats,
            times,
            trigger_stage_listing().respond_with(ok(json!({"data": [], "hasNext": false}))),
        )
        .await
    }
}
