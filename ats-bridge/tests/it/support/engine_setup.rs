//! Engine settings and status reads the vendor engine tests share.

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::Ats;
use ats_bridge::engine::{Action, Engine, EngineBuilder, EngineConfig, RetrySchedule};
use ats_bridge::rules::Rules;
use ats_bridge::store::{LedgerKey, LedgerRow, RowState, StatusReport, Store};

use willo_client::WebhookEvent;
use wiremock::MockServer;

use super::willo_mock::{PARTICIPANT, willo_client, willo_delivery};

/// The default engine, retrying at once and giving up after three attempts.
/// The tests' engine settings: no waits between retries, and a ledger trusted from
/// its first row (each test starts with a new store; the young-ledger look-ups have
/// tests of their own).
pub fn config() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.retry = RetrySchedule::new(Duration::ZERO, Duration::ZERO, 3);
    config.young_ledger_window = Duration::ZERO;
    config
}

/// How many rows are in `state`.
pub fn count(status: &StatusReport, state: RowState) -> u64 {
    status.by_state.get(&state).copied().unwrap_or(0)
}

/// The row `key` was invited just now as `PARTICIPANT`.
pub fn invited(key: LedgerKey) -> Action {
    Action::Invited {
        key,
        participant: PARTICIPANT.into(),
        created: true,
    }
}

/// The row `key` had `outcome` written back.
pub fn wrote_back(key: LedgerKey, outcome: &str) -> Action {
    Action::WroteBack {
        key,
        outcome: outcome.into(),
    }
}

/// The engine's action on Willo's `event` about `PARTICIPANT`.
pub async fn on_willo_news(engine: &Engine, event: WebhookEvent) -> Action {
    engine
        .handle_willo_delivery(&willo_delivery(event))
        .await
        .unwrap()
}

/// How many rows are in `state` now.
pub async fn rows_in(engine: &Engine, state: RowState) -> u64 {
    count(&engine.status().await.unwrap(), state)
}

/// The ledger row linked to Willo's `PARTICIPANT`, if any.
pub async fn participant_row(store: &dyn Store) -> Option<LedgerRow> {
    store
        .find_by_participant(&PARTICIPANT.into())
        .await
        .unwrap()
}

/// An engine builder over the Willo mock and `ats`, on `store`, following `rules`.
pub fn engine_over(
    willo: &MockServer,
    store: Arc<dyn Store>,
    ats: Arc<dyn Ats>,
    rules: Rules,
) -> EngineBuilder {
    Engine::builder(willo_client(willo), store)
        .ats(ats)
        .rules(rules)
}
