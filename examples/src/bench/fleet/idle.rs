//! Idle connections: 1,000 customers added to a running fleet, none with work. How long
//! one add takes (sealing its secrets, one insert), the resident memory each costs
//! while idle (its record, re-read every tick), and each once its engine is built (its
//! Willo and Lever clients over the shared pool, its rules: what a reconciler pass
//! loads, and keeps for `idle_after`).

use std::time::{Duration, Instant};

use ats_bridge::connection::FleetConfig;
use ats_sandbox::{SandboxAccount, SandboxConfig, Seed};

use super::{Bridge, SandboxHost, connection, engine_config, rss_kib};
use crate::bench::{Row, ms, percentile};

/// Connections added.
pub const CONNECTIONS: usize = 1000;

/// Add the connections, measure, and return the rows.
pub async fn run() -> crate::Result<Vec<Row>> {
    let host = SandboxHost::start(
        SandboxConfig::new().seed(21).willo_completion_delay(None),
        1,
    )
    .await?;
    let accounts = (0..CONNECTIONS)
        .map(|i| {
            host.sandbox
                .add_account(SandboxAccount::new(format!("idle-{i:04}")).data(Seed::empty()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut config = FleetConfig::default().reconcile_concurrency(16);
    config.idle_after = Duration::from_secs(3600);
    let mut new: Vec<_> = accounts
        .iter()
        .map(|account| connection(account, None))
        .collect::<crate::Result<_>>()?;
    // Webhooks only: nothing builds an engine until the second half.
    let bridge = Bridge::start(engine_config(), config).await?;
    // Warm the allocator and the store with one connection added and removed.
    let warm = new.pop().ok_or("no connection")?;
    let warm_id = warm.id.clone();
    bridge.manager.add(warm).await?;
    bridge
        .manager
        .remove(&warm_id, ats_bridge::connection::LedgerErasure::Erase)
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib()?;
    let mut ids = Vec::with_capacity(new.len());
    let mut adds = Vec::with_capacity(new.len());
    for connection in new {
        ids.push(connection.id.clone());
        let started = Instant::now();
        bridge.manager.add(connection).await?;
        adds.push(started.elapsed());
    }
    let added = adds.len();
    // A few ticks: the fleet has read every record.
    tokio::time::sleep(Duration::from_millis(300)).await;
    bridge.fleet.refresh().await?;
    let idle = rss_kib()?.saturating_sub(before);
    let loaded_before = bridge.fleet.loaded_engines();

    // Each connection given a reconciler pass every 5 s: the first builds its engine.
    for id in &ids {
        let mut config = bridge.manager.live(id).await?.config;
        config.engine.reconcile_interval_secs = Some(5);
        bridge.manager.update(id, config).await?;
    }
    let started = Instant::now();
    while bridge.fleet.loaded_engines() < added {
        if started.elapsed() > Duration::from_secs(120) {
            return Err(format!(
                "{} of {added} engines built after 120 s",
                bridge.fleet.loaded_engines()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let loaded = rss_kib()?.saturating_sub(before);
    bridge.stop().await;
    drop(host);

    let per = |kib: u64| kib as f64 / added as f64;
    let idle_per = per(idle);
    Ok(vec![
        Row::target(
            "connections: resident memory per idle connection",
            format!(
                "{:.1} KiB ({added} connections: +{:.1} MiB; {loaded_before} engines built)",
                idle_per,
                idle as f64 / 1024.0
            ),
            "< 64 KiB",
            idle_per < 64.0,
        ),
        Row::info(
            "connections: resident memory per connection with its engine built",
            format!(
                "{:.1} KiB (+{:.1} MiB for {added}, after one reconciler pass each)",
                per(loaded),
                loaded as f64 / 1024.0
            ),
        ),
        Row::info(
            "connections: time to add one at runtime, p50 / p99",
            format!(
                "{} / {} ({added} adds, SQLite, secrets sealed)",
                ms(percentile(&adds, 50.0)),
                ms(percentile(&adds, 99.0))
            ),
        ),
    ])
}
