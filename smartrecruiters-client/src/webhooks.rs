//! Receiving webhook deliveries, without any HTTP framework: the activation handshake,
//! signature verification (`smartrecruiters-signature: v1=<hex>`, several keys during
//! rotation, a timestamp window with an injectable clock, constant-time comparison),
//! typed events, and a signer for tests.
//!
//! The signed message is
//! `timestamp "." raw body "." event-id "." event-name "." event-version "." link`,
//! header values verbatim and a missing header read as an empty string; `v1` is the
//! lower-case hex HMAC-SHA256 of it keyed with the subscription's secret key.
//!
//! Deliveries are acknowledged with **202 within 5 s**; process them asynchronously and
//! deduplicate on [`DeliveryMeta::event_id`] (SmartRecruiters re-delivers failures up to
//! 10 times).

use std::time::Duration;

use client_core::header::{HeaderMap, HeaderName, HeaderValue};
/// Clocks for the timestamp window (inject [`FixedClock`] in tests).
pub use client_core::webhook::{Clock, FixedClock, SystemClock};
use client_core::webhook::{Secrets, Window, hmac_sha256_hex};
/// The request a verifier reads and what the test signer returns (from `client-core`).
pub use client_core::webhook::{SignedRequest, WebhookRequest};
use client_core::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{ApplicationId, AttachmentId, CandidateId, JobId};

/// Signature header.
pub const SIGNATURE_HEADER: &str = "smartrecruiters-signature";
/// Timestamp header (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "smartrecruiters-timestamp";
/// Event name header.
pub const EVENT_NAME_HEADER: &str = "event-name";
/// Event id header.
pub const EVENT_ID_HEADER: &str = "event-id";
/// Event version header.
pub const EVENT_VERSION_HEADER: &str = "event-version";
/// Link header (absent on `*.deleted` events).
pub const LINK_HEADER: &str = "link";
/// Activation handshake header.
pub const HOOK_SECRET_HEADER: &str = "x-hook-secret";
/// Default tolerance between the delivery's timestamp and now. SmartRecruiters
/// documents none, so this is a choice: configure it with
/// [`WebhookVerifier::tolerance`].
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Why a delivery was refused. Each case is its own variant so a receiver can log and
/// count them apart; all of them should be answered with a 4xx.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent (the subscription may have no secret key yet:
    /// generate one with `Subscriptions::generate_secret_key`).
    #[error("the delivery has no `{0}` header")]
    MissingHeader(&'static str),
    /// A header is present but unreadable.
    #[error("the `{header}` header is malformed: {reason}")]
    MalformedHeader {
        /// Which header.
        header: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// No `v1` signature matches any configured secret key: forged, altered, or signed
    /// with a key this verifier does not know (rotate in the new key).
    #[error("the signature matches none of the configured secret keys")]
    BadSignature,
    /// The signature is valid but the timestamp is outside the tolerance window
    /// (a replay or a badly skewed clock).
    #[error(
        "the delivery timestamp {timestamp} is {age_secs}s away from now (tolerance {tolerance_secs}s)"
    )]
    Stale {
        /// The delivery's timestamp (Unix seconds).
        timestamp: u64,
        /// Distance from now, in seconds.
        age_secs: u64,
        /// The configured tolerance, in seconds.
        tolerance_secs: u64,
    },
    /// The body does not fit the event's schema.
    #[error("the body of `{event}` is malformed: {message}")]
    MalformedBody {
        /// The event name.
        event: String,
        /// What serde said, without the values it read.
        message: String,
    },
}

