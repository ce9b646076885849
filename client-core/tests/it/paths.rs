//! Ids that cannot be path segments are refused before anything is sent.

use client_core::{Error, encode_segment};
use wiremock::MockServer;

use crate::support::*;

#[tokio::test]
async fn empty_and_dot_ids_are_refused_before_sending() {
    let server = MockServer::start().await;
    let transport = transport(&server);
    for id in ["", ".", ".."] {
        let path = format!("/candidates/{}/notes", encode_segment(id));
        let error = transport.delete(path).send_value().await.unwrap_err();
        assert!(
            matches!(&error, Error::InvalidPathSegment { endpoint } if endpoint.starts_with("DELETE /candidates/")),
            "{id:?}: {error:?}"
        );
    }
    // A path built without `encode_segment` cannot walk up either, encoded or not.
    for path in ["/candidates/../admin", "/candidates/%2E%2e/admin", "/a/./b"] {
        let error = transport.get(path).send_value().await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidPathSegment { .. }),
            "{path}: {error:?}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
