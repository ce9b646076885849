//! The in-memory ATS's webhooks: a JSON body `{"id", "application", "stage"}` signed
//! with HMAC-SHA256 (hex) in [`SIGNATURE_HEADER`], the shape most vendors use.

use async_trait::async_trait;
use ats_bridge::model::{ApplicationRef, AtsEvent, StageId};
use ats_bridge::{
    AtsError, AtsResult, AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookRejection,
    WebhookRequest, WebhookSource,
};
use client_core::header::{HeaderMap, HeaderValue};
use client_core::webhook::{constant_time_eq, hmac_sha256_hex};
use serde_json::{Value, json};

use super::{MemoryAts, Misbehaviour};
use crate::Delivery;

/// The header holding a delivery's signature.
pub const SIGNATURE_HEADER: &str = "x-memory-signature";

/// A stored delivery: what it names, when it names anything.
pub(super) struct Moved<'a> {
    pub application: &'a str,
    pub stage: &'a str,
}

impl MemoryAts {
    /// A genuine delivery saying that `application` moved to `stage`, signed with
    /// this ATS's key; one id per (application, stage), so a repeat is a duplicate.
    pub fn delivery(&self, application: &ApplicationRef, stage: &StageId) -> Delivery {
        let body = json!({
            "id": format!("delivery-{}-{stage}", application.application),
            "application": application.application.as_str(),
            "stage": stage.as_str(),
        })
        .to_string();
        let signature = hmac_sha256_hex(&self.settings.secret, body.as_bytes());
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&signature).expect("hex is a valid header value");
        headers.insert(SIGNATURE_HEADER, value);
        Delivery::new(headers, body)
    }
}

impl WebhookSource for MemoryAts {
    fn verify(&self, request: &WebhookRequest<'_>) -> Result<VerifiedDelivery, WebhookRejection> {
        let (headers, body) = (request.headers(), request.body());
        if self.misbehaves(Misbehaviour::PanicsOnNonUtf8) {
            std::str::from_utf8(body).unwrap();
        }
        if !self.misbehaves(Misbehaviour::AcceptsAnySignature) {
            let signature = headers
                .get(SIGNATURE_HEADER)
                .ok_or_else(|| WebhookRejection::MissingHeader(SIGNATURE_HEADER.into()))?;
            let expected = hmac_sha256_hex(&self.settings.secret, body);
            if !constant_time_eq(signature.as_bytes(), expected.as_bytes()) {
                return Err(WebhookRejection::BadSignature);
            }
        }
        let delivery: Value = serde_json::from_slice(body)
            .map_err(|_| WebhookRejection::Malformed("not JSON".into()))?;
        let id =
            field(&delivery, "id").ok_or_else(|| WebhookRejection::Malformed("no `id`".into()))?;
        let dedupe_key = if self.misbehaves(Misbehaviour::ConstantDedupeKey) {
            "stage-change"
        } else {
            id
        };
        Ok(VerifiedDelivery::new(dedupe_key, StoredDelivery::new(body)))
    }
}

#[async_trait]
impl AtsWebhooks for MemoryAts {
    async fn resolve(&self, stored: &StoredDelivery) -> AtsResult<Vec<AtsEvent>> {
        let delivery: Value = serde_json::from_slice(&stored.body)
            .map_err(|_| AtsError::Invalid("not a stored delivery".into()))?;
        let Some(moved) = moved(&delivery) else {
            return Ok(vec![AtsEvent::Unknown {
                name: "without application".into(),
            }]);
        };
        self.outages.check(moved.application)?;
        let (mut application, details) = {
            let state = self.state();
            let record = state.applications.get(moved.application);
            let record = record.ok_or_else(|| self.not_found(moved.application))?;
            let own = record.application.candidate.as_str();
            // The record is at hand: its person goes with the event, as an invite needs it.
            let person = if self.misbehaves(Misbehaviour::HandsOnWrongDetails) {
                state
                    .candidates
                    .keys()
                    .map(String::as_str)
                    .find(|c| *c != own)
            } else {
                Some(own)
            };
            let details = person.and_then(|p| state.candidates.get(p).cloned());
            (record.application.clone(), details)
        };
        if self.misbehaves(Misbehaviour::RenamesInWebhooks) {
            application.application = format!("{}-by-webhook", moved.application).into();
        }
        let stage = if self.misbehaves(Misbehaviour::ResolvesToPreviousStage) {
            "new"
        } else {
            moved.stage
        };
        Ok(vec![AtsEvent::StageChanged {
            application,
            stage: stage.into(),
            details,
        }])
    }
}

/// The application and stage a stored delivery names (`None`: it names none).
pub(super) fn moved(delivery: &Value) -> Option<Moved<'_>> {
    Some(Moved {
        application: field(delivery, "application")?,
        stage: field(delivery, "stage")?,
    })
}

fn field<'a>(delivery: &'a Value, name: &str) -> Option<&'a str> {
    delivery.get(name)?.as_str()
}
