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
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use client_core::Url;
use client_core::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

use super::SandboxError;
use super::gate::{Gate, GatedRouter, RequestStats, Vendor, lock};
use super::params::Params;
use super::seed::{Generator, Seed, now_iso};
use super::webhooks::{Deliverer, DeliveryStats, Outgoing};

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
    created_at: String,
    completed_at: Option<String>,
    responses: Vec<Value>,
    score: Option<f64>,
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
}

impl fmt::Debug for SandboxParticipant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SandboxParticipant")
            .field("key", &self.key)
            .field("interview", &self.interview)
            .field("completed_at", &self.completed_at)
            .field("responses", &self.responses)
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
            .route("/participants/{key}/", get(get_participant))
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

fn view(p: &Participant) -> SandboxParticipant {
    SandboxParticipant {
        key: p.key.clone(),
        interview: p.interview.clone(),
        name: p.name.clone(),
        email: p.email.clone(),
        phone: p.phone.clone(),
        completed_at: p.completed_at.clone(),
        responses: p.responses.len(),
    }
}

fn not_found() -> Response {
    Vendor::Willo.error(StatusCode::NOT_FOUND, "Not found.")
}

/// A DRF field-error body: `{"field": ["message"]}`.
fn field_error(field: &str, message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ field: [message] }))).into_response()
}

