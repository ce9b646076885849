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
//! Bodies are undocumented. [`Delivery::parse`] keeps the raw JSON and lists every key
//! that may be the participant's, with where it was found ([`Delivery::candidates`]):
//! match them against the participants you invited, as the only team known to have
//! read live deliveries did. Treat a delivery as a notification: fetch the participant
//! (`client.participants().get(key)` or `client.interview_results(key)`) for
//! authoritative data, be idempotent (Willo may repeat deliveries, and may send an
//! identical body again later for news about the same participant), and answer 2xx
//! even for participants you do not know.
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
//! let named = delivery.participant_key().map(|key| key.as_str());
//! assert_eq!(named, Some("0123456789abcdef0123456789abcdef"));
//! assert_eq!(delivery.candidates[0].path, "/participant/key");
//! assert_eq!(delivery.event, Some(WebhookEvent::NewResponse));
//! # Ok::<_, willo_client::webhooks::VerifyError>(())
//! ```

use std::fmt;
use std::ops::ControlFlow;

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
#[non_exhaustive]
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
#[non_exhaustive]
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

/// A parsed delivery: every key that may name its participant, and the raw JSON for
/// everything else.
///
/// Where Willo puts the participant's key is undocumented, and real bodies carry
/// several 32-hex keys (owner, department, response…). So the delivery does not guess:
/// [`Delivery::candidates`] lists every key it found, with where, and the receiver
/// acts on the one it knows (its own record of the participants it invited).
/// [`Delivery::participant_key`] is the convenience for bodies that name the
/// participant under a documented `participant*` field.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Delivery {
    /// The event the URL named; `None` when it named none. The body is never read for
    /// an event name: no observed delivery carried one (willo.md §6), so a body's
    /// `type` or `action` field means something else.
    pub event: Option<WebhookEvent>,
    /// Every key that may be the participant's, best first: those under a
    /// `participant*` field, then key-shaped strings under a field whose name mentions
    /// `participant`, then every other key-shaped string in document order. The
    /// interview key is left out, each key appears once, and at most
    /// [`MAX_KEY_CANDIDATES`] are kept. Never empty.
    pub candidates: Vec<KeyCandidate>,
    /// The interview, when found.
    pub interview_key: Option<InterviewKey>,
    /// The new stage (for `stage_change`), best effort: stage-like fields first, a bare
    /// `status` only when there is none.
    pub stage: Option<String>,
    /// The body as received.
    pub raw: Value,
}

/// A key found in a delivery body that may be its participant's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyCandidate {
    /// The key.
    pub key: ParticipantKey,
    /// Where it was found, as a JSON Pointer into [`Delivery::raw`]
    /// (`/data/participant/key`, `/owner/key`, `/responses/0/for`).
    pub path: String,
    /// Whether a documented `participant*` field holds it (`participant_key`,
    /// `participant`, `participant.key`, `participant_id`), as opposed to being found
    /// by its shape.
    pub named: bool,
}

/// The most candidate keys a delivery keeps: real bodies carry a handful, and a body
/// full of key-shaped strings must not make the receiver look up each of them.
pub const MAX_KEY_CANDIDATES: usize = 32;

/// Containers a payload may nest its data in, checked after the top level.
const WRAPPERS: &[&str] = &["data", "payload", "object", "body"];
/// Fields naming the participant key directly.
const PARTICIPANT_KEYS: &[&str] = &["participant_key", "participant", "participant_id"];
/// Fields naming the interview key directly (also read inside the participant object).
const INTERVIEW_KEYS: &[&str] = &["interview_key", "interview", "interview_id"];
/// Fields holding the stage (a string or an object with a name), read before
/// [`STATUS_KEYS`] in every scope: a body's top-level `status` may describe the
/// delivery, not the participant.
const STAGE_KEYS: &[&str] = &["stage", "new_stage", "stage_name"];
/// Fields read for the stage when no [`STAGE_KEYS`] field has one.
const STATUS_KEYS: &[&str] = &["status"];

