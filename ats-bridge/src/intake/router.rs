//! The intake mounted in axum.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use futures::StreamExt as _;

use super::{Intake, IntakeOutcome, IntakeRejection, IntakeRequest, IntakeResponse};
use crate::connection::ConnectionIntakes;
use crate::webhook::{WilloSource, quoted};

/// An axum router receiving webhooks with `intake`:
///
/// - `POST /webhooks/{source}`: the ATS connection named `source`
///   (`/webhooks/smartrecruiters`, `/webhooks/lever` with the adapters' default
///   names, or an integrator's own name), or Willo with the event in the query
///   (`/webhooks/willo?token=…&event=new_response`, as
///   `willo_client::webhooks::registration_url` builds it);
/// - `POST /webhooks/willo/{event}`: Willo with the event in the path.
///
/// Bodies are read up to [`Intake::max_body_bytes`] and no further. Each request is
/// answered as soon as the delivery is stored: the engine, woken through the intake's
/// `Notify`, does the processing. Merge it into your application's router, or serve
/// it alone with `axum::serve`.
pub fn router(intake: Arc<Intake>) -> Router {
    Router::new()
        .route("/webhooks/{source}", post(from_source))
        .route("/webhooks/willo/{event}", post(from_willo_event))
        .with_state(intake)
}

/// An axum router receiving webhooks for many connections, each with its own
/// secrets ([`ConnectionIntakes`]):
///
/// - `POST /webhooks/{connection}/{source}`: the ATS account named `source` of the
///   connection, or Willo with the event in the query;
/// - `POST /webhooks/{connection}/willo/{event}`: Willo with the event in the path.
///
/// An unknown or removed connection is answered 404 before the body is read; a
/// delivery is verified only with its own connection's secrets (one signed with
/// another connection's secret is refused, 401) and stored under the connection's
/// scope (`{connection}/{source}` in the inbox). Merges beside [`router`]: the
/// single-account routes keep working (no connection may be named `willo`).
pub fn connection_router(intakes: Arc<ConnectionIntakes>) -> Router {
    Router::new()
        .route("/webhooks/{connection}/{source}", post(from_connection))
        .route(
            "/webhooks/{connection}/willo/{event}",
            post(from_connection_willo_event),
        )
        .with_state(intakes)
}

async fn from_connection(
    State(intakes): State<Arc<ConnectionIntakes>>,
    Path((connection, source)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(intake) = connection_intake(&intakes, &connection).await else {
        return unknown_connection(&connection);
    };
    receive(&intake, &source, None, &uri, &headers, body).await
}

async fn from_connection_willo_event(
    State(intakes): State<Arc<ConnectionIntakes>>,
    Path((connection, event)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(intake) = connection_intake(&intakes, &connection).await else {
        return unknown_connection(&connection);
    };
    receive(
        &intake,
        WilloSource::NAME,
        Some(&event),
        &uri,
        &headers,
        body,
    )
    .await
}

/// The connection's intake; `None` (after logging why) for an unknown connection or
/// one whose intake cannot be built.
async fn connection_intake(intakes: &ConnectionIntakes, connection: &str) -> Option<Arc<Intake>> {
    match intakes.get(connection).await {
        Ok(found) => found,
        Err(error) => {
            tracing::error!(
                target: "ats_bridge::intake",
                connection = ?quoted(connection),
                %error,
                "the connection's intake could not be built; delivery refused"
            );
            None
        }
    }
}

fn unknown_connection(connection: &str) -> Response {
    tracing::warn!(
        target: "ats_bridge::intake",
        connection = ?quoted(connection),
        "webhook delivery for an unknown connection refused"
    );
    crate::metrics::delivery_refused("unknown", "unknown_connection");
    let body = serde_json::json!({
        "error": "unknown_connection",
        "message": "no such connection",
    });
    (axum::http::StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

async fn from_source(
    State(intake): State<Arc<Intake>>,
    Path(source): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive(&intake, &source, None, &uri, &headers, body).await
}

async fn from_willo_event(
    State(intake): State<Arc<Intake>>,
    Path(event): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    receive(
        &intake,
        WilloSource::NAME,
        Some(&event),
        &uri,
        &headers,
        body,
    )
    .await
}

async fn receive(
    intake: &Intake,
    source: &str,
    event: Option<&str>,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    if !intake.receives(source) {
        return respond(intake.refuse(source, IntakeRejection::unknown_source(source)));
    }
    // One deadline for the whole body: a sender trickling a byte every few seconds
    // must not hold the connection (and memory) for as long as it likes.
    let deadline = intake.body_read_timeout();
    let read = tokio::time::timeout(
        deadline,
        read_limited(headers, body, intake.max_body_bytes()),
    );
    let body = match read.await {
        Ok(Ok(body)) => body,
        Ok(Err(rejection)) => return respond(intake.refuse(source, rejection)),
        Err(_) => return respond(intake.refuse(source, IntakeRejection::BodyTimeout)),
    };
    let request = IntakeRequest::new(source, headers, &body)
        .query(uri.query())
        .event(event);
    respond(intake.handle(&request).await)
}

/// The body, refused once it is known to exceed `limit`: from `Content-Length` before
/// reading anything, else as soon as the chunks read pass it.
async fn read_limited(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
) -> Result<Vec<u8>, IntakeRejection> {
    let too_large = IntakeRejection::BodyTooLarge { limit };
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large);
    }
    let mut chunks = body.into_data_stream();
    let mut read = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| IntakeRejection::BodyUnreadable)?;
        if read.len() + chunk.len() > limit {
            return Err(too_large);
        }
        read.extend_from_slice(&chunk);
    }
    Ok(read)
}

/// The HTTP answer: the status, the headers to set, and for refusals the reason as
/// plain text (vendors ignore bodies; operators testing with curl read it).
/// The answer: empty for a success, `{"error": code, "message": …}` for a refusal
/// (a few hundred bytes at most: messages are bounded and never quote the body).
fn respond(response: IntakeResponse) -> Response {
    let mut answer = match &response.outcome {
        IntakeOutcome::Rejected(rejection) => {
            let body = serde_json::json!({
                "error": rejection.code(),
                "message": rejection.to_string(),
            });
            (response.status, axum::Json(body)).into_response()
        }
        _ => response.status.into_response(),
    };
    answer.headers_mut().extend(response.headers);
    answer
}
