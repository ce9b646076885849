//! Configuration (hiring processes, reasons, company) and users.

use crate::support;

use futures::TryStreamExt;
use serde_json::json;
use smartrecruiters_client::{ApplicationStatus, UserFilter, UserId};
use support::{API_KEY, MountOnce, client, fixture, ok, on, server};
use wiremock::matchers::{header, query_param, query_param_is_missing};

#[tokio::test]
async fn hiring_processes_with_sub_statuses() {
    let server = server().await;
    on("GET", "/configuration/hiring-processes")
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ok(fixture("hiring-processes.json")))
        .await;
    on("GET", "/configuration/hiring-processes/hp-1")
        .once(
            &server,
            ok(json!({"id": "hp-1", "name": "Eng", "active": true,
                   "subStatuses": {"INTERVIEW": ["Video Interview", "Onsite"]}})),
        )
        .await;
    let client = client(&server);
    let processes = client.configuration().hiring_processes().await.unwrap();
    assert_eq!(processes[0].name.as_deref(), Some("Default hiring process"));
    assert_eq!(
        processes[0].sub_statuses_of(&ApplicationStatus::InReview),
        ["string"]
    );
    let one = client.configuration().hiring_process("hp-1").await.unwrap();
    assert_eq!(
        one.sub_statuses_of(&ApplicationStatus::Interview),
        ["Video Interview", "Onsite"]
    );
    assert!(one.sub_statuses_of(&ApplicationStatus::Offered).is_empty());
}

#[tokio::test]
async fn rejection_and_withdrawal_reasons_and_company() {
    let server = server().await;
    for (kind, label) in [
        ("rejection", "Not qualified"),
        ("withdrawal", "Took another offer"),
    ] {
        on("GET", format!("/configuration/{kind}-reasons"))
            .once(&server, ok(json!({"totalFound": 1, "content": [{"id": format!("{kind}-1"), "label": label}]}))).await;
    }
    on("GET", "/configuration/company")
        .once(&server, ok(json!({"identifier": "acme", "name": "Acme", "website": {"url": "https://acme.example"}, "industry": {"id": "it"}}))).await;
    let client = client(&server);
    let configuration = client.configuration();
    let rejection = configuration.rejection_reasons().await.unwrap();
    assert_eq!(rejection[0].id.as_deref(), Some("rejection-1"));
    let withdrawal = configuration.withdrawal_reasons().await.unwrap();
    assert_eq!(withdrawal[0].label.as_deref(), Some("Took another offer"));
    let company = configuration.company().await.unwrap();
    assert_eq!(company.name.as_deref(), Some("Acme"));
    assert!(company.extra.contains_key("industry"));
}

#[tokio::test]
async fn users_list_pages_get_and_me() {
    let server = server().await;
    on("GET", "/user-api/v201804/users")
        .and(header("x-smarttoken", API_KEY))
        .and(query_param("q", "smith"))
        .and(query_param("limit", "100"))
        .and(query_param("updatedAfter", "2024-01-01T00:00:00.000Z"))
        .and(query_param_is_missing("pageId"))
        .once(&server, ok(fixture("user-list-page.json")))
        .await;
    on("GET", "/user-api/v201804/users")
        .and(query_param("pageId", "string"))
        .once(
            &server,
            ok(json!({"limit": 100, "content": [{"id": "u2", "firstName": "B", "lastName": "C"}]})),
        )
        .await;
    on(
        "GET",
        "/user-api/v201804/users/e8c0deb2-5fff-477d-98ab-80d0dd92dbc9",
    )
    .once(&server, ok(fixture("user.json")))
    .await;
    on("GET", "/user-api/v201804/users/me")
        .once(&server, ok(fixture("user.json")))
        .await;
    let client = client(&server);
    let filter = UserFilter::new()
        .q("smith")
        .limit(100)
        .updated_after("2024-01-01T00:00:00.000Z");
    let users: Vec<_> = client.users().list(&filter).try_collect().await.unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["string", "u2"]);
    assert_eq!(users[0].email.as_deref(), Some("user@example.com"));
    let user = client
        .users()
        .get(&UserId::from("e8c0deb2-5fff-477d-98ab-80d0dd92dbc9"))
        .await
        .unwrap();
    assert_eq!(user.email.as_deref(), Some("retrieve@example.com"));
    assert!(user.extra.contains_key("accessGroups"));
    let me = client.users().me().await.unwrap();
    assert_eq!(me.id, user.id);
}
