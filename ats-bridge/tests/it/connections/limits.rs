//! Limits per credential: a connection's own limits for its Willo and ATS accounts
//! are checked when stored, shown by the admin API, and pace its clients; another
//! connection keeps its own pace, and connections sharing a credential are held to
//! the strictest limits any of them set.
#![cfg(feature = "lever")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ats_bridge::Ats;
use ats_bridge::connection::{
    AdapterBuilder, AtsAccountConfig, AtsAuth, AtsKind, AtsSecrets, ConnectionConfig,
    ConnectionError, ConnectionManager, ConnectionSecrets, Connections, FleetConfig,
    LimitOverrides, LimitProblem, NewConnection,
};
use ats_bridge::model::JobId;
use ats_bridge::store::MemoryStore;
use ats_sandbox::{AccountHandle, Faults, Sandbox, SandboxAccount, SandboxConfig, Seed, Vendor};
use client_core::rate_limit::SharedLimiters;
use futures::future::join_all;
use willo_client::{InterviewKey, WilloClient};

use super::fleet::{Customer, start, until};
use super::{id, lever_api_key, manager};

/// A connection `name` to `account`'s Willo and Lever accounts, with these limits.
fn connection(
    sandbox: &Sandbox,
    name: &str,
    account: &AccountHandle,
    willo: Option<LimitOverrides>,
    lever: Option<LimitOverrides>,
) -> NewConnection {
    let mut lever_account = AtsAccountConfig::new(AtsKind::Lever, AtsAuth::ApiKey)
        .perform_as(account.lever().perform_as())
        .base_url(sandbox.lever_base_url());
    lever_account.limits = lever;
    let mut config = ConnectionConfig::new(format!("Customer {name}"))
        .willo_base_url(sandbox.willo_base_url())
        .ats(lever_account);
    config.willo_limits = willo;
    NewConnection::new(
        id(name),
        config,
        ConnectionSecrets::new(account.willo_api_key())
            .ats("lever", AtsSecrets::api_key(account.lever_api_key())),
    )
}

/// A connection's clients, as the fleet builds them.
struct Clients {
    willo: WilloClient,
    lever: Arc<dyn Ats>,
}

async fn clients(manager: &ConnectionManager, builder: &AdapterBuilder, name: &str) -> Clients {
    let record = manager.live(&id(name)).await.unwrap();
    let secrets = manager.secrets(&record.id).await.unwrap();
    let mut adapters = builder.build_scoped(&record, &secrets).unwrap();
    Clients {
        willo: builder.willo_client(&record, &secrets).unwrap(),
        lever: adapters.pop().unwrap(),
    }
}

/// `n` Lever calls (one `GET /stages` each) at once; how long until the last answer.
async fn lever_calls(clients: &Clients, n: usize) -> Duration {
    let started = Instant::now();
    let job = JobId::from("any");
    for answer in join_all((0..n).map(|_| clients.lever.stages(&job))).await {
        answer.unwrap();
    }
    started.elapsed()
}

/// `n` Willo calls (one `GET /interviews/{key}/` each) at once; how long until the
/// last answer.
async fn willo_calls(clients: &Clients, account: &AccountHandle, n: usize) -> Duration {
    let key = InterviewKey::from(account.willo().interviews()[0].key.as_str());
    let started = Instant::now();
    let interviews = clients.willo.interviews();
    for answer in join_all((0..n).map(|_| interviews.get(&key))).await {
        answer.unwrap();
    }
    started.elapsed()
}

