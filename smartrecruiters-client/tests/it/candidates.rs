//! Candidates: search filters and paging, the one-in-flight limit, CRUD, tags,
//! attachments and the email lookup.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::TryStreamExt;
use serde_json::json;
use smartrecruiters_client::{
    ApplicationStatus, AttachmentId, CandidateFilter, CandidateId, JobId, NewCandidate,
    is_candidate_data_conflict,
};
use smartrecruiters_client::{
    AttachmentType, ConsentStatus, OnboardingStatus, PersonalDetails, Upload,
};
use support::{
    API_KEY, MountOnce, QueryIs, client, fixture, json, ok, on, server, unlimited_client,
};
use wiremock::matchers::{
    body_json, body_string_contains, header, header_regex, query_param, query_param_is_missing,
};
use wiremock::{Request, Respond, ResponseTemplate};

fn candidate(id: &str, email: &str) -> serde_json::Value {
    json!({"id": id, "firstName": "A", "lastName": "B", "email": email, "internal": false,
           "createdOn": "2024-01-01T00:00:00.000Z", "actions": {}})
}

#[tokio::test]
async fn page_sends_every_filter_as_documented() {
    let server = server().await;
    on("GET", "/candidates")
        .and(header("x-smarttoken", API_KEY))
        .and(QueryIs(vec![
            ("q", "rust developer"),
            ("limit", "50"),
            ("jobId", "job-1"),
            ("jobId", "job-2"),
            ("location", "Krakow"),
            ("averageRating", "4"),
            ("averageRating", "5"),
            ("status", "IN_REVIEW"),
            ("status", "INTERVIEW"),
            ("consentStatus", "ACQUIRED"),
            ("subStatus", "Phone screen"),
            ("tag", "willo"),
            ("tag", "video"),
            ("updatedAfter", "2024-01-01T00:00:00.000Z"),
            ("onboardingStatus", "READY_TO_ONBOARD"),
            ("propertyId", "prop-1"),
            ("propertyId", "prop-2"),
            ("propertyValueId", "val-1"),
            ("propertyValueId", "val-2"),
            ("sourceType", "JOB_BOARD"),
            ("sourceType", "REFERRAL"),
            ("sourceSubType", "sub-1"),
            ("sourceSubType", "sub-2"),
            ("sourceValueId", "src-1"),
            ("sourceValueId", "src-2"),
            ("questionCategory", "cat-1"),
            ("questionCategory", "cat-2"),
            ("questionFieldId", "f-1"),
            ("questionFieldId", "f-2"),
            ("questionFieldValueId", "fv-1"),
            ("questionFieldValueId", "fv-2"),
            ("pageId", "cursor-1"),
        ]))
        .once(&server, ok(fixture("candidate-list-page.json")))
        .await;

    let filter = CandidateFilter::new()
        .q("rust developer")
        .limit(50)
        .job("job-1")
        .job("job-2")
        .status(ApplicationStatus::InReview)
        .status(ApplicationStatus::Interview)
        .sub_status("Phone screen")
        .tag("willo")
        .tag("video")
        .updated_after("2024-01-01T00:00:00.000Z")
        .consent_status(ConsentStatus::Acquired)
        .onboarding_status(OnboardingStatus::ReadyToOnboard)
        .location("Krakow")
        // Integers, as the API definition types them: `4`, not `4.0`.
        .average_rating(4)
        .average_rating(5)
        .property("prop-1", "val-1")
        .property("prop-2", "val-2")
        .source_type("JOB_BOARD")
        .source_type("REFERRAL")
        .source_sub_type("sub-1")
        .source_sub_type("sub-2")
        .source_value_id("src-1")
        .source_value_id("src-2")
        .question_category("cat-1")
        .question_category("cat-2")
        .question_field_id("f-1")
        .question_field_id("f-2")
        .question_field_value_id("fv-1")
        .question_field_value_id("fv-2");

    let page = client(&server)
        .candidates()
        .page(&filter, Some("cursor-1".into()))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.next.as_deref(), Some("string"));
    let first = &page.items[0];
    assert_eq!(first.id.as_str(), "string");
    let assignment = first.primary_assignment.as_ref().unwrap();
    assert_eq!(assignment.application.status, Some(ApplicationStatus::Lead));
    assert_eq!(first.secondary_assignments.len(), 1);
    assert_eq!(
        first.consent.as_ref().unwrap().status,
        Some(ConsentStatus::Required)
    );
}

