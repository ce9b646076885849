//! The SQLite store: the embedded default. One file, WAL mode, no server.
//!
//! The schema lives in `schema/sqlite_*.sql` inside the crate and is applied at open,
//! recorded in a `schema_version` table. Every ledger change runs in a
//! `BEGIN IMMEDIATE` transaction (load the row, apply the shared transition rules,
//! save it), so concurrent claims from several tasks or processes on the same file
//! are serialised and each lease is granted once.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};

use super::checkpoint::{CHECKPOINT_EVERY, Checkpointer};
use super::ledger::{self, change};
use super::sql::run_detached;
use super::{
    Claim, InboxItem, LedgerKey, LedgerRow, RowState, STATUS_FAILED_LIMIT, StatusReport, Store,
    StoreError, StoreResult,
};
use crate::model::{AtsName, CandidateId, JobId, ParticipantKey};

/// Schema migrations in order; each runs once, in a transaction.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("schema/sqlite_001.sql"))];

const COLUMNS: &str = "ats, application, interview, candidate, job, state, failed_from, \
    participant, attempts, next_attempt_at_ms, last_error, lease_owner, lease_until_ms, \
    synced_outcome, created_at_ms, updated_at_ms";

/// How long a writer waits for another writer's transaction before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A [`Store`] in a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// For a file database: its WAL checkpoints, off the commit path.
    _checkpoints: Option<Arc<Checkpointer>>,
}

impl SqliteStore {
    /// Open (creating if needed) the database at `path` and bring its schema up to
    /// date.
    pub async fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            // Checkpoints run on a task of their own (see `checkpoint`).
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let checkpoints = Checkpointer::start(pool.clone(), CHECKPOINT_EVERY);
        Ok(Self {
            _checkpoints: Some(Arc::new(checkpoints)),
            ..Self::migrated(pool).await?
        })
    }

    /// A private database in memory, for quick tests; gone when the store is dropped.
    pub async fn open_in_memory() -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?;
        // Each connection to `:memory:` is its own database, so keep exactly one, forever.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        Self::migrated(pool).await
    }

    async fn migrated(pool: SqlitePool) -> StoreResult<Self> {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .execute(&mut *tx)
            .await?;
        let current: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_version")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        for (version, sql) in MIGRATIONS {
            if current.is_some_and(|current| current >= *version) {
                continue;
            }
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_version (version) VALUES (?)")
                .bind(version)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Self {
            pool,
            _checkpoints: None,
        })
    }

    /// Apply `change` to the row at `key` inside a write transaction; nothing is
    /// written if it fails or leaves the row as it was.
    async fn modify<T, F>(&self, key: &LedgerKey, change: F) -> StoreResult<T>
    where
        F: FnOnce(&mut LedgerRow) -> StoreResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let key = key.clone();
        run_detached({
            let pool = self.pool.clone();
            async move {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let original = load_row(&mut tx, &key)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("ledger row {key}")))?;
                let mut row = original.clone();
                let out = change(&mut row)?;
                if row != original {
                    save_row(&mut tx, &row).await?;
                }
                tx.commit().await?;
                Ok(out)
            }
        })
        .await
    }

    async fn select_rows(&self, condition: &str, binds: &[i64]) -> StoreResult<Vec<LedgerRow>> {
        let sql = format!("SELECT {COLUMNS} FROM ledger WHERE {condition}");
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(*value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(read_row).collect()
    }
}

