//! Setting up an [`Intake`]: which sources it receives, its limits, whom it wakes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::SecretString;
use client_core::webhook::{Clock, SystemClock};
use tokio::sync::{Notify, Semaphore};

use super::{DeliveryListener, Intake};
use crate::Ats;
use crate::store::{Inbox, Stores};
use crate::webhook::{Sources, WilloSource};

/// The default body limit: deliveries of every vendor are a few kilobytes (ids and
/// keys), so 1 MiB leaves ample room while keeping memory per request bounded.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The default time allowed to store a delivery. SmartRecruiters waits 5 s for its
/// acknowledgement; answering 503 before that makes it retry instead of recording a
/// timeout.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(3);

/// The default time a request's whole body may take to arrive: deliveries are a few
/// kilobytes, so ten seconds is generous, and a sender trickling its body is cut off.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The default cap on requests handled at once: far above what the vendors send (a
/// few deliveries a second), low enough that a flood or a stalled store cannot pile
/// up requests without bound.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;

/// Why an [`IntakeBuilder`] could not build.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeConfigError {
    /// Two sources share a name (two ATS connections, or an ATS named `willo`), so
    /// deliveries could not be told apart.
    #[error("two webhook sources are named `{0}`")]
    DuplicateSource(String),
    /// A Willo token is empty; it would never match and hints at a missing setting.
    #[error("a Willo URL token is empty")]
    EmptyWilloToken,
}

/// Builds an [`Intake`]; start with [`Intake::builder`].
pub struct IntakeBuilder {
    inbox: Arc<dyn Inbox>,
    ats: Vec<Arc<dyn Ats>>,
    willo: WilloSource,
    max_body_bytes: usize,
    store_timeout: Duration,
    max_in_flight: usize,
    body_read_timeout: Duration,
    listener: Option<Arc<dyn DeliveryListener>>,
    clock: Arc<dyn Clock>,
    inbox_scope: Option<String>,
}

impl IntakeBuilder {
    pub(super) fn new(store: Stores) -> Self {
        Self {
            inbox: store.inbox,
            ats: Vec::new(),
            willo: WilloSource::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            store_timeout: DEFAULT_STORE_TIMEOUT,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            listener: None,
            clock: Arc::new(SystemClock),
            inbox_scope: None,
        }
    }

    /// Receive deliveries of `ats` under its [`Ats::name`] (the URL's source segment),
    /// if it has [`Ats::webhooks`].
    pub fn ats(mut self, ats: Arc<dyn Ats>) -> Self {
        self.ats.push(ats);
        self
    }

    /// Receive Willo deliveries whose URL carries `token` (call again to accept a new
    /// token during a rotation). Without any token, Willo deliveries are refused as
    /// coming from an unknown source.
    pub fn willo_token(mut self, token: SecretString) -> Self {
        self.willo = self.willo.token(token);
        self
    }

    /// Receive Willo deliveries with `willo` (its tokens replace any given with
    /// [`IntakeBuilder::willo_token`]).
    pub fn willo(mut self, willo: WilloSource) -> Self {
        self.willo = willo;
        self
    }

    /// Refuse bodies over `limit` bytes (default [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Answer 503 when storing a delivery takes longer than `timeout` (default
    /// [`DEFAULT_STORE_TIMEOUT`]). Keep it under the vendors' deadlines.
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// Give up on a body that has not fully arrived within `timeout` (default
    /// [`DEFAULT_BODY_READ_TIMEOUT`]); framework adapters reading bodies apply it (the
    /// axum router answers 408).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Handle at most `limit` requests at once (default [`DEFAULT_MAX_IN_FLIGHT`]);
    /// the rest are answered 503 with `Retry-After` at once, never queued.
    pub fn max_in_flight(mut self, limit: usize) -> Self {
        self.max_in_flight = limit.max(1);
        self
    }

    /// Wake `notify` (`notify_one`) after each newly stored delivery, so the engine
    /// processes it at once instead of at its next poll.
    pub fn notify(self, notify: Arc<Notify>) -> Self {
        self.listener(notify)
    }

    /// Tell `listener` of each newly stored delivery (see [`DeliveryListener`]); what
    /// [`IntakeBuilder::notify`] does with a [`Notify`]. The last one set is used.
    pub fn listener(mut self, listener: Arc<dyn DeliveryListener>) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Timestamp inbox rows with `clock` (tests inject a fixed one).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Store deliveries under source names scoped to `connection`
    /// (`{connection}/{source}`), so each connection's inbox rows are its own (the
    /// per-connection intakes of [`crate::connection::ConnectionIntakes`]).
    pub fn connection(mut self, connection: &crate::connection::ConnectionId) -> Self {
        self.inbox_scope = Some(connection.scope_prefix());
        self
    }

    /// The intake, or why the sources conflict.
    pub fn build(self) -> Result<Intake, IntakeConfigError> {
        if self.willo.has_empty_token() {
            return Err(IntakeConfigError::EmptyWilloToken);
        }
        let sources =
            Sources::new(self.ats, self.willo).map_err(IntakeConfigError::DuplicateSource)?;
        Ok(Intake {
            inbox: self.inbox,
            sources,
            max_body_bytes: self.max_body_bytes,
            store_timeout: self.store_timeout,
            in_flight: Arc::new(Semaphore::new(self.max_in_flight)),
            body_read_timeout: self.body_read_timeout,
            listener: self.listener,
            clock: self.clock,
            inbox_scope: self.inbox_scope,
        })
    }
}

impl fmt::Debug for IntakeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntakeBuilder")
            .field("ats", &self.ats)
            .field("willo", &self.willo)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("store_timeout", &self.store_timeout)
            .field("max_in_flight", &self.max_in_flight)
            .field("body_read_timeout", &self.body_read_timeout)
            .finish_non_exhaustive()
    }
}
