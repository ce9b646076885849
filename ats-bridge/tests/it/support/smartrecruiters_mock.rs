//! What the SmartRecruiters tests share: the client of a mock SmartRecruiters and the
//! secrets it is given.

use std::time::Duration;

use client_core::{RetryPolicy, SecretString};
use smartrecruiters_client::SmartRecruitersClient;
use wiremock::MockServer;

/// The API key every SmartRecruiters test client sends as `X-SmartToken`.
pub const SR_KEY: &str = "test-api-key-0123456789abcdef0123";
/// The secret test deliveries are signed with.
pub const WEBHOOK_SECRET: &str = "webhook-secret-0123456789";

/// A client of the mock SmartRecruiters, retrying as `retry` says.
pub fn smartrecruiters_client(server: &MockServer, retry: RetryPolicy) -> SmartRecruitersClient {
    SmartRecruitersClient::builder()
        .base_url(server.uri())
        .api_key(SecretString::from(SR_KEY))
        .retry_policy(retry)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}
