//! Backlog at the ceiling: 2,000 applications already at a trigger stage when the
//! bridge starts, every vendor limited to [`PER_SECOND`] requests per second and
//! [`IN_FLIGHT`] at once (the real limits scaled up so the run takes seconds). The
//! bridge invites all of them and syncs every result; the run cannot be faster than
//! the busiest vendor's calls divided by its rate, so that is the minimum the wall
//! time is compared with.

use std::time::{Duration, Instant};

use crate::demo::{Demo, DemoError, DemoOptions, LEVER_TRIGGER, SMARTRECRUITERS_TRIGGER};
use ats_bridge::store::{RowState, StatusReport};
use ats_sandbox::{Faults, RequestStats, SandboxConfig, Seed, Vendor};

use super::Row;

/// Applications in the backlog (half SmartRecruiters, half Lever).
pub const BACKLOG: usize = 2_000;
/// The scaled-up limit of every simulated vendor.
pub const PER_SECOND: u32 = 200;
/// The scaled-up in-flight limit of every simulated vendor.
pub const IN_FLIGHT: u32 = 8;

/// Jobs per ATS; candidates per job make up [`BACKLOG`].
const JOBS: usize = 10;

/// A sandbox holding the backlog: every application at its trigger stage.
pub fn backlog_seed() -> Seed {
    Seed::new()
        .jobs(JOBS)
        .candidates_per_job(BACKLOG / 2 / JOBS)
        .smartrecruiters_stage(SMARTRECRUITERS_TRIGGER, None)
        .lever_stage(LEVER_TRIGGER)
}

/// Run the backlog and return its rows.
pub async fn run() -> crate::Result<Vec<Row>> {
    let limit = Faults::none().rate_limit(PER_SECOND, IN_FLIGHT);
    let sandbox = SandboxConfig::new()
        .seed(7)
        .data(backlog_seed())
        // Participants answer quickly, so the run measures the bridge, not candidates.
        .willo_completion_delay(Some(Duration::from_millis(50)))
        // The same limit everywhere; SmartRecruiters' extra one-search-at-a-time cap
        // (`Faults::smartrecruiters_rate_limit`) only slows its listing, which is a
        // few calls per 100 candidates.
        .all_faults(limit);
    let mut engine = DemoOptions::default().engine;
    // Enough work in hand to keep every vendor's in-flight slots busy; the clients,
    // not the engine, hold requests to the limit.
    engine.concurrency = 4 * IN_FLIGHT as usize;
    // The first pass (at engine start) reads the whole backlog.
    engine.reconcile_pages_per_pass = 100;
    // A ledger past its first week: first invites trust it (a young one looks each
    // candidate up in Willo first, one more call per invite; see BENCHMARKS.md).
    engine.young_ledger_window = Duration::ZERO;
    let options = DemoOptions::default().sandbox(sandbox).engine(engine);

    let started = Instant::now();
    let demo = Demo::start(options).await?;
    // A run that does not finish in time still reports what it did.
    let (status, finished) = match demo
        .wait_for_synced(BACKLOG as u64, Duration::from_secs(60))
        .await
    {
        Ok(status) => (status, true),
        Err(DemoError::TimedOut(status)) => (*status, false),
        Err(error) => return Err(error.into()),
    };
    let wall = started.elapsed();
    let stats: Vec<(Vendor, RequestStats)> =
        [Vendor::Willo, Vendor::SmartRecruiters, Vendor::Lever]
            .into_iter()
            .map(|vendor| (vendor, demo.sandbox().requests(vendor)))
            .collect();
    // An unfinished engine would keep `stop` waiting for its work in progress; one
    // still running would weigh on the measurements after this one, so say so.
    if tokio::time::timeout(Duration::from_secs(5), demo.stop())
        .await
        .is_err()
    {
        eprintln!("warning: the backlog's bridge did not stop within 5 s");
    }

    let failed = status.failed.len();
    let synced = status.by_state.get(&RowState::Synced).copied().unwrap_or(0);
    // Every vendor has its own limit, so the busiest one sets the pace.
    let busiest = stats.iter().map(|(_, s)| s.total).max().unwrap_or(0);
    let minimum = Duration::from_secs_f64(busiest as f64 / f64::from(PER_SECOND));
    let ratio = wall.as_secs_f64() / minimum.as_secs_f64();
    let rate_limited: u64 = stats.iter().map(|(_, s)| s.rate_limited).sum();

    let mut rows = vec![
        Row::target(
            "backlog: wall time ÷ minimum set by the limits",
            format!(
                "{ratio:.2} ({:.2} s ÷ {:.2} s; {synced} of {BACKLOG} synced, {failed} failed{})",
                wall.as_secs_f64(),
                minimum.as_secs_f64(),
                if finished {
                    ""
                } else {
                    "; unfinished after 60 s"
                }
            ),
            "≤ 1.10",
            finished && ratio <= 1.10,
        ),
        Row::target(
            "backlog: 429s received",
            rate_limited.to_string(),
            "0",
            rate_limited == 0,
        ),
    ];
    for (vendor, stats) in &stats {
        // Per candidate synced (Willo serves both ATSs, each ATS its own), so an
        // unfinished run still gives the cost of a candidate carried through.
        let candidates = match vendor {
            Vendor::Willo => synced,
            Vendor::SmartRecruiters => synced_on(&status, "smartrecruiters"),
            Vendor::Lever => synced_on(&status, "lever"),
        };
        let per_candidate = match candidates {
            0 => "n/a, none synced".to_owned(),
            n => format!("{:.2}", stats.total as f64 / n as f64),
        };
        rows.push(Row::info(
            &format!("backlog: {vendor:?} calls per synced candidate"),
            format!(
                "{per_candidate} ({} calls: {})",
                stats.total,
                endpoints(stats)
            ),
        ));
    }
    Ok(rows)
}

/// Rows synced on the ATS named `ats`.
fn synced_on(status: &StatusReport, ats: &str) -> u64 {
    status
        .by_job
        .iter()
        .filter(|((name, _), _)| name.as_str() == ats)
        .filter_map(|(_, states)| states.get(&RowState::Synced))
        .sum()
}

/// `endpoint ×count` pairs, so the per-candidate figure can be explained.
fn endpoints(stats: &RequestStats) -> String {
    stats
        .by_endpoint
        .iter()
        .map(|(endpoint, count)| format!("{endpoint} ×{count}"))
        .collect::<Vec<_>>()
        .join(", ")
}
