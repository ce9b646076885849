//! The connections' benchmarks (issue 16): many customers on one bridge, each a sandbox
//! account (its own Willo and Lever data and keys behind the sandbox's one base URL per
//! vendor) and a stored connection, all run by one [`Fleet`] on a SQLite store.
//!
//! Deliveries enter through each connection's intake (`ConnectionIntakes`), signed with
//! the connection's own Lever signature token, as Lever would deliver them; the
//! bridge's Lever and Willo clients then call the sandbox over loopback.

pub mod fairness;
pub mod idle;
pub mod pace;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ats_bridge::connection::{
    AdapterBuilder, AdapterIntakes, AtsAccountConfig, AtsAuth, AtsKind, AtsSecrets,
    ConnectionConfig, ConnectionId, ConnectionIntakes, ConnectionManager, ConnectionSecrets,
    Connections, EngineOverrides, Fleet, FleetConfig, Keyring, NewConnection, SealingKey,
};
use ats_bridge::engine::EngineConfig;
use ats_bridge::intake::IntakeRequest;
use ats_bridge::store::{Store, Stores};
use ats_sandbox::lever::STAGE_RECRUITER_SCREEN;
use ats_sandbox::{AccountHandle, Sandbox, SandboxConfig};
use ats_store_sql::SqliteStore;
use client_core::SecretString;
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use lever_client::OpportunityId;
use lever_client::webhooks::{Event, EventData, TestDelivery};
use tokio::sync::oneshot;

/// The Willo simulator's invite endpoint, as its request counter names it.
pub const INVITE: &str = "POST /participants/";

/// A sandbox on a runtime of its own, whose threads are named [`SANDBOX_THREAD`], so the
/// bridge's CPU time can be told from the simulators'.
pub struct SandboxHost {
    /// The sandbox (its handles work from any thread).
    pub sandbox: Sandbox,
    runtime: Option<tokio::runtime::Runtime>,
}

/// The name of the sandbox's runtime threads (`/proc/self/task/*/comm`).
pub const SANDBOX_THREAD: &str = "sandbox";

impl SandboxHost {
    /// Start a sandbox with `config` on `threads` threads of its own.
    pub async fn start(config: SandboxConfig, threads: usize) -> crate::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name(SANDBOX_THREAD)
            .enable_all()
            .build()?;
        let sandbox = runtime.spawn(Sandbox::start(config)).await??;
        Ok(Self {
            sandbox,
            runtime: Some(runtime),
        })
    }
}

impl Drop for SandboxHost {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// One bridge serving connections from a SQLite store.
pub struct Bridge {
    /// The connections' store API.
    pub manager: ConnectionManager,
    /// The fleet.
    pub fleet: Fleet,
    /// Each connection's intake.
    pub intakes: ConnectionIntakes,
    stop: Option<oneshot::Sender<()>>,
    running: Option<tokio::task::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Bridge {
    /// A fleet on a fresh SQLite store, running.
    pub async fn start(engine: EngineConfig, config: FleetConfig) -> crate::Result<Self> {
        let dir = tempfile::tempdir()?;
        let store = Arc::new(SqliteStore::open(dir.path().join("fleet.sqlite")).await?);
        let mut bridge = Self::start_on(store, engine, config)?;
        bridge._dir = Some(dir);
        Ok(bridge)
    }

    /// A fleet on `store` (empty), running.
    pub fn start_on<S: Store + Connections + 'static>(
        store: Arc<S>,
        engine: EngineConfig,
        config: FleetConfig,
    ) -> crate::Result<Self> {
        Self::start_with(store, engine, config, |adapters| adapters)
    }

    /// A fleet on `store` (empty), its adapters shaped by `adapters`, running.
    pub fn start_with<S: Store + Connections + 'static>(
        store: Arc<S>,
        engine: EngineConfig,
        config: FleetConfig,
        adapters: impl FnOnce(AdapterBuilder) -> AdapterBuilder,
    ) -> crate::Result<Self> {
        let keys = Keyring::new(SealingKey::new("bench", &[7; 32]));
        let manager = ConnectionManager::new(store.clone(), Arc::new(keys));
        let fleet = Fleet::builder(manager.clone(), Stores::from(store.clone()))
            .adapters(adapters(AdapterBuilder::new(manager.clone())))
            .engine_config(engine)
            .config(config)
            .build()?;
        let factory = AdapterIntakes::new(
            manager.clone(),
            AdapterBuilder::new(manager.clone()),
            Stores::from(store),
        )
        .listener(fleet.arrivals());
        let intakes = ConnectionIntakes::new(manager.clone(), Arc::new(factory));
        let (stop, stopped) = oneshot::channel::<()>();
        let runner = fleet.clone();
        let running = tokio::spawn(async move {
            let shutdown = async {
                stopped.await.ok();
            };
            if let Err(error) = runner.run(shutdown).await {
                tracing::error!(%error, "the fleet stopped");
            }
        });
        Ok(Self {
            manager,
            fleet,
            intakes,
            stop: Some(stop),
            running: Some(running),
            _dir: None,
        })
    }

