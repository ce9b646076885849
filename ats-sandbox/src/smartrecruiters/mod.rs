//! The SmartRecruiters simulator: jobs, candidates and their applications (status and
//! sub-status), tags, notes through `POST /messages/shares`, the company's hiring
//! process, candidate properties (definitions and values per application), and the Webhooks API (`/webhooks-api/v201907`) with the `X-Hook-Secret`
//! activation handshake and signed deliveries.
//!
//! Authentication is the `X-SmartToken` API key. Lists page with `limit` and an opaque
//! `pageId` returned as `nextPageId` (smartrecruiters.md §2). A status change —
//! through `PUT /candidates/{id}/jobs/{jobId}/status` or
//! [`SmartRecruitersSandbox::move_candidate`] — sends `application.status.updated`
//! (`{job_id, candidate_id, application_id}`) with `event-name`, `event-id`,
//! `event-version`, `Link` and, once a secret key exists, `smartrecruiters-signature`
//! and `smartrecruiters-timestamp` signed with every key generated for the
//! subscription (smartrecruiters.md §6.4–6.5).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use client_core::header::HeaderMap;
use client_core::{SecretString, Url};
use serde_json::{Map, Value, json};
use smartrecruiters_client::webhooks::{
    HOOK_SECRET_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TestDelivery,
};
use smartrecruiters_client::{ApplicationStatus, JobStatus};

use super::SandboxError;
use super::body::strings;
use super::gate::{Gate, GatedRouter, Vendor, lock};
use super::params::Params;
use super::seed::{Generator, Person, SandboxJob, SandboxPerson, Seed, now_iso, now_secs};
use super::webhooks::{Deliverer, Outgoing};

mod candidates;
mod json;
mod notes;
mod personal;
mod properties;
mod subscriptions;
mod users;

use candidates::{
    add_tags, create_on_job, delete_candidate, delete_tags, get_application, get_candidate,
    get_job, get_tags, hiring_processes, list_jobs, remove_candidate, replace_tags,
    search_candidates, set_status, status_history,
};
use json::{
    application_json, candidate_details_json, candidate_json, job_json, page, subscription_json,
};
use notes::{create_note, list_notes};
pub use properties::{PROPERTIES, RESULT_VALUES};
use subscriptions::{
    activate, create_subscription, delete_subscription, emit, emit_body, generate_secret,
    get_secret, get_subscription, list_subscriptions,
};
use users::{get_user, list_users, me};

/// The API key the sandbox accepts in `X-SmartToken`.
pub const API_KEY: &str = "sandbox-smartrecruiters-api-key0";
/// The event a status change sends.
pub const STATUS_UPDATED: &str = "application.status.updated";
/// The event a deleted candidate sends.
pub const CANDIDATE_DELETED: &str = "candidate.deleted";
/// The event a job status change sends.
pub const JOB_STATUS_UPDATED: &str = "job.status.updated";
/// The event a candidate created on a job sends.
pub const APPLICATION_CREATED: &str = "application.created";
/// `event-version` of the deliveries (the value in SmartRecruiters' signing example).
const EVENT_VERSION: &str = "v201910";
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;
/// At most 20 subscriptions per user (smartrecruiters.md §6.1).
const MAX_SUBSCRIPTIONS: usize = 20;
const NOTE_LIMIT: usize = smartrecruiters_client::MAX_NOTE_CHARS;

/// Every application status SmartRecruiters documents.
const STATUSES: &[&str] = &[
    "LEAD",
    "NEW",
    "IN_REVIEW",
    "INTERVIEW",
    "OFFERED",
    "HIRED",
    "REJECTED",
    "WITHDRAWN",
    "TRANSFERRED",
];

/// The sub-statuses of the sandbox company's one hiring process, by status.
pub const SUB_STATUSES: &[(&str, &[&str])] = &[
    ("IN_REVIEW", &["Screening", "Hiring manager review"]),
    ("INTERVIEW", &["Video interview", "On-site interview"]),
    ("OFFERED", &["Offer sent"]),
];

struct Job {
    id: String,
    title: String,
    status: JobStatus,
    ref_number: String,
    created_on: String,
}

