//! Webhook sources: who sends the bridge deliveries, how each delivery is verified,
//! and how a stored one becomes something the engine acts on.
//!
//! A delivery takes one path whoever sent it:
//!
//! ```text
//! intake ─► WebhookSource::verify ─► inbox (source, dedupe key, event, body)
//!        ─► engine ─► resolve (AtsWebhooks::resolve for an ATS, WilloSource::resolve for Willo)
//! ```
//!
//! - [`WebhookSource`] is what the intake needs of a sender: answer an activation
//!   handshake, verify a request without calling any API, and name the delivery for
//!   deduplication. Willo's [`WilloSource`] is one; every ATS with webhooks offers one
//!   through [`crate::Ats::webhooks`].
//! - [`AtsWebhooks`] adds what the engine needs of an ATS's deliveries: turning a
//!   stored one into normalised [`AtsEvent`]s, possibly by calling the ATS.
//! - A verified delivery is stored as a [`StoredDelivery`]: the event name where the
//!   sender puts it outside the body (a header, the URL), and the body byte for byte.
//!   It is parsed again only when it is resolved, possibly in another process.

mod inbox;
mod sources;
mod willo;
mod willo_match;

use std::fmt;

use async_trait::async_trait;
use client_core::header::{HeaderMap, HeaderName, HeaderValue};
pub use client_core::webhook::WebhookRequest;
use client_core::webhook::sha256_hex;

pub(crate) use sources::{Source, Sources};
pub use willo::WilloSource;
pub(crate) use willo_match::{DeliveryParticipant, match_participant};

use crate::model::AtsEvent;
use crate::store::{InboxItem, NewDelivery};
use crate::{AtsError, AtsResult};

/// How much of a sender-chosen name (source, event, content type) a rejection quotes:
/// enough for an operator to recognise it, too little to fill a log.
pub(crate) const QUOTED_CHARS: usize = 64;

/// At most [`QUOTED_CHARS`] characters of a sender-chosen name (for logs too).
pub(crate) fn quoted(text: &str) -> String {
    text.chars().take(QUOTED_CHARS).collect()
}

/// How much of a reason a rejection shows: parsers' messages can quote the input, and a
/// refusal must not hand an unauthenticated sender its body back or write it to a log.
const REASON_CHARS: usize = 160;

/// `reason`, cut to [`REASON_CHARS`] characters (marked with `…` when cut).
fn bounded(reason: &str) -> String {
    let mut chars = reason.chars();
    let kept: String = chars.by_ref().take(REASON_CHARS).collect();
    if chars.next().is_some() {
        kept + "…"
    } else {
        kept
    }
}

/// What the inbox keeps of a verified delivery until it is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredDelivery {
    /// The event name where the sender gives it outside the body (SmartRecruiters'
    /// `event-name` header, Willo's URL); `None` where the body names it (Lever) or
    /// nothing does.
    pub event: Option<String>,
    /// The body as received. Holds no secrets.
    pub body: Vec<u8>,
}

impl StoredDelivery {
    /// A delivery with this body and no event name outside it.
    pub fn new(body: impl Into<Vec<u8>>) -> Self {
        Self {
            event: None,
            body: body.into(),
        }
    }

    /// With the event name the sender gave outside the body.
    pub fn event(mut self, event: impl Into<String>) -> Self {
        self.event = Some(event.into());
        self
    }

    /// The delivery an inbox item holds.
    pub fn from_inbox(item: &InboxItem) -> Self {
        match &item.event {
            Some(event) => StoredDelivery::new(item.payload.clone()).event(event),
            // Rows kept by 0.1 wrapped the event name and the body together.
            None => inbox::unwrap_0_1(&item.payload),
        }
    }

    /// A dedupe key for senders that give deliveries no id: a hash of the event name
    /// and the body, so a repeat of one delivery lands on the same key and the same
    /// body for another event does not.
    pub fn content_key(&self) -> String {
        let mut hashed = self
            .event
            .as_deref()
            .unwrap_or_default()
            .as_bytes()
            .to_vec();
        // A separator no event name contains keeps (event, body) pairs apart.
        hashed.push(b'\n');
        hashed.extend_from_slice(&self.body);
        format!("sha256:{}", sha256_hex(&hashed))
    }
}

/// A delivery that passed [`WebhookSource::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifiedDelivery {
    /// Unique per source for one delivery, the same for the sender's retries of it:
    /// the vendor's event id or delivery token, or a hash of the content where the
    /// vendor gives none. The intake stores a delivery once per key.
    pub dedupe_key: String,
    /// What to keep until the delivery is resolved.
    pub delivery: StoredDelivery,
}

impl VerifiedDelivery {
    /// A verified `delivery` named `dedupe_key`.
    pub fn new(dedupe_key: impl Into<String>, delivery: StoredDelivery) -> Self {
        Self {
            dedupe_key: dedupe_key.into(),
            delivery,
        }
    }

    /// What the inbox keeps of it, received from `source`; read back by
    /// [`StoredDelivery::from_inbox`].
    pub fn to_inbox<'a>(&'a self, source: &'a str) -> NewDelivery<'a> {
        NewDelivery::new(source, &self.dedupe_key, &self.delivery.body)
            .with_event(self.delivery.event.as_deref())
    }
}

