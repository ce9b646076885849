//! The `Ats` trait as an integrator meets it: a small in-memory ATS, used through
//! `Arc<dyn Ats>` the way the engine holds it.

use std::sync::Arc;

use ats_bridge::model::{
    ApplicationRef, AtsEvent, CandidateDetails, Capabilities, Job, JobState, WriteBack,
};
use ats_bridge::{Ats, AtsError, WebhookEventsError, WebhookRejection, WebhookRequest};
use ats_testkit::{MemoryAts, SIGNATURE_HEADER};
use client_core::header::HeaderMap;

use crate::support::tiny_ats::app;

fn application(n: u32) -> ApplicationRef {
    app(n, "job-1")
}

fn person(n: u32) -> CandidateDetails {
    CandidateDetails::new(format!("Candidate {n}"))
}

/// Labels, polling and webhooks only; one application per page.
fn tiny() -> MemoryAts {
    MemoryAts::builder()
        .name("tiny")
        .capabilities(Capabilities::none().with_labels(true).with_polling(true))
        .jobs([Job::new("job-1", "Nurse", JobState::Open)])
        .page_size(1)
        .application(application(1), "screen", person(1))
        .application(application(2), "screen", person(2))
        .application(application(7), "new", person(7))
        .build()
}

#[tokio::test]
async fn an_integrators_ats_works_through_a_trait_object() {
    let tiny = Arc::new(tiny());
    let ats: Arc<dyn Ats> = tiny.clone();
    assert_eq!(ats.name().as_str(), "tiny");
    assert!(ats.capabilities().labels && !ats.capabilities().notes);

    let delivery = tiny.delivery(&application(7), &"screen".into());
    let webhooks = ats.webhooks().expect("it has webhooks");
    let events = webhooks
        .events(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .await
        .unwrap();
    assert_eq!(
        events,
        [AtsEvent::StageChanged {
            application: application(7),
            stage: "screen".into(),
            details: Some(person(7)),
        }]
    );
    let mut forged = HeaderMap::new();
    forged.insert(SIGNATURE_HEADER, "0badc0de".parse().unwrap());
    let refused = webhooks
        .events(&WebhookRequest::new(&forged, &delivery.body))
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        WebhookEventsError::Rejected(WebhookRejection::BadSignature)
    ));

    let first = ats
        .applications_at_stage(&"job-1".into(), &"screen".into(), None)
        .await
        .unwrap();
    assert_eq!(first.applications, [application(1)]);
    let next = ats
        .applications_at_stage(
            &"job-1".into(),
            &"screen".into(),
            first.next_cursor.as_deref(),
        )
        .await
        .unwrap();
    assert_eq!(next.applications, [application(2)]);
    assert_eq!(next.next_cursor, None);

    let write = WriteBack::labels(vec!["Willo:Invited".into()], vec![]);
    ats.write_back(&application(1), &write).await.unwrap();
    assert_eq!(tiny.writes().len(), 1);

    let unsupported = ats
        .create_application(&"job-1".into(), &CandidateDetails::new("Jane Doe"))
        .await
        .unwrap_err();
    assert!(matches!(unsupported, AtsError::Unsupported { .. }));
    assert!(!unsupported.is_transient());
}
