//! Profile forms on one opportunity (the structured data a recruiter fills in, built
//! from a [`crate::ProfileFormTemplate`]): list, get, create.

use client_core::pagination::{ItemStream, Page};
use client_core::{Method, Result};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Call, Expandable, Nested, data, null_default};
use crate::form_fields::{FieldValue, FormField};
use crate::ids::{FormId, FormTemplateId, OpportunityId, StageId, UserId};
use crate::users::User;

/// A profile form filled in on an opportunity.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProfileForm {
    /// The form id.
    pub id: FormId,
    /// `form` so far.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The title (the template's).
    #[serde(default)]
    pub text: Option<String>,
    /// Instructions.
    #[serde(default)]
    pub instructions: Option<String>,
    /// The template it was made from.
    #[serde(default)]
    pub base_template_id: Option<FormTemplateId>,
    /// The questions and answers.
    #[serde(default, deserialize_with = "null_default")]
    pub fields: Vec<FormField>,
    /// Who filled it in; an object with `expand=user`.
    #[serde(default)]
    pub user: Option<Expandable<UserId, User>>,
    /// The opportunity's stage when it was filled in.
    #[serde(default)]
    pub stage: Option<StageId>,
    /// Whether only users with sensitive-information access see it.
    #[serde(default)]
    pub secret: Option<bool>,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Completed (ms).
    #[serde(default)]
    pub completed_at: Option<u64>,
    /// Deleted (ms).
    #[serde(default)]
    pub deleted_at: Option<u64>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A profile form to fill in (`POST …/forms`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NewProfileForm {
    /// The template.
    pub base_template_id: FormTemplateId,
    /// Answers, by field id.
    pub field_values: Vec<FieldValue>,
    /// Secret form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<bool>,
}

impl NewProfileForm {
    /// A form of `template` with these answers.
    pub fn new(template: FormTemplateId, field_values: Vec<FieldValue>) -> Self {
        Self {
            base_template_id: template,
            field_values,
            secret: None,
        }
    }

    /// Secret or not.
    pub fn secret(mut self, secret: bool) -> Self {
        self.secret = Some(secret);
        self
    }
}

/// Profile forms of one opportunity. Obtain with [`crate::LeverClient::forms`]. Scopes
/// `forms:read:admin` and, to create, `forms:write:admin`.
#[derive(Debug, Clone)]
pub struct ProfileForms<'a> {
    nested: Nested<'a>,
}

impl<'a> ProfileForms<'a> {
    pub(crate) fn new(client: &'a LeverClient, opportunity: &OpportunityId) -> Self {
        Self {
            nested: Nested::new(client, opportunity, "forms"),
        }
    }

    /// Every profile form.
    pub fn list(&self) -> ItemStream<'static, ProfileForm> {
        self.nested.listing().items()
    }

    /// One page of profile forms.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<ProfileForm, String>> {
        self.nested.listing().page(cursor).await
    }

    /// One profile form.
    pub async fn get(&self, id: &FormId) -> Result<ProfileForm> {
        self.nested.get(id.as_str()).await
    }

    /// Fill in a profile form (`perform_as` optional). Not retried after a server error.
    pub fn create(&self, form: &NewProfileForm) -> Call<'a, ProfileForm> {
        Call::new(
            self.nested.transport(),
            Method::POST,
            self.nested.base.clone(),
            data,
        )
        .json(form)
        .not_repeatable()
    }
}
