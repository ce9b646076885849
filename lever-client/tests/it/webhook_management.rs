//! Webhook subscriptions: list, create, update, delete.

use crate::support;
use futures::TryStreamExt;

use client_core::ExposeSecret;
use lever_client::webhooks::Event;
use lever_client::{NewWebhook, WebhookUpdate};
use lever_client::{Origin, WebhookId};
use serde_json::json;
use support::*;
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header};

/// Every origin the fixtures' webhook conditions list, in their order.
fn every_origin() -> Vec<Origin> {
    vec![
        Origin::Applied,
        Origin::Sourced,
        Origin::Referred,
        Origin::University,
        Origin::Agency,
        Origin::Internal,
    ]
}

#[tokio::test]
async fn list_reads_the_unpaged_envelope() {
    let server = server().await;
    as_key_user("GET", "/v1/webhooks")
        .once(&server, json_response(200, "sandbox-webhook-list.json"))
        .await;
    let hooks: Vec<_> = client(&server)
        .webhooks()
        .list()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hooks.len(), 4);
    assert_eq!(hooks[3].event, Event::CandidateStageChange);
    assert_eq!(
        hooks[0]
            .configuration
            .conditions
            .as_ref()
            .unwrap()
            .origins
            .len(),
        6
    );
    assert!(hooks[0].configuration.signature_token.is_none());
}

#[tokio::test]
async fn create_sends_event_url_conditions_and_returns_the_signature_token() {
    let server = server().await;
    let request = fixture_json("webhook-create-request.json");
    as_key_user("POST", "/v1/webhooks")
        .and(body_json(&request))
        .once(
            &server,
            json_response(201, "sandbox-webhook-create-response.json"),
        )
        .await;
    on("POST", "/v1/webhooks")
        .and(body_json(
            json!({"url": "https://example.com/h", "event": "contactCreated"}),
        ))
        .once(
            &server,
            json_response(201, "webhook-create-response-docs.json"),
        )
        .await;
    let lever = client(&server);
    let new = NewWebhook::new(
        Event::CandidateStageChange,
        "https://lever.co/webhookHandler",
    )
    .origins(every_origin());
    let created = lever.webhooks().create(&new).await.unwrap();
    assert_eq!(created.id.as_str(), "507dab91-747d-46c8-aec4-bb5a90ac2a93");
    assert_eq!(
        created
            .configuration
            .signature_token
            .unwrap()
            .expose_secret(),
        "81358960e95ed76bf1def200692c2f956818caf168682e26"
    );

    // The documented, doubly wrapped answer is read too.
    let docs = lever
        .webhooks()
        .create(&NewWebhook::new(
            Event::ContactCreated,
            "https://example.com/h",
        ))
        .await
        .unwrap();
    assert_eq!(docs.id.as_str(), "e2befaae-b830-4c21-a002-2d5019486d1a");
    assert!(docs.configuration.signature_token.is_some());
}

#[tokio::test]
async fn update_puts_a_data_list() {
    let server = server().await;
    let request = fixture_json("webhook-update-request.json");
    as_key_user("PUT", "/v1/webhooks")
        .and(body_json(&request))
        .once(&server, json_response(200, "webhook-list.json"))
        .await;
    let update = WebhookUpdate::new(WebhookId::from("e2befaae-b830-4c21-a002-2d5019486d1a"))
        .url("https://lever.co/webhookHandler")
        .origins(every_origin());
    let updated = client(&server).webhooks().update(&[update]).await.unwrap();
    assert_eq!(
        updated[0].url.as_deref(),
        Some("https://lever.co/webhookHandler")
    );
}

#[tokio::test]
async fn delete_accepts_204() {
    let server = server().await;
    on(
        "DELETE",
        "/v1/webhooks/507dab91-747d-46c8-aec4-bb5a90ac2a93",
    )
    .and(header("authorization", BASIC))
    .once(&server, ResponseTemplate::new(204))
    .await;
    client(&server)
        .webhooks()
        .delete(&WebhookId::from("507dab91-747d-46c8-aec4-bb5a90ac2a93"))
        .await
        .unwrap();
}

/// Lever may add fields to webhooks: they are kept.
#[tokio::test]
async fn list_keeps_unknown_webhook_fields() {
    let server = server().await;
    as_key_user("GET", "/v1/webhooks")
        .once(
            &server,
            ResponseTemplate::new(200).set_body_json(json!({"data": [{
                "id": "w1",
                "event": "candidateHired",
                "url": "https://example.com/hook",
                "configuration": {},
                "createdAt": 1,
                "updatedAt": 2,
                "status": "enabled"
            }]})),
        )
        .await;
    let hooks: Vec<_> = client(&server)
        .webhooks()
        .list()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(hooks[0].extra["status"], "enabled");
}
