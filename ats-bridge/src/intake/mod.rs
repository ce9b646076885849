//! The webhook intake: verify a delivery, keep it in the store's inbox, and only then
//! acknowledge it. Framework-free ([`Intake::handle`] takes the source, headers,
//! query and raw body); `router` mounts it in axum (feature `axum`).
//!
//! The intake never acts on a delivery. It stores it and wakes the engine, which
//! resolves it in the background; so it answers within the vendors' deadlines
//! (SmartRecruiters: 5 s, handshake 20 s) whatever the ATS API is doing.
//!
//! ```
//! use std::sync::Arc;
//!
//! use ats_bridge::intake::{Intake, IntakeOutcome, IntakeRequest};
//! use ats_bridge::store::MemoryStore;
//! use client_core::SecretString;
//! use client_core::header::HeaderMap;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // In an application: `engine.inbox_signal()`, and `.ats(…)` per ATS connection.
//! let wake_engine = Arc::new(tokio::sync::Notify::new());
//! let intake = Intake::builder(Arc::new(MemoryStore::new()))
//!     .willo_token(SecretString::from("url-token"))
//!     .notify(wake_engine.clone())
//!     .build()?;
//!
//! // Your handler of `POST /webhooks/willo/new_response?token=url-token`:
//! let headers = HeaderMap::new();
//! let body = br#"{"participant": {"key": "0123456789abcdef0123456789abcdef"}}"#;
//! let request = IntakeRequest::new("willo", &headers, body)
//!     .event(Some("new_response"))
//!     .query(Some("token=url-token"));
//! let response = intake.handle(&request).await;
//! assert_eq!(response.status.as_u16(), 202);
//! assert!(matches!(response.outcome, IntakeOutcome::Stored { .. }));
//! # Ok(()) }
//! ```
//!
//! # What a request goes through
//!
//! 1. **Source.** The URL names it (`/webhooks/{source}`): an ATS connection whose
//!    [`crate::Ats::webhooks`] is some, by its [`crate::Ats::name`], or `willo`
//!    ([`crate::WilloSource`], once a URL token is configured). Unknown → 404.
//! 2. **Size.** Over the limit → 413 ([`IntakeBuilder::max_body_bytes`]).
//! 3. **Handshake.** A source may answer an activation handshake before any
//!    signature check: SmartRecruiters' `X-Hook-Secret` is echoed with 200
//!    (handshakes are unsigned; echoing the caller's own value reveals nothing and
//!    stores nothing).
//! 4. **JSON.** For sources that expect it ([`crate::WebhookSource::expects_json`]; Willo's
//!    content type is undocumented, so it checks its body itself), the content type
//!    must be JSON when declared (415) and the body must be JSON (400).
//! 5. **Verify.** [`crate::WebhookSource::verify`] must accept it: bad signature or URL
//!    token → 401, stale or replayed → 403, an event the sender never sends → 404,
//!    missing header or malformed → 400. A genuine Willo delivery naming no
//!    participant is acknowledged (202) but not stored, as Willo advises for events
//!    you cannot match.
//! 6. **Store.** [`Inbox::inbox_insert`] under the delivery's dedupe key. New → 202
//!    and the engine is woken; already there → 202, nothing new stored (vendors retry
//!    and repeat deliveries); the store fails or exceeds
//!    [`IntakeBuilder::store_timeout`] → 503 so the vendor retries later.
//!
//! Events the bridge does not act on (a SmartRecruiters `offer.created`, a Lever
//! `contactUpdated`) are stored and acknowledged like the others: refusing them would
//! make the vendor retry and, for SmartRecruiters, eventually suspend the
//! subscription. The engine resolves them to [`crate::model::AtsEvent::Unknown`].
//!
//! Every refusal is logged (`tracing`, target `ats_bridge::intake`) with its source
//! and reason: never the body, a secret or personal data.
//!
//! # Deduplication and replays
//!
//! The dedupe key comes from the adapter: SmartRecruiters' `event-id` (a hash of the
//! event name and body where it is missing), Lever's delivery `token`, a hash of the
//! event and body for Willo. A repeat is a [`IntakeOutcome::Duplicate`] and produces
//! no second action.
//!
//! That is also what neutralises a replayed Lever delivery: Lever signs only `token`
//! and `triggeredAt`, so a captured delivery can be re-sent, even with an altered
//! body, while its timestamp is fresh. It carries the captured token, lands on the
//! same key and is ignored. (The adapter's in-memory replay guard is for callers
//! without an inbox; here the inbox is the guard, shared by every replica using the
//! store.) SmartRecruiters signs the body, event id and timestamp, so an altered
//! delivery fails its signature and a verbatim one is a duplicate.

