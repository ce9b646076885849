//! A whole bridge wired to the [sandbox](ats_sandbox): the three simulated APIs,
//! webhooks registered with each (SmartRecruiters' activation handshake included), the
//! intake served over HTTP on 127.0.0.1, and the engine running. The quickstart, the
//! end-to-end tests and the benchmarks run on it (it moved here from `ats-bridge`, which
//! only examples and tests used it from).
//!
//! ```
//! use std::time::Duration;
//! use examples::demo::{Demo, DemoOptions};
//!
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let demo = Demo::start(DemoOptions::default()).await?;
//! demo.move_to_trigger_stage(1, 1)?; // one SmartRecruiters candidate, one Lever opportunity
//! let status = demo.wait_for_synced(2, Duration::from_secs(20)).await?;
//! assert_eq!(status.failed.len(), 0);
//! demo.stop().await;
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use client_core::SecretString;
use smartrecruiters_client::ApplicationStatus;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot, watch};
use tokio::task::JoinHandle;

use ats_bridge::engine::{Engine, EngineConfig, EngineError, RetrySchedule};
use ats_bridge::intake::{Intake, router};
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::note::NoteSettings;
use ats_bridge::registration::{
    activate_smartrecruiters, subscribe_lever, subscribe_smartrecruiters, subscribe_willo,
    webhook_url,
};
use ats_bridge::rules::{JobSelector, Rules, RulesError};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig, stage_id};
use ats_bridge::store::{MemoryStore, RowState, StatusReport, Store, StoreError};
use ats_sandbox::{Sandbox, SandboxConfig, SandboxError, Vendor, lever as lever_sandbox};
use willo_client::WilloClient;

use ats_bridge::{Ats, model::AtsName};

/// The SmartRecruiters status that triggers an invite in the demo.
pub const SMARTRECRUITERS_TRIGGER: ApplicationStatus = ApplicationStatus::Interview;
/// The Lever stage that triggers an invite in the demo.
pub const LEVER_TRIGGER: &str = lever_sandbox::STAGE_RECRUITER_SCREEN;

/// A candidate [`Demo::move_to_trigger_stage`] moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Which simulated ATS.
    pub ats: Vendor,
    /// The SmartRecruiters candidate id or the Lever opportunity id.
    pub id: String,
}

/// How to start a [`Demo`].
#[derive(Debug)]
#[non_exhaustive]
pub struct DemoOptions {
    /// The sandbox's data, delays and faults.
    pub sandbox: SandboxConfig,
    /// The engine's settings (the default ticks every 20 ms, reconciles every 2 s).
    pub engine: EngineConfig,
    /// The store (default: in memory).
    pub store: Option<Arc<dyn Store>>,
    /// Engines sharing the store, as replicas would (default 1; each gets its own
    /// worker id).
    pub engines: usize,
    /// Which events write a note and what each says (default: the results note).
    pub notes: NoteSettings,
}

impl Default for DemoOptions {
    fn default() -> Self {
        // `EngineConfig` is non-exhaustive outside the bridge: start from its default.
        let mut engine = EngineConfig::default();
        engine.tick = Duration::from_millis(20);
        engine.reconcile_interval = Some(Duration::from_secs(2));
        engine.retry = RetrySchedule::new(Duration::from_millis(100), Duration::from_secs(1), 10);
        Self {
            sandbox: SandboxConfig::default(),
            engine,
            store: None,
            engines: 1,
            notes: NoteSettings::default(),
        }
    }
}

impl DemoOptions {
    /// Run `engines` engines on the store (at least one), like replicas sharing it.
    pub fn engines(mut self, engines: usize) -> Self {
        self.engines = engines.max(1);
        self
    }

    /// Use `store` instead of memory.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// Use this sandbox configuration.
    pub fn sandbox(mut self, sandbox: SandboxConfig) -> Self {
        self.sandbox = sandbox;
        self
    }

    /// Use this engine configuration.
    pub fn engine(mut self, engine: EngineConfig) -> Self {
        self.engine = engine;
        self
    }

    /// Write these notes (the rules' `[notes]`).
    pub fn notes(mut self, notes: NoteSettings) -> Self {
        self.notes = notes;
        self
    }
}

