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
//! Each simulator has fixed credentials ([`WILLO_API_KEY`], [`smartrecruiters::API_KEY`],
//! [`lever::API_KEY`]); a wrong one gets the vendor's 401. The base URLs are what the
//! clients' `base_url` takes, and [`Sandbox::willo_client`] and friends return clients
//! already pointed at them and paced under the configured limits.
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

mod body;
mod faults;
mod gate;
pub mod lever;
mod params;
mod seed;
pub mod smartrecruiters;
mod webhooks;
pub mod willo;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use client_core::auth::{Authenticator as _, BasicAuth};
use client_core::{HttpClient, SecretString};
use lever_client::LeverClient;
use smartrecruiters_client::SmartRecruitersClient;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use willo_client::WilloClient;

pub use faults::{Faults, RateLimit};
pub use gate::{RequestStats, Vendor};
pub use lever::LeverSandbox;
pub use seed::{SandboxJob, SandboxPerson, Seed};
pub use smartrecruiters::SmartRecruitersSandbox;
pub use webhooks::{DeliveryStats, Redelivery};
pub use willo::{SandboxInterview, SandboxParticipant, WilloSandbox};

use gate::{Credential, Gate};
use webhooks::Deliverer;

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

/// Lever's `Authorization`: HTTP Basic, key as username, empty password, encoded by
/// client-core exactly as `lever-client` sends it.
async fn lever_credential() -> Result<Credential, SandboxError> {
    let mut headers = client_core::header::HeaderMap::new();
    BasicAuth::new(&SecretString::from(lever::API_KEY), &SecretString::from(""))
        .authorize(&mut headers)
        .await?;
    let value = headers
        .remove(client_core::header::AUTHORIZATION)
        .ok_or_else(|| SandboxError::Invalid("HTTP Basic produced no header".into()))?;
    Ok(Credential::Exact(value))
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

/// Serve `router` behind `gate` until told to stop. Unknown routes get the vendor's 404.
fn serve(listener: TcpListener, router: Router, gate: Arc<Gate>, vendor: Vendor) -> Server {
    let unrouted =
        axum::routing::any(
            move || async move { vendor.error(StatusCode::NOT_FOUND, "Not found.") },
        );
    let router = router.fallback_service(gate::gated(&gate, "(unrouted)", unrouted).with_state(()));
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
#[derive(Debug)]
pub struct Sandbox {
    config: SandboxConfig,
    willo: WilloSandbox,
    willo_base_url: String,
    smartrecruiters: SmartRecruitersSandbox,
    smartrecruiters_base_url: String,
    lever: LeverSandbox,
    lever_base_url: String,
    servers: Vec<Server>,
    gates: Vec<(Vendor, Arc<Gate>)>,
}

impl Sandbox {
    /// Seed the simulators and serve them on `127.0.0.1` ephemeral ports. Must run
    /// inside a Tokio runtime.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let http = HttpClient::builder()
            .build()
            .map_err(|e| SandboxError::Io(std::io::Error::other(e.without_url())))?;
        let deliverer = |vendor: Vendor| {
            Deliverer::new(
                vendor,
                config.faults_of(vendor),
                config.seed,
                http.clone(),
                config.webhook_timeout,
                config.webhook_redelivery,
            )
        };
        let gate = |vendor: Vendor, credential: Credential| {
            Arc::new(Gate::new(
                vendor,
                credential,
                config.faults_of(vendor).clone(),
                config.seed,
            ))
        };

        let (listener, addr) = bind().await?;
        let willo_base_url = format!("http://{addr}{}", willo::API_PREFIX);
        let willo_gate = gate(
            Vendor::Willo,
            Credential::Header {
                name: "authorization",
                key: SecretString::from(WILLO_API_KEY),
                schemes: &["Bearer", "Token"],
            },
        );
        let willo = WilloSandbox::new(
            config.seed,
            &config.data,
            willo_base_url.clone(),
            deliverer(Vendor::Willo),
            config.willo_completion_delay,
            Arc::clone(&willo_gate),
        );
        let mut gates = vec![(Vendor::Willo, Arc::clone(&willo_gate))];
        let mut servers = vec![serve(
            listener,
            willo.router(&willo_gate),
            willo_gate,
            Vendor::Willo,
        )];

        let (listener, addr) = bind().await?;
        let smartrecruiters_base_url = format!("http://{addr}");
        let sr_gate = gate(
            Vendor::SmartRecruiters,
            Credential::Header {
                name: smartrecruiters_client::API_KEY_HEADER,
                key: SecretString::from(smartrecruiters::API_KEY),
                schemes: &[],
            },
        );
        let smartrecruiters = SmartRecruitersSandbox::new(
            config.seed,
            &config.data,
            smartrecruiters_base_url.clone(),
            deliverer(Vendor::SmartRecruiters),
            Arc::clone(&sr_gate),
        );
        gates.push((Vendor::SmartRecruiters, Arc::clone(&sr_gate)));
        servers.push(serve(
            listener,
            smartrecruiters.router(&sr_gate),
            sr_gate,
            Vendor::SmartRecruiters,
        ));

        let (listener, addr) = bind().await?;
        let lever_base_url = format!("http://{addr}{}", lever::API_PREFIX);
        let lever_gate = gate(Vendor::Lever, lever_credential().await?);
        let lever = LeverSandbox::new(
            config.seed,
            &config.data,
            deliverer(Vendor::Lever),
            Arc::clone(&lever_gate),
        );
        gates.push((Vendor::Lever, Arc::clone(&lever_gate)));
        servers.push(serve(
            listener,
            lever.router(&lever_gate),
            lever_gate,
            Vendor::Lever,
        ));

        Ok(Self {
            config,
            willo,
            willo_base_url,
            smartrecruiters,
            smartrecruiters_base_url,
            lever,
            lever_base_url,
            servers,
            gates,
        })
    }

    /// The configuration the sandbox was started with.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// What `WilloClient::builder().api_key(..).base_url(..)` takes
    /// (`http://127.0.0.1:port/api/integrations/v2`).
    pub fn willo_base_url(&self) -> &str {
        &self.willo_base_url
    }

    /// The Willo API key the sandbox accepts.
    pub fn willo_api_key(&self) -> SecretString {
        SecretString::from(WILLO_API_KEY)
    }

    /// A Willo client for the sandbox, paced to its configured rate limit.
    pub fn willo_client(&self) -> Result<WilloClient, SandboxError> {
        Ok(WilloClient::builder()
            .api_key(SecretString::from(self.willo_api_key()))
            .base_url(self.willo_base_url.clone())
            .limits(self.config.willo_faults.client_rate_limits())
            .build()?)
    }

    /// Control and inspection of the Willo simulator.
    pub fn willo(&self) -> &WilloSandbox {
        &self.willo
    }

    /// What `SmartRecruitersClient::builder().base_url(..)` takes
    /// (`http://127.0.0.1:port`).
    pub fn smartrecruiters_base_url(&self) -> &str {
        &self.smartrecruiters_base_url
    }

    /// The SmartRecruiters API key (`X-SmartToken`) the sandbox accepts.
    pub fn smartrecruiters_api_key(&self) -> SecretString {
        SecretString::from(smartrecruiters::API_KEY)
    }

    /// A SmartRecruiters client for the sandbox, paced to its configured rate limit.
    /// A cap on `GET /candidates` in flight becomes the client's
    /// [`smartrecruiters_client::CLASS_CANDIDATES_LIST`] limit.
    pub fn smartrecruiters_client(&self) -> Result<SmartRecruitersClient, SandboxError> {
        let faults = &self.config.smartrecruiters_faults;
        let mut limits = faults.client_rate_limits();
        let caps = faults.rate_limit.iter().flat_map(|l| &l.endpoint_in_flight);
        for (_, max) in caps.filter(|(endpoint, _)| endpoint == faults::CANDIDATES_LIST) {
            limits = limits.class(
                smartrecruiters_client::CLASS_CANDIDATES_LIST,
                client_core::LimitSpec::default().max_in_flight(*max as usize),
            );
        }
        Ok(SmartRecruitersClient::builder()
            .base_url(self.smartrecruiters_base_url.clone())
            .api_key(self.smartrecruiters_api_key())
            .limits(limits)
            .build()?)
    }

    /// Control and inspection of the SmartRecruiters simulator.
    pub fn smartrecruiters(&self) -> &SmartRecruitersSandbox {
        &self.smartrecruiters
    }

    /// What `LeverClient::builder().base_url(..)` takes (`http://127.0.0.1:port/v1`).
    pub fn lever_base_url(&self) -> &str {
        &self.lever_base_url
    }

    /// The Lever API key the sandbox accepts (HTTP Basic username).
    pub fn lever_api_key(&self) -> SecretString {
        SecretString::from(lever::API_KEY)
    }

    /// A Lever client for the sandbox, paced to its configured rate limit.
    pub fn lever_client(&self) -> Result<LeverClient, SandboxError> {
        Ok(LeverClient::builder()
            .base_url(self.lever_base_url.clone())
            .api_key(self.lever_api_key())
            .limits(self.config.lever_faults.client_rate_limits())
            .build()?)
    }

    /// Control and inspection of the Lever simulator.
    pub fn lever(&self) -> &LeverSandbox {
        &self.lever
    }

    /// Requests one simulator received so far (what a benchmark reports per vendor).
    pub fn requests(&self, vendor: Vendor) -> RequestStats {
        match vendor {
            Vendor::Willo => self.willo.requests(),
            Vendor::SmartRecruiters => self.smartrecruiters.requests(),
            Vendor::Lever => self.lever.requests(),
        }
    }

    /// From now on, answer a share `too_many_requests` of `vendor`'s requests with 429
    /// and a share `server_errors` with 503 (before anything changes), in place of
    /// the configured rates: a fault suite sets the bridge up cleanly, then turns
    /// the faults on.
    pub fn inject_errors(&self, vendor: Vendor, too_many_requests: f64, server_errors: f64) {
        for (_, gate) in self.gates.iter().filter(|(v, _)| *v == vendor) {
            gate.inject(gate::ErrorRates {
                too_many_requests,
                server_errors,
            });
        }
    }

    /// Webhook deliveries one simulator made so far.
    pub fn deliveries(&self, vendor: Vendor) -> DeliveryStats {
        match vendor {
            Vendor::Willo => self.willo.deliveries(),
            Vendor::SmartRecruiters => self.smartrecruiters.deliveries(),
            Vendor::Lever => self.lever.deliveries(),
        }
    }

    /// Wait until every webhook delivery started so far, by any simulator, is finished.
    pub async fn deliveries_idle(&self) {
        self.willo.deliveries_idle().await;
        self.smartrecruiters.deliveries_idle().await;
        self.lever.deliveries_idle().await;
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