/// The secret sent in the activation handshake, if this request is one.
pub fn handshake_secret(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(HOOK_SECRET_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

/// For an activation handshake, the header to answer with (`X-Hook-Secret` echoed),
/// together with HTTP 200 within 20 s. `None` when the request is not a handshake.
pub fn handshake_response(headers: &HeaderMap) -> Option<(HeaderName, HeaderValue)> {
    let value = headers.get(HOOK_SECRET_HEADER)?.clone();
    (!value.is_empty()).then(|| (HeaderName::from_static(HOOK_SECRET_HEADER), value))
}

/// Verifies deliveries against one or more secret keys, with a timestamp window
/// (default [`DEFAULT_TOLERANCE`]) judged by an injectable clock.
#[derive(Clone, Debug)]
pub struct WebhookVerifier {
    secrets: Secrets,
    window: Window,
}

impl WebhookVerifier {
    /// A verifier for one secret key (the subscription's, from
    /// `Subscriptions::generate_secret_key`), with the default tolerance and the
    /// system clock.
    pub fn new(secret: SecretString) -> Self {
        Self {
            secrets: Secrets::new(secret),
            window: Window::new(DEFAULT_TOLERANCE),
        }
    }

    // `also_accept`: during a rotation the old key stays valid for 24 h and up to 16
    // keys may be live.
    client_core::webhook_verifier_setters!(secrets, window);

    /// Check the signature and timestamp of a delivery, then parse it into a typed
    /// event. Checks run in the order: headers, signature, timestamp, body.
    pub fn verify(&self, request: &WebhookRequest<'_>) -> Result<Delivery, VerifyError> {
        let (headers, body) = (request.headers(), request.body());
        let signature = required(headers, SIGNATURE_HEADER)?;
        let timestamp_text = required(headers, TIMESTAMP_HEADER)?;
        let timestamp: u64 =
            timestamp_text
                .trim()
                .parse()
                .map_err(|_| VerifyError::MalformedHeader {
                    header: TIMESTAMP_HEADER,
                    reason: "not a number of seconds".into(),
                })?;
        let candidates: Vec<String> = v1_signatures(signature)?
            .into_iter()
            .map(str::to_ascii_lowercase)
            .collect();
        let message = signed_message(
            timestamp_text,
            body,
            optional(headers, EVENT_ID_HEADER)?,
            optional(headers, EVENT_NAME_HEADER)?,
            optional(headers, EVENT_VERSION_HEADER)?,
            optional(headers, LINK_HEADER)?,
        );
        let received: Vec<&[u8]> = candidates.iter().map(|c| c.as_bytes()).collect();
        let matched = self.secrets.any_match(&received, |secret| {
            Some(hmac_sha256_hex(secret.expose_secret().as_bytes(), &message))
        });
        if !matched {
            return Err(VerifyError::BadSignature);
        }
        self.window
            .check_secs(timestamp)
            .map_err(|stale| VerifyError::Stale {
                timestamp,
                age_secs: stale.age.as_secs(),
                tolerance_secs: stale.tolerance.as_secs(),
            })?;
        parse_delivery(headers, body)
    }
}

fn required<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, VerifyError> {
    optional(headers, name)?
        .filter(|v| !v.is_empty())
        .ok_or(VerifyError::MissingHeader(name))
}

fn optional<'h>(
    headers: &'h HeaderMap,
    name: &'static str,
) -> Result<Option<&'h str>, VerifyError> {
    headers
        .get(name)
        .map(|v| {
            v.to_str().map_err(|_| VerifyError::MalformedHeader {
                header: name,
                reason: "not visible ASCII".into(),
            })
        })
        .transpose()
}

/// The `v1` entries of `scheme=sig;scheme=sig`.
fn v1_signatures(header: &str) -> Result<Vec<&str>, VerifyError> {
    let mut found = Vec::new();
    for entry in header.split(';').map(str::trim).filter(|e| !e.is_empty()) {
        let (scheme, value) =
            entry
                .split_once('=')
                .ok_or_else(|| VerifyError::MalformedHeader {
                    header: SIGNATURE_HEADER,
                    reason: format!("entry without `=` ({} characters)", entry.len()),
                })?;
        if scheme.trim() == "v1" {
            found.push(value.trim());
        }
    }
    if found.is_empty() {
        return Err(VerifyError::MalformedHeader {
            header: SIGNATURE_HEADER,
            reason: "no `v1=` signature".into(),
        });
    }
    Ok(found)
}

fn signed_message(
    timestamp: &str,
    body: &[u8],
    event_id: Option<&str>,
    event_name: Option<&str>,
    event_version: Option<&str>,
    link: Option<&str>,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(body.len() + 128);
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'.');
    message.extend_from_slice(body);
    for part in [event_id, event_name, event_version, link] {
        message.push(b'.');
        message.extend_from_slice(part.unwrap_or("").as_bytes());
    }
    message
}

/// `v1=<hex>` for a delivery signed with `secret` (what SmartRecruiters sends).
pub fn sign(
    secret: &SecretString,
    timestamp: u64,
    body: &[u8],
    event_id: &str,
    event_name: &str,
    event_version: &str,
    link: &str,
) -> String {
    let message = signed_message(
        &timestamp.to_string(),
        body,
        Some(event_id),
        Some(event_name),
        Some(event_version),
        Some(link),
    );
    format!(
        "v1={}",
        hmac_sha256_hex(secret.expose_secret().as_bytes(), &message)
    )
}

