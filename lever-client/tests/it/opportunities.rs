//! Opportunities: list filters, paging, resume, invalid offset, 429 backoff, get,
//! create with `perform_as`, stage, archive, tags, links, sources.

use crate::support;

use futures::TryStreamExt;
use lever_client::{Archive, NewOpportunity, OpportunityExpand, OpportunityFilter};
use lever_client::{
    ArchiveReasonId, Confidentiality, ContactId, Error, OpportunityId, Origin, PerformAs,
    PostingId, StageId, UserId, is_invalid_offset,
};
use serde_json::json;
use support::*;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn opp() -> OpportunityId {
    OpportunityId::from(OPP)
}

fn user() -> UserId {
    UserId::from(USER)
}

#[tokio::test]
async fn list_sends_every_filter_with_repeated_params() {
    let server = server().await;
    as_key_user("GET", "/v1/opportunities")
        .and(QueryIs(vec![
            ("tag", "Engineering"),
            ("tag", "Full-time"),
            ("email", "a@example.com"),
            ("origin", "sourced"),
            ("origin", "referred"),
            ("source", "LinkedIn"),
            ("confidentiality", "all"),
            ("stage_id", "lead-new"),
            ("stage_id", "offer"),
            ("posting_id", "p1"),
            ("archived_posting_id", "p2"),
            ("created_at_start", "1"),
            ("created_at_end", "2"),
            ("updated_at_start", "3"),
            ("updated_at_end", "4"),
            ("advanced_at_start", "5"),
            ("advanced_at_end", "6"),
            ("archived_at_start", "7"),
            ("archived_at_end", "8"),
            ("archived", "true"),
            ("archive_reason_id", "r1"),
            ("snoozed", "false"),
            ("contact_id", "c1"),
            ("location", "unspecified"),
            ("include", "followers"),
            ("expand", "stage"),
            ("expand", "owner"),
            ("limit", "50"),
        ]))
        .once(
            &server,
            json_response(200, "sandbox-opportunity-list-last-page-truncated.json"),
        )
        .await;

    let filter = OpportunityFilter::new()
        .tag("Engineering")
        .tag("Full-time")
        .email("a@example.com")
        .origin(Origin::Sourced)
        .origin(Origin::Referred)
        .source("LinkedIn")
        .confidentiality(Confidentiality::All)
        .stage_id(StageId::from("lead-new"))
        .stage_id(StageId::from("offer"))
        .posting_id(PostingId::from("p1"))
        .archived_posting_id(PostingId::from("p2"))
        .created_at_start(1)
        .created_at_end(2)
        .updated_at_start(3)
        .updated_at_end(4)
        .advanced_at_start(5)
        .advanced_at_end(6)
        .archived_at_start(7)
        .archived_at_end(8)
        .archived(true)
        .archive_reason_id(ArchiveReasonId::from("r1"))
        .snoozed(false)
        .contact_id(ContactId::from("c1"))
        .location("unspecified")
        .include("followers")
        .expand(OpportunityExpand::Stage)
        .expand(OpportunityExpand::Owner)
        .limit(50);
    let all: Vec<_> = client(&server)
        .opportunities()
        .list(&filter)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name.as_deref(), Some("Jana Heyer"));
    assert_eq!(all[0].updated_at, None);
}

const TOKEN: &str = "%5B3%2C1491435120000%2C%225599cc20-349f-4b60-b531-6fe31e329717%22%5D";

async fn two_pages(server: &wiremock::MockServer) {
    on("GET", "/v1/opportunities")
        .and(query_param("offset", TOKEN))
        .respond_with(json_response(
            200,
            "sandbox-opportunity-list-last-page-truncated.json",
        ))
        .mount(server)
        .await;
    on("GET", "/v1/opportunities")
        .and(QueryIs(vec![]))
        .respond_with(json_response(
            200,
            "sandbox-opportunity-list-page-truncated.json",
        ))
        .mount(server)
        .await;
}

