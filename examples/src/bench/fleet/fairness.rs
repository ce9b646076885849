//! Fairness: one customer with a 10,000-candidate backlog in the inbox, worked at its
//! Lever limit (10 requests/s, the client's default pacing), while 100 other customers
//! receive one webhook each, one every 20 ms. Timed per customer from the move
//! (delivered to its intake) to the moment its Willo account has counted the invite.

use std::time::{Duration, Instant};

use ats_bridge::connection::FleetConfig;
use ats_sandbox::{Faults, SandboxAccount, SandboxConfig, Seed, Vendor};

use super::{Bridge, SandboxHost, connection, engine_config, invites, move_all};
use crate::bench::{Row, ms, percentile, wait_for_count};

/// The big customer's backlog.
pub const BACKLOG: usize = 10_000;
/// The other customers, one webhook each.
pub const OTHERS: usize = 100;

/// Fill the backlog, time the others' invites, and return the rows.
pub async fn run() -> crate::Result<Vec<Row>> {
    let host = SandboxHost::start(
        SandboxConfig::new().seed(31).willo_completion_delay(None),
        1,
    )
    .await?;
    let big = host.sandbox.add_account(
        SandboxAccount::new("big")
            .data(
                Seed::new()
                    .jobs(1)
                    .candidates_per_job(BACKLOG)
                    .willo_interviews(1),
            )
            // Lever's documented limit, enforced by the simulator too.
            .faults(Vendor::Lever, Faults::none().rate_limit(10, 10)),
    )?;
    let others = (0..OTHERS)
        .map(|i| {
            host.sandbox.add_account(
                SandboxAccount::new(format!("small-{i:03}")).data(
                    Seed::new()
                        .jobs(1)
                        .candidates_per_job(1)
                        .willo_interviews(1),
                ),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bridge = Bridge::start(engine_config(), FleetConfig::default()).await?;
    bridge.manager.add(connection(&big, None)?).await?;
    for account in &others {
        bridge.manager.add(connection(account, None)?).await?;
    }
    bridge.fleet.refresh().await?;

    let filling = Instant::now();
    for opportunity in move_all(&big)? {
        bridge.deliver(big.name(), &opportunity).await?;
    }
    let fill_took = filling.elapsed();
    // The backlog is being worked at its limit when the others arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;

    let mut samples = Vec::with_capacity(OTHERS);
    for account in &others {
        let opportunity = move_all(account)?.remove(0);
        let before = invites(account);
        let moved = Instant::now();
        bridge.deliver(account.name(), &opportunity).await?;
        samples.push(wait_for_count(|| invites(account), before, moved)?);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let big_invited = invites(&big);
    bridge.stop().await;
    drop(host);

    let p99 = percentile(&samples, 99.0);
    Ok(vec![Row::target(
        "fairness: others' move → invite p99, one customer's 10,000 backlog at its limit",
        format!(
            "{} (p50 {}; {OTHERS} customers; the big one invited {big_invited} meanwhile, \
                 its {BACKLOG} deliveries stored in {:.1} s)",
            ms(p99),
            ms(percentile(&samples, 50.0)),
            fill_took.as_secs_f64()
        ),
        "< 50 ms",
        p99 < Duration::from_millis(50),
    )])
}
