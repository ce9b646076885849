//! Plain calls through the transport: auth and query sent, JSON decoded, the escape
//! hatch, an injected HTTP client, and what it refuses or hides.

use std::sync::Arc;

use client_core::auth::StaticHeader;
use client_core::header::AUTHORIZATION;
use client_core::{Error, Method, SecretString, Transport};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, query_param};
use wiremock::{MockServer, ResponseTemplate};

use crate::support::*;

#[tokio::test]
async fn get_sends_auth_query_and_decodes() {
    let server = MockServer::start().await;
    on("GET", "/api/v2/interviews/")
        .and(header("authorization", "k-123"))
        .and(header("accept", "application/json"))
        .and(query_param("page_size", "30"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"count": 0, "results": []})),
        )
        .await;
    let body: Value = transport(&server)
        .get("/interviews/")
        .query("page_size", 30)
        .send()
        .await
        .unwrap();
    assert_eq!(body["count"], 0);
}

#[tokio::test]
async fn request_json_escape_hatch_reuses_auth() {
    let server = MockServer::start().await;
    on("PATCH", "/api/v2/webhooks/abc/")
        .and(header("authorization", "k-123"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"url": "https://example.com/h"})))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"key": "abc"})),
        )
        .await;
    on("DELETE", "/api/v2/webhooks/abc/")
        .once(&server, ResponseTemplate::new(204))
        .await;
    let client = transport(&server);
    let updated = client
        .request_json(
            Method::PATCH,
            "/webhooks/abc/",
            Some(&json!({"url": "https://example.com/h"})),
        )
        .await
        .unwrap();
    assert_eq!(updated["key"], "abc");
    let deleted = client
        .request_json(Method::DELETE, "/webhooks/abc/", None)
        .await
        .unwrap();
    assert_eq!(deleted, Value::Null);
}

#[tokio::test]
async fn pagination_links_to_other_hosts_are_refused() {
    let server = MockServer::start().await;
    let client = transport(&server);
    let err = client
        .get_url("https://attacker.example/steal")
        .map(drop)
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
    on("GET", "/api/v2/interviews/")
        .and(query_param("page", "2"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"page": 2})),
        )
        .await;
    let next = format!("{}/api/v2/interviews/?page=2", server.uri());
    let body = client.get_url(&next).unwrap().send_value().await.unwrap();
    assert_eq!(body["page"], 2);
}

#[test]
fn debug_of_a_transport_shows_no_secret() {
    let client = Transport::builder("test")
        .base_url("https://api.example.com")
        .auth(Arc::new(StaticHeader::new(
            AUTHORIZATION,
            Some("Bearer"),
            SecretString::from("hunter2-key"),
        )))
        .build()
        .unwrap();
    let text = format!("{client:?}");
    assert!(text.contains("api.example.com"));
    assert!(!text.contains("hunter2-key"), "{text}");
}

#[tokio::test]
async fn an_injected_client_sends_with_its_own_headers_and_the_transports_defaults() {
    let server = MockServer::start().await;
    on("GET", "/api/v2/interviews/")
        .and(header("authorization", "k-123"))
        .and(header("accept", "application/json"))
        .and(header("x-injected", "yes"))
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"ok": true})),
        )
        .await;
    let transport = Transport::builder("test")
        .base_url(format!("{}/api/v2", server.uri()))
        .auth(Arc::new(StaticHeader::new(
            AUTHORIZATION,
            None,
            SecretString::from("k-123"),
        )))
        .http_client(injected_http_client())
        .build()
        .unwrap();
    let body: Value = transport.get("/interviews/").send().await.unwrap();
    assert_eq!(body["ok"], true);
}
