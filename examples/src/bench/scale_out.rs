//! Scale-out: 1, 2 and 4 engines sharing one PostgreSQL database work through the same
//! 2,000-application backlog (every engine's reconciler finds all of it). The ledger's
//! claims must let exactly one engine invite each candidate, so the Willo simulator
//! must see exactly 2,000 invites every time; throughput is invites per second.
//! The vendors are not rate limited here, so the figure is the engines' and the
//! database's, not a vendor's limit.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ats_bridge::Ats;
use ats_bridge::demo::{DemoOptions, LEVER_TRIGGER, SMARTRECRUITERS_TRIGGER};
use ats_bridge::engine::Engine;
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::sandbox::{Sandbox, SandboxConfig, Vendor};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig, stage_id};
use ats_bridge::store::{PostgresOptions, PostgresStore, RowState, Store};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::Row;
use super::backlog::{BACKLOG, backlog_seed};

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
        let (invites, elapsed) = run_engines(&url, engines).await?;
        let per_second = BACKLOG as f64 / elapsed.as_secs_f64();
        // Every row reached `invited` (checked while running); a second invite for
        // any of them would push the POSTs past the backlog.
        rows.push(Row::target(
            &format!("scale-out: {engines} engine(s): rows invited, invite POSTs, throughput"),
            format!(
                "{BACKLOG}, {invites}, {per_second:.0} rows/s ({:.1} s)",
                elapsed.as_secs_f64()
            ),
            &format!("{BACKLOG} invited, no duplicate"),
            invites <= BACKLOG as u64,
        ));
    }
    Ok(rows)
}

/// Run `count` engines on a fresh schema until the backlog is invited; the invites
/// Willo received and the time it took.
async fn run_engines(url: &str, count: usize) -> crate::Result<(u64, Duration)> {
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .seed(13)
            .data(backlog_seed())
            .willo_completion_delay(None),
    )
    .await?;
    // A schema per run, so no run sees another's ledger. Left in place afterwards
    // (drop `bench_*` schemas by hand).
    let unix = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let options = PostgresOptions::new().schema(format!("bench_{unix}_{count}"));
    let mut stores: Vec<Arc<dyn Store>> = Vec::new();
    for _ in 0..count {
        stores.push(Arc::new(PostgresStore::connect_with(url, &options).await?));
    }

    let started = Instant::now();
    let mut running = Vec::new();
    for store in &stores {
        running.push(spawn_engine(&sandbox, store.clone())?);
    }
    let deadline = started + Duration::from_secs(300);
    let elapsed = loop {
        let status = stores[0].status().await?;
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
    for (stop, task) in running {
        let _ = stop.send(());
        let _ = task.await;
    }
    let invites = sandbox
        .requests(Vendor::Willo)
        .endpoint("POST /participants/");
    sandbox.shutdown().await;
    Ok((invites, elapsed))
}

/// An engine on `store` with its own clients, reconciling the sandbox's backlog; the
/// sender stops it.
fn spawn_engine(
    sandbox: &Sandbox,
    store: Arc<dyn Store>,
) -> crate::Result<(oneshot::Sender<()>, JoinHandle<()>)> {
    let smartrecruiters: Arc<dyn Ats> = Arc::new(SmartRecruitersAts::new(
        sandbox.smartrecruiters_client()?,
        SmartRecruitersAtsConfig::new(),
    ));
    let lever: Arc<dyn Ats> = Arc::new(LeverAts::new(
        sandbox.lever_client()?,
        LeverAtsConfig::new(sandbox.lever().perform_as()),
    ));
    let interview = sandbox
        .willo()
        .interviews()
        .first()
        .map(|interview| interview.key.clone())
        .ok_or("the sandbox has no Willo interview")?;
    let rules = Rules::new()
        .trigger(
            smartrecruiters.name(),
            JobSelector::Any,
            [stage_id(&SMARTRECRUITERS_TRIGGER, None)],
            interview.as_str(),
        )
        .trigger(
            lever.name(),
            JobSelector::Any,
            [LEVER_TRIGGER],
            interview.as_str(),
        );
    let mut config = DemoOptions::default().engine;
    config.reconcile_pages_per_pass = 100;
    let engine = Engine::builder(sandbox.willo_client()?, store)
        .ats(smartrecruiters)
        .ats(lever)
        .rules(rules)
        .config(config)
        .build()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.await;
        };
        if let Err(error) = engine.run(shutdown).await {
            eprintln!("bench engine failed: {error}");
        }
    });
    Ok((stop, task))
}
