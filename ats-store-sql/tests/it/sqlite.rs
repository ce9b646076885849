//! The SQLite store: the conformance suite on a file and in memory, concurrency,
//! migrations and durability.
#![cfg(feature = "sqlite")]

use std::sync::Arc;

use ats_bridge::model::{CandidateId, JobId, ParticipantKey};
use ats_bridge::store::{Inbox, Ledger, LedgerKey, NewDelivery, ReconcilerState, RowState};
use ats_store_sql::SqliteStore;
use ats_testkit::store::run_store_suite;

use crate::support::claims::{invite, lease};

/// A database made by version 1 of the schema, with data, is migrated on open and
/// its data read back through the typed methods.
#[tokio::test]
async fn a_version_1_database_is_migrated_with_its_data() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    use crate::support::schema_001::{assert_migrated, hex, old_rows};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let old = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true),
        )
        .await
        .unwrap();
    let v1 = include_str!("../../src/schema/sqlite_001.sql");
    let setup = format!(
        "CREATE TABLE schema_version (version INTEGER NOT NULL); \
         INSERT INTO schema_version (version) VALUES (1); {v1} {}",
        old_rows(|bytes| format!("X'{}'", hex(bytes)))
    );
    sqlx::raw_sql(&setup).execute(&old).await.unwrap();
    old.close().await;

    let store = SqliteStore::open(&path).await.unwrap();
    assert_migrated(&store).await;
    drop(store);
    let versions: Vec<i64> = {
        let pool = SqlitePoolOptions::new()
            .connect_with(SqliteConnectOptions::new().filename(&path))
            .await
            .unwrap();
        sqlx::query_scalar("SELECT version FROM schema_version ORDER BY version")
            .fetch_all(&pool)
            .await
            .unwrap()
    };
    assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7]);
}

#[tokio::test]
async fn sqlite_file_store_passes_the_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("ledger.db"))
        .await
        .unwrap();
    run_store_suite(&store).await;
}

#[tokio::test]
async fn sqlite_in_memory_store_passes_the_suite() {
    let store = SqliteStore::open_in_memory().await.unwrap();
    run_store_suite(&store).await;
}

#[tokio::test]
async fn sqlite_file_store_passes_the_connection_suite() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("connections.db"))
        .await
        .unwrap();
    ats_testkit::store::run_connection_suite(&store).await;
    let store = Arc::new(store);
    ats_testkit::store::secret_locks_exclude(store.clone(), store).await;
}

#[tokio::test]
async fn sqlite_in_memory_store_passes_the_connection_suite() {
    let store = SqliteStore::open_in_memory().await.unwrap();
    ats_testkit::store::run_connection_suite(&store).await;
}

/// Two stores on one file (two processes' pools) adding the same connection at once:
/// one adds it, the other is told it exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_stores_adding_one_connection_at_once_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("connections-race.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let replica = SqliteStore::open(&path).await.unwrap();
    ats_testkit::store::racing_connection_inserts(Arc::new(store), Arc::new(replica)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_workers_each_key_is_acquired_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("race.db")).await.unwrap();
    ats_testkit::store::racing_claims(Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_workers_take_one_persons_applications_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("person.db"))
        .await
        .unwrap();
    ats_testkit::store::racing_claims_of_one_person(Arc::new(store)).await;
}

/// Commits never checkpoint (that would put a disk sync in a step's path); a
/// background task does, so the log still reaches the database file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_write_ahead_log_is_checkpointed_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wal.db");
    let store = SqliteStore::open(&path).await.unwrap();
    let size = || std::fs::metadata(&path).unwrap().len();
    let before = size();
    let payload = vec![b'x'; 2_000];
    for i in 0..200 {
        store
            .inbox_insert(&NewDelivery::new("wal", &i.to_string(), &payload), 1)
            .await
            .unwrap();
    }
    // 400 kB written, all of it in the log until a checkpoint copies it over.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while size() < before + 300_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint within 5 s ({} bytes)",
            size()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn sqlite_rows_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("durable.db");
    let key = LedgerKey::new("smartrecruiters", "app-1", "interview-9");
    let participant = ParticipantKey::new("p-1");
    {
        let store = SqliteStore::open(&path).await.unwrap();
        let claim = store
            .claim_invite(
                &invite(&key, &CandidateId::new("c-1"), &JobId::new("j-1")),
                &lease("w1", 1_000, 60_000),
            )
            .await
            .unwrap();
        store
            .record_invited(&key, &participant, claim.row().fence, 2_000)
            .await
            .unwrap();
        assert!(
            store
                .inbox_insert(&NewDelivery::new("willo", "evt-1", b"{}"), 2_100)
                .await
                .unwrap()
        );
        store.cursor_set("sr:j-1", "page-3", 2_200).await.unwrap();
    }
    let store = SqliteStore::open(&path).await.unwrap();
    let row = store
        .find_by_participant(&participant)
        .await
        .unwrap()
        .expect("row after reopen");
    assert_eq!(
        (row.key, row.state, row.updated_at_ms),
        (key, RowState::Invited, 2_000)
    );
    assert_eq!((row.candidate.as_str(), row.job.as_str()), ("c-1", "j-1"));
    assert!(
        !store
            .inbox_insert(&NewDelivery::new("willo", "evt-1", b"{}"), 3_000)
            .await
            .unwrap(),
        "inbox kept"
    );
    assert_eq!(
        store.cursor_get("sr:j-1").await.unwrap().as_deref(),
        Some("page-3")
    );
}
