//! The Lever simulator (Data API v1, base `…/v1`): postings, pipeline stages, users,
//! opportunities with `expand` (applications, stage, contact, owner), stage changes,
//! tags, notes with `perform_as`, and webhooks with per-webhook signature tokens.
//!
//! Authentication is HTTP Basic with the API key as username and an empty password.
//! Responses are `{"data": …}`; lists are `{"data": […], "hasNext", "next"}` with an
//! opaque `offset` token (lever.md §2). A stage change — `PUT
//! /opportunities/{id}/stage` or [`LeverSandbox::move_opportunity`] — sends
//! `candidateStageChange` signed by `lever_client::webhooks::signed_delivery` with the
//! webhook's token, to every `candidateStageChange` webhook whose origin condition the
//! opportunity meets.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use client_core::{SecretString, Url};
use lever_client::webhooks::{Event, EventData, signed_delivery};
use serde_json::{Value, json};

use super::SandboxError;
use super::gate::{Gate, GatedRouter, RequestStats, Vendor, lock};
use super::params::Params;
use super::seed::{Generator, Person, SandboxPerson, Seed, now_millis};
use super::smartrecruiters::SandboxJob;
use super::webhooks::{Deliverer, DeliveryStats, Outgoing};

/// The API key the sandbox accepts (HTTP Basic username, empty password).
pub const API_KEY: &str = "sandbox-lever-api-key";
/// The path under the server root where the API lives (as in production).
pub(crate) const API_PREFIX: &str = "/v1";
/// "New applicant": where seeded opportunities start by default.
pub const STAGE_NEW_APPLICANT: &str = "applicant-new";
/// "Recruiter screen".
pub const STAGE_RECRUITER_SCREEN: &str = "2ca03d97-d4f2-4a97-89de-96c8b0d07924";
/// "On-site interview".
pub const STAGE_ON_SITE: &str = "25cba92d-7eaf-4d42-83f9-38874c95ef1b";
/// "Offer".
pub const STAGE_OFFER: &str = "offer";
/// The account's pipeline stages, in order (ids and names as in Lever's sandbox,
/// examples/sandbox-stage-list.json).
pub const STAGES: &[(&str, &str)] = &[
    ("lead-new", "New lead"),
    ("lead-reached-out", "Reached out"),
    ("lead-responded", "Responded"),
    (STAGE_NEW_APPLICANT, "New applicant"),
    ("49422c7e-5b86-4a06-9386-d432f6e98d57", "HM Review"),
    (STAGE_RECRUITER_SCREEN, "Recruiter screen"),
    ("68f08350-a035-4d89-83c2-79164dbf2cf8", "HM Screen"),
    (STAGE_ON_SITE, "On-site interview"),
    ("1d8976ae-3fd9-44ed-bf5b-4aa019929779", "Reference check"),
    (STAGE_OFFER, "Offer"),
];
/// The ten webhook events Lever offers.
const EVENTS: &[&str] = &[
    "applicationCreated",
    "candidateHired",
    "candidateStageChange",
    "candidateArchiveChange",
    "candidateDeleted",
    "interviewCreated",
    "interviewUpdated",
    "interviewDeleted",
    "contactCreated",
    "contactUpdated",
];
const MAX_LIMIT: usize = 100;
/// Every opportunity the sandbox seeds or creates applied through a posting.
const ORIGIN: &str = "applied";

struct Posting {
    id: String,
    text: String,
    created_at: u64,
    owner: String,
}

struct User {
    id: String,
    name: String,
    email: String,
}

struct Note {
    id: String,
    value: String,
    user: Option<String>,
    stage: String,
    created_at: u64,
    secret: bool,
    score: Option<u64>,
}

struct Opportunity {
    id: String,
    contact: String,
    application: String,
    posting: String,
    person: Person,
    stage: String,
    stage_changes: Vec<Value>,
    tags: Vec<String>,
    notes: Vec<Note>,
    created_at: u64,
    updated_at: u64,
}

struct Webhook {
    id: String,
    event: String,
    url: String,
    origins: Vec<String>,
    token: SecretString,
    created_at: u64,
    updated_at: u64,
}

