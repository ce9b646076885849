//! What every chaos scenario shares: a world (a fake Willo, a wrapped in-memory ATS,
//! a clock the test moves), a seeded plan of what candidates do, engines built the
//! way a deployment builds them, a "settle" loop that drives them the way
//! `Engine::run` does until nothing is left to do, and the verdict the issue asks
//! for: invites = distinct candidates at a trigger stage, write-backs = answered
//! candidates, each exactly once, the ATS's final labels = Willo's final state, no
//! row left failed.

pub mod ats;
pub mod ledgers;
pub mod willo;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ats_bridge::WilloSource;
use ats_bridge::engine::{Engine, EngineConfig, RetrySchedule};
use ats_bridge::model::{ApplicationRef, Job, JobState};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::{NewDelivery, RowState, Store};
use ats_bridge::{StoredDelivery, VerifiedDelivery};
use ats_testkit::MemoryAts;
use client_core::webhook::Clock;
use futures::StreamExt as _;
use willo_client::{ParticipantKey, WebhookEvent};

pub use ats::{ChaosAts, Point};
pub use ledgers::{Backend, LeaseClock, LedgerHome, backends};
pub use willo::ChaosWillo;

use crate::support::tiny_ats::{app, candidate};

/// The interview the trigger sends.
pub const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";
/// The screening interview (walk-ins become candidates on `job-open`).
pub const SCREENING: &str = "5c3b0a1e9d8f4e2a8b7c6d5e4f3a2b1c";
/// The ATS connection's name.
pub const ATS: &str = "tiny";
/// Applications in every world (`app-1` … `app-8`, all on `job-open` at `new`).
pub const APPLICATIONS: u32 = 8;
/// The engines' lease, on the test's clock.
pub const LEASE: Duration = Duration::from_secs(60);
/// Labels, as the default rules name them.
pub const INVITED: &str = "Willo:Invited";
const TO_REVIEW: &str = "Willo:To Review";

/// Runs per scenario: `CHAOS_RUNS` (default 3, the CI setting), each with its own seed.
pub fn runs() -> u64 {
    std::env::var("CHAOS_RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .filter(|runs| *runs > 0)
        .unwrap_or(3)
}

/// What the candidates of one run do, drawn from its seed.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Applications moved to the trigger stage (each must be invited once).
    pub at_trigger: BTreeSet<u32>,
    /// Of those, the ones who answer (each must get one results note).
    pub answering: BTreeSet<u32>,
    /// Of those, the hiring team's decision in Willo (`Accepted` / `Rejected`).
    pub decisions: BTreeMap<u32, &'static str>,
    /// Screening walk-ins (each must become one candidate, with one note).
    pub walk_ins: u32,
}

impl Plan {
    /// A plan drawn from `seed`: most applications reach the trigger, most of those
    /// answer, half of those get a decision; one walk-in.
    pub fn seeded(seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut plan = Plan {
            walk_ins: 1,
            ..Plan::default()
        };
        for n in 1..=APPLICATIONS {
            if rng.u8(0..4) == 0 {
                continue;
            }
            plan.at_trigger.insert(n);
            if rng.u8(0..10) < 7 {
                plan.answering.insert(n);
                match rng.u8(0..4) {
                    0 => {
                        plan.decisions.insert(n, "Accepted");
                    }
                    1 => {
                        plan.decisions.insert(n, "Rejected");
                    }
                    _ => {}
                }
            }
        }
        // Never an empty run.
        plan.at_trigger.insert(1);
        plan.answering.insert(1);
        plan
    }

    /// The label application `n` must end with.
    fn final_labels(&self, n: u32) -> Vec<String> {
        let label = if !self.at_trigger.contains(&n) {
            return Vec::new();
        } else if let Some(decision) = self.decisions.get(&n) {
            format!("Willo:{decision}")
        } else if self.answering.contains(&n) {
            TO_REVIEW.to_owned()
        } else {
            INVITED.to_owned()
        };
        vec![label]
    }
}

/// A clock the test moves by hand, starting at the real time (so PostgreSQL's own
/// timestamps stay plausible).
#[derive(Debug)]
pub struct ManualClock {
    ms: AtomicU64,
}

impl ManualClock {
    /// A clock at the real time now.
    pub fn new() -> Self {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        Self {
            ms: AtomicU64::new(now.as_millis() as u64),
        }
    }

    /// Move on by `by`.
    pub fn advance(&self, by: Duration) {
        self.ms.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    /// Now, in epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.ms.load(Ordering::SeqCst) as i64
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.ms.load(Ordering::SeqCst))
    }
}

/// The real clock plus a fixed offset: a replica whose clock runs ahead.
#[derive(Debug)]
pub struct SkewedClock(pub Duration);

