//! `PostgresStore` over TLS, the server's certificate checked against its own CA
//! (`sslmode=verify-full`).
//!
//! Needs `TEST_DATABASE_TLS_URL`: a verify-full URL naming the CA
//! (`postgres://…@localhost:5432/db?sslmode=verify-full&sslrootcert=/path/ca.crt`);
//! `.ci/run` makes the CA and the server certificate and turns TLS on. Without it the test
//! skips, unless `CI` is set: then it fails, like the other PostgreSQL tests.
#![cfg(feature = "postgres")]

use std::time::Duration;

use ats_store_sql::{PostgresOptions, PostgresStore};
use sqlx::postgres::PgPoolOptions;

use crate::support::postgres::in_ci;

#[tokio::test]
async fn verify_full_connects_over_tls_and_refuses_an_unknown_ca() {
    let Ok(url) = std::env::var("TEST_DATABASE_TLS_URL") else {
        assert!(
            !in_ci(),
            "TEST_DATABASE_TLS_URL is not set (CI runs every PostgreSQL test)"
        );
        eprintln!("skipped: TEST_DATABASE_TLS_URL is not set");
        return;
    };
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&url)
        .await
        .expect("connect with sslmode=verify-full");
    let on_tls: bool =
        sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(on_tls, "the connection is encrypted");

    // The store itself opens (and migrates) over the same URL.
    let schema = format!("ats_test_tls_{}", std::process::id());
    let store = PostgresStore::connect_with(
        &url,
        &PostgresOptions::new().schema(&schema).max_connections(1),
    )
    .await
    .expect("PostgresStore over TLS");
    drop(store);
    sqlx::raw_sql(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
        .execute(&pool)
        .await
        .unwrap();

    // Without the CA, the server's certificate is trusted by nothing: verify-full refuses.
    let without_ca: String = url
        .split(['?', '&'])
        .filter(|part| !part.starts_with("sslrootcert="))
        .enumerate()
        .map(|(i, part)| match i {
            0 => part.to_owned(),
            1 => format!("?{part}"),
            _ => format!("&{part}"),
        })
        .collect();
    assert!(without_ca.contains("sslmode=verify-full") && !without_ca.contains("sslrootcert"));
    let refused = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&without_ca)
        .await;
    assert!(
        refused.is_err(),
        "a certificate from an unknown CA is refused"
    );
}
