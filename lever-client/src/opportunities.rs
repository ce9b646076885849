//! Opportunities: one candidacy of a contact. List (with every documented filter), get,
//! create, change stage, archive/unarchive, and add/remove tags, links and sources.

use client_core::pagination::{ItemStream, Page};
use client_core::{Error, Idempotency, Method, Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::applications::Application;
use crate::common::{Call, Expandable, Listing, data, failed, null_default};
use crate::contacts::{Contact, Phone};
use crate::enums::{Confidentiality, Origin};
use crate::ids::{
    ApplicationId, ArchiveReasonId, ContactId, OpportunityId, PerformAs, PostingId, RequisitionId,
    StageId, UserId,
};
use crate::stages::Stage;
use crate::users::User;

/// An opportunity as Lever returns it. Fields Lever may omit are optional or default;
/// fields this crate does not model are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Opportunity {
    /// The opportunity id.
    pub id: OpportunityId,
    /// The candidate's name.
    #[serde(default)]
    pub name: Option<String>,
    /// Headline (usually current employers).
    #[serde(default)]
    pub headline: Option<String>,
    /// The contact (person); an object with `expand=contact`.
    #[serde(default)]
    pub contact: Option<Expandable<ContactId, Contact>>,
    /// Email addresses.
    #[serde(default, deserialize_with = "null_default")]
    pub emails: Vec<String>,
    /// Phone numbers.
    #[serde(default, deserialize_with = "null_default")]
    pub phones: Vec<Phone>,
    /// Confidentiality.
    #[serde(default)]
    pub confidentiality: Option<Confidentiality>,
    /// Free-text location of the candidate.
    #[serde(default)]
    pub location: Option<String>,
    /// Links (LinkedIn, GitHub…).
    #[serde(default, deserialize_with = "null_default")]
    pub links: Vec<String>,
    /// Archive state: `None` when active. Real responses use this object.
    #[serde(default)]
    pub archived: Option<Archived>,
    /// Older documented field: when it was archived (ms). Prefer [`Opportunity::archived_state`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<u64>,
    /// Older documented field: the archive reason id. Prefer [`Opportunity::archived_state`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_reason: Option<ArchiveReasonId>,
    /// Tags (case-sensitive strings).
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// Sources.
    #[serde(default, deserialize_with = "null_default")]
    pub sources: Vec<String>,
    /// Current stage; an object with `expand=stage`.
    #[serde(default)]
    pub stage: Option<Expandable<StageId, Stage>>,
    /// Stage history.
    #[serde(default, deserialize_with = "null_default")]
    pub stage_changes: Vec<StageChange>,
    /// How the candidate entered the pipeline.
    #[serde(default)]
    pub origin: Option<Origin>,
    /// Who sourced the candidate; an object with `expand=sourcedBy`.
    #[serde(default)]
    pub sourced_by: Option<Expandable<UserId, User>>,
    /// Owner; an object with `expand=owner`.
    #[serde(default)]
    pub owner: Option<Expandable<UserId, User>>,
    /// Followers; objects with `expand=followers`.
    #[serde(default, deserialize_with = "null_default")]
    pub followers: Vec<Expandable<UserId, User>>,
    /// Applications (at most one); objects with `expand=applications`.
    #[serde(default, deserialize_with = "null_default")]
    pub applications: Vec<Expandable<ApplicationId, Application>>,
    /// Created (ms since epoch).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Last updated (ms); `null` in some real records.
    #[serde(default)]
    pub updated_at: Option<u64>,
    /// Last interaction (ms).
    #[serde(default)]
    pub last_interaction_at: Option<u64>,
    /// Moved into the current stage (ms).
    #[serde(default)]
    pub last_advanced_at: Option<u64>,
    /// Snoozed until (ms).
    #[serde(default)]
    pub snoozed_until: Option<u64>,
    /// Links into Lever's UI.
    #[serde(default)]
    pub urls: Option<Urls>,
    /// Data-protection consent, when the account uses it.
    #[serde(default)]
    pub data_protection: Option<Value>,
    /// Whether the record was anonymised.
    #[serde(default)]
    pub is_anonymized: Option<bool>,
    /// The location of the opportunity (posting location).
    #[serde(default)]
    pub opportunity_location: Option<String>,
    /// Everything else Lever sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Opportunity {
    /// The archive state from either shape: the `archived` object, or the older
    /// top-level `archivedAt`/`archiveReason` pair.
    pub fn archived_state(&self) -> Option<Archived> {
        if let Some(archived) = &self.archived {
            return Some(archived.clone());
        }
        match (&self.archive_reason, self.archived_at) {
            (None, None) => None,
            (reason, archived_at) => Some(Archived {
                reason: reason.clone(),
                archived_at,
            }),
        }
    }
}

