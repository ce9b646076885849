//! `ats-sandbox`: stateful local simulators of Willo, SmartRecruiters and Lever, each a
//! real HTTP server on `127.0.0.1` (an ephemeral port), speaking the paths, credentials
//! and payload shapes the reference notes record, so the real clients, the adapters and
//! the whole workflow run against it with no account.
//!
//! - **Seeded** ([`Seed`]): jobs/postings with stages, users, candidates with names,
//!   emails and E.164 phones, Willo interviews. Same [`SandboxConfig::seed`], same data.
//! - **Stateful**: notes, tags, status changes and invitations written through the APIs
//!   are visible through the APIs and through the Rust control handles
//!   ([`Sandbox::willo`], [`Sandbox::smartrecruiters`], [`Sandbox::lever`]).
//! - **Webhooks**: moving a candidate emits a signed delivery to every active
//!   subscription (SmartRecruiters after its `X-Hook-Secret` activation handshake;
//!   Lever with the webhook's signature token); a Willo participant completes after
//!   [`SandboxConfig::willo_completion_delay`] and emits `new_response`.
//! - **Faults** ([`Faults`], per vendor, seeded): a rate limit answered with 429 and
//!   `Retry-After`, latency, random 5xx/429, dropped and repeated webhooks. A fault is
//!   decided before the handler runs, so it never changes state.
//! - **Instrumented**: requests per vendor and endpoint, 401/429/5xx sent
//!   ([`RequestStats`]); webhook deliveries emitted, dropped, duplicated, delivered
//!   ([`DeliveryStats`]).
//!
//! **Accounts.** Like the real vendors, one sandbox serves many customers' accounts
//! behind each vendor's one base URL: the credential a request carries picks the
//! account, and each account has its own data (its own [`Seed`]), its own keys, webhook
//! subscriptions, rate limits and faults, and its own request and delivery counters. A
//! sandbox starts with the [`DEFAULT_ACCOUNT`], whose keys are [`WILLO_API_KEY`],
//! [`smartrecruiters::API_KEY`] and [`lever::API_KEY`] and which the methods of
//! [`Sandbox`] itself address ([`Sandbox::willo_client`] and friends return clients
//! already pointed at it and paced under its limits). [`Sandbox::add_account`] adds one
//! at runtime; its keys are derived from its name (`sandbox-willo-api-key-<name>`,
//! `sandbox-smartrecruiters-api-key-<name>`, `sandbox-lever-api-key-<name>`) and its
//! [`AccountHandle`] has the same control handles and clients. A key no account has
//! gets the vendor's 401 (counted on the default account). An account costs about
//! 6 KiB until its first request to a vendor builds that vendor's routes (about 28 KiB).
//!
//! ```
//! use ats_sandbox::{Sandbox, SandboxAccount, SandboxConfig, Seed, Vendor};
//! use futures::TryStreamExt as _;
//! use smartrecruiters_client::JobFilter;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start(SandboxConfig::new()).await?;
//! let acme = sandbox.add_account(SandboxAccount::new("acme").seed(3).data(Seed::new().jobs(1)))?;
//! let jobs: Vec<_> = acme.smartrecruiters_client()?.jobs().list(&JobFilter::new()).try_collect().await?;
//! assert_eq!(jobs.len(), 1); // acme's job only; the default account has two
//! assert_eq!(acme.requests(Vendor::SmartRecruiters).total, 1);
//! assert_eq!(sandbox.requests(Vendor::SmartRecruiters).total, 0);
//! # Ok(()) }
//! ```
//!
//! **OAuth.** SmartRecruiters and Lever also run an OAuth 2.0 authorization server on
//! their listeners, at the vendors' paths ([`Sandbox::smartrecruiters_oauth`],
//! [`Sandbox::lever_oauth`]): register an app ([`SandboxOAuthApp`]), send the consent
//! URL's request (the sandbox consents at once for the account named by the `account`
//! query parameter, or the app's [`SandboxOAuthApp::consent_as`], or the default account,
//! and redirects with `code` and the same `state`), exchange the code, and call the API
//! with `Authorization: Bearer`. Refresh tokens rotate (a used one is refused with
//! `invalid_grant`), access tokens expire after a configurable lifetime, grants can be
//! revoked, and [`OAuthStats`] counts each account's token requests. See
//! [`OAuthSandbox`].
//!
//! Where the reference notes mark a vendor fact uncertain, the sandbox makes a choice
//! and says so: every 429 carries `Retry-After` (no vendor documents it; turn it off
//! with [`RateLimit::retry_after`]); only SmartRecruiters sends `X-RateLimit-*`; a failed
//! SmartRecruiters handshake answers 400; a note tagged with an unknown candidate
//! answers 404; an unknown Lever `perform_as` answers 400; Willo participants move from
//! [`willo::STAGE_INVITED`] to [`willo::STAGE_RECEIVED`] on completion, take any other
//! stage by `PATCH {"stage"}`, and Willo bodies are
//! `{"participant": {"key", "interview", "name", "email", "stage"}, "interview": {..}}`.
//!
//! ```
//! use ats_sandbox::{Sandbox, SandboxConfig, Seed};
//! use futures::TryStreamExt as _;
//! use smartrecruiters_client::JobFilter;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start(SandboxConfig::new().seed(7).data(Seed::new().jobs(3))).await?;
//! let client = sandbox.smartrecruiters_client()?;
//! let jobs: Vec<_> = client.jobs().list(&JobFilter::new()).try_collect().await?;
//! assert_eq!(jobs.len(), 3);
//! assert_eq!(sandbox.smartrecruiters().requests().endpoint("GET /jobs"), 1);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! The sandbox depends on the three clients (for their types and signing helpers),
//! never on `ats-bridge`: the bridge's own tests, the examples and the benchmarks run
//! on it, and so can yours.
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

