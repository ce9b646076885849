//! The webhook body scan allocates per key it keeps, not per string it reads
//! (issue 14: a large body must not cost hundreds of MB).
//!
//! A binary of its own: it counts every allocation of the process through the global
//! allocator, which the other tests, running in parallel threads, would disturb.

use std::alloc::System;

use serde_json::{Value, json};
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use willo_client::webhooks::{Delivery, WebhookEvent};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const PARTICIPANT: &str = "5b0c3e8a9d7f4e21a3c6b8d9e0f1a2b3";

/// Allocations (new blocks and resizes) made while `work` runs.
fn allocations<T>(work: impl FnOnce() -> T) -> (usize, T) {
    let region = Region::new(GLOBAL);
    let out = work();
    let change = region.change();
    (change.allocations + change.reallocations, out)
}

#[test]
fn a_large_body_is_scanned_without_a_copy_per_string() {
    // About 6 MB and 200,000 strings, nested four deep, the participant's key last.
    let answers: Vec<Value> = (0..50_000)
        .map(|n| {
            json!({"answer": {"question": {"text": format!("question {n}"), "hint": "a"},
                   "media": {"url": format!("https://cdn.example/{n}.mp4"), "kind": "video"}}})
        })
        .collect();
    let body = json!({"answers": answers, "who": {"participant": {"key": PARTICIPANT}}})
        .to_string()
        .into_bytes();
    assert!(body.len() > 5_000_000, "{} bytes", body.len());

    let (parse_only, value) = allocations(|| serde_json::from_slice::<Value>(&body).unwrap());
    drop(value);
    let (with_scan, delivery) =
        allocations(|| Delivery::parse(&body, Some(WebhookEvent::NewResponse)).unwrap());
    assert_eq!(delivery.candidates[0].key.as_str(), PARTICIPANT);
    assert_eq!(delivery.candidates[0].path, "/who/participant/key");

    // Parsing the JSON allocates per string whatever the scan does; the scan itself may
    // add a few allocations for its stack and the keys it keeps, never one per string.
    let scan = with_scan.saturating_sub(parse_only);
    assert!(
        scan < 100,
        "the scan allocated {scan} times for a body of 200,000 strings \
         (parse alone: {parse_only}, parse and scan: {with_scan})"
    );
}
