//! Skewed replicas: two engines on one PostgreSQL database, one whose clock runs 90 s
//! ahead, leases granted at the server's clock (the production setting). Every ATS
//! and Willo delivery reaches both (stored twice), both reconcile, write-backs are
//! slowed to widen the races. With leases of 2 s, a replica trusting its own clock
//! would see every lease of the other as long expired.
//!
//! PostgreSQL only: SQLite's replicas share one machine, and so one clock.

use super::harness::{
    Backend, LeaseClock, LedgerHome, Plan, SkewedClock, Summary, Verdict, World, backends,
    concurrently, config, drive, runs,
};

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::engine::{Engine, EngineConfig, RetrySchedule};
use client_core::webhook::SystemClock;

const TEST: &str = "chaos_skewed_replicas";
const SKEW: Duration = Duration::from_secs(90);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_clock_runs_90_s_ahead_duplicates_nothing() {
    if !backends(TEST).await.contains(&Backend::Postgres) {
        return;
    }
    let mut summary = Summary::new("skewed replicas", Backend::Postgres);
    let verdicts = concurrently((0..runs()).map(|seed| async move {
        let home = LedgerHome::new(Backend::Postgres, TEST, LeaseClock::Database)
            .await
            .expect("PostgreSQL was available a moment ago");
        (seed, skewed(home, seed).await)
    }))
    .await;
    for (seed, verdict) in verdicts {
        summary.add(seed, verdict);
    }
    summary.finish();
}

/// Leases of 2 s on the server's clock, retries within a second: real time passes.
fn short(worker: &str) -> EngineConfig {
    let mut config = config(worker);
    config.lease = Duration::from_secs(2);
    config.retry = RetrySchedule::new(Duration::from_millis(100), Duration::from_millis(500), 8);
    config.credential_probes = RetrySchedule::new(
        Duration::from_millis(100),
        Duration::from_millis(500),
        u32::MAX,
    );
    config
}

async fn skewed(home: LedgerHome, seed: u64) -> Verdict {
    let world = World::new().await;
    let plan = Plan::seeded(seed);
    let store = home.open().await;
    let replicas = [
        world.engine_with_clock(store.clone(), short("on-time"), Arc::new(SystemClock)),
        world.engine_with_clock(
            home.open().await,
            short("ahead"),
            Arc::new(SkewedClock(SKEW)),
        ),
    ];
    world
        .ats
        .memory()
        .delay_write_backs(Duration::from_millis(10));
    for n in &plan.at_trigger {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
        world.move_to_trigger(store.as_ref(), *n, 1).await;
    }
    settle_in_real_time(&replicas).await;
    for n in &plan.answering {
        world.answer(store.as_ref(), *n).await;
        let Some(participant) = world.participant(*n) else {
            continue;
        };
        world
            .willo_news(
                store.as_ref(),
                &participant,
                willo_client::WebhookEvent::NewResponse,
                1,
            )
            .await;
    }
    for (n, decision) in &plan.decisions {
        world.decide(store.as_ref(), *n, decision).await;
    }
    for i in 0..plan.walk_ins {
        world.walk_in(store.as_ref(), i).await;
    }
    settle_in_real_time(&replicas).await;
    let verdict = world.verdict(&plan, &replicas[0]).await;
    drop((replicas, store));
    home.finish().await;
    verdict
}

/// Both replicas at once, round after round, until three rounds in a row find
/// nothing to do (at most 20 s).
async fn settle_in_real_time(replicas: &[Engine; 2]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut quiet = 0;
    while quiet < 3 && tokio::time::Instant::now() < deadline {
        let (a, b) = tokio::join!(drive(&replicas[0]), drive(&replicas[1]));
        quiet = if a + b == 0 { quiet + 1 } else { 0 };
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
