//! Property tests: the webhook parsers and verifiers never panic on arbitrary bytes
//! and headers, and the intake stores nothing it cannot verify.
#![cfg(all(feature = "smartrecruiters", feature = "lever"))]

use crate::support::claims::lease;
use std::sync::Arc;

use ats_bridge::intake::{Intake, IntakeOutcome, IntakeRequest};
use ats_bridge::lever::{LeverAts, LeverAtsConfig};
use ats_bridge::smartrecruiters::{SmartRecruitersAts, SmartRecruitersAtsConfig};
use ats_bridge::store::{Inbox, MemoryStore};
use ats_bridge::{StoredDelivery, WebhookRequest, WebhookSource, WilloSource};
use client_core::SecretString;
use client_core::header::{HeaderMap, HeaderName, HeaderValue};
use lever_client::LeverClient;
use proptest::prelude::*;
use smartrecruiters_client::SmartRecruitersClient;
use willo_client::webhooks::{Delivery, DeliveryUrl, WebhookEvent};

/// Header names the verifiers read, plus noise; values of any bytes a header allows.
fn headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        Just("event-name"),
        Just("event-id"),
        Just("event-version"),
        Just("link"),
        Just("smartrecruiters-signature"),
        Just("smartrecruiters-timestamp"),
        Just("x-hook-secret"),
        Just("content-type"),
        Just("content-length"),
        Just("x-other"),
    ];
    let value =
        proptest::collection::vec(prop_oneof![0x20u8..0x7f, Just(b'\t'), 0x80u8..=0xff], 0..80);
    proptest::collection::vec((name, value), 0..8).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_bytes(&value) {
                map.append(HeaderName::from_static(name), value);
            }
        }
        map
    })
}

/// Arbitrary bytes, and JSON-looking text that gets further into the parsers.
fn bodies() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        "\\{\"[a-zA-Z_]{1,12}\": ?(\"[ -~]{0,40}\"|[0-9]{1,15}|null|\\{\\}|\\[\\])\\}"
            .prop_map(String::into_bytes),
        "\\{\"triggeredAt\": ?[0-9]{1,15}, ?\"event\": ?\"[a-zA-Z]{0,20}\", ?\"signature\": ?\"[0-9a-f]{0,64}\", ?\"token\": ?\"[ -~]{0,20}\", ?\"data\": ?\\{\\}\\}"
            .prop_map(String::into_bytes),
    ]
}

fn smartrecruiters() -> SmartRecruitersAts {
    let client = SmartRecruitersClient::builder()
        .api_key(SecretString::from("unused"))
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    SmartRecruitersAts::new(
        client,
        SmartRecruitersAtsConfig::new().webhook_secret(SecretString::from("sr-secret")),
    )
}

fn lever() -> LeverAts {
    let client = LeverClient::builder()
        .api_key(SecretString::from("unused"))
        .base_url("http://127.0.0.1:9/v1")
        .build()
        .unwrap();
    LeverAts::new(
        client,
        LeverAtsConfig::new("user").signature_token(SecretString::from("lever-token")),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn smartrecruiters_verification_never_panics(headers in headers(), body in bodies()) {
        let _ = smartrecruiters().verify(&WebhookRequest::new(&headers, &body));
        let _ = smartrecruiters_client::webhooks::parse_delivery(&headers, &body);
    }

    #[test]
    fn lever_verification_never_panics(headers in headers(), body in bodies()) {
        // Without a valid signature nothing passes.
        prop_assert!(lever().verify(&WebhookRequest::new(&headers, &body)).is_err());
    }

    #[test]
    fn willo_parsing_never_panics(body in bodies(), query in "[ -~]{0,80}") {
        let url = DeliveryUrl::from_query(&query);
        let headers = HeaderMap::new();
        let request = WebhookRequest::new(&headers, &body).query(Some(&query));
        let _ = WilloSource::new()
            .token(SecretString::from("expected-token"))
            .verify(&request);
        let _ = Delivery::parse(&body, url.event.clone());
        let _ = Delivery::parse(&body, Some(WebhookEvent::NewResponse));
        let _ = WilloSource::new().resolve(&StoredDelivery::new(body.clone()));
    }

    #[test]
    fn the_intake_stores_nothing_it_cannot_verify(
        source in prop_oneof![
            Just("smartrecruiters".to_owned()),
            Just("lever".to_owned()),
            Just("willo".to_owned()),
            "[a-z]{1,12}",
        ],
        headers in headers(),
        query in proptest::option::of("[ -~]{0,60}"),
        body in bodies(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let store = Arc::new(MemoryStore::new());
            let intake = Intake::builder(store.clone())
                .ats(Arc::new(smartrecruiters()))
                .ats(Arc::new(lever()))
                .willo_token(SecretString::from("a-long-random-willo-token"))
                .build()
                .unwrap();
            let request = IntakeRequest::new(&source, &headers, &body).query(query.as_deref());
            let response = intake.handle(&request).await;
            // Only a Willo delivery carrying the token could be stored, and a random
            // query never carries it.
            prop_assert!(!matches!(response.outcome, IntakeOutcome::Stored { .. }), "{response:?}");
            prop_assert!(store.inbox_claim(&lease("w", 0, 1_000), 10).await.unwrap().is_empty());
            Ok(())
        })?;
    }
}