/// Why a webhook delivery was refused. Nothing is stored for a refused delivery; the
/// intake answers with the status [`crate::intake::IntakeRejection::status`] gives
/// (non-2xx, so a genuine sender retries, except [`WebhookRejection::Unmatched`]) and
/// logs the reason. Messages quote ids and names only, never the body or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookRejection {
    /// A required header (signature, timestamp, event name) is missing.
    #[error("missing header `{}`", quoted(.0))]
    MissingHeader(String),
    /// The signature does not match any configured secret.
    #[error("bad signature")]
    BadSignature,
    /// The URL token (Willo's only proof of origin) is missing or matches no
    /// configured token.
    #[error("missing or wrong URL token")]
    BadToken,
    /// The delivery is older (or further in the future) than the allowed window.
    #[error("stale delivery")]
    Stale,
    /// The delivery was seen before.
    #[error("replayed delivery")]
    Replayed,
    /// The body is not JSON. The parser's message is left out: it may quote the body.
    #[error("the body is not JSON")]
    InvalidJson,
    /// The URL names an event the sender never sends (the bridge never registers
    /// such a URL).
    #[error("unknown event {0:?}")]
    UnknownEvent(String),
    /// A genuine delivery that names nothing the bridge could match (a Willo delivery
    /// without a participant). Acknowledged but not stored: retrying cannot change
    /// the body, and the reconciler still finds what it was about.
    #[error("the delivery names no participant")]
    Unmatched,
    /// The body or a header is not what the vendor sends. Shown cut to 160 characters:
    /// a parser's message may quote the body.
    #[error("malformed delivery: {}", bounded(.0))]
    Malformed(String),
}

impl WebhookRejection {
    /// A stable, machine-readable name for the reason (`bad_signature`, `stale`…), the
    /// same across versions whatever the message says.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookRejection::MissingHeader(_) => "missing_header",
            WebhookRejection::BadSignature => "bad_signature",
            WebhookRejection::BadToken => "bad_token",
            WebhookRejection::Stale => "stale",
            WebhookRejection::Replayed => "replayed",
            WebhookRejection::InvalidJson => "invalid_json",
            WebhookRejection::UnknownEvent(_) => "unknown_event",
            WebhookRejection::Unmatched => "unmatched",
            WebhookRejection::Malformed(_) => "malformed",
        }
    }
}

/// A sender of webhook deliveries, as the intake sees it: everything here runs before
/// the delivery is stored, so nothing here may call an API.
pub trait WebhookSource: Send + Sync + fmt::Debug {
    /// The answer to an activation handshake, which comes before any signed delivery
    /// (SmartRecruiters' `X-Hook-Secret`): the header to echo. `None` (the default)
    /// when `headers` are not a handshake.
    fn handshake(&self, _headers: &HeaderMap) -> Option<(HeaderName, HeaderValue)> {
        None
    }

    /// Whether the intake refuses, before [`WebhookSource::verify`], a declared
    /// content type that is not JSON (415) and a body that is not JSON (400). True by
    /// default; a source whose content type is undocumented checks its body itself.
    fn expects_json(&self) -> bool {
        true
    }

    /// Verify `request` (signature, token, staleness, shape) without calling any API,
    /// and say what to store under which dedupe key.
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection>;
}

/// An ATS's webhooks: a [`WebhookSource`] whose stored deliveries resolve to
/// normalised ATS events. Returned by [`crate::Ats::webhooks`].
#[async_trait]
pub trait AtsWebhooks: WebhookSource {
    /// Turn a delivery produced by [`WebhookSource::verify`] into normalised events.
    /// May call the API (SmartRecruiters deliveries carry ids only). A delivery the
    /// bridge does not act on yields [`AtsEvent::Unknown`], not an error; a transient
    /// error means "resolve it again later". A stage change resolved by reading the
    /// candidate's record can carry their details, so the invite does not read them
    /// again.
    async fn resolve(&self, delivery: &StoredDelivery) -> AtsResult<Vec<AtsEvent>>;

    /// Verify and resolve in one step, for callers without an inbox.
    async fn events(
        &self,
        request: &WebhookRequest<'_>,
    ) -> Result<Vec<AtsEvent>, WebhookEventsError> {
        let verified = self.verify(request)?;
        Ok(self.resolve(&verified.delivery).await?)
    }
}

/// Why [`AtsWebhooks::events`] produced no events: the delivery was refused, or it was
/// genuine but looking up what it refers to failed (retry it later).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookEventsError {
    /// Refused: not from the vendor, stale, replayed or malformed.
    #[error("webhook rejected: {0}")]
    Rejected(#[from] WebhookRejection),
    /// Verified, but resolving it against the API failed.
    #[error(transparent)]
    Ats(#[from] AtsError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_reason_is_cut_and_codes_stay_stable() {
        let rejection = WebhookRejection::Malformed("x".repeat(10_000));
        let shown = rejection.to_string();
        assert!(
            shown.chars().count() < 200,
            "{} chars",
            shown.chars().count()
        );
        assert!(shown.ends_with('…'));
        assert_eq!(rejection.code(), "malformed");
        let short = WebhookRejection::Malformed("no `token`".into());
        assert_eq!(short.to_string(), "malformed delivery: no `token`");
    }
}
