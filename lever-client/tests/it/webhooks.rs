//! Webhook deliveries: the computed test vector verifies, any tampering fails, and each
//! rejection (malformed, bad signature, stale, replayed) has its own error.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use client_core::SecretString;
use client_core::header::HeaderMap;
use client_core::webhook::{FixedClock, InMemoryReplayGuard};
use lever_client::webhooks::{
    Delivery, Event, EventData, TestDelivery, VerifyError, WebhookRequest, WebhookVerifier, sign,
};
use serde_json::{Value, json};
use support::*;

fn vector() -> Value {
    fixture_json("webhook-signature-test-vector.computed.json")
}

fn key() -> SecretString {
    SecretString::from(vector()["signatureToken"].as_str().unwrap().to_owned())
}

/// The doc's example delivery, signed with the computed vector.
fn delivery_body() -> Value {
    let mut body = fixture_json("webhook-candidate-stage-change.json");
    body["signature"] = vector()["expectedSignature"].clone();
    body
}

fn at(millis: u64) -> Arc<FixedClock> {
    Arc::new(FixedClock::at_millis(millis))
}

fn verifier() -> WebhookVerifier {
    WebhookVerifier::new(key()).clock(at(1431454330072 + 5_000))
}

#[test]
fn the_computed_vector_verifies() {
    let v = vector();
    assert_eq!(
        sign(
            &key(),
            v["token"].as_str().unwrap(),
            v["triggeredAt"].as_u64().unwrap()
        ),
        v["expectedSignature"].as_str().unwrap()
    );
    let body = serde_json::to_vec(&delivery_body()).unwrap();
    let delivery = verifier()
        .verify(&WebhookRequest::new(&HeaderMap::new(), &body))
        .unwrap();
    assert_eq!(delivery.event, Event::CandidateStageChange);
    assert_eq!(
        delivery.data.to_stage_id.unwrap().as_str(),
        "7c2690d8-6308-4ed9-ae2a-cbfe7db26593"
    );
    assert_eq!(
        delivery.data.opportunity_id.unwrap().as_str(),
        "3410c8b9-5c31-4bab-b7e9-9f710206d647"
    );
}

#[test]
fn tampering_with_any_signed_field_fails() {
    let tampered = [
        (
            "token",
            json!("be58f711f349c7780e4579cd7c63341ac6f881e4dccc3155"),
        ),
        ("triggeredAt", json!(1431454330073u64)),
        (
            "signature",
            json!("d8138ffefd31f34fd9ef6ab358881a2ac5d138287c38186688985ea7755ec242"),
        ),
    ];
    for (field, value) in tampered {
        let mut body = delivery_body();
        body[field] = value;
        let err = verifier()
            .verify(&WebhookRequest::new(
                &HeaderMap::new(),
                &serde_json::to_vec(&body).unwrap(),
            ))
            .unwrap_err();
        assert!(matches!(err, VerifyError::BadSignature), "{field}: {err}");
    }
    // A wrong key fails too.
    let wrong = WebhookVerifier::new(SecretString::from("another-token")).clock(at(1431454330072));
    let err = wrong
        .verify(&WebhookRequest::new(
            &HeaderMap::new(),
            &serde_json::to_vec(&delivery_body()).unwrap(),
        ))
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature));
}

#[test]
fn rotated_tokens_are_accepted_side_by_side() {
    let verifier = WebhookVerifier::new(SecretString::from("new-token"))
        .also_accept(key())
        .clock(at(1431454330072));
    let body = serde_json::to_vec(&delivery_body()).unwrap();
    assert!(
        verifier
            .verify(&WebhookRequest::new(&HeaderMap::new(), &body))
            .is_ok()
    );
}

#[test]
fn stale_deliveries_are_rejected() {
    let body = serde_json::to_vec(&delivery_body()).unwrap();
    let late = WebhookVerifier::new(key())
        .tolerance(Duration::from_secs(300))
        .clock(at(1431454330072 + 301_000));
    let err = late
        .verify(&WebhookRequest::new(&HeaderMap::new(), &body))
        .unwrap_err();
    assert!(
        matches!(
            err,
            VerifyError::Stale {
                triggered_at: 1431454330072,
                ..
            }
        ),
        "{err}"
    );
    // Far in the future is just as suspicious.
    let early = WebhookVerifier::new(key()).clock(at(1431454330072 - 3_600_000));
    assert!(matches!(
        early.verify(&WebhookRequest::new(&HeaderMap::new(), &body)),
        Err(VerifyError::Stale { .. })
    ));
    // Without a window, age does not matter.
    let lenient = WebhookVerifier::new(key()).without_tolerance();
    assert!(
        lenient
            .verify(&WebhookRequest::new(&HeaderMap::new(), &body))
            .is_ok()
    );
}

