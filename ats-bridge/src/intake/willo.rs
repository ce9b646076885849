//! Admitting a Willo delivery: the URL token, the event named by the URL, a body that
//! names a participant.
//!
//! Willo signs nothing; the secret is the `token` query parameter of the URL the
//! bridge registered (`willo_client::webhooks::registration_url`). Bodies carry no
//! event name, so the URL names it: the path (`/webhooks/willo/{event}`) or the
//! `event` query parameter, the path winning when both are present. A URL naming no
//! event is accepted (the delivery is kept without one, and the engine asks Willo
//! about the participant); a URL naming an event Willo does not send is refused.
//!
//! Willo does not document the content type of deliveries, so it is not checked; the
//! body must be a JSON object instead (the only shape seen from Willo).

use client_core::SecretString;
use willo_client::webhooks::{
    DeliveryUrl, VerifyError, WebhookEvent, WebhookRequest, WebhookVerifier,
};

use super::{IntakeRejection, IntakeRequest};
use crate::willo_inbox::willo_delivery_for_inbox;
use crate::{VerifiedDelivery, WebhookRejection};

/// Check a Willo delivery against the configured `tokens` (several during a rotation)
/// and shape it for the inbox.
pub(super) fn admit(
    tokens: &[SecretString],
    request: &IntakeRequest<'_>,
) -> Result<VerifiedDelivery, IntakeRejection> {
    let Some((first, others)) = tokens.split_first() else {
        return Err(IntakeRejection::BadToken);
    };
    let verifier = others
        .iter()
        .fold(WebhookVerifier::new(first.clone()), |verifier, token| {
            verifier.also_accept(token.clone())
        });
    let verified =
        verifier.verify(&WebhookRequest::new(request.headers, request.body).query(request.query));
    if let Err(VerifyError::MissingToken | VerifyError::BadToken) = verified {
        return Err(IntakeRejection::BadToken);
    }
    // The path names the event too, and wins over the query's.
    let url = DeliveryUrl::from_query(request.query.unwrap_or_default());
    let event = request.event.map(WebhookEvent::from).or(url.event);
    if let Some(event) = &event {
        if !WebhookEvent::ALL.contains(event) {
            return Err(IntakeRejection::unknown_event(event.as_str()));
        }
    }
    match verified {
        Ok(_) => Ok(willo_delivery_for_inbox(event.as_ref(), request.body)),
        Err(VerifyError::NotJson(_)) => Err(IntakeRejection::InvalidJson),
        Err(VerifyError::NoParticipantKey) => Err(IntakeRejection::Unmatched),
        // Not an object: the message names the shape only.
        Err(other) => Err(WebhookRejection::Malformed(other.to_string()).into()),
    }
}