// First: the simulators below expand its macro.
#[macro_use]
mod observed;

mod accounts;
mod body;
mod door;
mod faults;
mod gate;
pub mod lever;
mod oauth;
mod params;
mod seed;
pub mod smartrecruiters;
mod webhooks;
pub mod willo;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use client_core::{HttpClient, SecretString};
use lever_client::LeverClient;
use smartrecruiters_client::SmartRecruitersClient;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use willo_client::WilloClient;

pub use accounts::{AccountHandle, DEFAULT_ACCOUNT, SandboxAccount};
pub use faults::{Faults, RateLimit};
pub use gate::{RequestStats, Vendor};
pub use lever::LeverSandbox;
pub use oauth::{OAuthSandbox, OAuthStats, SandboxOAuthApp};
pub use seed::{SandboxJob, SandboxPerson, Seed};
pub use smartrecruiters::SmartRecruitersSandbox;
pub use webhooks::{DeliveryStats, Redelivery};
pub use willo::{SandboxInterview, SandboxParticipant, WilloSandbox};

use accounts::{Account, Env};
use door::{Directory, Door};
use oauth::OAuthServer;

/// The Willo API key the sandbox accepts (bare, `Bearer` or `Token`).
pub const WILLO_API_KEY: &str = "sandbox-willo-api-key";

/// Why the sandbox could not start or could not do what it was told.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// A listener could not be bound or the delivery client could not be built.
    #[error("the sandbox could not start: {0}")]
    Io(#[from] std::io::Error),
    /// A client for the sandbox could not be built.
    #[error("a client for the sandbox could not be built: {0}")]
    Client(#[from] client_core::Error),
    /// The id names nothing in the sandbox.
    #[error("{what} is not in the sandbox")]
    NotFound {
        /// What was looked for (ids only).
        what: String,
    },
    /// The request makes no sense for the simulated API.
    #[error("invalid sandbox request: {0}")]
    Invalid(String),
}

/// How a sandbox is seeded and how it misbehaves.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// Seeds the data and every random fault (default 1).
    pub seed: u64,
    /// What the simulators start with.
    pub data: Seed,
    /// How long after an invitation a Willo participant completes (default 200 ms);
    /// `None`: only when [`WilloSandbox::complete_participant`] is called.
    pub willo_completion_delay: Option<Duration>,
    /// Faults of the Willo simulator.
    pub willo_faults: Faults,
    /// Faults of the SmartRecruiters simulator.
    pub smartrecruiters_faults: Faults,
    /// Faults of the Lever simulator.
    pub lever_faults: Faults,
    /// How long a webhook receiver has to answer (default 2 s).
    pub webhook_timeout: Duration,
    /// Whether failed deliveries are sent again (default: never).
    pub webhook_redelivery: Redelivery,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 1,
            data: Seed::default(),
            willo_completion_delay: Some(Duration::from_millis(200)),
            willo_faults: Faults::none(),
            smartrecruiters_faults: Faults::none(),
            lever_faults: Faults::none(),
            webhook_timeout: Duration::from_secs(2),
            webhook_redelivery: Redelivery::default(),
        }
    }
}

