//! The connections example: add, list, pause, resume, remove and re-seal from the
//! command line; register and unregister a connection's webhooks against the sandbox.

#[path = "../../examples/connections.rs"]
#[allow(dead_code)]
mod example;

use std::sync::Arc;

use ats_bridge::connection::{ConnectionManager, Connections, Keyring, SealingKey};
use ats_bridge::store::MemoryStore;
use example::{Command, Tools};

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
    example::run(
        &Tools::new(manager.clone()),
        &cli.command,
        input,
        cli.json,
        &mut out,
    )
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
    let error = example::run(
        &Tools::new(manager),
        &cli.command,
        Some(broken),
        false,
        &mut Vec::new(),
    )
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
        &Tools::new(manager.clone()),
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

/// A connection file for `connection` on `account`'s Lever and Willo, with API keys.
fn on_sandbox(connection: &str, account: &ats_sandbox::AccountHandle) -> String {
    use client_core::ExposeSecret;
    serde_json::json!({
        "id": connection,
        "config": {
            "display_name": format!("Customer {connection}"),
            "willo_base_url": account.willo_base_url(),
            "ats": [{
                "name": "lever", "kind": "lever", "auth": "api_key",
                "perform_as": account.lever().perform_as(),
                "base_url": account.lever_base_url(),
            }]
        },
        "secrets": {
            "willo_api_key": account.willo_api_key().expose_secret(),
            "ats": {"lever": {"api_key": account.lever_api_key().expose_secret()}}
        }
    })
    .to_string()
}