struct Data {
    postings: Vec<Posting>,
    users: Vec<User>,
    opportunities: Vec<Opportunity>,
    by_id: HashMap<String, usize>,
    webhooks: Vec<Webhook>,
    generator: Generator,
}

pub(crate) struct Shared {
    data: Mutex<Data>,
    deliverer: Deliverer,
    gate: Arc<Gate>,
}

/// Control and inspection of the Lever simulator. Cheap to clone.
#[derive(Clone)]
pub struct LeverSandbox {
    shared: Arc<Shared>,
}

impl fmt::Debug for LeverSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LeverSandbox").finish_non_exhaustive()
    }
}

fn stage_index(stage: &str) -> Option<usize> {
    STAGES.iter().position(|(id, _)| *id == stage)
}

impl LeverSandbox {
    pub(crate) fn new(seed: u64, data: &Seed, deliverer: Deliverer, gate: Arc<Gate>) -> Self {
        let mut generator = Generator::new(seed, Vendor::Lever.rng_salt(3));
        let now = now_millis();
        let users: Vec<User> = ["Sandbox Recruiter", "Sandbox Hiring Manager"]
            .iter()
            .enumerate()
            .map(|(n, name)| User {
                id: generator.uuid(),
                name: (*name).to_owned(),
                email: format!("user{}@example.com", n + 1),
            })
            .collect();
        let postings: Vec<Posting> = (0..data.jobs)
            .map(|n| Posting {
                id: generator.uuid(),
                text: format!("Sandbox posting {}", n + 1),
                created_at: now,
                owner: users[0].id.clone(),
            })
            .collect();
        let stage = if stage_index(&data.lever_stage).is_some() {
            data.lever_stage.clone()
        } else {
            STAGE_NEW_APPLICANT.to_owned()
        };
        let mut opportunities = Vec::with_capacity(data.jobs * data.candidates_per_job);
        for posting in &postings {
            for _ in 0..data.candidates_per_job {
                let n = opportunities.len();
                opportunities.push(Opportunity {
                    id: generator.uuid(),
                    contact: generator.uuid(),
                    application: generator.uuid(),
                    posting: posting.id.clone(),
                    person: generator.person(n),
                    stage_changes: vec![stage_change(&stage, &users[0].id, now)],
                    stage: stage.clone(),
                    tags: Vec::new(),
                    notes: Vec::new(),
                    created_at: now,
                    updated_at: now,
                });
            }
        }
        let by_id = opportunities
            .iter()
            .enumerate()
            .map(|(i, o)| (o.id.clone(), i))
            .collect();
        Self {
            shared: Arc::new(Shared {
                data: Mutex::new(Data {
                    postings,
                    users,
                    opportunities,
                    by_id,
                    webhooks: Vec::new(),
                    generator,
                }),
                deliverer,
                gate,
            }),
        }
    }

    pub(crate) fn router(&self, gate: &Arc<Gate>) -> Router {
        let api = GatedRouter::new(gate)
            .route("/postings", get(list_postings))
            .route("/postings/{id}", get(get_posting))
            .route("/stages", get(list_stages))
            .route("/stages/{id}", get(get_stage))
            .route("/users", get(list_users))
            .route("/users/{id}", get(get_user))
            .route("/tags", get(list_tags))
            .route("/opportunities", get(list_opportunities))
            .route("/opportunities/{id}", get(get_opportunity))
            .route("/opportunities/{id}/stage", put(change_stage))
            .route("/opportunities/{id}/addTags", post(add_tags))
            .route("/opportunities/{id}/removeTags", post(remove_tags))
            .route(
                "/opportunities/{id}/notes",
                get(list_notes).post(create_note),
            )
            .route(
                "/webhooks",
                get(list_webhooks).post(create_webhook).put(update_webhooks),
            )
            .route("/webhooks/{id}", axum::routing::delete(delete_webhook))
            .into_router()
            .with_state(Arc::clone(&self.shared));
        Router::new().nest(API_PREFIX, api)
    }

    /// The postings, in creation order.
    pub fn postings(&self) -> Vec<SandboxJob> {
        lock(&self.shared.data)
            .postings
            .iter()
            .map(|p| SandboxJob {
                id: p.id.clone(),
                title: p.text.clone(),
            })
            .collect()
    }

