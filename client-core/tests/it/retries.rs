//! Retries: waiting out `Retry-After`, never replaying a non-idempotent call unless
//! guarded, giving up, and the budget that stops retry storms.

use std::sync::Arc;
use std::time::Duration;

use client_core::{Idempotency, Transport};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn throttled_call_waits_for_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    on("GET", "/things/")
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    on("GET", "/things/")
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"ok": true})),
        )
        .await;
    // No timers but the retry wait: on a paused clock tokio jumps to the next timer
    // while the socket is waited on, so a request timeout or the pool's idle timer
    // would be that timer.
    let http = reqwest::Client::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    let client = Transport::builder("test")
        .base_url(server.uri())
        .retry_policy(fast_retries())
        .http_client(http)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let body: Value = client.get("/things/").send().await.unwrap();
    assert_eq!(body["ok"], true);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(7), "waited only {waited:?}");
    assert!(waited < Duration::from_secs(8), "waited {waited:?}");
}

#[tokio::test]
async fn post_is_not_replayed_after_500_but_guarded_post_is() {
    let server = MockServer::start().await;
    on("POST", "/api/v2/participants/")
        .once(&server, ResponseTemplate::new(500).set_body_string("boom"))
        .await;
    let client = transport(&server);
    let err = client
        .post("/participants/")
        .json(&json!({"name": "x"}))
        .send_value()
        .await
        .unwrap_err();
    assert_eq!(
        err.status(),
        Some(client_core::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert!(err.is_transient());
    server.verify().await;
    server.reset().await;

    on("POST", "/api/v2/search/")
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    on("POST", "/api/v2/search/")
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!([1])),
        )
        .await;
    let found: Vec<u32> = client
        .post("/search/")
        .json(&json!({}))
        .idempotency(Idempotency::Guarded)
        .send()
        .await
        .unwrap();
    assert_eq!(found, [1]);
}

#[tokio::test]
async fn idempotent_get_gives_up_after_max_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502))
        .expect(4)
        .mount(&server)
        .await;
    let err = get_fails(&server).await;
    assert_eq!(err.status(), Some(client_core::StatusCode::BAD_GATEWAY));
}

#[tokio::test]
async fn retry_budget_stops_retry_storms() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let client = Transport::builder("test")
        .base_url(server.uri())
        .retry_policy(fast_retries())
        // Room for exactly two retries in total.
        .retry_budget(Arc::new(client_core::RetryBudget::new(10, 5, 10, 1)))
        .build()
        .unwrap();
    for _ in 0..3 {
        assert!(client.get("/x").send_value().await.is_err());
    }
    // 3 first attempts + 2 paid retries.
    assert_eq!(server.received_requests().await.unwrap().len(), 5);
}
