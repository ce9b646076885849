//! Building blocks for verifying webhook deliveries, shared by the vendor crates:
//! the request a verifier reads ([`WebhookRequest`]), the set of accepted secrets
//! ([`Secrets`]), the staleness window ([`Window`]), HMAC-SHA256, constant-time
//! comparison, an injectable clock, a replay guard, and what the test signers return
//! ([`SignedRequest`]).
//!
//! Every vendor crate's `WebhookVerifier` is built from these, so the verbs are the
//! same everywhere: `new(secret)`, `also_accept(secret)`, `tolerance(window)`,
//! `without_tolerance()`, `clock(clock)`, `verify(&WebhookRequest)`.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use secrecy::SecretString;

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
///
/// Checking and remembering are separate steps: a receiver remembers a token only once
/// it has accepted the delivery (stored or acted on it), so the vendor's retry of a
/// delivery whose processing failed is not refused as a replay.
pub trait ReplayGuard: Send + Sync + fmt::Debug {
    /// Whether `token` was remembered (and not yet forgotten).
    fn seen(&self, token: &str) -> bool;

    /// Remember `token`.
    fn remember(&self, token: &str);

    /// Check and remember in one step: `false` if `token` was already seen.
    fn first_sighting(&self, token: &str) -> bool {
        if self.seen(token) {
            return false;
        }
        self.remember(token);
        true
    }
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

    /// The remembered tokens, with the expired ones (and those over capacity) forgotten;
    /// `None` if the lock is poisoned.
    fn current(&self) -> Option<(SystemTime, std::sync::MutexGuard<'_, Seen>)> {
        let now = self.clock.now();
        let mut seen = self.seen.lock().ok()?;
        while let Some((at, _)) = seen.order.front() {
            let expired = now.duration_since(*at).is_ok_and(|age| age > self.ttl);
            if !expired && seen.order.len() < self.capacity {
                break;
            }
            if let Some((at, old)) = seen.order.pop_front()
                && seen.at.get(&old) == Some(&at)
            {
                seen.at.remove(&old);
            }
        }
        Some((now, seen))
    }
}

impl ReplayGuard for InMemoryReplayGuard {
    fn seen(&self, token: &str) -> bool {
        // A poisoned lock errs on the side of refusing.
        self.current()
            .is_none_or(|(_, seen)| seen.at.contains_key(token))
    }

    fn remember(&self, token: &str) {
        if let Some((now, mut seen)) = self.current()
            && !seen.at.contains_key(token)
        {
            seen.at.insert(token.to_owned(), now);
            seen.order.push_back((now, token.to_owned()));
        }
    }
}

/// What is wrong with a body that did not parse, without quoting it: the parser's own
/// messages quote values (`invalid type: string "…"`), and an unauthenticated sender
/// must not get its input echoed back or written to a log.
pub fn json_error_summary(error: &serde_json::Error) -> String {
    let kind = match error.classify() {
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "not JSON",
        serde_json::error::Category::Data => "not the expected shape",
        serde_json::error::Category::Eof => "cut short",
    };
    format!(
        "the body is {kind} (line {}, column {})",
        error.line(),
        error.column()
    )
}

/// One incoming webhook request, as any HTTP framework hands it over: the headers, the
/// query string (without `?`), the event the URL path names where a receiver routes by
/// it, and the raw body. Verifiers take this one type, not
/// `(headers, body)`, because where the proof travels differs by vendor: a header
/// signature (SmartRecruiters), fields of the body (Lever), or a token in the URL the
/// receiver registered (Willo). With it, `verify` has one signature in all three crates.
#[derive(Clone, Copy)]
pub struct WebhookRequest<'a> {
    headers: &'a HeaderMap,
    query: Option<&'a str>,
    path_event: Option<&'a str>,
    body: &'a [u8],
}

impl<'a> WebhookRequest<'a> {
    /// A request with these headers and raw body, and no query string.
    pub fn new(headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Self {
            headers,
            query: None,
            path_event: None,
            body,
        }
    }

    /// With the URL's query string (`uri.query()`; a leading `?` is ignored).
    pub fn query(mut self, query: Option<&'a str>) -> Self {
        self.query = query.map(|q| q.strip_prefix('?').unwrap_or(q));
        self
    }

    /// With the event the URL path names (`/webhooks/willo/{event}`), for senders whose
    /// bodies do not name it; it wins over one in the query string.
    pub fn path_event(mut self, event: Option<&'a str>) -> Self {
        self.path_event = event;
        self
    }

