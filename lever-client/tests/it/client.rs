//! Client configuration: environments pick the API root, and the default limiter paces
//! requests at Lever's 10 requests/second after a burst of 20.

use crate::support;

use std::time::{Duration, Instant};

use client_core::{LimitSpec, SecretString};
use lever_client::{Environment, LeverClient, StageId};
use support::*;
use wiremock::matchers::header;

#[test]
fn environments_set_the_api_root() {
    for (environment, root) in [
        (Environment::Production, "https://api.lever.co/v1"),
        (Environment::Sandbox, "https://api.sandbox.lever.co/v1"),
        (Environment::Eu, "https://api.eu.lever.co/v1"),
    ] {
        let client = LeverClient::builder()
            .environment(environment)
            .api_key(SecretString::from("k"))
            .build()
            .unwrap();
        assert_eq!(client.transport().base_url().as_str(), root);
    }
}

#[test]
fn default_limits_are_lever_documented_bucket() {
    assert_eq!(
        LeverClient::default_limits().credential(),
        LimitSpec::default().per_second(10).burst(20)
    );
}

#[tokio::test]
async fn requests_beyond_the_burst_are_paced() {
    let server = server().await;
    as_key_user("GET", "/v1/stages/offer")
        .respond_with(json_response(200, "stage.json"))
        .expect(22)
        .mount(&server)
        .await;
    let lever = client(&server);
    let started = Instant::now();
    for _ in 0..22 {
        lever.stages().get(&StageId::from("offer")).await.unwrap();
    }
    // 20 go out at once; the 21st and 22nd wait ~100 ms each for the bucket to refill.
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn the_timeout_and_an_injected_http_client_reach_the_transport() {
    let server = server().await;
    as_key_user("GET", "/v1/stages/offer")
        .and(header("x-injected", "yes"))
        .once(&server, json_response(200, "stage.json"))
        .await;
    on("GET", "/v1/stages/slow")
        .once(
            &server,
            json_response(200, "stage.json").set_delay(Duration::from_secs(5)),
        )
        .await;
    let injected = LeverClient::builder()
        .base_url(format!("{}/v1", server.uri()))
        .api_key(SecretString::from("test-key"))
        .http_client(injected_http_client())
        .build()
        .unwrap();
    injected
        .stages()
        .get(&StageId::from("offer"))
        .await
        .unwrap();

    let impatient = LeverClient::builder()
        .base_url(format!("{}/v1", server.uri()))
        .api_key(SecretString::from("test-key"))
        .retry_policy(client_core::RetryPolicy::none())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let error = impatient
        .stages()
        .get(&StageId::from("slow"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, client_core::Error::Timeout { .. }),
        "{error:?}"
    );
}
