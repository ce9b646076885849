//! The store conformance suite and cross-replica claim races against PostgreSQL.
//!
//! Needs a server: set `TEST_DATABASE_URL=postgres://user:password@127.0.0.1:5432/db`
//! to a role that may create schemas (`.ci/run` sets one up from Debian's packages).
//! Each test works in a fresh schema of its own and drops it at the end, so tests run
//! in parallel and repeatedly (a failing test leaves its `ats_test_*` schema behind
//! for inspection). Without the variable, or when the server is
//! unreachable, each test prints why it skipped and passes, unless `CI` is set (to
//! anything but empty or `false`): then it fails, so CI never skips PostgreSQL.
#![cfg(feature = "postgres")]

use crate::support;
use crate::support::claims::{invite, lease};

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ats_bridge::model::{CandidateId, JobId, ParticipantKey};
use ats_bridge::store::{
    Claim, Inbox, Ledger, LedgerKey, NewDelivery, ReconcilerState, StoreError,
};
use ats_store_sql::{PostgresOptions, PostgresStore};
use ats_testkit::store::run_store_suite;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use support::postgres::TestSchema;

const NOW: i64 = 1_000_000;
const LEASE: i64 = 60_000;
/// Tasks racing in each concurrency test, spread over two stores (two pools).
const RACERS: usize = 8;
const RACE_ROWS: usize = 200;

#[tokio::test]
async fn postgres_store_passes_the_suite() {
    let Some(schema) = TestSchema::create("postgres_store_passes_the_suite").await else {
        return;
    };
    run_store_suite(&schema.store().await).await;
    schema.drop().await;
}

#[tokio::test]
async fn postgres_store_passes_the_connection_suite() {
    let Some(schema) = TestSchema::create("postgres_store_passes_the_connection_suite").await
    else {
        return;
    };
    ats_testkit::store::run_connection_suite(&schema.store().await).await;
    schema.drop().await;
}

/// Two replicas (two pools) adding the same connection at once: one adds it, the
/// other is told it exists (the unique key's violation, SQLSTATE 23505, is a
/// conflict, not a backend error).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_adding_one_connection_at_once_conflict() {
    let Some(schema) = TestSchema::create("replicas_adding_one_connection_at_once").await else {
        return;
    };
    let [a, b] = two_replicas(&schema).await;
    ats_testkit::store::racing_connection_inserts(a, b).await;
    schema.drop().await;
}

/// Two replicas (two pools): a secret's lock in one makes the other wait, and the
/// other then reads what the first stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_lock_a_connection_secret_one_at_a_time() {
    let Some(schema) = TestSchema::create("replicas_lock_a_connection_secret").await else {
        return;
    };
    let (a, b) = tokio::join!(schema.store(), schema.store());
    // The lock is held in `a`'s pool; the contender runs in `b`'s.
    ats_testkit::store::secret_locks_exclude(Arc::new(a), Arc::new(b)).await;
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_racing_claims_acquire_each_row_exactly_once() {
    let Some(schema) =
        TestSchema::create("replicas_racing_claims_acquire_each_row_exactly_once").await
    else {
        return;
    };
    let stores = two_replicas(&schema).await;
    let keys: Vec<LedgerKey> = (0..RACE_ROWS)
        .map(|i| LedgerKey::new("lever", format!("app-{i}"), "interview-1"))
        .collect();

    let invites = race(&stores, &keys, |store, worker, key| async move {
        let claim = store
            .claim_invite(
                &invite(
                    &key,
                    &CandidateId::new(format!("c-{}", key.application)),
                    &JobId::new("j"),
                ),
                &lease(&worker, NOW, LEASE),
            )
            .await
            .unwrap();
        acquired_by(&claim, &worker)
    })
    .await;
    assert_each_key_once(invites, &keys);

    for (i, key) in keys.iter().enumerate() {
        let participant = ParticipantKey::new(format!("p-{i}"));
        let fence = stores[0].row(key).await.unwrap().unwrap().fence;
        stores[0]
            .record_invited(key, &participant, fence, NOW + 1)
            .await
            .unwrap();
    }
    let syncs = race(&stores, &keys, |store, worker, key| async move {
        let claim = store
            .claim_sync(&key, "completed", &lease(&worker, NOW + 2, LEASE))
            .await
            .unwrap();
        acquired_by(&claim, &worker)
    })
    .await;
    assert_each_key_once(syncs, &keys);
    schema.drop().await;
}

