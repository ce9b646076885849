//! Request spans carry what an operator needs (vendor, method, path, attempt, status)
//! and never the query string, body or credentials, which can hold personal data.
//!
//! A test binary of its own, the one exception to the crate's single `tests/it`
//! binary: tracing caches, per call site and for the whole process, whether anyone
//! listens, and a call site first reached on another test's thread while this
//! subscriber is being installed can stay switched off (seen when these tests shared a
//! binary with the transport's, now in `tests/it`).

use std::io::Write;
use std::sync::{Arc, Mutex};

use client_core::auth::StaticHeader;
use client_core::header::AUTHORIZATION;
use client_core::{SecretString, Transport};
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn spans_name_the_endpoint_but_not_personal_data() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"key": "p1"})))
        .mount(&server)
        .await;
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(captured.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = Transport::builder("willo")
        .base_url(server.uri())
        .auth(Arc::new(StaticHeader::new(
            AUTHORIZATION,
            None,
            SecretString::from("secret-key-9"),
        )))
        .retry_policy(client_core::RetryPolicy {
            initial_backoff: std::time::Duration::from_millis(1),
            jitter: false,
            ..Default::default()
        })
        .build()
        .unwrap();
    client
        .post("/participants/")
        .query("email", "jane.doe@example.com")
        .json(&json!({"name": "Jane Doe", "email": "jane.doe@example.com"}))
        .idempotency(client_core::Idempotency::Guarded)
        .send_value()
        .await
        .unwrap();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("vendor=\"willo\""), "{logs}");
    assert!(logs.contains("endpoint=POST /participants/"), "{logs}");
    assert!(logs.contains("attempt{n=1 status=503"), "{logs}");
    assert!(logs.contains("attempt{n=2 status=201"), "{logs}");
    assert!(logs.contains("retrying"), "{logs}");
    for secret in ["jane.doe", "example.com", "Jane Doe", "secret-key-9"] {
        assert!(
            !logs.contains(secret),
            "`{secret}` leaked into the logs:\n{logs}"
        );
    }
}
