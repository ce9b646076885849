//! Jobs: search filters and paging, details, status, history, hiring team, publication.

use crate::support;

use futures::TryStreamExt;
use serde_json::json;
use smartrecruiters_client::{HiringTeamRole, Publication, PublicationVisibility};
use smartrecruiters_client::{JobFilter, JobId, JobStatus, PostingStatus};
use support::{API_KEY, MountOnce, client, fixture, json, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header, query_param, query_param_is_missing};

#[tokio::test]
async fn search_sends_every_filter_and_pages_with_sort_job_id() {
    let server = server().await;
    let mut page1 = fixture("job-list-page.json");
    page1["nextPageId"] = json!("next-1");
    on("GET", "/jobs")
        .and(header("x-smarttoken", API_KEY))
        .and(query_param("q", "engineer"))
        .and(query_param("limit", "100"))
        .and(query_param("sort", "job_id"))
        .and(query_param("statuses", "SOURCING"))
        .and(query_param("statuses", "INTERVIEW"))
        .and(query_param("postingStatus", "PUBLIC"))
        .and(query_param("department", "R&D"))
        .and(query_param("city", "Warsaw"))
        .and(query_param("city", "Berlin"))
        .and(query_param("hiringTeamMemberId", "u1"))
        .and(query_param("updatedAfter", "2024-01-01T00:00:00.000Z"))
        .and(query_param("lastActivityAfter", "2024-02-01T00:00:00.000Z"))
        .and(query_param("language", "en"))
        .and(query_param_is_missing("pageId"))
        .once(&server, ok(page1))
        .await;
    on("GET", "/jobs")
        .and(query_param("sort", "job_id"))
        .and(query_param("q", "engineer"))
        .and(query_param("pageId", "next-1"))
        .once(&server, ok(json!({"content": [{"id": "job-2", "status": "PENDING_APPROVAL"}], "nextPageId": null}))).await;
    let mut filter = JobFilter::new()
        .q("engineer")
        .limit(100)
        .status(JobStatus::Sourcing)
        .status(JobStatus::Interview)
        .posting_status(PostingStatus::Public)
        .department("R&D")
        .city("Warsaw")
        .city("Berlin")
        .hiring_team_member("u1")
        .updated_after("2024-01-01T00:00:00.000Z");
    filter.last_activity_after = Some("2024-02-01T00:00:00.000Z".into());
    filter.language = Some("en".into());
    let jobs: Vec<_> = client(&server)
        .jobs()
        .list(&filter)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(jobs.len(), 2);
    assert_eq!(jobs[0].title.as_deref(), Some("New job"));
    assert_eq!(jobs[0].status, Some(JobStatus::Created));
    assert_eq!(
        jobs[1].status,
        Some(JobStatus::Other("PENDING_APPROVAL".into()))
    );
}

#[tokio::test]
async fn get_job_parses_the_fixture() {
    let server = server().await;
    on("GET", "/jobs/3588f6b0-ae55-4c10-aaa5-2903ee3a7fe6")
        .once(&server, ok(fixture("job.json")))
        .await;
    let job = client(&server)
        .jobs()
        .get(&JobId::from("3588f6b0-ae55-4c10-aaa5-2903ee3a7fe6"))
        .await
        .unwrap();
    assert_eq!(job.job.title.as_deref(), Some("Retrieve job"));
    assert_eq!(job.job.posting_status, Some(PostingStatus::Public));
    assert_eq!(
        job.job.location.as_ref().unwrap().extra["latitude"],
        "string"
    );
    assert!(job.job.extra.contains_key("language") || job.job_ad.is_some());
    assert!(job.job_ad.unwrap()["sections"]["jobDescription"].is_object());
    assert_eq!(
        job.properties[0].value.as_ref().unwrap().id.as_deref(),
        Some("string")
    );
    assert_eq!(job.compensation.unwrap().min, Some(0.0));
    assert_eq!(job.template, Some(true));
    assert!(
        !job.job.extra.contains_key("jobAd"),
        "modelled fields are not duplicated"
    );
}

#[tokio::test]
async fn update_status_and_read_its_history() {
    let server = server().await;
    on("PUT", "/jobs/j1/status")
        .and(body_json(json!({"status": "ON_HOLD"})))
        .once(&server, ok(json!({"status": "ON_HOLD"})))
        .await;
    on("GET", "/jobs/j1/status/history")
        .once(&server, ok(json!({"totalFound": 2, "content": [
                {"changedOn": "2024-01-01T00:00:00.000Z", "status": "SOURCING", "actions": {"user": {"url": "u"}}},
                {"changedOn": "2024-02-01T00:00:00.000Z", "status": "ON_HOLD"}
            ]}))).await;
    let client = client(&server);
    let id = JobId::from("j1");
    let answer = client
        .jobs()
        .update_status(&id, &JobStatus::OnHold)
        .await
        .unwrap();
    assert_eq!(answer["status"], "ON_HOLD");
    let history = client.jobs().status_history(&id).await.unwrap();
    assert_eq!(history[1].status, Some(JobStatus::OnHold));
}

#[tokio::test]
async fn hiring_team_with_and_without_roles() {
    let server = server().await;
    let mut team = fixture("job-hiring-team.json");
    team["content"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "u2", "role": "RECRUITER"}));
    on("GET", "/jobs/j1/hiring-team")
        .once(&server, ok(team))
        .await;
    let members = client(&server)
        .jobs()
        .hiring_team(&JobId::from("j1"))
        .await
        .unwrap();
    assert_eq!(
        members[0].id.as_str(),
        "174e1674-0793-4632-8b8c-917447f35b31"
    );
    assert_eq!(members[0].role, None);
    assert_eq!(members[1].role, Some(HiringTeamRole::Recruiter));
}

#[tokio::test]
async fn publish_and_unpublish() {
    let server = server().await;
    on("POST", "/jobs/j1/publication")
        .and(body_json(
            json!({"aggregators": true, "visibility": "PUBLIC"}),
        ))
        .once(&server, json(201, json!({"id": "pub-1"})))
        .await;
    on("DELETE", "/jobs/j1/publication")
        .once(&server, ResponseTemplate::new(204))
        .await;
    let client = client(&server);
    let id = JobId::from("j1");
    let publication = Publication::new(PublicationVisibility::Public, true);
    assert_eq!(
        client.jobs().publish(&id, &publication).await.unwrap()["id"],
        "pub-1"
    );
    client.jobs().unpublish(&id).await.unwrap();
}