/// Why and when an opportunity was archived; also what [`NewOpportunity::archived`]
/// sends. Absent fields are left out of the request: Lever sets `archivedAt` to now only
/// when the field is missing, so an explicit `null` would not do the same.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Archived {
    /// The archive reason id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ArchiveReasonId>,
    /// When (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<u64>,
}

impl Archived {
    /// Archived for `reason`, at the time Lever receives it.
    pub fn new(reason: ArchiveReasonId) -> Self {
        Self {
            reason: Some(reason),
            archived_at: None,
        }
    }

    /// Archived at `millis` (Lever requires a `created_at` earlier than this).
    pub fn at(mut self, millis: u64) -> Self {
        self.archived_at = Some(millis);
        self
    }
}

/// One move between stages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StageChange {
    /// The stage moved into.
    #[serde(default)]
    pub to_stage_id: Option<StageId>,
    /// Its position in the pipeline.
    #[serde(default)]
    pub to_stage_index: Option<u32>,
    /// Who moved it (absent on imported records).
    #[serde(default)]
    pub user_id: Option<UserId>,
    /// When (ms).
    #[serde(default)]
    pub updated_at: Option<u64>,
}

/// Links into Lever's UI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Urls {
    /// The list view.
    #[serde(default)]
    pub list: Option<String>,
    /// This record.
    #[serde(default)]
    pub show: Option<String>,
}

client_core::open_enum! {
    /// Fields `expand` can replace with full objects.
    OpportunityExpand {
        /// `applications`.
        Applications = "applications",
        /// `stage`.
        Stage = "stage",
        /// `owner`.
        Owner = "owner",
        /// `followers`.
        Followers = "followers",
        /// `sourcedBy`.
        SourcedBy = "sourcedBy",
        /// `contact`.
        Contact = "contact",
    }
}

/// Filters for `GET /opportunities`. Multi-valued filters are sent as repeated
/// parameters (`?tag=a&tag=b`) and combine as a union; timestamps are ms since epoch,
/// inclusive.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct OpportunityFilter {
    /// Tags (case-sensitive).
    pub tag: Vec<String>,
    /// Contact email (canonicalised match).
    pub email: Option<String>,
    /// Origins.
    pub origin: Vec<Origin>,
    /// Sources.
    pub source: Vec<String>,
    /// Confidentiality (Lever's default: non-confidential only).
    pub confidentiality: Option<Confidentiality>,
    /// Current stages.
    pub stage_id: Vec<StageId>,
    /// Postings applied to.
    pub posting_id: Vec<PostingId>,
    /// Postings archived from.
    pub archived_posting_id: Vec<PostingId>,
    /// Created at or after.
    pub created_at_start: Option<u64>,
    /// Created at or before.
    pub created_at_end: Option<u64>,
    /// Updated at or after.
    pub updated_at_start: Option<u64>,
    /// Updated at or before.
    pub updated_at_end: Option<u64>,
    /// Advanced into the current stage at or after.
    pub advanced_at_start: Option<u64>,
    /// Advanced into the current stage at or before.
    pub advanced_at_end: Option<u64>,
    /// Archived at or after.
    pub archived_at_start: Option<u64>,
    /// Archived at or before.
    pub archived_at_end: Option<u64>,
    /// Only archived (`true`) or only active (`false`); unset for both.
    pub archived: Option<bool>,
    /// Archive reasons.
    pub archive_reason_id: Vec<ArchiveReasonId>,
    /// Only snoozed (`true`) or only not snoozed (`false`); unset for both.
    pub snoozed: Option<bool>,
    /// Contacts.
    pub contact_id: Vec<ContactId>,
    /// Posting locations (`"unspecified"` allowed).
    pub location: Vec<String>,
    /// Restrict the response to these optional fields.
    pub include: Vec<String>,
    /// Replace these ids with full objects.
    pub expand: Vec<OpportunityExpand>,
    /// Page size, 1–100 (Lever's default 100).
    pub limit: Option<u32>,
}

