//! Vendor error bodies: the generic parser (every shape the vendors send) and the
//! redaction that turns a body into the shape kept on an error, which must never quote
//! an e-mail address or a string value.
#![no_main]

use client_core::error_body::{ErrorBodyParser, GenericErrorParser};
use client_core::{ApiError, StatusCode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for status in [
        StatusCode::BAD_REQUEST,
        StatusCode::CONFLICT,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let parsed = GenericErrorParser.parse(status, data);
        let error = ApiError::from_parsed(status, parsed, data, "POST /fuzz".into());
        assert!(error.body_excerpt.chars().count() <= ApiError::EXCERPT_LIMIT + 1);
        let _ = error.into_error().to_string();
    }
    let _ = client_core::redact::mask_emails(&String::from_utf8_lossy(data));
});
