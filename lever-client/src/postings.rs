//! Job postings: list (with filters) and get.

use client_core::pagination::{ItemStream, Page};
use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Expandable, Listing, data, failed, null_default};
use crate::enums::Confidentiality;
use crate::ids::{PostingId, UserId};
use crate::users::User;

client_core::open_enum! {
    /// A posting's state.
    PostingState {
        /// Published.
        Published = "published",
        /// Internal ("unlisted" in the UI).
        Internal = "internal",
        /// Closed.
        Closed = "closed",
        /// Draft.
        Draft = "draft",
        /// Awaiting approval.
        Pending = "pending",
        /// Rejected in approval.
        Rejected = "rejected",
    }
}

client_core::open_enum! {
    /// Where the work happens.
    WorkplaceType {
        /// On site.
        Onsite = "onsite",
        /// Remote.
        Remote = "remote",
        /// Hybrid.
        Hybrid = "hybrid",
        /// Not stated.
        Unspecified = "unspecified",
    }
}

client_core::open_enum! {
    /// Fields `expand` can replace with user objects on postings.
    PostingExpand {
        /// `user` (creator).
        User = "user",
        /// `owner`.
        Owner = "owner",
        /// `hiringManager`.
        HiringManager = "hiringManager",
        /// `followers`.
        Followers = "followers",
    }
}

/// A posting.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Posting {
    /// The posting id.
    pub id: PostingId,
    /// Title.
    #[serde(default)]
    pub text: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<PostingState>,
    /// `public` and/or `internal`; `null` for unpublished postings.
    #[serde(default, deserialize_with = "null_default")]
    pub distribution_channels: Vec<String>,
    /// Confidentiality.
    #[serde(default)]
    pub confidentiality: Option<Confidentiality>,
    /// Creator.
    #[serde(default)]
    pub user: Option<Expandable<UserId, User>>,
    /// Owner.
    #[serde(default)]
    pub owner: Option<Expandable<UserId, User>>,
    /// Hiring manager.
    #[serde(default)]
    pub hiring_manager: Option<Expandable<UserId, User>>,
    /// Team, department, location, commitment, level (any may be null).
    #[serde(default)]
    pub categories: Option<Map<String, Value>>,
    /// Tags.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// Description, lists and closing (with `include=content`).
    #[serde(default)]
    pub content: Option<Value>,
    /// ISO 3166 alpha-2 country.
    #[serde(default)]
    pub country: Option<String>,
    /// Followers.
    #[serde(default, deserialize_with = "null_default")]
    pub followers: Vec<Expandable<UserId, User>>,
    /// Requisition codes.
    #[serde(default, deserialize_with = "null_default")]
    pub requisition_codes: Vec<String>,
    /// Salary range `{min, max, currency, interval}`.
    #[serde(default)]
    pub salary_range: Option<Value>,
    /// Job-site URLs (null for drafts).
    #[serde(default)]
    pub urls: Option<Map<String, Value>>,
    /// Workplace type.
    #[serde(default)]
    pub workplace_type: Option<WorkplaceType>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Updated (ms).
    #[serde(default)]
    pub updated_at: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Filters for `GET /postings`. Note Lever's rule: `updated_at_*` may only be combined
/// with `confidentiality`; to get every published posting pass both distribution channels.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostingFilter {
    /// States.
    pub state: Vec<PostingState>,
    /// `public` and/or `internal`.
    pub distribution_channel: Vec<String>,
    /// Confidentiality.
    pub confidentiality: Option<Confidentiality>,
    /// Team.
    pub team: Vec<String>,
    /// Department.
    pub department: Vec<String>,
    /// Location.
    pub location: Vec<String>,
    /// Commitment.
    pub commitment: Vec<String>,
    /// Tags.
    pub tag: Vec<String>,
    /// Group results by `location`, `team`, `department` or `commitment`.
    pub group: Option<String>,
    /// Updated at or after (ms).
    #[serde(rename = "updated_at_start")]
    pub updated_at_start: Option<u64>,
    /// Updated at or before (ms).
    #[serde(rename = "updated_at_end")]
    pub updated_at_end: Option<u64>,
    /// Optional fields to include (`content`, `followers`).
    pub include: Vec<String>,
    /// Ids to expand.
    pub expand: Vec<PostingExpand>,
    /// Page size, 1–100.
    pub limit: Option<u32>,
}

/// `/postings` calls.
#[derive(Debug, Clone, Copy)]
pub struct Postings<'a> {
    client: &'a LeverClient,
}

impl<'a> Postings<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every matching posting.
    pub fn list(&self, filter: &PostingFilter) -> ItemStream<'static, Posting> {
        match client_core::query_pairs(filter) {
            Ok(query) => Listing::new(self.client.transport(), "/postings")
                .query(query)
                .items(),
            Err(e) => failed(e),
        }
    }

    /// One page of matching postings: the first (`cursor` `None`) or the one a saved
    /// offset token (a previous page's `next`) points at.
    pub async fn page(
        &self,
        filter: &PostingFilter,
        cursor: Option<String>,
    ) -> Result<Page<Posting, String>> {
        Listing::new(self.client.transport(), "/postings")
            .query(client_core::query_pairs(filter)?)
            .page(cursor)
            .await
    }

    /// One posting.
    pub async fn get(&self, id: &PostingId) -> Result<Posting> {
        let path = format!("/postings/{}", encode_segment(id.as_str()));
        data(self.client.transport().get(path).send_raw().await?)
    }
}
