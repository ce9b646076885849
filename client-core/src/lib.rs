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
//!   request id, the body's shape (values withheld) and `Retry-After`;
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
//!
//! # TLS trust store
//!
//! The transport speaks TLS with rustls. Which certificate authorities it trusts is a cargo
//! feature, forwarded under the same names by `willo-client`, `smartrecruiters-client`,
//! `lever-client` and `ats-bridge`:
//!
//! - `rustls-tls-webpki-roots` (default): the Mozilla roots bundled in the binary, the same
//!   on every machine;
//! - `rustls-tls-native-roots`: the platform's root store, read when a client is built
//!   (the OS certificates, or `SSL_CERT_FILE`): what a network that inspects TLS with a
//!   corporate CA needs. `default-features = false, features = ["rustls-tls-native-roots"]`
//!   trusts only those; with both features on, both sets are trusted.
//!
//! A client injected with `.http_client(…)` brings its own roots (and proxy, timeouts); OAuth
//! token calls go through it too.
//!
//! # The three clients: one shape
//!
//! `willo-client`, `smartrecruiters-client` and `lever-client` look the same, so knowing one is
//! knowing all three. The same name means the same thing in every crate; where they differ, the
//! vendor's API differs (noted below).
//!
//! ```text
//! src/lib.rs          crate docs with a runnable example; flat re-exports (modules private)
//! src/client.rs       XClient + XClientBuilder + Environment; every resource accessor
//! src/auth.rs         Credentials (and OAuth where the vendor has it)
//! src/ids.rs          the id newtypes
//! src/<resource>.rs   one file per resource: its models and its calls
//! src/webhooks.rs     `pub mod webhooks`: WebhookVerifier, Delivery, VerifyError, TestDelivery
//! ```
//!
//! `webhooks` is the one public module: receiving a delivery is a separate job from calling the
//! API (a receiver may never build a client), and its names (`Delivery`, `VerifyError`, `sign`,
//! header constants, `Clock`) would crowd or collide at the root. `WebhookVerifier` is also
//! re-exported at the root.
//!
//! ## Builder
//!
//! `XClient::builder()` takes no arguments; every setting is a verb, and `build()` checks them.
//!
//! | verb | what it sets |
//! |---|---|
//! | `.credentials(Credentials)` | how to authenticate (required) |
//! | `.api_key(SecretString)` | shorthand for `Credentials::ApiKey` (Lever also has `.oauth(app, refresh_token, store)`) |
//! | `.environment(Environment)` | `Production` (default), the vendor's others (`Staging` for Willo, `Sandbox`/`Eu` for Lever), `Custom(..)` |
//! | `.base_url(url)` | a custom API root (a proxy, a test server); for Lever the OAuth endpoints stay the environment's |
//! | `.limits(RateLimits)` | client-side pacing; default `XClient::default_limits()` |
//! | `.timeout(Duration)` | time allowed for one attempt |
//! | `.http_client(reqwest::Client)` | send through this client (proxy, TLS roots); its own timeouts and user agent then apply |
//! | `.build()` | `Result<XClient>`; `Error::Config` without credentials or with a bad URL |
//!
//! Also in every crate (one implementation in `client_options_setters!`): `.user_agent(..)`,
//! `.retry_policy(..)`, `.shared_limiter(..)`. Vendor-only verbs: Willo `.auth_scheme(..)`,
//! `.idv_countries_path(..)`; SmartRecruiters `.token_refresh_margin(..)`; Lever `.oauth(..)`,
//! `.access_token(..)`.
//!
//! ```rust,no_run
//! use std::time::Duration;
//! use lever_client::LeverClient;
//! use smartrecruiters_client::SmartRecruitersClient;
//! use willo_client::WilloClient;
//! use client_core::SecretString;
//!
//! let willo = WilloClient::builder()
//!     .api_key(SecretString::from("willo-key"))
//!     .environment(willo_client::Environment::Staging)
//!     .limits(WilloClient::default_limits())
//!     .timeout(Duration::from_secs(30))
//!     .build()?;
//! let sr = SmartRecruitersClient::builder()
//!     .credentials(smartrecruiters_client::Credentials::ApiKey(SecretString::from("sr-key")))
//!     .environment(smartrecruiters_client::Environment::Production)
//!     .limits(SmartRecruitersClient::default_limits())
//!     .http_client(client_core::HttpClient::new())
//!     .build()?;
//! let lever = LeverClient::builder()
//!     .api_key(SecretString::from("lever-key"))
//!     .base_url("https://lever-proxy.example.com/v1")
//!     .limits(LeverClient::default_limits())
//!     .build()?;
//! # let _ = (willo, sr, lever);
//! # Ok::<_, client_core::Error>(())
//! ```
//!
//! ## Resource handles
//!
//! `client.<resource>()` returns a handle that borrows the client (`Candidates<'a>` holds
//! `&'a SmartRecruitersClient`); it is cheap, so make one per call. Calls read as the API does.
//!
//! ```rust,no_run
//! # async fn run(
//! #     willo: willo_client::WilloClient,
//! #     sr: smartrecruiters_client::SmartRecruitersClient,
//! #     lever: lever_client::LeverClient,
//! # ) -> client_core::Result<()> {
//! use smartrecruiters_client::CandidateId;
//! use lever_client::{OpportunityId, UserId};
//! use willo_client::InterviewKey;
//!
//! let interview = willo.interviews().get(&InterviewKey::from("1e2048a686804049b128f1357c559cbf")).await?;
//! let candidate = sr.candidates().get(&CandidateId::from("c-1")).await?;
//! let moved = lever
//!     .opportunities()
//!     .add_tags(&OpportunityId::from("o-1"), &["video-sent"])
//!     .perform_as(&UserId::from("u-1"))
//!     .await?;
//! # let _ = (interview, candidate, moved);
//! # Ok(()) }
//! ```
//!
//! ## Paging: `list` and `page`
//!
//! Every listing has exactly two verbs, built on [`pagination`]:
//!
//! - `list(filter)` → [`pagination::ItemStream`]: every item, fetched page by page as the stream
//!   is polled, one page in memory at a time.
//! - `page(filter, cursor)` → `Result<`[`pagination::Page`]`<Item, Cursor>>`: one page (`cursor`
//!   `None` for the first) with `page.next`, the cursor to save and resume from. The cursor is
//!   the vendor's: Willo's `Cursor` (the `next` link, carrying the filters), SmartRecruiters'
//!   `pageId`, Lever's offset token (both `String`).
//!
//! A listing never runs for ever: one that is handed a cursor it already followed ends with
//! [`Error::PaginationLoop`], and one that reaches the builder's `.max_pages(n)` (default
//! [`pagination::DEFAULT_MAX_PAGES`]) ends with [`Error::TooManyPages`].
//!
//! ```rust,no_run
//! # async fn run(
//! #     willo: willo_client::WilloClient,
//! #     sr: smartrecruiters_client::SmartRecruitersClient,
//! #     lever: lever_client::LeverClient,
//! # ) -> client_core::Result<()> {
//! use futures::TryStreamExt;
//!
//! // `list`: a stream of items.
//! let mut interviews = willo.interviews().list(willo_client::InterviewFilter::new());
//! while let Some(interview) = interviews.try_next().await? {
//!     println!("{:?}", interview.key);
//! }
//! let stages: Vec<_> = lever.stages().list().try_collect().await?;
//!
//! // `page`: one page and the cursor to resume from.
//! let filter = smartrecruiters_client::CandidateFilter::new().limit(100);
//! let mut cursor = None;
//! loop {
//!     let page = sr.candidates().page(&filter, cursor).await?;
//!     println!("{} candidates", page.items.len());
//!     match page.next {
//!         Some(next) => cursor = Some(next), // save it to resume here later
//!         None => break,
//!     }
//! }
//! # let _ = stages;
//! # Ok(()) }
//! ```
//!
//! ## Webhooks: one verifier
//!
//! `webhooks::WebhookVerifier` has the same verbs in every crate, from [`webhook`]:
//!
//! | verb | meaning |
//! |---|---|
//! | `WebhookVerifier::new(secret)` | accept deliveries proven with `secret` (SmartRecruiters: the subscription's secret key; Lever: the signature token; Willo: the URL token) |
//! | `.also_accept(secret)` | accept another secret too (rotation); every secret is tried, in constant time |
//! | `.tolerance(Duration)` | the timestamp window (SmartRecruiters default 5 min, Lever 10 min) |
//! | `.without_tolerance()` | no timestamp check |
//! | `.clock(Arc<dyn Clock>)` | where "now" comes from (a `FixedClock` in tests) |
//! | `.verify(&WebhookRequest)` | `Result<Delivery, VerifyError>`: checked, then parsed |
//!
//! `verify` takes a [`webhook::WebhookRequest`] (headers, query string, raw body), not
//! `(headers, body)`: where the proof travels is the vendor's choice (a header signature at
//! SmartRecruiters, body fields at Lever, a token in the registered URL's query string at Willo),
//! and one request type gives one signature in all three. Build it with
//! `WebhookRequest::new(&headers, &body).query(uri.query())`; the query matters only to Willo.
//! Willo deliveries carry no timestamp, so its verifier has no `tolerance`/`clock`; Lever's also
//! has `.replay_guard(..)`. Each crate's `VerifyError` has a variant per cause (`BadSignature` or
//! `BadToken`, `Stale`, missing/malformed parts).
//!
//! Tests sign with `webhooks::TestDelivery::new(..).sign(&secret)`, which returns a
//! [`webhook::SignedRequest`] (headers, query, body) as the vendor would send it; `sign(..)` (the
//! raw signature) exists where the vendor signs (SmartRecruiters, Lever).
//!
//! ```rust
//! use std::sync::Arc;
//! use std::time::Duration;
//! use client_core::SecretString;
//! use client_core::webhook::{FixedClock, WebhookRequest};
//!
//! let secret = SecretString::from("whsec");
//! let now = 1_700_000_000;
//! let clock = Arc::new(FixedClock::at_millis(now * 1000));
//!
//! // SmartRecruiters: a signature header over timestamp, body and event headers.
//! let sent = smartrecruiters_client::webhooks::TestDelivery::new(
//!     "candidate.created", br#"{"id":"c1"}"#.to_vec(), now,
//! ).sign(&secret);
//! let verifier = smartrecruiters_client::WebhookVerifier::new(SecretString::from("new"))
//!     .also_accept(secret.clone())
//!     .tolerance(Duration::from_secs(300))
//!     .clock(clock.clone());
//! let delivery = verifier.verify(&WebhookRequest::new(&sent.headers, &sent.body))?;
//! assert_eq!(delivery.meta.event_name, "candidate.created");
//!
//! // Lever: the signature is a field of the body.
//! let sent = lever_client::webhooks::TestDelivery::new(
//!     lever_client::webhooks::Event::CandidateHired, "delivery-token", now * 1000,
//! ).sign(&secret);
//! let verifier = lever_client::WebhookVerifier::new(secret.clone())
//!     .without_tolerance()
//!     .clock(clock);
//! let delivery = verifier.verify(&sent.request()).unwrap();
//! assert_eq!(delivery.event, lever_client::webhooks::Event::CandidateHired);
//!
//! // Willo: the token is in the query string of the URL you registered.
//! let sent = willo_client::webhooks::TestDelivery::new(
//!     willo_client::WebhookEvent::NewResponse,
//!     br#"{"participant_key":"0123456789abcdef0123456789abcdef"}"#.to_vec(),
//! ).sign(&secret);
//! let verifier = willo_client::WebhookVerifier::new(secret);
//! let request = WebhookRequest::new(&sent.headers, &sent.body).query(sent.query.as_deref());
//! let delivery = verifier.verify(&request).unwrap();
//! assert_eq!(delivery.event, Some(willo_client::WebhookEvent::NewResponse));
//! # Ok::<_, smartrecruiters_client::webhooks::VerifyError>(())
//! ```
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod access;
pub mod auth;
mod credentials;
mod decode;
mod error;
pub mod error_body;
mod macros;
pub mod metrics;
pub mod oauth;
mod options;
pub mod pagination;
pub mod rate_limit;
pub mod redact;
pub mod redirect;
mod request;
pub mod retry;
mod transport;
pub mod webhook;

pub use credentials::CredentialState;
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

/// The crate README's examples, compiled as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
