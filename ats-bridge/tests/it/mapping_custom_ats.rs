//! A custom `Ats` (the testkit's in-memory one) gets the mapped values through the
//! trait: the engine plans them, reads the protected target first and keeps the
//! recruiter's value, and writes the rest before the labels and the note.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use ats_bridge::engine::{Action, Engine};
use ats_bridge::mapping::{ConnectionMapping, FieldMapping, MappedValue, Source, Target};
use ats_bridge::model::AtsEvent;
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::MemoryStore;
use serde_json::json;
use willo_client::webhooks::{Delivery, WebhookEvent};

use crate::support::clock::TestClock;
use crate::support::fake_willo::willo;
use crate::support::tiny_ats::{app, tiny};

const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";

#[tokio::test]
async fn a_custom_ats_receives_the_mapped_values_and_a_protected_value_survives() {
    let link = Target::Property("willo-link".into());
    let result = Target::Property("willo-result".into());
    let rules = Rules::new()
        .trigger("tiny", JobSelector::Any, ["screen"], INTERVIEW)
        .map(
            "tiny",
            ConnectionMapping::new()
                .field(FieldMapping::new(
                    Source::Constant("passed".into()),
                    result.clone(),
                ))
                .field(
                    FieldMapping::new(Source::Answer("why us?".into()), link.clone()).protected(),
                )
                .field(FieldMapping::new(Source::ResultsAnswerLinks, Target::Tag)),
        );
    let (_server, fake, client) = willo().await;
    let ats = Arc::new(tiny());
    let engine = Engine::builder(client, Arc::new(MemoryStore::new()))
        .ats(ats.clone())
        .rules(rules)
        .clock(Arc::new(TestClock(AtomicU64::new(1_700_000_000_000))))
        .build()
        .unwrap();
    // A recruiter already wrote into the protected field.
    let recruiters = MappedValue::Text("Strong communicator".into());
    assert!(ats.set_mapped("app-1", link.clone(), recruiters.clone()));

    assert!(ats.move_to("app-1", "screen"));
    let moved = AtsEvent::StageChanged {
        application: app(1, "job-open"),
        stage: "screen".into(),
        details: None,
    };
    let participant = match engine
        .handle_ats_event(&"tiny".into(), &moved)
        .await
        .unwrap()
    {
        Action::Invited { participant, .. } => participant,
        other => panic!("expected an invite, got {other:?}"),
    };
    fake.answer(&participant);
    let body = json!({"participant": {"key": participant.as_str()}}).to_string();
    let news = Delivery::parse(body.as_bytes(), Some(WebhookEvent::NewResponse)).unwrap();
    let action = engine.handle_willo_delivery(&news).await.unwrap();
    assert!(matches!(action, Action::WroteBack { .. }), "{action:?}");

    assert_eq!(
        ats.mapped_of("app-1", &result),
        Some(MappedValue::SingleSelect("passed".into())),
        "the select value, typed by the ATS's own options"
    );
    assert_eq!(ats.mapped_of("app-1", &link), Some(recruiters), "kept");
    let labels = ats.labels_of("app-1");
    assert!(
        labels.contains(&"https://media.example/1.mp4".to_owned()),
        "the answer link went to the tags: {labels:?}"
    );
    assert!(labels.contains(&"Willo:To Review".to_owned()), "{labels:?}");
}
