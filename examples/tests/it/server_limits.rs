//! The server's `[limits.*]` sections: read over each client's defaults, refused when a
//! value could not pace a vendor or a key does not exist, and applied: the fleet
//! server paces a connection's Lever calls at them, and so do single mode's clients.

use std::time::{Duration, Instant};

use ats_bridge::registration::subscribe_lever;
use ats_sandbox::lever::STAGE_RECRUITER_SCREEN;
use ats_sandbox::{Faults, Sandbox, SandboxConfig, Vendor};
use client_core::{ExposeSecret, HttpClient, LimitSpec, RateLimits, StatusCode};
use examples::Connections;
use examples::limits_config::VendorLimits;
use examples::server_config::{ConfigError, ServerConfig};
use futures::future::join_all;
use smartrecruiters_client::{CLASS_CANDIDATES_LIST, SmartRecruitersClient};
use willo_client::{InterviewKey, WilloClient};

use crate::server_connections::{fast_config, lever_connection, post, secrets, serving, until};

#[test]
fn each_section_is_laid_over_its_clients_defaults_in_either_mode() {
    let toml = r#"
        [limits.willo]
        per_second = 20
        [limits.lever]
        per_second = 4
        burst = 1
        max_in_flight = 2
        [limits.smartrecruiters.classes."candidates.list"]
        max_in_flight = 2
    "#;
    for mode in ["", "mode = \"connections\"\n"] {
        let config = ServerConfig::from_toml(&format!("{mode}{toml}")).unwrap();
        let limits = config.limits.vendor_limits();
        // Willo's in-flight cap is its client's default (2): only the rate was set.
        let willo_default = WilloClient::default_limits().credential();
        assert_eq!(
            limits.willo,
            Some(RateLimits::new(willo_default.per_second(20)))
        );
        assert_eq!(
            limits.lever,
            Some(RateLimits::new(
                LimitSpec::default().per_second(4).burst(1).max_in_flight(2)
            ))
        );
        // SmartRecruiters keeps its credential's limits and its publication class.
        let smartrecruiters = limits.smartrecruiters.unwrap();
        let defaults = SmartRecruitersClient::default_limits();
        assert_eq!(smartrecruiters.credential(), defaults.credential());
        assert_eq!(
            smartrecruiters.class_spec(CLASS_CANDIDATES_LIST),
            Some(LimitSpec::default().max_in_flight(2))
        );
        assert_eq!(
            smartrecruiters.class_spec(smartrecruiters_client::CLASS_PUBLICATION),
            defaults.class_spec(smartrecruiters_client::CLASS_PUBLICATION)
        );
    }
    // No section: every client keeps its defaults.
    let none = ServerConfig::from_toml("[limits]\n").unwrap();
    assert_eq!(none.limits.vendor_limits(), VendorLimits::default());
    assert_eq!(
        ServerConfig::from_toml("").unwrap().limits.vendor_limits(),
        VendorLimits::default()
    );
}

/// The message a configuration is refused with for a value out of range.
fn invalid(toml: &str) -> String {
    match ServerConfig::from_toml(toml) {
        Err(ConfigError::Invalid(message)) => message,
        other => panic!("{toml}: {other:?}"),
    }
}

#[test]
fn a_zero_or_absurd_limit_is_refused_naming_the_section_and_key() {
    assert_eq!(
        invalid("[limits.lever]\nper_second = 0\n"),
        "[limits.lever] per_second is 0, which the clients read as \"no limit\": leave it \
         out to keep the client's default"
    );
    assert_eq!(
        invalid("mode = \"connections\"\n[limits.willo]\nburst = 5000\n"),
        "[limits.willo] burst is 5000, more than the 1000 accepted"
    );
    assert_eq!(
        invalid("[limits.smartrecruiters.classes.\"candidates.list\"]\nmax_in_flight = 0\n"),
        "[limits.smartrecruiters] classes.candidates.list.max_in_flight is 0, which the \
         clients read as \"no limit\": leave it out to keep the client's default"
    );
    let error = ServerConfig::from_toml("[limits.lever]\nmax_in_flight = 257\n").unwrap_err();
    assert_eq!(
        error.to_string(),
        "bad configuration: [limits.lever] max_in_flight is 257, more than the 256 accepted"
    );
}

