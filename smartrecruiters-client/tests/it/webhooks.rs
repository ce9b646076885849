//! Webhook deliveries: the documented test vector, every rejection as its own error,
//! key rotation, the timestamp window, typed events and the handshake.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use smartrecruiters_client::header::{HeaderMap, HeaderValue};
use smartrecruiters_client::webhooks::{
    FixedClock, TestDelivery, VerifyError, WebhookEvent, WebhookRequest, WebhookVerifier,
    handshake_response, handshake_secret, parse_delivery, sign,
};
use smartrecruiters_client::{EventName, SecretString};
use support::{fixture, fixture_text};

struct Vector {
    secret: SecretString,
    headers: HeaderMap,
    body: Vec<u8>,
    timestamp: u64,
}

fn vector() -> Vector {
    let v = fixture("webhook-signature-test-vector.json");
    let mut headers = HeaderMap::new();
    for (name, value) in v["headers"].as_object().unwrap() {
        headers.insert(
            smartrecruiters_client::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    Vector {
        secret: SecretString::from(v["secretKey"].as_str().unwrap()),
        headers,
        body: v["rawBody"].as_str().unwrap().as_bytes().to_vec(),
        timestamp: v["headers"]["smartrecruiters-timestamp"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    }
}

fn verifier_at(secret: SecretString, now_secs: u64) -> WebhookVerifier {
    WebhookVerifier::new(secret)
        .tolerance(Duration::from_secs(300))
        .clock(Arc::new(FixedClock::at_millis(now_secs * 1000)))
}

#[test]
fn the_documented_vector_verifies_and_parses() {
    let v = vector();
    let verifier = verifier_at(v.secret.clone(), v.timestamp + 30);
    let delivery = verifier
        .verify(&WebhookRequest::new(&v.headers, &v.body))
        .unwrap();
    assert_eq!(delivery.meta.event_id.as_deref(), Some("123"));
    assert_eq!(delivery.meta.event_version.as_deref(), Some("v201910"));
    assert_eq!(delivery.meta.timestamp, Some(1_574_080_897));
    match delivery.event {
        WebhookEvent::ApplicationCreated(event) => {
            assert_eq!(event.job_id.as_str(), "jid");
            assert_eq!(event.candidate_id.as_str(), "cid");
            assert_eq!(event.application_id, None);
        }
        other => panic!("unexpected {other:?}"),
    }
    // The signer reproduces the documented (hex, not base64) signature.
    let expected = fixture("webhook-signature-test-vector.json")["expectedHexHmacSha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let signed = sign(
        &v.secret,
        v.timestamp,
        &v.body,
        "123",
        "application.created",
        "v201910",
        "<http://smartrecruiters.com/endpoint>; rel=self",
    );
    assert_eq!(signed, format!("v1={expected}"));
}

#[test]
fn changing_any_signed_field_breaks_the_signature() {
    let v = vector();
    let verifier = verifier_at(v.secret.clone(), v.timestamp).without_tolerance();
    let altered_header = |name: &'static str, value: &'static str| {
        let mut headers = v.headers.clone();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    };
    let cases = [
        ("smartrecruiters-timestamp", "1574080898"),
        ("event-id", "124"),
        ("event-name", "application.status.updated"),
        ("event-version", "v201911"),
        ("link", "<http://smartrecruiters.com/endpoint>; rel=next"),
        (
            "smartrecruiters-signature",
            "v1=3e9291f10d44ca10204a4cd81b05d73b6a316b2b605d4e2e0e0b37b40198ce1f",
        ),
    ];
    for (name, value) in cases {
        assert_eq!(
            verifier.verify(&WebhookRequest::new(&altered_header(name, value), &v.body)),
            Err(VerifyError::BadSignature),
            "{name}"
        );
    }
    let mut body = v.body.clone();
    body[10] ^= 1;
    assert_eq!(
        verifier.verify(&WebhookRequest::new(&v.headers, &body)),
        Err(VerifyError::BadSignature)
    );
    let mut without_link = v.headers.clone();
    without_link.remove("link");
    assert_eq!(
        verifier.verify(&WebhookRequest::new(&without_link, &v.body)),
        Err(VerifyError::BadSignature)
    );
    let wrong_key = verifier_at(SecretString::from("another-key"), v.timestamp);
    assert_eq!(
        wrong_key.verify(&WebhookRequest::new(&v.headers, &v.body)),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn every_rejection_has_its_own_error() {
    let v = vector();
    let verifier = verifier_at(v.secret.clone(), v.timestamp);
    let without = |name: &str| {
        let mut headers = v.headers.clone();
        headers.remove(name);
        headers
    };
    let with = |name: &'static str, value: &'static str| {
        let mut headers = v.headers.clone();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    };

    assert_eq!(
        verifier.verify(&WebhookRequest::new(
            &without("smartrecruiters-signature"),
            &v.body
        )),
        Err(VerifyError::MissingHeader("smartrecruiters-signature"))
    );
    assert_eq!(
        verifier.verify(&WebhookRequest::new(
            &without("smartrecruiters-timestamp"),
            &v.body
        )),
        Err(VerifyError::MissingHeader("smartrecruiters-timestamp"))
    );
    assert!(matches!(
        verifier.verify(&WebhookRequest::new(
            &with("smartrecruiters-timestamp", "yesterday"),
            &v.body
        )),
        Err(VerifyError::MalformedHeader {
            header: "smartrecruiters-timestamp",
            ..
        })
    ));
    assert!(matches!(
        verifier.verify(&WebhookRequest::new(
            &with("smartrecruiters-signature", "garbage"),
            &v.body
        )),
        Err(VerifyError::MalformedHeader {
            header: "smartrecruiters-signature",
            ..
        })
    ));
    assert!(matches!(
        verifier.verify(&WebhookRequest::new(
            &with("smartrecruiters-signature", "v2=abcdef"),
            &v.body
        )),
        Err(VerifyError::MalformedHeader {
            header: "smartrecruiters-signature",
            ..
        })
    ));
    let late = verifier_at(v.secret.clone(), v.timestamp + 301);
    assert_eq!(
        late.verify(&WebhookRequest::new(&v.headers, &v.body)),
        Err(VerifyError::Stale {
            timestamp: v.timestamp,
            age_secs: 301,
            tolerance_secs: 300
        })
    );
    let early = verifier_at(v.secret.clone(), v.timestamp - 301);
    assert!(matches!(
        early.verify(&WebhookRequest::new(&v.headers, &v.body)),
        Err(VerifyError::Stale { .. })
    ));

    // A correctly signed body that does not fit the event's schema.
    let bad_body = br#"{"job_id": 5, "candidate_id": "alice@example.com"}"#;
    let headers = TestDelivery::new("application.created", bad_body.to_vec(), v.timestamp)
        .sign_with_all(&[&v.secret])
        .headers;
    assert!(matches!(
        verifier.verify(&WebhookRequest::new(&headers, bad_body)),
        Err(VerifyError::MalformedBody { event, message })
            if event == "application.created" && !message.contains("alice") && !message.contains('5')
    ));
}

#[test]
fn rotation_accepts_any_live_key_and_any_entry() {
    let old = SecretString::from("old-key");
    let new = SecretString::from("new-key");
    let now = 1_700_000_000;
    let body = fixture_text("webhook-candidate-deleted.json").into_bytes();
    let delivery = TestDelivery::new("candidate.deleted", body.clone(), now);

    // Signed with the old key only; the verifier knows both.
    let both = WebhookVerifier::new(new.clone())
        .also_accept(old.clone())
        .clock(Arc::new(FixedClock::at_millis(now * 1000)));
    both.verify(&WebhookRequest::new(
        &delivery.sign_with_all(&[&old]).headers,
        &body,
    ))
    .unwrap();

    // Two entries (one per key); a verifier with just the new key finds its own.
    let only_new =
        WebhookVerifier::new(new.clone()).clock(Arc::new(FixedClock::at_millis(now * 1000)));
    let headers = delivery.sign_with_all(&[&old, &new]).headers;
    assert!(
        headers["smartrecruiters-signature"]
            .to_str()
            .unwrap()
            .contains(";v1=")
    );
    let parsed = only_new
        .verify(&WebhookRequest::new(&headers, &body))
        .unwrap();
    assert_eq!(parsed.meta.link, None);
    match parsed.event {
        WebhookEvent::CandidateDeleted(event) => {
            assert_eq!(event.id.as_str(), "3f0c6b1e-6a3e-4c39-9f3a-2f5f1d7b1a11")
        }
        other => panic!("unexpected {other:?}"),
    }
    let only_old = WebhookVerifier::new(old).clock(Arc::new(FixedClock::at_millis(now * 1000)));
    assert_eq!(
        only_old.verify(&WebhookRequest::new(
            &delivery.sign_with_all(&[&new]).headers,
            &body
        )),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn fixtures_parse_into_typed_events_and_unknown_events_keep_their_body() {
    let cases = [
        (
            "application.status.updated",
            "webhook-application-status-updated.json",
        ),
        ("candidate.deleted", "webhook-candidate-deleted.json"),
        ("job.status.updated", "webhook-job-status-updated.json"),
        ("job.created", "webhook-entity-event-docs-example.json"),
        (
            "application.created",
            "webhook-application-created-docs-example.json",
        ),
    ];
    for (name, file) in cases {
        let event = WebhookEvent::parse(name, fixture_text(file).as_bytes()).unwrap();
        assert!(!matches!(event, WebhookEvent::Unknown { .. }), "{name}");
    }
    let event = WebhookEvent::parse(
        "application.status.updated",
        fixture_text("webhook-application-status-updated.json").as_bytes(),
    )
    .unwrap();
    let WebhookEvent::ApplicationStatusUpdated(app) = event else {
        panic!("wrong variant")
    };
    assert_eq!(
        app.application_id.unwrap().as_str(),
        "7f1d2c3b-4a5e-4f60-8b9c-0d1e2f3a4b5c"
    );
    for (name, variant_ok) in [
        ("candidate.created", true),
        ("candidate.updated", true),
        ("job.updated", true),
    ] {
        let event = WebhookEvent::parse(name, br#"{"id":"x"}"#).unwrap();
        assert_eq!(!matches!(event, WebhookEvent::Unknown { .. }), variant_ok);
    }

    let raw = br#"{"name":"x"}"#;
    assert_eq!(
        WebhookEvent::parse("interview.scheduled", raw).unwrap(),
        WebhookEvent::Unknown {
            name: "interview.scheduled".into(),
            body: String::from_utf8_lossy(raw).into_owned()
        }
    );
    let mut headers = HeaderMap::new();
    headers.insert("event-name", HeaderValue::from_static("some.new.event"));
    let delivery = parse_delivery(&headers, b"{}").unwrap();
    assert!(matches!(delivery.event, WebhookEvent::Unknown { .. }));
    assert_eq!(
        parse_delivery(&HeaderMap::new(), b"{}"),
        Err(VerifyError::MissingHeader("event-name"))
    );
}

#[test]
fn handshake_echoes_x_hook_secret() {
    let mut headers = HeaderMap::new();
    assert_eq!(handshake_secret(&headers), None);
    assert!(handshake_response(&headers).is_none());
    headers.insert("X-Hook-Secret", HeaderValue::from_static("abc123"));
    assert_eq!(handshake_secret(&headers), Some("abc123"));
    let (name, value) = handshake_response(&headers).unwrap();
    assert_eq!(name.as_str(), "x-hook-secret");
    assert_eq!(value, "abc123");
}

#[test]
fn verifier_debug_hides_keys() {
    let verifier = WebhookVerifier::new(SecretString::from("HeBVky2bccvvkcXPimH8c"));
    let text = format!("{verifier:?}");
    assert!(!text.contains("HeBVky"), "{text}");
    assert!(text.contains("1 redacted"));
}

#[test]
fn without_tolerance_accepts_any_timestamp_but_still_checks_the_signature() {
    let secret = SecretString::from("key");
    let body = fixture_text("webhook-candidate-deleted.json").into_bytes();
    let sent = TestDelivery::new("candidate.deleted", body, 1_000).sign(&secret);
    let far_later = Arc::new(FixedClock::at_millis(1_000_000_000_000));
    let windowed = WebhookVerifier::new(secret.clone()).clock(far_later.clone());
    assert!(matches!(
        windowed.verify(&sent.request()),
        Err(VerifyError::Stale {
            timestamp: 1_000,
            ..
        })
    ));
    let unbounded = windowed.clone().without_tolerance();
    assert!(unbounded.verify(&sent.request()).is_ok());
    let wrong = WebhookVerifier::new(SecretString::from("other"))
        .clock(far_later)
        .without_tolerance();
    assert_eq!(
        wrong.verify(&sent.request()),
        Err(VerifyError::BadSignature)
    );
    // `tolerance` widens the window again after `without_tolerance`.
    let wide = unbounded.tolerance(Duration::from_secs(1_000_000_000));
    assert!(wide.verify(&sent.request()).is_ok());
}

#[test]
fn every_documented_event_name_is_typed_with_its_documented_body() {
    let application = br#"{"job_id":"j1","candidate_id":"c1","application_id":"a1"}"#;
    for name in [
        "application.fields.updated",
        "application.source.updated",
        "application.onboarding-status.updated",
        "application.screening-answers.created",
        "application.screening-answers.updated",
    ] {
        let event = WebhookEvent::parse(name, application).unwrap();
        assert_eq!(event.name(), name);
        let app = match event {
            WebhookEvent::ApplicationFieldsUpdated(app)
            | WebhookEvent::ApplicationSourceUpdated(app)
            | WebhookEvent::ApplicationOnboardingStatusUpdated(app)
            | WebhookEvent::ApplicationScreeningAnswersCreated(app)
            | WebhookEvent::ApplicationScreeningAnswersUpdated(app) => app,
            other => panic!("{name} parsed as {other:?}"),
        };
        assert_eq!(
            (app.candidate_id.as_str(), app.job_id.as_str()),
            ("c1", "j1")
        );
    }
    let attachment =
        br#"{"job_id":"j1","candidate_id":"c1","application_id":"a1","attachment_id":"f1"}"#;
    let WebhookEvent::ApplicationAttachmentCreated(created) =
        WebhookEvent::parse("application.attachment.created", attachment).unwrap()
    else {
        panic!("application.attachment.created is not typed")
    };
    assert_eq!(created.attachment_id.as_str(), "f1");
    assert_eq!(created.application.candidate_id.as_str(), "c1");
    assert!(created.application.extra.is_empty(), "{created:?}");

    let WebhookEvent::JobHiringTeamUpdated(job) =
        WebhookEvent::parse("job.hiring-team.updated", br#"{"id":"j9"}"#).unwrap()
    else {
        panic!("job.hiring-team.updated is not typed")
    };
    assert_eq!(job.id.as_str(), "j9");

    let approval = br#"{"approval_id":"ap","job_id":"j","candidate_id":"c","offer_id":"o"}"#;
    let WebhookEvent::OfferApprovalApproved(offer) =
        WebhookEvent::parse("offer.approval.approved", approval).unwrap()
    else {
        panic!("offer.approval.approved is not typed")
    };
    assert_eq!(
        (offer.approval_id.as_str(), offer.offer.offer_id.as_str()),
        ("ap", "o")
    );

    // Every name of the official list is typed, and subscribable by the same name.
    assert_eq!(WebhookEvent::NAMES.len(), 47);
    for name in WebhookEvent::NAMES {
        assert!(
            !matches!(EventName::from(*name), EventName::Other(_)),
            "{name} cannot be subscribed to by name"
        );
        // A body without the documented ids is refused, not read as another event.
        assert!(
            matches!(
                WebhookEvent::parse(name, b"{}"),
                Err(VerifyError::MalformedBody { .. })
            ),
            "{name}"
        );
    }
}
