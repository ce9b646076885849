//! Late results: the fingerprint of what was written, the follow-up claim, the
//! durable late-results schedule, and warnings.

use super::{LEASE, candidate, held, invite, job, key, lease};
use ats_bridge::model::ParticipantKey;
use ats_bridge::store::{Claim, Recheck, RowState, Store, StoreError, WrittenResults};

/// The first write-back records its fingerprint, note id and first check; a
/// follow-up is claimed once per fingerprint, fenced, and never for content already
/// written; the check is due in `rows_due` when its time comes, and survives as data.
pub async fn late_results(store: &dyn Store) {
    let k = key("late-1");
    let (c, j) = (candidate("cand-late"), job());
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    // Before the results are written there is nothing to follow up.
    let early = store
        .claim_results_update(&k, "fp-1", &lease("w1", 1_100, LEASE))
        .await;
    assert!(matches!(early, Err(StoreError::Conflict(_))), "{early:?}");
    store
        .record_invited(
            &k,
            &ParticipantKey::new("p-late"),
            held(store, &k).await,
            2_000,
        )
        .await
        .unwrap();
    let early = store
        .claim_results_update(&k, "fp-1", &lease("w1", 2_100, LEASE))
        .await;
    assert!(
        matches!(early, Err(StoreError::Conflict(_))),
        "invited: {early:?}"
    );

    // The first write-back: synced with what it wrote and the first check.
    let claim = store
        .claim_sync(&k, "completed", &lease("w1", 3_000, LEASE))
        .await
        .unwrap();
    let fence = claim.row().fence;
    let written = WrittenResults::new("completed")
        .fingerprint("fp-1")
        .note_id("note-1")
        .recheck(Recheck::new(Some(10_000), 0));
    let stale = store
        .record_results_written(&k, &written, fence.next(), 3_500)
        .await;
    assert!(matches!(stale, Err(StoreError::Fenced(_))), "{stale:?}");
    store
        .record_results_written(&k, &written, fence, 3_500)
        .await
        .unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(row.state, RowState::Synced);
    assert_eq!(row.synced_outcome.as_deref(), Some("completed"));
    assert_eq!(row.results_fingerprint.as_deref(), Some("fp-1"));
    assert_eq!(row.results_note_id.as_deref(), Some("note-1"));
    assert_eq!((row.recheck_at_ms, row.rechecks), (Some(10_000), 0));
    assert_eq!(row.lease_owner, None);

    // The check is due at its time, not before.
    let due = |rows: Vec<ats_bridge::store::LedgerRow>| rows.iter().any(|r| r.key == k);
    assert!(!due(store.rows_due(9_999, 1_000).await.unwrap()));
    assert!(due(store.rows_due(10_000, 1_000).await.unwrap()));

    // The same content is settled; new content is claimed, fresh, once.
    let same = store
        .claim_results_update(&k, "fp-1", &lease("w2", 10_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(same, Claim::Settled(_)), "{same:?}");
    let claim = store
        .claim_results_update(&k, "fp-2", &lease("w2", 10_000, LEASE))
        .await
        .unwrap();
    let Claim::Fresh(row) = claim else {
        panic!("first follow-up claim: {claim:?}")
    };
    assert!(!due(store.rows_due(10_001, 1_000).await.unwrap()), "leased");
    let busy = store
        .claim_results_update(&k, "fp-2", &lease("w3", 10_001, LEASE))
        .await
        .unwrap();
    assert!(matches!(busy, Claim::Busy(_)), "{busy:?}");
    // A check without a lease waits for the holder.
    let refused = store
        .schedule_recheck(&k, Recheck::new(Some(99_000), 1), 10_002)
        .await;
    assert!(matches!(refused, Err(StoreError::Fenced(_))), "{refused:?}");

    // A crashed holder: the next claim is not fresh (the note may be written).
    let claim = store
        .claim_results_update(&k, "fp-2", &lease("w3", 10_000 + LEASE, LEASE))
        .await
        .unwrap();
    assert!(matches!(claim, Claim::Acquired(_)), "{claim:?}");
    let late = store
        .record_results_written(
            &k,
            &WrittenResults::new("completed").fingerprint("fp-2"),
            row.fence,
            10_000 + LEASE + 1,
        )
        .await;
    assert!(matches!(late, Err(StoreError::Fenced(_))), "{late:?}");
    store
        .record_results_written(
            &k,
            &WrittenResults::new("completed")
                .fingerprint("fp-2")
                .recheck(Recheck::new(Some(90_000), 1)),
            held(store, &k).await,
            10_000 + LEASE + 2,
        )
        .await
        .unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(row.results_fingerprint.as_deref(), Some("fp-2"));
    assert_eq!(row.results_note_id.as_deref(), Some("note-1"), "kept");
    assert_eq!((row.recheck_at_ms, row.rechecks), (Some(90_000), 1));
    let again = store
        .claim_results_update(&k, "fp-2", &lease("w4", 95_000, LEASE))
        .await
        .unwrap();
    assert!(matches!(again, Claim::Settled(_)), "never twice: {again:?}");

    // Unleased: the schedule moves, and ends.
    store
        .schedule_recheck(&k, Recheck::new(None, 2), 96_000)
        .await
        .unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!((row.recheck_at_ms, row.rechecks), (None, 2));
    assert!(!due(store.rows_due(i64::MAX - 1, 1_000).await.unwrap()));

    // A later decision keeps what the note holds.
    let claim = store
        .claim_sync(&k, "decision:accepted", &lease("w4", 97_000, LEASE))
        .await
        .unwrap();
    store
        .record_results_written(
            &k,
            &WrittenResults::new("decision:accepted"),
            claim.row().fence,
            97_001,
        )
        .await
        .unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(row.synced_outcome.as_deref(), Some("decision:accepted"));
    assert_eq!(row.results_fingerprint.as_deref(), Some("fp-2"));

    // Only synced rows are scheduled.
    let other = key("late-2");
    store
        .claim_invite(&invite(&other, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    let refused = store
        .schedule_recheck(&other, Recheck::new(Some(5), 0), 1_000 + LEASE)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
}

/// A warning is kept on the row until cleared, in any state, without a lease.
pub async fn warnings(store: &dyn Store) {
    let k = key("warn-1");
    let (c, j) = (candidate("cand-warn"), job());
    store
        .claim_invite(&invite(&k, &c, &j), &lease("w1", 1_000, LEASE))
        .await
        .unwrap();
    store
        .record_warning(&k, Some("phone left out"), 1_001)
        .await
        .unwrap();
    store
        .record_invited(
            &k,
            &ParticipantKey::new("p-warn"),
            held(store, &k).await,
            1_002,
        )
        .await
        .unwrap();
    let row = store.row(&k).await.unwrap().unwrap();
    assert_eq!(row.warning.as_deref(), Some("phone left out"));
    assert_eq!(row.state, RowState::Invited);
    let status = store.status().await.unwrap();
    assert!(
        status
            .warned
            .iter()
            .any(|r| r.key == k && r.warning == row.warning),
        "the status lists warned rows: {:?}",
        status.warned
    );
    store.record_warning(&k, None, 1_003).await.unwrap();
    assert_eq!(store.row(&k).await.unwrap().unwrap().warning, None);
    let status = store.status().await.unwrap();
    assert!(!status.warned.iter().any(|r| r.key == k), "cleared");
    let missing = store
        .record_warning(&key("warn-missing"), Some("x"), 1_004)
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}
