//! Lever: one webhook per event, each with its own signature token, which Lever
//! returns only when the webhook is created.

use client_core::{Result, SecretString};
use futures::TryStreamExt;
use lever_client::webhooks::Event;
use lever_client::{LeverClient, NewWebhook, Webhook, WebhookId, WebhookUpdate};

use super::{Action, Change, Endpoint, Found, SecretPolicy, ends_with_path, registered_checks};
use crate::verify::Check;

const SOURCE: &str = "lever";

/// The Lever events the bridge acts on.
pub const LEVER_EVENTS: [Event; 2] = [Event::CandidateStageChange, Event::CandidateDeleted];

/// Create one Lever webhook per event of [`LEVER_EVENTS`] delivering to `url`; their
/// signature tokens, for `LeverAtsConfig::signature_token` (one each).
pub async fn subscribe_lever(client: &LeverClient, url: &str) -> Result<Vec<SecretString>> {
    let mut tokens = Vec::new();
    for event in LEVER_EVENTS {
        let created = client
            .webhooks()
            .create(&NewWebhook::new(event, url))
            .await?;
        if let Some(token) = created.configuration.signature_token {
            tokens.push(token);
        }
    }
    Ok(tokens)
}

/// One webhook the bridge keeps after [`ensure_lever`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LeverWebhook {
    /// The webhook.
    pub id: WebhookId,
    /// The event it delivers.
    pub event: Event,
    /// Its signature token when it was created by this call; `None` for an adopted
    /// one, whose token Lever does not show again (keep the one you stored, or rotate).
    pub signature_token: Option<SecretString>,
}

/// The outcome of [`ensure_lever`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LeverRegistration {
    /// One webhook per event of [`LEVER_EVENTS`].
    pub webhooks: Vec<LeverWebhook>,
    /// What was done, webhook by webhook.
    pub changes: Vec<Change>,
}

impl LeverRegistration {
    /// Nothing registered yet.
    pub(crate) fn empty() -> Self {
        Self {
            webhooks: Vec::new(),
            changes: Vec::new(),
        }
    }

    /// The new signature tokens (of the webhooks created by this call).
    pub fn new_tokens(&self) -> Vec<SecretString> {
        self.webhooks
            .iter()
            .filter_map(|w| w.signature_token.clone())
            .collect()
    }

    /// Whether every kept webhook's token is known (all were created by this call).
    pub fn all_tokens_new(&self) -> bool {
        self.webhooks.iter().all(|w| w.signature_token.is_some())
    }
}

/// Make sure exactly one webhook of the bridge delivers each event of
/// [`LEVER_EVENTS`] to `url`: adopt one already there, repoint one left at a stale URL
/// (`PUT /webhooks`, which keeps its token), else create one; delete the bridge's
/// other webhooks for that event. [`SecretPolicy::Rotate`] replaces each webhook by a
/// new one: Lever cannot issue a new token for an existing webhook.
///
/// `url` ends with `/webhooks/lever`, or with `/webhooks/{connection}/{account}` for a
/// connection's account ([`super::connection_webhook_url`]).
pub async fn ensure_lever(
    client: &LeverClient,
    url: &str,
    policy: SecretPolicy,
) -> Result<LeverRegistration> {
    let mut registration = LeverRegistration::empty();
    ensure_lever_into(client, url, policy, &mut registration).await?;
    Ok(registration)
}

/// [`ensure_lever`], recording into `registration` as it goes: after a failure it
/// still holds the webhooks created before it, whose tokens Lever will not show
/// again (a caller that cannot store them deletes them).
pub(crate) async fn ensure_lever_into(
    client: &LeverClient,
    url: &str,
    policy: SecretPolicy,
    registration: &mut LeverRegistration,
) -> Result<()> {
    let wanted = Endpoint::parse(url, SOURCE)?;
    let ours = bridge_webhooks(client, |url| wanted.owns(url)).await?;
    for event in LEVER_EVENTS {
        let for_event: Vec<&Webhook> = ours.iter().filter(|w| w.event == event).collect();
        let at_url = |w: &&&Webhook| w.url.as_deref().is_some_and(|u| wanted.is_at(u));
        // One already at the URL first; else a stale one to repoint.
        let kept = for_event
            .iter()
            .find(at_url)
            .or_else(|| for_event.first())
            .filter(|_| policy == SecretPolicy::Keep);
        for webhook in &for_event {
            if kept.is_none_or(|k| k.id != webhook.id) {
                client.webhooks().delete(&webhook.id).await?;
                registration.changes.push(change(webhook, Action::Removed));
            }
        }
        let kept = match kept {
            Some(webhook) if at_url(&webhook) => {
                registration.changes.push(change(webhook, Action::Adopted));
                LeverWebhook {
                    id: webhook.id.clone(),
                    event: event.clone(),
                    signature_token: None,
                }
            }
            Some(webhook) => {
                let update = WebhookUpdate::new(webhook.id.clone()).url(wanted.as_str());
                client.webhooks().update(&[update]).await?;
                registration.changes.push(change(webhook, Action::Updated));
                LeverWebhook {
                    id: webhook.id.clone(),
                    event: event.clone(),
                    signature_token: None,
                }
            }
            None => {
                let created = client
                    .webhooks()
                    .create(&NewWebhook::new(event.clone(), wanted.as_str()))
                    .await?;
                registration.changes.push(change(&created, Action::Created));
                LeverWebhook {
                    id: created.id,
                    event: event.clone(),
                    signature_token: created.configuration.signature_token,
                }
            }
        };
        registration.webhooks.push(kept);
    }
    Ok(())
}

