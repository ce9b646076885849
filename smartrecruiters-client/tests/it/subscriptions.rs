//! The Webhooks API: subscriptions, activation, secret keys, callback log.

use crate::support;

use futures::TryStreamExt;
use serde_json::json;
use smartrecruiters_client::{
    CallbackAuthentication, CallbackLogFilter, CallbackStatus, SubscriptionStatus,
};
use smartrecruiters_client::{
    EventName, ExposeSecret, NewSubscription, SecretString, SubscriptionId,
};
use support::{API_KEY, MountOnce, client, fixture, json, ok, on, server};
use wiremock::ResponseTemplate;
use wiremock::matchers::{body_json, header, query_param, query_param_is_missing};

const BASE: &str = "/webhooks-api/v201907/subscriptions";

#[tokio::test]
async fn create_with_header_authentication_and_alerting_email() {
    let server = server().await;
    on("POST", BASE)
        .and(header("x-smarttoken", API_KEY))
        .and(body_json(fixture(
            "webhook-subscription-create-request.json",
        )))
        .once(
            &server,
            json(201, fixture("webhook-subscription-created.json")),
        )
        .await;
    let request = NewSubscription::new(
        "https://example.com/hooks/smartrecruiters",
        vec![
            EventName::ApplicationStatusUpdated,
            EventName::CandidateDeleted,
            EventName::JobStatusUpdated,
        ],
    )
    .alerting_email("ops@example.com")
    .authentication(CallbackAuthentication::Header {
        header_name: "X-Api-Key".into(),
        header_value: SecretString::from("secret"),
    });
    assert!(!format!("{request:?}").contains("\"secret\""));
    let created = client(&server)
        .subscriptions()
        .create(&request)
        .await
        .unwrap();
    assert_eq!(created.status, Some(SubscriptionStatus::Inactive));
    assert_eq!(created.events[0].name, Some(EventName::JobCreated));
}

#[test]
fn basic_and_oauth2_callback_authentication_serialise_as_documented() {
    let basic = CallbackAuthentication::Basic {
        username: "user".into(),
        password: SecretString::from("pw"),
    };
    assert_eq!(
        serde_json::to_value(&basic).unwrap(),
        json!({"type": "basic", "username": "user", "password": "pw"})
    );
    let oauth = CallbackAuthentication::Oauth2 {
        client_id: "id".into(),
        client_secret: SecretString::from("cs"),
        token_service_url: "https://auth.example.com/token".into(),
    };
    assert_eq!(
        serde_json::to_value(&oauth).unwrap(),
        json!({"type": "oauth2", "clientId": "id", "clientSecret": "cs",
               "tokenServiceUrl": "https://auth.example.com/token"})
    );
    assert!(!format!("{basic:?}{oauth:?}").contains("pw"));
    assert!(!format!("{oauth:?}").contains("\"cs\""));
}

#[tokio::test]
async fn list_follows_link_pages() {
    let server = server().await;
    on("GET", BASE)
        .and(query_param("limit", "2"))
        .and(query_param_is_missing("page_id"))
        .once(&server,
            ok(fixture("webhook-subscriptions-list.json")).insert_header(
                "link",
                "<https://api.smartrecruiters.com/webhooks-api/v201907/subscriptions?limit=2&page_id=p%3D2>; rel=\"next\"",
            ),
        ).await;
    on("GET", BASE)
        .and(query_param("page_id", "p=2"))
        .once(&server, ok(json!([{"id": "s3", "callbackUrl": "https://x", "events": [], "status": "suspended"}]))).await;
    let all: Vec<_> = client(&server)
        .subscriptions()
        .list(Some(2))
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "643ba46a-a2ef-4e7f-aeab-f51b90eed368",
            "144d9e4e-2787-47e2-95c2-d2c434ef32f4",
            "s3"
        ]
    );
    assert_eq!(
        all[2].status,
        Some(SubscriptionStatus::Other("suspended".into()))
    );
}

#[tokio::test]
async fn get_delete_activate() {
    let server = server().await;
    let one = format!("{BASE}/sub-1");
    on("GET", one.as_str())
        .once(&server, ok(fixture("webhook-subscription-created.json")))
        .await;
    on("DELETE", one.as_str())
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ResponseTemplate::new(204))
        .await;
    on("PUT", format!("{one}/activation"))
        .and(header("x-smarttoken", API_KEY))
        .once(&server, ResponseTemplate::new(204))
        .await;
    let client = client(&server);
    let id = SubscriptionId::from("sub-1");
    let subscription = client.subscriptions().get(&id).await.unwrap();
    assert_eq!(
        subscription.callback_url.as_deref(),
        Some("https://server.com/send/callback/here")
    );
    client.subscriptions().activate(&id).await.unwrap();
    client.subscriptions().delete(&id).await.unwrap();
}

#[tokio::test]
async fn generate_and_get_the_secret_key() {
    let server = server().await;
    let secret_path = format!("{BASE}/sub-1/secret-key");
    on("POST", secret_path.as_str())
        .once(&server, json(201, fixture("webhook-secret-key.json")))
        .await;
    on("GET", secret_path.as_str())
        .once(&server, ok(fixture("webhook-secret-key.json")))
        .await;
    let client = client(&server);
    let id = SubscriptionId::from("sub-1");
    let generated = client
        .subscriptions()
        .generate_secret_key(&id)
        .await
        .unwrap();
    assert_eq!(
        generated.secret_key.expose_secret(),
        "HeBVky2bccvvkcXPimH8c"
    );
    assert!(!format!("{generated:?}").contains("HeBVky"));
    let latest = client.subscriptions().secret_key(&id).await.unwrap();
    assert_eq!(latest.secret_key.expose_secret(), "HeBVky2bccvvkcXPimH8c");
}

#[tokio::test]
async fn callbacks_log_with_filters() {
    let server = server().await;
    on("GET", format!("{BASE}/sub-1/callbacks-log"))
        .and(query_param("limit", "100"))
        .and(query_param("callbackStatus", "failed"))
        .and(query_param("after", "2024-01-01T00:00:00.000Z"))
        .and(query_param("before", "2024-01-02T00:00:00.000Z"))
        .once(&server, ok(fixture("webhook-callbacks-log.json")))
        .await;
    let filter = CallbackLogFilter::new()
        .limit(100)
        .callback_status(CallbackStatus::Failed)
        .after("2024-01-01T00:00:00.000Z")
        .before("2024-01-02T00:00:00.000Z");
    let log: Vec<_> = client(&server)
        .subscriptions()
        .callbacks_log(&"sub-1".into(), &filter)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, Some(CallbackStatus::Successful));
    assert_eq!(log[0].request_details.as_ref().unwrap()["url"], "string");
}