/// A delivery to sign in tests: produces the headers SmartRecruiters would send.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TestDelivery {
    /// Event name.
    pub event_name: String,
    /// Event id.
    pub event_id: String,
    /// Event version.
    pub event_version: String,
    /// Link header value (`None` for `*.deleted`).
    pub link: Option<String>,
    /// Unix seconds.
    pub timestamp: u64,
    /// Raw body.
    pub body: Vec<u8>,
}

impl TestDelivery {
    /// A delivery of `event_name` with `body`, timestamped `timestamp`.
    pub fn new(event_name: impl Into<String>, body: impl Into<Vec<u8>>, timestamp: u64) -> Self {
        Self {
            event_name: event_name.into(),
            event_id: "test-event".into(),
            event_version: "v201910".into(),
            link: None,
            timestamp,
            body: body.into(),
        }
    }

    /// With this `event-id` header.
    pub fn event_id(mut self, id: impl Into<String>) -> Self {
        self.event_id = id.into();
        self
    }

    /// With this `event-version` header.
    pub fn event_version(mut self, version: impl Into<String>) -> Self {
        self.event_version = version.into();
        self
    }

    /// With this `Link` header.
    pub fn link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// The request SmartRecruiters would send, signed with `secret`.
    pub fn sign(&self, secret: &SecretString) -> SignedRequest {
        self.sign_with_all(&[secret])
    }

    /// The request signed with every key in `secrets` (one `v1=` entry each, as
    /// SmartRecruiters sends while several keys are live).
    pub fn sign_with_all(&self, secrets: &[&SecretString]) -> SignedRequest {
        SignedRequest {
            headers: self.headers(secrets),
            query: None,
            body: self.body.clone(),
        }
    }

    fn headers(&self, secrets: &[&SecretString]) -> HeaderMap {
        let signature = secrets
            .iter()
            .map(|secret| {
                sign(
                    secret,
                    self.timestamp,
                    &self.body,
                    &self.event_id,
                    &self.event_name,
                    &self.event_version,
                    self.link.as_deref().unwrap_or(""),
                )
            })
            .collect::<Vec<_>>()
            .join(";");
        let mut headers = HeaderMap::new();
        let mut put = |name: &'static str, value: &str| {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        };
        put("content-type", "application/json");
        put(SIGNATURE_HEADER, &signature);
        put(TIMESTAMP_HEADER, &self.timestamp.to_string());
        put(EVENT_NAME_HEADER, &self.event_name);
        put(EVENT_ID_HEADER, &self.event_id);
        put(EVENT_VERSION_HEADER, &self.event_version);
        if let Some(link) = &self.link {
            put(LINK_HEADER, link);
        }
        headers
    }
}

/// Body of application events (snake_case on the wire). `application_id` is missing
/// in some documented examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApplicationEvent {
    /// Job.
    pub job_id: JobId,
    /// Candidate.
    pub candidate_id: CandidateId,
    /// Application (Job Applications API id).
    #[serde(default)]
    pub application_id: Option<ApplicationId>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `application.attachment.created`: the application and the new attachment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApplicationAttachmentEvent {
    /// The new attachment (fetch it with `Candidates::download_application_attachment`).
    pub attachment_id: AttachmentId,
    /// The application.
    #[serde(flatten)]
    pub application: ApplicationEvent,
}