/// Delete every webhook of the single-account bridge (see the [module docs](super)).
pub async fn teardown_lever(client: &LeverClient) -> Result<Vec<Change>> {
    let path = Endpoint::single_account_path(SOURCE);
    let mut changes = Vec::new();
    remove_matching(client, |url| ends_with_path(url, &path), &mut changes).await?;
    Ok(changes)
}

/// Delete every webhook registered for the endpoint `url` (its intake path, on any
/// host: `/webhooks/lever`, or a connection's `/webhooks/{connection}/{account}`),
/// and no other: another connection's webhooks in the same account stay.
pub async fn teardown_lever_at(client: &LeverClient, url: &str) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    teardown_lever_into(client, url, &mut changes).await?;
    Ok(changes)
}

/// [`teardown_lever_at`], recording each deletion into `changes` as it goes: after a
/// failure it still says what was deleted before it.
pub(crate) async fn teardown_lever_into(
    client: &LeverClient,
    url: &str,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let wanted = Endpoint::parse(url, SOURCE)?;
    remove_matching(client, |url| wanted.owns(url), changes).await
}

/// Delete the account's webhooks whose URL `ours` accepts.
async fn remove_matching(
    client: &LeverClient,
    ours: impl Fn(&str) -> bool,
    changes: &mut Vec<Change>,
) -> Result<()> {
    for webhook in bridge_webhooks(client, ours).await? {
        client.webhooks().delete(&webhook.id).await?;
        changes.push(change(&webhook, Action::Removed));
    }
    Ok(())
}

/// Checklist lines: each event of [`LEVER_EVENTS`] delivered to `url` (a
/// single-account or a connection's URL) by exactly one webhook of the bridge. (Lever says nothing of whether deliveries arrive; a Super
/// Admin must also have enabled webhooks in Lever's settings.)
pub async fn verify_lever(client: &LeverClient, url: &str) -> Vec<Check> {
    let wanted = match Endpoint::parse(url, SOURCE) {
        Ok(url) => url,
        Err(error) => return vec![Check::fail(SOURCE, "webhooks", error.to_string())],
    };
    let ours = match bridge_webhooks(client, |url| wanted.owns(url)).await {
        Ok(ours) => ours,
        Err(error) => {
            return vec![Check::fail(
                SOURCE,
                "webhooks can be listed",
                error.to_string(),
            )];
        }
    };
    let found: Vec<Found> = ours
        .iter()
        .map(|w| Found {
            event: w.event.as_str().to_owned(),
            at_url: w.url.as_deref().is_some_and(|u| wanted.is_at(u)),
        })
        .collect();
    let events: Vec<&str> = LEVER_EVENTS.iter().map(|e| e.as_str()).collect();
    registered_checks(SOURCE, &events, &found)
}

/// The account's webhooks whose URL `ours` accepts.
async fn bridge_webhooks(
    client: &LeverClient,
    ours: impl Fn(&str) -> bool,
) -> Result<Vec<Webhook>> {
    let all: Vec<Webhook> = client.webhooks().list().try_collect().await?;
    Ok(all
        .into_iter()
        .filter(|w| w.url.as_deref().is_some_and(&ours))
        .collect())
}

fn change(webhook: &Webhook, action: Action) -> Change {
    Change::new(
        SOURCE,
        webhook.id.as_str(),
        vec![webhook.event.as_str().to_owned()],
        action,
    )
}
