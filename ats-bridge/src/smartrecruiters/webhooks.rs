//! From a verified SmartRecruiters delivery to the bridge's vocabulary.

use client_core::webhook::sha256_hex;
use serde::{Deserialize, Serialize};
use smartrecruiters_client::webhooks::{DeliveryMeta, VerifyError, WebhookVerifier};

use super::config::SmartRecruitersAtsConfig;
use crate::{AtsError, VerifiedDelivery, WebhookRejection};

/// What the inbox keeps of a delivery: the event name (a header) and the body.
#[derive(Serialize, Deserialize)]
struct Stored {
    event: String,
    body: String,
}

/// A verified delivery as the inbox keeps it.
pub(crate) fn stored(meta: &DeliveryMeta, body: &[u8]) -> VerifiedDelivery {
    let stored = Stored {
        event: meta.event_name.clone(),
        body: String::from_utf8_lossy(body).into_owned(),
    };
    let payload = serde_json::to_vec(&stored).expect("two strings always serialise");
    let dedupe_key = match &meta.event_id {
        Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
        _ => format!("sha256:{}", sha256_hex(&payload)),
    };
    VerifiedDelivery {
        dedupe_key,
        payload,
    }
}

/// The event name and body of a payload made by [`stored`].
pub(crate) fn unstored(payload: &[u8]) -> Result<(String, String), AtsError> {
    let stored: Stored = serde_json::from_slice(payload)
        .map_err(|e| AtsError::Invalid(format!("not a stored SmartRecruiters delivery: {e}")))?;
    Ok((stored.event, stored.body))
}

/// The client's verifier, set up from the configuration; `None` without a secret
/// (every delivery is then refused as a bad signature).
pub(crate) fn verifier(config: &SmartRecruitersAtsConfig) -> Option<WebhookVerifier> {
    let (first, others) = config.webhook_secrets.split_first()?;
    let verifier = others
        .iter()
        .fold(WebhookVerifier::new(first.clone()), |verifier, secret| {
            verifier.also_accept(secret.clone())
        });
    Some(verifier.tolerance(config.webhook_tolerance))
}

/// Each refusal of the client's verifier as the bridge reports it.
pub(crate) fn rejection(error: VerifyError) -> WebhookRejection {
    match error {
        VerifyError::MissingHeader(name) => WebhookRejection::MissingHeader(name.to_owned()),
        VerifyError::BadSignature => WebhookRejection::BadSignature,
        VerifyError::Stale { .. } => WebhookRejection::Stale,
        // Carries the header name, the event name and serde's message: no body content.
        other => WebhookRejection::Malformed(other.to_string()),
    }
}
