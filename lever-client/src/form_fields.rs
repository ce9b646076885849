//! The fields of Lever's forms: feedback, feedback templates, profile forms and their
//! templates all carry the same `fields` list.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::common::null_default;

/// One field of a form or template (`score-system`, `text`, `textarea`, `dropdown`,
/// `multiple-choice`, `multiple-select`, `yes-no`, `date`, `currency`, `score`,
/// `scorecard`, `code`, `file-upload`, `note`… the type is kept as sent).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FormField {
    /// The field id (absent when creating a template).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The field type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The question.
    #[serde(default)]
    pub text: String,
    /// Help text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether an answer is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Prompt shown in the input (for example "Select one").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The choices of choice fields.
    #[serde(
        default,
        deserialize_with = "null_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub options: Vec<FieldOption>,
    /// The answer, on submitted forms (its shape depends on the type).
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub value: Value,
    /// Everything else (`scores` of scorecards, `currency`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FormField {
    /// A field of type `kind` asking `text`.
    pub fn new(kind: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            id: None,
            kind: kind.into(),
            text: text.into(),
            description: None,
            required: None,
            prompt: None,
            options: Vec::new(),
            value: Value::Null,
            extra: Map::new(),
        }
    }

    /// Help text.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Required or not.
    pub fn required(mut self, required: bool) -> Self {
        self.required = Some(required);
        self
    }

    /// The choices, in order.
    pub fn options<S: Into<String>>(mut self, options: impl IntoIterator<Item = S>) -> Self {
        self.options = options.into_iter().map(FieldOption::new).collect();
        self
    }
}

/// One choice of a choice field.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct FieldOption {
    /// The choice.
    pub text: String,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FieldOption {
    /// A choice reading `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            extra: Map::new(),
        }
    }
}

/// An answer to one field, by field id (`fieldValues` of feedback and profile forms).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FieldValue {
    /// The field id (from the template).
    pub id: String,
    /// The answer, shaped as the field type wants (a string, a number, a list…).
    pub value: Value,
}

impl FieldValue {
    /// Answer field `id` with `value`.
    pub fn new(id: impl Into<String>, value: impl Into<Value>) -> Self {
        Self {
            id: id.into(),
            value: value.into(),
        }
    }
}
