//! `POST /admin/connections/{id}/webhooks`: a connection's webhooks registered at its
//! own URLs in its own sandbox accounts, with its own credentials; the secrets the
//! vendors return stored and verifying the deliveries that follow; a second call
//! registers nothing new; a vendor refusing leaves nothing half-stored. And
//! `DELETE /admin/connections/{id}/webhooks` (or a removal with
//! `webhooks=unregister`): exactly the connection's webhooks removed, no other's.
#![cfg(all(feature = "axum", feature = "lever", feature = "smartrecruiters"))]

use std::sync::Arc;

use ats_bridge::connection::admin::AdminApi;
use ats_bridge::connection::{
    AdapterBuilder, AdapterIntakes, AtsAccountConfig, AtsAuth, AtsKind, AtsSecrets,
    ConnectionConfig, ConnectionIntakes, ConnectionManager, ConnectionSecrets, NewConnection,
    WebhookRegistrar,
};
use ats_bridge::intake::connection_router;
use ats_bridge::store::{Inbox, Lease, MemoryStore, Stores};
use ats_sandbox::lever::STAGE_RECRUITER_SCREEN;
use ats_sandbox::{AccountHandle, Sandbox, SandboxAccount, SandboxConfig, Vendor};
use client_core::{ExposeSecret, Method, SecretString, StatusCode};
use futures::TryStreamExt;
use serde_json::Value;
use smartrecruiters_client::{ApplicationStatus, SubscriptionStatus};

use super::{http, id, manager};

const TOKEN: &str = "admin-token-webhooks-0123456789";

/// One bridge for connections, as a server runs it: the intake of every connection
/// and the admin API with a registrar, on one local port.
struct Bridge {
    base: String,
    manager: ConnectionManager,
    store: Arc<MemoryStore>,
}

impl Bridge {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let store = Arc::new(MemoryStore::new());
        let manager = manager(store.clone());
        let adapters = AdapterBuilder::new(manager.clone());
        let factory = AdapterIntakes::new(
            manager.clone(),
            adapters.clone(),
            Stores::from(store.clone()),
        );
        let intakes = Arc::new(ConnectionIntakes::new(manager.clone(), Arc::new(factory)));
        let registrar = WebhookRegistrar::new(manager.clone(), adapters, base.clone());
        let admin = AdminApi::new(manager.clone(), &SecretString::from(TOKEN)).webhooks(registrar);
        let router = connection_router(intakes).merge(admin.router());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self {
            base,
            manager,
            store,
        }
    }

    /// `POST /admin/connections/{connection}/webhooks`: the status and the JSON.
    async fn register(&self, connection: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("/admin/connections/{connection}/webhooks"),
        )
        .await
    }

    /// `DELETE /admin/connections/{connection}/webhooks`.
    async fn unregister(&self, connection: &str) -> (StatusCode, Value) {
        self.call(
            Method::DELETE,
            &format!("/admin/connections/{connection}/webhooks"),
        )
        .await
    }

    /// `method path` with the admin token: the status and the JSON.
    async fn call(&self, method: Method, path: &str) -> (StatusCode, Value) {
        let response = http()
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// A sandbox whose Willo interviews are never completed on their own.
async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap()
}

