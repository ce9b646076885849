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
    assert_eq!(d.participant_key().unwrap().as_str(), P);
    assert_eq!(d.interview_key.unwrap().as_str(), I);
    assert_eq!(d.event, Some(WebhookEvent::NewResponse));

    let d = parse(
        json!({"participant": {"key": P, "interview": {"key": I}, "name": "Jane"}, "other": "ffffffffffffffffffffffffffffffff"}),
        None,
    );
    assert_eq!(d.participant_key().unwrap().as_str(), P);
    assert_eq!(d.interview_key.unwrap().as_str(), I);

    let d = parse(json!({"data": {"participant": P, "interview": I}}), None);
    assert_eq!(d.participant_key().unwrap().as_str(), P);
    assert_eq!(d.interview_key.unwrap().as_str(), I);
}

#[test]
fn keys_are_found_by_shape_when_names_are_unknown() {
    let d = parse(
        json!({"resp": {"interview_ref": I, "who": {"candidate_ref": P}}, "name": "Jane Doe"}),
        Some(WebhookEvent::NewResponse),
    );
    assert_eq!(d.participant_key(), None);
    assert_eq!(keys(&d), [P]);
    assert_eq!(d.candidates[0].path, "/resp/who/candidate_ref");
    assert_eq!(d.interview_key.unwrap().as_str(), I);
    assert_eq!(d.raw["name"], "Jane Doe");
}

#[test]
fn stage_best_effort_and_the_event_only_from_the_url() {
    let d = parse(
        json!({"participant": P, "stage": {"name": "Accepted"}}),
        None,
    );
    assert_eq!(d.stage.as_deref(), Some("Accepted"));
    assert_eq!(d.event, None, "observed bodies carry no event name");
    let d = parse(
        json!({"participant": {"key": P, "status": "rejected"}}),
        None,
    );
    assert_eq!(d.stage.as_deref(), Some("rejected"));
    let d = parse(
        json!({"participant": P, "event": "stage_change"}),
        Some(WebhookEvent::NewScore),
    );
    assert_eq!(d.event, Some(WebhookEvent::NewScore));
}

#[test]
fn a_stage_field_wins_over_a_bare_status() {
    // Issue 15, item 3: a top-level `status` (of the delivery, say) must not hide the
    // participant's new stage under `data`.
    let d = parse(
        json!({"status": "sent", "data": {"participant": P, "stage": "Accepted"}}),
        Some(WebhookEvent::StageChange),
    );
    assert_eq!(d.stage.as_deref(), Some("Accepted"));
    let d = parse(
        json!({"status": "delivered", "participant": {"key": P, "stage": {"name": "Rejected"}}}),
        Some(WebhookEvent::StageChange),
    );
    assert_eq!(d.stage.as_deref(), Some("Rejected"));
    // With no stage-like field, `status` is still read.
    let d = parse(
        json!({"data": {"participant": P, "status": "To Review"}}),
        None,
    );
    assert_eq!(d.stage.as_deref(), Some("To Review"));
}

#[test]
fn body_fields_are_never_read_as_the_event() {
    // Issue 15, item 4: without an event in the URL there is none, whatever the body
    // says under `type`, `action`, `event`…
    for field in [
        "type",
        "action",
        "event",
        "event_type",
        "eventType",
        "trigger",
    ] {
        let d = parse(json!({"participant": P, field: "new_response"}), None);
        assert_eq!(d.event, None, "{field}");
    }
}

#[test]
fn every_key_is_a_candidate_with_where_it_was_found() {
    // Issue 15, item 1: owner, department and response keys come before the
    // participant's, none under a documented name. Nothing is guessed: every key is
    // returned, the interview's left out.
    const OWNER: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const DEPARTMENT: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    const RESPONSE: &str = "cccccccccccccccccccccccccccccccc";
    let d = parse(
        json!({
            "owner": {"key": OWNER},
            "department": {"key": DEPARTMENT},
            "responses": [{"key": RESPONSE, "interview": I}],
            "candidate": {"key": P, "name": "Jane Doe"},
            "again": OWNER
        }),
        Some(WebhookEvent::NewResponse),
    );
    assert_eq!(d.participant_key(), None);
    assert_eq!(keys(&d), [OWNER, DEPARTMENT, RESPONSE, P]);
    let paths: Vec<&str> = d.candidates.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/owner/key",
            "/department/key",
            "/responses/0/key",
            "/candidate/key"
        ]
    );
    for c in &d.candidates {
        assert_eq!(
            d.raw.pointer(&c.path).and_then(|v| v.as_str()),
            Some(c.key.as_str())
        );
        assert!(!c.named);
    }
    assert_eq!(d.interview_key.unwrap().as_str(), I);
}

#[test]
fn named_and_participant_paths_come_first() {
    const OWNER: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const OTHER: &str = "dddddddddddddddddddddddddddddddd";
    let d = parse(
        json!({
            "owner": OWNER,
            "links": {"participant_ref": OTHER},
            "data": {"participant": {"key": P}}
        }),
        None,
    );
    assert_eq!(keys(&d), [P, OTHER, OWNER]);
    assert!(d.candidates[0].named);
    assert_eq!(d.candidates[0].path, "/data/participant/key");
    assert_eq!(d.participant_key().unwrap().as_str(), P);
}

#[test]
fn candidates_are_bounded() {
    let many: Vec<String> = (0..1_000).map(|n| format!("{n:032x}")).collect();
    let d = parse(json!({"keys": many}), None);
    assert_eq!(
        d.candidates.len(),
        willo_client::webhooks::MAX_KEY_CANDIDATES
    );
    assert_eq!(d.candidates[1].path, "/keys/1");
}

fn keys(d: &Delivery) -> Vec<&str> {
    d.candidate_keys().map(|k| k.as_str()).collect()
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
    assert_eq!(delivery.participant_key().unwrap().as_str(), P);
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
