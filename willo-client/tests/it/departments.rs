//! `/departments/`: list, create, get, replace, update, delete.

use crate::support;

use serde_json::json;
use support::*;
use willo_client::{DepartmentInput, DepartmentKey, ListParams};
use wiremock::matchers::query_param;

const DEPT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

#[tokio::test]
async fn list_and_create() {
    let server = server().await;
    call("GET", "/departments/")
        .and(query_param("search", "London"))
        .and(query_param("page_size", "5"))
        .once(&server, listed(json!([{"key": DEPT, "name": "London", "is_global": false, "branding": {"colour": "#123"}}]))).await;
    sends("POST", "/departments/", json!({"name": "Paris"}))
        .once(&server, json(201, json!({"key": DEPT, "name": "Paris"})))
        .await;
    let client = client(&server);
    let page = client
        .departments()
        .page(ListParams::new().search("London").page_size(5), None)
        .await
        .unwrap();
    assert_eq!(page.items[0].name.as_deref(), Some("London"));
    assert_eq!(page.items[0].extra["branding"]["colour"], "#123");
    let created = client
        .departments()
        .create(&DepartmentInput::named("Paris"))
        .await
        .unwrap();
    assert_eq!(created.key, Some(DepartmentKey::from(DEPT)));
}

#[tokio::test]
async fn get_replace_update_delete() {
    let server = server().await;
    let item = format!("/departments/{DEPT}/");
    call("GET", &item)
        .once(&server, json(200, json!({"key": DEPT, "name": "London"})))
        .await;
    sends(
        "PUT",
        &item,
        json!({"name": "Greater London", "is_global": true}),
    )
    .once(
        &server,
        json(200, json!({"key": DEPT, "name": "Greater London"})),
    )
    .await;
    sends("PATCH", &item, json!({"name": "LDN"}))
        .once(&server, json(200, json!({"key": DEPT, "name": "LDN"})))
        .await;
    deleted_once(&server, &item).await;
    let client = client(&server);
    let departments = client.departments();
    let key = DepartmentKey::from(DEPT);
    assert_eq!(
        departments.get(&key).await.unwrap().name.as_deref(),
        Some("London")
    );
    let mut whole = DepartmentInput::named("Greater London");
    whole.extra.insert("is_global".into(), json!(true));
    let replaced = departments.replace(&key, &whole).await.unwrap();
    assert_eq!(replaced.name.as_deref(), Some("Greater London"));
    let updated = departments
        .update(&key, &DepartmentInput::named("LDN"))
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("LDN"));
    departments.delete(&key).await.unwrap();
}
