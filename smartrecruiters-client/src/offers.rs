//! Offers made on an application (`GET /candidates/{id}/jobs/{jobId}/offers[/{offerId}]`).
//! Scope: `candidates_offers_read`.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Applications;
use crate::applications::application_path;
use crate::common::{Actions, get_listing};
use crate::ids::{CandidateId, JobId};

client_core::open_enum!(
    /// State of an offer.
    OfferStatus {
        /// Drafted.
        Created = "CREATED",
        /// Waiting for approval.
        PendingApproval = "PENDING_APPROVAL",
        /// Approved.
        Approved = "APPROVED",
        /// Refused by an approver.
        NotApproved = "NOT_APPROVED",
        /// Sent, waiting for the candidate.
        PendingAcceptance = "PENDING_ACCEPTANCE",
        /// Accepted by the candidate.
        Accepted = "ACCEPTED",
        /// Declined by the candidate.
        NotAccepted = "NOT_ACCEPTED",
        /// Abandoned.
        Abandoned = "ABANDONED",
    }
);

/// An offer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Offer {
    /// Offer id.
    pub id: String,
    /// State.
    #[serde(default)]
    pub status: Option<OfferStatus>,
    /// Creation time.
    #[serde(default)]
    pub created_on: Option<String>,
    /// Last update.
    #[serde(default)]
    pub updated_on: Option<String>,
    /// Offer properties (terms) by id, as received.
    #[serde(default)]
    pub properties: Map<String, Value>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn offers_path(candidate: &CandidateId, job: &JobId) -> String {
    format!("{}/offers", application_path(candidate, job))
}

impl Applications<'_> {
    /// `GET /candidates/{id}/jobs/{jobId}/offers`. Scope: `candidates_offers_read`.
    pub async fn offers(&self, candidate: &CandidateId, job: &JobId) -> Result<Vec<Offer>> {
        get_listing(&self.client.transport, offers_path(candidate, job)).await
    }

    /// `GET /candidates/{id}/jobs/{jobId}/offers/{offerId}`. Scope:
    /// `candidates_offers_read`.
    pub async fn offer(&self, candidate: &CandidateId, job: &JobId, offer: &str) -> Result<Offer> {
        self.client
            .transport
            .get(format!(
                "{}/{}",
                offers_path(candidate, job),
                encode_segment(offer)
            ))
            .send()
            .await
    }
}
