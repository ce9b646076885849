//! The builder: environment and base URL, credentials, and the timeout and injected
//! HTTP client reaching the transport.

use crate::support;

use std::time::Duration;

use smartrecruiters_client::{
    CandidateId, Environment, Error, PRODUCTION_BASE_URL, RetryPolicy, SecretString,
    SmartRecruitersClient,
};
use support::{API_KEY, MountOnce, builder, fast_retries, fixture, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::header;

#[test]
fn the_environment_sets_the_api_root() {
    assert_eq!(
        Environment::Production.base_url(),
        "https://api.smartrecruiters.com"
    );
    assert_eq!(Environment::default(), Environment::Production);
    let production = SmartRecruitersClient::builder()
        .api_key(SecretString::from(API_KEY))
        .build()
        .unwrap();
    assert_eq!(
        production.transport().base_url().as_str(),
        format!("{PRODUCTION_BASE_URL}/")
    );
    let custom = SmartRecruitersClient::builder()
        .api_key(SecretString::from(API_KEY))
        .environment(Environment::Custom("https://proxy.example.com/sr".into()))
        .build()
        .unwrap();
    assert_eq!(
        custom.transport().base_url().as_str(),
        "https://proxy.example.com/sr"
    );
    assert!(matches!(
        SmartRecruitersClient::builder()
            .api_key(SecretString::from(API_KEY))
            .environment(Environment::Custom("not a url".into()))
            .build(),
        Err(Error::Config(_))
    ));
    assert!(matches!(
        SmartRecruitersClient::builder().build(),
        Err(Error::Config(_))
    ));
}

#[tokio::test]
async fn a_custom_environment_is_where_requests_go() {
    let server = server().await;
    on("GET", "/candidates/c1")
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ok(fixture("candidate.json")))
        .await;
    let client = SmartRecruitersClient::builder()
        .environment(Environment::Custom(server.uri()))
        .api_key(SecretString::from(API_KEY))
        .retry_policy(fast_retries())
        .build()
        .unwrap();
    fetches_c1(&client).await;
}

/// `GET /candidates/c1` through `client`, which must succeed.
async fn fetches_c1(client: &SmartRecruitersClient) {
    client
        .candidates()
        .get(&CandidateId::from("c1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_timeout_reaches_the_transport() {
    let server = server().await;
    on("GET", "/candidates/c1")
        .once(
            &server,
            ResponseTemplate::new(200)
                .set_body_json(fixture("candidate.json"))
                .set_delay(Duration::from_secs(5)),
        )
        .await;
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let error = client
        .candidates()
        .get(&CandidateId::from("c1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn an_injected_http_client_sends_the_requests() {
    let server = server().await;
    on("GET", "/candidates/c1")
        .and(header("x-injected", "yes"))
        .and(header("x-smarttoken", API_KEY))
        .and(header("accept", "application/json"))
        .once(&server, ok(fixture("candidate.json")))
        .await;
    let client = builder(&server)
        .http_client(support::injected_http_client())
        .build()
        .unwrap();
    fetches_c1(&client).await;
}
