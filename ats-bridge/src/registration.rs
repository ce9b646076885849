//! Registering the bridge's webhook endpoints with each vendor, the way the intake
//! expects them: `<base>/webhooks/smartrecruiters`, `<base>/webhooks/lever`,
//! `<base>/webhooks/willo?token=…&event=…`.
//!
//! Each function returns the secret the matching adapter or intake needs to verify
//! deliveries. Store those secrets with your other credentials: the vendors show them
//! once.

use client_core::{Result, SecretString, Url};
use willo_client::WilloClient;
use willo_client::webhooks::WebhookEvent;
use willo_client::{Subscription, SubscriptionScope};

use crate::webhook::WilloSource;

/// The intake URL for deliveries from `source` under `base` (`https://bridge.example`).
pub fn webhook_url(base: &str, source: &str) -> String {
    format!("{}/webhooks/{source}", base.trim_end_matches('/'))
}

/// A SmartRecruiters subscription created for the bridge, not yet active.
#[cfg(feature = "smartrecruiters")]
#[cfg_attr(docsrs, doc(cfg(feature = "smartrecruiters")))]
#[derive(Debug, Clone)]
pub struct SmartRecruitersSubscription {
    /// The subscription.
    pub id: smartrecruiters_client::SubscriptionId,
    /// Its signing key, for `SmartRecruitersAtsConfig::webhook_secret`.
    pub secret: SecretString,
}

/// The SmartRecruiters events the bridge acts on.
#[cfg(feature = "smartrecruiters")]
#[cfg_attr(docsrs, doc(cfg(feature = "smartrecruiters")))]
pub const SMARTRECRUITERS_EVENTS: [smartrecruiters_client::EventName; 3] = [
    smartrecruiters_client::EventName::ApplicationStatusUpdated,
    smartrecruiters_client::EventName::CandidateDeleted,
    smartrecruiters_client::EventName::JobStatusUpdated,
];

/// Create a subscription delivering [`SMARTRECRUITERS_EVENTS`] to `callback_url` and
/// generate its signing key. Activate it with [`activate_smartrecruiters`] once the
/// intake is serving: activation sends the `X-Hook-Secret` handshake the intake
/// answers.
#[cfg(feature = "smartrecruiters")]
#[cfg_attr(docsrs, doc(cfg(feature = "smartrecruiters")))]
pub async fn subscribe_smartrecruiters(
    client: &smartrecruiters_client::SmartRecruitersClient,
    callback_url: &str,
) -> Result<SmartRecruitersSubscription> {
    use smartrecruiters_client::NewSubscription;
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

/// Activate a subscription made by [`subscribe_smartrecruiters`].
#[cfg(feature = "smartrecruiters")]
#[cfg_attr(docsrs, doc(cfg(feature = "smartrecruiters")))]
pub async fn activate_smartrecruiters(
    client: &smartrecruiters_client::SmartRecruitersClient,
    subscription: &SmartRecruitersSubscription,
) -> Result<()> {
    client.subscriptions().activate(&subscription.id).await
}

/// The Lever events the bridge acts on.
#[cfg(feature = "lever")]
#[cfg_attr(docsrs, doc(cfg(feature = "lever")))]
pub const LEVER_EVENTS: [lever_client::webhooks::Event; 2] = [
    lever_client::webhooks::Event::CandidateStageChange,
    lever_client::webhooks::Event::CandidateDeleted,
];

/// Create one Lever webhook per event of [`LEVER_EVENTS`] delivering to `url`; their
/// signature tokens, for `LeverAtsConfig::signature_token` (one each).
#[cfg(feature = "lever")]
#[cfg_attr(docsrs, doc(cfg(feature = "lever")))]
pub async fn subscribe_lever(
    client: &lever_client::LeverClient,
    url: &str,
) -> Result<Vec<SecretString>> {
    use lever_client::NewWebhook;
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

/// Register one Willo webhook per event the bridge acts on (`new_response`,
/// `stage_change`) for every interview, each URL carrying `token` (checked by the
/// intake, since Willo does not sign deliveries).
pub async fn subscribe_willo(client: &WilloClient, base: &str, token: SecretString) -> Result<()> {
    let endpoint = Url::parse(&webhook_url(base, WilloSource::NAME))
        .map_err(|e| client_core::Error::InvalidInput(format!("bad webhook base URL: {e}")))?;
    let subscription = Subscription::new(endpoint, token, SubscriptionScope::AllInterviews)
        .events([WebhookEvent::NewResponse, WebhookEvent::StageChange]);
    client.webhooks().subscribe(&subscription).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_match_the_intake_router() {
        assert_eq!(
            webhook_url("https://bridge.example/", "lever"),
            "https://bridge.example/webhooks/lever"
        );
    }
}
