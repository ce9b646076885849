//! One limiter per credential across many clients.
//!
//! A bridge serving many customer accounts builds a client per account. Two accounts
//! may be connected with the same credential (one SmartRecruiters key for two business
//! units, say): the vendor counts that credential's requests together, so its clients
//! must pace together. Accounts with different credentials must never slow each other.
//! [`SharedLimiters`] hands out the one live [`Limiter`] of each credential.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, Weak};

use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::{Limiter, RateLimits};

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
/// Holds limiters weakly: when the last client of a credential is dropped (an idle
/// connection), its limiter goes too, and the next client starts a fresh one.
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
    live: Mutex<HashMap<CredentialKey, Weak<Limiter>>>,
}

impl SharedLimiters {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limiter of `credential`: the live one if any client of that credential
    /// still holds it, else a new one built from `limits`. The limits of the first
    /// caller stay in force while the limiter lives (one credential has one quota).
    pub fn limiter(&self, credential: &CredentialKey, limits: &RateLimits) -> Arc<Limiter> {
        let mut live = self
            .live
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(limiter) = live.get(credential).and_then(Weak::upgrade) {
            return limiter;
        }
        // Forget credentials nobody uses any more before adding one, so the map stays
        // the size of the live credentials.
        live.retain(|_, limiter| limiter.strong_count() > 0);
        let limiter = limits.build();
        live.insert(credential.clone(), Arc::downgrade(&limiter));
        limiter
    }

    /// Credentials with a live limiter.
    pub fn live(&self) -> usize {
        let live = self
            .live
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        live.values()
            .filter(|limiter| limiter.strong_count() > 0)
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
}