fn limit_value(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn parse_state(text: &str) -> StoreResult<RowState> {
    RowState::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown ledger state {text:?}")))
}

fn read_row(row: &SqliteRow) -> StoreResult<LedgerRow> {
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

async fn load_row(conn: &mut SqliteConnection, key: &LedgerKey) -> StoreResult<Option<LedgerRow>> {
    let sql =
        format!("SELECT {COLUMNS} FROM ledger WHERE ats = ? AND application = ? AND interview = ?");
    let row = sqlx::query(&sql)
        .bind(key.ats.as_str())
        .bind(key.application.as_str())
        .bind(key.interview.as_str())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(read_row).transpose()
}

/// The rows of `candidate` for `key`'s interview under other applications.
async fn load_siblings(
    conn: &mut SqliteConnection,
    key: &LedgerKey,
    candidate: &CandidateId,
) -> StoreResult<Vec<LedgerRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM ledger \
         WHERE ats = ? AND candidate = ? AND interview = ? AND application <> ?"
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

async fn save_row(conn: &mut SqliteConnection, row: &LedgerRow) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO ledger ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (ats, application, interview) DO UPDATE SET \
         candidate = excluded.candidate, job = excluded.job, state = excluded.state, \
         failed_from = excluded.failed_from, participant = excluded.participant, \
         attempts = excluded.attempts, next_attempt_at_ms = excluded.next_attempt_at_ms, \
         last_error = excluded.last_error, lease_owner = excluded.lease_owner, \
         lease_until_ms = excluded.lease_until_ms, synced_outcome = excluded.synced_outcome, \
         updated_at_ms = excluded.updated_at_ms"
    );
    sqlx::query(&sql)
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
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait]
impl Store for SqliteStore {
    async fn claim_invite(
        &self,
        key: &LedgerKey,
        candidate: &CandidateId,
        job: &JobId,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> StoreResult<Claim> {
        let (key, candidate, job, worker) = (
            key.clone(),
            candidate.clone(),
            job.clone(),
            worker.to_owned(),
        );
        run_detached({
            let pool = self.pool.clone();
            async move {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let existing = load_row(&mut tx, &key).await?;
                let is_new = existing.is_none();
                let siblings = load_siblings(&mut tx, &key, &candidate).await?;
                let mut row =
                    existing.unwrap_or_else(|| ledger::new_row(&key, &candidate, &job, now_ms));
                let claim =
                    ledger::claim_invite(&mut row, is_new, &siblings, &worker, now_ms, lease_ms)
                        .into_claim(row);
                if is_new || claim.is_acquired() {
                    save_row(&mut tx, claim.row()).await?;
                }
                tx.commit().await?;
                Ok(claim)
            }
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
        let mut conn = self.pool.acquire().await?;
        load_row(&mut conn, key).await
    }

    async fn rows_by_participant(
        &self,
        participant: &ParticipantKey,
    ) -> StoreResult<Vec<LedgerRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM ledger WHERE participant = ? \
             ORDER BY created_at_ms, ats, application, interview"
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
        let sql = format!("SELECT {COLUMNS} FROM ledger WHERE participant = ? LIMIT 1");
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
        let (ats, candidate) = (ats.clone(), candidate.clone());
        run_detached({
            let pool = self.pool.clone();
            async move {
                let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let sql = format!("SELECT {COLUMNS} FROM ledger WHERE ats = ? AND candidate = ?");
                let rows = sqlx::query(&sql)
                    .bind(ats.as_str())
                    .bind(candidate.as_str())
                    .fetch_all(&mut *tx)
                    .await?;
                let rows = rows.iter().map(read_row).collect::<StoreResult<Vec<_>>>()?;
                for participant in ledger::participants(&rows) {
                    // A scan of the inbox, which the retention keeps short; deletions are rare.
                    sqlx::query(
                        "DELETE FROM inbox WHERE instr(payload, ?) > 0 \
                           AND (lease_until_ms IS NULL OR lease_until_ms <= ?) \
                           AND NOT EXISTS (SELECT 1 FROM ledger WHERE participant = ? \
                             AND NOT (ats = ? AND candidate = ?))",
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
                        save_row(&mut tx, &row).await?;
                        changed += 1;
                    }
                }
                tx.commit().await?;
                Ok(changed)
            }
        })
        .await
    }

    async fn rows_due(&self, now_ms: i64, limit: usize) -> StoreResult<Vec<LedgerRow>> {
        // The same rule as `ledger::is_due`, as SQL so the database does the filtering.
        self.select_rows(
            "(lease_until_ms IS NULL OR lease_until_ms <= ?) AND ( \
               (state IN ('pending', 'responded') \
                 AND (next_attempt_at_ms IS NULL OR next_attempt_at_ms <= ?)) \
               OR (state IN ('invited', 'synced') AND next_attempt_at_ms <= ?)) \
             ORDER BY COALESCE(next_attempt_at_ms, -9223372036854775808), updated_at_ms, \
               ats, application, interview \
             LIMIT ?",
            &[now_ms, now_ms, now_ms, limit_value(limit)],
        )
        .await
    }

    async fn stale_invites(
        &self,
        invited_before_ms: i64,
        limit: usize,
    ) -> StoreResult<Vec<LedgerRow>> {
        self.select_rows(
            "state = 'invited' AND next_attempt_at_ms IS NULL AND updated_at_ms < ? \
             ORDER BY updated_at_ms, ats, application, interview LIMIT ?",
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
            "INSERT INTO inbox (source, dedupe_key, payload, received_at_ms) VALUES (?, ?, ?, ?) \
             ON CONFLICT (source, dedupe_key) DO NOTHING",
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
        // One statement: select and lease atomically (PostgreSQL adds SKIP LOCKED).
        let rows = sqlx::query(
            "UPDATE inbox SET lease_owner = ?, lease_until_ms = ? WHERE id IN ( \
               SELECT id FROM inbox WHERE processed_at_ms IS NULL \
                 AND (next_attempt_at_ms IS NULL OR next_attempt_at_ms <= ?) \
                 AND (lease_until_ms IS NULL OR lease_until_ms <= ?) \
               ORDER BY id LIMIT ?) \
             RETURNING id, source, dedupe_key, payload, attempts",
        )
        .bind(worker)
        .bind(now_ms.saturating_add(lease_ms))
        .bind(now_ms)
        .bind(now_ms)
        .bind(limit_value(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut items = rows
            .iter()
            .map(|row| {
                let attempts: i64 = row.try_get("attempts")?;
                Ok(InboxItem {
                    id: row.try_get("id")?,
                    source: row.try_get("source")?,
                    dedupe_key: row.try_get("dedupe_key")?,
                    payload: row.try_get("payload")?,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    async fn inbox_done(&self, id: i64, now_ms: i64) -> StoreResult<()> {
        let result = sqlx::query(
            "UPDATE inbox SET processed_at_ms = ?, lease_owner = NULL, lease_until_ms = NULL \
             WHERE id = ?",
        )
        .bind(now_ms)
        .bind(id)
        .execute(&self.pool)
        .await?;
        inbox_found(result.rows_affected(), id)
    }

    async fn inbox_retry(&self, id: i64, error: &str, next_attempt_at_ms: i64) -> StoreResult<()> {
        let result = sqlx::query(
            "UPDATE inbox SET attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ?, \
             lease_owner = NULL, lease_until_ms = NULL WHERE id = ?",
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
            "DELETE FROM inbox WHERE processed_at_ms IS NOT NULL AND processed_at_ms < ?",
        )
        .bind(processed_before_ms)
        .execute(&self.pool)
        .await?;
        Ok(result.rows_affected())
    }

    async fn cursor_get(&self, name: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM cursors WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| row.try_get("value")).transpose()?)
    }

    async fn cursor_set(&self, name: &str, value: &str, now_ms: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO cursors (name, value, updated_at_ms) VALUES (?, ?, ?) \
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
                 ORDER BY updated_at_ms DESC, ats, application, interview LIMIT ?",
                &[limit_value(STATUS_FAILED_LIMIT)],
            )
            .await?;
        Ok(report)
    }
}

fn inbox_found(rows_affected: u64, id: i64) -> StoreResult<()> {
    if rows_affected == 0 {
        return Err(StoreError::NotFound(format!("inbox item {id}")));
    }
    Ok(())
}
