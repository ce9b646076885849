//! Feedback form templates: list, get, create, update, delete. Only templates created
//! through the API can be changed or deleted through it.

use client_core::pagination::{ItemStream, Page};
use client_core::{Idempotency, Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Listing, data, null_default};
use crate::form_fields::FormField;
use crate::ids::FeedbackTemplateId;

/// A feedback form template.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FeedbackTemplate {
    /// The template id.
    pub id: FeedbackTemplateId,
    /// Its title.
    #[serde(default)]
    pub text: Option<String>,
    /// Instructions shown to interviewers.
    #[serde(default)]
    pub instructions: Option<String>,
    /// The questions.
    #[serde(default, deserialize_with = "null_default")]
    pub fields: Vec<FormField>,
    /// The group it belongs to (`{id, name}`), if any.
    #[serde(default)]
    pub group: Option<Value>,
    /// The stage it is the default for (`{id, text}`), if any.
    #[serde(default)]
    pub stage: Option<Value>,
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

/// A template to create (`POST /feedback_templates`) or the full replacement of one
/// (`PUT /feedback_templates/:id`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewFeedbackTemplate {
    /// Title.
    pub text: String,
    /// Instructions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Group id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The questions (Lever adds its default score field when none is given).
    pub fields: Vec<FormField>,
}

impl NewFeedbackTemplate {
    /// A template titled `text` with these fields.
    pub fn new(text: impl Into<String>, fields: Vec<FormField>) -> Self {
        Self {
            text: text.into(),
            instructions: None,
            group: None,
            fields,
        }
    }

    /// Instructions.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// In this group.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }
}

/// `/feedback_templates` calls. Scopes `feedback_templates:read:admin` and, for writes,
/// `feedback_templates:write:admin`.
#[derive(Debug, Clone, Copy)]
pub struct FeedbackTemplates<'a> {
    client: &'a LeverClient,
}

impl<'a> FeedbackTemplates<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    fn path(id: &FeedbackTemplateId) -> String {
        format!("/feedback_templates/{}", encode_segment(id.as_str()))
    }

    /// Every template.
    pub fn list(&self) -> ItemStream<'static, FeedbackTemplate> {
        Listing::new(self.client.transport(), "/feedback_templates").items()
    }

    /// One page of templates.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<FeedbackTemplate, String>> {
        Listing::new(self.client.transport(), "/feedback_templates")
            .page(cursor)
            .await
    }

    /// One template.
    pub async fn get(&self, id: &FeedbackTemplateId) -> Result<FeedbackTemplate> {
        data(
            self.client
                .transport()
                .get(Self::path(id))
                .send_raw()
                .await?,
        )
    }

    /// Create a template. Not retried after a server error (a repeat would create a
    /// second one).
    pub async fn create(&self, template: &NewFeedbackTemplate) -> Result<FeedbackTemplate> {
        data(
            self.client
                .transport()
                .post("/feedback_templates")
                .idempotency(Idempotency::NotRepeatable)
                .json(template)
                .send_raw()
                .await?,
        )
    }

    /// Replace a template created through the API.
    pub async fn update(
        &self,
        id: &FeedbackTemplateId,
        template: &NewFeedbackTemplate,
    ) -> Result<FeedbackTemplate> {
        data(
            self.client
                .transport()
                .put(Self::path(id))
                .json(template)
                .send_raw()
                .await?,
        )
    }

    /// Delete a template created through the API.
    pub async fn delete(&self, id: &FeedbackTemplateId) -> Result<()> {
        self.client
            .transport()
            .delete(Self::path(id))
            .send_empty()
            .await
    }
}
