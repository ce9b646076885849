//! Authentication failures: a refused bearer token is renewed once; a refused key is
//! an `Unauthorized` error that does not show it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use client_core::auth::{AccessToken, OAuthBearer, TokenSource};
use client_core::{Error, SecretString, Transport};
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
