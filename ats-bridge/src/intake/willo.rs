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

use client_core::{ExposeSecret, SecretString};
use willo_client::webhooks::{
    DeliveryError, DeliveryUrl, WebhookDelivery, WebhookEvent, verify_url_token,
};

use super::{IntakeRejection, IntakeRequest};
use crate::willo_inbox::willo_delivery_for_inbox;
use crate::{VerifiedDelivery, WebhookRejection};

/// Check a Willo delivery against the configured `tokens` (several during a rotation)
/// and shape it for the inbox: the delivery and the event the URL named.
pub(super) fn admit(
    tokens: &[SecretString],
    request: &IntakeRequest<'_>,
) -> Result<(VerifiedDelivery, Option<String>), IntakeRejection> {
    let url = DeliveryUrl::from_query(request.query.unwrap_or_default());
    let received = url.token.as_deref().unwrap_or_default();
    // Every token is compared, so timing tells nothing about which one matched.
    let matched = tokens.iter().fold(false, |matched, token| {
        matched | verify_url_token(received, token.expose_secret())
    });
    if !matched {
        return Err(IntakeRejection::BadToken);
    }
    let event = request.event.map(WebhookEvent::from).or(url.event);
    if let Some(event) = &event {
        if !WebhookEvent::ALL.contains(event) {
            return Err(IntakeRejection::unknown_event(event.as_str()));
        }
    }
    match WebhookDelivery::parse(request.body, event.clone()) {
        Ok(_) => Ok((
            willo_delivery_for_inbox(event.as_ref(), request.body),
            event.map(|event| event.to_string()),
        )),
        Err(DeliveryError::NotJson(_)) => Err(IntakeRejection::InvalidJson),
        Err(DeliveryError::NoParticipantKey) => Err(IntakeRejection::Unmatched),
        // Not an object: the message names the shape only.
        Err(other) => Err(WebhookRejection::Malformed(other.to_string()).into()),
    }
}