impl SandboxConfig {
    /// The defaults: seed 1, [`Seed::default`], completion after 200 ms, no faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// The seed of data and faults.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// What the simulators start with.
    pub fn data(mut self, data: Seed) -> Self {
        self.data = data;
        self
    }

    /// When Willo participants complete by themselves (`None`: never).
    pub fn willo_completion_delay(mut self, delay: Option<Duration>) -> Self {
        self.willo_completion_delay = delay;
        self
    }

    /// The faults of one vendor.
    pub fn faults(mut self, vendor: Vendor, faults: Faults) -> Self {
        *self.faults_mut(vendor) = faults;
        self
    }

    /// The same faults on every vendor.
    pub fn all_faults(self, faults: Faults) -> Self {
        self.faults(Vendor::Willo, faults.clone())
            .faults(Vendor::SmartRecruiters, faults.clone())
            .faults(Vendor::Lever, faults)
    }

    /// How long webhook receivers have to answer.
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout;
        self
    }

    /// Send a failed delivery again up to `attempts` times, waiting `backoff`, then
    /// twice as long before each next try.
    pub fn webhook_redelivery(mut self, attempts: u32, backoff: Duration) -> Self {
        self.webhook_redelivery = Redelivery { attempts, backoff };
        self
    }

    /// The faults of `vendor`.
    pub fn faults_of(&self, vendor: Vendor) -> &Faults {
        match vendor {
            Vendor::Willo => &self.willo_faults,
            Vendor::SmartRecruiters => &self.smartrecruiters_faults,
            Vendor::Lever => &self.lever_faults,
        }
    }

    fn faults_mut(&mut self, vendor: Vendor) -> &mut Faults {
        match vendor {
            Vendor::Willo => &mut self.willo_faults,
            Vendor::SmartRecruiters => &mut self.smartrecruiters_faults,
            Vendor::Lever => &mut self.lever_faults,
        }
    }
}

/// One running simulator server.
#[derive(Debug)]
struct Server {
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

/// A bound listener and the address clients reach it at.
async fn bind() -> Result<(TcpListener, SocketAddr), SandboxError> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Serve `router` until told to stop.
fn serve(listener: TcpListener, router: Router, vendor: Vendor) -> Server {
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await;
        if let Err(error) = served {
            tracing::warn!(%error, ?vendor, "sandbox server stopped");
        }
    });
    Server {
        shutdown: Some(tx),
        task,
    }
}

