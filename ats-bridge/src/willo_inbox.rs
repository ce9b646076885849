//! How a Willo webhook delivery is kept in the store's inbox between the intake (which
//! checks the URL token and acknowledges) and the engine (which acts on it).
//!
//! Willo neither signs deliveries nor names them with an id, and the event is only
//! known from the URL it was delivered to. The inbox therefore keeps the event name
//! with the raw body, and deduplicates on a hash of both: Willo's repeats of one
//! delivery are stored once.

use client_core::webhook::sha256_hex;
use serde::{Deserialize, Serialize};
use willo_client::webhooks::{Delivery, VerifyError, WebhookEvent};

use crate::VerifiedDelivery;

/// The inbox `source` of Willo deliveries (ATS deliveries use the ATS connection's
/// name).
pub const WILLO_SOURCE: &str = "willo";

#[derive(Serialize, Deserialize)]
struct Stored {
    event: Option<String>,
    body: String,
}

/// A Willo delivery, checked by the caller, as the inbox keeps it.
pub fn willo_delivery_for_inbox(event: Option<&WebhookEvent>, body: &[u8]) -> VerifiedDelivery {
    let stored = Stored {
        event: event.map(ToString::to_string),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    let payload = serde_json::to_vec(&stored).expect("strings always serialise");
    VerifiedDelivery {
        dedupe_key: format!("sha256:{}", sha256_hex(&payload)),
        payload,
    }
}

/// Why a stored Willo payload could not be read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoredWilloError {
    /// The payload was not written by [`willo_delivery_for_inbox`].
    #[error("not a stored Willo delivery: {0}")]
    NotStored(#[source] serde_json::Error),
    /// The body does not name a participant (or is not JSON).
    #[error(transparent)]
    Delivery(#[from] VerifyError),
}

/// Read back a payload made by [`willo_delivery_for_inbox`].
pub fn willo_delivery_from_inbox(payload: &[u8]) -> Result<Delivery, StoredWilloError> {
    let stored: Stored = serde_json::from_slice(payload).map_err(StoredWilloError::NotStored)?;
    let event = stored.event.as_deref().map(WebhookEvent::from);
    Ok(Delivery::parse(stored.body.as_bytes(), event)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_delivery_survives_the_inbox_with_its_event() {
        let body = format!(r#"{{"participant": {{"key": "{P}"}}}}"#);
        let stored = willo_delivery_for_inbox(Some(&WebhookEvent::NewResponse), body.as_bytes());
        let delivery = willo_delivery_from_inbox(&stored.payload).unwrap();
        assert_eq!(delivery.participant_key.as_str(), P);
        assert_eq!(delivery.event, Some(WebhookEvent::NewResponse));
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
            willo_delivery_from_inbox(b"[1,2]"),
            Err(StoredWilloError::NotStored(_))
        ));
    }
}