/// One person's many applications to one interview, claimed by racing replicas:
/// one invite at a time per person, even though each claim inserts its own row (the
/// rows of concurrent transactions are invisible to each other until they commit).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_racing_on_one_persons_applications_take_one_at_a_time() {
    let Some(schema) =
        TestSchema::create("replicas_racing_on_one_persons_applications_take_one").await
    else {
        return;
    };
    let stores = two_replicas(&schema).await;
    let keys: Vec<LedgerKey> = (0..20)
        .map(|i| LedgerKey::new("lever", format!("app-{i}"), "interview-1"))
        .collect();
    let won = race(&stores, &keys, |store, worker, key| async move {
        let claim = store
            .claim_invite(
                &invite(
                    &key,
                    &CandidateId::new("one-person"),
                    &JobId::new(format!("job-{}", key.application)),
                ),
                &lease(&worker, NOW, LEASE),
            )
            .await
            .unwrap();
        acquired_by(&claim, &worker)
    })
    .await;
    assert_eq!(won.len(), 1, "one application in flight: {won:?}");
    let status = stores[0].status().await.unwrap();
    assert_eq!(
        status.by_state.values().sum::<u64>(),
        20,
        "every application has its row, waiting its turn"
    );
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_racing_inbox_claims_take_each_event_exactly_once() {
    let Some(schema) =
        TestSchema::create("replicas_racing_inbox_claims_take_each_event_exactly_once").await
    else {
        return;
    };
    let stores = two_replicas(&schema).await;
    for i in 0..RACE_ROWS {
        let inserted = stores[i % 2]
            .inbox_insert(&NewDelivery::new("lever", &format!("evt-{i}"), b"{}"), NOW)
            .await
            .unwrap();
        assert!(inserted);
    }
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let store = Arc::clone(&stores[racer % 2]);
            tokio::spawn(async move {
                let mut ids = Vec::new();
                loop {
                    let batch = store
                        .inbox_claim(&lease(&format!("w{racer}"), NOW, LEASE), 7)
                        .await
                        .unwrap();
                    if batch.is_empty() {
                        return ids;
                    }
                    ids.extend(batch.into_iter().map(|item| item.id));
                }
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.extend(task.await.unwrap());
    }
    let claimed = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        (claimed, ids.len()),
        (RACE_ROWS, RACE_ROWS),
        "every event leased once"
    );
    assert!(
        stores[1]
            .inbox_claim(&lease("late", NOW + 1, LEASE), 10)
            .await
            .unwrap()
            .is_empty()
    );
    schema.drop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_starting_together_migrate_once_and_keep_data() {
    let Some(schema) =
        TestSchema::create("replicas_starting_together_migrate_once_and_keep_data").await
    else {
        return;
    };
    let (a, b, c, d) = tokio::join!(
        schema.store(),
        schema.store(),
        schema.store(),
        schema.store()
    );
    assert_eq!(schema.schema_versions().await, vec![1, 2, 3, 4, 5, 6, 7]);
    a.cursor_set("lever:stage-1", "offset-7", NOW)
        .await
        .unwrap();
    drop((a, b, c, d));

    let reopened = schema.store().await;
    assert_eq!(
        schema.schema_versions().await,
        vec![1, 2, 3, 4, 5, 6, 7],
        "reconnects migrate nothing"
    );
    assert_eq!(
        reopened
            .cursor_get("lever:stage-1")
            .await
            .unwrap()
            .as_deref(),
        Some("offset-7")
    );
    schema.drop().await;
}

/// A schema made by version 1, with data, is migrated on connect and its data read
/// back through the typed methods.
#[tokio::test]
async fn a_version_1_schema_is_migrated_with_its_data() {
    use support::schema_001::{assert_migrated, hex, old_rows};

    let Some(schema) = TestSchema::create("a_version_1_schema_is_migrated_with_its_data").await
    else {
        return;
    };
    let v1 = include_str!("../../src/schema/postgres_001.sql");
    let setup = format!(
        "CREATE SCHEMA \"{name}\"; SET search_path TO \"{name}\"; \
         CREATE TABLE schema_version (version BIGINT NOT NULL); \
         INSERT INTO schema_version (version) VALUES (1); {v1} {rows}",
        name = schema.name,
        rows = old_rows(|bytes| format!("'\\x{}'::bytea", hex(bytes))),
    );
    let mut admin = schema.admin.acquire().await.unwrap();
    sqlx::raw_sql(&setup).execute(&mut *admin).await.unwrap();
    sqlx::raw_sql("RESET search_path")
        .execute(&mut *admin)
        .await
        .unwrap();
    drop(admin);

    let store = schema.store().await;
    assert_migrated(&store).await;
    assert_eq!(schema.schema_versions().await, vec![1, 2, 3, 4, 5, 6, 7]);
    schema.drop().await;
}

#[tokio::test]
async fn from_pool_uses_the_pool_search_path_and_hides_the_url() {
    let Some(schema) =
        TestSchema::create("from_pool_uses_the_pool_search_path_and_hides_the_url").await
    else {
        return;
    };
    sqlx::raw_sql(&format!("CREATE SCHEMA \"{}\"", schema.name))
        .execute(&schema.admin)
        .await
        .unwrap();
    let options: PgConnectOptions = schema.url.parse().unwrap();
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(options.options([("search_path", &schema.name)]))
        .await
        .unwrap();
    let store = PostgresStore::from_pool(pool).await.unwrap();
    assert_eq!(schema.schema_versions().await, vec![1, 2, 3, 4, 5, 6, 7]);
    assert!(
        store
            .inbox_insert(&NewDelivery::new("willo", "evt-1", b"{}"), NOW)
            .await
            .unwrap()
    );
    let in_schema: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{}\".inbox", schema.name))
            .fetch_one(&schema.admin)
            .await
            .unwrap();
    assert_eq!(in_schema, 1);

    let debug = format!("{store:?}");
    if let Some(password) = url_password(&schema.url) {
        assert!(!debug.contains(password), "Debug shows the password");
    }
    assert!(!debug.contains(&schema.url));
    schema.drop().await;
}

