//! Applications: state, status changes, history, Job Applications API.

use crate::support;

use serde_json::json;
use smartrecruiters_client::{ApplicationId, ApplicationStatus, CandidateId, JobId, StatusChange};
use support::{API_KEY, MountOnce, client, fixture, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header};

fn ids() -> (CandidateId, JobId) {
    ("c1".into(), "j1".into())
}

#[tokio::test]
async fn get_application_parses_the_fixture() {
    let server = server().await;
    on("GET", "/candidates/c1/jobs/j1")
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ok(fixture("application.json")))
        .await;
    let (c, j) = ids();
    let application = client(&server).applications().get(&c, &j).await.unwrap();
    assert_eq!(application.status, Some(ApplicationStatus::Lead));
    assert_eq!(application.sub_status.as_deref(), Some("string"));
    assert_eq!(
        application.reason_of_rejection.unwrap().id.as_deref(),
        Some("string")
    );
    assert_eq!(application.extra["url"], "string");
}

#[tokio::test]
async fn application_behind_a_webhook_event() {
    let server = server().await;
    on("GET", 
            "/candidates/90e2bb61-28ef-4ca6-abae-62edcaf4ff5c/jobs/3588f6b0-ae55-4c10-aaa5-2903ee3a7fe6",
        )
        .once(&server, ok(json!({"status": "INTERVIEW", "subStatus": "Onsite"}))).await;
    let event: smartrecruiters_client::webhooks::ApplicationEvent =
        serde_json::from_value(fixture("webhook-application-status-updated.json")).unwrap();
    let application = client(&server)
        .applications()
        .get_for_event(&event)
        .await
        .unwrap();
    assert_eq!(application.status, Some(ApplicationStatus::Interview));
}

#[tokio::test]
async fn unknown_statuses_are_kept_not_fatal() {
    let server = server().await;
    on("GET", "/candidates/c1/jobs/j1")
        .once(&server, ok(json!({"status": "ARCHIVED", "newField": 1})))
        .await;
    let (c, j) = ids();
    let application = client(&server).applications().get(&c, &j).await.unwrap();
    assert_eq!(
        application.status,
        Some(ApplicationStatus::Other("ARCHIVED".into()))
    );
    assert_eq!(application.status.unwrap().to_string(), "ARCHIVED");
}

#[tokio::test]
async fn set_status_with_sub_status_and_with_a_reason() {
    let server = server().await;
    on("PUT", "/candidates/c1/jobs/j1/status")
        .and(header("x-smarttoken", API_KEY))
        .and(body_json(fixture("candidate-status-update-request.json")))
        .once(&server, ResponseTemplate::new(204))
        .await;
    on("PUT", "/candidates/c1/jobs/j1/status")
        .and(body_json(fixture("candidate-status-reject-request.json")))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let client = client(&server);
    let (c, j) = ids();
    let interview = StatusChange::new(ApplicationStatus::Interview)
        .sub_status("Video Interview")
        .starts_on("2024-05-02T09:00:00.000Z");
    client
        .applications()
        .set_status(&c, &j, &interview)
        .await
        .unwrap();
    let reject = StatusChange::new(ApplicationStatus::Rejected)
        .reason("<id from GET /configuration/rejection-reasons>");
    client
        .applications()
        .set_status(&c, &j, &reject)
        .await
        .unwrap();
}

#[tokio::test]
async fn status_history_parses_the_fixture() {
    let server = server().await;
    on("GET", "/candidates/c1/jobs/j1/status/history")
        .once(&server, ok(fixture("application-status-history.json")))
        .await;
    let (c, j) = ids();
    let history = client(&server)
        .applications()
        .status_history(&c, &j)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].status, Some(ApplicationStatus::Lead));
    assert_eq!(
        history[0].changed_on.as_deref(),
        Some("2021-10-13T21:06:07.958Z")
    );
}

#[tokio::test]
async fn job_applications_api_by_application_id() {
    let server = server().await;
    on(
        "GET",
        "/job-applications-api/v202112/job-applications/app-1",
    )
    .and(header("x-smarttoken", API_KEY))
    .once(&server, ok(fixture("job-application-v202112.json")))
    .await;
    let application = client(&server)
        .applications()
        .get_by_id(&ApplicationId::from("app-1"))
        .await
        .unwrap();
    assert_eq!(application.status, Some(ApplicationStatus::InReview));
    assert_eq!(application.profile_id.unwrap().as_str(), "string");
}

#[test]
fn unknown_fields_are_kept_on_web_profiles_hiring_processes_and_status_history() {
    use smartrecruiters_client::{HiringProcess, StatusHistoryEntry, WebProfiles};
    let web: WebProfiles =
        serde_json::from_value(json!({"linkedin": "https://l.example/a", "github": "gh-a"}))
            .unwrap();
    assert_eq!(web.extra["github"], "gh-a");
    // Kept fields go back as received when the profile is sent on.
    assert_eq!(serde_json::to_value(&web).unwrap()["github"], "gh-a");

    let process: HiringProcess = serde_json::from_value(
        json!({"id": "p1", "name": "Default", "subStatuses": {}, "stages": ["x"]}),
    )
    .unwrap();
    assert_eq!(process.extra["stages"], json!(["x"]));

    let entry: StatusHistoryEntry = serde_json::from_value(
        json!({"changedOn": "2024-01-01T00:00:00Z", "status": "NEW", "changedBy": {"id": "u1"}}),
    )
    .unwrap();
    assert_eq!(entry.extra["changedBy"]["id"], "u1");
}
