//! The long-running workers: inbox, retries, reconciler; and a graceful stop.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::Engine;
use super::action::EngineError;

impl Engine {
    /// Run until `shutdown` completes: read the inbox whenever the intake signals (and
    /// on every tick), take due retries on every tick, and reconcile on the configured
    /// interval (the first pass at start, to catch what happened while stopped).
    ///
    /// On shutdown no new work is started; work in progress finishes and is recorded,
    /// so a stop never leaves a step half done (leases of a killed process expire and
    /// another replica takes over).
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<(), EngineError> {
        run_until(shutdown, |stop| async move {
            tokio::try_join!(
                self.inbox_loop(stop.clone()),
                self.retry_loop(stop.clone()),
                self.reconcile_loop(stop.clone()),
                self.interview_loop(stop.clone()),
            )
            .map(drop)
        })
        .await
    }

    /// Keeps up to `concurrency` deliveries in progress, taking more from the inbox
    /// once half the slots are free rather than batch by batch, so a batch's slowest
    /// delivery never leaves the vendors idle (and the inbox is not queried once per
    /// delivery). Only free slots are claimed, so no delivery waits long under its
    /// lease.
    ///
    /// Each delivery runs on a task of its own: a delivery left unpolled while this
    /// loop awaits the store could hold a pooled connection the loop is waiting for.
    /// Dropping the loop (an engine killed) aborts them, as a crash would.
    async fn inbox_loop(&self, mut stop: watch::Receiver<bool>) -> Result<(), EngineError> {
        let signal = self.inbox_signal();
        let slots = self.inner.config.concurrency.max(1);
        let mut in_progress = JoinSet::new();
        // Whether the inbox may hold more than the last claim took.
        let mut maybe_more = true;
        loop {
            let stopping = *stop.borrow();
            if stopping && in_progress.is_empty() {
                return Ok(());
            }
            let free = slots.saturating_sub(in_progress.len());
            let worth_a_claim = free > 0 && (free * 2 >= slots || in_progress.is_empty());
            if !stopping && maybe_more && worth_a_claim {
                match self.claim_inbox(free).await {
                    Ok(items) => {
                        maybe_more = items.len() == free;
                        for item in items {
                            in_progress.spawn(self.clone().handle_item(item));
                        }
                    }
                    Err(error) => {
                        maybe_more = false;
                        tracing::error!(%error, "reading the inbox failed");
                    }
                }
            }
            tokio::select! {
                Some(done) = in_progress.join_next(), if !in_progress.is_empty() => {
                    if let Err(error) = done {
                        tracing::error!(%error, "an inbox delivery's task failed");
                    }
                }
                _ = signal.notified(), if !stopping => maybe_more = true,
                _ = tokio::time::sleep(self.inner.config.tick), if !stopping => maybe_more = true,
                _ = stop.changed(), if !stopping => {}
            }
        }
    }

    /// Due retries every tick; old processed deliveries pruned at start and hourly.
    async fn retry_loop(&self, mut stop: watch::Receiver<bool>) -> Result<(), EngineError> {
        let mut next_prune = tokio::time::Instant::now();
        while !*stop.borrow() {
            if tokio::time::Instant::now() >= next_prune {
                next_prune += PRUNE_EVERY;
                match self.prune_inbox().await {
                    Ok(0) => {}
                    Ok(pruned) => tracing::info!(pruned, "old processed deliveries deleted"),
                    Err(error) => tracing::error!(%error, "pruning the inbox failed"),
                }
            }
            match self.retry_due().await {
                Ok(taken) if taken >= self.inner.config.inbox_batch => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "taking due retries failed"),
            }
            wait(&mut stop, self.inner.config.tick).await;
        }
        Ok(())
    }

    async fn reconcile_loop(&self, mut stop: watch::Receiver<bool>) -> Result<(), EngineError> {
        let Some(interval) = self.inner.config.reconcile_interval else {
            return Ok(());
        };
        while !*stop.borrow() {
            let started = tokio::time::Instant::now();
            let pass = self.reconcile().await;
            let took = started.elapsed();
            crate::metrics::reconcile_pass(took.as_secs_f64(), &pass);
            match pass {
                Ok(report) => report.log_summary(took),
                Err(error) => tracing::error!(%error, "reconciler pass failed"),
            }
            wait(&mut stop, interval).await;
        }
        Ok(())
    }
}

impl Engine {
    /// Willo's interview list read again on its interval, for interview tag rules
    /// (none: nothing to do).
    async fn interview_loop(&self, mut stop: watch::Receiver<bool>) -> Result<(), EngineError> {
        let Some(interval) = self.inner.config.interview_refresh else {
            return Ok(());
        };
        if self.inner.rules.interview_tags.is_empty() {
            return Ok(());
        }
        while !*stop.borrow() {
            if let Err(error) = self.refresh_interviews().await {
                tracing::warn!(%error, "reading Willo's interviews failed; tags keep the last list");
            }
            wait(&mut stop, interval).await;
        }
        Ok(())
    }
}

/// Run `workers` until `shutdown` completes, then tell them to stop (through the
/// receiver they were given) and wait for them to finish their work in progress.
pub(crate) async fn run_until<F>(
    shutdown: impl Future<Output = ()>,
    workers: impl FnOnce(watch::Receiver<bool>) -> F,
) -> Result<(), EngineError>
where
    F: Future<Output = Result<(), EngineError>>,
{
    let (stop_tx, stop_rx) = watch::channel(false);
    let stop = async {
        shutdown.await;
        tracing::info!("engine stopping: finishing work in progress");
        let _ = stop_tx.send(true);
    };
    let (result, ()) = tokio::join!(workers(stop_rx), stop);
    result
}

/// How often [`Engine::run`] deletes processed deliveries past their retention.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Sleep for `period` or until told to stop.
async fn wait(stop: &mut watch::Receiver<bool>, period: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(period) => {}
        _ = stop.changed() => {}
    }
}
