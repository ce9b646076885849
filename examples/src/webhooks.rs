//! The webhook secrets the bridge verifies deliveries with: registered with the
//! vendors (the setup example, and the server on the sandbox) or read from the
//! environment (the server on live APIs).
//!
//! | variable | meaning |
//! |---|---|
//! | `SMARTRECRUITERS_WEBHOOK_SECRET` | the subscription's signing key |
//! | `LEVER_SIGNATURE_TOKENS` | the Lever webhooks' signature tokens, comma-separated |
//! | `WILLO_WEBHOOK_TOKEN` | the token in the Willo webhook URLs |

use ats_bridge::WilloSource;
use ats_bridge::registration::{
    SmartRecruitersSubscription, activate_smartrecruiters, subscribe_lever,
    subscribe_smartrecruiters, subscribe_willo, webhook_url,
};
use client_core::SecretString;

use crate::{Connections, Result, env};

/// The secrets for each vendor's deliveries. A vendor without its secret has its
/// deliveries refused (the reconciler still finds its candidates, only later).
#[derive(Debug, Clone, Default)]
pub struct WebhookSecrets {
    /// SmartRecruiters' subscription signing key.
    pub smartrecruiters: Option<SecretString>,
    /// Lever's signature tokens (one per webhook).
    pub lever: Vec<SecretString>,
    /// The Willo URL token.
    pub willo: Option<SecretString>,
}

impl WebhookSecrets {
    /// The secrets in the environment (see the module docs).
    pub fn from_env() -> Self {
        Self::from_vars(env)
    }

    /// The secrets `var` gives for the variables in the module docs (blank values
    /// count as unset, as in the environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let secret = |name: &str| {
            var(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
                .map(SecretString::from)
        };
        let lever = var("LEVER_SIGNATURE_TOKENS")
            .map(|tokens| {
                tokens
                    .split(',')
                    .map(str::trim)
                    .filter(|token| !token.is_empty())
                    .map(SecretString::from)
                    .collect()
            })
            .unwrap_or_default();
        Self {
            smartrecruiters: secret("SMARTRECRUITERS_WEBHOOK_SECRET"),
            lever,
            willo: secret("WILLO_WEBHOOK_TOKEN"),
        }
    }
}

/// Webhooks registered for a bridge at one public URL.
#[derive(Debug)]
pub struct Registration {
    /// What the bridge needs to verify the deliveries.
    pub secrets: WebhookSecrets,
    /// The SmartRecruiters subscription, created inactive.
    pub smartrecruiters: Option<SmartRecruitersSubscription>,
}

/// Register the bridge at `public_url` with every configured vendor: a SmartRecruiters
/// subscription (not yet active: see [`Registration::activate`]), the Lever webhooks,
/// and one Willo webhook per event with a fresh URL token.
pub async fn register(connections: &Connections, public_url: &str) -> Result<Registration> {
    let smartrecruiters = match &connections.smartrecruiters {
        Some(client) => Some(
            subscribe_smartrecruiters(client, &webhook_url(public_url, "smartrecruiters")).await?,
        ),
        None => None,
    };
    let lever = match &connections.lever {
        Some(client) => subscribe_lever(client, &webhook_url(public_url, "lever")).await?,
        None => Vec::new(),
    };
    let willo = new_url_token()?;
    subscribe_willo(&connections.willo, public_url, willo.clone()).await?;
    Ok(Registration {
        secrets: WebhookSecrets {
            smartrecruiters: smartrecruiters.as_ref().map(|s| s.secret.clone()),
            lever,
            willo: Some(willo),
        },
        smartrecruiters,
    })
}

impl Registration {
    /// Activate the SmartRecruiters subscription. SmartRecruiters first sends an
    /// `X-Hook-Secret` handshake to the callback URL, so something must be serving
    /// there and echoing it (the bridge's intake does).
    pub async fn activate(&self, connections: &Connections) -> Result<()> {
        if let (Some(client), Some(subscription)) =
            (&connections.smartrecruiters, &self.smartrecruiters)
        {
            activate_smartrecruiters(client, subscription).await?;
        }
        Ok(())
    }
}

/// The Willo intake URL `public_url` registers (without the token), for messages.
pub fn willo_webhook_url(public_url: &str) -> String {
    webhook_url(public_url, WilloSource::NAME)
}

/// A URL token from the operating system's secure random source: Willo does not sign
/// deliveries, so this token is all that tells a genuine delivery from a forged one.
pub fn new_url_token() -> Result<SecretString> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| format!("no secure random source: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(SecretString::from(hex))
}
