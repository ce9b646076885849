//! `/webhooks/`: list, create, replace, update, delete, and `subscribe` (one webhook per
//! event, each URL carrying the token and its event).

use crate::support;

use serde_json::json;
use support::*;
use url::Url;
use willo_client::{
    InterviewKey, ListParams, SecretString, Subscription, SubscriptionScope, WebhookEvent,
    WebhookInput, WebhookKey,
};

const HOOK: &str = "aa11bb22cc33dd44ee55ff6677889900";

#[tokio::test]
async fn list_reads_the_observed_fields_and_keeps_unknown_events() {
    let server = server().await;
    let observed = fixture("webhook-subscription.observed-fields.json");
    let mut unknown = observed.clone();
    unknown["event"] = json!("participant_archived");
    unknown["status"] = json!({"state": "paused"});
    unknown["secret_hint"] = json!("new field");
    call("GET", "/webhooks/")
        .once(&server, listed(json!([observed, unknown])))
        .await;
    let page = client(&server)
        .webhooks()
        .page(ListParams::new(), None)
        .await
        .unwrap();
    let first = &page.items[0];
    assert_eq!(first.event, Some(WebhookEvent::StageChange));
    assert_eq!(
        first.url.as_ref().map(|u| u.as_str()),
        Some("https://example.com/hooks/willo")
    );
    assert_eq!(first.interviews, [InterviewKey::from("<interview key>")]);
    assert_eq!(first.follow_all_interviews, Some(false));
    assert!(first.departments.is_empty() && first.users.is_empty());
    assert_eq!(first.payload_configuration, None);
    assert_eq!(first.api_version.as_deref(), Some("v1"));
    let second = &page.items[1];
    assert_eq!(
        second.event,
        Some(WebhookEvent::Other("participant_archived".into()))
    );
    assert_eq!(second.extra["secret_hint"], "new field");
}

#[test]
fn debug_hides_url_tokens() {
    let mut hook = willo_client::Webhook::default();
    hook.url = Some("https://example.com/w?token=very-secret&event=new_score".into());
    let text = format!("{hook:?}");
    assert!(!text.contains("very-secret"), "{text}");
    assert!(text.contains("https://example.com/w"), "{text}");
}

#[tokio::test]
async fn create_sends_the_observed_request() {
    let server = server().await;
    let request = fixture("webhook-create-request.observed.json");
    sends("POST", "/webhooks/", request.clone())
        .once(
            &server,
            json(
                201,
                json!({"key": HOOK, "event": "new_response", "status": "active"}),
            ),
        )
        .await;
    let input: WebhookInput = serde_json::from_value(request).unwrap();
    let created = client(&server).webhooks().create(&input).await.unwrap();
    assert_eq!(created.key, Some(WebhookKey::from(HOOK)));
    assert_eq!(created.event, Some(WebhookEvent::NewResponse));
}

#[tokio::test]
async fn replace_update_delete() {
    let server = server().await;
    let item = format!("/webhooks/{HOOK}/");
    sends(
        "PUT",
        &item,
        json!({
            "url": "https://example.com/w?token=t2&event=new_score",
            "event": "new_score",
            "follow_all_interviews": true
        }),
    )
    .once(&server, json(200, json!({"key": HOOK})))
    .await;
    sends(
        "PATCH",
        &item,
        json!({"url": "https://example.com/w?token=t3&event=new_score"}),
    )
    .once(&server, json(200, json!({"key": HOOK})))
    .await;
    deleted_once(&server, &item).await;
    let client = client(&server);
    let key = WebhookKey::from(HOOK);
    let whole = WebhookInput::new()
        .url("https://example.com/w?token=t2&event=new_score")
        .event(WebhookEvent::NewScore)
        .follow_all_interviews(true);
    client.webhooks().replace(&key, &whole).await.unwrap();
    // Rotating the URL token.
    let rotate = WebhookInput::new().url("https://example.com/w?token=t3&event=new_score");
    client.webhooks().update(&key, &rotate).await.unwrap();
    client.webhooks().delete(&key).await.unwrap();
}

#[tokio::test]
async fn subscribe_registers_one_webhook_per_event_with_token_and_event_in_the_url() {
    let server = server().await;
    for event in ["new_response", "stage_change", "new_comment", "new_score"] {
        sends("POST", "/webhooks/", json!({
                "url": format!("https://hooks.example.com/willo?tenant=7&token=tok-123&event={event}"),
                "event": event,
                "interviews": [INTERVIEW],
                "follow_all_interviews": false
            }))
.once(&server, json(201, json!({"key": format!("hook-{event}"), "event": event}))).await;
    }
    let subscription = Subscription::new(
        Url::parse("https://hooks.example.com/willo?tenant=7").unwrap(),
        SecretString::from("tok-123"),
        SubscriptionScope::Interviews(vec![InterviewKey::from(INTERVIEW)]),
    );
    assert!(!format!("{subscription:?}").contains("tok-123"));
    let created = client(&server)
        .webhooks()
        .subscribe(&subscription)
        .await
        .unwrap();
    let events: Vec<_> = created.iter().map(|w| w.event.clone().unwrap()).collect();
    assert_eq!(events, WebhookEvent::ALL);
}

#[tokio::test]
async fn subscribe_to_all_interviews_for_chosen_events() {
    let server = server().await;
    sends(
        "POST",
        "/webhooks/",
        json!({
            "url": "https://hooks.example.com/willo?token=tok&event=stage_change",
            "event": "stage_change",
            "follow_all_interviews": true
        }),
    )
    .once(
        &server,
        json(201, json!({"key": HOOK, "event": "stage_change"})),
    )
    .await;
    let subscription = Subscription::new(
        Url::parse("https://hooks.example.com/willo").unwrap(),
        SecretString::from("tok"),
        SubscriptionScope::AllInterviews,
    )
    .events([WebhookEvent::StageChange]);
    let created = client(&server)
        .webhooks()
        .subscribe(&subscription)
        .await
        .unwrap();
    assert_eq!(created.len(), 1);
}
