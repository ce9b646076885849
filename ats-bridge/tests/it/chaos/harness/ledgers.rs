//! Where a scenario's ledger lives: a SQLite file in a temporary directory (which a
//! scenario may delete or roll back), or a PostgreSQL schema of its own. Each
//! [`LedgerHome::open`] is a new connection pool, as a restarted process or another
//! replica would have.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ats_bridge::store::Store;
use ats_store_sql::{PostgresStore, SqliteStore};
use tempfile::TempDir;

use crate::support::postgres::TestSchema;

/// Which backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite,
    /// A PostgreSQL schema.
    Postgres,
}

impl Backend {
    /// Its name in summaries.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Which clock leases are granted at on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseClock {
    /// The engines' own clocks (the test's clock, which it moves by hand).
    Callers,
    /// The server's `clock_timestamp()`, the production setting.
    Database,
}

/// One scenario run's ledger.
pub struct LedgerHome {
    dir: Option<TempDir>,
    schema: Option<TestSchema>,
    clock: LeaseClock,
}

impl LedgerHome {
    /// A SQLite file in a new temporary directory.
    pub fn sqlite() -> Self {
        Self {
            dir: Some(tempfile::tempdir().expect("a temporary directory")),
            schema: None,
            clock: LeaseClock::Callers,
        }
    }

    /// A new PostgreSQL schema, or `None` when the test should skip (no database
    /// outside CI; in CI a missing database fails instead).
    pub async fn postgres(test: &str, clock: LeaseClock) -> Option<Self> {
        let schema = TestSchema::create(test).await?;
        Some(Self {
            dir: None,
            schema: Some(schema),
            clock,
        })
    }

    /// A new ledger on `backend` (`None`: PostgreSQL is not configured, outside CI).
    pub async fn new(backend: Backend, test: &str, clock: LeaseClock) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres(test, clock).await,
        }
    }

    /// The SQLite file (none for PostgreSQL).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|dir| dir.path().join("bridge.db"))
    }

    /// A store over this ledger, on a pool of its own.
    pub async fn open(&self) -> Arc<dyn Store> {
        match (&self.schema, self.sqlite_file()) {
            (Some(schema), _) => {
                let options = schema
                    .options()
                    .callers_clock(self.clock == LeaseClock::Callers);
                Arc::new(
                    PostgresStore::connect_with(&schema.url, &options)
                        .await
                        .expect("connect to the scenario's schema"),
                )
            }
            (None, Some(file)) => Arc::new(
                SqliteStore::open(&file)
                    .await
                    .expect("open the scenario's SQLite file"),
            ),
            (None, None) => unreachable!("a ledger is a file or a schema"),
        }
    }

    /// Drop the schema (PostgreSQL); the temporary directory goes with `self`.
    pub async fn finish(self) {
        if let Some(schema) = self.schema {
            schema.drop().await;
        }
    }
}

/// The backends a scenario runs on: SQLite, and PostgreSQL when `TEST_DATABASE_URL`
/// names one (required in CI).
pub async fn backends(test: &str) -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if TestSchema::create(test).await.is_some() {
        backends.push(Backend::Postgres);
    }
    backends
}

/// The SQLite file's write-ahead log and shared-memory index beside it.
pub fn sqlite_sidecars(file: &Path) -> [PathBuf; 2] {
    let with = |suffix: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    [with("-wal"), with("-shm")]
}