/// One DRF page of `items` (`page_size` 1–30, default 10; `page` from 1; an out of
/// range page is DRF's 404 `Invalid page.`).
fn drf_page(base_url: &str, path: &str, params: &Params, items: Vec<Value>) -> Response {
    let size = params
        .number("page_size", DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    let page = params.number("page", 1).max(1);
    let count = items.len();
    let start = (page - 1) * size;
    if start >= count && page > 1 {
        return Vendor::Willo.error(StatusCode::NOT_FOUND, "Invalid page.");
    }
    let link = |to: usize| -> Value {
        let Ok(mut url) = Url::parse(&format!("{base_url}{path}")) else {
            return Value::Null;
        };
        url.query_pairs_mut()
            .extend_pairs(params.without(&["page"]))
            .append_pair("page", &to.to_string());
        Value::String(url.into())
    };
    let next = if start + size < count {
        link(page + 1)
    } else {
        Value::Null
    };
    let previous = if page > 1 {
        link(page - 1)
    } else {
        Value::Null
    };
    let results: Vec<Value> = items.into_iter().skip(start).take(size).collect();
    Json(json!({ "count": count, "next": next, "previous": previous, "results": results }))
        .into_response()
}

fn interview_json(i: &Interview) -> Value {
    json!({
        "key": i.key,
        "title": i.title,
        "owner": {
            "key": i.owner_key,
            "email": "owner@example.com",
            "full_name": "Sandbox Owner",
        },
        "department": Value::Null,
        "questions": QUESTIONS
            .iter()
            .enumerate()
            .map(|(n, q)| json!({ "order": n + 1, "title": q, "answer_type": "video" }))
            .collect::<Vec<_>>(),
    })
}

fn participant_json(p: &Participant, base_url: &str) -> Value {
    json!({
        "key": p.key,
        "interview": p.interview,
        "name": p.name,
        "email": p.email,
        "phone": p.phone,
        "stage": if p.completed_at.is_some() { STAGE_RECEIVED } else { STAGE_INVITED },
        "created_at": p.created_at,
        "completed_at": p.completed_at,
        "score": p.score,
        "share_url": format!("{base_url}/share/{}/", p.key),
        "responses": p.responses,
    })
}

fn webhook_json(w: &Webhook) -> Value {
    json!({
        "key": w.key,
        "url": w.url,
        "event": w.event,
        "interviews": w.interviews,
        "follow_all_interviews": w.follow_all,
        "departments": [],
        "users": [],
        "payload_configuration": Value::Null,
        "api_version": "v1",
        "status": "active",
    })
}

async fn list_interviews(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let items = lock(&shared.data)
        .interviews
        .iter()
        .map(interview_json)
        .collect();
    drf_page(&shared.base_url, "/interviews/", &params, items)
}

async fn get_interview(State(shared): State<Arc<Shared>>, Path(key): Path<String>) -> Response {
    let data = lock(&shared.data);
    match data.interviews.iter().find(|i| i.key == key) {
        Some(interview) => Json(interview_json(interview)).into_response(),
        None => not_found(),
    }
}

async fn list_participants(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let interview = params.get("interview");
    let search = params.get("search").map(str::to_lowercase);
    let items = {
        let data = lock(&shared.data);
        data.participants
            .iter()
            .filter(|p| interview.is_none_or(|k| p.interview == k))
            .filter(|p| {
                search.as_deref().is_none_or(|term| {
                    p.name.to_lowercase().contains(term)
                        || p.email
                            .as_deref()
                            .is_some_and(|e| e.to_lowercase().contains(term))
                })
            })
            .map(|p| participant_json(p, &shared.base_url))
            .collect()
    };
    drf_page(&shared.base_url, "/participants/", &params, items)
}

async fn get_participant(State(shared): State<Arc<Shared>>, Path(key): Path<String>) -> Response {
    let data = lock(&shared.data);
    match data.by_key.get(&key) {
        Some(&i) => Json(participant_json(&data.participants[i], &shared.base_url)).into_response(),
        None => not_found(),
    }
}

fn text(body: &Map<String, Value>, field: &str) -> Option<String> {
    body.get(field)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// `POST /participants/`: `interview` and `name` required (the 400 shapes are the
/// ones seen live, willo.md §4), `email` and `phone` optional.
async fn invite(State(shared): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let Some(Json(Value::Object(body))) = body else {
        return field_error("non_field_errors", "Invalid data. Expected a dictionary.");
    };
    let Some(name) = text(&body, "name") else {
        return field_error("name", "This field is required.");
    };
    let Some(interview) = text(&body, "interview") else {
        return field_error("interview", "This field is required.");
    };
    let participant = {
        let mut data = lock(&shared.data);
        if !data.interviews.iter().any(|i| i.key == interview) {
            return field_error(
                "interview",
                &format!("Invalid pk \"{interview}\" - object does not exist."),
            );
        }
        let key = data.generator.hex_key();
        let participant = Participant {
            key: key.clone(),
            interview,
            name,
            email: text(&body, "email"),
            phone: text(&body, "phone"),
            created_at: now_iso(),
            completed_at: None,
            responses: Vec::new(),
            score: None,
        };
        let json = participant_json(&participant, &shared.base_url);
        let index = data.participants.len();
        data.participants.push(participant);
        data.by_key.insert(key.clone(), index);
        (key, json)
    };
    if let Some(delay) = shared.completion_delay {
        let shared = Arc::clone(&shared);
        let key = participant.0.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            // The participant cannot vanish (there is no delete): completion cannot fail.
            let _ = complete(&shared, &key);
        });
    }
    (StatusCode::CREATED, Json(participant.1)).into_response()
}

