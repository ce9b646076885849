//! The transport against a local mock server: auth, retries, limits, errors, the escape hatch.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use client_core::auth::{AccessToken, OAuthBearer, StaticHeader, TokenSource};
use client_core::header::AUTHORIZATION;
use client_core::{
    Error, Idempotency, LimitSpec, Method, RateLimits, RetryPolicy, SecretString, Transport,
};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        jitter: false,
        ..RetryPolicy::default()
    }
}

fn transport(server: &MockServer) -> Transport {
    Transport::builder("test")
        .base_url(format!("{}/api/v2", server.uri()))
        .auth(Arc::new(StaticHeader::new(
            AUTHORIZATION,
            None,
            SecretString::from("k-123"),
        )))
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

#[tokio::test]
async fn get_sends_auth_query_and_decodes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/interviews/"))
        .and(header("authorization", "k-123"))
        .and(header("accept", "application/json"))
        .and(query_param("page_size", "30"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0, "results": []})))
        .expect(1)
        .mount(&server)
        .await;
    let body: Value = transport(&server)
        .get("/interviews/")
        .query("page_size", 30)
        .send()
        .await
        .unwrap();
    assert_eq!(body["count"], 0);
}

#[tokio::test(start_paused = true)]
async fn throttled_call_waits_for_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/things/"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/things/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
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
    Mock::given(method("POST"))
        .and(path("/api/v2/participants/"))
        .respond_with(ResponseTemplate::new(500).set_body_string("boom"))
        .expect(1)
        .mount(&server)
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

    Mock::given(method("POST"))
        .and(path("/api/v2/search/"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/search/"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([1])))
        .expect(1)
        .mount(&server)
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
    let err = transport(&server)
        .get("/x/")
        .send_value()
        .await
        .unwrap_err();
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

#[tokio::test]
async fn drf_field_errors_and_request_id_reach_the_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", "req-42")
                .set_body_json(json!({"name": ["This field is required."]})),
        )
        .mount(&server)
        .await;
    let err = transport(&server)
        .post("/participants/")
        .json(&json!({}))
        .send_value()
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(
        api.field("name").unwrap().messages,
        ["This field is required."]
    );
    assert_eq!(api.request_id.as_deref(), Some("req-42"));
    assert_eq!(api.endpoint, "POST /api/v2/participants/");
    assert!(api.body_excerpt.contains("This field is required."));
}

#[tokio::test]
async fn decode_errors_name_the_json_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"results": [{"n": 1}, {"n": "two"}]})),
        )
        .mount(&server)
        .await;
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Envelope {
        results: Vec<Item>,
    }
    let err = transport(&server)
        .get("/x/")
        .send::<Envelope>()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { path, .. } if path == "results[1].n"),
        "{err:?}"
    );
}

#[tokio::test]
async fn request_json_escape_hatch_reuses_auth() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path("/api/v2/webhooks/abc/"))
        .and(header("authorization", "k-123"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"url": "https://example.com/h"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"key": "abc"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v2/webhooks/abc/"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let client = transport(&server);
    let updated = client
        .request_json(
            Method::PATCH,
            "/webhooks/abc/",
            Some(&json!({"url": "https://example.com/h"})),
        )
        .await
        .unwrap();
    assert_eq!(updated["key"], "abc");
    let deleted = client
        .request_json(Method::DELETE, "/webhooks/abc/", None)
        .await
        .unwrap();
    assert_eq!(deleted, Value::Null);
}

/// Hands out `token-1`, `token-2`… and counts how often it was asked.
#[derive(Debug, Default)]
struct Tokens(AtomicUsize);

#[async_trait]
impl TokenSource for Tokens {
    async fn fetch_token(&self) -> client_core::Result<AccessToken> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(AccessToken::new(
            SecretString::from(format!("token-{n}")),
            None,
        ))
    }
}