struct Application {
    id: String,
    job: String,
    status: String,
    sub_status: Option<String>,
    history: Vec<(String, String, Option<String>)>,
}

struct Candidate {
    id: String,
    person: Person,
    created_on: String,
    updated_on: String,
    tags: Vec<String>,
    applications: Vec<Application>,
}

struct Note {
    id: String,
    content: String,
    candidates: Vec<String>,
    jobs: Vec<String>,
    created_on: String,
}

struct Subscription {
    id: String,
    callback_url: String,
    events: Vec<String>,
    active: bool,
    secrets: Vec<SecretString>,
}

/// A user of the sandbox company (note author, hiring team).
struct User {
    id: String,
    first: String,
    last: String,
    email: String,
}

struct Data {
    jobs: Vec<Job>,
    candidates: Vec<Candidate>,
    by_id: HashMap<String, usize>,
    notes: Vec<Note>,
    subscriptions: Vec<Subscription>,
    users: Vec<User>,
    /// Candidate property values by (candidate, job), then property id.
    properties: HashMap<(String, String), Map<String, Value>>,
    /// Web profiles and locations set through `PATCH /candidates/{id}`, by candidate.
    profiles: HashMap<String, personal::Profile>,
    generator: Generator,
}

impl Data {
    /// `candidate`'s application to `job`, if both exist.
    fn application(&self, candidate: &str, job: &str) -> Option<&Application> {
        let c = &self.candidates[*self.by_id.get(candidate)?];
        c.applications.iter().find(|a| a.job == job)
    }
}

pub(crate) struct Shared {
    data: Mutex<Data>,
    /// `http://127.0.0.1:port`.
    base_url: String,
    deliverer: Deliverer,
    gate: Arc<Gate>,
}

/// Control and inspection of the SmartRecruiters simulator. Cheap to clone.
#[derive(Clone)]
pub struct SmartRecruitersSandbox {
    shared: Arc<Shared>,
}

impl fmt::Debug for SmartRecruitersSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmartRecruitersSandbox")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

fn is_status(status: &str) -> bool {
    STATUSES.contains(&status)
}

fn is_sub_status(status: &str, sub: &str) -> bool {
    SUB_STATUSES
        .iter()
        .any(|(s, subs)| *s == status && subs.contains(&sub))
}

impl SmartRecruitersSandbox {
    pub(crate) fn new(
        seed: u64,
        data: &Seed,
        base_url: String,
        deliverer: Deliverer,
        gate: Arc<Gate>,
    ) -> Self {
        let mut generator = Generator::new(seed, Vendor::SmartRecruiters.rng_salt(3));
        let created_on = now_iso();
        let users: Vec<User> = [("Sandbox", "Recruiter"), ("Sandbox", "Hiring Manager")]
            .iter()
            .enumerate()
            .map(|(n, (first, last))| User {
                id: generator.uuid(),
                first: (*first).to_owned(),
                last: (*last).to_owned(),
                email: format!("user{}@example.com", n + 1),
            })
            .collect();
        let jobs: Vec<Job> = (0..data.jobs)
            .map(|n| Job {
                id: generator.uuid(),
                title: format!("Sandbox job {}", n + 1),
                status: JobStatus::Sourcing,
                ref_number: format!("REF{:04}", n + 1),
                created_on: created_on.clone(),
            })
            .collect();
        let status = data.smartrecruiters_status.as_str().to_owned();
        let mut candidates = Vec::with_capacity(data.jobs * data.candidates_per_job);
        for job in &jobs {
            for _ in 0..data.candidates_per_job {
                let n = candidates.len();
                candidates.push(Candidate {
                    id: generator.uuid(),
                    person: generator.person(n),
                    created_on: created_on.clone(),
                    updated_on: created_on.clone(),
                    tags: Vec::new(),
                    applications: vec![Application {
                        id: generator.uuid(),
                        job: job.id.clone(),
                        status: status.clone(),
                        sub_status: data.smartrecruiters_sub_status.clone(),
                        history: vec![(
                            created_on.clone(),
                            status.clone(),
                            data.smartrecruiters_sub_status.clone(),
                        )],
                    }],
                });
            }
        }
        let by_id = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        Self {
            shared: Arc::new(Shared {
                data: Mutex::new(Data {
                    jobs,
                    candidates,
                    by_id,
                    notes: Vec::new(),
                    subscriptions: Vec::new(),
                    users,
                    properties: HashMap::new(),
                    profiles: HashMap::new(),
                    generator,
                }),
                base_url,
                deliverer,
                gate,
            }),
        }
    }

