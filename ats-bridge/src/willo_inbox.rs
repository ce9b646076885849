//! How a Willo webhook delivery is kept in the store's inbox between the intake (which
//! checks the URL token and acknowledges) and the engine (which acts on it).
//!
//! Willo neither signs deliveries nor names them with an id, and the event is only
//! known from the URL it was delivered to. The inbox therefore keeps the event name
//! in its `event` column beside the raw body, and deduplicates on a hash of both:
//! Willo's repeats of one delivery are stored once.

use client_core::webhook::sha256_hex;
use serde::Serialize;
use willo_client::webhooks::{DeliveryError, WebhookDelivery, WebhookEvent};

use crate::VerifiedDelivery;
use crate::store::InboxItem;

/// The inbox `source` of Willo deliveries (ATS deliveries use the ATS connection's
/// name).
pub const WILLO_SOURCE: &str = "willo";

/// What the dedupe key hashes: the event and the body, as JSON. (Until the store's
/// redesign this was also the stored payload; the key is kept as it was, so a
/// repeat of a delivery received before an upgrade is still recognised.)
#[derive(Serialize)]
struct Hashed {
    event: Option<String>,
    body: String,
}

/// A Willo delivery, checked by the caller, as the inbox keeps it: the raw body, and
/// a dedupe key over the event and the body. The event goes into the inbox's `event`
/// column ([`crate::store::NewDelivery::event`], as `event.to_string()`).
pub fn willo_delivery_for_inbox(event: Option<&WebhookEvent>, body: &[u8]) -> VerifiedDelivery {
    let hashed = Hashed {
        event: event.map(ToString::to_string),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    let hashed = serde_json::to_vec(&hashed).expect("strings always serialise");
    VerifiedDelivery {
        dedupe_key: format!("sha256:{}", sha256_hex(&hashed)),
        payload: body.to_vec(),
    }
}

/// Why a stored Willo delivery could not be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoredWilloError {
    /// The body does not name a participant (or is not JSON).
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
}

/// Read back a Willo delivery from the inbox: its body, with the event of its
/// `event` column.
pub fn willo_delivery_from_inbox(item: &InboxItem) -> Result<WebhookDelivery, StoredWilloError> {
    let event = item.event.as_deref().map(WebhookEvent::from);
    Ok(WebhookDelivery::parse(&item.payload, event)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn item(event: Option<&WebhookEvent>, payload: Vec<u8>) -> InboxItem {
        InboxItem {
            id: 1,
            source: WILLO_SOURCE.into(),
            dedupe_key: "k".into(),
            event: event.map(ToString::to_string),
            payload,
            attempts: 0,
        }
    }

    #[test]
    fn a_delivery_survives_the_inbox_with_its_event() {
        let body = format!(r#"{{"participant": {{"key": "{P}"}}}}"#);
        let event = WebhookEvent::NewResponse;
        let stored = willo_delivery_for_inbox(Some(&event), body.as_bytes());
        assert_eq!(stored.payload, body.as_bytes(), "the body is kept raw");
        let delivery = willo_delivery_from_inbox(&item(Some(&event), stored.payload)).unwrap();
        assert_eq!(delivery.participant_key.as_str(), P);
        assert_eq!(delivery.event, Some(WebhookEvent::NewResponse));
    }

    #[test]
    fn the_dedupe_key_is_the_hash_it_was_before_the_event_column() {
        // sha256 of {"event":"new_response","body":"{}"}, as stored by earlier versions.
        let stored = willo_delivery_for_inbox(Some(&WebhookEvent::NewResponse), b"{}");
        let wrapper = br#"{"event":"new_response","body":"{}"}"#;
        assert_eq!(stored.dedupe_key, format!("sha256:{}", sha256_hex(wrapper)));
    }

    #[test]
    fn repeats_share_a_key_and_other_events_do_not() {
        let body = format!(r#"{{"participant_key": "{P}"}}"#);
        let once = willo_delivery_for_inbox(Some(&WebhookEvent::NewResponse), body.as_bytes());
        let again = willo_delivery_for_inbox(Some(&WebhookEvent::NewResponse), body.as_bytes());
        let other = willo_delivery_for_inbox(Some(&WebhookEvent::StageChange), body.as_bytes());
        assert_eq!(once.dedupe_key, again.dedupe_key);
        assert_ne!(once.dedupe_key, other.dedupe_key);
    }

    #[test]
    fn a_foreign_payload_is_an_error() {
        assert!(matches!(
            willo_delivery_from_inbox(&item(None, b"[1,2]".to_vec())),
            Err(StoredWilloError::Delivery(_))
        ));
    }
}
