//! The interview template library: categories (`/categories/`), templates
//! (`/interview-templates/`) and creating an interview from a template
//! (`POST /interview-templates/{key}/interviews/`). Field names are not confirmed
//! (willo.md §5); everything is kept in `extra`.

use client_core::Result;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::ids::{CategoryKey, InterviewTemplateKey};
use crate::interviews::{Interview, InterviewInput};
use crate::lenient;
use crate::resource::{Collection, get_call, list_calls};

/// A template category.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Category {
    /// Its key.
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<CategoryKey>,
    /// Its name (field name unconfirmed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub name: Option<String>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An interview template.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct InterviewTemplate {
    /// Its key.
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<InterviewTemplateKey>,
    /// Its title (field name unconfirmed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    /// Its category (a key or nested object; field name unconfirmed).
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub category: Option<CategoryKey>,
    /// Every other field, as received (questions…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Calls on `/interview-templates/` and `/categories/`. Obtain with
/// [`WilloClient::interview_templates`].
#[derive(Debug, Clone, Copy)]
pub struct InterviewTemplates<'a> {
    client: &'a WilloClient,
}

impl<'a> InterviewTemplates<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/interview-templates/")
    }

    list_calls!(InterviewTemplate, "interview templates");
    get_call!(InterviewTemplateKey => InterviewTemplate, "interview template");

    /// `POST /interview-templates/{key}/interviews/`: create an interview from a
    /// template. `input` may set the title, department or other fields (send
    /// `InterviewInput::default()` for none). Not retried after a server error.
    pub async fn create_interview(
        &self,
        template: &InterviewTemplateKey,
        input: &InterviewInput,
    ) -> Result<Interview> {
        let path = self.collection().sub_path(template.as_str(), "interviews");
        self.client.transport().post(path).json(input).send().await
    }
}

/// The categories of the interview template library (`/categories/`). Obtain with
/// [`crate::WilloClient::categories`].
#[derive(Debug, Clone, Copy)]
pub struct Categories<'a> {
    client: &'a WilloClient,
}

impl<'a> Categories<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/categories/")
    }

    list_calls!(Category, "template categories");
}
