//! [`LeverAtsConfig`]: who writes, how deliveries are verified, which labels are used.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::SecretString;
use lever_client::UserId;
use lever_client::webhooks::{
    Clock, InMemoryReplayGuard, ReplayGuard, SystemClock, WebhookVerifier,
};

use crate::model::AtsName;

/// How many delivery tokens the default replay guard remembers.
const REPLAY_CAPACITY: usize = 100_000;

/// How old a delivery may be: Lever retries a failed delivery five times with growing
/// waits, and an admin can re-run the deliveries of the last two weeks, the same signed
/// delivery with its `triggeredAt` unchanged; a day more allows for clocks and the
/// re-run's own delay. (Lever signs only `token` and `triggeredAt`, so what guards
/// against replays is the token, remembered at least this long, and the adapter acting
/// on what it reads from Lever rather than on the body.)
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(15 * 24 * 3600);

/// Settings of one Lever connection.
#[non_exhaustive]
pub struct LeverAtsConfig {
    /// The connection's name (default `lever`), part of every ledger key.
    pub name: AtsName,
    /// The Lever user notes, tags and stage changes are attributed to (`perform_as`).
    /// Required: without it Lever attributes writes to nobody.
    pub perform_as: UserId,
    /// Webhook signature tokens (one per webhook, or old and new during rotation).
    /// With none, every delivery is refused and webhooks are reported unsupported.
    pub signature_tokens: Vec<SecretString>,
    /// Deliveries whose `triggeredAt` is further than this from now are refused
    /// (`None`: never stale). Default [`DEFAULT_MAX_AGE`] (15 days: Lever's retries and
    /// re-runs come back that late).
    pub max_age: Option<Duration>,
    /// Remembers delivery tokens to refuse replays. Default: in memory, for the
    /// staleness window (older deliveries are refused as stale anyway), at most 100,000
    /// tokens. Share one
    /// across processes when several replicas receive deliveries. A token is recorded
    /// only once its delivery is resolved, so Lever's retry of a delivery whose
    /// lookup failed is not mistaken for a replay.
    pub replay_guard: Arc<dyn ReplayGuard>,
    /// The clock staleness is measured against (tests inject a fixed one).
    pub clock: Arc<dyn Clock>,
}

impl LeverAtsConfig {
    /// Defaults for everything but the user writes are attributed to.
    pub fn new(perform_as: impl Into<UserId>) -> Self {
        let max_age = DEFAULT_MAX_AGE;
        Self {
            name: AtsName::from("lever"),
            perform_as: perform_as.into(),
            signature_tokens: Vec::new(),
            max_age: Some(max_age),
            replay_guard: Arc::new(InMemoryReplayGuard::new(max_age, REPLAY_CAPACITY)),
            clock: Arc::new(SystemClock),
        }
    }

    /// Name the connection (when one bridge talks to several Lever accounts).
    pub fn name(mut self, name: impl Into<AtsName>) -> Self {
        self.name = name.into();
        self
    }

    /// Accept deliveries signed with `token` (call once per webhook or rotation step).
    pub fn signature_token(mut self, token: SecretString) -> Self {
        self.signature_tokens.push(token);
        self
    }

    /// Set the staleness window (`None`: never stale).
    pub fn max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }

    /// Use `guard` to refuse replayed deliveries.
    pub fn replay_guard(mut self, guard: Arc<dyn ReplayGuard>) -> Self {
        self.replay_guard = guard;
        self
    }

    /// Measure staleness against `clock`.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The verifier for these settings (signature and staleness; the adapter consults
    /// the replay guard itself, once a delivery is resolved); `None` without signature
    /// tokens.
    pub(crate) fn verifier(&self) -> Option<WebhookVerifier> {
        let (first, rest) = self.signature_tokens.split_first()?;
        let verifier = rest
            .iter()
            .fold(WebhookVerifier::new(first.clone()), |verifier, token| {
                verifier.also_accept(token.clone())
            });
        let verifier = match self.max_age {
            Some(max_age) => verifier.tolerance(max_age),
            None => verifier.without_tolerance(),
        };
        Some(verifier.clock(self.clock.clone()))
    }
}

impl fmt::Debug for LeverAtsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeverAtsConfig")
            .field("name", &self.name)
            .field("perform_as", &self.perform_as)
            .field(
                "signature_tokens",
                &format!("{} [redacted]", self.signature_tokens.len()),
            )
            .field("max_age", &self.max_age)
            .field("replay_guard", &self.replay_guard)
            .field("clock", &self.clock)
            .finish()
    }
}
