//! The fleet: every stored connection's work in one process — each customer's
//! deliveries reach only its rows and its vendors, a customer's backlog never delays
//! another's invite, and connections added, paused and removed at runtime take effect
//! without a restart.
#![cfg(feature = "lever")]

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ats_bridge::connection::{
    AdapterBuilder, AdapterIntakes, AtsAccountConfig, AtsAuth, AtsKind, AtsSecrets,
    ConnectionConfig, ConnectionIntakes, ConnectionManager, ConnectionSecrets, EngineOverrides,
    Fleet, FleetConfig, LedgerErasure, NewConnection,
};
use ats_bridge::engine::EngineConfig;
use ats_bridge::intake::IntakeRequest;
use ats_bridge::store::{MemoryStore, Stores};
use ats_sandbox::lever::STAGE_RECRUITER_SCREEN;
use ats_sandbox::{Faults, Sandbox, SandboxConfig, Seed, Vendor};
use client_core::SecretString;
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use lever_client::OpportunityId;
use lever_client::webhooks::{Event, EventData, TestDelivery};
use tokio::sync::oneshot;

use super::{id, keys, manager};
use crate::support::postgres::TestSchema;

/// One customer: its own sandbox (its own Willo and Lever accounts).
pub(super) struct Customer {
    pub(super) name: &'static str,
    pub(super) sandbox: Sandbox,
}

impl Customer {
    pub(super) async fn start(name: &'static str, seed: u64, data: Seed, faults: Faults) -> Self {
        let sandbox = Sandbox::start(
            SandboxConfig::new()
                .seed(seed)
                .data(data)
                .faults(Vendor::Lever, faults)
                .willo_completion_delay(None),
        )
        .await
        .unwrap();
        Self { name, sandbox }
    }

    pub(super) fn signature(&self) -> String {
        format!("lever-signature-{}", self.name)
    }

    pub(super) fn connection(&self, per_connection: Option<usize>) -> NewConnection {
        let sandbox = &self.sandbox;
        let interview = &sandbox.willo().interviews()[0].key;
        let rules = format!(
            "[[trigger]]\nats = \"lever\"\njob = \"*\"\nstages = [\"{STAGE_RECRUITER_SCREEN}\"]\ninterview = \"{interview}\"\n"
        );
        let mut config = ConnectionConfig::new(format!("Customer {}", self.name))
            .willo_base_url(sandbox.willo_base_url())
            .ats(
                AtsAccountConfig::new(AtsKind::Lever, AtsAuth::ApiKey)
                    .perform_as(sandbox.lever().perform_as())
                    .base_url(sandbox.lever_base_url()),
            )
            .rules(rules);
        let mut engine = EngineOverrides::default();
        engine.concurrency = per_connection;
        config.engine = engine;
        NewConnection::new(
            id(self.name),
            config,
            ConnectionSecrets::new(sandbox.willo_api_key())
                .willo_webhook_token(SecretString::from(format!("willo-token-{}", self.name)))
                .ats(
                    "lever",
                    AtsSecrets::api_key(sandbox.lever_api_key())
                        .webhook_secret(SecretString::from(self.signature())),
                ),
        )
    }

    /// Opportunities of the first posting.
    pub(super) fn opportunities(&self) -> Vec<String> {
        let posting = self.sandbox.lever().postings()[0].id.clone();
        self.sandbox.lever().opportunities(&posting)
    }

    /// Move `opportunity` to the trigger stage and deliver Lever's webhook for it,
    /// signed with `signature`, to the connection `to`'s intake; the HTTP status.
    pub(super) async fn moved(
        &self,
        intakes: &ConnectionIntakes,
        to: &str,
        opportunity: &str,
        signature: &str,
    ) -> u16 {
        self.sandbox
            .lever()
            .move_opportunity(opportunity, STAGE_RECRUITER_SCREEN)
            .unwrap();
        let mut data = EventData::default();
        data.opportunity_id = Some(OpportunityId::from(opportunity));
        data.to_stage_id = Some(STAGE_RECRUITER_SCREEN.into());
        let body = TestDelivery::new(
            Event::CandidateStageChange,
            format!("token-{opportunity}"),
            now_ms(),
        )
        .data(data)
        .sign(&SecretString::from(signature.to_owned()))
        .body;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let intake = intakes.get(to).await.unwrap().expect("a live connection");
        intake
            .handle(&IntakeRequest::new("lever", &headers, &body))
            .await
            .status
            .as_u16()
    }

    pub(super) fn invites(&self) -> usize {
        self.sandbox.willo().participants().len()
    }
}

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

pub(super) fn engine_config() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.tick = Duration::from_millis(20);
    config.reconcile_interval = None;
    config.young_ledger_window = Duration::ZERO;
    config
}

/// A fleet over `manager`'s connections and the intakes that feed it, running until
/// the returned sender is dropped or fired.
pub(super) fn start(
    manager: &ConnectionManager,
    store: &Arc<MemoryStore>,
    config: FleetConfig,
) -> (Fleet, ConnectionIntakes, oneshot::Sender<()>) {
    start_on(manager, Stores::from(store.clone()), config, "worker-1")
}

