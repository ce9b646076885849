//! `test-support`: what the HTTP tests of client-core, the clients and the bridge
//! share: wiremock helpers and retries fast enough for tests. Unpublished
//! (`publish = false`): the crates take it as a path-only dev-dependency, which
//! `cargo publish` leaves out.

use std::future::Future;
use std::time::Duration;

use client_core::RetryPolicy;

use wiremock::matchers::{method, path};
use wiremock::{Match, Mock, MockBuilder, MockServer, Request, ResponseTemplate};

/// The usual end of a mock in these tests: answer `reply`, and fail the test unless
/// exactly one request matched (wiremock checks `expect` when the server drops).
pub trait MountOnce {
    /// Mounts `self` on `server`, answering `reply`, expected exactly once.
    fn once(self, server: &MockServer, reply: ResponseTemplate) -> impl Future<Output = ()>;
}

impl MountOnce for MockBuilder {
    async fn once(self, server: &MockServer, reply: ResponseTemplate) {
        self.respond_with(reply).expect(1).mount(server).await;
    }
}

/// A mock matching `verb` on exactly `at`, the start of most mocks.
pub fn on(verb: &str, at: impl Into<String>) -> MockBuilder {
    Mock::given(method(verb)).and(path(at))
}

/// Retries after a millisecond, at most five apart, without jitter: a retried call
/// finishes at once, in the same order every run.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        jitter: false,
        ..RetryPolicy::default()
    }
}

/// An HTTP client whose every request carries `x-injected: yes`: the tests of
/// `.http_client(..)` match on it to see the injected client was the one used.
pub fn injected_http_client() -> client_core::HttpClient {
    let mut headers = client_core::header::HeaderMap::new();
    headers.insert(
        "x-injected",
        client_core::header::HeaderValue::from_static("yes"),
    );
    client_core::HttpClient::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// Matches when the query string holds exactly these pairs (in any order).
pub struct QueryIs(pub Vec<(&'static str, &'static str)>);

impl Match for QueryIs {
    fn matches(&self, request: &Request) -> bool {
        let mut got: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let mut want: Vec<(String, String)> = self
            .0
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        got.sort();
        want.sort();
        got == want
    }
}
