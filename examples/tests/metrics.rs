//! `GET /metrics` on the server example, driven on the sandbox: one candidate moved,
//! one throttled Willo call, two refused requests, and the series an operator graphs
//! say exactly that.
//!
//! A binary of its own: the Prometheus recorder is process-wide, and the other
//! integration tests running beside it would add to the counters asserted here.

#[path = "../examples/server.rs"]
#[allow(dead_code)]
mod example;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ats_sandbox::{SandboxConfig, Vendor};
use client_core::{HttpClient, StatusCode};
use examples::Connections;
use examples::demo::SMARTRECRUITERS_TRIGGER;
use examples::server_config::ServerConfig;
use tokio::sync::oneshot;

const FAST: &str = r#"
    listen = "127.0.0.1:0"
    health_refresh_ms = 20
    [engine]
    tick_ms = 20
    reconcile_interval_secs = 60
"#;

/// One sample: metric name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// The samples of a Prometheus text exposition (comments skipped).
fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').expect("`series value`");
            let value: f64 = value.parse().expect("a number");
            let Some((name, labels)) = series.split_once('{') else {
                return (series.to_owned(), BTreeMap::new(), value);
            };
            let labels = labels
                .trim_end_matches('}')
                .split("\",")
                .filter(|pair| !pair.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once("=\"").expect("key=\"value\"");
                    (key.to_owned(), value.trim_end_matches('"').to_owned())
                })
                .collect();
            (name.to_owned(), labels, value)
        })
        .collect()
}

/// The value of the series `name` with exactly `labels`.
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let wanted: BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    samples
        .iter()
        .find(|(n, l, _)| n == name && *l == wanted)
        .map(|(_, _, v)| *v)
}

