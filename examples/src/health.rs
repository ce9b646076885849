//! Health endpoints for load balancers, orchestrators and monitoring. Counts and
//! states only — they are usually unauthenticated, so they must not reveal who is in
//! the pipeline.
//!
//! | route | answers | use it as |
//! |---|---|---|
//! | `GET /health/live` | 200 `{"status":"ok"}` while the process serves requests; no I/O | liveness probe (restart when it fails) |
//! | `GET /health/ready` | 200 when the store answered its last read, no vendor refused the credentials last time it was called, and the oldest unprocessed delivery is younger than [`HealthChecks::inbox_stuck_after`]; else 503, saying which check failed | readiness probe (take out of rotation, alert) |
//! | `GET /health` | 200 with the ledger's row counts per state while the store answers, 503 when it does not | dashboards, the original endpoint |
//!
//! In the server's connections mode ([`HealthChecks::fleet`]) both `/health` and
//! `/health/ready` add the fleet's roll-up under `connections` ([`ConnectionsRollup`]):
//! connections per state, how many are unhealthy, and the deliveries held for paused
//! connections or those needing credentials; rows are the totals of every connection.
//! Readiness fails when the store does not answer or the oldest delivery of an
//! *active* connection is stuck. A connection needing credentials does **not** make
//! the bridge unready: it is one customer's revoked grant, which no restart or other
//! replica can fix, and taking the bridge out of rotation would refuse every other
//! customer's webhooks too. It shows in the body, in `unhealthy`, and in the
//! `ats_bridge_connections{state}` gauge, where an alert belongs. The same holds for
//! an active connection whose credentials a vendor refuses right now (a revoked API
//! key): its work is parked. Deliveries held for such connections, or paused ones,
//! wait on purpose, so they never count as stuck.
//!
//! The store is read in the background, every `refresh_every`, not per request:
//! counting rows per state scans the ledger, and a probe (or anyone who finds the
//! endpoint) calling it often would load the database as much as the work does. A
//! request only reads the latest answer, whatever the ledger's size. The same read
//! sets the ledger and inbox gauges of `GET /metrics` ([`ats_bridge::metrics`]).

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

use ats_bridge::connection::{ConnectionState, ConnectionStatus, Fleet, FleetStatus};
use ats_bridge::store::{InboxBacklog, RowState, StatusReport, Store};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use client_core::webhook::{Clock, SystemClock};
use client_core::{CredentialState, Transport};
use serde::{Deserialize, Serialize};

/// How long the oldest unprocessed delivery may wait before `/health/ready` calls the
/// inbox stuck, unless configured. Deliveries are normally processed within a second
/// of arriving; ten minutes leaves room for a vendor outage's retries.
pub const DEFAULT_INBOX_STUCK_AFTER: Duration = Duration::from_secs(600);

/// The body of `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`, or `store unavailable`.
    pub status: String,
    /// Ledger rows per state (`pending`, `invited`, …, `failed`), every state listed so
    /// dashboards can graph a state before its first row.
    pub rows: BTreeMap<String, u64>,
    /// Connections mode: the fleet's roll-up (counts only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<ConnectionsRollup>,
}

/// The fleet's connections, counted (never named: `/health` is usually open).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionsRollup {
    /// Connections per state (`active`, `paused`, `needs_credentials`), every state
    /// listed.
    pub by_state: BTreeMap<String, u64>,
    /// Connections needing credentials, with a credential a vendor refuses, or with an
    /// error in their last work (`GET /admin/fleet` says which).
    pub unhealthy: u64,
    /// Deliveries kept for paused connections, those needing credentials and those
    /// whose credentials a vendor refuses right now: they wait on purpose until the
    /// connection works again, and never count as stuck.
    pub inbox_held: u64,
}

/// Whether `connection`'s work runs now: active, and no credential refused (else its
/// deliveries are held on purpose).
fn works(connection: &ConnectionStatus) -> bool {
    connection.state == ConnectionState::Active && connection.credential_outages.is_empty()
}

