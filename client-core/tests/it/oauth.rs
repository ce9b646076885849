//! OAuth token calls go through the client's HTTP client and take no redirected answer.

use std::sync::Arc;

use client_core::auth::OAuthBearer;
use client_core::oauth::{ClientAuthMethod, ClientCredentialsSource, OAuthApp, TokenEndpoint};
use client_core::{Error, SecretString, Transport};
use lever_client::{Endpoints, Environment, LeverClient, LeverOAuth};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

fn token_reply() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": "at-1", "refresh_token": "rt-2", "expires_in": 3600, "token_type": "Bearer"
    }))
}

#[tokio::test]
async fn a_client_with_an_injected_http_client_refreshes_its_token_through_it() {
    let server = MockServer::start().await;
    // Only a request sent by the injected client carries `x-injected`.
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(header("x-injected", "yes"))
        .respond_with(token_reply())
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/stages"))
        .and(header("x-injected", "yes"))
        .and(header("authorization", "Bearer at-1"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [], "hasNext": false})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let environment = Environment::Custom(Endpoints::new(
        format!("{}/v1", server.uri()),
        format!("{}/authorize", server.uri()),
        format!("{}/oauth/token", server.uri()),
        "aud",
    ));
    let app = LeverOAuth::new(
        &environment,
        "client",
        SecretString::from("secret"),
        "https://app.example.com/cb",
    );
    let stored = |_: &SecretString| Ok(());
    let client = LeverClient::builder()
        .environment(environment)
        .oauth(app, SecretString::from("rt-1"), Arc::new(stored))
        .http_client(injected_http_client())
        .build()
        .unwrap();
    let page = client.stages().page(None).await.unwrap();
    assert!(page.items.is_empty());
}

fn app(server: &MockServer) -> OAuthApp {
    OAuthApp {
        token_url: format!("{}/oauth/token", server.uri()).parse().unwrap(),
        client_id: "client".into(),
        client_secret: SecretString::from("client-secret"),
        auth_method: ClientAuthMethod::RequestBody,
        extra_params: Vec::new(),
    }
}

fn oauth_transport(idp: &MockServer, http: Option<client_core::HttpClient>) -> Transport {
    let source = ClientCredentialsSource::new(TokenEndpoint::new(app(idp)).unwrap(), Vec::new());
    let builder = Transport::builder("test")
        .base_url(format!("{}/api", idp.uri()))
        .auth(Arc::new(OAuthBearer::new(Arc::new(source))))
        .retry_policy(fast_retries());
    match http {
        Some(http) => builder.http_client(http),
        None => builder,
    }
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_token_call_through_the_transport_client_follows_no_redirect_to_another_host() {
    let (idp, elsewhere) = (MockServer::start().await, MockServer::start().await);
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}/collect", elsewhere.uri()).as_str()),
        )
        .expect(1)
        .mount(&idp)
        .await;
    let error = oauth_transport(&idp, None)
        .get("/x")
        .send_value()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status.as_u16() == 307),
        "{error:?}"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_token_answer_reached_through_a_followed_redirect_is_refused() {
    // An injected client that follows every redirect: the grant ends up answered by
    // another URL, whose tokens are not taken.
    let idp = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/fake-token", idp.uri()).as_str()),
        )
        .mount(&idp)
        .await;
    Mock::given(path("/fake-token"))
        .respond_with(token_reply())
        .mount(&idp)
        .await;
    let error = oauth_transport(&idp, Some(injected_http_client()))
        .get("/x")
        .send_value()
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.message.contains("redirect")),
        "{error:?}"
    );
    let requests = idp.received_requests().await.unwrap();
    assert!(
        requests.iter().all(|r| r.url.path() != "/api/x"),
        "no API call with a token from a redirect"
    );
}
