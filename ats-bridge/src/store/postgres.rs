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
//! workers take disjoint batches without waiting for each other.
//!
//! The connection URL usually carries a password: it is parsed once and never kept,
//! logged or quoted in errors.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::{
    PgArguments, PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow, Postgres,
};
use sqlx::query::Query;

use super::ledger::{self, change};
use super::sql::run_detached;
use super::{
    Claim, InboxItem, LedgerKey, LedgerRow, RowState, STATUS_FAILED_LIMIT, StatusReport, Store,
    StoreError, StoreResult,
};
use crate::model::{AtsName, CandidateId, JobId, ParticipantKey};

/// Schema migrations in order; each runs once, in a transaction.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("schema/postgres_001.sql"))];

/// The advisory lock held while migrating (any constant unlikely to collide with an
/// application's own locks: the ASCII bytes of `atsbrdg1`).
const MIGRATION_LOCK: i64 = 0x6174_7362_7264_6731;

/// The ledger's primary key, which is also the first three bind parameters of
/// [`bind_row`].
const KEY_COLUMNS: &str = "ats, application, interview";

/// The other ledger columns, in the order [`bind_row`] binds them ($4 to $16).
const DATA_COLUMNS: &str = "candidate, job, state, failed_from, participant, attempts, \
    next_attempt_at_ms, last_error, lease_owner, lease_until_ms, synced_outcome, \
    created_at_ms, updated_at_ms";

const DATA_VALUES: &str = "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16";

/// How a [`PostgresStore`] connects, beyond the URL.
#[derive(Debug, Clone)]
pub struct PostgresOptions {
    schema: Option<String>,
    max_connections: u32,
    acquire_timeout: Duration,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        Self {
            schema: None,
            max_connections: 10,
            acquire_timeout: Duration::from_secs(30),
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
}

/// A [`Store`] in a PostgreSQL database, safe to share between replicas.
///
/// ```no_run
/// use ats_bridge::store::{PostgresOptions, PostgresStore};
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
}

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
        Ok(Self { pool })
    }

    /// Use a pool the application already has (its `search_path` decides the schema)
    /// and bring the schema up to date.
    pub async fn from_pool(pool: PgPool) -> StoreResult<Self> {
        migrate(&pool, None).await?;
        Ok(Self { pool })
    }

    /// Lock the row at `key`, apply `change` and save the result, in one transaction;
    /// nothing is written if it fails or leaves the row as it was.
    async fn modify<T, F>(&self, key: &LedgerKey, change: F) -> StoreResult<T>
    where
        F: FnOnce(&mut LedgerRow) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, key) = (self.pool.clone(), key.clone());
        run_detached(async move {
            let mut tx = pool.begin().await?;
            let out = change_locked(&mut tx, &key, change).await?;
            tx.commit().await?;
            Ok(out)
        })
        .await
    }

    /// Ledger rows matching `condition` (which may also order and limit), with
    /// `binds` as `$1`, `$2`, …
    async fn select_rows(&self, condition: &str, binds: &[i64]) -> StoreResult<Vec<LedgerRow>> {
        let sql = format!("SELECT {KEY_COLUMNS}, {DATA_COLUMNS} FROM ledger WHERE {condition}");
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(*value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(read_row).collect()
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
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    if let Some(schema) = schema {
        // Look first: a schema prepared by an administrator needs no CREATE right on
        // the database, which `CREATE SCHEMA IF NOT EXISTS` would demand anyway.
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)")
                .bind(schema)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            sqlx::raw_sql(&format!("CREATE SCHEMA \"{schema}\""))
                .execute(&mut *tx)
                .await?;
        }
    }
    // Likewise a role that may only read and write (the schema migrated by someone
    // else) connects without CREATE rights.
    let tracked: bool = sqlx::query_scalar("SELECT to_regclass('schema_version') IS NOT NULL")
        .fetch_one(&mut *tx)
        .await?;
    if !tracked {
        sqlx::raw_sql("CREATE TABLE schema_version (version BIGINT NOT NULL)")
            .execute(&mut *tx)
            .await?;
    }
    let current: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_version")
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    for (version, sql) in MIGRATIONS {
        if current.is_some_and(|current| current >= *version) {
            continue;
        }
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_version (version) VALUES ($1)")
            .bind(version)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn limit_value(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn parse_state(text: &str) -> StoreResult<RowState> {
    RowState::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown ledger state {text:?}")))
}

fn read_row(row: &PgRow) -> StoreResult<LedgerRow> {
    let attempts: i64 = row.try_get("attempts")?;
    let failed_from: Option<String> = row.try_get("failed_from")?;
    Ok(LedgerRow {
        key: LedgerKey::new(
            row.try_get::<String, _>("ats")?,
            row.try_get::<String, _>("application")?,
            row.try_get::<String, _>("interview")?,
        ),
        candidate: CandidateId::new(row.try_get::<String, _>("candidate")?),
        job: JobId::new(row.try_get::<String, _>("job")?),
        state: parse_state(row.try_get("state")?)?,
        failed_from: failed_from.as_deref().map(parse_state).transpose()?,
        participant: row
            .try_get::<Option<String>, _>("participant")?
            .map(ParticipantKey::new),
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at_ms: row.try_get("next_attempt_at_ms")?,
        last_error: row.try_get("last_error")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until_ms: row.try_get("lease_until_ms")?,
        synced_outcome: row.try_get("synced_outcome")?,
        created_at_ms: row.try_get("created_at_ms")?,
        updated_at_ms: row.try_get("updated_at_ms")?,
    })
}

/// Bind every column of `row`: the key as `$1`–`$3`, then [`DATA_COLUMNS`].
fn bind_row<'q>(
    query: Query<'q, Postgres, PgArguments>,
    row: &'q LedgerRow,
) -> Query<'q, Postgres, PgArguments> {
    query
        .bind(row.key.ats.as_str())
        .bind(row.key.application.as_str())
        .bind(row.key.interview.as_str())
        .bind(row.candidate.as_str())
        .bind(row.job.as_str())
        .bind(row.state.as_str())
        .bind(row.failed_from.map(RowState::as_str))
        .bind(row.participant.as_ref().map(|p| p.as_str()))
        .bind(i64::from(row.attempts))
        .bind(row.next_attempt_at_ms)
        .bind(row.last_error.as_deref())
        .bind(row.lease_owner.as_deref())
        .bind(row.lease_until_ms)
        .bind(row.synced_outcome.as_deref())
        .bind(row.created_at_ms)
        .bind(row.updated_at_ms)
}

