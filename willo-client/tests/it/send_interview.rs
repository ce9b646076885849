//! The seed flow's `send_interview`: E.164 check before any request, dedupe by email
//! against the interview's participants (all pages), then `POST /participants/`.

use crate::support;

use serde_json::json;
use support::*;
use willo_client::{Candidate, Error, Metadata, SendInterview};
use wiremock::matchers::{query_param, query_param_is_missing};

fn seed_request() -> SendInterview {
    let mut body = fixture("seed-v1-send-interview-request.json");
    body["interview_id"] = json!(INTERVIEW);
    serde_json::from_value(body).expect("the seed's exact JSON is accepted")
}

/// The participant body the seed request invites.
fn seed_invite() -> serde_json::Value {
    json!({"interview": INTERVIEW, "name": "Jane Doe", "email": "jane@example.com"})
}

#[tokio::test]
async fn creates_when_the_email_is_new_and_returns_the_ats_id() {
    let server = server().await;
    lists_participants(INTERVIEW)
        .once(
            &server,
            listed(json!([
                {"key": "k1", "email": "someone@example.com", "interview": INTERVIEW},
                {"key": "k2", "email": null}
            ])),
        )
        .await;
    sends("POST", "/participants/", seed_invite())
        .once(
            &server,
            json(
                201,
                json!({"key": PARTICIPANT, "name": "Jane Doe", "email": "jane@example.com"}),
            ),
        )
        .await;
    let outcome = client(&server)
        .send_interview(&seed_request())
        .await
        .unwrap();
    assert!(outcome.created);
    assert_eq!(outcome.ats_candidate_id.as_deref(), Some("12345"));
    assert_eq!(outcome.participant.key.unwrap().as_str(), PARTICIPANT);
}

#[tokio::test]
async fn does_not_invite_an_email_already_invited_case_insensitively() {
    let server = server().await;
    let next = format!(
        "{}{ROOT}/participants/?interview={INTERVIEW}&page=2",
        server.uri()
    );
    call("GET", "/participants/")
        .and(query_param_is_missing("page"))
        .once(&server, json(
            200,
            page(
                json!([
                    {"key": "other", "email": "x@example.com", "interview": INTERVIEW},
                    // Same email on another interview: the filter is unconfirmed, so
                    // the client checks the interview key itself and skips this one.
                    {"key": "wrong", "email": "jane@example.com", "interview": "ffffffffffffffffffffffffffffffff"}
                ]),
                Some(next),
            ),
        )).await;
    call("GET", "/participants/")
        .and(query_param("page", "2"))
        .once(&server, listed(json!([{"key": PARTICIPANT, "email": "  JANE@Example.COM ", "interview": {"key": INTERVIEW}}]))).await;
    call("POST", "/participants/")
        .respond_with(json(201, json!({})))
        .expect(0)
        .mount(&server)
        .await;
    let outcome = client(&server)
        .send_interview(&seed_request())
        .await
        .unwrap();
    assert!(!outcome.created);
    assert_eq!(outcome.participant.key.unwrap().as_str(), PARTICIPANT);
    assert_eq!(outcome.ats_candidate_id.as_deref(), Some("12345"));
}

#[tokio::test]
async fn a_phone_without_country_code_is_refused_before_any_request() {
    let server = server().await;
    let request = SendInterview::new(
        INTERVIEW,
        Candidate::new("Jane Doe", "jane@example.com").phone("07911 123456"),
    )
    .metadata(Metadata::new());
    let err = client(&server).send_interview(&request).await.unwrap_err();
    let Error::InvalidInput(message) = &err else {
        panic!("expected InvalidInput, got {err:?}");
    };
    assert!(message.contains("E.164"), "{message}");
    assert!(message.contains("country code"), "{message}");
    assert!(!message.contains("123456"), "no personal data in errors");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_valid_phone_is_sent() {
    let server = server().await;
    call("GET", "/participants/")
        .once(&server, listed(json!([])))
        .await;
    sends("POST", "/participants/", phoned_invite())
        .once(&server, json(201, json!({"key": PARTICIPANT})))
        .await;
    let mut request = seed_request();
    request.candidate.phone = Some("+447700900123".into());
    assert!(
        client(&server)
            .send_interview(&request)
            .await
            .unwrap()
            .created
    );
}

#[tokio::test]
async fn send_new_interview_posts_once_without_listing_participants() {
    let server = server().await;
    call("GET", "/participants/")
        .respond_with(listed(json!([])))
        .expect(0)
        .mount(&server)
        .await;
    sends("POST", "/participants/", seed_invite())
        .once(&server, json(201, json!({"key": PARTICIPANT})))
        .await;
    let outcome = client(&server)
        .send_new_interview(&seed_request())
        .await
        .unwrap();
    assert!(outcome.created);
    assert_eq!(outcome.participant.key.unwrap().as_str(), PARTICIPANT);
    assert_eq!(outcome.ats_candidate_id.as_deref(), Some("12345"));
}

#[tokio::test]
async fn send_new_interview_validates_before_any_request() {
    let server = server().await;
    let mut request = seed_request();
    request.candidate.phone = Some("07911 123456".into());
    let err = client(&server)
        .send_new_interview(&request)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_same_email_participant_without_an_interview_reference_matches_nobody() {
    // Issue 15, item 2: Willo may ignore the `interview` filter; a participant that
    // cannot be tied to this interview must not count as "already invited", or the
    // candidate never gets an invite.
    let server = server().await;
    lists_participants(INTERVIEW)
        .respond_with(listed(json!([
            {"key": "no-ref", "email": "jane@example.com"},
            {"key": "null-ref", "email": "JANE@example.com", "interview": null},
            {"key": "other", "email": "jane@example.com",
             "interview": "ffffffffffffffffffffffffffffffff"}
        ])))
        .expect(2)
        .mount(&server)
        .await;
    sends("POST", "/participants/", seed_invite())
        .once(&server, json(201, json!({"key": PARTICIPANT})))
        .await;
    let client = client(&server);
    let found = client
        .participants()
        .find_by_email(&INTERVIEW.into(), "jane@example.com")
        .await
        .unwrap();
    assert_eq!(found, None);
    let outcome = client.send_interview(&seed_request()).await.unwrap();
    assert!(outcome.created, "the invite goes out");
    assert_eq!(outcome.participant.key.unwrap().as_str(), PARTICIPANT);
}
