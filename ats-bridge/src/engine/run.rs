//! The long-running workers: inbox, retries, reconciler; and a graceful stop.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

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
        let (stop_tx, stop_rx) = watch::channel(false);
        let workers = async {
            tokio::try_join!(
                self.inbox_loop(stop_rx.clone()),
                self.retry_loop(stop_rx.clone()),
                self.reconcile_loop(stop_rx.clone()),
            )
            .map(drop)
        };
        let stop = async {
            shutdown.await;
            tracing::info!("engine stopping: finishing work in progress");
            let _ = stop_tx.send(true);
        };
        let (result, ()) = tokio::join!(workers, stop);
        result
    }

    async fn inbox_loop(&self, mut stop: watch::Receiver<bool>) -> Result<(), EngineError> {
        let signal = self.inbox_signal();
        while !*stop.borrow() {
            match self.process_inbox().await {
                // A full batch: there may be more; go on at once.
                Ok(taken) if taken >= self.inner.config.inbox_batch => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "reading the inbox failed"),
            }
            tokio::select! {
                _ = signal.notified() => {}
                _ = tokio::time::sleep(self.inner.config.tick) => {}
                _ = stop.changed() => {}
            }
        }
        Ok(())
    }

    async fn retry_loop(&self, mut stop: watch::Receiver<bool>) -> Result<(), EngineError> {
        while !*stop.borrow() {
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
            match self.reconcile().await {
                Ok(report) if !report.errors.is_empty() => {
                    tracing::warn!(errors = ?report.errors, "reconciler pass had errors");
                }
                Ok(report) => tracing::debug!(?report, "reconciler pass done"),
                Err(error) => tracing::error!(%error, "reconciler pass failed"),
            }
            wait(&mut stop, interval).await;
        }
        Ok(())
    }
}

/// Sleep for `period` or until told to stop.
async fn wait(stop: &mut watch::Receiver<bool>, period: Duration) {
    tokio::select! {
        _ = tokio::time::sleep(period) => {}
        _ = stop.changed() => {}
    }
}
