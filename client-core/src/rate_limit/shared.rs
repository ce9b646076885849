//! One limiter per credential across many clients.
//!
//! A bridge serving many customer accounts builds a client per account. Two accounts
//! may be connected with the same credential (one SmartRecruiters key for two business
//! units, say): the vendor counts that credential's requests together, so its clients
//! must pace together. Accounts with different credentials must never slow each other.
//! [`SharedLimiters`] hands out the live [`Limiter`] of each credential.
//!
//! Clients of one credential may be built with different limits (two connections
//! configured differently, or one connection's clients before and after an edit). The
//! vendor has one quota for the credential, so guessing it from whichever client came
//! first would be a coin toss; instead every request of the credential passes the
//! gates of every set of limits its live clients were built with: the strictest rate,
//! burst and concurrency apply to all of them, and a looser set takes over again once
//! the last client built with a stricter one is dropped.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::{Gates, Limiter, RateLimits, Scope};

/// Which credential a limiter paces: the vendor and an identity of the credential that
/// is not the secret itself.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CredentialKey {
    vendor: &'static str,
    identity: String,
}

impl CredentialKey {
    /// The credential known by a name that stays the same while its secret rotates: an
    /// OAuth grant's account or company id, a vault entry's name.
    pub fn named(vendor: &'static str, identity: impl Into<String>) -> Self {
        Self {
            vendor,
            identity: identity.into(),
        }
    }

    /// The credential known by its secret (an API key). Only a SHA-256 digest of the
    /// secret is kept, so the registry never holds a key.
    pub fn of_secret(vendor: &'static str, secret: &SecretString) -> Self {
        let digest = Sha256::digest(secret.expose_secret().as_bytes());
        let identity = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        Self { vendor, identity }
    }

    /// The vendor whose limits apply.
    pub fn vendor(&self) -> &'static str {
        self.vendor
    }
}

impl fmt::Debug for CredentialKey {
    // A digest of a key is not the key, but it still identifies one: keep it out of
    // logs as well.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialKey")
            .field("vendor", &self.vendor)
            .finish_non_exhaustive()
    }
}

/// The live limiter of each credential, shared by every client built for it.
///
/// Holds credentials weakly: when the last client of a credential is dropped (an idle
/// connection), its limiter goes too, and the next client starts a fresh one.
///
/// Clients asking with the same limits get the same [`Limiter`]. When clients of one
/// credential ask with different limits, each request of any of them passes the gates
/// of every set asked for, so the strictest of each (rate, burst, requests in flight,
/// per endpoint class too) holds for the credential as a whole; a set is forgotten
/// when the last client built with it is dropped.
///
/// ```
/// use client_core::rate_limit::{CredentialKey, SharedLimiters};
/// use client_core::{LimitSpec, RateLimits, SecretString};
///
/// let limiters = SharedLimiters::new();
/// let limits = RateLimits::new(LimitSpec::unlimited().per_second(10));
/// let key = SecretString::from("one-key-two-accounts");
/// let first = limiters.limiter(&CredentialKey::of_secret("smartrecruiters", &key), &limits);
/// let second = limiters.limiter(&CredentialKey::of_secret("smartrecruiters", &key), &limits);
/// assert!(std::sync::Arc::ptr_eq(&first, &second));
/// ```
#[derive(Default)]
pub struct SharedLimiters {
    live: Mutex<HashMap<CredentialKey, Weak<Credential>>>,
}

impl SharedLimiters {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limiter of `credential` for a client built with `limits`: the live one of
    /// that credential and those limits if a client still holds it, else a new one
    /// that paces together with the credential's other live limiters (each request
    /// waits for every set of limits of the credential: the strictest applies).
    pub fn limiter(&self, credential: &CredentialKey, limits: &RateLimits) -> Arc<Limiter> {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        let shared = match live.get(credential).and_then(Weak::upgrade) {
            Some(shared) => shared,
            None => {
                // Forget credentials nobody uses any more before adding one, so the map
                // stays the size of the live credentials.
                live.retain(|_, shared| shared.strong_count() > 0);
                let shared = Arc::new(Credential::default());
                live.insert(credential.clone(), Arc::downgrade(&shared));
                shared
            }
        };
        drop(live);
        Credential::join(&shared, limits)
    }

