//! The connection tables: records, sealed secrets, removal with erasure, secret locks,
//! credential outages.
//!
//! Run [`run_connection_suite`] on a fresh store; [`secret_locks_exclude`] needs
//! handles it can share with a task.

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::connection::{
    AtsAccountConfig, AtsAuth, AtsKind, ConnectionConfig, ConnectionId, ConnectionRecord,
    ConnectionState, Connections, LedgerErasure, Sealed, SecretEntry, StoredOutage,
};
use ats_bridge::store::{Lease, NewDelivery, Store, StoreError};

use super::{candidate, invite, job};
use ats_bridge::store::LedgerKey;

/// Every part of the connection suite, on a store that starts empty.
pub async fn run_connection_suite<S: Store + Connections>(store: &S) {
    connection_records(store).await;
    connection_secrets(store).await;
    connection_removal(store).await;
    credential_outages(store).await;
}

fn id(text: &str) -> ConnectionId {
    ConnectionId::new(text).unwrap()
}

fn config(name: &str) -> ConnectionConfig {
    ConnectionConfig::new(name)
        .ats(AtsAccountConfig::new(AtsKind::Lever, AtsAuth::Oauth).perform_as("user-1"))
}

fn sealed(key_id: &str, bytes: &[u8]) -> Sealed {
    Sealed {
        key_id: key_id.to_owned(),
        bytes: bytes.to_vec(),
    }
}

/// Connections are added once, read back whole, changed, and listed by id.
pub async fn connection_records(store: &dyn Connections) {
    let acme = ConnectionRecord::new(
        id("rec-acme"),
        config("Acme"),
        ConnectionState::Active,
        1_000,
    );
    store.connection_insert(&acme, &[]).await.unwrap();
    assert_eq!(
        store.connection_get(&acme.id).await.unwrap(),
        Some(acme.clone())
    );
    assert!(matches!(
        store.connection_insert(&acme, &[]).await,
        Err(StoreError::Conflict(_))
    ));
    let beta = ConnectionRecord::new(
        id("rec-beta"),
        config("Beta"),
        ConnectionState::Paused,
        1_000,
    );
    store.connection_insert(&beta, &[]).await.unwrap();
    let listed: Vec<_> = store
        .connection_list()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .filter(|id| id.as_str().starts_with("rec-"))
        .collect();
    assert_eq!(listed, vec![acme.id.clone(), beta.id.clone()]);

    let renamed = config("Acme Corp").rules("# none yet\n");
    store
        .connection_set_config(&acme.id, &renamed, 2_000)
        .await
        .unwrap();
    let read = store.connection_get(&acme.id).await.unwrap().unwrap();
    assert_eq!(read.config, renamed);
    assert_eq!((read.created_at_ms, read.updated_at_ms), (1_000, 2_000));

    // Every change is a new version, even within one millisecond.
    store
        .connection_set_state(
            &acme.id,
            ConnectionState::NeedsCredentials,
            Some("invalid_grant"),
            2_000,
        )
        .await
        .unwrap();
    let read = store.connection_get(&acme.id).await.unwrap().unwrap();
    assert_eq!(read.state, ConnectionState::NeedsCredentials);
    assert_eq!(read.state_reason.as_deref(), Some("invalid_grant"));
    assert_eq!(read.updated_at_ms, 2_001);
    store
        .connection_set_state(&acme.id, ConnectionState::Active, None, 3_000)
        .await
        .unwrap();
    let read = store.connection_get(&acme.id).await.unwrap().unwrap();
    assert_eq!(
        (read.state, read.state_reason),
        (ConnectionState::Active, None)
    );

    let missing = id("rec-missing");
    assert_eq!(store.connection_get(&missing).await.unwrap(), None);
    assert!(matches!(
        store.connection_set_config(&missing, &renamed, 1).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store
            .connection_set_state(&missing, ConnectionState::Paused, None, 1)
            .await,
        Err(StoreError::NotFound(_))
    ));
}

