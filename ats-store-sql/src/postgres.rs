//! The PostgreSQL store: for several replicas sharing one database.
//!
//! The schema lives in `schema/postgres_*.sql` inside the crate and is applied at
//! connect, recorded in a `schema_version` table, under a transaction-scoped advisory
//! lock so replicas starting together apply each migration once.
//!
//! Claims are atomic across processes: every ledger change locks its row
//! (`SELECT … FOR UPDATE`) inside a transaction, applies the shared transition rules
//! and saves the result, so when two replicas claim the same row the database makes
//! the second wait, and it then sees the first one's lease. Inbox events are leased
//! by one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so concurrent
//! workers take disjoint batches without waiting for each other. The statements are
//! the shared SQL store's (`super::sql`).
//!
//! The connection URL usually carries a password: it is parsed once and never kept,
//! logged or quoted in errors.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use ats_bridge::store::{StoreError, StoreResult};

use crate::sql::{Dialect, db, sql_connections, sql_store};

/// The advisory lock held while migrating (any constant unlikely to collide with an
/// application's own locks: the ASCII bytes of `atsbrdg1`).
const MIGRATION_LOCK: i64 = 0x6174_7362_7264_6731;

/// PostgreSQL's SQL.
#[derive(Debug)]
pub(crate) struct PostgresDialect;

impl Dialect for PostgresDialect {
    const NUMBERED_PLACEHOLDERS: bool = true;
    const BEGIN_WRITE: &'static str = "BEGIN";
    const FOR_UPDATE: &'static str = " FOR UPDATE";
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    // A row a concurrent transaction inserts stays invisible until it commits, so
    // without this two applications of one person could both be claimed as fresh.
    const LOCK_PERSON: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))");
    // `clock_timestamp()`, not `now()`: the time of the claim, not of the
    // transaction's start.
    const CLOCK_MS: Option<&'static str> =
        Some("(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT");
    // The database's collation may order by language rules (`en_US`: punctuation
    // ignored at first, so `acme/zz` would sort after `acme0`).
    const BYTE_ORDER: &'static str = " COLLATE \"C\"";
    const POSITION: &'static str = "strpos";
    const PAYLOAD_CONTAINS: &'static str = "position(? IN payload) > 0";
    const MIGRATIONS: &'static [(i64, &'static str)] = &[
        (1, include_str!("schema/postgres_001.sql")),
        (2, include_str!("schema/postgres_002.sql")),
        (3, include_str!("schema/postgres_003.sql")),
        (4, include_str!("schema/postgres_004.sql")),
        (5, include_str!("schema/postgres_005.sql")),
        (6, include_str!("schema/postgres_006.sql")),
        (7, include_str!("schema/postgres_007.sql")),
    ];
}

/// How a [`PostgresStore`] connects, beyond the URL.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    schema: Option<String>,
    max_connections: u32,
    acquire_timeout: Duration,
    callers_clock: bool,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            schema: None,
            max_connections: 10,
            acquire_timeout: Duration::from_secs(30),
            callers_clock: false,
        }
    }
}

impl PostgresOptions {
    /// The defaults: the role's own `search_path`, 10 connections, 30 s to get one.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep the tables in this schema (created if missing), so several deployments or
    /// test runs can share one database. Lowercase ASCII letters, digits and `_`,
    /// starting with a letter or `_`, at most 63 bytes; checked at connect.
    pub fn schema(mut self, name: impl Into<String>) -> Self {
        self.schema = Some(name.into());
        self
    }

    /// The most connections the pool opens, at least 1 (each replica has its own
    /// pool).
    pub fn max_connections(mut self, max_connections: u32) -> Self {
        self.max_connections = max_connections.max(1);
        self
    }

    /// How long a call waits for a connection, including the first one at connect
    /// (an unreachable server fails after this long).
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Grant and compare leases at the callers' times (`Lease::now_ms`) instead of
    /// the server's clock. Off by default: replicas' clocks drift, and one running
    /// 90 s ahead would see live leases as expired and take rows that another
    /// replica is still working on. For tests that drive time themselves (the store
    /// conformance suite) and single-replica setups with a trusted clock.
    pub fn callers_clock(mut self, callers_clock: bool) -> Self {
        self.callers_clock = callers_clock;
        self
    }
}

