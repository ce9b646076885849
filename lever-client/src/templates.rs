//! Form templates: feedback templates (`/feedback_templates`) and profile form
//! templates (`/form_templates`) have the same shape and calls: list, get, create,
//! update, delete. Only templates created through the API can be changed or deleted
//! through it.

use client_core::pagination::{ItemStream, Page};
use client_core::{Idempotency, Result, encode_segment};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Listing, data, null_default};
use crate::form_fields::FormField;
use crate::ids::{FeedbackTemplateId, FormTemplateId};

/// A form template; see [`FeedbackTemplate`] and [`ProfileFormTemplate`].
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Template<I> {
    /// The template id.
    pub id: I,
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

/// A feedback form template.
pub type FeedbackTemplate = Template<FeedbackTemplateId>;

/// A profile form template.
pub type ProfileFormTemplate = Template<FormTemplateId>;

/// A template to create (`POST`) or the full replacement of one (`PUT …/:id`), for
/// either kind of template.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewTemplate {
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

impl NewTemplate {
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

/// `/feedback_templates` or `/form_templates` calls. Obtain with
/// [`crate::LeverClient::feedback_templates`] (scopes `feedback_templates:read:admin`,
/// `feedback_templates:write:admin`) or [`crate::LeverClient::form_templates`] (scopes
/// `form_templates:read:admin`, `form_templates:write:admin`).
#[derive(Debug, Clone, Copy)]
pub struct Templates<'a, I> {
    client: &'a LeverClient,
    base: &'static str,
    _id: std::marker::PhantomData<fn() -> I>,
}

impl<'a, I> Templates<'a, I>
where
    I: AsRef<str> + DeserializeOwned + Send + 'static,
{
    pub(crate) fn new(client: &'a LeverClient, base: &'static str) -> Self {
        Self {
            client,
            base,
            _id: std::marker::PhantomData,
        }
    }

    fn path(&self, id: &I) -> String {
        format!("{}/{}", self.base, encode_segment(id.as_ref()))
    }

    /// Every template.
    pub fn list(&self) -> ItemStream<'static, Template<I>> {
        Listing::new(self.client.transport(), self.base).items()
    }

    /// One page of templates.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Template<I>, String>> {
        Listing::new(self.client.transport(), self.base)
            .page(cursor)
            .await
    }

    /// One template.
    pub async fn get(&self, id: &I) -> Result<Template<I>> {
        data(
            self.client
                .transport()
                .get(self.path(id))
                .send_raw()
                .await?,
        )
    }

    /// Create a template. Not retried after a server error (a repeat would create a
    /// second one).
    pub async fn create(&self, template: &NewTemplate) -> Result<Template<I>> {
        data(
            self.client
                .transport()
                .post(self.base)
                .idempotency(Idempotency::NotRepeatable)
                .json(template)
                .send_raw()
                .await?,
        )
    }

    /// Replace a template created through the API.
    pub async fn update(&self, id: &I, template: &NewTemplate) -> Result<Template<I>> {
        data(
            self.client
                .transport()
                .put(self.path(id))
                .json(template)
                .send_raw()
                .await?,
        )
    }

    /// Delete a template created through the API.
    pub async fn delete(&self, id: &I) -> Result<()> {
        self.client
            .transport()
            .delete(self.path(id))
            .send_empty()
            .await
    }
}
