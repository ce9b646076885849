//! Throttling, retries, rate-limit headers, error bodies.

use crate::support;

use serde_json::json;
use smartrecruiters_client::{
    CLASS_CANDIDATES_LIST, CLASS_PUBLICATION, CandidateFilter, Error, NewCandidate,
    SmartRecruitersClient,
};
use support::{API_KEY, MountOnce, client, fixture, json, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::header;

#[tokio::test]
async fn throttled_requests_back_off_then_succeed() {
    let server = server().await;
    on("GET", "/candidates")
        .respond_with(ResponseTemplate::new(429).set_body_string("Too Many Requests"))
        .up_to_n_times(2)
        .with_priority(1)
        .expect(2)
        .mount(&server)
        .await;
    on("GET", "/candidates")
        .and(header("x-smarttoken", API_KEY))
        .respond_with(
            ok(json!({"content": [{"id": "c1"}]}))
                .insert_header("x-ratelimit-limit", "10")
                .insert_header("x-ratelimit-remaining", "7")
                .insert_header("x-ratelimit-concurrent-limit", "1")
                .insert_header("x-ratelimit-concurrent-remaining", "0"),
        )
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let page = client
        .candidates()
        .page(&CandidateFilter::new(), None)
        .await
        .unwrap();
    assert_eq!(page.items[0].id.as_str(), "c1");
    let status = client.rate_limit_status().unwrap();
    assert_eq!(status.limit, Some(10));
    assert_eq!(status.remaining, Some(7));
    assert_eq!(status.concurrent_limit, Some(1));
    assert_eq!(status.concurrent_remaining, Some(0));
}

#[tokio::test]
async fn a_failed_create_is_not_replayed_and_errors_are_parsed() {
    let server = server().await;
    on("POST", "/candidates")
        .once(&server, json(
            500,
            json!({"message": "Internal", "errors": [{"code": "INTERNAL_ERROR", "message": "boom"}]}),
        )).await;
    let err = client(&server)
        .candidates()
        .create(&NewCandidate::new("A", "B", "a@example.com"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(err.vendor_code(), Some("INTERNAL_ERROR"));
    let api = err.api_error().unwrap();
    assert_eq!(api.message, "Internal");
    assert_eq!(api.field_errors[0].messages, ["boom"]);
}

#[tokio::test]
async fn unauthorized_and_not_found_are_typed() {
    let server = server().await;
    on("GET", "/candidates/missing")
        .once(&server, json(404, fixture("error-legacy-v1.json")))
        .await;
    on("GET", "/candidates/secret")
        .once(&server, json(401, json!({"message": "Invalid token"})))
        .await;
    let client = client(&server);
    let missing = client
        .candidates()
        .get(&"missing".into())
        .await
        .unwrap_err();
    assert!(missing.is_not_found());
    assert_eq!(missing.vendor_code(), Some("invalid_industry"));
    let refused = client.candidates().get(&"secret".into()).await.unwrap_err();
    assert!(matches!(refused, Error::Unauthorized(_)), "{refused}");
}

#[test]
fn default_limits_match_the_documented_ones() {
    let limits = SmartRecruitersClient::default_limits();
    let credential = limits.credential();
    assert_eq!(credential.per_second.map(|n| n.get()), Some(10));
    assert_eq!(credential.max_in_flight, Some(8));
    assert_eq!(
        limits
            .class_spec(CLASS_CANDIDATES_LIST)
            .unwrap()
            .max_in_flight,
        Some(1)
    );
    assert_eq!(
        limits
            .class_spec(CLASS_PUBLICATION)
            .unwrap()
            .per_second
            .map(|n| n.get()),
        Some(2)
    );
    assert_eq!(smartrecruiters_client::DEFAULT_TIMEOUT.as_secs(), 128);
}

#[tokio::test]
async fn publication_calls_are_paced_at_two_per_second() {
    let server = server().await;
    on("DELETE", "/jobs/j1/publication")
        .respond_with(ResponseTemplate::new(204))
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    let started = std::time::Instant::now();
    for _ in 0..3 {
        client.jobs().unpublish(&"j1".into()).await.unwrap();
    }
    // Three calls at 2/s: the third waits for the second half-second slot.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn clients_of_one_credential_can_share_a_limiter() {
    let server = server().await;
    on("DELETE", "/jobs/j1/publication")
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;
    let first = client(&server);
    let second = smartrecruiters_client::SmartRecruitersClient::builder()
        .base_url(server.uri())
        .api_key(smartrecruiters_client::SecretString::from(API_KEY))
        .shared_limiter(first.transport().limiter())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    first.jobs().unpublish(&"j1".into()).await.unwrap();
    second.jobs().unpublish(&"j1".into()).await.unwrap();
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}
