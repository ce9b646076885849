//! Building blocks for verifying webhook deliveries, shared by the vendor crates:
//! HMAC-SHA256, constant-time comparison, an injectable clock for staleness windows,
//! and a replay guard.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Compare two secrets or signatures without leaking, through timing, how much of them
/// matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA256 of `message` under `key`, as lowercase hex.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    hex(&hmac_sha256(key, message))
}

/// Lowercase hex SHA-256 of `bytes`: a content fingerprint, for deduplicating
/// deliveries that carry no id of their own.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 0x0f) as usize] as char);
    }
    out
}

/// Where "now" comes from when judging whether a delivery is stale. Inject a fixed
/// clock in tests.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time in milliseconds since the Unix epoch.
    fn now_millis(&self) -> u128 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock stuck at one instant (tests).
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    /// A clock at `millis` milliseconds after the Unix epoch.
    pub fn at_millis(millis: u64) -> Self {
        Self(UNIX_EPOCH + Duration::from_millis(millis))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// Remembers delivery tokens (or ids) already accepted, so a captured delivery
/// cannot be played again.
pub trait ReplayGuard: Send + Sync + fmt::Debug {
    /// Record `token`; `false` if it was already seen (the delivery is a replay).
    fn first_sighting(&self, token: &str) -> bool;
}

/// An in-memory [`ReplayGuard`] remembering tokens for `ttl` and at most `capacity`
/// of them (oldest forgotten first). Use a shared store instead when several
/// processes receive the same webhooks.
#[derive(Debug)]
pub struct InMemoryReplayGuard {
    ttl: Duration,
    capacity: usize,
    clock: Box<dyn Clock>,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    at: HashMap<String, SystemTime>,
    order: VecDeque<(SystemTime, String)>,
}

impl InMemoryReplayGuard {
    /// Remember tokens for `ttl` (match it to the staleness window), up to `capacity`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self::with_clock(ttl, capacity, Box::new(SystemClock))
    }

    /// Same, with an injected clock.
    pub fn with_clock(ttl: Duration, capacity: usize, clock: Box<dyn Clock>) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            clock,
            seen: Mutex::new(Seen::default()),
        }
    }
}

impl ReplayGuard for InMemoryReplayGuard {
    fn first_sighting(&self, token: &str) -> bool {
        let now = self.clock.now();
        let Ok(mut seen) = self.seen.lock() else {
            return false;
        };
        while let Some((at, _)) = seen.order.front() {
            let expired = now.duration_since(*at).is_ok_and(|age| age > self.ttl);
            if !expired && seen.order.len() < self.capacity {
                break;
            }
            if let Some((at, old)) = seen.order.pop_front() {
                if seen.at.get(&old) == Some(&at) {
                    seen.at.remove(&old);
                }
            }
        }
        if seen.at.contains_key(token) {
            return false;
        }
        seen.at.insert(token.to_owned(), now);
        seen.order.push_back((now, token.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn replay_guard_rejects_repeats_and_forgets_after_ttl() {
        let guard = InMemoryReplayGuard::new(Duration::from_secs(300), 2);
        assert!(guard.first_sighting("a"));
        assert!(!guard.first_sighting("a"));
        assert!(guard.first_sighting("b"));
        // Capacity 2: remembering "c" forgets "a".
        assert!(guard.first_sighting("c"));
        assert!(guard.first_sighting("a"));
    }
}
