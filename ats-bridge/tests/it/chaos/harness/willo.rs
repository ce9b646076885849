//! Willo as the chaos suite sees it: a stateful fake of the participants API on a
//! wiremock server that counts every invite per e-mail (the duplicates the suite
//! hunts), answers 401 while its credentials are "revoked", and lets the test move
//! participants (answers, decisions) the way candidates and hiring teams do.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use client_core::{RetryPolicy, SecretString};
use serde_json::{Value, json};
use willo_client::{ParticipantKey, WilloClient};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::fake_willo::ROOT;

/// Participants by key, and every invite sent (by normalised e-mail).
#[derive(Debug, Default)]
struct State {
    participants: BTreeMap<String, Value>,
    invites_by_email: BTreeMap<String, u32>,
    created: u64,
}

/// The shared state behind the mock.
#[derive(Debug, Clone, Default)]
struct Shared {
    state: Arc<Mutex<State>>,
    refusing: Arc<AtomicBool>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Respond for Shared {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if self.refusing.load(Ordering::SeqCst) {
            return ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."}));
        }
        let mut state = self.state();
        let path = request.url.path().trim_start_matches(ROOT);
        let key = path
            .trim_start_matches("/participants/")
            .trim_end_matches('/')
            .to_owned();
        match (request.method.as_str(), key.is_empty()) {
            ("GET", true) => {
                let results: Vec<Value> = state.participants.values().cloned().collect();
                ResponseTemplate::new(200).set_body_json(
                    json!({"count": results.len(), "next": null, "previous": null, "results": results}),
                )
            }
            ("POST", true) => {
                let Ok(mut body) = serde_json::from_slice::<Value>(&request.body) else {
                    return ResponseTemplate::new(400).set_body_json(json!({"detail": "bad JSON"}));
                };
                state.created += 1;
                let key = format!("{:032x}", state.created);
                body["key"] = json!(key);
                body["stage"] = json!({"name": "Invited"});
                let email = body["email"].as_str().unwrap_or_default().to_lowercase();
                *state.invites_by_email.entry(email).or_default() += 1;
                state.participants.insert(key, body.clone());
                ResponseTemplate::new(201).set_body_json(body)
            }
            ("GET", false) => match state.participants.get(&key) {
                Some(found) => ResponseTemplate::new(200).set_body_json(found.clone()),
                None => ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})),
            },
            ("DELETE", false) => match state.participants.remove(&key) {
                Some(_) => ResponseTemplate::new(204),
                None => ResponseTemplate::new(404).set_body_json(json!({"detail": "Not found."})),
            },
            _ => ResponseTemplate::new(405).set_body_json(json!({"detail": "Method not allowed."})),
        }
    }
}

/// The fake Willo and its server (kept alive as long as this is).
pub struct ChaosWillo {
    server: MockServer,
    shared: Shared,
}

impl ChaosWillo {
    /// A fake Willo with no participants.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        let shared = Shared::default();
        Mock::given(path_regex(format!("^{ROOT}/participants/")))
            .respond_with(shared.clone())
            .mount(&server)
            .await;
        Self { server, shared }
    }

    /// A client of this fake, retrying quickly.
    pub fn client(&self) -> WilloClient {
        WilloClient::builder()
            .api_key(SecretString::from("chaos-willo-key"))
            .base_url(format!("{}{ROOT}", self.server.uri()))
            .limits(client_core::rate_limit::RateLimits::unlimited())
            .retry_policy(RetryPolicy {
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(2),
                jitter: false,
                ..RetryPolicy::default()
            })
            .build()
            .expect("a Willo client for the fake")
    }

    /// While on, every call is answered 401 (the API key was revoked).
    pub fn refuse_credentials(&self, refusing: bool) {
        self.shared.refusing.store(refusing, Ordering::SeqCst);
    }

    /// Invites sent, by lowercased e-mail.
    pub fn invites_by_email(&self) -> BTreeMap<String, u32> {
        self.shared.state().invites_by_email.clone()
    }

    /// The participant invited with `email`, if any.
    pub fn participant_of(&self, email: &str) -> Option<ParticipantKey> {
        let state = self.shared.state();
        state
            .participants
            .iter()
            .find(|(_, p)| {
                p["email"]
                    .as_str()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .map(|(key, _)| ParticipantKey::new(key.clone()))
    }

    /// The participant answers the interview (Willo moves them to "Received").
    pub fn answer(&self, key: &ParticipantKey) {
        let mut state = self.shared.state();
        let participant = state
            .participants
            .get_mut(key.as_str())
            .expect("an invited participant");
        participant["responses"] = json!([{
            "question": "Why us?",
            "media_url": "https://media.example/1.mp4",
            "transcript": "Because."
        }]);
        participant["stage"] = json!({"name": "Received"});
    }

    /// The hiring team moves the participant to `stage` (a decision: `Accepted`).
    pub fn move_to(&self, key: &ParticipantKey, stage: &str) {
        let mut state = self.shared.state();
        let participant = state
            .participants
            .get_mut(key.as_str())
            .expect("an invited participant");
        participant["stage"] = json!({ "name": stage });
    }

    /// A participant who reached Willo without the bridge (a screening interview's
    /// public link), with this key, name and e-mail.
    pub fn add_walk_in(&self, key: &str, interview: &str, name: &str, email: &str) {
        self.shared.state().participants.insert(
            key.to_owned(),
            json!({"key": key, "interview": interview, "name": name, "email": email,
                   "stage": {"name": "Received"},
                   "responses": [{"question": "Why us?", "transcript": "Because."}]}),
        );
    }
}
