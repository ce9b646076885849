//! Fencing: a result recorded under a lease that another claim has replaced is
//! refused, for ledger rows and inbox items alike.

use super::{LEASE, candidate, invite, job, key, lease};
use ats_bridge::model::ParticipantKey;
use ats_bridge::store::{Claim, NewDelivery, RowState, Store, StoreError};

fn fenced<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Fenced(_)))
}

/// A worker paused past its lease cannot record over the worker that took the row
/// (or the delivery) over; a caller without a lease cannot change a leased row.
pub async fn fencing(store: &dyn Store) {
    let (k, c, j) = (key("fence-1"), candidate("cand-fence"), job());
    let participant = ParticipantKey::new("p-fence");
    let Claim::Fresh(paused) = store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap()
    else {
        panic!("first claim")
    };
    // w1 stops past its lease; w2 takes the row over with a newer token.
    let Claim::Acquired(taken) = store
        .claim_invite(&invite(&k, &c, &j), &lease("w2", 1_000 + LEASE, LEASE))
        .await
        .unwrap()
    else {
        panic!("takeover")
    };
    assert!(taken.fence > paused.fence, "{taken:?} after {paused:?}");

    let now = 2_000 + LEASE;
    assert!(fenced(
        store
            .record_invited(&k, &participant, paused.fence, now)
            .await
    ));
    assert!(fenced(
        store
            .record_retry(&k, "late", now + 1, Some(paused.fence), now)
            .await
    ));
    assert!(fenced(
        store
            .record_failed(&k, "late", Some(paused.fence), now)
            .await
    ));
    // Without a lease, nobody may touch a row someone else holds.
    assert!(fenced(
        store.record_retry(&k, "check", now + 1, None, now).await
    ));
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(
        (row.state, row.lease_owner.as_deref(), row.attempts),
        (RowState::Pending, Some("w2"), 0),
        "refused results change nothing"
    );
    store
        .record_invited(&k, &participant, taken.fence, now)
        .await
        .unwrap();

    // The same for write-backs.
    let sync = |worker: &'static str, at: i64| {
        let k = k.clone();
        async move {
            store
                .claim_sync(&k, "completed", &lease(worker, at, LEASE))
                .await
                .unwrap()
        }
    };
    let first = sync("w1", 10_000).await;
    let second = sync("w2", 10_000 + LEASE).await;
    assert!(second.is_acquired(), "{second:?}");
    assert!(fenced(
        store
            .record_synced(&k, "completed", first.row().fence, 10_001 + LEASE)
            .await
    ));
    store
        .record_synced(&k, "completed", second.row().fence, 10_001 + LEASE)
        .await
        .unwrap();
    // Without a lease on an unleased row: allowed (a periodic check's note).
    store
        .record_retry(&k, "check", 99_000, None, 90_000)
        .await
        .unwrap();

    // Inbox items: the first claimer's bookkeeping is refused after a takeover.
    assert!(
        store
            .inbox_insert(&NewDelivery::new("fence", "evt-fence", b"{}"), 1_000)
            .await
            .unwrap()
    );
    let claim = |worker: &'static str, at: i64| async move {
        let items = store
            .inbox_claim(&lease(worker, at, LEASE), 100)
            .await
            .unwrap();
        items
            .into_iter()
            .find(|item| item.dedupe_key == "evt-fence")
            .expect("claimed")
    };
    let slow = claim("w1", 1_000).await;
    let fast = claim("w2", 1_000 + LEASE).await;
    assert!(fast.fence > slow.fence);
    assert!(fenced(
        store.inbox_done(slow.id, slow.fence, 2_000 + LEASE).await
    ));
    assert!(fenced(
        store
            .inbox_retry(slow.id, slow.fence, "late", 3_000 + LEASE)
            .await
    ));
    store
        .inbox_done(fast.id, fast.fence, 2_000 + LEASE)
        .await
        .unwrap();
}