/// The three simulators, running. Dropping it (or [`Sandbox::shutdown`]) stops them.
///
/// It starts with one account, the [`DEFAULT_ACCOUNT`], which the methods of `Sandbox`
/// itself address ([`Sandbox::willo`], [`Sandbox::smartrecruiters_client`], …); more
/// accounts join at runtime with [`Sandbox::add_account`].
pub struct Sandbox {
    env: Arc<Env>,
    default: AccountHandle,
    directory: Arc<Directory>,
    smartrecruiters_oauth: OAuthSandbox,
    lever_oauth: OAuthSandbox,
    servers: Vec<Server>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("config", &self.env.config)
            .field("willo_base_url", &self.env.willo_base_url)
            .field(
                "smartrecruiters_base_url",
                &self.env.smartrecruiters_base_url,
            )
            .field("lever_base_url", &self.env.lever_base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Seed the simulators and serve them on `127.0.0.1` ephemeral ports. Must run
    /// inside a Tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let http = HttpClient::builder()
            .build()
            .map_err(|e| SandboxError::Io(std::io::Error::other(e.without_url())))?;
        let (willo_listener, willo_addr) = bind().await?;
        let (sr_listener, sr_addr) = bind().await?;
        let (lever_listener, lever_addr) = bind().await?;
        let seed = config.seed;
        let env = Arc::new(Env {
            config,
            http,
            runtime: tokio::runtime::Handle::current(),
            willo_base_url: format!("http://{willo_addr}{}", willo::API_PREFIX),
            smartrecruiters_base_url: format!("http://{sr_addr}"),
            lever_base_url: format!("http://{lever_addr}{}", lever::API_PREFIX),
        });
        let default = Arc::new(Account::default_account(&env));
        let directory = Arc::new(Directory::new(Arc::clone(&default)));
        let sr_oauth = Arc::new(OAuthServer::new(
            Vendor::SmartRecruiters,
            format!("http://{sr_addr}"),
            seed,
        ));
        let lever_oauth = Arc::new(OAuthServer::new(
            Vendor::Lever,
            format!("http://{lever_addr}"),
            seed,
        ));
        let door = |vendor: Vendor, oauth: Option<&Arc<OAuthServer>>| {
            door::router(Arc::new(Door {
                vendor,
                directory: Arc::clone(&directory),
                oauth: oauth.cloned(),
            }))
        };
        let servers = vec![
            serve(willo_listener, door(Vendor::Willo, None), Vendor::Willo),
            serve(
                sr_listener,
                door(Vendor::SmartRecruiters, Some(&sr_oauth)),
                Vendor::SmartRecruiters,
            ),
            serve(
                lever_listener,
                door(Vendor::Lever, Some(&lever_oauth)),
                Vendor::Lever,
            ),
        ];
        Ok(Self {
            default: AccountHandle::new(default, Arc::clone(&env)),
            env,
            directory,
            smartrecruiters_oauth: OAuthSandbox::new(sr_oauth),
            lever_oauth: OAuthSandbox::new(lever_oauth),
            servers,
        })
    }

    /// The configuration the sandbox was started with.
    pub fn config(&self) -> &SandboxConfig {
        &self.env.config
    }

    /// Add an account at runtime: it is served at once on the same base URLs, reached
    /// with its own keys (derived from its name). Fails if the name is taken or
    /// invalid. Callable from any thread; the account's webhooks and completions run
    /// on the sandbox's runtime.
    pub fn add_account(&self, account: SandboxAccount) -> Result<AccountHandle, SandboxError> {
        let account = Arc::new(Account::named(&self.env, account)?);
        self.directory.insert(Arc::clone(&account))?;
        Ok(AccountHandle::new(account, Arc::clone(&self.env)))
    }

    /// Remove an account, as a customer leaving the vendor: its keys and OAuth grants
    /// are refused from now on (401, `invalid_grant`). The default account stays.
    pub fn remove_account(&self, name: &str) -> Result<(), SandboxError> {
        self.directory.remove(name)?;
        self.smartrecruiters_oauth.revoke(name);
        self.lever_oauth.revoke(name);
        Ok(())
    }

    /// The account named `name`, if the sandbox has it.
    pub fn account(&self, name: &str) -> Option<AccountHandle> {
        let account = self.directory.get(name)?;
        Some(AccountHandle::new(account, Arc::clone(&self.env)))
    }

    /// Every account: the default one first, then by name.
    pub fn accounts(&self) -> Vec<AccountHandle> {
        self.directory
            .all()
            .into_iter()
            .map(|account| AccountHandle::new(account, Arc::clone(&self.env)))
            .collect()
    }

    /// The [`DEFAULT_ACCOUNT`].
    pub fn default_account(&self) -> &AccountHandle {
        &self.default
    }

    /// SmartRecruiters' OAuth server: apps, token lifetime, revocation, counters.
    pub fn smartrecruiters_oauth(&self) -> &OAuthSandbox {
        &self.smartrecruiters_oauth
    }

    /// Lever's OAuth server: apps, token lifetime, revocation, counters.
    pub fn lever_oauth(&self) -> &OAuthSandbox {
        &self.lever_oauth
    }

    /// The sandbox's Lever as a `lever_client::Environment::Custom`: the API root, the
    /// OAuth consent page and token endpoint, and the audience (`<API root>/`).
    pub fn lever_endpoints(&self) -> lever_client::Endpoints {
        lever_client::Endpoints::new(
            self.env.lever_base_url.clone(),
            self.lever_oauth.authorize_url(),
            self.lever_oauth.token_url(),
            format!("{}/", self.env.lever_base_url),
        )
    }

    /// What `WilloClient::builder().api_key(..).base_url(..)` takes
    /// (`http://127.0.0.1:port/api/integrations/v2`), for every account.
    pub fn willo_base_url(&self) -> &str {
        &self.env.willo_base_url
    }

