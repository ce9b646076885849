//! What errors carry: DRF field errors, the request id, and the JSON path of a
//! decode failure.

use client_core::Error;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn drf_field_errors_and_request_id_reach_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", "req-42")
                .set_body_json(json!({"name": ["This field is required."]})),
        )
        .mount(&server)
        .await;
    let err = transport(&server)
        .post("/participants/")
        .json(&json!({}))
        .send_value()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(
        api.field("name").unwrap().messages,
        ["This field is required."]
    );
    assert_eq!(api.request_id.as_deref(), Some("req-42"));
    assert_eq!(api.endpoint, "POST /api/v2/participants/");
    // The shape only: an error body can quote the request back.
    assert_eq!(api.body_excerpt, r#"{"name":["…"]}"#);
}

#[tokio::test]
async fn vendor_messages_keep_emails_out_of_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(409).set_body_json(json!({
            "message": "A candidate with alice.martin@example.com exists",
            "errors": [{"code": "CANDIDATE_DATA_CONFLICT", "message": "Alice Martin, alice.martin@example.com"}]
        })))
        .mount(&server)
        .await;
    let err = transport(&server)
        .post("/candidates")
        .json(&json!({}))
        .send_value()
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("alice.martin@"), "{text}");
    let excerpt = &err.api_error().unwrap().body_excerpt;
    assert!(!excerpt.contains("Alice"), "values are withheld: {excerpt}");
    assert_eq!(err.vendor_code(), Some("CANDIDATE_DATA_CONFLICT"));
    assert_eq!(
        err.api_error().unwrap().message,
        "A candidate with [email] exists"
    );
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"results": [{"n": 1}, {"n": "two"}]})),
        )
        .mount(&server)
        .await;
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Envelope {
        results: Vec<Item>,
    }
    let err = transport(&server)
        .get("/x/")
        .send::<Envelope>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "results[1].n"),
        "{err:?}"
    );
}
