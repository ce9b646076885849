//! Credential outage: Willo, then the ATS, answers 401 to everything for two minutes
//! (of the engine's clock) while candidates reach the trigger stage and answer. The
//! work must be parked, not failed, and finish by itself once the credentials work.

use super::harness::{
    Backend, LEASE, LeaseClock, LedgerHome, Plan, Summary, Verdict, World, backends, concurrently,
    config, drive, runs,
};

use std::time::Duration;

use ats_bridge::engine::Engine;

const TEST: &str = "chaos_credential_outage";
const OUTAGE: Duration = Duration::from_secs(120);

/// Whose credentials are revoked.
#[derive(Debug, Clone, Copy)]
enum Revoked {
    Willo,
    Ats,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_minute_credential_outage_leaves_nothing_failed() {
    for backend in backends(TEST).await {
        let mut summary = Summary::new("credential outage", backend);
        let each =
            (0..runs()).flat_map(|seed| [Revoked::Willo, Revoked::Ats].map(move |r| (seed, r)));
        let verdicts = concurrently(each.map(|(seed, revoked)| async move {
            (seed, outage(backend, seed, revoked).await.named(revoked))
        }))
        .await;
        for (seed, verdict) in verdicts {
            summary.add(seed, verdict);
        }
        summary.finish();
    }
}

async fn outage(backend: Backend, seed: u64, revoked: Revoked) -> Verdict {
    let home = LedgerHome::new(backend, TEST, LeaseClock::Callers)
        .await
        .expect("the backend was available a moment ago");
    let world = World::new().await;
    let plan = Plan::seeded(seed);
    let store = home.open().await;
    let engine = world.engine(store.clone(), config("worker"));
    let revoke = |on: bool| match revoked {
        Revoked::Willo => world.willo.refuse_credentials(on),
        Revoked::Ats => world.ats.refuse_credentials(on),
    };

    // The invites fall into an outage…
    revoke(true);
    for n in &plan.at_trigger {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
    }
    work_through(&world, &engine).await;
    let mut problems = Vec::new();
    if engine.credential_outages().is_empty() {
        problems.push(format!("{revoked:?}: the outage was not noticed"));
    }
    revoke(false);
    world.settle(std::slice::from_ref(&engine)).await;

    // …and so do the answers.
    revoke(true);
    world.play_answers(&plan, store.as_ref()).await;
    work_through(&world, &engine).await;
    revoke(false);
    world.settle(std::slice::from_ref(&engine)).await;

    let mut verdict = world.verdict(&plan, &engine).await;
    let outages = engine.credential_outages();
    if !outages.is_empty() {
        problems.push(format!("outages still marked: {:?}", outages.keys()));
    }
    verdict.losses += u64::try_from(problems.len()).unwrap();
    verdict.problems.extend(problems);
    drop((engine, store));
    home.finish().await;
    verdict
}

/// Two minutes of the engine running through the outage, ten seconds at a time.
async fn work_through(world: &World, engine: &Engine) {
    let step = Duration::from_secs(10);
    let mut passed = Duration::ZERO;
    while passed < OUTAGE {
        drive(engine).await;
        world.clock.advance(step);
        passed += step;
    }
    // Past the last lease taken during the outage.
    world.clock.advance(LEASE);
}
