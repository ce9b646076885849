//! The SmartRecruiters simulator: jobs, candidates and their applications (status and
//! sub-status), tags, notes through `POST /messages/shares`, the company's hiring
//! process, and the Webhooks API (`/webhooks-api/v201907`) with the `X-Hook-Secret`
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
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use client_core::header::HeaderMap;
use client_core::{SecretString, Url};
use serde_json::{Map, Value, json};
use smartrecruiters_client::ApplicationStatus;
use smartrecruiters_client::webhooks::{
    HOOK_SECRET_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TestDelivery,
};

use super::SandboxError;
use super::gate::{Gate, GatedRouter, RequestStats, Vendor, lock};
use super::params::Params;
use super::seed::{Generator, Person, SandboxPerson, Seed, now_iso, now_secs};
use super::webhooks::{Deliverer, DeliveryStats, Outgoing};

/// The API key the sandbox accepts in `X-SmartToken`.
pub const API_KEY: &str = "sandbox-smartrecruiters-api-key0";
/// The event a status change sends.
pub const STATUS_UPDATED: &str = "application.status.updated";
/// The event a candidate created on a job sends.
pub const APPLICATION_CREATED: &str = "application.created";
/// `event-version` of the deliveries (the value in SmartRecruiters' signing example).
const EVENT_VERSION: &str = "v201910";
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;
/// At most 20 subscriptions per user (smartrecruiters.md §6.1).
const MAX_SUBSCRIPTIONS: usize = 20;
const NOTE_LIMIT: usize = smartrecruiters_client::notes::MAX_NOTE_CHARS;

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

struct Data {
    jobs: Vec<Job>,
    candidates: Vec<Candidate>,
    by_id: HashMap<String, usize>,
    notes: Vec<Note>,
    subscriptions: Vec<Subscription>,
    user_id: String,
    generator: Generator,
}

pub(crate) struct Shared {
    data: Mutex<Data>,
    /// `http://127.0.0.1:port`.
    base_url: String,
    deliverer: Deliverer,
    gate: Arc<Gate>,
}

