//! Requisitions (approved headcount): list with filters, get, create, update, delete.

use client_core::pagination::{ItemStream, Page};
use client_core::{Idempotency, Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Listing, data, failed, null_default};
use crate::enums::Confidentiality;
use crate::ids::{PostingId, RequisitionId, UserId};

client_core::open_enum! {
    /// Where a requisition stands.
    RequisitionStatus {
        /// Open for hiring.
        Open = "open",
        /// On hold.
        OnHold = "onhold",
        /// Closed.
        Closed = "closed",
        /// Draft (awaiting approval).
        Draft = "draft",
    }
}

/// A requisition.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Requisition {
    /// The requisition id.
    pub id: RequisitionId,
    /// The customer's code for it (unique per account).
    #[serde(default)]
    pub requisition_code: Option<String>,
    /// Job title.
    #[serde(default)]
    pub name: Option<String>,
    /// Status.
    #[serde(default)]
    pub status: Option<RequisitionStatus>,
    /// Headcount: a number, or `"unlimited"` (kept as sent).
    #[serde(default)]
    pub headcount_total: Option<Value>,
    /// Hires made against it.
    #[serde(default)]
    pub headcount_hired: Option<u32>,
    /// Whether the headcount is unlimited.
    #[serde(default)]
    pub headcount_infinite: Option<bool>,
    /// Replacing someone who left.
    #[serde(default)]
    pub backfill: Option<bool>,
    /// `full-time`, `part-time`, `intern`, `contractor`, `temp` (kept as sent).
    #[serde(default)]
    pub employment_status: Option<String>,
    /// Location.
    #[serde(default)]
    pub location: Option<String>,
    /// Team.
    #[serde(default)]
    pub team: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
    /// Owner (`ownerUserId`, as real responses name it).
    #[serde(default)]
    pub owner_user_id: Option<UserId>,
    /// Hiring manager.
    #[serde(default)]
    pub hiring_manager: Option<UserId>,
    /// Creator (`creatorUserId`).
    #[serde(default)]
    pub creator_user_id: Option<UserId>,
    /// Postings linked to it.
    #[serde(default, deserialize_with = "null_default")]
    pub posting_ids: Vec<PostingId>,
    /// Internal notes.
    #[serde(default)]
    pub internal_notes: Option<String>,
    /// Compensation band (`{currency, interval, min, max}`), as sent.
    #[serde(default)]
    pub compensation_band: Option<Value>,
    /// Custom requisition fields, by field key.
    #[serde(default, deserialize_with = "null_default")]
    pub custom_fields: Map<String, Value>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Updated (ms).
    #[serde(default)]
    pub updated_at: Option<u64>,
    /// Everything else (`stateHistory`, `reservedOfferIds`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A requisition to create (`POST /requisitions`) or the full replacement of one
/// (`PUT /requisitions/:id`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewRequisition {
    /// The code (unique per account).
    pub requisition_code: String,
    /// Job title.
    pub name: String,
    /// Headcount.
    pub headcount_total: u32,
    /// Status (Lever's default: open).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<RequisitionStatus>,
    /// Employment status (`full-time`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employment_status: Option<String>,
    /// Location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Team.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Department.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// Owner (sent as `owner`, the name Lever's reference uses for writes; uncertain).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    /// Hiring manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hiring_manager: Option<UserId>,
    /// Backfill.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backfill: Option<bool>,
    /// Internal notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_notes: Option<String>,
    /// Custom fields, by field key.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub custom_fields: Map<String, Value>,
}

impl NewRequisition {
    /// Requisition `code` for `headcount` people titled `name`.
    pub fn new(code: impl Into<String>, name: impl Into<String>, headcount: u32) -> Self {
        Self {
            requisition_code: code.into(),
            name: name.into(),
            headcount_total: headcount,
            status: None,
            employment_status: None,
            location: None,
            team: None,
            department: None,
            owner: None,
            hiring_manager: None,
            backfill: None,
            internal_notes: None,
            custom_fields: Map::new(),
        }
    }

