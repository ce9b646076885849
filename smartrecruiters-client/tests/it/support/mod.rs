//! Shared test helpers: fixtures, a wiremock server with a catch-all, and clients.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use smartrecruiters_client::{
    RateLimits, SecretString, SmartRecruitersClient, SmartRecruitersClientBuilder,
};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub use test_support::{MountOnce, QueryIs, fast_retries, injected_http_client, on};

pub const API_KEY: &str = "test-api-key-0123456789abcdef0123";

/// The text of a fixture from fixtures/smartrecruiters.
pub fn fixture_text(name: &str) -> String {
    let path = format!(
        "{}/../fixtures/smartrecruiters/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// A fixture as JSON.
pub fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap()
}

/// A mock server where any request no test expected gets a 599.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .named("catch-all")
        .mount(&server)
        .await;
    server
}

/// An API-key client builder for `server`, with the default limits and fast retries.
pub fn builder(server: &MockServer) -> SmartRecruitersClientBuilder {
    SmartRecruitersClient::builder()
        .base_url(server.uri())
        .api_key(SecretString::from(API_KEY))
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(10))
}

/// The client [`builder`] builds.
pub fn client(server: &MockServer) -> SmartRecruitersClient {
    builder(server).build().unwrap()
}

/// Same, without client-side pacing.
pub fn unlimited_client(server: &MockServer) -> SmartRecruitersClient {
    builder(server)
        .limits(RateLimits::unlimited())
        .build()
        .unwrap()
}

/// A 200 answer carrying `body`.
pub fn ok(body: Value) -> ResponseTemplate {
    json(200, body)
}

/// A JSON response.
pub fn json(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}
