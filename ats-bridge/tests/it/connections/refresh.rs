//! OAuth refresh single-flight across replicas: two bridges on one PostgreSQL, one
//! rotating refresh token, a token endpoint counting refreshes.
//!
//! Needs `TEST_DATABASE_URL` like the other PostgreSQL tests (skipped outside CI
//! without it, a failure in CI).

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::connection::{ConnectionManager, ConnectionState, OAuthGrant, StoredGrantSource};
use client_core::auth::OAuthBearer;
use client_core::oauth::{ClientAuthMethod, OAuthApp, TokenEndpoint};
use client_core::{Error, ExposeSecret, SecretString, Url};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{id, keys, lever_oauth};
use crate::support::postgres::TestSchema;

/// The access tokens' lifetime: short, so the test sees two expiries quickly.
const LIFETIME_SECS: u64 = 1;
/// Token requests each replica makes at once, per round.
const CALLERS: usize = 8;

async fn rotation(server: &MockServer, refresh: &str, access: &str, next: &str) {
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains(format!("refresh_token={refresh}&")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": access, "refresh_token": next, "expires_in": LIFETIME_SECS
        })))
        .expect(1)
        .named(format!("refresh with {refresh}"))
        .mount(server)
        .await;
}

fn bearer(manager: ConnectionManager, server: &MockServer) -> Arc<OAuthBearer> {
    let endpoint = TokenEndpoint::new(OAuthApp {
        token_url: Url::parse(&format!("{}/oauth/token", server.uri())).unwrap(),
        client_id: "client-1".into(),
        client_secret: SecretString::from("client-secret"),
        auth_method: ClientAuthMethod::RequestBody,
        extra_params: Vec::new(),
    })
    .unwrap();
    let source = StoredGrantSource::new(manager, id("acme"), "lever", endpoint)
        .refresh_margin(Duration::ZERO);
    Arc::new(OAuthBearer::new(Arc::new(source)).refresh_margin(Duration::ZERO))
}

/// Every caller of both replicas asks for a token at once; the tokens they got.
async fn all_at_once(replicas: &[Arc<OAuthBearer>]) -> Vec<Result<String, Error>> {
    let calls = replicas.iter().flat_map(|bearer| {
        (0..CALLERS).map(move |_| {
            let bearer = bearer.clone();
            tokio::spawn(async move { bearer.token().await.map(|t| t.expose_secret().to_owned()) })
        })
    });
    futures::future::join_all(calls)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_refresh_a_rotating_grant_once_per_expiry() {
    let Some(schema) = TestSchema::create("two_replicas_refresh_a_rotating_grant").await else {
        return;
    };
    let server = MockServer::start().await;
    rotation(&server, "rt-1", "at-1", "rt-2").await;
    rotation(&server, "rt-2", "at-2", "rt-3").await;
    // A refresh with a token already used (what a replica racing another would send)
    // is refused as the vendors do; it must never happen.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_grant", "error_description": "refresh token reused"
        })))
        .with_priority(10)
        .expect(0)
        .named("invalid_grant")
        .mount(&server)
        .await;

    let mut managers = Vec::new();
    for _ in 0..2 {
        managers.push(ConnectionManager::new(
            Arc::new(schema.store().await),
            Arc::new(keys()),
        ));
    }
    let grant = OAuthGrant {
        refresh_token: SecretString::from("rt-1"),
        access_token: None,
        access_expires_at_ms: None,
    };
    managers[0]
        .add(lever_oauth("acme", Some(grant)))
        .await
        .unwrap();
    let replicas: Vec<_> = managers
        .iter()
        .map(|m| bearer(m.clone(), &server))
        .collect();

    for expected in ["at-1", "at-2"] {
        let tokens = all_at_once(&replicas).await;
        assert!(
            tokens.iter().all(|t| t.as_deref().ok() == Some(expected)),
            "{:?}",
            tokens
                .iter()
                .map(|t| t.as_ref().map_err(ToString::to_string))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(LIFETIME_SECS * 1000 + 100)).await;
    }
    server.verify().await;
    let stored = managers[1].secrets(&id("acme")).await.unwrap().ats["lever"]
        .grant
        .clone()
        .unwrap();
    assert_eq!(
        stored.refresh_token.expose_secret(),
        "rt-3",
        "the rotated token is stored"
    );
    assert_eq!(
        managers[1].live(&id("acme")).await.unwrap().state,
        ConnectionState::Active
    );

    // The grant revoked: the connection needs credentials, for every replica.
    let revoked = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_grant", "error_description": "grant revoked"
        })))
        .expect(1)
        .mount(&revoked)
        .await;
    let replica = bearer(managers[0].clone(), &revoked);
    assert!(matches!(
        replica.token().await,
        Err(Error::ReauthorizationRequired { .. })
    ));
    let record = managers[1].live(&id("acme")).await.unwrap();
    assert_eq!(record.state, ConnectionState::NeedsCredentials);
    assert!(record.state_reason.unwrap().contains("grant revoked"));
    schema.drop().await;
}
