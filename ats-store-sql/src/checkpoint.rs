//! SQLite WAL checkpoints on a background task instead of inside commits.
//!
//! By default SQLite checkpoints (copies the write-ahead log into the database and
//! syncs the file) in whichever commit pushes the log past 1,000 pages, so every few
//! hundred writes one unlucky step waits for a disk sync. Measured on the project's
//! machine, that was the whole tail of the webhook → invite reaction time (p99 6 to
//! 21 ms with it, 6 ms without). The store's connections turn automatic checkpoints
//! off and this task runs a passive checkpoint every second instead.

use std::time::Duration;

use sqlx::sqlite::SqlitePool;
use tokio::task::JoinHandle;

/// How often the log is checkpointed.
pub(crate) const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// The running checkpoint task; stopped when dropped (with the last store clone).
#[derive(Debug)]
pub(crate) struct Checkpointer {
    task: JoinHandle<()>,
}

impl Checkpointer {
    /// Checkpoint `pool`'s database every `every`, without waiting for readers
    /// (`PASSIVE`): what a busy moment leaves behind is taken next time.
    pub(crate) fn start(pool: SqlitePool, every: Duration) -> Self {
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    tracing::warn!(%error, "SQLite checkpoint failed; retrying next time");
                }
            }
        });
        Self { task }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
