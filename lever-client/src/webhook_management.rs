//! Webhooks created through the API: list, create, update, delete. (Deliveries and
//! their signatures are in [`crate::webhooks`].)

use client_core::pagination::{ItemStream, Page};
use client_core::{Result, SecretString, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::LeverClient;
use crate::common::{Data, Listing};
use crate::enums::Origin;
use crate::ids::WebhookId;
use crate::webhooks::Event;

/// A webhook subscription.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Webhook {
    /// The webhook id.
    pub id: WebhookId,
    /// The event it delivers.
    pub event: Event,
    /// Where deliveries go.
    #[serde(default)]
    pub url: Option<String>,
    /// Conditions and, on create only, the signature token.
    #[serde(default)]
    pub configuration: WebhookConfiguration,
    /// Created (ms).
    #[serde(default)]
    pub created_at: Option<u64>,
    /// Updated (ms).
    #[serde(default)]
    pub updated_at: Option<u64>,
    /// Fields this crate does not model yet (Lever may add fields at any time).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A webhook's configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookConfiguration {
    /// Origin conditions (only for the four candidate/application events).
    #[serde(default)]
    pub conditions: Option<Conditions>,
    /// The HMAC key of this webhook's deliveries; returned only by create, so store it.
    #[serde(default)]
    pub signature_token: Option<SecretString>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Which opportunity origins trigger the webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Conditions {
    /// Origins (Lever fills in all six when none are sent).
    #[serde(default)]
    pub origins: Vec<Origin>,
}

impl Conditions {
    /// Conditions on these origins.
    pub fn origins(origins: Vec<Origin>) -> Self {
        Self { origins }
    }
}

/// A new webhook for `POST /webhooks`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct NewWebhook {
    /// HTTPS endpoint receiving deliveries.
    pub url: String,
    /// The event.
    pub event: Event,
    /// Optional conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<ConfigurationInput>,
}

impl NewWebhook {
    /// Deliver `event` to `url`.
    pub fn new(event: Event, url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            event,
            configuration: None,
        }
    }

    /// Only for opportunities of these origins.
    pub fn origins(mut self, origins: Vec<Origin>) -> Self {
        self.configuration = Some(ConfigurationInput {
            conditions: Conditions::origins(origins),
        });
        self
    }
}

/// Configuration sent on create or update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConfigurationInput {
    /// Origin conditions.
    pub conditions: Conditions,
}

impl ConfigurationInput {
    /// Configuration with these conditions.
    pub fn new(conditions: Conditions) -> Self {
        Self { conditions }
    }
}

/// One entry of `PUT /webhooks`: the id plus whatever changes.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct WebhookUpdate {
    /// The webhook to change.
    pub id: WebhookId,
    /// New URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    /// New configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<ConfigurationInput>,
}

impl WebhookUpdate {
    /// An update of `id` that changes nothing yet.
    pub fn new(id: WebhookId) -> Self {
        Self {
            id,
            url: None,
            event: None,
            configuration: None,
        }
    }

    /// Change the URL.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Change the event.
    pub fn event(mut self, event: Event) -> Self {
        self.event = Some(event);
        self
    }

    /// Change the origin conditions.
    pub fn origins(mut self, origins: Vec<Origin>) -> Self {
        self.configuration = Some(ConfigurationInput {
            conditions: Conditions::origins(origins),
        });
        self
    }
}

/// Lever's docs show the create response doubly wrapped (`{"data":{"data":{…}}}`);
/// the real API wraps once. Both are accepted.
#[derive(Deserialize)]
#[serde(untagged)]
enum MaybeDoubled {
    Doubled { data: Webhook },
    Single(Webhook),
}

/// `/webhooks` calls. Only webhooks created through the API can be changed here, and a
/// Super Admin must still enable webhooks in Lever's settings before deliveries start.
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'a> {
    client: &'a LeverClient,
}

impl<'a> Webhooks<'a> {
    pub(crate) fn new(client: &'a LeverClient) -> Self {
        Self { client }
    }

    /// Every webhook (Lever answers with one unpaged list today; a `next` token would
    /// be followed).
    pub fn list(&self) -> ItemStream<'static, Webhook> {
        Listing::new(self.client.transport(), "/webhooks").items()
    }

    /// One page of webhooks: the first (`cursor` `None`) or the one a saved offset
    /// token points at.
    pub async fn page(&self, cursor: Option<String>) -> Result<Page<Webhook, String>> {
        Listing::new(self.client.transport(), "/webhooks")
            .page(cursor)
            .await
    }

    /// Create a webhook. Store `configuration.signature_token`: it is the key for
    /// verifying this webhook's deliveries and is not returned again.
    pub async fn create(&self, webhook: &NewWebhook) -> Result<Webhook> {
        let created: Data<MaybeDoubled> = self
            .client
            .transport()
            .post("/webhooks")
            .json(webhook)
            .send()
            .await?;
        Ok(match created.data {
            MaybeDoubled::Doubled { data } | MaybeDoubled::Single(data) => data,
        })
    }

    /// Update several webhooks at once (`PUT /webhooks` with `{"data": [...]}`).
    pub async fn update(&self, updates: &[WebhookUpdate]) -> Result<Vec<Webhook>> {
        let updated: Data<Vec<Webhook>> = self
            .client
            .transport()
            .put("/webhooks")
            .json(&serde_json::json!({ "data": updates }))
            .send()
            .await?;
        Ok(updated.data)
    }

    /// Delete a webhook.
    pub async fn delete(&self, id: &WebhookId) -> Result<()> {
        let path = format!("/webhooks/{}", encode_segment(id.as_str()));
        self.client.transport().delete(path).send_empty().await
    }
}
