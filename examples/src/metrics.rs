//! `GET /metrics`: everything the bridge and the vendor clients record through the
//! `metrics` facade, in Prometheus' text format.
//!
//! The recorder is `metrics-exporter-prometheus` without its own HTTP listener: the
//! route lives on the server's axum router, next to the webhooks and `/health`. The
//! names are documented in [`ats_bridge::metrics`] and [`client_core::metrics`] and
//! listed in the README ("Metrics").
//!
//! A scrape only renders what is in memory. The gauges read from the store (rows per
//! state, the inbox backlog) are set by the health board's background refresh
//! ([`crate::health`]), never by a scrape.

use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// The content type of Prometheus' text exposition format.
pub const CONTENT_TYPE_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Histogram buckets for the `…_seconds` metrics: limiter waits are milliseconds to
/// seconds, reconcile passes seconds to minutes.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// How often histogram samples are folded into their buckets (the exporter's
/// "upkeep"; without it their memory grows between scrapes).
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

static INSTALLED: Mutex<Option<PrometheusHandle>> = Mutex::new(None);

/// Install the Prometheus recorder as the process' metrics recorder (once: later
/// calls return the same handle), describe every metric, and start its upkeep on the
/// current tokio runtime.
///
/// Fails when another recorder was installed first.
pub fn install() -> crate::Result<PrometheusHandle> {
    let mut installed = INSTALLED
        .lock()
        .map_err(|_| "the metrics recorder lock is poisoned")?;
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)?
        .install_recorder()?;
    *installed = Some(handle.clone());
    ats_bridge::metrics::describe();
    client_core::metrics::describe();
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(UPKEEP_EVERY);
        loop {
            ticks.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(handle)
}

/// A router answering `GET /metrics` from `handle`; merge it with the intake's.
pub fn metrics_router(handle: PrometheusHandle) -> Router {
    Router::new().route(
        "/metrics",
        get(move || {
            let body = handle.render();
            async move { ([(CONTENT_TYPE, CONTENT_TYPE_TEXT)], body).into_response() }
        }),
    )
}
