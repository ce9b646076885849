//! What the SQL backends share: their errors as [`StoreError`], and cancellation
//! safety.
//!
//! A transaction abandoned half-way — its caller timed out, its task was aborted —
//! can leave a connection holding locks (SQLite's write lock, PostgreSQL row locks)
//! until the pool happens to reuse it, stalling every other writer. Running each
//! transaction on a task of its own means it always ends in a commit or a rollback,
//! whatever happens to the caller.

use std::future::Future;

use super::{StoreError, StoreResult};

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Backend(error.to_string())
    }
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
