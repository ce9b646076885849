//! Aggregate pace: 100 customers, each with a backlog in the inbox and its Lever
//! account limited to 10 requests/s (the simulator's limit and the client's default
//! pacing). Over a 10-second window after a 2-second warm-up: Lever requests answered
//! per second, all customers together, ÷ the sum of their limits; and the bridge's CPU
//! time (every thread but the simulators') per candidate invited in the window.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ats_bridge::connection::FleetConfig;
use ats_sandbox::{Faults, SandboxAccount, SandboxConfig, Seed, Vendor};

use super::{Bridge, SandboxHost, connection, cpu_split, engine_config, invites, move_all};
use crate::bench::Row;
use crate::bench::scale_out::{database_url, drop_schema};
use ats_bridge::connection::AdapterBuilder;
use ats_store_sql::{PostgresOptions, PostgresStore, SqliteStore};
use client_core::{LimitSpec, RateLimits};

/// Customers.
pub const CUSTOMERS: usize = 100;
/// Each one's Lever limit (requests per second).
pub const LIMIT: u32 = 10;
/// Each one's backlog: enough to keep it at its limit past the window.
pub const BACKLOG: usize = 150;
const WARM_UP: Duration = Duration::from_secs(2);
const WINDOW: Duration = Duration::from_secs(10);

/// Willo's client pacing raised above what Lever's limit lets through (2 Lever calls
/// and 1 Willo call per invite): Willo publishes no limits and its client's default
/// (5/s) would bind at the same rate as Lever's 10/s, while this measures whether the
/// bridge keeps every customer at its ATS limit.
///
/// Lever's client is paced at the simulator's limit, its burst included (Lever
/// documents bursts up to 20 "when possible"; the simulator allows none), so the figure
/// is the bridge's pace, not 429s' back-off.
fn willo_above_lever(adapters: AdapterBuilder) -> AdapterBuilder {
    adapters
        .limits(
            "willo",
            RateLimits::new(LimitSpec::default().per_second(20).max_in_flight(4)),
        )
        .limits(
            "lever",
            RateLimits::new(LimitSpec::default().per_second(LIMIT).burst(LIMIT)),
        )
}

/// The figure of the issue (100 customers), then the same with half of them: whether a
/// shortfall comes from sharing the work among customers or from the work itself.
pub async fn run() -> crate::Result<Vec<Row>> {
    let mut rows = run_with(CUSTOMERS, true).await?;
    rows.extend(run_with(CUSTOMERS / 2, false).await?);
    Ok(rows)
}

/// Fill `customers` backlogs, measure the window, and return the rows (the first with
/// the target when `target`).
async fn run_with(customers: usize, target: bool) -> crate::Result<Vec<Row>> {
    let host =
        // Two threads: one would cap the simulators below the limits under test.
        SandboxHost::start(SandboxConfig::new().seed(41).willo_completion_delay(None), 2).await?;
    let accounts = (0..customers)
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
        .concurrency(customers * 8)
        .per_connection(8);
    // PostgreSQL when there is one (what a bridge serving many customers runs on), else
    // SQLite.
    let scratch = tempfile::tempdir()?;
    let (bridge, store_name, schema) = match database_url() {
        Some(url) => {
            let unix = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
            let schema = format!("bench_pace_{unix}");
            let options = PostgresOptions::new().schema(&schema).max_connections(40);
            let store = Arc::new(PostgresStore::connect_with(&url, &options).await?);
            let bridge = Bridge::start_with(store, engine_config(), config, willo_above_lever)?;
            (bridge, "PostgreSQL", Some((url, schema)))
        }
        None => {
            let store = Arc::new(SqliteStore::open(scratch.path().join("pace.sqlite")).await?);
            let bridge = Bridge::start_with(store, engine_config(), config, willo_above_lever)?;
            (bridge, "SQLite", None)
        }
    };
    // Paused while their backlogs are stored (deliveries are kept, nothing is done), so
    // every customer starts at once: the pace is measured on backlogs, not on the intake.
    for account in &accounts {
        let new = connection(account, None)?;
        let id = new.id.clone();
        bridge.manager.add(new).await?;
        bridge
            .manager
            .pause(&id, Some("filling the backlog"))
            .await?;
    }
    bridge.fleet.refresh().await?;
    let mut moved = Vec::new();
    for account in &accounts {
        moved.push((account.name().to_owned(), move_all(account)?));
    }
    for (name, opportunities) in &moved {
        for opportunity in opportunities {
            bridge.deliver(name, opportunity).await?;
        }
    }
    for (name, _) in &moved {
        bridge
            .manager
            .resume(&ats_bridge::connection::ConnectionId::new(name.as_str())?)
            .await?;
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
    let (sandbox_before, cpu_before) = cpu_split()?;
    let started = Instant::now();
    tokio::time::sleep(WINDOW).await;
    let took = started.elapsed().as_secs_f64();
    let (sandbox_after, cpu_after) = cpu_split()?;
    let calls = lever_calls() - calls_before;
    let synced = invited() - invited_before;
    let drained = accounts
        .iter()
        .filter(|a| invites(a) as usize >= BACKLOG)
        .count();
    let too_many = refused();
    bridge.stop().await;
    drop(host);
    if let Some((url, schema)) = schema {
        drop_schema(&url, &schema).await?;
    }
    let sandbox_cpu = sandbox_after.saturating_sub(sandbox_before).as_secs_f64();

    let limits = f64::from(LIMIT) * customers as f64;
    let pace = calls as f64 / took / limits;
    let cpu = cpu_after.saturating_sub(cpu_before);
    let per_candidate = cpu.as_secs_f64() * 1000.0 / synced.max(1) as f64;
    let figure = format!(
        "pace: {customers} customers at 10 req/s each, Lever calls per second ÷ their limits"
    );
    let value = format!(
        "{pace:.2} ({calls} calls in {took:.1} s vs {limits:.0}/s; {too_many} × 429; \
         {drained} backlogs drained early; {store_name})"
    );
    let pace_row = if target {
        Row::target(&figure, value, "≥ 0.95", pace >= 0.95)
    } else {
        Row::info(&figure, value)
    };
    Ok(vec![
        pace_row,
        Row::info(
            &format!("pace: the bridge's CPU time per invited candidate ({customers} customers)"),
            format!(
                "{per_candidate:.2} ms ({:.2} s CPU for {synced} invites in the window; the \
                 simulators used {sandbox_cpu:.2} s)",
                cpu.as_secs_f64()
            ),
        ),
    ])
}
