//! Engine settings and status reads the vendor engine tests share.

use std::time::Duration;

use ats_bridge::engine::{Action, Engine, EngineConfig, RetrySchedule};
use ats_bridge::store::{LedgerKey, RowState, StatusReport};

use willo_client::WebhookEvent;

use super::willo_mock::{PARTICIPANT, willo_delivery};

/// The default engine, retrying at once and giving up after three attempts.
pub fn config() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.retry = RetrySchedule::new(Duration::ZERO, Duration::ZERO, 3);
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