/// A job as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxJob {
    /// Job (or Lever posting) id.
    pub id: String,
    /// Title.
    pub title: String,
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
        let user_id = generator.uuid();
        let jobs: Vec<Job> = (0..data.jobs)
            .map(|n| Job {
                id: generator.uuid(),
                title: format!("Sandbox job {}", n + 1),
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
                    user_id,
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
            .route("/candidates", get(search_candidates))
            .route("/candidates/{candidate}", get(get_candidate))
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
        let c = &data.candidates[*data.by_id.get(candidate)?];
        let a = c.applications.iter().find(|a| a.job == job)?;
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

    /// Active subscriptions (activated by the handshake).
    pub fn active_subscriptions(&self) -> usize {
        lock(&self.shared.data)
            .subscriptions
            .iter()
            .filter(|s| s.active)
            .count()
    }

    /// Requests received so far.
    pub fn requests(&self) -> RequestStats {
        self.shared.gate.stats()
    }

    /// Webhook deliveries so far.
    pub fn deliveries(&self) -> DeliveryStats {
        self.shared.deliverer.stats()
    }

    /// Wait until every webhook delivery started so far is finished.
    pub async fn deliveries_idle(&self) {
        self.shared.deliverer.idle().await;
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    Vendor::SmartRecruiters.error(status, message)
}

fn not_found(what: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("{what} not found"))
}

/// A page of `items` after the opaque `pageId` (`o<offset>`); `nextPageId` when more.
fn page(params: &Params, items: Vec<Value>) -> Response {
    let limit = params.number("limit", DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let offset = match params.get("pageId") {
        None => 0,
        Some(id) => match id.strip_prefix('o').and_then(|n| n.parse::<usize>().ok()) {
            Some(offset) => offset,
            None => return error(StatusCode::BAD_REQUEST, "Invalid pageId"),
        },
    };
    let total = items.len();
    let content: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let mut body = json!({
        "limit": limit,
        "offset": offset,
        "totalFound": total,
        "content": content,
    });
    if offset + limit < total {
        body["nextPageId"] = json!(format!("o{}", offset + limit));
    }
    Json(body).into_response()
}

fn job_json(job: &Job, base_url: &str) -> Value {
    json!({
        "id": job.id,
        "title": job.title,
        "refNumber": job.ref_number,
        "createdOn": job.created_on,
        "updatedOn": job.created_on,
        "lastActivityOn": job.created_on,
        "department": { "id": "engineering", "label": "Engineering" },
        "location": { "country": "United Kingdom", "countryCode": "gb", "city": "London", "remote": true },
        "status": "SOURCING",
        "postingStatus": "PUBLIC",
        "actions": {
            "details": { "url": format!("{base_url}/jobs/{}", job.id), "method": "GET" }
        },
    })
}

fn application_json(a: &Application, candidate: &str, base_url: &str) -> Value {
    json!({
        "status": a.status,
        "subStatus": a.sub_status,
        "startsOn": Value::Null,
        "source": "Sandbox",
        "actions": {
            "statusHistory": {
                "url": format!("{base_url}/candidates/{candidate}/jobs/{}/status/history", a.job),
                "method": "GET",
            }
        },
    })
}

fn assignment_json(a: &Application, data: &Data, candidate: &str, base_url: &str) -> Value {
    let title = data
        .jobs
        .iter()
        .find(|j| j.id == a.job)
        .map(|j| j.title.clone());
    let mut assignment = application_json(a, candidate, base_url);
    assignment["job"] = json!({
        "id": a.job,
        "title": title,
        "actions": { "details": { "url": format!("{base_url}/jobs/{}", a.job), "method": "GET" } },
    });
    assignment
}

/// The candidate as `GET /candidates` lists it; `primary` is the application shown as
/// the primary assignment (the searched job's, else the first).
fn candidate_json(c: &Candidate, primary: Option<&str>, data: &Data, base_url: &str) -> Value {
    let primary_index = primary
        .and_then(|job| c.applications.iter().position(|a| a.job == job))
        .unwrap_or(0);
    let primary = c
        .applications
        .get(primary_index)
        .map(|a| assignment_json(a, data, &c.id, base_url));
    let secondary: Vec<Value> = c
        .applications
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != primary_index)
        .map(|(_, a)| assignment_json(a, data, &c.id, base_url))
        .collect();
    json!({
        "id": c.id,
        "internal": false,
        "firstName": c.person.first,
        "lastName": c.person.last,
        "email": c.person.email,
        "createdOn": c.created_on,
        "updatedOn": c.updated_on,
        "location": { "country": "United Kingdom", "countryCode": "gb", "city": "London" },
        "tags": c.tags,
        "consent": { "status": "ACQUIRED" },
        "primaryAssignment": primary,
        "secondaryAssignments": secondary,
        "actions": {
            "details": { "url": format!("{base_url}/candidates/{}", c.id), "method": "GET" }
        },
    })
}

/// `GET /candidates/{id}`: the list shape plus phone, web, education, experience.
fn candidate_details_json(c: &Candidate, data: &Data, base_url: &str) -> Value {
    let mut details = candidate_json(c, None, data, base_url);
    details["phoneNumber"] = json!(c.person.phone);
    details["web"] = json!({});
    details["education"] = json!([]);
    details["experience"] = json!([]);
    details
}

async fn list_jobs(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let statuses = params.all("statuses");
    let title = params.get("q").map(str::to_lowercase);
    let items = {
        let data = lock(&shared.data);
        data.jobs
            .iter()
            .filter(|_| statuses.is_empty() || statuses.contains(&"SOURCING"))
            .filter(|j| {
                title
                    .as_deref()
                    .is_none_or(|t| j.title.to_lowercase().contains(t))
            })
            .map(|j| job_json(j, &shared.base_url))
            .collect()
    };
    page(&params, items)
}

async fn get_job(State(shared): State<Arc<Shared>>, Path(job): Path<String>) -> Response {
    let data = lock(&shared.data);
    match data.jobs.iter().find(|j| j.id == job) {
        Some(job) => Json(job_json(job, &shared.base_url)).into_response(),
        None => not_found("Job"),
    }
}

async fn hiring_processes() -> Response {
    let sub_statuses: Map<String, Value> = SUB_STATUSES
        .iter()
        .map(|(status, subs)| ((*status).to_owned(), json!(subs)))
        .collect();
    Json(json!({
        "totalFound": 1,
        "content": [{
            "id": "sandbox-hiring-process",
            "name": "Default hiring process",
            "active": true,
            "subStatuses": sub_statuses,
        }],
    }))
    .into_response()
}

/// `GET /candidates`: filters `jobId`, `status`, `subStatus` (all on the same
/// application), `tag`, and `q` over names and email.
async fn search_candidates(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let jobs = params.all("jobId");
    let statuses = params.all("status");
    let sub_status = params.get("subStatus");
    let tags = params.all("tag");
    let text = params
        .get("q")
        .map(|t| t.trim_matches('"').trim().to_lowercase())
        .filter(|t| !t.is_empty());
    let items = {
        let data = lock(&shared.data);
        data.candidates
            .iter()
            .filter(|c| {
                c.applications.iter().any(|a| {
                    (jobs.is_empty() || jobs.contains(&a.job.as_str()))
                        && (statuses.is_empty() || statuses.contains(&a.status.as_str()))
                        && sub_status.is_none_or(|s| a.sub_status.as_deref() == Some(s))
                })
            })
            .filter(|c| {
                tags.iter()
                    .all(|t| c.tags.iter().any(|ct| ct.eq_ignore_ascii_case(t)))
            })
            .filter(|c| {
                text.as_deref().is_none_or(|t| {
                    c.person.email.to_lowercase().contains(t)
                        || c.person.full_name().to_lowercase().contains(t)
                })
            })
            .map(|c| candidate_json(c, jobs.first().copied(), &data, &shared.base_url))
            .collect()
    };
    page(&params, items)
}

async fn get_candidate(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
) -> Response {
    let data = lock(&shared.data);
    match data.by_id.get(&candidate) {
        Some(&i) => Json(candidate_details_json(
            &data.candidates[i],
            &data,
            &shared.base_url,
        ))
        .into_response(),
        None => not_found("Candidate"),
    }
}

fn text(body: &Value, field: &str) -> Option<String> {
    body.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `POST /jobs/{id}/candidates`: first name, last name and email required; 201 with
/// the candidate's details; subscribers hear `application.created`.
async fn create_on_job(
    State(shared): State<Arc<Shared>>,
    Path(job): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "A JSON body is required");
    };
    let (Some(first), Some(last), Some(email)) = (
        text(&body, "firstName"),
        text(&body, "lastName"),
        text(&body, "email"),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "firstName, lastName and email are required",
        );
    };
    let (json, candidate) = {
        let mut data = lock(&shared.data);
        if !data.jobs.iter().any(|j| j.id == job) {
            return not_found("Job");
        }
        let now = now_iso();
        let id = data.generator.uuid();
        let application = data.generator.uuid();
        let candidate = Candidate {
            id: id.clone(),
            person: Person {
                first,
                last,
                email,
                phone: text(&body, "phoneNumber").unwrap_or_default(),
            },
            created_on: now.clone(),
            updated_on: now.clone(),
            tags: body
                .get("tags")
                .and_then(Value::as_array)
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            applications: vec![Application {
                id: application,
                job: job.clone(),
                status: "NEW".to_owned(),
                sub_status: None,
                history: vec![(now, "NEW".to_owned(), None)],
            }],
        };
        let index = data.candidates.len();
        data.by_id.insert(id.clone(), index);
        data.candidates.push(candidate);
        let json = candidate_details_json(&data.candidates[index], &data, &shared.base_url);
        (json, id)
    };
    emit(&shared, APPLICATION_CREATED, &candidate, &job);
    (StatusCode::CREATED, Json(json)).into_response()
}

