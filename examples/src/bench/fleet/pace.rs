//! Aggregate pace: 100 customers, each with a backlog in the inbox and its Lever
//! account limited to 10 requests/s (the simulator's limit and the client's default
//! pacing). Over a 10-second window after a 2-second warm-up: Lever requests answered
//! per second, all customers together, ÷ the sum of their limits; and the bridge's CPU
//! time (every thread but the simulators') per candidate invited in the window.

use std::time::{Duration, Instant};

use ats_bridge::connection::FleetConfig;
use ats_sandbox::{Faults, SandboxAccount, SandboxConfig, Seed, Vendor};

use super::{Bridge, SandboxHost, connection, cpu_split, engine_config, invites, move_all};
use crate::bench::Row;

/// Customers.
pub const CUSTOMERS: usize = 100;
/// Each one's Lever limit (requests per second).
pub const LIMIT: u32 = 10;
/// Each one's backlog: enough to keep it at its limit past the window.
pub const BACKLOG: usize = 60;
const WARM_UP: Duration = Duration::from_secs(2);
const WINDOW: Duration = Duration::from_secs(10);

/// Fill the backlogs, measure the window, and return the rows.
pub async fn run() -> crate::Result<Vec<Row>> {
    let host =
        SandboxHost::start(SandboxConfig::new().seed(41).willo_completion_delay(None)).await?;
    let accounts = (0..CUSTOMERS)
        .map(|i| {
            host.sandbox.add_account(
                SandboxAccount::new(format!("paced-{i:03}"))
                    .data(
                        Seed::new()
                            .jobs(1)
                            .candidates_per_job(BACKLOG)
                            .willo_interviews(1),
                    )
                    .faults(Vendor::Lever, Faults::none().rate_limit(LIMIT, LIMIT)),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Enough slots for every customer's bound: a deployment serving 100 customers at
    // their limits sizes the fleet so (items wait on their limiter while holding one).
    let config = FleetConfig::default()
        .concurrency(CUSTOMERS * 4)
        .per_connection(4);
    let bridge = Bridge::start(engine_config(), config).await?;
    for account in &accounts {
        bridge.manager.add(connection(account, None)?).await?;
    }
    bridge.fleet.refresh().await?;
    // Stored before the fleet may act: the pace is measured on backlogs, not on the intake.
    let mut moved = Vec::new();
    for account in &accounts {
        moved.push((account.name().to_owned(), move_all(account)?));
    }
    for (name, opportunities) in &moved {
        for opportunity in opportunities {
            bridge.deliver(name, opportunity).await?;
        }
    }
    tokio::time::sleep(WARM_UP).await;
    // Requests the simulators answered (not refused with 429, 5xx or 401).
    let lever_calls = || -> u64 {
        accounts
            .iter()
            .map(|a| {
                let stats = a.requests(Vendor::Lever);
                stats.total - stats.rate_limited - stats.server_errors - stats.unauthorized
            })
            .sum()
    };
    let refused = || -> u64 {
        accounts
            .iter()
            .map(|a| a.requests(Vendor::Lever).rate_limited)
            .sum()
    };
    let invited = || -> u64 { accounts.iter().map(invites).sum() };
    let (calls_before, invited_before) = (lever_calls(), invited());
    let (_, cpu_before) = cpu_split()?;
    let started = Instant::now();
    tokio::time::sleep(WINDOW).await;
    let took = started.elapsed().as_secs_f64();
    let (_, cpu_after) = cpu_split()?;
    let calls = lever_calls() - calls_before;
    let synced = invited() - invited_before;
    let drained = accounts
        .iter()
        .filter(|a| invites(a) as usize >= BACKLOG)
        .count();
    let too_many = refused();
    bridge.stop().await;
    drop(host);

    let limits = f64::from(LIMIT) * CUSTOMERS as f64;
    let pace = calls as f64 / took / limits;
    let cpu = cpu_after.saturating_sub(cpu_before);
    let per_candidate = cpu.as_secs_f64() * 1000.0 / synced.max(1) as f64;
    Ok(vec![
        Row::target(
            "pace: 100 customers at 10 req/s each, Lever calls per second ÷ their limits",
            format!(
                "{pace:.2} ({calls} calls in {took:.1} s vs {limits:.0}/s; {too_many} × 429; \
                 {drained} backlogs drained early)"
            ),
            "≥ 0.95",
            pace >= 0.95,
        ),
        Row::info(
            "pace: the bridge's CPU time per invited candidate",
            format!(
                "{per_candidate:.2} ms ({:.2} s CPU for {synced} invites in the window)",
                cpu.as_secs_f64()
            ),
        ),
    ])
}
