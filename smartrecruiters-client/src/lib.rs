//! Typed async client for the SmartRecruiters Customer API and Webhooks API.
//!
//! - **Auth**: `X-SmartToken` API key, OAuth 2.0 client credentials (secret in the form
//!   body or HTTP Basic), and the authorization-code grant with single-use refresh
//!   tokens handed to your [`RefreshTokenStore`] ([`auth`]). Tokens are cached until
//!   shortly before they expire and refreshed by one task at a time.
//! - **Limits**: 10 req/s and 8 in flight per credential, one `GET /candidates` in
//!   flight, 2 req/s on publication endpoints, a 128 s timeout; 429s and 5xx on safe
//!   calls are retried with backoff; [`SmartRecruitersClient::rate_limit_status`] shows
//!   the API's `X-RateLimit-*` headers.
//! - **Resources**: [`candidates`](Candidates), [`applications`](Applications),
//!   [`notes`](Notes) (Message API), [`jobs`](Jobs), [`configuration`](Configuration),
//!   [`users`](Users), webhook [`subscriptions`](Subscriptions). Lists are resumable
//!   `Stream`s following `nextPageId` (or the `Link` header).
//! - **Deliveries**: [`webhooks`] verifies `smartrecruiters-signature` and parses events,
//!   with no HTTP framework needed.
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
//! let mut candidates = client.candidates().search(&filter);
//! while let Some(candidate) = candidates.try_next().await? {
//!     println!("{} {:?}", candidate.id, candidate.primary_assignment);
//! }
//! # Ok(()) }
//! ```
//!
//! Verifying a webhook delivery (headers and raw body from any HTTP framework):
//!
//! ```
//! use smartrecruiters_client::webhooks::{TestDelivery, WebhookEvent, WebhookVerifier};
//! use smartrecruiters_client::SecretString;
//!
//! let secret = SecretString::from("secret-key-from-the-webhooks-api");
//! let now = std::time::SystemTime::now()
//!     .duration_since(std::time::UNIX_EPOCH)
//!     .unwrap()
//!     .as_secs();
//! // What SmartRecruiters would send (built here with the test signer).
//! let body = br#"{"job_id":"j1","candidate_id":"c1","application_id":"a1"}"#;
//! let headers = TestDelivery::new("application.status.updated", body.to_vec(), now)
//!     .link("<https://api.smartrecruiters.com/candidates/c1/jobs/j1>; rel=self")
//!     .headers(&[&secret]);
//!
//! let verifier = WebhookVerifier::new(secret);
//! let delivery = verifier.verify_delivery(&headers, body)?;
//! match delivery.event {
//!     WebhookEvent::ApplicationStatusUpdated(event) => {
//!         assert_eq!(event.candidate_id.as_str(), "c1");
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<_, smartrecruiters_client::webhooks::VerifyError>(())
//! ```
#![warn(missing_docs)]

pub mod applications;
pub mod auth;
pub mod candidates;
mod client;
pub mod common;
pub mod configuration;
pub mod jobs;
pub mod notes;
pub mod subscriptions;
pub mod users;
pub mod webhooks;

pub use applications::{
    Application, ApplicationStatus, Applications, JobApplication, StatusChange, StatusHistoryEntry,
};
pub use auth::{Credentials, OAuthClient, RefreshTokenGrant};
pub use candidates::{
    Attachment, AttachmentType, Candidate, CandidateDetails, CandidateFilter, Candidates, Download,
    NewCandidate, PersonalDetails, Upload,
};
pub use client::{
    CLASS_CANDIDATES_LIST, CLASS_PUBLICATION, DEFAULT_BASE_URL, DEFAULT_TIMEOUT,
    SmartRecruitersClient, SmartRecruitersClientBuilder, default_rate_limits,
};
pub use common::{
    ApplicationId, AttachmentId, CandidateId, CursorPage, JobId, MessageId, SubscriptionId, UserId,
};
pub use configuration::{Configuration, HiringProcess};
pub use jobs::{Job, JobDetails, JobFilter, JobStatus, Jobs, PostingStatus};
pub use notes::{NewNote, NoteContent, Notes, ShareWith};
pub use subscriptions::{EventName, NewSubscription, Subscription, Subscriptions};
pub use users::{User, UserFilter, Users};

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
