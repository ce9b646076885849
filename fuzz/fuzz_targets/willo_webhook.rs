//! Willo deliveries: the URL-token verifier (query string) and the body scan that finds
//! the participant key by name or by shape, on any query and any body.
#![no_main]

use client_core::SecretString;
use client_core::header::HeaderMap;
use client_core::webhook::WebhookRequest;
use libfuzzer_sys::fuzz_target;
use willo_client::webhooks::{Delivery, WebhookVerifier};

fuzz_target!(|data: &[u8]| {
    // `query \0 body`: the query string and the body vary together.
    let (query, body) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&b"token=fuzz-token"[..], data),
    };
    let query = String::from_utf8_lossy(query);
    let headers = HeaderMap::new();
    let verifier = WebhookVerifier::new(SecretString::from("fuzz-token"));
    let _ = verifier.verify(&WebhookRequest::new(&headers, body).query(Some(&query)));
    let _ = Delivery::parse(body, None);
});