    /// Stop the fleet, letting work in progress finish.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(running) = self.running.take() {
            let _ = running.await;
        }
    }

    /// Deliver Lever's stage-change webhook for `opportunity` (already moved) to the
    /// connection `name`, signed with its token; whether the intake accepted it.
    pub async fn deliver(&self, name: &str, opportunity: &str) -> crate::Result<bool> {
        let mut data = EventData::default();
        data.opportunity_id = Some(OpportunityId::from(opportunity));
        data.to_stage_id = Some(STAGE_RECRUITER_SCREEN.into());
        let body = TestDelivery::new(
            Event::CandidateStageChange,
            format!("token-{name}-{opportunity}"),
            now_ms(),
        )
        .data(data)
        .sign(&signature(name))
        .body;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let intake = self
            .intakes
            .get(name)
            .await?
            .ok_or_else(|| format!("no connection {name}"))?;
        let answer = intake
            .handle(&IntakeRequest::new("lever", &headers, &body))
            .await;
        Ok(answer.status.is_success())
    }
}

/// The Lever signature token of the connection `name`.
fn signature(name: &str) -> SecretString {
    SecretString::from(format!("bench-lever-signature-{name}"))
}

/// The connection of sandbox account `account`: its Willo and Lever keys, and (when it
/// has an interview) a rule inviting to it at Lever's recruiter screen.
pub fn connection(account: &AccountHandle, bound: Option<usize>) -> crate::Result<NewConnection> {
    let name = account.name();
    let mut config = ConnectionConfig::new(format!("Customer {name}"))
        .willo_base_url(account.willo_base_url())
        .ats(
            AtsAccountConfig::new(AtsKind::Lever, AtsAuth::ApiKey)
                .perform_as(account.lever().perform_as())
                .base_url(account.lever_base_url()),
        );
    if let Some(interview) = account.willo().interviews().first() {
        config = config.rules(format!(
            "[[trigger]]\nats = \"lever\"\njob = \"*\"\nstages = [\"{STAGE_RECRUITER_SCREEN}\"]\ninterview = \"{}\"\n",
            interview.key
        ));
    }
    let mut engine = EngineOverrides::default();
    engine.concurrency = bound;
    config.engine = engine;
    Ok(NewConnection::new(
        ConnectionId::new(name)?,
        config,
        ConnectionSecrets::new(account.willo_api_key()).ats(
            "lever",
            AtsSecrets::api_key(account.lever_api_key()).webhook_secret(signature(name)),
        ),
    ))
}

/// Engine settings for the benches: webhooks only unless a bench turns the reconciler
/// on, a ledger past its first week (see BENCHMARKS.md), a short tick.
pub fn engine_config() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.reconcile_interval = None;
    config.young_ledger_window = Duration::ZERO;
    config.tick = Duration::from_millis(100);
    config
}

/// Move every opportunity of the account's first posting to the trigger stage; their
/// ids.
pub fn move_all(account: &AccountHandle) -> crate::Result<Vec<String>> {
    let lever = account.lever();
    let posting = lever.postings().remove(0).id;
    let moved = lever.opportunities(&posting);
    for opportunity in &moved {
        lever.move_opportunity(opportunity, STAGE_RECRUITER_SCREEN)?;
    }
    Ok(moved)
}

/// Invites the account's Willo has received.
pub fn invites(account: &AccountHandle) -> u64 {
    account
        .requests(ats_sandbox::Vendor::Willo)
        .endpoint(INVITE)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// This process's resident memory (KiB), from `/proc/self/status`.
pub fn rss_kib() -> crate::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS in /proc/self/status".into())
}

/// CPU time (user + system) used so far, split into the sandbox's threads
/// ([`SANDBOX_THREAD`]) and the rest of the process (the bridge: its runtime, SQLite's
/// worker, threads that have ended).
pub fn cpu_split() -> crate::Result<(Duration, Duration)> {
    let total = cpu_of(&std::fs::read_to_string("/proc/self/stat")?).1;
    let mut sandbox = 0u64;
    for task in std::fs::read_dir("/proc/self/task")? {
        let Ok(stat) = std::fs::read_to_string(task?.path().join("stat")) else {
            continue; // the thread ended meanwhile
        };
        let (comm, used) = cpu_of(&stat);
        if comm.starts_with(SANDBOX_THREAD) {
            sandbox += used;
        }
    }
    let seconds = |ticks: u64| Duration::from_secs_f64(ticks as f64 / USER_HZ);
    Ok((seconds(sandbox), seconds(total.saturating_sub(sandbox))))
}

/// The units of `/proc`'s CPU times: fixed at 100 per second by Linux's ABI.
const USER_HZ: f64 = 100.0;

/// The name and the CPU ticks (user + system) of a `/proc/…/stat` line.
fn cpu_of(stat: &str) -> (&str, u64) {
    // `pid (comm) state …`: comm may hold spaces, so split after its last ')'.
    let Some((head, rest)) = stat.rsplit_once(')') else {
        return ("", 0);
    };
    let comm = head.split_once('(').map_or("", |(_, comm)| comm);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are the line's fields 14 and 15: 12th and 13th after `state`.
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (comm, field(11) + field(12))
}