impl OpportunityFilter {
    /// Nothing set yet (Lever's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Tags (case-sensitive). Call again to add more.
    pub fn tag(mut self, value: impl Into<String>) -> Self {
        self.tag.push(value.into());
        self
    }

    /// Contact email (canonicalised match).
    pub fn email(mut self, value: impl Into<String>) -> Self {
        self.email = Some(value.into());
        self
    }

    /// Origins. Call again to add more.
    pub fn origin(mut self, value: Origin) -> Self {
        self.origin.push(value);
        self
    }

    /// Sources. Call again to add more.
    pub fn source(mut self, value: impl Into<String>) -> Self {
        self.source.push(value.into());
        self
    }

    /// Confidentiality (Lever's default: non-confidential only).
    pub fn confidentiality(mut self, value: Confidentiality) -> Self {
        self.confidentiality = Some(value);
        self
    }

    /// Current stages. Call again to add more.
    pub fn stage_id(mut self, value: StageId) -> Self {
        self.stage_id.push(value);
        self
    }

    /// Postings applied to. Call again to add more.
    pub fn posting_id(mut self, value: PostingId) -> Self {
        self.posting_id.push(value);
        self
    }

    /// Postings archived from. Call again to add more.
    pub fn archived_posting_id(mut self, value: PostingId) -> Self {
        self.archived_posting_id.push(value);
        self
    }

    /// Created at or after.
    pub fn created_at_start(mut self, value: u64) -> Self {
        self.created_at_start = Some(value);
        self
    }

    /// Created at or before.
    pub fn created_at_end(mut self, value: u64) -> Self {
        self.created_at_end = Some(value);
        self
    }

    /// Updated at or after.
    pub fn updated_at_start(mut self, value: u64) -> Self {
        self.updated_at_start = Some(value);
        self
    }

    /// Updated at or before.
    pub fn updated_at_end(mut self, value: u64) -> Self {
        self.updated_at_end = Some(value);
        self
    }

    /// Advanced into the current stage at or after.
    pub fn advanced_at_start(mut self, value: u64) -> Self {
        self.advanced_at_start = Some(value);
        self
    }

    /// Advanced into the current stage at or before.
    pub fn advanced_at_end(mut self, value: u64) -> Self {
        self.advanced_at_end = Some(value);
        self
    }

    /// Archived at or after.
    pub fn archived_at_start(mut self, value: u64) -> Self {
        self.archived_at_start = Some(value);
        self
    }

    /// Archived at or before.
    pub fn archived_at_end(mut self, value: u64) -> Self {
        self.archived_at_end = Some(value);
        self
    }

    /// Only archived (`true`) or only active (`false`); unset for both.
    pub fn archived(mut self, value: bool) -> Self {
        self.archived = Some(value);
        self
    }

    /// Archive reasons. Call again to add more.
    pub fn archive_reason_id(mut self, value: ArchiveReasonId) -> Self {
        self.archive_reason_id.push(value);
        self
    }

    /// Only snoozed (`true`) or only not snoozed (`false`); unset for both.
    pub fn snoozed(mut self, value: bool) -> Self {
        self.snoozed = Some(value);
        self
    }

    /// Contacts. Call again to add more.
    pub fn contact_id(mut self, value: ContactId) -> Self {
        self.contact_id.push(value);
        self
    }

    /// Posting locations (`"unspecified"` allowed). Call again to add more.
    pub fn location(mut self, value: impl Into<String>) -> Self {
        self.location.push(value.into());
        self
    }

