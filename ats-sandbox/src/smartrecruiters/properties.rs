//! Candidate properties: the sandbox company's definitions
//! (`/configuration/candidate-properties`, with the values of its single-select one)
//! and the values set per application (`GET`/`PUT
//! /candidates/{id}/jobs/{jobId}/properties`), typed as SmartRecruiters types them.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Shared, SmartRecruitersSandbox, error, not_found};
use crate::gate::lock;

/// The sandbox company's candidate properties: `(id, label, type)`.
pub const PROPERTIES: &[(&str, &str, &str)] = &[
    ("willo-score", "Willo score", "NUMBER"),
    ("willo-link", "Willo review link", "TEXT"),
    ("willo-result", "Willo result", "SINGLE_SELECT"),
    ("recruiter-verdict", "Recruiter verdict", "TEXT"),
    ("interview-date", "Interview date", "DATE"),
];

/// The choices of `willo-result`: `(id, label)`.
pub const RESULT_VALUES: &[(&str, &str)] = &[("passed", "Passed"), ("failed", "Failed")];

fn definition(id: &str) -> Option<Value> {
    PROPERTIES
        .iter()
        .find(|(p, _, _)| *p == id)
        .map(|(id, label, kind)| json!({"id": id, "label": label, "type": kind}))
}

fn kind_of(id: &str) -> Option<&'static str> {
    PROPERTIES
        .iter()
        .find(|(p, _, _)| *p == id)
        .map(|(_, _, k)| *k)
}

pub(super) async fn list_definitions() -> Response {
    let content: Vec<Value> = PROPERTIES
        .iter()
        .filter_map(|(id, _, _)| definition(id))
        .collect();
    Json(json!({"totalFound": content.len(), "content": content})).into_response()
}

pub(super) async fn get_definition(Path(id): Path<String>) -> Response {
    match definition(&id) {
        Some(found) => Json(found).into_response(),
        None => not_found("Candidate property"),
    }
}

pub(super) async fn list_values(Path(id): Path<String>) -> Response {
    match kind_of(&id) {
        Some("SINGLE_SELECT") => {
            let content: Vec<Value> = RESULT_VALUES
                .iter()
                .map(|(id, label)| json!({"id": id, "label": label}))
                .collect();
            Json(json!({"totalFound": content.len(), "content": content})).into_response()
        }
        Some(_) => Json(json!({"totalFound": 0, "content": []})).into_response(),
        None => not_found("Candidate property"),
    }
}

/// Whether `value` has the shape `kind` requires.
fn fits(kind: &str, value: &Value) -> bool {
    match kind {
        "NUMBER" => value.is_number(),
        "SINGLE_SELECT" => value
            .as_str()
            .is_some_and(|v| RESULT_VALUES.iter().any(|(id, _)| *id == v)),
        _ => value.is_string(),
    }
}

pub(super) async fn get_values(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
) -> Response {
    let data = lock(&shared.data);
    if data.application(&candidate, &job).is_none() {
        return not_found("Application");
    }
    let Some(values) = data
        .properties
        .get(&(candidate, job))
        .filter(|v| !v.is_empty())
    else {
        // What SmartRecruiters answers when nothing is set.
        return Json(json!({})).into_response();
    };
    let content: Vec<Value> = values
        .iter()
        .map(|(id, value)| {
            let (_, label, kind) = PROPERTIES
                .iter()
                .find(|(p, _, _)| p == id)
                .copied()
                .unwrap_or(("", "", "TEXT"));
            json!({"id": id, "label": label, "type": kind, "value": value})
        })
        .collect();
    Json(json!({"content": content})).into_response()
}

pub(super) async fn set_values(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let Some(entries) = body.as_array() else {
        return error(
            StatusCode::BAD_REQUEST,
            "Expected a list of property values",
        );
    };
    let mut data = lock(&shared.data);
    if data.application(&candidate, &job).is_none() {
        return not_found("Application");
    }
    // Check every entry before setting any.
    for entry in entries {
        let id = entry.get("id").and_then(Value::as_str).unwrap_or_default();
        let Some(kind) = kind_of(id) else {
            return error(StatusCode::BAD_REQUEST, &format!("Unknown property {id}"));
        };
        if let Some(value) = entry.get("value")
            && !fits(kind, value)
        {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("Invalid value for property {id} of type {kind}"),
            );
        }
    }
    let values = data.properties.entry((candidate, job)).or_default();
    for entry in entries {
        let id = entry["id"].as_str().unwrap_or_default().to_owned();
        match entry.get("value") {
            Some(value) => values.insert(id, value.clone()),
            None => values.remove(&id),
        };
    }
    StatusCode::NO_CONTENT.into_response()
}

impl SmartRecruitersSandbox {
    /// The value of property `id` on `candidate`'s application to `job`.
    pub fn property(&self, candidate: &str, job: &str, id: &str) -> Option<Value> {
        let data = lock(&self.shared.data);
        let values = data
            .properties
            .get(&(candidate.to_owned(), job.to_owned()))?;
        values.get(id).cloned()
    }

    /// Set property `id` as a recruiter would in SmartRecruiters (no type check).
    pub fn set_property(&self, candidate: &str, job: &str, id: &str, value: Value) {
        let mut data = lock(&self.shared.data);
        let values: &mut Map<String, Value> = data
            .properties
            .entry((candidate.to_owned(), job.to_owned()))
            .or_default();
        values.insert(id.to_owned(), value);
    }
}
