//! Short forms of the store's claim inputs.

use ats_bridge::model::{CandidateId, JobId};
use ats_bridge::store::{InviteClaim, Lease, LedgerKey};

/// An invite claim for `key` with its candidate and job.
pub fn invite(key: &LedgerKey, candidate: &CandidateId, job: &JobId) -> InviteClaim {
    InviteClaim::new(key.clone(), candidate.clone(), job.clone())
}

/// A lease request.
pub fn lease(worker: &str, now_ms: i64, lease_ms: i64) -> Lease {
    Lease::new(worker, now_ms, lease_ms)
}