    pub(crate) fn router(&self, gate: &Arc<Gate>) -> Router {
        GatedRouter::new(gate)
            .route("/jobs", get(list_jobs))
            .route("/jobs/{job}", get(get_job))
            .route("/jobs/{job}/candidates", post(create_on_job))
            .route("/configuration/hiring-processes", get(hiring_processes))
            .route(
                "/configuration/candidate-properties",
                get(properties::list_definitions),
            )
            .route(
                "/configuration/candidate-properties/{id}",
                get(properties::get_definition),
            )
            .route(
                "/configuration/candidate-properties/{id}/values",
                get(properties::list_values),
            )
            .route(
                "/candidates/{candidate}/jobs/{job}/properties",
                get(properties::get_values).put(properties::set_values),
            )
            .route("/candidates", get(search_candidates))
            .route(
                "/candidates/{candidate}",
                get(get_candidate).delete(delete_candidate),
            )
            .route(
                "/candidates/{candidate}",
                patch(personal::update_personal_details),
            )
            .route(
                "/candidates/{candidate}/tags",
                get(get_tags)
                    .put(replace_tags)
                    .post(add_tags)
                    .delete(delete_tags),
            )
            .route("/candidates/{candidate}/jobs/{job}", get(get_application))
            .route("/candidates/{candidate}/jobs/{job}/status", put(set_status))
            .route(
                "/candidates/{candidate}/jobs/{job}/status/history",
                get(status_history),
            )
            .route("/user-api/v201804/users", get(list_users))
            .route("/user-api/v201804/users/me", get(me))
            .route("/user-api/v201804/users/{id}", get(get_user))
            .route("/messages/shares", post(create_note))
            .route("/messages", get(list_notes))
            .route(
                "/webhooks-api/v201907/subscriptions",
                get(list_subscriptions).post(create_subscription),
            )
            .route(
                "/webhooks-api/v201907/subscriptions/{id}",
                get(get_subscription).delete(delete_subscription),
            )
            .route(
                "/webhooks-api/v201907/subscriptions/{id}/activation",
                put(activate),
            )
            .route(
                "/webhooks-api/v201907/subscriptions/{id}/secret-key",
                post(generate_secret).get(get_secret),
            )
            .into_router()
            .with_state(Arc::clone(&self.shared))
    }

    /// The jobs, in creation order.
    pub fn jobs(&self) -> Vec<SandboxJob> {
        lock(&self.shared.data)
            .jobs
            .iter()
            .map(|j| SandboxJob {
                id: j.id.clone(),
                title: j.title.clone(),
            })
            .collect()
    }

    /// The ids of the candidates who applied to `job`.
    pub fn candidates(&self, job: &str) -> Vec<String> {
        lock(&self.shared.data)
            .candidates
            .iter()
            .filter(|c| c.applications.iter().any(|a| a.job == job))
            .map(|c| c.id.clone())
            .collect()
    }

    /// One candidate's details.
    pub fn candidate(&self, candidate: &str) -> Option<SandboxPerson> {
        let data = lock(&self.shared.data);
        let c = &data.candidates[*data.by_id.get(candidate)?];
        Some(c.person.view(&c.id))
    }

    /// The application's status and sub-status.
    pub fn status(
        &self,
        candidate: &str,
        job: &str,
    ) -> Option<(ApplicationStatus, Option<String>)> {
        let data = lock(&self.shared.data);
        let a = data.application(candidate, job)?;
        Some((
            ApplicationStatus::from(a.status.as_str()),
            a.sub_status.clone(),
        ))
    }

    /// The candidate's tags.
    pub fn tags(&self, candidate: &str) -> Vec<String> {
        let data = lock(&self.shared.data);
        data.by_id
            .get(candidate)
            .map(|&i| data.candidates[i].tags.clone())
            .unwrap_or_default()
    }