async fn get_application(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
) -> Response {
    let data = lock(&shared.data);
    let application = data.by_id.get(&candidate).and_then(|&i| {
        data.candidates[i]
            .applications
            .iter()
            .find(|a| a.job == job)
    });
    match application {
        Some(a) => Json(application_json(a, &candidate, &shared.base_url)).into_response(),
        None => not_found("Application"),
    }
}

async fn status_history(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
) -> Response {
    let data = lock(&shared.data);
    let application = data.by_id.get(&candidate).and_then(|&i| {
        data.candidates[i]
            .applications
            .iter()
            .find(|a| a.job == job)
    });
    let Some(a) = application else {
        return not_found("Application");
    };
    let content: Vec<Value> = a
        .history
        .iter()
        .map(|(on, status, sub)| json!({ "changedOn": on, "status": status, "subStatus": sub }))
        .collect();
    Json(json!({ "totalFound": content.len(), "content": content })).into_response()
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
    if let Some(sub) = sub_status {
        if !is_sub_status(status, sub) {
            return Err(SandboxError::Invalid(format!(
                "{sub:?} is not a sub-status of {status}"
            )));
        }
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

/// `PUT /candidates/{id}/jobs/{jobId}/status` → 204.
async fn set_status(
    State(shared): State<Arc<Shared>>,
    Path((candidate, job)): Path<(String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(status) = body.as_ref().and_then(|Json(b)| text(b, "status")) else {
        return error(StatusCode::BAD_REQUEST, "status is required");
    };
    let sub_status = body.as_ref().and_then(|Json(b)| text(b, "subStatus"));
    match change_status(&shared, &candidate, &job, &status, sub_status.as_deref()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(SandboxError::NotFound { .. }) => not_found("Application"),
        Err(e) => error(StatusCode::BAD_REQUEST, &e.to_string()),
    }
}

/// Send `event` about (candidate, job) to every active subscription that asked for it.
fn emit(shared: &Shared, event: &str, candidate: &str, job: &str) {
    let deliveries: Vec<Outgoing> = {
        let mut data = lock(&shared.data);
        let Some(application) = data
            .by_id
            .get(candidate)
            .and_then(|&i| {
                data.candidates[i]
                    .applications
                    .iter()
                    .find(|a| a.job == job)
            })
            .map(|a| a.id.clone())
        else {
            return;
        };
        let body = serde_json::to_vec(&json!({
            "job_id": job,
            "candidate_id": candidate,
            "application_id": application,
        }))
        .unwrap_or_default();
        let link = format!(
            "<{}/candidates/{candidate}/jobs/{job}>; rel=self",
            shared.base_url
        );
        let targets: Vec<(String, Vec<SecretString>)> = data
            .subscriptions
            .iter()
            .filter(|s| s.active && s.events.iter().any(|e| e == event))
            .map(|s| (s.callback_url.clone(), s.secrets.clone()))
            .collect();
        targets
            .into_iter()
            .map(|(url, secrets)| {
                let mut delivery = TestDelivery::new(event, body.clone(), now_secs()).link(&link);
                delivery.event_id = data.generator.uuid();
                delivery.event_version = EVENT_VERSION.to_owned();
                Outgoing {
                    url,
                    headers: signed_headers(&delivery, &secrets),
                    body: delivery.body,
                }
            })
            .collect()
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
}

/// The delivery's headers, signed with every key; unsigned (no signature or
/// timestamp header) while the subscription has no key.
fn signed_headers(delivery: &TestDelivery, secrets: &[SecretString]) -> HeaderMap {
    let refs: Vec<&SecretString> = secrets.iter().collect();
    let mut headers = delivery.headers(&refs);
    if secrets.is_empty() {
        headers.remove(SIGNATURE_HEADER);
        headers.remove(TIMESTAMP_HEADER);
    }
    headers
}

fn string_list(body: &Value, field: &str) -> Vec<String> {
    body.get(field)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

async fn get_tags(State(shared): State<Arc<Shared>>, Path(candidate): Path<String>) -> Response {
    let data = lock(&shared.data);
    match data.by_id.get(&candidate) {
        Some(&i) => Json(json!({ "tags": data.candidates[i].tags })).into_response(),
        None => not_found("Candidate"),
    }
}

/// Apply `edit` to the candidate's tags → 204.
fn edit_tags(shared: &Shared, candidate: &str, edit: impl FnOnce(&mut Vec<String>)) -> Response {
    let mut data = lock(&shared.data);
    let Some(&i) = data.by_id.get(candidate) else {
        return not_found("Candidate");
    };
    edit(&mut data.candidates[i].tags);
    data.candidates[i].updated_on = now_iso();
    StatusCode::NO_CONTENT.into_response()
}

async fn replace_tags(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "tags are required");
    };
    let tags = string_list(&body, "tags");
    edit_tags(&shared, &candidate, |current| *current = tags)
}

async fn add_tags(
    State(shared): State<Arc<Shared>>,
    Path(candidate): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "tags are required");
    };
    let tags = string_list(&body, "tags");
    edit_tags(&shared, &candidate, |current| {
        for tag in tags {
            if !current.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                current.push(tag);
            }
        }
    })
}

