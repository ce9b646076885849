//! Accounts: one sandbox serves many customers' accounts, as each vendor does. Every
//! account is a whole simulated company on each vendor — its own seeded data, API keys,
//! webhook subscriptions, request and delivery counters, rate limits and faults — behind
//! the vendor's one base URL; the credential a request carries picks the account
//! ([`super::door`]).

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use client_core::{HttpClient, SecretString};
use lever_client::LeverClient;
use smartrecruiters_client::SmartRecruitersClient;
use tokio::runtime::Handle;
use willo_client::WilloClient;

use super::faults::{self, Faults};
use super::gate::{self, ErrorRates, Gate, RequestStats, Vendor};
use super::webhooks::{Deliverer, DeliveryStats};
use super::{
    LeverSandbox, SandboxConfig, SandboxError, Seed, SmartRecruitersSandbox, WILLO_API_KEY,
    WilloSandbox, lever, smartrecruiters,
};

/// The name of the account a sandbox starts with, whose keys are [`WILLO_API_KEY`],
/// [`smartrecruiters::API_KEY`] and [`lever::API_KEY`] and whose data and faults are the
/// [`SandboxConfig`]'s.
pub const DEFAULT_ACCOUNT: &str = "default";

/// The longest account name (it becomes part of API keys and URLs).
const MAX_NAME_LEN: usize = 64;

/// What every account of one sandbox shares: the configuration (the defaults of new
/// accounts), the listeners' base URLs, the delivery HTTP client and the runtime.
pub(crate) struct Env {
    pub config: SandboxConfig,
    pub http: HttpClient,
    pub runtime: Handle,
    /// `http://127.0.0.1:port/api/integrations/v2`.
    pub willo_base_url: String,
    /// `http://127.0.0.1:port`.
    pub smartrecruiters_base_url: String,
    /// `http://127.0.0.1:port/v1`.
    pub lever_base_url: String,
}

/// An account to add to a running sandbox ([`crate::Sandbox::add_account`]).
///
/// Unset parts come from the sandbox's [`SandboxConfig`]: its seed, its data, its
/// Willo completion delay and its faults (each account has its own rate limit, as
/// vendors limit per credential). The seed is mixed with the account's name, so two
/// accounts never share ids even when they share a seed.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxAccount {
    name: String,
    seed: Option<u64>,
    data: Option<Seed>,
    willo_completion_delay: Option<Option<Duration>>,
    faults: Vec<(Vendor, Faults)>,
}

impl SandboxAccount {
    /// An account named `name` (1–64 ASCII letters, digits, `-` or `_`; it appears in
    /// the account's keys, e.g. `sandbox-willo-api-key-<name>`).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            seed: None,
            data: None,
            willo_completion_delay: None,
            faults: Vec::new(),
        }
    }

    /// The account's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Seed the account's data and faults with `seed` (mixed with the name).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// What the account's simulators start with ([`Seed::empty`] for the cheapest
    /// account).
    pub fn data(mut self, data: Seed) -> Self {
        self.data = Some(data);
        self
    }

    /// When this account's Willo participants complete by themselves (`None`: never).
    pub fn willo_completion_delay(mut self, delay: Option<Duration>) -> Self {
        self.willo_completion_delay = Some(delay);
        self
    }

    /// The faults (rate limit, latency, errors, webhook faults) of one vendor for this
    /// account alone.
    pub fn faults(mut self, vendor: Vendor, faults: Faults) -> Self {
        self.faults.retain(|(v, _)| *v != vendor);
        self.faults.push((vendor, faults));
        self
    }

    /// Refuse names that could not be part of a key or a URL.
    fn check_name(&self) -> Result<(), SandboxError> {
        let valid = !self.name.is_empty()
            && self.name.len() <= MAX_NAME_LEN
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(())
        } else {
            Err(SandboxError::Invalid(format!(
                "account names are 1 to {MAX_NAME_LEN} ASCII letters, digits, `-` or `_`: {:?}",
                self.name
            )))
        }
    }
}

/// The three API keys of one account.
struct Keys {
    willo: SecretString,
    smartrecruiters: SecretString,
    lever: SecretString,
}

