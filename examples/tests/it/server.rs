//! The server example on the sandbox: it serves `/health`, syncs a candidate a
//! recruiter moves, and stops cleanly; and its configuration file is checked.

#[path = "../../examples/server.rs"]
#[allow(dead_code)]
mod example;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ats_sandbox::{Sandbox, SandboxConfig};
use client_core::ExposeSecret;
use client_core::{HttpClient, StatusCode};
use examples::Connections;
use examples::demo::SMARTRECRUITERS_TRIGGER;
use examples::health::Health;
use examples::server_config::{ConfigError, ServerConfig};
use examples::webhooks::WebhookSecrets;
use smartrecruiters_client::JobStatus;
use tokio::sync::oneshot;

use crate::support::live_willo_only;

const FAST: &str = r#"
    listen = "127.0.0.1:0"
    health_refresh_ms = 20
    [engine]
    tick_ms = 20
    reconcile_interval_secs = 60
"#;

async fn health(http: &HttpClient, addr: SocketAddr) -> Health {
    let response = http
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_health_syncs_a_moved_candidate_and_stops_gracefully() {
    let connections = Connections::sandbox(SandboxConfig::new()).await.unwrap();
    let sandbox = connections.sandbox.as_ref().unwrap();
    let config = ServerConfig::from_toml(FAST).unwrap();
    let (ready, bound) = oneshot::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let shutdown = async {
        let _ = stopped.await;
    };
    let server = example::run(config, &connections, shutdown, |addr| {
        let _ = ready.send(addr);
    });

    let drive = async {
        let addr = bound.await.expect("the server reports its address");
        assert_ne!(addr.port(), 0);
        let http = HttpClient::new();
        let before = health(&http, addr).await;
        assert_eq!(before.status, "ok");
        assert_eq!(before.rows.get("synced"), Some(&0));
        assert_eq!(before.rows.len(), 6, "every state is listed: {before:?}");

        let sr = sandbox.smartrecruiters();
        let job = sr.jobs().remove(0);
        let candidate = sr.candidates(&job.id).remove(0);
        sr.move_candidate(&candidate, &job.id, SMARTRECRUITERS_TRIGGER, None)
            .unwrap();

        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = health(&http, addr).await;
            if now.rows.get("synced") == Some(&1) {
                assert_eq!(now.rows.get("failed"), Some(&0), "{now:?}");
                break;
            }
            assert!(Instant::now() < deadline, "not synced in time: {now:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(sr.notes(&candidate).len(), 1, "results written back once");
        stop.send(()).unwrap();
    };
    let (result, ()) = tokio::join!(server, drive);
    result.expect("a graceful stop returns Ok");
    connections.close().await;
}

#[test]
fn the_sample_configuration_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/server.toml");
    let config = ServerConfig::load(path.as_ref()).unwrap();
    assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
    let engine = config.engine.engine_config();
    assert_eq!(engine.reconcile_interval, Some(Duration::from_secs(300)));
    assert_eq!(engine.tick, Duration::from_secs(1));
    assert!(
        config.rules.is_none(),
        "the sample's rules are commented out"
    );
    assert!(config.smartrecruiters.phones_in_invites);
    let unset = ServerConfig::from_toml("").unwrap();
    assert!(
        unset.smartrecruiters.phones_in_invites,
        "phones are sent by default"
    );
}

#[test]
fn rules_and_engine_settings_are_read_from_the_file() {
    let config = ServerConfig::from_toml(
        r#"
        listen = "0.0.0.0:9000"
        [engine]
        reconcile_interval_secs = 0
        concurrency = 3
        dry_run = true
        look_up_before_first_invite = true
        inbox_retention_hours = 24
        [smartrecruiters]
        phones_in_invites = false
        [[rules.trigger]]
        ats = "lever"
        stages = ["phone-screen"]
        interview = "1e2048a686804049b128f1357c559cbf"
        "#,
    )
    .unwrap();
    let engine = config.engine.engine_config();
    assert_eq!(
        engine.reconcile_interval, None,
        "0 turns the reconciler off"
    );
    assert_eq!(engine.concurrency, 3);
    assert!(engine.dry_run);
    assert!(engine.look_up_before_first_invite);
    assert_eq!(engine.inbox_retention, Some(Duration::from_secs(24 * 3600)));
    assert!(!config.smartrecruiters.phones_in_invites);
    let rules = config.rules.unwrap();
    let interview = rules.interview_for(&"lever".into(), &"any".into(), &"phone-screen".into());
    assert_eq!(
        interview.map(|k| k.as_str()),
        Some("1e2048a686804049b128f1357c559cbf")
    );
}

#[test]
fn job_statuses_interview_refresh_and_tag_rules_are_settings_of_the_file() {
    let config = ServerConfig::from_toml(
        r#"
        [engine]
        interview_refresh_secs = 60
        [smartrecruiters]
        job_status_allow_list = ["SOURCING", "ON_HOLD", "PENDING_APPROVAL"]
        [[rules.interview_tags]]
        ats = "lever"
        account = "Acme Care"
        stages = ["phone-screen"]
        "#,
    )
    .unwrap();
    assert_eq!(
        config.smartrecruiters.job_statuses(),
        [
            JobStatus::Sourcing,
            JobStatus::OnHold,
            JobStatus::Other("PENDING_APPROVAL".into())
        ]
    );
    assert_eq!(
        config.engine.engine_config().interview_refresh,
        Some(Duration::from_secs(60))
    );
    assert_eq!(config.rules.unwrap().interview_tags[0].account, "Acme Care");
    // The sample file and an empty one keep SmartRecruiters' recruiting statuses.
    let sample =
        ServerConfig::load(concat!(env!("CARGO_MANIFEST_DIR"), "/server.toml").as_ref()).unwrap();
    let defaults = [JobStatus::Sourcing, JobStatus::Interview, JobStatus::Offer];
    assert_eq!(sample.smartrecruiters.job_statuses(), defaults);
    assert_eq!(
        ServerConfig::from_toml("")
            .unwrap()
            .smartrecruiters
            .job_statuses(),
        defaults
    );
    // With no open status nothing would ever invite: refused, by name.
    let error =
        ServerConfig::from_toml("[smartrecruiters]\njob_status_allow_list = []\n").unwrap_err();
    assert!(
        error.to_string().contains("job_status_allow_list"),
        "{error}"
    );
}

#[test]
fn a_misspelt_key_is_refused_by_name() {
    let error = ServerConfig::from_toml("[engine]\nreconcile_interval_sec = 5\n").unwrap_err();
    assert!(matches!(error, ConfigError::Parse(_)), "{error:?}");
    assert!(
        error.to_string().contains("reconcile_interval_sec"),
        "{error}"
    );
}

#[test]
fn a_bad_rule_is_refused_at_load() {
    let error = ServerConfig::from_toml(
        r#"
        [[rules.trigger]]
        ats = "lever"
        stages = []
        interview = "1e2048a686804049b128f1357c559cbf"
        "#,
    )
    .unwrap_err();
    assert!(matches!(error, ConfigError::Rules(_)), "{error:?}");
}

#[test]
fn zero_concurrency_is_refused() {
    let error = ServerConfig::from_toml("[engine]\nconcurrency = 0\n").unwrap_err();
    assert!(error.to_string().contains("engine.concurrency"), "{error}");
}

#[tokio::test]
async fn live_apis_without_rules_are_refused_before_serving() {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    // Clients for "live" APIs: no sandbox in the connections, so no defaults apply.
    let connections = live_willo_only(&sandbox);
    let mut config = ServerConfig::from_toml(FAST).unwrap();
    config.rules = None;
    let mut ready = false;
    let error = example::run(config, &connections, std::future::pending(), |_| {
        ready = true
    })
    .await
    .unwrap_err();
    assert!(error.to_string().contains("[rules]"), "{error}");
    assert!(!ready, "nothing was served");
    sandbox.shutdown().await;
}

#[test]
fn webhook_secrets_are_read_from_variables() {
    let vars = |name: &str| match name {
        "SMARTRECRUITERS_WEBHOOK_SECRET" => Some(" sr-key ".to_owned()),
        "LEVER_SIGNATURE_TOKENS" => Some("token-a, token-b,".to_owned()),
        "WILLO_WEBHOOK_TOKEN" => Some("  ".to_owned()),
        _ => None,
    };
    let secrets = WebhookSecrets::from_vars(vars);
    let sr = secrets.smartrecruiters.as_ref().map(|s| s.expose_secret());
    assert_eq!(sr, Some("sr-key"));
    let lever: Vec<&str> = secrets.lever.iter().map(|t| t.expose_secret()).collect();
    assert_eq!(lever, ["token-a", "token-b"]);
    assert!(secrets.willo.is_none(), "a blank token is no token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_mode_without_webhooks_still_syncs_through_the_reconciler() {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    // The sandbox's APIs as if they were live: nothing registered, no webhook secrets,
    // rules from the file; only the reconciler and participant checks bring news.
    let connections = Connections {
        smartrecruiters: Some(sandbox.smartrecruiters_client().unwrap()),
        ..live_willo_only(&sandbox)
    };
    let dir = tempfile::tempdir().unwrap();
    let interview = sandbox.willo().interviews().remove(0).key;
    let config = ServerConfig::from_toml(&format!(
        r#"
        listen = "127.0.0.1:0"
        sqlite_path = {path:?}
        [engine]
        tick_ms = 20
        reconcile_interval_secs = 1
        [engine.participant_checks]
        after_secs = 0
        interval_secs = 1
        [[rules.trigger]]
        ats = "smartrecruiters"
        stages = ["INTERVIEW"]
        interview = "{interview}"
        "#,
        path = dir.path().join("ledger.db").display().to_string(),
    ))
    .unwrap();
    let sr = sandbox.smartrecruiters();
    let job = sr.jobs().remove(0);
    let candidate = sr.candidates(&job.id).remove(0);
    sr.move_candidate(&candidate, &job.id, SMARTRECRUITERS_TRIGGER, None)
        .unwrap();

    let (ready, bound) = oneshot::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = example::run(
        config,
        &connections,
        async {
            let _ = stopped.await;
        },
        |addr| {
            let _ = ready.send(addr);
        },
    );
    let drive = async {
        let addr = bound.await.unwrap();
        let http = HttpClient::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while health(&http, addr).await.rows.get("synced") != Some(&1) {
            assert!(Instant::now() < deadline, "not synced in time");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        stop.send(()).unwrap();
    };
    let (result, ()) = tokio::join!(server, drive);
    result.unwrap();
    assert_eq!(sr.notes(&candidate).len(), 1);
    assert!(
        dir.path().join("ledger.db").exists(),
        "the configured ledger"
    );
    sandbox.shutdown().await;
}
