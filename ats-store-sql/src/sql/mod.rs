//! The SQL store, written once for SQLite and PostgreSQL.
//!
//! What differs between the two is small and lives in a [`Dialect`]: placeholders
//! (`?` or `$1`), how a write transaction begins and locks rows (`BEGIN IMMEDIATE`
//! or `FOR UPDATE` / `SKIP LOCKED`), serialising invite claims per person (nothing to
//! do inside SQLite's write transaction, an advisory lock in PostgreSQL), matching
//! bytes in a payload (`instr` on a BLOB, `position` in a BYTEA), and the schema
//! files. Upserts (`ON CONFLICT … DO UPDATE SET … = excluded.…`) and `RETURNING`
//! are the same in both. Time comes from the callers, except for claims on
//! PostgreSQL (ledger rows, screenings and inbox items), which read the server's clock
//! (see `Dialect::CLOCK_MS`).
//!
//! [`Queries`] renders every statement once per dialect; `sql_store!` implements the store traits over a backend's pool with them. The store is a
//! macro over concrete sqlx types rather than generic code over `sqlx::Database`:
//! generic sqlx code needs a dozen higher-ranked bounds (`for<'c> &'c mut
//! DB::Connection: Executor<'c>`, `Encode`/`Decode`/`Type` per Rust type) repeated on
//! every impl, and they trip the compiler's `Send` checks for spawned transactions;
//! `sqlx::Any` would lose the typed pools and options (`PostgresStore::from_pool`,
//! SQLite's WAL and checkpoint settings) and convert every value at run time.
//!
//! Cancellation safety: a transaction abandoned half-way (its caller timed out, its
//! task was aborted) can leave a connection holding locks (SQLite's write lock,
//! PostgreSQL row locks) until the pool happens to reuse it, stalling every other
//! writer. Running each transaction on a task of its own means it always ends in a
//! commit or a rollback, whatever happens to the caller.

use std::future::Future;

use ats_bridge::store::{Fence, RowState, StoreError, StoreResult};

mod connections;
mod dialect;
mod queries;
mod scope;
mod store;

pub(crate) use connections::{ConnectionQueries, sql_connections};
pub(crate) use dialect::Dialect;
pub(crate) use queries::Queries;
pub(crate) use scope::{Scope, Scoped};
pub(crate) use store::sql_store;

/// A database error as the store reports it.
pub(crate) fn db(error: sqlx::Error) -> StoreError {
    StoreError::Backend(error.to_string())
}

/// Whether `error` is the database refusing a duplicate key (PostgreSQL's SQLSTATE
/// 23505, SQLite's primary key or unique constraint).
pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|error| error.is_unique_violation())
}

/// Run `transaction` to completion on its own task and return its result.
pub(crate) async fn run_detached<T>(
    transaction: impl Future<Output = StoreResult<T>> + Send + 'static,
) -> StoreResult<T>
where
    T: Send + 'static,
{
    tokio::spawn(transaction)
        .await
        .map_err(|e| StoreError::Backend(format!("store task ended abnormally: {e}")))?
}

/// A `LIMIT` value.
pub(crate) fn limit_value(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// A stored state name.
pub(crate) fn parse_state(text: &str) -> StoreResult<RowState> {
    RowState::parse(text)
        .ok_or_else(|| StoreError::Backend(format!("unknown ledger state {text:?}")))
}

/// A fencing token as stored (a `BIGINT`; tokens never come near `i64::MAX`).
pub(crate) fn fence_value(fence: Fence) -> i64 {
    i64::try_from(fence.get()).unwrap_or(i64::MAX)
}

/// A stored fencing token.
pub(crate) fn read_fence(value: i64) -> Fence {
    Fence::new(u64::try_from(value).unwrap_or(0))
}

/// A stored count or attempt number.
pub(crate) fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