    /// The ids of the opportunities on `posting`.
    pub fn opportunities(&self, posting: &str) -> Vec<String> {
        lock(&self.shared.data)
            .opportunities
            .iter()
            .filter(|o| o.posting == posting)
            .map(|o| o.id.clone())
            .collect()
    }

    /// The person behind an opportunity.
    pub fn opportunity(&self, opportunity: &str) -> Option<SandboxPerson> {
        self.read(opportunity, |o| o.person.view(&o.id))
    }

    /// The opportunity's contact id (the bridge's candidate id).
    pub fn contact(&self, opportunity: &str) -> Option<String> {
        self.read(opportunity, |o| o.contact.clone())
    }

    /// The opportunity's current stage id.
    pub fn stage(&self, opportunity: &str) -> Option<String> {
        self.read(opportunity, |o| o.stage.clone())
    }

    /// The opportunity's tags.
    pub fn tags(&self, opportunity: &str) -> Vec<String> {
        self.read(opportunity, |o| o.tags.clone())
            .unwrap_or_default()
    }

    /// The values of the opportunity's notes, oldest first.
    pub fn notes(&self, opportunity: &str) -> Vec<String> {
        self.read(opportunity, |o| {
            o.notes.iter().map(|n| n.value.clone()).collect()
        })
        .unwrap_or_default()
    }

    /// The user to pass as `perform_as` (the seeded recruiter).
    pub fn perform_as(&self) -> String {
        lock(&self.shared.data).users[0].id.clone()
    }

    fn read<T>(&self, opportunity: &str, f: impl FnOnce(&Opportunity) -> T) -> Option<T> {
        let data = lock(&self.shared.data);
        data.by_id
            .get(opportunity)
            .map(|&i| f(&data.opportunities[i]))
    }

    /// Move an opportunity as a recruiter would in the UI; webhooks are told.
    pub fn move_opportunity(&self, opportunity: &str, stage: &str) -> Result<(), SandboxError> {
        let user = self.perform_as();
        move_stage(&self.shared, opportunity, stage, &user)
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

fn stage_change(stage: &str, user: &str, at: u64) -> Value {
    json!({
        "toStageId": stage,
        "toStageIndex": stage_index(stage),
        "userId": user,
        "updatedAt": at,
    })
}

fn error(status: StatusCode, message: &str) -> Response {
    Vendor::Lever.error(status, message)
}

fn not_found(kind: &str, id: &str) -> Response {
    error(StatusCode::NOT_FOUND, &format!("{kind} {id} was not found"))
}

/// `{data, hasNext, next}` for `items` after the `offset` token (`o<n>`); `next` is
/// absent on the last page (lever.md §2).
fn list(params: &Params, items: Vec<Value>) -> Response {
    let limit = params.number("limit", MAX_LIMIT).clamp(1, MAX_LIMIT);
    let start = match params.get("offset") {
        None => 0,
        Some(token) => match token
            .strip_prefix('o')
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(start) => start,
            None => return error(StatusCode::BAD_REQUEST, "Invalid offset token"),
        },
    };
    let total = items.len();
    let data: Vec<Value> = items.into_iter().skip(start).take(limit).collect();
    let mut body = json!({ "data": data, "hasNext": start + limit < total });
    if start + limit < total {
        body["next"] = json!(format!("o{}", start + limit));
    }
    Json(body).into_response()
}

fn data(value: Value) -> Response {
    Json(json!({ "data": value })).into_response()
}

fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "name": u.name,
        "username": u.email.split('@').next(),
        "email": u.email,
        "accessRole": "admin",
        "photo": Value::Null,
        "createdAt": 0,
        "deactivatedAt": Value::Null,
    })
}

fn posting_json(p: &Posting) -> Value {
    json!({
        "id": p.id,
        "text": p.text,
        "state": "published",
        "distributionChannels": ["public", "internal"],
        "user": p.owner,
        "owner": p.owner,
        "hiringManager": Value::Null,
        "categories": {
            "commitment": "Full-time",
            "department": "Engineering",
            "location": "London",
            "team": "Platform",
            "allLocations": ["London"],
        },
        "tags": [],
        "confidentiality": "non-confidential",
        "createdAt": p.created_at,
        "updatedAt": p.created_at,
        "workplaceType": "hybrid",
    })
}

