//! `MemoryAts` as other crates' tests drive it: records changed while it runs, what was
//! written read back, outages switched on and off.

use std::time::Duration;

use ats_bridge::model::{
    ApplicationRef, CandidateDetails, CandidateMatch, Capabilities, WriteBack,
};
use ats_bridge::{Ats, AtsError, AtsWebhooks, WebhookRequest, WebhookSource};
use ats_testkit::MemoryAts;

fn application(n: u32) -> ApplicationRef {
    ApplicationRef {
        application: format!("app-{n}").into(),
        candidate: format!("cand-{n}").into(),
        job: "job-1".into(),
    }
}

fn person(n: u32) -> CandidateDetails {
    CandidateDetails::new(format!("Candidate {n}")).email(format!("candidate{n}@example.com"))
}

fn two_at_new() -> MemoryAts {
    MemoryAts::builder()
        .application(application(1), "new", person(1))
        .application(application(2), "new", person(2))
        .build()
}

async fn listed(ats: &MemoryAts, stage: &str) -> Vec<ApplicationRef> {
    let page = ats
        .applications_at_stage(&"job-1".into(), &stage.into(), None)
        .await
        .unwrap();
    page.applications
}

#[tokio::test]
async fn applications_added_and_moved_while_it_runs_are_listed_where_they_are() {
    let ats = two_at_new();
    assert!(listed(&ats, "screen").await.is_empty());
    assert!(ats.move_to("app-2", "screen"));
    assert!(!ats.move_to("app-9", "screen"), "no such application");
    ats.add_application(application(3), "screen", person(3));
    assert_eq!(
        listed(&ats, "screen").await,
        [application(2), application(3)]
    );
    assert_eq!(ats.stage_of("app-1"), Some("new".into()));

    // Another application of the same person reads the same details.
    let again = ApplicationRef {
        application: "app-1-again".into(),
        ..application(1)
    };
    assert_eq!(ats.candidate(&again).await.unwrap(), person(1));
    let stranger = ats.candidate(&application(9)).await.unwrap_err();
    assert!(matches!(stranger, AtsError::NotFound { .. }), "{stranger}");
}

#[tokio::test]
async fn write_backs_land_on_the_record_and_in_the_log() {
    let ats = two_at_new();
    let mut write = WriteBack::labels(vec!["Willo:Invited".into()], vec![]);
    write.move_to = Some("screen".into());
    ats.write_back(&application(1), &write).await.unwrap();
    ats.write_back(&application(1), &write).await.unwrap();
    assert_eq!(ats.labels_of("app-1"), ["Willo:Invited"], "added once");
    assert_eq!(ats.stage_of("app-1"), Some("screen".into()));
    assert_eq!(ats.writes().len(), 2);

    let missing = ats.write_back(&application(9), &write).await.unwrap_err();
    assert!(matches!(missing, AtsError::NotFound { .. }), "{missing}");

    let created = ats
        .create_application(&"job-1".into(), &person(7))
        .await
        .unwrap();
    assert_eq!(created.candidate, CandidateMatch::New);
    let created = created.application;
    assert_eq!(ats.created(), std::slice::from_ref(&created));
    assert_eq!(ats.candidate(&created).await.unwrap(), person(7));
}

#[tokio::test]
async fn what_its_capabilities_leave_out_is_refused_without_a_change() {
    let ats = MemoryAts::builder()
        .capabilities(Capabilities::none().with_notes(true))
        .application(application(1), "new", person(1))
        .build();
    let write = WriteBack::labels(vec!["Willo:Invited".into()], vec![]);
    let refused = ats.write_back(&application(1), &write).await.unwrap_err();
    assert!(matches!(refused, AtsError::Unsupported { .. }), "{refused}");
    assert!(ats.labels_of("app-1").is_empty());
    assert!(ats.writes().is_empty());
}

#[tokio::test]
async fn an_application_taken_down_fails_every_call_about_it_as_an_outage() {
    let ats = two_at_new();
    ats.take_down("app-1");
    let delivery = ats.delivery(&application(1), &"screen".into());
    let verified = ats
        .verify(&WebhookRequest::new(&delivery.headers, &delivery.body))
        .unwrap();
    let outage = ats.resolve(&verified.delivery).await.unwrap_err();
    assert!(outage.is_transient(), "{outage}");
    let read = ats.candidate(&application(1)).await.unwrap_err();
    assert!(read.is_transient(), "{read}");
    let write = WriteBack::labels(vec!["Willo:Invited".into()], vec![]);
    let written = ats.write_back(&application(1), &write).await.unwrap_err();
    assert!(written.is_transient(), "{written}");
    // The others are unaffected.
    assert_eq!(ats.candidate(&application(2)).await.unwrap(), person(2));
}

#[tokio::test(start_paused = true)]
async fn write_backs_fail_as_often_as_told_and_wait_as_long_as_told() {
    let ats = two_at_new();
    let write = WriteBack::labels(vec!["Willo:Invited".into()], vec![]);
    ats.fail_write_backs(2);
    for _ in 0..2 {
        let error = ats.write_back(&application(1), &write).await.unwrap_err();
        assert!(error.is_transient(), "{error}");
    }
    assert!(ats.writes().is_empty(), "a failed write changes nothing");
    ats.write_back(&application(1), &write).await.unwrap();

    ats.delay_write_backs(Duration::from_secs(5));
    let started = tokio::time::Instant::now();
    ats.write_back(&application(2), &write).await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(5));
    assert_eq!(ats.writes().len(), 2);
}
