//! `GET /health` for load balancers and monitoring: 200 with the ledger's row counts
//! per state while the store answers, 503 when it does not. Counts only — the
//! endpoint is usually unauthenticated, so it must not reveal who is in the pipeline.

use std::collections::BTreeMap;
use std::sync::Arc;

use ats_bridge::store::{RowState, Store};
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

/// A router answering `GET /health` from `store`; merge it with the intake's.
pub fn health_router(store: Arc<dyn Store>) -> Router {
    Router::new()
        .route("/health", get(health))
        .with_state(store)
}

async fn health(State(store): State<Arc<dyn Store>>) -> (StatusCode, Json<Health>) {
    match store.status().await {
        Ok(report) => {
            let rows = RowState::ALL
                .into_iter()
                .map(|state| {
                    let count = report.by_state.get(&state).copied().unwrap_or(0);
                    (state.as_str().to_owned(), count)
                })
                .collect();
            let health = Health {
                status: "ok".to_owned(),
                rows,
            };
            (StatusCode::OK, Json(health))
        }
        Err(error) => {
            tracing::error!(%error, "health check: the store failed");
            let health = Health {
                status: "store unavailable".to_owned(),
                rows: BTreeMap::new(),
            };
            (StatusCode::SERVICE_UNAVAILABLE, Json(health))
        }
    }
}
