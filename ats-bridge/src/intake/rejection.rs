//! Why the intake refused a delivery, and the HTTP status each reason is answered with.

use client_core::StatusCode;

use crate::WebhookRejection;
#[cfg(test)]
use crate::webhook::QUOTED_CHARS;
use crate::webhook::quoted;

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
    /// The body did not arrive within the deadline
    /// ([`crate::intake::IntakeBuilder::body_read_timeout`]). Answered 408; only
    /// framework adapters that read the body themselves report it.
    #[error("the body did not arrive in time")]
    BodyTimeout,
    /// The body could not be read (the sender hung up mid-body). Answered 400; only
    /// framework adapters that read the body themselves report it.
    #[error("the body could not be read")]
    BodyUnreadable,
    /// The declared content type is not JSON (every vendor sends
    /// `application/json`). Answered 415.
    #[error("content type {0:?} is not JSON")]
    UnsupportedContentType(String),
    /// The source refused it (signature, token, staleness, replay, shape), or
    /// acknowledged it without storing it ([`WebhookRejection::Unmatched`]).
    #[error(transparent)]
    Webhook(#[from] WebhookRejection),
    /// Too many requests are being handled already ([`crate::intake::IntakeBuilder::max_in_flight`]).
    /// Answered 503 with `Retry-After` at once, so nothing queues without bound.
    #[error("too many requests in flight; retry later")]
    Overloaded,
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
    /// replayed), 404 a URL the bridge never registered (an unknown source or event);
    /// 503 asks for a retry; 202 for [`WebhookRejection::Unmatched`] stops pointless
    /// retries.
    pub fn status(&self) -> StatusCode {
        match self {
            IntakeRejection::UnknownSource(_) => StatusCode::NOT_FOUND,
            IntakeRejection::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            IntakeRejection::BodyUnreadable => StatusCode::BAD_REQUEST,
            IntakeRejection::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            IntakeRejection::UnsupportedContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            IntakeRejection::Webhook(rejection) => match rejection {
                WebhookRejection::BadSignature | WebhookRejection::BadToken => {
                    StatusCode::UNAUTHORIZED
                }
                WebhookRejection::Stale | WebhookRejection::Replayed => StatusCode::FORBIDDEN,
                WebhookRejection::UnknownEvent(_) => StatusCode::NOT_FOUND,
                WebhookRejection::Unmatched => StatusCode::ACCEPTED,
                WebhookRejection::MissingHeader(_)
                | WebhookRejection::InvalidJson
                | WebhookRejection::Malformed(_) => StatusCode::BAD_REQUEST,
            },
            IntakeRejection::StoreUnavailable | IntakeRejection::Overloaded => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// A stable, machine-readable name for the reason (`unknown_source`,
    /// `bad_signature`…), answered with the message and used in logs.
    pub fn code(&self) -> &'static str {
        match self {
            IntakeRejection::UnknownSource(_) => "unknown_source",
            IntakeRejection::BodyTooLarge { .. } => "body_too_large",
            IntakeRejection::BodyUnreadable => "body_unreadable",
            IntakeRejection::BodyTimeout => "body_timeout",
            IntakeRejection::UnsupportedContentType(_) => "unsupported_content_type",
            IntakeRejection::Webhook(rejection) => rejection.code(),
            IntakeRejection::StoreUnavailable => "store_unavailable",
            IntakeRejection::Overloaded => "overloaded",
        }
    }

    /// A rejection for `source` being unknown, quoting at most a few characters of it.
    pub(crate) fn unknown_source(source: &str) -> Self {
        IntakeRejection::UnknownSource(quoted(source))
    }

    /// A rejection for the declared content type `value`.
    pub(crate) fn unsupported_content_type(value: &str) -> Self {
        IntakeRejection::UnsupportedContentType(quoted(value))
    }
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
        assert!(
            IntakeRejection::Webhook(WebhookRejection::Unmatched)
                .status()
                .is_success()
        );
        for rejection in [
            IntakeRejection::Webhook(WebhookRejection::BadToken),
            IntakeRejection::Webhook(WebhookRejection::InvalidJson),
            IntakeRejection::StoreUnavailable,
            IntakeRejection::Webhook(WebhookRejection::Replayed),
        ] {
            assert!(!rejection.status().is_success(), "{rejection}");
        }
    }
}
