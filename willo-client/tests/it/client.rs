//! Client configuration: auth schemes, environments, secrets kept out of `Debug`,
//! throttling honoured, DRF error bodies.

use crate::support;

use std::time::Duration;

use serde_json::json;
use support::*;
use willo_client::{
    AuthScheme, Credentials, Environment, Error, InterviewKey, PRODUCTION_BASE_URL,
    STAGING_BASE_URL, SecretString, WilloClient,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, ResponseTemplate};

async fn get_with_scheme(scheme: AuthScheme, expected: &str) {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(at("/languages/")))
        .and(header("authorization", expected))
        .once(&server, listed(json!([])))
        .await;
    let client = builder(&server).auth_scheme(scheme).build().unwrap();
    client
        .languages()
        .page(willo_client::ListParams::new(), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_bare_key_is_the_default() {
    get_with_scheme(AuthScheme::Bare, KEY).await;
}

#[tokio::test]
async fn the_bearer_scheme_is_configurable() {
    get_with_scheme(AuthScheme::Bearer, &format!("Bearer {KEY}")).await;
}

#[tokio::test]
async fn the_token_scheme_is_configurable() {
    get_with_scheme(AuthScheme::Token, &format!("Token {KEY}")).await;
}

#[test]
fn debug_never_shows_the_key() {
    let builder = WilloClient::builder().api_key(SecretString::from(KEY));
    let text = format!("{builder:?}");
    assert!(!text.contains(KEY), "{text}");
    let client = builder.auth_scheme(AuthScheme::Bearer).build().unwrap();
    let text = format!("{client:?}");
    assert!(!text.contains(KEY), "{text}");
    assert!(text.contains("api.willotalent.com"), "{text}");
}

#[test]
fn environments_and_defaults() {
    assert_eq!(
        Environment::Production.base_url(),
        "https://api.willotalent.com/api/integrations/v2"
    );
    assert_eq!(Environment::Production.base_url(), PRODUCTION_BASE_URL);
    assert_eq!(
        Environment::Staging.base_url(),
        "https://api.stage.willotalent.com/api/integrations/v2"
    );
    assert_eq!(Environment::Staging.base_url(), STAGING_BASE_URL);
    let staging = WilloClient::builder()
        .api_key(SecretString::from(KEY))
        .environment(Environment::Staging)
        .build()
        .unwrap();
    assert_eq!(staging.transport().base_url().as_str(), STAGING_BASE_URL);
    let limits = WilloClient::default_limits().credential();
    assert_eq!(limits.per_second.map(|n| n.get()), Some(5));
    assert_eq!(limits.max_in_flight, Some(2));
    assert!(matches!(
        WilloClient::builder()
            .api_key(SecretString::from(KEY))
            .base_url("not a url")
            .build(),
        Err(Error::Config(_))
    ));
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_is_waited_out_then_retried() {
    let server = server().await;
    call("GET", &format!("/interviews/{INTERVIEW}/"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7")
                .set_body_json(
                    json!({"detail": "Request was throttled. Expected available in 7 seconds."}),
                ),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    call("GET", &format!("/interviews/{INTERVIEW}/"))
        .once(
            &server,
            json(200, json!({"key": INTERVIEW, "title": "Researcher"})),
        )
        .await;
    // On the paused clock tokio jumps to the next timer while the socket is waited
    // on; with the pool's idle timer off, the only timer is the retry wait.
    let http = client_core::HttpClient::builder()
        .pool_idle_timeout(None)
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let interview = builder(&server)
        .http_client(http)
        .build()
        .unwrap()
        .interviews()
        .get(&InterviewKey::from(INTERVIEW))
        .await
        .unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(7) && waited < Duration::from_secs(8),
        "Retry-After honoured: waited {waited:?}"
    );
    assert_eq!(interview.title.as_deref(), Some("Researcher"));
}

#[tokio::test]
async fn a_429_beyond_the_retry_limit_is_returned_with_its_wait() {
    let server = server().await;
    call("GET", "/users/")
        .once(
            &server,
            ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
        )
        .await;
    let err = client(&server)
        .users()
        .page(willo_client::ListParams::new(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
}

#[tokio::test]
async fn detail_bodies_and_401() {
    let server = server().await;
    call("GET", &format!("/interviews/{INTERVIEW}/"))
        .once(&server, json(404, json!({"detail": "Not found."})))
        .await;
    Mock::given(method("GET"))
        .and(path(at("/departments/")))
        .once(&server, json(401, json!({"detail": "Invalid token."})))
        .await;
    let client = client(&server);
    let err = client
        .interviews()
        .get(&InterviewKey::from(INTERVIEW))
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.api_error().unwrap().message, "Not found.");
    let err = client
        .departments()
        .page(willo_client::ListParams::new(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn credentials_are_required_and_reach_the_transport_with_an_injected_client() {
    assert!(matches!(
        WilloClient::builder().build(),
        Err(Error::Config(_))
    ));
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(at("/languages/")))
        .and(header("authorization", KEY))
        .and(header("x-injected", "yes"))
        .once(&server, listed(json!([])))
        .await;
    let client = WilloClient::builder()
        .credentials(Credentials::ApiKey(SecretString::from(KEY)))
        .base_url(format!("{}{ROOT}", server.uri()))
        .http_client(injected_http_client())
        .build()
        .unwrap();
    let page = client
        .languages()
        .page(willo_client::ListParams::new(), None)
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

#[tokio::test]
async fn the_timeout_reaches_the_transport() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path(at("/languages/")))
        .once(&server, listed(json!([])).set_delay(Duration::from_secs(5)))
        .await;
    let error = builder(&server)
        .retry_policy(willo_client::RetryPolicy::none())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .languages()
        .page(willo_client::ListParams::new(), None)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}
