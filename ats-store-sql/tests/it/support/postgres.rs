//! A fresh PostgreSQL schema per test, from `TEST_DATABASE_URL`; skipped outside CI
//! when no database is configured, a failure in CI.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ats_store_sql::{PostgresOptions, PostgresStore};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

static SCHEMAS: AtomicU32 = AtomicU32::new(0);

/// Whether this run is CI, where a missing database is a failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| !value.is_empty() && !value.eq_ignore_ascii_case("false"))
}

/// A fresh schema in the test database, for one test.
pub struct TestSchema {
    pub url: String,
    pub name: String,
    pub admin: PgPool,
}

impl TestSchema {
    /// `None` when the test should skip (outside CI, no database).
    pub async fn create(test: &str) -> Option<Self> {
        let Ok(url) = std::env::var("TEST_DATABASE_URL") else {
            return unavailable(test, "TEST_DATABASE_URL is not set");
        };
        let admin = match PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect(&url)
            .await
        {
            Ok(admin) => admin,
            Err(error) => {
                return unavailable(
                    test,
                    &format!("the database in TEST_DATABASE_URL is unreachable ({error})"),
                );
            }
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let name = format!(
            "ats_test_{}_{}_{nanos}",
            std::process::id(),
            SCHEMAS.fetch_add(1, Ordering::Relaxed)
        );
        Some(Self { url, name, admin })
    }

    /// Options for a test store: its own schema, and leases at the callers' times,
    /// since the tests drive time themselves.
    pub fn options(&self) -> PostgresOptions {
        PostgresOptions::new()
            .schema(&self.name)
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(10))
            .callers_clock(true)
    }

    pub async fn store(&self) -> PostgresStore {
        PostgresStore::connect_with(&self.url, &self.options())
            .await
            .expect("connect to the test schema")
    }

    pub async fn schema_versions(&self) -> Vec<i64> {
        let sql = format!("SELECT version FROM \"{}\".schema_version", self.name);
        sqlx::query_scalar(&sql)
            .fetch_all(&self.admin)
            .await
            .expect("read schema_version")
    }

    pub async fn drop(self) {
        let sql = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name);
        sqlx::raw_sql(&sql)
            .execute(&self.admin)
            .await
            .expect("drop the test schema");
    }
}

fn unavailable(test: &str, reason: &str) -> Option<TestSchema> {
    assert!(
        !in_ci(),
        "{test}: PostgreSQL is required in CI but {reason}; .ci/run starts one and sets \
         TEST_DATABASE_URL"
    );
    eprintln!("{test}: skipped, {reason} (set TEST_DATABASE_URL to run it)");
    None
}