async fn delete_tags(State(shared): State<Arc<Shared>>, Path(candidate): Path<String>) -> Response {
    edit_tags(&shared, &candidate, Vec::clear)
}

/// The ids in every `#[CANDIDATE:id]` of a note.
fn tagged_candidates(content: &str) -> Vec<String> {
    content
        .split("#[CANDIDATE:")
        .skip(1)
        .filter_map(|rest| rest.split_once(']').map(|(id, _)| id.to_owned()))
        .collect()
}

/// `POST /messages/shares` → 201 `{id, shareRequired}`. A note tagged with an unknown
/// candidate is refused with 404 (the sandbox's choice; SmartRecruiters documents no
/// code for it).
async fn create_note(State(shared): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "A JSON body is required");
    };
    let content = body
        .get("content")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let chars = content.chars().count();
    if chars == 0 || chars > NOTE_LIMIT {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("content must have 1 to {NOTE_LIMIT} characters"),
        );
    }
    let jobs = body
        .get("shareWith")
        .map(|s| string_list(s, "hiringTeamOf"))
        .unwrap_or_default();
    let candidates = tagged_candidates(&content);
    let mut data = lock(&shared.data);
    if candidates.iter().any(|c| !data.by_id.contains_key(c)) {
        return not_found("Candidate");
    }
    if jobs
        .iter()
        .any(|j| !data.jobs.iter().any(|job| &job.id == j))
    {
        return not_found("Job");
    }
    let id = data.generator.uuid();
    data.notes.push(Note {
        id: id.clone(),
        content,
        candidates,
        jobs,
        created_on: now_iso(),
    });
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "shareRequired": false })),
    )
        .into_response()
}