fn note_json(n: &Note) -> Value {
    json!({
        "id": n.id,
        "text": "Note",
        "fields": [{
            "createdAt": n.created_at,
            "score": n.score,
            "stage": n.stage,
            "text": "Comment",
            "type": "note",
            "user": n.user,
            "value": n.value,
        }],
        "user": n.user,
        "secret": n.secret,
        "completedAt": n.created_at,
        "deletedAt": Value::Null,
        "createdAt": n.created_at,
    })
}

/// The opportunity, with the `expand`ed fields as objects and the others as ids.
fn opportunity_json(o: &Opportunity, data: &Data, expand: &[&str]) -> Value {
    let expanded = |field: &str| expand.contains(&field);
    let owner = &data.users[0];
    let user = |u: &User| {
        if expanded("owner") {
            user_json(u)
        } else {
            json!(u.id)
        }
    };
    let contact = if expanded("contact") {
        json!({
            "id": o.contact,
            "name": o.person.full_name(),
            "headline": "",
            "isAnonymized": false,
            "emails": [o.person.email],
            "phones": [{ "type": "mobile", "value": o.person.phone }],
        })
    } else {
        json!(o.contact)
    };
    let stage = if expanded("stage") {
        let text = STAGES
            .iter()
            .find(|(id, _)| *id == o.stage)
            .map(|(_, t)| *t);
        json!({ "id": o.stage, "text": text })
    } else {
        json!(o.stage)
    };
    let applications = if expanded("applications") {
        json!([{
            "id": o.application,
            "type": "posting",
            "posting": o.posting,
            "opportunityId": o.id,
            "candidateId": o.id,
            "createdAt": o.created_at,
            "user": owner.id,
            "postingOwner": owner.id,
            "archived": Value::Null,
        }])
    } else {
        json!([o.application])
    };
    json!({
        "id": o.id,
        "name": o.person.full_name(),
        "headline": "",
        "contact": contact,
        "emails": [o.person.email],
        "phones": [{ "type": "mobile", "value": o.person.phone }],
        "confidentiality": "non-confidential",
        "location": "London",
        "links": [],
        "archived": Value::Null,
        "tags": o.tags,
        "sources": ["Sandbox"],
        "stage": stage,
        "stageChanges": o.stage_changes,
        "origin": ORIGIN,
        "sourcedBy": Value::Null,
        "owner": user(owner),
        "followers": [user(owner)],
        "applications": applications,
        "createdAt": o.created_at,
        "updatedAt": o.updated_at,
        "lastInteractionAt": o.updated_at,
        "lastAdvancedAt": o.stage_changes.last().and_then(|c| c.get("updatedAt")).cloned(),
        "snoozedUntil": Value::Null,
        "urls": {
            "list": "https://hire.sandbox.lever.co/candidates",
            "show": format!("https://hire.sandbox.lever.co/candidates/{}", o.id),
        },
        "isAnonymized": false,
        "dataProtection": Value::Null,
    })
}

async fn list_postings(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let states = params.all("state");
    let items = lock(&shared.data)
        .postings
        .iter()
        .filter(|_| states.is_empty() || states.contains(&"published"))
        .map(posting_json)
        .collect();
    list(&params, items)
}

async fn get_posting(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let data = lock(&shared.data);
    match data.postings.iter().find(|p| p.id == id) {
        Some(p) => self::data(posting_json(p)),
        None => not_found("postings", &id),
    }
}

async fn list_stages(RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let items = STAGES
        .iter()
        .map(|(id, text)| json!({ "id": id, "text": text }))
        .collect();
    list(&params, items)
}

async fn get_stage(Path(id): Path<String>) -> Response {
    match STAGES.iter().find(|(s, _)| *s == id) {
        Some((id, text)) => data(json!({ "id": id, "text": text })),
        None => not_found("stages", &id),
    }
}

async fn list_users(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let items = lock(&shared.data).users.iter().map(user_json).collect();
    list(&params, items)
}

async fn get_user(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let data = lock(&shared.data);
    match data.users.iter().find(|u| u.id == id) {
        Some(u) => self::data(user_json(u)),
        None => not_found("users", &id),
    }
}

