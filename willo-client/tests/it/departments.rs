//! `/departments/`: list, create, get, replace, update, delete.

use crate::common;

use common::*;
use serde_json::json;
use willo_client::{DepartmentInput, DepartmentKey, ListParams};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, query_param};

const DEPT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

#[tokio::test]
async fn list_and_create() {
    let server = server().await;
    call("GET", "/departments/")
        .and(query_param("search", "London"))
        .and(query_param("page_size", "5"))
        .respond_with(json(
            200,
            page(json!([{"key": DEPT, "name": "London", "is_global": false, "branding": {"colour": "#123"}}]), None),
        ))
        .expect(1)
        .mount(&server)
        .await;
    call("POST", "/departments/")
        .and(body_json(json!({"name": "Paris"})))
        .respond_with(json(201, json!({"key": DEPT, "name": "Paris"})))
        .expect(1)
        .mount(&server)
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
        .respond_with(json(200, json!({"key": DEPT, "name": "London"})))
        .expect(1)
        .mount(&server)
        .await;
    call("PUT", &item)
        .and(body_json(
            json!({"name": "Greater London", "is_global": true}),
        ))
        .respond_with(json(200, json!({"key": DEPT, "name": "Greater London"})))
        .expect(1)
        .mount(&server)
        .await;
    call("PATCH", &item)
        .and(body_json(json!({"name": "LDN"})))
        .respond_with(json(200, json!({"key": DEPT, "name": "LDN"})))
        .expect(1)
        .mount(&server)
        .await;
    call("DELETE", &item)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
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
