//! Strict wiremock servers and the client settings every vendor mock shares: anything
//! a test did not expect is answered 599 and fails it, and retries are quick.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use client_core::RetryPolicy;
use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// Each client call is tried at most this often (idempotent calls only).
pub const CLIENT_ATTEMPTS: u64 = 2;

/// Answers 599 to any request no other mock matched, so an unexpected request fails
/// loudly instead of getting wiremock's 404 (which adapters may read as "gone").
fn unexpected_requests() -> Mock {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
}

/// A mock server answering 599 to anything no mock matched (and failing on drop).
pub async fn strict_server() -> MockServer {
    let server = MockServer::start().await;
    unexpected_requests()
        .expect(0)
        .named("catch-all")
        .mount(&server)
        .await;
    server
}

/// Mount the 599 answer for whatever no other mock on `server` matches, without
/// failing the test: for tests that provoke unexpected requests on purpose.
pub async fn answer_599_to_the_rest(server: &MockServer) {
    unexpected_requests().mount(server).await;
}

/// A mock server answering 599 to anything no mock matched.
pub async fn lenient_server() -> MockServer {
    let server = MockServer::start().await;
    answer_599_to_the_rest(&server).await;
    server
}

/// Retries of at most `CLIENT_ATTEMPTS` tries, milliseconds apart, so failure tests
/// stay quick and count requests exactly.
pub fn short_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: CLIENT_ATTEMPTS as usize,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        jitter: false,
        ..RetryPolicy::default()
    }
}

/// A 200 answer with `body` as JSON.
pub fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

/// A documented example from `fixtures/<vendor>/<name>`.
pub fn fixture(vendor: &str, name: &str) -> Value {
    let file = format!("{}/../fixtures/{vendor}/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// Milliseconds since the epoch, as webhook signatures and the inbox want them.
pub fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Seconds since the epoch, as SmartRecruiters signs deliveries.
pub fn now_secs() -> u64 {
    now_millis() / 1000
}

/// Mount `mock` on `server` to answer exactly `times` requests, and fail the test on
/// drop unless it got exactly that many: how the tests sequence a vendor's answers.
/// `times` 0 asserts that no such request is made until a later mount of the same
/// request takes over (it has the lowest priority, so later mounts answer first).
pub async fn mount_exactly(server: &MockServer, times: u64, mock: Mock) {
    let mock = if times == 0 {
        mock.with_priority(u8::MAX)
    } else {
        mock.up_to_n_times(times)
    };
    mock.expect(times).mount(server).await;
}

/// Mount `mock` on `server` to answer `status` to the first matching request only,
/// ahead of the mocks that answer the retries.
pub async fn fail_first(server: &MockServer, status: u16, mock: MockBuilder) {
    mock.respond_with(ResponseTemplate::new(status))
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(server)
        .await;
}
