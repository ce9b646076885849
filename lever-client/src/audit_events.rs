//! Audit events: who did what in the Lever account (logins, exports, settings and
//! permission changes), newest first.
//!
//! The filters follow Lever's reference (`type`, `user_id`, `target_id`, `target_type`,
//! `created_at_start`, `created_at_end`); no recorded exchange confirms them, so treat
//! them as uncertain and check a first page by hand.

use client_core::Result;
use client_core::pagination::{ItemStream, Page};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Listing, failed};
use crate::ids::{AuditEventId, UserId};

/// An audit event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AuditEvent {
    /// The event id.
    pub id: AuditEventId,
    /// When (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// What happened (`user_logged_in`, `export_created`… kept as sent).
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Who did it (`{id, email, name, role}`).
    #[serde(default)]
    pub user: Option<AuditActor>,
    /// What it was done to (`{id, type, label}`).
    #[serde(default)]
    pub target: Option<Value>,
    /// Event-specific details, as sent.
    #[serde(default)]
    pub meta: Option<Value>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The user behind an audit event.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct AuditActor {
    /// The user id.
    #[serde(default)]
    pub id: Option<UserId>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Role.
    #[serde(default)]
    pub role: Option<String>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Filters for `GET /audit_events`.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct AuditEventFilter {
    /// Event types (repeated parameter).
    #[serde(rename = "type")]
    pub kind: Vec<String>,
    /// Only events by this user.
    pub user_id: Option<UserId>,
    /// Only events on this target.
    pub target_id: Option<String>,
    /// Only events on targets of this type.
    pub target_type: Option<String>,
    /// At or after (ms).
    pub created_at_start: Option<u64>,
    /// At or before (ms).
    pub created_at_end: Option<u64>,
}

impl AuditEventFilter {
    /// Every event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only this type (call again for several).
    pub fn kind(mut self, kind: impl Into<String>) -> Self {
        self.kind.push(kind.into());
        self
    }

    /// Only events by `user`.
    pub fn user(mut self, user: UserId) -> Self {
        self.user_id = Some(user);
        self
    }

    /// Only events on target `id`.
    pub fn target(mut self, id: impl Into<String>) -> Self {
        self.target_id = Some(id.into());
        self
    }

    /// Only events on targets of type `kind`.
    pub fn target_type(mut self, kind: impl Into<String>) -> Self {
        self.target_type = Some(kind.into());
        self
    }

    /// Within `start..=end` (ms; either may be open).
    pub fn created_between(mut self, start: Option<u64>, end: Option<u64>) -> Self {
        self.created_at_start = start;
        self.created_at_end = end;
        self
    }
}

/// `/audit_events` calls. Obtain with [`crate::LeverClient::audit_events`]. Scope
/// `audit_events:read:admin`.
#[derive(Debug, Clone, Copy)]
pub struct AuditEvents<'a> {
    client: &'a LeverClient,
}

impl<'a> AuditEvents<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every matching event.
    pub fn list(&self, filter: &AuditEventFilter) -> ItemStream<'static, AuditEvent> {
        match client_core::query_pairs(filter) {
            Ok(query) => Listing::new(self.client.transport(), "/audit_events")
                .query(query)
                .items(),
            Err(e) => failed(e),
        }
    }

    /// One page of matching events.
    pub async fn page(
        &self,
        filter: &AuditEventFilter,
        cursor: Option<String>,
    ) -> Result<Page<AuditEvent, String>> {
        Listing::new(self.client.transport(), "/audit_events")
            .query(client_core::query_pairs(filter)?)
            .page(cursor)
            .await
    }
}
