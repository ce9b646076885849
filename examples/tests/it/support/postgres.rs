//! A fresh PostgreSQL schema for one test, from `TEST_DATABASE_URL`: skipped outside
//! CI when no database is configured, a failure in CI.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Connection as _;

static SCHEMAS: AtomicU32 = AtomicU32::new(0);

/// A schema of the test database, dropped by [`TestSchema::drop_schema`].
pub struct TestSchema {
    /// The database.
    pub url: String,
    /// The schema's name (lowercase ASCII, digits and `_`).
    pub name: String,
}

impl TestSchema {
    /// A new schema name, or `None` when `test` should skip (no database, not in CI).
    pub fn create(test: &str) -> Option<Self> {
        let Some(url) = examples::env("TEST_DATABASE_URL") else {
            let in_ci = examples::env("CI").is_some_and(|ci| !ci.eq_ignore_ascii_case("false"));
            assert!(!in_ci, "{test}: TEST_DATABASE_URL is not set in CI");
            eprintln!("{test}: skipped, TEST_DATABASE_URL is not set");
            return None;
        };
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let name = format!(
            "examples_test_{}_{}_{nanos}",
            std::process::id(),
            SCHEMAS.fetch_add(1, Ordering::Relaxed)
        );
        Some(Self { url, name })
    }

    /// Drop the schema and everything in it.
    pub async fn drop_schema(&self) {
        let mut connection = sqlx::PgConnection::connect(&self.url).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name))
            .execute(&mut connection)
            .await
            .unwrap();
    }
}
