//! Credentials: API key, OAuth client credentials (single fetch, refresh after expiry,
//! Basic variant), authorization code (consent URL, exchange, rotated refresh tokens),
//! and secrets kept out of `Debug`.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use smartrecruiters_client::{
    Credentials, Error, OAuthClient, RateLimits, RefreshTokenGrant, SecretString,
    SmartRecruitersClient,
};
use support::{API_KEY, MountOnce, client, fast_retries, fixture, json, ok, on, server};
use wiremock::matchers::{body_string_contains, header};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

const TOKEN_PATH: &str = "/identity/oauth/token";

fn app(server: &MockServer) -> OAuthClient {
    OAuthClient::new("client-1", SecretString::from("s3cret-value"))
        .token_url(format!("{}{TOKEN_PATH}", server.uri()))
}

fn oauth_client(server: &MockServer, credentials: Credentials) -> SmartRecruitersClient {
    SmartRecruitersClient::builder()
        .base_url(server.uri())
        .credentials(credentials)
        .limits(RateLimits::unlimited())
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// Issues `token-1`, `token-2`, … valid for an hour.
struct NumberedTokens(AtomicUsize);

impl Respond for NumberedTokens {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        ok(json!({"access_token": format!("token-{n}"), "token_type": "bearer", "expires_in": 3600}))
        .set_delay(Duration::from_millis(20))
    }
}

#[tokio::test]
async fn api_key_goes_in_x_smarttoken() {
    let server = server().await;
    on("GET", "/configuration/company")
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ok(json!({"identifier": "acme", "name": "Acme"})))
        .await;
    let company = client(&server).configuration().company().await.unwrap();
    assert_eq!(company.identifier.as_deref(), Some("acme"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn client_credentials_token_is_fetched_once_for_20_concurrent_calls() {
    let server = server().await;
    on("POST", TOKEN_PATH)
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("client_id=client-1"))
        .and(body_string_contains("client_secret=s3cret-value"))
        .once(
            &server,
            ok(fixture("oauth-token-response.json")).set_delay(Duration::from_millis(50)),
        )
        .await;
    on("GET", "/user-api/v201804/users/me")
        .and(header("authorization", "Bearer DCRA1-<opaque>"))
        .respond_with(ok(fixture("user.json")))
        .expect(20)
        .mount(&server)
        .await;
    let client = oauth_client(&server, Credentials::client_credentials(app(&server)));
    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.users().me().await.unwrap() })
    });
    for call in calls {
        assert_eq!(
            call.await.unwrap().id.as_str(),
            "e8c0deb2-5fff-477d-98ab-80d0dd92dbc9"
        );
    }
}

/// The token endpoint, answering `token-1` then `token-2`, and asked exactly twice.
async fn hands_out_two_tokens(server: &MockServer) {
    on("POST", TOKEN_PATH)
        .respond_with(NumberedTokens(AtomicUsize::new(0)))
        .expect(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn client_credentials_token_is_refreshed_after_expiry() {
    let server = server().await;
    hands_out_two_tokens(&server).await;
    for token in ["token-1", "token-2"] {
        on("GET", "/configuration/company")
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .respond_with(ok(json!({"name": token})))
            .expect(2)
            .mount(&server)
            .await;
    }
    // An hour-long token renewed 1 s before it expires: fresh for 1 s.
    let client = SmartRecruitersClient::builder()
        .base_url(server.uri())
        .credentials(Credentials::client_credentials(app(&server)))
        .token_refresh_margin(Duration::from_secs(3599))
        .build()
        .unwrap();
    let configuration = client.configuration();
    for _ in 0..2 {
        assert_eq!(
            configuration.company().await.unwrap().name.as_deref(),
            Some("token-1")
        );
    }
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for _ in 0..2 {
        assert_eq!(
            configuration.company().await.unwrap().name.as_deref(),
            Some("token-2")
        );
    }
}

#[tokio::test]
async fn a_refused_token_is_renewed_once_and_the_call_repeated() {
    let server = server().await;
    hands_out_two_tokens(&server).await;
    on("GET", "/configuration/company")
        .and(header("authorization", "Bearer token-1"))
        .once(&server, json(401, json!({"message": "token revoked"})))
        .await;
    on("GET", "/configuration/company")
        .and(header("authorization", "Bearer token-2"))
        .once(&server, ok(json!({"name": "ok"})))
        .await;
    let client = oauth_client(&server, Credentials::client_credentials(app(&server)));
    let company = client.configuration().company().await.unwrap();
    assert_eq!(company.name.as_deref(), Some("ok"));
}

#[tokio::test]
async fn client_secret_basic_sends_credentials_in_the_authorization_header() {
    let server = server().await;
    // base64("client-1:s3cret-value")
    on("POST", TOKEN_PATH)
        .and(header(
            "authorization",
            "Basic Y2xpZW50LTE6czNjcmV0LXZhbHVl",
        ))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("scope=candidates_read+jobs_read"))
        .once(
            &server,
            ok(json!({"access_token": "basic-token", "expires_in": 1800})),
        )
        .await;
    on("GET", "/configuration/company")
        .and(header("authorization", "Bearer basic-token"))
        .once(&server, ok(json!({})))
        .await;
    let credentials = Credentials::ClientCredentials {
        app: app(&server).basic_auth(),
        scopes: vec!["candidates_read".into(), "jobs_read".into()],
    };
    oauth_client(&server, credentials)
        .configuration()
        .company()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let token_body = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(!token_body.contains("s3cret-value"), "{token_body}");
}

#[test]
fn consent_url_has_every_parameter() {
    let app = OAuthClient::new("client 1", SecretString::from("x"));
    let url = app
        .consent_url(
            "https://app.example.com/callback",
            &["candidates_read", "candidates_manage"],
            "state-123",
        )
        .unwrap();
    assert_eq!(
        url.as_str(),
        "https://www.smartrecruiters.com/identity/oauth/allow?response_type=code&client_id=client+1\
         &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&state=state-123\
         &scope=candidates_read+candidates_manage"
    );
    let without_scopes = app.consent_url("https://a.example/cb", &[], "s").unwrap();
    assert!(!without_scopes.as_str().contains("scope="));
}

#[tokio::test]
async fn authorization_code_is_exchanged() {
    let server = server().await;
    on("POST", TOKEN_PATH)
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .and(body_string_contains("redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb"))
        .and(body_string_contains("client_secret=s3cret-value"))
        .once(&server, ok(json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 1800, "token_type": "bearer"}))).await;
    let tokens = app(&server)
        .exchange_code(
            &SecretString::from("the-code"),
            "https://app.example.com/cb",
        )
        .await
        .unwrap();
    assert_eq!(tokens.expires_in, Some(1800));
    assert!(tokens.refresh_token.is_some());
}

