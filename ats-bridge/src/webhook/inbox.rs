//! Inbox rows that version 0.1 kept: the event name and the body wrapped together in
//! one JSON payload. The schema migration unwraps Willo's; SmartRecruiters' (stored
//! under a connection name the migration cannot know) are unwrapped when read.

use serde::Deserialize;

use super::StoredDelivery;

/// The 0.1 wrapper: exactly these two fields, so no vendor's own body matches it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Wrapped {
    event: Option<String>,
    body: String,
}

/// The delivery a payload without an event column holds: unwrapped if 0.1 wrapped
/// it, else the body as it is.
pub(super) fn unwrap_0_1(payload: &[u8]) -> StoredDelivery {
    match serde_json::from_slice::<Wrapped>(payload) {
        Ok(Wrapped { event, body }) => StoredDelivery {
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
    fn a_smartrecruiters_row_of_0_1_is_unwrapped() {
        let stored = br#"{"event":"application.status.updated","body":"{\"id\":\"a1\"}"}"#;
        let delivery = unwrap_0_1(stored);
        assert_eq!(
            delivery.event.as_deref(),
            Some("application.status.updated")
        );
        assert_eq!(delivery.body, br#"{"id":"a1"}"#);
    }

    #[test]
    fn vendor_bodies_are_kept_as_they_are() {
        for body in [
            &br#"{"event": "candidateDeleted", "token": "t", "data": {}}"#[..],
            br#"{"event": "x", "body": "y", "extra": 1}"#,
            b"not json",
        ] {
            assert_eq!(unwrap_0_1(body), StoredDelivery::new(body));
        }
    }
}
