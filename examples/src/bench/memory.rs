//! Memory: peak RSS of a process that streams every Lever opportunity through the
//! typed client, 100,000 (1,000 pages) vs 1,000 (10 pages). Each count runs in a child
//! process of its own (this executable, started with [`CHILD_ARG`]), so each peak is
//! its own and the sandbox holding the data (in this process) is not counted.

use std::io::Write as _;
use std::process::Command;

use ats_sandbox::{Sandbox, SandboxConfig, Seed, lever};
use client_core::RateLimits;
use futures::TryStreamExt as _;
use lever_client::LeverClient;
use lever_client::OpportunityFilter;

use super::Row;

/// The first argument that makes `bench` the streaming child.
pub const CHILD_ARG: &str = "--stream-child";

/// The large run.
pub const LARGE: usize = 100_000;
/// The baseline.
pub const SMALL: usize = 1_000;

/// Measure both peaks and return the row.
pub async fn run() -> crate::Result<Vec<Row>> {
    let small = peak_streaming(SMALL).await?;
    let large = peak_streaming(LARGE).await?;
    let grown = large.saturating_sub(small);
    let mib = |kib: u64| kib as f64 / 1024.0;
    Ok(vec![Row::target(
        "memory: peak RSS streaming 100,000 − 1,000 candidates",
        format!(
            "{:.1} MiB ({:.1} MiB vs {:.1} MiB)",
            mib(grown),
            mib(large),
            mib(small)
        ),
        "≤ 10 MiB",
        grown <= 10 * 1024,
    )])
}

/// Seed a sandbox with `count` Lever opportunities and return the peak RSS (KiB) of a
/// child process that streamed them all.
async fn peak_streaming(count: usize) -> crate::Result<u64> {
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(5)
            .data(Seed::new().jobs(1).candidates_per_job(count)),
    )
    .await?;
    let exe = std::env::current_exe()?;
    let url = sandbox.lever_base_url().to_owned();
    let output =
        tokio::task::spawn_blocking(move || Command::new(exe).args([CHILD_ARG, &url]).output())
            .await??;
    sandbox.shutdown().await;
    if !output.status.success() {
        return Err(format!(
            "the streaming child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let stdout = String::from_utf8(output.stdout)?;
    let mut fields = stdout.split_whitespace();
    let streamed: usize = fields.next().ok_or("no count from the child")?.parse()?;
    let peak: u64 = fields.next().ok_or("no peak from the child")?.parse()?;
    if streamed != count {
        return Err(format!("the child streamed {streamed} of {count} opportunities").into());
    }
    Ok(peak)
}

/// The child: stream every opportunity at `base_url`, keeping none, and print the
/// count and the process's peak RSS in KiB.
pub async fn child(base_url: &str) -> crate::Result<()> {
    let client = LeverClient::builder()
        .base_url(base_url)
        .api_key(lever::API_KEY.into())
        // The sandbox has no limit here; Lever's default 10 req/s would only add time.
        .limits(RateLimits::unlimited())
        .build()?;
    let streamed = client
        .opportunities()
        .list(&OpportunityFilter::default())
        .try_fold(0usize, |count, _| async move { Ok(count + 1) })
        .await?;
    writeln!(std::io::stdout(), "{streamed} {}", peak_rss_kib()?)?;
    Ok(())
}

/// `VmHWM` from `/proc/self/status`: the peak resident set size (Linux only).
fn peak_rss_kib() -> crate::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()?)
}