impl ConnectionsRollup {
    fn from_status(status: &FleetStatus) -> Self {
        let mut by_state: BTreeMap<String, u64> = [
            ConnectionState::Active,
            ConnectionState::Paused,
            ConnectionState::NeedsCredentials,
        ]
        .into_iter()
        .map(|state| (state.as_str().to_owned(), 0))
        .collect();
        for (state, count) in &status.connections_by_state {
            *by_state.entry(state.clone()).or_default() += count;
        }
        Self {
            by_state,
            unhealthy: status.unhealthy().count() as u64,
            inbox_held: status
                .connections
                .iter()
                .filter(|c| !works(c))
                .map(|c| c.inbox_pending)
                .sum(),
        }
    }
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
            connections: None,
        }
    }

    fn unavailable() -> Self {
        Self {
            status: "store unavailable".to_owned(),
            rows: BTreeMap::new(),
            connections: None,
        }
    }
}

/// The body of `GET /health/ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    /// `ready`, or `not ready`.
    pub status: String,
    /// `ok`, or `unavailable` when the last background read of the store failed.
    pub store: String,
    /// Each vendor connection's credentials as last observed: `valid`, `unknown` (not
    /// called yet) or `rejected`. Only `rejected` makes the service not ready.
    pub credentials: BTreeMap<String, String>,
    /// The inbox as last read (connections mode: the deliveries of the connections
    /// whose work runs).
    pub inbox: InboxReadiness,
    /// Connections mode: the fleet's roll-up, which never makes the bridge unready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<ConnectionsRollup>,
}

/// The inbox part of [`Readiness`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxReadiness {
    /// Deliveries not processed yet (at the last read).
    pub pending: u64,
    /// How long the oldest of them has waited, now.
    pub oldest_age_seconds: u64,
    /// Whether that is longer than the configured threshold.
    pub stuck: bool,
}

/// One store read: the ledger's counts and the inbox's backlog (and in connections
/// mode the fleet's roll-up).
#[derive(Debug, Clone, Default)]
struct Reading {
    report: StatusReport,
    inbox: InboxBacklog,
    connections: Option<ConnectionsRollup>,
}

impl Reading {
    /// The totals of `status`, read at `now_ms`. The inbox is that of the connections
    /// whose work runs (the others' deliveries wait on purpose); its oldest arrival is
    /// recovered from the age so that readiness keeps computing the age at request
    /// time.
    fn from_fleet(status: &FleetStatus, now_ms: i64) -> Self {
        let mut report = StatusReport::default();
        for (state, count) in &status.rows {
            if let Some(state) = RowState::parse(state) {
                report.by_state.insert(state, *count);
            }
        }
        let working = status.connections.iter().filter(|c| works(c));
        let (pending, oldest_age_ms) = working.fold((0, 0), |(pending, oldest), c| {
            (pending + c.inbox_pending, oldest.max(c.inbox_oldest_age_ms))
        });
        let oldest_age_ms = i64::try_from(oldest_age_ms).unwrap_or(i64::MAX);
        Self {
            report,
            inbox: InboxBacklog::new(
                pending,
                (pending > 0).then(|| now_ms.saturating_sub(oldest_age_ms)),
            ),
            connections: Some(ConnectionsRollup::from_status(status)),
        }
    }
}

/// Why a reading failed (logged, never shown: it can name the database).
type ReadError = Box<dyn std::error::Error + Send + Sync>;

/// Where the readings come from (the store, the fleet, or a test's stand-in).
type ReadingSource =
    Arc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<Reading, ReadError>> + Send>> + Send + Sync>;

/// A vendor connection's last observed credential state.
type CredentialCheck = Arc<dyn Fn() -> CredentialState + Send + Sync>;

/// The latest store reading (`None` when the last read failed), refreshed by a
/// background task for as long as the board lives.
#[derive(Debug)]
struct HealthBoard {
    latest: RwLock<Option<(Health, InboxBacklog)>>,
}

impl HealthBoard {
    /// Read `source` now, then every `refresh_every` on a task of its own, which ends
    /// when the returned board is dropped.
    async fn start(source: ReadingSource, refresh_every: Duration) -> Arc<Self> {
        let board = Arc::new(Self {
            latest: RwLock::new(read(&source).await),
        });
        let weak = Arc::downgrade(&board);
        tokio::spawn(refresh(weak, source, refresh_every));
        board
    }

