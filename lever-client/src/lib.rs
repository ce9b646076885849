//! `lever-client`: a typed async client for the [Lever Data API v1].
//!
//! - **Auth**: API keys (HTTP Basic, key as username, empty password) or OAuth 2.0
//!   authorization code ([`LeverOAuth`]) with single-flight refresh and rotating refresh
//!   tokens handed to your store; production, sandbox, EU (uncertain) and custom
//!   [`Environment`]s.
//! - **Limits**: 10 requests/second with bursts to 20 by default; 429 and 5xx on safe
//!   calls are retried with jittered exponential backoff.
//! - **Pagination**: `list` is a `Stream` of items; `page(filter, cursor)` returns one
//!   page with the offset token to resume from, and [`is_invalid_offset`] recognises an
//!   expired one.
//! - **Resources**: opportunities, notes, stages, tags, sources, archive reasons,
//!   postings, users, contacts, webhook subscriptions.
//! - **Deliveries**: [`WebhookVerifier`] checks signatures (with token
//!   rotation), staleness and replays, without any HTTP framework.
//!
//! `perform_as` is an argument where Lever requires it ([`Opportunities::create`]) and a
//! `.perform_as(&user)` method on calls where it is optional.
//!
//! Move an opportunity to a stage, attributed to a user:
//!
//! ```no_run
//! use lever_client::{LeverClient, OpportunityId, SecretString, StageId, UserId};
//!
//! # async fn run() -> Result<(), lever_client::Error> {
//! let lever = LeverClient::builder()
//!     .api_key(SecretString::from(std::env::var("LEVER_API_KEY").unwrap_or_default()))
//!     .build()?;
//! let moved = lever
//!     .opportunities()
//!     .change_stage(&OpportunityId::from("250d8f03-738a-4bba-a671-8a3d73477145"), &StageId::from("offer"))
//!     .perform_as(&UserId::from("df0adaa6-172c-4cd6-8520-49b203660fe1"))
//!     .await?;
//! println!("now in stage {:?}", moved.stage.and_then(|s| s.id().cloned()));
//! # Ok(()) }
//! ```
//!
//! Verify a webhook delivery (headers and raw body from any HTTP framework) before
//! acting on it:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use lever_client::{SecretString, WebhookVerifier};
//! use lever_client::webhooks::{
//!     Event, FixedClock, InMemoryReplayGuard, TestDelivery, VerifyError, WebhookRequest,
//! };
//!
//! let signature_token = SecretString::from("73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089");
//! let verifier = WebhookVerifier::new(signature_token.clone())
//!     .tolerance(Duration::from_secs(600))
//!     .clock(Arc::new(FixedClock::at_millis(1431454330072 + 1_000)))
//!     .replay_guard(Arc::new(InMemoryReplayGuard::new(Duration::from_secs(600), 10_000)));
//!
//! // What Lever would send (built here with the test signer).
//! let sent = TestDelivery::new(Event::CandidateHired, "be58f711f349", 1431454330072)
//!     .sign(&signature_token);
//! let delivery = verifier.verify(&WebhookRequest::new(&sent.headers, &sent.body))?;
//! assert_eq!(delivery.event, Event::CandidateHired);
//! // Once it is stored or acted on, the same delivery again is a replay (until then
//! // it is Lever's retry of a delivery whose processing failed).
//! verifier.accepted(&delivery);
//! assert!(matches!(verifier.verify(&sent.request()), Err(VerifyError::Replayed)));
//! # Ok::<_, VerifyError>(())
//! ```
//!
//! [Lever Data API v1]: https://hire.lever.co/developer/documentation
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod archive_reasons;
mod auth;
mod client;
mod common;
mod contacts;
mod enums;
mod ids;
mod notes;
mod opportunities;
mod postings;
mod sources;
mod stages;
mod tags;
mod users;
mod webhook_management;
pub mod webhooks;

pub use archive_reasons::{ArchiveReason, ArchiveReasonStatus, ArchiveReasonType, ArchiveReasons};
pub use auth::{
    AccessToken, Credentials, Endpoints, Environment, LeverOAuth, OFFLINE_ACCESS,
    RefreshTokenStore, TokenResponse,
};
pub use client::{DEFAULT_TIMEOUT, LeverClient, LeverClientBuilder};
pub use common::{Call, Expandable, ListPage, is_invalid_offset};
pub use contacts::{Contact, ContactLocation, Contacts, Phone};
pub use enums::{Confidentiality, Origin};
pub use ids::{
    ApplicationId, ArchiveReasonId, ContactId, NoteId, OpportunityId, PerformAs, PostingId,
    RequisitionId, StageId, UserId, WebhookId,
};
pub use notes::{CreatedNote, NewNote, Note, NoteField, Notes};
pub use opportunities::{
    Archive, Archived, CreatedOpportunity, NewOpportunity, Opportunities, Opportunity,
    OpportunityExpand, OpportunityFilter, StageChange, Urls,
};
pub use postings::{Posting, PostingExpand, PostingFilter, PostingState, Postings, WorkplaceType};
pub use sources::{Counted, Sources};
pub use stages::{Stage, Stages};
pub use tags::Tags;
pub use users::{AccessRole, User, UserFilter, Users};
pub use webhook_management::{
    Conditions, ConfigurationInput, NewWebhook, Webhook, WebhookConfiguration, WebhookUpdate,
    Webhooks,
};
pub use webhooks::WebhookVerifier;

pub use client_core::{Error, LimitSpec, RateLimits, Result, RetryPolicy, SecretString};

/// The crate README's examples, compiled as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
