//! Users of the Lever account (the ids `perform_as` takes).

use client_core::pagination::{ItemStream, Page};
use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Listing, data, failed};
use crate::ids::{ContactId, UserId};

client_core::open_enum! {
    /// A user's role. Custom role ids may appear as [`AccessRole::Other`].
    AccessRole {
        /// `super admin`.
        SuperAdmin = "super admin",
        /// `admin`.
        Admin = "admin",
        /// `team member`.
        TeamMember = "team member",
        /// `limited team member`.
        LimitedTeamMember = "limited team member",
        /// `interviewer`.
        Interviewer = "interviewer",
    }
}

/// A user.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// The user id.
    pub id: UserId,
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Username.
    #[serde(default)]
    pub username: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Role.
    #[serde(default)]
    pub access_role: Option<AccessRole>,
    /// Photo URL.
    #[serde(default)]
    pub photo: Option<String>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Deactivated (ms), `None` when active.
    #[serde(default)]
    pub deactivated_at: Option<u64>,
    /// Id in the customer's directory.
    #[serde(default)]
    pub external_directory_id: Option<String>,
    /// Contacts linked to this user.
    #[serde(default)]
    pub linked_contact_ids: Option<Vec<ContactId>>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// Manager's user id.
    #[serde(default)]
    pub manager_id: Option<UserId>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Filters for `GET /users` (active users only by default).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserFilter {
    /// Exact (canonicalised) email.
    pub email: Option<String>,
    /// Roles, sent as `accessRole[]=…` once per role: the form Lever's "List all
    /// users" example uses (the endpoint's reference shows no other).
    #[serde(rename = "accessRole[]")]
    pub access_role: Vec<AccessRole>,
    /// Include deactivated users.
    pub include_deactivated: Option<bool>,
    /// Directory id.
    #[serde(rename = "external_directory_id")]
    pub external_directory_id: Option<String>,
    /// Page size, 1–100.
    pub limit: Option<u32>,
}

/// `/users` calls.
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    client: &'a LeverClient,
}

impl<'a> Users<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every matching user.
    pub fn list(&self, filter: &UserFilter) -> ItemStream<'static, User> {
        match client_core::query_pairs(filter) {
            Ok(query) => Listing::new(self.client.transport(), "/users")
                .query(query)
                .items(),
            Err(e) => failed(e),
        }
    }

    /// One page of matching users: the first (`cursor` `None`) or the one a saved
    /// offset token (a previous page's `next`) points at.
    pub async fn page(
        &self,
        filter: &UserFilter,
        cursor: Option<String>,
    ) -> Result<Page<User, String>> {
        Listing::new(self.client.transport(), "/users")
            .query(client_core::query_pairs(filter)?)
            .page(cursor)
            .await
    }

    /// One user.
    pub async fn get(&self, id: &UserId) -> Result<User> {
        let path = format!("/users/{}", encode_segment(id.as_str()));
        data(self.client.transport().get(path).send_raw().await?)
    }
}
