//! Webhook deliveries: the typed envelope, the ten events, and signature verification.
//! No HTTP framework needed: hand the raw request body to [`WebhookVerifier::verify`].
//!
//! Lever signs the body fields, not headers: `signature` is the lowercase hex
//! HMAC-SHA256, keyed with the webhook's signature token, of `token` followed by the
//! decimal `triggeredAt`. The raw body itself is not signed.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use client_core::webhook::{constant_time_eq, hmac_sha256_hex};
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
    /// Hex HMAC-SHA256 of `token` + `triggeredAt`.
    pub signature: String,
    /// A random per-delivery string; part of the signed message and the replay key.
    pub token: String,
    /// Event UID (documented, but absent from Lever's examples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
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
    /// `signature`, `token`).
    #[error("malformed webhook delivery: {0}")]
    Malformed(String),
    /// The signature does not match any configured signature token: forged, tampered
    /// with, or signed with a token you do not have.
    #[error("webhook signature does not match any configured signature token")]
    BadSignature,
    /// `triggeredAt` is further from now than the allowed window.
    #[error(
        "stale webhook delivery: triggered at {triggered_at} ms, now {now} ms, window {max_age:?}"
    )]
    Stale {
        /// The delivery's `triggeredAt`.
        triggered_at: u64,
        /// The verifier's clock.
        now: u128,
        /// The allowed window.
        max_age: Duration,
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
/// [`WebhookVerifier::max_age`] (default 10 minutes) or turn it off if retries matter
/// more to you than staleness.
#[derive(Clone)]
pub struct WebhookVerifier {
    tokens: Vec<SecretString>,
    max_age: Option<Duration>,
    clock: Arc<dyn Clock>,
    replay_guard: Option<Arc<dyn ReplayGuard>>,
}

impl fmt::Debug for WebhookVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookVerifier")
            .field("tokens", &format!("{} [redacted]", self.tokens.len()))
            .field("max_age", &self.max_age)
            .field("clock", &self.clock)
            .field("replay_guard", &self.replay_guard)
            .finish()
    }
}

impl WebhookVerifier {
    /// Default staleness window.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(600);

    /// Verify with `signature_token` (from the webhook's create response or Lever's
    /// settings page), the system clock and no replay guard.
    pub fn new(signature_token: SecretString) -> Self {
        Self {
            tokens: vec![signature_token],
            max_age: Some(Self::DEFAULT_MAX_AGE),
            clock: Arc::new(SystemClock),
            replay_guard: None,
        }
    }

    /// Also accept signatures made with `signature_token` (during rotation, or when one
    /// endpoint receives several webhooks).
    pub fn also_accept(mut self, signature_token: SecretString) -> Self {
        self.tokens.push(signature_token);
        self
    }

    /// Reject deliveries whose `triggeredAt` is further than `max_age` from now
    /// (`None`: never stale).
    pub fn max_age(mut self, max_age: Option<Duration>) -> Self {
        self.max_age = max_age;
        self
    }

    /// Use this clock (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Reject repeated delivery tokens with `guard` (for example
    /// `client_core::webhook::InMemoryReplayGuard`, or a shared store across processes).
    pub fn replay_guard(mut self, guard: Arc<dyn ReplayGuard>) -> Self {
        self.replay_guard = Some(guard);
        self
    }

    /// Parse and verify a raw delivery body. Checks run in the order: shape,
    /// signature, staleness, replay (so forged deliveries never reach the replay guard).
    pub fn verify(&self, body: &[u8]) -> Result<Delivery, VerifyError> {
        let delivery: Delivery =
            serde_json::from_slice(body).map_err(|e| VerifyError::Malformed(e.to_string()))?;
        self.verify_delivery(&delivery)?;
        Ok(delivery)
    }

    /// Verify an already parsed delivery.
    pub fn verify_delivery(&self, delivery: &Delivery) -> Result<(), VerifyError> {
        let signed = self.tokens.iter().any(|key| {
            let expected = sign(key, &delivery.token, delivery.triggered_at);
            constant_time_eq(
                expected.as_bytes(),
                delivery.signature.to_ascii_lowercase().as_bytes(),
            )
        });
        if !signed {
            return Err(VerifyError::BadSignature);
        }
        if let Some(max_age) = self.max_age {
            let now = self.clock.now_millis();
            let age = now.abs_diff(u128::from(delivery.triggered_at));
            if age > max_age.as_millis() {
                return Err(VerifyError::Stale {
                    triggered_at: delivery.triggered_at,
                    now,
                    max_age,
                });
            }
        }
        if let Some(guard) = &self.replay_guard {
            if !guard.first_sighting(&delivery.token) {
                return Err(VerifyError::Replayed);
            }
        }
        Ok(())
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

/// A signed delivery body, as Lever would send it (for tests of webhook handlers).
pub fn signed_delivery(
    signature_token: &SecretString,
    event: Event,
    token: &str,
    triggered_at: u64,
    data: EventData,
) -> Vec<u8> {
    let delivery = Delivery {
        triggered_at,
        event,
        data,
        signature: sign(signature_token, token, triggered_at),
        token: token.to_owned(),
        id: None,
    };
    // Serialising plain strings, integers and maps cannot fail.
    serde_json::to_vec(&delivery).unwrap_or_default()
}
