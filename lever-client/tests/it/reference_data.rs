//! Reference data: stages, tags, sources, archive reasons, postings, users, contacts.

use crate::support;

use futures::TryStreamExt;
use lever_client::{AccessRole, UserFilter};
use lever_client::{ArchiveReasonId, Confidentiality, ContactId, PostingId, StageId, UserId};
use lever_client::{ArchiveReasonStatus, ArchiveReasonType};
use lever_client::{PostingExpand, PostingFilter, PostingState, WorkplaceType};
use support::*;

#[tokio::test]
async fn stages_list_and_get() {
    let server = server().await;
    as_key_user("GET", "/v1/stages")
        .once(&server, json_response(200, "sandbox-stage-list.json"))
        .await;
    as_key_user("GET", "/v1/stages/fff60592-31dd-4ebe-ba8e-e7a397c30f8e")
        .once(&server, json_response(200, "stage.json"))
        .await;
    let lever = client(&server);
    let stages: Vec<_> = lever.stages().list().try_collect().await.unwrap();
    assert_eq!(stages.len(), 11);
    assert_eq!(stages[0].id, StageId::from("lead-new"));
    let stage = lever
        .stages()
        .get(&StageId::from("fff60592-31dd-4ebe-ba8e-e7a397c30f8e"))
        .await
        .unwrap();
    assert_eq!(stage.text, "New applicant");
}

#[tokio::test]
async fn tags_and_sources() {
    let server = server().await;
    as_key_user("GET", "/v1/tags")
        .once(&server, json_response(200, "sandbox-tag-list.json"))
        .await;
    as_key_user("GET", "/v1/sources")
        .once(&server, json_response(200, "sandbox-source-list.json"))
        .await;
    let lever = client(&server);
    let tags: Vec<_> = lever.tags().list().try_collect().await.unwrap();
    // Case-only duplicates are distinct tags.
    assert!(
        tags.iter()
            .any(|t| t.text == "Full-time" && t.count == Some(9))
    );
    assert!(
        tags.iter()
            .any(|t| t.text == "Full-Time" && t.count == Some(617))
    );
    let sources: Vec<_> = lever.sources().list().try_collect().await.unwrap();
    assert_eq!(sources.len(), 11);
    assert_eq!(sources[0].text, "Added manually");
}

#[tokio::test]
async fn archive_reasons_list_by_type_and_get() {
    let server = server().await;
    as_key_user("GET", "/v1/archive_reasons")
        .and(QueryIs(vec![("type", "non-hired")]))
        .once(
            &server,
            json_response(200, "sandbox-archive-reason-list.json"),
        )
        .await;
    as_key_user("GET", "/v1/archive_reasons/0092d31b-502b-4f0d-b4da-3827e1a2991f")
        .once(&server, wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "data": {"id": "0092d31b-502b-4f0d-b4da-3827e1a2991f", "text": "Hired", "status": "active", "type": "hired"}
        }))).await;
    let lever = client(&server);
    let reasons: Vec<_> = lever
        .archive_reasons()
        .list(Some(ArchiveReasonType::NonHired))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reasons.len(), 12);
    assert_eq!(reasons[5].status, Some(ArchiveReasonStatus::Inactive));
    let hired = lever
        .archive_reasons()
        .get(&ArchiveReasonId::from(
            "0092d31b-502b-4f0d-b4da-3827e1a2991f",
        ))
        .await
        .unwrap();
    assert_eq!(hired.kind, Some(ArchiveReasonType::Hired));
}

