//! Webhook deliveries: the typed envelope, the ten events, and signature verification.
//! No HTTP framework needed: hand the request (headers and raw body) to
//! [`WebhookVerifier::verify`]. Only the body is read: Lever signs fields of the body,
//! not headers.
//!
//! Lever signs the body fields, not headers: `signature` is the lowercase hex
//! HMAC-SHA256, keyed with the webhook's signature token, of `token` followed by the
//! decimal `triggeredAt`. The raw body itself is not signed.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::webhook::{Secrets, Window, hmac_sha256_hex};
/// The request a verifier reads and what the test signer returns (from `client-core`).
pub use client_core::webhook::{SignedRequest, WebhookRequest};
use client_core::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{ApplicationId, ContactId, OpportunityId, StageId};

pub use client_core::webhook::{Clock, ReplayGuard, SystemClock};
/// Clocks and replay guards for [`WebhookVerifier`], re-exported so handlers need no
/// other crate.
pub use client_core::webhook::{FixedClock, InMemoryReplayGuard};

client_core::open_enum! {
    /// A webhook event. New events arrive as [`Event::Other`].
    Event {
        /// An application was created.
        ApplicationCreated = "applicationCreated",
        /// A candidate was hired (also Lever's test delivery, with empty `data`).
        CandidateHired = "candidateHired",
        /// A candidate moved stage.
        CandidateStageChange = "candidateStageChange",
        /// A candidate was archived or unarchived.
        CandidateArchiveChange = "candidateArchiveChange",
        /// A candidate was deleted.
        CandidateDeleted = "candidateDeleted",
        /// An interview was created (beta).
        InterviewCreated = "interviewCreated",
        /// An interview was updated (beta).
        InterviewUpdated = "interviewUpdated",
        /// An interview was deleted (beta).
        InterviewDeleted = "interviewDeleted",
        /// A contact was created.
        ContactCreated = "contactCreated",
        /// A contact was updated.
        ContactUpdated = "contactUpdated",
    }
}

/// A webhook delivery body.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Delivery {
    /// When the event happened (ms since epoch); part of the signed message.
    pub triggered_at: u64,
    /// The event.
    pub event: Event,
    /// Event details; may be empty (`{}`) as in Lever's test delivery.
    #[serde(default, deserialize_with = "crate::common::null_default")]
    pub data: EventData,
    /// Hex HMAC-SHA256 of `token` + `triggeredAt`. Lever adds it only when the account
    /// or webhook has a signature token, so it may be absent; [`WebhookVerifier::verify`]
    /// then refuses the delivery with [`VerifyError::MissingSignature`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// A random per-delivery string; part of the signed message and the replay key.
    pub token: String,
    /// Event UID (documented, but absent from Lever's examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl Delivery {
    /// Read a delivery body without verifying it (for example to log its event before
    /// [`WebhookVerifier::verify`] refuses it). Never act on an unverified delivery.
    pub fn parse(body: &[u8]) -> Result<Self, VerifyError> {
        serde_json::from_slice(body)
            .map_err(|e| VerifyError::Malformed(client_core::webhook::json_error_summary(&e)))
    }
}

/// The `data` of a delivery. Only `candidateStageChange` is documented field by field;
/// every field is optional and anything else is kept in `extra`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventData {
    /// The opportunity (key on this rather than `candidate_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<OpportunityId>,
    /// Legacy candidate id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_id: Option<String>,
    /// The contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<ContactId>,
    /// Stage change: the new stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_stage_id: Option<StageId>,
    /// Stage change: the previous stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_stage_id: Option<StageId>,
    /// Application events (field name expected, not confirmed by Lever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<ApplicationId>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Why a delivery was rejected. Each cause has its own variant, so a handler can log
/// and count them apart; all of them should be answered with a non-2xx status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The body is not JSON or lacks a required field (`triggeredAt`, `event`,
    /// `token`).
    #[error("malformed webhook delivery: {0}")]
    Malformed(String),
    /// The delivery carries no `signature`: Lever signs only once a signature token
    /// exists, so the webhook was set up without one (or the delivery is forged). A
    /// verifier holding tokens cannot trust it; give the webhook a token in Lever.
    #[error(
        "webhook delivery has no signature: Lever signs only when the webhook has a signature token"
    )]
    MissingSignature,
    /// The signature does not match any configured signature token: forged, tampered
    /// with, or signed with a token you do not have.
    #[error("webhook signature does not match any configured signature token")]
    BadSignature,
    /// `triggeredAt` is further from now than the allowed window.
    #[error(
        "stale webhook delivery: triggered at {triggered_at} ms, now {now} ms, tolerance {tolerance:?}"
    )]
    Stale {
        /// The delivery's `triggeredAt`.
        triggered_at: u64,
        /// The verifier's clock.
        now: u128,
        /// The allowed window.
        tolerance: Duration,
    },
    /// The delivery `token` was seen before: a replay.
    #[error("replayed webhook delivery (token already seen)")]
    Replayed,
}

