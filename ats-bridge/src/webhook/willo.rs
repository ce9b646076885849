//! Willo as a webhook source: the URL token, the event named by the URL, a body that
//! names a participant.
//!
//! Willo signs nothing; the secret is the `token` query parameter of the URL the
//! bridge registered (`willo_client::webhooks::registration_url`). Bodies carry no
//! event name, so the URL names it: the path (`/webhooks/willo/{event}`) or the
//! `event` query parameter, the path winning when both are present. A URL naming no
//! event is accepted (the delivery is kept without one, and the engine asks Willo
//! about the participant); a URL naming an event Willo does not send is refused.
//!
//! Willo does not document the content type of deliveries, so it is not checked; the
//! body must be a JSON object instead (the only shape seen from Willo).
//!
//! Willo's deliveries carry no id, and are not deduplicated: every receipt is stored
//! under a key of its own ([`receipt_key`]). A body holds keys only, so an identical
//! body can bring new news (another answer, a stage moved back and forth) as well as
//! repeat old news, and nothing tells the two apart; dropping it could lose the last
//! word about a participant. Each delivery makes the engine read the participant's
//! current state, so a true repeat costs one Willo read and ends as "already done":
//! the ledger, not the inbox, keeps every write-back exactly-once.

use std::fmt;

use client_core::{ExposeSecret, SecretString};
use willo_client::webhooks::{Delivery, DeliveryUrl, VerifyError, WebhookEvent, WebhookVerifier};

use super::{
    StoredDelivery, VerifiedDelivery, WebhookRejection, WebhookRequest, WebhookSource, quoted,
};

/// Willo's webhook deliveries, checked against the URL tokens the bridge registered.
///
/// ```
/// use ats_bridge::webhook::{WebhookRequest, WebhookSource, WilloSource};
/// use client_core::SecretString;
/// use client_core::header::HeaderMap;
///
/// let willo = WilloSource::new().token(SecretString::from("url-token"));
/// let headers = HeaderMap::new();
/// let body = br#"{"participant": {"key": "0123456789abcdef0123456789abcdef"}}"#;
/// let request = WebhookRequest::new(&headers, body)
///     .query(Some("token=url-token&event=new_response"));
/// let verified = willo.verify(&request).unwrap();
/// assert_eq!(verified.delivery.event.as_deref(), Some("new_response"));
///
/// let stolen = WebhookRequest::new(&headers, body).query(Some("token=guess"));
/// assert!(willo.verify(&stolen).is_err());
/// ```
#[derive(Clone, Default)]
pub struct WilloSource {
    /// `None` until a token is configured.
    verifier: Option<WebhookVerifier>,
    /// Whether a configured token is empty (it would never match).
    empty_token: bool,
}

impl WilloSource {
    /// The name Willo deliveries are received and stored under (`/webhooks/willo`).
    pub const NAME: &'static str = "willo";

    /// A source accepting no token yet: it refuses every delivery until
    /// [`WilloSource::token`] adds one, and can still resolve stored deliveries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accept deliveries whose URL carries `token` (call again to accept a new token
    /// during a rotation).
    pub fn token(mut self, token: SecretString) -> Self {
        self.empty_token |= token.expose_secret().is_empty();
        self.verifier = Some(match self.verifier {
            None => WebhookVerifier::new(token),
            Some(verifier) => verifier.also_accept(token),
        });
        self
    }

    /// Whether any token is configured (without one, nothing is received).
    pub fn receives(&self) -> bool {
        self.verifier.is_some()
    }

    /// Whether a configured token is empty: it would never match, which hints at a
    /// missing setting.
    pub(crate) fn has_empty_token(&self) -> bool {
        self.empty_token
    }

    /// Read a stored delivery back: the participant it names and the event.
    pub fn resolve(&self, delivery: &StoredDelivery) -> Result<Delivery, VerifyError> {
        let event = delivery.event.as_deref().map(WebhookEvent::from);
        Delivery::parse(&delivery.body, event)
    }
}

