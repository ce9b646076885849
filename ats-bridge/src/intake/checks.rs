//! The cheap checks a delivery passes before its source verifies it.

use client_core::header::{CONTENT_TYPE, HeaderMap};
use serde::de::IgnoredAny;

use super::IntakeRejection;
use crate::WebhookRejection;

/// Refuse a body over `limit` bytes.
pub(super) fn body_size(body: &[u8], limit: usize) -> Result<(), IntakeRejection> {
    if body.len() > limit {
        return Err(IntakeRejection::BodyTooLarge { limit });
    }
    Ok(())
}

/// Refuse a declared content type that is not JSON. SmartRecruiters and Lever both
/// send `application/json`; parameters (`; charset=utf-8`) and structured-syntax
/// types (`application/…+json`) are accepted too. A request without a content type
/// is let through: the body must then pass [`json_syntax`] anyway.
pub(super) fn json_content_type(headers: &HeaderMap) -> Result<(), IntakeRejection> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let declared = value.to_str().unwrap_or("(not visible ASCII)");
    if is_json(declared) {
        Ok(())
    } else {
        Err(IntakeRejection::unsupported_content_type(declared))
    }
}

/// Whether a `Content-Type` value names JSON.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let subtype = subtype.to_ascii_lowercase();
    kind.eq_ignore_ascii_case("application") && (subtype == "json" || subtype.ends_with("+json"))
}

/// Refuse a body that is not one JSON value (every vendor sends JSON).
pub(super) fn json_syntax(body: &[u8]) -> Result<(), IntakeRejection> {
    serde_json::from_slice::<IgnoredAny>(body)
        .map(drop)
        .map_err(|_| WebhookRejection::InvalidJson.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_with_or_without_parameters() {
        for accepted in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/vnd.vendor.event+json",
            " application/json ;charset=utf-8",
        ] {
            assert!(is_json(accepted), "{accepted}");
        }
        for refused in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/jsonp",
            "text/json",
            "json",
            "",
        ] {
            assert!(!is_json(refused), "{refused}");
        }
    }

    #[test]
    fn bodies_must_be_one_json_value() {
        assert!(json_syntax(br#"{"id": "c1"}"#).is_ok());
        assert!(json_syntax(b"{\"id\": ").is_err());
        assert!(json_syntax(b"{} {}").is_err());
        assert!(json_syntax(b"").is_err());
    }

    #[test]
    fn the_limit_is_inclusive() {
        assert!(body_size(&[0; 10], 10).is_ok());
        assert_eq!(
            body_size(&[0; 11], 10),
            Err(IntakeRejection::BodyTooLarge { limit: 10 })
        );
    }
}
