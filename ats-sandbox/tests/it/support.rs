//! What the test modules share: a webhook receiver and the refusal of a failing call.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use client_core::Url;
use smartrecruiters_client::webhooks::handshake_response;
use tokio::sync::mpsc;

/// The HTTP status a client call that must fail was refused with.
pub async fn refusal<T: std::fmt::Debug>(
    call: impl std::future::IntoFuture<Output = client_core::Result<T>>,
) -> Option<StatusCode> {
    call.await.unwrap_err().status()
}

/// A delivery as a receiver saw it.
#[derive(Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub query: String,
    pub body: Vec<u8>,
}

/// A local webhook receiver that answers SmartRecruiters' handshake (echoing
/// `X-Hook-Secret`) and records every other POST.
pub async fn receiver() -> (Url, mpsc::UnboundedReceiver<Received>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().fallback(
        move |headers: HeaderMap, RawQuery(query): RawQuery, body: Bytes| {
            let tx = tx.clone();
            async move {
                if let Some((name, value)) = handshake_response(&headers) {
                    return (StatusCode::OK, [(name, value)]).into_response();
                }
                let _ = tx.send(Received {
                    headers,
                    query: query.unwrap_or_default(),
                    body: body.to_vec(),
                });
                StatusCode::ACCEPTED.into_response()
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (Url::parse(&format!("http://{addr}/hooks")).unwrap(), rx)
}

pub async fn next(rx: &mut mpsc::UnboundedReceiver<Received>) -> Received {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a delivery within 5 s")
        .expect("the receiver is running")
}
