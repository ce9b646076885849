//! Fault injection per simulated vendor: a rate limit answered with 429, fixed latency,
//! random 5xx and 429 answers, and dropped or repeated webhook deliveries. Every random
//! decision comes from a RNG seeded with [`crate::SandboxConfig::seed`], so a run
//! with the same seed and the same sequence of requests fails the same way.

use std::time::Duration;

use client_core::{LimitSpec, RateLimits};
use tokio::time::Instant;

/// SmartRecruiters' candidate search, limited to one request in flight.
pub(crate) const CANDIDATES_LIST: &str = "GET /candidates";

/// The faults one simulated vendor injects. The default injects none.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Faults {
    /// Requests per second and in flight before answering 429 (none by default).
    pub rate_limit: Option<RateLimit>,
    /// Added to every authenticated request before it is handled.
    pub latency: Duration,
    /// Probability (0–1) that a request is answered 503 before it changes anything.
    pub server_error_rate: f64,
    /// Probability (0–1) that a request is answered 429 regardless of the limit.
    pub too_many_requests_rate: f64,
    /// Probability (0–1) that a webhook delivery is never sent.
    pub webhook_drop_rate: f64,
    /// Probability (0–1) that a webhook delivery is sent more than once.
    pub webhook_duplicate_rate: f64,
    /// Extra copies sent of a duplicated delivery (0 counts as 1, so setting
    /// `webhook_duplicate_rate` alone duplicates).
    pub webhook_extra_copies: u32,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Self::default()
    }

    /// Answer 429 beyond `per_second` requests per second or `max_in_flight` requests
    /// at once.
    pub fn rate_limit(mut self, per_second: u32, max_in_flight: u32) -> Self {
        self.rate_limit = Some(RateLimit::new(per_second, max_in_flight));
        self
    }

    /// SmartRecruiters' documented limits (smartrecruiters.md §3), scaled:
    /// `per_second` and `max_in_flight` overall, and one `GET /candidates` at a time.
    pub fn smartrecruiters_rate_limit(mut self, per_second: u32, max_in_flight: u32) -> Self {
        self.rate_limit =
            Some(RateLimit::new(per_second, max_in_flight).endpoint_in_flight(CANDIDATES_LIST, 1));
        self
    }

    /// Delay every request by `latency`.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Answer a share `rate` of requests with 503.
    pub fn server_errors(mut self, rate: f64) -> Self {
        self.server_error_rate = rate;
        self
    }

    /// Answer a share `rate` of requests with 429.
    pub fn too_many_requests(mut self, rate: f64) -> Self {
        self.too_many_requests_rate = rate;
        self
    }

    /// Never send a share `rate` of webhook deliveries.
    pub fn drop_webhooks(mut self, rate: f64) -> Self {
        self.webhook_drop_rate = rate;
        self
    }

    /// Send a share `rate` of webhook deliveries `1 + extra_copies` times.
    pub fn duplicate_webhooks(mut self, rate: f64, extra_copies: u32) -> Self {
        self.webhook_duplicate_rate = rate;
        self.webhook_extra_copies = extra_copies;
        self
    }

    /// The client-side limits that keep a client under this vendor's simulated limit
    /// (unlimited when none is configured): 95% of the rate and of the burst. A
    /// client bucket smaller and slower than the server's never empties it, and the
    /// 5% of burst left over absorbs requests arriving later than their schedule (up
    /// to a twentieth of a second at any rate).
    pub fn client_rate_limits(&self) -> RateLimits {
        match &self.rate_limit {
            Some(limit) => {
                let rate = (limit.per_second * 19 / 20).max(1);
                RateLimits::new(
                    LimitSpec::default()
                        .per_second(rate)
                        .burst(rate)
                        .max_in_flight(limit.max_in_flight as usize),
                )
            }
            None => RateLimits::unlimited(),
        }
    }
}

/// A simulated rate limit: a token bucket of `per_second` tokens refilled at
/// `per_second` per second, plus a cap on requests in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per second, also the burst size.
    pub per_second: u32,
    /// Requests handled at the same time.
    pub max_in_flight: u32,
    /// Send `Retry-After` on 429. No vendor documents it (willo.md §3,
    /// smartrecruiters.md §3, lever.md §3 all mark it uncertain); on by default since the
    /// clients honour it when present.
    pub retry_after: bool,
    /// Caps on requests in flight to one endpoint, named as in
    /// [`crate::RequestStats::by_endpoint`] (`"GET /candidates"`).
    pub endpoint_in_flight: Vec<(String, u32)>,
}

impl RateLimit {
    /// `per_second` requests per second, `max_in_flight` at once, with `Retry-After`.
    pub fn new(per_second: u32, max_in_flight: u32) -> Self {
        Self {
            per_second: per_second.max(1),
            max_in_flight: max_in_flight.max(1),
            retry_after: true,
            endpoint_in_flight: Vec::new(),
        }
    }

    /// At most `max` requests in flight to `endpoint` (`"GET /candidates"`).
    pub fn endpoint_in_flight(mut self, endpoint: impl Into<String>, max: u32) -> Self {
        self.endpoint_in_flight.push((endpoint.into(), max.max(1)));
        self
    }
}

/// Why a request was refused by the limiter, and when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub retry_after_secs: u64,
}

/// The token bucket and in-flight count of one vendor.
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    tokens: f64,
    refilled: Instant,
    in_flight: u32,
}

impl Limiter {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            tokens: f64::from(limit.per_second),
            limit,
            refilled: Instant::now(),
            in_flight: 0,
        }
    }

    pub fn limit(&self) -> &RateLimit {
        &self.limit
    }

    /// Take a token and an in-flight slot, or say when to retry.
    pub fn try_acquire(&mut self) -> Result<(), Refusal> {
        let now = Instant::now();
        let rate = f64::from(self.limit.per_second);
        let elapsed = now.duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(rate);
        self.refilled = now;
        if self.in_flight >= self.limit.max_in_flight {
            return Err(Refusal {
                retry_after_secs: 1,
            });
        }
        if self.tokens < 1.0 {
            let wait = (1.0 - self.tokens) / rate;
            // Whole seconds, as `Retry-After` carries; at least one.
            let secs = wait.ceil().max(1.0);
            return Err(Refusal {
                retry_after_secs: secs as u64,
            });
        }
        self.tokens -= 1.0;
        self.in_flight += 1;
        Ok(())
    }

    pub fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Whole tokens left (for `X-RateLimit-Remaining`).
    pub fn remaining(&self) -> u32 {
        self.tokens.max(0.0) as u32
    }

    /// Free in-flight slots (for `X-RateLimit-Concurrent-Remaining`).
    pub fn concurrent_remaining(&self) -> u32 {
        self.limit.max_in_flight.saturating_sub(self.in_flight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bucket_refills_and_caps_in_flight() {
        let mut limiter = Limiter::new(RateLimit::new(2, 5));
        assert!(limiter.try_acquire().is_ok());
        assert!(limiter.try_acquire().is_ok());
        assert_eq!(
            limiter.try_acquire(),
            Err(Refusal {
                retry_after_secs: 1
            })
        );
        tokio::time::advance(Duration::from_millis(600)).await;
        assert!(limiter.try_acquire().is_ok(), "1.2 tokens refilled");

        let mut narrow = Limiter::new(RateLimit::new(100, 1));
        assert!(narrow.try_acquire().is_ok());
        assert!(narrow.try_acquire().is_err(), "one in flight");
        narrow.release();
        assert!(narrow.try_acquire().is_ok());
    }
}
