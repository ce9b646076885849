//! The in-memory ATS's webhooks: a JSON body `{"id", "application", "stage"}` signed
//! with HMAC-SHA256 (hex) in [`SIGNATURE_HEADER`], the shape most vendors use.

use ats_bridge::model::{ApplicationRef, StageId};
use ats_bridge::{VerifiedDelivery, WebhookRejection};
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
        let signature = hmac_sha256_hex(&self.secret, body.as_bytes());
        let mut headers = HeaderMap::new();
        let value = HeaderValue::from_str(&signature).expect("hex is a valid header value");
        headers.insert(SIGNATURE_HEADER, value);
        Delivery::new(headers, body)
    }

    pub(super) fn verify(
        &self,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<VerifiedDelivery, WebhookRejection> {
        if self.misbehaves(Misbehaviour::PanicsOnNonUtf8) {
            std::str::from_utf8(body).unwrap();
        }
        if !self.misbehaves(Misbehaviour::AcceptsAnySignature) {
            let signature = headers
                .get(SIGNATURE_HEADER)
                .ok_or_else(|| WebhookRejection::MissingHeader(SIGNATURE_HEADER.into()))?;
            let expected = hmac_sha256_hex(&self.secret, body);
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
        Ok(VerifiedDelivery {
            dedupe_key: dedupe_key.to_owned(),
            payload: body.to_vec(),
        })
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