impl Clock for SkewedClock {
    fn now(&self) -> SystemTime {
        SystemTime::now() + self.0
    }
}

/// The engines' settings in the suite: a 60 s lease, retries 5 s apart growing to a
/// minute and given up after five (so a fault a retry cannot outlast shows as a
/// failed row), credential probes from 15 s to a minute, a ledger trusted from its
/// first row (the lost-ledger scenario sets the young-ledger window).
pub fn config(worker: &str) -> EngineConfig {
    let mut config = EngineConfig::default();
    config.worker_id = worker.to_owned();
    config.lease = LEASE;
    config.retry = RetrySchedule::new(Duration::from_secs(5), Duration::from_secs(60), 5);
    config.credential_probes =
        RetrySchedule::new(Duration::from_secs(15), Duration::from_secs(60), u32::MAX);
    config.young_ledger_window = Duration::ZERO;
    config.reconcile_interval = None;
    config
}

/// One run's world: Willo, the ATS, the clock, the rules.
pub struct World {
    /// The fake Willo.
    pub willo: ChaosWillo,
    /// The ATS, wrapped.
    pub ats: Arc<ChaosAts>,
    /// The engines' clock (unless a scenario gives one its own).
    pub clock: Arc<ManualClock>,
    /// The rules: one trigger and one screening interview.
    pub rules: Rules,
    walk_ins: std::sync::Mutex<Vec<String>>,
}

