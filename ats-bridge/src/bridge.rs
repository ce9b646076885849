//! One entry point for embedders: Willo, the store, the ATS connections and the rules
//! go in once; what serves the webhooks and what runs the work come out.
//!
//! [`Bridge`] builds an [`Engine`] and an [`Intake`] that share everything they must
//! share (the store, the ATS connections, Willo's webhook source, the signal that wakes
//! the engine when a delivery is stored). The two stay public for embedders who need
//! them apart: an intake in one service and engines in another, or several engines
//! over one store.

use std::sync::Arc;
use std::time::Duration;

use client_core::SecretString;
use client_core::webhook::Clock;
use willo_client::WilloClient;

use crate::Ats;
use crate::engine::{Engine, EngineBuilder, EngineConfig, EngineError};
use crate::intake::{Intake, IntakeBuilder, IntakeConfigError};
use crate::rules::Rules;
use crate::store::Stores;
use crate::webhook::WilloSource;

/// A Willo account as the bridge uses it: the API client that invites and reads
/// results, and the webhook source that receives its deliveries.
#[derive(Debug, Clone)]
pub struct WilloAccount {
    client: WilloClient,
    webhooks: WilloSource,
}

impl WilloAccount {
    /// An account reached with `client`. Its webhooks are refused until
    /// [`WilloAccount::webhook_token`] names the URL token they carry; without one the
    /// reconciler alone notices answers.
    pub fn new(client: WilloClient) -> Self {
        Self {
            client,
            webhooks: WilloSource::new(),
        }
    }

    /// Accept Willo deliveries whose URL carries `token` (call again to accept a new
    /// token during a rotation).
    pub fn webhook_token(mut self, token: SecretString) -> Self {
        self.webhooks = self.webhooks.token(token);
        self
    }

    /// The API client.
    pub fn client(&self) -> &WilloClient {
        &self.client
    }
}

/// Why a [`BridgeBuilder`] could not build.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// The engine's configuration or rules are wrong (see the message).
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The webhook sources conflict, or a Willo token is empty.
    #[error(transparent)]
    Intake(#[from] IntakeConfigError),
}

/// The bridge: the webhook intake and the engine that acts on what it stores.
///
/// ```
/// use std::sync::Arc;
///
/// use ats_bridge::bridge::{Bridge, WilloAccount};
/// use ats_bridge::rules::Rules;
/// use ats_bridge::store::MemoryStore;
/// use client_core::SecretString;
/// use willo_client::WilloClient;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = WilloClient::builder().api_key(SecretString::from("willo-key")).build()?;
/// let willo = WilloAccount::new(client)
///     .webhook_token(SecretString::from("random-url-token"));
/// let bridge = Bridge::builder(willo, Arc::new(MemoryStore::new()))
///     .rules(Rules::new())
///     .build()?;
/// // Serve `bridge.intake()` (or `bridge.router()`, feature `axum`) and run the work
/// // until shutdown: `bridge.run(shutdown_signal).await?`.
/// assert!(bridge.intake().receives("willo"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Bridge {
    engine: Engine,
    intake: Arc<Intake>,
}

impl Bridge {
    /// Start building a bridge for the Willo account `willo`, keeping its ledger and
    /// inbox in `store`.
    pub fn builder(willo: WilloAccount, store: impl Into<Stores>) -> BridgeBuilder {
        let stores = store.into();
        BridgeBuilder {
            engine: Engine::builder(willo.client, stores.clone())
                .willo_source(willo.webhooks.clone()),
            intake: Intake::builder(stores).willo(willo.webhooks),
        }
    }

    /// What receives webhook deliveries: serve it from any web framework
    /// ([`Intake::handle`]).
    pub fn intake(&self) -> &Arc<Intake> {
        &self.intake
    }

    /// What acts on stored deliveries, retries and reconciles; also status and
    /// redrives.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// An axum router receiving the webhooks (see [`crate::intake::router`]).
    #[cfg(feature = "axum")]
    #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
    pub fn router(&self) -> axum::Router {
        crate::intake::router(self.intake.clone())
    }

    /// Run the work until `shutdown` completes, then finish the steps in progress
    /// (see [`Engine::run`]). Serve the intake alongside.
    pub async fn run(
        &self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), EngineError> {
        self.engine.run(shutdown).await
    }
}

/// Builds a [`Bridge`]; start with [`Bridge::builder`]. It sets up the engine's and
/// the intake's builders together: what both need (the ATS connections, the clock)
/// goes to both.
#[must_use]
pub struct BridgeBuilder {
    engine: EngineBuilder,
    intake: IntakeBuilder,
}

impl BridgeBuilder {
    /// Connect an ATS: its webhooks are received under its [`Ats::name`] and rules
    /// refer to it by that name.
    pub fn ats(self, ats: Arc<dyn Ats>) -> Self {
        Self {
            engine: self.engine.ats(ats.clone()),
            intake: self.intake.ats(ats),
        }
    }

    /// The rules (default: none, so nothing is sent); see [`EngineBuilder::rules`].
    pub fn rules(self, rules: Rules) -> Self {
        Self {
            engine: self.engine.rules(rules),
            ..self
        }
    }

    /// Intervals, limits, dry run; see [`EngineBuilder::config`].
    pub fn config(self, config: EngineConfig) -> Self {
        Self {
            engine: self.engine.config(config),
            ..self
        }
    }

    /// The clock for ledger and inbox times (tests use a fixed one).
    pub fn clock(self, clock: Arc<dyn Clock>) -> Self {
        Self {
            engine: self.engine.clock(clock.clone()),
            intake: self.intake.clock(clock),
        }
    }

    /// Refuse webhook bodies over `limit` bytes; see [`IntakeBuilder::max_body_bytes`].
    pub fn max_body_bytes(self, limit: usize) -> Self {
        Self {
            intake: self.intake.max_body_bytes(limit),
            ..self
        }
    }

    /// Answer 503 when storing a delivery takes longer than `timeout`; see
    /// [`IntakeBuilder::store_timeout`].
    pub fn store_timeout(self, timeout: Duration) -> Self {
        Self {
            intake: self.intake.store_timeout(timeout),
            ..self
        }
    }

    /// Check the rules against the connections and the sources against each other,
    /// and build; the intake wakes the engine after each stored delivery.
    pub fn build(self) -> Result<Bridge, BridgeError> {
        let engine = self.engine.build()?;
        let intake = self.intake.notify(engine.inbox_signal()).build()?;
        Ok(Bridge {
            engine,
            intake: Arc::new(intake),
        })
    }
}

impl std::fmt::Debug for BridgeBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BridgeBuilder")
            .field("intake", &self.intake)
            .finish_non_exhaustive()
    }
}
