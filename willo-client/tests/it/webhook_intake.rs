//! Receiving deliveries: URL token and event, tolerant body parsing.

use serde_json::json;
use willo_client::webhooks::{
    DeliveryError, DeliveryUrl, WebhookDelivery, WebhookEvent, verify_url_token,
};

const P: &str = "5b0c3e8a9d7f4e21a3c6b8d9e0f1a2b3";
const I: &str = "1e2048a686804049b128f1357c559cbf";

fn parse(body: serde_json::Value, hint: Option<WebhookEvent>) -> WebhookDelivery {
    WebhookDelivery::parse(body.to_string().as_bytes(), hint).unwrap()
}

#[test]
fn token_and_event_come_from_the_url() {
    let url = DeliveryUrl::from_query("?token=abc%2B1&event=new_comment&x=1");
    assert_eq!(url.token.as_deref(), Some("abc+1"));
    assert_eq!(url.event, Some(WebhookEvent::NewComment));
    assert!(url.token_matches("abc+1"));
    assert!(!url.token_matches("abc+2"));
    assert!(!DeliveryUrl::from_query("event=new_score").token_matches("abc"));
    assert!(verify_url_token("same", "same"));
    assert!(!verify_url_token("same", "Same"));
    assert_eq!(
        DeliveryUrl::from_query("event=something_new").event,
        Some(WebhookEvent::Other("something_new".into()))
    );
}

#[test]
fn named_fields_win() {
    let d = parse(
        json!({"participant_key": P, "interview_key": I}),
        Some(WebhookEvent::NewResponse),
    );
    assert_eq!(d.participant_key.as_str(), P);
    assert_eq!(d.interview_key.unwrap().as_str(), I);
    assert_eq!(d.event, Some(WebhookEvent::NewResponse));

    let d = parse(
        json!({"participant": {"key": P, "interview": {"key": I}, "name": "Jane"}, "other": "ffffffffffffffffffffffffffffffff"}),
        None,
    );
    assert_eq!(d.participant_key.as_str(), P);
    assert_eq!(d.interview_key.unwrap().as_str(), I);

    let d = parse(json!({"data": {"participant": P, "interview": I}}), None);
    assert_eq!(d.participant_key.as_str(), P);
    assert_eq!(d.interview_key.unwrap().as_str(), I);
}

#[test]
fn keys_are_found_by_shape_when_names_are_unknown() {
    let d = parse(
        json!({"resp": {"interview_ref": I, "who": {"candidate_ref": P}}, "name": "Jane Doe"}),
        Some(WebhookEvent::NewResponse),
    );
    assert_eq!(d.participant_key.as_str(), P);
    assert_eq!(d.interview_key.unwrap().as_str(), I);
    assert_eq!(d.raw["name"], "Jane Doe");
}

#[test]
fn stage_and_event_best_effort() {
    let d = parse(
        json!({"participant": P, "stage": {"name": "Accepted"}}),
        None,
    );
    assert_eq!(d.stage.as_deref(), Some("Accepted"));
    assert_eq!(d.event, None, "observed bodies carry no event name");
    let d = parse(
        json!({"participant": {"key": P, "status": "rejected"}, "event": "stage_change"}),
        None,
    );
    assert_eq!(d.stage.as_deref(), Some("rejected"));
    assert_eq!(d.event, Some(WebhookEvent::StageChange));
    // The URL's event wins over the body.
    let d = parse(
        json!({"participant": P, "event": "stage_change"}),
        Some(WebhookEvent::NewScore),
    );
    assert_eq!(d.event, Some(WebhookEvent::NewScore));
}

#[test]
fn typed_errors() {
    assert!(matches!(
        WebhookDelivery::parse(b"not json", None),
        Err(DeliveryError::NotJson(_))
    ));
    assert!(matches!(
        WebhookDelivery::parse(b"[1,2]", None),
        Err(DeliveryError::NotAnObject)
    ));
    assert!(matches!(
        WebhookDelivery::parse(br#"{"hello": "world"}"#, None),
        Err(DeliveryError::NoParticipantKey)
    ));
}
