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
    /// learn it (and the candidate's details, handed on with the event so an invite
    /// reads nothing more), and an opportunity without a posting (a lead not applied
    /// to any job) yields [`AtsEvent::Unknown`] since no job rule can match it.
    /// `candidateDeleted` names the contact, or the opportunity when the delivery has
    /// no contact id.
    async fn resolve(&self, stored: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        let delivery: Delivery = serde_json::from_slice(&stored.body)
            .map_err(|e| AtsError::Invalid(format!("not a Lever delivery: {e}")))?;
        let event = match action(&delivery).map_err(|e| AtsError::Invalid(e.to_string()))? {
            Action::StageChange {
                opportunity,
                contact,
                to_stage,
            } => {
                let opportunity = self.with_applications(&opportunity).await?;
                match posting_of(&opportunity) {
                    Some(posting) => AtsEvent::StageChanged {
                        application: ApplicationRef {
                            application: opportunity.id.as_str().into(),
                            candidate: contact
                                .map_or_else(|| candidate_of(&opportunity), |c| c.as_str().into()),
                            job: posting.as_str().into(),
                        },
                        stage: to_stage.as_str().into(),
                        details: details_of(&opportunity),
                    },
                    None => AtsEvent::Unknown {
                        name: delivery.event.to_string(),
                    },
                }
            }
            Action::Deleted(candidate) => AtsEvent::CandidateDeleted {
                candidate: candidate.into(),
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
    /// Look the opportunity up to learn its posting, then report the stage change.
    StageChange {
        opportunity: lever_client::OpportunityId,
        contact: Option<lever_client::ContactId>,
        to_stage: lever_client::StageId,
    },
    /// Report the deletion of this candidate id.
    Deleted(String),
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
        Event::CandidateStageChange => Ok(Action::StageChange {
            opportunity: data
                .opportunity_id
                .clone()
                .ok_or_else(|| missing("opportunityId"))?,
            contact: data.contact_id.clone(),
            to_stage: data
                .to_stage_id
                .clone()
                .ok_or_else(|| missing("toStageId"))?,
        }),
        Event::CandidateDeleted => data
            .contact_id
            .as_ref()
            .map(|c| c.to_string())
            .or_else(|| data.opportunity_id.as_ref().map(|o| o.to_string()))
            .map(Action::Deleted)
            .ok_or_else(|| missing("contactId")),
        other => Ok(Action::Ignore(other.to_string())),
    }
}