async fn list_tags(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let mut counts: Vec<(String, u64)> = Vec::new();
    for tag in lock(&shared.data)
        .opportunities
        .iter()
        .flat_map(|o| &o.tags)
    {
        match counts.iter_mut().find(|(t, _)| t == tag) {
            Some((_, n)) => *n += 1,
            None => counts.push((tag.clone(), 1)),
        }
    }
    let items = counts
        .into_iter()
        .map(|(text, count)| json!({ "text": text, "count": count }))
        .collect();
    list(&params, items)
}

/// `GET /opportunities`: `posting_id`, `stage_id`, `tag`, `email`, `contact_id`
/// (each repeatable, any of), `archived`, `expand`.
async fn list_opportunities(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let postings = params.all("posting_id");
    let stages = params.all("stage_id");
    let tags = params.all("tag");
    let contacts = params.all("contact_id");
    let email = params.get("email").map(str::to_lowercase);
    let expand = params.all("expand");
    // Nothing in the sandbox is archived.
    let archived_only = params.get("archived") == Some("true");
    let items = {
        let data = lock(&shared.data);
        data.opportunities
            .iter()
            .filter(|_| !archived_only)
            .filter(|o| postings.is_empty() || postings.contains(&o.posting.as_str()))
            .filter(|o| stages.is_empty() || stages.contains(&o.stage.as_str()))
            .filter(|o| contacts.is_empty() || contacts.contains(&o.contact.as_str()))
            .filter(|o| tags.is_empty() || o.tags.iter().any(|t| tags.contains(&t.as_str())))
            .filter(|o| {
                email
                    .as_deref()
                    .is_none_or(|e| o.person.email.to_lowercase() == e)
            })
            .map(|o| opportunity_json(o, &data, &expand))
            .collect()
    };
    list(&params, items)
}

async fn get_opportunity(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let params = Params::parse(q.as_deref());
    let data = lock(&shared.data);
    match data.by_id.get(&id) {
        Some(&i) => self::data(opportunity_json(
            &data.opportunities[i],
            &data,
            &params.all("expand"),
        )),
        None => not_found("opportunities", &id),
    }
}

/// `perform_as`, when given, must name a user (the sandbox's check; Lever documents
/// no error for it).
fn actor(data: &Data, params: &Params) -> Result<String, &'static str> {
    match params.get("perform_as") {
        None => Ok(data.users[0].id.clone()),
        Some(id) if data.users.iter().any(|u| u.id == id) => Ok(id.to_owned()),
        Some(_) => Err("perform_as names no user"),
    }
}

