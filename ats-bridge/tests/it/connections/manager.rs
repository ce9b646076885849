//! The Rust API: add, change, pause, resume, remove; secrets sealed, keys rotated.

use std::sync::Arc;

use ats_bridge::connection::{
    ConnectionError, ConnectionManager, ConnectionState, Connections, Keyring, LedgerErasure,
    SealError, SealingKey,
};
use ats_bridge::store::{Inbox, MemoryStore, NewDelivery};
use client_core::ExposeSecret;

use super::{id, lever_api_key, lever_oauth, manager};

#[tokio::test]
async fn connections_are_added_paused_resumed_and_removed_at_runtime() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let acme = manager
        .add(lever_api_key("acme", "sig-acme"))
        .await
        .unwrap();
    assert_eq!(acme.state, ConnectionState::Active);
    assert!(matches!(
        manager.add(lever_api_key("acme", "sig-acme")).await,
        Err(ConnectionError::Store(_))
    ));
    manager
        .add(lever_api_key("beta", "sig-beta"))
        .await
        .unwrap();
    let ids: Vec<_> = manager
        .list()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids, [id("acme"), id("beta")]);

    manager
        .pause(&acme.id, Some("invoice unpaid"))
        .await
        .unwrap();
    let paused = manager.get(&acme.id).await.unwrap().unwrap();
    assert_eq!(paused.state, ConnectionState::Paused);
    assert_eq!(paused.state_reason.as_deref(), Some("invoice unpaid"));
    manager.resume(&acme.id).await.unwrap();
    assert_eq!(
        manager.live(&acme.id).await.unwrap().state,
        ConnectionState::Active
    );

    store
        .inbox_insert(&NewDelivery::new("acme/lever", "d-1", b"{}"), 1)
        .await
        .unwrap();
    let removal = manager
        .remove(&acme.id, LedgerErasure::KeepIds)
        .await
        .unwrap();
    assert_eq!((removal.secrets, removal.inbox), (4, 1));
    assert_eq!(manager.list().await.unwrap().len(), 1);
    assert!(matches!(
        manager.live(&acme.id).await,
        Err(ConnectionError::NotFound(_))
    ));
    assert!(store.connection_secrets(&acme.id).await.unwrap().is_empty());
    assert!(matches!(
        manager.pause(&acme.id, None).await,
        Err(ConnectionError::NotFound(_))
    ));
}

#[tokio::test]
async fn bad_connections_are_refused_with_the_reason_and_nothing_stored() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let mut missing_key = lever_api_key("acme", "sig");
    missing_key.secrets.ats.get_mut("lever").unwrap().api_key = None;
    let mut bad_rules = lever_api_key("acme", "sig");
    bad_rules.config.rules = Some("[[trigger]]\nats = 3".into());
    let mut no_user = lever_api_key("acme", "sig");
    no_user.config.ats[0].perform_as = None;
    for (bad, says) in [
        (missing_key, "API key"),
        (bad_rules, "rules"),
        (no_user, "perform_as"),
    ] {
        match manager.add(bad).await {
            Err(ConnectionError::Invalid(message)) => assert!(message.contains(says), "{message}"),
            other => panic!("{other:?}"),
        }
    }
    assert!(manager.list().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_oauth_account_without_a_grant_needs_credentials_and_cannot_resume() {
    let manager = manager(Arc::new(MemoryStore::new()));
    let record = manager.add(lever_oauth("acme", None)).await.unwrap();
    assert_eq!(record.state, ConnectionState::NeedsCredentials);
    assert!(matches!(
        manager.resume(&record.id).await,
        Err(ConnectionError::Invalid(_))
    ));
}

#[tokio::test]
async fn secrets_are_sealed_at_rest_and_never_shown() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    manager
        .add(lever_api_key("acme", "sig-acme-secret"))
        .await
        .unwrap();
    for entry in store.connection_secrets(&id("acme")).await.unwrap() {
        for plain in [
            "willo-key-acme",
            "lever-key-acme",
            "sig-acme-secret",
            "willo-url-token-acme",
        ] {
            assert!(
                !entry
                    .sealed
                    .bytes
                    .windows(plain.len())
                    .any(|w| w == plain.as_bytes()),
                "{} holds {plain} in the clear",
                entry.name
            );
        }
    }
    let secrets = manager.secrets(&id("acme")).await.unwrap();
    assert_eq!(secrets.willo_api_key.expose_secret(), "willo-key-acme");
    assert_eq!(
        secrets.ats["lever"].webhook_secrets[0].expose_secret(),
        "sig-acme-secret"
    );
    let shown = format!("{secrets:?} {:?}", manager.get(&id("acme")).await.unwrap());
    for plain in ["willo-key-acme", "lever-key-acme", "sig-acme-secret"] {
        assert!(!shown.contains(plain), "{shown}");
    }
}

#[tokio::test]
async fn rotating_the_sealing_key_reseals_everything_and_old_blobs_still_open_meanwhile() {
    let store = Arc::new(MemoryStore::new());
    let old = manager(store.clone());
    old.add(lever_api_key("acme", "sig-acme")).await.unwrap();
    old.add(lever_api_key("beta", "sig-beta")).await.unwrap();

    // The new key seals from now on; the old one still opens what it sealed.
    let rotating = ConnectionManager::new(
        store.clone(),
        Arc::new(
            Keyring::new(SealingKey::new("k2", &[22; 32]))
                .with_old_key(SealingKey::new("k1", &[11; 32])),
        ),
    );
    let before = rotating.secrets(&id("acme")).await.unwrap();
    assert_eq!(before.willo_api_key.expose_secret(), "willo-key-acme");
    assert_eq!(rotating.reseal_all().await.unwrap(), 8);
    assert_eq!(
        rotating.reseal_all().await.unwrap(),
        0,
        "nothing left under k1"
    );
    for connection in ["acme", "beta"] {
        for entry in store.connection_secrets(&id(connection)).await.unwrap() {
            assert_eq!(entry.sealed.key_id, "k2", "{}", entry.name);
        }
    }

    // The old key retired: the new key alone opens everything; the old alone nothing.
    let new_only = ConnectionManager::new(
        store.clone(),
        Arc::new(Keyring::new(SealingKey::new("k2", &[22; 32]))),
    );
    let after = new_only.secrets(&id("beta")).await.unwrap();
    assert_eq!(
        after.ats["lever"].api_key.as_ref().unwrap().expose_secret(),
        "lever-key-beta"
    );
    assert!(matches!(
        old.secrets(&id("beta")).await,
        Err(ConnectionError::Seal(SealError::UnknownKey(key))) if key == "k2"
    ));
}
