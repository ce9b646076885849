//! Typed async client for the SmartRecruiters Customer API and Webhooks API.
//!
//! - **Auth**: `X-SmartToken` API key, OAuth 2.0 client credentials (secret in the form
//!   body or HTTP Basic), and the authorization-code grant with single-use refresh
//!   tokens handed to your [`RefreshTokenStore`] ([`Credentials`]). Tokens are cached until
//!   shortly before they expire and refreshed by one task at a time.
//! - **Limits**: 10 req/s and 8 in flight per credential, one `GET /candidates` in
//!   flight, 2 req/s on publication endpoints, a 128 s timeout; 429s and 5xx on safe
//!   calls are retried with backoff; [`SmartRecruitersClient::rate_limit_status`] shows
//!   the API's `X-RateLimit-*` headers.
//! - **Resources**: [`candidates`](Candidates), [`applications`](Applications),
//!   [`notes`](Notes) (Message API), [`jobs`](Jobs), [`configuration`](Configuration),
//!   [`users`](Users), webhook [`subscriptions`](Subscriptions). Lists are resumable
//!   `Stream`s following `nextPageId` (or the `Link` header).
//! - **Application data**: candidate properties ([`Applications::properties`],
//!   [`Applications::set_properties`], definitions with
//!   [`Configuration::candidate_properties`]), screening answers
//!   ([`Applications::screening_answers`]), the source ([`Applications::set_source`],
//!   [`Configuration::sources`]), onboarding status, offers, removing an application
//!   ([`Applications::delete_by_id`]), résumé parsing ([`Candidates::create_from_resume`]),
//!   consent ([`Candidates::consent`], [`Candidates::request_consent`]) and
//!   [`interviews`](Interviews) (read, schedule, update, timeslots, attendance).
//! - **Scopes**: each call's documentation names the OAuth scope it needs; the README
//!   has the whole table (an API key has every right of the company).
//! - **Deliveries**: [`WebhookVerifier`] checks `smartrecruiters-signature` (several
//!   keys during a rotation, a timestamp window) and [`webhooks`] parses events, with no
//!   HTTP framework needed.
//! - **Errors**: one [`Error`] type; [`is_candidate_data_conflict`] spots the 409
//!   `CANDIDATE_DATA_CONFLICT`.
//!
//! An OAuth client-credentials client listing the candidates in review:
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use smartrecruiters_client::{
//!     ApplicationStatus, CandidateFilter, Credentials, OAuthClient, SecretString,
//!     SmartRecruitersClient,
//! };
//!
//! # async fn run() -> Result<(), smartrecruiters_client::Error> {
//! let app = OAuthClient::new("my-client-id", SecretString::from("my-client-secret"));
//! let client = SmartRecruitersClient::builder()
//!     .credentials(Credentials::client_credentials(app))
//!     .build()?;
//!
//! let filter = CandidateFilter::new().status(ApplicationStatus::InReview).limit(100);
//! let mut candidates = client.candidates().list(&filter);
//! while let Some(candidate) = candidates.try_next().await? {
//!     println!("{} {:?}", candidate.id, candidate.primary_assignment);
//! }
//! # Ok(()) }
//! ```
//!
//! Verifying a webhook delivery (headers and raw body from any HTTP framework):
//!
//! ```
//! use smartrecruiters_client::webhooks::{TestDelivery, WebhookEvent, WebhookRequest};
//! use smartrecruiters_client::{SecretString, WebhookVerifier};
//!
//! let secret = SecretString::from("secret-key-from-the-webhooks-api");
//! let now = std::time::SystemTime::now()
//!     .duration_since(std::time::UNIX_EPOCH)
//!     .unwrap()
//!     .as_secs();
//! // What SmartRecruiters would send (built here with the test signer).
//! let body = br#"{"job_id":"j1","candidate_id":"c1","application_id":"a1"}"#;
//! let sent = TestDelivery::new("application.status.updated", body.to_vec(), now)
//!     .link("<https://api.smartrecruiters.com/candidates/c1/jobs/j1>; rel=self")
//!     .sign(&secret);
//!
//! let verifier = WebhookVerifier::new(secret);
//! let delivery = verifier.verify(&WebhookRequest::new(&sent.headers, body))?;
//! match delivery.event {
//!     WebhookEvent::ApplicationStatusUpdated(event) => {
//!         assert_eq!(event.candidate_id.as_str(), "c1");
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<_, smartrecruiters_client::webhooks::VerifyError>(())
//! ```
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod applications;
mod auth;
mod candidates;
mod client;
mod common;
mod configuration;
mod consent;
mod ids;
mod interviews;
mod jobs;
mod notes;
mod offers;
mod onboarding;
mod properties;
mod screening;
mod sources;
mod subscriptions;
mod users;
mod verify;
pub mod webhooks;

pub use applications::{
    Application, ApplicationStatus, Applications, JOB_APPLICATIONS_API, JobApplication,
    StatusChange, StatusHistoryEntry,
};
pub use auth::{
    API_KEY_HEADER, Credentials, DEFAULT_AUTHORIZE_URL, DEFAULT_TOKEN_URL, OAuthClient,
    RefreshTokenGrant, WWW_TOKEN_URL,
};
pub use candidates::{
    AssignedJob, Assignment, Attachment, AttachmentType, Candidate, CandidateDetails,
    CandidateFilter, Candidates, Consent, ConsentStatus, Download, NewCandidate, OnboardingStatus,
    PersonalDetails, Resume, SourceDetails, Tags, Upload, WebProfiles,
};
pub use client::{
    CLASS_CANDIDATES_LIST, CLASS_PUBLICATION, DEFAULT_TIMEOUT, Environment, PRODUCTION_BASE_URL,
    SmartRecruitersClient, SmartRecruitersClientBuilder,
};
pub use common::{Action, Actions, CursorPage, IdLabel, Listing, Location, next_page_id_from_link};
pub use configuration::{Company, Configuration, HiringProcess};
pub use consent::{
    CandidateConsent, ConsentDecision, ConsentDecisionStatus, ConsentDecisions, ConsentRequest,
    ConsentRequestResult, ConsentRequestResults, ConsentRequests, ConsentScope,
};
pub use ids::{ApplicationId, AttachmentId, CandidateId, JobId, MessageId, SubscriptionId, UserId};
pub use interviews::{
    AttendeeStatus, INTERVIEWS_API, Interview, InterviewCandidate, InterviewUpdate, Interviewer,
    Interviews, NewInterview, NewTimeslot, Timeslot,
};
pub use jobs::{
    Compensation, Creator, HiringTeamMember, HiringTeamRole, Job, JobDetails, JobFilter,
    JobProperty, JobSort, JobStatus, JobStatusChange, Jobs, PostingStatus, Publication,
    PublicationVisibility,
};
pub use notes::{
    MAX_NOTE_CHARS, NewNote, Note, NoteApplication, NoteContent, NoteContext, NoteCreated, Notes,
    ShareWith, TRUNCATION_MARKER, Visibility, escape_note_markup,
};
pub use offers::{Offer, OfferFilter, OfferStatus};
pub use properties::{
    CandidateProperty, PropertyDefinition, PropertyType, PropertyValue, PropertyValueInput,
};
pub use screening::{AnswerField, AnswerFieldValue, AnswerRecord, QuestionType, ScreeningAnswer};
pub use sources::{Source, SourceType};
pub use subscriptions::{
    CallbackAuthentication, CallbackLogEntry, CallbackLogFilter, CallbackStatus, EventName,
    NewSubscription, SecretKey, SubscribedEvent, Subscription, SubscriptionStatus, Subscriptions,
    WEBHOOKS_API,
};
pub use users::{USER_API, User, UserFilter, Users};
pub use webhooks::WebhookVerifier;

pub use client_core::oauth::{RefreshTokenStore, TokenResponse};
pub use client_core::{
    Error, LimitSpec, RateLimitStatus, RateLimits, Result, RetryPolicy, SecretString,
};
pub use client_core::{ExposeSecret, header, secrecy};

/// The vendor code of the 409 SmartRecruiters returns when a candidate's email plus last
/// name would collide with another candidate.
pub const CANDIDATE_DATA_CONFLICT: &str = "CANDIDATE_DATA_CONFLICT";

/// True when `error` is the 409 `CANDIDATE_DATA_CONFLICT` of a candidate update: another
/// candidate already has this email and last name (merge or change one of them).
pub fn is_candidate_data_conflict(error: &Error) -> bool {
    error.status() == Some(client_core::StatusCode::CONFLICT)
        && error.api_error().is_some_and(|api| {
            api.code.as_deref() == Some(CANDIDATE_DATA_CONFLICT)
                || api.body_excerpt.contains(CANDIDATE_DATA_CONFLICT)
        })
}

/// The crate README's examples, compiled as doc tests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