/// Move `opportunity` to `stage` and tell the webhooks. The one path for the API and
/// for [`LeverSandbox::move_opportunity`].
fn move_stage(
    shared: &Shared,
    opportunity: &str,
    stage: &str,
    user: &str,
) -> Result<(), SandboxError> {
    if stage_index(stage).is_none() {
        return Err(SandboxError::NotFound {
            what: format!("stages {stage}"),
        });
    }
    let deliveries = {
        let mut data = lock(&shared.data);
        let index = *data
            .by_id
            .get(opportunity)
            .ok_or_else(|| SandboxError::NotFound {
                what: format!("opportunities {opportunity}"),
            })?;
        let now = now_millis();
        let o = &mut data.opportunities[index];
        let from = std::mem::replace(&mut o.stage, stage.to_owned());
        o.stage_changes.push(stage_change(stage, user, now));
        o.updated_at = now;
        let (id, contact) = (o.id.clone(), o.contact.clone());
        let mut event = EventData::default();
        event.opportunity_id = Some(id.as_str().into());
        event.candidate_id = Some(id.clone());
        event.contact_id = Some(contact.as_str().into());
        event.to_stage_id = Some(stage.into());
        event.from_stage_id = Some(from.as_str().into());
        let targets: Vec<(String, SecretString)> = data
            .webhooks
            .iter()
            .filter(|w| w.event == "candidateStageChange")
            .filter(|w| w.origins.is_empty() || w.origins.iter().any(|o| o == ORIGIN))
            .map(|w| (w.url.clone(), w.token.clone()))
            .collect();
        targets
            .into_iter()
            .map(|(url, signature_token)| {
                let token = data.generator.secret(24);
                let body = signed_delivery(
                    &signature_token,
                    Event::CandidateStageChange,
                    &token,
                    now,
                    event.clone(),
                );
                let mut headers = HeaderMap::new();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                Outgoing { url, headers, body }
            })
            .collect::<Vec<_>>()
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}

/// `PUT /opportunities/{id}/stage` `{"stage"}` → 200 `{data: opportunity}`; an unknown
/// stage is Lever's documented 404 `stages … was not found`.
async fn change_stage(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Option<Json<Value>>,
) -> Response {
    let params = Params::parse(q.as_deref());
    let Some(stage) = body
        .as_ref()
        .and_then(|Json(b)| b.get("stage"))
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return error(StatusCode::BAD_REQUEST, "stage is required");
    };
    let user = match actor(&lock(&shared.data), &params) {
        Ok(user) => user,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    match move_stage(&shared, &id, &stage, &user) {
        Ok(()) => opportunity_response(&shared, &id),
        Err(e) => error(StatusCode::NOT_FOUND, &format!("{e}")),
    }
}

fn opportunity_response(shared: &Shared, id: &str) -> Response {
    let data = lock(&shared.data);
    match data.by_id.get(id) {
        Some(&i) => self::data(opportunity_json(&data.opportunities[i], &data, &[])),
        None => not_found("opportunities", id),
    }
}

/// Apply `edit` to the opportunity's tags after checking `perform_as`.
fn edit_tags(
    shared: &Shared,
    id: &str,
    params: &Params,
    body: Option<Json<Value>>,
    edit: impl FnOnce(&mut Vec<String>, Vec<String>),
) -> Response {
    let Some(tags) = body
        .as_ref()
        .and_then(|Json(b)| b.get("tags"))
        .and_then(Value::as_array)
        .map(|t| {
            t.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    else {
        return error(StatusCode::BAD_REQUEST, "tags must be a list");
    };
    {
        let mut data = lock(&shared.data);
        if let Err(message) = actor(&data, params) {
            return error(StatusCode::BAD_REQUEST, message);
        }
        let Some(&i) = data.by_id.get(id) else {
            return not_found("opportunities", id);
        };
        let o = &mut data.opportunities[i];
        edit(&mut o.tags, tags);
        o.updated_at = now_millis();
    }
    opportunity_response(shared, id)
}

async fn add_tags(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Option<Json<Value>>,
) -> Response {
    let params = Params::parse(q.as_deref());
    edit_tags(&shared, &id, &params, body, |current, tags| {
        for tag in tags {
            if !current.contains(&tag) {
                current.push(tag);
            }
        }
    })
}

async fn remove_tags(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Option<Json<Value>>,
) -> Response {
    let params = Params::parse(q.as_deref());
    edit_tags(&shared, &id, &params, body, |current, tags| {
        current.retain(|t| !tags.contains(t));
    })
}

async fn list_notes(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let params = Params::parse(q.as_deref());
    let items = {
        let data = lock(&shared.data);
        let Some(&i) = data.by_id.get(&id) else {
            return not_found("opportunities", &id);
        };
        data.opportunities[i].notes.iter().map(note_json).collect()
    };
    list(&params, items)
}

/// `POST /opportunities/{id}/notes` `{value, secret?, score?}` → 201 with `noteId`.
async fn create_note(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    body: Option<Json<Value>>,
) -> Response {
    let params = Params::parse(q.as_deref());
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "value is required");
    };
    let Some(value) = body
        .get("value")
        .and_then(Value::as_str)
        .filter(|v| !v.trim().is_empty())
    else {
        return error(StatusCode::BAD_REQUEST, "value is required");
    };
    let score = body.get("score").and_then(Value::as_u64);
    if score.is_some_and(|s| !(1..=4).contains(&s)) {
        return error(StatusCode::BAD_REQUEST, "score must be 1 to 4");
    }
    let mut data = lock(&shared.data);
    let user = match actor(&data, &params) {
        Ok(user) => user,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let Some(&i) = data.by_id.get(&id) else {
        return not_found("opportunities", &id);
    };
    let note = Note {
        id: data.generator.uuid(),
        value: value.to_owned(),
        user: Some(user),
        stage: data.opportunities[i].stage.clone(),
        created_at: now_millis(),
        secret: body.get("secret").and_then(Value::as_bool).unwrap_or(false),
        score,
    };
    let mut json = note_json(&note);
    json["noteId"] = json!(note.id);
    data.opportunities[i].notes.push(note);
    (StatusCode::CREATED, Json(json!({ "data": json }))).into_response()
}

fn webhook_json(w: &Webhook, with_token: bool) -> Value {
    use client_core::ExposeSecret as _;
    let mut configuration = json!({ "conditions": { "origins": w.origins } });
    if with_token {
        configuration["signatureToken"] = json!(w.token.expose_secret());
    }
    json!({
        "id": w.id,
        "event": w.event,
        "url": w.url,
        "configuration": configuration,
        "createdAt": w.created_at,
        "updatedAt": w.updated_at,
    })
}

fn origins(body: &Value) -> Option<Vec<String>> {
    body.pointer("/configuration/conditions/origins")
        .and_then(Value::as_array)
        .map(|o| {
            o.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
}

/// `GET /webhooks` → `{data: […]}` without `hasNext`, tokens not shown.
async fn list_webhooks(State(shared): State<Arc<Shared>>) -> Response {
    let items: Vec<Value> = lock(&shared.data)
        .webhooks
        .iter()
        .map(|w| webhook_json(w, false))
        .collect();
    data(json!(items))
}

/// `POST /webhooks` `{url, event, configuration?}` → 201 with the signature token.
async fn create_webhook(State(shared): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let Some(Json(body)) = body else {
        return error(StatusCode::BAD_REQUEST, "url and event are required");
    };
    let url = body.get("url").and_then(Value::as_str).unwrap_or_default();
    if Url::parse(url).is_err() {
        return error(StatusCode::BAD_REQUEST, "url must be a URL");
    }
    let event = body
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !EVENTS.contains(&event) {
        return error(
            StatusCode::BAD_REQUEST,
            "event is not a Lever webhook event",
        );
    }
    let mut data = lock(&shared.data);
    let now = now_millis();
    let webhook = Webhook {
        id: data.generator.uuid(),
        event: event.to_owned(),
        url: url.to_owned(),
        origins: origins(&body).unwrap_or_default(),
        token: SecretString::from(data.generator.secret(24)),
        created_at: now,
        updated_at: now,
    };
    let json = webhook_json(&webhook, true);
    data.webhooks.push(webhook);
    (StatusCode::CREATED, Json(json!({ "data": json }))).into_response()
}

/// `PUT /webhooks` `{data: [{id, url?, event?, configuration?}]}` → the updated ones.
async fn update_webhooks(State(shared): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let Some(updates) = body
        .as_ref()
        .and_then(|Json(b)| b.get("data"))
        .and_then(Value::as_array)
        .cloned()
    else {
        return error(StatusCode::BAD_REQUEST, "data must be a list of updates");
    };
    let mut data = lock(&shared.data);
    let ids: Vec<&str> = updates
        .iter()
        .map(|u| u.get("id").and_then(Value::as_str).unwrap_or_default())
        .collect();
    if let Some(missing) = ids
        .iter()
        .find(|id| !data.webhooks.iter().any(|w| w.id == **id))
    {
        return not_found("webhooks", missing);
    }
    let now = now_millis();
    let mut updated = Vec::new();
    for (update, id) in updates.iter().zip(ids) {
        let Some(webhook) = data.webhooks.iter_mut().find(|w| w.id == id) else {
            continue;
        };
        if let Some(url) = update.get("url").and_then(Value::as_str) {
            webhook.url = url.to_owned();
        }
        if let Some(event) = update.get("event").and_then(Value::as_str) {
            webhook.event = event.to_owned();
        }
        if let Some(origins) = origins(update) {
            webhook.origins = origins;
        }
        webhook.updated_at = now;
        updated.push(webhook_json(webhook, false));
    }
    self::data(json!(updated))
}

async fn delete_webhook(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    let mut data = lock(&shared.data);
    let before = data.webhooks.len();
    data.webhooks.retain(|w| w.id != id);
    if data.webhooks.len() == before {
        return not_found("webhooks", &id);
    }
    StatusCode::NO_CONTENT.into_response()
}