/// One account: the three simulators with their state, gates and routers.
///
/// A router is built on the account's first request to that vendor: the routers are
/// most of an account's memory (about 28 KiB each), and an account a test or a
/// benchmark only creates should cost little (about 6 KiB).
pub(crate) struct Account {
    name: String,
    keys: Keys,
    faults: [Faults; 3],
    willo: WilloSandbox,
    smartrecruiters: SmartRecruitersSandbox,
    lever: LeverSandbox,
    gates: [Arc<Gate>; 3],
    routers: [OnceLock<Router>; 3],
}

/// The position of `vendor` in an account's per-vendor arrays.
pub(crate) fn slot(vendor: Vendor) -> usize {
    match vendor {
        Vendor::Willo => 0,
        Vendor::SmartRecruiters => 1,
        Vendor::Lever => 2,
    }
}

/// FNV-1a: a hash of the name that stays the same across Rust releases (the standard
/// library's does not promise to), so an account's data is reproducible.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Account {
    /// The account a sandbox starts with: today's fixed keys and the configuration's
    /// seed, data and faults, exactly as before accounts existed.
    pub fn default_account(env: &Env) -> Self {
        let config = &env.config;
        let keys = Keys {
            willo: SecretString::from(WILLO_API_KEY),
            smartrecruiters: SecretString::from(smartrecruiters::API_KEY),
            lever: SecretString::from(lever::API_KEY),
        };
        let faults = [
            config.willo_faults.clone(),
            config.smartrecruiters_faults.clone(),
            config.lever_faults.clone(),
        ];
        Self::build(
            env,
            DEFAULT_ACCOUNT.to_owned(),
            keys,
            faults,
            config.seed,
            &config.data,
            config.willo_completion_delay,
        )
    }

    /// A named account; its keys are derived from the name.
    pub fn named(env: &Env, spec: SandboxAccount) -> Result<Self, SandboxError> {
        spec.check_name()?;
        let config = &env.config;
        let mut faults = [
            config.willo_faults.clone(),
            config.smartrecruiters_faults.clone(),
            config.lever_faults.clone(),
        ];
        for (vendor, f) in spec.faults {
            faults[slot(vendor)] = f;
        }
        let name = spec.name;
        let keys = Keys {
            willo: SecretString::from(format!("{WILLO_API_KEY}-{name}")),
            smartrecruiters: SecretString::from(format!("sandbox-smartrecruiters-api-key-{name}")),
            lever: SecretString::from(format!("{}-{name}", lever::API_KEY)),
        };
        let seed = spec.seed.unwrap_or(config.seed) ^ name_hash(&name);
        let data = spec.data.as_ref().unwrap_or(&config.data);
        let delay = spec
            .willo_completion_delay
            .unwrap_or(config.willo_completion_delay);
        // Deliveries and completions are spawned on the sandbox's runtime, whichever
        // thread adds the account.
        let _runtime = env.runtime.enter();
        Ok(Self::build(env, name, keys, faults, seed, data, delay))
    }

    fn build(
        env: &Env,
        name: String,
        keys: Keys,
        faults: [Faults; 3],
        seed: u64,
        data: &Seed,
        willo_completion_delay: Option<Duration>,
    ) -> Self {
        let config = &env.config;
        let deliverer = |vendor: Vendor| {
            Deliverer::new(
                vendor,
                &faults[slot(vendor)],
                seed,
                env.http.clone(),
                config.webhook_timeout,
                config.webhook_redelivery,
            )
        };
        let gate = |vendor: Vendor| Arc::new(Gate::new(vendor, faults[slot(vendor)].clone(), seed));
        let gates = [
            gate(Vendor::Willo),
            gate(Vendor::SmartRecruiters),
            gate(Vendor::Lever),
        ];
        let willo = WilloSandbox::new(
            seed,
            data,
            env.willo_base_url.clone(),
            deliverer(Vendor::Willo),
            willo_completion_delay,
            Arc::clone(&gates[0]),
        );
        let smartrecruiters = SmartRecruitersSandbox::new(
            seed,
            data,
            env.smartrecruiters_base_url.clone(),
            deliverer(Vendor::SmartRecruiters),
            Arc::clone(&gates[1]),
        );
        let lever = LeverSandbox::new(seed, data, deliverer(Vendor::Lever), Arc::clone(&gates[2]));
        Self {
            name,
            keys,
            faults,
            willo,
            smartrecruiters,
            lever,
            gates,
            routers: Default::default(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The API key of `vendor` (bare: Willo's without a scheme, Lever's the Basic
    /// username).
    pub fn key(&self, vendor: Vendor) -> &SecretString {
        match vendor {
            Vendor::Willo => &self.keys.willo,
            Vendor::SmartRecruiters => &self.keys.smartrecruiters,
            Vendor::Lever => &self.keys.lever,
        }
    }

    /// The router serving this account's `vendor` API.
    pub fn router(&self, vendor: Vendor) -> &Router {
        self.routers[slot(vendor)].get_or_init(|| {
            let gate = &self.gates[slot(vendor)];
            let router = match vendor {
                Vendor::Willo => self.willo.router(gate),
                Vendor::SmartRecruiters => self.smartrecruiters.router(gate),
                Vendor::Lever => self.lever.router(gate),
            };
            with_fallback(router, gate, vendor)
        })
    }

    pub fn inject_errors(&self, vendor: Vendor, rates: ErrorRates) {
        self.gates[slot(vendor)].inject(rates);
    }
}

/// `router` with the vendor's 404 for unknown routes, counted and gated like the rest.
fn with_fallback(router: Router, gate: &Arc<Gate>, vendor: Vendor) -> Router {
    let unrouted =
        axum::routing::any(
            move || async move { vendor.error(StatusCode::NOT_FOUND, "Not found.") },
        );
    router.fallback_service(gate::gated(gate, "(unrouted)", unrouted).with_state(()))
}

/// One account of a running sandbox: its simulators' control handles, its keys and
/// clients for it. Cheap to clone; it stays usable after the account is removed (the
/// vendors then refuse its keys).
#[derive(Clone)]
pub struct AccountHandle {
    account: Arc<Account>,
    env: Arc<Env>,
}

impl fmt::Debug for AccountHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountHandle")
            .field("name", &self.account.name)
            .finish_non_exhaustive()
    }
}

impl AccountHandle {
    pub(crate) fn new(account: Arc<Account>, env: Arc<Env>) -> Self {
        Self { account, env }
    }

    /// The account's name ([`DEFAULT_ACCOUNT`] for the one a sandbox starts with).
    pub fn name(&self) -> &str {
        &self.account.name
    }

    /// What `WilloClient::builder().base_url(..)` takes (the same for every account).
    pub fn willo_base_url(&self) -> &str {
        &self.env.willo_base_url
    }

    /// What `SmartRecruitersClient::builder().base_url(..)` takes (the same for every
    /// account).
    pub fn smartrecruiters_base_url(&self) -> &str {
        &self.env.smartrecruiters_base_url
    }

    /// What `LeverClient::builder().base_url(..)` takes (the same for every account).
    pub fn lever_base_url(&self) -> &str {
        &self.env.lever_base_url
    }

    /// The account's Willo API key (bare, `Bearer` or `Token`):
    /// `sandbox-willo-api-key-<name>`.
    pub fn willo_api_key(&self) -> SecretString {
        self.account.keys.willo.clone()
    }

    /// The account's SmartRecruiters API key (`X-SmartToken`):
    /// `sandbox-smartrecruiters-api-key-<name>`.
    pub fn smartrecruiters_api_key(&self) -> SecretString {
        self.account.keys.smartrecruiters.clone()
    }

    /// The account's Lever API key (HTTP Basic username): `sandbox-lever-api-key-<name>`.
    pub fn lever_api_key(&self) -> SecretString {
        self.account.keys.lever.clone()
    }

    /// The faults of one of the account's simulators.
    pub fn faults(&self, vendor: Vendor) -> &Faults {
        &self.account.faults[slot(vendor)]
    }

    /// A Willo client for the account, paced to its rate limit.
    pub fn willo_client(&self) -> Result<WilloClient, SandboxError> {
        Ok(WilloClient::builder()
            .api_key(self.willo_api_key())
            .base_url(self.env.willo_base_url.clone())
            .limits(self.faults(Vendor::Willo).client_rate_limits())
            .build()?)
    }

    /// A SmartRecruiters client for the account, paced to its rate limit. A cap on
    /// `GET /candidates` in flight becomes the client's
    /// [`smartrecruiters_client::CLASS_CANDIDATES_LIST`] limit.
    pub fn smartrecruiters_client(&self) -> Result<SmartRecruitersClient, SandboxError> {
        let faults = self.faults(Vendor::SmartRecruiters);
        let mut limits = faults.client_rate_limits();
        let caps = faults.rate_limit.iter().flat_map(|l| &l.endpoint_in_flight);
        for (_, max) in caps.filter(|(endpoint, _)| endpoint == faults::CANDIDATES_LIST) {
            limits = limits.class(
                smartrecruiters_client::CLASS_CANDIDATES_LIST,
                client_core::LimitSpec::default().max_in_flight(*max as usize),
            );
        }
        Ok(SmartRecruitersClient::builder()
            .base_url(self.env.smartrecruiters_base_url.clone())
            .api_key(self.smartrecruiters_api_key())
            .limits(limits)
            .build()?)
    }

    /// A Lever client for the account, paced to its rate limit.
    pub fn lever_client(&self) -> Result<LeverClient, SandboxError> {
        Ok(LeverClient::builder()
            .base_url(self.env.lever_base_url.clone())
            .api_key(self.lever_api_key())
            .limits(self.faults(Vendor::Lever).client_rate_limits())
            .build()?)
    }

    /// Control and inspection of the account's Willo simulator.
    pub fn willo(&self) -> &WilloSandbox {
        &self.account.willo
    }

    /// Control and inspection of the account's SmartRecruiters simulator.
    pub fn smartrecruiters(&self) -> &SmartRecruitersSandbox {
        &self.account.smartrecruiters
    }

    /// Control and inspection of the account's Lever simulator.
    pub fn lever(&self) -> &LeverSandbox {
        &self.account.lever
    }

    /// Requests the account's `vendor` simulator received (refusals of its expired or
    /// revoked OAuth tokens included; requests with keys no account has are counted
    /// on the [`DEFAULT_ACCOUNT`]).
    pub fn requests(&self, vendor: Vendor) -> RequestStats {
        match vendor {
            Vendor::Willo => self.account.willo.requests(),
            Vendor::SmartRecruiters => self.account.smartrecruiters.requests(),
            Vendor::Lever => self.account.lever.requests(),
        }
    }

    /// Webhook deliveries the account's `vendor` simulator made (only to the account's
    /// own subscriptions).
    pub fn deliveries(&self, vendor: Vendor) -> DeliveryStats {
        match vendor {
            Vendor::Willo => self.account.willo.deliveries(),
            Vendor::SmartRecruiters => self.account.smartrecruiters.deliveries(),
            Vendor::Lever => self.account.lever.deliveries(),
        }
    }

    /// Wait until every webhook delivery the account started so far is finished.
    pub async fn deliveries_idle(&self) {
        self.account.willo.deliveries_idle().await;
        self.account.smartrecruiters.deliveries_idle().await;
        self.account.lever.deliveries_idle().await;
    }

    /// From now on, answer a share `too_many_requests` of this account's `vendor`
    /// requests with 429 and a share `server_errors` with 503; other accounts are
    /// untouched.
    pub fn inject_errors(&self, vendor: Vendor, too_many_requests: f64, server_errors: f64) {
        self.account.inject_errors(
            vendor,
            ErrorRates {
                too_many_requests,
                server_errors,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_fit_in_keys_and_urls() {
        for good in ["acme", "Acme-2_b", &"x".repeat(MAX_NAME_LEN)] {
            assert!(SandboxAccount::new(good).check_name().is_ok(), "{good}");
        }
        for bad in ["", "a b", "a/b", "é", &"x".repeat(MAX_NAME_LEN + 1)] {
            assert!(SandboxAccount::new(bad).check_name().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_name_hash_is_stable_and_tells_names_apart() {
        // FNV-1a's published value for "a".
        assert_eq!(name_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(name_hash("acme"), name_hash("beta"));
    }
}
