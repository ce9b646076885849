//! The one error type every client in the family returns.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

use crate::redact::{body_shape, mask_emails};

/// Everything that can go wrong when talking to a vendor API.
///
/// Each variant says what happened and what a caller can do about it. The enum is
/// `#[non_exhaustive]`: match the variants you act on and keep a catch-all arm.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The vendor answered with an error status (4xx/5xx other than 401 and 429).
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The vendor throttled us (HTTP 429) and retries were exhausted or not allowed.
    /// Wait at least [`ApiError::retry_after`] (when given) before calling again.
    #[error("rate limited by the API{hint}: {0}", hint = retry_hint(.0.retry_after))]
    RateLimited(Box<ApiError>),

    /// The credentials were refused (HTTP 401). Check the API key or token; an OAuth
    /// token was refreshed once before this was returned.
    #[error("the API refused the credentials (check the API key or token): {0}")]
    Unauthorized(Box<ApiError>),

    /// A saved pagination cursor (offset token, page id) is no longer valid: it expired
    /// or was not one the API handed out. Restart the listing from the first page (or
    /// from a time window) instead of retrying it.
    #[error("the pagination cursor is no longer valid; restart the listing: {0}")]
    InvalidCursor(Box<ApiError>),

    /// The OAuth grant is no longer valid (`invalid_grant`: a refresh token was revoked,
    /// expired or already used). A person must authorise the app again.
    #[error("re-authorisation required: the OAuth grant is no longer valid ({reason})")]
    ReauthorizationRequired {
        /// What the token endpoint said.
        reason: String,
    },

    /// The request could not be sent or the response not read (DNS, TLS, connection reset…).
    #[error("transport error calling {endpoint}: {source}")]
    Transport {
        /// Method and path of the call (never the query string, which may hold personal data).
        endpoint: String,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// No response within the configured timeout. Safe calls were retried first.
    #[error("timed out calling {endpoint}; raise the client's timeout if the API is slow")]
    Timeout {
        /// Method and path of the call.
        endpoint: String,
    },

    /// The response body did not match the expected shape.
    #[error("could not decode the response at `{path}`: {message}")]
    Decode {
        /// JSON path of the offending value (`results[3].key`), `.` for the root.
        path: String,
        /// What serde said, without the value it read (`invalid type: string,
        /// expected u32`): a response may hold tokens or personal data.
        message: String,
    },

    /// An id in the path was empty, `.` or `..` (see [`crate::encode_segment`]): it would
    /// have dropped its slot or walked up the path to another endpoint. Nothing was sent.
    #[error("refusing to send `{endpoint}`: an id in the path is empty, `.` or `..`")]
    InvalidPathSegment {
        /// Method and the path as built, the unusable id marked `%%unusable-id%%`.
        endpoint: String,
    },

    /// A listing was handed a page cursor it had already followed (`A → B → A`): the API
    /// would have sent it round in a loop for ever. Restart the listing or narrow it.
    #[error("the API handed out a page cursor already followed (page {page}); stopping a loop")]
    PaginationLoop {
        /// How many pages had been fetched, the one with the repeated cursor included.
        page: usize,
    },

    /// A listing reached the most pages one listing may follow (a client's `max_pages`,
    /// default [`crate::pagination::DEFAULT_MAX_PAGES`]). Narrow the listing with
    /// filters, raise the cap, or resume from the last page's cursor.
    #[error("a listing went past {max_pages} pages; narrow it or raise the cap")]
    TooManyPages {
        /// The cap that was reached.
        max_pages: usize,
    },

    /// The caller passed something the API would refuse; nothing was sent.
    #[error("invalid input: {0}")]
    InvalidInput(String),

    /// The client was configured in a way that cannot work (bad base URL, bad header value…).
    #[error("invalid configuration: {0}")]
    Config(String),
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {}s)", d.as_secs_f64()),
        None => String::new(),
    }
}

/// Convenience alias used across the family.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A vendor's error response, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: StatusCode,
    /// The vendor's machine-readable code (`CANDIDATE_DATA_CONFLICT`, `InvalidOffset`…), if any.
    pub code: Option<String>,
    /// The vendor's human-readable message, or the status reason when none was given
    /// (e-mail addresses in it masked as `[email]`).
    pub message: String,
    /// Per-field validation messages (`name: This field is required.`), e-mail
    /// addresses masked.
    pub field_errors: Vec<FieldError>,
    /// The request id the vendor assigned, if it sent one back.
    pub request_id: Option<String>,
    /// The body's shape, at most [`ApiError::EXCERPT_LIMIT`] characters: its keys, the
    /// vendor's codes, numbers and booleans, every other string withheld (`"…"`); a body
    /// that is not JSON only by its size (see [`crate::redact::body_shape`]). An error
    /// body can quote the request back, personal data included.
    pub body_excerpt: String,
    /// How long the vendor asked us to wait (`Retry-After`), if it said.
    pub retry_after: Option<Duration>,
    /// Method and path of the call that failed.
    pub endpoint: String,
}