/// Every client shares one limiter per credential, as in the fleet.
fn shared_builder(manager: &ConnectionManager) -> AdapterBuilder {
    AdapterBuilder::new(manager.clone()).limiters(Arc::new(SharedLimiters::new()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_with_lower_limits_paces_at_them_and_another_keeps_its_pace() {
    let sandbox = Sandbox::start(SandboxConfig::new().seed(31).willo_completion_delay(None))
        .await
        .unwrap();
    // Acme's contract: Lever 4 requests a second, 2 at once; Willo 2 a second, one at
    // once. The sandbox answers 429 past them, as the vendors would.
    let acme = sandbox
        .add_account(
            SandboxAccount::new("acme")
                .faults(Vendor::Lever, Faults::none().rate_limit(4, 2))
                .faults(Vendor::Willo, Faults::none().rate_limit(2, 1)),
        )
        .unwrap();
    let beta = sandbox.add_account(SandboxAccount::new("beta")).unwrap();
    let manager = manager(Arc::new(MemoryStore::new()));
    manager
        .add(connection(
            &sandbox,
            "acme",
            &acme,
            Some(LimitOverrides::new().per_second(2).max_in_flight(1)),
            Some(
                LimitOverrides::new()
                    .per_second(4)
                    .burst(1)
                    .max_in_flight(2),
            ),
        ))
        .await
        .unwrap();
    manager
        .add(connection(&sandbox, "beta", &beta, None, None))
        .await
        .unwrap();
    let builder = shared_builder(&manager);
    let (acme_clients, beta_clients) = (
        clients(&manager, &builder, "acme").await,
        clients(&manager, &builder, "beta").await,
    );

    // Both customers call at the same moment.
    let ((acme_lever, acme_willo), (beta_lever, beta_willo)) = tokio::join!(
        async {
            tokio::join!(
                lever_calls(&acme_clients, 6),
                willo_calls(&acme_clients, &acme, 3)
            )
        },
        async {
            tokio::join!(
                lever_calls(&beta_clients, 6),
                willo_calls(&beta_clients, &beta, 3)
            )
        },
    );

    // Acme went at its own limits: 6 Lever calls at 4/s (the last 1.25 s after the
    // first), 3 Willo calls at 2/s (1 s), and the vendor never refused one. Its
    // clients' defaults (Lever 10/s in bursts of 20, Willo 5/s, 2 at once) would have
    // drawn 429s.
    let (lever, willo) = (acme.lever().requests(), acme.willo().requests());
    assert_eq!((lever.total, lever.rate_limited), (6, 0), "{lever:?}");
    assert_eq!((willo.total, willo.rate_limited), (3, 0), "{willo:?}");
    assert!(acme_lever >= Duration::from_millis(1250), "{acme_lever:?}");
    assert!(acme_willo >= Duration::from_millis(1000), "{acme_willo:?}");
    // Beta was not held back by Acme's limits: its Lever calls went out at once, its
    // Willo calls at the client's default 5/s (the last 0.4 s after the first).
    assert!(beta_lever < Duration::from_millis(1000), "{beta_lever:?}");
    assert!(beta_willo < Duration::from_millis(1000), "{beta_willo:?}");
    assert_eq!(beta.lever().requests().total, 6);
    assert_eq!(beta.willo().requests().total, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_sharing_a_credential_are_held_to_the_strictest_limits_set() {
    let sandbox = Sandbox::start(SandboxConfig::new().seed(32).willo_completion_delay(None))
        .await
        .unwrap();
    let acme = sandbox
        .add_account(
            SandboxAccount::new("acme").faults(Vendor::Lever, Faults::none().rate_limit(4, 2)),
        )
        .unwrap();
    let manager = manager(Arc::new(MemoryStore::new()));
    // Two business units on one Lever key: one connection says the key's limit is
    // 4/s, the other says nothing (the client's 10/s in bursts of 20).
    manager
        .add(connection(
            &sandbox,
            "acme-us",
            &acme,
            None,
            Some(
                LimitOverrides::new()
                    .per_second(4)
                    .burst(1)
                    .max_in_flight(2),
            ),
        ))
        .await
        .unwrap();
    manager
        .add(connection(&sandbox, "acme-eu", &acme, None, None))
        .await
        .unwrap();
    let builder = shared_builder(&manager);
    // The connection without limits is built first: were the first limits asked
    // for the key's, the client's default would hold and draw 429s.
    let eu = clients(&manager, &builder, "acme-eu").await;
    let us = clients(&manager, &builder, "acme-us").await;

    let started = Instant::now();
    tokio::join!(lever_calls(&us, 3), lever_calls(&eu, 3));
    let took = started.elapsed();
    // Six calls on the key at 4/s between them (the last 1.25 s after the first),
    // none refused.
    let lever = acme.lever().requests();
    assert_eq!((lever.total, lever.rate_limited), (6, 0), "{lever:?}");
    assert!(took >= Duration::from_millis(1250), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fleet_paces_a_connection_at_its_own_limits() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());
    // Acme's Lever answers one request at a time (429 to a second one in flight), each
    // in 50 ms, and its connection says so; the fleet would otherwise send the calls of
    // up to 8 of its deliveries at once.
    let acme_lever = Faults::none()
        .rate_limit(10, 1)
        .latency(Duration::from_millis(50));
    let six = Seed::new().jobs(1).candidates_per_job(6);
    let acme = Customer::start("acme", 41, six.clone(), acme_lever).await;
    let beta = Customer::start("beta", 42, six, Faults::none()).await;
    let mut acme_connection = acme.connection(None);
    acme_connection.config.ats[0].limits = Some(
        LimitOverrides::new()
            .per_second(8)
            .burst(4)
            .max_in_flight(1),
    );
    manager.add(acme_connection).await.unwrap();
    manager.add(beta.connection(None)).await.unwrap();
    let (_fleet, intakes, _stop) = start(&manager, &store, FleetConfig::default());

    for customer in [&acme, &beta] {
        for opportunity in &customer.opportunities() {
            let status = customer
                .moved(&intakes, customer.name, opportunity, &customer.signature())
                .await;
            assert_eq!(status, 202);
        }
    }
    until("beta invited", || beta.invites() == 6).await;
    until("acme invited", || acme.invites() == 6).await;
    // Acme's calls went out at its limits, one at a time: Lever never refused one.
    let lever = acme.sandbox.lever().requests();
    assert!(lever.total >= 6, "{lever:?}");
    assert_eq!(lever.rate_limited, 0, "{lever:?}");
}

#[tokio::test]
async fn limits_are_checked_when_added_and_changed_and_nothing_bad_is_stored() {
    let store = Arc::new(MemoryStore::new());
    let manager = manager(store.clone());

    let mut zero_willo = lever_api_key("acme", "sig-acme");
    zero_willo.config.willo_limits = Some(LimitOverrides::new().per_second(0));
    match manager.add(zero_willo).await {
        Err(ConnectionError::Limits(invalid)) => {
            assert_eq!(invalid.account, "willo");
            assert_eq!(invalid.field, "per_second");
            assert_eq!(invalid.problem, LimitProblem::Zero);
        }
        other => panic!("{other:?}"),
    }
    assert!(store.connection_get(&id("acme")).await.unwrap().is_none());

    let added = manager
        .add(lever_api_key("acme", "sig-acme"))
        .await
        .unwrap();
    let mut absurd = added.config.clone();
    absurd.ats[0].limits = Some(LimitOverrides::new().burst(1_000_000));
    let refused = manager.update(&added.id, absurd).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        "invalid connection: the limits of `lever`: burst is 1000000, more than the 1000 accepted"
    );
    assert_eq!(manager.live(&added.id).await.unwrap().config, added.config);

    let mut lower = added.config.clone();
    lower.ats[0].limits = Some(LimitOverrides::new().per_second(3).burst(6));
    lower.willo_limits = Some(LimitOverrides::new().max_in_flight(1));
    let changed = manager.update(&added.id, lower.clone()).await.unwrap();
    assert_eq!(changed.config, lower);
    assert_eq!(manager.live(&added.id).await.unwrap().config, lower);
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn the_admin_api_shows_limits_and_refuses_bad_ones_with_422() {
    use ats_bridge::connection::admin::AdminApi;
    use client_core::{SecretString, StatusCode};
    use serde_json::{Value, json};

    const TOKEN: &str = "admin-token-0123456789abcdef";
    let manager = manager(Arc::new(MemoryStore::new()));
    let base = super::serve(AdminApi::new(manager, &SecretString::from(TOKEN)).router()).await;
    let send = |method: &str, path: &str, body: Value| {
        super::http()
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
    };
    let config = json!({
        "display_name": "Acme Corp",
        "willo_limits": {"per_second": 2},
        "ats": [{
            "name": "lever", "kind": "lever", "auth": "api_key", "perform_as": "user-1",
            "limits": {"per_second": 4, "burst": 8, "max_in_flight": 2}
        }]
    });
    let added = send(
        "POST",
        "/admin/connections",
        json!({
            "id": "acme",
            "config": config,
            "secrets": {"willo_api_key": "willo-key", "ats": {"lever": {"api_key": "lever-key"}}}
        }),
    )
    .await
    .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let shown: Value = serde_json::from_str(&added.text().await.unwrap()).unwrap();
    assert_eq!(shown["config"]["willo_limits"], json!({"per_second": 2}));
    assert_eq!(
        shown["config"]["ats"][0]["limits"],
        json!({"per_second": 4, "burst": 8, "max_in_flight": 2})
    );

    let mut bad = config.clone();
    bad["ats"][0]["limits"]["max_in_flight"] = json!(0);
    let refused = send("PUT", "/admin/connections/acme", bad).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = serde_json::from_str(&refused.text().await.unwrap()).unwrap();
    assert_eq!(error["error"], "invalid");
    assert_eq!(
        error["message"],
        "the limits of `lever`: max_in_flight is 0: leave it out to keep the fleet's value"
    );
}
