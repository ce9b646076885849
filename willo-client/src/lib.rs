//! `willo-client`: a typed async client for the [Willo](https://www.willo.video)
//! Integration API v2 (one-way video interviews), with webhook intake helpers.
//!
//! - Every resource of the API: departments, interviews, participants (with IDV
//!   info/media), message templates, users, webhooks, the interview template library,
//!   child organisations, languages and IDV countries — as
//!   `client.<resource>().<call>(..)`.
//! - The seed guide's 30-minute flow as first-class calls:
//!   [`WilloClient::send_interview`] (E.164 check, dedupe by email, then
//!   `POST /participants/`) and [`WilloClient::interview_results`].
//! - [`webhooks`]: [`WebhookVerifier`] (URL-token verification), tolerant delivery
//!   parsing, and
//!   [`Webhooks::subscribe`] to register one webhook per event.
//! - Built on `client-core`: the bare API key in `Authorization` (scheme configurable),
//!   conservative client-side rate limits (5 req/s, 2 in flight), retries that never
//!   repeat an invite after a server error, DRF errors parsed into
//!   [`Error::Api`] with field messages, lists as streams (`list`) and resumable
//!   pages (`page`).
//!
//! Willo documents few field names publicly. Models keep every field they do not know
//! in an `extra` map, accept missing fields, and keep unknown enum values; where the
//! reference marks a fact uncertain (auth scheme, IDV path, filters) it is configurable.
//!
//! ## Uncertain facts, and what the client does about them
//!
//! | fact (status) | behaviour |
//! |---|---|
//! | Where a webhook body names its participant (unknown: live bodies carry several 32-hex keys) | [`webhooks::Delivery::candidates`] lists every key with its JSON path; match them against your records. [`webhooks::Delivery::participant_key`] reads the `participant*` fields only |
//! | An event name in the body (none observed) | never read: only the URL names the event |
//! | Whether an identical body is a repeat or new news (unknown: bodies hold keys only) | nothing here deduplicates; re-read the participant each time |
//! | Whether `GET /participants/?interview=` filters (unconfirmed) | [`Participants::find_by_email`] counts only participants whose own `interview` reference matches; a listing without references finds nobody (an invite may be sent twice rather than never) |
//! | Whether lists are paginated (unconfirmed per list) | [`Listing`]: the DRF envelope or a bare array |
//! | The answers' field names (unconfirmed) | [`InterviewResults::recognition`] says when none were recognised; the raw JSON is kept |
//! | The address of a participant's page in the app (undocumented) | [`WilloClientBuilder::participant_page_url`], default the app's home |
//! | Stage vs status fields (unconfirmed) | stage-like fields first, a bare `status` last |
//!
//! ```no_run
//! use willo_client::{Candidate, Metadata, SendInterview, WilloClient};
//!
//! # async fn run() -> Result<(), willo_client::Error> {
//! let client = WilloClient::builder()
//!     .api_key(std::env::var("WILLO_API_KEY").unwrap_or_default().into())
//!     .build()?;
//!
//! let outcome = client
//!     .send_interview(
//!         &SendInterview::new(
//!             "1e2048a686804049b128f1357c559cbf",
//!             Candidate::new("Jane Doe", "jane@example.com").phone("+447700900123"),
//!         )
//!         .metadata(Metadata::new().ats_candidate_id("12345")),
//!     )
//!     .await?;
//! // Store the ATS id next to the participant key: Willo has no field for it.
//! println!("created: {}, participant: {:?}", outcome.created, outcome.participant.key);
//!
//! if let Some(key) = &outcome.participant.key {
//!     let results = client.interview_results(key).await?;
//!     println!("{} answers, stage {:?}", results.responses.len(), results.stage);
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod auth;
mod children;
mod client;
mod departments;
mod ids;
mod idv_countries;
mod interview_templates;
mod interviews;
mod languages;
mod lenient;
mod message_templates;
mod pagination;
mod participants;
mod probe;
mod resource;
mod results;
mod send_interview;
mod users;
mod verify;
mod webhook_subscriptions;
pub mod webhooks;

pub use auth::{AuthScheme, Credentials};
pub use children::{ChildOrganisation, ChildOrganisationInput, Children};
pub use client::{
    DEFAULT_IDV_COUNTRIES_PATH, DEFAULT_PARTICIPANT_PAGE_URL, DEFAULT_TIMEOUT, Environment,
    PRODUCTION_BASE_URL, STAGING_BASE_URL, WilloClient, WilloClientBuilder,
};
pub use departments::{Department, DepartmentInput, Departments};
pub use ids::{
    CategoryKey, ChildKey, DepartmentKey, InterviewKey, InterviewTemplateKey, MessageTemplateKey,
    ParticipantKey, UserKey, WebhookKey, looks_like_key,
};
pub use idv_countries::{IdvCountries, IdvCountry};
pub use interview_templates::{Categories, Category, InterviewTemplate, InterviewTemplates};
pub use interviews::{Interview, InterviewFilter, InterviewInput, Interviews, UserSummary};
pub use languages::{Language, Languages};
pub use message_templates::{MessageKind, MessageTemplate, MessageTemplateInput, MessageTemplates};
pub use pagination::{Cursor, DrfPage, ListParams, Listing, MAX_PAGE_SIZE, MIN_PAGE_SIZE};
pub use participants::{
    INVITE_CLASS, InviteParticipant, Participant, ParticipantFilter, ParticipantInput, Participants,
};
pub use results::{InterviewResults, Recognition, ResponseResult, ReviewerComment};
pub use send_interview::{Candidate, Metadata, SendInterview, SendInterviewOutcome, is_e164};
pub use users::{User, UserInput, UserRole, Users};
pub use webhook_subscriptions::{Subscription, SubscriptionScope, Webhook, WebhookInput, Webhooks};
pub use webhooks::{WebhookEvent, WebhookVerifier};

/// The error type of every call (from `client-core`).
pub use client_core::{ApiError, Error, FieldError, Result};
/// Re-exported so users name the same versions.
pub use client_core::{Idempotency, LimitSpec, RateLimits, RetryPolicy, SecretString};

/// The crate README's examples, compiled as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
