//! Outgoing webhook deliveries: sent in the background with a short timeout, counted,
//! and subject to the vendor's drop and duplicate faults.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use client_core::HttpClient;
use client_core::header::HeaderMap;
use tokio::runtime::Handle;
use tokio::sync::watch;

use super::faults::Faults;
use super::gate::{Vendor, lock};

/// What a simulator did with its webhook deliveries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryStats {
    /// Deliveries the simulator meant to send (one per event and subscription).
    pub emitted: u64,
    /// Deliveries never sent (drop fault).
    pub dropped: u64,
    /// Deliveries sent more than once (duplicate fault).
    pub duplicated: u64,
    /// HTTP requests made, copies included.
    pub sent: u64,
    /// Requests answered 2xx.
    pub delivered: u64,
    /// Requests answered otherwise, timed out or not connected.
    pub failed: u64,
    /// Requests that repeated a failed one ([`Redelivery`]); counted in `sent` too.
    pub redelivered: u64,
}

/// Whether a failed delivery is sent again. SmartRecruiters re-delivers up to 10 times
/// over a day (smartrecruiters.md §6.6); whether Willo and Lever do is undocumented.
/// Off by default; tests turn it on with short backoffs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redelivery {
    /// Further tries after a failure (0: never).
    pub attempts: u32,
    /// Wait before the first retry, doubled before each next one.
    pub backoff: Duration,
}

impl Default for Redelivery {
    fn default() -> Self {
        Self {
            attempts: 0,
            backoff: Duration::from_secs(1),
        }
    }
}

/// One delivery: where, which headers, what body.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub url: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Sends one vendor's deliveries.
#[derive(Debug, Clone)]
pub(crate) struct Deliverer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: HttpClient,
    runtime: Handle,
    timeout: Duration,
    redelivery: Redelivery,
    drop_rate: f64,
    duplicate_rate: f64,
    extra_copies: u32,
    rng: Mutex<fastrand::Rng>,
    stats: Mutex<DeliveryStats>,
    /// Deliveries not finished yet.
    pending: watch::Sender<usize>,
}

impl Deliverer {
    pub fn new(
        vendor: Vendor,
        faults: &Faults,
        seed: u64,
        http: HttpClient,
        timeout: Duration,
        redelivery: Redelivery,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                http,
                runtime: Handle::current(),
                timeout,
                redelivery,
                drop_rate: faults.webhook_drop_rate,
                duplicate_rate: faults.webhook_duplicate_rate,
                extra_copies: faults.webhook_extra_copies,
                rng: Mutex::new(fastrand::Rng::with_seed(seed ^ vendor.rng_salt(2))),
                stats: Mutex::new(DeliveryStats::default()),
                pending: watch::Sender::new(0),
            }),
        }
    }

    pub fn http(&self) -> &HttpClient {
        &self.inner.http
    }

    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    pub fn stats(&self) -> DeliveryStats {
        *lock(&self.inner.stats)
    }

    /// Decide the faults now (in call order, so a seed reproduces them), then send in
    /// the background: the original and any copies, one after the other.
    pub fn send(&self, outgoing: Outgoing) {
        let inner = &self.inner;
        let (drop_roll, duplicate_roll) = {
            let mut rng = lock(&inner.rng);
            (rng.f64(), rng.f64())
        };
        let copies = {
            let mut stats = lock(&inner.stats);
            stats.emitted += 1;
            if drop_roll < inner.drop_rate {
                stats.dropped += 1;
                return;
            }
            if duplicate_roll < inner.duplicate_rate {
                stats.duplicated += 1;
                1 + inner.extra_copies.max(1)
            } else {
                1
            }
        };
        inner.pending.send_modify(|n| *n += 1);
        let inner = Arc::clone(inner);
        self.inner.runtime.spawn(async move {
            for _ in 0..copies {
                let mut ok = post(&inner, &outgoing).await;
                record(&inner, ok, false);
                let mut wait = inner.redelivery.backoff;
                for _ in 0..inner.redelivery.attempts {
                    if ok {
                        break;
                    }
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                    ok = post(&inner, &outgoing).await;
                    record(&inner, ok, true);
                }
            }
            inner.pending.send_modify(|n| *n -= 1);
        });
    }

    /// Wait until every delivery started so far has been sent (or has failed).
    pub async fn idle(&self) {
        let mut pending = self.inner.pending.subscribe();
        // The sender lives in `inner`, which `self` keeps alive: this cannot fail.
        let _ = pending.wait_for(|n| *n == 0).await;
    }
}

fn record(inner: &Inner, ok: bool, redelivery: bool) {
    let mut stats = lock(&inner.stats);
    stats.sent += 1;
    stats.redelivered += u64::from(redelivery);
    if ok {
        stats.delivered += 1;
    } else {
        stats.failed += 1;
    }
}

async fn post(inner: &Inner, outgoing: &Outgoing) -> bool {
    let request = inner
        .http
        .post(&outgoing.url)
        .headers(outgoing.headers.clone())
        .body(outgoing.body.clone())
        .timeout(inner.timeout);
    match request.send().await {
        Ok(response) => response.status().is_success(),
        Err(error) => {
            tracing::debug!(error = %error.without_url(), "sandbox webhook delivery failed");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(seed: u64) -> (Vec<u64>, DeliveryStats) {
        let faults = Faults::none().drop_webhooks(0.3).duplicate_webhooks(0.3, 2);
        let deliverer = Deliverer::new(
            Vendor::Lever,
            &faults,
            seed,
            HttpClient::new(),
            Duration::from_millis(200),
            Redelivery::default(),
        );
        let mut dropped_after = Vec::new();
        for _ in 0..20 {
            // Port 1 refuses connections: every send fails fast.
            deliverer.send(Outgoing {
                url: "http://127.0.0.1:1/".into(),
                headers: HeaderMap::new(),
                body: Vec::new(),
            });
            dropped_after.push(deliverer.stats().dropped);
        }
        deliverer.idle().await;
        (dropped_after, deliverer.stats())
    }

    #[tokio::test]
    async fn faults_follow_the_seed_and_every_copy_is_counted() {
        let (drops, stats) = run(5).await;
        assert_eq!(
            run(5).await.0,
            drops,
            "same seed, same drops in the same order"
        );
        assert_eq!(stats.emitted, 20);
        assert!(stats.dropped > 0 && stats.duplicated > 0, "{stats:?}");
        let copies = (stats.emitted - stats.dropped) + 2 * stats.duplicated;
        assert_eq!(stats.sent, copies);
        assert_eq!((stats.failed, stats.delivered), (copies, 0));
    }
}
