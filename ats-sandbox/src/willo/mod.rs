//! The Willo simulator: interviews, participants (invite, list filtered by interview or
//! search, get), and webhook subscriptions, under `/api/integrations/v2` with DRF
//! envelopes (`{count, next, previous, results}`, `next` an absolute URL).
//!
//! A participant completes after [`super::SandboxConfig::willo_completion_delay`] (or
//! when [`WilloSandbox::complete_participant`] says so): its responses (question, media
//! URL, transcript, summary, score) appear on `GET /participants/{key}/` and every
//! matching `new_response` webhook receives `{"participant": {"key", "interview", ...},
//! "interview": {"key", "title"}}`. Willo signs nothing (willo.md §6): the registered URL
//! carries the receiver's token.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use client_core::Url;
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

use super::SandboxError;
use super::body::strings;
use super::gate::{Gate, GatedRouter, Vendor, lock};
use super::params::Params;
use super::seed::{Generator, Seed, now_iso};
use super::webhooks::{Deliverer, Outgoing};

mod json;
mod late;
mod participants;
mod webhook_api;

use json::{drf_page, interview_json, participant_json, webhook_json, whole_list};
use participants::{
    change_stage, complete, get_interview, get_participant, invite, list_interviews,
    list_participants, update_participant,
};
use webhook_api::{create_webhook, delete_webhook, list_webhooks, update_webhook};

/// The path under the server root where the API lives (as in production).
pub(crate) const API_PREFIX: &str = "/api/integrations/v2";
const DEFAULT_PAGE_SIZE: usize = 10;
const MAX_PAGE_SIZE: usize = 30;
/// The stage of an invited participant and of one who has answered (willo.md §5: stage
/// names are uncertain; `received` is the one integrators have seen).
pub const STAGE_INVITED: &str = "invited";
/// See [`STAGE_INVITED`].
pub const STAGE_RECEIVED: &str = "received";
const QUESTIONS: &[&str] = &[
    "Tell us about yourself.",
    "Why do you want this role?",
    "Describe a problem you solved recently.",
];

struct Interview {
    key: String,
    title: String,
    owner_key: String,
}

struct Participant {
    key: String,
    interview: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    stage: String,
    created_at: String,
    completed_at: Option<String>,
    responses: Vec<Value>,
    score: Option<f64>,
    /// The hiring team's comments, oldest first.
    comments: Vec<Value>,
}

struct Webhook {
    key: String,
    url: String,
    event: String,
    interviews: Vec<String>,
    follow_all: bool,
}

struct Data {
    interviews: Vec<Interview>,
    participants: Vec<Participant>,
    by_key: HashMap<String, usize>,
    webhooks: Vec<Webhook>,
    generator: Generator,
    /// Completions record answers without transcripts and summaries, which come
    /// later ([`WilloSandbox::hold_transcripts`]).
    hold_transcripts: bool,
}

pub(crate) struct Shared {
    data: Mutex<Data>,
    /// `http://127.0.0.1:port/api/integrations/v2`.
    base_url: String,
    deliverer: Deliverer,
    completion_delay: Option<Duration>,
    gate: Arc<Gate>,
}

/// An interview as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxInterview {
    /// 32-hex key.
    pub key: String,
    /// Title.
    pub title: String,
}

/// A participant as the sandbox holds it. `Debug` leaves out the name, email and phone.
#[derive(Clone, PartialEq)]
pub struct SandboxParticipant {
    /// 32-hex key.
    pub key: String,
    /// The interview's key.
    pub interview: String,
    /// Full name.
    pub name: String,
    /// Email, if given.
    pub email: Option<String>,
    /// Phone, if given.
    pub phone: Option<String>,
    /// When the participant finished answering.
    pub completed_at: Option<String>,
    /// Answers recorded on completion.
    pub responses: usize,
    /// The participant's stage.
    pub stage: String,
}

impl fmt::Debug for SandboxParticipant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxParticipant")
            .field("key", &self.key)
            .field("interview", &self.interview)
            .field("completed_at", &self.completed_at)
            .field("responses", &self.responses)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

/// Control and inspection of the Willo simulator. Cheap to clone.
#[derive(Clone)]
pub struct WilloSandbox {
    shared: Arc<Shared>,
}