#[tokio::test]
async fn a_refused_bearer_token_is_renewed_once_and_the_call_repeated() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"message": "expired"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .expect(1)
        .mount(&server)
        .await;
    let tokens = Arc::new(Tokens::default());
    let client = Transport::builder("test")
        .base_url(server.uri())
        .auth(Arc::new(OAuthBearer::new(tokens.clone())))
        .build()
        .unwrap();
    // A POST too: a 401 means nothing was done, so repeating is safe.
    let body = client
        .post("/notes")
        .json(&json!({}))
        .send_value()
        .await
        .unwrap();
    assert_eq!(body["ok"], 1);
    assert_eq!(tokens.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_key_that_stays_refused_is_an_unauthorized_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."})))
        .expect(1)
        .mount(&server)
        .await;
    let err = transport(&server)
        .get("/x/")
        .send_value()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized(api) if api.message == "Invalid token."),
        "{err:?}"
    );
    assert!(!err.to_string().contains("k-123"));
}

/// Records when each request arrived.
struct Stamps(Arc<Mutex<Vec<Instant>>>);

impl Respond for Stamps {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.lock().unwrap().push(Instant::now());
        ResponseTemplate::new(200).set_body_json(json!({}))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limiter_never_exceeds_its_rate_at_the_server() {
    let server = MockServer::start().await;
    let stamps = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .respond_with(Stamps(stamps.clone()))
        .mount(&server)
        .await;
    let client = Transport::builder("test")
        .base_url(server.uri())
        .rate_limits(RateLimits::new(
            LimitSpec::default().per_second(50).max_in_flight(4),
        ))
        .build()
        .unwrap();
    let calls: Vec<_> = (0..30)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get("/x").send_value().await.unwrap() })
        })
        .collect();
    for call in calls {
        call.await.unwrap();
    }
    let stamps = stamps.lock().unwrap().clone();
    assert_eq!(stamps.len(), 30);
    // 50/s with no burst: any 11 consecutive arrivals span at least 200 ms, less a
    // little scheduling slack.
    for window in stamps.windows(11) {
        let span = window[10] - window[0];
        assert!(
            span >= Duration::from_millis(190),
            "11 requests within {span:?}"
        );
    }
}

#[tokio::test]
async fn pagination_links_to_other_hosts_are_refused() {
    let server = MockServer::start().await;
    let client = transport(&server);
    let err = client
        .get_url("https://attacker.example/steal")
        .map(drop)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
    Mock::given(method("GET"))
        .and(path("/api/v2/interviews/"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"page": 2})))
        .expect(1)
        .mount(&server)
        .await;
    let next = format!("{}/api/v2/interviews/?page=2", server.uri());
    let body = client.get_url(&next).unwrap().send_value().await.unwrap();
    assert_eq!(body["page"], 2);
}

#[test]
fn debug_of_a_transport_shows_no_secret() {
    let client = Transport::builder("test")
        .base_url("https://api.example.com")
        .auth(Arc::new(StaticHeader::new(
            AUTHORIZATION,
            Some("Bearer"),
            SecretString::from("hunter2-key"),
        )))
        .build()
        .unwrap();
    let text = format!("{client:?}");
    assert!(text.contains("api.example.com"));
    assert!(!text.contains("hunter2-key"), "{text}");
}

#[tokio::test]
async fn an_injected_client_sends_with_its_own_headers_and_the_transports_defaults() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/interviews/"))
        .and(header("authorization", "k-123"))
        .and(header("accept", "application/json"))
        .and(header("x-proxy", "corp"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    let mut headers = client_core::header::HeaderMap::new();
    headers.insert(
        "x-proxy",
        client_core::header::HeaderValue::from_static("corp"),
    );
    let http = client_core::HttpClient::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let transport = Transport::builder("test")
        .base_url(format!("{}/api/v2", server.uri()))
        .auth(Arc::new(StaticHeader::new(
            AUTHORIZATION,
            None,
            SecretString::from("k-123"),
        )))
        .http_client(http)
        .build()
        .unwrap();
    let body: Value = transport.get("/interviews/").send().await.unwrap();
    assert_eq!(body["ok"], true);
}
