//! When to repeat a failed call, how long to wait, and how many retries a client may
//! spend overall.
//!
//! The three parts are separate and each replaceable: [`Idempotency`] says whether a
//! request may be repeated at all, [`RetryPolicy`] says which failures are worth another
//! attempt and how to back off (capped exponential with jitter, `Retry-After` honoured),
//! and [`RetryBudget`] stops a storm of failures from becoming a storm of retries.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use backon::ExponentialBuilder;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use crate::error::Error;

/// Whether repeating a request could do something twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Idempotency {
    /// Decide by method: GET, HEAD, OPTIONS, PUT and DELETE are repeatable; POST and
    /// PATCH are not.
    #[default]
    ByMethod,
    /// The caller guarantees repeating is harmless (an idempotency key, a dedupe check,
    /// a naturally idempotent POST such as a search).
    Guarded,
    /// Never repeat after the request may have reached the server.
    NotRepeatable,
}

impl Idempotency {
    /// Whether a request of `method` with this setting may be sent again after the
    /// server may have seen it.
    pub fn allows_replay(self, method: &Method) -> bool {
        match self {
            Idempotency::Guarded => true,
            Idempotency::NotRepeatable => false,
            Idempotency::ByMethod => matches!(
                *method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
            ),
        }
    }
}

/// Which failures are retried and how the waits grow.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 disables retries).
    pub max_attempts: usize,
    /// Wait before the first retry.
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// Randomise each wait (recommended: keeps many clients from retrying in lockstep).
    pub jitter: bool,
    /// A `Retry-After` longer than this is not waited out; the 429 is returned so the
    /// caller can reschedule.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            jitter: true,
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The backoff schedule as a `backon` builder.
    pub fn backoff(&self) -> ExponentialBuilder {
        let builder = ExponentialBuilder::default()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(2.0)
            .with_max_times(self.max_attempts.saturating_sub(1));
        if self.jitter {
            builder.with_jitter()
        } else {
            builder
        }
    }

    /// Whether `error`, from a request that may (`replay_allowed`) or may not be
    /// repeated, deserves another attempt.
    ///
    /// A 429 and a refused connection are retried for every method: the server did not
    /// act on the request. 5xx, 408 and timeouts are retried only when replay is
    /// allowed, since the server may have acted before failing.
    pub fn is_retryable(&self, error: &Error, replay_allowed: bool) -> bool {
        match error {
            Error::RateLimited(api) => api.retry_after.is_none_or(|d| d <= self.max_retry_after),
            Error::Api(api) => {
                replay_allowed
                    && matches!(
                        api.status,
                        StatusCode::REQUEST_TIMEOUT
                            | StatusCode::INTERNAL_SERVER_ERROR
                            | StatusCode::BAD_GATEWAY
                            | StatusCode::SERVICE_UNAVAILABLE
                            | StatusCode::GATEWAY_TIMEOUT
                    )
            }
            Error::Timeout { .. } => replay_allowed,
            Error::Transport { source, .. } => replay_allowed || source.is_connect(),
            _ => false,
        }
    }

    /// The wait before the next attempt: the vendor's `Retry-After` when it gave one
    /// (never less than the computed backoff), else the backoff.
    pub fn next_delay(&self, error: &Error, backoff: Duration) -> Duration {
        match error.retry_after() {
            Some(asked) => asked.max(backoff).min(self.max_retry_after),
            None => backoff,
        }
    }
}

/// Parse `Retry-After` in either form: delay seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, measured against `now`).
pub fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A token bucket that retries draw from and successes refill (the smithy-rs scheme).
/// While failures dominate, retries stop and errors surface quickly; as calls succeed
/// again the budget recovers.
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u32,
    retry_cost: u32,
    timeout_cost: u32,
    refill_on_success: u32,
    tokens: Mutex<u32>,
}

impl Default for RetryBudget {
    /// 500 tokens; a retry costs 5, a retry after a timeout 10; a success refills 1.
    fn default() -> Self {
        Self::new(500, 5, 10, 1)
    }
}

