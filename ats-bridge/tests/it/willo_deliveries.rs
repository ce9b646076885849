//! Willo deliveries end to end, intake to ledger: which of a body's keys is the
//! participant (the one the ledger knows), and identical bodies received at different
//! times (each is acted on; the ledger keeps the write-back exactly-once).

use crate::support;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use ats_bridge::engine::{Action, EngineConfig, Ignored};
use ats_bridge::intake::{IntakeOutcome, IntakeRequest};
use ats_bridge::model::{AtsEvent, ParticipantKey};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::{Inbox, MemoryStore};
use ats_bridge::{Bridge, WilloAccount};
use ats_testkit::MemoryAts;
use client_core::SecretString;
use client_core::header::HeaderMap;
use serde_json::{Value, json};
use support::clock::TestClock;
use support::fake_willo::{FakeWillo, requests, willo};
use support::tiny_ats::{app, labels_added, notes, tiny};
use willo_client::webhooks::{Delivery, WebhookEvent};
use wiremock::MockServer;

const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";
const SCREENING: &str = "5c3b0a1e9d8f4e2a8b7c6d5e4f3a2b1c";
const OWNER: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const DEPARTMENT: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const RESPONSE: &str = "cccccccccccccccccccccccccccccccc";
const TOKEN: &str = "willo-url-token";

struct Setup {
    bridge: Bridge,
    ats: Arc<MemoryAts>,
    store: Arc<MemoryStore>,
    server: MockServer,
    willo: FakeWillo,
    clock: Arc<TestClock>,
}

async fn setup(rules: Rules) -> Setup {
    let (server, willo, client) = willo().await;
    let ats = Arc::new(tiny());
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(TestClock(AtomicU64::new(1_700_000_000_000)));
    let mut config = EngineConfig::default();
    config.reconcile_interval = None;
    let bridge = Bridge::builder(
        WilloAccount::new(client).webhook_token(SecretString::from(TOKEN)),
        store.clone(),
    )
    .ats(ats.clone())
    .rules(rules)
    .config(config)
    .clock(clock.clone())
    .build()
    .unwrap();
    Setup {
        bridge,
        ats,
        store,
        server,
        willo,
        clock,
    }
}

fn rules() -> Rules {
    Rules::new().trigger("tiny", JobSelector::Any, ["screen"], INTERVIEW)
}

impl Setup {
    /// Application `n` reaches the trigger stage: invited; returns the participant.
    async fn invite(&self, n: u32) -> ParticipantKey {
        let event = AtsEvent::StageChanged {
            application: app(n, "job-open"),
            stage: "screen".into(),
            details: None,
        };
        match self
            .bridge
            .engine()
            .handle_ats_event(&"tiny".into(), &event)
            .await
            .unwrap()
        {
            Action::Invited { participant, .. } => participant,
            other => panic!("expected an invite, got {other:?}"),
        }
    }

    /// The engine's action on `body` as a delivery of `event`.
    async fn on(&self, event: WebhookEvent, body: Value) -> Action {
        let delivery = Delivery::parse(body.to_string().as_bytes(), Some(event)).unwrap();
        self.bridge
            .engine()
            .handle_willo_delivery(&delivery)
            .await
            .unwrap()
    }

    /// Willo posts `body` to the URL registered for `event`, through the intake.
    async fn receive(&self, event: &str, body: &Value) -> IntakeOutcome {
        let headers = HeaderMap::new();
        let body = body.to_string().into_bytes();
        let query = format!("token={TOKEN}");
        let request = IntakeRequest::new("willo", &headers, &body)
            .query(Some(&query))
            .event(Some(event));
        self.bridge.intake().handle(&request).await.outcome
    }

    /// How many times Willo was asked for participant `key`.
    async fn reads_of(&self, key: &str) -> usize {
        requests(&self.server, "GET", &format!("/participants/{key}/")).await
    }
}

/// A body with the owner's, the department's and a response's keys before the
/// participant's, none of them under a documented name.
fn body_naming_nobody(participant: &ParticipantKey) -> Value {
    json!({
        "owner": {"key": OWNER, "email": "owner@example.com"},
        "department": {"key": DEPARTMENT},
        "response": {"key": RESPONSE, "interview": INTERVIEW},
        "candidate": {"key": participant.as_str(), "name": "Candidate 1"}
    })
}