fn start_on(
    manager: &ConnectionManager,
    stores: Stores,
    config: FleetConfig,
    worker: &str,
) -> (Fleet, ConnectionIntakes, oneshot::Sender<()>) {
    let mut engine = engine_config();
    engine.worker_id = worker.to_owned();
    start_with(manager, stores, engine, config)
}

/// [`start_on`] with engine settings of the caller's.
pub(super) fn start_with(
    manager: &ConnectionManager,
    stores: Stores,
    engine: EngineConfig,
    config: FleetConfig,
) -> (Fleet, ConnectionIntakes, oneshot::Sender<()>) {
    let fleet = Fleet::builder(manager.clone(), stores.clone())
        .engine_config(engine)
        .config(config)
        .build()
        .unwrap();
    let factory = AdapterIntakes::new(
        manager.clone(),
        AdapterBuilder::new(manager.clone()),
        stores,
    )
    .listener(fleet.arrivals());
    let intakes = ConnectionIntakes::new(manager.clone(), Arc::new(factory));
    let (stop, stopped) = oneshot::channel::<()>();
    let running = fleet.clone();
    tokio::spawn(async move {
        running
            .run(async {
                stopped.await.ok();
            })
            .await
            .unwrap();
    });
    (fleet, intakes, stop)
}

/// Wait (up to 10 s) until `done` holds.
pub(super) async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what}: not within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The fleet's status once `invited` rows are recorded and every delivery is marked
/// processed (up to 10 s).
async fn recorded(fleet: &Fleet, invited: u64) -> ats_bridge::connection::FleetStatus {
    let started = Instant::now();
    loop {
        let status = fleet.status().await.unwrap();
        if status.rows.get("invited").copied().unwrap_or(0) >= invited && status.inbox_pending == 0
        {
            return status;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{status:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_customers_deliveries_reach_only_its_own_rows_and_vendors() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let acme = Customer::start("acme", 1, Seed::new(), Faults::none()).await;
    let beta = Customer::start("beta", 2, Seed::new(), Faults::none()).await;
    manager.add(acme.connection(None)).await.unwrap();
    manager.add(beta.connection(None)).await.unwrap();
    let (fleet, intakes, _stop) = start(&manager, &store, FleetConfig::default());

    let acme_opportunities = acme.opportunities();
    for opportunity in &acme_opportunities[..2] {
        let status = acme
            .moved(&intakes, "acme", opportunity, &acme.signature())
            .await;
        assert_eq!(status, 202);
    }
    let beta_opportunity = &beta.opportunities()[0];
    // Beta's delivery signed with Acme's secret is refused at Beta's door…
    let forged = beta
        .moved(&intakes, "beta", beta_opportunity, &acme.signature())
        .await;
    assert_eq!(forged, 401);
    // …and its own is accepted.
    let status = beta
        .moved(&intakes, "beta", beta_opportunity, &beta.signature())
        .await;
    assert_eq!(status, 202);

    until("both customers invited", || {
        acme.invites() == 2 && beta.invites() == 1
    })
    .await;
    // Each invite went to the customer's own Willo account; the rows are recorded a
    // moment after the invite is sent.
    let status = recorded(&fleet, 3).await;
    let rows = |name: &str| {
        status
            .connections
            .iter()
            .find(|c| c.id.as_str() == name)
            .map(|c| c.rows.get("invited").copied().unwrap_or(0))
    };
    assert_eq!(rows("acme"), Some(2));
    assert_eq!(rows("beta"), Some(1));
    assert_eq!(status.rows.get("invited"), Some(&3));
    assert_eq!(status.connections_by_state.get("active"), Some(&2));
    assert!(status.unhealthy().next().is_none(), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_delivery_wakes_the_fleet_for_its_connection_between_ticks() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let acme = Customer::start("acme", 1, Seed::new(), Faults::none()).await;
    manager.add(acme.connection(None)).await.unwrap();
    // A tick of an hour: after the first count at start, only the intake's word that
    // a delivery for Acme arrived can start its work.
    let mut engine = engine_config();
    engine.tick = Duration::from_secs(3600);
    let (fleet, intakes, _stop) = start_with(
        &manager,
        Stores::from(store.clone()),
        engine,
        FleetConfig::default(),
    );
    fleet.refresh().await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    for opportunity in &acme.opportunities()[..2] {
        let status = acme
            .moved(&intakes, "acme", opportunity, &acme.signature())
            .await;
        assert_eq!(status, 202);
    }
    until("both candidates invited", || acme.invites() == 2).await;
    recorded(&fleet, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_backlog_at_its_limit_does_not_delay_anothers_invite() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    // Acme's Lever answers slowly: its backlog takes a long time at two in flight.
    let slow = Faults::none().latency(Duration::from_millis(150));
    let acme = Customer::start("acme", 3, Seed::new().jobs(1).candidates_per_job(60), slow).await;
    let beta = Customer::start("beta", 4, Seed::new(), Faults::none()).await;
    manager.add(acme.connection(Some(2))).await.unwrap();
    manager.add(beta.connection(None)).await.unwrap();
    // Few slots in all: without the per-connection bound and the round-robin, Acme's
    // backlog would hold every one of them and Beta would wait behind it.
    let (fleet, intakes, _stop) = start(&manager, &store, FleetConfig::default().concurrency(3));

    for opportunity in acme.opportunities() {
        acme.moved(&intakes, "acme", &opportunity, &acme.signature())
            .await;
    }
    // Acme's backlog is being worked on.
    until("acme started", || acme.invites() > 0).await;
    let sent = Instant::now();
    beta.moved(
        &intakes,
        "beta",
        &beta.opportunities()[0],
        &beta.signature(),
    )
    .await;
    until("beta invited", || beta.invites() == 1).await;
    let beta_latency = sent.elapsed();
    // Beta was served while Acme still had most of its backlog waiting.
    let acme_left = 60 - acme.invites();
    assert!(
        acme_left > 30,
        "beta waited for acme's backlog ({acme_left} left, beta took {beta_latency:?})"
    );
    assert!(beta_latency < Duration::from_secs(2), "{beta_latency:?}");
    let status = fleet.status().await.unwrap();
    let acme_status = status.connections.iter().find(|c| c.id.as_str() == "acme");
    assert!(acme_status.unwrap().inbox_pending > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_added_paused_and_removed_at_runtime_take_effect_without_a_restart() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let acme = Customer::start("acme", 5, Seed::new(), Faults::none()).await;
    let (fleet, intakes, _stop) = start(&manager, &store, FleetConfig::default());

    // Added while the fleet runs: its first delivery is acted on.
    manager.add(acme.connection(None)).await.unwrap();
    let opportunities = acme.opportunities();
    acme.moved(&intakes, "acme", &opportunities[0], &acme.signature())
        .await;
    until("invited after being added", || acme.invites() == 1).await;

    // Paused: deliveries are kept, nothing is done.
    manager
        .pause(&id("acme"), Some("customer asked"))
        .await
        .unwrap();
    fleet.refresh().await.unwrap();
    let status = acme
        .moved(&intakes, "acme", &opportunities[1], &acme.signature())
        .await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(acme.invites(), 1, "a paused connection acted");
    let paused = fleet.status().await.unwrap();
    assert_eq!(paused.connections[0].inbox_pending, 1);
    assert_eq!(paused.connections_by_state.get("paused"), Some(&1));

    // Resumed: the kept delivery is acted on.
    manager.resume(&id("acme")).await.unwrap();
    until("invited after resuming", || acme.invites() == 2).await;

    // Removed: its deliveries are refused at the door, its engine dropped.
    manager
        .remove(&id("acme"), LedgerErasure::KeepIds)
        .await
        .unwrap();
    fleet.refresh().await.unwrap();
    assert!(intakes.get("acme").await.unwrap().is_none());
    assert_eq!(fleet.loaded_engines(), 0);
    assert!(fleet.status().await.unwrap().connections.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_on_postgresql_share_the_customers_work_and_invite_each_candidate_once() {
    let Some(schema) = TestSchema::create("fleet_replicas").await else {
        return;
    };
    let acme = Customer::start(
        "acme",
        6,
        Seed::new().jobs(1).candidates_per_job(12),
        Faults::none(),
    )
    .await;
    let beta = Customer::start(
        "beta",
        7,
        Seed::new().jobs(1).candidates_per_job(12),
        Faults::none(),
    )
    .await;
    let mut replicas = Vec::new();
    for worker in ["replica-1", "replica-2"] {
        let store = Arc::new(schema.store().await);
        let manager = ConnectionManager::new(store.clone(), Arc::new(keys()));
        replicas.push((
            manager.clone(),
            start_on(
                &manager,
                Stores::from(store),
                FleetConfig::default(),
                worker,
            ),
        ));
    }
    replicas[0].0.add(acme.connection(Some(2))).await.unwrap();
    replicas[1].0.add(beta.connection(Some(2))).await.unwrap();

    // Deliveries land on either replica; both fleets claim from the one inbox.
    for (customer, moved) in [(&acme, acme.opportunities()), (&beta, beta.opportunities())] {
        for (i, opportunity) in moved.iter().enumerate() {
            let (_, (_, intakes, _)) = &replicas[i % 2];
            let status = customer
                .moved(intakes, customer.name, opportunity, &customer.signature())
                .await;
            assert_eq!(status, 202);
        }
    }
    until("every candidate invited", || {
        acme.invites() == 12 && beta.invites() == 12
    })
    .await;
    // Once each: no replica invited a candidate the other had.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!((acme.invites(), beta.invites()), (12, 12));
    let status = recorded(&replicas[1].1.0, 24).await;
    assert_eq!(status.rows.get("invited"), Some(&24));
    assert_eq!(status.inbox_pending, 0);
    drop(replicas);
    schema.drop().await;
}