/// Add `connections` over `account` (each with the account's own Willo key) and
/// register each one's webhooks, which must succeed.
async fn add_registered(bridge: &Bridge, account: &AccountHandle, connections: &[&str]) {
    for connection in connections {
        bridge
            .manager
            .add(customer(connection, account, account.willo_api_key()))
            .await
            .unwrap();
        let (status, answer) = bridge.register(connection).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
}

/// A connection on `account`'s Lever and SmartRecruiters, with API keys and no webhook
/// secret or Willo URL token yet.
fn customer(connection: &str, account: &AccountHandle, willo_key: SecretString) -> NewConnection {
    NewConnection::new(
        id(connection),
        ConnectionConfig::new(format!("Customer {connection}"))
            .willo_base_url(account.willo_base_url())
            .ats(
                AtsAccountConfig::new(AtsKind::Lever, AtsAuth::ApiKey)
                    .perform_as(account.lever().perform_as())
                    .base_url(account.lever_base_url()),
            )
            .ats(
                AtsAccountConfig::new(AtsKind::Smartrecruiters, AtsAuth::ApiKey)
                    .base_url(account.smartrecruiters_base_url()),
            ),
        ConnectionSecrets::new(willo_key)
            .ats("lever", AtsSecrets::api_key(account.lever_api_key()))
            .ats(
                "smartrecruiters",
                AtsSecrets::api_key(account.smartrecruiters_api_key()),
            ),
    )
}

/// The URLs of the webhooks `account` holds at each vendor.
struct Registered {
    lever: Vec<String>,
    smartrecruiters: Vec<(String, Option<SubscriptionStatus>)>,
    willo: Vec<String>,
}

async fn registered(account: &AccountHandle) -> Registered {
    let lever: Vec<lever_client::Webhook> = account
        .lever_client()
        .unwrap()
        .webhooks()
        .list()
        .try_collect()
        .await
        .unwrap();
    let subscriptions: Vec<smartrecruiters_client::Subscription> = account
        .smartrecruiters_client()
        .unwrap()
        .subscriptions()
        .list(None)
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
    Registered {
        lever: lever.into_iter().filter_map(|w| w.url).collect(),
        smartrecruiters: subscriptions
            .into_iter()
            .map(|s| (s.callback_url.unwrap_or_default(), s.status))
            .collect(),
        willo: willo
            .into_iter()
            .filter_map(|w| w.url.map(|u| u.as_str().to_owned()))
            .collect(),
    }
}

fn actions(answer: &Value, source: &str) -> Vec<String> {
    answer["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == source)
        .unwrap_or_else(|| panic!("no {source} in {answer}"))["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["action"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_registered_in_its_own_accounts_and_its_deliveries_verify() {
    let sandbox = sandbox().await;
    let acme = sandbox.add_account(SandboxAccount::new("acme")).unwrap();
    let other = sandbox.add_account(SandboxAccount::new("other")).unwrap();
    let bridge = Bridge::start().await;
    bridge
        .manager
        .add(customer("acme", &acme, acme.willo_api_key()))
        .await
        .unwrap();

    let (status, answer) = bridge.register("acme").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let base = &bridge.base;
    let sources: Vec<(&str, &str)> = answer["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["source"].as_str().unwrap(), s["url"].as_str().unwrap()))
        .collect();
    let lever_url = format!("{base}/webhooks/acme/lever");
    let sr_url = format!("{base}/webhooks/acme/smartrecruiters");
    let willo_url = format!("{base}/webhooks/acme/willo");
    assert_eq!(
        sources,
        [
            ("lever", lever_url.as_str()),
            ("smartrecruiters", sr_url.as_str()),
            ("willo", willo_url.as_str())
        ]
    );
    assert_eq!(actions(&answer, "lever"), ["created", "created"]);
    assert_eq!(actions(&answer, "smartrecruiters"), ["created"]);
    assert_eq!(actions(&answer, "willo"), ["created", "created"]);
    assert_eq!(answer["sources"][1]["active"], true, "{answer}");

    // The secrets the vendors returned are stored, and none is in the answer.
    let secrets = bridge.manager.secrets(&id("acme")).await.unwrap();
    let lever_secrets = &secrets.ats["lever"].webhook_secrets;
    let sr_secrets = &secrets.ats["smartrecruiters"].webhook_secrets;
    let willo_token = secrets.willo_webhook_token.clone().expect("a URL token");
    assert_eq!((lever_secrets.len(), sr_secrets.len()), (2, 1));
    let text = answer.to_string();
    for secret in lever_secrets.iter().chain(sr_secrets).chain([&willo_token]) {
        assert!(!text.contains(secret.expose_secret()), "{text}");
    }

    // Exactly the connection's URLs, in its own accounts only; SmartRecruiters'
    // subscription active (its handshake reached the connection's intake).
    let at_acme = registered(&acme).await;
    assert_eq!(at_acme.lever, [lever_url.clone(), lever_url.clone()]);
    assert_eq!(
        at_acme.smartrecruiters,
        [(sr_url.clone(), Some(SubscriptionStatus::Active))]
    );
    assert_eq!(at_acme.willo.len(), 2);
    for url in &at_acme.willo {
        assert!(url.starts_with(&format!("{willo_url}?")), "{url}");
        assert!(
            url.contains(&format!("token={}", willo_token.expose_secret())),
            "{url}"
        );
    }
    for untouched in [&other, sandbox.default_account()] {
        let there = registered(untouched).await;
        assert!(there.lever.is_empty() && there.smartrecruiters.is_empty());
        assert!(there.willo.is_empty());
    }

    // End to end: a recruiter's moves in acme's accounts reach the intake, verify
    // with the stored secrets and are kept under the connection's scope.
    let lever = acme.lever();
    let posting = lever.postings().remove(0);
    let opportunity = lever.opportunities(&posting.id).remove(0);
    lever
        .move_opportunity(&opportunity, STAGE_RECRUITER_SCREEN)
        .unwrap();
    let sr = acme.smartrecruiters();
    let job = sr.jobs().remove(0);
    let candidate = sr.candidates(&job.id).remove(0);
    sr.move_candidate(&candidate, &job.id, ApplicationStatus::Interview, None)
        .unwrap();
    acme.deliveries_idle().await;
    for vendor in [Vendor::Lever, Vendor::SmartRecruiters] {
        let stats = acme.deliveries(vendor);
        assert!(stats.delivered >= 1, "{vendor:?}: {stats:?}");
        assert_eq!(stats.failed, 0, "{vendor:?}: {stats:?}");
    }
    let stored = bridge
        .store
        .inbox_claim(&Lease::new("w", i64::MAX / 2, 1_000), 10)
        .await
        .unwrap();
    let mut scopes: Vec<&str> = stored.iter().map(|item| item.source.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    assert_eq!(scopes, ["acme/lever", "acme/smartrecruiters"]);

    // Again: everything adopted, nothing created, no secret written.
    let before = bridge
        .manager
        .live(&id("acme"))
        .await
        .unwrap()
        .updated_at_ms;
    let (status, again) = bridge.register("acme").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(actions(&again, "lever"), ["adopted", "adopted"]);
    assert_eq!(actions(&again, "smartrecruiters"), ["adopted"]);
    assert_eq!(actions(&again, "willo"), ["adopted", "adopted"]);
    for source in again["sources"].as_array().unwrap() {
        assert_eq!(source["secret_added"], false, "{again}");
    }
    let after = bridge
        .manager
        .live(&id("acme"))
        .await
        .unwrap()
        .updated_at_ms;
    assert_eq!(before, after, "no secret was rewritten");
    let again_at_acme = registered(&acme).await;
    assert_eq!(again_at_acme.lever.len(), 2);
    assert_eq!(again_at_acme.smartrecruiters.len(), 1);
    assert_eq!(again_at_acme.willo, at_acme.willo);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_or_unconnected_connection_or_a_refusing_vendor_stores_nothing() {
    let sandbox = sandbox().await;
    let beta = sandbox.add_account(SandboxAccount::new("beta")).unwrap();
    let bridge = Bridge::start().await;

    let (status, answer) = bridge.register("nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(answer["error"], "not_found");
    // An OAuth account the customer has not connected has no credentials to
    // register with.
    bridge
        .manager
        .add(super::lever_oauth("gamma", None))
        .await
        .unwrap();
    let (status, answer) = bridge.register("gamma").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("`lever` is not connected"),
        "{answer}"
    );

    // Willo refuses the key after Lever and SmartRecruiters accepted theirs.
    bridge
        .manager
        .add(customer(
            "beta",
            &beta,
            SecretString::from("not-the-willo-key"),
        ))
        .await
        .unwrap();
    let before = bridge
        .manager
        .live(&id("beta"))
        .await
        .unwrap()
        .updated_at_ms;
    let (status, answer) = bridge.register("beta").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    assert_eq!(answer["error"], "vendor_refused");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("`willo`"), "{message}");
    assert!(!message.contains("not-the-willo-key"), "{message}");

    // Nothing stored; the Lever webhooks whose tokens would be lost are gone again.
    let secrets = bridge.manager.secrets(&id("beta")).await.unwrap();
    assert!(secrets.willo_webhook_token.is_none());
    assert!(secrets.ats["lever"].webhook_secrets.is_empty());
    assert!(secrets.ats["smartrecruiters"].webhook_secrets.is_empty());
    let after = bridge
        .manager
        .live(&id("beta"))
        .await
        .unwrap()
        .updated_at_ms;
    assert_eq!(before, after);
    assert!(registered(&beta).await.lever.is_empty());

    // With the right key the next run completes: the subscription SmartRecruiters
    // kept is adopted with its key read back, and activated.
    let mut fixed = bridge.manager.secrets(&id("beta")).await.unwrap();
    fixed.willo_api_key = beta.willo_api_key();
    bridge
        .manager
        .replace_secrets(&id("beta"), fixed)
        .await
        .unwrap();
    let (status, answer) = bridge.register("beta").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(actions(&answer, "lever"), ["created", "created"]);
    assert_eq!(actions(&answer, "smartrecruiters"), ["adopted"]);
    assert_eq!(answer["sources"][1]["active"], true, "{answer}");
    let secrets = bridge.manager.secrets(&id("beta")).await.unwrap();
    assert_eq!(secrets.ats["smartrecruiters"].webhook_secrets.len(), 1);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_sharing_an_account_keep_their_own_webhooks_and_unknown_tokens_are_replaced() {
    let sandbox = sandbox().await;
    let shared = sandbox.add_account(SandboxAccount::new("shared")).unwrap();
    let bridge = Bridge::start().await;
    for connection in ["one", "two"] {
        bridge
            .manager
            .add(customer(connection, &shared, shared.willo_api_key()))
            .await
            .unwrap();
    }
    // Someone registered `one`'s Lever webhooks by hand and kept no token: deliveries
    // from them could never be verified.
    let lever_one = format!("{}/webhooks/one/lever", bridge.base);
    ats_bridge::registration::subscribe_lever(&shared.lever_client().unwrap(), &lever_one)
        .await
        .unwrap();

    let (status, answer) = bridge.register("one").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        actions(&answer, "lever"),
        ["removed", "created", "removed", "created"]
    );
    let (status, answer) = bridge.register("two").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(actions(&answer, "lever"), ["created", "created"]);
    assert_eq!(actions(&answer, "smartrecruiters"), ["created"]);

    // Registering `one` again leaves `two`'s webhooks alone, and the other way round.
    for connection in ["one", "two"] {
        let (status, again) = bridge.register(connection).await;
        assert_eq!(status, StatusCode::OK, "{again}");
        for source in ["lever", "smartrecruiters", "willo"] {
            assert!(
                actions(&again, source).iter().all(|a| a == "adopted"),
                "{again}"
            );
        }
    }
    let there = registered(&shared).await;
    let mut lever = there.lever.clone();
    lever.sort();
    let lever_two = format!("{}/webhooks/two/lever", bridge.base);
    assert_eq!(
        lever,
        [
            lever_one.clone(),
            lever_one.clone(),
            lever_two.clone(),
            lever_two
        ]
    );
    assert_eq!(there.smartrecruiters.len(), 2);
    assert_eq!(there.willo.len(), 4);

    // The new tokens are stored, and a move reaches both connections' intakes, each
    // verified with its own tokens.
    let secrets = bridge.manager.secrets(&id("one")).await.unwrap();
    assert_eq!(secrets.ats["lever"].webhook_secrets.len(), 2);
    let lever = shared.lever();
    let posting = lever.postings().remove(0);
    let opportunity = lever.opportunities(&posting.id).remove(0);
    lever
        .move_opportunity(&opportunity, STAGE_RECRUITER_SCREEN)
        .unwrap();
    shared.deliveries_idle().await;
    let stats = shared.deliveries(Vendor::Lever);
    assert_eq!((stats.delivered, stats.failed), (2, 0), "{stats:?}");
    let stored = bridge
        .store
        .inbox_claim(&Lease::new("w", i64::MAX / 2, 1_000), 10)
        .await
        .unwrap();
    let mut scopes: Vec<&str> = stored.iter().map(|item| item.source.as_str()).collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["one/lever", "two/lever"]);
    sandbox.shutdown().await;
}

/// How many webhooks an unregistration's `answer` removed at `source` (checking
/// each change is a removal).
fn removed(answer: &Value, source: &str) -> usize {
    let entry = answer["sources"]
        .as_array()
        .unwrap_or_else(|| panic!("no sources in {answer}"))
        .iter()
        .find(|s| s["source"] == source)
        .unwrap_or_else(|| panic!("no {source} in {answer}"));
    let changes = entry["removed"].as_array().unwrap();
    assert!(changes.iter().all(|c| c["action"] == "removed"), "{answer}");
    changes.len()
}

/// A move of a Lever opportunity and of a SmartRecruiters candidate in `account`.
fn recruiter_moves(account: &AccountHandle) {
    let lever = account.lever();
    let posting = lever.postings().remove(0);
    let opportunity = lever.opportunities(&posting.id).remove(0);
    lever
        .move_opportunity(&opportunity, STAGE_RECRUITER_SCREEN)
        .unwrap();
    let sr = account.smartrecruiters();
    let job = sr.jobs().remove(0);
    let candidate = sr.candidates(&job.id).remove(0);
    sr.move_candidate(&candidate, &job.id, ApplicationStatus::Interview, None)
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistering_a_connection_removes_exactly_its_webhooks_in_a_shared_account() {
    let sandbox = sandbox().await;
    let shared = sandbox.add_account(SandboxAccount::new("shared")).unwrap();
    let bridge = Bridge::start().await;
    add_registered(&bridge, &shared, &["one", "two"]).await;
    // A single-account bridge's webhooks in the same account (one per event), at a
    // path ending like `one`'s but for no connection: not `one`'s either.
    let single = format!("{}/webhooks/lever", bridge.base);
    ats_bridge::registration::subscribe_lever(&shared.lever_client().unwrap(), &single)
        .await
        .unwrap();
    let secrets_before = bridge.manager.secrets(&id("one")).await.unwrap();

    let (status, answer) = bridge.unregister("one").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["connection"], "one");
    let sources: Vec<(&str, &str)> = answer["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["source"].as_str().unwrap(), s["url"].as_str().unwrap()))
        .collect();
    let base = &bridge.base;
    assert_eq!(
        sources,
        [
            ("lever", format!("{base}/webhooks/one/lever").as_str()),
            (
                "smartrecruiters",
                format!("{base}/webhooks/one/smartrecruiters").as_str()
            ),
            ("willo", format!("{base}/webhooks/one/willo").as_str()),
        ]
    );
    assert_eq!(removed(&answer, "lever"), 2);
    assert_eq!(removed(&answer, "smartrecruiters"), 1);
    assert_eq!(removed(&answer, "willo"), 2);
    // No secret in the answer (Willo's URLs carry the token): none of the URLs
    // removed is quoted.
    let willo_token = secrets_before.willo_webhook_token.clone().unwrap();
    assert!(
        !answer.to_string().contains(willo_token.expose_secret()),
        "{answer}"
    );

    // `two`'s webhooks and the single-account one are all still there; none of
    // `one`'s is.
    let there = registered(&shared).await;
    let mut lever = there.lever.clone();
    lever.sort();
    let lever_two = format!("{base}/webhooks/two/lever");
    assert_eq!(
        lever,
        [single.clone(), single.clone(), lever_two.clone(), lever_two]
    );
    assert_eq!(
        there.smartrecruiters,
        [(
            format!("{base}/webhooks/two/smartrecruiters"),
            Some(SubscriptionStatus::Active)
        )]
    );
    assert_eq!(there.willo.len(), 2);
    for url in &there.willo {
        assert!(
            url.starts_with(&format!("{base}/webhooks/two/willo?")),
            "{url}"
        );
    }
    // Its stored secrets are left as they were.
    let secrets_after = bridge.manager.secrets(&id("one")).await.unwrap();
    assert_eq!(
        secrets_after.ats["lever"].webhook_secrets.len(),
        secrets_before.ats["lever"].webhook_secrets.len()
    );

    // The single-account bridge's own teardown takes its webhook, and only it.
    let single_removed = ats_bridge::registration::teardown_lever(&shared.lever_client().unwrap())
        .await
        .unwrap();
    assert_eq!(single_removed.len(), 2, "{single_removed:?}");

    // The recruiters' moves reach `two`, never `one`.
    recruiter_moves(&shared);
    shared.deliveries_idle().await;
    let lever_stats = shared.deliveries(Vendor::Lever);
    assert_eq!(
        (lever_stats.delivered, lever_stats.failed),
        (1, 0),
        "{lever_stats:?}"
    );
    let sr = shared.deliveries(Vendor::SmartRecruiters);
    assert!(sr.delivered >= 1 && sr.failed == 0, "{sr:?}");
    let stored = bridge
        .store
        .inbox_claim(&Lease::new("w", i64::MAX / 2, 1_000), 10)
        .await
        .unwrap();
    let mut scopes: Vec<&str> = stored.iter().map(|item| item.source.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    assert_eq!(scopes, ["two/lever", "two/smartrecruiters"]);

    // Again: nothing left, nothing removed, still fine.
    let (status, again) = bridge.unregister("one").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    for source in ["lever", "smartrecruiters", "willo"] {
        assert_eq!(removed(&again, source), 0, "{again}");
    }
    assert_eq!(registered(&shared).await.lever.len(), 2);

    // An unknown connection: 404, as for the other routes.
    let (status, answer) = bridge.unregister("nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removal_that_unregisters_removes_the_webhooks_then_the_connection() {
    let sandbox = sandbox().await;
    let shared = sandbox.add_account(SandboxAccount::new("shared")).unwrap();
    let bridge = Bridge::start().await;
    add_registered(&bridge, &shared, &["one", "two"]).await;

    let (status, answer) = bridge
        .call(
            Method::DELETE,
            "/admin/connections/one?webhooks=unregister&ledger=erase",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // The removal's counts, and what was removed at the vendors.
    assert!(answer["secrets"].as_u64().unwrap() >= 5, "{answer}");
    assert_eq!(answer["webhooks"]["connection"], "one");
    assert_eq!(removed(&answer["webhooks"], "lever"), 2);
    assert_eq!(removed(&answer["webhooks"], "smartrecruiters"), 1);
    assert_eq!(removed(&answer["webhooks"], "willo"), 2);
    let there = registered(&shared).await;
    assert_eq!(there.lever.len(), 2);
    assert_eq!(there.smartrecruiters.len(), 1);
    assert_eq!(there.willo.len(), 2);
    assert!(
        there
            .lever
            .iter()
            .all(|url| url.ends_with("/webhooks/two/lever")),
        "{:?}",
        there.lever
    );
    assert!(bridge.manager.live(&id("one")).await.is_err());
    assert!(bridge.manager.live(&id("two")).await.is_ok());

    // A removal without the parameter leaves the webhooks where they are.
    let (status, answer) = bridge.call(Method::DELETE, "/admin/connections/two").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer.get("webhooks").is_none(), "{answer}");
    assert_eq!(registered(&shared).await.lever.len(), 2);

    // An unknown value is refused before anything is done.
    let (status, _) = bridge
        .call(Method::DELETE, "/admin/connections/two?webhooks=sometimes")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vendor_refusing_answers_502_and_the_connection_stays() {
    let sandbox = sandbox().await;
    let acme = sandbox.add_account(SandboxAccount::new("acme")).unwrap();
    let bridge = Bridge::start().await;
    add_registered(&bridge, &acme, &["acme"]).await;
    // Willo's key no longer works (revoked by the customer, say).
    let mut secrets = bridge.manager.secrets(&id("acme")).await.unwrap();
    let good_key = std::mem::replace(
        &mut secrets.willo_api_key,
        SecretString::from("a-revoked-willo-key"),
    );
    bridge
        .manager
        .replace_secrets(&id("acme"), secrets.clone())
        .await
        .unwrap();

    let (status, answer) = bridge
        .call(
            Method::DELETE,
            "/admin/connections/acme?webhooks=unregister",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    assert_eq!(answer["error"], "vendor_refused");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("`willo`"), "{message}");
    assert!(message.contains("not removed"), "{message}");
    assert!(!message.contains("a-revoked-willo-key"), "{message}");
    // What was removed before the refusal stays removed, and says so.
    assert_eq!(removed(&answer["removed"], "lever"), 2);
    assert_eq!(removed(&answer["removed"], "smartrecruiters"), 1);
    assert_eq!(removed(&answer["removed"], "willo"), 0);
    let there = registered(&acme).await;
    assert!(there.lever.is_empty() && there.smartrecruiters.is_empty());
    assert_eq!(there.willo.len(), 2);
    // The connection is still there, with its credentials.
    assert!(bridge.manager.live(&id("acme")).await.is_ok());
    assert!(bridge.manager.secrets(&id("acme")).await.is_ok());

    // The webhooks route answers the same.
    let (status, answer) = bridge.unregister("acme").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    assert!(!answer["message"].as_str().unwrap().contains("not removed"));

    // With the key back, the rest goes and then the connection.
    secrets.willo_api_key = good_key;
    bridge
        .manager
        .replace_secrets(&id("acme"), secrets)
        .await
        .unwrap();
    let (status, answer) = bridge
        .call(
            Method::DELETE,
            "/admin/connections/acme?webhooks=unregister",
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(removed(&answer["webhooks"], "lever"), 0);
    assert_eq!(removed(&answer["webhooks"], "willo"), 2);
    assert!(registered(&acme).await.willo.is_empty());
    assert!(bridge.manager.live(&id("acme")).await.is_err());
    sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oauth_account_never_connected_is_skipped() {
    let sandbox = sandbox().await;
    let delta = sandbox.add_account(SandboxAccount::new("delta")).unwrap();
    let bridge = Bridge::start().await;
    let mut new = super::lever_oauth("delta", None);
    new.config = new.config.willo_base_url(delta.willo_base_url());
    new.secrets.willo_api_key = delta.willo_api_key();
    bridge.manager.add(new).await.unwrap();

    let (status, answer) = bridge.unregister("delta").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["sources"][0]["skipped"],
        "the OAuth account is not connected: no credentials to reach it"
    );
    assert_eq!(removed(&answer, "lever"), 0);
    assert_eq!(removed(&answer, "willo"), 0);
    assert!(answer["sources"][1].get("skipped").is_none(), "{answer}");
    sandbox.shutdown().await;
}