    /// Status.
    pub fn status(mut self, status: RequisitionStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Employment status.
    pub fn employment_status(mut self, status: impl Into<String>) -> Self {
        self.employment_status = Some(status.into());
        self
    }

    /// Location.
    pub fn location(mut self, location: impl Into<String>) -> Self {
        self.location = Some(location.into());
        self
    }

    /// Team.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// Department.
    pub fn department(mut self, department: impl Into<String>) -> Self {
        self.department = Some(department.into());
        self
    }

    /// Owner.
    pub fn owner(mut self, owner: UserId) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Hiring manager.
    pub fn hiring_manager(mut self, manager: UserId) -> Self {
        self.hiring_manager = Some(manager);
        self
    }

    /// A custom field value.
    pub fn custom_field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom_fields.insert(key.into(), value.into());
        self
    }
}

/// Filters for `GET /requisitions`.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct RequisitionFilter {
    /// Codes (repeated parameter).
    pub requisition_code: Vec<String>,
    /// Status.
    pub status: Option<RequisitionStatus>,
    /// Confidentiality (Lever's default: non-confidential only).
    pub confidentiality: Option<Confidentiality>,
    /// Created at or after (ms).
    pub created_at_start: Option<u64>,
    /// Created at or before (ms).
    pub created_at_end: Option<u64>,
}

impl RequisitionFilter {
    /// Every requisition Lever lists by default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this code (call again for several).
    pub fn requisition_code(mut self, code: impl Into<String>) -> Self {
        self.requisition_code.push(code.into());
        self
    }

    /// Only this status.
    pub fn status(mut self, status: RequisitionStatus) -> Self {
        self.status = Some(status);
        self
    }

    /// Confidentiality.
    pub fn confidentiality(mut self, confidentiality: Confidentiality) -> Self {
        self.confidentiality = Some(confidentiality);
        self
    }

    /// Created within `start..=end` (ms; either may be open).
    pub fn created_between(mut self, start: Option<u64>, end: Option<u64>) -> Self {
        self.created_at_start = start;
        self.created_at_end = end;
        self
    }
}

/// `/requisitions` calls. Obtain with [`crate::LeverClient::requisitions`]. Scopes
/// `requisitions:read:admin` and, for writes, `requisitions:write:admin`.
#[derive(Debug, Clone, Copy)]
pub struct Requisitions<'a> {
    client: &'a LeverClient,
}

impl<'a> Requisitions<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    fn path(id: &RequisitionId) -> String {
        format!("/requisitions/{}", encode_segment(id.as_str()))
    }

    /// Every matching requisition.
    pub fn list(&self, filter: &RequisitionFilter) -> ItemStream<'static, Requisition> {
        match client_core::query_pairs(filter) {
            Ok(query) => Listing::new(self.client.transport(), "/requisitions")
                .query(query)
                .items(),
            Err(e) => failed(e),
        }
    }

    /// One page of matching requisitions.
    pub async fn page(
        &self,
        filter: &RequisitionFilter,
        cursor: Option<String>,
    ) -> Result<Page<Requisition, String>> {
        Listing::new(self.client.transport(), "/requisitions")
            .query(client_core::query_pairs(filter)?)
            .page(cursor)
            .await
    }

    /// One requisition.
    pub async fn get(&self, id: &RequisitionId) -> Result<Requisition> {
        data(
            self.client
                .transport()
                .get(Self::path(id))
                .send_raw()
                .await?,
        )
    }

    /// Create a requisition. Not retried after a server error.
    pub async fn create(&self, new: &NewRequisition) -> Result<Requisition> {
        data(
            self.client
                .transport()
                .post("/requisitions")
                .idempotency(Idempotency::NotRepeatable)
                .json(new)
                .send_raw()
                .await?,
        )
    }

    /// Replace a requisition.
    pub async fn update(&self, id: &RequisitionId, new: &NewRequisition) -> Result<Requisition> {
        data(
            self.client
                .transport()
                .put(Self::path(id))
                .json(new)
                .send_raw()
                .await?,
        )
    }

    /// Delete a requisition.
    pub async fn delete(&self, id: &RequisitionId) -> Result<()> {
        self.client
            .transport()
            .delete(Self::path(id))
            .send_empty()
            .await
    }
}