impl RetryBudget {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32, retry_cost: u32, timeout_cost: u32, refill_on_success: u32) -> Self {
        Self {
            capacity,
            retry_cost,
            timeout_cost,
            refill_on_success,
            tokens: Mutex::new(capacity),
        }
    }

    /// A budget that never runs out.
    pub fn unlimited() -> Self {
        Self::new(u32::MAX, 0, 0, 0)
    }

    /// Take the cost of retrying after `error`; `false` when the budget cannot pay.
    pub fn try_withdraw(&self, error: &Error) -> bool {
        let cost = if matches!(error, Error::Timeout { .. }) {
            self.timeout_cost
        } else {
            self.retry_cost
        };
        let Ok(mut tokens) = self.tokens.lock() else {
            return false;
        };
        if *tokens < cost {
            return false;
        }
        *tokens -= cost;
        true
    }

    /// Record a successful call.
    pub fn deposit(&self) {
        if let Ok(mut tokens) = self.tokens.lock() {
            *tokens = tokens
                .saturating_add(self.refill_on_success)
                .min(self.capacity);
        }
    }

    /// Tokens left.
    pub fn remaining(&self) -> u32 {
        self.tokens.lock().map(|t| *t).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;
    use crate::error::ApiError;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(
            parse_retry_after(&headers("7"), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after(&headers("Wed, 21 Oct 2015 07:28:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after(&headers("Wed, 21 Oct 2015 07:27:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&headers("soon"), now), None);
        assert_eq!(parse_retry_after(&HeaderMap::new(), now), None);
    }

    fn api(status: StatusCode) -> Error {
        Error::Api(Box::new(ApiError::new(status, "x")))
    }

    #[test]
    fn post_is_not_replayed_after_a_server_error_unless_guarded() {
        let policy = RetryPolicy::default();
        let post = Method::POST;
        assert!(!policy.is_retryable(
            &api(StatusCode::INTERNAL_SERVER_ERROR),
            Idempotency::ByMethod.allows_replay(&post)
        ));
        assert!(policy.is_retryable(
            &api(StatusCode::INTERNAL_SERVER_ERROR),
            Idempotency::Guarded.allows_replay(&post)
        ));
        assert!(policy.is_retryable(
            &api(StatusCode::BAD_GATEWAY),
            Idempotency::ByMethod.allows_replay(&Method::GET)
        ));
        assert!(!policy.is_retryable(&api(StatusCode::BAD_REQUEST), true));
        let throttled = Error::RateLimited(Box::new(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "slow down",
        )));
        assert!(policy.is_retryable(&throttled, false));
    }

    #[test]
    fn long_retry_after_is_handed_back_to_the_caller() {
        let policy = RetryPolicy::default();
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "later");
        e.retry_after = Some(Duration::from_secs(3600));
        assert!(!policy.is_retryable(&Error::RateLimited(Box::new(e)), true));
    }

    #[test]
    fn delay_honours_retry_after() {
        let policy = RetryPolicy::default();
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "later");
        e.retry_after = Some(Duration::from_secs(5));
        let error = Error::RateLimited(Box::new(e));
        assert_eq!(
            policy.next_delay(&error, Duration::from_millis(250)),
            Duration::from_secs(5)
        );
        assert_eq!(
            policy.next_delay(&api(StatusCode::BAD_GATEWAY), Duration::from_millis(250)),
            Duration::from_millis(250)
        );
    }

    #[test]
    fn budget_runs_out_and_refills() {
        let budget = RetryBudget::new(10, 5, 10, 5);
        let error = api(StatusCode::BAD_GATEWAY);
        assert!(budget.try_withdraw(&error));
        assert!(budget.try_withdraw(&error));
        assert!(!budget.try_withdraw(&error));
        budget.deposit();
        assert_eq!(budget.remaining(), 5);
        assert!(!budget.try_withdraw(&Error::Timeout {
            endpoint: "GET /".into()
        }));
        assert!(budget.try_withdraw(&error));
    }
}
