//! What an idle account costs: a bench of 1,000 bridge connections creates 1,000
//! sandbox accounts in its own process, so an empty one must stay small.
//!
//! A binary of its own: it counts every allocation of the process through the global
//! allocator, which the other tests, running in parallel threads, would disturb.

use std::alloc::System;

use ats_sandbox::{Sandbox, SandboxAccount, SandboxConfig, Seed};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Heap bytes an account with [`Seed::empty`] may keep before its first request (its
/// three simulators' state, gates and delivery queues; the routers come with the
/// first request to each vendor, about 28 KiB each). About 6 KiB when measured.
const BUDGET_PER_ACCOUNT: usize = 16 * 1024;

#[tokio::test(flavor = "current_thread")]
async fn a_thousand_empty_accounts_stay_small() {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let region = Region::new(GLOBAL);
    let started = std::time::Instant::now();
    let accounts: Vec<_> = (0..1000)
        .map(|n| {
            sandbox
                .add_account(SandboxAccount::new(format!("customer-{n}")).data(Seed::empty()))
                .unwrap()
        })
        .collect();
    let elapsed = started.elapsed();
    let change = region.change();
    let kept = change
        .bytes_allocated
        .saturating_sub(change.bytes_deallocated)
        .saturating_add(change.bytes_reallocated.max(0) as usize);
    let per_account = kept / accounts.len();
    // Shown with `--nocapture`: the figure BENCHMARKS.md reports.
    eprintln!(
        "1,000 empty accounts: {} KiB kept, {per_account} B each, added in {elapsed:?}",
        kept / 1024
    );
    assert!(
        per_account < BUDGET_PER_ACCOUNT,
        "{per_account} B per empty account"
    );
    assert_eq!(sandbox.accounts().len(), 1001);
}