    /// Restrict the response to these optional fields. Call again to add more.
    pub fn include(mut self, value: impl Into<String>) -> Self {
        self.include.push(value.into());
        self
    }

    /// Replace these ids with full objects. Call again to add more.
    pub fn expand(mut self, value: OpportunityExpand) -> Self {
        self.expand.push(value);
        self
    }

    /// Page size, 1–100 (Lever's default 100).
    pub fn limit(mut self, value: u32) -> Self {
        self.limit = Some(value);
        self
    }
}

/// A new opportunity for `POST /opportunities`. Only set what you know; Lever fills
/// the rest (stage "New Lead", owner = `perform_as`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewOpportunity {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    /// Initial stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<StageId>,
    /// Location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Phones.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
    /// Emails (Lever dedupes contacts by email).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Links.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    /// Tags (created on first use).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Sources (created on first use).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Origin.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Owner (default: the `perform_as` user).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<UserId>,
    /// Followers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub followers: Vec<UserId>,
    /// The posting applied to. Lever accepts at most one; more is refused before sending.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub postings: Vec<PostingId>,
    /// Creation time (ms, in the past).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// Create it archived (`reason` required).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<Archived>,
    /// Attach to this existing contact instead of deduping by email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactId>,
    /// Opportunity location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opportunity_location: Option<String>,
    /// Query `parse`: parse an attached resume (multipart uploads only).
    #[serde(skip)]
    pub parse: Option<bool>,
    /// Query `perform_as_posting_owner`: act as the owner of the single posting.
    #[serde(skip)]
    pub perform_as_posting_owner: Option<bool>,
}

impl NewOpportunity {
    /// Nothing set yet (Lever's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Name.
    pub fn name(mut self, value: impl Into<String>) -> Self {
        self.name = Some(value.into());
        self
    }

    /// Headline.
    pub fn headline(mut self, value: impl Into<String>) -> Self {
        self.headline = Some(value.into());
        self
    }

    /// Initial stage.
    pub fn stage(mut self, value: StageId) -> Self {
        self.stage = Some(value);
        self
    }

    /// Location.
    pub fn location(mut self, value: impl Into<String>) -> Self {
        self.location = Some(value.into());
        self
    }

    /// Phones. Call again to add more.
    pub fn phone(mut self, value: Phone) -> Self {
        self.phones.push(value);
        self
    }

    /// Emails (Lever dedupes contacts by email). Call again to add more.
    pub fn email(mut self, value: impl Into<String>) -> Self {
        self.emails.push(value.into());
        self
    }

    /// Links. Call again to add more.
    pub fn link(mut self, value: impl Into<String>) -> Self {
        self.links.push(value.into());
        self
    }

    /// Tags (created on first use). Call again to add more.
    pub fn tag(mut self, value: impl Into<String>) -> Self {
        self.tags.push(value.into());
        self
    }

    /// Sources (created on first use). Call again to add more.
    pub fn source(mut self, value: impl Into<String>) -> Self {
        self.sources.push(value.into());
        self
    }

    /// Origin.
    pub fn origin(mut self, value: Origin) -> Self {
        self.origin = Some(value);
        self
    }

    /// Owner (default: the `perform_as` user).
    pub fn owner(mut self, value: UserId) -> Self {
        self.owner = Some(value);
        self
    }

    /// Followers. Call again to add more.
    pub fn follower(mut self, value: UserId) -> Self {
        self.followers.push(value);
        self
    }

    /// The posting applied to. Lever accepts at most one; more is refused before sending. Call again to add more.
    pub fn posting(mut self, value: PostingId) -> Self {
        self.postings.push(value);
        self
    }

    /// Creation time (ms, in the past).
    pub fn created_at(mut self, value: u64) -> Self {
        self.created_at = Some(value);
        self
    }

    /// Create it archived (`reason` required).
    pub fn archived(mut self, value: Archived) -> Self {
        self.archived = Some(value);
        self
    }

