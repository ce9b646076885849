//! Shared test helpers: a mock Willo on 127.0.0.1, a client pointed at it, fixtures.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use willo_client::{RateLimits, RetryPolicy, SecretString, WilloClient, WilloClientBuilder};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub use test_support::{MountOnce, injected_http_client, on};

/// The API key every test client uses.
pub const KEY: &str = "test-willo-key-9f8e7d";
/// The API root under the mock server, as in production.
pub const ROOT: &str = "/api/integrations/v2";
/// A key-shaped interview key.
pub const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";
/// A key-shaped participant key.
pub const PARTICIPANT: &str = "5b0c3e8a9d7f4e21a3c6b8d9e0f1a2b3";

/// A mock server that answers 599 to anything no test mock matched, so a stray request
/// fails the call that made it.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599).set_body_string("no mock matched"))
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

/// `ROOT` + `path`.
pub fn at(path: &str) -> String {
    format!("{ROOT}{path}")
}

/// A builder for the mock: no client-side pacing, millisecond backoff.
pub fn builder(server: &MockServer) -> WilloClientBuilder {
    WilloClient::builder()
        .api_key(SecretString::from(KEY))
        .base_url(format!("{}{ROOT}", server.uri()))
        .limits(RateLimits::unlimited())
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            jitter: false,
            ..RetryPolicy::default()
        })
        .timeout(Duration::from_secs(10))
}

/// A client for the mock.
pub fn client(server: &MockServer) -> WilloClient {
    builder(server).build().expect("client builds")
}

/// A fixture from `fixtures/willo/`, unwrapped from its `body`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../fixtures/willo/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let value: Value = serde_json::from_str(&text).expect("fixture is JSON");
    value.get("body").cloned().unwrap_or(value)
}

/// A DRF page.
pub fn page(results: Value, next: Option<String>) -> Value {
    serde_json::json!({
        "count": results.as_array().map_or(0, Vec::len),
        "next": next,
        "previous": null,
        "results": results,
    })
}

/// A mock matching `verb` on `ROOT + path` with the bare key in `Authorization`.
pub fn call(verb: &str, path: &str) -> wiremock::MockBuilder {
    on(verb, at(path)).and(wiremock::matchers::header("authorization", KEY))
}

/// A JSON response with `status`.
pub fn json(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

/// A mock matching `verb` on `ROOT + path` that must carry exactly the JSON body `sent`.
pub fn sends(verb: &str, path: &str, sent: Value) -> wiremock::MockBuilder {
    call(verb, path).and(wiremock::matchers::body_json(sent))
}

/// `DELETE ROOT + path`, answered 204, expected exactly once: every item test ends so.
pub async fn deleted_once(server: &MockServer, path: &str) {
    call("DELETE", path)
        .once(server, ResponseTemplate::new(204))
        .await;
}

/// A 200 answer carrying a one-page DRF list of `results`.
pub fn listed(results: Value) -> ResponseTemplate {
    json(200, page(results, None))
}

/// The JSON bodies a resource's lifecycle test sends.
pub struct Sent {
    /// POSTed to the collection.
    pub create: Value,
    /// PUT to the item.
    pub replace: Value,
    /// PATCHed to the item.
    pub update: Value,
}

/// The mocks of a resource's whole lifecycle in which every answer is the item `body`:
/// POST on `collection` (201), then on `item` GET, PUT, PATCH (200) and DELETE (204),
/// each carrying its `sent` body and expected exactly once.
pub async fn lifecycle(
    server: &MockServer,
    collection: &str,
    item: &str,
    body: &Value,
    sent: Sent,
) {
    sends("POST", collection, sent.create)
        .once(server, json(201, body.clone()))
        .await;
    call("GET", item)
        .once(server, json(200, body.clone()))
        .await;
    sends("PUT", item, sent.replace)
        .once(server, json(200, body.clone()))
        .await;
    sends("PATCH", item, sent.update)
        .once(server, json(200, body.clone()))
        .await;
    deleted_once(server, item).await;
}

/// The request the client makes for the first page of `interview`'s participants.
pub fn lists_participants(interview: &str) -> wiremock::MockBuilder {
    use wiremock::matchers::query_param;
    call("GET", "/participants/")
        .and(query_param("interview", interview))
        .and(query_param("page_size", "30"))
}

/// The invite body for Jane Doe with email and phone, as the client sends it.
pub fn phoned_invite() -> Value {
    serde_json::json!({
        "interview": INTERVIEW,
        "name": "Jane Doe",
        "email": "jane@example.com",
        "phone": "+447700900123"
    })
}
