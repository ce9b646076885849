//! Users (`/user-api/v201804`): list (stream), get, and the credential's own user.

use client_core::pagination::{ItemStream, Page, Paginated, boxed_items_capped};
use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::SmartRecruitersClient;
use crate::common::{CursorPage, IdLabel, Location};
use crate::ids::UserId;

/// Base path of the Users API.
pub const USER_API: &str = "/user-api/v201804";

/// Filters of `GET /user-api/v201804/users`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserFilter {
    /// Full-text over names, email and external data.
    pub q: Option<String>,
    /// Page size (max 100).
    pub limit: Option<u32>,
    /// ISO-8601 timestamp.
    pub updated_after: Option<String>,
}

impl UserFilter {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Full-text search.
    pub fn q(mut self, q: impl Into<String>) -> Self {
        self.q = Some(q.into());
        self
    }

    /// Page size (max 100).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Updated after this ISO-8601 timestamp.
    pub fn updated_after(mut self, updated_after: impl Into<String>) -> Self {
        self.updated_after = Some(updated_after.into());
        self
    }
}

/// A user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// User id.
    pub id: UserId,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// System role (`{id: "ADMINISTRATOR", name}`).
    #[serde(default)]
    pub system_role: Option<IdLabel>,
    /// Whether active.
    #[serde(default)]
    pub active: Option<bool>,
    /// Last update.
    #[serde(default)]
    pub updated_on: Option<String>,
    /// Location (single-user views).
    #[serde(default)]
    pub location: Option<Location>,
    /// Everything else (`externalData`, `ssoIdentifier`, `language`, `accessGroups`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// User calls. Obtain with [`SmartRecruitersClient::users`].
#[derive(Debug, Clone, Copy)]
pub struct Users<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

impl Users<'_> {
    /// Every matching user, page by page.
    pub fn list(&self, filter: &UserFilter) -> ItemStream<'static, User> {
        let transport = self.client.transport.clone();
        let query = crate::common::query_or_message(filter);
        boxed_items_capped(
            transport.max_pages(),
            None,
            move |cursor: Option<String>| {
                let transport = transport.clone();
                let query = query.clone();
                async move { users_page(&transport, query, cursor).await }
            },
        )
    }

    /// One page of users: the first (`cursor` `None`) or the one a saved `pageId` (a
    /// previous page's `next`) points at.
    pub async fn page(
        &self,
        filter: &UserFilter,
        cursor: Option<String>,
    ) -> Result<Page<User, String>> {
        let query = crate::common::query_or_message(filter);
        Ok(users_page(&self.client.transport, query, cursor)
            .await?
            .into_page())
    }

    /// `GET /user-api/v201804/users/{id}`.
    pub async fn get(&self, id: &UserId) -> Result<User> {
        self.client
            .transport
            .get(format!("{USER_API}/users/{}", encode_segment(id.as_str())))
            .send()
            .await
    }

    /// `GET /user-api/v201804/users/me`: the user behind the credential (notes are
    /// attributed to this user).
    pub async fn me(&self) -> Result<User> {
        self.client
            .transport
            .get(format!("{USER_API}/users/me"))
            .send()
            .await
    }
}

/// One page of `GET {USER_API}/users`.
async fn users_page(
    transport: &client_core::Transport,
    query: std::result::Result<Vec<(String, String)>, String>,
    cursor: Option<String>,
) -> Result<CursorPage<User>> {
    let raw = transport
        .get(format!("{USER_API}/users"))
        .query_pairs(query.map_err(client_core::Error::InvalidInput)?)
        .query_opt("pageId", cursor)
        .send_raw()
        .await?;
    CursorPage::from_response(&raw)
}