#[tokio::test]
async fn the_participant_is_the_key_the_ledger_knows_not_the_first_key_in_the_body() {
    let s = setup(rules()).await;
    let participant = s.invite(1).await;
    s.willo.answer(&participant);
    let action = s
        .on(WebhookEvent::NewResponse, body_naming_nobody(&participant))
        .await;
    assert!(
        matches!(&action, Action::WroteBack { key, .. } if key.application.as_str() == "app-1"),
        "{action:?}"
    );
    assert_eq!(notes(&s.ats), 1);
    assert_eq!(s.reads_of(participant.as_str()).await, 1);
    for other in [OWNER, DEPARTMENT, RESPONSE] {
        assert_eq!(s.reads_of(other).await, 0, "{other} is no participant");
    }
}

#[tokio::test]
async fn a_delivery_naming_no_known_participant_is_ignored_without_reading_willo() {
    // Even with screening configured: several unnamed keys tell no participant apart,
    // and reading each would spend requests on owners and departments.
    let s = setup(rules().screen(SCREENING, "tiny", "job-open")).await;
    let action = s
        .on(
            WebhookEvent::NewResponse,
            json!({"owner": OWNER, "department": {"key": DEPARTMENT}, "ref": RESPONSE}),
        )
        .await;
    assert_eq!(action, Action::Ignored(Ignored::UnknownParticipant));
    assert!(s.server.received_requests().await.unwrap().is_empty());
    assert!(s.ats.writes().is_empty());
}

#[tokio::test]
async fn of_two_known_participants_the_first_in_the_body_is_acted_on() {
    let s = setup(rules()).await;
    let first = s.invite(1).await;
    let second = s.invite(2).await;
    s.willo.answer(&first);
    s.willo.answer(&second);
    let action = s
        .on(
            WebhookEvent::NewResponse,
            json!({"x": second.as_str(), "y": first.as_str()}),
        )
        .await;
    assert!(
        matches!(&action, Action::WroteBack { key, .. } if key.application.as_str() == "app-2"),
        "{action:?}"
    );
    assert_eq!(s.reads_of(first.as_str()).await, 0);
    assert_eq!(notes(&s.ats), 1);
}

#[tokio::test]
async fn identical_deliveries_at_different_times_each_reach_the_engine_and_write_once() {
    let s = setup(rules()).await;
    let participant = s.invite(1).await;
    s.willo.answer(&participant);
    // Willo's stage_change body carries keys only: the same bytes every time.
    let body = json!({"participant": {"key": participant.as_str()}});
    let processed = |s: &Setup| {
        let engine = s.bridge.engine().clone();
        async move { engine.process_inbox().await.unwrap() }
    };

    assert!(matches!(
        s.receive("stage_change", &body).await,
        IntakeOutcome::Stored { .. }
    ));
    assert_eq!(processed(&s).await, 1);
    assert_eq!(notes(&s.ats), 1, "answered: the results are written back");

    // Later the hiring team accepts in Willo; the same bytes arrive again.
    s.clock.advance(Duration::from_secs(600));
    s.willo.move_to(&participant, "Accepted");
    assert!(matches!(
        s.receive("stage_change", &body).await,
        IntakeOutcome::Stored { .. }
    ));
    assert_eq!(processed(&s).await, 1);
    assert!(
        labels_added(&s.ats).contains(&"Willo:Accepted".to_owned()),
        "the decision is not lost: {:?}",
        labels_added(&s.ats)
    );

    // A true repeat costs one read and changes nothing.
    s.clock.advance(Duration::from_secs(600));
    let writes = s.ats.writes().len();
    assert!(matches!(
        s.receive("stage_change", &body).await,
        IntakeOutcome::Stored { .. }
    ));
    assert_eq!(processed(&s).await, 1);
    assert_eq!(s.ats.writes().len(), writes, "nothing written twice");
    assert_eq!(notes(&s.ats), 1, "one note");
    assert_eq!(s.reads_of(participant.as_str()).await, 3, "one read each");
    assert!(s.store.inbox_claim(&lease(), 10).await.unwrap().is_empty());
}

fn lease() -> ats_bridge::store::Lease {
    support::claims::lease("test", 1_800_000_000_000, 60_000)
}
