//! Auth: Basic header, redacted Debug, environments, consent URL, code exchange,
//! single-flight refresh with rotation, `invalid_grant`.

use crate::support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use client_core::auth::AccessToken;
use client_core::{ExposeSecret, SecretString};
use lever_client::{Endpoints, Environment, Error, LeverClient, LeverOAuth, StageId};
use serde_json::json;
use support::*;
use wiremock::matchers::{body_string_contains, header};
use wiremock::{MockServer, ResponseTemplate};

#[test]
fn environments_use_the_documented_urls() {
    let prod = Environment::Production.endpoints();
    assert_eq!(prod.api_base, "https://api.lever.co/v1");
    assert_eq!(prod.authorize_url, "https://auth.lever.co/authorize");
    assert_eq!(prod.token_url, "https://auth.lever.co/oauth/token");
    assert_eq!(prod.audience, "https://api.lever.co/v1/");
    let sandbox = Environment::Sandbox.endpoints();
    assert_eq!(sandbox.api_base, "https://api.sandbox.lever.co/v1");
    assert_eq!(
        sandbox.authorize_url,
        "https://sandbox-lever.auth0.com/authorize"
    );
    assert_eq!(
        sandbox.token_url,
        "https://sandbox-lever.auth0.com/oauth/token"
    );
    assert_eq!(sandbox.audience, "https://api.sandbox.lever.co/v1/");
    assert_eq!(
        Environment::Eu.endpoints().api_base,
        "https://api.eu.lever.co/v1"
    );
}

#[test]
fn authorize_url_carries_audience_scopes_with_offline_access_and_state() {
    let app = LeverOAuth::new(
        &Environment::Sandbox,
        "client-1",
        SecretString::from("shh"),
        "https://app.example.com/callback",
    );
    let url = app
        .authorize_url(&["opportunities:read:admin"], "xyz-state")
        .unwrap();
    assert_eq!(url.host_str(), Some("sandbox-lever.auth0.com"));
    assert_eq!(url.path(), "/authorize");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("response_type"), Some("code"));
    assert_eq!(get("client_id"), Some("client-1"));
    assert_eq!(
        get("redirect_uri"),
        Some("https://app.example.com/callback")
    );
    assert_eq!(get("state"), Some("xyz-state"));
    assert_eq!(get("audience"), Some("https://api.sandbox.lever.co/v1/"));
    assert_eq!(
        get("scope"),
        Some("opportunities:read:admin offline_access")
    );
}

#[test]
fn debug_never_shows_secrets() {
    let app = LeverOAuth::new(
        &Environment::Production,
        "client-1",
        SecretString::from("client-secret-value"),
        "https://app.example.com/cb",
    );
    let builder = LeverClient::builder().api_key(SecretString::from("api-key-value"));
    let client = LeverClient::builder()
        .api_key(SecretString::from("api-key-value"))
        .build()
        .unwrap();
    let oauth_builder = LeverClient::builder().oauth(
        app.clone(),
        SecretString::from("refresh-token-value"),
        Arc::new(|_: &SecretString| Ok(())),
    );
    for text in [
        format!("{app:?}"),
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{oauth_builder:?}"),
    ] {
        for secret in [
            "client-secret-value",
            "api-key-value",
            "refresh-token-value",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}

#[test]
fn a_client_needs_credentials() {
    let err = LeverClient::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err}");
}

fn oauth_app(server: &MockServer) -> LeverOAuth {
    LeverOAuth::new(
        &Environment::Custom(Endpoints::new(
            format!("{}/v1", server.uri()),
            format!("{}/authorize", server.uri()),
            format!("{}/oauth/token", server.uri()),
            "https://api.lever.co/v1/",
        )),
        "client-1",
        SecretString::from("client-secret"),
        "https://app.example.com/cb",
    )
}

#[tokio::test]
async fn the_code_is_exchanged_with_a_form_post() {
    let server = server().await;
    on("POST", "/oauth/token")
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains("client_id=client-1"))
        .and(body_string_contains("client_secret=client-secret"))
        .and(body_string_contains(
            "redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb",
        ))
        .once(&server, json_response(200, "oauth-token-response.json"))
        .await;
    let tokens = oauth_app(&server)
        .exchange_code(&SecretString::from("the-code"))
        .await
        .unwrap();
    assert_eq!(tokens.expires_in, Some(3600));
    assert_eq!(
        tokens.refresh_token.unwrap().expose_secret(),
        "DOOIm_5oZhqtkZmLwsFJudu4kBxSIdgMsKrxr_2QZZ9ia"
    );
}

#[tokio::test]
async fn twenty_concurrent_calls_after_expiry_refresh_once_and_persist_the_rotated_token() {
    let server = server().await;
    on("POST", "/oauth/token")
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=old-refresh"))
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(json!({
                    "access_token": "fresh-access",
                    "refresh_token": "rotated-refresh",
                    "token_type": "Bearer",
                    "scope": "stages:read:admin offline_access",
                    "expires_in": 3600
                }))
                .set_delay(Duration::from_millis(50)),
        )
        .await;
    on("GET", "/v1/stages/offer")
        .and(header("authorization", "Bearer fresh-access"))
        .respond_with(json_response(200, "stage.json"))
        .expect(20)
        .mount(&server)
        .await;

    let stored: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = stored.clone();
    let lever = LeverClient::builder()
        .base_url(format!("{}/v1", server.uri()))
        .oauth(
            oauth_app(&server),
            SecretString::from("old-refresh"),
            Arc::new(move |token: &SecretString| {
                sink.lock().unwrap().push(token.expose_secret().to_owned());
                Ok(())
            }),
        )
        // An access token that has already expired.
        .access_token(AccessToken::new(
            SecretString::from("expired-access"),
            Some(Duration::ZERO),
        ))
        .retry_policy(fast_retries())
        .build()
        .unwrap();

    let calls: Vec<_> = (0..20)
        .map(|_| {
            let lever = lever.clone();
            tokio::spawn(async move { lever.stages().get(&StageId::from("offer")).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(*stored.lock().unwrap(), vec!["rotated-refresh".to_owned()]);
}

#[tokio::test]
async fn a_refused_refresh_token_requires_reauthorization() {
    let server = server().await;
    on("POST", "/oauth/token")
        .once(
            &server,
            ResponseTemplate::new(403).set_body_json(json!({
                "error": "invalid_grant",
                "error_description": "Unknown or invalid refresh token."
            })),
        )
        .await;
    let lever = LeverClient::builder()
        .base_url(format!("{}/v1", server.uri()))
        .oauth(
            oauth_app(&server),
            SecretString::from("revoked"),
            Arc::new(|_: &SecretString| Ok(())),
        )
        .build()
        .unwrap();
    let err = lever
        .stages()
        .get(&StageId::from("offer"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ReauthorizationRequired { reason } if reason.contains("invalid refresh token")),
        "{err}"
    );
}