#[tokio::test]
async fn postings_list_with_filters_and_get() {
    let server = server().await;
    let posting = fixture_json("sandbox-posting-get.json");
    as_key_user("GET", "/v1/postings")
        .and(QueryIs(vec![
            ("state", "published"),
            ("state", "internal"),
            ("distributionChannel", "public"),
            ("distributionChannel", "internal"),
            ("confidentiality", "non-confidential"),
            ("team", "Engineering"),
            ("location", "San Francisco, CA"),
            ("tag", "Remote"),
            ("include", "content"),
            ("expand", "hiringManager"),
            ("limit", "25"),
        ]))
        .once(
            &server,
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"data": [posting["data"]], "hasNext": false})),
        )
        .await;
    as_key_user("GET", "/v1/postings/f2f01e16-27f8-4711-a728-7d49499795a0")
        .once(&server, json_response(200, "posting.json"))
        .await;
    let lever = client(&server);
    let filter = PostingFilter::new()
        .state(PostingState::Published)
        .state(PostingState::Internal)
        .distribution_channel("public")
        .distribution_channel("internal")
        .confidentiality(Confidentiality::NonConfidential)
        .team("Engineering")
        .location("San Francisco, CA")
        .tag("Remote")
        .include("content")
        .expand(PostingExpand::HiringManager)
        .limit(25);
    let postings: Vec<_> = lever.postings().list(&filter).try_collect().await.unwrap();
    assert_eq!(postings.len(), 1);
    assert_eq!(postings[0].state, Some(PostingState::Internal));
    assert!(postings[0].distribution_channels.is_empty());
    assert!(postings[0].extra.contains_key("transcribeInterviews"));
    let posting = lever
        .postings()
        .get(&PostingId::from("f2f01e16-27f8-4711-a728-7d49499795a0"))
        .await
        .unwrap();
    assert_eq!(posting.workplace_type, Some(WorkplaceType::Remote));
    assert_eq!(posting.text.as_deref(), Some("Infrastructure Engineer"));
}

#[tokio::test]
async fn users_list_with_filters_and_get() {
    let server = server().await;
    as_key_user("GET", "/v1/users")
        .and(QueryIs(vec![
            ("email", "chandler@example.com"),
            ("accessRole[]", "super admin"),
            ("accessRole[]", "admin"),
            ("includeDeactivated", "true"),
        ]))
        .once(&server, json_response(200, "user-list.json"))
        .await;
    as_key_user("GET", "/v1/users/be129d9b-50da-4485-9377-0d83e981f30b")
        .once(&server, json_response(200, "sandbox-user-get.json"))
        .await;
    let lever = client(&server);
    let filter = UserFilter::new()
        .email("chandler@example.com")
        .access_role(AccessRole::SuperAdmin)
        .access_role(AccessRole::Admin)
        .include_deactivated(true);
    let users: Vec<_> = lever.users().list(&filter).try_collect().await.unwrap();
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].access_role, Some(AccessRole::SuperAdmin));
    let user = lever.users().get(&UserId::from(USER)).await.unwrap();
    assert_eq!(user.access_role, Some(AccessRole::Interviewer));
    assert_eq!(user.linked_contact_ids, None);
}

#[tokio::test]
async fn contacts_get() {
    let server = server().await;
    as_key_user("GET", "/v1/contacts/997fd432-94f6-4613-9fa8-c3d5bd49600b")
        .once(&server, json_response(200, "sandbox-contact-get.json"))
        .await;
    let contact = client(&server)
        .contacts()
        .get(&ContactId::from("997fd432-94f6-4613-9fa8-c3d5bd49600b"))
        .await
        .unwrap();
    assert_eq!(contact.phones[0].kind.as_deref(), Some("mobile"));
    assert!(contact.extra.contains_key("dataProtection"));
}

/// Lever documents `GET /archive_reasons?type=hired` answering `data` as one object.
#[tokio::test]
async fn archive_reasons_of_type_hired_accept_a_single_object() {
    let server = server().await;
    as_key_user("GET", "/v1/archive_reasons")
        .and(QueryIs(vec![("type", "hired")]))
        .once(
            &server,
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": {
                    "id": "63dd55b2-a99f-4e7b-985f-22c7bf80ab42",
                    "text": "Hired",
                    "status": "active",
                    "type": "hired"
                }
            })),
        )
        .await;
    let reasons: Vec<_> = client(&server)
        .archive_reasons()
        .list(Some(ArchiveReasonType::Hired))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(reasons.len(), 1);
    assert_eq!(reasons[0].text, "Hired");
    assert_eq!(reasons[0].kind, Some(ArchiveReasonType::Hired));
}

