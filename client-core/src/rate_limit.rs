//! Client-side pacing: a GCRA rate limiter (the `governor` crate) and a concurrency cap
//! per credential, plus optional tighter limits per endpoint class
//! (SmartRecruiters allows one `GET /candidates` in flight; publication endpoints 2 req/s).
//!
//! Pacing ourselves below the vendor's limit is what keeps 429s at zero; the retry
//! policy only handles the 429s that slip through.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use reqwest::header::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

mod shared;
pub use shared::{CredentialKey, SharedLimiters};

/// Limits for one scope (the credential as a whole, or one endpoint class).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LimitSpec {
    /// Sustained requests per second; `None` for no rate limit.
    pub per_second: Option<NonZeroU32>,
    /// Requests that may go out at once after an idle spell; defaults to 1 (smooth pacing).
    pub burst: Option<NonZeroU32>,
    /// Requests in flight at once; `None` for no cap.
    pub max_in_flight: Option<usize>,
}

impl LimitSpec {
    /// No limits at all.
    pub const fn unlimited() -> Self {
        Self {
            per_second: None,
            burst: None,
            max_in_flight: None,
        }
    }

    /// Limit to `n` requests per second (0 means unlimited).
    pub fn per_second(mut self, n: u32) -> Self {
        self.per_second = NonZeroU32::new(n);
        self
    }

    /// Allow bursts of up to `n` requests (0 resets to the default of 1).
    pub fn burst(mut self, n: u32) -> Self {
        self.burst = NonZeroU32::new(n);
        self
    }

    /// Allow at most `n` requests in flight.
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n.max(1));
        self
    }
}

/// The limits of one credential: one [`LimitSpec`] that every request obeys and
/// optional extra specs per endpoint class that requests of that class obey as well.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RateLimits {
    credential: LimitSpec,
    classes: BTreeMap<String, LimitSpec>,
}

impl RateLimits {
    /// Limits that apply to every request made with the credential.
    pub fn new(credential: LimitSpec) -> Self {
        Self {
            credential,
            classes: BTreeMap::new(),
        }
    }

    /// No client-side limits.
    pub fn unlimited() -> Self {
        Self::default()
    }

    /// Replace the credential-wide limits, keeping the endpoint classes' (a customer
    /// whose account the vendor allows more, or less, than the client's default).
    pub fn with_credential(mut self, credential: LimitSpec) -> Self {
        self.credential = credential;
        self
    }

    /// Add (or replace) the extra limits for requests tagged with endpoint class `name`.
    pub fn class(mut self, name: impl Into<String>, spec: LimitSpec) -> Self {
        self.classes.insert(name.into(), spec);
        self
    }

    /// The credential-wide limits.
    pub fn credential(&self) -> LimitSpec {
        self.credential
    }

    /// The extra limits of one endpoint class, if configured.
    pub fn class_spec(&self, name: &str) -> Option<LimitSpec> {
        self.classes.get(name).copied()
    }

    /// Build the live limiter. Share the result between clients that use the same
    /// credential so they pace together.
    pub fn build(&self) -> Arc<Limiter> {
        Arc::new(Limiter {
            scope: Scope::Alone(Arc::new(Gates::new(self))),
        })
    }
}

/// A governor clock on tokio's time, so tests with a paused clock pace deterministically.
#[derive(Debug, Clone)]
struct TokioClock {
    origin: tokio::time::Instant,
}

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
    }
}

type Gcra = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>;

#[derive(Debug)]
struct Gate {
    rate: Option<Gcra>,
    in_flight: Option<Arc<Semaphore>>,
}

impl Gate {
    fn new(spec: LimitSpec) -> Self {
        let rate = spec.per_second.map(|n| {
            let quota = Quota::per_second(n).allow_burst(spec.burst.unwrap_or(NonZeroU32::MIN));
            RateLimiter::direct_with_clock(
                quota,
                TokioClock {
                    origin: tokio::time::Instant::now(),
                },
            )
        });
        let in_flight = spec.max_in_flight.map(|n| Arc::new(Semaphore::new(n)));
        Self { rate, in_flight }
    }

    async fn enter(&self, permits: &mut Vec<OwnedSemaphorePermit>) {
        if let Some(semaphore) = &self.in_flight {
            // The semaphore is never closed, so acquiring cannot fail.
            if let Ok(permit) = semaphore.clone().acquire_owned().await {
                permits.push(permit);
            }
        }
    }

    async fn pace(&self) {
        let Some(limiter) = &self.rate else { return };
        while let Err(not_until) = limiter.check() {
            let wait = not_until.wait_time_from(limiter.clock().now());
            tokio::time::sleep(wait).await;
        }
    }
}

/// The gates of one [`RateLimits`]: the credential's and each endpoint class's.
#[derive(Debug)]
struct Gates {
    credential: Gate,
    classes: HashMap<String, Gate>,
}

impl Gates {
    fn new(limits: &RateLimits) -> Self {
        Self {
            credential: Gate::new(limits.credential),
            classes: limits
                .classes
                .iter()
                .map(|(name, spec)| (name.clone(), Gate::new(*spec)))
                .collect(),
        }
    }

    /// Pass every gate of `sets` for a request of `class`: concurrency slots first
    /// (in each set the class's, the narrowest, before the credential's, so a waiting
    /// request holds no credential slot), the rate tokens last, right before sending.
    /// Every caller walks `sets` in the same order, so slots are never taken in
    /// opposite orders by two requests.
    async fn pass(sets: &[Arc<Gates>], class: Option<&str>) -> Permit {
        let mut slots = Vec::with_capacity(2 * sets.len());
        for gates in sets {
            let class_gate = class.and_then(|c| gates.classes.get(c));
            if let Some(gate) = class_gate {
                gate.enter(&mut slots).await;
            }
            gates.credential.enter(&mut slots).await;
        }
        for gates in sets {
            if let Some(gate) = class.and_then(|c| gates.classes.get(c)) {
                gate.pace().await;
            }
            gates.credential.pace().await;
        }
        Permit { _slots: slots }
    }
}

