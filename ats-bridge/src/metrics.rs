//! What the bridge reports through the [`metrics`](https://docs.rs/metrics) facade
//! (feature `metrics`, on by default): every name in one place, with its labels. The
//! vendor clients' own (requests, 429s, retries, limiter waits, OAuth, credentials)
//! are in [`client_core::metrics`].
//!
//! Nothing is recorded until the application installs a recorder (the server example
//! installs `metrics-exporter-prometheus` and serves `GET /metrics`). Label values are
//! bounded and never personal: source and ATS connection names, states, outcomes and
//! the intake's refusal codes. A sender-chosen source name that is not configured is
//! counted as `unknown`, so nobody can grow the label set from outside.
//!
//! The ledger and inbox gauges ([`LEDGER_ROWS`], [`INBOX_BACKLOG`],
//! [`INBOX_OLDEST_AGE`]) come from the store: the application reads it on a timer
//! and hands the answers to [`record_status`] and [`record_inbox`], so a scrape never
//! queries the database.

use crate::engine::{Action, EngineError, Ignored, ReconcileReport};
use crate::model::AtsName;
use crate::store::{InboxBacklog, RowState, StatusReport};

/// Counter: webhook requests the intake accepted. Labels `source` and `outcome`:
/// `stored` (new, kept in the inbox), `duplicate` (already there), `handshake` (an
/// activation handshake answered).
pub const DELIVERIES_RECEIVED: &str = "ats_bridge_webhook_deliveries_received_total";

/// Counter: webhook requests the intake did not store. Labels `source` and `reason`
/// (the refusal's code: `bad_signature`, `stale`, `body_too_large`, `overloaded`,
/// `store_unavailable`, `unmatched`, …; see `IntakeRejection::code`).
pub const DELIVERIES_REFUSED: &str = "ats_bridge_webhook_deliveries_refused_total";

/// Gauge: deliveries in the inbox not processed yet.
pub const INBOX_BACKLOG: &str = "ats_bridge_inbox_backlog";

/// Gauge (seconds): how long the oldest unprocessed delivery has waited; 0 when the
/// inbox is empty. A steady rise means the engine is not keeping up, or is stuck.
pub const INBOX_OLDEST_AGE: &str = "ats_bridge_inbox_oldest_age_seconds";

/// Counter: invite steps the engine finished. Labels `ats` and `outcome`: `sent` (a
/// new Willo invite), `found` (Willo already had the candidate), `retry` (will be
/// tried again), `failed` (permanently, until re-driven), `stopped` (the row was
/// cancelled or failed meanwhile), `error` (the store failed; nothing recorded).
pub const INVITES: &str = "ats_bridge_invites_total";

/// Counter: result write-back steps. Labels `ats` and `outcome`: `written`, `updated`
/// (late results), `retry`, `failed`, `stopped`, `error` (as for [`INVITES`]).
pub const WRITE_BACKS: &str = "ats_bridge_write_backs_total";

/// Gauge: ledger rows per state. Label `state` (`pending`, `invited`, `responded`,
/// `synced`, `cancelled`, `failed`); every state is present, zero included.
pub const LEDGER_ROWS: &str = "ats_bridge_ledger_rows";
/// Gauge: connections per `state` (`active`, `paused`, `needs_credentials`).
pub const CONNECTIONS: &str = "ats_bridge_connections";

/// Gauge: connections with a credential a vendor refuses right now (an API key
/// answered 401 or 403), whatever their state: their work is parked until the
/// credential works again or is replaced. Counted from every replica's records.
pub const CONNECTIONS_CREDENTIALS_REFUSED: &str = "ats_bridge_connections_credentials_refused";

/// Histogram (seconds): how long a reconciler pass took. Label `outcome`: `ok`,
/// `partial` (some listings failed and are retried next pass), `failed`.
pub const RECONCILE_PASS: &str = "ats_bridge_reconcile_pass_seconds";

/// Count an accepted webhook request.
pub(crate) fn delivery_received(source: &str, outcome: &'static str) {
    emit::counter2(DELIVERIES_RECEIVED, "source", source, "outcome", outcome);
}

/// Count a refused webhook request; `source` must be a configured one (else pass
/// `unknown`).
pub(crate) fn delivery_refused(source: &str, reason: &'static str) {
    emit::counter2(DELIVERIES_REFUSED, "source", source, "reason", reason);
}

/// Count a finished invite step, and hand its result back.
pub(crate) fn invite(
    ats: &AtsName,
    result: Result<Action, EngineError>,
) -> Result<Action, EngineError> {
    let outcome = match &result {
        Ok(Action::Invited { created: true, .. }) => Some("sent"),
        Ok(Action::Invited { created: false, .. }) => Some("found"),
        other => common_outcome(other),
    };
    if let Some(outcome) = outcome {
        emit::counter2(INVITES, "ats", ats.as_str(), "outcome", outcome);
    }
    result
}

/// Count a finished write-back step, and hand its result back.
pub(crate) fn write_back(
    ats: &AtsName,
    result: Result<Action, EngineError>,
) -> Result<Action, EngineError> {
    let outcome = match &result {
        Ok(Action::WroteBack { .. }) => Some("written"),
        Ok(Action::WroteUpdate { .. }) => Some("updated"),
        other => common_outcome(other),
    };
    if let Some(outcome) = outcome {
        emit::counter2(WRITE_BACKS, "ats", ats.as_str(), "outcome", outcome);
    }
    result
}

