//! Offers made on an application (`GET /candidates/{id}/jobs/{jobId}/offers[/{offerId}]`).
//! Scope: `candidates_offers_read`.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Applications;
use crate::applications::application_path;
use crate::common::{Actions, get_all_by_offset, get_listing};
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

/// Filters of `GET /offers` (company-wide offer search).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OfferFilter {
    /// Created after this ISO-8601 time.
    pub created_after: Option<String>,
    /// Created before this ISO-8601 time.
    pub created_before: Option<String>,
    /// Age in words (`10 days`, `1 week`); when set, SmartRecruiters ignores
    /// `created_after` and `created_before`.
    pub age: Option<String>,
    /// Only these states (all by default); sent repeated.
    pub status: Vec<OfferStatus>,
}

impl OfferFilter {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Created after this ISO-8601 time.
    pub fn created_after(mut self, at: impl Into<String>) -> Self {
        self.created_after = Some(at.into());
        self
    }

    /// Created before this ISO-8601 time.
    pub fn created_before(mut self, at: impl Into<String>) -> Self {
        self.created_before = Some(at.into());
        self
    }

    /// Age in words (`10 days`).
    pub fn age(mut self, age: impl Into<String>) -> Self {
        self.age = Some(age.into());
        self
    }

    /// Add a state.
    pub fn status(mut self, status: OfferStatus) -> Self {
        self.status.push(status);
        self
    }
}

/// `GET /offers` pages with `limit` (at most 100) and `offset`.
const OFFERS_PAGE: usize = 100;

fn offers_path(candidate: &CandidateId, job: &JobId) -> String {
    format!("{}/offers", application_path(candidate, job))
}

impl Applications<'_> {
    /// `GET /offers`: every offer of the company matching `filter`, read 100 at a time.
    /// Scope: `candidates_offers_read`.
    pub async fn search_offers(&self, filter: &OfferFilter) -> Result<Vec<Offer>> {
        let query = client_core::query_pairs(filter)?;
        get_all_by_offset(&self.client.transport, "/offers", &query, OFFERS_PAGE).await
    }

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