/// Body of candidate events: the id only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CandidateEvent {
    /// Candidate.
    pub id: CandidateId,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of job events (`job.created`, `job.hiring-team.updated`…): the id only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobEvent {
    /// Job.
    pub id: JobId,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `job.ad.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobAdEvent {
    /// Job.
    pub job_id: JobId,
    /// Job ad.
    pub job_ad_id: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `position.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PositionEvent {
    /// Job.
    pub job_id: JobId,
    /// Position.
    pub position_id: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `offer.created` and `offer.updated`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OfferEvent {
    /// Job.
    pub job_id: JobId,
    /// Candidate.
    pub candidate_id: CandidateId,
    /// Offer.
    pub offer_id: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `offer.approval.*` and `offer.approver.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OfferApprovalEvent {
    /// Approval request.
    pub approval_id: String,
    /// The offer.
    #[serde(flatten)]
    pub offer: OfferEvent,
}

/// Body of `job.approval.*` and `job.approver.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JobApprovalEvent {
    /// Approval request.
    pub approval_id: String,
    /// Job.
    pub job_id: JobId,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `review.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReviewEvent {
    /// Application (Job Applications API id).
    pub application_id: ApplicationId,
    /// Review.
    pub review_id: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Body of `onboarding.*` events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OnboardingEvent {
    /// Onboarding process.
    pub onboarding_process_id: String,
    /// The new hire.
    pub new_hire_id: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One table gives the enum, its parser and the event names, so a name cannot be typed
/// in one place and forgotten in another.
macro_rules! webhook_events {
    ($($(#[$doc:meta])* $variant:ident($body:ty) = $name:literal,)*) => {
        /// A delivery's event: every event of SmartRecruiters' `EventName` list, with the
        /// body its payload schema documents. Bodies carry ids only: fetch the current
        /// state (for `application.status.updated`, `Applications::get`) or follow the
        /// `Link`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            $($(#[$doc])* $variant($body),)*
            /// An event this version does not know, with its raw body.
            Unknown {
                /// The event name.
                name: String,
                /// The raw body as received (lossy UTF-8).
                body: String,
            },
        }

        impl WebhookEvent {
            /// Every event name typed here, in SmartRecruiters' order.
            pub const NAMES: &'static [&'static str] = &[$($name,)*];

            /// Parse the body of an `event_name` delivery.
            pub fn parse(event_name: &str, body: &[u8]) -> Result<Self, VerifyError> {
                Ok(match event_name {
                    $($name => Self::$variant(decode(event_name, body)?),)*
                    other => Self::Unknown {
                        name: other.to_owned(),
                        body: String::from_utf8_lossy(body).into_owned(),
                    },
                })
            }

            /// The event name as SmartRecruiters spells it.
            pub fn name(&self) -> &str {
                match self {
                    $(Self::$variant(_) => $name,)*
                    Self::Unknown { name, .. } => name,
                }
            }
        }
    };
}

fn decode<T: serde::de::DeserializeOwned>(event: &str, body: &[u8]) -> Result<T, VerifyError> {
    serde_json::from_slice(body).map_err(|e| VerifyError::MalformedBody {
        event: event.to_owned(),
        message: client_core::redact::serde_message(&e),
    })
}

webhook_events! {
    /// `job.created`.
    JobCreated(JobEvent) = "job.created",
    /// `job.updated`.
    JobUpdated(JobEvent) = "job.updated",
    /// `job.status.updated` (the `Link` points at the status history).
    JobStatusUpdated(JobEvent) = "job.status.updated",
    /// `job.hiring-team.updated`.
    JobHiringTeamUpdated(JobEvent) = "job.hiring-team.updated",
    /// `job.ad.created`.
    JobAdCreated(JobAdEvent) = "job.ad.created",
    /// `job.ad.updated`.
    JobAdUpdated(JobAdEvent) = "job.ad.updated",
    /// `job.ad.postings.updated`.
    JobAdPostingsUpdated(JobAdEvent) = "job.ad.postings.updated",
    /// `position.created`.
    PositionCreated(PositionEvent) = "position.created",
    /// `position.updated`.
    PositionUpdated(PositionEvent) = "position.updated",
    /// `position.deleted`.
    PositionDeleted(PositionEvent) = "position.deleted",
    /// `application.created`.
    ApplicationCreated(ApplicationEvent) = "application.created",
    /// `application.status.updated`.
    ApplicationStatusUpdated(ApplicationEvent) = "application.status.updated",
    /// `application.fields.updated`.
    ApplicationFieldsUpdated(ApplicationEvent) = "application.fields.updated",
    /// `application.onboarding-status.updated`.
    ApplicationOnboardingStatusUpdated(ApplicationEvent) = "application.onboarding-status.updated",
    /// `application.attachment.created`.
    ApplicationAttachmentCreated(ApplicationAttachmentEvent) = "application.attachment.created",
    /// `application.source.updated`.
    ApplicationSourceUpdated(ApplicationEvent) = "application.source.updated",
    /// `candidate.created`.
    CandidateCreated(CandidateEvent) = "candidate.created",
    /// `candidate.updated`.
    CandidateUpdated(CandidateEvent) = "candidate.updated",
    /// `candidate.deleted` (no `Link` header).
    CandidateDeleted(CandidateEvent) = "candidate.deleted",
    /// `offer.created`.
    OfferCreated(OfferEvent) = "offer.created",
    /// `offer.updated`.
    OfferUpdated(OfferEvent) = "offer.updated",
    /// `offer.approval.created`.
    OfferApprovalCreated(OfferApprovalEvent) = "offer.approval.created",
    /// `offer.approval.approved`.
    OfferApprovalApproved(OfferApprovalEvent) = "offer.approval.approved",
    /// `offer.approval.rejected`.
    OfferApprovalRejected(OfferApprovalEvent) = "offer.approval.rejected",
    /// `offer.approval.abandoned`.
    OfferApprovalAbandoned(OfferApprovalEvent) = "offer.approval.abandoned",
    /// `offer.approval.step.approved`.
    OfferApprovalStepApproved(OfferApprovalEvent) = "offer.approval.step.approved",
    /// `offer.approval.step.rejected`.
    OfferApprovalStepRejected(OfferApprovalEvent) = "offer.approval.step.rejected",
    /// `offer.approver.skipped`.
    OfferApproverSkipped(OfferApprovalEvent) = "offer.approver.skipped",
    /// `offer.approver.delegated`.
    OfferApproverDelegated(OfferApprovalEvent) = "offer.approver.delegated",
    /// `offer.approval.comment.created`.
    OfferApprovalCommentCreated(OfferApprovalEvent) = "offer.approval.comment.created",
    /// `job.approval.created`.
    JobApprovalCreated(JobApprovalEvent) = "job.approval.created",
    /// `job.approval.approved`.
    JobApprovalApproved(JobApprovalEvent) = "job.approval.approved",
    /// `job.approval.rejected`.
    JobApprovalRejected(JobApprovalEvent) = "job.approval.rejected",
    /// `job.approval.abandoned`.
    JobApprovalAbandoned(JobApprovalEvent) = "job.approval.abandoned",
    /// `job.approval.step.approved`.
    JobApprovalStepApproved(JobApprovalEvent) = "job.approval.step.approved",
    /// `job.approval.step.rejected`.
    JobApprovalStepRejected(JobApprovalEvent) = "job.approval.step.rejected",
    /// `job.approver.skipped`.
    JobApproverSkipped(JobApprovalEvent) = "job.approver.skipped",
    /// `job.approver.delegated`.
    JobApproverDelegated(JobApprovalEvent) = "job.approver.delegated",
    /// `job.approval.comment.created`.
    JobApprovalCommentCreated(JobApprovalEvent) = "job.approval.comment.created",
    /// `review.created`.
    ReviewCreated(ReviewEvent) = "review.created",
    /// `review.updated`.
    ReviewUpdated(ReviewEvent) = "review.updated",
    /// `review.deleted`.
    ReviewDeleted(ReviewEvent) = "review.deleted",
    /// `application.screening-answers.created`.
    ApplicationScreeningAnswersCreated(ApplicationEvent) = "application.screening-answers.created",
    /// `application.screening-answers.updated`.
    ApplicationScreeningAnswersUpdated(ApplicationEvent) = "application.screening-answers.updated",
    /// `onboarding.process.started`.
    OnboardingProcessStarted(OnboardingEvent) = "onboarding.process.started",
    /// `onboarding.assignments.high-priority.completed`.
    OnboardingHighPriorityAssignmentsCompleted(OnboardingEvent) = "onboarding.assignments.high-priority.completed",
    /// `onboarding.assignments.completed`.
    OnboardingAssignmentsCompleted(OnboardingEvent) = "onboarding.assignments.completed",
}

/// The delivery headers besides the signature.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DeliveryMeta {
    /// `event-name`.
    pub event_name: String,
    /// `event-id`: deduplicate on it.
    pub event_id: Option<String>,
    /// `event-version`.
    pub event_version: Option<String>,
    /// `Link` (URL of the resource's current state; absent on deletions).
    pub link: Option<String>,
    /// `smartrecruiters-timestamp`, when present.
    pub timestamp: Option<u64>,
}

/// A parsed delivery.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Delivery {
    /// Headers.
    pub meta: DeliveryMeta,
    /// The event.
    pub event: WebhookEvent,
}

/// Parse a delivery without verifying it (use [`WebhookVerifier::verify`]
/// unless the delivery was verified otherwise).
pub fn parse_delivery(headers: &HeaderMap, body: &[u8]) -> Result<Delivery, VerifyError> {
    let event_name = required(headers, EVENT_NAME_HEADER)?.to_owned();
    let owned = |name| optional(headers, name).map(|v| v.map(str::to_owned));
    let meta = DeliveryMeta {
        event_id: owned(EVENT_ID_HEADER)?,
        event_version: owned(EVENT_VERSION_HEADER)?,
        link: owned(LINK_HEADER)?,
        timestamp: optional(headers, TIMESTAMP_HEADER)?.and_then(|t| t.trim().parse().ok()),
        event_name,
    };
    let event = WebhookEvent::parse(&meta.event_name, body)?;
    Ok(Delivery { meta, event })
}
