//! Feedback (interview scorecards) on one opportunity: list, get, create, update,
//! delete. Forms are built from a [`crate::FeedbackTemplate`].

use client_core::pagination::{ItemStream, Page};
use client_core::{Method, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Call, Expandable, Nested, data, nothing, null_default};
use crate::form_fields::{FieldValue, FormField};
use crate::ids::{
    FeedbackId, FeedbackTemplateId, InterviewId, OpportunityId, PanelId, PerformAs, UserId,
};
use crate::users::User;

/// A feedback form, submitted or pending.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Feedback {
    /// The feedback id.
    pub id: FeedbackId,
    /// `interview` so far.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The form title (the template's).
    #[serde(default)]
    pub text: Option<String>,
    /// Instructions shown to the interviewer.
    #[serde(default)]
    pub instructions: Option<String>,
    /// The questions and answers.
    #[serde(default, deserialize_with = "null_default")]
    pub fields: Vec<FormField>,
    /// The template it was made from.
    #[serde(default)]
    pub base_template_id: Option<FeedbackTemplateId>,
    /// The interview it is about, if any.
    #[serde(default)]
    pub interview: Option<InterviewId>,
    /// The panel it is about, if any.
    #[serde(default)]
    pub panel: Option<PanelId>,
    /// The author; an object with `expand=user`.
    #[serde(default)]
    pub user: Option<Expandable<UserId, User>>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Submitted (ms); `None` while pending.
    #[serde(default)]
    pub completed_at: Option<u64>,
    /// Updated (ms).
    #[serde(default)]
    pub updated_at: Option<u64>,
    /// Deleted (ms).
    #[serde(default)]
    pub deleted_at: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A new feedback form for `POST …/feedback` (Lever requires `perform_as`: the author).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewFeedback {
    /// The template to fill in.
    pub base_template_id: FeedbackTemplateId,
    /// The panel it is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel: Option<PanelId>,
    /// The interview it is about (with its panel).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interview: Option<InterviewId>,
    /// Answers, by field id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_values: Vec<FieldValue>,
    /// Created (ms, in the past).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
    /// Submitted (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<u64>,
}

impl NewFeedback {
    /// Feedback on template `template`.
    pub fn new(template: FeedbackTemplateId) -> Self {
        Self {
            base_template_id: template,
            panel: None,
            interview: None,
            field_values: Vec::new(),
            created_at: None,
            completed_at: None,
        }
    }

    /// About this interview of this panel.
    pub fn interview(mut self, panel: PanelId, interview: InterviewId) -> Self {
        self.panel = Some(panel);
        self.interview = Some(interview);
        self
    }

    /// Answer a field.
    pub fn answer(mut self, value: FieldValue) -> Self {
        self.field_values.push(value);
        self
    }

    /// Backdate.
    pub fn created_at(mut self, millis: u64) -> Self {
        self.created_at = Some(millis);
        self
    }

    /// Submitted at `millis`.
    pub fn completed_at(mut self, millis: u64) -> Self {
        self.completed_at = Some(millis);
        self
    }
}

/// New answers for `PUT …/feedback/:feedback`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FeedbackUpdate {
    /// Answers, by field id.
    pub field_values: Vec<FieldValue>,
    /// Submitted (ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<u64>,
}

impl FeedbackUpdate {
    /// These answers.
    pub fn new(field_values: Vec<FieldValue>) -> Self {
        Self {
            field_values,
            completed_at: None,
        }
    }

    /// Submitted at `millis`.
    pub fn completed_at(mut self, millis: u64) -> Self {
        self.completed_at = Some(millis);
        self
    }
}

/// Feedback of one opportunity. Obtain with [`crate::LeverClient::feedback`]. Scopes
/// `feedback:read:admin` and, for writes, `feedback:write:admin`.
#[derive(Debug, Clone)]
pub struct Feedbacks<'a> {
    nested: Nested<'a>,
}

impl<'a> Feedbacks<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "feedback"),
        }
    }

    /// Every feedback form.
    pub fn list(&self) -> ItemStream<'static, Feedback> {
        self.nested.listing().items()
    }

    /// One page of feedback: the first (`cursor` `None`) or the one a saved offset
    /// token points at.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Feedback, String>> {
        self.nested.listing().page(cursor).await
    }

    /// One feedback form.
    pub async fn get(&self, id: &FeedbackId) -> Result<Feedback> {
        self.nested.get(id.as_str()).await
    }

    /// Create feedback authored by `perform_as` (required by Lever). Not retried after
    /// a server error: a repeat would file the feedback twice.
    pub async fn create(&self, perform_as: &PerformAs, new: &NewFeedback) -> Result<Feedback> {
        let base = self.nested.base.clone();
        data(
            self.nested
                .write_as(Method::POST, base, perform_as, Some(new))
                .await?,
        )
    }

    /// Replace the answers of a feedback form (`perform_as` required by Lever).
    pub async fn update(
        &self,
        id: &FeedbackId,
        perform_as: &PerformAs,
        update: &FeedbackUpdate,
    ) -> Result<Feedback> {
        let path = self.nested.item(id.as_str());
        data(
            self.nested
                .write_as(Method::PUT, path, perform_as, Some(update))
                .await?,
        )
    }

    /// Delete a feedback form (`perform_as` optional).
    pub fn delete(&self, id: &FeedbackId) -> Call<'a, ()> {
        Call::new(
            self.nested.transport(),
            Method::DELETE,
            self.nested.item(id.as_str()),
            nothing,
        )
    }
}