/// A [`Store`](ats_bridge::store::Store) in a PostgreSQL database, safe to share between replicas.
///
/// ```no_run
/// use ats_store_sql::{PostgresOptions, PostgresStore};
///
/// # async fn run() -> Result<(), ats_bridge::store::StoreError> {
/// // The URL carries a password: read it from the environment or a secret store.
/// let url = std::env::var("DATABASE_URL").unwrap_or_default();
/// let store =
///     PostgresStore::connect_with(&url, &PostgresOptions::new().schema("ats_bridge")).await?;
/// # drop(store);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Claims take their time from the server (see [`PostgresOptions::callers_clock`]).
    database_clock: bool,
}

sql_store!(PostgresStore, sqlx::Postgres, PostgresDialect);
sql_connections!(PostgresStore, sqlx::Postgres, PostgresDialect);

impl PostgresStore {
    /// Connect to `url` (`postgres://user:password@host:port/database`) with the
    /// default [`PostgresOptions`] and bring the schema up to date.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, &PostgresOptions::default()).await
    }

    /// Connect to `url` with `options` and bring the schema up to date.
    pub async fn connect_with(url: &str, options: &PostgresOptions) -> StoreResult<Self> {
        let mut connect: PgConnectOptions = url.parse().map_err(|error| {
            StoreError::Backend(format!("invalid PostgreSQL URL (not shown): {error}"))
        })?;
        if let Some(schema) = &options.schema {
            check_schema_name(schema)?;
            connect = connect.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect_with(connect)
            .await
            .map_err(|error| {
                StoreError::Backend(format!("cannot connect to PostgreSQL: {error}"))
            })?;
        migrate(&pool, options.schema.as_deref()).await?;
        Ok(Self {
            pool,
            database_clock: !options.callers_clock,
        })
    }

    /// Use a pool the application already has (its `search_path` decides the schema)
    /// and bring the schema up to date. Claims take their time from the server.
    pub async fn from_pool(pool: PgPool) -> StoreResult<Self> {
        migrate(&pool, None).await?;
        Ok(Self {
            pool,
            database_clock: true,
        })
    }

    fn database_clock(&self) -> bool {
        self.database_clock
    }
}

/// Only plain names, so the schema can be used unquoted-safe in `CREATE SCHEMA` and
/// in the `search_path` startup option.
fn check_schema_name(name: &str) -> StoreResult<()> {
    let mut chars = name.chars();
    let valid = name.len() <= 63
        && !name.starts_with("pg_")
        && chars
            .next()
            .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(StoreError::Backend(format!(
            "invalid PostgreSQL schema name {name:?}: use lowercase ASCII letters, digits and \
             '_', starting with a letter or '_', at most 63 bytes, not starting with 'pg_'"
        )))
    }
}

/// Apply the migrations `schema_version` does not list yet. The advisory lock makes
/// replicas that start together take turns, so each migration runs once.
async fn migrate(pool: &PgPool, schema: Option<&str>) -> StoreResult<()> {
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if let Some(schema) = schema {
        // Look first: a schema prepared by an administrator needs no CREATE right on
        // the database, which `CREATE SCHEMA IF NOT EXISTS` would demand anyway.
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)")
                .bind(schema)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        if !exists {
            sqlx::raw_sql(&format!("CREATE SCHEMA \"{schema}\""))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
        }
    }
    // Likewise a role that may only read and write (the schema migrated by someone
    // else) connects without CREATE rights.
    let tracked: bool = sqlx::query_scalar("SELECT to_regclass('schema_version') IS NOT NULL")
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    if !tracked {
        sqlx::raw_sql("CREATE TABLE schema_version (version BIGINT NOT NULL)")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
    }
    sql_impl::migrate_in(&mut tx).await?;
    tx.commit().await.map_err(db)?;
    Ok(())
}