/// Lock the row at `key` (`FOR UPDATE`), apply `change`, and save the row if it
/// changed. The caller owns the transaction.
async fn change_locked<T>(
    conn: &mut PgConnection,
    key: &LedgerKey,
    change: impl FnOnce(&mut LedgerRow) -> StoreResult<T>,
) -> StoreResult<T> {
    let sql = format!(
        "SELECT {KEY_COLUMNS}, {DATA_COLUMNS} FROM ledger \
         WHERE ats = $1 AND application = $2 AND interview = $3 FOR UPDATE"
    );
    let original = sqlx::query(&sql)
        .bind(key.ats.as_str())
        .bind(key.application.as_str())
        .bind(key.interview.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .as_ref()
        .map(read_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("ledger row {key}")))?;
    let mut row = original.clone();
    let out = change(&mut row)?;
    if row != original {
        update_row(conn, &row).await?;
    }
    Ok(out)
}

/// Serialise invite claims per (ATS, candidate, interview) until the transaction
/// ends: a row a concurrent transaction inserts stays invisible until it commits, so
/// without this two applications of one person could both be claimed as fresh.
async fn lock_person_interview(
    conn: &mut PgConnection,
    key: &LedgerKey,
    candidate: &CandidateId,
) -> StoreResult<()> {
    // The unit separator keeps ("a", "b:c") and ("a:b", "c") apart.
    let person = format!("{}\u{1f}{}\u{1f}{}", key.ats, candidate, key.interview);
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(person)
        .execute(conn)
        .await?;
    Ok(())
}

