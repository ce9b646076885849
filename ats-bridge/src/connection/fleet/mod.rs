//! One engine for every stored connection: the [`Fleet`].
//!
//! The fleet reads the connections from the store and runs their work in one process
//! (or in several replicas on one PostgreSQL):
//!
//! - **Inbox, fairly**: it knows which connections have deliveries ready (the
//!   intakes tell it which connection each new delivery is for, and it counts them
//!   all in the store every tick, for other replicas' and retried ones), and shares its free slots among them round-robin, each
//!   connection holding at most its own bound in flight (`per_connection`, or the
//!   connection's [`EngineOverrides::concurrency`](super::EngineOverrides)). A
//!   customer with a 10,000-candidate backlog at its rate limit fills only its own
//!   slots; another customer's delivery is claimed in the next round.
//! - **Retries and reconciler passes** per connection, each on its own task (a slow
//!   connection never holds up another's), passes staggered over the interval by the
//!   connection's id instead of all starting at once.
//! - **Engines built lazily and cached**: a connection's clients and rules are built
//!   when it first has work, rebuilt when it changes (another replica's change too),
//!   and dropped after [`FleetConfig::idle_after`] without work. All clients share one
//!   HTTP pool and one limiter per credential ([`AdapterBuilder`]).
//! - **Paused** connections and those **needing credentials** keep their deliveries
//!   and rows; nothing of theirs runs until they are active again.
//!
//! Webhooks reach the inbox through [`super::ConnectionIntakes`]
//! (`/webhooks/{connection}/{source}`), which wakes the fleet through
//! [`Fleet::arrivals`].

mod arrivals;
mod engines;
mod inbox;
mod periodic;
mod status;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use client_core::webhook::{Clock, SystemClock};
use tokio::sync::Notify;

pub use status::{ConnectionStatus, FleetStatus};

use super::{AdapterBuilder, ConnectionId, ConnectionManager, ConnectionRecord, ConnectionState};
use crate::engine::{EngineConfig, EngineError};
use crate::intake::DeliveryListener;
use crate::store::Stores;

/// How the fleet shares its work among connections.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FleetConfig {
    /// Deliveries in progress at once, all connections together (default 64).
    pub concurrency: usize,
    /// Deliveries of one connection in progress at once, unless the connection says
    /// otherwise (default 8). Also the engine's own concurrency for its retries and
    /// participant checks.
    pub per_connection: usize,
    /// A connection's engine (its clients, rules, caches) is dropped after this long
    /// without work, and built again when work comes (default 10 minutes).
    pub idle_after: Duration,
    /// Reconciler passes running at once, all connections together (default 4).
    pub reconcile_concurrency: usize,
}

impl Default for FleetConfig {
    fn default() -> Self {
        Self {
            concurrency: 64,
            per_connection: 8,
            idle_after: Duration::from_secs(600),
            reconcile_concurrency: 4,
        }
    }
}

impl FleetConfig {
    /// Deliveries in progress at once, all connections together.
    pub fn concurrency(mut self, slots: usize) -> Self {
        self.concurrency = slots;
        self
    }

    /// Deliveries of one connection in progress at once.
    pub fn per_connection(mut self, slots: usize) -> Self {
        self.per_connection = slots;
        self
    }

    /// Drop a connection's engine after this long without work.
    pub fn idle_after(mut self, idle: Duration) -> Self {
        self.idle_after = idle;
        self
    }

    /// Reconciler passes at once.
    pub fn reconcile_concurrency(mut self, passes: usize) -> Self {
        self.reconcile_concurrency = passes;
        self
    }
}

/// Runs every stored connection's work in one process. Cheap to clone.
///
/// ```no_run
/// # async fn example(manager: ats_bridge::connection::ConnectionManager, stores: ats_bridge::store::Stores) -> Result<(), Box<dyn std::error::Error>> {
/// use ats_bridge::connection::{Fleet, FleetConfig};
///
/// let fleet = Fleet::builder(manager, stores)
///     .config(FleetConfig::default().per_connection(4))
///     .build()?;
/// // Intakes built with `AdapterIntakes::listener(fleet.arrivals())` wake it.
/// fleet.run(async { tokio::signal::ctrl_c().await.ok(); }).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Fleet {
    inner: Arc<FleetInner>,
}

struct FleetInner {
    manager: ConnectionManager,
    stores: Stores,
    adapters: AdapterBuilder,
    engine_config: EngineConfig,
    config: FleetConfig,
    clock: Arc<dyn Clock>,
    inbox_signal: Arc<Notify>,
    /// The intakes' listener: what arrived for which connection.
    arrivals: Arc<arrivals::Arrivals>,
    engines: engines::EngineCache,
    /// The live connections as last read (every tick), by id.
    records: RwLock<BTreeMap<ConnectionId, ConnectionRecord>>,
    /// What each connection's work last reported.
    reports: Mutex<BTreeMap<ConnectionId, status::Report>>,
}

