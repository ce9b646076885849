//! Why the intake refused a delivery, and the HTTP status each reason is answered with.

use client_core::StatusCode;

use crate::WebhookRejection;

/// How much of a sender-chosen name (source, event, content type) a rejection quotes:
/// enough for an operator to recognise it, too little to fill a log.
const QUOTED_CHARS: usize = 64;

/// Why a delivery was refused. Nothing is stored for any of them.
///
/// The messages quote ids and names only: never the body, a secret or personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IntakeRejection {
    /// No ATS is registered under this name and it is not Willo's (or no Willo token is
    /// configured). Answered 404: the URL names no endpoint.
    #[error("no webhook source named {0:?}")]
    UnknownSource(String),
    /// The body exceeds the configured limit. Answered 413.
    #[error("the body exceeds the limit of {limit} bytes")]
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
    },
    /// The body could not be read (the sender hung up mid-body). Answered 400; only
    /// framework adapters that read the body themselves report it.
    #[error("the body could not be read")]
    BodyUnreadable,
    /// The declared content type is not JSON (every vendor sends
    /// `application/json`). Answered 415.
    #[error("content type {0:?} is not JSON")]
    UnsupportedContentType(String),
    /// The body is not JSON. Answered 400. The parser's message is left out: it may
    /// quote the body.
    #[error("the body is not JSON")]
    InvalidJson,
    /// A Willo delivery whose URL token is missing or matches no configured token.
    /// Answered 401: nothing proves the request comes from Willo.
    #[error("missing or wrong URL token")]
    BadToken,
    /// A Willo delivery for an event the bridge does not know (`new_response`,
    /// `stage_change`, `new_comment`, `new_score`). Answered 404: the bridge never
    /// registers such a URL.
    #[error("unknown event {0:?}")]
    UnknownEvent(String),
    /// A genuine Willo delivery (its token matched) that names no participant, so
    /// nothing can be matched to it. Answered **202**: retrying cannot change the body,
    /// and Willo's guidance is to acknowledge events you cannot match; a response
    /// missed this way is still found by the reconciler.
    #[error("the delivery names no participant")]
    Unmatched,
    /// The ATS adapter refused it (signature, staleness, replay, shape).
    #[error(transparent)]
    Webhook(#[from] WebhookRejection),
    /// The delivery was genuine but could not be stored (store down or too slow).
    /// Answered 503 so the vendor retries: nothing is acknowledged that is not durable.
    #[error("the store is unavailable; retry later")]
    StoreUnavailable,
}

impl IntakeRejection {
    /// The HTTP status to answer with.
    ///
    /// 4xx tells a genuine sender its request is wrong (and makes it retry, which is
    /// harmless: retries of a refused delivery are refused again); 401 means "not
    /// proven to come from the vendor", 403 "authentic but refused" (stale or
    /// replayed); 503 asks for a retry; 202 for [`IntakeRejection::Unmatched`] stops
    /// pointless retries.
    pub fn status(&self) -> StatusCode {
        match self {
            IntakeRejection::UnknownSource(_) | IntakeRejection::UnknownEvent(_) => {
                StatusCode::NOT_FOUND
            }
            IntakeRejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            IntakeRejection::BodyUnreadable | IntakeRejection::InvalidJson => {
                StatusCode::BAD_REQUEST
            }
            IntakeRejection::UnsupportedContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IntakeRejection::BadToken => StatusCode::UNAUTHORIZED,
            IntakeRejection::Unmatched => StatusCode::ACCEPTED,
            IntakeRejection::Webhook(rejection) => match rejection {
                WebhookRejection::BadSignature => StatusCode::UNAUTHORIZED,
                WebhookRejection::Stale | WebhookRejection::Replayed => StatusCode::FORBIDDEN,
                WebhookRejection::MissingHeader(_) | WebhookRejection::Malformed(_) => {
                    StatusCode::BAD_REQUEST
                }
            },
            IntakeRejection::StoreUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// A rejection for `source` being unknown, quoting at most a few characters of it.
    pub(crate) fn unknown_source(source: &str) -> Self {
        IntakeRejection::UnknownSource(quoted(source))
    }

    /// A rejection for the Willo event `name`, quoting at most a few characters of it.
    pub(crate) fn unknown_event(name: &str) -> Self {
        IntakeRejection::UnknownEvent(quoted(name))
    }

    /// A rejection for the declared content type `value`.
    pub(crate) fn unsupported_content_type(value: &str) -> Self {
        IntakeRejection::UnsupportedContentType(quoted(value))
    }
}

/// At most [`QUOTED_CHARS`] characters of a sender-chosen name (for logs too).
pub(super) fn quoted(text: &str) -> String {
    text.chars().take(QUOTED_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_chosen_names_are_cut_short() {
        let long = "x".repeat(1_000);
        let IntakeRejection::UnknownSource(quoted) = IntakeRejection::unknown_source(&long) else {
            panic!("not an unknown source");
        };
        assert_eq!(quoted.len(), QUOTED_CHARS);
    }

    #[test]
    fn only_unmatched_deliveries_are_acknowledged() {
        assert!(IntakeRejection::Unmatched.status().is_success());
        for rejection in [
            IntakeRejection::BadToken,
            IntakeRejection::InvalidJson,
            IntakeRejection::StoreUnavailable,
            IntakeRejection::Webhook(WebhookRejection::Replayed),
        ] {
            assert!(!rejection.status().is_success(), "{rejection}");
        }
    }
}
