//! Receiving Willo webhooks, without any HTTP framework.
//!
//! Willo does not sign deliveries (willo.md §6): no secret is issued and there is no
//! signature header. The protection is a random token you put in the URL you register
//! (`https://you.example/willo?token=<secret>&event=new_response`), checked on receipt
//! in constant time by [`WebhookVerifier`]. That is why every crate's verifier reads a
//! whole [`WebhookRequest`] (headers, query string, body) rather than `(headers, body)`:
//! here the proof is in the query string. Bodies carry no event name, so the URL names
//! the event too. [`crate::Webhooks::subscribe`] registers such URLs.
//!
//! Deliveries carry no timestamp, so this verifier has no `tolerance` or `clock`:
//! a captured URL stays valid until the token is rotated ([`WebhookVerifier::also_accept`]
//! keeps the old one valid meanwhile).
//!
//! Bodies are undocumented. [`Delivery::parse`] keeps the raw JSON and extracts the
//! participant and interview keys best-effort. Treat a delivery as a notification:
//! fetch the participant (`client.participants().get(key)` or
//! `client.interview_results(key)`) for authoritative data, be idempotent (Willo may
//! repeat deliveries), and answer 2xx even for participants you do not know.
//!
//! ```
//! use willo_client::SecretString;
//! use willo_client::webhooks::{TestDelivery, WebhookEvent, WebhookRequest, WebhookVerifier};
//!
//! let token = SecretString::from("s3cret");
//! let verifier = WebhookVerifier::new(token.clone());
//!
//! // In your HTTP handler: headers, the query string and the raw body. Here the test
//! // signer builds what Willo would send.
//! let body = br#"{"participant": {"key": "0123456789abcdef0123456789abcdef"}}"#;
//! let sent = TestDelivery::new(WebhookEvent::NewResponse, body.to_vec()).sign(&token);
//! let request = WebhookRequest::new(&sent.headers, &sent.body).query(sent.query.as_deref());
//! let delivery = verifier.verify(&request)?;
//! assert_eq!(delivery.participant_key.as_str(), "0123456789abcdef0123456789abcdef");
//! assert_eq!(delivery.event, Some(WebhookEvent::NewResponse));
//! # Ok::<_, willo_client::webhooks::VerifyError>(())
//! ```

use std::fmt;

use client_core::webhook::Secrets;
/// The request a verifier reads and what the test signer returns (from `client-core`).
pub use client_core::webhook::{SignedRequest, WebhookRequest};
use client_core::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use url::Url;

use crate::ids::{InterviewKey, ParticipantKey, looks_like_key};
use crate::probe;

client_core::open_enum! {
    /// A webhook event. `new_response` and `stage_change` are confirmed wire values;
    /// `new_comment` and `new_score` are the triggers' names in snake_case (very likely
    /// but unconfirmed).
    WebhookEvent {
        /// A participant submitted a response (treated as "interview completed").
        NewResponse = "new_response",
        /// A participant was moved to another stage.
        StageChange = "stage_change",
        /// The hiring team commented.
        NewComment = "new_comment",
        /// The hiring team scored.
        NewScore = "new_score",
    }
}

impl WebhookEvent {
    /// The four known events.
    pub const ALL: [WebhookEvent; 4] = [
        WebhookEvent::NewResponse,
        WebhookEvent::StageChange,
        WebhookEvent::NewComment,
        WebhookEvent::NewScore,
    ];
}

/// Query parameter carrying the secret token in registered URLs.
pub const TOKEN_PARAM: &str = "token";
/// Query parameter carrying the event name in registered URLs.
pub const EVENT_PARAM: &str = "event";

/// The URL to register for `event`: `endpoint` with `token=<token>&event=<event>`
/// (replacing any `token`/`event` already there, keeping other parameters).
pub fn registration_url(endpoint: &Url, token: &SecretString, event: &WebhookEvent) -> Url {
    let mut url = endpoint.clone();
    let kept: Vec<(String, String)> = endpoint
        .query_pairs()
        .filter(|(k, _)| k != TOKEN_PARAM && k != EVENT_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair(TOKEN_PARAM, token.expose_secret())
        .append_pair(EVENT_PARAM, event.as_str());
    url
}

/// The token and event read from a delivery's query string.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DeliveryUrl {
    /// The `token` parameter.
    pub token: Option<String>,
    /// The `event` parameter.
    pub event: Option<WebhookEvent>,
}

impl DeliveryUrl {
    /// Read `token` and `event` from a query string (with or without the leading `?`).
    pub fn from_query(query: &str) -> Self {
        let mut out = Self::default();
        for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            match k.as_ref() {
                TOKEN_PARAM => out.token = Some(v.into_owned()),
                EVENT_PARAM => out.event = Some(WebhookEvent::from(v.as_ref())),
                _ => {}
            }
        }
        out
    }
}