impl ApiError {
    /// Longest body excerpt kept on an error.
    pub const EXCERPT_LIMIT: usize = 512;

    /// An error with just a status and message; the other fields empty.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code: None,
            message: message.into(),
            field_errors: Vec::new(),
            request_id: None,
            body_excerpt: String::new(),
            retry_after: None,
            endpoint: String::new(),
        }
    }

    /// An error for `status` from what a parser read out of `body`, returned by `endpoint`.
    pub fn from_parsed(
        status: StatusCode,
        parsed: crate::error_body::ParsedErrorBody,
        body: &[u8],
        endpoint: String,
    ) -> Self {
        let message = parsed.message.map_or_else(
            || status.canonical_reason().unwrap_or("error").to_owned(),
            |m| mask_emails(&m),
        );
        let field_errors = parsed
            .field_errors
            .into_iter()
            .map(|f| FieldError {
                field: f.field,
                messages: f.messages.iter().map(|m| mask_emails(m)).collect(),
            })
            .collect();
        Self {
            code: parsed.code,
            field_errors,
            body_excerpt: body_shape(body, Self::EXCERPT_LIMIT),
            endpoint,
            ..Self::new(status, message)
        }
    }

    /// The [`Error`] variant for this error's status (401, 429, or any other).
    pub fn into_error(self) -> Error {
        let status = self.status;
        let boxed = Box::new(self);
        match status {
            StatusCode::UNAUTHORIZED => Error::Unauthorized(boxed),
            StatusCode::TOO_MANY_REQUESTS => Error::RateLimited(boxed),
            _ => Error::Api(boxed),
        }
    }

    /// The messages for one field, if the vendor reported any.
    pub fn field(&self, name: &str) -> Option<&FieldError> {
        self.field_errors.iter().find(|f| f.field == name)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        for field in &self.field_errors {
            write!(f, "; {}: {}", field.field, field.messages.join(" "))?;
        }
        if !self.endpoint.is_empty() {
            write!(f, " ({})", self.endpoint)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Validation messages attached to one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field name as the vendor spells it (`name`, `non_field_errors`, `phone`…).
    pub field: String,
    /// One or more messages for it.
    pub messages: Vec<String>,
}

impl Error {
    /// The vendor's error details, for the variants that carry them.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e)
            | Error::RateLimited(e)
            | Error::Unauthorized(e)
            | Error::InvalidCursor(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when the vendor answered.
    pub fn status(&self) -> Option<StatusCode> {
        self.api_error().map(|e| e.status)
    }

    /// The vendor's machine-readable error code, when it sent one.
    pub fn vendor_code(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.code.as_deref())
    }

    /// True for a 404 answer.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// How long the vendor asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    /// True when repeating the same call later may succeed (throttling, 5xx, timeouts,
    /// transport failures). Callers with durable queues use this to decide between
    /// "retry later" and "give up".
    pub fn is_transient(&self) -> bool {
        match self {
            Error::RateLimited(_) | Error::Timeout { .. } | Error::Transport { .. } => true,
            Error::Api(e) => e.status.is_server_error(),
            _ => false,
        }
    }
}

/// Cut `body` to at most `limit` characters on a character boundary.
pub(crate) fn excerpt(body: &[u8], limit: usize) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(limit) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_fields_code_and_request_id() {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "Bad Request");
        e.code = Some("INVALID".into());
        e.field_errors.push(FieldError {
            field: "name".into(),
            messages: vec!["This field is required.".into()],
        });
        e.request_id = Some("req-1".into());
        e.endpoint = "POST /participants/".into();
        let text = Error::Api(Box::new(e)).to_string();
        assert_eq!(
            text,
            "400 Bad Request [INVALID]; name: This field is required. (POST /participants/) (request id req-1)"
        );
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        assert_eq!(excerpt("héllo".as_bytes(), 2), "hé…");
        assert_eq!(excerpt(b"hi", 10), "hi");
    }
}