    /// The default account's Willo API key ([`WILLO_API_KEY`]).
    pub fn willo_api_key(&self) -> SecretString {
        self.default.willo_api_key()
    }

    /// A Willo client for the default account, paced to its configured rate limit.
    pub fn willo_client(&self) -> Result<WilloClient, SandboxError> {
        self.default.willo_client()
    }

    /// Control and inspection of the default account's Willo simulator.
    pub fn willo(&self) -> &WilloSandbox {
        self.default.willo()
    }

    /// What `SmartRecruitersClient::builder().base_url(..)` takes
    /// (`http://127.0.0.1:port`), for every account.
    pub fn smartrecruiters_base_url(&self) -> &str {
        &self.env.smartrecruiters_base_url
    }

    /// The default account's SmartRecruiters API key (`X-SmartToken`,
    /// [`smartrecruiters::API_KEY`]).
    pub fn smartrecruiters_api_key(&self) -> SecretString {
        self.default.smartrecruiters_api_key()
    }

    /// A SmartRecruiters client for the default account, paced to its configured rate
    /// limit. A cap on `GET /candidates` in flight becomes the client's
    /// [`smartrecruiters_client::CLASS_CANDIDATES_LIST`] limit.
    pub fn smartrecruiters_client(&self) -> Result<SmartRecruitersClient, SandboxError> {
        self.default.smartrecruiters_client()
    }

    /// Control and inspection of the default account's SmartRecruiters simulator.
    pub fn smartrecruiters(&self) -> &SmartRecruitersSandbox {
        self.default.smartrecruiters()
    }

    /// What `LeverClient::builder().base_url(..)` takes (`http://127.0.0.1:port/v1`),
    /// for every account.
    pub fn lever_base_url(&self) -> &str {
        &self.env.lever_base_url
    }

    /// The default account's Lever API key (HTTP Basic username, [`lever::API_KEY`]).
    pub fn lever_api_key(&self) -> SecretString {
        self.default.lever_api_key()
    }

    /// A Lever client for the default account, paced to its configured rate limit.
    pub fn lever_client(&self) -> Result<LeverClient, SandboxError> {
        self.default.lever_client()
    }

    /// Control and inspection of the default account's Lever simulator.
    pub fn lever(&self) -> &LeverSandbox {
        self.default.lever()
    }

    /// Requests the default account's `vendor` simulator received (and every request
    /// whose key no account has); [`AccountHandle::requests`] for another account's.
    pub fn requests(&self, vendor: Vendor) -> RequestStats {
        self.default.requests(vendor)
    }

    /// From now on, answer a share `too_many_requests` of `vendor`'s requests with 429
    /// and a share `server_errors` with 503 (before anything changes), in place of
    /// the configured rates, for every account the sandbox has now (a vendor-wide
    /// incident; [`AccountHandle::inject_errors`] for one account): a fault suite sets
    /// the bridge up cleanly, then turns the faults on.
    pub fn inject_errors(&self, vendor: Vendor, too_many_requests: f64, server_errors: f64) {
        for account in self.accounts() {
            account.inject_errors(vendor, too_many_requests, server_errors);
        }
    }

    /// Webhook deliveries the default account's `vendor` simulator made so far;
    /// [`AccountHandle::deliveries`] for another account's.
    pub fn deliveries(&self, vendor: Vendor) -> DeliveryStats {
        self.default.deliveries(vendor)
    }

    /// Wait until every webhook delivery started so far, by any simulator of any
    /// account, is finished.
    pub async fn deliveries_idle(&self) {
        for account in self.accounts() {
            account.deliveries_idle().await;
        }
    }

    /// Stop the servers and wait for them to close their listeners.
    pub async fn shutdown(mut self) {
        for server in &mut self.servers {
            if let Some(tx) = server.shutdown.take() {
                let _ = tx.send(());
            }
        }
        for server in &mut self.servers {
            // Graceful shutdown waits for open connections; bound it.
            if tokio::time::timeout(Duration::from_secs(2), &mut server.task)
                .await
                .is_err()
            {
                server.task.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for server in &self.servers {
            server.task.abort();
        }
    }
}

/// The crate README's example, compiled as a doc test so it cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
