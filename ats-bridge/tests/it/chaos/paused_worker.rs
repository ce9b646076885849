//! Paused worker: a replica stopped past its lease (a GC pause, SIGSTOP, a suspended
//! VM) in the middle of an invite and of a write-back, while another replica takes
//! its work over; then it resumes and finishes what it was doing. The fences must
//! keep the late worker from sending or writing anything twice.

use super::harness::{
    Backend, LeaseClock, LedgerHome, Plan, Point, Summary, Verdict, World, backends, concurrently,
    config, runs,
};

use std::time::Duration;

const TEST: &str = "chaos_paused_worker";

/// Where the worker is paused: before and after the Willo send, before and after the
/// results note.
const PAUSES: [Point; 4] = [
    Point::AfterCandidateRead,
    Point::BeforeInvitedLabel,
    Point::AfterLabels,
    Point::AfterNote,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_paused_past_its_lease_sends_and_writes_nothing_twice() {
    for backend in backends(TEST).await {
        let mut summary = Summary::new("paused worker", backend);
        let each = (0..runs()).flat_map(|seed| PAUSES.map(move |point| (seed, point)));
        let verdicts = concurrently(each.map(|(seed, point)| async move {
            (seed, pause_at(backend, seed, point).await.named(point))
        }))
        .await;
        for (seed, verdict) in verdicts {
            summary.add(seed, verdict);
        }
        summary.finish();
    }
}

async fn pause_at(backend: Backend, seed: u64, point: Point) -> Verdict {
    let home = LedgerHome::new(backend, TEST, LeaseClock::Callers)
        .await
        .expect("the backend was available a moment ago");
    let world = World::new().await;
    let plan = Plan::seeded(seed);
    let store_a = home.open().await;
    let store_b = home.open().await;
    let paused = world.engine(store_a.clone(), config("replica-a"));
    let other = world.engine(store_b.clone(), config("replica-b"));
    let in_invite = matches!(point, Point::AfterCandidateRead | Point::BeforeInvitedLabel);

    for n in &plan.at_trigger {
        world.move_to_trigger(store_a.as_ref(), *n, 0).await;
    }
    if !in_invite {
        world.settle(std::slice::from_ref(&other)).await;
        world.play_answers(&plan, store_a.as_ref()).await;
    }
    let held = world.ats.stop_at(point);
    let first = {
        let engine = paused.clone();
        tokio::spawn(async move { super::harness::drive(&engine).await })
    };
    tokio::time::timeout(Duration::from_secs(20), held.reached)
        .await
        .unwrap_or_else(|_| panic!("{point:?} was never reached"))
        .expect("the boundary announces itself");

    // While replica A sleeps, its leases run out and replica B does the work.
    world.settle(std::slice::from_ref(&other)).await;
    // A wakes up and carries on from where it stopped.
    let _ = held.release.send(());
    tokio::time::timeout(Duration::from_secs(20), first)
        .await
        .expect("the resumed worker finishes")
        .expect("the resumed worker does not panic");
    if in_invite {
        world.settle(&[paused.clone(), other.clone()]).await;
        world.play_answers(&plan, store_b.as_ref()).await;
    }
    world.settle(&[paused.clone(), other.clone()]).await;
    let verdict = world.verdict(&plan, &other).await;
    drop((paused, other, store_a, store_b));
    home.finish().await;
    verdict
}
