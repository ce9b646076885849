//! Further along a candidate's way: résumé parsing, consent, onboarding status,
//! removing an application, interviews and offers.

use crate::support;

use bytes::Bytes;
use serde_json::json;
use smartrecruiters_client::{
    ApplicationId, CandidateId, ConsentDecisionStatus, ConsentScope, ConsentStatus, JobId,
    OfferStatus, OnboardingStatus, Resume, SourceDetails,
};
use support::{API_KEY, MountOnce, QueryIs, client, json, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, body_string_contains, header, header_regex};

fn ids() -> (CandidateId, JobId) {
    ("c1".into(), "j1".into())
}

#[tokio::test]
async fn a_resume_is_posted_as_multipart_with_its_source() {
    let server = server().await;
    let created = json!({"id": "c9", "firstName": "Ada", "lastName": "L", "internal": false});
    for path in ["/candidates/cv", "/jobs/j1/candidates/cv"] {
        on("POST", path)
            .and(header("x-smarttoken", API_KEY))
            .and(header_regex(
                "content-type",
                "^multipart/form-data; boundary=",
            ))
            .and(body_string_contains(
                "name=\"sourceTypeId\"\r\n\r\nJOB_BOARD",
            ))
            .and(body_string_contains("name=\"sourceSubTypeId\"\r\n\r\nFREE"))
            .and(body_string_contains("name=\"sourceId\"\r\n\r\nwillo"))
            .and(body_string_contains("name=\"internal\"\r\n\r\nfalse"))
            .and(body_string_contains("name=\"file\"; filename=\"cv.pdf\""))
            .and(body_string_contains("%PDF-1.4 resume"))
            .once(&server, json(201, created.clone()))
            .await;
    }
    let resume = Resume::new("cv.pdf", Bytes::from_static(b"%PDF-1.4 resume"))
        .content_type("application/pdf")
        .source(SourceDetails::new("JOB_BOARD", "willo").sub_type("FREE"))
        .internal(false);
    let sr = client(&server);
    let pool = sr.candidates().create_from_resume(&resume).await.unwrap();
    assert_eq!(pool.candidate.id.as_str(), "c9");
    let applied = sr
        .candidates()
        .create_from_resume_on_job(&"j1".into(), &resume)
        .await
        .unwrap();
    assert_eq!(applied.candidate.first_name.as_deref(), Some("Ada"));
}

#[tokio::test]
async fn a_failed_resume_upload_is_not_repeated() {
    let server = server().await;
    on("POST", "/candidates/cv")
        .once(&server, ResponseTemplate::new(503))
        .await;
    let result = client(&server)
        .candidates()
        .create_from_resume(&Resume::new("cv.pdf", Bytes::from_static(b"x")))
        .await;
    assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(503));
}

#[tokio::test]
async fn consent_status_and_decisions() {
    let server = server().await;
    on("GET", "/candidates/c1/consent")
        .once(
            &server,
            ok(json!({"status": "ACQUIRED", "date": "2024-03-01T10:00:00Z"})),
        )
        .await;
    on("GET", "/candidates/c1/consents")
        .once(
            &server,
            ok(json!({
                "decisions": [
                    {"status": "acquired", "scope": "SmartRecruit", "decidedOn": "2024-03-01T10:00:00Z"},
                    {"status": "declined", "scope": "SmartCRM", "decidedOn": "2024-03-01T10:00:00Z"},
                    {"status": "required", "scope": "SmartMessage:WhatsApp"}
                ],
                "recentPendingRequestCreatedOn": "2024-02-28T09:00:00Z"
            })),
        )
        .await;
    let sr = client(&server);
    let id: CandidateId = "c1".into();
    let consent = sr.candidates().consent(&id).await.unwrap();
    assert_eq!(consent.status, Some(ConsentStatus::Acquired));
    assert_eq!(consent.date.as_deref(), Some("2024-03-01T10:00:00Z"));
    let decisions = sr.candidates().consent_decisions(&id).await.unwrap();
    let pairs: Vec<_> = decisions
        .decisions
        .iter()
        .map(|d| (d.scope.clone().unwrap(), d.status.clone().unwrap()))
        .collect();
    assert_eq!(
        pairs,
        vec![
            (ConsentScope::SmartRecruit, ConsentDecisionStatus::Acquired),
            (ConsentScope::SmartCrm, ConsentDecisionStatus::Declined),
            (
                ConsentScope::SmartMessageWhatsApp,
                ConsentDecisionStatus::Required
            ),
        ]
    );
    assert_eq!(
        decisions.recent_pending_request_created_on.as_deref(),
        Some("2024-02-28T09:00:00Z")
    );
}

