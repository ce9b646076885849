//! `client-core`: the one HTTP transport shared by `willo-client`,
//! `smartrecruiters-client` and `lever-client`.
//!
//! It holds everything three API clients would otherwise write three times:
//!
//! - [`Transport`]: base URL, user agent, timeouts, rustls, pluggable [`auth`]
//!   (static header, HTTP Basic, OAuth bearer with single-flight refresh);
//! - [`rate_limit`]: a per-credential GCRA limiter plus concurrency caps, with extra
//!   limits per endpoint class;
//! - [`retry`]: idempotency-aware retries with capped, jittered exponential backoff,
//!   `Retry-After` honoured and a retry budget;
//! - [`Error`]: one error type carrying status, vendor code, message, field errors,
//!   request id, a body excerpt and `Retry-After`;
//! - [`pagination`]: any vendor envelope as a `Stream` of items, resumable;
//! - [`oauth`]: token endpoint grants shared by the vendors;
//! - [`webhook`]: HMAC, constant-time comparison, clocks and replay guards;
//! - [`Transport::request_json`]: the escape hatch for endpoints without a typed call.
//!
//! Every request runs in a `tracing` span named `http_request` with the vendor, method
//! and path (never the query string or body, which may carry personal data) and the
//! endpoint class; each try is a child span `attempt` with its number, status and
//! latency.
//!
//! ```
//! use std::sync::Arc;
//! use client_core::{auth::StaticHeader, LimitSpec, RateLimits, Transport};
//! use reqwest::header::AUTHORIZATION;
//! use secrecy::SecretString;
//!
//! let transport = Transport::builder("willo")
//!     .base_url("https://api.willotalent.com/api/integrations/v2")
//!     .auth(Arc::new(StaticHeader::new(AUTHORIZATION, None, SecretString::from("key"))))
//!     .rate_limits(RateLimits::new(LimitSpec::default().per_second(5).max_in_flight(2)))
//!     .build()?;
//! assert!(!format!("{transport:?}").contains("key\""));
//! # Ok::<_, client_core::Error>(())
//! ```
#![warn(missing_docs)]

pub mod auth;
mod decode;
mod error;
pub mod error_body;
mod macros;
pub mod oauth;
mod options;
pub mod pagination;
pub mod rate_limit;
mod request;
pub mod retry;
mod transport;
pub mod webhook;

pub use decode::json as decode_json;
pub use error::{ApiError, Error, FieldError, Result};
pub use options::ClientOptions;
pub use rate_limit::{LimitSpec, RateLimitStatus, RateLimits};
pub use request::{MultipartPart, RequestBuilder, encode_segment};
pub use retry::{Idempotency, RetryBudget, RetryPolicy};
pub use transport::{RawResponse, Transport, TransportBuilder, query_pairs};

/// Re-exported so clients and users name one version of these.
pub use reqwest::{Client as HttpClient, Method, StatusCode, header};
pub use secrecy::{self, ExposeSecret, SecretString};
pub use url::Url;

#[doc(hidden)]
pub mod __private {
    //! Paths the exported macros expand to; not part of the public API.
    pub use serde;
    pub use serde_json;
}
