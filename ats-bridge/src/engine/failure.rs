//! Turning a failed step into a ledger entry: retried later, or failed with a reason.
//! Nothing is dropped silently.

use std::time::Duration;

use super::Engine;
use super::action::{Action, Ignored};
use crate::AtsError;
use crate::store::{Fence, LedgerKey, LedgerRow, RowState, StoreError, StoreResult};

/// A step that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// May succeed later (throttling, 5xx, timeouts, network).
    Retryable(String),
    /// Will not succeed without a change (bad phone, missing job, missing scope).
    Permanent(String),
    /// The vendor refused the credentials of `connection` (`willo` or the ATS
    /// connection's name): parked until they work again, never failed.
    Credentials {
        /// Whose credentials.
        connection: Holder,
        /// What the vendor said.
        reason: String,
    },
}

/// Whose credentials a refused call used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Holder {
    Willo,
    /// The ATS of the row the step is about.
    Ats,
}

/// Whether `error` is the vendor refusing the credentials (not the row's fault).
pub(crate) fn refuses_credentials(error: &client_core::Error) -> bool {
    matches!(
        error,
        client_core::Error::Unauthorized(_) | client_core::Error::ReauthorizationRequired { .. }
    )
}

impl Failure {
    /// What went wrong, whatever the kind.
    pub(crate) fn into_reason(self) -> String {
        match self {
            Failure::Retryable(reason)
            | Failure::Permanent(reason)
            | Failure::Credentials { reason, .. } => reason,
        }
    }

    pub(crate) fn from_ats(step: &str, error: &AtsError) -> Self {
        let reason = format!("{step}: {error}");
        if matches!(error, AtsError::Api(e) if refuses_credentials(e)) {
            Failure::Credentials {
                connection: Holder::Ats,
                reason,
            }
        } else if error.is_transient() {
            Failure::Retryable(reason)
        } else {
            Failure::Permanent(reason)
        }
    }

    pub(crate) fn from_willo(step: &str, error: &client_core::Error) -> Self {
        let reason = format!("{step}: {error}");
        if refuses_credentials(error) {
            Failure::Credentials {
                connection: Holder::Willo,
                reason,
            }
        } else if error.is_transient() {
            Failure::Retryable(reason)
        } else {
            Failure::Permanent(reason)
        }
    }
}

impl Engine {
    /// Record `failure` on the row that was attempted `attempts` times before: a
    /// retry with backoff, or — when permanent or out of attempts — failed.
    /// `fence` is the caller's claim (`None` without one); when another worker took
    /// the row since, nothing is recorded and the row is [`Action::Busy`] (theirs).
    pub(crate) async fn record_failure(
        &self,
        key: &LedgerKey,
        attempts: u32,
        fence: Option<Fence>,
        failure: Failure,
    ) -> StoreResult<Action> {
        let now = self.now_ms();
        let schedule = self.inner.config.retry;
        let reason = match failure {
            Failure::Credentials { connection, reason } => {
                let connection = match connection {
                    Holder::Willo => super::WILLO,
                    Holder::Ats => key.ats.as_str(),
                };
                return self.park(key, connection, fence, reason).await;
            }
            Failure::Retryable(reason) if attempts + 1 < schedule.max_attempts => {
                let delay = schedule.delay(attempts + 1, &key.to_string());
                let next_attempt_at_ms = now.saturating_add(millis(delay));
                tracing::warn!(row = %key, attempt = attempts + 1, %reason, "step failed; will retry");
                match self
                    .inner
                    .stores
                    .ledger
                    .record_retry(key, &reason, next_attempt_at_ms, fence, now)
                    .await
                {
                    Ok(()) => {}
                    Err(StoreError::Conflict(_)) => return self.stopped(key).await,
                    Err(StoreError::Fenced(lost)) => return Ok(self.lease_lost(key, &lost)),
                    Err(other) => return Err(other),
                }
                return Ok(Action::Rescheduled {
                    key: key.clone(),
                    reason,
                    next_attempt_at_ms,
                });
            }
            Failure::Retryable(reason) => {
                format!("gave up after {} attempts: {reason}", attempts + 1)
            }
            Failure::Permanent(reason) => reason,
        };
        tracing::error!(row = %key, %reason, "step failed permanently");
        match self
            .inner
            .stores
            .ledger
            .record_failed(key, &reason, fence, now)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return self.stopped(key).await,
            Err(StoreError::Fenced(lost)) => return Ok(self.lease_lost(key, &lost)),
            Err(other) => return Err(other),
        }
        Ok(Action::Failed {
            key: key.clone(),
            reason,
        })
    }
}