    /// The latest answer.
    fn current(&self) -> Option<(Health, InboxBacklog)> {
        self.latest.read().ok().and_then(|latest| latest.clone())
    }
}

async fn read(source: &ReadingSource) -> Option<(Health, InboxBacklog)> {
    match source().await {
        Ok(reading) => {
            ats_bridge::metrics::record_status(&reading.report);
            let now_ms = i64::try_from(SystemClock.now_millis()).unwrap_or(i64::MAX);
            ats_bridge::metrics::record_inbox(&reading.inbox, now_ms);
            let mut health = Health::from_report(&reading.report);
            health.connections = reading.connections;
            Some((health, reading.inbox))
        }
        Err(error) => {
            tracing::error!(%error, "health check: the store failed");
            None
        }
    }
}

async fn refresh(board: Weak<HealthBoard>, source: ReadingSource, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let reading = read(&source).await;
        let Some(board) = board.upgrade() else {
            return;
        };
        if let Ok(mut latest) = board.latest.write() {
            *latest = reading;
        }
    }
}

/// What the health endpoints check, and how often the store is read. Build it, then
/// [`HealthChecks::router`].
///
/// ```no_run
/// # async fn demo(store: std::sync::Arc<dyn ats_bridge::store::Store>, willo: willo_client::WilloClient) {
/// use std::time::Duration;
/// use examples::health::HealthChecks;
///
/// let health = HealthChecks::new(store)
///     .refresh_every(Duration::from_secs(5))
///     .inbox_stuck_after(Duration::from_secs(600))
///     .transport("willo", willo.transport().clone())
///     .router()
///     .await;
/// # let _: axum::Router = health;
/// # }
/// ```
pub struct HealthChecks {
    source: ReadingSource,
    refresh_every: Duration,
    inbox_stuck_after: Duration,
    credentials: Vec<(String, CredentialCheck)>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for HealthChecks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HealthChecks")
            .field("refresh_every", &self.refresh_every)
            .field("inbox_stuck_after", &self.inbox_stuck_after)
            .field(
                "credentials",
                &self.credentials.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl HealthChecks {
    /// Checks reading `store` every 5 s, calling the inbox stuck after
    /// [`DEFAULT_INBOX_STUCK_AFTER`], with no credentials to watch yet.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let source: ReadingSource = Arc::new(move || {
            let store = store.clone();
            Box::pin(async move {
                Ok(Reading {
                    report: store.status().await?,
                    inbox: store.inbox_backlog().await?,
                    connections: None,
                })
            })
        });
        Self::from_source(source)
    }

    /// Checks reading `fleet`'s status (every connection's rows and inbox, two store
    /// reads per connection: with many connections, refresh less often) every 5 s,
    /// reporting the roll-up described in the module docs.
    pub fn fleet(fleet: Fleet) -> Self {
        let source: ReadingSource = Arc::new(move || {
            let fleet = fleet.clone();
            Box::pin(async move {
                let status = fleet.status().await?;
                let now_ms = i64::try_from(SystemClock.now_millis()).unwrap_or(i64::MAX);
                Ok(Reading::from_fleet(&status, now_ms))
            })
        });
        Self::from_source(source)
    }

    fn from_source(source: ReadingSource) -> Self {
        Self {
            source,
            refresh_every: Duration::from_secs(5),
            inbox_stuck_after: DEFAULT_INBOX_STUCK_AFTER,
            credentials: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }

    /// How often the store is read (requests only read the latest answer).
    pub fn refresh_every(mut self, every: Duration) -> Self {
        self.refresh_every = every;
        self
    }

    /// How long the oldest unprocessed delivery may wait before the service is not
    /// ready.
    pub fn inbox_stuck_after(mut self, after: Duration) -> Self {
        self.inbox_stuck_after = after;
        self
    }

    /// Watch the credentials of the vendor connection `name` behind `transport`
    /// (as its last answer showed them: readiness never calls the vendor).
    pub fn transport(self, name: impl Into<String>, transport: Transport) -> Self {
        self.credential_check(name, move || transport.credential_state())
    }

    /// Watch a credential state `check` reports under `name`.
    pub fn credential_check(
        mut self,
        name: impl Into<String>,
        check: impl Fn() -> CredentialState + Send + Sync + 'static,
    ) -> Self {
        self.credentials.push((name.into(), Arc::new(check)));
        self
    }

    /// Where "now" comes from when the inbox's age is computed (a fixed clock in tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// A router answering `/health`, `/health/live` and `/health/ready`; merge it with
    /// the intake's. The first store read happens before it returns, so the first
    /// request already has an answer.
    pub async fn router(self) -> Router {
        let board = HealthBoard::start(self.source, self.refresh_every).await;
        let state = Arc::new(Probes {
            board,
            inbox_stuck_after: self.inbox_stuck_after,
            credentials: self.credentials,
            clock: self.clock,
        });
        Router::new()
            .route("/health", get(health))
            .route("/health/live", get(live))
            .route("/health/ready", get(ready))
            .with_state(state)
    }
}

