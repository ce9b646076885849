//! Requisitions: filters, create (recorded sandbox exchange), get, update, delete.

use crate::support;

use futures::TryStreamExt;
use lever_client::{
    Confidentiality, NewRequisition, RequisitionFilter, RequisitionId, RequisitionStatus,
};
use serde_json::json;
use support::*;
use wiremock::ResponseTemplate;
use wiremock::matchers::body_json;

const ID: &str = "acb52647-9d10-45f0-83a8-f61b3c5555a9";

fn recorded() -> NewRequisition {
    NewRequisition::new(
        "NANGO-FINAL-SAVE-20260702-001",
        "Nango Final Requisition Save",
        1,
    )
    .employment_status("full-time")
    .location("Remote")
    .team("Engineering")
}

#[tokio::test]
async fn create_get_update_delete() {
    let server = server().await;
    as_key_user("POST", "/v1/requisitions")
        .and(QueryIs(vec![]))
        .and(body_json(fixture_json(
            "sandbox-requisition-create-request.json",
        )))
        .once(
            &server,
            json_response(201, "sandbox-requisition-create-response.json"),
        )
        .await;
    as_key_user("GET", format!("/v1/requisitions/{ID}"))
        .once(
            &server,
            json_response(200, "sandbox-requisition-create-response.json"),
        )
        .await;
    let mut replaced = fixture_json("sandbox-requisition-create-request.json");
    replaced["status"] = json!("onhold");
    replaced["customFields"] = json!({"cost_center": "R&D"});
    as_key_user("PUT", format!("/v1/requisitions/{ID}"))
        .and(body_json(&replaced))
        .once(
            &server,
            json_response(200, "sandbox-requisition-create-response.json"),
        )
        .await;
    as_key_user("DELETE", format!("/v1/requisitions/{ID}"))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let lever = client(&server);
    let created = lever.requisitions().create(&recorded()).await.unwrap();
    assert_eq!(created.id.as_str(), ID);
    assert_eq!(created.status, Some(RequisitionStatus::Open));
    assert_eq!(created.headcount_total, Some(json!(1)));
    assert_eq!(created.owner_user_id, None);
    assert!(created.extra.contains_key("stateHistory"));
    let got = lever
        .requisitions()
        .get(&RequisitionId::from(ID))
        .await
        .unwrap();
    assert_eq!(got.employment_status.as_deref(), Some("full-time"));
    lever
        .requisitions()
        .update(
            &RequisitionId::from(ID),
            &recorded()
                .status(RequisitionStatus::OnHold)
                .custom_field("cost_center", "R&D"),
        )
        .await
        .unwrap();
    lever
        .requisitions()
        .delete(&RequisitionId::from(ID))
        .await
        .unwrap();
}

#[tokio::test]
async fn list_sends_the_filters() {
    let server = server().await;
    let recorded = fixture_json("sandbox-requisition-create-response.json");
    as_key_user("GET", "/v1/requisitions")
        .and(QueryIs(vec![
            ("requisition_code", "A-1"),
            ("requisition_code", "A-2"),
            ("status", "open"),
            ("confidentiality", "all"),
            ("created_at_start", "1700000000000"),
        ]))
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [recorded["data"]], "hasNext": false})),
        )
        .await;
    let filter = RequisitionFilter::new()
        .requisition_code("A-1")
        .requisition_code("A-2")
        .status(RequisitionStatus::Open)
        .confidentiality(Confidentiality::All)
        .created_between(Some(1700000000000), None);
    let all: Vec<_> = client(&server)
        .requisitions()
        .list(&filter)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}
