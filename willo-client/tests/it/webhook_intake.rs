//! Receiving deliveries: URL token and event, the verifier, tolerant body parsing.

use client_core::header::HeaderMap;
use serde_json::json;
use willo_client::SecretString;
use willo_client::webhooks::{
    Delivery, DeliveryUrl, TestDelivery, VerifyError, WebhookEvent, WebhookRequest, WebhookVerifier,
};

const P: &str = "5b0c3e8a9d7f4e21a3c6b8d9e0f1a2b3";
const I: &str = "1e2048a686804049b128f1357c559cbf";

fn parse(body: serde_json::Value, hint: Option<WebhookEvent>) -> Delivery {
    Delivery::parse(body.to_string().as_bytes(), hint).unwrap()
}

#[test]
fn token_and_event_come_from_the_url() {
    let url = DeliveryUrl::from_query("?token=abc%2B1&event=new_comment&x=1");
    assert_eq!(url.token.as_deref(), Some("abc+1"));
    assert_eq!(url.event, Some(WebhookEvent::NewComment));
    assert_eq!(DeliveryUrl::from_query("event=new_score").token, None);
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
        Delivery::parse(b"not json", None),
        Err(VerifyError::NotJson(_))
    ));
    assert!(matches!(
        Delivery::parse(b"[1,2]", None),
        Err(VerifyError::NotAnObject)
    ));
    assert!(matches!(
        Delivery::parse(br#"{"hello": "world"}"#, None),
        Err(VerifyError::NoParticipantKey)
    ));
}

fn verify(
    verifier: &WebhookVerifier,
    query: Option<&str>,
    body: &[u8],
) -> Result<Delivery, VerifyError> {
    let headers = HeaderMap::new();
    verifier.verify(&WebhookRequest::new(&headers, body).query(query))
}

#[test]
fn the_verifier_checks_the_url_token_then_parses_with_the_urls_event() {
    let token = SecretString::from("abc+1");
    let verifier = WebhookVerifier::new(token.clone());
    let body = json!({"participant_key": P}).to_string();
    let delivery = verify(
        &verifier,
        Some("?token=abc%2B1&event=new_comment"),
        body.as_bytes(),
    )
    .unwrap();
    assert_eq!(delivery.participant_key.as_str(), P);
    assert_eq!(delivery.event, Some(WebhookEvent::NewComment));

    let signed = TestDelivery::new(WebhookEvent::StageChange, body.clone()).sign(&token);
    assert_eq!(
        signed.query.as_deref(),
        Some("token=abc%2B1&event=stage_change")
    );
    let delivery = verifier.verify(&signed.request()).unwrap();
    assert_eq!(delivery.event, Some(WebhookEvent::StageChange));
}

#[test]
fn an_event_named_by_the_url_path_wins_over_the_query() {
    let verifier = WebhookVerifier::new(SecretString::from("t"));
    let body = json!({"participant_key": P}).to_string();
    let headers = HeaderMap::new();
    let request = WebhookRequest::new(&headers, body.as_bytes())
        .query(Some("token=t&event=new_score"))
        .path_event(Some("stage_change"));
    let delivery = verifier.verify(&request).unwrap();
    assert_eq!(delivery.event, Some(WebhookEvent::StageChange));
    let without_path =
        WebhookRequest::new(&headers, body.as_bytes()).query(Some("token=t&event=new_score"));
    let delivery = verifier.verify(&without_path).unwrap();
    assert_eq!(delivery.event, Some(WebhookEvent::NewScore));
}

#[test]
fn the_verifier_refuses_missing_wrong_and_case_changed_tokens() {
    let verifier = WebhookVerifier::new(SecretString::from("same"));
    let body = json!({"participant_key": P}).to_string();
    assert!(matches!(
        verify(&verifier, Some("event=new_response"), body.as_bytes()),
        Err(VerifyError::MissingToken)
    ));
    assert!(matches!(
        verify(&verifier, None, body.as_bytes()),
        Err(VerifyError::MissingToken)
    ));
    assert!(matches!(
        verify(&verifier, Some("token=Same"), body.as_bytes()),
        Err(VerifyError::BadToken)
    ));
    // A good token does not excuse a bad body.
    assert!(matches!(
        verify(&verifier, Some("token=same"), b"not json"),
        Err(VerifyError::NotJson(_))
    ));
}

#[test]
fn also_accept_keeps_the_old_token_valid_during_a_rotation() {
    let body = json!({"participant_key": P}).to_string();
    let old = SecretString::from("old-token");
    let new = SecretString::from("new-token");
    let verifier = WebhookVerifier::new(new.clone()).also_accept(old.clone());
    for token in [&old, &new] {
        let signed = TestDelivery::new(WebhookEvent::NewResponse, body.clone()).sign(token);
        assert!(verifier.verify(&signed.request()).is_ok());
    }
    let only_new = WebhookVerifier::new(new);
    let signed = TestDelivery::new(WebhookEvent::NewResponse, body.clone()).sign(&old);
    assert!(matches!(
        only_new.verify(&signed.request()),
        Err(VerifyError::BadToken)
    ));
    assert!(!format!("{only_new:?}").contains("new-token"));
}

#[test]
fn an_empty_token_never_matches() {
    let verifier = WebhookVerifier::new(SecretString::from(""));
    let body = json!({"participant_key": P}).to_string();
    assert!(matches!(
        verify(&verifier, Some("token="), body.as_bytes()),
        Err(VerifyError::BadToken)
    ));
}