impl Delivery {
    /// Parse a delivery body without checking its token (use
    /// [`WebhookVerifier::verify`] unless the delivery was verified otherwise).
    /// `event_hint` is the event named in the URL (see [`DeliveryUrl`]); it is the only
    /// source of [`Delivery::event`].
    ///
    /// The top level is read first, then `data`, `payload`, `object` and `body`:
    /// - candidates: `participant_key`, `participant` (a key or an object's `key`),
    ///   `participant_id`, then a scan of every string shaped like a key (32
    ///   lowercase hex), those under a field mentioning `participant` first;
    /// - the interview: `interview_key`, `interview`, `interview_id` (also inside the
    ///   participant object), else the first key-shaped string under a field that
    ///   mentions `interview` and not `participant`.
    ///
    /// The scan copies nothing but the keys it keeps, so a large body costs its parse
    /// and little more.
    pub fn parse(raw: &[u8], event_hint: Option<WebhookEvent>) -> Result<Self, VerifyError> {
        let value: Value = serde_json::from_slice(raw).map_err(VerifyError::NotJson)?;
        let Value::Object(root) = &value else {
            return Err(VerifyError::NotAnObject);
        };
        let scopes = scopes(root);
        let participant_object = scopes
            .iter()
            .find_map(|(_, s)| s.get("participant").and_then(Value::as_object));
        let scan = Scan::of(&value);
        let interview = named_keys(&scopes, INTERVIEW_KEYS)
            .into_iter()
            .next()
            .map(|(key, _)| key)
            .or_else(|| {
                let object = participant_object.map(|p| vec![(String::new(), p)]);
                named_keys(&object.unwrap_or_default(), INTERVIEW_KEYS)
                    .into_iter()
                    .next()
                    .map(|(key, _)| key)
            })
            .or(scan.interview);
        let named = named_keys(&scopes, PARTICIPANT_KEYS)
            .into_iter()
            .map(|(key, path)| (key, path, true));
        let scanned = scan
            .mentioning_participant
            .into_iter()
            .chain(scan.others)
            .map(|(key, path)| (key, path, false));
        let mut candidates: Vec<KeyCandidate> = Vec::new();
        for (key, path, named) in named.chain(scanned) {
            if candidates.len() == MAX_KEY_CANDIDATES {
                break;
            }
            if Some(&key) != interview.as_ref() && !candidates.iter().any(|c| c.key.0 == key) {
                candidates.push(KeyCandidate {
                    key: ParticipantKey(key),
                    path,
                    named,
                });
            }
        }
        if candidates.is_empty() {
            return Err(VerifyError::NoParticipantKey);
        }
        let stage_scopes = || scopes.iter().map(|(_, s)| *s).chain(participant_object);
        let stage = stage_scopes()
            .find_map(|s| probe::first_label(s, STAGE_KEYS))
            .or_else(|| stage_scopes().find_map(|s| probe::first_label(s, STATUS_KEYS)));
        Ok(Self {
            event: event_hint,
            candidates,
            interview_key: interview.map(InterviewKey),
            stage,
            raw: value,
        })
    }

    /// The participant a documented `participant*` field names, when the body has one
    /// (the first named candidate). Bodies seen from Willo may name it nowhere: match
    /// [`Delivery::candidates`] against your records instead.
    pub fn participant_key(&self) -> Option<&ParticipantKey> {
        self.candidates.iter().find(|c| c.named).map(|c| &c.key)
    }

    /// The candidate keys alone, best first.
    pub fn candidate_keys(&self) -> impl Iterator<Item = &ParticipantKey> {
        self.candidates.iter().map(|c| &c.key)
    }
}

/// The top-level object, then any wrapper objects inside it, each with its JSON
/// Pointer.
fn scopes(root: &Map<String, Value>) -> Vec<(String, &Map<String, Value>)> {
    std::iter::once((String::new(), root))
        .chain(WRAPPERS.iter().filter_map(|w| {
            let inner = root.get(*w)?.as_object()?;
            Some((format!("/{w}"), inner))
        }))
        .collect()
}

/// Every named field holding a key (a string, or an object's `key`), in scope then
/// name order, with its JSON Pointer.
fn named_keys(scopes: &[(String, &Map<String, Value>)], names: &[&str]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (at, scope) in scopes {
        for name in names {
            let Some(value) = scope.get(*name) else {
                continue;
            };
            let Some(key) = crate::lenient::key_of(value) else {
                continue;
            };
            if key.trim().is_empty() || key.contains(char::is_whitespace) {
                continue;
            }
            // Field names here are fixed and need no JSON Pointer escaping.
            let path = match value {
                Value::Object(_) => format!("{at}/{name}/key"),
                _ => format!("{at}/{name}"),
            };
            found.push((key.to_owned(), path));
        }
    }
    found
}

/// What one pass over every string of a body found: key-shaped strings, split by
/// whether their path mentions `participant`, and the first one that looks like the
/// interview's. Each list holds at most [`MAX_KEY_CANDIDATES`].
#[derive(Default)]
struct Scan {
    interview: Option<String>,
    mentioning_participant: Vec<(String, String)>,
    others: Vec<(String, String)>,
}

impl Scan {
    fn of(value: &Value) -> Self {
        let mut scan = Scan::default();
        probe::visit_strings(value, |path, s| {
            if !looks_like_key(s) {
                return ControlFlow::Continue(());
            }
            let participant = path.mentions("participant");
            if scan.interview.is_none() && !participant && path.mentions("interview") {
                scan.interview = Some(s.to_owned());
            }
            let list = if participant {
                &mut scan.mentioning_participant
            } else {
                &mut scan.others
            };
            // A key seen before keeps its first path; past the bound nothing is kept.
            if list.len() < MAX_KEY_CANDIDATES && !list.iter().any(|(k, _)| k == s) {
                list.push((s.to_owned(), path.pointer()));
            }
            let full = scan.mentioning_participant.len() == MAX_KEY_CANDIDATES
                && scan.others.len() == MAX_KEY_CANDIDATES
                && scan.interview.is_some();
            if full {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        scan
    }
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
        assert_eq!(
            d.candidate_keys().collect::<Vec<_>>(),
            [&ParticipantKey::from(P)]
        );
        assert_eq!(d.candidates[0].path, "/response/for");
        assert_eq!(d.participant_key(), None, "no documented field names it");
        assert_eq!(d.interview_key.as_ref().map(|k| k.as_str()), Some(I));
        assert_eq!(d.event, None);
    }
}
