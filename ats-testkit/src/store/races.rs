//! Concurrent callers: claims stay exclusive.

use super::{invite, lease};
use ats_bridge::model::{CandidateId, JobId};
use ats_bridge::store::{LedgerKey, RowState, Store};
use std::sync::Arc;

/// 8 tasks race `claim_invite` over 20 applications of one person to one interview:
/// while leases are live, only one of them is acquired (one invite at a time per
/// person), and every application keeps its row for later.
///
/// Against a fresh, empty store, on a multi-threaded runtime
/// (`#[tokio::test(flavor = "multi_thread")]`) so the tasks really run at the same
/// time.
pub async fn racing_claims_of_one_person(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let name = format!("w{worker}");
                let mut acquired = 0;
                for i in (0..20).map(|i| (i + worker * 3) % 20) {
                    let key = LedgerKey::new("lever", format!("app-{i}"), "interview-1");
                    let claim = store
                        .claim_invite(
                            &invite(
                                &key,
                                &CandidateId::new("one-person"),
                                &JobId::new(format!("job-{i}")),
                            ),
                            &lease(&name, 1_000, 60_000),
                        )
                        .await
                        .unwrap();
                    acquired += usize::from(claim.is_acquired());
                }
                acquired
            })
        })
        .collect();
    let mut acquired = 0;
    for task in tasks {
        acquired += task.await.unwrap();
    }
    assert_eq!(acquired, 1, "one application of the person in flight");
    let status = store.status().await.unwrap();
    assert_eq!(status.by_state.get(&RowState::Pending), Some(&20));
}

/// 8 tasks race `claim_invite` over the same 50 keys: each key is acquired once.
///
/// Like [`racing_claims_of_one_person`], against a fresh, empty store, on a
/// multi-threaded runtime (`#[tokio::test(flavor = "multi_thread")]`) so the tasks
/// really run at the same time.
pub async fn racing_claims(store: Arc<dyn Store>) {
    let keys: Vec<LedgerKey> = (0..50)
        .map(|i| LedgerKey::new("lever", format!("app-{i}"), "interview-1"))
        .collect();
    let tasks: Vec<_> = (0..8)
        .map(|worker| {
            let store = Arc::clone(&store);
            let mut keys = keys.clone();
            // Different orders, so workers collide on different keys at different times.
            keys.rotate_left(worker * 7);
            if worker % 2 == 1 {
                keys.reverse();
            }
            tokio::spawn(async move {
                let job = JobId::new("j");
                let name = format!("w{worker}");
                let mut acquired = Vec::new();
                for key in keys {
                    // One person per application here: see `racing_claims_of_one_person`.
                    let candidate = CandidateId::new(format!("c-{}", key.application));
                    let claim = store
                        .claim_invite(
                            &invite(&key, &candidate, &job),
                            &lease(&name, 1_000, 60_000),
                        )
                        .await
                        .unwrap();
                    if claim.is_acquired() {
                        assert_eq!(claim.row().lease_owner.as_deref(), Some(name.as_str()));
                        acquired.push(key);
                    }
                }
                acquired
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    assert_eq!(
        all.len(),
        50,
        "each key acquired exactly once across workers"
    );
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 50);
    let status = store.status().await.unwrap();
    assert_eq!(status.by_state.get(&RowState::Pending), Some(&50));
}
