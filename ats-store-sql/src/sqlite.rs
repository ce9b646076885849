//! The SQLite store: the embedded default. One file, WAL mode, no server.
//!
//! The schema lives in `schema/sqlite_*.sql` inside the crate and is applied at open,
//! recorded in a `schema_version` table. Every ledger change runs in a
//! `BEGIN IMMEDIATE` transaction (load the row, apply the shared transition rules,
//! save it), so concurrent claims from several tasks or processes on the same file
//! are serialised and each lease is granted once. The statements are the shared SQL
//! store's (`crate::sql`).
//!
//! Durability, chosen on purpose: WAL with `synchronous = FULL`, so a committed
//! transaction survives a power cut or a kernel crash, not only a crashed process.
//! With `NORMAL` (WAL's usual pairing) the last commits before a power cut can be
//! rolled back; a rolled-back `record_invited` is an invite the ledger forgets, and
//! the next pass would send it again. The price is one `fsync` of the WAL per
//! commit (see BENCHMARKS.md for what it costs the engine). Put the file on a
//! volume that outlives the container: a lost file starts a young ledger, which
//! looks candidates up in Willo before first invites for a while
//! (`EngineConfig::young_ledger_window`) instead of trusting that nothing was sent.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use ats_bridge::store::StoreResult;

use crate::checkpoint::{CHECKPOINT_EVERY, Checkpointer};
use crate::sql::{Dialect, db, sql_connections, sql_store};

/// How long a writer waits for another writer's transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// SQLite's SQL.
#[derive(Debug)]
pub(crate) struct SqliteDialect;

impl Dialect for SqliteDialect {
    const NUMBERED_PLACEHOLDERS: bool = false;
    // Takes the database's write lock at once: a transaction that read first and
    // wrote later could fail to upgrade its lock when another writer got in between.
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";
    // The write transaction already excludes every other writer.
    const FOR_UPDATE: &'static str = "";
    const SKIP_LOCKED: &'static str = "";
    const LOCK_PERSON: Option<&'static str> = None;
    // One file on one machine: every writer shares the caller's clock.
    const CLOCK_MS: Option<&'static str> = None;
    // SQLite's default collation, BINARY, compares bytes.
    const BYTE_ORDER: &'static str = "";
    const POSITION: &'static str = "instr";
    const PAYLOAD_CONTAINS: &'static str = "instr(payload, ?) > 0";
    const MIGRATIONS: &'static [(i64, &'static str)] = &[
        (1, include_str!("schema/sqlite_001.sql")),
        (2, include_str!("schema/sqlite_002.sql")),
        (3, include_str!("schema/sqlite_003.sql")),
        (4, include_str!("schema/sqlite_004.sql")),
        (5, include_str!("schema/sqlite_005.sql")),
        (6, include_str!("schema/sqlite_006.sql")),
        (7, include_str!("schema/sqlite_007.sql")),
    ];
}

/// A [`Store`](ats_bridge::store::Store) in a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// For a file database: its WAL checkpoints, off the commit path.
    _checkpoints: Option<Arc<Checkpointer>>,
}

sql_store!(SqliteStore, sqlx::Sqlite, SqliteDialect);
sql_connections!(SqliteStore, sqlx::Sqlite, SqliteDialect);

impl SqliteStore {
    /// Claims use the caller's time: every writer of one file shares a machine.
    fn database_clock(&self) -> bool {
        false
    }

    /// Open (creating if needed) the database at `path` and bring its schema up to
    /// date.
    pub async fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(BUSY_TIMEOUT)
            // Checkpoints run on a task of their own (see `checkpoint`).
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(db)?;
        let checkpoints = Checkpointer::start(pool.clone(), CHECKPOINT_EVERY);
        Ok(Self {
            _checkpoints: Some(Arc::new(checkpoints)),
            ..Self::migrated(pool).await?
        })
    }

    /// A private database in memory, for quick tests; gone when the store is dropped.
    pub async fn open_in_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:").map_err(db)?;
        // Each connection to `:memory:` is its own database, so keep exactly one, forever.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(db)?;
        Self::migrated(pool).await
    }

    async fn migrated(pool: SqlitePool) -> StoreResult<Self> {
        let mut tx = pool
            .begin_with(SqliteDialect::BEGIN_WRITE)
            .await
            .map_err(db)?;
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sql_impl::migrate_in(&mut tx).await?;
        tx.commit().await.map_err(db)?;
        Ok(Self {
            pool,
            _checkpoints: None,
        })
    }
}
