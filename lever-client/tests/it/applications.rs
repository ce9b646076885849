//! Applications of an opportunity: list and get, from a recorded sandbox answer.

use crate::support;

use futures::TryStreamExt;
use lever_client::{ApplicationId, OpportunityId};
use serde_json::json;
use support::*;
use wiremock::ResponseTemplate;

const APP: &str = "7278da68-141b-4203-b209-8ca6c0fa1f2d";

#[tokio::test]
async fn list_and_get() {
    let server = server().await;
    let recorded = fixture_json("sandbox-application-get.json");
    as_key_user("GET", format!("/v1/opportunities/{OPP}/applications"))
        .and(QueryIs(vec![]))
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({"data": [recorded["data"]], "hasNext": false})),
        )
        .await;
    as_key_user("GET", format!("/v1/opportunities/{OPP}/applications/{APP}"))
        .and(QueryIs(vec![]))
        .once(&server, json_response(200, "sandbox-application-get.json"))
        .await;
    let lever = client(&server);
    let applications = lever.applications(&OpportunityId::from(OPP));
    let all: Vec<_> = applications.list().try_collect().await.unwrap();
    assert_eq!(all.len(), 1);
    let one = applications.get(&ApplicationId::from(APP)).await.unwrap();
    assert_eq!(one.kind.as_deref(), Some("user"));
    assert_eq!(
        one.posting.unwrap().as_str(),
        "75ff237f-c221-4c26-8b23-faf395f5ea1c"
    );
    assert_eq!(one.posting_hiring_manager, None);
    assert_eq!(one.archived.unwrap().archived_at, Some(1782973989263));
    assert!(one.extra.contains_key("userAgent"));
}
