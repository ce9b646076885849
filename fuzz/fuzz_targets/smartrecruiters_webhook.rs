//! SmartRecruiters deliveries: the signature verifier (headers parsed first) and the
//! delivery and event parsers, on any header values and any body.
#![no_main]

use client_core::SecretString;
use client_core::header::{HeaderMap, HeaderName, HeaderValue};
use client_core::webhook::WebhookRequest;
use libfuzzer_sys::fuzz_target;
use smartrecruiters_client::webhooks::{
    EVENT_ID_HEADER, EVENT_NAME_HEADER, LINK_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    WebhookEvent, WebhookVerifier, parse_delivery,
};

const HEADERS: [&str; 5] = [
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    EVENT_NAME_HEADER,
    EVENT_ID_HEADER,
    LINK_HEADER,
];

fuzz_target!(|data: &[u8]| {
    // Up to five `\0`-separated header values, then the body.
    let mut parts = data.splitn(HEADERS.len() + 1, |b| *b == 0);
    let mut headers = HeaderMap::new();
    for name in HEADERS {
        let Some(value) = parts.next() else { break };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    let body = parts.next().unwrap_or_default();
    let verifier = WebhookVerifier::new(SecretString::from("fuzz-secret"));
    let _ = verifier.verify(&WebhookRequest::new(&headers, body));
    let _ = parse_delivery(&headers, body);
    let event = headers
        .get(EVENT_NAME_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application.created");
    let _ = WebhookEvent::parse(event, body);
});
