//! What the Lever tests share: the client of a mock Lever, its Basic auth, and an
//! exact query matcher (Lever's writes carry `perform_as`, reads their filters).

use client_core::{RetryPolicy, SecretString};
use lever_client::LeverClient;
pub use test_support::QueryIs;
use wiremock::MockServer;

/// The API key every Lever test client uses.
pub const LEVER_KEY: &str = "test-key";
/// `Authorization` for `LEVER_KEY`: base64("test-key:").
pub const LEVER_BASIC: &str = "Basic dGVzdC1rZXk6";

/// A client of the mock Lever (API root `/v1`), retrying as `retry` says.
pub fn lever_client(server: &MockServer, retry: RetryPolicy) -> LeverClient {
    LeverClient::builder()
        .base_url(format!("{}/v1", server.uri()))
        .api_key(SecretString::from(LEVER_KEY))
        .retry_policy(retry)
        .build()
        .unwrap()
}

/// Exactly the query `pairs`, in any order.
pub fn query(pairs: &[(&'static str, &'static str)]) -> QueryIs {
    QueryIs(pairs.to_vec())
}