/// Sealed secrets are kept byte for byte, replaced and deleted by name, and each
/// change of them is a new version of the connection.
pub async fn connection_secrets(store: &dyn Connections) {
    let conn = ConnectionRecord::new(
        id("sec-acme"),
        config("Acme"),
        ConnectionState::Active,
        1_000,
    );
    let key = SecretEntry::new("willo/api_key", sealed("k1", &[0, 1, 2, 255]));
    store
        .connection_insert(&conn, std::slice::from_ref(&key))
        .await
        .unwrap();
    assert_eq!(
        store.connection_secrets(&conn.id).await.unwrap(),
        vec![key.clone()]
    );

    let grant = SecretEntry {
        expires_at_ms: Some(99_000),
        ..SecretEntry::new("ats/lever/grant", sealed("k1", b"grant"))
    };
    let rotated = SecretEntry::new("willo/api_key", sealed("k2", b"new"));
    store
        .connection_put_secrets(&conn.id, &[grant.clone(), rotated.clone()], &[], 2_000)
        .await
        .unwrap();
    assert_eq!(
        store.connection_secrets(&conn.id).await.unwrap(),
        vec![grant.clone(), rotated.clone()],
        "by name"
    );
    assert_eq!(
        store
            .connection_get(&conn.id)
            .await
            .unwrap()
            .unwrap()
            .updated_at_ms,
        2_000
    );
    store
        .connection_put_secrets(&conn.id, &[], &["ats/lever/grant".to_owned()], 2_000)
        .await
        .unwrap();
    assert_eq!(
        store.connection_secrets(&conn.id).await.unwrap(),
        vec![rotated]
    );
    assert_eq!(
        store
            .connection_get(&conn.id)
            .await
            .unwrap()
            .unwrap()
            .updated_at_ms,
        2_001
    );

    // A lock reads the secret, and replaces it on commit.
    let lock = store.secret_lock(&conn.id, "willo/api_key").await.unwrap();
    assert_eq!(lock.current().map(|e| e.sealed.key_id.as_str()), Some("k2"));
    let replaced = SecretEntry::new("willo/api_key", sealed("k3", b"newer"));
    lock.replace(replaced.clone(), 3_000).await.unwrap();
    assert_eq!(
        store.connection_secrets(&conn.id).await.unwrap(),
        vec![replaced.clone()]
    );
    // Released without a change, nothing changes.
    let lock = store.secret_lock(&conn.id, "willo/api_key").await.unwrap();
    lock.release().await.unwrap();
    let lock = store
        .secret_lock(&conn.id, "ats/lever/grant")
        .await
        .unwrap();
    assert!(lock.current().is_none());
    // A lock can mark the connection as needing credentials.
    lock.set_state(ConnectionState::NeedsCredentials, "invalid_grant", 4_000)
        .await
        .unwrap();
    let read = store.connection_get(&conn.id).await.unwrap().unwrap();
    assert_eq!(read.state, ConnectionState::NeedsCredentials);
    assert_eq!(
        store.connection_secrets(&conn.id).await.unwrap(),
        vec![replaced]
    );
}

