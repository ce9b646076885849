//! SmartRecruiters: one subscription for every event the bridge acts on, signed with
//! keys from `…/secret-key`, active after the `X-Hook-Secret` handshake.

use std::collections::BTreeSet;

use client_core::{Result, SecretString};
use futures::TryStreamExt;
use smartrecruiters_client::{
    EventName, NewSubscription, SmartRecruitersClient, Subscription, SubscriptionId,
    SubscriptionStatus,
};

use super::{Action, Change, Endpoint, Found, SecretPolicy, ends_with_path, registered_checks};
use crate::verify::Check;

const SOURCE: &str = "smartrecruiters";

/// A SmartRecruiters subscription registered for the bridge.
#[derive(Debug, Clone)]
pub struct SmartRecruitersSubscription {
    /// The subscription.
    pub id: SubscriptionId,
    /// Its signing key, for `SmartRecruitersAtsConfig::webhook_secret`.
    pub secret: SecretString,
}

/// The SmartRecruiters events the bridge acts on.
pub const SMARTRECRUITERS_EVENTS: [EventName; 3] = [
    EventName::ApplicationStatusUpdated,
    EventName::CandidateDeleted,
    EventName::JobStatusUpdated,
];

/// Create a subscription delivering [`SMARTRECRUITERS_EVENTS`] to `callback_url` and
/// generate its signing key. Activate it with [`activate_smartrecruiters`] once the
/// intake is serving: activation sends the `X-Hook-Secret` handshake the intake
/// answers.
pub async fn subscribe_smartrecruiters(
    client: &SmartRecruitersClient,
    callback_url: &str,
) -> Result<SmartRecruitersSubscription> {
    let subscriptions = client.subscriptions();
    let created = subscriptions
        .create(&NewSubscription::new(
            callback_url,
            SMARTRECRUITERS_EVENTS.to_vec(),
        ))
        .await?;
    let key = subscriptions.generate_secret_key(&created.id).await?;
    Ok(SmartRecruitersSubscription {
        id: created.id,
        secret: key.secret_key,
    })
}

/// Activate a subscription made by [`subscribe_smartrecruiters`] or
/// [`ensure_smartrecruiters`].
pub async fn activate_smartrecruiters(
    client: &SmartRecruitersClient,
    subscription: &SmartRecruitersSubscription,
) -> Result<()> {
    client.subscriptions().activate(&subscription.id).await
}

/// The outcome of [`ensure_smartrecruiters`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SmartRecruitersRegistration {
    /// The one subscription the bridge keeps, with its current signing key.
    pub subscription: SmartRecruitersSubscription,
    /// Whether it is active already; if not, call [`activate_smartrecruiters`] once the
    /// intake answers at its URL.
    pub active: bool,
    /// What was done, subscription by subscription.
    pub changes: Vec<Change>,
}

/// Make sure exactly one subscription delivers [`SMARTRECRUITERS_EVENTS`] to
/// `callback_url` (ending with `/webhooks/smartrecruiters`, or with
/// `/webhooks/{connection}/{account}` for a connection's account): adopt the bridge's subscription that already does (its latest
/// signing key is read back, or a new one generated with [`SecretPolicy::Rotate`]),
/// else create one; delete every other subscription of the bridge (duplicates, stale
/// URLs, other event sets: SmartRecruiters cannot change a subscription in place).
pub async fn ensure_smartrecruiters(
    client: &SmartRecruitersClient,
    callback_url: &str,
    policy: SecretPolicy,
) -> Result<SmartRecruitersRegistration> {
    let wanted = Endpoint::parse(callback_url, SOURCE)?;
    let ours = bridge_subscriptions(client, |url| wanted.owns(url)).await?;
    let wanted_events: BTreeSet<&str> = SMARTRECRUITERS_EVENTS.iter().map(|e| e.as_str()).collect();
    let matches = |s: &Subscription| {
        s.callback_url
            .as_deref()
            .is_some_and(|url| wanted.is_at(url))
            && event_names(s)
                .iter()
                .map(String::as_str)
                .collect::<BTreeSet<_>>()
                == wanted_events
    };
    // An active match first: it needs no handshake.
    let kept = ours
        .iter()
        .filter(|s| matches(s))
        .max_by_key(|s| s.status == Some(SubscriptionStatus::Active))
        .map(|s| s.id.clone());

    let mut changes = Vec::new();
    for subscription in ours.iter().filter(|s| Some(&s.id) != kept.as_ref()) {
        client.subscriptions().delete(&subscription.id).await?;
        changes.push(change(subscription, Action::Removed));
    }
    let subscriptions = client.subscriptions();
    let registration = match kept.and_then(|id| ours.into_iter().find(|s| s.id == id)) {
        Some(subscription) => {
            let (secret, action) = match policy {
                SecretPolicy::Rotate => (
                    subscriptions.generate_secret_key(&subscription.id).await?,
                    Action::SecretRotated,
                ),
                SecretPolicy::Keep => match subscriptions.secret_key(&subscription.id).await {
                    Ok(key) => (key, Action::Adopted),
                    // Created by an earlier run that stopped before generating a key.
                    Err(error) if error.is_not_found() => (
                        subscriptions.generate_secret_key(&subscription.id).await?,
                        Action::SecretRotated,
                    ),
                    Err(error) => return Err(error),
                },
            };
            changes.push(change(&subscription, action));
            SmartRecruitersRegistration {
                active: subscription.status == Some(SubscriptionStatus::Active),
                subscription: SmartRecruitersSubscription {
                    id: subscription.id,
                    secret: secret.secret_key,
                },
                changes,
            }
        }
        None => {
            let created = subscribe_smartrecruiters(client, wanted.as_str()).await?;
            changes.push(Change::new(
                SOURCE,
                created.id.as_str(),
                SMARTRECRUITERS_EVENTS
                    .iter()
                    .map(|e| e.as_str().to_owned())
                    .collect(),
                Action::Created,
            ));
            SmartRecruitersRegistration {
                subscription: created,
                active: false,
                changes,
            }
        }
    };
    Ok(registration)
}