/// A router answering `/health` (and `/health/live`, `/health/ready` with no
/// credentials watched) from `store`, read every `refresh_every`.
pub async fn health_router(store: Arc<dyn Store>, refresh_every: Duration) -> Router {
    HealthChecks::new(store)
        .refresh_every(refresh_every)
        .router()
        .await
}

/// What the handlers share.
struct Probes {
    board: Arc<HealthBoard>,
    inbox_stuck_after: Duration,
    credentials: Vec<(String, CredentialCheck)>,
    clock: Arc<dyn Clock>,
}

impl Probes {
    fn readiness(&self) -> Readiness {
        let latest = self.board.current();
        let credentials: BTreeMap<String, String> = self
            .credentials
            .iter()
            .map(|(name, check)| {
                let state = match check() {
                    CredentialState::Valid => "valid",
                    CredentialState::Rejected => "rejected",
                    _ => "unknown",
                };
                (name.clone(), state.to_owned())
            })
            .collect();
        let backlog = latest.as_ref().map(|(_, inbox)| *inbox).unwrap_or_default();
        // The age grows between reads: computed now, from the oldest arrival time.
        let now_ms = i64::try_from(self.clock.now_millis()).unwrap_or(i64::MAX);
        let age = Duration::from_millis(backlog.oldest_age_ms(now_ms));
        let inbox = InboxReadiness {
            pending: backlog.pending,
            oldest_age_seconds: age.as_secs(),
            stuck: age > self.inbox_stuck_after,
        };
        let store_ok = latest.is_some();
        let ready = store_ok && !inbox.stuck && credentials.values().all(|s| s != "rejected");
        Readiness {
            status: if ready { "ready" } else { "not ready" }.to_owned(),
            store: if store_ok { "ok" } else { "unavailable" }.to_owned(),
            credentials,
            inbox,
            connections: latest.and_then(|(health, _)| health.connections),
        }
    }
}

async fn health(State(probes): State<Arc<Probes>>) -> (StatusCode, Json<Health>) {
    match probes.board.current() {
        Some((health, _)) => (StatusCode::OK, Json(health)),
        None => (StatusCode::SERVICE_UNAVAILABLE, Json(Health::unavailable())),
    }
}

