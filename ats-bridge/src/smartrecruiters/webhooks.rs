//! From a verified SmartRecruiters delivery to the bridge's vocabulary.

use smartrecruiters_client::webhooks::{VerifyError, WebhookVerifier};

use super::config::SmartRecruitersAtsConfig;
use crate::WebhookRejection;

/// The client's verifier, set up from the configuration.
pub(crate) fn verifier(config: &SmartRecruitersAtsConfig) -> WebhookVerifier {
    // With no secret configured the verifier refuses every delivery
    // (`NoSecretConfigured`, reported as a bad signature).
    let mut verifier = WebhookVerifier::default();
    for secret in &config.webhook_secrets {
        verifier = verifier.secret(secret.clone());
    }
    verifier.tolerance(config.webhook_tolerance)
}

/// Each refusal of the client's verifier as the bridge reports it.
pub(crate) fn rejection(error: VerifyError) -> WebhookRejection {
    match error {
        VerifyError::MissingHeader(name) => WebhookRejection::MissingHeader(name.to_owned()),
        VerifyError::BadSignature | VerifyError::NoSecretConfigured => {
            WebhookRejection::BadSignature
        }
        VerifyError::StaleTimestamp { .. } => WebhookRejection::Stale,
        // Carries the header name, the event name and serde's message: no body content.
        other => WebhookRejection::Malformed(other.to_string()),
    }
}