    /// The contents of the notes tagged with the candidate, oldest first.
    pub fn notes(&self, candidate: &str) -> Vec<String> {
        lock(&self.shared.data)
            .notes
            .iter()
            .filter(|n| n.candidates.iter().any(|c| c == candidate))
            .map(|n| n.content.clone())
            .collect()
    }

    /// Move an application as a recruiter would in the UI; subscribers are told.
    pub fn move_candidate(
        &self,
        candidate: &str,
        job: &str,
        status: ApplicationStatus,
        sub_status: Option<&str>,
    ) -> Result<(), SandboxError> {
        change_status(&self.shared, candidate, job, status.as_str(), sub_status)
    }

    /// Delete a candidate as a recruiter would; subscribers hear `candidate.deleted`
    /// (`{"id"}`, no `Link`).
    pub fn delete_candidate(&self, candidate: &str) -> Result<(), SandboxError> {
        remove_candidate(&self.shared, candidate)
    }

    /// Change a job's status (e.g. `FILLED` closes it for the bridge); subscribers hear
    /// `job.status.updated` (`{"id"}`, `Link` to the status history).
    pub fn set_job_status(&self, job: &str, status: JobStatus) -> Result<(), SandboxError> {
        {
            let mut data = lock(&self.shared.data);
            let found = data.jobs.iter_mut().find(|j| j.id == job).ok_or_else(|| {
                SandboxError::NotFound {
                    what: format!("job {job}"),
                }
            })?;
            found.status = status;
        }
        let link = format!(
            "<{}/jobs/{job}/status/history>; rel=self",
            self.shared.base_url
        );
        emit_body(
            &self.shared,
            JOB_STATUS_UPDATED,
            &json!({ "id": job }),
            Some(&link),
        );
        Ok(())
    }

    /// Active subscriptions (activated by the handshake).
    pub fn active_subscriptions(&self) -> usize {
        lock(&self.shared.data)
            .subscriptions
            .iter()
            .filter(|s| s.active)
            .count()
    }

    observed_calls!();
}

fn error(status: StatusCode, message: &str) -> Response {
    Vendor::SmartRecruiters.error(status, message)
}

fn not_found(what: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

fn text(body: &Value, field: &str) -> Option<String> {
    body.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Set an application's status and tell the subscribers. The one path for the API
/// and for [`SmartRecruitersSandbox::move_candidate`].
fn change_status(
    shared: &Shared,
    candidate: &str,
    job: &str,
    status: &str,
    sub_status: Option<&str>,
) -> Result<(), SandboxError> {
    if !is_status(status) {
        return Err(SandboxError::Invalid(format!("unknown status {status}")));
    }
    if let Some(sub) = sub_status
        && !is_sub_status(status, sub)
    {
        return Err(SandboxError::Invalid(format!(
            "{sub:?} is not a sub-status of {status}"
        )));
    }
    {
        let mut data = lock(&shared.data);
        let missing = || SandboxError::NotFound {
            what: format!("application {candidate}:{job}"),
        };
        let index = *data.by_id.get(candidate).ok_or_else(missing)?;
        let c = &mut data.candidates[index];
        let a = c
            .applications
            .iter_mut()
            .find(|a| a.job == job)
            .ok_or_else(missing)?;
        let now = now_iso();
        a.status = status.to_owned();
        a.sub_status = sub_status.map(str::to_owned);
        a.history
            .push((now.clone(), status.to_owned(), a.sub_status.clone()));
        c.updated_on = now;
    }
    emit(shared, STATUS_UPDATED, candidate, job);
    Ok(())
}

fn string_list(body: &Value, field: &str) -> Vec<String> {
    strings(body.get(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_tags_name_candidates() {
        assert_eq!(
            notes::tagged_candidates("#[CANDIDATE:c1] #[CANDIDATE:c2] text #[CANDIDATE:broken"),
            ["c1", "c2"]
        );
        assert!(notes::tagged_candidates("no tag").is_empty());
    }

    #[test]
    fn statuses_and_sub_statuses() {
        assert!(is_status("IN_REVIEW"));
        assert!(!is_status("SCREENING"));
        assert!(is_sub_status("INTERVIEW", "Video interview"));
        assert!(!is_sub_status("NEW", "Video interview"));
    }
}
