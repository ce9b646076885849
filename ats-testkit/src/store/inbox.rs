//! The inbox: deliveries kept once, claimed, retried, pruned, and erased with a
//! deleted candidate.

use super::{LEASE, candidate, held, invite, job, key, lease};
use ats_bridge::model::{AtsName, ParticipantKey};
use ats_bridge::store::{Fence, InboxItem, NewDelivery, Store, StoreError};

/// Webhook events are deduplicated, leased, retried and finished; the backlog counts
/// the unfinished ones and dates the oldest.
pub async fn inbox(store: &dyn Store) {
    // Earlier parts of a suite may have left deliveries: the backlog is compared with
    // what was there.
    let before = store.inbox_backlog().await.unwrap();
    let oldest_with = |at: i64| Some(before.oldest_received_at_ms.map_or(at, |o| o.min(at)));
    assert!(
        store
            .inbox_insert(&NewDelivery::new("lever", "evt-1", b"{\"a\":1}"), 1_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .inbox_insert(&NewDelivery::new("lever", "evt-1", b"{\"a\":2}"), 1_001)
            .await
            .unwrap(),
        "duplicate"
    );
    assert!(
        store
            .inbox_insert(&NewDelivery::new("willo", "evt-1", b"{}"), 1_002)
            .await
            .unwrap(),
        "other source"
    );
    assert!(
        store
            .inbox_insert(
                &NewDelivery::new("lever", "evt-2", &[0, 159, 146, 150]),
                1_003
            )
            .await
            .unwrap()
    );

    let first = store
        .inbox_claim(&lease("w1", 2_000, LEASE), 2)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    let backlog = store.inbox_backlog().await.unwrap();
    assert_eq!(backlog.pending, before.pending + 3, "leased ones included");
    assert_eq!(backlog.oldest_received_at_ms, oldest_with(1_000));
    assert_eq!(
        (first[0].source.as_str(), first[0].dedupe_key.as_str()),
        ("lever", "evt-1")
    );
    assert_eq!(first[0].payload, b"{\"a\":1}", "the first copy is kept");
    assert_eq!((first[1].source.as_str(), first[0].attempts), ("willo", 0));

    let rest = store
        .inbox_claim(&lease("w2", 2_001, LEASE), 10)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1, "leased items are not claimed again");
    assert_eq!(
        rest[0].payload,
        vec![0, 159, 146, 150],
        "payloads are bytes"
    );

    store
        .inbox_done(first[0].id, first[0].fence, 2_100)
        .await
        .unwrap();
    let backlog = store.inbox_backlog().await.unwrap();
    assert_eq!(
        backlog.pending,
        before.pending + 2,
        "the processed one is not"
    );
    assert_eq!(backlog.oldest_received_at_ms, oldest_with(1_002));
    store
        .inbox_retry(first[1].id, first[1].fence, "engine busy", 5_000)
        .await
        .unwrap();
    assert!(
        store
            .inbox_claim(&lease("w2", 4_999, LEASE), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retried = store
        .inbox_claim(&lease("w2", 5_000, LEASE), 10)
        .await
        .unwrap();
    assert_eq!(retried.len(), 1);
    assert_eq!((retried[0].id, retried[0].attempts), (first[1].id, 1));

    // After the lease expires the unfinished item comes back; the finished one never.
    let expired = store
        .inbox_claim(&lease("w3", 2_001 + LEASE, LEASE), 10)
        .await
        .unwrap();
    assert_eq!(
        expired.iter().map(|item| item.id).collect::<Vec<_>>(),
        vec![rest[0].id]
    );
    assert!(matches!(
        store.inbox_done(999_999, Fence::default(), 1).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.inbox_retry(999_999, Fence::default(), "x", 1).await,
        Err(StoreError::NotFound(_))
    ));
}

/// Processed events older than the cut are deleted, unprocessed ones never; a pruned
/// event's delivery is new again and gets a new id.
pub async fn inbox_pruning(store: &dyn Store) {
    let fresh = |key: &'static str| async move {
        assert!(
            store
                .inbox_insert(&NewDelivery::new("prune", key, b"{}"), 10_000)
                .await
                .unwrap()
        );
    };
    fresh("old").await;
    fresh("recent").await;
    fresh("waiting").await;
    let items = store
        .inbox_claim(&lease("w1", 10_000, LEASE), 100)
        .await
        .unwrap();
    let id_of = |key: &str| items.iter().find(|i| i.dedupe_key == key).unwrap().id;
    let fence_of = |key: &str| items.iter().find(|i| i.dedupe_key == key).unwrap().fence;
    store
        .inbox_done(id_of("old"), fence_of("old"), 20_000)
        .await
        .unwrap();
    store
        .inbox_done(id_of("recent"), fence_of("recent"), 40_000)
        .await
        .unwrap();
    store
        .inbox_retry(id_of("waiting"), fence_of("waiting"), "busy", 10_001)
        .await
        .unwrap();

    // (Events processed by earlier parts of the suite go too.)
    assert!(store.inbox_prune(30_000).await.unwrap() >= 1);
    assert_eq!(store.inbox_prune(30_000).await.unwrap(), 0, "already gone");
    assert!(
        !store
            .inbox_insert(&NewDelivery::new("prune", "recent", b"{}"), 50_000)
            .await
            .unwrap(),
        "a kept event still deduplicates"
    );
    assert!(
        store
            .inbox_insert(&NewDelivery::new("prune", "old", b"{}"), 50_000)
            .await
            .unwrap(),
        "a pruned event's delivery is stored again"
    );
    let again = store
        .inbox_claim(&lease("w1", 60_000 + LEASE, LEASE), 100)
        .await
        .unwrap();
    let keys: Vec<&str> = again
        .iter()
        .filter(|i| i.source == "prune")
        .map(|i| i.dedupe_key.as_str())
        .collect();
    assert_eq!(
        keys,
        vec!["waiting", "old"],
        "unprocessed kept, oldest first"
    );
    let old_again = again.iter().find(|i| i.dedupe_key == "old").unwrap();
    assert!(old_again.id > id_of("waiting"), "ids are never reused");
}

/// A deleted candidate's Willo deliveries go with them, processed or waiting; one a
/// worker holds, one naming a participant another candidate shares, and one about
/// somebody else stay.
pub async fn deletion_erases_deliveries(store: &dyn Store) {
    const T: i64 = 1_000_000;
    const SOURCE: &str = "willo-erasure";
    const INVITED: &str = "e1a5ed0000000000000000000000000a";
    const SYNCED: &str = "e1a5ed0000000000000000000000000b";
    const SHARED: &str = "e1a5ed0000000000000000000000000c";
    const STRANGER: &str = "e1a5ed0000000000000000000000000d";
    let (gone, twin, j) = (candidate("cand-erased"), candidate("cand-twin"), job());
    let synced = key("erase-synced");
    let rows = [
        (key("erase-invited"), &gone, INVITED),
        (synced.clone(), &gone, SYNCED),
        (key("erase-shared"), &gone, SHARED),
        (key("erase-twin"), &twin, SHARED),
    ];
    for (k, c, participant) in &rows {
        store
            .claim_invite(&invite(k, c, &j), &lease("w1", T, LEASE))
            .await
            .unwrap();
        store
            .record_invited(
                k,
                &ParticipantKey::new(*participant),
                held(store, k).await,
                T + 1,
            )
            .await
            .unwrap();
    }
    store
        .record_synced(&synced, "completed", held(store, &synced).await, T + 2)
        .await
        .unwrap();

    let deliver = |dedupe_key: &'static str, participant: &str| {
        let payload = format!(r#"{{"participant":"{participant}","email":"a@example.com"}}"#);
        async move {
            assert!(
                store
                    .inbox_insert(&NewDelivery::new(SOURCE, dedupe_key, payload.as_bytes()), T)
                    .await
                    .unwrap()
            );
        }
    };
    let ours = |items: Vec<InboxItem>| -> Vec<InboxItem> {
        items.into_iter().filter(|i| i.source == SOURCE).collect()
    };
    deliver("processed-invited", INVITED).await;
    deliver("shared", SHARED).await;
    deliver("stranger", STRANGER).await;
    for item in ours(
        store
            .inbox_claim(&lease("w1", T + 10, LEASE), 100)
            .await
            .unwrap(),
    ) {
        store.inbox_done(item.id, item.fence, T + 11).await.unwrap();
    }
    deliver("held-invited", INVITED).await;
    let held = ours(
        store
            .inbox_claim(&lease("w2", T + 20, LEASE), 100)
            .await
            .unwrap(),
    );
    assert_eq!(held.len(), 1);
    deliver("waiting-synced", SYNCED).await;

    let changed = store
        .cancel_candidate(&AtsName::new("lever"), &gone, T + 30)
        .await
        .unwrap();
    assert_eq!(
        changed, 2,
        "the invited and shared rows; the synced row stays"
    );

    // A delivery stored again is new exactly when the first copy was erased.
    for (dedupe_key, erased) in [
        ("processed-invited", true),
        ("waiting-synced", true),
        ("held-invited", false),
        ("shared", false),
        ("stranger", false),
    ] {
        let new = store
            .inbox_insert(&NewDelivery::new(SOURCE, dedupe_key, b"{}"), T + 40)
            .await
            .unwrap();
        assert_eq!(new, erased, "{dedupe_key}");
    }
    store
        .inbox_done(held[0].id, held[0].fence, T + 50)
        .await
        .unwrap();
}

/// A delivery's event name is kept in its own column, beside the raw body.
pub async fn inbox_events(store: &dyn Store) {
    let body = br#"{"participant_key": "p-events"}"#;
    let named = NewDelivery::new("willo", "evt-named", body).with_event(Some("new_response"));
    assert!(store.inbox_insert(&named, 10_000).await.unwrap());
    let unnamed = NewDelivery::new("willo", "evt-unnamed", b"{}");
    assert!(store.inbox_insert(&unnamed, 10_001).await.unwrap());
    let again = named.with_event(Some("stage_change"));
    assert!(
        !store.inbox_insert(&again, 10_002).await.unwrap(),
        "the dedupe key alone decides"
    );

    let items = store
        .inbox_claim(&lease("w-events", 10_100, LEASE), 10)
        .await
        .unwrap();
    let by_key = |key: &str| {
        items
            .iter()
            .find(|item| item.dedupe_key == key)
            .unwrap_or_else(|| panic!("{key} not claimed: {items:?}"))
    };
    let item = by_key("evt-named");
    assert_eq!(
        item.event.as_deref(),
        Some("new_response"),
        "the first copy's"
    );
    assert_eq!(item.payload, body.to_vec());
    assert_eq!(by_key("evt-unnamed").event, None);
    for item in &items {
        store.inbox_done(item.id, item.fence, 10_200).await.unwrap();
    }
}