/// `GET /messages?candidateId=&jobId=`: the notes tagged with the candidate.
async fn list_notes(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let Some(candidate) = params.get("candidateId") else {
        return error(StatusCode::BAD_REQUEST, "candidateId is required");
    };
    let job = params.get("jobId");
    let items = {
        let data = lock(&shared.data);
        data.notes
            .iter()
            .filter(|n| n.candidates.iter().any(|c| c == candidate))
            .filter(|n| job.is_none_or(|j| n.jobs.is_empty() || n.jobs.iter().any(|nj| nj == j)))
            .map(|n| {
                let applications: Vec<Value> = if n.jobs.is_empty() {
                    vec![json!({ "candidateId": candidate })]
                } else {
                    n.jobs
                        .iter()
                        .map(|j| json!({ "candidateId": candidate, "jobId": j }))
                        .collect()
                };
                json!({
                    "id": n.id,
                    "content": n.content,
                    "createdOn": n.created_on,
                    "visibility": if n.jobs.is_empty() { "OPEN" } else { "DIRECT" },
                    "authorId": data.user_id,
                    "context": { "applications": applications },
                })
            })
            .collect()
    };
    page(&params, items)
}

fn subscription_json(s: &Subscription) -> Value {
    json!({
        "id": s.id,
        "callbackUrl": s.callback_url,
        "events": s.events.iter().map(|e| json!({ "name": e, "version": "v1" })).collect::<Vec<_>>(),
        "status": if s.active { "active" } else { "inactive" },
    })
}

/// `POST …/subscriptions`: `callbackUrl` and `events` required → 201, inactive.
async fn create_subscription(
    State(shared): State<Arc<Shared>>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "A JSON body is required");
    };
    let Some(callback_url) = text(&body, "callbackUrl").filter(|u| Url::parse(u).is_ok()) else {
        return error(StatusCode::BAD_REQUEST, "callbackUrl must be a URL");
    };
    let events = string_list(&body, "events");
    if events.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "events must name at least one event",
        );
    }
    let mut data = lock(&shared.data);
    if data.subscriptions.len() >= MAX_SUBSCRIPTIONS {
        return error(
            StatusCode::BAD_REQUEST,
            "A user can register up to 20 subscriptions",
        );
    }
    let subscription = Subscription {
        id: data.generator.uuid(),
        callback_url,
        events,
        active: false,
        secrets: Vec::new(),
    };
    let json = subscription_json(&subscription);
    data.subscriptions.push(subscription);
    (StatusCode::CREATED, Json(json)).into_response()
}

