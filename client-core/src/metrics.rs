//! What the transport reports through the [`metrics`](https://docs.rs/metrics) facade
//! (feature `metrics`, on by default): the names below, each with the labels it
//! carries. Nothing is recorded until the application installs a recorder (for
//! example `metrics-exporter-prometheus`); without one a call costs an atomic load.
//!
//! Label values are bounded and never personal: the vendor (`willo`,
//! `smartrecruiters`, `lever`), the endpoint class the client tagged a request with
//! (`default` when none), an HTTP status or a failure kind. Paths are never labels
//! (they hold ids).

/// Counter: HTTP attempts sent to a vendor, retries included. Labels `vendor`,
/// `class`, `status` (the HTTP status code, or `timeout` / `transport` when no
/// response came).
pub const VENDOR_REQUESTS: &str = "vendor_http_requests_total";

/// Counter: responses with status 429 (the vendor throttled us). Labels `vendor`,
/// `class`. Pacing keeps this at zero; a rising rate means the limits are set too high.
pub const VENDOR_RATE_LIMITED: &str = "vendor_http_rate_limited_total";

/// Counter: attempts repeated after a failure. Labels `vendor`, `class`, `reason`
/// (`rate_limited`, `api`, `timeout`, `transport`, `other`).
pub const VENDOR_RETRIES: &str = "vendor_http_retries_total";

/// Histogram (seconds): how long requests waited for the client-side rate limiter
/// and concurrency caps before going out. Labels `vendor`, `class`.
pub const VENDOR_LIMITER_WAIT: &str = "vendor_http_limiter_wait_seconds";

/// Counter: OAuth token endpoint calls. Labels `grant` (`refresh_token`,
/// `client_credentials`, `authorization_code`) and `outcome` (`ok`,
/// `reauthorization_required` — a person must authorise again —, or `error`).
pub const OAUTH_TOKEN_REQUESTS: &str = "vendor_oauth_token_requests_total";

/// Gauge: whether the vendor accepted the credentials the last time it was asked
/// (1), or refused them (0: a 401 that a token renewal did not cure, or a token
/// fetch that failed). Label `vendor`. Absent until the first answer.
pub const CREDENTIALS_VALID: &str = "vendor_credentials_valid";

/// The label value for requests no endpoint class was given to.
pub const DEFAULT_CLASS: &str = "default";

/// Register the help text of every metric above with the installed recorder, so
/// the exposition says what each one means. Call once, after installing it.
pub fn describe() {
    emit::describe();
}

#[cfg(feature = "metrics")]
mod emit {
    use std::time::Duration;

    use metrics::{
        Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
    };

    pub(crate) fn describe() {
        describe_counter!(
            super::VENDOR_REQUESTS,
            "HTTP attempts sent to a vendor API, retries included"
        );
        describe_counter!(
            super::VENDOR_RATE_LIMITED,
            "Vendor responses with status 429"
        );
        describe_counter!(
            super::VENDOR_RETRIES,
            "Vendor requests repeated after a failure"
        );
        describe_histogram!(
            super::VENDOR_LIMITER_WAIT,
            Unit::Seconds,
            "Time requests waited for the client-side rate limiter"
        );
        describe_counter!(super::OAUTH_TOKEN_REQUESTS, "OAuth token endpoint calls");
        describe_gauge!(
            super::CREDENTIALS_VALID,
            "1 when the vendor last accepted the credentials, 0 when it refused them"
        );
    }

    pub(crate) fn request(vendor: &'static str, class: &str, status: &str) {
        counter!(super::VENDOR_REQUESTS, "vendor" => vendor, "class" => class.to_owned(), "status" => status.to_owned())
            .increment(1);
        if status == "429" {
            counter!(super::VENDOR_RATE_LIMITED, "vendor" => vendor, "class" => class.to_owned())
                .increment(1);
        }
    }

    pub(crate) fn retry(vendor: &'static str, class: &str, reason: &'static str) {
        counter!(super::VENDOR_RETRIES, "vendor" => vendor, "class" => class.to_owned(), "reason" => reason)
            .increment(1);
    }

    pub(crate) fn limiter_wait(vendor: &'static str, class: &str, waited: Duration) {
        histogram!(super::VENDOR_LIMITER_WAIT, "vendor" => vendor, "class" => class.to_owned())
            .record(waited.as_secs_f64());
    }

    pub(crate) fn token_request(grant: &str, outcome: &'static str) {
        counter!(super::OAUTH_TOKEN_REQUESTS, "grant" => grant.to_owned(), "outcome" => outcome)
            .increment(1);
    }

    pub(crate) fn credentials(vendor: &'static str, valid: bool) {
        gauge!(super::CREDENTIALS_VALID, "vendor" => vendor).set(if valid { 1.0 } else { 0.0 });
    }
}

// Without the feature the same calls compile to nothing, so emission points need no
// `cfg` of their own.
#[cfg(not(feature = "metrics"))]
mod emit {
    use std::time::Duration;

    pub(crate) fn describe() {}
    pub(crate) fn request(_: &'static str, _: &str, _: &str) {}
    pub(crate) fn retry(_: &'static str, _: &str, _: &'static str) {}
    pub(crate) fn limiter_wait(_: &'static str, _: &str, _: Duration) {}
    pub(crate) fn token_request(_: &str, _: &'static str) {}
    pub(crate) fn credentials(_: &'static str, _: bool) {}
}

pub(crate) use emit::*;
