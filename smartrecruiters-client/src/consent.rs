//! A candidate's consent (GDPR): the overall status (`GET /candidates/{id}/consent`),
//! the decisions per data scope (`GET /candidates/{id}/consents`), both with scope
//! `candidates_read`, and asking candidates for it (`POST /candidates/consent-requests`,
//! scope `candidates_create`).

use client_core::Result;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Candidates;
use crate::candidates::{ConsentStatus, candidate_path};
use crate::ids::CandidateId;

client_core::open_enum!(
    /// A decision on one consent scope (lower-case on the wire).
    ConsentDecisionStatus {
        /// Given.
        Acquired = "acquired",
        /// Refused.
        Declined = "declined",
        /// Still needed.
        Required = "required",
    }
);

client_core::open_enum!(
    /// What a consent decision covers: one consent for everything (`Single`), or one
    /// per product ("separated consent").
    ConsentScope {
        /// The one consent of a company using single consent.
        Single = "Single",
        /// SmartRecruit.
        SmartRecruit = "SmartRecruit",
        /// SmartCRM.
        SmartCrm = "SmartCRM",
        /// SmartMessage by SMS.
        SmartMessageSms = "SmartMessage:SMS",
        /// SmartMessage by WhatsApp.
        SmartMessageWhatsApp = "SmartMessage:WhatsApp",
    }
);

/// `GET /candidates/{id}/consent`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CandidateConsent {
    /// Status.
    #[serde(default)]
    pub status: Option<ConsentStatus>,
    /// When it was reached.
    #[serde(default)]
    pub date: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One decision of `GET /candidates/{id}/consents`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConsentDecision {
    /// The decision.
    #[serde(default)]
    pub status: Option<ConsentDecisionStatus>,
    /// What it covers.
    #[serde(default)]
    pub scope: Option<ConsentScope>,
    /// When it was decided.
    #[serde(default)]
    pub decided_on: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /candidates/{id}/consents`: one decision (single consent) or one per scope.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ConsentDecisions {
    /// The decisions.
    #[serde(default)]
    pub decisions: Vec<ConsentDecision>,
    /// When the latest request still unanswered was made, if any.
    #[serde(default)]
    pub recent_pending_request_created_on: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One candidate to ask, in [`ConsentRequests`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConsentRequest {
    /// The candidate.
    pub id: CandidateId,
}

/// Body of `POST /candidates/consent-requests`: the candidates SmartRecruiters e-mails a
/// consent request to.
///
/// The published definition names the item (`{"id": candidateId}`) but leaves the
/// enclosing object untyped; the list is sent as `candidates` (uncertain: check the
/// answer's `results` against the number of candidates sent).
///
/// ```
/// use smartrecruiters_client::{CandidateId, ConsentRequests};
/// let body = ConsentRequests::new().candidate(CandidateId::from("c1"));
/// assert_eq!(
///     serde_json::to_value(&body).unwrap(),
///     serde_json::json!({"candidates": [{"id": "c1"}]})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct ConsentRequests {
    /// Whom to ask.
    pub candidates: Vec<ConsentRequest>,
}

impl ConsentRequests {
    /// Nobody yet; add candidates with [`ConsentRequests::candidate`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask `id` too.
    pub fn candidate(mut self, id: CandidateId) -> Self {
        self.candidates.push(ConsentRequest { id });
        self
    }
}

/// What happened to one request of `POST /candidates/consent-requests`, in the order
/// the candidates were sent: `202` (scheduled, with the request's `location`) or `403`
/// (consent cannot be requested for that candidate); other codes are kept as sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConsentRequestResult {
    /// HTTP-like status of this one request.
    pub status: u16,
    /// Details (`location` when scheduled).
    #[serde(default)]
    pub body: Map<String, Value>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl ConsentRequestResult {
    /// True when SmartRecruiters scheduled the request (status 202).
    pub fn is_scheduled(&self) -> bool {
        self.status == 202
    }

    /// Where the scheduled request can be read (`body.location`).
    pub fn location(&self) -> Option<&str> {
        self.body.get("location").and_then(Value::as_str)
    }
}

/// The answer of `POST /candidates/consent-requests`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConsentRequestResults {
    /// One result per candidate sent.
    pub results: Vec<ConsentRequestResult>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Candidates<'_> {
    /// `POST /candidates/consent-requests`: e-mail each candidate a consent request.
    /// Not retried (a repeat would e-mail them again). Scope: `candidates_create`.
    pub async fn request_consent(
        &self,
        requests: &ConsentRequests,
    ) -> Result<ConsentRequestResults> {
        if requests.candidates.is_empty() {
            return Err(client_core::Error::InvalidInput(
                "a consent request needs at least one candidate".into(),
            ));
        }
        self.client
            .transport
            .post("/candidates/consent-requests")
            .json(requests)
            .send()
            .await
    }

    /// `GET /candidates/{id}/consent`. Scope: `candidates_read`.
    pub async fn consent(&self, id: &CandidateId) -> Result<CandidateConsent> {
        self.client
            .transport
            .get(format!("{}/consent", candidate_path(id)))
            .send()
            .await
    }

    /// `GET /candidates/{id}/consents`. Scope: `candidates_read`.
    pub async fn consent_decisions(&self, id: &CandidateId) -> Result<ConsentDecisions> {
        self.client
            .transport
            .get(format!("{}/consents", candidate_path(id)))
            .send()
            .await
    }
}