    /// The event the URL path names, if any.
    pub fn event_in_path(&self) -> Option<&'a str> {
        self.path_event
    }

    /// The request headers.
    pub fn headers(&self) -> &'a HeaderMap {
        self.headers
    }

    /// The query string, if any.
    pub fn query_string(&self) -> Option<&'a str> {
        self.query
    }

    /// The raw body.
    pub fn body(&self) -> &'a [u8] {
        self.body
    }
}

impl fmt::Debug for WebhookRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may hold a URL token and the body personal data: show sizes only.
        f.debug_struct("WebhookRequest")
            .field("headers", &self.headers.len())
            .field("query", &self.query.map(|_| "[redacted]"))
            .field("path_event", &self.path_event)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// A request as the vendor would send it, produced by each crate's test signer
/// (`TestDelivery::sign`): feed [`SignedRequest::request`] to a verifier or post the
/// parts to your handler.
#[derive(Clone, Default)]
pub struct SignedRequest {
    /// Headers (signature headers included where the vendor uses them).
    pub headers: HeaderMap,
    /// The query string to append to the receiving URL (Willo's token), if any.
    pub query: Option<String>,
    /// The raw body.
    pub body: Vec<u8>,
}

impl SignedRequest {
    /// Borrow it as the request a verifier reads.
    pub fn request(&self) -> WebhookRequest<'_> {
        WebhookRequest::new(&self.headers, &self.body).query(self.query.as_deref())
    }
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("headers", &self.headers.len())
            .field("query", &self.query.as_ref().map(|_| "[redacted]"))
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

/// The secrets a verifier accepts: one, or several while a secret is rotated.
#[derive(Clone, Default)]
pub struct Secrets(Vec<SecretString>);

impl Secrets {
    /// Accept `secret`.
    pub fn new(secret: SecretString) -> Self {
        Self(vec![secret])
    }

    /// Accept `secret` as well.
    pub fn push(&mut self, secret: SecretString) {
        self.0.push(secret);
    }

    /// How many secrets are accepted.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether any `received` proof equals what any secret expects (`expected`
    /// returns `None` for a secret that can never match, such as an empty token).
    /// Every pair is compared in constant time and none is skipped, so timing says
    /// nothing about which secret or entry matched.
    pub fn any_match(
        &self,
        received: &[&[u8]],
        expected: impl Fn(&SecretString) -> Option<String>,
    ) -> bool {
        let mut matched = false;
        for secret in &self.0 {
            let Some(expected) = expected(secret) else {
                continue;
            };
            for proof in received {
                matched |= constant_time_eq(expected.as_bytes(), proof);
            }
        }
        matched
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{} redacted]", self.0.len())
    }
}

/// How far a delivery's timestamp may be from now, judged by an injectable clock.
#[derive(Debug, Clone)]
pub struct Window {
    tolerance: Option<Duration>,
    clock: Arc<dyn Clock>,
}

/// A timestamp outside the [`Window`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stale {
    /// How far the timestamp is from now (either way).
    pub age: Duration,
    /// The configured tolerance.
    pub tolerance: Duration,
    /// Now, by the window's clock.
    pub now: SystemTime,
}

impl Window {
    /// A window of `tolerance` on the system clock.
    pub fn new(tolerance: Duration) -> Self {
        Self {
            tolerance: Some(tolerance),
            clock: Arc::new(SystemClock),
        }
    }

    /// Accept timestamps at most `tolerance` away from now.
    pub fn set_tolerance(&mut self, tolerance: Option<Duration>) {
        self.tolerance = tolerance;
    }

    /// Judge with this clock.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// The tolerance, `None` when staleness is not checked.
    pub fn tolerance(&self) -> Option<Duration> {
        self.tolerance
    }

    /// Check a timestamp in whole seconds since the Unix epoch (compared at second
    /// precision, as sent).
    pub fn check_secs(&self, timestamp: u64) -> Result<(), Stale> {
        let Some(tolerance) = self.tolerance else {
            return Ok(());
        };
        let now = self.clock.now();
        let now_secs = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let age = Duration::from_secs(now_secs.abs_diff(timestamp));
        if age.as_secs() > tolerance.as_secs() {
            return Err(Stale {
                age,
                tolerance,
                now,
            });
        }
        Ok(())
    }