/// The sum over every series of `name` whose labels include `labels`.
fn sum(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

async fn scrape(http: &HttpClient, addr: SocketAddr) -> (String, Vec<Sample>) {
    let response = http
        .get(format!("http://{addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

/// Scrape until `done` holds, or fail after 30 s showing the last scrape.
async fn scrape_until(
    http: &HttpClient,
    addr: SocketAddr,
    what: &str,
    done: impl Fn(&[Sample]) -> bool,
) -> (String, Vec<Sample>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (text, samples) = scrape(http, addr).await;
        if done(&samples) {
            return (text, samples);
        }
        assert!(
            Instant::now() < deadline,
            "{what} not seen in time:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_a_delivery_its_invite_and_write_back_a_throttled_call_and_refusals() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let sandbox = connections.sandbox.as_ref().unwrap();
    let config = ServerConfig::from_toml(FAST).unwrap();
    let (ready, bound) = oneshot::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = example::run(config, &connections, shutdown, |addr| {
        let _ = ready.send(addr);
    });

    let drive = async {
        let addr = bound.await.expect("the server reports its address");
        let http = HttpClient::new();

        // Two refusals: a source nobody configured (counted as `unknown`, so senders
        // cannot grow the label set) and a SmartRecruiters delivery with no signature.
        let unknown = http
            .post(format!("http://{addr}/webhooks/made-up-source"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
        let unsigned = http
            .post(format!("http://{addr}/webhooks/smartrecruiters"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(unsigned.status(), StatusCode::BAD_REQUEST);

        // Willo throttles every call until the first 429 is seen; the transport waits
        // out its Retry-After (1 s) and the retry goes through.
        sandbox.inject_errors(Vendor::Willo, 1.0, 0.0);
        let sr = sandbox.smartrecruiters();
        let job = sr.jobs().remove(0);
        let candidate = sr.candidates(&job.id).remove(0);
        sr.move_candidate(&candidate, &job.id, SMARTRECRUITERS_TRIGGER, None)
            .unwrap();
        scrape_until(&http, addr, "a Willo 429", |s| {
            sum(s, "vendor_http_rate_limited_total", &[("vendor", "willo")]) >= 1.0
        })
        .await;
        sandbox.inject_errors(Vendor::Willo, 0.0, 0.0);

        let (text, s) = scrape_until(&http, addr, "the row synced", |s| {
            value(s, "ats_bridge_ledger_rows", &[("state", "synced")]) == Some(1.0)
                && value(s, "ats_bridge_inbox_backlog", &[]) == Some(0.0)
        })
        .await;

        // Intake.
        let received = |source, outcome| {
            value(
                &s,
                "ats_bridge_webhook_deliveries_received_total",
                &[("source", source), ("outcome", outcome)],
            )
        };
        assert_eq!(
            received("smartrecruiters", "stored"),
            Some(1.0),
            "the move: {text}"
        );
        assert_eq!(
            received("smartrecruiters", "handshake"),
            Some(1.0),
            "the subscription's activation: {text}"
        );
        assert_eq!(
            value(
                &s,
                "ats_bridge_webhook_deliveries_refused_total",
                &[("source", "unknown"), ("reason", "unknown_source")]
            ),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            value(
                &s,
                "ats_bridge_webhook_deliveries_refused_total",
                &[("source", "smartrecruiters"), ("reason", "missing_header")]
            ),
            Some(1.0),
            "{text}"
        );
        assert!(!text.contains("made-up-source"), "no sender-chosen label");

        // Engine: one invite sent, one write-back, the ledger and the inbox.
        let sr_outcome = |name, outcome| {
            value(
                &s,
                name,
                &[("ats", "smartrecruiters"), ("outcome", outcome)],
            )
        };
        assert_eq!(
            sr_outcome("ats_bridge_invites_total", "sent"),
            Some(1.0),
            "{text}"
        );
        assert_eq!(
            sr_outcome("ats_bridge_invites_total", "failed"),
            None,
            "{text}"
        );
        assert_eq!(
            sr_outcome("ats_bridge_write_backs_total", "written"),
            Some(1.0),
            "{text}"
        );
        for state in ["pending", "invited", "responded", "cancelled", "failed"] {
            assert_eq!(
                value(&s, "ats_bridge_ledger_rows", &[("state", state)]),
                Some(0.0),
                "{state}: {text}"
            );
        }
        assert_eq!(
            value(&s, "ats_bridge_inbox_oldest_age_seconds", &[]),
            Some(0.0)
        );
        assert!(
            sum(
                &s,
                "ats_bridge_reconcile_pass_seconds_count",
                &[("outcome", "ok")]
            ) >= 1.0,
            "the pass at start: {text}"
        );

        // Vendors: the throttled call, its retry, requests by class and status, the
        // limiter's waits, the credentials.
        let rate_limited = sum(&s, "vendor_http_rate_limited_total", &[("vendor", "willo")]);
        assert!(rate_limited >= 1.0, "{text}");
        assert_eq!(
            sum(
                &s,
                "vendor_http_requests_total",
                &[("vendor", "willo"), ("status", "429")]
            ),
            rate_limited,
            "every 429 is a request too"
        );
        assert!(
            sum(
                &s,
                "vendor_http_retries_total",
                &[("vendor", "willo"), ("reason", "rate_limited")]
            ) >= 1.0,
            "{text}"
        );
        assert!(
            sum(
                &s,
                "vendor_http_requests_total",
                &[("vendor", "willo"), ("status", "201")]
            ) >= 1.0,
            "the invite: {text}"
        );
        assert!(
            sum(
                &s,
                "vendor_http_requests_total",
                &[
                    ("vendor", "smartrecruiters"),
                    ("class", "default"),
                    ("status", "200")
                ]
            ) >= 1.0,
            "{text}"
        );
        assert!(
            sum(
                &s,
                "vendor_http_limiter_wait_seconds_count",
                &[("vendor", "willo")]
            ) >= 2.0,
            "{text}"
        );
        for vendor in ["willo", "smartrecruiters"] {
            assert_eq!(
                value(&s, "vendor_credentials_valid", &[("vendor", vendor)]),
                Some(1.0),
                "{vendor}: {text}"
            );
        }
        // Help lines for Grafana's metric browser.
        assert!(text.contains("# HELP ats_bridge_invites_total "), "{text}");
        assert!(
            text.contains("# TYPE vendor_http_limiter_wait_seconds histogram"),
            "{text}"
        );

        // Readiness agrees: the store answers, the credentials were accepted.
        let ready = http
            .get(format!("http://{addr}/health/ready"))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), StatusCode::OK);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["credentials"]["willo"], "valid", "{body}");
        assert_eq!(body["inbox"]["stuck"], false, "{body}");
        stop.send(()).unwrap();
    };
    let (result, ()) = tokio::join!(server, drive);
    result.expect("a graceful stop returns Ok");
    connections.close().await;
}
