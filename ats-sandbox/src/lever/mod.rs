//! The Lever simulator (Data API v1, base `…/v1`): postings, pipeline stages, users,
//! opportunities with `expand` (applications, stage, contact, owner), stage changes,
//! tags, notes with `perform_as`, profile forms and their template, and webhooks with per-webhook signature tokens.
//!
//! Authentication is HTTP Basic with the API key as username and an empty password.
//! Responses are `{"data": …}`; lists are `{"data": […], "hasNext", "next"}` with an
//! opaque `offset` token (lever.md §2). A stage change — `PUT
//! /opportunities/{id}/stage` or [`LeverSandbox::move_opportunity`] — sends
//! `candidateStageChange` signed by `lever_client::webhooks::TestDelivery` with the
//! webhook's token, to every `candidateStageChange` webhook whose origin condition the
//! opportunity meets.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use client_core::{SecretString, Url};
use lever_client::webhooks::{Event, EventData, TestDelivery};
use serde_json::{Value, json};

use super::SandboxError;
use super::body::{string_array, strings};
use super::gate::{Gate, GatedRouter, Vendor, lock};
use super::params::Params;
use super::seed::{Generator, Person, SandboxJob, SandboxPerson, Seed, now_millis};
use super::webhooks::{Deliverer, Outgoing};

mod catalog;
mod contacts;
mod forms;
mod json;
mod opportunities;
mod webhook_api;

use catalog::{
    get_posting, get_stage, get_user, list_postings, list_stages, list_tags, list_users,
};
use json::{note_json, opportunity_json, posting_json, user_json, webhook_json};
use opportunities::{
    add_tags, change_stage, create_note, create_opportunity, delete, get_opportunity, list_notes,
    list_opportunities, move_stage, remove_tags, update_note,
};
use webhook_api::{create_webhook, delete_webhook, list_webhooks, update_webhooks};

pub use forms::{FORM_FIELDS, FORM_TEMPLATE};

/// The API key the sandbox accepts (HTTP Basic username, empty password).
pub const API_KEY: &str = "sandbox-lever-api-key";
/// The path under the server root where the API lives (as in production).
pub(crate) const API_PREFIX: &str = "/v1";
// The account's pipeline is seed data (the seed's default stage is one of them):
// it lives with the seed, and is part of this module's public face.
pub use crate::seed::{
    STAGE_NEW_APPLICANT, STAGE_OFFER, STAGE_ON_SITE, STAGE_RECRUITER_SCREEN, STAGES,
};
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
    /// `published` until a test says otherwise.
    state: String,
    tags: Vec<String>,
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
    /// Profile forms by opportunity, as JSON.
    forms: HashMap<String, Vec<Value>>,
    /// Contacts changed through the API (details, links), by contact id.
    contacts: HashMap<String, contacts::ContactRecord>,
    /// Sources added or removed through the API, by opportunity.
    sources: HashMap<String, Vec<String>>,
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
                state: "published".to_owned(),
                tags: Vec::new(),
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
                    forms: HashMap::new(),
                    contacts: HashMap::new(),
                    sources: HashMap::new(),
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
            .route("/form_templates", get(forms::list_templates))
            .route("/form_templates/{id}", get(forms::get_template))
            .route(
                "/opportunities/{id}/forms",
                get(forms::list_forms).post(forms::create_form),
            )
            .route(
                "/opportunities",
                get(list_opportunities).post(create_opportunity),
            )
            .route("/opportunities/{id}", get(get_opportunity))
            .route("/opportunities/{id}/stage", put(change_stage))
            .route("/opportunities/{id}/addTags", post(add_tags))
            .route("/opportunities/{id}/removeTags", post(remove_tags))
            .route("/opportunities/{id}/addLinks", post(contacts::add_links))
            .route(
                "/opportunities/{id}/removeLinks",
                post(contacts::remove_links),
            )
            .route(
                "/opportunities/{id}/addSources",
                post(contacts::add_sources),
            )
            .route(
                "/opportunities/{id}/removeSources",
                post(contacts::remove_sources),
            )
            .route(
                "/contacts/{id}",
                get(contacts::get_contact).put(contacts::update_contact),
            )
            .route(
                "/opportunities/{id}/notes",
                get(list_notes).post(create_note),
            )
            .route("/opportunities/{id}/notes/{note}", put(update_note))
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

    /// Set a posting's state (`published`, `internal`, `closed`, `draft`…), as a
    /// recruiter closing or reopening it would. Lever sends no webhook for it.
    pub fn set_posting_state(&self, posting: &str, state: &str) -> Result<(), SandboxError> {
        self.edit_posting(posting, |p| p.state = state.to_owned())
    }

    /// Replace a posting's tags (how a Lever tag such as `Willo:<interview>-<account>`
    /// first appears: typed onto a posting).
    pub fn set_posting_tags(&self, posting: &str, tags: &[&str]) -> Result<(), SandboxError> {
        self.edit_posting(posting, |p| {
            p.tags = tags.iter().map(|t| (*t).to_owned()).collect();
        })
    }

    fn edit_posting(
        &self,
        posting: &str,
        edit: impl FnOnce(&mut Posting),
    ) -> Result<(), SandboxError> {
        let mut data = lock(&self.shared.data);
        let found = data
            .postings
            .iter_mut()
            .find(|p| p.id == posting)
            .ok_or_else(|| SandboxError::NotFound {
                what: format!("posting {posting}"),
            })?;
        edit(found);
        Ok(())
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

    /// Delete an opportunity; webhooks hear `candidateDeleted`.
    pub fn delete_opportunity(&self, opportunity: &str) -> Result<(), SandboxError> {
        delete(&self.shared, opportunity)
    }

    observed_calls!();
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
/// Only the page's items are turned into JSON.
fn list<T>(params: &Params, items: Vec<T>, to_json: impl FnMut(T) -> Value) -> Response {
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
    let data: Vec<Value> = items
        .into_iter()
        .skip(start)
        .take(limit)
        .map(to_json)
        .collect();
    let mut body = json!({ "data": data, "hasNext": start + limit < total });
    if start + limit < total {
        body["next"] = json!(format!("o{}", start + limit));
    }
    Json(body).into_response()
}

fn data(value: Value) -> Response {
    Json(json!({ "data": value })).into_response()
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
