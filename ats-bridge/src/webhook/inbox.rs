//! How a [`StoredDelivery`] is kept in the inbox's payload: the body as received when
//! the event is in it, else the event name and the body together.

use serde::{Deserialize, Serialize};

use super::StoredDelivery;

/// The inbox payload of a delivery whose event name travels outside its body.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WithEvent {
    event: Option<String>,
    body: String,
}

/// The bytes the inbox keeps for `delivery`.
pub(super) fn inbox_payload(delivery: &StoredDelivery) -> Vec<u8> {
    match &delivery.event {
        None => delivery.body.clone(),
        Some(event) => serde_json::to_vec(&WithEvent {
            event: Some(event.clone()),
            body: String::from_utf8_lossy(&delivery.body).into_owned(),
        })
        .expect("strings always serialise"),
    }
}

/// The delivery kept as `payload` by [`inbox_payload`] (or by an earlier version,
/// which wrapped Willo and SmartRecruiters bodies the same way).
pub(super) fn stored_delivery(payload: &[u8]) -> StoredDelivery {
    match serde_json::from_slice::<WithEvent>(payload) {
        Ok(WithEvent { event, body }) => StoredDelivery {
            event,
            body: body.into_bytes(),
        },
        Err(_) => StoredDelivery::new(payload),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_come_back_as_they_went_in() {
        for delivery in [
            StoredDelivery::new(br#"{"token": "t", "event": "candidateDeleted"}"#.to_vec()),
            StoredDelivery::new(br#"{"id": "a1"}"#.to_vec()).event("application.status.updated"),
            StoredDelivery::new(b"not json".to_vec()),
        ] {
            assert_eq!(stored_delivery(&inbox_payload(&delivery)), delivery);
        }
    }

    #[test]
    fn earlier_willo_payloads_are_read() {
        let stored = br#"{"event":null,"body":"{\"participant_key\":\"k\"}"}"#;
        let delivery = stored_delivery(stored);
        assert_eq!(delivery.event, None);
        assert_eq!(delivery.body, br#"{"participant_key":"k"}"#);
    }
}
