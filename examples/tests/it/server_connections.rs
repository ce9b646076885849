//! The server example in connections mode: the admin API adds customers at runtime,
//! their webhooks reach their own rows, and `/health` rolls the fleet up — a paused
//! customer's or one needing credentials shows there without taking the bridge out
//! of rotation. And its configuration's mode is checked.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ats_bridge::registration::subscribe_lever;
use ats_bridge::store::Stores;
use ats_sandbox::lever::STAGE_RECRUITER_SCREEN;
use ats_sandbox::{Sandbox, SandboxConfig, SandboxOAuthApp};
use ats_store_sql::{PostgresOptions, PostgresStore};
use client_core::{ExposeSecret, HttpClient, StatusCode};
use examples::fleet_secrets::FleetSecrets;
use examples::server_config::{ConfigError, ServerConfig};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::support::postgres::TestSchema;

pub(crate) const TOKEN: &str = "admin-token-for-the-test-0123456789";
const SEALING_KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

pub(crate) fn secrets() -> FleetSecrets {
    secrets_of("replica-a")
}

/// A replica's secrets: the shared admin token and sealing key, its own worker id.
fn secrets_of(worker: &str) -> FleetSecrets {
    FleetSecrets::from_vars(|name| match name {
        "BRIDGE_ADMIN_TOKEN" => Some(TOKEN.to_owned()),
        "BRIDGE_SEALING_KEY" => Some(SEALING_KEY.to_owned()),
        "BRIDGE_WORKER_ID" => Some(worker.to_owned()),
        _ => None,
    })
    .unwrap()
}

/// Run the server in connections mode with `config` and `secrets` while `drive`
/// (given its address) runs, then stop it; the stop must be graceful.
pub(crate) async fn serving(
    config: ServerConfig,
    secrets: FleetSecrets,
    drive: impl AsyncFnOnce(SocketAddr),
) {
    let (ready, bound) = oneshot::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = examples::fleet_server::run(
        config,
        secrets,
        async {
            let _ = stopped.await;
        },
        |addr| {
            let _ = ready.send(addr);
        },
    );
    let drive = async {
        let addr = bound.await.expect("the server listens");
        drive(addr).await;
        stop.send(()).unwrap();
    };
    let (result, ()) = tokio::join!(server, drive);
    result.expect("a graceful stop returns Ok");
}

