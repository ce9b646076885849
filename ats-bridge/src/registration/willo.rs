//! Willo: one webhook per event, following every interview, each URL carrying the
//! token the intake checks (Willo does not sign deliveries).

use client_core::{Result, SecretString, Url};
use futures::TryStreamExt;
use willo_client::webhooks::{DeliveryUrl, WebhookEvent, registration_url};
use willo_client::{
    ListParams, Subscription, SubscriptionScope, Webhook, WebhookInput, WebhookKey, WilloClient,
};

use super::{
    Action, Change, Endpoint, Found, SecretPolicy, ends_with_path, registered_checks, webhook_url,
};
use crate::verify::Check;
use crate::webhook::WilloSource;

const SOURCE: &str = WilloSource::NAME;

/// The Willo events the bridge acts on.
pub const WILLO_EVENTS: [WebhookEvent; 2] = [WebhookEvent::NewResponse, WebhookEvent::StageChange];

/// Register one Willo webhook per event of [`WILLO_EVENTS`] for every interview, each
/// URL carrying `token` (checked by the intake, since Willo does not sign deliveries).
pub async fn subscribe_willo(client: &WilloClient, base: &str, token: SecretString) -> Result<()> {
    let endpoint = Endpoint::parse(&webhook_url(base, SOURCE), SOURCE)?;
    let subscription = Subscription::new(endpoint.url, token, SubscriptionScope::AllInterviews)
        .events(WILLO_EVENTS);
    client.webhooks().subscribe(&subscription).await.map(drop)
}

/// The outcome of [`ensure_willo`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WilloRegistration {
    /// The URL token every kept webhook carries, for `WilloAccount::webhook_token`.
    pub token: SecretString,
    /// Whether `token` is the fresh one passed in (a rotation or a first
    /// registration) rather than the one already registered.
    pub token_is_new: bool,
    /// What was done, webhook by webhook.
    pub changes: Vec<Change>,
}

/// Make sure exactly one webhook of the bridge delivers each event of
/// [`WILLO_EVENTS`] for every interview to `<base>/webhooks/willo`, all carrying one
/// token: the one already registered (read back from the webhooks' URLs) or, when
/// there is none or with [`SecretPolicy::Rotate`], `fresh_token` (a long random
/// value). Stale URLs, scopes and tokens are changed in place; duplicates deleted.
pub async fn ensure_willo(
    client: &WilloClient,
    base: &str,
    fresh_token: SecretString,
    policy: SecretPolicy,
) -> Result<WilloRegistration> {
    ensure_willo_at(client, &webhook_url(base, SOURCE), fresh_token, policy).await
}

/// [`ensure_willo`] for the endpoint `url` itself: `<base>/webhooks/willo`, or a
/// connection's `<base>/webhooks/{connection}/willo`
/// ([`super::connection_webhook_url`]).
pub async fn ensure_willo_at(
    client: &WilloClient,
    url: &str,
    fresh_token: SecretString,
    policy: SecretPolicy,
) -> Result<WilloRegistration> {
    let wanted = Endpoint::parse(url, SOURCE)?;
    let ours = bridge_webhooks(client, |url| wanted.owns(url)).await?;
    let at_url = |w: &Webhook| url_of(w).is_some_and(|u| wanted.is_at(u));
    // Keep the token already in use at this URL, so the server's stays valid.
    let existing = ours
        .iter()
        .filter(|w| at_url(w))
        .chain(&ours)
        .find_map(|w| url_of(w).and_then(token_of));
    let (token, token_is_new) = match (policy, existing) {
        (SecretPolicy::Keep, Some(token)) => (SecretString::from(token), false),
        _ => (fresh_token, true),
    };

    let mut changes = Vec::new();
    for event in WILLO_EVENTS {
        let for_event: Vec<&Webhook> = ours
            .iter()
            .filter(|w| event_of(w).as_ref() == Some(&event))
            .collect();
        let kept = for_event
            .iter()
            .find(|w| at_url(w))
            .or_else(|| for_event.first());
        for webhook in &for_event {
            if kept.is_none_or(|k| k.key != webhook.key) {
                let key = key_of(webhook)?;
                client.webhooks().delete(key).await?;
                changes.push(change(key, &event, Action::Removed));
            }
        }
        let desired = registration_url(&wanted.url, &token, &event);
        match kept {
            Some(webhook) => {
                let key = key_of(webhook)?;
                let up_to_date = url_of(webhook) == Some(desired.as_str())
                    && webhook.follow_all_interviews == Some(true);
                let action = if up_to_date {
                    Action::Adopted
                } else {
                    client
                        .webhooks()
                        .update(key, &input(desired, &event))
                        .await?;
                    let only_token_changed = url_of(webhook).is_some_and(|u| {
                        wanted.is_at(u) && webhook.follow_all_interviews == Some(true)
                    });
                    if policy == SecretPolicy::Rotate && only_token_changed {
                        Action::SecretRotated
                    } else {
                        Action::Updated
                    }
                };
                changes.push(change(key, &event, action));
            }
            None => {
                let created = client.webhooks().create(&input(desired, &event)).await?;
                let id = created.key.as_ref().map_or("?", |k| k.as_str());
                changes.push(Change::new(
                    SOURCE,
                    id,
                    vec![event.as_str().to_owned()],
                    Action::Created,
                ));
            }
        }
    }
    Ok(WilloRegistration {
        token,
        token_is_new,
        changes,
    })
}