#[tokio::test]
async fn list_follows_next_page_id_without_gaps_or_repeats() {
    let server = server().await;
    on("GET", "/candidates")
        .and(query_param_is_missing("pageId"))
        .once(
            &server,
            ok(
                json!({"limit": 2, "offset": 0, "totalFound": 3, "nextPageId": "p2",
                   "content": [candidate("c1", "a@x.io"), candidate("c2", "b@x.io")]}),
            ),
        )
        .await;
    on("GET", "/candidates")
        .and(query_param("pageId", "p2"))
        .once(
            &server,
            ok(
                json!({"limit": 2, "offset": 0, "totalFound": 3, "nextPageId": null,
                   "content": [candidate("c3", "c@x.io")]}),
            ),
        )
        .await;

    let ids: Vec<String> = client(&server)
        .candidates()
        .list(&CandidateFilter::new().limit(2))
        .map_ok(|c| c.id.0)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["c1", "c2", "c3"]);
}

#[tokio::test]
async fn list_falls_back_to_the_link_header() {
    let server = server().await;
    on("GET", "/candidates")
        .and(query_param_is_missing("pageId"))
        .once(
            &server,
            ok(json!({"limit": 1, "content": [candidate("c1", "a@x.io")]})).insert_header(
                "link",
                "</candidates?limit=1&pageId=SKYfn51w%2FvIsIC%3D%3D>; rel=\"next\"",
            ),
        )
        .await;
    on("GET", "/candidates")
        .and(query_param("pageId", "SKYfn51w/vIsIC=="))
        .once(
            &server,
            ok(json!({"limit": 1, "content": [candidate("c2", "b@x.io")]})),
        )
        .await;

    let ids: Vec<String> = client(&server)
        .candidates()
        .list(&CandidateFilter::new().limit(1))
        .map_ok(|c| c.id.0)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["c1", "c2"]);
}

/// Answers after `delay` and records the most requests ever in flight at once.
#[derive(Clone)]
struct ConcurrencyProbe {
    delay: Duration,
    busy_until: Arc<Mutex<Vec<Instant>>>,
    peak: Arc<Mutex<usize>>,
}

impl ConcurrencyProbe {
    fn new(delay: Duration) -> Self {
        Self {
            delay,
            busy_until: Arc::default(),
            peak: Arc::default(),
        }
    }

    fn peak(&self) -> usize {
        *self.peak.lock().unwrap()
    }
}

impl Respond for ConcurrencyProbe {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let now = Instant::now();
        let mut busy = self.busy_until.lock().unwrap();
        busy.retain(|until| *until > now);
        busy.push(now + self.delay);
        let mut peak = self.peak.lock().unwrap();
        *peak = (*peak).max(busy.len());
        ok(json!({"content": [candidate("c1", "a@x.io")]})).set_delay(self.delay)
    }
}

async fn peak_of_parallel_searches(limited: bool) -> usize {
    let server = server().await;
    let probe = ConcurrencyProbe::new(Duration::from_millis(150));
    on("GET", "/candidates")
        .respond_with(probe.clone())
        .expect(4)
        .mount(&server)
        .await;
    let client = if limited {
        client(&server)
    } else {
        unlimited_client(&server)
    };
    let searches = (0..4).map(|_| {
        let client = client.clone();
        async move {
            client
                .candidates()
                .list(&CandidateFilter::new())
                .try_collect::<Vec<_>>()
                .await
                .unwrap()
        }
    });
    futures::future::join_all(searches).await;
    probe.peak()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn get_candidates_never_has_two_requests_in_flight() {
    assert_eq!(peak_of_parallel_searches(true).await, 1);
    // The probe does see overlap when nothing limits it.
    assert!(peak_of_parallel_searches(false).await > 1);
}

#[tokio::test]
async fn find_by_email_quotes_the_address_and_keeps_exact_matches() {
    let server = server().await;
    on("GET", "/candidates")
        .and(query_param("q", "\"Jane.Doe@Example.com\""))
        .once(
            &server,
            ok(json!({"content": [
                candidate("c1", "jane.doe@example.com"),
                candidate("c2", "jane.doe@example.com.au"),
                candidate("c3", "doe@example.com")
            ]})),
        )
        .await;
    let found = client(&server)
        .candidates()
        .find_by_email("Jane.Doe@Example.com")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id.as_str(), "c1");
}