mod builder;
mod checks;
mod exchange;
mod rejection;
#[cfg(feature = "axum")]
mod router;
mod stored;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::StatusCode;
use client_core::header::{HeaderMap, HeaderName, HeaderValue};
use client_core::webhook::Clock;
use tokio::sync::Semaphore;

pub use builder::{
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_IN_FLIGHT,
    DEFAULT_STORE_TIMEOUT, IntakeBuilder, IntakeConfigError,
};
pub use exchange::{IntakeOutcome, IntakeRequest, IntakeResponse};
pub use rejection::IntakeRejection;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use router::{connection_router, router};
pub use stored::DeliveryListener;

use crate::WebhookRejection;
use crate::store::{Inbox, NewDelivery, Stores};
use crate::webhook::{Sources, VerifiedDelivery, quoted};

/// Receives webhook deliveries for the engine. Cheap to share: wrap it in an `Arc`.
pub struct Intake {
    inbox: Arc<dyn Inbox>,
    sources: Sources,
    max_body_bytes: usize,
    store_timeout: Duration,
    /// One permit per request being handled (see [`IntakeBuilder::max_in_flight`]).
    in_flight: Arc<Semaphore>,
    body_read_timeout: Duration,
    listener: Option<Arc<dyn DeliveryListener>>,
    clock: Arc<dyn Clock>,
    /// The connection prefix of inbox source names (`{connection}/`), if any.
    inbox_scope: Option<String>,
}

/// A request that passed every check.
enum Admitted {
    /// An activation handshake, with the header to echo.
    Handshake(HeaderName, HeaderValue),
    /// A delivery to store.
    Delivery(VerifiedDelivery),
}

impl Intake {
    /// Start building an intake that stores into `store`'s inbox (a backend such as
    /// `Arc<ats_store_sql::SqliteStore>` or `Arc<dyn Store>`, or a [`Stores`]).
    pub fn builder(store: impl Into<Stores>) -> IntakeBuilder {
        IntakeBuilder::new(store.into())
    }

    /// The body limit in bytes, for framework adapters that read bodies themselves.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// How long a request's whole body may take to arrive, for framework adapters that
    /// read bodies themselves.
    pub fn body_read_timeout(&self) -> Duration {
        self.body_read_timeout
    }

    /// Whether deliveries from `source` are received, for framework adapters that want
    /// to refuse before reading a body.
    pub fn receives(&self, source: &str) -> bool {
        self.sources.receives(source)
    }

    /// Verify, deduplicate and store one request, and say what to answer.
    pub async fn handle(&self, request: &IntakeRequest<'_>) -> IntakeResponse {
        let Ok(_place) = self.in_flight.try_acquire() else {
            return self.refuse(request.source, IntakeRejection::Overloaded);
        };
        match self.admit(request) {
            Ok(Admitted::Handshake(name, mut value)) => {
                value.set_sensitive(true);
                tracing::info!(
                    target: "ats_bridge::intake",
                    source = ?quoted(request.source),
                    "webhook activation handshake answered"
                );
                crate::metrics::delivery_received(request.source, "handshake");
                let mut headers = HeaderMap::new();
                headers.insert(name, value);
                IntakeResponse {
                    status: StatusCode::OK,
                    headers,
                    outcome: IntakeOutcome::Handshake,
                }
            }
            Ok(Admitted::Delivery(delivery)) => self.persist(request.source, delivery).await,
            Err(rejection) => self.refuse(request.source, rejection),
        }
    }

