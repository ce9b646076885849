//! The fleet's tick: read the connections again, start each connection's due
//! retries and its reconciler pass when due (staggered), prune the inbox hourly and
//! drop idle engines.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::Fleet;
use crate::connection::{ConnectionId, ConnectionRecord};
use crate::engine::EngineError;

/// How often the inbox's processed deliveries are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// A connection's periodic work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Work {
    Retries,
    Reconcile,
}

impl Fleet {
    pub(super) async fn periodic_loop(
        &self,
        mut stop: watch::Receiver<bool>,
    ) -> Result<(), EngineError> {
        let tick = self.inner.engine_config.tick;
        let mut running: JoinSet<(ConnectionId, Work)> = JoinSet::new();
        let mut busy: HashSet<(ConnectionId, Work)> = HashSet::new();
        let mut next_pass: HashMap<ConnectionId, Instant> = HashMap::new();
        let mut next_prune = Instant::now();
        loop {
            while let Some(done) = running.try_join_next() {
                match done {
                    Ok(work) => {
                        busy.remove(&work);
                    }
                    Err(error) => tracing::error!(%error, "a connection's periodic task failed"),
                }
            }
            if *stop.borrow() {
                // Passes in progress finish (their steps are recorded as they go).
                while let Some(done) = running.join_next().await {
                    if let Err(error) = done {
                        tracing::error!(%error, "a connection's periodic task failed");
                    }
                }
                return Ok(());
            }
            if let Err(error) = self.refresh().await {
                tracing::error!(%error, "reading the connections failed");
            }
            self.start_retries(&mut running, &mut busy).await;
            self.start_passes(&mut running, &mut busy, &mut next_pass);
            if Instant::now() >= next_prune {
                next_prune += PRUNE_EVERY;
                self.prune().await;
            }
            let dropped = self.inner.engines.drop_idle(self.inner.config.idle_after);
            if dropped > 0 {
                tracing::debug!(dropped, "idle connections' engines dropped");
            }
            tokio::select! {
                _ = tokio::time::sleep(tick) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// A retry task for each active connection with rows due and none running.
    async fn start_retries(
        &self,
        running: &mut JoinSet<(ConnectionId, Work)>,
        busy: &mut HashSet<(ConnectionId, Work)>,
    ) {
        let due = match self
            .inner
            .stores
            .ledger
            .rows_due_by_scope(self.now_ms())
            .await
        {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "reading due retries failed");
                return;
            }
        };
        for id in due.into_keys() {
            let Some(record) = self.active(&id) else {
                continue;
            };
            let work = (record.id.clone(), Work::Retries);
            if !busy.insert(work.clone()) {
                continue;
            }
            let fleet = self.clone();
            running.spawn(async move {
                if let Some(engine) = fleet.engine(&record).await
                    && let Err(error) = engine.retry_due().await
                {
                    tracing::error!(connection = %record.id, %error, "taking due retries failed");
                    fleet.report(&record.id, |r| r.last_error = Some(error.to_string()));
                }
                work
            });
        }
    }

    /// A reconciler pass for each active connection whose turn has come, at most
    /// `reconcile_concurrency` at once, those waiting longest first (so with more
    /// connections due than slots, none is passed over twice while another waits). A
    /// connection's first pass comes at an offset of its interval taken from its id, so
    /// a fleet that starts does not reconcile every connection at once.
    fn start_passes(
        &self,
        running: &mut JoinSet<(ConnectionId, Work)>,
        busy: &mut HashSet<(ConnectionId, Work)>,
        next_pass: &mut HashMap<ConnectionId, Instant>,
    ) {
        let now = Instant::now();
        let records = self.records();
        next_pass.retain(|id, _| records.iter().any(|r| &r.id == id));
        let mut due = Vec::new();
        for record in records {
            let Some(interval) = self.reconcile_interval(&record) else {
                continue;
            };
            let at = *next_pass
                .entry(record.id.clone())
                .or_insert_with(|| now + stagger(&record.id, interval));
            let work = (record.id.clone(), Work::Reconcile);
            if at <= now && !busy.contains(&work) && self.active(record.id.as_str()).is_some() {
                due.push((at, interval, record));
            }
        }
        let passes = busy.iter().filter(|(_, w)| *w == Work::Reconcile).count();
        let free = self
            .inner
            .config
            .reconcile_concurrency
            .saturating_sub(passes);
        for (interval, record) in longest_waiting(due, free) {
            busy.insert((record.id.clone(), Work::Reconcile));
            next_pass.insert(record.id.clone(), now + interval);
            let fleet = self.clone();
            running.spawn(async move {
                fleet.reconcile_one(&record).await;
                (record.id, Work::Reconcile)
            });
        }
    }

    /// One connection's pass (and its interview list, when its rules use tags).
    async fn reconcile_one(&self, record: &ConnectionRecord) {
        let Some(engine) = self.engine(record).await else {
            return;
        };
        if !engine.rules().interview_tags.is_empty()
            && let Err(error) = engine.refresh_interviews().await
        {
            tracing::warn!(connection = %record.id, %error, "reading Willo's interviews failed; tags keep the last list");
        }
        let started = Instant::now();
        let pass = engine.reconcile().await;
        let at_ms = self.now_ms();
        match &pass {
            Ok(report) => {
                report.log_summary(started.elapsed());
                let error = report.errors.first().cloned();
                self.report(&record.id, |r| {
                    r.last_reconcile_at_ms = Some(at_ms);
                    r.last_reconcile_error = error;
                });
            }
            Err(error) => {
                tracing::error!(connection = %record.id, %error, "reconciler pass failed");
                let error = error.to_string();
                self.report(&record.id, |r| {
                    r.last_reconcile_at_ms = Some(at_ms);
                    r.last_reconcile_error = Some(error);
                });
            }
        }
    }

    /// The connection's reconciler interval: its own, else the fleet's engine
    /// setting; `None` when off.
    fn reconcile_interval(&self, record: &ConnectionRecord) -> Option<Duration> {
        match record.config.engine.reconcile_interval_secs {
            Some(0) => None,
            Some(secs) => Some(Duration::from_secs(secs)),
            None => self.inner.engine_config.reconcile_interval,
        }
    }

    async fn prune(&self) {
        let Some(retention) = self.inner.engine_config.inbox_retention else {
            return;
        };
        let retention_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
        let before = self.now_ms().saturating_sub(retention_ms);
        match self.inner.stores.inbox.inbox_prune(before).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "old processed deliveries deleted"),
            Err(error) => tracing::error!(%error, "pruning the inbox failed"),
        }
    }
}