#[tokio::test]
async fn pages_follow_next_until_has_next_is_false_and_resume() {
    let server = server().await;
    two_pages(&server).await;
    let lever = client(&server);
    let ids: Vec<String> = lever
        .opportunities()
        .list(&OpportunityFilter::default())
        .map_ok(|o| o.id.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        ids,
        [
            "90bb80d6-db1b-4ba8-9d4f-8bcb25b6c017",
            "b14c3d47-115f-477f-b41b-7e8e3b31a9b7"
        ]
    );

    // A page exposes the token to save; resuming from it fetches only the rest.
    let first = lever
        .opportunities()
        .page(&OpportunityFilter::default(), None)
        .await
        .unwrap();
    assert_eq!(first.next.as_deref(), Some(TOKEN));
    let resumed = lever
        .opportunities()
        .page(&OpportunityFilter::default(), Some(TOKEN.to_owned()))
        .await
        .unwrap();
    assert_eq!(resumed.next, None);
    assert_eq!(resumed.items.len(), 1);
    assert_eq!(
        resumed.items[0].id.as_str(),
        "b14c3d47-115f-477f-b41b-7e8e3b31a9b7"
    );
}

#[tokio::test]
async fn an_expired_offset_token_is_recognised() {
    let server = server().await;
    on("GET", "/v1/opportunities")
        .and(query_param("offset", "stale"))
        .once(
            &server,
            ResponseTemplate::new(400).set_body_json(
                json!({"code": "BadRequestError", "message": "Invalid offset token"}),
            ),
        )
        .await;
    let err = client(&server)
        .opportunities()
        .page(&OpportunityFilter::default(), Some("stale".into()))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidCursor(_)), "{err:?}");
    assert!(is_invalid_offset(&err), "{err}");
    assert_eq!(err.vendor_code(), Some("BadRequestError"));

    let other = Error::Api(Box::new(client_core::ApiError::new(
        client_core::StatusCode::NOT_FOUND,
        "stages x was not found",
    )));
    assert!(!is_invalid_offset(&other));
}

