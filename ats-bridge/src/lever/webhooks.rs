//! Lever deliveries → normalised events.

use lever_client::webhooks::{Delivery, Event, VerifyError};

use crate::WebhookRejection;

/// The rejection for each verifier error.
pub(crate) fn rejection(error: VerifyError) -> WebhookRejection {
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
pub(crate) enum Action {
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
pub(crate) fn action(delivery: &Delivery) -> Result<Action, WebhookRejection> {
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
