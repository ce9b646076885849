//! Scale-out: 1, 2 and 4 engines sharing one PostgreSQL database work through the same
//! 2,000 stage-change events: the sandbox moves 2,000 applications to their trigger
//! stage, each move sends its signed webhook to the intake, the intake stores it in
//! the shared inbox, and the engines take the events from there (`SKIP LOCKED`: each
//! event is taken by one engine). The reconciler is off, so webhooks are the only
//! path. The ledger's claims must let exactly one engine invite each candidate, so the
//! Willo simulator must see exactly 2,000 invites every time; throughput is invites
//! per second from the first move. The vendors are not rate limited here, so the
//! figure is the engines' and the database's, not a vendor's limit.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::demo::{Demo, DemoOptions};
use ats_bridge::store::{RowState, Store};
use ats_sandbox::{SandboxConfig, Seed, Vendor};
use ats_store_sql::{PostgresOptions, PostgresStore};

use super::Row;
use super::backlog::BACKLOG;

/// The engine counts compared.
pub const ENGINES: [usize; 3] = [1, 2, 4];

/// The database: `TEST_DATABASE_URL`, else `DATABASE_URL` when it is PostgreSQL.
pub fn database_url() -> Option<String> {
    crate::env("TEST_DATABASE_URL")
        .or_else(|| crate::env("DATABASE_URL"))
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

/// One row per engine count, or one skipped row without a database.
pub async fn run() -> crate::Result<Vec<Row>> {
    let Some(url) = database_url() else {
        return Ok(vec![Row::skipped(
            "scale-out: engines sharing PostgreSQL",
            "no TEST_DATABASE_URL or postgres:// DATABASE_URL set",
        )]);
    };
    let mut rows = Vec::new();
    for engines in ENGINES {
        let (invites, redelivered, elapsed) = run_engines(&url, engines).await?;
        let per_second = BACKLOG as f64 / elapsed.as_secs_f64();
        // Every row reached `invited` (checked while running); a second invite for
        // any of them would push the POSTs past the backlog.
        rows.push(Row::target(
            &format!(
                "scale-out: {engines} engine(s): rows invited, invite POSTs, throughput, deliveries sent again after a 503"
            ),
            format!(
                "{BACKLOG}, {invites}, {per_second:.0} rows/s ({:.1} s), {redelivered}",
                elapsed.as_secs_f64()
            ),
            &format!("{BACKLOG} invited, no duplicate"),
            invites <= BACKLOG as u64,
        ));
    }
    Ok(rows)
}

/// Run `count` engines on a fresh schema until the 2,000 moved applications are
/// invited; the invites Willo received, the deliveries the ATS simulators sent again
/// (refused while the intake was full) and the time it took. The schema is dropped
/// afterwards.
async fn run_engines(url: &str, count: usize) -> crate::Result<(u64, u64, Duration)> {
    let unix = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let schema = format!("bench_{unix}_{count}");
    // One pool stands in for the replicas' own pools (10 connections each by
    // default), and serves the intake and this loop's status reads as well.
    let pool = PostgresOptions::new()
        .schema(&schema)
        .max_connections(10 * count as u32 + 5);
    let store = PostgresStore::connect_with(url, &pool).await?;
    let store: Arc<dyn Store> = Arc::new(store);
    let mut options = DemoOptions::default()
        .sandbox(
            SandboxConfig::new()
                .seed(13)
                .data(Seed::new().jobs(10).candidates_per_job(BACKLOG / 2 / 10))
                .willo_completion_delay(None)
                // 2,000 moves at once are more than the intake takes in flight
                // (`max_in_flight`, 256): it answers 503 with Retry-After and, like
                // SmartRecruiters and Lever, the sandbox sends the delivery again.
                // Without redelivery those deliveries were lost and the run stalled.
                .webhook_redelivery(10, Duration::from_millis(50)),
        )
        .store(store.clone())
        .engines(count);
    options.engine.reconcile_interval = None;
    // A ledger past its first week: first invites trust it (a young one looks each
    // candidate up in Willo first, one more call per invite; see BENCHMARKS.md).
    options.engine.young_ledger_window = Duration::ZERO;
    let demo = Demo::start(options).await?;

    let started = Instant::now();
    let moved = demo.move_to_trigger_stage(BACKLOG / 2, BACKLOG / 2)?;
    if moved.len() != BACKLOG {
        return Err(format!("moved {} of {BACKLOG}", moved.len()).into());
    }
    let deadline = started + Duration::from_secs(300);
    let elapsed = loop {
        let status = store.status().await?;
        let invited = status
            .by_state
            .get(&RowState::Invited)
            .copied()
            .unwrap_or(0);
        if !status.failed.is_empty() {
            return Err(format!("{} rows failed", status.failed.len()).into());
        }
        if invited >= BACKLOG as u64 {
            break started.elapsed();
        }
        if Instant::now() > deadline {
            return Err(format!("only {invited} of {BACKLOG} invited in 300 s").into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // Let a duplicate, if any engine were about to send one, arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let invites = demo
        .sandbox()
        .requests(Vendor::Willo)
        .endpoint("POST /participants/");
    let redelivered = [Vendor::SmartRecruiters, Vendor::Lever]
        .into_iter()
        .map(|vendor| demo.sandbox().deliveries(vendor).redelivered)
        .sum();
    demo.stop().await;
    drop_schema(url, &schema).await?;
    Ok((invites, redelivered, elapsed))
}

/// Remove the run's schema, so repeated runs leave nothing behind.
pub(crate) async fn drop_schema(url: &str, schema: &str) -> crate::Result<()> {
    use sqlx::Connection as _;
    let mut connection = sqlx::PgConnection::connect(url).await?;
    // The name was checked by `PostgresOptions::schema` (plain lowercase ASCII).
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
        .execute(&mut connection)
        .await?;
    Ok(())
}