impl fmt::Debug for DeliveryUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeliveryUrl")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("event", &self.event)
            .finish()
    }
}

/// Why a delivery was refused or its body could not be used. Each case is its own
/// variant so a receiver can log and count them apart.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The URL has no `token` query parameter (answer 401; was the URL registered with
    /// [`registration_url`]?).
    #[error("the delivery URL has no `token` parameter")]
    MissingToken,
    /// The `token` matches none of the configured tokens: forged, or registered with a
    /// token this verifier does not know (add it with `also_accept`).
    #[error("the delivery URL token matches none of the configured tokens")]
    BadToken,
    /// The body is not JSON. Answer 2xx anyway if you want Willo to stop retrying.
    #[error("the webhook body is not JSON: {0}")]
    NotJson(#[source] serde_json::Error),
    /// The body is JSON but not an object.
    #[error("the webhook body is JSON but not an object")]
    NotAnObject,
    /// No participant key could be found, by name or by shape.
    #[error("no participant key found in the webhook body")]
    NoParticipantKey,
}

/// Verifies deliveries by the token in their URL against one or more tokens.
#[derive(Clone, Debug)]
pub struct WebhookVerifier {
    tokens: Secrets,
}

impl WebhookVerifier {
    /// A verifier for `token`, the secret put in the registered URLs
    /// ([`registration_url`]). An empty token never matches.
    pub fn new(token: SecretString) -> Self {
        Self {
            tokens: Secrets::new(token),
        }
    }

    client_core::webhook_verifier_setters!(tokens);

    /// Check the URL token (constant time, every token tried), then parse the body with
    /// the URL's `event` as the event hint. `request` needs the query string:
    /// `WebhookRequest::new(&headers, &body).query(uri.query())`.
    pub fn verify(&self, request: &WebhookRequest<'_>) -> Result<Delivery, VerifyError> {
        let url = DeliveryUrl::from_query(request.query_string().unwrap_or_default());
        let received = url.token.as_deref().ok_or(VerifyError::MissingToken)?;
        let matched = self.tokens.any_match(&[received.as_bytes()], |token| {
            let token = token.expose_secret();
            (!token.is_empty()).then(|| token.to_owned())
        });
        if !matched {
            return Err(VerifyError::BadToken);
        }
        // An event named by the URL's path wins over the query's.
        let event = request
            .event_in_path()
            .map(WebhookEvent::from)
            .or(url.event);
        Delivery::parse(request.body(), event)
    }
}

/// A delivery to sign in tests: produces the request Willo would send to a URL
/// registered with [`registration_url`].
#[derive(Debug, Clone, PartialEq)]
pub struct TestDelivery {
    /// The event the URL names (`None`: a URL without `event`).
    pub event: Option<WebhookEvent>,
    /// Raw body.
    pub body: Vec<u8>,
}

impl TestDelivery {
    /// A delivery of `event` with `body`.
    pub fn new(event: WebhookEvent, body: impl Into<Vec<u8>>) -> Self {
        Self {
            event: Some(event),
            body: body.into(),
        }
    }

    /// The request with `token` (and the event) in its query string, as Willo calls a
    /// URL registered with them.
    pub fn sign(&self, token: &SecretString) -> SignedRequest {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair(TOKEN_PARAM, token.expose_secret());
        if let Some(event) = &self.event {
            query.append_pair(EVENT_PARAM, event.as_str());
        }
        let mut headers = client_core::header::HeaderMap::new();
        headers.insert(
            client_core::header::CONTENT_TYPE,
            client_core::header::HeaderValue::from_static("application/json"),
        );
        SignedRequest {
            headers,
            query: Some(query.finish()),
            body: self.body.clone(),
        }
    }
}

/// A parsed delivery: the keys that matter, and the raw JSON for everything else.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The event: the hint from the URL, else an event name found in the body.
    pub event: Option<WebhookEvent>,
    /// The participant the delivery is about.
    pub participant_key: ParticipantKey,
    /// The interview, when found.
    pub interview_key: Option<InterviewKey>,
    /// The new stage (for `stage_change`), best effort.
    pub stage: Option<String>,
    /// The body as received.
    pub raw: Value,
}

/// Containers a payload may nest its data in, checked after the top level.
const WRAPPERS: &[&str] = &["data", "payload", "object", "body"];
/// Fields naming the participant key directly.
const PARTICIPANT_KEYS: &[&str] = &["participant_key", "participant", "participant_id"];
/// Fields naming the interview key directly (also read inside the participant object).
const INTERVIEW_KEYS: &[&str] = &["interview_key", "interview", "interview_id"];
/// Fields holding the stage (a string or an object with a name).
const STAGE_KEYS: &[&str] = &["stage", "new_stage", "stage_name", "status"];
/// Fields that might carry an event name (none did in observed deliveries).
const EVENT_KEYS: &[&str] = &[
    "event",
    "event_type",
    "eventType",
    "type",
    "trigger",
    "action",
];