#[tokio::test]
async fn the_code_exchange_host_is_configurable_apart_from_refreshes() {
    // The documented token host is the default for every grant; the `www.` host of
    // SmartRecruiters' passport strategy can take the code exchange alone.
    assert_eq!(
        smartrecruiters_client::DEFAULT_TOKEN_URL,
        "https://api.smartrecruiters.com/identity/oauth/token"
    );
    assert_eq!(
        smartrecruiters_client::WWW_TOKEN_URL,
        "https://www.smartrecruiters.com/identity/oauth/token"
    );
    let server = server().await;
    on("POST", "/www/identity/oauth/token")
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("code=the-code"))
        .once(
            &server,
            ok(json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 1800})),
        )
        .await;
    on("POST", TOKEN_PATH)
        .and(body_string_contains("grant_type=client_credentials"))
        .once(
            &server,
            ok(json!({"access_token": "cc-1", "expires_in": 1800})),
        )
        .await;
    let app = app(&server).code_exchange_url(format!("{}/www{TOKEN_PATH}", server.uri()));
    let tokens = app
        .exchange_code(
            &SecretString::from("the-code"),
            "https://app.example.com/cb",
        )
        .await
        .unwrap();
    assert_eq!(tokens.expires_in, Some(1800));
    // Other grants stay on the token URL.
    let cc = app.client_credentials_token(&[]).await.unwrap();
    assert_eq!(cc.expires_in, Some(1800));
}

#[tokio::test]
async fn rotated_refresh_tokens_reach_the_store_and_invalid_grant_asks_for_consent() {
    let server = server().await;
    on("POST", TOKEN_PATH)
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=rt-1"))
        .once(
            &server,
            ok(json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 1800})),
        )
        .await;
    on("GET", "/user-api/v201804/users/me")
        .and(header("authorization", "Bearer at-2"))
        .once(&server, ok(fixture("user.json")))
        .await;
    let stored: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = stored.clone();
    let store = move |token: &SecretString| -> smartrecruiters_client::Result<()> {
        use smartrecruiters_client::secrecy::ExposeSecret;
        sink.lock().unwrap().push(token.expose_secret().to_owned());
        Ok(())
    };
    let grant = RefreshTokenGrant::new(app(&server), SecretString::from("rt-1"), Arc::new(store));
    let client = oauth_client(&server, Credentials::AuthorizationCode(grant));
    client.users().me().await.unwrap();
    assert_eq!(*stored.lock().unwrap(), ["rt-2"]);

    // A used refresh token is refused with invalid_grant: a person must consent again.
    let server = server_with_invalid_grant().await;
    let grant = RefreshTokenGrant::new(
        app(&server),
        SecretString::from("rt-used"),
        Arc::new(|_: &SecretString| Ok(())),
    );
    let err = oauth_client(&server, Credentials::AuthorizationCode(grant))
        .users()
        .me()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ReauthorizationRequired { .. }),
        "{err}"
    );
}

async fn server_with_invalid_grant() -> MockServer {
    let server = server().await;
    on("POST", TOKEN_PATH)
        .once(&server, json(
            400,
            json!({"error": "invalid_grant", "error_description": "refresh token already used"}),
        )).await;
    server
}

#[test]
fn debug_output_never_shows_secrets() {
    let app = OAuthClient::new("client-1", SecretString::from("s3cret-value"));
    let grant = RefreshTokenGrant::new(
        app.clone(),
        SecretString::from("refresh-s3cret"),
        Arc::new(|_: &SecretString| Ok(())),
    );
    let builder = SmartRecruitersClient::builder().api_key(SecretString::from(API_KEY));
    let texts = [
        format!("{app:?}"),
        format!("{grant:?}"),
        format!("{:?}", Credentials::client_credentials(app.clone())),
        format!("{:?}", Credentials::AuthorizationCode(grant.clone())),
        format!("{builder:?}"),
        format!("{:?}", builder.build().unwrap()),
        format!(
            "{:?}",
            SmartRecruitersClient::builder()
                .credentials(Credentials::client_credentials(app))
                .build()
                .unwrap()
        ),
    ];
    for text in texts {
        for secret in ["s3cret-value", "refresh-s3cret", API_KEY] {
            assert!(!text.contains(secret), "{text}");
        }
    }
}