pub(crate) async fn get(http: &HttpClient, addr: SocketAddr, path: &str) -> (StatusCode, Value) {
    let response = http
        .get(format!("http://{addr}{path}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

pub(crate) async fn post(
    http: &HttpClient,
    addr: SocketAddr,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = http
        .post(format!("http://{addr}{path}"))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

/// Poll `path` until `done` holds for its body (10 s at most).
pub(crate) async fn until(
    http: &HttpClient,
    addr: SocketAddr,
    path: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, body) = get(http, addr, path).await;
        if done(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{path}: not in time: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The admin API's body adding the sandbox's Lever account as connection `id`.
pub(crate) fn lever_connection(
    sandbox: &Sandbox,
    id: &str,
    auth: &str,
    signatures: &[String],
) -> Value {
    let interview = &sandbox.willo().interviews()[0].key;
    let mut lever = json!({ "webhook_secrets": signatures });
    if auth == "api_key" {
        lever["api_key"] = json!(sandbox.lever_api_key().expose_secret());
    }
    json!({
        "id": id,
        "config": {
            "display_name": format!("Customer {id}"),
            "willo_base_url": sandbox.willo_base_url(),
            "ats": [{ "name": "lever", "kind": "lever", "auth": auth,
                      "perform_as": sandbox.lever().perform_as(),
                      "base_url": sandbox.lever_base_url() }],
            "rules": format!("[[trigger]]\nats = \"lever\"\njob = \"*\"\nstages = [\"{STAGE_RECRUITER_SCREEN}\"]\ninterview = \"{interview}\"\n"),
        },
        "secrets": { "willo_api_key": sandbox.willo_api_key().expose_secret(), "ats": { "lever": lever } },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_mode_serves_the_admin_api_the_intake_and_the_fleet_roll_up() {
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig::from_toml(&format!(
        r#"
        mode = "connections"
        listen = "127.0.0.1:0"
        sqlite_path = "{}"
        health_refresh_ms = 20
        inbox_stuck_after_secs = 1
        [engine]
        tick_ms = 20
        reconcile_interval_secs = 0
        [fleet]
        per_connection = 2
        "#,
        dir.path().join("bridge.db").display()
    ))
    .unwrap();
    serving(config, secrets(), async |addr| {
        let http = HttpClient::new();

        // No connection yet: ready, every state listed at zero.
        let (status, health) = get(&http, addr, "/health/ready").await;
        assert_eq!(status, StatusCode::OK, "{health}");
        assert_eq!(
            health["connections"],
            json!({"by_state": {"active": 0, "paused": 0, "needs_credentials": 0},
                   "unhealthy": 0, "inbox_held": 0})
        );
        // The admin API wants its token.
        let anonymous = http
            .get(format!("http://{addr}/admin/fleet"))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

        // One customer with an API key, its Lever webhooks pointing at its own URL;
        // another whose OAuth account was never connected.
        let signature = subscribe_lever(
            &sandbox.lever_client().unwrap(),
            &format!("http://{addr}/webhooks/one/lever"),
        )
        .await
        .unwrap();
        let signatures: Vec<String> = signature
            .iter()
            .map(|token| token.expose_secret().to_owned())
            .collect();
        let (status, added) = post(
            &http,
            addr,
            "/admin/connections",
            lever_connection(&sandbox, "one", "api_key", &signatures),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["state"], "active");
        let (status, added) = post(
            &http,
            addr,
            "/admin/connections",
            lever_connection(&sandbox, "two", "oauth", &["another-signature".to_owned()]),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["state"], "needs_credentials");

        // A recruiter moves a candidate: Lever's webhook reaches `one`, which invites.
        let lever = sandbox.lever();
        let posting = lever.postings().remove(0).id;
        let opportunities = lever.opportunities(&posting);
        lever
            .move_opportunity(&opportunities[0], STAGE_RECRUITER_SCREEN)
            .unwrap();
        let health = until(&http, addr, "/health", |h| h["rows"]["invited"] == 1).await;
        assert_eq!(sandbox.willo().participants().len(), 1);
        assert_eq!(
            health["connections"],
            json!({"by_state": {"active": 1, "paused": 0, "needs_credentials": 1},
                   "unhealthy": 1, "inbox_held": 0}),
            "counts only, never names"
        );
        let (_, fleet) = get(&http, addr, "/admin/fleet").await;
        assert_eq!(fleet["connections"][0]["rows"]["invited"], 1, "{fleet}");

        // Paused, `one` keeps its deliveries; they wait on purpose, so past the stuck
        // threshold the bridge is still ready, and the held delivery shows.
        let (status, _) = post(&http, addr, "/admin/connections/one/pause", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        // The fleet reads the connections every tick; the health read shows when it has.
        until(&http, addr, "/health", |h| {
            h["connections"]["by_state"]["paused"] == 1
        })
        .await;
        lever
            .move_opportunity(&opportunities[1], STAGE_RECRUITER_SCREEN)
            .unwrap();
        until(&http, addr, "/health", |h| {
            h["connections"]["inbox_held"] == 1
        })
        .await;
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let (status, ready) = get(&http, addr, "/health/ready").await;
        assert_eq!(status, StatusCode::OK, "{ready}");
        assert_eq!(ready["inbox"]["stuck"], false);
        assert_eq!(ready["connections"]["by_state"]["paused"], 1);
        assert_eq!(ready["connections"]["by_state"]["needs_credentials"], 1);
        assert_eq!(
            sandbox.willo().participants().len(),
            1,
            "nothing done while paused"
        );

        // Resumed, the held delivery is processed.
        let (status, _) = post(&http, addr, "/admin/connections/one/resume", json!({})).await;
        assert_eq!(status, StatusCode::OK);
        until(&http, addr, "/health", |h| h["rows"]["invited"] == 2).await;
        let metrics = http
            .get(format!("http://{addr}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // The gauge is process-wide (other tests' fleets set it too): its presence
        // is what this server adds.
        assert!(
            metrics.contains("ats_bridge_connections{state=\"needs_credentials\"}"),
            "{metrics}"
        );
    })
    .await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_whose_key_is_refused_is_unhealthy_without_making_the_bridge_unready() {
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite_path = \"{}\"", dir.path().join("b.db").display());
    let mut config = fast_config(&sqlite);
    config.inbox_stuck_after_secs = 1;
    serving(config, secrets(), async |addr| {
        let http = HttpClient::new();
        let tokens = subscribe_lever(
            &sandbox.lever_client().unwrap(),
            &format!("http://{addr}/webhooks/revoked/lever"),
        )
        .await
        .unwrap();
        let signatures: Vec<String> = tokens
            .iter()
            .map(|token| token.expose_secret().to_owned())
            .collect();
        let mut connection = lever_connection(&sandbox, "revoked", "api_key", &signatures);
        connection["secrets"]["ats"]["lever"]["api_key"] = json!("a-key-lever-no-longer-knows");
        let (status, added) = post(&http, addr, "/admin/connections", connection).await;
        assert_eq!(status, StatusCode::CREATED, "{added}");

        let lever = sandbox.lever();
        let posting = lever.postings().remove(0).id;
        let opportunity = lever.opportunities(&posting).remove(0);
        lever
            .move_opportunity(&opportunity, STAGE_RECRUITER_SCREEN)
            .unwrap();
        let health = until(&http, addr, "/health", |h| {
            h["connections"]["unhealthy"] == 1 && h["connections"]["inbox_held"] == 1
        })
        .await;
        assert_eq!(health["connections"]["by_state"]["active"], 1, "{health}");
        // Past the stuck threshold, the parked delivery does not take the bridge out
        // of rotation: every other customer's webhooks still need it.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        let (status, ready) = get(&http, addr, "/health/ready").await;
        assert_eq!(status, StatusCode::OK, "{ready}");
        assert_eq!(
            ready["inbox"],
            json!({"pending": 0, "oldest_age_seconds": 0, "stuck": false})
        );
        let (_, fleet) = get(&http, addr, "/admin/fleet").await;
        let outages = &fleet["connections"][0]["credential_outages"];
        assert!(
            outages.as_object().is_some_and(|o| !o.is_empty()),
            "{fleet}"
        );
        assert_eq!(sandbox.willo().participants().len(), 0);
    })
    .await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_connects_lever_through_the_servers_oauth_callback() {
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap();
    let oauth = sandbox.lever_oauth();
    let dir = tempfile::tempdir().unwrap();
    let config = fast_config(&format!(
        "sqlite_path = \"{}\"\n[oauth.lever]\nclient_id = \"bridge-app\"\n\
         authorize_url = \"{}\"\ntoken_url = \"{}\"",
        dir.path().join("b.db").display(),
        oauth.authorize_url(),
        oauth.token_url()
    ));
    let secrets = FleetSecrets::from_vars(|name| match name {
        "BRIDGE_ADMIN_TOKEN" => Some(TOKEN.to_owned()),
        "BRIDGE_SEALING_KEY" => Some(SEALING_KEY.to_owned()),
        "BRIDGE_OAUTH_STATE_KEY" => Some("a-state-key-of-32-characters-or-more".to_owned()),
        "LEVER_OAUTH_CLIENT_SECRET" => Some("bridge-app-secret".to_owned()),
        _ => None,
    })
    .unwrap();
    serving(config, secrets, async |addr| {
        // The app as registered with Lever: the server's default redirect URI.
        oauth.register_app(
            SandboxOAuthApp::new("bridge-app", "bridge-app-secret".to_owned().into())
                .redirect_uri(format!("http://{addr}/oauth/callback")),
        );
        let http = HttpClient::new();
        let (status, added) = post(
            &http,
            addr,
            "/admin/connections",
            lever_connection(&sandbox, "oauthco", "oauth", &["signature".to_owned()]),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(added["state"], "needs_credentials");
        let (status, consent) = post(
            &http,
            addr,
            "/admin/connections/oauthco/oauth/lever",
            Value::Null,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{consent}");
        // The customer's browser follows the consent URL; the sandbox consents and
        // redirects to the server's callback.
        let page = http
            .get(consent["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let (_, now) = get(&http, addr, "/admin/connections/oauthco").await;
        assert_eq!(now["state"], "active", "{now}");
        assert_eq!(oauth.stats("default").code_exchanges, 1);
    })
    .await;
    sandbox.shutdown().await;
}

/// A server config in connections mode on a free port, quick to notice work.
pub(crate) fn fast_config(extra: &str) -> ServerConfig {
    ServerConfig::from_toml(&format!(
        "mode = \"connections\"\nlisten = \"127.0.0.1:0\"\nhealth_refresh_ms = 20\n{extra}\n\
         [engine]\ntick_ms = 20\nreconcile_interval_secs = 0\n"
    ))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_postgresql_share_the_connections_and_invite_once() {
    let Some(schema) = TestSchema::create("two_replicas_on_one_postgresql") else {
        return;
    };
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap();
    // Two replicas: each its own pool on the one schema, its own worker id.
    let mut addrs = Vec::new();
    let mut stops = Vec::new();
    let mut servers = Vec::new();
    for worker in ["replica-a", "replica-b"] {
        let store =
            PostgresStore::connect_with(&schema.url, &PostgresOptions::new().schema(&schema.name))
                .await
                .unwrap();
        let store = Arc::new(store);
        let (ready, bound) = oneshot::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        servers.push(tokio::spawn(examples::fleet_server::run_on(
            fast_config(""),
            secrets_of(worker),
            (store.clone(), Stores::from(store)),
            async {
                let _ = stopped.await;
            },
            |addr| {
                let _ = ready.send(addr);
            },
        )));
        addrs.push(bound.await.unwrap());
        stops.push(stop);
    }
    let (a, b) = (addrs[0], addrs[1]);
    let http = HttpClient::new();

    // Added through replica A, the connection's webhooks point at replica B, which
    // reads it from the shared store.
    let tokens = subscribe_lever(
        &sandbox.lever_client().unwrap(),
        &format!("http://{b}/webhooks/one/lever"),
    )
    .await
    .unwrap();
    let signatures: Vec<String> = tokens
        .iter()
        .map(|token| token.expose_secret().to_owned())
        .collect();
    let (status, added) = post(
        &http,
        a,
        "/admin/connections",
        lever_connection(&sandbox, "one", "api_key", &signatures),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");

    let lever = sandbox.lever();
    let posting = lever.postings().remove(0).id;
    for opportunity in lever.opportunities(&posting).iter().take(3) {
        lever
            .move_opportunity(opportunity, STAGE_RECRUITER_SCREEN)
            .unwrap();
    }
    // Either replica may do the work; both see it, and each candidate is invited once.
    for addr in [a, b] {
        until(&http, addr, "/health", |h| h["rows"]["invited"] == 3).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(sandbox.willo().participants().len(), 3, "one invite each");
    let (_, fleet) = get(&http, a, "/admin/fleet").await;
    assert_eq!(
        fleet["connections_by_state"],
        json!({"active": 1}),
        "{fleet}"
    );
    assert_eq!(fleet["inbox_pending"], 0, "{fleet}");

    for stop in stops {
        stop.send(()).unwrap();
    }
    for server in servers {
        server.await.unwrap().expect("a graceful stop returns Ok");
    }
    sandbox.shutdown().await;
    schema.drop_schema().await;
}

#[test]
fn sections_of_the_other_mode_are_refused() {
    let invalid = |toml: &str| match ServerConfig::from_toml(toml) {
        Err(ConfigError::Invalid(message)) => message,
        other => panic!("{other:?}"),
    };
    let message = invalid("[fleet]\nper_connection = 2\n");
    assert!(message.contains("mode = \"connections\""), "{message}");
    let message = invalid("[oauth.lever]\nclient_id = \"x\"\n");
    assert!(message.contains("[fleet] and [oauth]"), "{message}");
    let message = invalid(
        "mode = \"connections\"\n[[rules.trigger]]\nats = \"lever\"\nstages = [\"s\"]\ninterview = \"i\"\n",
    );
    assert!(message.contains("each connection has its own"), "{message}");
    let message = invalid("mode = \"connections\"\n[fleet]\nconcurrency = 0\n");
    assert!(message.contains("at least 1"), "{message}");
    assert!(matches!(
        ServerConfig::from_toml("mode = \"many\""),
        Err(ConfigError::Parse(_))
    ));
}

#[test]
fn fleet_settings_default_to_the_fleets_and_are_read_from_the_file() {
    let defaults = ServerConfig::from_toml("mode = \"connections\"").unwrap();
    assert_eq!(
        defaults.fleet_settings().fleet_config(),
        ats_bridge::connection::FleetConfig::default()
    );
    let config = ServerConfig::from_toml(
        r#"
        mode = "connections"
        [fleet]
        concurrency = 32
        per_connection = 4
        idle_after_secs = 60
        reconcile_concurrency = 2
        [oauth]
        redirect_uri = "https://bridge.example.com/oauth/callback"
        [oauth.lever]
        client_id = "bridge-app"
        environment = "sandbox"
        "#,
    )
    .unwrap();
    let fleet = config.fleet_settings().fleet_config();
    assert_eq!(
        (
            fleet.concurrency,
            fleet.per_connection,
            fleet.reconcile_concurrency
        ),
        (32, 4, 2)
    );
    assert_eq!(fleet.idle_after, Duration::from_secs(60));
    let oauth = config.oauth.unwrap();
    assert_eq!(oauth.lever.unwrap().environment.as_deref(), Some("sandbox"));
}