#[tokio::test]
async fn get_parses_the_details_fixture() {
    let server = server().await;
    on("GET", "/candidates/cand%2F1")
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ok(fixture("candidate.json")))
        .await;
    let details = client(&server)
        .candidates()
        .get(&CandidateId::from("cand/1"))
        .await
        .unwrap();
    assert_eq!(details.candidate.first_name.as_deref(), Some("First"));
    assert_eq!(details.phone_number.as_deref(), Some("string"));
    assert_eq!(details.web.unwrap().linkedin.as_deref(), Some("string"));
    assert_eq!(details.education.len(), 1);
    assert!(details.candidate.actions.contains_key("attachments"));
}

#[tokio::test]
async fn create_in_pool_and_on_a_job() {
    let server = server().await;
    let request = fixture("candidate-create-request.json");
    on("POST", "/candidates")
        .and(header("x-smarttoken", API_KEY))
        .and(body_json(&request))
        .once(&server, json(201, fixture("candidate.json")))
        .await;
    on("POST", "/jobs/job-1/candidates")
        .and(body_json(&request))
        .once(&server, json(201, fixture("candidate.json")))
        .await;
    let new: NewCandidate = serde_json::from_value(request.clone()).unwrap();
    assert_eq!(serde_json::to_value(&new).unwrap(), request);
    let client = client(&server);
    let created = client.candidates().create(&new).await.unwrap();
    assert_eq!(created.candidate.last_name.as_deref(), Some("Last"));
    let on_job = client
        .candidates()
        .create_on_job(&JobId::from("job-1"), &new)
        .await
        .unwrap();
    assert_eq!(on_job.candidate.id.as_str(), "string");
}

#[tokio::test]
async fn patch_personal_details_and_detect_the_data_conflict() {
    let server = server().await;
    on("PATCH", "/candidates/c1")
        .and(body_json(
            json!({"email": "new@example.com", "phoneNumber": "+48"}),
        ))
        .once(&server, ok(fixture("candidate.json")))
        .await;
    on("PATCH", "/candidates/c2")
        .once(&server, json(409, fixture("error-response.json")))
        .await;
    on("PATCH", "/candidates/c3")
        .once(
            &server,
            json(
                409,
                json!({"message": "x", "errors": [{"code": "OTHER_CONFLICT"}]}),
            ),
        )
        .await;
    let client = client(&server);
    let details = PersonalDetails::new()
        .email("new@example.com")
        .phone_number("+48");
    let candidates = client.candidates();
    candidates
        .update_personal_details(&"c1".into(), &details)
        .await
        .unwrap();
    let conflict = candidates
        .update_personal_details(&"c2".into(), &details)
        .await
        .unwrap_err();
    assert!(is_candidate_data_conflict(&conflict), "{conflict}");
    assert_eq!(conflict.vendor_code(), Some("CANDIDATE_DATA_CONFLICT"));
    let other = candidates
        .update_personal_details(&"c3".into(), &details)
        .await
        .unwrap_err();
    assert!(!is_candidate_data_conflict(&other));
}

#[tokio::test]
async fn delete_candidate() {
    let server = server().await;
    on("DELETE", "/candidates/c1")
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ResponseTemplate::new(204))
        .await;
    client(&server)
        .candidates()
        .delete(&"c1".into())
        .await
        .unwrap();
}

#[tokio::test]
async fn tags_get_add_replace_delete() {
    let server = server().await;
    let tags = fixture("candidate-tags-request.json");
    on("GET", "/candidates/c1/tags")
        .once(&server, ok(tags.clone()))
        .await;
    on("POST", "/candidates/c1/tags")
        .and(body_json(&tags))
        .once(&server, json(201, tags.clone()))
        .await;
    on("PUT", "/candidates/c1/tags")
        .and(body_json(json!({"tags": ["only"]})))
        .once(&server, ResponseTemplate::new(204))
        .await;
    on("DELETE", "/candidates/c1/tags")
        .once(&server, ResponseTemplate::new(204))
        .await;
    let client = client(&server);
    let candidates = client.candidates();
    let id = CandidateId::from("c1");
    assert_eq!(
        candidates.tags(&id).await.unwrap(),
        ["willo-invited", "video-interview-complete"]
    );
    candidates
        .add_tags(&id, &["willo-invited", "video-interview-complete"])
        .await
        .unwrap();
    candidates.replace_tags(&id, &["only"]).await.unwrap();
    candidates.delete_tags(&id).await.unwrap();
}