/// Record answers for `key` and send `new_response` to the matching webhooks.
fn complete(shared: &Shared, key: &str) -> Result<(), SandboxError> {
    let deliveries = {
        let mut data = lock(&shared.data);
        let Some(&index) = data.by_key.get(key) else {
            return Err(SandboxError::NotFound {
                what: format!("Willo participant {key}"),
            });
        };
        if data.participants[index].completed_at.is_some() {
            return Ok(());
        }
        let scores: Vec<u32> = (0..QUESTIONS.len())
            .map(|_| 2 + data.generator.below(4))
            .collect();
        let participant = &mut data.participants[index];
        participant.responses = QUESTIONS
            .iter()
            .zip(&scores)
            .enumerate()
            .map(|(n, (question, score))| {
                json!({
                    "question": question,
                    "media_url": format!("{}/media/{key}/{}.mp4", shared.base_url, n + 1),
                    "transcript": format!("Answer {} of the sandbox candidate.", n + 1),
                    "summary": format!("A clear answer to: {question}"),
                    "score": f64::from(*score),
                })
            })
            .collect();
        let total: u32 = scores.iter().sum();
        participant.score = Some(f64::from(total) / scores.len() as f64);
        participant.completed_at = Some(now_iso());
        let participant = &data.participants[index];
        let title = data
            .interviews
            .iter()
            .find(|i| i.key == participant.interview)
            .map(|i| i.title.clone());
        let body = json!({
            "participant": {
                "key": participant.key,
                "interview": participant.interview,
                "name": participant.name,
                "email": participant.email,
            },
            "interview": { "key": participant.interview, "title": title },
        });
        let body = serde_json::to_vec(&body).unwrap_or_default();
        data.webhooks
            .iter()
            .filter(|w| w.event == "new_response")
            .filter(|w| w.follow_all || w.interviews.contains(&participant.interview))
            .map(|w| {
                let mut headers = HeaderMap::new();
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                Outgoing {
                    url: w.url.clone(),
                    headers,
                    body: body.clone(),
                }
            })
            .collect::<Vec<_>>()
    };
    for outgoing in deliveries {
        shared.deliverer.send(outgoing);
    }
    Ok(())
}

async fn list_webhooks(State(shared): State<Arc<Shared>>, RawQuery(q): RawQuery) -> Response {
    let params = Params::parse(q.as_deref());
    let items = lock(&shared.data)
        .webhooks
        .iter()
        .map(webhook_json)
        .collect();
    drf_page(&shared.base_url, "/webhooks/", &params, items)
}

fn keys(value: Option<&Value>) -> Vec<String> {
    value
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

/// `POST /webhooks/`: `url` and `event` required, one event per webhook (willo.md §6).
async fn create_webhook(State(shared): State<Arc<Shared>>, body: Option<Json<Value>>) -> Response {
    let Some(Json(Value::Object(body))) = body else {
        return field_error("non_field_errors", "Invalid data. Expected a dictionary.");
    };
    let Some(url) = text(&body, "url") else {
        return field_error("url", "This field is required.");
    };
    if Url::parse(&url).is_err() {
        return field_error("url", "Enter a valid URL.");
    }
    let Some(event) = text(&body, "event") else {
        return field_error("event", "This field is required.");
    };
    let mut data = lock(&shared.data);
    let webhook = Webhook {
        key: data.generator.hex_key(),
        url,
        event,
        interviews: keys(body.get("interviews")),
        follow_all: body
            .get("follow_all_interviews")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    };
    let json = webhook_json(&webhook);
    data.webhooks.push(webhook);
    (StatusCode::CREATED, Json(json)).into_response()
}

async fn update_webhook(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    let Some(Json(Value::Object(body))) = body else {
        return field_error("non_field_errors", "Invalid data. Expected a dictionary.");
    };
    let mut data = lock(&shared.data);
    let Some(webhook) = data.webhooks.iter_mut().find(|w| w.key == key) else {
        return not_found();
    };
    if let Some(url) = text(&body, "url") {
        webhook.url = url;
    }
    if let Some(event) = text(&body, "event") {
        webhook.event = event;
    }
    if body.contains_key("interviews") {
        webhook.interviews = keys(body.get("interviews"));
    }
    if let Some(all) = body.get("follow_all_interviews").and_then(Value::as_bool) {
        webhook.follow_all = all;
    }
    Json(webhook_json(webhook)).into_response()
}

async fn delete_webhook(State(shared): State<Arc<Shared>>, Path(key): Path<String>) -> Response {
    let mut data = lock(&shared.data);
    let before = data.webhooks.len();
    data.webhooks.retain(|w| w.key != key);
    if data.webhooks.len() == before {
        return not_found();
    }
    StatusCode::NO_CONTENT.into_response()
}