#[tokio::test]
async fn a_429_is_retried_after_backoff() {
    let server = server().await;
    on("GET", format!("/v1/opportunities/{OPP}"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(json!({"code": "TooManyRequests", "message": "slow down"})),
        )
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    on("GET", format!("/v1/opportunities/{OPP}"))
        .once(&server, json_response(200, "sandbox-opportunity-get.json"))
        .await;
    let got = client(&server).opportunities().get(&opp()).await.unwrap();
    assert_eq!(got.id, opp());
}

#[tokio::test]
async fn get_with_expand_reads_objects_and_the_archived_object() {
    let server = server().await;
    let mut body = fixture_json("sandbox-opportunity-get.json");
    body["data"]["stage"] = json!({"id": "lead-reached-out", "text": "Reached out"});
    as_key_user("GET", format!("/v1/opportunities/{OPP}"))
        .and(QueryIs(vec![("expand", "stage")]))
        .once(&server, ResponseTemplate::new(200).set_body_json(body))
        .await;
    let got = client(&server)
        .opportunities()
        .get_expanded(&opp(), &[OpportunityExpand::Stage])
        .await
        .unwrap();
    assert_eq!(
        got.stage.as_ref().unwrap().object().unwrap().text,
        "Reached out"
    );
    let archived = got.archived_state().unwrap();
    assert_eq!(archived.archived_at, Some(1782973996415));
    assert_eq!(
        archived.reason.unwrap().as_str(),
        "c97322d4-a7f3-4008-948c-4f8e9c58d372"
    );
}

#[tokio::test]
async fn expanded_applications_are_typed() {
    let server = server().await;
    let mut body = fixture_json("sandbox-opportunity-get.json");
    body["data"]["applications"] = json!([{
        "id": "4d2c7a10-9d87-4e43-a0c9-7d3c3c2b1a01",
        "type": "posting",
        "opportunityId": OPP,
        "posting": "f2f8ad5b-4b3c-4d7b-9f0e-1a2b3c4d5e6f",
        "createdAt": 1782973996415u64,
        "ipAddress": "203.0.113.9"
    }]);
    as_key_user("GET", format!("/v1/opportunities/{OPP}"))
        .and(QueryIs(vec![("expand", "applications")]))
        .once(&server, ResponseTemplate::new(200).set_body_json(body))
        .await;
    let got = client(&server)
        .opportunities()
        .get_expanded(&opp(), &[OpportunityExpand::Applications])
        .await
        .unwrap();
    let application = got.applications[0].object().unwrap();
    assert_eq!(application.kind.as_deref(), Some("posting"));
    assert_eq!(application.opportunity_id.as_ref(), Some(&opp()));
    assert_eq!(application.created_at, Some(1782973996415));
    // Fields not modelled are kept, not dropped.
    assert_eq!(application.extra["ipAddress"], "203.0.113.9");
}

#[tokio::test]
async fn create_requires_perform_as_and_reports_deduped() {
    let server = server().await;
    let recorded = fixture_json("sandbox-opportunity-create-request.json");
    as_key_user("POST", "/v1/opportunities")
        .and(QueryIs(vec![(
            "perform_as",
            "c4bc6266-375b-4d45-9b3b-ad527ba5f3ef",
        )]))
        .and(body_json(&recorded["body"]))
        .once(
            &server,
            json_response(201, "sandbox-opportunity-create-response.json"),
        )
        .await;
    let new = NewOpportunity::new()
        .name("Nango Test Candidate")
        .headline("Test Headline")
        .phone(lever_client::Phone::new("mobile", "(555) 123-4567"))
        .email("test@nango.dev")
        .tag("Test")
        .source("LinkedIn")
        .origin(Origin::Sourced)
        .posting(PostingId::from("75ff237f-c221-4c26-8b23-faf395f5ea1c"));
    let lever = client(&server);
    let performer = PerformAs(UserId::from("c4bc6266-375b-4d45-9b3b-ad527ba5f3ef"));
    let created = lever
        .opportunities()
        .create(&performer, &new)
        .await
        .unwrap();
    assert!(created.deduped);
    assert_eq!(
        created.opportunity.id.as_str(),
        "90bb80d6-db1b-4ba8-9d4f-8bcb25b6c017"
    );

    let two_postings = NewOpportunity::new()
        .posting(PostingId::from("a"))
        .posting(PostingId::from("b"));
    let err = lever
        .opportunities()
        .create(&performer, &two_postings)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
}

#[tokio::test]
async fn change_stage_sends_stage_and_optional_perform_as() {
    let server = server().await;
    let recorded = fixture_json("sandbox-opportunity-stage-update-request.json");
    Mock::given(method("PUT"))
        .and(path(recorded["path"].as_str().unwrap()))
        .and(header("authorization", BASIC))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(&recorded["body"]))
        .once(
            &server,
            json_response(200, "sandbox-opportunity-stage-update-response.json"),
        )
        .await;
    Mock::given(method("PUT"))
        .and(path(recorded["path"].as_str().unwrap()))
        .and(QueryIs(vec![]))
        .and(body_json(json!({"stage": "offer"})))
        .once(
            &server,
            json_response(200, "sandbox-opportunity-stage-update-response.json"),
        )
        .await;
    let lever = client(&server);
    let moved = lever
        .opportunities()
        .change_stage(&opp(), &StageId::from("lead-reached-out"))
        .perform_as(&user())
        .await
        .unwrap();
    assert_eq!(
        moved.stage.unwrap().id().unwrap().as_str(),
        "lead-reached-out"
    );
    lever
        .opportunities()
        .change_stage(&opp(), &StageId::from("offer"))
        .await
        .unwrap();
}

#[tokio::test]
async fn archive_and_unarchive() {
    let server = server().await;
    as_key_user("PUT", format!("/v1/opportunities/{OPP}/archived"))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "reason": "c97322d4-a7f3-4008-948c-4f8e9c58d372",
            "cleanInterviews": true
        })))
        .once(
            &server,
            json_response(200, "sandbox-opportunity-archive-response.json"),
        )
        .await;
    on("PUT", format!("/v1/opportunities/{OPP}/archived"))
        .and(QueryIs(vec![]))
        .and(body_json(json!({"reason": null})))
        .once(&server, json_response(200, "sandbox-opportunity-get.json"))
        .await;
    let lever = client(&server);
    let archived = lever
        .opportunities()
        .archive(
            &opp(),
            &Archive::new(ArchiveReasonId::from(
                "c97322d4-a7f3-4008-948c-4f8e9c58d372",
            ))
            .clean_interviews(true),
        )
        .perform_as(&user())
        .await
        .unwrap();
    assert!(archived.archived.is_some());
    lever.opportunities().unarchive(&opp()).await.unwrap();
}

