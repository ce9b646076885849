//! The benchmark of issue 7: every figure measured in this one run, against the local
//! sandbox, printed as one table (Markdown, as BENCHMARKS.md records it).
//!
//! ```text
//! TEST_DATABASE_URL=postgres://ats_bridge:ats_bridge@127.0.0.1:5432/ats_bridge_test \
//!     cargo run --release -p examples --example bench
//! ```
//!
//! Without `TEST_DATABASE_URL` (or a `postgres://` `DATABASE_URL`) the scale-out rows
//! are skipped. The measurements run one after another, so none competes with another
//! for the machine's cores. Name measurements to run only those
//! (`… --example bench -- backlog scale-out`): `backlog`, `reaction`, `client`,
//! `memory`, `scale-out`, and the connections' `idle`, `fairness` and `pace`.

use std::io::Write as _;

use examples::bench::{self, Row};

/// The measurements, in the order they run.
const MEASUREMENTS: [&str; 8] = [
    "backlog",
    "reaction",
    "client",
    "memory",
    "scale-out",
    "idle",
    "fairness",
    "pace",
];

fn main() -> examples::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut args = std::env::args().skip(1);
    // The memory measurement re-runs this executable as its streaming child.
    if args.next().as_deref() == Some(bench::memory::CHILD_ARG) {
        let url = args.next().ok_or("the streaming child needs a base URL")?;
        return runtime.block_on(bench::memory::child(&url));
    }
    let chosen: Vec<String> = std::env::args().skip(1).collect();
    if let Some(unknown) = chosen
        .iter()
        .find(|name| !MEASUREMENTS.contains(&name.as_str()))
    {
        return Err(
            format!("unknown measurement {unknown:?}; choose from {MEASUREMENTS:?}").into(),
        );
    }
    let wanted = |name: &str| chosen.is_empty() || chosen.iter().any(|c| c == name);
    runtime.block_on(async {
        let mut rows: Vec<Row> = Vec::new();
        if wanted("backlog") {
            eprintln!("backlog at the ceiling…");
            rows.extend(bench::backlog::run().await?);
        }
        if wanted("reaction") {
            eprintln!("reaction time…");
            rows.extend(bench::reaction::run().await?);
        }
        if wanted("client") {
            eprintln!("client overhead…");
            rows.extend(bench::client::run().await?);
        }
        if wanted("memory") {
            eprintln!("memory…");
            rows.extend(bench::memory::run().await?);
        }
        if wanted("scale-out") {
            eprintln!("scale-out…");
            rows.extend(bench::scale_out::run().await?);
        }
        if wanted("idle") {
            eprintln!("1,000 idle connections…");
            rows.extend(bench::fleet::idle::run().await?);
        }
        if wanted("fairness") {
            eprintln!("fairness among connections…");
            rows.extend(bench::fleet::fairness::run().await?);
        }
        if wanted("pace") {
            eprintln!("aggregate pace of 100 connections…");
            rows.extend(bench::fleet::pace::run().await?);
        }
        write!(std::io::stdout(), "{}", bench::render(&rows))?;
        Ok(())
    })
}