impl WebhookSource for WilloSource {
    fn expects_json(&self) -> bool {
        false
    }

    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        let verifier = self.verifier.as_ref().ok_or(WebhookRejection::BadToken)?;
        // Every token is compared, so timing tells nothing about which one matched.
        let verified = verifier.verify(request);
        if let Err(VerifyError::MissingToken | VerifyError::BadToken) = verified {
            return Err(WebhookRejection::BadToken);
        }
        // The path names the event too, and wins over the query's.
        let url = DeliveryUrl::from_query(request.query_string().unwrap_or_default());
        let event = request
            .event_in_path()
            .map(WebhookEvent::from)
            .or(url.event);
        if let Some(event) = &event
            && !WebhookEvent::ALL.contains(event)
        {
            return Err(WebhookRejection::UnknownEvent(quoted(event.as_str())));
        }
        match verified {
            Ok(_) => {
                let mut delivery = StoredDelivery::new(request.body());
                delivery.event = event.map(|e| e.to_string());
                Ok(VerifiedDelivery::new(receipt_key(&delivery), delivery))
            }
            Err(VerifyError::NotJson(_)) => Err(WebhookRejection::InvalidJson),
            Err(VerifyError::NoParticipantKey) => Err(WebhookRejection::Unmatched),
            // Not an object: the message names the shape only.
            Err(other) => Err(WebhookRejection::Malformed(other.to_string())),
        }
    }
}

/// The inbox key of one receipt: the content hash (so an operator can group identical
/// bodies) and 128 random bits (so no two receipts share a key, across processes too).
fn receipt_key(delivery: &StoredDelivery) -> String {
    format!("{}#{:032x}", delivery.content_key(), fastrand::u128(..))
}

impl fmt::Debug for WilloSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WilloSource")
            .field("receives", &self.receives())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use client_core::header::HeaderMap;

    use super::*;

    const P: &str = "0123456789abcdef0123456789abcdef";

    fn source() -> WilloSource {
        WilloSource::new()
            .token(SecretString::from("old"))
            .token(SecretString::from("new"))
    }

    #[test]
    fn a_delivery_survives_the_inbox_with_its_event() {
        let headers = HeaderMap::new();
        let body = format!(r#"{{"participant": {{"key": "{P}"}}}}"#);
        let request = WebhookRequest::new(&headers, body.as_bytes())
            .query(Some("token=new"))
            .path_event(Some("new_response"));
        let verified = source().verify(&request).unwrap();
        let delivery = source().resolve(&verified.delivery).unwrap();
        assert_eq!(delivery.participant_key().unwrap().as_str(), P);
        assert_eq!(delivery.event, Some(WebhookEvent::NewResponse));
    }

    #[test]
    fn every_receipt_has_a_key_of_its_own() {
        // Issue 15, item 5: an identical body may be news (Willo sends keys only), so a
        // repeat is stored again; the content hash still groups them for operators.
        let headers = HeaderMap::new();
        let body = format!(r#"{{"participant_key": "{P}"}}"#);
        let verify = |query: &str| {
            let request = WebhookRequest::new(&headers, body.as_bytes()).query(Some(query));
            source().verify(&request).unwrap().dedupe_key
        };
        let once = verify("token=old&event=new_response");
        let again = verify("token=new&event=new_response");
        assert_ne!(once, again);
        let content = |key: &str| key.split_once('#').unwrap().0.to_owned();
        assert_eq!(content(&once), content(&again));
        assert!(once.starts_with("sha256:"), "{once}");
        assert_ne!(
            content(&once),
            content(&verify("token=old&event=stage_change"))
        );
    }

    #[test]
    fn the_path_event_wins_over_the_query() {
        let headers = HeaderMap::new();
        let body = format!(r#"{{"participant_key": "{P}"}}"#);
        let request = WebhookRequest::new(&headers, body.as_bytes())
            .query(Some("token=old&event=new_score"))
            .path_event(Some("stage_change"));
        let verified = source().verify(&request).unwrap();
        assert_eq!(verified.delivery.event.as_deref(), Some("stage_change"));
    }

    #[test]
    fn refusals_name_their_reason() {
        let headers = HeaderMap::new();
        let body = format!(r#"{{"participant_key": "{P}"}}"#);
        let verify = |query: &str, body: &[u8]| {
            source().verify(&WebhookRequest::new(&headers, body).query(Some(query)))
        };
        assert_eq!(
            verify("token=nope", body.as_bytes()),
            Err(WebhookRejection::BadToken)
        );
        assert_eq!(
            verify("token=old&event=hired", body.as_bytes()),
            Err(WebhookRejection::UnknownEvent("hired".into()))
        );
        assert_eq!(
            verify("token=old", b"{"),
            Err(WebhookRejection::InvalidJson)
        );
        assert_eq!(verify("token=old", b"{}"), Err(WebhookRejection::Unmatched));
        assert!(matches!(
            verify("token=old", b"[]"),
            Err(WebhookRejection::Malformed(_))
        ));
        assert_eq!(
            WilloSource::new().verify(&WebhookRequest::new(&headers, body.as_bytes())),
            Err(WebhookRejection::BadToken)
        );
    }

    #[test]
    fn debug_shows_no_token() {
        assert!(!format!("{:?}", source()).contains("old"));
    }
}