/// Delete every webhook of the single-account bridge (see the [module docs](super)).
pub async fn teardown_willo(client: &WilloClient) -> Result<Vec<Change>> {
    let path = Endpoint::single_account_path(SOURCE);
    let mut changes = Vec::new();
    remove_matching(client, |url| ends_with_path(url, &path), &mut changes).await?;
    Ok(changes)
}

/// Delete every webhook registered for the endpoint `url` (its intake path, on any
/// host and with any token: `/webhooks/willo`, or a connection's
/// `/webhooks/{connection}/willo`), and no other: another connection's webhooks in
/// the same account stay.
pub async fn teardown_willo_at(client: &WilloClient, url: &str) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    teardown_willo_into(client, url, &mut changes).await?;
    Ok(changes)
}

/// [`teardown_willo_at`], recording each deletion into `changes` as it goes: after a
/// failure it still says what was deleted before it.
pub(crate) async fn teardown_willo_into(
    client: &WilloClient,
    url: &str,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let wanted = Endpoint::parse(url, SOURCE)?;
    remove_matching(client, |url| wanted.owns(url), changes).await
}

/// Delete the account's webhooks whose URL `ours` accepts.
async fn remove_matching(
    client: &WilloClient,
    ours: impl Fn(&str) -> bool,
    changes: &mut Vec<Change>,
) -> Result<()> {
    for webhook in bridge_webhooks(client, ours).await? {
        let key = key_of(&webhook)?;
        client.webhooks().delete(key).await?;
        let event = event_of(&webhook).unwrap_or(WebhookEvent::Other(String::new()));
        changes.push(change(key, &event, Action::Removed));
    }
    Ok(())
}

/// Checklist lines: each event of [`WILLO_EVENTS`] delivered to
/// `<base>/webhooks/willo` by exactly one webhook of the bridge, following every
/// interview, and — when `token` is given — carrying it (the server's
/// `WILLO_WEBHOOK_TOKEN`: a different one means every delivery is refused).
pub async fn verify_willo(
    client: &WilloClient,
    base: &str,
    token: Option<&SecretString>,
) -> Vec<Check> {
    verify_willo_at(client, &webhook_url(base, SOURCE), token).await
}

/// [`verify_willo`] for the endpoint `url` itself (a connection's
/// `<base>/webhooks/{connection}/willo`, with its stored token).
pub async fn verify_willo_at(
    client: &WilloClient,
    url: &str,
    token: Option<&SecretString>,
) -> Vec<Check> {
    use client_core::ExposeSecret;
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
    let at_url = |w: &Webhook| url_of(w).is_some_and(|u| wanted.is_at(u));
    let found: Vec<Found> = ours
        .iter()
        .filter_map(|w| {
            event_of(w).map(|event| Found {
                event: event.as_str().to_owned(),
                at_url: at_url(w),
            })
        })
        .collect();
    let events: Vec<&str> = WILLO_EVENTS.iter().map(|e| e.as_str()).collect();
    let mut checks = registered_checks(SOURCE, &events, &found);
    for webhook in ours.iter().filter(|w| at_url(w)) {
        let event = event_of(webhook).map_or_else(String::new, |e| e.as_str().to_owned());
        if webhook.follow_all_interviews != Some(true) {
            checks.push(Check::fail(
                SOURCE,
                format!("webhook {event} follows every interview"),
                "it follows only some: run `setup register`",
            ));
        }
        if let Some(token) = token {
            let what = format!("webhook {event} carries the server's token");
            let carried = url_of(webhook).and_then(token_of);
            checks.push(if carried.as_deref() == Some(token.expose_secret()) {
                Check::pass(SOURCE, what)
            } else {
                Check::fail(
                    SOURCE,
                    what,
                    "its URL token differs from WILLO_WEBHOOK_TOKEN: deliveries would be refused",
                )
            });
        }
    }
    checks
}

/// The account's webhooks whose URL `ours` accepts.
async fn bridge_webhooks(
    client: &WilloClient,
    ours: impl Fn(&str) -> bool,
) -> Result<Vec<Webhook>> {
    let all: Vec<Webhook> = client
        .webhooks()
        .list(ListParams::new())
        .try_collect()
        .await?;
    Ok(all
        .into_iter()
        .filter(|w| url_of(w).is_some_and(&ours))
        .collect())
}

fn url_of(webhook: &Webhook) -> Option<&str> {
    webhook.url.as_ref().map(|url| url.as_str())
}

fn query_of(url: &str) -> DeliveryUrl {
    DeliveryUrl::from_query(url.split_once('?').map_or("", |(_, query)| query))
}

fn token_of(url: &str) -> Option<String> {
    query_of(url).token.filter(|t| !t.is_empty())
}

/// The webhook's `event` field, else the event named in its URL.
fn event_of(webhook: &Webhook) -> Option<WebhookEvent> {
    webhook
        .event
        .clone()
        .or_else(|| url_of(webhook).and_then(|u| query_of(u).event))
}

fn key_of(webhook: &Webhook) -> Result<&WebhookKey> {
    webhook.key.as_ref().ok_or_else(|| {
        client_core::Error::InvalidInput(
            "Willo listed a webhook of the bridge without a key: it cannot be changed".into(),
        )
    })
}

fn input(url: Url, event: &WebhookEvent) -> WebhookInput {
    WebhookInput::new()
        .url(url)
        .event(event.clone())
        .interviews(Vec::new())
        .follow_all_interviews(true)
}

fn change(key: &WebhookKey, event: &WebhookEvent, action: Action) -> Change {
    Change::new(
        SOURCE,
        key.as_str(),
        vec![event.as_str().to_owned()],
        action,
    )
}