/// Removing a connection erases its secrets, inbox deliveries, cursors and job states,
/// strips (or erases) its ledger, touches no other connection's rows, and leaves a
/// tombstone that a new add replaces.
pub async fn connection_removal<S: Store + Connections>(store: &S) {
    let gone = ConnectionRecord::new(
        id("rm-acme"),
        config("Acme"),
        ConnectionState::Active,
        1_000,
    );
    // A connection whose id extends the removed one's: its rows must survive.
    let kept = ConnectionRecord::new(
        id("rm-acme-2"),
        config("Acme 2"),
        ConnectionState::Active,
        1_000,
    );
    let secret = SecretEntry::new("willo/api_key", sealed("k1", b"x"));
    for record in [&gone, &kept] {
        store
            .connection_insert(record, std::slice::from_ref(&secret))
            .await
            .unwrap();
        let source = record.id.scope("lever");
        store
            .inbox_insert(&NewDelivery::new(&source, "d-1", b"{}"), 1_000)
            .await
            .unwrap();
        store
            .cursor_set(&record.id.scope("lever:stage-1"), "c", 1_000)
            .await
            .unwrap();
        let ats = ats_bridge::model::AtsName::new(record.id.scope("lever"));
        store
            .set_job_state(&ats, &job(), &ats_bridge::model::JobState::Open, 1_000)
            .await
            .unwrap();
        let key = LedgerKey::new(record.id.scope("lever"), "opp-1", "interview-1");
        store
            .claim_invite(
                &invite(&key, &candidate("c-1"), &job()),
                &Lease::new("w", 1_000, 30_000),
            )
            .await
            .unwrap();
        store
            .record_retry(
                &key,
                "Lever said 500 for candidate",
                5_000,
                Some(super::held(store, &key).await),
                1_000,
            )
            .await
            .unwrap();
    }

    let removal = store
        .connection_remove(&gone.id, LedgerErasure::KeepIds, 2_000)
        .await
        .unwrap();
    assert_eq!(
        (
            removal.secrets,
            removal.inbox,
            removal.cursors,
            removal.ledger_rows
        ),
        (1, 1, 2, 1)
    );
    let read = store.connection_get(&gone.id).await.unwrap().unwrap();
    assert_eq!(read.state, ConnectionState::Removed);
    assert!(store.connection_secrets(&gone.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .cursor_get(&gone.id.scope("lever:stage-1"))
            .await
            .unwrap(),
        None
    );
    let key = LedgerKey::new(gone.id.scope("lever"), "opp-1", "interview-1");
    let row = store.row(&key).await.unwrap().expect("ids kept");
    assert_eq!(row.last_error, None, "free text erased");
    assert!(matches!(
        store
            .connection_set_state(&gone.id, ConnectionState::Active, None, 3_000)
            .await,
        Err(StoreError::Conflict(_))
    ));

    // The other connection is untouched.
    assert_eq!(store.connection_secrets(&kept.id).await.unwrap().len(), 1);
    assert!(
        store
            .cursor_get(&kept.id.scope("lever:stage-1"))
            .await
            .unwrap()
            .is_some()
    );
    let kept_key = LedgerKey::new(kept.id.scope("lever"), "opp-1", "interview-1");
    assert!(
        store
            .row(&kept_key)
            .await
            .unwrap()
            .unwrap()
            .last_error
            .is_some()
    );
    let claimed = store
        .inbox_claim(&Lease::new("w", 10_000, 30_000), 10)
        .await
        .unwrap();
    assert_eq!(
        claimed
            .iter()
            .map(|item| item.source.as_str())
            .collect::<Vec<_>>(),
        vec!["rm-acme-2/lever"]
    );

    // Added again: a fresh connection with its own secrets.
    let again = ConnectionRecord::new(
        gone.id.clone(),
        config("Acme again"),
        ConnectionState::Active,
        4_000,
    );
    store
        .connection_insert(&again, std::slice::from_ref(&secret))
        .await
        .unwrap();
    assert_eq!(store.connection_get(&gone.id).await.unwrap(), Some(again));

    // Erasing the ledger deletes the rows.
    let removal = store
        .connection_remove(&kept.id, LedgerErasure::Erase, 5_000)
        .await
        .unwrap();
    assert_eq!(removal.ledger_rows, 1);
    assert_eq!(store.row(&kept_key).await.unwrap(), None);
    assert_eq!(
        store.row(&key).await.unwrap().map(|r| r.key),
        Some(key),
        "not another's"
    );
}

fn outage(connection: &ConnectionId, credential: &str, at_ms: i64, reason: &str) -> StoredOutage {
    StoredOutage {
        connection: connection.clone(),
        credential: credential.to_owned(),
        since_ms: at_ms,
        last_refusal_ms: at_ms,
        refusals: 1,
        reason: reason.to_owned(),
    }
}

/// Refused credentials are recorded per (connection, credential), merged when
/// written again (by another replica too), listed per connection or all together,
/// ended one by one or all at once, only for live connections, and erased with the
/// connection.
pub async fn credential_outages<S: Store + Connections>(store: &S) {
    let acme = ConnectionRecord::new(
        id("out-acme"),
        config("Acme"),
        ConnectionState::Active,
        1_000,
    );
    let beta = ConnectionRecord::new(
        id("out-beta"),
        config("Beta"),
        ConnectionState::Active,
        1_000,
    );
    for record in [&acme, &beta] {
        store.connection_insert(record, &[]).await.unwrap();
    }
    let ours = |all: Vec<StoredOutage>| -> Vec<StoredOutage> {
        all.into_iter()
            .filter(|o| o.connection.as_str().starts_with("out-"))
            .collect()
    };
    assert!(
        store
            .credential_outages(Some(&acme.id))
            .await
            .unwrap()
            .is_empty()
    );

    let lever = outage(&acme.id, "lever", 2_000, "Lever said 401 Unauthorized");
    store.credential_outage_put(&lever).await.unwrap();
    assert_eq!(
        store.credential_outages(Some(&acme.id)).await.unwrap(),
        vec![lever.clone()]
    );

    // Refreshed by another replica: the earlier start stays, the later refusal and
    // its reason win, and so does the larger count.
    let refreshed = StoredOutage {
        since_ms: 2_500,
        last_refusal_ms: 9_000,
        refusals: 4,
        reason: "Lever said 403 Forbidden".to_owned(),
        ..lever.clone()
    };
    store.credential_outage_put(&refreshed).await.unwrap();
    let merged = StoredOutage {
        since_ms: 2_000,
        ..refreshed.clone()
    };
    assert_eq!(
        store.credential_outages(Some(&acme.id)).await.unwrap(),
        vec![merged.clone()]
    );
    // A late writer's older refusal changes neither the last refusal nor its reason.
    let late = StoredOutage {
        since_ms: 1_500,
        last_refusal_ms: 3_000,
        refusals: 2,
        reason: "older".to_owned(),
        ..lever.clone()
    };
    store.credential_outage_put(&late).await.unwrap();
    let merged = StoredOutage {
        since_ms: 1_500,
        ..merged
    };
    assert_eq!(
        store.credential_outages(Some(&acme.id)).await.unwrap(),
        vec![merged.clone()]
    );

    // One row per credential; listed by connection, then credential.
    let willo = outage(&acme.id, "willo", 3_000, "Willo said 401");
    let beta_lever = outage(&beta.id, "lever", 4_000, "Lever said 401");
    store.credential_outage_put(&willo).await.unwrap();
    store.credential_outage_put(&beta_lever).await.unwrap();
    assert_eq!(
        store.credential_outages(Some(&acme.id)).await.unwrap(),
        vec![merged.clone(), willo.clone()]
    );
    assert_eq!(
        ours(store.credential_outages(None).await.unwrap()),
        vec![merged.clone(), willo.clone(), beta_lever.clone()]
    );

    // Ended: one credential, then every one of a connection; never another's.
    assert_eq!(
        store
            .credential_outage_end(&acme.id, Some("lever"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .credential_outage_end(&acme.id, Some("lever"))
            .await
            .unwrap(),
        0,
        "already ended"
    );
    assert_eq!(
        store.credential_outages(Some(&acme.id)).await.unwrap(),
        vec![willo.clone()]
    );
    store.credential_outage_put(&lever).await.unwrap();
    assert_eq!(
        store.credential_outage_end(&acme.id, None).await.unwrap(),
        2
    );
    assert_eq!(
        ours(store.credential_outages(None).await.unwrap()),
        vec![beta_lever.clone()]
    );

    // Only a live connection records outages.
    let missing = outage(&id("out-missing"), "lever", 5_000, "Lever said 401");
    assert!(matches!(
        store.credential_outage_put(&missing).await,
        Err(StoreError::NotFound(_))
    ));
    // Removal erases them, and the tombstone records none.
    store
        .connection_remove(&beta.id, LedgerErasure::KeepIds, 6_000)
        .await
        .unwrap();
    assert!(
        store
            .credential_outages(Some(&beta.id))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store.credential_outage_put(&beta_lever).await,
        Err(StoreError::NotFound(_))
    ));
    // Added again, the connection starts without outages and records them.
    store
        .connection_insert(
            &ConnectionRecord::new(
                beta.id.clone(),
                config("Beta"),
                ConnectionState::Active,
                7_000,
            ),
            &[],
        )
        .await
        .unwrap();
    store.credential_outage_put(&beta_lever).await.unwrap();
    assert_eq!(
        store.credential_outages(Some(&beta.id)).await.unwrap(),
        vec![beta_lever]
    );
}

/// A secret lock excludes a second one until it is finished, and the second reads
/// what the first stored: what makes OAuth refresh single-flight across replicas.
/// `store` holds the first lock, `replica` (the same store, or another handle on the
/// same database) asks for the second.
pub async fn secret_locks_exclude(store: Arc<dyn Connections>, replica: Arc<dyn Connections>) {
    let conn = ConnectionRecord::new(
        id("lock-acme"),
        config("Acme"),
        ConnectionState::Active,
        1_000,
    );
    let first_value = SecretEntry::new("ats/lever/grant", sealed("k1", b"first"));
    store
        .connection_insert(&conn, &[first_value])
        .await
        .unwrap();

    let first = store
        .secret_lock(&conn.id, "ats/lever/grant")
        .await
        .unwrap();
    let contender = {
        let (replica, id) = (replica.clone(), conn.id.clone());
        tokio::spawn(async move {
            let lock = replica.secret_lock(&id, "ats/lever/grant").await.unwrap();
            let seen = lock.current().map(|entry| entry.sealed.bytes.clone());
            lock.release().await.unwrap();
            seen
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !contender.is_finished(),
        "the second lock waits for the first"
    );
    let second_value = SecretEntry::new("ats/lever/grant", sealed("k1", b"second"));
    first.replace(second_value, 2_000).await.unwrap();
    let seen = tokio::time::timeout(Duration::from_secs(10), contender)
        .await
        .expect("the second lock is granted once the first is finished")
        .unwrap();
    assert_eq!(seen.as_deref(), Some(b"second".as_slice()));
}

/// Two callers add the same connection at the same moment, 20 times over (a fresh id
/// each round): each time one succeeds and the other is refused with
/// [`StoreError::Conflict`], never a backend error, whichever of the store's checks
/// catches the duplicate. `store` and `replica` may be one store, or two handles on
/// one database (two replicas); on a multi-threaded runtime
/// (`#[tokio::test(flavor = "multi_thread")]`) so the inserts really race.
pub async fn racing_connection_inserts(store: Arc<dyn Connections>, replica: Arc<dyn Connections>) {
    for round in 0..20 {
        let record = ConnectionRecord::new(
            id(&format!("race-{round}")),
            config("Race"),
            ConnectionState::Active,
            1_000,
        );
        let start = Arc::new(tokio::sync::Barrier::new(2));
        let tasks = [store.clone(), replica.clone()].map(|handle| {
            let (record, start) = (record.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                handle.connection_insert(&record, &[]).await
            })
        });
        let mut added = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => added += 1,
                Err(StoreError::Conflict(message)) => assert_eq!(
                    message,
                    format!("connection {} exists", record.id),
                    "round {round}"
                ),
                Err(other) => panic!("round {round}: a duplicate answered {other:?}"),
            }
        }
        assert_eq!(
            added, 1,
            "round {round}: one of the two adds the connection"
        );
        assert_eq!(
            store.connection_get(&record.id).await.unwrap(),
            Some(record),
            "round {round}"
        );
    }
}
