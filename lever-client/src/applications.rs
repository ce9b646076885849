//! Applications of one opportunity (at most one each today): list and get. Applying to
//! a posting on a candidate's behalf is [`crate::Postings::apply`].

use client_core::Result;
use client_core::pagination::{ItemStream, Page};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Nested, null_default};
use crate::contacts::Phone;
use crate::ids::{ApplicationId, OpportunityId, PostingId, UserId};
use crate::opportunities::Archived;

/// An application: how an opportunity came to a posting.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Application {
    /// The application id.
    pub id: ApplicationId,
    /// `posting` (applied), `user` (added by a user) or `referral`, kept as sent.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The opportunity.
    #[serde(default)]
    pub opportunity_id: Option<OpportunityId>,
    /// Legacy candidate id.
    #[serde(default)]
    pub candidate_id: Option<String>,
    /// The posting applied to.
    #[serde(default)]
    pub posting: Option<PostingId>,
    /// The posting's hiring manager when the application was made.
    #[serde(default)]
    pub posting_hiring_manager: Option<UserId>,
    /// The posting's owner when the application was made.
    #[serde(default)]
    pub posting_owner: Option<UserId>,
    /// The user who added it (type `user`) or referred (type `referral`).
    #[serde(default)]
    pub user: Option<UserId>,
    /// Name given on the application form.
    #[serde(default)]
    pub name: Option<String>,
    /// Email given on the form.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone given on the form.
    #[serde(default)]
    pub phone: Option<Phone>,
    /// Current company given on the form.
    #[serde(default)]
    pub company: Option<String>,
    /// Links given on the form.
    #[serde(default, deserialize_with = "null_default")]
    pub links: Vec<String>,
    /// Additional information given on the form.
    #[serde(default)]
    pub comments: Option<String>,
    /// Answers to the posting's custom questions (forms, as sent).
    #[serde(default, deserialize_with = "null_default")]
    pub custom_questions: Vec<Value>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Archive state, `None` when active.
    #[serde(default)]
    pub archived: Option<Archived>,
    /// The requisition hired against (`{id, requisitionCode, hiringManagerOnHire}`).
    #[serde(default)]
    pub requisition_for_hire: Option<Value>,
    /// Everything else (`ipAddress`, `userAgent`… in real responses).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Applications of one opportunity. Obtain with [`crate::LeverClient::applications`].
/// Scope `applications:read:admin`.
#[derive(Debug, Clone)]
pub struct Applications<'a> {
    nested: Nested<'a>,
}

impl<'a> Applications<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "applications"),
        }
    }

    /// Every application.
    pub fn list(&self) -> ItemStream<'static, Application> {
        self.nested.listing().items()
    }

    /// One page of applications: the first (`cursor` `None`) or the one a saved offset
    /// token points at.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Application, String>> {
        self.nested.listing().page(cursor).await
    }

    /// One application.
    pub async fn get(&self, id: &ApplicationId) -> Result<Application> {
        self.nested.get(id.as_str()).await
    }
}
