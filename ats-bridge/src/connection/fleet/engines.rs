//! Each connection's [`Engine`], built from its stored record and secrets on first
//! use, kept while it has work, rebuilt when the connection changes.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tokio::time::Instant;

use super::{Fleet, FleetInner};
use crate::connection::{ConnectionError, ConnectionId, ConnectionRecord};
use crate::engine::{Engine, EngineConfig};
use crate::model::AtsName;
use crate::rules::Rules;

/// The built engines, each with the record version (`updated_at_ms`) it was built
/// from and when it was last used.
#[derive(Default)]
pub(super) struct EngineCache {
    engines: Mutex<HashMap<ConnectionId, Cached>>,
}

struct Cached {
    version: i64,
    engine: Engine,
    last_used: Instant,
}

impl EngineCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, Cached>> {
        self.engines.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    /// The engine built from this version of the record, marked used now.
    fn get(&self, record: &ConnectionRecord) -> Option<Engine> {
        let mut engines = self.lock();
        let cached = engines
            .get_mut(&record.id)
            .filter(|cached| cached.version == record.updated_at_ms)?;
        cached.last_used = Instant::now();
        Some(cached.engine.clone())
    }

    fn insert(&self, record: &ConnectionRecord, engine: Engine) {
        self.lock().insert(
            record.id.clone(),
            Cached {
                version: record.updated_at_ms,
                engine,
                last_used: Instant::now(),
            },
        );
    }

    /// The built engine of `id`, if any, without marking it used.
    pub(super) fn peek(&self, id: &ConnectionId) -> Option<Engine> {
        self.lock().get(id).map(|cached| cached.engine.clone())
    }

    /// Keep the engines for which `keep(id, version)` holds.
    pub(super) fn retain(&self, mut keep: impl FnMut(&ConnectionId, i64) -> bool) {
        self.lock().retain(|id, cached| keep(id, cached.version));
    }

    /// Drop the engines unused for `idle`; returns how many.
    pub(super) fn drop_idle(&self, idle: std::time::Duration) -> usize {
        let mut engines = self.lock();
        let before = engines.len();
        engines.retain(|_, cached| cached.last_used.elapsed() < idle);
        before - engines.len()
    }
}

impl Fleet {
    /// The engine of `record`, built if needed. A connection whose engine cannot be
    /// built (rules that no longer load, a secret that does not open) reports why in
    /// its status and does no work until it changes.
    pub(super) async fn engine(&self, record: &ConnectionRecord) -> Option<Engine> {
        if let Some(engine) = self.inner.engines.get(record) {
            return Some(engine);
        }
        match build(&self.inner, record).await {
            Ok(engine) => {
                self.inner.engines.insert(record, engine.clone());
                tracing::debug!(target: "ats_bridge::connection", connection = %record.id, "engine built");
                Some(engine)
            }
            Err(error) => {
                tracing::error!(target: "ats_bridge::connection", connection = %record.id, %error, "the connection's engine cannot be built");
                self.report(&record.id, |report| {
                    report.last_error = Some(format!("building the engine: {error}"));
                });
                None
            }
        }
    }
}

async fn build(fleet: &FleetInner, record: &ConnectionRecord) -> Result<Engine, ConnectionError> {
    let secrets = fleet.manager.secrets(&record.id).await?;
    let invalid = |e: &dyn std::fmt::Display| ConnectionError::Invalid(e.to_string());
    let rules = match &record.config.rules {
        Some(toml) => Rules::from_toml(toml).map_err(|e| invalid(&format!("rules: {e}")))?,
        None => Rules::default(),
    };
    let willo = fleet.adapters.willo_client(record, &secrets)?;
    let mut builder = Engine::builder(willo, fleet.stores.clone())
        .connection(record.id.clone())
        .outage_store(fleet.manager.store().clone())
        .history_floor(record.created_at_ms)
        .rules(rules.scoped_to(&record.id))
        .config(engine_config(fleet, record))
        .clock(fleet.clock.clone())
        .inbox_signal(fleet.inbox_signal.clone());
    for ats in fleet.adapters.build_scoped(record, &secrets)? {
        builder = builder.ats(ats);
    }
    builder.build().map_err(|e| invalid(&e))
}

/// The fleet's engine settings with the connection's own.
fn engine_config(fleet: &FleetInner, record: &ConnectionRecord) -> EngineConfig {
    let overrides = &record.config.engine;
    let mut config = fleet.engine_config.clone();
    config.concurrency = overrides
        .concurrency
        .unwrap_or(fleet.config.per_connection)
        .max(1);
    if let Some(secs) = overrides.reconcile_interval_secs {
        config.reconcile_interval = (secs > 0).then(|| std::time::Duration::from_secs(secs));
    }
    if let Some(dry_run) = overrides.dry_run {
        config.dry_run = dry_run;
    }
    if let Some(erase) = overrides.erase_willo_participants {
        config.erase_willo_participants = erase;
    }
    // Regions name accounts as a connection does: keep those of its accounts, scoped.
    config.phone_regions = std::mem::take(&mut config.phone_regions)
        .into_iter()
        .filter(|(ats, _)| record.config.account(ats.as_str()).is_some())
        .map(|(ats, region)| (AtsName::from(record.id.scope(ats.as_str())), region))
        .collect();
    config
}
