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
//! - **Resources**: opportunities, notes, applications, interviews and panels,
//!   feedback and feedback templates, profile forms and their templates, offers, files,
//!   resumes, uploads, requisitions, stages, tags, sources, archive reasons, postings,
//!   users, contacts, audit events, webhook subscriptions. Each call's documentation
//!   names the OAuth scope it needs (API keys: the matching endpoint permission); the
//!   crate README has them in one table. Lever publishes no per-endpoint scope table,
//!   so the mapping follows the scope names.
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

mod applications;
mod archive_reasons;
mod audit_events;
mod auth;
mod client;
mod common;
mod contacts;
mod enums;
mod feedback;
mod files;
mod form_fields;
mod forms;
mod ids;
mod interviews;
mod notes;
mod offers;
mod opportunities;
mod postings;
mod requisitions;
mod sources;
mod stages;
mod tags;
mod templates;
mod users;
mod verify;
mod webhook_management;
pub mod webhooks;

pub use applications::{Application, Applications};
pub use archive_reasons::{ArchiveReason, ArchiveReasonStatus, ArchiveReasonType, ArchiveReasons};
pub use audit_events::{AuditActor, AuditEvent, AuditEventFilter, AuditEvents};
pub use auth::{
    AccessToken, Credentials, Endpoints, Environment, LeverOAuth, OFFLINE_ACCESS,
    RefreshTokenStore, TokenResponse,
};
pub use client::{DEFAULT_TIMEOUT, LeverClient, LeverClientBuilder};
pub use common::{Call, Download, Expandable, ListPage, is_invalid_offset};
pub use contacts::{Contact, ContactLocation, ContactUpdate, Contacts, Phone};
pub use enums::{Confidentiality, Origin};
pub use feedback::{Feedback, FeedbackUpdate, Feedbacks, NewFeedback};
pub use files::{File, FileUpload, Files, Resume, Resumes, Upload, Uploads};
pub use form_fields::{FieldOption, FieldValue, FormField};
pub use forms::{NewProfileForm, ProfileForm, ProfileForms};
pub use ids::{
    ApplicationId, ArchiveReasonId, AuditEventId, ContactId, FeedbackId, FeedbackTemplateId,
    FileId, FormId, FormTemplateId, InterviewId, NoteId, OfferId, OpportunityId, PanelId,
    PerformAs, PostingId, RequisitionId, ResumeId, StageId, UserId, WebhookId,
};
pub use interviews::{
    Interview, Interviewer, Interviews, NewInterview, NewInterviewer, NewPanel, Panel, Panels,
};
pub use notes::{CreatedNote, NewNote, Note, NoteField, NoteUpdate, NoteValue, Notes};
pub use offers::{Offer, OfferDocument, OfferDocumentKind, OfferField, OfferStatus, Offers};
pub use opportunities::{
    Archive, Archived, CreatedOpportunity, NewOpportunity, Opportunities, Opportunity,
    OpportunityExpand, OpportunityFilter, StageChange, Urls,
};
pub use postings::{
    Applied, ApplyQuestions, CustomQuestions, NamedField, NamedValue, NewApplication, Posting,
    PostingExpand, PostingFilter, PostingInput, PostingState, Postings, WorkplaceType,
};
pub use requisitions::{
    NewRequisition, Requisition, RequisitionFilter, RequisitionStatus, Requisitions,
};
pub use sources::{Counted, Sources};
pub use stages::{Stage, Stages};
pub use tags::Tags;
pub use templates::{FeedbackTemplate, NewTemplate, ProfileFormTemplate, Template, Templates};
pub use users::{AccessRole, NewUser, User, UserFilter, Users};
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
