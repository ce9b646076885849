//! Three customers on one bridge, with no accounts or keys:
//!
//! 1. starts the sandbox with three customer accounts — Acme on SmartRecruiters,
//!    Globex and Initech on Lever — each with its own Willo account, data and keys;
//! 2. starts one bridge for all of them: a fleet, the webhook intake
//!    (`/webhooks/{connection}/{source}`), the admin API and the OAuth callback;
//! 3. adds Acme and Globex through the admin API with API keys, and Initech with an
//!    OAuth account: the bridge is registered as an OAuth app with the sandbox's
//!    Lever, the admin API gives the consent URL, the customer's browser (an HTTP
//!    client here) follows it, the sandbox consents and redirects to the bridge's
//!    callback, which stores the grant — Initech goes from `needs_credentials` to
//!    `active`; then the admin API registers each customer's webhooks
//!    (`POST /admin/connections/{id}/webhooks`) in its own accounts, with its own
//!    credentials, and stores the secrets the vendors return;
//! 4. a recruiter of each customer moves one candidate to the trigger stage; each is
//!    invited in its own customer's Willo account, answers, and the results note
//!    lands in its own customer's ATS account;
//! 5. prints each customer's summary and the fleet's status.
//!
//! ```sh
//! cargo run -p examples --example customers
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ats_bridge::connection::{ConnectionManager, Keyring, SealingKey};
use ats_bridge::engine::EngineConfig;
use ats_bridge::store::{MemoryStore, Stores};
use ats_sandbox::lever::STAGE_RECRUITER_SCREEN;
use ats_sandbox::{AccountHandle, Sandbox, SandboxAccount, SandboxConfig, SandboxOAuthApp};
use client_core::{ExposeSecret, HttpClient, SecretString, StatusCode};
use examples::demo::SMARTRECRUITERS_TRIGGER;
use examples::fleet_config::{OAuthAppSettings, OAuthSettings};
use examples::fleet_server::{FleetBridge, FleetBridgeConfig, oauth_connect};
use examples::webhooks::new_url_token;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The run gives up after this long.
const DEADLINE: Duration = Duration::from_secs(45);

/// One customer of the bridge.
#[derive(Debug, Clone, Copy)]
struct Customer {
    /// The connection's id, also the sandbox account's name.
    id: &'static str,
    name: &'static str,
    ats: Ats,
    oauth: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ats {
    SmartRecruiters,
    Lever,
}

impl Ats {
    fn source(self) -> &'static str {
        match self {
            Ats::SmartRecruiters => "smartrecruiters",
            Ats::Lever => "lever",
        }
    }
}

const CUSTOMERS: [Customer; 3] = [
    Customer {
        id: "acme",
        name: "Acme Care",
        ats: Ats::SmartRecruiters,
        oauth: false,
    },
    Customer {
        id: "globex",
        name: "Globex Staffing",
        ats: Ats::Lever,
        oauth: false,
    },
    Customer {
        id: "initech",
        name: "Initech Health",
        ats: Ats::Lever,
        oauth: true,
    },
];

/// What happened to one customer, read from its own sandbox accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The connection's id.
    pub connection: String,
    /// `smartrecruiters` or `lever`.
    pub ats: String,
    /// The candidate (SmartRecruiters) or opportunity (Lever) moved.
    pub candidate: String,
    /// Participants in the customer's own Willo account.
    pub willo_participants: usize,
    /// Notes on the candidate in the customer's own ATS account.
    pub notes: usize,
    /// The connection's state before its OAuth consent (OAuth customers only).
    pub state_before_consent: Option<String>,
    /// Consents the customer's account gave the bridge's OAuth app on the sandbox's
    /// Lever.
    pub oauth_consents: u64,
}

#[tokio::main]
async fn main() -> examples::Result<()> {
    examples::log_from(tracing::Level::WARN);
    run(&mut std::io::stdout()).await?;
    Ok(())
}

