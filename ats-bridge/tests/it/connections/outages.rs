//! Credential outages of a fleet's connections are recorded in the store: every
//! replica's status (and a process started later) shows a refused key, whether or not
//! its engine is loaded there, until the key works again or is replaced.
#![cfg(feature = "lever")]

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::connection::{
    AtsSecrets, ConnectionStatus, Connections, Fleet, FleetConfig, FleetStatus, StoredOutage,
};
use ats_bridge::engine::{Engine, EngineConfig, EngineError, RetrySchedule};
use ats_bridge::store::{MemoryStore, Stores};
use ats_sandbox::{Faults, Seed};
use client_core::SecretString;

use super::fleet::{Customer, engine_config, start_with, until};
use super::{id, manager};

/// Parked work comes back after two seconds: long enough for every refusal of one
/// burst to fall within one probe interval, short enough for the test.
const PROBE: Duration = Duration::from_secs(2);

fn probing_engine() -> EngineConfig {
    let mut config = engine_config();
    config.credential_probes = RetrySchedule::new(PROBE, PROBE, u32::MAX);
    config
}

fn acme(status: &FleetStatus) -> &ConnectionStatus {
    status
        .connections
        .iter()
        .find(|c| c.id.as_str() == "acme")
        .expect("acme is live")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_lever_key_shows_in_every_fleets_status_until_the_key_is_replaced() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let customer = Customer::start("acme", 8, Seed::new(), Faults::none()).await;
    // The customer's Lever key as stored is one the sandbox does not know: 401.
    let mut connection = customer.connection(None);
    connection.secrets.ats.insert(
        "lever".to_owned(),
        AtsSecrets::api_key(SecretString::from("revoked-lever-key"))
            .webhook_secret(SecretString::from(customer.signature())),
    );
    manager.add(connection).await.unwrap();
    let (fleet, intakes, _stop) = start_with(
        &manager,
        Stores::from(store.clone()),
        probing_engine(),
        FleetConfig::default(),
    );

    let opportunities = customer.opportunities();
    for opportunity in &opportunities[..3] {
        let status = customer
            .moved(&intakes, "acme", opportunity, &customer.signature())
            .await;
        assert_eq!(status, 202);
    }
    // Each delivery's Lever read is refused, and its work parked.
    let mut seen = None;
    let started = std::time::Instant::now();
    while seen.is_none() {
        let status = fleet.status().await.unwrap();
        let outage = acme(&status).credential_outages.get("acme/lever").cloned();
        seen = outage.filter(|outage| outage.refusals >= 3);
        assert!(started.elapsed() < Duration::from_secs(10), "{status:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let outage = seen.unwrap();
    assert!(outage.reason.contains("401"), "{outage:?}");
    // Recorded once when it began, not at every refused request.
    let stored = store.credential_outages(Some(&id("acme"))).await.unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (stored[0].credential.as_str(), stored[0].refusals),
        ("lever", 1)
    );
    assert_eq!(stored[0].since_ms, outage.since_ms);
    assert_eq!(customer.invites(), 0);

    // Another fleet on the same store (another replica, or this process restarted)
    // has no engine for the connection and still shows the refused key.
    let replica = Fleet::builder(manager.clone(), Stores::from(store.clone()))
        .engine_config(probing_engine())
        .build()
        .unwrap();
    let status = replica.status().await.unwrap();
    let there = acme(&status);
    assert!(!there.loaded);
    let outage = there
        .credential_outages
        .get("acme/lever")
        .expect("the recorded outage");
    assert_eq!(outage.refusals, 1);
    assert!(outage.reason.contains("401"), "{outage:?}");
    assert!(!there.healthy());
    assert_eq!(status.unhealthy().count(), 1);
    // The connection stays active: an API key refused is not a lost OAuth grant.
    assert_eq!(status.connections_by_state.get("active"), Some(&1));

    // The key replaced: no replica shows the outage any more, and the parked work
    // resumes with the new key at its next probe.
    manager
        .replace_secrets(&id("acme"), customer.connection(None).secrets)
        .await
        .unwrap();
    for status in [
        fleet.status().await.unwrap(),
        replica.status().await.unwrap(),
    ] {
        assert!(acme(&status).credential_outages.is_empty(), "{status:?}");
    }
    assert!(
        store
            .credential_outages(Some(&id("acme")))
            .await
            .unwrap()
            .is_empty()
    );
    until("the parked candidates invited", || customer.invites() == 3).await;
    let status = fleet.status().await.unwrap();
    assert!(acme(&status).healthy(), "{status:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_another_replica_recorded_ends_when_a_call_works_here() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    let customer = Customer::start("acme", 9, Seed::new(), Faults::none()).await;
    manager.add(customer.connection(None)).await.unwrap();
    // Recorded by a replica whose engine saw Lever refuse the key, before it stopped.
    let recorded = StoredOutage {
        connection: id("acme"),
        credential: "lever".to_owned(),
        since_ms: 1_000,
        last_refusal_ms: 2_000,
        refusals: 3,
        reason: "Lever said 401".to_owned(),
    };
    store.credential_outage_put(&recorded).await.unwrap();
    let (fleet, intakes, _stop) = start_with(
        &manager,
        Stores::from(store.clone()),
        probing_engine(),
        FleetConfig::default(),
    );
    let status = fleet.status().await.unwrap();
    let outage = &acme(&status).credential_outages["acme/lever"];
    assert_eq!((outage.since_ms, outage.refusals), (1_000, 3));

    // The key works (the vendor took it back): this engine never saw it refused, and
    // its first call that works ends the recorded outage.
    customer
        .moved(
            &intakes,
            "acme",
            &customer.opportunities()[0],
            &customer.signature(),
        )
        .await;
    until("invited", || customer.invites() == 1).await;
    let started = std::time::Instant::now();
    loop {
        let status = fleet.status().await.unwrap();
        if acme(&status).credential_outages.is_empty() {
            assert!(acme(&status).healthy(), "{status:?}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "{status:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        store
            .credential_outages(Some(&id("acme")))
            .await
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_engine_records_outages_only_as_a_connection() {
    let store = Arc::new(MemoryStore::new());
    let willo = || {
        willo_client::WilloClient::builder()
            .api_key(SecretString::from("willo-key"))
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap()
    };
    let alone = Engine::builder(willo(), store.clone())
        .outage_store(store.clone())
        .build();
    assert!(
        matches!(&alone, Err(EngineError::Config(m)) if m.contains("connection")),
        "{alone:?}"
    );
    let connection = Engine::builder(willo(), store.clone())
        .connection(id("acme"))
        .outage_store(store)
        .build();
    assert!(connection.is_ok(), "{connection:?}");
}
