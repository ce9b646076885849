//! Two engines (two replicas) on one PostgreSQL database, racing on the same 200
//! stage changes: exactly 200 invites reach Willo, one per application.
//!
//! Needs `TEST_DATABASE_URL` like `ats-store-sql`'s PostgreSQL tests (skipped outside
//! CI without it, a failure in CI).

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::engine::{Action, Engine, EngineConfig};
use ats_bridge::model::AtsEvent;
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::{RowState, Store};
use futures::StreamExt as _;
use support::fake_willo::{invites, willo};
use support::postgres::TestSchema;
use support::tiny_ats::{app, candidate, labels_added, tiny};

const EVENTS: u32 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_engines_racing_on_the_same_200_events_send_exactly_200_invites() {
    let Some(schema) = TestSchema::create("two_engines_racing_on_the_same_200_events").await else {
        return;
    };
    let (willo_server, _fake, client) = willo().await;
    let ats = Arc::new(tiny());
    for n in 1..=EVENTS {
        ats.add_application(app(n, "job-open"), "new", candidate(n));
    }
    let rules = Rules::new().trigger(
        "tiny",
        JobSelector::Any,
        ["screen"],
        "1e2048a686804049b128f1357c559cbf",
    );
    let mut engines = Vec::new();
    for replica in ["replica-a", "replica-b"] {
        let mut config = EngineConfig::default();
        config.worker_id = replica.into();
        let store: Arc<dyn Store> = Arc::new(schema.store().await);
        let engine = Engine::builder(client.clone(), store)
            .ats(ats.clone())
            .rules(rules.clone())
            .config(config)
            .build()
            .unwrap();
        engines.push(engine);
    }

    // Each replica receives every event (as when a webhook is delivered twice and the
    // reconciler also finds the application), all at once.
    let event = |n: u32| AtsEvent::StageChanged {
        application: app(n, "job-open"),
        stage: "screen".into(),
        details: None,
    };
    let runs = engines.iter().map(|engine| {
        let engine = engine.clone();
        tokio::spawn(async move {
            futures::stream::iter(1..=EVENTS)
                .map(|n| {
                    let engine = engine.clone();
                    async move { engine.handle_ats_event(&"tiny".into(), &event(n)).await }
                })
                .buffer_unordered(16)
                .collect::<Vec<_>>()
                .await
        })
    });
    let mut invited = 0;
    for run in futures::future::join_all(runs).await {
        for action in run.unwrap() {
            match action.unwrap() {
                Action::Invited { created: true, .. } => invited += 1,
                Action::Invited { created: false, .. } => {
                    panic!("a replica found another's participant: the claim let two in")
                }
                Action::AlreadyDone { .. } | Action::Busy { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(invited, EVENTS);
    assert_eq!(invites(&willo_server).await, EVENTS as usize);
    let status = engines[0].status().await.unwrap();
    assert_eq!(
        status.by_state.get(&RowState::Invited),
        Some(&u64::from(EVENTS))
    );
    assert_eq!(
        labels_added(&ats).len(),
        EVENTS as usize,
        "one invited label each"
    );
    tokio::time::timeout(Duration::from_secs(30), schema.drop())
        .await
        .expect("schema dropped");
}
