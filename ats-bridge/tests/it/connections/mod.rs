//! Connections: many customers on one bridge (issue 16).

mod admin;
mod fleet;
mod limits;
mod manager;
mod oauth;
mod outages;
mod refresh;
mod routing;
mod webhooks;

use std::sync::Arc;

use ats_bridge::connection::{
    AtsAccountConfig, AtsAuth, AtsKind, AtsSecrets, ConnectionConfig, ConnectionId,
    ConnectionManager, ConnectionSecrets, Connections, Keyring, NewConnection, OAuthGrant,
    SealingKey,
};
use client_core::SecretString;

/// The operator's sealing key in these tests.
pub fn keys() -> Keyring {
    Keyring::new(SealingKey::new("k1", &[11; 32]))
}

pub fn manager(store: Arc<dyn Connections>) -> ConnectionManager {
    ConnectionManager::new(store, Arc::new(keys()))
}

pub fn id(text: &str) -> ConnectionId {
    ConnectionId::new(text).unwrap()
}

/// A connection with a Lever account on an API key, verifying with `signature`.
pub fn lever_api_key(connection: &str, signature: &str) -> NewConnection {
    NewConnection::new(
        id(connection),
        ConnectionConfig::new(format!("Customer {connection}")).ats(
            AtsAccountConfig::new(AtsKind::Lever, AtsAuth::ApiKey)
                .perform_as("user-1")
                // Nothing listens here: the intake never calls the API.
                .base_url("http://127.0.0.1:9"),
        ),
        ConnectionSecrets::new(SecretString::from(format!("willo-key-{connection}")))
            .willo_webhook_token(SecretString::from(format!("willo-url-token-{connection}")))
            .ats(
                "lever",
                AtsSecrets::api_key(SecretString::from(format!("lever-key-{connection}")))
                    .webhook_secret(SecretString::from(signature.to_owned())),
            ),
    )
}

/// A connection with a Lever account on OAuth, with `grant` if connected already.
pub fn lever_oauth(connection: &str, grant: Option<OAuthGrant>) -> NewConnection {
    let mut secrets = AtsSecrets::default();
    secrets.grant = grant;
    NewConnection::new(
        id(connection),
        ConnectionConfig::new(format!("Customer {connection}"))
            .ats(AtsAccountConfig::new(AtsKind::Lever, AtsAuth::Oauth).perform_as("user-1")),
        ConnectionSecrets::new(SecretString::from("willo-key")).ats("lever", secrets),
    )
}

/// Serve `router` on a free local port; its base URL.
#[cfg(feature = "axum")]
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

#[cfg(feature = "axum")]
pub fn http() -> client_core::HttpClient {
    client_core::HttpClient::builder()
        .no_proxy()
        .build()
        .unwrap()
}