/// Whose gates a [`Limiter`] passes.
#[derive(Debug)]
enum Scope {
    /// Its own: built by [`RateLimits::build`].
    Alone(Arc<Gates>),
    /// Every live set of limits of its credential: handed out by [`SharedLimiters`].
    Shared(shared::Membership),
}

/// The live limiter of one credential. Obtain it from [`RateLimits::build`], or from
/// [`SharedLimiters::limiter`] when several clients use the credential.
#[derive(Debug)]
pub struct Limiter {
    scope: Scope,
}

/// Held while a request is in flight; dropping it frees the concurrency slots.
#[derive(Debug)]
pub struct Permit {
    _slots: Vec<OwnedSemaphorePermit>,
}

impl Limiter {
    /// Wait until a request of endpoint class `class` may go out. Concurrency slots are
    /// taken first (narrowest first, so a waiting request holds no credential slot), the
    /// rate tokens last, right before sending. A limiter from [`SharedLimiters`] waits
    /// for every set of limits its credential's live clients were built with, so the
    /// strictest applies.
    pub async fn acquire(&self, class: Option<&str>) -> Permit {
        match &self.scope {
            Scope::Alone(gates) => Gates::pass(std::slice::from_ref(gates), class).await,
            Scope::Shared(membership) => Gates::pass(&membership.gates(), class).await,
        }
    }
}

/// The vendor's own view of our quota, read from `X-RateLimit-*` response headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RateLimitStatus {
    /// `X-RateLimit-Limit`.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Concurrent-Limit` (SmartRecruiters).
    pub concurrent_limit: Option<u64>,
    /// `X-RateLimit-Concurrent-Remaining` (SmartRecruiters).
    pub concurrent_remaining: Option<u64>,
    /// `X-RateLimit-Reset`, as the vendor sent it (seconds or epoch; vendors differ).
    pub reset: Option<u64>,
}

impl RateLimitStatus {
    /// Read the headers; `None` when the response carried none of them.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let read = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
        };
        let status = Self {
            limit: read("x-ratelimit-limit"),
            remaining: read("x-ratelimit-remaining"),
            concurrent_limit: read("x-ratelimit-concurrent-limit"),
            concurrent_remaining: read("x-ratelimit-concurrent-remaining"),
            reset: read("x-ratelimit-reset"),
        };
        (status != Self::default()).then_some(status)
    }
}

/// The last [`RateLimitStatus`] seen, shared by the requests of one client.
#[derive(Debug, Default)]
pub(crate) struct LastSeen(Mutex<Option<RateLimitStatus>>);

impl LastSeen {
    pub(crate) fn record(&self, headers: &HeaderMap) {
        if let Some(status) = RateLimitStatus::from_headers(headers)
            && let Ok(mut slot) = self.0.lock()
        {
            *slot = Some(status);
        }
    }

    pub(crate) fn get(&self) -> Option<RateLimitStatus> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn rate_is_never_exceeded() {
        let limiter = RateLimits::new(LimitSpec::default().per_second(10)).build();
        let start = tokio::time::Instant::now();
        let mut stamps = Vec::new();
        for _ in 0..30 {
            let _permit = limiter.acquire(None).await;
            stamps.push(start.elapsed());
        }
        // 30 requests at 10/s with burst 1: the 30th goes out at 2.9 s.
        assert_eq!(stamps[29], Duration::from_millis(2900));
        for window in stamps.windows(11) {
            assert!(
                window[10] - window[0] >= Duration::from_secs(1),
                "{window:?}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn burst_goes_out_at_once_then_paces() {
        let limiter = RateLimits::new(LimitSpec::default().per_second(10).burst(20)).build();
        let start = tokio::time::Instant::now();
        for _ in 0..20 {
            let _permit = limiter.acquire(None).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        let _permit = limiter.acquire(None).await;
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn class_concurrency_is_capped_separately() {
        let limiter = RateLimits::new(LimitSpec::default().max_in_flight(8))
            .class("candidates.list", LimitSpec::default().max_in_flight(1))
            .build();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (limiter, in_flight, peak) = (limiter.clone(), in_flight.clone(), peak.clone());
                tokio::spawn(async move {
                    let _permit = limiter.acquire(Some("candidates.list")).await;
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn replacing_the_credential_limits_keeps_the_classes() {
        let class = LimitSpec::default().max_in_flight(1);
        let limits = RateLimits::new(LimitSpec::default().per_second(10))
            .class("candidates.list", class)
            .with_credential(LimitSpec::default().per_second(3).burst(6));
        assert_eq!(
            limits.credential(),
            LimitSpec::default().per_second(3).burst(6)
        );
        assert_eq!(limits.class_spec("candidates.list"), Some(class));
    }

    #[test]
    fn reads_vendor_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("X-RateLimit-Limit", "10".parse().unwrap());
        headers.insert("X-RateLimit-Remaining", "7".parse().unwrap());
        headers.insert("X-RateLimit-Concurrent-Remaining", "3".parse().unwrap());
        let status = RateLimitStatus::from_headers(&headers).unwrap();
        assert_eq!(status.limit, Some(10));
        assert_eq!(status.remaining, Some(7));
        assert_eq!(status.concurrent_remaining, Some(3));
        assert_eq!(RateLimitStatus::from_headers(&HeaderMap::new()), None);
    }
}