#[tokio::test]
async fn tags_links_and_sources_are_added_and_removed() {
    let server = server().await;
    let recorded = fixture_json("sandbox-opportunity-add-tags-request.json");
    Mock::given(method("POST"))
        .and(path(recorded["path"].as_str().unwrap()))
        .and(header("authorization", BASIC))
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(&recorded["body"]))
        .once(&server, json_response(200, "sandbox-opportunity-get.json"))
        .await;
    for (suffix, field) in [
        ("removeTags", "tags"),
        ("addLinks", "links"),
        ("removeLinks", "links"),
        ("addSources", "sources"),
        ("removeSources", "sources"),
    ] {
        as_key_user("POST", format!("/v1/opportunities/{OPP}/{suffix}"))
            .and(QueryIs(vec![("perform_as", USER)]))
            .and(body_json(json!({ field: ["x"] })))
            .once(&server, json_response(200, "sandbox-opportunity-get.json"))
            .await;
    }
    let lever = client(&server);
    let ops = lever.opportunities();
    let (id, me) = (opp(), user());
    let tagged = ops
        .add_tags(&id, &["nango-test-tag"])
        .perform_as(&me)
        .await
        .unwrap();
    assert!(tagged.tags.contains(&"Nango Seed".to_owned()));
    ops.remove_tags(&id, &["x"]).perform_as(&me).await.unwrap();
    ops.add_links(&id, &["x"]).perform_as(&me).await.unwrap();
    ops.remove_links(&id, &["x"]).perform_as(&me).await.unwrap();
    ops.add_sources(&id, &["x"]).perform_as(&me).await.unwrap();
    ops.remove_sources(&id, &["x"])
        .perform_as(&me)
        .await
        .unwrap();
}

#[tokio::test]
async fn deleted_opportunities_are_listed_with_their_window() {
    let server = server().await;
    as_key_user("GET", "/v1/opportunities/deleted")
        .and(QueryIs(vec![
            ("deleted_at_start", "10"),
            ("deleted_at_end", "20"),
        ]))
        .once(
            &server,
            json_response(200, "sandbox-opportunities-deleted-empty.json"),
        )
        .await;
    let deleted: Vec<_> = client(&server)
        .opportunities()
        .list_deleted(Some(10), Some(20))
        .try_collect()
        .await
        .unwrap();
    assert!(deleted.is_empty());
}

#[tokio::test]
async fn api_errors_carry_lever_code_and_message() {
    let server = server().await;
    on("GET", "/v1/opportunities/missing")
        .respond_with(json_response(404, "error.json"))
        .mount(&server)
        .await;
    let err = client(&server)
        .opportunities()
        .get(&OpportunityId::from("missing"))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.vendor_code(), Some("ResourceNotFound"));
    assert!(err.to_string().contains("was not found"), "{err}");
}

/// Lever sets `archivedAt` to now only when it is omitted: an archive with just a
/// reason sends no `archivedAt` (and no `null`s).
#[tokio::test]
async fn create_archived_omits_absent_archive_fields() {
    let server = server().await;
    as_key_user("POST", "/v1/opportunities")
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "name": "Shane Smith",
            "archived": {"reason": "63dd55b2-a99f-4e7b-985f-22c7bf80ab42"}
        })))
        .once(
            &server,
            json_response(201, "sandbox-opportunity-create-response.json"),
        )
        .await;
    as_key_user("POST", "/v1/opportunities")
        .and(QueryIs(vec![("perform_as", USER)]))
        .and(body_json(json!({
            "name": "Shane Smith",
            "createdAt": 1400000000000u64,
            "archived": {"reason": "63dd55b2-a99f-4e7b-985f-22c7bf80ab42", "archivedAt": 1400000000001u64}
        })))
        .once(
            &server,
            json_response(201, "sandbox-opportunity-create-response.json"),
        )
        .await;
    let lever = client(&server);
    let reason = ArchiveReasonId::from("63dd55b2-a99f-4e7b-985f-22c7bf80ab42");
    let now = NewOpportunity::new()
        .name("Shane Smith")
        .archived(lever_client::Archived::new(reason.clone()));
    lever
        .opportunities()
        .create(&PerformAs(user()), &now)
        .await
        .unwrap();
    let backdated = NewOpportunity::new()
        .name("Shane Smith")
        .created_at(1400000000000)
        .archived(lever_client::Archived::new(reason).at(1400000000001));
    lever
        .opportunities()
        .create(&PerformAs(user()), &backdated)
        .await
        .unwrap();
}