#[test]
fn an_unknown_limit_key_or_vendor_is_refused_by_name() {
    for (toml, key) in [
        ("[limits.lever]\nper_secnd = 4\n", "per_secnd"),
        ("[limits.workday]\nper_second = 4\n", "workday"),
        (
            "[limits.smartrecruiters.classes.publication]\njitter_ms = 5\n",
            "jitter_ms",
        ),
        ("[limits]\nper_second = 4\n", "per_second"),
    ] {
        match ServerConfig::from_toml(toml) {
            Err(ConfigError::Parse(message)) => {
                assert!(message.contains(key), "{toml}: {message}");
            }
            other => panic!("{toml}: {other:?}"),
        }
    }
    // A negative or fractional value is not a count.
    assert!(matches!(
        ServerConfig::from_toml("[limits.lever]\nper_second = -1\n"),
        Err(ConfigError::Parse(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_server_paces_a_connections_lever_calls_at_the_configured_limits() {
    // Lever answers 429 past 5 requests a second or one at a time, each after 20 ms:
    // the Lever client's defaults (10 a second in bursts of 20, no cap in flight) draw
    // 429s from it as soon as two deliveries are handled at once.
    let lever_limit = Faults::none()
        .rate_limit(5, 1)
        .latency(Duration::from_millis(20));
    let sandbox = Sandbox::start(
        SandboxConfig::new()
            .willo_completion_delay(None)
            .faults(Vendor::Lever, lever_limit),
    )
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = fast_config(&format!(
        "sqlite_path = \"{}\"\n[limits.lever]\nper_second = 4\nburst = 1\nmax_in_flight = 1\n",
        dir.path().join("b.db").display()
    ));
    serving(config, secrets(), async |addr| {
        let http = HttpClient::new();
        // The sandbox's own client subscribes (paced below the sandbox's limit).
        let tokens = subscribe_lever(
            &sandbox.lever_client().unwrap(),
            &format!("http://{addr}/webhooks/paced/lever"),
        )
        .await
        .unwrap();
        let signatures: Vec<String> = tokens
            .iter()
            .map(|token| token.expose_secret().to_owned())
            .collect();
        // The connection sets no limits of its own: the file's hold.
        let (status, added) = post(
            &http,
            addr,
            "/admin/connections",
            lever_connection(&sandbox, "paced", "api_key", &signatures),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");

        let before = sandbox.lever().requests();
        let started = Instant::now();
        let lever = sandbox.lever();
        let posting = lever.postings().remove(0).id;
        for opportunity in lever.opportunities(&posting).iter().take(3) {
            lever
                .move_opportunity(opportunity, STAGE_RECRUITER_SCREEN)
                .unwrap();
        }
        until(&http, addr, "/health", |h| h["rows"]["invited"] == 3).await;
        let took = started.elapsed();
        let after = sandbox.lever().requests();
        let calls = after.total - before.total;
        // Lever never refused a call, and the bridge's calls went out one at a time,
        // one per 250 ms at most (the first at once, burst 1): 4 a second.
        assert_eq!(after.rate_limited, 0, "{after:?}");
        assert!(calls >= 3, "{calls} Lever calls for three invites");
        let paced = Duration::from_millis(250) * u32::try_from(calls - 1).unwrap();
        assert!(
            took + Duration::from_millis(50) >= paced,
            "{calls} calls in {took:?}"
        );
    })
    .await;
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_mode_clients_are_paced_at_the_configured_limits() {
    let config = ServerConfig::from_toml("[limits.lever]\nper_second = 4\nburst = 1\n").unwrap();
    let connections =
        Connections::sandbox_paced(SandboxConfig::new(), &config.limits.vendor_limits())
            .await
            .unwrap();
    // The sandbox sets no limit, so its own clients would send these at once.
    let stages = connections.lever.as_ref().unwrap().stages();
    let started = Instant::now();
    for page in join_all((0..5).map(|_| stages.page(None))).await {
        page.unwrap();
    }
    // Five calls at 4 a second in bursts of 1: the last a second after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
    let sandbox = connections.sandbox.as_ref().unwrap();
    let key = InterviewKey::from(sandbox.willo().interviews()[0].key.as_str());
    let interviews = connections.willo.interviews();
    let started = Instant::now();
    for interview in join_all((0..5).map(|_| interviews.get(&key))).await {
        interview.unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "Willo, left out, keeps the sandbox's pace"
    );
    connections.close().await;
}

#[test]
fn the_samples_in_server_toml_and_the_readme_load() {
    // server.toml's commented `[limits]` sample, uncommented.
    let sample = include_str!("../../server.toml");
    let start = sample
        .find("# [limits.willo]")
        .expect("server.toml shows [limits]");
    let uncommented: String = sample[start..]
        .lines()
        .map(|line| line.strip_prefix("# ").unwrap_or(line))
        .map(|line| format!("{line}\n"))
        .collect();
    let limits = ServerConfig::from_toml(&uncommented)
        .unwrap()
        .limits
        .vendor_limits();
    assert_eq!(
        limits.lever,
        Some(RateLimits::new(
            LimitSpec::default().per_second(10).burst(20)
        ))
    );
    // The README's server configuration in connections mode, as written.
    let readme = include_str!("../../../README.md");
    let block = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .find(|block| block.contains("[limits.willo]"))
        .expect("the README shows [limits.*]");
    let config = ServerConfig::from_toml(block).unwrap();
    let limits = config.limits.vendor_limits();
    assert_eq!(
        limits.willo,
        Some(RateLimits::new(
            LimitSpec::default().per_second(10).max_in_flight(4)
        ))
    );
    assert_eq!(
        limits.lever,
        Some(RateLimits::new(LimitSpec::default().per_second(4).burst(8)))
    );
}