    /// Attach to this existing contact instead of deduping by email.
    pub fn contact(mut self, value: ContactId) -> Self {
        self.contact = Some(value);
        self
    }

    /// Opportunity location.
    pub fn opportunity_location(mut self, value: impl Into<String>) -> Self {
        self.opportunity_location = Some(value.into());
        self
    }

    /// Query `parse`: parse an attached resume (multipart uploads only).
    pub fn parse(mut self, value: bool) -> Self {
        self.parse = Some(value);
        self
    }

    /// Query `perform_as_posting_owner`: act as the owner of the single posting.
    pub fn perform_as_posting_owner(mut self, value: bool) -> Self {
        self.perform_as_posting_owner = Some(value);
        self
    }
}

/// The answer to a create: the opportunity, and whether Lever matched an existing
/// contact by email (`deduped`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct CreatedOpportunity {
    /// True when the new opportunity was attached to an existing contact.
    #[serde(default)]
    pub deduped: bool,
    /// The created opportunity.
    #[serde(rename = "data")]
    pub opportunity: Opportunity,
}

/// Archive options for [`Opportunities::archive`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Archive {
    /// The archive reason (see [`crate::ArchiveReasons`]).
    pub reason: ArchiveReasonId,
    /// Also remove pending interviews.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clean_interviews: Option<bool>,
    /// Hire against this requisition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requisition_id: Option<RequisitionId>,
}

impl Archive {
    /// Archive with `reason`.
    pub fn new(reason: ArchiveReasonId) -> Self {
        Self {
            reason,
            clean_interviews: None,
            requisition_id: None,
        }
    }

    /// Remove pending interviews too.
    pub fn clean_interviews(mut self, clean: bool) -> Self {
        self.clean_interviews = Some(clean);
        self
    }

    /// Hire against `requisition`.
    pub fn requisition(mut self, requisition: RequisitionId) -> Self {
        self.requisition_id = Some(requisition);
        self
    }
}

/// `/opportunities` calls. Obtain with [`crate::LeverClient::opportunities`].
#[derive(Debug, Clone, Copy)]
pub struct Opportunities<'a> {
    client: &'a LeverClient,
}