#[test]
fn replayed_tokens_are_rejected_but_forgeries_do_not_consume_them() {
    let guard = Arc::new(InMemoryReplayGuard::new(Duration::from_secs(3600), 100));
    let verifier = verifier().replay_guard(guard);
    let mut forged = delivery_body();
    forged["signature"] = json!("00".repeat(32));
    assert!(matches!(
        verifier.verify(&WebhookRequest::new(
            &HeaderMap::new(),
            &serde_json::to_vec(&forged).unwrap()
        )),
        Err(VerifyError::BadSignature)
    ));
    let body = serde_json::to_vec(&delivery_body()).unwrap();
    let headers = HeaderMap::new();
    let request = WebhookRequest::new(&headers, &body);
    let delivery = verifier.verify(&request).unwrap();
    // Not accepted yet (the receiver's processing failed): Lever's retry verifies.
    assert!(verifier.verify(&request).is_ok(), "a retry is not a replay");
    verifier.accepted(&delivery);
    assert!(matches!(
        verifier.verify(&request),
        Err(VerifyError::Replayed)
    ));
}

#[test]
fn malformed_bodies_are_their_own_error() {
    for body in [
        &b"not json"[..],
        br#"{"event":"candidateHired","data":{},"signature":"ab","token":"t"}"#,
        br#"{"triggeredAt":"soon","event":"candidateHired","signature":"ab","token":"t"}"#,
    ] {
        let err = verifier()
            .verify(&WebhookRequest::new(&HeaderMap::new(), body))
            .unwrap_err();
        assert!(matches!(err, VerifyError::Malformed(_)), "{err}");
    }
}

#[test]
fn the_test_delivery_with_empty_data_parses_and_unknown_events_are_kept() {
    let test: Delivery =
        serde_json::from_str(&fixture("webhook-test-request-candidate-hired.json")).unwrap();
    assert_eq!(test.event, Event::CandidateHired);
    assert_eq!(test.data, EventData::default());
    // Its placeholder signature does not verify.
    let err = WebhookVerifier::new(key())
        .without_tolerance()
        .verify(&WebhookRequest::new(
            &HeaderMap::new(),
            fixture("webhook-test-request-candidate-hired.json").as_bytes(),
        ))
        .unwrap_err();
    assert!(matches!(err, VerifyError::BadSignature));

    let key = SecretString::from("k");
    let mut body: Value = serde_json::from_slice(
        &TestDelivery::new(Event::Other("offerSigned".into()), "tok", 1_000)
            .sign(&key)
            .body,
    )
    .unwrap();
    body["data"] = json!({"offerId": "o1", "opportunityId": "op1"});
    body["id"] = json!("evt-1");
    let delivery = WebhookVerifier::new(key)
        .without_tolerance()
        .verify(&WebhookRequest::new(
            &HeaderMap::new(),
            &serde_json::to_vec(&body).unwrap(),
        ))
        .unwrap();
    assert_eq!(delivery.event, Event::Other("offerSigned".into()));
    assert_eq!(delivery.data.extra["offerId"], "o1");
    assert_eq!(delivery.id.as_deref(), Some("evt-1"));
}

#[test]
fn verifier_debug_hides_tokens() {
    let text = format!("{:?}", verifier());
    assert!(!text.contains("73311ged"), "{text}");
}

#[test]
fn only_accepted_tokens_verify_and_the_stale_error_names_the_tolerance() {
    let old = SecretString::from("old-token");
    let new = SecretString::from("new-token");
    let sent = TestDelivery::new(Event::CandidateHired, "delivery-1", 1_000_000).sign(&old);
    let clock = at(1_000_000 + 61_000);
    let only_new = WebhookVerifier::new(new.clone()).clock(clock.clone());
    assert!(matches!(
        only_new.verify(&sent.request()),
        Err(VerifyError::BadSignature)
    ));
    let both = only_new.also_accept(old);
    assert_eq!(both.verify(&sent.request()).unwrap().token, "delivery-1");
    let narrow = both.tolerance(Duration::from_secs(60));
    match narrow.verify(&sent.request()) {
        Err(VerifyError::Stale {
            triggered_at,
            now,
            tolerance,
        }) => {
            assert_eq!(triggered_at, 1_000_000);
            assert_eq!(now, 1_061_000);
            assert_eq!(tolerance, Duration::from_secs(60));
        }
        other => panic!("expected Stale, got {other:?}"),
    }
}

/// Lever adds `signature` only once a signature token exists: such a delivery parses,
/// and a verifier holding tokens refuses it with its own reason.
#[test]
fn a_delivery_without_signature_parses_and_is_refused_as_unsigned() {
    let mut body = delivery_body();
    body.as_object_mut().unwrap().remove("signature");
    let bytes = serde_json::to_vec(&body).unwrap();
    let parsed = Delivery::parse(&bytes).unwrap();
    assert_eq!(parsed.signature, None);
    assert_eq!(parsed.event, Event::CandidateStageChange);
    let err = verifier()
        .verify(&WebhookRequest::new(&HeaderMap::new(), &bytes))
        .unwrap_err();
    assert!(matches!(err, VerifyError::MissingSignature), "{err}");
    assert!(err.to_string().contains("no signature"), "{err}");
}
