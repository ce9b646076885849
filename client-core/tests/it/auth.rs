//! Authentication failures: a refused bearer token is renewed once; a refused key is
//! an `Unauthorized` error that does not show it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use client_core::auth::{AccessToken, OAuthBearer, TokenSource};
use client_core::{CredentialState, Error, SecretString, Transport};
use serde_json::json;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

/// Hands out `token-1`, `token-2`… and counts how often it was asked.
#[derive(Debug, Default)]
struct Tokens(AtomicUsize);

#[async_trait]
impl TokenSource for Tokens {
    async fn fetch_token(&self) -> client_core::Result<AccessToken> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Ok(AccessToken::new(
            SecretString::from(format!("token-{n}")),
            None,
        ))
    }
}

#[tokio::test]
async fn a_refused_bearer_token_is_renewed_once_and_the_call_repeated() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer token-1"))
        .once(
            &server,
            ResponseTemplate::new(401).set_body_json(json!({"message": "expired"})),
        )
        .await;
    Mock::given(header("authorization", "Bearer token-2"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"ok": 1})),
        )
        .await;
    let tokens = Arc::new(Tokens::default());
    let client = Transport::builder("test")
        .base_url(server.uri())
        .auth(Arc::new(OAuthBearer::new(tokens.clone())))
        .build()
        .unwrap();
    // A POST too: a 401 means nothing was done, so repeating is safe.
    let body = client
        .post("/notes")
        .json(&json!({}))
        .send_value()
        .await
        .unwrap();
    assert_eq!(body["ok"], 1);
    assert_eq!(tokens.0.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_key_that_stays_refused_is_an_unauthorized_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .once(
            &server,
            ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."})),
        )
        .await;
    let err = get_fails(&server).await;
    assert!(
        matches!(&err, Error::Unauthorized(api) if api.message == "Invalid token."),
        "{err:?}"
    );
    assert!(!err.to_string().contains("k-123"));
}

/// Answer the next request (and only it) with `reply`.
async fn next_answer(server: &MockServer, reply: ResponseTemplate) {
    Mock::given(method("GET"))
        .respond_with(reply)
        .up_to_n_times(1)
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_transport_remembers_whether_the_vendor_accepted_the_credentials() {
    let server = MockServer::start().await;
    let transport = transport(&server);
    assert_eq!(transport.credential_state(), CredentialState::Unknown);

    // A refusal of one resource (403) or a missing one (404) says the key works.
    next_answer(&server, ResponseTemplate::new(403)).await;
    transport.get("/x/").send_value().await.unwrap_err();
    assert_eq!(transport.credential_state(), CredentialState::Valid);

    let refused = ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."}));
    next_answer(&server, refused).await;
    transport.get("/x/").send_value().await.unwrap_err();
    assert_eq!(transport.credential_state(), CredentialState::Rejected);
    // Clones share what was seen (a readiness probe holds one).
    assert_eq!(
        transport.clone().credential_state(),
        CredentialState::Rejected
    );

    next_answer(&server, ResponseTemplate::new(200).set_body_json(json!({}))).await;
    transport.get("/x/").send_value().await.unwrap();
    assert_eq!(transport.credential_state(), CredentialState::Valid);
}

/// A token source whose refresh token was revoked.
#[derive(Debug)]
struct Revoked;

#[async_trait]
impl TokenSource for Revoked {
    async fn fetch_token(&self) -> client_core::Result<AccessToken> {
        Err(Error::ReauthorizationRequired {
            reason: "token revoked".into(),
        })
    }
}

#[tokio::test]
async fn a_token_that_cannot_be_fetched_marks_the_credentials_rejected() {
    let server = MockServer::start().await;
    let transport = Transport::builder("test")
        .base_url(server.uri())
        .auth(Arc::new(OAuthBearer::new(Arc::new(Revoked))))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    let err = transport.get("/x/").send_value().await.unwrap_err();
    assert!(
        matches!(err, Error::ReauthorizationRequired { .. }),
        "{err:?}"
    );
    assert_eq!(transport.credential_state(), CredentialState::Rejected);
    assert!(server.received_requests().await.unwrap().is_empty());
}