#[tokio::test]
async fn onboarding_status_is_read_and_set() {
    let server = server().await;
    on("GET", "/candidates/c1/jobs/j1/onboardingStatus")
        .once(&server, ok(json!({"onboardingStatus": "READY_TO_ONBOARD"})))
        .await;
    on("PUT", "/candidates/c1/jobs/j1/onboardingStatus")
        .and(body_json(
            json!({"onboardingStatus": "ONBOARDING_SUCCESSFUL"}),
        ))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let sr = client(&server);
    let (c, j) = ids();
    assert_eq!(
        sr.applications().onboarding_status(&c, &j).await.unwrap(),
        Some(OnboardingStatus::ReadyToOnboard)
    );
    sr.applications()
        .set_onboarding_status(&c, &j, OnboardingStatus::OnboardingSuccessful)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_application_is_removed_by_its_id() {
    let server = server().await;
    on(
        "DELETE",
        "/job-applications-api/v202112/job-applications/app-1",
    )
    .and(header("x-smarttoken", API_KEY))
    .once(&server, ResponseTemplate::new(204))
    .await;
    client(&server)
        .applications()
        .delete_by_id(&ApplicationId::from("app-1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn interviews_of_an_application_one_interview_and_its_removal() {
    let server = server().await;
    let interview = json!({
        "id": "i1", "candidate": {"id": "c1"}, "jobId": "j1", "location": "Office",
        "organizerId": "u1", "timezone": "Europe/Warsaw", "createdOn": "2024-01-01T00:00:00Z",
        "refUrl": "https://calendar.example/i1", "source": "willo",
        "timeslots": [{"id": "t1", "interviewType": "Video", "title": "First call",
                       "place": "Online", "startsOn": "2024-01-02T10:00:00Z",
                       "endsOn": "2024-01-02T10:30:00Z",
                       "interviewers": [{"id": "u2", "status": "ACCEPTED"}],
                       "candidateStatus": {"status": "PENDING"}}]
    });
    on("GET", "/interviews-api/v201904/interviews")
        .and(QueryIs(vec![("applicationId", "app-1")]))
        .once(&server, ok(json!({"content": [interview.clone()]})))
        .await;
    on("GET", "/interviews-api/v201904/interviews/i1")
        .once(&server, ok(interview))
        .await;
    on("DELETE", "/interviews-api/v201904/interviews/i1")
        .once(&server, ResponseTemplate::new(204))
        .await;
    let sr = client(&server);
    let listed = sr
        .interviews()
        .for_application(&"app-1".into())
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    let one = sr.interviews().get("i1").await.unwrap();
    assert_eq!(one, listed[0]);
    assert_eq!(one.timezone.as_deref(), Some("Europe/Warsaw"));
    let slot = &one.timeslots[0];
    assert_eq!(slot.starts_on.as_deref(), Some("2024-01-02T10:00:00Z"));
    assert_eq!(slot.interviewers[0].id.as_ref().unwrap().as_str(), "u2");
    sr.interviews().delete("i1").await.unwrap();
}

#[tokio::test]
async fn offers_of_an_application() {
    let server = server().await;
    let offer = json!({"id": "o1", "status": "PENDING_ACCEPTANCE",
                       "createdOn": "2024-01-01T00:00:00Z", "updatedOn": "2024-01-02T00:00:00Z",
                       "properties": {"salary": "50000"}, "actions": {"documents": {"url": "u"}}});
    on("GET", "/candidates/c1/jobs/j1/offers")
        .once(
            &server,
            ok(
                json!({"limit": 10, "offset": 0, "totalFound": 2, "content": [
                    offer.clone(), {"id": "o2", "status": "ON_HOLD"}
                ]}),
            ),
        )
        .await;
    on("GET", "/candidates/c1/jobs/j1/offers/o1")
        .once(&server, ok(offer))
        .await;
    let sr = client(&server);
    let (c, j) = ids();
    let offers = sr.applications().offers(&c, &j).await.unwrap();
    assert_eq!(offers[0].status, Some(OfferStatus::PendingAcceptance));
    assert_eq!(offers[1].status, Some(OfferStatus::Other("ON_HOLD".into())));
    let one = sr.applications().offer(&c, &j, "o1").await.unwrap();
    assert_eq!(one.properties["salary"], "50000");
}

#[tokio::test]
async fn offers_are_searched_company_wide_page_by_page() {
    let server = server().await;
    let first: Vec<_> = (0..100)
        .map(|i| json!({"id": format!("o{i}"), "status": "ACCEPTED"}))
        .collect();
    let filter_query = [
        ("createdAfter", "2024-01-01T00:00:00.000Z"),
        ("status", "ACCEPTED"),
        ("status", "PENDING_ACCEPTANCE"),
        ("limit", "100"),
    ];
    let mut page_one = filter_query.to_vec();
    page_one.push(("offset", "0"));
    let mut page_two = filter_query.to_vec();
    page_two.push(("offset", "100"));
    on("GET", "/offers")
        .and(QueryIs(page_one))
        .once(
            &server,
            ok(json!({"limit": 100, "offset": 0, "totalFound": 101, "content": first})),
        )
        .await;
    on("GET", "/offers")
        .and(QueryIs(page_two))
        .once(
            &server,
            ok(json!({"limit": 100, "offset": 100, "totalFound": 101,
                      "content": [{"id": "o100", "status": "PENDING_ACCEPTANCE"}]})),
        )
        .await;
    let filter = smartrecruiters_client::OfferFilter::new()
        .created_after("2024-01-01T00:00:00.000Z")
        .status(OfferStatus::Accepted)
        .status(OfferStatus::PendingAcceptance);
    let offers = client(&server)
        .applications()
        .search_offers(&filter)
        .await
        .unwrap();
    assert_eq!(offers.len(), 101);
    assert_eq!(offers[100].status, Some(OfferStatus::PendingAcceptance));
}
