//! Racing Willo news: `new_response`, `new_score` and `stage_change` about each
//! participant arrive within 50 ms, twice over (Willo repeats deliveries), and two
//! replicas take them two at a time, with write-backs slowed to 20 ms a call. The
//! first answer write-back is held for 300 ms just before it changes the record;
//! meanwhile the hiring team decides in Willo and Willo says so, so the decision's
//! news finds the row busy (issue 13's first hole); the other decisions land a few ms
//! into the race. The ATS must end with one note and the label of Willo's final state.

use super::harness::{
    Backend, LeaseClock, LedgerHome, Plan, Point, Summary, Verdict, World, backends, concurrently,
    config, runs,
};

use std::collections::BTreeSet;
use std::time::Duration;

use ats_bridge::model::ApplicationRef;
use ats_bridge::store::Store;

use ats_bridge::engine::{Engine, EngineConfig};
use willo_client::WebhookEvent;

const TEST: &str = "chaos_racing_news";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_willo_news_is_written_back_once_with_the_final_state() {
    for backend in backends(TEST).await {
        let mut summary = Summary::new("racing Willo news", backend);
        let verdicts =
            concurrently((0..runs()).map(|seed| async move { (seed, race(backend, seed).await) }))
                .await;
        for (seed, verdict) in verdicts {
            summary.add(seed, verdict);
        }
        summary.finish();
    }
}

/// Two deliveries at a time per replica, so the news about one participant spreads
/// over both replicas and over time.
fn small_batches(worker: &str) -> EngineConfig {
    let mut config = config(worker);
    config.inbox_batch = 2;
    config.concurrency = 2;
    config
}

/// Take deliveries as they come for a while (real time: the write-backs' delays and
/// the decisions' arrival are real), as `Engine::run`'s inbox loop does.
async fn keep_taking(engine: &Engine) {
    let until = tokio::time::Instant::now() + RACE_FOR;
    while tokio::time::Instant::now() < until {
        let _ = engine.process_inbox().await;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// How long the replicas race on the news before settling.
const RACE_FOR: Duration = Duration::from_millis(700);
/// How long the first write-back is held while its decision arrives.
const HELD_FOR: Duration = Duration::from_millis(300);

/// The hiring team decides about application `n` in Willo, and Willo says so.
async fn decide(world: &World, store: &dyn Store, n: u32, decision: &str) {
    let Some(participant) = world.participant(n) else {
        return;
    };
    world.willo.move_to(&participant, decision);
    world
        .willo_news(store, &participant, WebhookEvent::StageChange, 99)
        .await;
}

/// `n` of `app-n`.
fn number_of(application: &ApplicationRef) -> Option<u32> {
    application
        .application
        .as_str()
        .strip_prefix("app-")?
        .parse()
        .ok()
}

async fn race(backend: Backend, seed: u64) -> Verdict {
    let home = LedgerHome::new(backend, TEST, LeaseClock::Callers)
        .await
        .expect("the backend was available a moment ago");
    let world = World::new().await;
    let mut plan = Plan::seeded(seed);
    let mut rng = fastrand::Rng::with_seed(seed);
    // Everyone who answers gets a decision here, so any write-back can be raced.
    for n in plan.answering.clone() {
        let decision = if rng.bool() { "Accepted" } else { "Rejected" };
        plan.decisions.entry(n).or_insert(decision);
    }
    let store = home.open().await;
    let replicas = [
        world.engine(store.clone(), small_batches("replica-a")),
        world.engine(home.open().await, small_batches("replica-b")),
    ];
    for n in &plan.at_trigger {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
    }
    world.settle(&replicas).await;

    world
        .ats
        .memory()
        .delay_write_backs(Duration::from_millis(20));
    // Everyone answering answers; Willo's three kinds of news about them, twice.
    for n in &plan.answering {
        let Some(participant) = world.participant(*n) else {
            continue;
        };
        world.willo.answer(&participant);
        let mut news = [
            WebhookEvent::NewResponse,
            WebhookEvent::NewScore,
            WebhookEvent::StageChange,
        ];
        rng.shuffle(&mut news);
        for (copy, event) in news.into_iter().enumerate() {
            let copy = u32::try_from(copy).unwrap();
            world
                .willo_news(store.as_ref(), &participant, event.clone(), copy)
                .await;
            world
                .willo_news(store.as_ref(), &participant, event, copy + 10)
                .await;
        }
    }
    for i in 0..plan.walk_ins {
        world.walk_in(store.as_ref(), i).await;
    }
    // Both replicas take the news at once. The first answer write-back is held just
    // before it changes the record; meanwhile the hiring team decides in Willo and
    // Willo says so, and the other replica takes that news while the row is busy —
    // the decision must still reach the ATS. The other decisions land a few ms into
    // the race.
    let held = world.ats.stop_at(Point::BeforeLabels);
    let decide = async {
        let mut decided = BTreeSet::new();
        if let Ok(Ok(Some(application))) = tokio::time::timeout(RACE_FOR, held.reached).await
            && let Some(n) = number_of(&application)
            && let Some(decision) = plan.decisions.get(&n)
        {
            decide(&world, store.as_ref(), n, decision).await;
            decided.insert(n);
            tokio::time::sleep(HELD_FOR).await;
        }
        let _ = held.release.send(());
        tokio::time::sleep(Duration::from_millis(rng.u64(0..50))).await;
        for (n, decision) in &plan.decisions {
            if !decided.contains(n) {
                decide(&world, store.as_ref(), *n, decision).await;
            }
        }
    };
    tokio::join!(keep_taking(&replicas[0]), keep_taking(&replicas[1]), decide);
    world.settle(&replicas).await;
    let verdict = world.verdict(&plan, &replicas[0]).await;
    drop((replicas, store));
    home.finish().await;
    verdict
}