impl<'a> Opportunities<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    fn listing(&self, filter: &OpportunityFilter) -> Result<Listing> {
        Ok(Listing::new(self.client.transport(), "/opportunities")
            .query(client_core::query_pairs(filter)?))
    }

    /// Every matching opportunity, fetched page by page.
    pub fn list(&self, filter: &OpportunityFilter) -> ItemStream<'static, Opportunity> {
        match self.listing(filter) {
            Ok(listing) => listing.items(),
            Err(e) => failed(e),
        }
    }

    /// One page of matching opportunities: the first (`cursor` `None`) or the one a
    /// saved offset token (a previous page's `next`) points at, for syncs that save
    /// their position. An expired token fails with an error for which
    /// [`crate::is_invalid_offset`] is true.
    pub async fn page(
        &self,
        filter: &OpportunityFilter,
        cursor: Option<String>,
    ) -> Result<Page<Opportunity, String>> {
        self.listing(filter)?.page(cursor).await
    }

    /// Deleted opportunities, optionally within `deleted_at_start..=deleted_at_end` (ms).
    pub fn list_deleted(
        &self,
        deleted_at_start: Option<u64>,
        deleted_at_end: Option<u64>,
    ) -> ItemStream<'static, Opportunity> {
        let mut query = Vec::new();
        if let Some(start) = deleted_at_start {
            query.push(("deleted_at_start".to_owned(), start.to_string()));
        }
        if let Some(end) = deleted_at_end {
            query.push(("deleted_at_end".to_owned(), end.to_string()));
        }
        Listing::new(self.client.transport(), "/opportunities/deleted")
            .query(query)
            .items()
    }

    /// One opportunity.
    pub async fn get(&self, id: &OpportunityId) -> Result<Opportunity> {
        self.get_expanded(id, &[]).await
    }

    /// One opportunity with `expand`ed fields.
    pub async fn get_expanded(
        &self,
        id: &OpportunityId,
        expand: &[OpportunityExpand],
    ) -> Result<Opportunity> {
        let raw = self
            .client
            .transport()
            .get(path(id, ""))
            .query_pairs(expand.iter().map(|e| ("expand", e.as_str())))
            .send_raw()
            .await?;
        data(raw)
    }

    /// Create an opportunity. Lever requires `perform_as`. Not retried after a server
    /// error (a repeat could create a duplicate).
    pub async fn create(
        &self,
        perform_as: &PerformAs,
        new: &NewOpportunity,
    ) -> Result<CreatedOpportunity> {
        if new.postings.len() > 1 {
            return Err(Error::InvalidInput(
                "Lever accepts at most one posting per created opportunity; create one per posting"
                    .into(),
            ));
        }
        self.client
            .transport()
            .post("/opportunities")
            .query("perform_as", &perform_as.0)
            .query_opt("parse", new.parse)
            .query_opt("perform_as_posting_owner", new.perform_as_posting_owner)
            .idempotency(Idempotency::NotRepeatable)
            .json(new)
            .send()
            .await
    }

    /// Move the opportunity to `stage` (`perform_as` optional).
    pub fn change_stage(&self, id: &OpportunityId, stage: &StageId) -> Call<'a, Opportunity> {
        self.write(Method::PUT, id, "/stage")
            .json(&serde_json::json!({ "stage": stage }))
    }

    /// Archive with a reason (`perform_as` optional).
    pub fn archive(&self, id: &OpportunityId, archive: &Archive) -> Call<'a, Opportunity> {
        self.write(Method::PUT, id, "/archived").json(archive)
    }

    /// Unarchive (`reason: null`; `perform_as` optional).
    pub fn unarchive(&self, id: &OpportunityId) -> Call<'a, Opportunity> {
        self.write(Method::PUT, id, "/archived")
            .json(&serde_json::json!({ "reason": null }))
    }

    /// Add tags (created on first use). Lever has no "replace all tags" call.
    pub fn add_tags(&self, id: &OpportunityId, tags: &[&str]) -> Call<'a, Opportunity> {
        self.list_edit(id, "/addTags", "tags", tags)
    }

    /// Remove tags.
    pub fn remove_tags(&self, id: &OpportunityId, tags: &[&str]) -> Call<'a, Opportunity> {
        self.list_edit(id, "/removeTags", "tags", tags)
    }

    /// Add links (stored on the contact).
    pub fn add_links(&self, id: &OpportunityId, links: &[&str]) -> Call<'a, Opportunity> {
        self.list_edit(id, "/addLinks", "links", links)
    }

    /// Remove links.
    pub fn remove_links(&self, id: &OpportunityId, links: &[&str]) -> Call<'a, Opportunity> {
        self.list_edit(id, "/removeLinks", "links", links)
    }

    /// Add sources (created on first use).
    pub fn add_sources(&self, id: &OpportunityId, sources: &[&str]) -> Call<'a, Opportunity> {
        self.list_edit(id, "/addSources", "sources", sources)
    }

    /// Remove sources.
    pub fn remove_sources(&self, id: &OpportunityId, sources: &[&str]) -> Call<'a, Opportunity> {
        self.list_edit(id, "/removeSources", "sources", sources)
    }

    fn write(&self, method: Method, id: &OpportunityId, suffix: &str) -> Call<'a, Opportunity> {
        Call::new(
            self.client.transport(),
            method,
            path(id, suffix),
            data::<Opportunity>,
        )
    }

    /// Adding or removing set members is harmless to repeat, so these POSTs are retried.
    fn list_edit(
        &self,
        id: &OpportunityId,
        suffix: &str,
        field: &str,
        values: &[&str],
    ) -> Call<'a, Opportunity> {
        let mut body = Map::new();
        body.insert(field.to_owned(), serde_json::json!(values));
        self.write(Method::POST, id, suffix)
            .json(&body)
            .idempotent()
    }
}

fn path(id: &OpportunityId, suffix: &str) -> String {
    format!("/opportunities/{}{suffix}", encode_segment(id.as_str()))
}
