//! Webhook subscriptions (`/webhooks/`): list, create, replace, update, delete (Willo
//! lists no get-one), and [`Webhooks::subscribe`], which registers one webhook per
//! event with a secret token in each URL.
//!
//! Confirmed from a real account (willo.md §5-§6): fields `url`, `event`, `interviews`,
//! `follow_all_interviews`, `departments`, `users`, `payload_configuration`,
//! `api_version`, `status`; one event per webhook; no secret and no signing. Webhooks
//! can only be created through the API.

use client_core::{Result, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::client::WilloClient;
use crate::ids::{DepartmentKey, InterviewKey, UserKey, WebhookKey};
use crate::lenient;
use crate::resource::{Collection, create_call, delete_call, list_calls, write_calls};
use crate::webhooks::{WebhookEvent, registration_url};

/// A webhook subscription as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Webhook {
    /// Its key (assumed: webhooks are addressed as `/webhooks/{key}/`).
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<WebhookKey>,
    /// Where deliveries go (its query is hidden from `Debug`: it may carry a token).
    #[serde(default, deserialize_with = "lenient::string_into")]
    pub url: Option<WebhookUrl>,
    /// The one event it sends.
    #[serde(default)]
    pub event: Option<WebhookEvent>,
    /// Interviews it follows (when not following all).
    #[serde(default, deserialize_with = "lenient::key_refs")]
    pub interviews: Vec<InterviewKey>,
    /// Whether it follows every interview of the account.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub follow_all_interviews: Option<bool>,
    /// Departments it is scoped to (semantics unconfirmed).
    #[serde(default, deserialize_with = "lenient::key_refs")]
    pub departments: Vec<DepartmentKey>,
    /// Users it is scoped to (semantics unconfirmed).
    #[serde(default, deserialize_with = "lenient::key_refs")]
    pub users: Vec<UserKey>,
    /// Payload configuration, as sent (semantics unconfirmed).
    #[serde(default)]
    pub payload_configuration: Option<Value>,
    /// Payload version (`"v1"` observed).
    #[serde(default, deserialize_with = "lenient::string")]
    pub api_version: Option<String>,
    /// Status, as sent (values unknown).
    #[serde(default)]
    pub status: Option<Value>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A webhook's delivery URL. It usually carries the secret token in its query, so
/// `Debug` shows only the part before the `?`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookUrl(pub String);

impl WebhookUrl {
    /// The URL as text, token included.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for WebhookUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.split_once('?') {
            Some((base, _)) => write!(f, "WebhookUrl({base:?} + [redacted query])"),
            None => write!(f, "WebhookUrl({:?})", self.0),
        }
    }
}

impl From<String> for WebhookUrl {
    fn from(url: String) -> Self {
        Self(url)
    }
}

impl From<&str> for WebhookUrl {
    fn from(url: &str) -> Self {
        Self(url.to_owned())
    }
}

impl From<Url> for WebhookUrl {
    fn from(url: Url) -> Self {
        Self(url.into())
    }
}

/// The body of a webhook create, replace or update. Unset fields are not sent.
/// Rotate a URL token with [`Webhooks::update`] and a new `url`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WebhookInput {
    /// Where deliveries go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<WebhookUrl>,
    /// The event to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<WebhookEvent>,
    /// Interviews to follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interviews: Option<Vec<InterviewKey>>,
    /// Follow every interview of the account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_all_interviews: Option<bool>,
    /// Departments to scope to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departments: Option<Vec<DepartmentKey>>,
    /// Users to scope to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<UserKey>>,
    /// Any other field to send (`payload_configuration`, `api_version`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl WebhookInput {
    /// A body that sets nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set where deliveries go.
    pub fn url(mut self, url: impl Into<WebhookUrl>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Set the event to send.
    pub fn event(mut self, event: WebhookEvent) -> Self {
        self.event = Some(event);
        self
    }

    /// Set the interviews to follow.
    pub fn interviews(mut self, keys: impl IntoIterator<Item = InterviewKey>) -> Self {
        self.interviews = Some(keys.into_iter().collect());
        self
    }

    /// Follow every interview of the account, or not.
    pub fn follow_all_interviews(mut self, all: bool) -> Self {
        self.follow_all_interviews = Some(all);
        self
    }

    /// Set the departments to scope to.
    pub fn departments(mut self, keys: impl IntoIterator<Item = DepartmentKey>) -> Self {
        self.departments = Some(keys.into_iter().collect());
        self
    }

    /// Set the users to scope to.
    pub fn users(mut self, keys: impl IntoIterator<Item = UserKey>) -> Self {
        self.users = Some(keys.into_iter().collect());
        self
    }

    crate::resource::extra_field_setter!();
}

