//! Events in: normalised ATS events, Willo deliveries, and the inbox that holds both
//! between the intake and the engine.

use futures::StreamExt as _;
use willo_client::webhooks::{Delivery, WebhookEvent};

use super::Engine;
use super::action::{Action, EngineError, Ignored};
use super::failure::millis;
use super::invite::InviteCause;
use super::sync::SyncCause;
use crate::model::{AtsEvent, AtsName};
use crate::store::{InboxItem, StoreError};
use crate::webhook::{DeliveryParticipant, Source, StoredDelivery, match_participant};

/// A delivery whose row another worker holds is not done: once that worker records
/// its step, nothing else looks at the row again (a synced row is not due), so the
/// news this delivery brings would be lost. It comes back after a backoff and is
/// acted on against Willo's state then.
fn come_back_if_busy(action: Action) -> Result<(), EngineError> {
    match action {
        Action::Busy { key } => Err(EngineError::RowBusy(key)),
        _ => Ok(()),
    }
}

/// When a delivery first comes back after finding its row busy; doubled with each
/// further attempt, and never later than the retry schedule's delay.
const BUSY_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Inbox items that keep failing are given up after this many attempts (and logged
/// as errors); the reconciler still catches what they were about.
const INBOX_MAX_ATTEMPTS: u32 = 20;

impl Engine {
    /// Act on one normalised event from the ATS named `ats`.
    pub async fn handle_ats_event(
        &self,
        ats: &AtsName,
        event: &AtsEvent,
    ) -> Result<Action, EngineError> {
        let connection = self.ats(ats)?.clone();
        match event {
            AtsEvent::StageChanged {
                application,
                stage,
                details,
            } => {
                match self
                    .choose_interview(&connection, &application.job, stage)
                    .await?
                {
                    Some(interview) => {
                        self.invite_knowing(
                            &connection,
                            application,
                            &interview,
                            InviteCause::Rule,
                            details.clone(),
                        )
                        .await
                    }
                    None => Ok(Action::Ignored(Ignored::NoRule)),
                }
            }
            AtsEvent::CandidateDeleted { candidate } => self.erase_candidate(ats, candidate).await,
            AtsEvent::ApplicationDeleted { application } => {
                self.erase_application(ats, application).await
            }
            AtsEvent::JobStatusChanged { job, state } => {
                // Its attributes may have changed too: read them again when needed.
                self.forget_job(ats, job);
                self.inner
                    .stores
                    .state
                    .set_job_state(ats, job, state, self.now_ms())
                    .await?;
                Ok(Action::JobStateRecorded {
                    ats: ats.clone(),
                    job: job.clone(),
                    state: state.clone(),
                })
            }
            AtsEvent::Unknown { name } => Ok(Action::Ignored(Ignored::UnknownEvent(name.clone()))),
        }
    }

    /// Act on a Willo webhook delivery (already checked against the URL token).
    pub async fn handle_willo_delivery(&self, delivery: &Delivery) -> Result<Action, EngineError> {
        let answered = match &delivery.event {
            Some(WebhookEvent::NewResponse) => true,
            // Reviewers' scores and comments: late results for a written row.
            Some(WebhookEvent::StageChange | WebhookEvent::NewScore | WebhookEvent::NewComment)
            | None => false,
            Some(other) => {
                return Ok(Action::Ignored(Ignored::UnknownEvent(other.to_string())));
            }
        };
        // Which of the body's keys is the participant's: the one the ledger knows.
        let participant =
            match match_participant(delivery, self.inner.stores.ledger.as_ref()).await? {
                DeliveryParticipant::Known(key) | DeliveryParticipant::Unknown(Some(key)) => key,
                DeliveryParticipant::Unknown(None) => {
                    return Ok(Action::Ignored(Ignored::UnknownParticipant));
                }
            };
        self.participant_news(&participant, SyncCause::Webhook { answered })
            .await
    }

    /// Take a batch of stored deliveries and act on them, `concurrency` at a time.
    /// Returns how many were taken.
    pub async fn process_inbox(&self) -> Result<usize, EngineError> {
        let config = &self.inner.config;
        let items = self.claim_inbox(config.inbox_batch).await?;
        let taken = items.len();
        futures::stream::iter(items)
            .for_each_concurrent(config.concurrency, |item| self.clone().handle_item(item))
            .await;
        Ok(taken)
    }

    /// Delete the processed deliveries older than
    /// [`EngineConfig::inbox_retention`](super::EngineConfig); returns how many (0 when
    /// retention is off). [`Engine::run`] does this hourly.
    pub async fn prune_inbox(&self) -> Result<u64, EngineError> {
        let Some(retention) = self.inner.config.inbox_retention else {
            return Ok(0);
        };
        let before = self.now_ms().saturating_sub(millis(retention));
        Ok(self.inner.stores.inbox.inbox_prune(before).await?)
    }

    /// Process one leased delivery, logging what could not be recorded. Takes the
    /// engine by value (a cheap handle) so the future owns everything and stays
    /// `Send` for `tokio::spawn`.
    pub(crate) async fn handle_item(self, item: InboxItem) {
        if let Err(error) = self.process_item(&item).await {
            tracing::error!(inbox_id = item.id, %error, "inbox bookkeeping failed");
        }
    }

    /// One inbox item: act, then mark it done or schedule it again. When another
    /// worker claimed the item meanwhile (this one was paused past its lease), the
    /// bookkeeping is theirs: the store refuses ours, and nothing is lost.
    async fn process_item(&self, item: &InboxItem) -> Result<(), EngineError> {
        match self.settle_item(item).await {
            Err(EngineError::Store(StoreError::Fenced(reason))) => {
                tracing::warn!(inbox_id = item.id, %reason, "delivery taken over by another worker");
                Ok(())
            }
            other => other,
        }
    }

    async fn settle_item(&self, item: &InboxItem) -> Result<(), EngineError> {
        let inbox = &self.inner.stores.inbox;
        match self.act_on_item(item).await {
            Ok(()) => inbox.inbox_done(item.id, item.fence, self.now_ms()).await?,
            // Not the delivery's fault: it waits for the credentials, however long.
            Err(error) if error.refuses_credentials() => {
                let connection = match &error {
                    EngineError::CredentialsRefused { connection, .. } => connection.clone(),
                    EngineError::Willo(_) => super::WILLO.to_owned(),
                    _ => item.source.clone(),
                };
                let reason = error.to_string();
                let delay = self.credentials_refused(&connection, &reason).await;
                let next = self.now_ms().saturating_add(millis(delay));
                inbox.inbox_park(item.id, item.fence, &reason, next).await?;
            }
            Err(error) if error.is_transient() && item.attempts + 1 < INBOX_MAX_ATTEMPTS => {
                let retry = self.inner.config.retry;
                let mut delay = retry.delay(item.attempts + 1, &item.dedupe_key);
                if error.is_busy() {
                    // Another worker holds the row for one step, which takes seconds:
                    // look again soon, not after a failure's backoff.
                    delay = delay.min(BUSY_RETRY.saturating_mul(1 << item.attempts.min(6)));
                }
                let next = self.now_ms().saturating_add(millis(delay));
                tracing::warn!(inbox_id = item.id, source = %item.source, %error, "delivery will be retried");
                inbox
                    .inbox_retry(item.id, item.fence, &error.to_string(), next)
                    .await?;
            }
            Err(error) => {
                tracing::error!(
                    inbox_id = item.id,
                    source = %item.source,
                    attempts = item.attempts + 1,
                    %error,
                    "delivery given up; the reconciler covers what it was about"
                );
                inbox.inbox_done(item.id, item.fence, self.now_ms()).await?;
            }
        }
        Ok(())
    }

    async fn act_on_item(&self, item: &InboxItem) -> Result<(), EngineError> {
        let delivery = StoredDelivery::from_inbox(item);
        match self.inner.sources.get(&item.source) {
            Some(Source::Willo(willo)) => {
                let action = self
                    .handle_willo_delivery(&willo.resolve(&delivery)?)
                    .await?;
                come_back_if_busy(action)?;
            }
            Some(Source::Ats(ats, webhooks)) => {
                let name = ats.name();
                for event in webhooks.resolve(&delivery).await? {
                    come_back_if_busy(self.handle_ats_event(&name, &event).await?)?;
                }
            }
            None => return Err(EngineError::UnknownAts(item.source.as_str().into())),
        }
        Ok(())
    }
}