/// Leases are granted and compared at the server's time: a replica whose clock runs
/// 90 s ahead sees another replica's live lease as live, not expired, and cannot take
/// the row it is working on.
#[tokio::test]
async fn a_replica_whose_clock_runs_ahead_cannot_take_a_live_lease() {
    let Some(schema) = TestSchema::create("a_replica_whose_clock_runs_ahead").await else {
        return;
    };
    let options = schema.options().callers_clock(false);
    let store = PostgresStore::connect_with(&schema.url, &options)
        .await
        .unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let key = LedgerKey::new("lever", "skew-1", "interview-1");
    let claim = invite(&key, &CandidateId::new("c-skew"), &JobId::new("j"));
    let first = store
        .claim_invite(&claim, &lease("on-time", now, 60_000))
        .await
        .unwrap();
    assert!(first.is_acquired(), "{first:?}");
    let until = first.row().lease_until_ms.unwrap();
    assert!(
        (until - (now + 60_000)).abs() < 5_000,
        "the server's time: {until}"
    );

    let ahead = store
        .claim_invite(&claim, &lease("ahead", now + 90_000, 60_000))
        .await
        .unwrap();
    assert!(matches!(ahead, Claim::Busy(_)), "{ahead:?}");
    let row = store.row(&key).await.unwrap().unwrap();
    assert_eq!(row.lease_owner.as_deref(), Some("on-time"));
    store
        .record_invited(
            &key,
            &ParticipantKey::new("p-skew"),
            first.row().fence,
            now + 1,
        )
        .await
        .unwrap();
}

/// Inbox claims, like ledger claims, take their time from the server: a replica whose
/// clock runs 90 s ahead cannot take a delivery another replica leased a moment ago
/// (it would handle it a second time while the first still works on it).
#[tokio::test]
async fn a_replica_whose_clock_runs_ahead_cannot_take_a_leased_inbox_item() {
    let Some(schema) = TestSchema::create("a_replica_whose_clock_runs_ahead_inbox").await else {
        return;
    };
    let options = schema.options().callers_clock(false);
    let store = PostgresStore::connect_with(&schema.url, &options)
        .await
        .unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    let stored = store
        .inbox_insert(&NewDelivery::new("lever", "evt-skew", b"{}"), now)
        .await
        .unwrap();
    assert!(stored);
    let first = store
        .inbox_claim(&lease("on-time", now, 60_000), 10)
        .await
        .unwrap();
    assert_eq!(first.len(), 1, "the on-time replica takes the delivery");

    let ahead = store
        .inbox_claim(&lease("ahead", now + 90_000, 60_000), 10)
        .await
        .unwrap();
    assert!(ahead.is_empty(), "a clock 90 s ahead stole {ahead:?}");
    store
        .inbox_done(first[0].id, first[0].fence, now + 1)
        .await
        .unwrap();
    schema.drop().await;
}

