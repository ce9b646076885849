//! A stateful mock of Willo's participants for engine tests: invites are listed back
//! (so `send_interview` finds them by email), answers are added on demand.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use client_core::{RetryPolicy, SecretString};
use serde_json::{Value, json};
use willo_client::{ParticipantKey, WilloClient};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The API root the client is given.
pub const ROOT: &str = "/api/integrations/v2";

/// Participants by key; answered ones carry responses.
#[derive(Debug, Default)]
pub struct WilloState {
    participants: BTreeMap<String, Value>,
}

#[derive(Clone)]
pub struct FakeWillo(Arc<Mutex<WilloState>>);

impl Respond for FakeWillo {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().unwrap();
        let path = request.url.path().trim_start_matches(ROOT);
        match (request.method.as_str(), path) {
            ("GET", "/participants/") => {
                let results: Vec<Value> = state.participants.values().cloned().collect();
                ResponseTemplate::new(200).set_body_json(
                    json!({"count": results.len(), "next": null, "previous": null, "results": results}),
                )
            }
            ("POST", "/participants/") => {
                let mut body: Value = serde_json::from_slice(&request.body).unwrap();
                let key = format!("{:032x}", state.participants.len() + 1);
                body["key"] = json!(key);
                state.participants.insert(key, body.clone());
                ResponseTemplate::new(201).set_body_json(body)
            }
            ("GET", p) => {
                let key = p.trim_start_matches("/participants/").trim_end_matches('/');
                match state.participants.get(key) {
                    Some(found) => ResponseTemplate::new(200).set_body_json(found.clone()),
                    None => {
                        ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."}))
                    }
                }
            }
            _ => ResponseTemplate::new(599),
        }
    }
}

impl FakeWillo {
    pub fn answer(&self, key: &ParticipantKey) {
        let mut state = self.0.lock().unwrap();
        let participant = state.participants.get_mut(key.as_str()).unwrap();
        participant["responses"] = json!([{
            "question": "Why us?",
            "media_url": "https://media.example/1.mp4",
            "transcript": "Because."
        }]);
    }

    /// The hiring team moves the participant to `stage` in Willo (a decision, for
    /// example `Accepted`).
    pub fn move_to(&self, key: &ParticipantKey, stage: &str) {
        let mut state = self.0.lock().unwrap();
        let participant = state.participants.get_mut(key.as_str()).unwrap();
        participant["stage"] = json!({ "name": stage });
    }

    pub fn add(&self, key: &str, participant: Value) {
        self.0
            .lock()
            .unwrap()
            .participants
            .insert(key.into(), participant);
    }
}

pub async fn willo() -> (MockServer, FakeWillo, WilloClient) {
    let server = MockServer::start().await;
    let fake = FakeWillo(Arc::default());
    Mock::given(path_regex(format!("^{ROOT}/participants/")))
        .respond_with(fake.clone())
        .mount(&server)
        .await;
    let client = WilloClient::builder()
        .api_key(SecretString::from("willo-key"))
        .base_url(format!("{}{ROOT}", server.uri()))
        .limits(client_core::rate_limit::RateLimits::unlimited())
        .retry_policy(RetryPolicy {
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(2),
            jitter: false,
            ..RetryPolicy::default()
        })
        .build()
        .unwrap();
    (server, fake, client)
}

pub async fn requests(server: &MockServer, verb: &str, path_suffix: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.method.as_str() == verb && r.url.path().ends_with(path_suffix))
        .count()
}

pub async fn invites(server: &MockServer) -> usize {
    requests(server, "POST", "/participants/").await
}