/// Run the example, printing to `out`; returns each customer's outcome and what the
/// sandbox's default account received (participants, notes: nothing, when every
/// customer's work stayed in its own accounts).
pub async fn run(out: &mut impl Write) -> examples::Result<(Vec<Outcome>, usize)> {
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None)).await?;
    let result = with_sandbox(&sandbox, out).await;
    sandbox.shutdown().await;
    result
}

async fn with_sandbox(
    sandbox: &Sandbox,
    out: &mut impl Write,
) -> examples::Result<(Vec<Outcome>, usize)> {
    let started = Instant::now();
    let mut accounts = BTreeMap::new();
    for customer in CUSTOMERS {
        let account = SandboxAccount::new(customer.id)
            .willo_completion_delay(Some(Duration::from_millis(300)));
        accounts.insert(customer.id, sandbox.add_account(account)?);
    }

    // One bridge for every customer: its store, sealing key and admin token would
    // come from the operator's secret store; here they are fresh random values.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let callback = format!("{base}/oauth/callback");
    let store = Arc::new(MemoryStore::new());
    let manager = ConnectionManager::new(store.clone(), Arc::new(random_keyring()?));
    let client_secret = new_url_token()?;
    sandbox.lever_oauth().register_app(
        SandboxOAuthApp::new("willo-bridge", client_secret.clone()).redirect_uri(&callback),
    );
    let oauth_apps = OAuthSettings {
        lever: Some(OAuthAppSettings {
            client_id: "willo-bridge".to_owned(),
            environment: None,
            authorize_url: Some(sandbox.lever_oauth().authorize_url()),
            token_url: Some(sandbox.lever_oauth().token_url()),
        }),
        ..OAuthSettings::default()
    };
    let oauth = oauth_connect(
        &oauth_apps,
        &callback,
        Some(&new_url_token()?),
        &BTreeMap::from([("lever", client_secret)]),
        &manager,
    )?;
    let admin_token = new_url_token()?;
    let bridge = FleetBridge::new(
        manager,
        Stores::from(store),
        FleetBridgeConfig {
            engine: engine_config(),
            ..FleetBridgeConfig::default()
        },
        &admin_token,
        &base,
        oauth,
    )?;
    let app = bridge.router();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let (stop, stopped) = oneshot::channel::<()>();
    let fleet = bridge.fleet.clone();
    let work = tokio::spawn(async move {
        fleet
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    writeln!(
        out,
        "One bridge at {base} for {} customers\n",
        CUSTOMERS.len()
    )?;

    let admin = Admin {
        http: HttpClient::new(),
        base: base.clone(),
        token: admin_token,
    };
    let outcome = async {
        let mut before_consent = BTreeMap::new();
        for customer in CUSTOMERS {
            let state = connect(&admin, customer, &accounts[customer.id]).await?;
            writeln!(
                out,
                "{:<16} {:<16} {:<8} {state}",
                customer.name,
                customer.ats.source(),
                if customer.oauth { "OAuth" } else { "API key" },
            )?;
            before_consent.insert(customer.id, state);
        }
        let mut moved = BTreeMap::new();
        for customer in CUSTOMERS {
            moved.insert(customer.id, move_one(customer, &accounts[customer.id])?);
        }
        writeln!(
            out,
            "\nOne candidate of each customer moved to the trigger stage"
        )?;
        let fleet = admin
            .wait_for_fleet(|fleet| CUSTOMERS.iter().all(|c| synced(fleet, c.id) >= 1))
            .await?;
        let mut outcomes = Vec::new();
        writeln!(
            out,
            "\n{:<16} {:<16} {:>7} {:>6}",
            "customer", "ATS", "invites", "notes"
        )?;
        for customer in CUSTOMERS {
            let account = &accounts[customer.id];
            let candidate = moved[customer.id].clone();
            let notes = match customer.ats {
                Ats::SmartRecruiters => account.smartrecruiters().notes(&candidate).len(),
                Ats::Lever => account.lever().notes(&candidate).len(),
            };
            let outcome = Outcome {
                connection: customer.id.to_owned(),
                ats: customer.ats.source().to_owned(),
                candidate,
                willo_participants: account.willo().participants().len(),
                notes,
                oauth_consents: sandbox.lever_oauth().stats(customer.id).consents,
                state_before_consent: customer.oauth.then(|| {
                    before_consent[customer.id]
                        .split(' ')
                        .next()
                        .unwrap_or("")
                        .to_owned()
                }),
            };
            writeln!(
                out,
                "{:<16} {:<16} {:>7} {:>6}",
                customer.name, outcome.ats, outcome.willo_participants, outcome.notes
            )?;
            outcomes.push(outcome);
        }
        writeln!(
            out,
            "\nFleet: connections {}, rows {}, inbox backlog {}",
            fleet["connections_by_state"], fleet["rows"], fleet["inbox_pending"]
        )?;
        let default = sandbox.willo().participants().len();
        writeln!(
            out,
            "Done in {:.1} s; the sandbox's default account received {default} invites.",
            started.elapsed().as_secs_f64()
        )?;
        examples::Result::Ok((outcomes, default))
    }
    .await;
    let _ = stop.send(());
    work.await??;
    server.abort();
    outcome
}

/// The engine's settings for a quick run: short ticks, no reconciler (the webhooks
/// bring every change), late-results checks off.
fn engine_config() -> EngineConfig {
    let mut engine = EngineConfig::default();
    engine.tick = Duration::from_millis(20);
    engine.reconcile_interval = None;
    engine.late_results = ats_bridge::engine::LateResults::new(Vec::new());
    engine
}

/// A sealing key from the operating system's secure random source.
fn random_keyring() -> examples::Result<Keyring> {
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).map_err(|e| format!("no secure random source: {e}"))?;
    Ok(Keyring::new(SealingKey::new("k1", &key)))
}

/// Add `customer`'s connection through the admin API, for an OAuth account go
/// through the consent, then have the bridge register its webhooks in its own
/// accounts. Returns the connection's state as it went.
async fn connect(
    admin: &Admin,
    customer: Customer,
    account: &AccountHandle,
) -> examples::Result<String> {
    let id = customer.id;
    let source = customer.ats.source();
    let interview = account
        .willo()
        .interviews()
        .first()
        .map(|interview| interview.key.clone())
        .ok_or("the sandbox account has no interview")?;

    let (mut ats_account, stage) = match customer.ats {
        Ats::SmartRecruiters => (
            json!({ "base_url": account.smartrecruiters_base_url() }),
            SMARTRECRUITERS_TRIGGER.as_str().to_owned(),
        ),
        Ats::Lever => (
            json!({ "perform_as": account.lever().perform_as(),
                    "base_url": account.lever_base_url() }),
            STAGE_RECRUITER_SCREEN.to_owned(),
        ),
    };
    ats_account["name"] = json!(source);
    ats_account["kind"] = json!(source);
    ats_account["auth"] = json!(if customer.oauth { "oauth" } else { "api_key" });
    let mut ats_secrets = json!({});
    if !customer.oauth {
        let key = match customer.ats {
            Ats::SmartRecruiters => account.smartrecruiters_api_key(),
            Ats::Lever => account.lever_api_key(),
        };
        ats_secrets["api_key"] = json!(key.expose_secret());
    }
    let rules = format!(
        "[[trigger]]\nats = \"{source}\"\njob = \"*\"\nstages = [\"{stage}\"]\ninterview = \"{interview}\"\n"
    );
    let added = admin
        .call(
            "POST",
            "/admin/connections",
            Some(json!({
                "id": id,
                "config": {
                    "display_name": customer.name,
                    "willo_base_url": account.willo_base_url(),
                    "ats": [ats_account],
                    "rules": rules,
                },
                "secrets": {
                    "willo_api_key": account.willo_api_key().expose_secret(),
                    "ats": { source: ats_secrets },
                },
            })),
            StatusCode::CREATED,
        )
        .await?;
    let mut state = added["state"].as_str().unwrap_or_default().to_owned();
    if customer.oauth {
        let consent = admin
            .call(
                "POST",
                &format!("/admin/connections/{id}/oauth/{source}"),
                None,
                StatusCode::OK,
            )
            .await?;
        let url = consent["url"].as_str().ok_or("no consent URL")?;
        // The customer's browser: the sandbox consents as the account named in the
        // URL and redirects to the bridge's callback, which stores the grant.
        let url = format!("{url}&account={id}");
        let page = admin.http.get(url).send().await?;
        if page.status() != StatusCode::OK {
            return Err(format!("the OAuth callback answered {}", page.status()).into());
        }
        let now = admin
            .call(
                "GET",
                &format!("/admin/connections/{id}"),
                None,
                StatusCode::OK,
            )
            .await?;
        state = format!("{state} -> {}", now["state"].as_str().unwrap_or_default());
    }
    // With its credentials in place (an OAuth account's grant included), the bridge
    // registers the customer's webhooks at `/webhooks/{id}/{source}` in its own
    // accounts and keeps the secrets; SmartRecruiters' subscription is activated
    // through the connection's intake.
    let registered = admin
        .call(
            "POST",
            &format!("/admin/connections/{id}/webhooks"),
            None,
            StatusCode::OK,
        )
        .await?;
    let created: usize = registered["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|source| source["changes"].as_array().into_iter().flatten())
        .filter(|change| change["action"] == "created")
        .count();
    Ok(format!("{state}, {created} webhooks registered"))
}

/// Move the first candidate of `customer`'s first job to the trigger stage, as its
/// recruiter would; the sandbox sends the customer's webhook. Returns who moved.
fn move_one(customer: Customer, account: &AccountHandle) -> examples::Result<String> {
    match customer.ats {
        Ats::SmartRecruiters => {
            let sr = account.smartrecruiters();
            let job = sr.jobs().into_iter().next().ok_or("no job")?;
            let candidate = sr
                .candidates(&job.id)
                .into_iter()
                .next()
                .ok_or("no candidate")?;
            sr.move_candidate(&candidate, &job.id, SMARTRECRUITERS_TRIGGER, None)?;
            Ok(candidate)
        }
        Ats::Lever => {
            let lever = account.lever();
            let posting = lever.postings().into_iter().next().ok_or("no posting")?;
            let opportunity = lever
                .opportunities(&posting.id)
                .into_iter()
                .next()
                .ok_or("no opportunity")?;
            lever.move_opportunity(&opportunity, STAGE_RECRUITER_SCREEN)?;
            Ok(opportunity)
        }
    }
}

/// Synced rows of the connection `id` in the admin API's fleet status.
fn synced(fleet: &Value, id: &str) -> u64 {
    fleet["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == id)
        .and_then(|c| c["rows"]["synced"].as_u64())
        .unwrap_or(0)
}

/// The admin API, as an operator's tool calls it.
struct Admin {
    http: HttpClient,
    base: String,
    token: SecretString,
}

impl Admin {
    /// `method path` with `body`, expecting `expected`; the answer's JSON.
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        expected: StatusCode,
    ) -> examples::Result<Value> {
        let method = client_core::Method::from_bytes(method.as_bytes())?;
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token.expose_secret());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await?;
        let status = response.status();
        let answer: Value = response.json().await?;
        if status != expected {
            return Err(format!("{path}: {status} {answer}").into());
        }
        Ok(answer)
    }

    /// Poll `GET /admin/fleet` until `done` holds for it (or the deadline passes).
    async fn wait_for_fleet(&self, done: impl Fn(&Value) -> bool) -> examples::Result<Value> {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let fleet = self
                .call("GET", "/admin/fleet", None, StatusCode::OK)
                .await?;
            if done(&fleet) {
                return Ok(fleet);
            }
            if Instant::now() >= deadline {
                return Err(format!("not every customer was written back in time: {fleet}").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