impl fmt::Debug for WilloSandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WilloSandbox")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl WilloSandbox {
    pub(crate) fn new(
        seed: u64,
        data: &Seed,
        base_url: String,
        deliverer: Deliverer,
        completion_delay: Option<Duration>,
        gate: Arc<Gate>,
    ) -> Self {
        let mut generator = Generator::new(seed, Vendor::Willo.rng_salt(3));
        let owner_key = generator.hex_key();
        let interviews = (0..data.willo_interviews.max(1))
            .map(|n| Interview {
                key: generator.hex_key(),
                title: format!("Video interview {}", n + 1),
                owner_key: owner_key.clone(),
            })
            .collect();
        Self {
            shared: Arc::new(Shared {
                data: Mutex::new(Data {
                    interviews,
                    participants: Vec::new(),
                    by_key: HashMap::new(),
                    webhooks: Vec::new(),
                    generator,
                    hold_transcripts: false,
                }),
                base_url,
                deliverer,
                completion_delay,
                gate,
            }),
        }
    }

    pub(crate) fn router(&self, gate: &Arc<Gate>) -> Router {
        let api = GatedRouter::new(gate)
            .route("/interviews/", get(list_interviews))
            .route("/interviews/{key}/", get(get_interview))
            .route("/participants/", get(list_participants).post(invite))
            .route(
                "/participants/{key}/",
                get(get_participant)
                    .patch(update_participant)
                    .put(update_participant),
            )
            .route("/webhooks/", get(list_webhooks).post(create_webhook))
            .route(
                "/webhooks/{key}/",
                axum::routing::patch(update_webhook)
                    .put(update_webhook)
                    .delete(delete_webhook),
            )
            .into_router()
            .with_state(Arc::clone(&self.shared));
        Router::new().nest(API_PREFIX, api)
    }

    /// The interviews, in creation order.
    pub fn interviews(&self) -> Vec<SandboxInterview> {
        lock(&self.shared.data)
            .interviews
            .iter()
            .map(|i| SandboxInterview {
                key: i.key.clone(),
                title: i.title.clone(),
            })
            .collect()
    }

    /// Every participant, in invitation order.
    pub fn participants(&self) -> Vec<SandboxParticipant> {
        lock(&self.shared.data)
            .participants
            .iter()
            .map(view)
            .collect()
    }

    /// One participant.
    pub fn participant(&self, key: &str) -> Option<SandboxParticipant> {
        let data = lock(&self.shared.data);
        data.by_key.get(key).map(|&i| view(&data.participants[i]))
    }

    /// Finish `key`'s interview now: record answers and send `new_response`. A
    /// participant who already finished is left as is and nothing is sent again.
    pub fn complete_participant(&self, key: &str) -> Result<(), SandboxError> {
        complete(&self.shared, key)
    }

    /// Move a participant to `stage` as a reviewer would (`Accepted`, `Rejected`, …)
    /// and send `stage_change` to the matching webhooks.
    pub fn set_stage(&self, key: &str, stage: &str) -> Result<(), SandboxError> {
        change_stage(&self.shared, key, stage)
    }

    /// From now on, participants complete without transcripts and AI summaries, as
    /// Willo's answers often do: they appear later with
    /// [`WilloSandbox::add_transcripts`] (Willo sends no webhook for them; the bridge's
    /// late-results checks find them).
    pub fn hold_transcripts(&self, hold: bool) {
        lock(&self.shared.data).hold_transcripts = hold;
    }

    /// Give a completed participant's answers their transcripts and AI summaries now.
    /// Nothing is sent (Willo has no webhook for it).
    pub fn add_transcripts(&self, key: &str) -> Result<(), SandboxError> {
        late::add_transcripts(&self.shared, key)
    }

    /// A reviewer scores a participant: the overall score becomes `score`, and
    /// `new_score` is sent to the matching webhooks.
    pub fn add_score(&self, key: &str, score: f64) -> Result<(), SandboxError> {
        late::add_score(&self.shared, key, score)
    }

    /// A reviewer comments on a participant: the comment is listed under `comments`
    /// on the participant, and `new_comment` is sent to the matching webhooks.
    pub fn add_comment(&self, key: &str, author: &str, text: &str) -> Result<(), SandboxError> {
        late::add_comment(&self.shared, key, author, text)
    }

    observed_calls!();
}

fn view(p: &Participant) -> SandboxParticipant {
    SandboxParticipant {
        key: p.key.clone(),
        interview: p.interview.clone(),
        name: p.name.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        completed_at: p.completed_at.clone(),
        responses: p.responses.len(),
        stage: p.stage.clone(),
    }
}

fn not_found() -> Response {
    Vendor::Willo.error(StatusCode::NOT_FOUND, "Not found.")
}

/// A request body that must be a JSON object. Anything else (no body, another JSON
/// value) is DRF's 400 `non_field_errors`, as Willo answers; a body that is not JSON
/// at all keeps axum's own rejection.
struct ObjectBody(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for ObjectBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        match Option::<Json<Value>>::from_request(request, state).await {
            Ok(Some(Json(Value::Object(body)))) => Ok(Self(body)),
            Ok(_) => Err(field_error(
                "non_field_errors",
                "Invalid data. Expected a dictionary.",
            )),
            Err(rejection) => Err(rejection.into_response()),
        }
    }
}

/// A DRF field-error body: `{"field": ["message"]}`.
fn field_error(field: &str, message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ field: [message] }))).into_response()
}

fn text(body: &Map<String, Value>, field: &str) -> Option<String> {
    body.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