/// Why the demo could not start or finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DemoError {
    /// The sandbox failed.
    #[error(transparent)]
    Sandbox(#[from] SandboxError),
    /// A vendor call (webhook registration) failed.
    #[error(transparent)]
    Api(#[from] client_core::Error),
    /// The engine could not be built.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The intake could not be built or served.
    #[error("intake: {0}")]
    Intake(String),
    /// The note settings are not valid (the message names the template and variable).
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The sandbox has no Willo interview to send.
    #[error("the sandbox has no Willo interview")]
    NoInterview,
    /// Not every candidate got through in time.
    #[error("timed out waiting: {0:?}")]
    TimedOut(Box<StatusReport>),
}

/// A running bridge on a running sandbox. Stop it with [`Demo::stop`].
pub struct Demo {
    sandbox: Sandbox,
    parts: EngineParts,
    running: Vec<Running>,
    engines: usize,
    store: Arc<dyn Store>,
    intake_url: String,
    server_stop: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Demo")
            .field("intake_url", &self.intake_url)
            .field("engine", &self.engine())
            .finish_non_exhaustive()
    }
}

impl Demo {
    /// Start the sandbox, register the webhooks, serve the intake, run the engine.
    pub async fn start(options: DemoOptions) -> Result<Self, DemoError> {
        let sandbox = Sandbox::start(options.sandbox).await?;
        let store = match options.store {
            Some(store) => store,
            None => Arc::new(MemoryStore::new()),
        };
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| DemoError::Intake(e.to_string()))?;
        let base = format!(
            "http://{}",
            listener
                .local_addr()
                .map_err(|e| DemoError::Intake(e.to_string()))?
        );

        let sr_client = sandbox.smartrecruiters_client()?;
        let subscription =
            subscribe_smartrecruiters(&sr_client, &webhook_url(&base, "smartrecruiters")).await?;
        let smartrecruiters: Arc<dyn Ats> = Arc::new(SmartRecruitersAts::new(
            sr_client.clone(),
            SmartRecruitersAtsConfig::new().webhook_secret(subscription.secret.clone()),
        ));
        let lever_client = sandbox.lever_client()?;
        let tokens = subscribe_lever(&lever_client, &webhook_url(&base, "lever")).await?;
        let lever_config = tokens.into_iter().fold(
            LeverAtsConfig::new(sandbox.lever().perform_as()),
            LeverAtsConfig::signature_token,
        );
        let lever: Arc<dyn Ats> = Arc::new(LeverAts::new(lever_client, lever_config));
        let willo = sandbox.willo_client()?;
        let willo_token = SecretString::from(format!("demo-token-{}", sandbox.config().seed));
        subscribe_willo(&willo, &base, willo_token.clone()).await?;

        let interview = sandbox
            .willo()
            .interviews()
            .first()
            .map(|i| i.key.clone())
            .ok_or(DemoError::NoInterview)?;
        let mut rules = Rules::new()
            .trigger(
                smartrecruiters.name(),
                JobSelector::Any,
                [stage_id(&SMARTRECRUITERS_TRIGGER, None)],
                interview.as_str(),
            )
            .trigger(
                lever.name(),
                JobSelector::Any,
                [LEVER_TRIGGER],
                interview.as_str(),
            );
        rules.notes = options.notes;
        rules.validate().map_err(DemoError::Rules)?;
        let parts = EngineParts {
            willo,
            ats: vec![smartrecruiters.clone(), lever.clone()],
            rules,
            config: options.engine,
            store: store.clone(),
            signal: Arc::new(Notify::new()),
        };
        let intake = Intake::builder(store.clone())
            .ats(smartrecruiters)
            .ats(lever)
            .willo_token(willo_token)
            .notify(parts.signal.clone())
            .build()
            .map_err(|e| DemoError::Intake(e.to_string()))?;