impl Delivery {
    /// Parse a delivery body without checking its token (use
    /// [`WebhookVerifier::verify`] unless the delivery was verified otherwise).
    /// `event_hint` is the event named in the URL (see [`DeliveryUrl`]); it wins over
    /// anything in the body.
    ///
    /// Keys are looked for in this order:
    /// 1. named fields at the top level, then inside `data`, `payload`, `object`,
    ///    `body`: `participant_key`, `participant` (a key or an object's `key`),
    ///    `participant_id`; `interview_key`, `interview`, `interview_id`, also inside
    ///    the participant object;
    /// 2. a scan of every string shaped like a key (32 lowercase hex): one under a
    ///    field whose path mentions `participant` (or `interview`), then for the
    ///    participant the first other key-shaped string.
    pub fn parse(raw: &[u8], event_hint: Option<WebhookEvent>) -> Result<Self, VerifyError> {
        let value: Value = serde_json::from_slice(raw).map_err(VerifyError::NotJson)?;
        let Value::Object(root) = &value else {
            return Err(VerifyError::NotAnObject);
        };
        let scopes = scopes(root);
        let named_participant = named_key(&scopes, PARTICIPANT_KEYS);
        let participant_object = scopes
            .iter()
            .find_map(|s| s.get("participant").and_then(Value::as_object));
        let interview = named_key(&scopes, INTERVIEW_KEYS)
            .or_else(|| participant_object.and_then(|p| named_key(&[p], INTERVIEW_KEYS)))
            .or_else(|| scanned_key(&value, "interview", None));
        let participant = named_participant
            .or_else(|| scanned_key(&value, "participant", interview.as_deref()))
            .or_else(|| scanned_key(&value, "", interview.as_deref()))
            .ok_or(VerifyError::NoParticipantKey)?;
        let stage = scopes
            .iter()
            .copied()
            .chain(participant_object)
            .find_map(|s| probe::first_label(s, STAGE_KEYS));
        let event = event_hint.or_else(|| {
            scopes
                .iter()
                .find_map(|s| probe::first(s, EVENT_KEYS).and_then(Value::as_str))
                .map(WebhookEvent::from)
        });
        Ok(Self {
            event,
            participant_key: ParticipantKey(participant),
            interview_key: interview.map(InterviewKey),
            stage,
            raw: value.clone(),
        })
    }
}

/// The top-level object, then any wrapper objects inside it.
fn scopes(root: &Map<String, Value>) -> Vec<&Map<String, Value>> {
    std::iter::once(root)
        .chain(WRAPPERS.iter().filter_map(|w| root.get(*w)?.as_object()))
        .collect()
}

/// The first named field holding a key, as a string or an object's `key`.
fn named_key(scopes: &[&Map<String, Value>], names: &[&str]) -> Option<String> {
    scopes.iter().find_map(|scope| {
        names.iter().find_map(|name| {
            let key = crate::lenient::key_of(scope.get(*name)?)?;
            (!key.trim().is_empty() && !key.contains(char::is_whitespace)).then(|| key.to_owned())
        })
    })
}

/// The first key-shaped string whose path mentions `hint` (any, when `hint` is
/// empty), other than `except`.
fn scanned_key(value: &Value, hint: &str, except: Option<&str>) -> Option<String> {
    probe::strings_with_paths(value)
        .into_iter()
        .filter(|(_, s)| looks_like_key(s) && Some(*s) != except)
        .find(|(path, _)| hint.is_empty() || path.iter().any(|seg| seg.contains(hint)))
        .map(|(_, s)| s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "0123456789abcdef0123456789abcdef";
    const I: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn url_round_trip() {
        let endpoint = Url::parse("https://hooks.example.com/willo?tenant=7&token=old").unwrap();
        let url = registration_url(
            &endpoint,
            &SecretString::from("s3cr3t"),
            &WebhookEvent::StageChange,
        );
        assert_eq!(
            url.as_str(),
            "https://hooks.example.com/willo?tenant=7&token=s3cr3t&event=stage_change"
        );
        let parsed = DeliveryUrl::from_query(url.query().unwrap());
        assert_eq!(parsed.token.as_deref(), Some("s3cr3t"));
        assert_eq!(parsed.event, Some(WebhookEvent::StageChange));
        assert!(!format!("{parsed:?}").contains("s3cr3t"));
    }

    #[test]
    fn scan_finds_keys_without_names() {
        let body =
            format!(r#"{{"response": {{"for": "{P}"}}, "job": {{"interview_ref": "{I}"}}}}"#);
        let d = Delivery::parse(body.as_bytes(), None).unwrap();
        assert_eq!(d.participant_key.as_str(), P);
        assert_eq!(d.interview_key.as_ref().map(|k| k.as_str()), Some(I));
        assert_eq!(d.event, None);
    }
}
