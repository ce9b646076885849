//! `GET /health` for load balancers and monitoring: 200 with the ledger's row counts
//! per state while the store answers, 503 when it does not. Counts only — the
//! endpoint is usually unauthenticated, so it must not reveal who is in the pipeline.
//!
//! The counts are read in the background, every `refresh_every`, not per request:
//! counting rows per state scans the ledger, and a probe (or anyone who finds the
//! endpoint) calling it often would load the database as much as the work does. A
//! request only reads the latest answer, whatever the ledger's size.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use ats_bridge::store::{RowState, StatusReport, Store, StoreResult};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

/// The body of `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`, or `store unavailable`.
    pub status: String,
    /// Ledger rows per state (`pending`, `invited`, …, `failed`), every state listed so
    /// dashboards can graph a state before its first row.
    pub rows: BTreeMap<String, u64>,
}

impl Health {
    fn from_report(report: &StatusReport) -> Self {
        let rows = RowState::ALL
            .into_iter()
            .map(|state| {
                let count = report.by_state.get(&state).copied().unwrap_or(0);
                (state.as_str().to_owned(), count)
            })
            .collect();
        Self {
            status: "ok".to_owned(),
            rows,
        }
    }

    fn unavailable() -> Self {
        Self {
            status: "store unavailable".to_owned(),
            rows: BTreeMap::new(),
        }
    }
}

/// Where the counts come from (the store's status, or a test's stand-in).
type StatusSource =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = StoreResult<StatusReport>> + Send>> + Send + Sync>;

/// The latest answer, refreshed by a background task for as long as the board lives.
#[derive(Debug)]
pub struct HealthBoard {
    latest: RwLock<Health>,
}

impl HealthBoard {
    /// Read `source` now, then every `refresh_every` on a task of its own, which ends
    /// when the returned board is dropped.
    async fn start(source: StatusSource, refresh_every: Duration) -> Arc<Self> {
        let board = Arc::new(Self {
            latest: RwLock::new(read(&source).await),
        });
        let weak = Arc::downgrade(&board);
        tokio::spawn(refresh(weak, source, refresh_every));
        board
    }

    /// The latest answer.
    pub fn current(&self) -> Health {
        self.latest
            .read()
            .map(|health| health.clone())
            .unwrap_or_else(|_| Health::unavailable())
    }
}

async fn read(source: &StatusSource) -> Health {
    match source().await {
        Ok(report) => Health::from_report(&report),
        Err(error) => {
            tracing::error!(%error, "health check: the store failed");
            Health::unavailable()
        }
    }
}

async fn refresh(board: Weak<HealthBoard>, source: StatusSource, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let health = read(&source).await;
        let Some(board) = board.upgrade() else {
            return;
        };
        if let Ok(mut latest) = board.latest.write() {
            *latest = health;
        }
    }
}

/// A router answering `GET /health` from `store`'s counts, read every
/// `refresh_every`; merge it with the intake's. The first read happens before it
/// returns, so the first request already has counts.
pub async fn health_router(store: Arc<dyn Store>, refresh_every: Duration) -> Router {
    let source: StatusSource = Arc::new(move || {
        let store = store.clone();
        Box::pin(async move { store.status().await })
    });
    Router::new()
        .route("/health", get(health))
        .with_state(HealthBoard::start(source, refresh_every).await)
}

async fn health(State(board): State<Arc<HealthBoard>>) -> (StatusCode, Json<Health>) {
    let health = board.current();
    let status = if health.status == "ok" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use ats_bridge::store::StoreError;

    use super::*;

    /// A source counting its reads, failing once `fail` is set.
    fn counting(reads: Arc<AtomicUsize>, fail: Arc<AtomicUsize>) -> StatusSource {
        Arc::new(move || {
            reads.fetch_add(1, Ordering::SeqCst);
            let failing = fail.load(Ordering::SeqCst) > 0;
            Box::pin(async move {
                if failing {
                    Err(StoreError::Backend("down".into()))
                } else {
                    let mut report = StatusReport::default();
                    report.by_state.insert(RowState::Synced, 3);
                    Ok(report)
                }
            })
        })
    }

    #[tokio::test(start_paused = true)]
    async fn requests_read_the_latest_counts_and_never_the_store() {
        let (reads, fail) = (Arc::default(), Arc::default());
        let every = Duration::from_secs(5);
        let board =
            HealthBoard::start(counting(Arc::clone(&reads), Arc::clone(&fail)), every).await;
        for _ in 0..1_000 {
            assert_eq!(board.current().rows.get("synced"), Some(&3));
        }
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "one read, however many requests"
        );

        // The store goes down: the next refresh says so.
        fail.store(1, Ordering::SeqCst);
        tokio::time::sleep(every + Duration::from_millis(1)).await;
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        assert_eq!(board.current().status, "store unavailable");
    }

    #[tokio::test(start_paused = true)]
    async fn the_refresh_stops_with_the_board() {
        let (reads, fail) = (Arc::new(AtomicUsize::new(0)), Arc::default());
        let every = Duration::from_secs(1);
        let board = HealthBoard::start(counting(Arc::clone(&reads), fail), every).await;
        drop(board);
        tokio::time::sleep(every * 5).await;
        assert!(reads.load(Ordering::SeqCst) <= 2, "the task ended");
    }
}
