//! The connections example: add, list, pause, resume, remove and re-seal from the
//! command line.

#[path = "../../examples/connections.rs"]
#[allow(dead_code)]
mod example;

use std::sync::Arc;

use ats_bridge::connection::{ConnectionManager, Connections, Keyring, SealingKey};
use ats_bridge::store::MemoryStore;
use example::Command;

const ACME: &str = r#"{
    "id": "acme",
    "config": {
        "display_name": "Acme Corp",
        "ats": [{"name": "lever", "kind": "lever", "auth": "api_key", "perform_as": "user-1"}]
    },
    "secrets": {
        "willo_api_key": "willo-key-acme",
        "ats": {"lever": {"api_key": "lever-key-acme", "webhook_secrets": ["sig-acme"]}}
    }
}"#;

async fn run(manager: &ConnectionManager, args: &[&str], input: Option<&str>) -> String {
    let cli = example::parse(args.iter().map(|a| a.to_string())).unwrap();
    let mut out = Vec::new();
    example::run(manager, &cli.command, input, cli.json, &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn connections_are_added_listed_paused_resumed_and_removed() {
    let store = Arc::new(MemoryStore::new());
    let manager = ConnectionManager::new(
        store.clone(),
        Arc::new(Keyring::new(SealingKey::new("k1", &[1; 32]))),
    );
    let added = run(&manager, &["add", "--file", "acme.json"], Some(ACME)).await;
    assert_eq!(added, "acme\tactive\tAcme Corp\t[lever]\n");
    let paused = run(&manager, &["pause", "acme", "--reason", "trial over"], None).await;
    assert_eq!(paused, "acme\tpaused\tAcme Corp\t[lever]\t(trial over)\n");
    let listed = run(&manager, &["list", "--json"], None).await;
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["state"], "paused");
    assert!(!listed.to_string().contains("lever-key-acme"));
    assert_eq!(
        run(&manager, &["resume", "acme"], None).await,
        "acme\tactive\tAcme Corp\t[lever]\n"
    );

    // A key rotation: the new key seals, the old one still opens, `reseal` moves all.
    let rotating = ConnectionManager::new(
        store.clone(),
        Arc::new(
            Keyring::new(SealingKey::new("k2", &[2; 32]))
                .with_old_key(SealingKey::new("k1", &[1; 32])),
        ),
    );
    assert_eq!(
        run(&rotating, &["reseal"], None).await,
        "re-sealed 3 secrets under the current key\n"
    );

    assert_eq!(
        run(&manager, &["remove", "acme", "--erase-ledger"], None).await,
        "removed acme: 3 secrets, 0 deliveries, 0 cursors erased; 0 ledger rows erased\n"
    );
    assert_eq!(run(&manager, &["list"], None).await, "");
    assert!(
        store.connection_list().await.unwrap()[0].state
            == ats_bridge::connection::ConnectionState::Removed
    );
}

#[test]
fn ids_are_checked_and_secrets_never_taken_from_the_command_line() {
    assert!(example::parse(["pause".to_owned(), "Not A Slug".to_owned()]).is_err());
    let cli = example::parse(["remove".to_owned(), "acme".to_owned()]).unwrap();
    assert!(matches!(
        cli.command,
        Command::Remove {
            erase_ledger: false,
            ..
        }
    ));
    assert!(example::parse(["add".to_owned(), "--api-key".to_owned(), "x".to_owned()]).is_err());
}

#[tokio::test]
async fn a_malformed_connection_file_is_refused_without_quoting_it() {
    let manager = ConnectionManager::new(
        Arc::new(MemoryStore::new()),
        Arc::new(Keyring::new(SealingKey::new("k1", &[1; 32]))),
    );
    let cli = example::parse(["add".to_owned(), "--file".to_owned(), "x".to_owned()]).unwrap();
    let broken = r#"{"id": "acme", "secrets": {"willo_api_key": "secret-in-a-broken-file""#;
    let error = example::run(&manager, &cli.command, Some(broken), false, &mut Vec::new())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("not valid") && !error.contains("secret-in-a-broken-file"),
        "{error}"
    );
}

#[tokio::test]
async fn a_connections_own_limits_are_added_from_its_file_and_bad_ones_refused() {
    let manager = ConnectionManager::new(
        Arc::new(MemoryStore::new()),
        Arc::new(Keyring::new(SealingKey::new("k1", &[1; 32]))),
    );
    let mut acme: serde_json::Value = serde_json::from_str(ACME).unwrap();
    acme["config"]["willo_limits"] = serde_json::json!({"per_second": 2});
    acme["config"]["ats"][0]["limits"] = serde_json::json!({"per_second": 4, "burst": 8});

    let mut bad = acme.clone();
    bad["config"]["ats"][0]["limits"]["burst"] = serde_json::json!(0);
    let cli = example::parse(["add".to_owned(), "--file".to_owned(), "x".to_owned()]).unwrap();
    let error = example::run(
        &manager,
        &cli.command,
        Some(&bad.to_string()),
        false,
        &mut Vec::new(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert_eq!(
        error,
        "invalid connection: the limits of `lever`: burst is 0: leave it out to keep the fleet's value"
    );
    assert_eq!(run(&manager, &["list"], None).await, "");

    run(
        &manager,
        &["add", "--file", "acme.json"],
        Some(&acme.to_string()),
    )
    .await;
    let listed = run(&manager, &["list", "--json"], None).await;
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(
        listed[0]["config"]["willo_limits"],
        acme["config"]["willo_limits"]
    );
    assert_eq!(
        listed[0]["config"]["ats"][0]["limits"],
        serde_json::json!({"per_second": 4, "burst": 8})
    );
}
