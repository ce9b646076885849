//! The OAuth connect flow: a consent URL with a signed, expiring state, and the
//! callback that exchanges the code and stores the grant.

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::connection::oauth::{CallbackQuery, ConnectError, OAuthConnect, OAuthProvider};
use ats_bridge::connection::{AtsKind, ConnectionManager, ConnectionState};
use ats_bridge::store::MemoryStore;
use client_core::secrecy::SecretBox;
use client_core::{ExposeSecret, SecretString, Url};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{id, lever_oauth, manager};

const REDIRECT: &str = "https://bridge.example.com/oauth/callback";

fn provider(server: &MockServer) -> OAuthProvider {
    OAuthProvider::new(
        AtsKind::Lever,
        Url::parse("https://auth.example.com/authorize").unwrap(),
        Url::parse(&format!("{}/oauth/token", server.uri())).unwrap(),
        "client-1",
        SecretString::from("client-secret"),
        REDIRECT,
    )
    .unwrap()
    .scope("offline_access")
}

fn flow(manager: ConnectionManager, server: &MockServer) -> OAuthConnect {
    OAuthConnect::new(manager, SecretBox::new(Box::from([7u8; 32].as_slice())))
        .provider(provider(server))
}

fn state_of(url: &Url) -> String {
    url.query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .unwrap()
}

fn callback(code: &str, state: &str) -> CallbackQuery {
    CallbackQuery {
        code: Some(SecretString::from(code.to_owned())),
        state: Some(state.to_owned()),
        error: None,
    }
}

#[tokio::test]
async fn the_callback_exchanges_the_code_stores_the_grant_and_activates_the_connection() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=code-1"))
        .and(body_string_contains("client_id=client-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600, "token_type": "Bearer"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let manager = manager(Arc::new(MemoryStore::new()));
    manager.add(lever_oauth("acme", None)).await.unwrap();
    let flow = flow(manager.clone(), &server);

    let url = flow.consent_url(&id("acme"), "lever").await.unwrap();
    assert!(
        url.as_str().starts_with(
            "https://auth.example.com/authorize?response_type=code&client_id=client-1"
        )
    );
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "redirect_uri" && v == REDIRECT)
    );
    assert!(
        url.query_pairs()
            .any(|(k, v)| k == "scope" && v == "offline_access")
    );
    let state = state_of(&url);
    assert_ne!(
        state,
        state_of(&flow.consent_url(&id("acme"), "lever").await.unwrap()),
        "a nonce each"
    );

    let (connection, account) = flow.callback(&callback("code-1", &state)).await.unwrap();
    assert_eq!((connection, account.as_str()), (id("acme"), "lever"));
    assert_eq!(
        manager.live(&id("acme")).await.unwrap().state,
        ConnectionState::Active
    );
    let grant = manager.secrets(&id("acme")).await.unwrap().ats["lever"]
        .grant
        .clone()
        .unwrap();
    assert_eq!(grant.refresh_token.expose_secret(), "rt-1");
    assert_eq!(grant.access_token.unwrap().expose_secret(), "at-1");
}

#[tokio::test]
async fn forged_expired_or_refused_states_store_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&server)
        .await;
    let manager = manager(Arc::new(MemoryStore::new()));
    manager.add(lever_oauth("acme", None)).await.unwrap();
    manager.add(lever_oauth("beta", None)).await.unwrap();
    let flow = flow(manager.clone(), &server);
    let state = state_of(&flow.consent_url(&id("acme"), "lever").await.unwrap());

    // Altered: the payload names another connection, or the tag is wrong.
    let (payload, tag) = state.split_once('.').unwrap();
    let other = state_of(&flow.consent_url(&id("beta"), "lever").await.unwrap());
    let (other_payload, _) = other.split_once('.').unwrap();
    for forged in [
        format!("{other_payload}.{tag}"),
        format!("{payload}.{}", &tag[1..]),
        "not-a-state".to_owned(),
        String::new(),
    ] {
        assert!(matches!(
            flow.callback(&callback("code-1", &forged)).await,
            Err(ConnectError::InvalidState)
        ));
    }
    // Signed with another bridge's key.
    let stranger = OAuthConnect::new(
        manager.clone(),
        SecretBox::new(Box::from([8u8; 32].as_slice())),
    )
    .provider(provider(&server));
    assert!(matches!(
        stranger.callback(&callback("code-1", &state)).await,
        Err(ConnectError::InvalidState)
    ));
    // Expired.
    let hasty = flow_with_ttl(manager.clone(), &server, Duration::ZERO);
    let expired = state_of(&hasty.consent_url(&id("acme"), "lever").await.unwrap());
    assert!(matches!(
        hasty.callback(&callback("code-1", &expired)).await,
        Err(ConnectError::ExpiredState)
    ));
    // The customer declined.
    let declined = CallbackQuery {
        code: None,
        state: Some(state),
        error: Some("access_denied".into()),
    };
    assert!(matches!(
        flow.callback(&declined).await,
        Err(ConnectError::Denied(reason)) if reason == "access_denied"
    ));
    for connection in ["acme", "beta"] {
        assert_eq!(
            manager.live(&id(connection)).await.unwrap().state,
            ConnectionState::NeedsCredentials
        );
    }
    // Only OAuth accounts of live connections have consent URLs.
    assert!(
        flow.consent_url(&id("acme"), "smartrecruiters")
            .await
            .is_err()
    );
    assert!(flow.consent_url(&id("nobody"), "lever").await.is_err());
}

fn flow_with_ttl(manager: ConnectionManager, server: &MockServer, ttl: Duration) -> OAuthConnect {
    flow(manager, server).state_ttl(ttl)
}

/// Over HTTP: the admin API hands out the consent URL, the callback route connects.
#[cfg(feature = "axum")]
#[tokio::test]
async fn the_consent_url_and_callback_routes_connect_an_account() {
    use ats_bridge::connection::admin::AdminApi;
    use ats_bridge::connection::oauth::router;

    use super::{http, serve};

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains("code=code-9"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "at-9", "refresh_token": "rt-9", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    let manager = manager(Arc::new(MemoryStore::new()));
    manager.add(lever_oauth("acme", None)).await.unwrap();
    let flow = Arc::new(flow(manager.clone(), &server));
    let admin =
        AdminApi::new(manager.clone(), &SecretString::from("admin-token")).oauth(flow.clone());
    let base = serve(router(flow).merge(admin.router())).await;

    let answer: serde_json::Value = http()
        .post(format!("{base}/admin/connections/acme/oauth/lever"))
        .bearer_auth("admin-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let consent = Url::parse(answer["url"].as_str().unwrap()).unwrap();
    let state = state_of(&consent);

    let callback = |state: String| {
        let url = Url::parse_with_params(
            &format!("{base}/oauth/callback"),
            [("code", "code-9"), ("state", state.as_str())],
        )
        .unwrap();
        async move { http().get(url).send().await.unwrap().status() }
    };
    assert_eq!(callback(format!("{state}x")).await.as_u16(), 400);
    assert_eq!(
        manager.live(&id("acme")).await.unwrap().state,
        ConnectionState::NeedsCredentials
    );
    assert_eq!(callback(state).await.as_u16(), 200);
    assert_eq!(
        manager.live(&id("acme")).await.unwrap().state,
        ConnectionState::Active
    );
}