/// Insert `fresh` unless its key exists; whether it was inserted.
async fn insert_if_absent(conn: &mut PgConnection, fresh: &LedgerRow) -> StoreResult<bool> {
    let sql = format!(
        "INSERT INTO ledger ({KEY_COLUMNS}, {DATA_COLUMNS}) \
         VALUES ($1, $2, $3, {DATA_VALUES}) ON CONFLICT ({KEY_COLUMNS}) DO NOTHING"
    );
    let inserted = bind_row(sqlx::query(&sql), fresh).execute(conn).await?;
    Ok(inserted.rows_affected() == 1)
}

/// The rows of `candidate` for `key`'s interview under other applications.
async fn load_siblings(
    conn: &mut PgConnection,
    key: &LedgerKey,
    candidate: &CandidateId,
) -> StoreResult<Vec<LedgerRow>> {
    let sql = format!(
        "SELECT {KEY_COLUMNS}, {DATA_COLUMNS} FROM ledger \
         WHERE ats = $1 AND candidate = $2 AND interview = $3 AND application <> $4"
    );
    let rows = sqlx::query(&sql)
        .bind(key.ats.as_str())
        .bind(candidate.as_str())
        .bind(key.interview.as_str())
        .bind(key.application.as_str())
        .fetch_all(conn)
        .await?;
    rows.iter().map(read_row).collect()
}

async fn update_row(conn: &mut PgConnection, row: &LedgerRow) -> StoreResult<()> {
    let sql = format!(
        "UPDATE ledger SET ({DATA_COLUMNS}) = ({DATA_VALUES}) \
         WHERE ats = $1 AND application = $2 AND interview = $3"
    );
    bind_row(sqlx::query(&sql), row).execute(conn).await?;
    Ok(())
}

fn read_inbox_item(row: &PgRow) -> StoreResult<InboxItem> {
    let attempts: i64 = row.try_get("attempts")?;
    Ok(InboxItem {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        dedupe_key: row.try_get("dedupe_key")?,
        payload: row.try_get("payload")?,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    })
}

fn inbox_found(rows_affected: u64, id: i64) -> StoreResult<()> {
    if rows_affected == 0 {
        return Err(StoreError::NotFound(format!("inbox item {id}")));
    }
    Ok(())
}

