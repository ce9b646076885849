//! Wiremock expectations for Willo's participants API, as the engine tests assert
//! them: exact path, bare API key, exact invite body, how many times.

use ats_bridge::store::Store;
use ats_bridge::{WebhookRequest, WebhookSource, WilloSource};
use client_core::SecretString;
use client_core::header::HeaderMap;
use client_core::rate_limit::RateLimits;
use serde_json::{Value, json};
use willo_client::webhooks::Delivery;
use willo_client::{WebhookEvent, WilloClient};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

use super::fake_willo::ROOT;
use super::mock_server::{mount_exactly, now_millis, ok, short_retries};

/// Willo's API key; sent bare in `Authorization`.
pub const WILLO_KEY: &str = "k";
/// The interview the rules invite to.
pub const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";
/// The participant Willo creates for the invite.
pub const PARTICIPANT: &str = "5b0c3e8a9d7f4e21a3c6b8d9e0f1a2b3";
/// The candidate's phone, in E.164 as Willo requires.
pub const PHONE: &str = "+447700900123";

/// The candidate as the ATS fixture names them.
pub struct Invitee {
    /// Full name, as sent to Willo.
    pub name: &'static str,
    /// Email, as sent to Willo.
    pub email: &'static str,
    /// The same email as Willo lists it back, cased differently: matching by email
    /// must ignore case.
    pub listed_email: &'static str,
}

impl Invitee {
    /// The exact invite the engine must send for this candidate (with `PHONE`).
    pub fn invite_body(&self) -> Value {
        json!({
            "interview": INTERVIEW,
            "name": self.name,
            "email": self.email,
            "phone": PHONE
        })
    }

    /// The participant as Willo lists them once invited.
    pub fn listed(&self) -> Value {
        json!([{"key": PARTICIPANT, "interview": INTERVIEW, "name": self.name, "email": self.listed_email}])
    }
}

/// A client of the mock, retrying quickly.
pub fn willo_client(willo: &MockServer) -> WilloClient {
    WilloClient::builder()
        .api_key(SecretString::from(WILLO_KEY))
        .base_url(format!("{}{ROOT}", willo.uri()))
        .limits(RateLimits::unlimited())
        .retry_policy(short_retries())
        .build()
        .unwrap()
}

/// A request to `route` under the API root, with the API key.
pub fn willo(verb: &str, route: &str) -> MockBuilder {
    Mock::given(method(verb))
        .and(path(format!("{ROOT}{route}")))
        .and(header("authorization", WILLO_KEY))
}

/// One DRF page holding all of `results`.
pub fn drf_page(results: Value) -> Value {
    json!({"count": results.as_array().map_or(0, Vec::len), "next": null, "previous": null, "results": results})
}

/// Willo's participants of the interview (the lookup by email before inviting).
pub async fn willo_lookup(willo_server: &MockServer, results: Value, times: u64) {
    mount_exactly(
        willo_server,
        times,
        willo("GET", "/participants/")
            .and(query_param("interview", INTERVIEW))
            .and(query_param("page_size", "30"))
            .respond_with(ok(drf_page(results))),
    )
    .await;
}

/// `POST /participants/` with the exact invite of `who`, answered 201.
pub async fn willo_invite(willo_server: &MockServer, who: &Invitee, times: u64) {
    willo_invite_answering_after(willo_server, who, times, std::time::Duration::ZERO).await;
}

/// [`willo_invite`], with Willo's answer arriving after `delay`.
pub async fn willo_invite_answering_after(
    willo_server: &MockServer,
    who: &Invitee,
    times: u64,
    delay: std::time::Duration,
) {
    let mut created = who.invite_body();
    created["key"] = json!(PARTICIPANT);
    let answer = ResponseTemplate::new(201)
        .set_body_json(created)
        .set_delay(delay);
    mount_exactly(
        willo_server,
        times,
        willo("POST", "/participants/")
            .and(body_json(who.invite_body()))
            .respond_with(answer),
    )
    .await;
}

/// The invite of `who` by e-mail alone (their phone left out), `times` times.
pub async fn willo_invite_by_email(willo_server: &MockServer, who: &Invitee, times: u64) {
    let mut body = who.invite_body();
    body.as_object_mut().unwrap().remove("phone");
    let mut created = body.clone();
    created["key"] = json!(PARTICIPANT);
    mount_exactly(
        willo_server,
        times,
        willo("POST", "/participants/")
            .and(body_json(body))
            .respond_with(ResponseTemplate::new(201).set_body_json(created)),
    )
    .await;
}

/// `GET /participants/{PARTICIPANT}/`.
pub async fn willo_results(willo_server: &MockServer, participant: Value, times: u64) {
    mount_exactly(
        willo_server,
        times,
        willo("GET", &format!("/participants/{PARTICIPANT}/")).respond_with(ok(participant)),
    )
    .await;
}

/// The participant as Willo shows them after answering (stage `stage`).
pub fn participant(stage: &str) -> Value {
    json!({
        "key": PARTICIPANT,
        "interview": INTERVIEW,
        "stage": stage,
        "completed_at": "2026-11-20T10:00:00Z",
        "score": 4.5,
        "responses": [
            {"question": "Tell us about yourself", "media_url": "https://videos.willo.example/a1", "transcript": "I make coffee.", "score": 4},
            {"question": "Why us?", "media_url": "https://videos.willo.example/a2", "summary": "Keen."}
        ]
    })
}

/// Willo's webhook body naming `PARTICIPANT`.
pub fn willo_body() -> Vec<u8> {
    serde_json::to_vec(&json!({"participant": {"key": PARTICIPANT}})).unwrap()
}

/// Willo's `event` about `PARTICIPANT`, as the intake hands it over.
pub fn willo_delivery(event: WebhookEvent) -> Delivery {
    Delivery::parse(&willo_body(), Some(event)).unwrap()
}

/// Keep Willo's `event` about `PARTICIPANT` in the inbox as the intake does; returns
/// whether it was new.
pub async fn inbox_willo_delivery(store: &dyn Store, event: WebhookEvent) -> bool {
    let body = willo_body();
    let headers = HeaderMap::new();
    let request = WebhookRequest::new(&headers, &body)
        .query(Some("token=t"))
        .path_event(Some(event.as_str()));
    let verified = WilloSource::new()
        .token(SecretString::from("t"))
        .verify(&request)
        .unwrap();
    store
        .inbox_insert(&verified.to_inbox(WilloSource::NAME), now_millis() as i64)
        .await
        .unwrap()
}

/// `GET /participants/{PARTICIPANT}/` answered 503 `times` times: Willo is down.
pub async fn willo_results_unavailable(willo_server: &MockServer, times: u64) {
    mount_exactly(
        willo_server,
        times,
        willo("GET", &format!("/participants/{PARTICIPANT}/"))
            .respond_with(ResponseTemplate::new(503)),
    )
    .await;
}