/// Which interviews a [`Subscription`] follows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscriptionScope {
    /// Every interview of the account (`follow_all_interviews: true`). Expect
    /// deliveries for participants your system never invited.
    AllInterviews,
    /// Only these interviews.
    Interviews(Vec<InterviewKey>),
}

/// What [`Webhooks::subscribe`] registers: one webhook per event, each delivering to
/// `endpoint?token=<token>&event=<event>`.
#[derive(Clone)]
#[non_exhaustive]
pub struct Subscription {
    /// Your receiving endpoint (existing query parameters are kept).
    pub endpoint: Url,
    /// The secret token put in each URL; check it on receipt with
    /// [`crate::WebhookVerifier`]. Use a long random value.
    pub token: SecretString,
    /// The events to subscribe to (default: all four).
    pub events: Vec<WebhookEvent>,
    /// Which interviews to follow.
    pub scope: SubscriptionScope,
}

impl Subscription {
    /// All four events for `scope`, delivered to `endpoint` with `token`.
    pub fn new(endpoint: Url, token: SecretString, scope: SubscriptionScope) -> Self {
        Self {
            endpoint,
            token,
            events: WebhookEvent::ALL.to_vec(),
            scope,
        }
    }

    /// Only these events.
    pub fn events(mut self, events: impl IntoIterator<Item = WebhookEvent>) -> Self {
        self.events = events.into_iter().collect();
        self
    }

    fn input_for(&self, event: &WebhookEvent) -> WebhookInput {
        let url = registration_url(&self.endpoint, &self.token, event);
        let (interviews, follow_all) = match &self.scope {
            SubscriptionScope::AllInterviews => (None, true),
            SubscriptionScope::Interviews(keys) => (Some(keys.clone()), false),
        };
        WebhookInput {
            url: Some(WebhookUrl::from(url)),
            event: Some(event.clone()),
            interviews,
            follow_all_interviews: Some(follow_all),
            ..WebhookInput::default()
        }
    }
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subscription")
            .field("endpoint", &self.endpoint.as_str())
            .field("token", &"[redacted]")
            .field("events", &self.events)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Calls on `/webhooks/`. Obtain with [`WilloClient::webhooks`].
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    client: &'a WilloClient,
}

impl<'a> Webhooks<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/webhooks/")
    }

    list_calls!(Webhook, "webhooks");
    create_call!(WebhookInput => Webhook, "webhook");
    write_calls!(WebhookKey, WebhookInput => Webhook, "webhook");
    delete_call!(WebhookKey, "webhook");

    /// Register one webhook per event in `subscription`, in order, each URL carrying
    /// the secret token and its event name. Returns the created webhooks.
    ///
    /// Stops at the first failure: the webhooks created before it stay registered
    /// (list them with [`Webhooks::list`] and delete or reuse them).
    pub async fn subscribe(&self, subscription: &Subscription) -> Result<Vec<Webhook>> {
        let mut created = Vec::with_capacity(subscription.events.len());
        for event in &subscription.events {
            created.push(self.create(&subscription.input_for(event)).await?);
        }
        Ok(created)
    }
}
