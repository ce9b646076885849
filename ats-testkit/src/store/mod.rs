//! The conformance suite every [`Store`] backend must pass.
//!
//! Run [`run_store_suite`] against a fresh, empty store; it panics on the first
//! difference from the documented semantics. Each part is also public, so a failing
//! backend can be debugged one part at a time. [`racing_claims`] and
//! [`racing_claims_of_one_person`] check that claims stay exclusive under concurrent
//! callers (each on a fresh store of its own). [`scoped_ledger`] and [`scoped_inbox`]
//! check the scoped methods a store serving many connections implements.

use ats_bridge::model::{CandidateId, JobId};
use ats_bridge::store::{Fence, InviteClaim, Lease, LedgerKey, Store};

mod connections;
mod fencing;
mod inbox;
mod late;
mod ledger;
mod races;
mod scoped;
mod screening;
mod state;

pub use connections::{
    connection_records, connection_removal, connection_secrets, credential_outages,
    racing_connection_inserts, run_connection_suite, secret_locks_exclude,
};
pub use fencing::fencing;
pub use inbox::{deletion_erases_deliveries, inbox, inbox_events, inbox_pruning};
pub use late::{late_results, warnings};
pub use ledger::{
    cancellation, claims_and_leases, failures_and_redrive, fresh_claims_and_siblings,
    fresh_sync_claims, invites_and_participants, parking, redrive_of_waiting_rows, retries, status,
    sync_outcomes,
};
pub use races::{racing_claims, racing_claims_of_one_person};
pub use scoped::{scoped_inbox, scoped_ledger};
pub use screening::screenings;
pub use state::{cursors, history_start, job_states};

const LEASE: i64 = 30_000;

fn key(application: &str) -> LedgerKey {
    LedgerKey::new("lever", application, "interview-1")
}

fn candidate(id: &str) -> CandidateId {
    CandidateId::new(id)
}

fn job() -> JobId {
    JobId::new("job-1")
}

fn invite(key: &LedgerKey, candidate: &CandidateId, job: &JobId) -> InviteClaim {
    InviteClaim::new(key.clone(), candidate.clone(), job.clone())
}

fn lease(worker: &str, now_ms: i64, lease_ms: i64) -> Lease {
    Lease::new(worker, now_ms, lease_ms)
}

/// The fencing token of `key`'s latest claim: what the worker holding it passes
/// to the ledger's `record_*` methods.
async fn held(store: &dyn Store, key: &LedgerKey) -> Fence {
    store
        .row(key)
        .await
        .unwrap()
        .map(|row| row.fence)
        .unwrap_or_default()
}

/// Run every part of the suite against `store`, which must start empty.
pub async fn run_store_suite(store: &dyn Store) {
    claims_and_leases(store).await;
    fresh_claims_and_siblings(store).await;
    fresh_sync_claims(store).await;
    invites_and_participants(store).await;
    sync_outcomes(store).await;
    retries(store).await;
    parking(store).await;
    failures_and_redrive(store).await;
    redrive_of_waiting_rows(store).await;
    cancellation(store).await;
    fencing(store).await;
    inbox(store).await;
    inbox_pruning(store).await;
    deletion_erases_deliveries(store).await;
    inbox_events(store).await;
    cursors(store).await;
    job_states(store).await;
    history_start(store).await;
    screenings(store).await;
    late_results(store).await;
    warnings(store).await;
    status(store).await;
    scoped_ledger(store).await;
    scoped_inbox(store).await;
}
