//! The one entry point: Willo, the store, the ATS connections and the rules go in
//! once, and the intake and the engine that come out work together.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::bridge::BridgeError;
use ats_bridge::engine::{EngineConfig, EngineError};
use ats_bridge::intake::{IntakeConfigError, IntakeOutcome, IntakeRequest};
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::model::AtsName;
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::{Inbox, Lease, MemoryStore, RowState};
use ats_bridge::{Bridge, WilloAccount, WilloSource};
use client_core::SecretString;
use lever_client::LeverClient;
use support::fake_willo::{invites, willo};
use support::tiny_ats::{app, tiny};
use tokio::sync::watch;

const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";

fn rules() -> Rules {
    Rules::new().trigger("tiny", JobSelector::Any, ["screen"], INTERVIEW)
}

#[tokio::test]
async fn a_delivery_the_intake_stores_is_acted_on_by_the_running_engine_at_once() {
    let (server, _fake, client) = willo().await;
    let store = Arc::new(MemoryStore::new());
    let willo = WilloAccount::new(client).webhook_token(SecretString::from("url-token"));
    // Only the intake's signal can wake the engine: no tick, no reconciler in time.
    let mut config = EngineConfig::default();
    config.tick = Duration::from_secs(3600);
    config.reconcile_interval = None;
    let ats = Arc::new(tiny());
    ats.move_to("app-7", "screen");
    let bridge = Bridge::builder(willo, store.clone())
        .ats(ats.clone())
        .rules(rules())
        .config(config)
        .build()
        .unwrap();

    let (stop, stopped) = watch::channel(false);
    let running = {
        let bridge = bridge.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            bridge
                .run(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
        })
    };

    // Let the engine take its first (empty) look at the inbox and wait.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let delivery = ats.delivery(&app(7, "job-open"), &"screen".into());
    let response = bridge
        .intake()
        .handle(&IntakeRequest::new(
            "tiny",
            &delivery.headers,
            &delivery.body,
        ))
        .await;
    assert!(matches!(response.outcome, IntakeOutcome::Stored { .. }));
    tokio::time::timeout(Duration::from_secs(5), async {
        while invites(&server).await == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the engine acted on the stored delivery");

    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert_eq!(invites(&server).await, 1);
    let status = bridge.engine().status().await.unwrap();
    assert_eq!(status.by_state.get(&RowState::Invited), Some(&1));
    assert!(
        store
            .inbox_claim(&Lease::new("w", i64::MAX, 1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn the_intake_receives_the_connections_and_willo_once_it_has_a_token() {
    let (_server, _fake, client) = willo().await;
    let without_token = Bridge::builder(
        WilloAccount::new(client.clone()),
        Arc::new(MemoryStore::new()),
    )
    .ats(Arc::new(tiny()))
    .build()
    .unwrap();
    assert!(without_token.intake().receives("tiny"));
    assert!(!without_token.intake().receives(WilloSource::NAME));
    assert!(!without_token.intake().receives("lever"));

    let with_token = Bridge::builder(
        WilloAccount::new(client).webhook_token(SecretString::from("t")),
        Arc::new(MemoryStore::new()),
    )
    .build()
    .unwrap();
    assert!(with_token.intake().receives(WilloSource::NAME));
    assert_eq!(with_token.engine().ats_names(), Vec::<AtsName>::new());
}

#[tokio::test]
async fn misconfigurations_are_refused_with_their_reason() {
    let (_server, _fake, client) = willo().await;
    let store = || Arc::new(MemoryStore::new());

    let unconnected = Bridge::builder(WilloAccount::new(client.clone()), store())
        .rules(rules())
        .build()
        .unwrap_err();
    assert!(
        matches!(&unconnected, BridgeError::Engine(EngineError::Config(m)) if m.contains("tiny")),
        "{unconnected:?}"
    );

    let empty_token = Bridge::builder(
        WilloAccount::new(client.clone()).webhook_token(SecretString::from("")),
        store(),
    )
    .build()
    .unwrap_err();
    assert!(
        matches!(
            empty_token,
            BridgeError::Intake(IntakeConfigError::EmptyWilloToken)
        ),
        "{empty_token:?}"
    );

    // An ATS connection named like Willo's source: deliveries could not be told apart.
    let lever = LeverClient::builder()
        .api_key(SecretString::from("lever-key"))
        .build()
        .unwrap();
    let named_willo = LeverAts::new(lever, LeverAtsConfig::new("user-1").name("willo"));
    let shadowing = Bridge::builder(WilloAccount::new(client), store())
        .ats(Arc::new(named_willo))
        .build()
        .unwrap_err();
    assert!(
        matches!(&shadowing, BridgeError::Engine(EngineError::Config(m)) if m.contains("willo")),
        "{shadowing:?}"
    );
}
