//! The whole loop on the sandbox, through the real intake: recruiters move candidates
//! in SmartRecruiters and Lever → signed webhooks over HTTP → invites in Willo →
//! candidates answer → `new_response` → notes and tags back in each ATS. Then the same
//! with webhooks dropped (the reconciler recovers) and repeated (one action each).

use std::time::Duration;

use ats_bridge::engine::{EngineConfig, ParticipantChecks, RetrySchedule};
use ats_bridge::store::RowState;
use ats_sandbox::{Faults, SandboxConfig};
use examples::demo::{Demo, DemoOptions};

const TIMEOUT: Duration = Duration::from_secs(30);

/// Candidates moved per ATS; the sandbox seeds 2 jobs of 5.
const PER_ATS: usize = 4;

/// Every candidate moved got exactly one invite, one note and the "To Review" tag,
/// and nothing else was invited or written.
fn assert_each_once(demo: &Demo) {
    let sandbox = demo.sandbox();
    let participants = sandbox.willo().participants();
    assert_eq!(
        participants.len(),
        2 * PER_ATS,
        "one Willo participant per candidate"
    );

    let sr = sandbox.smartrecruiters();
    let moved_sr: Vec<String> = sr
        .jobs()
        .iter()
        .flat_map(|job| sr.candidates(&job.id))
        .take(PER_ATS)
        .collect();
    for candidate in &moved_sr {
        assert_eq!(sr.notes(candidate).len(), 1, "one note on {candidate}");
        let tags = sr.tags(candidate);
        assert!(tags.contains(&"Willo:To Review".to_owned()), "{tags:?}");
        assert!(!tags.contains(&"Willo:Invited".to_owned()), "{tags:?}");
    }
    let lever = sandbox.lever();
    let moved_lever: Vec<String> = lever
        .postings()
        .iter()
        .flat_map(|posting| lever.opportunities(&posting.id))
        .take(PER_ATS)
        .collect();
    for opportunity in &moved_lever {
        assert_eq!(
            lever.notes(opportunity).len(),
            1,
            "one note on {opportunity}"
        );
        assert_eq!(lever.tags(opportunity), vec!["Willo:To Review".to_owned()]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_runs_for_both_ats_through_signed_webhooks() {
    let demo = Demo::start(DemoOptions::default()).await.unwrap();
    let moved = demo.move_to_trigger_stage(PER_ATS, PER_ATS).unwrap();
    assert_eq!(moved.len(), 2 * PER_ATS);
    let status = demo
        .wait_for_synced(2 * PER_ATS as u64, TIMEOUT)
        .await
        .unwrap();
    assert!(status.failed.is_empty(), "{:?}", status.failed);
    assert_each_once(&demo);
    // Every stage change reached the intake as a signed delivery, none refused.
    let deliveries = demo.sandbox().smartrecruiters().deliveries();
    assert_eq!(deliveries.failed, 0, "{deliveries:?}");
    assert!(deliveries.delivered >= PER_ATS as u64, "{deliveries:?}");
    demo.stop().await;
}

/// Three engines on one store, as replicas: each delivery in the shared inbox is
/// taken by one of them, and every candidate is still handled exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_engines_sharing_the_store_handle_each_candidate_once() {
    let demo = Demo::start(DemoOptions::default().engines(3))
        .await
        .unwrap();
    demo.move_to_trigger_stage(PER_ATS, PER_ATS).unwrap();
    let status = demo
        .wait_for_synced(2 * PER_ATS as u64, TIMEOUT)
        .await
        .unwrap();
    assert!(status.failed.is_empty(), "{:?}", status.failed);
    assert_each_once(&demo);
    demo.stop().await;
}

/// Reconciling often and checking quiet participants soon, as a deployment missing
/// webhooks would be set up to.
fn recovering_engine() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.tick = Duration::from_millis(20);
    config.reconcile_interval = Some(Duration::from_millis(300));
    config.retry = RetrySchedule::new(Duration::from_millis(50), Duration::from_millis(500), 10);
    config.participant_checks =
        ParticipantChecks::new(Duration::from_millis(600), Duration::from_millis(300), 20);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_30_percent_of_webhooks_dropped_the_reconciler_recovers_every_candidate() {
    let sandbox = SandboxConfig::new()
        .seed(30)
        .all_faults(Faults::none().drop_webhooks(0.3));
    let options = DemoOptions::default()
        .sandbox(sandbox)
        .engine(recovering_engine());
    let demo = Demo::start(options).await.unwrap();
    demo.move_to_trigger_stage(PER_ATS, PER_ATS).unwrap();
    let status = demo
        .wait_for_synced(2 * PER_ATS as u64, TIMEOUT)
        .await
        .unwrap();
    assert!(status.failed.is_empty(), "{:?}", status.failed);
    let dropped: u64 = [
        demo.sandbox().smartrecruiters().deliveries().dropped,
        demo.sandbox().lever().deliveries().dropped,
        demo.sandbox().willo().deliveries().dropped,
    ]
    .iter()
    .sum();
    assert!(dropped > 0, "the seed drops some deliveries");
    assert_each_once(&demo);
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_delivery_repeated_three_times_still_acts_once() {
    let sandbox = SandboxConfig::new()
        .seed(3)
        .all_faults(Faults::none().duplicate_webhooks(1.0, 2));
    let demo = Demo::start(DemoOptions::default().sandbox(sandbox))
        .await
        .unwrap();
    demo.move_to_trigger_stage(PER_ATS, PER_ATS).unwrap();
    demo.wait_for_synced(2 * PER_ATS as u64, TIMEOUT)
        .await
        .unwrap();
    // Let the last copies land before counting.
    demo.sandbox().willo().deliveries_idle().await;
    demo.sandbox().smartrecruiters().deliveries_idle().await;
    demo.sandbox().lever().deliveries_idle().await;
    let copies = demo.sandbox().lever().deliveries();
    assert!(copies.sent >= 3 * PER_ATS as u64, "{copies:?}");
    let status = demo.store().status().await.unwrap();
    assert_eq!(
        status.by_state.get(&RowState::Synced),
        Some(&(2 * PER_ATS as u64))
    );
    assert_each_once(&demo);
    demo.stop().await;
}