    /// Credentials with a live limiter.
    pub fn live(&self) -> usize {
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.values()
            .filter(|shared| shared.strong_count() > 0)
            .count()
    }
}

impl fmt::Debug for SharedLimiters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLimiters")
            .field("live", &self.live())
            .finish()
    }
}

/// One credential's live sets of limits, in the order they were first asked for.
#[derive(Default)]
struct Credential {
    sets: Mutex<Sets>,
}

#[derive(Default)]
struct Sets {
    members: Vec<Member>,
    /// The gates of `members`, in their order: what every request passes. Rebuilt
    /// when a set comes or goes, so a request copies one pointer.
    gates: Arc<[Arc<Gates>]>,
}

/// One set of limits and the limiter of the clients built with it.
struct Member {
    limits: RateLimits,
    gates: Arc<Gates>,
    limiter: Weak<Limiter>,
}

impl Sets {
    /// Drop the sets whose clients are all gone; whether any went.
    fn forget_unused(&mut self) -> bool {
        let before = self.members.len();
        // `strong_count`, not `upgrade`: an upgraded limiter dropped here, under the
        // lock, could be the last one and would take the lock again.
        self.members
            .retain(|member| member.limiter.strong_count() > 0);
        self.members.len() != before
    }

    fn refresh(&mut self) {
        self.gates = self
            .members
            .iter()
            .map(|member| member.gates.clone())
            .collect();
    }
}

impl Credential {
    fn lock(&self) -> MutexGuard<'_, Sets> {
        self.sets.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The limiter of the clients of `shared` built with `limits`.
    fn join(shared: &Arc<Self>, limits: &RateLimits) -> Arc<Limiter> {
        let mut sets = shared.lock();
        // The first live limiter found is returned, never dropped under the lock.
        if let Some(limiter) = sets
            .members
            .iter()
            .filter(|member| member.limits == *limits)
            .find_map(|member| member.limiter.upgrade())
        {
            return limiter;
        }
        let limiter = Arc::new(Limiter {
            scope: Scope::Shared(Membership {
                credential: shared.clone(),
            }),
        });
        sets.forget_unused();
        sets.members.push(Member {
            limits: limits.clone(),
            gates: Arc::new(Gates::new(limits)),
            limiter: Arc::downgrade(&limiter),
        });
        sets.refresh();
        limiter
    }
}

/// A shared limiter's place in its credential: its requests pass every live set's
/// gates, and its own set goes when it is dropped.
pub(super) struct Membership {
    credential: Arc<Credential>,
}

impl Membership {
    /// Every live set's gates, in a stable order.
    pub(super) fn gates(&self) -> Arc<[Arc<Gates>]> {
        self.credential.lock().gates.clone()
    }
}

impl Drop for Membership {
    // Runs as its limiter is dropped (its strong count already 0), so its set is one
    // of those forgotten here.
    fn drop(&mut self) {
        let mut sets = self.credential.lock();
        if sets.forget_unused() {
            sets.refresh();
        }
    }
}