/// `GET …/subscriptions`: a JSON array (smartrecruiters.md §2).
async fn list_subscriptions(State(shared): State<Arc<Shared>>) -> Response {
    let data = lock(&shared.data);
    let items: Vec<Value> = data.subscriptions.iter().map(subscription_json).collect();
    Json(Value::Array(items)).into_response()
}

async fn get_subscription(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let data = lock(&shared.data);
    match data.subscriptions.iter().find(|s| s.id == id) {
        Some(s) => Json(subscription_json(s)).into_response(),
        None => not_found("Subscription"),
    }
}

async fn delete_subscription(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
) -> Response {
    let mut data = lock(&shared.data);
    let before = data.subscriptions.len();
    data.subscriptions.retain(|s| s.id != id);
    if data.subscriptions.len() == before {
        return not_found("Subscription");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `PUT …/activation`: POST `X-Hook-Secret` to the callback; an answer 200 echoing it
/// activates the subscription (204). Anything else leaves it inactive: 400 (the
/// sandbox's choice of code; smartrecruiters.md §6.3 documents only the success).
async fn activate(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let (url, secret) = {
        let mut data = lock(&shared.data);
        let Some(url) = data
            .subscriptions
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.callback_url.clone())
        else {
            return not_found("Subscription");
        };
        (url, data.generator.secret(16))
    };
    let answer = shared
        .deliverer
        .http()
        .post(&url)
        .header(HOOK_SECRET_HEADER, &secret)
        .timeout(shared.deliverer.timeout())
        .send()
        .await;
    let echoed = answer.as_ref().is_ok_and(|r| {
        r.status() == StatusCode::OK
            && r.headers()
                .get(HOOK_SECRET_HEADER)
                .is_some_and(|v| v.as_bytes() == secret.as_bytes())
    });
    if !echoed {
        return error(
            StatusCode::BAD_REQUEST,
            "The callback did not answer 200 echoing X-Hook-Secret",
        );
    }
    let mut data = lock(&shared.data);
    match data.subscriptions.iter_mut().find(|s| s.id == id) {
        Some(s) => {
            s.active = true;
            StatusCode::NO_CONTENT.into_response()
        }
        None => not_found("Subscription"),
    }
}

/// `POST …/secret-key`: a new signing key; older keys keep signing too (rotation).
async fn generate_secret(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let mut data = lock(&shared.data);
    let key = data.generator.secret(16);
    let Some(subscription) = data.subscriptions.iter_mut().find(|s| s.id == id) else {
        return not_found("Subscription");
    };
    subscription.secrets.push(SecretString::from(key.clone()));
    (StatusCode::CREATED, Json(json!({ "secretKey": key }))).into_response()
}

/// `GET …/secret-key`: the latest key.
async fn get_secret(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    use client_core::ExposeSecret as _;
    let data = lock(&shared.data);
    match data
        .subscriptions
        .iter()
        .find(|s| s.id == id)
        .and_then(|s| s.secrets.last())
    {
        Some(key) => Json(json!({ "secretKey": key.expose_secret() })).into_response(),
        None => not_found("Secret key"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn note_tags_name_candidates() {
        assert_eq!(
            tagged_candidates("#[CANDIDATE:c1] #[CANDIDATE:c2] text #[CANDIDATE:broken"),
            ["c1", "c2"]
        );
        assert!(tagged_candidates("no tag").is_empty());
    }

    #[test]
    fn statuses_and_sub_statuses() {
        assert!(is_status("IN_REVIEW"));
        assert!(!is_status("SCREENING"));
        assert!(is_sub_status("INTERVIEW", "Video interview"));
        assert!(!is_sub_status("NEW", "Video interview"));
    }
}
