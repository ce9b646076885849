//! Shared test helpers: a transport pointed at a mock server, with fast retries.
#![allow(dead_code)]

use std::sync::Arc;

use client_core::auth::StaticHeader;
use client_core::header::AUTHORIZATION;
use client_core::{SecretString, Transport};
use wiremock::MockServer;

pub use test_support::{MountOnce, fast_retries, injected_http_client, on};

/// A transport for `server` under `/api/v2`, with the key `k-123`.
pub fn transport(server: &MockServer) -> Transport {
    Transport::builder("test")
        .base_url(format!("{}/api/v2", server.uri()))
        .auth(Arc::new(StaticHeader::new(
            AUTHORIZATION,
            None,
            SecretString::from("k-123"),
        )))
        .retry_policy(fast_retries())
        .build()
        .unwrap()
}

/// The error of a `GET /x/` through [`transport`] that must fail.
pub async fn get_fails(server: &MockServer) -> client_core::Error {
    transport(server).get("/x/").send_value().await.unwrap_err()
}
