//! A candidate's consent (GDPR): the overall status (`GET /candidates/{id}/consent`) and
//! the decisions per data scope (`GET /candidates/{id}/consents`). Scope:
//! `candidates_read`.

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

impl Candidates<'_> {
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
