//! Lost ledger (SQLite): after some invites the ledger file is deleted (a container
//! without a volume), or separately its write-ahead log is dropped (a power cut
//! rolling the file back to its last checkpoint), and the bridge restarts on what is
//! left. With the production young-ledger window, the restarted engine must look
//! candidates up in Willo instead of inviting them again.

use super::harness::{
    LedgerHome, Plan, Summary, Verdict, World, concurrently, config, ledgers::sqlite_sidecars, runs,
};

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ats_bridge::store::Store;
use ats_store_sql::SqliteStore;

use ats_bridge::engine::EngineConfig;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};

/// How the ledger is lost.
#[derive(Debug, Clone, Copy)]
enum Loss {
    /// The file and its sidecars are gone (the restart finds no ledger).
    FileDeleted,
    /// The commits after a checkpoint are gone: the WAL was never made durable.
    WalDropped,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_or_rolled_back_ledger_invites_nobody_twice() {
    for loss in [Loss::FileDeleted, Loss::WalDropped] {
        let name = match loss {
            Loss::FileDeleted => "lost ledger (file deleted)",
            Loss::WalDropped => "lost ledger (WAL dropped)",
        };
        let mut summary = Summary::new(name, super::harness::Backend::Sqlite);
        let verdicts =
            concurrently((0..runs()).map(|seed| async move { (seed, lose(seed, loss).await) }))
                .await;
        for (seed, verdict) in verdicts {
            summary.add(seed, verdict);
        }
        summary.finish();
    }
}

/// The engines' settings with the production young-ledger window (7 days).
fn production_window(worker: &str) -> EngineConfig {
    let mut config = config(worker);
    config.young_ledger_window = EngineConfig::default().young_ledger_window;
    config
}

async fn lose(seed: u64, loss: Loss) -> Verdict {
    let home = LedgerHome::sqlite();
    let file = home.sqlite_file().expect("a SQLite ledger");
    let world = World::new().await;
    let plan = Plan::seeded(seed);
    // The first half of the candidates reach the trigger stage before the loss, the
    // rest after it.
    let half = plan.at_trigger.len().div_ceil(2);
    let (before, after): (Vec<u32>, Vec<u32>) = {
        let all: Vec<u32> = plan.at_trigger.iter().copied().collect();
        (all[..half].to_vec(), all[half..].to_vec())
    };
    let store = home.open().await;
    let engine = world.engine(store.clone(), production_window("first-life"));
    let (early, late) = before.split_at(before.len() / 2);
    for n in early {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
    }
    world.settle(std::slice::from_ref(&engine)).await;
    // What a power cut would leave: the file as of now, once checkpointed.
    let snapshot = file.with_extension("snapshot");
    checkpoint_and_copy(&file, &snapshot).await;
    for n in late {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
    }
    world.settle(std::slice::from_ref(&engine)).await;
    drop((engine, store));

    // The restart, an hour later, on what is left: nothing, or the file as of the
    // last checkpoint without its WAL. (At a path of its own, so the dead process's
    // connections, which close in the background, cannot touch it.)
    let left = match loss {
        Loss::FileDeleted => file.with_extension("new"),
        Loss::WalDropped => snapshot,
    };
    for sidecar in sqlite_sidecars(&left) {
        assert!(!sidecar.exists(), "no WAL survives the loss");
    }
    world.clock.advance(Duration::from_secs(3600));
    let store: Arc<dyn Store> = Arc::new(
        SqliteStore::open(&left)
            .await
            .expect("open what is left of the ledger"),
    );
    let engine = world.engine(store.clone(), production_window("second-life"));
    world.settle(std::slice::from_ref(&engine)).await;
    for n in &after {
        world.move_to_trigger(store.as_ref(), *n, 0).await;
    }
    world.settle(std::slice::from_ref(&engine)).await;
    world.play_answers(&plan, store.as_ref()).await;
    world.settle(std::slice::from_ref(&engine)).await;
    let verdict = world.verdict(&plan, &engine).await;
    drop((engine, store));
    home.finish().await;
    verdict
}

/// Fold the WAL into the file and copy the file: the state a lost WAL leaves behind.
async fn checkpoint_and_copy(file: &Path, to: &Path) {
    let mut connection = SqliteConnectOptions::new()
        .filename(file)
        .connect()
        .await
        .expect("a second connection to the ledger");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut connection)
        .await
        .expect("checkpoint");
    std::fs::copy(file, to).expect("copy the checkpointed ledger");
    connection.close().await.expect("close");
}