impl fmt::Debug for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Membership")
            .field("sets", &self.credential.lock().members.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::LimitSpec;

    fn one_per_second() -> RateLimits {
        RateLimits::new(LimitSpec::unlimited().per_second(1))
    }

    #[test]
    fn one_credential_one_limiter_and_none_after_its_last_client() {
        let limiters = SharedLimiters::new();
        let key = SecretString::from("key-a");
        let a = CredentialKey::of_secret("lever", &key);
        let first = limiters.limiter(&a, &one_per_second());
        let again = limiters.limiter(&a, &one_per_second());
        assert!(Arc::ptr_eq(&first, &again));
        // The same secret at another vendor is another quota.
        let other_vendor =
            limiters.limiter(&CredentialKey::of_secret("willo", &key), &one_per_second());
        assert!(!Arc::ptr_eq(&first, &other_vendor));
        assert_eq!(limiters.live(), 2);
        drop((first, again, other_vendor));
        assert_eq!(limiters.live(), 0);
    }

    #[test]
    fn the_key_never_shows() {
        let key = CredentialKey::of_secret("lever", &SecretString::from("hunter2-secret"));
        let shown = format!("{key:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains(&key.identity), "{shown}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_shared_credential_paces_together_and_others_do_not_wait() {
        let limiters = SharedLimiters::new();
        let shared = CredentialKey::named("smartrecruiters", "company-1");
        let alone = CredentialKey::named("smartrecruiters", "company-2");
        let first = limiters.limiter(&shared, &one_per_second());
        let second = limiters.limiter(&shared, &one_per_second());
        let other = limiters.limiter(&alone, &one_per_second());

        let start = tokio::time::Instant::now();
        drop(first.acquire(None).await);
        drop(other.acquire(None).await);
        // Another credential's request did not wait behind company-1's.
        assert_eq!(start.elapsed(), Duration::ZERO);
        drop(second.acquire(None).await);
        // The second client of company-1 waited for the quota the first one used.
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    /// When each of `limiters` sends `each` requests one after the other, when the
    /// last one went out.
    async fn time_to_send(limiters: &[&Arc<Limiter>], each: usize) -> Duration {
        let start = tokio::time::Instant::now();
        for _ in 0..each {
            for limiter in limiters {
                drop(limiter.acquire(None).await);
            }
        }
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn different_limits_for_one_credential_pace_it_at_the_strictest_until_dropped() {
        let limiters = SharedLimiters::new();
        let key = CredentialKey::of_secret("lever", &SecretString::from("shared-key"));
        let loose = RateLimits::new(LimitSpec::unlimited().per_second(10));
        let strict = RateLimits::new(LimitSpec::unlimited().per_second(2));
        let first = limiters.limiter(&key, &loose);
        let second = limiters.limiter(&key, &strict);
        assert!(!Arc::ptr_eq(&first, &second));
        // The order the clients were built in does not matter: a third client asking
        // for the loose limits after the strict ones is paced as strictly.
        let third = limiters.limiter(&key, &loose);
        assert!(Arc::ptr_eq(&first, &third));

        // Five requests from each: ten at 2/s with burst 1, the last at 4.5 s.
        let elapsed = time_to_send(&[&first, &second], 5).await;
        assert_eq!(elapsed, Duration::from_millis(4500));
        // Another credential is not held back meanwhile.
        let other = limiters.limiter(
            &CredentialKey::of_secret("lever", &SecretString::from("other-key")),
            &loose,
        );
        assert_eq!(
            time_to_send(&[&other], 10).await,
            Duration::from_millis(900)
        );

        // The strict client is dropped: the loose limits hold again.
        drop(second);
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            time_to_send(&[&first, &third], 5).await,
            Duration::from_millis(900)
        );
        assert_eq!(limiters.live(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn the_strictest_cap_on_requests_in_flight_holds_for_every_client() {
        let limiters = SharedLimiters::new();
        let key = CredentialKey::named("smartrecruiters", "company-1");
        let wide = limiters.limiter(
            &key,
            &RateLimits::new(LimitSpec::unlimited().max_in_flight(8)),
        );
        let narrow = limiters.limiter(
            &key,
            &RateLimits::new(LimitSpec::unlimited().max_in_flight(1)),
        );
        let held = narrow.acquire(None).await;
        // The wide client's request waits for the one slot the narrow limits allow.
        let waiting = tokio::time::timeout(Duration::from_secs(1), wide.acquire(None)).await;
        assert!(
            waiting.is_err(),
            "a second request went out beside the first"
        );
        drop(held);
        let _permit = tokio::time::timeout(Duration::from_secs(1), wide.acquire(None))
            .await
            .expect("the slot came free");
    }
}