async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn ready(State(probes): State<Arc<Probes>>) -> (StatusCode, Json<Readiness>) {
    let readiness = probes.readiness();
    let status = if readiness.status == "ready" {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

    use ats_bridge::store::StoreError;
    use axum::body::Body;
    use axum::http::Request;
    use client_core::webhook::FixedClock;
    use tower::ServiceExt as _;

    use super::*;

    /// A source counting its reads, failing once `fail` is set; its inbox holds two
    /// deliveries, the oldest received at 1,000 s after the epoch.
    fn counting(reads: Arc<AtomicUsize>, fail: Arc<AtomicUsize>) -> ReadingSource {
        Arc::new(move || {
            reads.fetch_add(1, Ordering::SeqCst);
            let failing = fail.load(Ordering::SeqCst) > 0;
            Box::pin(async move {
                if failing {
                    Err(StoreError::Backend("down".into()).into())
                } else {
                    let mut report = StatusReport::default();
                    report.by_state.insert(RowState::Synced, 3);
                    Ok(Reading {
                        report,
                        inbox: InboxBacklog::new(2, Some(1_000_000)),
                        connections: None,
                    })
                }
            })
        })
    }

    async fn get(router: &Router, path: &str) -> (StatusCode, serde_json::Value) {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    /// Checks on a counting source, a clock `now_secs` after the epoch, the inbox
    /// stuck after 60 s, and one credential whose state `credential` holds
    /// (0 unknown, 1 valid, 2 rejected).
    async fn checks(
        reads: Arc<AtomicUsize>,
        fail: Arc<AtomicUsize>,
        now_secs: u64,
        credential: Arc<AtomicU8>,
    ) -> Router {
        HealthChecks::from_source(counting(reads, fail))
            .refresh_every(Duration::from_secs(5))
            .inbox_stuck_after(Duration::from_secs(60))
            .clock(Arc::new(FixedClock::at_millis(now_secs * 1000)))
            .credential_check("lever", move || match credential.load(Ordering::SeqCst) {
                1 => CredentialState::Valid,
                2 => CredentialState::Rejected,
                _ => CredentialState::Unknown,
            })
            .router()
            .await
    }

    #[tokio::test(start_paused = true)]
    async fn requests_read_the_latest_counts_and_never_the_store() {
        let (reads, fail) = (Arc::default(), Arc::default());
        let router = checks(Arc::clone(&reads), Arc::clone(&fail), 1_010, Arc::default()).await;
        for path in ["/health", "/health/ready", "/health/live"] {
            for _ in 0..100 {
                let (status, _) = get(&router, path).await;
                assert_eq!(status, StatusCode::OK, "{path}");
            }
        }
        let (_, body) = get(&router, "/health").await;
        assert_eq!(body["rows"]["synced"], 3);
        assert_eq!(body["rows"]["failed"], 0, "every state is listed");
        assert_eq!(
            reads.load(Ordering::SeqCst),
            1,
            "one read, however many requests"
        );

        // The store goes down: the next refresh says so, and the service is not ready;
        // it is still alive.
        fail.store(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(5) + Duration::from_millis(1)).await;
        assert_eq!(reads.load(Ordering::SeqCst), 2);
        let (status, body) = get(&router, "/health").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "store unavailable");
        let (status, body) = get(&router, "/health/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "not ready");
        assert_eq!(body["store"], "unavailable");
        let (status, body) = get(&router, "/health/live").await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, serde_json::json!({"status": "ok"}))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn ready_reports_the_inbox_and_the_credentials() {
        let credential = Arc::new(AtomicU8::new(0));
        // 10 s after the oldest delivery arrived: not stuck; unknown credentials pass.
        let router = checks(
            Arc::default(),
            Arc::default(),
            1_010,
            Arc::clone(&credential),
        )
        .await;
        let (status, body) = get(&router, "/health/ready").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            serde_json::json!({
                "status": "ready",
                "store": "ok",
                "credentials": {"lever": "unknown"},
                "inbox": {"pending": 2, "oldest_age_seconds": 10, "stuck": false},
            })
        );
        credential.store(1, Ordering::SeqCst);
        let (status, body) = get(&router, "/health/ready").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["credentials"]["lever"], "valid");

        // The vendor refuses the credentials: not ready, and it says which.
        credential.store(2, Ordering::SeqCst);
        let (status, body) = get(&router, "/health/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "not ready");
        assert_eq!(body["credentials"]["lever"], "rejected");
        assert_eq!(body["inbox"]["stuck"], false);

        // 61 s after the oldest delivery arrived, with valid credentials: stuck.
        let router = checks(
            Arc::default(),
            Arc::default(),
            1_061,
            Arc::new(AtomicU8::new(1)),
        )
        .await;
        let (status, body) = get(&router, "/health/ready").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            body["inbox"],
            serde_json::json!({"pending": 2, "oldest_age_seconds": 61, "stuck": true})
        );
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