fn attachment_json(id: &str) -> serde_json::Value {
    json!({"id": id, "name": "cv.pdf", "type": "RESUME", "contentType": "application/pdf",
           "actions": {"download": {"url": "u", "method": "GET"}}})
}

fn resume() -> Upload {
    Upload::new(
        AttachmentType::Resume,
        "cv.pdf",
        Bytes::from_static(b"%PDF-1.4 fake"),
    )
    .content_type("application/pdf")
}

#[tokio::test]
async fn candidate_attachments_list_upload_download() {
    let server = server().await;
    on("GET", "/candidates/c1/attachments")
        .once(
            &server,
            ok(json!({"totalFound": 1, "content": [attachment_json("a1")]})),
        )
        .await;
    on("POST", "/candidates/c1/attachments")
        .and(header("x-smarttoken", API_KEY))
        .and(header_regex(
            "content-type",
            "^multipart/form-data; boundary=",
        ))
        .and(body_string_contains(
            "name=\"attachmentType\"\r\n\r\nRESUME",
        ))
        .and(body_string_contains("name=\"file\"; filename=\"cv.pdf\""))
        .and(body_string_contains("%PDF-1.4 fake"))
        .once(&server, json(201, attachment_json("a2")))
        .await;
    on("GET", "/candidates/c1/attachments/a1")
        .once(
            &server,
            ResponseTemplate::new(200).set_body_raw(b"%PDF-bytes".to_vec(), "application/pdf"),
        )
        .await;
    let client = client(&server);
    let candidates = client.candidates();
    let id = CandidateId::from("c1");
    let listed = candidates.attachments(&id).await.unwrap();
    assert_eq!(listed[0].kind, Some(AttachmentType::Resume));
    let uploaded = candidates.upload_attachment(&id, &resume()).await.unwrap();
    assert_eq!(uploaded.id.as_str(), "a2");
    let file = candidates
        .download_attachment(&id, &AttachmentId::from("a1"))
        .await
        .unwrap();
    assert_eq!(file.bytes.as_ref(), b"%PDF-bytes");
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
}

#[tokio::test]
async fn application_attachments_list_upload_download_delete() {
    let server = server().await;
    on("GET", "/candidates/c1/jobs/j1/attachments")
        .once(
            &server,
            ok(json!({"totalFound": 1, "content": [attachment_json("a1")]})),
        )
        .await;
    on("POST", "/candidates/c1/jobs/j1/attachments")
        .and(body_string_contains(
            "name=\"attachmentType\"\r\n\r\nRESUME",
        ))
        .once(&server, json(201, attachment_json("a3")))
        .await;
    on("GET", "/candidates/attachments/a1")
        .once(
            &server,
            ResponseTemplate::new(200).set_body_raw(b"bytes".to_vec(), "text/plain"),
        )
        .await;
    on("DELETE", "/candidates/attachments/a1")
        .once(&server, ResponseTemplate::new(204))
        .await;
    let client = client(&server);
    let candidates = client.candidates();
    let (id, job) = (CandidateId::from("c1"), JobId::from("j1"));
    assert_eq!(
        candidates.application_attachments(&id, &job).await.unwrap()[0]
            .id
            .as_str(),
        "a1"
    );
    let uploaded = candidates
        .upload_application_attachment(&id, &job, &resume())
        .await
        .unwrap();
    assert_eq!(uploaded.id.as_str(), "a3");
    let file = candidates
        .download_application_attachment(&"a1".into())
        .await
        .unwrap();
    assert_eq!(file.bytes.as_ref(), b"bytes");
    candidates.delete_attachment(&"a1".into()).await.unwrap();
}

#[tokio::test]
async fn page_resumes_from_a_saved_page_id() {
    let server = server().await;
    on("GET", "/candidates")
        .and(query_param("pageId", "saved"))
        .and(query_param("tag", "willo"))
        .once(&server, ok(json!({"content": [candidate("c9", "z@x.io")]})))
        .await;
    let page = client(&server)
        .candidates()
        .page(&CandidateFilter::new().tag("willo"), Some("saved".into()))
        .await
        .unwrap();
    let ids: Vec<String> = page.items.into_iter().map(|c| c.id.0).collect();
    assert_eq!(ids, ["c9"]);
    assert_eq!(page.next, None);
}
