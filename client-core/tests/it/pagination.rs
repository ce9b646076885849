//! A listing through a client ends on a cursor cycle and at the client's page cap.

use client_core::{Error, SecretString};
use futures::StreamExt;
use lever_client::LeverClient;
use serde_json::json;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::fast_retries;

/// `/stages` pages: first → `a` → `b` → `a` again.
async fn cycling_stages() -> MockServer {
    let server = MockServer::start().await;
    let page = |id: &str, next: &str| {
        ResponseTemplate::new(200)
            .set_body_json(json!({"data": [{"id": id, "text": id}], "hasNext": true, "next": next}))
    };
    Mock::given(method("GET"))
        .and(path("/stages"))
        .and(query_param_is_missing("offset"))
        .respond_with(page("first", "a"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/stages"))
        .and(query_param("offset", "a"))
        .respond_with(page("after-a", "b"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/stages"))
        .and(query_param("offset", "b"))
        .respond_with(page("after-b", "a"))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, max_pages: Option<usize>) -> LeverClient {
    let builder = LeverClient::builder()
        .base_url(server.uri())
        .api_key(SecretString::from("key"))
        .retry_policy(fast_retries());
    match max_pages {
        Some(max) => builder.max_pages(max),
        None => builder,
    }
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_cursor_cycle_ends_the_listing_with_an_error() {
    let server = cycling_stages().await;
    let results: Vec<_> = client(&server, None).stages().list().collect().await;
    let ids: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(ids, ["first", "after-a", "after-b"]);
    assert!(
        matches!(results.last(), Some(Err(Error::PaginationLoop { page: 3 }))),
        "{results:?}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn the_client_page_cap_ends_a_long_listing() {
    let server = cycling_stages().await;
    let results: Vec<_> = client(&server, Some(2)).stages().list().collect().await;
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(matches!(
        results.last(),
        Some(Err(Error::TooManyPages { max_pages: 2 }))
    ));
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}
