//! The fault suite: the bridge on the sandbox, made to fail, still invites every
//! candidate exactly once and writes every result back exactly once.

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::engine::{EngineConfig, ParticipantChecks, RetrySchedule};
use ats_sandbox::{SandboxConfig, Vendor};
use ats_store_sql::SqliteStore;
use examples::demo::{Demo, DemoOptions, Moved};

const TIMEOUT: Duration = Duration::from_secs(40);

/// Short leases so a crashed engine's claims pass to the next one within a second
/// (yet long enough, 800 ms a step, that a step slowed by a busy machine is not cut
/// off and rescheduled over and over), and frequent reconciliation so nothing waits
/// long on a lost step.
fn crash_tolerant_engine() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.tick = Duration::from_millis(20);
    config.lease = Duration::from_secs(1);
    config.reconcile_interval = Some(Duration::from_millis(300));
    config.retry = RetrySchedule::new(Duration::from_millis(50), Duration::from_millis(400), 30);
    config.participant_checks =
        ParticipantChecks::new(Duration::from_millis(500), Duration::from_millis(300), 30);
    config
}

/// One Willo participant per moved candidate and one note on each: nothing sent or
/// written twice, nothing lost.
fn assert_each_exactly_once(demo: &Demo, moved: &[Moved]) {
    let sandbox = demo.sandbox();
    assert_eq!(
        sandbox.willo().participants().len(),
        moved.len(),
        "one invite each"
    );
    for candidate in moved {
        let notes = match candidate.ats {
            Vendor::Lever => sandbox.lever().notes(&candidate.id),
            _ => sandbox.smartrecruiters().notes(&candidate.id),
        };
        assert_eq!(
            notes.len(),
            1,
            "one note on {:?} {}",
            candidate.ats,
            candidate.id
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_killed_mid_run_and_restarted_on_the_same_sqlite_file_loses_and_repeats_nothing()
{
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(dir.path().join("bridge.db"))
            .await
            .unwrap(),
    );
    let sandbox = SandboxConfig::new()
        .seed(11)
        .willo_completion_delay(Some(Duration::from_millis(150)));
    let options = DemoOptions::default()
        .store(store)
        .sandbox(sandbox)
        .engine(crash_tolerant_engine());
    let mut demo = Demo::start(options).await.unwrap();
    let moved = demo.move_to_trigger_stage(5, 5).unwrap();

    // Kill the engine at varied points (some mid-invite, some mid-write-back), and
    // start a fresh one on the same file each time, as a process restart would.
    for pause_ms in [15, 40, 5, 90, 25, 60, 10, 120] {
        tokio::time::sleep(Duration::from_millis(pause_ms)).await;
        demo.crash_engine();
        demo.start_engine().unwrap();
    }
    let status = demo
        .wait_for_synced(moved.len() as u64, TIMEOUT)
        .await
        .unwrap();
    assert!(status.failed.is_empty(), "{:?}", status.failed);
    assert_each_exactly_once(&demo, &moved);
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_20_percent_5xx_and_10_percent_429_on_every_vendor_each_candidate_is_handled_once() {
    let sandbox = SandboxConfig::new()
        .seed(2026)
        .willo_completion_delay(Some(Duration::from_millis(150)));
    // Leases far longer than a step waiting out the injected 429s (1 s each): a
    // throttled step must finish on its own lease, not be repeated by another.
    let mut engine = crash_tolerant_engine();
    engine.lease = Duration::from_secs(20);
    let options = DemoOptions::default().sandbox(sandbox).engine(engine);
    let demo = Demo::start(options).await.unwrap();
    for vendor in [Vendor::Willo, Vendor::SmartRecruiters, Vendor::Lever] {
        demo.sandbox().inject_errors(vendor, 0.10, 0.20);
    }
    let moved = demo.move_to_trigger_stage(5, 5).unwrap();
    let status = demo
        .wait_for_synced(moved.len() as u64, TIMEOUT)
        .await
        .unwrap();
    assert!(status.failed.is_empty(), "{:?}", status.failed);
    let injected: u64 = [Vendor::Willo, Vendor::SmartRecruiters, Vendor::Lever]
        .into_iter()
        .map(|vendor| {
            let stats = demo.sandbox().requests(vendor);
            stats.server_errors + stats.rate_limited
        })
        .sum();
    assert!(injected > 10, "faults were injected: {injected}");
    assert_each_exactly_once(&demo, &moved);
    demo.stop().await;
}