        let (server_stop, stopped) = watch::channel(false);
        let app = router(Arc::new(intake));
        let server = tokio::spawn(async move {
            let mut stopped = stopped;
            let shutdown = async move {
                let _ = stopped.wait_for(|stopped| *stopped).await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "demo intake server failed");
            }
        });
        let running = parts.spawn_all(options.engines)?;
        // Activation sends the handshake, which the intake (now serving) answers.
        activate_smartrecruiters(&sr_client, &subscription).await?;
        Ok(Self {
            sandbox,
            parts,
            running,
            engines: options.engines.max(1),
            store,
            intake_url: base,
            server_stop,
            server: Some(server),
        })
    }

    /// Kill the engines where they stand, as if their processes died: steps in
    /// flight are dropped mid-way, leases stay held until they expire. The intake
    /// keeps storing deliveries. Start new engines with [`Demo::start_engine`].
    pub fn crash_engine(&mut self) {
        for running in self.running.drain(..) {
            running.task.abort();
        }
    }

    /// Start new engines (as many as [`DemoOptions::engines`]) on the same store and
    /// settings, after [`Demo::crash_engine`]; they catch up from the ledger and the
    /// inbox.
    pub fn start_engine(&mut self) -> Result<(), DemoError> {
        self.crash_engine();
        self.running = self.parts.spawn_all(self.engines)?;
        Ok(())
    }

    /// The simulated APIs.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// The first running engine.
    pub fn engine(&self) -> Option<&Engine> {
        self.running.first().map(|running| &running.engine)
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Where the intake listens (`http://127.0.0.1:<port>`).
    pub fn intake_url(&self) -> &str {
        &self.intake_url
    }

    /// The ATS connections' names, as the ledger records them.
    pub fn ats_names(&self) -> Vec<AtsName> {
        self.parts.ats.iter().map(|ats| ats.name()).collect()
    }

    /// Move the first `smartrecruiters` candidates (over all jobs) and the first
    /// `lever` opportunities to the trigger stage, as a recruiter would; each move
    /// sends the sandbox's signed webhook to the intake. Returns who moved.
    pub fn move_to_trigger_stage(
        &self,
        smartrecruiters: usize,
        lever: usize,
    ) -> Result<Vec<Moved>, DemoError> {
        let sr = self.sandbox.smartrecruiters();
        let mut moved = Vec::new();
        let candidates = sr
            .jobs()
            .into_iter()
            .flat_map(|job| {
                sr.candidates(&job.id)
                    .into_iter()
                    .map(move |candidate| (job.id.clone(), candidate))
            })
            .take(smartrecruiters);
        for (job, candidate) in candidates {
            sr.move_candidate(&candidate, &job, SMARTRECRUITERS_TRIGGER, None)?;
            moved.push(Moved {
                ats: Vendor::SmartRecruiters,
                id: candidate,
            });
        }
        let lv = self.sandbox.lever();
        let opportunities = lv
            .postings()
            .into_iter()
            .flat_map(|posting| lv.opportunities(&posting.id))
            .take(lever);
        for opportunity in opportunities {
            lv.move_opportunity(&opportunity, LEVER_TRIGGER)?;
            moved.push(Moved {
                ats: Vendor::Lever,
                id: opportunity,
            });
        }
        Ok(moved)
    }

    /// Wait until `expected` rows are synced (results written back), polling the
    /// store; the last status on success, an error carrying it on timeout.
    pub async fn wait_for_synced(
        &self,
        expected: u64,
        timeout: Duration,
    ) -> Result<StatusReport, DemoError> {
        self.wait_until(timeout, |status| {
            status.by_state.get(&RowState::Synced).copied().unwrap_or(0) >= expected
        })
        .await
    }

    /// Wait until `done` holds for the store's status.
    pub async fn wait_until(
        &self,
        timeout: Duration,
        done: impl Fn(&StatusReport) -> bool,
    ) -> Result<StatusReport, DemoError> {
        let deadline = Instant::now() + timeout;
        loop {
            let status = self.store.status().await?;
            if done(&status) {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                return Err(DemoError::TimedOut(Box::new(status)));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stop the engine (work in progress finishes), the intake and the sandbox.
    pub async fn stop(mut self) {
        // All told first, so they finish their work in progress side by side.
        let mut tasks = Vec::new();
        for running in self.running.drain(..) {
            let _ = running.stop.send(());
            tasks.push(running.task);
        }
        for task in tasks {
            let _ = task.await;
        }
        let _ = self.server_stop.send(true);
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.sandbox.shutdown().await;
    }
}

/// What it takes to (re)start the demo's engine.
struct EngineParts {
    willo: WilloClient,
    ats: Vec<Arc<dyn Ats>>,
    rules: Rules,
    config: EngineConfig,
    store: Arc<dyn Store>,
    /// Shared by every engine started, so the intake wakes whichever runs.
    signal: Arc<Notify>,
}

/// A running engine and how to stop it.
struct Running {
    engine: Engine,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl EngineParts {
    /// `count` engines, each with a worker id of its own.
    fn spawn_all(&self, count: usize) -> Result<Vec<Running>, DemoError> {
        (0..count.max(1))
            .map(|i| {
                let mut config = self.config.clone();
                if count > 1 {
                    config.worker_id = format!("{}-{i}", config.worker_id);
                }
                self.spawn(config)
            })
            .collect()
    }

    fn spawn(&self, config: EngineConfig) -> Result<Running, DemoError> {
        let engine = self
            .ats
            .iter()
            .fold(
                Engine::builder(self.willo.clone(), self.store.clone()),
                |builder, ats| builder.ats(ats.clone()),
            )
            .rules(self.rules.clone())
            .config(config)
            .inbox_signal(self.signal.clone())
            .build()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let running = engine.clone();
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(error) = running.run(shutdown).await {
                tracing::error!(%error, "demo engine failed");
            }
        });
        Ok(Running { engine, stop, task })
    }
}