/// A caller whose clock runs behind the server's still takes a delivery whose lease
/// expired on the server's clock (a crashed replica's delivery is not stuck until
/// the slow clock catches up).
#[tokio::test]
async fn a_replica_whose_clock_runs_behind_takes_an_expired_inbox_lease() {
    let Some(schema) = TestSchema::create("a_replica_whose_clock_runs_behind_inbox").await else {
        return;
    };
    let options = schema.options().callers_clock(false);
    let store = PostgresStore::connect_with(&schema.url, &options)
        .await
        .unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    store
        .inbox_insert(&NewDelivery::new("lever", "evt-behind", b"{}"), now)
        .await
        .unwrap();
    // A lease of 1 ms on the server's clock: expired by the next statement.
    let crashed = store
        .inbox_claim(&lease("crashed", now, 1), 10)
        .await
        .unwrap();
    assert_eq!(crashed.len(), 1);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let behind = store
        .inbox_claim(&lease("behind", now - 90_000, 60_000), 10)
        .await
        .unwrap();
    assert_eq!(behind.len(), 1, "the expired lease is taken over");
    assert!(behind[0].fence > crashed[0].fence);
    schema.drop().await;
}

#[tokio::test]
async fn connection_errors_never_show_the_password() {
    let unreachable = "postgres://bridge:hunter2-secret@127.0.0.1:1/bridge";
    let options = PostgresOptions::new().acquire_timeout(Duration::from_millis(200));
    let error = PostgresStore::connect_with(unreachable, &options)
        .await
        .expect_err("nothing listens on port 1");
    let message = error.to_string();
    assert!(
        message.starts_with("store backend error: cannot connect to PostgreSQL"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!format!("{error:?}").contains("hunter2"));

    let malformed = "postgres://bridge:hunter2-secret@127.0.0.1:not-a-port/bridge";
    let error = PostgresStore::connect(malformed).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("invalid PostgreSQL URL"), "{message}");
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn unsafe_schema_names_are_rejected_before_connecting() {
    // Nothing listens on port 1: the name check must answer first.
    let url = "postgres://bridge:pw@127.0.0.1:1/bridge";
    for name in [
        "",
        "Upper",
        "1st",
        "pg_catalog",
        "a\"; DROP TABLE x; --",
        "a-b",
    ] {
        let options = PostgresOptions::new().schema(name);
        let error = PostgresStore::connect_with(url, &options)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::Backend(message) if message.contains("invalid PostgreSQL schema name")),
            "{name:?}: {error}"
        );
    }
    let too_long = "a".repeat(64);
    let error = PostgresStore::connect_with(url, &PostgresOptions::new().schema(too_long))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("invalid PostgreSQL schema name"));
}

/// The password in a `postgres://user:password@host/…` URL, if it has one.
fn url_password(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let (userinfo, _) = rest.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    Some(password).filter(|password| !password.is_empty())
}

/// Two stores on the schema, each with its own pool, as two replicas would have.
async fn two_replicas(schema: &TestSchema) -> [Arc<PostgresStore>; 2] {
    [
        Arc::new(schema.store().await),
        Arc::new(schema.store().await),
    ]
}

fn acquired_by(claim: &Claim, worker: &str) -> bool {
    if claim.is_acquired() {
        assert_eq!(claim.row().lease_owner.as_deref(), Some(worker));
        return true;
    }
    false
}

/// [`RACERS`] tasks, alternating between the two stores, each trying `claim` on every
/// key in its own order; returns the keys each task won.
async fn race<F, Fut>(
    stores: &[Arc<PostgresStore>; 2],
    keys: &[LedgerKey],
    claim: F,
) -> Vec<LedgerKey>
where
    F: Fn(Arc<PostgresStore>, String, LedgerKey) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    let tasks: Vec<_> = (0..RACERS)
        .map(|racer| {
            let store = Arc::clone(&stores[racer % 2]);
            let claim = claim.clone();
            let mut keys = keys.to_vec();
            // Different orders, so racers collide on different keys at different times.
            let shift = racer * 13 % keys.len();
            keys.rotate_left(shift);
            if racer % 4 >= 2 {
                keys.reverse();
            }
            tokio::spawn(async move {
                let worker = format!("w{racer}");
                let mut won = Vec::new();
                for key in keys {
                    if claim(Arc::clone(&store), worker.clone(), key.clone()).await {
                        won.push(key);
                    }
                }
                won
            })
        })
        .collect();
    let mut won = Vec::new();
    for task in tasks {
        won.extend(task.await.unwrap());
    }
    won
}

fn assert_each_key_once(mut won: Vec<LedgerKey>, keys: &[LedgerKey]) {
    assert_eq!(won.len(), keys.len(), "acquisitions across all racers");
    won.sort();
    let mut expected = keys.to_vec();
    expected.sort();
    assert_eq!(won, expected, "each key acquired exactly once");
}
