//! Lever deliveries: the verifier parses the body (the signature travels in it) before
//! checking the HMAC, so any body reaches the parser.
#![no_main]

use client_core::SecretString;
use client_core::header::HeaderMap;
use client_core::webhook::WebhookRequest;
use lever_client::webhooks::WebhookVerifier;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let headers = HeaderMap::new();
    let verifier = WebhookVerifier::new(SecretString::from("fuzz-token"));
    let _ = verifier.verify(&WebhookRequest::new(&headers, data));
});
