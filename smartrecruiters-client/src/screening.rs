//! Screening answers of an application
//! (`GET /candidates/{id}/jobs/{jobId}/screening-answers`). Scope: `candidates_read`.

use std::collections::BTreeMap;

use client_core::Result;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Applications;
use crate::applications::application_path;
use crate::common::get_listing;
use crate::ids::{CandidateId, JobId};

client_core::open_enum!(
    /// Kind of a screening question.
    QuestionType {
        /// One-line text.
        Text = "text",
        /// Checkbox.
        Checkbox = "checkbox",
        /// Languages with proficiency.
        Languages = "languages",
        /// Legacy acknowledgement (replaced by checkbox).
        Acknowledgement = "acknowledgement",
        /// Long text.
        Textarea = "textarea",
        /// Drop-down.
        Select = "select",
        /// Files.
        Files = "files",
        /// Information only.
        Info = "info",
        /// Equal-employment-opportunity questions.
        Eeo = "eeo",
        /// Radio buttons.
        Radio = "radio",
        /// Salary expectation.
        SalaryExpectation = "salaryExpectation",
        /// Currency amount.
        Currency = "currency",
        /// Preferred work shifts.
        WorkShifts = "work_shifts",
    }
);

/// One answered question. A question with several records (languages, shifts) has one
/// record per entry.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ScreeningAnswer {
    /// Question id.
    pub id: String,
    /// Question type.
    #[serde(default, rename = "type")]
    pub kind: Option<QuestionType>,
    /// Category: a UUID for a custom question, another value for a library question.
    #[serde(default)]
    pub category: Option<String>,
    /// Question name.
    #[serde(default)]
    pub name: Option<String>,
    /// Question label (what the candidate read).
    #[serde(default)]
    pub label: Option<String>,
    /// The answers.
    #[serde(default)]
    pub records: Vec<AnswerRecord>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One record of an answer: its fields by name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnswerRecord {
    /// Fields by name.
    #[serde(default)]
    pub fields: BTreeMap<String, AnswerField>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One field of a record. SmartRecruiters says to ignore the label of an answer with a
/// single field (the question's label says it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnswerField {
    /// Field id.
    #[serde(default)]
    pub id: Option<String>,
    /// Field label.
    #[serde(default)]
    pub label: Option<String>,
    /// The values given (`label` is the readable text; `id` for choices).
    #[serde(default)]
    pub values: Vec<AnswerFieldValue>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One value of a field.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnswerFieldValue {
    /// Choice id (choices only).
    #[serde(default)]
    pub id: Option<String>,
    /// Readable value.
    #[serde(default)]
    pub label: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Applications<'_> {
    /// `GET /candidates/{id}/jobs/{jobId}/screening-answers` (an empty list when the
    /// candidate answered none). Scope: `candidates_read`.
    pub async fn screening_answers(
        &self,
        candidate: &CandidateId,
        job: &JobId,
    ) -> Result<Vec<ScreeningAnswer>> {
        get_listing(
            &self.client.transport,
            format!("{}/screening-answers", application_path(candidate, job)),
        )
        .await
    }
}