    /// Check a timestamp in milliseconds since the Unix epoch.
    pub fn check_millis(&self, timestamp: u64) -> Result<(), Stale> {
        let Some(tolerance) = self.tolerance else {
            return Ok(());
        };
        let now = self.clock.now();
        let age_ms = self.clock.now_millis().abs_diff(u128::from(timestamp));
        if age_ms > tolerance.as_millis() {
            return Err(Stale {
                age: Duration::from_millis(u64::try_from(age_ms).unwrap_or(u64::MAX)),
                tolerance,
                now,
            });
        }
        Ok(())
    }
}

/// Adds `also_accept` to a verifier whose field `$secrets` is a [`Secrets`], and, with
/// a second field `$window` that is a [`Window`], `tolerance`, `without_tolerance` and
/// `clock`. Invoke it inside the verifier's `impl` block, so the three crates share
/// one set of verbs and docs.
#[macro_export]
macro_rules! webhook_verifier_setters {
    ($secrets:ident) => {
        /// Also accept deliveries proven with `secret` (during a rotation, or when one
        /// endpoint receives several webhooks). Every secret is tried on every
        /// delivery, in constant time.
        pub fn also_accept(mut self, secret: $crate::SecretString) -> Self {
            self.$secrets.push(secret);
            self
        }
    };
    ($secrets:ident, $window:ident) => {
        $crate::webhook_verifier_setters!($secrets);

        /// Reject deliveries whose timestamp is further than `tolerance` from now, in
        /// either direction.
        pub fn tolerance(mut self, tolerance: ::std::time::Duration) -> Self {
            self.$window.set_tolerance(Some(tolerance));
            self
        }

        /// Do not check timestamps at all (signatures are still checked).
        pub fn without_tolerance(mut self) -> Self {
            self.$window.set_tolerance(None);
            self
        }

        /// Judge staleness with this clock (a `FixedClock` in tests).
        pub fn clock(mut self, clock: ::std::sync::Arc<dyn $crate::webhook::Clock>) -> Self {
            self.$window.set_clock(clock);
            self
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_error_summary_never_quotes_the_body() {
        let body = format!(r#"{{"triggeredAt": "{}"}}"#, "secret".repeat(10));
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Shape {
            #[serde(rename = "triggeredAt")]
            triggered_at: u64,
        }
        let error = serde_json::from_str::<Shape>(&body).err().unwrap();
        assert!(error.to_string().contains("secret"), "serde quotes it");
        let summary = json_error_summary(&error);
        assert!(!summary.contains("secret"), "{summary}");
        assert!(summary.starts_with("the body is not the expected shape (line 1"));
    }

    #[test]
    fn secrets_match_any_pair_and_skip_unusable_secrets() {
        let mut secrets = Secrets::new(SecretString::from("old"));
        secrets.push(SecretString::from(""));
        let expected = |s: &SecretString| {
            use secrecy::ExposeSecret;
            (!s.expose_secret().is_empty()).then(|| s.expose_secret().to_owned())
        };
        assert!(secrets.any_match(&[b"x", b"old"], expected));
        assert!(!secrets.any_match(&[b"new"], expected));
        // The empty secret never matches, not even an empty proof.
        assert!(!secrets.any_match(&[b""], expected));
        assert_eq!(format!("{secrets:?}"), "[2 redacted]");
    }

    #[test]
    fn window_checks_both_directions_and_can_be_off() {
        let mut window = Window::new(Duration::from_secs(300));
        window.set_clock(Arc::new(FixedClock::at_millis(1_000_000)));
        assert!(window.check_secs(1_000 - 300).is_ok());
        assert!(window.check_secs(1_000 + 300).is_ok());
        let stale = window.check_secs(1_000 - 301).unwrap_err();
        assert_eq!(stale.age, Duration::from_secs(301));
        assert_eq!(stale.tolerance, Duration::from_secs(300));
        assert!(window.check_millis(1_000_000 - 300_000).is_ok());
        assert!(window.check_millis(1_000_000 + 300_001).is_err());
        window.set_tolerance(None);
        assert!(window.check_secs(0).is_ok());
    }

    #[test]
    fn requests_hide_query_and_body_in_debug() {
        let headers = HeaderMap::new();
        let request = WebhookRequest::new(&headers, b"secret body").query(Some("?token=t0k3n"));
        assert_eq!(request.query_string(), Some("token=t0k3n"));
        let shown = format!("{request:?}");
        assert!(!shown.contains("t0k3n") && !shown.contains("secret body"));
    }

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
