//! The wiremock helpers the clients' integration tests share. It is not a crate (a crate
//! would be one more package to version and publish for a few lines): each crate's
//! `tests/it/support/mod.rs` includes this file with `#[path]`.

use std::future::Future;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

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
