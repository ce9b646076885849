//! Racing Willo news: `new_response`, `new_score` and `stage_change` about one
//! participant arrive within 50 ms, twice over (Willo repeats deliveries), while the
//! hiring team's decision lands in Willo in the middle of the answer's write-back,
//! with write-backs slowed to 20 ms a call and two replicas taking deliveries at once.
//! The ATS must end with one note and the label of Willo's final state.

use super::harness::{
    Backend, LeaseClock, LedgerHome, Plan, Summary, Verdict, World, backends, concurrently, config,
    drive, runs,
};

use std::time::Duration;

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

async fn race(backend: Backend, seed: u64) -> Verdict {
    let home = LedgerHome::new(backend, TEST, LeaseClock::Callers)
        .await
        .expect("the backend was available a moment ago");
    let world = World::new().await;
    let plan = Plan::seeded(seed);
    let store = home.open().await;
    let replicas = [
        world.engine(store.clone(), config("replica-a")),
        world.engine(home.open().await, config("replica-b")),
    ];
    for n in &plan.at_trigger {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
    }
    world.settle(&replicas).await;

    world
        .ats
        .memory()
        .delay_write_backs(Duration::from_millis(20));
    let mut rng = fastrand::Rng::with_seed(seed);
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
    // Both replicas take the news at once; the decisions land in Willo a few ms into
    // the write-backs, and Willo announces them.
    let decide = async {
        tokio::time::sleep(Duration::from_millis(rng.u64(0..50))).await;
        for (n, decision) in &plan.decisions {
            let Some(participant) = world.participant(*n) else {
                continue;
            };
            world.willo.move_to(&participant, decision);
            world
                .willo_news(store.as_ref(), &participant, WebhookEvent::StageChange, 99)
                .await;
        }
    };
    tokio::join!(drive(&replicas[0]), drive(&replicas[1]), decide);
    world.settle(&replicas).await;
    let verdict = world.verdict(&plan, &replicas[0]).await;
    drop((replicas, store));
    home.finish().await;
    verdict
}
