//! The admin HTTP API: bearer-authenticated JSON over the connections.
#![cfg(feature = "axum")]

use std::sync::Arc;

use ats_bridge::connection::admin::AdminApi;
use ats_bridge::store::MemoryStore;
use client_core::{SecretString, StatusCode};
use serde_json::{Value, json};

use super::{http, manager, serve};

const TOKEN: &str = "admin-token-0123456789abcdef";

async fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut request = http().request(method.parse().unwrap(), url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

fn acme() -> Value {
    json!({
        "id": "acme",
        "config": {
            "display_name": "Acme Corp",
            "ats": [{"name": "lever", "kind": "lever", "auth": "api_key", "perform_as": "user-1"}]
        },
        "secrets": {
            "willo_api_key": "willo-key-acme",
            "ats": {"lever": {"api_key": "lever-key-acme", "webhook_secrets": ["sig-acme"]}}
        }
    })
}

#[tokio::test]
async fn connections_are_managed_over_http_behind_the_bearer_token() {
    let manager = manager(Arc::new(MemoryStore::new()));
    let api = AdminApi::new(manager, &SecretString::from(TOKEN));
    let base = serve(api.router()).await;
    let connections = format!("{base}/admin/connections");

    for token in [None, Some("wrong"), Some("admin-token-0123456789abcdeF")] {
        let (status, _) = call("GET", &connections, token, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = call("POST", &connections, Some("nope"), Some(acme())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, body) = call("POST", &connections, Some(TOKEN), Some(acme())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let added: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (added["id"].as_str(), added["state"].as_str()),
        (Some("acme"), Some("active"))
    );
    let (status, _) = call("POST", &connections, Some(TOKEN), Some(acme())).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let mut bad = acme();
    bad["id"] = json!("Not A Slug");
    let (status, _) = call("POST", &connections, Some(TOKEN), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let one = format!("{connections}/acme");
    let (status, body) = call(
        "POST",
        &format!("{one}/pause"),
        Some(TOKEN),
        Some(json!({"reason": "trial over"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["state"],
        "paused"
    );
    let (_, body) = call("POST", &format!("{one}/resume"), Some(TOKEN), None).await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["state"],
        "active"
    );

    let mut config = acme()["config"].clone();
    config["display_name"] = json!("Acme Corporation");
    let (status, body) = call("PUT", &one, Some(TOKEN), Some(config)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, listed) = call("GET", &connections, Some(TOKEN), None).await;
    assert_eq!(
        serde_json::from_str::<Value>(&listed).unwrap()[0]["config"]["display_name"],
        "Acme Corporation"
    );

    let (status, shown) = call("GET", &format!("{one}/status"), Some(TOKEN), None).await;
    assert_eq!(status, StatusCode::OK);
    let status_body: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(status_body["secrets"].as_array().unwrap().len(), 3);
    for secret in ["willo-key-acme", "lever-key-acme", "sig-acme"] {
        assert!(
            !shown.contains(secret) && !listed.contains(secret),
            "{shown} {listed}"
        );
    }

    let (status, body) = call("DELETE", &format!("{one}?ledger=erase"), Some(TOKEN), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["secrets"], 3);
    let (status, _) = call("GET", &one, Some(TOKEN), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, listed) = call("GET", &connections, Some(TOKEN), None).await;
    assert_eq!(listed, "[]");
}
