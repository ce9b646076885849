//! Reaction time: a recruiter moves an application to the trigger stage, the sandbox
//! sends its signed webhook, and the bridge (intake → SQLite inbox → engine) sends the
//! Willo invite. Measured one move at a time, from the move to the moment the Willo
//! simulator has counted the invite request, so it includes the webhook's own local
//! HTTP delivery (an upper bound of the bridge's overhead).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::demo::{Demo, DemoOptions, LEVER_TRIGGER, SMARTRECRUITERS_TRIGGER};
use ats_sandbox::{Sandbox, SandboxConfig, Seed, Vendor};
use ats_store_sql::SqliteStore;

use super::{Row, ms, percentile};

/// Moves measured per ATS.
pub const SAMPLES_PER_ATS: usize = 500;

/// The Willo simulator's invite endpoint, as its request counter names it.
const INVITE: &str = "POST /participants/";

/// Run the moves and return the p50/p99 rows.
pub async fn run() -> crate::Result<Vec<Row>> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(SqliteStore::open(dir.path().join("bench.sqlite")).await?);
    let sandbox = SandboxConfig::new()
        .seed(11)
        .data(Seed::new().jobs(1).candidates_per_job(SAMPLES_PER_ATS))
        // No completions: only invites reach Willo while we measure.
        .willo_completion_delay(None);
    let mut engine = DemoOptions::default().engine;
    // Only the webhook path is measured; the reconciler would race it.
    engine.reconcile_interval = None;
    // A ledger past its first week: first invites trust it (a young one looks each
    // candidate up in Willo first, one more call per invite; see BENCHMARKS.md).
    engine.young_ledger_window = Duration::ZERO;
    let demo = Demo::start(
        DemoOptions::default()
            .sandbox(sandbox)
            .engine(engine)
            .store(store),
    )
    .await?;

    let mut samples = Vec::with_capacity(2 * SAMPLES_PER_ATS);
    let sr = demo.sandbox().smartrecruiters();
    let job = sr.jobs().remove(0).id;
    for candidate in sr.candidates(&job) {
        let before = invites(demo.sandbox());
        let moved = Instant::now();
        sr.move_candidate(&candidate, &job, SMARTRECRUITERS_TRIGGER, None)?;
        samples.push(wait_for_invite(demo.sandbox(), before, moved)?);
    }
    let lever = demo.sandbox().lever();
    let posting = lever.postings().remove(0).id;
    for opportunity in lever.opportunities(&posting) {
        let before = invites(demo.sandbox());
        let moved = Instant::now();
        lever.move_opportunity(&opportunity, LEVER_TRIGGER)?;
        samples.push(wait_for_invite(demo.sandbox(), before, moved)?);
    }
    demo.stop().await;

    let p50 = percentile(&samples, 50.0);
    let p99 = percentile(&samples, 99.0);
    Ok(vec![
        Row::info(
            "reaction: move → Willo invite, p50 (SQLite)",
            format!("{} ({} moves)", ms(p50), samples.len()),
        ),
        Row::target(
            "reaction: move → Willo invite, p99 (SQLite)",
            ms(p99),
            "< 20 ms",
            p99 < Duration::from_millis(20),
        ),
    ])
}

/// Invite requests the Willo simulator has received so far.
fn invites(sandbox: &Sandbox) -> u64 {
    sandbox.requests(Vendor::Willo).endpoint(INVITE)
}

/// How long after `moved` the invite count grew past `before`.
fn wait_for_invite(sandbox: &Sandbox, before: u64, moved: Instant) -> crate::Result<Duration> {
    super::wait_for_count(|| invites(sandbox), before, moved)
}