/// Delete every subscription of the single-account bridge (see the [module
/// docs](super)).
pub async fn teardown_smartrecruiters(client: &SmartRecruitersClient) -> Result<Vec<Change>> {
    let path = Endpoint::single_account_path(SOURCE);
    let mut changes = Vec::new();
    remove_matching(client, |url| ends_with_path(url, &path), &mut changes).await?;
    Ok(changes)
}

/// Delete every subscription registered for the endpoint `callback_url` (its intake
/// path, on any host: `/webhooks/smartrecruiters`, or a connection's
/// `/webhooks/{connection}/{account}`), and no other: another connection's
/// subscriptions in the same account stay.
pub async fn teardown_smartrecruiters_at(
    client: &SmartRecruitersClient,
    callback_url: &str,
) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    teardown_smartrecruiters_into(client, callback_url, &mut changes).await?;
    Ok(changes)
}

/// [`teardown_smartrecruiters_at`], recording each deletion into `changes` as it
/// goes: after a failure it still says what was deleted before it.
pub(crate) async fn teardown_smartrecruiters_into(
    client: &SmartRecruitersClient,
    callback_url: &str,
    changes: &mut Vec<Change>,
) -> Result<()> {
    let wanted = Endpoint::parse(callback_url, SOURCE)?;
    remove_matching(client, |url| wanted.owns(url), changes).await
}

/// Delete the account's subscriptions whose callback URL `ours` accepts.
async fn remove_matching(
    client: &SmartRecruitersClient,
    ours: impl Fn(&str) -> bool,
    changes: &mut Vec<Change>,
) -> Result<()> {
    for subscription in bridge_subscriptions(client, ours).await? {
        client.subscriptions().delete(&subscription.id).await?;
        changes.push(change(&subscription, Action::Removed));
    }
    Ok(())
}

/// Checklist lines: each event of [`SMARTRECRUITERS_EVENTS`] delivered to
/// `callback_url` by exactly one subscription of the bridge, and that one active
/// (SmartRecruiters' handshake reached the intake, so it was reachable then).
pub async fn verify_smartrecruiters(
    client: &SmartRecruitersClient,
    callback_url: &str,
) -> Vec<Check> {
    let wanted = match Endpoint::parse(callback_url, SOURCE) {
        Ok(url) => url,
        Err(error) => return vec![Check::fail(SOURCE, "webhooks", error.to_string())],
    };
    let ours = match bridge_subscriptions(client, |url| wanted.owns(url)).await {
        Ok(ours) => ours,
        Err(error) => {
            return vec![Check::fail(
                SOURCE,
                "webhooks can be listed",
                error.to_string(),
            )];
        }
    };
    let at_url = |s: &Subscription| {
        s.callback_url
            .as_deref()
            .is_some_and(|url| wanted.is_at(url))
    };
    let found: Vec<Found> = ours
        .iter()
        .flat_map(|s| {
            event_names(s).into_iter().map(|event| Found {
                event,
                at_url: at_url(s),
            })
        })
        .collect();
    let events: Vec<&str> = SMARTRECRUITERS_EVENTS.iter().map(|e| e.as_str()).collect();
    let mut checks = registered_checks(SOURCE, &events, &found);
    for subscription in ours.iter().filter(|s| at_url(s)) {
        let what = format!(
            "subscription {} active (handshake answered)",
            subscription.id.as_str()
        );
        checks.push(if subscription.status == Some(SubscriptionStatus::Active) {
            Check::pass(SOURCE, what)
        } else {
            Check::fail(
                SOURCE,
                what,
                "inactive: the intake must answer the handshake; run `setup register` with the bridge serving",
            )
        });
    }
    checks
}

/// The account's subscriptions whose callback URL `ours` accepts.
async fn bridge_subscriptions(
    client: &SmartRecruitersClient,
    ours: impl Fn(&str) -> bool,
) -> Result<Vec<Subscription>> {
    let all: Vec<Subscription> = client.subscriptions().list(None).try_collect().await?;
    Ok(all
        .into_iter()
        .filter(|s| s.callback_url.as_deref().is_some_and(&ours))
        .collect())
}

fn event_names(subscription: &Subscription) -> Vec<String> {
    subscription
        .events
        .iter()
        .filter_map(|e| e.name.as_ref().map(|n| n.as_str().to_owned()))
        .collect()
}

fn change(subscription: &Subscription, action: Action) -> Change {
    Change::new(
        SOURCE,
        subscription.id.as_str(),
        event_names(subscription),
        action,
    )
}