/// Lever may add fields at any time: reference data keeps them.
#[tokio::test]
async fn reference_data_keeps_fields_it_does_not_model() {
    let server = server().await;
    as_key_user("GET", "/v1/stages")
        .once(
            &server,
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": [{"id": "lead-new", "text": "New lead", "position": 0}],
                "hasNext": false
            })),
        )
        .await;
    as_key_user("GET", "/v1/archive_reasons/r1")
        .once(
            &server,
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": {"id": "r1", "text": "Timing", "status": "active", "type": "non-hired", "group": "candidate"}
            })),
        )
        .await;
    as_key_user("GET", "/v1/sources")
        .once(
            &server,
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "data": [{"text": "LinkedIn", "count": 3, "kind": "job-board"}]
            })),
        )
        .await;
    let lever = client(&server);
    let stages: Vec<_> = lever.stages().list().try_collect().await.unwrap();
    assert_eq!(stages[0].extra["position"], 0);
    let reason = lever
        .archive_reasons()
        .get(&ArchiveReasonId::from("r1"))
        .await
        .unwrap();
    assert_eq!(reason.extra["group"], "candidate");
    let sources: Vec<_> = lever.sources().list().try_collect().await.unwrap();
    assert_eq!(sources[0].extra["kind"], "job-board");
}

#[tokio::test]
async fn contacts_update_sends_only_set_fields() {
    let server = server().await;
    as_key_user("PUT", "/v1/contacts/997fd432-94f6-4613-9fa8-c3d5bd49600b")
        .and(QueryIs(vec![]))
        .and(wiremock::matchers::body_json(serde_json::json!({
            "headline": "Staff Engineer",
            "location": "Oakland, CA",
            "emails": ["shane@example.com"],
            "phones": [{"type": "mobile", "value": "(555) 123-4567"}]
        })))
        .once(&server, json_response(200, "sandbox-contact-get.json"))
        .await;
    let update = lever_client::ContactUpdate::new()
        .headline("Staff Engineer")
        .location("Oakland, CA")
        .emails(vec!["shane@example.com".into()])
        .phones(vec![lever_client::Phone::new("mobile", "(555) 123-4567")]);
    let contact = client(&server)
        .contacts()
        .update(
            &ContactId::from("997fd432-94f6-4613-9fa8-c3d5bd49600b"),
            &update,
        )
        .await
        .unwrap();
    assert_eq!(contact.id.as_str(), "997fd432-94f6-4613-9fa8-c3d5bd49600b");
}

#[tokio::test]
async fn users_create_update_deactivate_reactivate() {
    let server = server().await;
    let created_id = "1a165096-4854-4fe8-a8a3-405a0cf7a034";
    as_key_user("POST", "/v1/users")
        .and(QueryIs(vec![]))
        .and(wiremock::matchers::body_json(serde_json::json!({
            "name": "Nango Test User",
            "email": "nango-create-user-test-1782974020828321625@nango.dev"
        })))
        .once(
            &server,
            json_response(201, "sandbox-user-create-response.json"),
        )
        .await;
    as_key_user("PUT", format!("/v1/users/{created_id}"))
        .and(wiremock::matchers::body_json(serde_json::json!({
            "name": "Nango Test User",
            "email": "nango-create-user-test-1782974020828321625@nango.dev",
            "accessRole": "team member",
            "jobTitle": "Recruiter",
            "managerId": USER
        })))
        .once(
            &server,
            json_response(200, "sandbox-user-create-response.json"),
        )
        .await;
    // Deactivating is safe to repeat: a 503 is retried.
    as_key_user("POST", format!("/v1/users/{USER}/deactivate"))
        .respond_with(wiremock::ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    as_key_user("POST", format!("/v1/users/{USER}/deactivate"))
        .once(
            &server,
            json_response(200, "sandbox-user-deactivate-response.json"),
        )
        .await;
    as_key_user("POST", format!("/v1/users/{USER}/reactivate"))
        .once(&server, json_response(200, "sandbox-user-get.json"))
        .await;
    let lever = client(&server);
    let new = lever_client::NewUser::new(
        "Nango Test User",
        "nango-create-user-test-1782974020828321625@nango.dev",
    );
    let created = lever.users().create(&new).await.unwrap();
    assert_eq!(created.id.as_str(), created_id);
    assert_eq!(created.access_role, Some(AccessRole::Interviewer));
    lever
        .users()
        .update(
            &UserId::from(created_id),
            &new.access_role(AccessRole::TeamMember)
                .job_title("Recruiter")
                .manager(UserId::from(USER)),
        )
        .await
        .unwrap();
    let off = lever.users().deactivate(&UserId::from(USER)).await.unwrap();
    assert_eq!(off.deactivated_at, Some(1782974114923));
    let on = lever.users().reactivate(&UserId::from(USER)).await.unwrap();
    assert_eq!(on.id.as_str(), USER);
}
