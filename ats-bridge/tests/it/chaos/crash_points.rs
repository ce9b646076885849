//! Crash points: the process is killed (the engine's task aborted, its futures
//! dropped mid-call) at each step boundary of an invite, a write-back and a
//! screening, then restarted on the same ledger. Nothing may be sent twice or lost.

use super::harness::{
    Backend, LeaseClock, LedgerHome, Plan, Point, Summary, Verdict, World, backends, concurrently,
    config, runs,
};

use std::time::Duration;

const TEST: &str = "chaos_crash_points";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_points_send_nothing_twice_and_lose_nothing() {
    for backend in backends(TEST).await {
        let mut summary = Summary::new("crash points", backend);
        let each = (0..runs()).flat_map(|seed| Point::ALL.map(move |point| (seed, point)));
        let verdicts = concurrently(each.map(|(seed, point)| async move {
            (seed, crash_at(backend, seed, point).await.named(point))
        }))
        .await;
        for (seed, verdict) in verdicts {
            summary.add(seed, verdict);
        }
        summary.finish();
    }
}

/// One run: the candidates of `seed`'s plan, the engine killed the first time it
/// reaches `point`, a new engine (a new process: a new pool, a new worker id) on the
/// same ledger finishing the work.
async fn crash_at(backend: Backend, seed: u64, point: Point) -> Verdict {
    let home = LedgerHome::new(backend, TEST, LeaseClock::Callers)
        .await
        .expect("the backend was available a moment ago");
    let world = World::new().await;
    let plan = Plan::seeded(seed);
    let store = home.open().await;
    let first = world.engine(store.clone(), config("doomed"));
    let held = world.ats.stop_at(point);
    let in_invite = matches!(
        point,
        Point::BeforeCandidateRead
            | Point::AfterCandidateRead
            | Point::BeforeInvitedLabel
            | Point::AfterInvitedLabel
    );

    for n in &plan.at_trigger {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
    }
    if !in_invite {
        world.settle(std::slice::from_ref(&first)).await;
        world.play_answers(&plan, store.as_ref()).await;
    }
    // Work until the boundary, then die there.
    let doomed = {
        let (world_clock, engine) = (world.clock.clone(), first.clone());
        tokio::spawn(async move {
            loop {
                super::harness::drive(&engine).await;
                world_clock.advance(super::harness::LEASE + Duration::from_secs(1));
                tokio::task::yield_now().await;
            }
        })
    };
    tokio::time::timeout(Duration::from_secs(20), held.reached)
        .await
        .unwrap_or_else(|_| panic!("{point:?} was never reached"))
        .expect("the boundary announces itself");
    doomed.abort();
    let _ = doomed.await;
    drop(held.release);
    drop((first, store));

    // The restart: a new pool on the same ledger, a new worker.
    let store = home.open().await;
    let second = world.engine(store.clone(), config("restarted"));
    world.settle(std::slice::from_ref(&second)).await;
    if in_invite {
        world.play_answers(&plan, store.as_ref()).await;
        world.settle(std::slice::from_ref(&second)).await;
    }
    let verdict = world.verdict(&plan, &second).await;
    drop((second, store));
    home.finish().await;
    verdict
}
