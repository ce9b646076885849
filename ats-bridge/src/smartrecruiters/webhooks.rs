//! SmartRecruiters as a webhook source: verified deliveries and the events they
//! resolve to.

use async_trait::async_trait;
use client_core::header::{HeaderMap, HeaderName, HeaderValue};
use smartrecruiters_client::webhooks::{
    EVENT_ID_HEADER, VerifyError, WebhookEvent, WebhookVerifier, handshake_response,
    handshake_secret,
};

use super::config::SmartRecruitersAtsConfig;
use super::{SmartRecruitersAts, not_found};
use crate::model::{AtsEvent, CandidateId, JobId};
use crate::webhook::{
    AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookRejection, WebhookRequest, WebhookSource,
};
use crate::{AtsError, AtsResult};

impl WebhookSource for SmartRecruitersAts {
    /// A subscription is activated by echoing its `X-Hook-Secret`, before any signed
    /// delivery.
    fn handshake(&self, headers: &HeaderMap) -> Option<(HeaderName, HeaderValue)> {
        handshake_response(headers)
    }

    /// Verifies with the client's verifier (signature over timestamp, body and the
    /// event headers; staleness). The dedupe key is the `event-id` header, or a hash of
    /// the event name and body when SmartRecruiters sent none. The event name (a
    /// header) is kept with the body.
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        if handshake_secret(request.headers()).is_some() {
            return Err(WebhookRejection::Malformed(
                "an activation handshake is not a delivery".into(),
            ));
        }
        // Without a secret nothing can be proven: refused as a bad signature (the
        // activation handshake above still works, so a subscription can be activated
        // before its secret is configured).
        let verifier = self
            .verifier
            .as_ref()
            .ok_or(WebhookRejection::BadSignature)?;
        let (event_name, event_id) = match verifier.verify(request) {
            Ok(verified) => (verified.meta.event_name, verified.meta.event_id),
            // The body is read last, after the signature and the timestamp: a signed
            // delivery of an event the bridge does not act on is kept whatever its body
            // (refusing it would only make SmartRecruiters retry, then suspend the
            // subscription).
            Err(VerifyError::MalformedBody { event, .. }) if !acts_on(&event) => {
                let id = request
                    .headers()
                    .get(EVENT_ID_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (event, id)
            }
            Err(error) => return Err(rejection(error)),
        };
        let delivery = StoredDelivery::new(request.body()).event(event_name);
        let dedupe_key = match event_id {
            Some(id) if !id.trim().is_empty() => id.trim().to_owned(),
            _ => delivery.content_key(),
        };
        Ok(VerifiedDelivery::new(dedupe_key, delivery))
    }
}

#[async_trait]
impl AtsWebhooks for SmartRecruitersAts {
    /// Reads the stored event; an application status update is resolved to the
    /// application's current status, a job status update to the job's current state.
    async fn resolve(&self, delivery: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        let name = delivery.event.clone().ok_or_else(|| {
            AtsError::Invalid("a stored SmartRecruiters delivery without its event name".into())
        })?;
        if !acts_on(&name) {
            return Ok(vec![AtsEvent::Unknown { name }]);
        }
        let event = WebhookEvent::parse(&name, &delivery.body)
            .map_err(|e| AtsError::Invalid(e.to_string()))?;
        let event = match &event {
            WebhookEvent::ApplicationStatusUpdated(event) => self.status_updated(event).await?,
            WebhookEvent::CandidateDeleted(event) => AtsEvent::CandidateDeleted {
                candidate: CandidateId::from(event.id.as_str()),
            },
            WebhookEvent::JobStatusUpdated(event) => {
                let job = self
                    .client
                    .jobs()
                    .get(&event.id)
                    .await
                    .map_err(|e| not_found(e, format!("job {}", event.id)))?;
                AtsEvent::JobStatusChanged {
                    job: JobId::from(event.id.as_str()),
                    state: self.job_state(job.job.status.as_ref()),
                }
            }
            _ => AtsEvent::Unknown { name },
        };
        Ok(vec![event])
    }
}

/// Whether the bridge acts on `event` (the events it subscribes to); others resolve to
/// [`AtsEvent::Unknown`] without reading their body.
fn acts_on(event: &str) -> bool {
    crate::registration::SMARTRECRUITERS_EVENTS
        .iter()
        .any(|known| known.as_str() == event)
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