/// Verifies deliveries: signature against one or more signature tokens (rotation),
/// staleness against an injectable clock, replays against a pluggable guard.
///
/// Lever retries failed deliveries five times with increasing intervals; whether a
/// retry keeps the original `triggeredAt` is not documented, so widen
/// [`WebhookVerifier::tolerance`] (default [`WebhookVerifier::DEFAULT_TOLERANCE`],
/// 10 minutes) or call [`WebhookVerifier::without_tolerance`] if retries matter more to
/// you than staleness.
#[derive(Clone)]
pub struct WebhookVerifier {
    tokens: Secrets,
    window: Window,
    replay_guard: Option<Arc<dyn ReplayGuard>>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("tokens", &self.tokens)
            .field("window", &self.window)
            .field("replay_guard", &self.replay_guard)
            .finish()
    }
}

impl WebhookVerifier {
    /// Default staleness window.
    pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(600);

    /// Verify with `signature_token` (from the webhook's create response or Lever's
    /// settings page), the default tolerance, the system clock and no replay guard.
    pub fn new(signature_token: SecretString) -> Self {
        Self {
            tokens: Secrets::new(signature_token),
            window: Window::new(Self::DEFAULT_TOLERANCE),
            replay_guard: None,
        }
    }

    client_core::webhook_verifier_setters!(tokens, window);

    /// Reject delivery tokens `guard` remembers (for example [`InMemoryReplayGuard`],
    /// or a shared store across processes). `verify` only checks the guard: call
    /// [`WebhookVerifier::accepted`] once the delivery is stored or acted on, so that
    /// Lever's retry of a delivery whose processing failed is not refused.
    pub fn replay_guard(mut self, guard: Arc<dyn ReplayGuard>) -> Self {
        self.replay_guard = Some(guard);
        self
    }

    /// Parse and verify a delivery (only its raw body is read). Checks run in the
    /// order: shape, signature, staleness, replay (so forged deliveries never reach the
    /// replay guard). A token is not remembered here: see [`WebhookVerifier::accepted`].
    pub fn verify(&self, request: &WebhookRequest<'_>) -> Result<Delivery, VerifyError> {
        let delivery = Delivery::parse(request.body())?;
        let received = delivery
            .signature
            .as_deref()
            .ok_or(VerifyError::MissingSignature)?
            .to_ascii_lowercase();
        let signed = self.tokens.any_match(&[received.as_bytes()], |key| {
            Some(sign(key, &delivery.token, delivery.triggered_at))
        });
        if !signed {
            return Err(VerifyError::BadSignature);
        }
        self.window
            .check_millis(delivery.triggered_at)
            .map_err(|stale| VerifyError::Stale {
                triggered_at: delivery.triggered_at,
                now: stale
                    .now
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_millis())
                    .unwrap_or(0),
                tolerance: stale.tolerance,
            })?;
        if let Some(guard) = &self.replay_guard
            && guard.seen(&delivery.token)
        {
            return Err(VerifyError::Replayed);
        }
        Ok(delivery)
    }

    /// The caller accepted `delivery` (stored it, or acted on it): its token is
    /// remembered by the replay guard, and a repeat is refused from now on.
    pub fn accepted(&self, delivery: &Delivery) {
        if let Some(guard) = &self.replay_guard {
            guard.remember(&delivery.token);
        }
    }
}

/// The signature Lever puts on a delivery: lowercase hex HMAC-SHA256 under
/// `signature_token` of `token` followed by the decimal `triggered_at`.
pub fn sign(signature_token: &SecretString, token: &str, triggered_at: u64) -> String {
    let message = format!("{token}{triggered_at}");
    hmac_sha256_hex(
        signature_token.expose_secret().as_bytes(),
        message.as_bytes(),
    )
}

/// A delivery to sign in tests: produces the request Lever would send.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TestDelivery {
    /// The event.
    pub event: Event,
    /// The per-delivery random `token` (part of the signed message and the replay key).
    pub token: String,
    /// `triggeredAt`, ms since the Unix epoch.
    pub triggered_at: u64,
    /// Event details.
    pub data: EventData,
}

impl TestDelivery {
    /// A delivery of `event` with delivery `token`, triggered at `triggered_at` (ms),
    /// with empty `data`.
    pub fn new(event: Event, token: impl Into<String>, triggered_at: u64) -> Self {
        Self {
            event,
            token: token.into(),
            triggered_at,
            data: EventData::default(),
        }
    }

    /// With these event details.
    pub fn data(mut self, data: EventData) -> Self {
        self.data = data;
        self
    }

    /// The request Lever would send, signed with `signature_token`: a JSON body with
    /// `signature` filled in.
    pub fn sign(&self, signature_token: &SecretString) -> SignedRequest {
        let delivery = Delivery {
            triggered_at: self.triggered_at,
            event: self.event.clone(),
            data: self.data.clone(),
            signature: Some(sign(signature_token, &self.token, self.triggered_at)),
            token: self.token.clone(),
            id: None,
        };
        let mut headers = client_core::header::HeaderMap::new();
        headers.insert(
            client_core::header::CONTENT_TYPE,
            client_core::header::HeaderValue::from_static("application/json"),
        );
        SignedRequest {
            headers,
            query: None,
            // Serialising plain strings, integers and maps cannot fail.
            body: serde_json::to_vec(&delivery).unwrap_or_default(),
        }
    }
}