#[async_trait]
impl Store for PostgresStore {
    async fn claim_invite(
        &self,
        key: &LedgerKey,
        candidate: &CandidateId,
        job: &JobId,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<Claim> {
        let fresh = ledger::new_row(key, candidate, job, now_ms);
        let (pool, key, candidate, worker) = (
            self.pool.clone(),
            key.clone(),
            candidate.clone(),
            worker.to_owned(),
        );
        run_detached(async move {
            let mut tx = pool.begin().await?;
            lock_person_interview(&mut tx, &key, &candidate).await?;
            let created = insert_if_absent(&mut tx, &fresh).await?;
            let siblings = load_siblings(&mut tx, &key, &candidate).await?;
            let claim = change_locked(&mut tx, &key, |row| {
                let decision =
                    ledger::claim_invite(row, created, &siblings, &worker, now_ms, lease_ms);
                Ok(decision.into_claim(row.clone()))
            })
            .await?;
            tx.commit().await?;
            Ok(claim)
        })
        .await
    }

    async fn record_invited(
        &self,
        key: &LedgerKey,
        participant: &ParticipantKey,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.modify(key, change::record_invited(participant, now_ms))
            .await
    }

    async fn row(&self, key: &LedgerKey) -> StoreResult<Option<LedgerRow>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS}, {DATA_COLUMNS} FROM ledger \
             WHERE ats = $1 AND application = $2 AND interview = $3"
        );
        let row = sqlx::query(&sql)
            .bind(key.ats.as_str())
            .bind(key.application.as_str())
            .bind(key.interview.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(read_row).transpose()
    }

    async fn rows_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Vec<LedgerRow>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS}, {DATA_COLUMNS} FROM ledger WHERE participant = $1 \
             ORDER BY created_at_ms, {KEY_COLUMNS}"
        );
        let rows = sqlx::query(&sql)
            .bind(participant.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(read_row).collect()
    }

    async fn find_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Option<LedgerRow>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS}, {DATA_COLUMNS} FROM ledger WHERE participant = $1 LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(participant.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(read_row).transpose()
    }

    async fn mark_responded(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()> {
        self.modify(key, change::mark_responded(now_ms)).await
    }

    async fn claim_sync(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<Claim> {
        self.modify(
            key,
            change::claim_sync(outcome_tag, worker, now_ms, lease_ms),
        )
        .await
    }

    async fn record_synced(
        &self,
        key: &LedgerKey,
        outcome_tag: &str,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.modify(key, change::record_synced(outcome_tag, now_ms))
            .await
    }

    async fn record_retry(
        &self,
        key: &LedgerKey,
        error: &str,
        next_attempt_at_ms: i64,
        now_ms: i64,
    ) -> StoreResult<()> {
        self.modify(key, change::record_retry(error, next_attempt_at_ms, now_ms))
            .await
    }

    async fn record_failed(&self, key: &LedgerKey, error: &str, now_ms: i64) -> StoreResult<()> {
        self.modify(key, change::record_failed(error, now_ms)).await
    }

    async fn redrive(&self, key: &LedgerKey, now_ms: i64) -> StoreResult<()> {
        self.modify(key, change::redrive(now_ms)).await
    }

    async fn cancel_candidate(
        &self,
        ats: &AtsName,
        candidate: &CandidateId,
        now_ms: i64,
    ) -> StoreResult<u64> {
        let (pool, ats, candidate) = (self.pool.clone(), ats.clone(), candidate.clone());
        run_detached(async move {
            let mut tx = pool.begin().await?;
            // Rows are locked in key order, so concurrent cancellations cannot deadlock.
            let sql = format!(
                "SELECT {KEY_COLUMNS}, {DATA_COLUMNS} FROM ledger WHERE ats = $1 AND candidate = $2 \
                 ORDER BY {KEY_COLUMNS} FOR UPDATE"
            );
            let rows = sqlx::query(&sql)
                .bind(ats.as_str())
                .bind(candidate.as_str())
                .fetch_all(&mut *tx)
                .await?;
            let rows = rows.iter().map(read_row).collect::<StoreResult<Vec<_>>>()?;
            for participant in ledger::participants(&rows) {
                // A scan of the inbox, which the retention keeps short; deletions are rare.
                sqlx::query(
                    "DELETE FROM inbox WHERE position($1 IN payload) > 0 \
                       AND (lease_until_ms IS NULL OR lease_until_ms <= $2) \
                       AND NOT EXISTS (SELECT 1 FROM ledger WHERE participant = $3 \
                         AND NOT (ats = $4 AND candidate = $5))",
                )
                .bind(participant.as_str().as_bytes())
                .bind(now_ms)
                .bind(participant.as_str())
                .bind(ats.as_str())
                .bind(candidate.as_str())
                .execute(&mut *tx)
                .await?;
            }
            let mut changed = 0;
            for mut row in rows {
                if ledger::cancel(&mut row, now_ms) {
                    update_row(&mut tx, &row).await?;
                    changed += 1;
                }
            }
            tx.commit().await?;
            Ok(changed)
        })
        .await
    }

    async fn rows_due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<LedgerRow>> {
        // The same rule as `ledger::is_due`, as SQL so the database does the filtering.
        // A plain read: the claim that follows is what is atomic.
        self.select_rows(
            "(lease_until_ms IS NULL OR lease_until_ms <= $1) AND ( \
               (state IN ('pending', 'responded') \
                 AND (next_attempt_at_ms IS NULL OR next_attempt_at_ms <= $1)) \
               OR (state IN ('invited', 'synced') AND next_attempt_at_ms <= $1)) \
             ORDER BY next_attempt_at_ms NULLS FIRST, updated_at_ms, ats, application, interview \
             LIMIT $2",
            &[now_ms, limit_value(limit)],
        )
        .await
    }

    async fn stale_invites(
        &self,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        self.select_rows(
            "state = 'invited' AND next_attempt_at_ms IS NULL AND updated_at_ms < $1 \
             ORDER BY updated_at_ms, ats, application, interview LIMIT $2",
            &[invited_before_ms, limit_value(limit)],
        )
        .await
    }

    async fn inbox_insert(
        &self,
        source: &str,
        dedupe_key: &str,
        payload: &[u8],
        now_ms: i64,
    ) -> StoreResult<bool> {
        let result = sqlx::query(
            "INSERT INTO inbox (source, dedupe_key, payload, received_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (source, dedupe_key) DO NOTHING",
        )
        .bind(source)
        .bind(dedupe_key)
        .bind(payload)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected() == 1)
    }

    async fn inbox_claim(
        &self,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<InboxItem>> {
        // Rows another worker is leasing right now are skipped, not waited for; rows it
        // has just leased fail the re-check of the lease condition.
        let rows = sqlx::query(
            "UPDATE inbox SET lease_owner = $1, lease_until_ms = $2 WHERE id IN ( \
               SELECT id FROM inbox WHERE processed_at_ms IS NULL \
                 AND (next_attempt_at_ms IS NULL OR next_attempt_at_ms <= $3) \
                 AND (lease_until_ms IS NULL OR lease_until_ms <= $3) \
               ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING id, source, dedupe_key, payload, attempts",
        )
        .bind(worker)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(now_ms)
        .bind(limit_value(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut items = rows
            .iter()
            .map(read_inbox_item)
            .collect::<StoreResult<Vec<_>>>()?;
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    async fn inbox_done(&self, id: i64, now_ms: i64) -> StoreResult<()> {
        let result = sqlx::query(
            "UPDATE inbox SET processed_at_ms = $1, lease_owner = NULL, lease_until_ms = NULL \
             WHERE id = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        inbox_found(result.rows_affected(), id)
    }

    async fn inbox_retry(&self, id: i64, error: &str, next_attempt_at_ms: i64) -> StoreResult<()> {
        let result = sqlx::query(
            "UPDATE inbox SET attempts = attempts + 1, last_error = $1, next_attempt_at_ms = $2, \
             lease_owner = NULL, lease_until_ms = NULL WHERE id = $3",
        )
        .bind(error)
        .bind(next_attempt_at_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        inbox_found(result.rows_affected(), id)
    }

    async fn inbox_prune(&self, processed_before_ms: i64) -> StoreResult<u64> {
        let result = sqlx::query(
            "DELETE FROM inbox WHERE processed_at_ms IS NOT NULL AND processed_at_ms < $1",
        )
        .bind(processed_before_ms)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }

    async fn cursor_get(&self, name: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM cursors WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get("value")).transpose()?)
    }

    async fn cursor_set(&self, name: &str, value: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO cursors (name, value, updated_at_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value, \
             updated_at_ms = excluded.updated_at_ms",
        )
        .bind(name)
        .bind(value)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn status(&self) -> StoreResult<StatusReport> {
        let counts = sqlx::query(
            "SELECT ats, job, state, COUNT(*) AS n FROM ledger GROUP BY ats, job, state",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut report = StatusReport::default();
        for row in &counts {
            let state = parse_state(row.try_get("state")?)?;
            let n = u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
            *report.by_state.entry(state).or_default() += n;
            let job = (
                AtsName::new(row.try_get::<String, _>("ats")?),
                JobId::new(row.try_get::<String, _>("job")?),
            );
            *report
                .by_job
                .entry(job)
                .or_insert_with(BTreeMap::new)
                .entry(state)
                .or_default() += n;
        }
        report.failed = self
            .select_rows(
                "state = 'failed' \
                 ORDER BY updated_at_ms DESC, ats, application, interview LIMIT $1",
                &[limit_value(STATUS_FAILED_LIMIT)],
            )
            .await?;
        Ok(report)
    }
}