impl std::fmt::Debug for Fleet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fleet")
            .field("config", &self.inner.config)
            .field("engines", &self.inner.engines.len())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Fleet`].
#[must_use]
pub struct FleetBuilder {
    manager: ConnectionManager,
    stores: Stores,
    adapters: Option<AdapterBuilder>,
    engine_config: EngineConfig,
    config: FleetConfig,
    clock: Arc<dyn Clock>,
    inbox_signal: Option<Arc<Notify>>,
}

impl Fleet {
    /// A fleet over `manager`'s connections, keeping their work in `stores` (the same
    /// backend as the connections, in production).
    pub fn builder(manager: ConnectionManager, stores: impl Into<Stores>) -> FleetBuilder {
        FleetBuilder {
            manager,
            stores: stores.into(),
            adapters: None,
            engine_config: EngineConfig::default(),
            config: FleetConfig::default(),
            clock: Arc::new(SystemClock),
            inbox_signal: None,
        }
    }

    /// Notify this after storing a delivery (the intakes do, given
    /// [`super::AdapterIntakes::notify`]): the fleet counts every connection's ready
    /// deliveries again at once. Prefer [`Fleet::arrivals`] for intakes.
    pub fn inbox_signal(&self) -> Arc<Notify> {
        self.inner.inbox_signal.clone()
    }

    /// The listener for the connections' intakes ([`super::AdapterIntakes::listener`]):
    /// told which connection each stored delivery is for, the fleet claims it at once
    /// without counting every connection's deliveries again (which a flood of webhooks
    /// would repeat per delivery over the whole backlog). Deliveries stored by another
    /// replica are found on the fleet's tick.
    pub fn arrivals(&self) -> Arc<dyn DeliveryListener> {
        self.inner.arrivals.clone()
    }

    /// Connections whose engine is built now (the others cost only their record).
    pub fn loaded_engines(&self) -> usize {
        self.inner.engines.len()
    }

    /// Run until `shutdown` completes. On shutdown no new work starts; work in
    /// progress finishes and is recorded.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), EngineError> {
        crate::engine::run_until(shutdown, |stop| async move {
            tokio::try_join!(
                self.inbox_loop(stop.clone()),
                self.periodic_loop(stop.clone())
            )
            .map(drop)
        })
        .await
    }

    /// Read the live connections again (the fleet does every tick).
    pub async fn refresh(&self) -> Result<(), EngineError> {
        let live = self
            .inner
            .manager
            .list()
            .await
            .map_err(|e| EngineError::Config(e.to_string()))?;
        let live: BTreeMap<_, _> = live.into_iter().map(|r| (r.id.clone(), r)).collect();
        self.inner.engines.retain(|id, version| {
            live.get(id)
                .is_some_and(|r| r.updated_at_ms == version && r.state == ConnectionState::Active)
        });
        *self
            .inner
            .records
            .write()
            .unwrap_or_else(PoisonError::into_inner) = live;
        Ok(())
    }

    /// The record of `id` if it is live and active (its work may run).
    fn active(&self, id: &str) -> Option<ConnectionRecord> {
        let id = ConnectionId::new(id).ok()?;
        let records = self
            .inner
            .records
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        records
            .get(&id)
            .filter(|record| record.state == ConnectionState::Active)
            .cloned()
    }

    /// Every live record, as last read.
    fn records(&self) -> Vec<ConnectionRecord> {
        let records = self
            .inner
            .records
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        records.values().cloned().collect()
    }

    fn now_ms(&self) -> i64 {
        i64::try_from(self.inner.clock.now_millis()).unwrap_or(i64::MAX)
    }

    /// How many deliveries of `record` may be in progress at once.
    fn bound(&self, record: &ConnectionRecord) -> usize {
        record
            .config
            .engine
            .concurrency
            .unwrap_or(self.inner.config.per_connection)
            .max(1)
    }

    fn report(&self, id: &ConnectionId, update: impl FnOnce(&mut status::Report)) {
        let mut reports = self
            .inner
            .reports
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        update(reports.entry(id.clone()).or_default());
    }
}

impl FleetBuilder {
    /// Build adapters with this builder (default: `AdapterBuilder::new(manager)`, API
    /// keys only). Give it the OAuth apps when connections use OAuth. The fleet adds a
    /// shared HTTP client and shared limiters unless it has its own.
    pub fn adapters(mut self, adapters: AdapterBuilder) -> Self {
        self.adapters = Some(adapters);
        self
    }

    /// The engine settings every connection starts from (its
    /// [`EngineOverrides`](super::EngineOverrides) change some). Its `concurrency` is
    /// replaced by the connection's bound; `phone_regions` name accounts as a
    /// connection does (`lever`).
    pub fn engine_config(mut self, config: EngineConfig) -> Self {
        self.engine_config = config;
        self
    }

    /// How work is shared among connections.
    pub fn config(mut self, config: FleetConfig) -> Self {
        self.config = config;
        self
    }

    /// The clock for ledger times (tests use a fixed one).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Wake on this signal instead of a new one.
    pub fn inbox_signal(mut self, signal: Arc<Notify>) -> Self {
        self.inbox_signal = Some(signal);
        self
    }

    /// Check the settings and build.
    pub fn build(self) -> Result<Fleet, EngineError> {
        let config = &self.config;
        if config.concurrency == 0
            || config.per_connection == 0
            || config.reconcile_concurrency == 0
        {
            return Err(EngineError::Config(
                "the fleet's concurrency, per_connection and reconcile_concurrency must be at least 1"
                    .into(),
            ));
        }
        let adapters = self
            .adapters
            .unwrap_or_else(|| AdapterBuilder::new(self.manager.clone()))
            .with_shared_defaults()
            .map_err(|e| EngineError::Config(e.to_string()))?;
        let inbox_signal = self.inbox_signal.unwrap_or_default();
        Ok(Fleet {
            inner: Arc::new(FleetInner {
                manager: self.manager,
                stores: self.stores,
                adapters,
                engine_config: self.engine_config,
                config: self.config,
                clock: self.clock,
                arrivals: Arc::new(arrivals::Arrivals::new(inbox_signal.clone())),
                inbox_signal,
                engines: engines::EngineCache::default(),
                records: RwLock::new(BTreeMap::new()),
                reports: Mutex::new(BTreeMap::new()),
            }),
        })
    }
}