fn common_outcome(result: &Result<Action, EngineError>) -> Option<&'static str> {
    match result {
        Ok(Action::Rescheduled { .. }) => Some("retry"),
        Ok(Action::Failed { .. }) => Some("failed"),
        Ok(Action::Ignored(Ignored::RowStopped(_))) => Some("stopped"),
        Err(_) => Some("error"),
        Ok(_) => None,
    }
}

/// Record how long a reconciler pass took and how it ended.
pub(crate) fn reconcile_pass(seconds: f64, result: &Result<ReconcileReport, EngineError>) {
    let outcome = match result {
        Ok(report) if report.errors.is_empty() => "ok",
        Ok(_) => "partial",
        Err(_) => "failed",
    };
    emit::histogram1(RECONCILE_PASS, "outcome", outcome, seconds);
}

/// Set [`LEDGER_ROWS`] from a status report (every state, zero included).
pub fn record_status(report: &StatusReport) {
    for state in RowState::ALL {
        let rows = report.by_state.get(&state).copied().unwrap_or(0);
        emit::gauge1(LEDGER_ROWS, "state", state.as_str(), rows as f64);
    }
}

/// Set [`INBOX_BACKLOG`] and [`INBOX_OLDEST_AGE`] from the inbox's answer at `now_ms`.
pub fn record_inbox(backlog: &InboxBacklog, now_ms: i64) {
    emit::gauge0(INBOX_BACKLOG, backlog.pending as f64);
    emit::gauge0(
        INBOX_OLDEST_AGE,
        backlog.oldest_age_ms(now_ms) as f64 / 1000.0,
    );
}

/// Set [`CONNECTIONS`] from the count of connections per state (every state, zero
/// included).
pub fn record_connections(by_state: &std::collections::BTreeMap<String, u64>) {
    for state in [
        crate::connection::ConnectionState::Active,
        crate::connection::ConnectionState::Paused,
        crate::connection::ConnectionState::NeedsCredentials,
    ] {
        let count = by_state.get(state.as_str()).copied().unwrap_or(0);
        emit::gauge1(CONNECTIONS, "state", state.as_str(), count as f64);
    }
}

/// Set [`CONNECTIONS_CREDENTIALS_REFUSED`].
pub fn record_credentials_refused(connections: u64) {
    emit::gauge0(CONNECTIONS_CREDENTIALS_REFUSED, connections as f64);
}

/// Register the help text of every metric above with the installed recorder, so
/// the exposition says what each one means. Call once, after installing it.
pub fn describe() {
    emit::describe();
}

#[cfg(feature = "metrics")]
mod emit {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

    use super::*;

    pub(super) fn describe() {
        describe_counter!(DELIVERIES_RECEIVED, "Webhook requests the intake accepted");
        describe_counter!(
            DELIVERIES_REFUSED,
            "Webhook requests the intake refused, by reason"
        );
        describe_gauge!(INBOX_BACKLOG, "Deliveries in the inbox not processed yet");
        describe_gauge!(
            INBOX_OLDEST_AGE,
            Unit::Seconds,
            "How long the oldest unprocessed delivery has waited"
        );
        describe_counter!(INVITES, "Invite steps finished, by outcome");
        describe_counter!(WRITE_BACKS, "Result write-back steps finished, by outcome");
        describe_gauge!(LEDGER_ROWS, "Ledger rows per state");
        describe_gauge!(
            CONNECTIONS,
            "Connections per state (needs_credentials: an operator or the customer must act)"
        );
        describe_gauge!(
            CONNECTIONS_CREDENTIALS_REFUSED,
            "Connections with a credential a vendor refuses right now (their work is parked)"
        );
        describe_histogram!(
            RECONCILE_PASS,
            Unit::Seconds,
            "Duration of reconciler passes"
        );
    }

    pub(super) fn counter2(
        name: &'static str,
        k1: &'static str,
        v1: &str,
        k2: &'static str,
        v2: &'static str,
    ) {
        metrics::counter!(name, k1 => v1.to_owned(), k2 => v2).increment(1);
    }

    pub(super) fn gauge0(name: &'static str, value: f64) {
        metrics::gauge!(name).set(value);
    }

    pub(super) fn gauge1(name: &'static str, key: &'static str, label: &'static str, value: f64) {
        metrics::gauge!(name, key => label).set(value);
    }

    pub(super) fn histogram1(
        name: &'static str,
        key: &'static str,
        label: &'static str,
        value: f64,
    ) {
        metrics::histogram!(name, key => label).record(value);
    }
}

// Without the feature the calls compile to nothing, so emission points need no `cfg`.
#[cfg(not(feature = "metrics"))]
mod emit {
    pub(super) fn describe() {}
    pub(super) fn counter2(_: &'static str, _: &'static str, _: &str, _: &'static str, _: &str) {}
    pub(super) fn gauge0(_: &'static str, _: f64) {}
    pub(super) fn gauge1(_: &'static str, _: &'static str, _: &'static str, _: f64) {}
    pub(super) fn histogram1(_: &'static str, _: &'static str, _: &'static str, _: f64) {}
}
