//! Users of the Lever account (the ids `perform_as` takes): list, get, create, update,
//! deactivate, reactivate.

use client_core::pagination::{ItemStream, Page};
use client_core::{Idempotency, Result, encode_segment};
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
#[non_exhaustive]
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

impl UserFilter {
    /// Nothing set yet (Lever's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// Exact (canonicalised) email.
    pub fn email(mut self, value: impl Into<String>) -> Self {
        self.email = Some(value.into());
        self
    }

    /// Only users with this role (call again for several).
    pub fn access_role(mut self, value: AccessRole) -> Self {
        self.access_role.push(value);
        self
    }

    /// Include deactivated users.
    pub fn include_deactivated(mut self, value: bool) -> Self {
        self.include_deactivated = Some(value);
        self
    }

    /// Directory id.
    pub fn external_directory_id(mut self, value: impl Into<String>) -> Self {
        self.external_directory_id = Some(value.into());
        self
    }

    /// Page size, 1–100.
    pub fn limit(mut self, value: u32) -> Self {
        self.limit = Some(value);
        self
    }
}

/// A user to create (`POST /users`; no invitation email is sent) or the full
/// replacement of one (`PUT /users/:id`, where Lever requires name, email and role).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewUser {
    /// Display name.
    pub name: String,
    /// Email (the login).
    pub email: String,
    /// Role (Lever's default on create: interviewer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_role: Option<AccessRole>,
    /// Id in the customer's directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_directory_id: Option<String>,
    /// Job title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    /// Manager's user id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager_id: Option<UserId>,
}

impl NewUser {
    /// A user named `name` logging in as `email`.
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
            access_role: None,
            external_directory_id: None,
            job_title: None,
            manager_id: None,
        }
    }

    /// Role.
    pub fn access_role(mut self, role: AccessRole) -> Self {
        self.access_role = Some(role);
        self
    }

    /// Directory id.
    pub fn external_directory_id(mut self, id: impl Into<String>) -> Self {
        self.external_directory_id = Some(id.into());
        self
    }

    /// Job title.
    pub fn job_title(mut self, title: impl Into<String>) -> Self {
        self.job_title = Some(title.into());
        self
    }

    /// Manager.
    pub fn manager(mut self, manager: UserId) -> Self {
        self.manager_id = Some(manager);
        self
    }
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
        data(self.client.transport().get(path(id, "")).send_raw().await?)
    }

    /// Create a user (scope `users:write:admin`). Not retried after a server error.
    pub async fn create(&self, user: &NewUser) -> Result<User> {
        data(
            self.client
                .transport()
                .post("/users")
                .idempotency(Idempotency::NotRepeatable)
                .json(user)
                .send_raw()
                .await?,
        )
    }

    /// Replace a user's name, email, role and the rest (scope `users:write:admin`).
    pub async fn update(&self, id: &UserId, user: &NewUser) -> Result<User> {
        data(
            self.client
                .transport()
                .put(path(id, ""))
                .json(user)
                .send_raw()
                .await?,
        )
    }

    /// Deactivate a user (scope `users:write:admin`); safe to repeat, so retried.
    pub async fn deactivate(&self, id: &UserId) -> Result<User> {
        self.toggle(id, "/deactivate").await
    }

    /// Reactivate a user (scope `users:write:admin`); safe to repeat, so retried.
    pub async fn reactivate(&self, id: &UserId) -> Result<User> {
        self.toggle(id, "/reactivate").await
    }

    async fn toggle(&self, id: &UserId, action: &str) -> Result<User> {
        data(
            self.client
                .transport()
                .post(path(id, action))
                .idempotency(Idempotency::Guarded)
                .send_raw()
                .await?,
        )
    }
}

fn path(id: &UserId, suffix: &str) -> String {
    format!("/users/{}{suffix}", encode_segment(id.as_str()))
}