/// The `free` entries of `due` that have waited longest (earliest due time first).
fn longest_waiting<T>(mut due: Vec<(Instant, Duration, T)>, free: usize) -> Vec<(Duration, T)> {
    due.sort_by_key(|(at, _, _)| *at);
    due.into_iter()
        .take(free)
        .map(|(_, interval, item)| (interval, item))
        .collect()
}

/// Where in `interval` the connection `id`'s passes fall: the same offset on every
/// replica and after every restart of one build, spread evenly over many
/// connections.
fn stagger(id: &ConnectionId, interval: Duration) -> Duration {
    let mut hasher = DefaultHasher::new();
    id.hash(&mut hasher);
    let millis = u64::try_from(interval.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    Duration::from_millis(hasher.finish() % millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_go_to_those_waiting_longest() {
        let now = Instant::now();
        let second = Duration::from_secs(1);
        let due = vec![
            (now, second, "c"),
            (now - second * 3, second, "a"),
            (now - second, second, "b"),
        ];
        let chosen: Vec<&str> = longest_waiting(due, 2)
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        assert_eq!(chosen, vec!["a", "b"]);
    }

    #[test]
    fn passes_are_spread_over_the_interval() {
        let interval = Duration::from_secs(300);
        let offsets: Vec<Duration> = (0..100)
            .map(|i| stagger(&ConnectionId::new(format!("c{i}")).unwrap(), interval))
            .collect();
        assert!(offsets.iter().all(|offset| *offset < interval));
        // Every fifth of the interval holds some of them: not all at the start.
        for fifth in 0..5 {
            let (from, to) = (interval * fifth / 5, interval * (fifth + 1) / 5);
            assert!(offsets.iter().any(|o| *o >= from && *o < to), "{fifth}");
        }
        let id = ConnectionId::new("acme").unwrap();
        assert_eq!(stagger(&id, interval), stagger(&id, interval));
    }
}
