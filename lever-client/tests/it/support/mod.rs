//! Helpers shared by the integration tests: fixtures, a mock server that fails on
//! unexpected requests, and an API-key client pointed at it.
#![allow(dead_code)]

use client_core::SecretString;
use lever_client::LeverClient;
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub use test_support::{MountOnce, QueryIs, fast_retries, injected_http_client, on};

/// `Authorization` for the API key `test-key`: base64("test-key:").
pub const BASIC: &str = "Basic dGVzdC1rZXk6";

pub const USER: &str = "be129d9b-50da-4485-9377-0d83e981f30b";
pub const OPP: &str = "6408dc54-7015-4e5b-8d60-23afff2b1efc";

pub fn fixture_path(name: &str) -> String {
    format!("{}/../fixtures/lever/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

pub fn json_response(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
}

/// A mock server whose unmatched requests get a 599, failing the call under test.
pub async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599))
        .with_priority(u8::MAX)
        .mount(&server)
        .await;
    server
}

pub fn client(server: &MockServer) -> LeverClient {
    LeverClient::builder()
        .base_url(format!("{}/v1", server.uri()))
        .api_key(SecretString::from("test-key"))
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// A mock matching `verb` on `path`, sent with the test API key (`BASIC`).
pub fn as_key_user(verb: &str, path: impl Into<String>) -> wiremock::MockBuilder {
    on(verb, path).and(wiremock::matchers::header("authorization", BASIC))
}