    /// Log a refusal of a request from `source` and say what to answer. For framework
    /// adapters that refuse before calling [`Intake::handle`] (a body over the limit
    /// while reading it, a body that could not be read).
    pub fn refuse(&self, source: &str, rejection: IntakeRejection) -> IntakeResponse {
        crate::metrics::delivery_refused(self.metric_source(source), rejection.code());
        match &rejection {
            IntakeRejection::Webhook(WebhookRejection::Unmatched) => tracing::info!(
                target: "ats_bridge::intake",
                source = ?quoted(source),
                code = rejection.code(),
                reason = %rejection,
                "webhook delivery acknowledged but not stored"
            ),
            _ => tracing::warn!(
                target: "ats_bridge::intake",
                source = ?quoted(source),
                code = rejection.code(),
                reason = %rejection,
                "webhook delivery refused"
            ),
        }
        IntakeResponse::rejected(rejection)
    }

    fn admit(&self, request: &IntakeRequest<'_>) -> Result<Admitted, IntakeRejection> {
        let source = match self.sources.get(request.source) {
            Some(source) if self.receives(request.source) => source,
            _ => return Err(IntakeRejection::unknown_source(request.source)),
        };
        checks::body_size(request.body, self.max_body_bytes)?;
        let webhooks = source.webhooks();
        if let Some((name, value)) = webhooks.handshake(request.headers) {
            return Ok(Admitted::Handshake(name, value));
        }
        if webhooks.expects_json() {
            checks::json_content_type(request.headers)?;
            checks::json_syntax(request.body)?;
        }
        Ok(Admitted::Delivery(webhooks.verify(&request.webhook())?))
    }

    /// Keep `delivery` in the inbox; acknowledge only once it is durable.
    async fn persist(&self, source: &str, delivery: VerifiedDelivery) -> IntakeResponse {
        let now_ms = i64::try_from(self.clock.now_millis()).unwrap_or(i64::MAX);
        let stored = &delivery.delivery;
        let scoped;
        let inbox_source = match &self.inbox_scope {
            Some(prefix) => {
                scoped = format!("{prefix}{source}");
                scoped.as_str()
            }
            None => source,
        };
        let new = NewDelivery::new(inbox_source, &delivery.dedupe_key, &stored.body)
            .with_event(stored.event.as_deref());
        let insert = self.inbox.inbox_insert(&new, now_ms);
        let error = match tokio::time::timeout(self.store_timeout, insert).await {
            Ok(Ok(true)) => {
                if let Some(listener) = &self.listener {
                    listener.stored(inbox_source);
                }
                tracing::debug!(
                    target: "ats_bridge::intake",
                    source = ?quoted(source),
                    dedupe_key = %delivery.dedupe_key,
                    "webhook delivery stored"
                );
                crate::metrics::delivery_received(source, "stored");
                return IntakeResponse::accepted(IntakeOutcome::Stored {
                    dedupe_key: delivery.dedupe_key,
                });
            }
            Ok(Ok(false)) => {
                tracing::debug!(
                    target: "ats_bridge::intake",
                    source = ?quoted(source),
                    dedupe_key = %delivery.dedupe_key,
                    "webhook delivery already in the inbox"
                );
                crate::metrics::delivery_received(source, "duplicate");
                return IntakeResponse::accepted(IntakeOutcome::Duplicate {
                    dedupe_key: delivery.dedupe_key,
                });
            }
            Ok(Err(error)) => error.to_string(),
            Err(_) => format!("no answer within {:?}", self.store_timeout),
        };
        // A timed-out insert may still complete; the vendor's retry is then a duplicate.
        tracing::error!(
            target: "ats_bridge::intake",
            source = ?quoted(source),
            error = %error,
            "webhook delivery not stored; the sender is asked to retry"
        );
        let rejection = IntakeRejection::StoreUnavailable;
        crate::metrics::delivery_refused(source, rejection.code());
        IntakeResponse::rejected(rejection)
    }

    /// `source` as a metric label: a name the sender chose is not one, unless it is
    /// configured (the label set must not grow from outside).
    fn metric_source<'a>(&self, source: &'a str) -> &'a str {
        if self.receives(source) {
            source
        } else {
            "unknown"
        }
    }
}

impl fmt::Debug for Intake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Intake")
            .field("inbox", &self.inbox)
            .field("sources", &self.sources)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("store_timeout", &self.store_timeout)
            .finish_non_exhaustive()
    }
}