/// The URLs of the webhooks `account` holds at Lever and at Willo (without query).
async fn webhook_urls(account: &ats_sandbox::AccountHandle) -> (Vec<String>, Vec<String>) {
    use futures::TryStreamExt;
    let lever: Vec<lever_client::Webhook> = account
        .lever_client()
        .unwrap()
        .webhooks()
        .list()
        .try_collect()
        .await
        .unwrap();
    let willo: Vec<willo_client::Webhook> = account
        .willo_client()
        .unwrap()
        .webhooks()
        .list(willo_client::ListParams::new())
        .try_collect()
        .await
        .unwrap();
    let mut lever: Vec<String> = lever.into_iter().filter_map(|w| w.url).collect();
    let mut willo: Vec<String> = willo
        .into_iter()
        .filter_map(|w| w.url)
        .map(|url| {
            url.as_str()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    lever.sort();
    willo.sort();
    (lever, willo)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_registered_and_unregistered_from_the_command_line() {
    use ats_sandbox::{Sandbox, SandboxAccount, SandboxConfig};
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap();
    let shared = sandbox.add_account(SandboxAccount::new("shared")).unwrap();
    let manager = ConnectionManager::new(
        Arc::new(MemoryStore::new()),
        Arc::new(Keyring::new(SealingKey::new("k1", &[1; 32]))),
    );
    for connection in ["one", "two"] {
        run(
            &manager,
            &["add", "--file", "c.json"],
            Some(&on_sandbox(connection, &shared)),
        )
        .await;
    }
    let mut tools = Tools::new(manager.clone());
    // Without a public URL anywhere, the command says what it needs.
    let cli = example::parse(["webhooks", "register", "one"].map(String::from)).unwrap();
    let error = example::run(&tools, &cli.command, None, false, &mut Vec::new())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("--public-url"), "{error}");
    tools.public_url = Some("https://bridge.example".to_owned());

    let registered = run_with(&tools, &["webhooks", "register", "one"]).await;
    let lines: Vec<&str> = registered.lines().collect();
    assert_eq!(
        lines[0],
        "lever: https://bridge.example/webhooks/one/lever (2 created, new secret stored)"
    );
    assert!(
        lines[1].starts_with("  lever webhook ") && lines[1].ends_with(": created"),
        "{registered}"
    );
    assert!(
        registered.contains(
            "willo: https://bridge.example/webhooks/one/willo (2 created, new secret stored)"
        ),
        "{registered}"
    );
    let secrets = manager.secrets(&"one".parse().unwrap()).await.unwrap();
    assert_eq!(secrets.ats["lever"].webhook_secrets.len(), 2);
    let json = run_with(
        &tools,
        &[
            "webhooks",
            "register",
            "two",
            "--public-url",
            "https://b2.example",
            "--json",
        ],
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        json["sources"][0]["url"],
        "https://b2.example/webhooks/two/lever"
    );
    let (lever, willo) = webhook_urls(&shared).await;
    assert_eq!(
        lever,
        [
            "https://b2.example/webhooks/two/lever",
            "https://b2.example/webhooks/two/lever",
            "https://bridge.example/webhooks/one/lever",
            "https://bridge.example/webhooks/one/lever",
        ]
    );
    assert_eq!(willo.len(), 4);

    // `one`'s go, wherever they point; `two`'s stay.
    let removed = run_with(
        &tools,
        &[
            "webhooks",
            "unregister",
            "one",
            "--public-url",
            "https://moved.example",
        ],
    )
    .await;
    let lines: Vec<&str> = removed.lines().collect();
    assert_eq!(
        lines[0],
        "lever: https://moved.example/webhooks/one/lever (2 removed)"
    );
    assert!(lines[1].ends_with(": removed"), "{removed}");
    assert_eq!(
        lines[3],
        "willo: https://moved.example/webhooks/one/willo (2 removed)"
    );
    assert_eq!(lines.len(), 6, "{removed}");
    let (lever, willo) = webhook_urls(&shared).await;
    assert_eq!(
        lever,
        [
            "https://b2.example/webhooks/two/lever",
            "https://b2.example/webhooks/two/lever"
        ]
    );
    assert_eq!(
        willo,
        [
            "https://b2.example/webhooks/two/willo",
            "https://b2.example/webhooks/two/willo"
        ]
    );
    // Again: nothing left to remove.
    let again = run_with(&tools, &["webhooks", "unregister", "one"]).await;
    assert_eq!(
        again,
        "lever: https://bridge.example/webhooks/one/lever (0 removed)\n\
         willo: https://bridge.example/webhooks/one/willo (0 removed)\n"
    );

    // A removal that unregisters first.
    let removal = run_with(
        &tools,
        &["remove", "two", "--unregister-webhooks", "--json"],
    )
    .await;
    let removal: serde_json::Value = serde_json::from_str(&removal).unwrap();
    assert_eq!(
        removal["webhooks"]["sources"][0]["removed"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(removal["secrets"], 4, "{removal}");
    assert_eq!(webhook_urls(&shared).await, (vec![], vec![]));
    // `one` only lost its webhooks; `two` is gone.
    assert_eq!(
        run(&manager, &["list"], None).await,
        "one\tactive\tCustomer one\t[lever]\n"
    );
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_whose_webhooks_cannot_be_unregistered_keeps_the_connection() {
    use ats_sandbox::{Sandbox, SandboxAccount, SandboxConfig};
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap();
    let acme = sandbox.add_account(SandboxAccount::new("acme")).unwrap();
    let manager = ConnectionManager::new(
        Arc::new(MemoryStore::new()),
        Arc::new(Keyring::new(SealingKey::new("k1", &[1; 32]))),
    );
    let mut file: serde_json::Value = serde_json::from_str(&on_sandbox("acme", &acme)).unwrap();
    file["secrets"]["ats"]["lever"]["api_key"] = "a-revoked-lever-key".into();
    run(
        &manager,
        &["add", "--file", "c.json"],
        Some(&file.to_string()),
    )
    .await;

    let cli = example::parse(
        [
            "remove",
            "acme",
            "--unregister-webhooks",
            "--public-url",
            "https://b.example",
        ]
        .map(String::from),
    )
    .unwrap();
    let error = example::run(
        &Tools::new(manager.clone()),
        &cli.command,
        None,
        false,
        &mut Vec::new(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("removing the webhooks of `lever` failed")
            && error.contains("the connection was not removed")
            && !error.contains("a-revoked-lever-key"),
        "{error}"
    );
    assert!(manager.live(&"acme".parse().unwrap()).await.is_ok());
    // `--public-url` alone means nothing without `--unregister-webhooks`.
    assert!(example::parse(["remove", "acme", "--public-url", "x"].map(String::from)).is_err());
    sandbox.shutdown().await;
}

async fn run_with(tools: &Tools, args: &[&str]) -> String {
    let cli = example::parse(args.iter().map(|a| a.to_string())).unwrap();
    let mut out = Vec::new();
    example::run(tools, &cli.command, None, cli.json, &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}