impl World {
    /// A new world: `app-1` … `app-8` at `new` on `job-open`.
    pub async fn new() -> Self {
        let mut builder = MemoryAts::builder().name(ATS).jobs([
            Job::new("job-open", "Nurse", JobState::Open),
            Job::new("job-closed", "Porter", JobState::Closed),
        ]);
        for n in 1..=APPLICATIONS {
            builder = builder.application(app(n, "job-open"), "new", candidate(n));
        }
        let rules = Rules::new()
            .trigger(ATS, JobSelector::Any, ["screen"], INTERVIEW)
            .screen(SCREENING, ATS, "job-open");
        Self {
            willo: ChaosWillo::start().await,
            ats: Arc::new(ChaosAts::new(Arc::new(builder.build()), INVITED)),
            clock: Arc::new(ManualClock::new()),
            rules,
            walk_ins: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// An engine over `store`, named `worker`, on the world's clock.
    pub fn engine(&self, store: Arc<dyn Store>, config: EngineConfig) -> Engine {
        self.engine_with_clock(store, config, self.clock.clone())
    }

    /// An engine over `store` on a clock of its own.
    pub fn engine_with_clock(
        &self,
        store: Arc<dyn Store>,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Engine {
        Engine::builder(self.willo.client(), store)
            .ats(self.ats.clone())
            .rules(self.rules.clone())
            .config(config)
            .clock(clock)
            .build()
            .expect("the chaos engine builds")
    }

    /// A recruiter moves application `n` to the trigger stage; the ATS's webhook
    /// reaches the inbox (as `copy` of the delivery: vendors repeat them).
    pub async fn move_to_trigger(&self, store: &dyn Store, n: u32, copy: u32) {
        let application = app(n, "job-open");
        self.ats
            .memory()
            .move_to(application.application.as_str(), "screen");
        let body = self
            .ats
            .memory()
            .delivery(&application, &"screen".into())
            .body;
        let key = format!("stage-{n}-{copy}");
        store
            .inbox_insert(&NewDelivery::new(ATS, &key, &body), self.clock.now_ms())
            .await
            .expect("store the ATS delivery");
    }

    /// Willo's participant for application `n`; `None` when it was never invited
    /// (a loss the verdict counts: the candidate cannot answer).
    pub fn participant(&self, n: u32) -> Option<ParticipantKey> {
        let email = candidate(n).email.expect("candidates have e-mails");
        self.willo.participant_of(&email)
    }

    /// Willo news about `participant` reaches the inbox.
    pub async fn willo_news(
        &self,
        store: &dyn Store,
        participant: &ParticipantKey,
        event: WebhookEvent,
        copy: u32,
    ) {
        let body = serde_json::json!({"participant_key": participant.as_str()}).to_string();
        let delivery = VerifiedDelivery::new(
            format!("{}-{event}-{copy}", participant.as_str()),
            StoredDelivery::new(body).event(event.as_str()),
        );
        store
            .inbox_insert(&delivery.to_inbox(WilloSource::NAME), self.clock.now_ms())
            .await
            .expect("store the Willo delivery");
    }

    /// Application `n`'s candidate answers; Willo says so.
    pub async fn answer(&self, store: &dyn Store, n: u32) {
        let Some(participant) = self.participant(n) else {
            return;
        };
        self.willo.answer(&participant);
        self.willo_news(store, &participant, WebhookEvent::NewResponse, 0)
            .await;
    }

    /// The hiring team decides about application `n` in Willo; Willo says so.
    pub async fn decide(&self, store: &dyn Store, n: u32, decision: &str) {
        let Some(participant) = self.participant(n) else {
            return;
        };
        self.willo.move_to(&participant, decision);
        self.willo_news(store, &participant, WebhookEvent::StageChange, 0)
            .await;
    }

    /// Walk-in `i` completes the screening interview; Willo says so.
    pub async fn walk_in(&self, store: &dyn Store, i: u32) {
        let key = format!("{:032x}", 0xa000_0000_u64 + u64::from(i));
        let email = format!("walk-in-{i}@example.com");
        self.willo
            .add_walk_in(&key, SCREENING, &format!("Walk In {i}"), &email);
        self.walk_ins.lock().unwrap().push(email);
        self.willo_news(
            store,
            &ParticipantKey::new(key),
            WebhookEvent::NewResponse,
            0,
        )
        .await;
    }

    /// The answers, decisions and walk-ins of `plan`, stored in the inbox.
    pub async fn play_answers(&self, plan: &Plan, store: &dyn Store) {
        for n in &plan.answering {
            self.answer(store, *n).await;
        }
        for (n, decision) in &plan.decisions {
            self.decide(store, *n, decision).await;
        }
        for i in 0..plan.walk_ins {
            self.walk_in(store, i).await;
        }
    }

    /// Drive `engines` as `Engine::run` would — due retries and the inbox until empty
    /// every round, a reconciler pass every fifth (a round is a lease's worth of
    /// time, so about `Engine::run`'s five minutes) — until two rounds in a row find
    /// nothing to do, the second always with a reconciler pass (at most
    /// `SETTLE_ROUNDS`).
    pub async fn settle(&self, engines: &[Engine]) {
        let mut quiet_rounds = 0;
        for round in 0..SETTLE_ROUNDS {
            let reconcile = round % 5 == 0 || quiet_rounds > 0;
            let mut worked = 0;
            for engine in engines {
                worked += work(engine, reconcile).await;
            }
            quiet_rounds = if worked == 0 { quiet_rounds + 1 } else { 0 };
            if quiet_rounds >= 2 {
                return;
            }
            self.clock.advance(LEASE + Duration::from_secs(1));
        }
    }

    /// What the run left behind, against what `plan` says should be.
    pub async fn verdict(&self, plan: &Plan, engine: &Engine) -> Verdict {
        let mut verdict = Verdict::default();
        let invites = self.willo.invites_by_email();
        let memory = self.ats.memory();
        let writes = memory.writes();
        for n in 1..=APPLICATIONS {
            let email = candidate(n).email.unwrap().to_lowercase();
            let sent = invites.get(&email).copied().unwrap_or(0);
            let expected = u32::from(plan.at_trigger.contains(&n));
            verdict.count(&format!("app-{n}: invites"), sent, expected);
            let application = app(n, "job-open");
            let notes = notes_on(&writes, &application);
            let expected = u32::from(plan.answering.contains(&n));
            verdict.count(&format!("app-{n}: results notes"), notes, expected);
            let labels = memory.labels_of(application.application.as_str());
            let wanted = plan.final_labels(n);
            if labels != wanted {
                verdict.losses += 1;
                verdict
                    .problems
                    .push(format!("app-{n}: labels {labels:?}, Willo says {wanted:?}"));
            }
        }
        let created = memory.created();
        let walk_ins = self.walk_ins.lock().unwrap().clone();
        verdict.count(
            "walk-ins: candidates created",
            u32::try_from(created.len()).unwrap(),
            u32::try_from(walk_ins.len()).unwrap(),
        );
        for application in &created {
            let notes = notes_on(&writes, application);
            verdict.count(
                &format!("{}: results notes", application.application),
                notes,
                1,
            );
        }
        verdict.add_failed_rows(engine).await;
        let backlog = engine
            .stores()
            .inbox
            .inbox_backlog()
            .await
            .expect("the inbox backlog");
        if backlog.pending > 0 {
            verdict.losses += backlog.pending;
            verdict
                .problems
                .push(format!("{} deliveries never processed", backlog.pending));
        }
        verdict
    }
}

/// Runs of one scenario and backend in progress at once: each has its own world and
/// ledger, and holds a few PostgreSQL connections.
const AT_ONCE: usize = 4;

/// Run `runs` a few at a time, answering in their order.
pub async fn concurrently<T>(runs: impl IntoIterator<Item = impl Future<Output = T>>) -> Vec<T> {
    futures::stream::iter(runs)
        .buffered(AT_ONCE)
        .collect()
        .await
}

/// Rounds a settle may take; each lets a lease's worth of (test) time pass.
const SETTLE_ROUNDS: usize = 40;

/// One round of an engine's work with a reconciler pass; returns how much it found
/// to do.
pub async fn drive(engine: &Engine) -> usize {
    work(engine, true).await
}

/// One round of an engine's work; returns how much it found to do.
async fn work(engine: &Engine, reconcile: bool) -> usize {
    let mut worked: usize = 0;
    // Errors here are what `Engine::run` logs and retries (an outage, a parked
    // delivery): the verdict, not the round, judges the outcome.
    if reconcile && let Ok(report) = engine.reconcile().await {
        worked += usize::try_from(report.invited).unwrap_or(usize::MAX);
    }
    worked += engine.retry_due().await.unwrap_or(0);
    for _ in 0..50 {
        match engine.process_inbox().await {
            Ok(0) | Err(_) => break,
            Ok(taken) => worked += taken,
        }
    }
    worked
}

fn notes_on(writes: &[(ApplicationRef, ats_bridge::model::WriteBack)], on: &ApplicationRef) -> u32 {
    let notes = writes
        .iter()
        .filter(|(application, write)| application == on && write.outcome.is_some())
        .count();
    u32::try_from(notes).unwrap()
}

/// What one run (or a scenario's runs, summed) left wrong.
#[derive(Debug, Default, Clone)]
pub struct Verdict {
    /// Invites, notes or candidates beyond one each.
    pub duplicates: u64,
    /// Invites, notes, candidates or label updates missing, deliveries never processed.
    pub losses: u64,
    /// Ledger rows left failed.
    pub failed: u64,
    /// What each of them was.
    pub problems: Vec<String>,
}

impl Verdict {
    /// The same verdict, its problems prefixed with what the run injected.
    pub fn named(mut self, what: impl std::fmt::Debug) -> Self {
        for problem in &mut self.problems {
            *problem = format!("{what:?}: {problem}");
        }
        self
    }

    /// Count the ledger's failed rows, with their reasons.
    pub async fn add_failed_rows(&mut self, engine: &Engine) {
        let status = engine.status().await.expect("the ledger's status");
        self.failed += status.by_state.get(&RowState::Failed).copied().unwrap_or(0);
        for row in &status.failed {
            self.problems.push(format!(
                "{} failed: {}",
                row.key,
                row.last_error.as_deref().unwrap_or("?")
            ));
        }
    }

    /// Count `got` against `expected`: the excess as duplicates, the shortfall as
    /// losses.
    pub fn count(&mut self, what: &str, got: u32, expected: u32) {
        if got > expected {
            self.duplicates += u64::from(got - expected);
        } else if got < expected {
            self.losses += u64::from(expected - got);
        } else {
            return;
        }
        self.problems
            .push(format!("{what}: {got}, expected {expected}"));
    }
}

/// A scenario's runs on one backend, summed, printed as one line and asserted clean.
pub struct Summary {
    scenario: &'static str,
    backend: &'static str,
    runs: u64,
    total: Verdict,
    started: std::time::Instant,
}

impl Summary {
    /// An empty summary of `scenario` on `backend`.
    pub fn new(scenario: &'static str, backend: Backend) -> Self {
        Self {
            scenario,
            backend: backend.name(),
            runs: 0,
            total: Verdict::default(),
            started: std::time::Instant::now(),
        }
    }

    /// Add run `seed`'s verdict.
    pub fn add(&mut self, seed: u64, verdict: Verdict) {
        self.runs += 1;
        self.total.duplicates += verdict.duplicates;
        self.total.losses += verdict.losses;
        self.total.failed += verdict.failed;
        self.total.problems.extend(
            verdict
                .problems
                .into_iter()
                .map(|problem| format!("seed {seed}: {problem}")),
        );
    }

    /// Print the summary line (RELIABILITY.md quotes them) and fail on any problem.
    // The line is the suite's report, read with `--nocapture`.
    #[allow(clippy::print_stdout)]
    pub fn finish(self) {
        println!(
            "chaos: scenario={} backend={} runs={} duplicates={} losses={} rows_failed={} \
             seconds={:.1}",
            self.scenario,
            self.backend,
            self.runs,
            self.total.duplicates,
            self.total.losses,
            self.total.failed,
            self.started.elapsed().as_secs_f64()
        );
        assert!(
            self.total.problems.is_empty(),
            "{} on {}: {:#?}",
            self.scenario,
            self.backend,
            self.total.problems
        );
    }
}
