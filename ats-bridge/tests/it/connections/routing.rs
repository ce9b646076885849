//! `/webhooks/{connection}/{source}`: each connection's deliveries verified with its
//! own secrets and stored under its own scope; unknown connections refused before the
//! body is read; the single-account routes unchanged beside them.
#![cfg(all(feature = "axum", feature = "lever"))]

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ats_bridge::connection::{AdapterBuilder, AdapterIntakes, ConnectionIntakes, LedgerErasure};
use ats_bridge::intake::{Intake, connection_router, router};
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::store::{Inbox, Lease, MemoryStore, Stores};
use client_core::{SecretString, StatusCode};
use lever_client::webhooks::{Event, EventData, TestDelivery};
use lever_client::{LeverClient, OpportunityId};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::{http, id, lever_api_key, manager, serve};

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

fn signed(token: &str, secret: &str) -> Vec<u8> {
    let mut data = EventData::default();
    data.opportunity_id = Some(OpportunityId::from("opp-1"));
    data.to_stage_id = Some("stage-2".into());
    TestDelivery::new(Event::CandidateStageChange, token, now_ms())
        .data(data)
        .sign(&SecretString::from(secret.to_owned()))
        .body
}

async fn post(url: &str, body: Vec<u8>) -> StatusCode {
    http()
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn each_connection_verifies_only_its_own_deliveries() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    manager
        .add(lever_api_key("acme", "sig-acme"))
        .await
        .unwrap();
    manager
        .add(lever_api_key("beta", "sig-beta"))
        .await
        .unwrap();
    let factory = AdapterIntakes::new(
        manager.clone(),
        AdapterBuilder::new(manager.clone()),
        Stores::from(store.clone()),
    );
    let intakes = Arc::new(ConnectionIntakes::new(manager.clone(), Arc::new(factory)));

    // The single-account intake of today, beside the connections' routes.
    let single = Intake::builder(store.clone())
        .ats(Arc::new(LeverAts::new(
            LeverClient::builder()
                .base_url("http://127.0.0.1:9")
                .api_key(SecretString::from("k"))
                .build()
                .unwrap(),
            LeverAtsConfig::new("user-1").signature_token(SecretString::from("sig-single")),
        )))
        .build()
        .unwrap();
    let base = serve(router(Arc::new(single)).merge(connection_router(intakes))).await;

    assert_eq!(
        post(
            &format!("{base}/webhooks/acme/lever"),
            signed("t-1", "sig-acme")
        )
        .await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post(
            &format!("{base}/webhooks/beta/lever"),
            signed("t-2", "sig-beta")
        )
        .await,
        StatusCode::ACCEPTED
    );
    // Signed with the other customer's secret: refused, whichever way round.
    assert_eq!(
        post(
            &format!("{base}/webhooks/acme/lever"),
            signed("t-3", "sig-beta")
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(
            &format!("{base}/webhooks/beta/lever"),
            signed("t-4", "sig-acme")
        )
        .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(
            &format!("{base}/webhooks/acme/smartrecruiters"),
            signed("t-5", "sig-acme")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    // Willo deliveries carry each connection's own URL token.
    let willo = |connection: &str, token: &str| {
        format!("{base}/webhooks/{connection}/willo/new_response?token=willo-url-token-{token}")
    };
    let participant = br#"{"participant": {"key": "0123456789abcdef0123456789abcdef"}}"#.to_vec();
    assert_eq!(
        post(&willo("acme", "acme"), participant.clone()).await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post(&willo("acme", "beta"), participant.clone()).await,
        StatusCode::UNAUTHORIZED
    );
    // The single-account route still works, with its own secret only.
    assert_eq!(
        post(
            &format!("{base}/webhooks/lever"),
            signed("t-6", "sig-single")
        )
        .await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post(&format!("{base}/webhooks/lever"), signed("t-7", "sig-acme")).await,
        StatusCode::UNAUTHORIZED
    );

    let stored = store
        .inbox_claim(&Lease::new("w", i64::MAX / 2, 1_000), 10)
        .await
        .unwrap();
    let mut sources: Vec<_> = stored.iter().map(|item| item.source.as_str()).collect();
    sources.sort_unstable();
    assert_eq!(sources, ["acme/lever", "acme/willo", "beta/lever", "lever"]);

    // Removed: refused like an unknown connection.
    manager
        .remove(&id("beta"), LedgerErasure::Erase)
        .await
        .unwrap();
    assert_eq!(
        post(
            &format!("{base}/webhooks/beta/lever"),
            signed("t-8", "sig-beta")
        )
        .await,
        StatusCode::NOT_FOUND
    );
    // A rotated secret applies at once: both are accepted during the rotation.
    let mut secrets = manager.secrets(&id("acme")).await.unwrap();
    secrets
        .ats
        .get_mut("lever")
        .unwrap()
        .webhook_secrets
        .insert(0, SecretString::from("sig-acme-new"));
    manager.replace_secrets(&id("acme"), secrets).await.unwrap();
    assert_eq!(
        post(
            &format!("{base}/webhooks/acme/lever"),
            signed("t-9", "sig-acme-new")
        )
        .await,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        post(
            &format!("{base}/webhooks/acme/lever"),
            signed("t-10", "sig-acme")
        )
        .await,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn an_unknown_connection_is_refused_before_the_body_is_read() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let factory = AdapterIntakes::new(
        manager.clone(),
        AdapterBuilder::new(manager.clone()),
        Stores::from(store),
    );
    let intakes = Arc::new(ConnectionIntakes::new(manager, Arc::new(factory)));
    let base = serve(connection_router(intakes)).await;
    let address = base.trim_start_matches("http://");

    // The headers announce a large body and only one byte of it ever comes: an answer
    // can only arrive if the body is not awaited.
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    socket
        .write_all(
            b"POST /webhooks/nobody/lever HTTP/1.1\r\nHost: bridge\r\n\
              Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{",
        )
        .await
        .unwrap();
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut answer))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.contains("unknown_connection"), "{answer}");
}
