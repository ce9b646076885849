//! Client-side rate limits as the server sees them.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use client_core::{LimitSpec, RateLimits, Transport};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

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