impl Engine {
    /// Park the row while `connection`'s credentials are refused: rescheduled after
    /// the probe delay, attempts untouched.
    async fn park(
        &self,
        key: &LedgerKey,
        connection: &str,
        fence: Option<Fence>,
        reason: String,
    ) -> StoreResult<Action> {
        let now = self.now_ms();
        let delay = self.credentials_refused(connection, &reason).await;
        let next_attempt_at_ms = now.saturating_add(millis(delay));
        match self
            .inner
            .stores
            .ledger
            .record_parked(key, &reason, next_attempt_at_ms, fence, now)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return self.stopped(key).await,
            Err(StoreError::Fenced(lost)) => return Ok(self.lease_lost(key, &lost)),
            Err(other) => return Err(other),
        }
        tracing::warn!(row = %key, %connection, "parked: credentials refused");
        Ok(Action::Parked {
            key: key.clone(),
            connection: connection.to_owned(),
            next_attempt_at_ms,
        })
    }

    /// Run a claimed step, giving up before its lease runs out. Past the lease another
    /// worker may claim the row and repeat the step while this one is still writing:
    /// a step throttled for that long is stopped and rescheduled instead. (A request
    /// already sent when the deadline hits may still take effect, as with any
    /// timeout; the adapters' write-backs tolerate a repeat except for the note.)
    pub(crate) async fn within_lease(
        &self,
        claimed: &LedgerRow,
        step: impl std::future::Future<Output = Result<Action, super::EngineError>>,
    ) -> Result<Action, super::EngineError> {
        let deadline = self.inner.config.lease.mul_f64(STEP_SHARE_OF_LEASE);
        match tokio::time::timeout(deadline, step).await {
            Ok(done) => done,
            Err(_) => {
                let failure = Failure::Retryable(format!(
                    "the step took longer than {deadline:?} (its share of the lease)"
                ));
                let (key, fence) = (&claimed.key, Some(claimed.fence));
                Ok(self
                    .record_failure(key, claimed.attempts, fence, failure)
                    .await?)
            }
        }
    }

    /// The answer when the store refused a result because another worker claimed
    /// the row since (this one outlived its lease): the row is theirs now.
    pub(crate) fn lease_lost(&self, key: &LedgerKey, reason: &str) -> Action {
        tracing::warn!(row = %key, %reason, "lease lost; the row's new holder carries on");
        Action::Busy { key: key.clone() }
    }

    /// The answer when a row changed under a step (the candidate was deleted, an
    /// operator failed or re-drove it): report where it stands, not an error.
    pub(crate) async fn stopped(&self, key: &LedgerKey) -> StoreResult<Action> {
        let state = self
            .inner
            .stores
            .ledger
            .row(key)
            .await?
            .map_or(RowState::Cancelled, |row| row.state);
        tracing::info!(row = %key, %state, "row stopped while a step ran");
        Ok(Action::Ignored(Ignored::RowStopped(state)))
    }
}

/// How much of a lease a claimed step may use; the rest is margin for recording the
/// result before another worker may take the row.
const STEP_SHARE_OF_LEASE: f64 = 0.8;

pub(crate) fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
