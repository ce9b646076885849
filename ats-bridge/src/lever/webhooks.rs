//! Lever as a webhook source: verified deliveries and the events they resolve to.

use async_trait::async_trait;
use lever_client::webhooks::{Delivery, Event, VerifyError};

use super::{LeverAts, candidate_of, details_of, posting_of};
use crate::model::{ApplicationRef, AtsEvent};
use crate::webhook::{
    AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookEventsError, WebhookRejection,
    WebhookRequest, WebhookSource,
};
use crate::{AtsError, AtsResult};

impl WebhookSource for LeverAts {
    /// Lever signs body fields (`token` + `triggeredAt`), so headers are not read.
    /// The dedupe key is the delivery `token`; a stage change or deletion without the
    /// ids it needs is refused here as malformed.
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        let verifier = self
            .verifier
            .as_ref()
            .ok_or(WebhookRejection::BadSignature)?;
        let delivery = verifier.verify(request).map_err(rejection)?;
        action(&delivery)?;
        Ok(VerifiedDelivery::new(
            delivery.token,
            StoredDelivery::new(request.body()),
        ))
    }
}

#[async_trait]
impl AtsWebhooks for LeverAts {
    /// A `candidateStageChange` carries no posting: the opportunity is fetched to
    /// learn it, its current stage and its contact (Lever signs only the delivery's
    /// token and time, so the body's `toStageId` and `contactId` are not trusted), and
    /// the candidate's details, handed on with the event so an invite reads nothing
    /// more. An opportunity without a posting (a lead not applied to any job) or
    /// without a stage yields [`AtsEvent::Unknown`] since no rule can match it.
    /// `candidateDeleted` names the contact, or the opportunity when the delivery has
    /// no contact id.
    async fn resolve(&self, stored: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        let delivery: Delivery = serde_json::from_slice(&stored.body)
            .map_err(|e| AtsError::Invalid(format!("not a Lever delivery: {e}")))?;
        let event = match action(&delivery).map_err(|e| AtsError::Invalid(e.to_string()))? {
            Action::StageChange { opportunity } => {
                // Lever signs only `token` and `triggeredAt`: the body's stage and contact
                // are claims. The opportunity is read anyway (for its posting), so the
                // stage and the person come from it, as they are now.
                let opportunity = self.with_applications(&opportunity).await?;
                let stage = opportunity.stage.as_ref().and_then(|stage| stage.id());
                match (posting_of(&opportunity), stage) {
                    (Some(posting), Some(stage)) => AtsEvent::StageChanged {
                        application: ApplicationRef {
                            application: opportunity.id.as_str().into(),
                            candidate: candidate_of(&opportunity),
                            job: posting.as_str().into(),
                        },
                        stage: stage.as_str().into(),
                        details: details_of(&opportunity),
                    },
                    _ => AtsEvent::Unknown {
                        name: delivery.event.to_string(),
                    },
                }
            }
            Action::Deleted(candidate) => AtsEvent::CandidateDeleted {
                candidate: candidate.into(),
            },
            Action::OpportunityDeleted(opportunity) => AtsEvent::ApplicationDeleted {
                application: opportunity.into(),
            },
            Action::Ignore(name) => AtsEvent::Unknown { name },
        };
        Ok(vec![event])
    }

    /// Verify, resolve, then consult the configured replay guard: for callers
    /// without an inbox (the intake deduplicates on the delivery token instead).
    async fn events(
        &self,
        request: &WebhookRequest<'_>,
    ) -> Result<Vec<AtsEvent>, WebhookEventsError> {
        let verified = self.verify(request)?;
        let events = self.resolve(&verified.delivery).await?;
        // Checked last: a delivery whose lookup failed above is retried by Lever with
        // the same token and must not be refused as a replay then.
        if !self
            .config
            .replay_guard
            .first_sighting(&verified.dedupe_key)
        {
            return Err(WebhookRejection::Replayed.into());
        }
        Ok(events)
    }
}

/// The rejection for each verifier error.
fn rejection(error: VerifyError) -> WebhookRejection {
    match error {
        VerifyError::BadSignature => WebhookRejection::BadSignature,
        VerifyError::Stale { .. } => WebhookRejection::Stale,
        VerifyError::Replayed => WebhookRejection::Replayed,
        // The verifier's message names the missing field, never body values.
        VerifyError::Malformed(message) => WebhookRejection::Malformed(message),
        other => WebhookRejection::Malformed(other.to_string()),
    }
}

/// What a verified delivery asks the adapter to do.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    /// Read the opportunity (its posting, stage and contact), then report the stage
    /// change it shows.
    StageChange {
        opportunity: lever_client::OpportunityId,
    },
    /// Report the deletion of this candidate (contact) id.
    Deleted(String),
    /// Report the deletion of this opportunity, whose contact the delivery did not
    /// name (the ledger keys rows by contact, so the engine looks it up).
    OpportunityDeleted(String),
    /// Nothing to do: report the event name.
    Ignore(String),
}

/// Decide what `delivery` means. A stage change or deletion without the ids it needs
/// is malformed (Lever documents them on every such delivery).
fn action(delivery: &Delivery) -> Result<Action, WebhookRejection> {
    let data = &delivery.data;
    let missing =
        |field: &str| WebhookRejection::Malformed(format!("{} without `{field}`", delivery.event));
    match &delivery.event {
        Event::CandidateStageChange => {
            // Lever documents `toStageId` on every stage change: without it the body is
            // not one, even though the stage acted on is the one read from the API.
            data.to_stage_id
                .as_ref()
                .ok_or_else(|| missing("toStageId"))?;
            Ok(Action::StageChange {
                opportunity: data
                    .opportunity_id
                    .clone()
                    .ok_or_else(|| missing("opportunityId"))?,
            })
        }
        Event::CandidateDeleted => {
            if let Some(contact) = &data.contact_id {
                Ok(Action::Deleted(contact.to_string()))
            } else if let Some(opportunity) = &data.opportunity_id {
                Ok(Action::OpportunityDeleted(opportunity.to_string()))
            } else {
                Err(missing("contactId"))
            }
        }
        other => Ok(Action::Ignore(other.to_string())),
    }
}
