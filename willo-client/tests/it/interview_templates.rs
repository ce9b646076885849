//! The template library: `GET /categories/`, `GET /interview-templates/`,
//! `GET /interview-templates/{key}/`, `POST /interview-templates/{key}/interviews/`.

use crate::support;

use serde_json::json;
use support::*;
use willo_client::{CategoryKey, InterviewInput, InterviewKey, InterviewTemplateKey, ListParams};
use wiremock::matchers::{body_json, query_param};

const TEMPLATE: &str = "c0ffee00c0ffee00c0ffee00c0ffee00";

#[tokio::test]
async fn categories_and_templates() {
    let server = server().await;
    call("GET", "/categories/")
        .once(
            &server,
            listed(json!([{"key": "cat1", "name": "Retail", "icon": "bag"}])),
        )
        .await;
    call("GET", "/interview-templates/")
        .and(query_param("category", "cat1"))
        .once(
            &server,
            listed(
                json!([{"key": TEMPLATE, "title": "Store assistant", "category": {"key": "cat1"}}]),
            ),
        )
        .await;
    call("GET", &format!("/interview-templates/{TEMPLATE}/"))
        .once(&server, json(200, json!({"key": TEMPLATE, "title": "Store assistant", "questions": [{"text": "Why us?"}]}))).await;
    let client = client(&server);
    let templates = client.interview_templates();
    let categories = client
        .categories()
        .page(ListParams::new(), None)
        .await
        .unwrap();
    assert_eq!(categories.items[0].key, Some(CategoryKey::from("cat1")));
    assert_eq!(categories.items[0].name.as_deref(), Some("Retail"));
    let page = templates
        .page(ListParams::new().filter("category", "cat1"), None)
        .await
        .unwrap();
    assert_eq!(page.items[0].category, Some(CategoryKey::from("cat1")));
    let one = templates
        .get(&InterviewTemplateKey::from(TEMPLATE))
        .await
        .unwrap();
    assert_eq!(one.extra["questions"][0]["text"], "Why us?");
}

#[tokio::test]
async fn create_an_interview_from_a_template() {
    let server = server().await;
    call(
        "POST",
        &format!("/interview-templates/{TEMPLATE}/interviews/"),
    )
    .and(body_json(json!({"title": "Store assistant (Leeds)"})))
    .once(
        &server,
        json(
            201,
            json!({"key": INTERVIEW, "title": "Store assistant (Leeds)"}),
        ),
    )
    .await;
    let interview = client(&server)
        .interview_templates()
        .create_interview(
            &InterviewTemplateKey::from(TEMPLATE),
            &InterviewInput::new().title("Store assistant (Leeds)"),
        )
        .await
        .unwrap();
    assert_eq!(interview.key, Some(InterviewKey::from(INTERVIEW)));
}
