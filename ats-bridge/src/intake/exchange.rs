//! What goes into [`super::Intake::handle`] and what comes out.

use std::fmt;

use client_core::StatusCode;
use client_core::header::{HeaderMap, HeaderValue, RETRY_AFTER};

use super::IntakeRejection;
use crate::webhook::WebhookRequest;

/// One received HTTP request, as any web framework can provide it. Its `Debug` shows
/// neither the query string (Willo's URL token travels there) nor the body (it may
/// carry personal data).
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct IntakeRequest<'a> {
    /// Who the URL says sent it: an ATS connection's name, or `willo` (the path
    /// segment after `/webhooks/`).
    pub source: &'a str,
    /// The event named by the URL path, for senders whose bodies do not name it
    /// (Willo: `/webhooks/willo/{event}`).
    pub event: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The query string without the `?` (Willo's `token` and `event` travel there).
    pub query: Option<&'a str>,
    /// The raw body, byte for byte as received: signatures cover it.
    pub body: &'a [u8],
}

impl<'a> IntakeRequest<'a> {
    /// A request from `source` with these headers and body, no query, no path event.
    pub fn new(source: &'a str, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Self {
            source,
            event: None,
            headers,
            query: None,
            body,
        }
    }

    /// With the URL's query string.
    pub fn query(mut self, query: Option<&'a str>) -> Self {
        self.query = query;
        self
    }

    /// With the event named by the URL path.
    pub fn event(mut self, event: Option<&'a str>) -> Self {
        self.event = event;
        self
    }

    /// The request as its source verifies it.
    pub fn webhook(&self) -> WebhookRequest<'a> {
        WebhookRequest::new(self.headers, self.body)
            .query(self.query)
            .path_event(self.event)
    }
}

impl fmt::Debug for IntakeRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntakeRequest")
            .field("source", &self.source)
            .field("event", &self.event)
            .field("headers", &self.headers.len())
            .field("query", &self.query.map(|_| "[redacted]"))
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// What happened to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntakeOutcome {
    /// Verified and durably stored in the inbox under `dedupe_key`; the engine was
    /// woken.
    Stored {
        /// The key the inbox deduplicates on.
        dedupe_key: String,
    },
    /// Verified, and already in the inbox: acknowledged so the vendor stops retrying,
    /// nothing new stored.
    Duplicate {
        /// The key the inbox deduplicates on.
        dedupe_key: String,
    },
    /// A SmartRecruiters activation handshake, answered by echoing `X-Hook-Secret`.
    Handshake,
    /// Refused; nothing stored.
    Rejected(IntakeRejection),
}

/// The answer to send back.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct IntakeResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// Headers to set (the handshake's `X-Hook-Secret` echo; marked sensitive, so
    /// `Debug` hides its value).
    pub headers: HeaderMap,
    /// What happened, for logging, metrics and tests.
    pub outcome: IntakeOutcome,
}

impl IntakeResponse {
    /// The answer to a delivery now in the inbox (stored or duplicate): **202
    /// Accepted**, the only success code SmartRecruiters counts (any other is a
    /// failure to it); Lever and Willo take any 2xx.
    pub(super) fn accepted(outcome: IntakeOutcome) -> Self {
        Self {
            status: StatusCode::ACCEPTED,
            headers: HeaderMap::new(),
            outcome,
        }
    }

    /// The answer to a refused request (see [`IntakeRejection::status`]).
    /// A 503 (overloaded, store unavailable) says when to come back: a second, since
    /// both conditions are short-lived and the vendors retry on their own schedule
    /// anyway.
    pub(super) fn rejected(rejection: IntakeRejection) -> Self {
        let mut headers = HeaderMap::new();
        if rejection.status() == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(RETRY_AFTER, HeaderValue::from_static("1"));
        }
        Self {
            status: rejection.status(),
            headers,
            outcome: IntakeOutcome::Rejected(rejection),
        }
    }
}

#[cfg(test)]
mod tests {
    use client_core::header::HeaderMap;

    use super::*;

    #[test]
    fn debug_shows_no_url_token_and_no_body() {
        let headers = HeaderMap::new();
        let request = IntakeRequest::new("willo", &headers, b"{\"name\": \"Jane Doe\"}")
            .query(Some("token=s3cr3t-url-token&event=new_response"));
        let shown = format!("{request:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(!shown.contains("Jane"), "{shown}");
        assert!(shown.contains("willo"), "{shown}");
    }
}
