//! The middleware every simulated request passes: counting, authentication with the
//! vendor's 401, then the faults of [`super::faults`] — all decided before the handler
//! runs, so a refused or failed request never changes state.
//!
//! Which account a credential belongs to is the front door's business
//! ([`super::door`]): it marks a request whose credential it recognised with
//! [`Authenticated`] before handing it to that account's router, so the gate only looks
//! for the mark (and answers the vendor's 401 without it).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use serde_json::{Value, json};

use super::faults::{Faults, Limiter};

/// Which API a simulator speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// Willo's Integration API v2.
    Willo,
    /// SmartRecruiters' Customer API.
    SmartRecruiters,
    /// Lever's Data API v1.
    Lever,
}

impl Vendor {
    /// The vendor's error body for `status` (willo.md §4 DRF `{detail}`,
    /// smartrecruiters.md §4 `{message, errors[{code, message}]}`, lever.md §4
    /// `{code, message}`).
    pub(crate) fn error_body(self, status: StatusCode, message: &str) -> Value {
        let code = match status {
            StatusCode::UNAUTHORIZED => "Unauthorized",
            StatusCode::NOT_FOUND => "ResourceNotFound",
            StatusCode::TOO_MANY_REQUESTS => "TooManyRequests",
            StatusCode::BAD_REQUEST => "BadRequestError",
            _ if status.is_server_error() => "InternalServerError",
            _ => "Error",
        };
        match self {
            Vendor::Willo => json!({ "detail": message }),
            Vendor::SmartRecruiters => json!({
                "message": message,
                "errors": [{ "code": screaming(code), "message": message }],
            }),
            Vendor::Lever => json!({ "code": code, "message": message }),
        }
    }

    /// The vendor's error response.
    pub(crate) fn error(self, status: StatusCode, message: &str) -> Response {
        (status, axum::Json(self.error_body(status, message))).into_response()
    }

    fn salt(self) -> u64 {
        match self {
            Vendor::Willo => 0x5749_4c4c,
            Vendor::SmartRecruiters => 0x5352_5352,
            Vendor::Lever => 0x4c45_5645,
        }
    }

    /// A RNG salt distinct per vendor and per purpose.
    pub(crate) fn rng_salt(self, purpose: u64) -> u64 {
        self.salt().rotate_left(17) ^ purpose
    }
}

/// `TooManyRequests` → `TOO_MANY_REQUESTS`.
fn screaming(code: &str) -> String {
    let mut out = String::new();
    for (i, c) in code.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// What a simulator counted: every request, by endpoint, and the faults it answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// Every request received.
    pub total: u64,
    /// Requests by `METHOD /route/{param}` (the route template, not the ids).
    pub by_endpoint: BTreeMap<String, u64>,
    /// Requests refused with 401.
    pub unauthorized: u64,
    /// Requests answered 429 (by the limit or by injection).
    pub rate_limited: u64,
    /// Requests answered 5xx by injection.
    pub server_errors: u64,
}

impl RequestStats {
    /// Requests to one endpoint, e.g. `"GET /candidates"`.
    pub fn endpoint(&self, endpoint: &str) -> u64 {
        self.by_endpoint.get(endpoint).copied().unwrap_or(0)
    }
}

/// The front door's mark on a request whose credential belongs to the account whose
/// router receives it (set in-process only: a client cannot send it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Authenticated;

/// One vendor's gate: its credential, faults, RNG, limiter and counters.
#[derive(Debug)]
pub(crate) struct Gate {
    vendor: Vendor,
    faults: Faults,
    rng: Mutex<fastrand::Rng>,
    limiter: Option<Mutex<Limiter>>,
    /// In flight and allowed, per capped endpoint.
    endpoint_slots: HashMap<String, Mutex<(u32, u32)>>,
    stats: Mutex<RequestStats>,
    /// Random 429 and 5xx rates switched on while running (see
    /// [`super::Sandbox::inject_errors`]), in place of the configured ones.
    injected: Mutex<Option<ErrorRates>>,
}

/// Shares of requests answered with a random 429 and a random 503.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ErrorRates {
    pub too_many_requests: f64,
    pub server_errors: f64,
}

/// Lock, recovering from a poisoned mutex: the simulators' state stays usable even if
/// a handler panicked mid-test.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Gate {
    pub fn new(vendor: Vendor, faults: Faults, seed: u64) -> Self {
        Self {
            vendor,
            endpoint_slots: faults
                .rate_limit
                .iter()
                .flat_map(|l| &l.endpoint_in_flight)
                .map(|(endpoint, max)| (endpoint.clone(), Mutex::new((0, *max))))
                .collect(),
            limiter: faults
                .rate_limit
                .clone()
                .map(|l| Mutex::new(Limiter::new(l))),
            faults,
            rng: Mutex::new(fastrand::Rng::with_seed(seed ^ vendor.rng_salt(1))),
            stats: Mutex::new(RequestStats::default()),
            injected: Mutex::new(None),
        }
    }

    /// Answer these shares of requests with 429 and 503 from now on.
    pub fn inject(&self, rates: ErrorRates) {
        *lock(&self.injected) = Some(rates);
    }

    fn error_rates(&self) -> ErrorRates {
        lock(&self.injected).unwrap_or(ErrorRates {
            too_many_requests: self.faults.too_many_requests_rate,
            server_errors: self.faults.server_error_rate,
        })
    }

    pub fn stats(&self) -> RequestStats {
        lock(&self.stats).clone()
    }

    fn count(&self, update: impl FnOnce(&mut RequestStats)) {
        update(&mut lock(&self.stats));
    }

    /// 429 with `Retry-After` (when configured) and, for SmartRecruiters, the
    /// `X-RateLimit-*` headers.
    fn too_many(&self, retry_after_secs: u64) -> Response {
        self.count(|s| s.rate_limited += 1);
        let mut response = self.vendor.error(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("Request was throttled. Expected available in {retry_after_secs} seconds."),
        );
        let send_retry_after = self
            .faults
            .rate_limit
            .as_ref()
            .is_none_or(|l| l.retry_after);
        if send_retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }

    /// SmartRecruiters sends its limit headers on every response (smartrecruiters.md §3);
    /// Lever's and Willo's are not documented, so they get none.
    fn limit_headers(&self, headers: &mut HeaderMap) {
        let (Vendor::SmartRecruiters, Some(limiter)) = (self.vendor, &self.limiter) else {
            return;
        };
        let limiter = lock(limiter);
        let limit = limiter.limit();
        for (name, value) in [
            ("x-ratelimit-limit", limit.per_second),
            ("x-ratelimit-remaining", limiter.remaining()),
            ("x-ratelimit-concurrent-limit", limit.max_in_flight),
            (
                "x-ratelimit-concurrent-remaining",
                limiter.concurrent_remaining(),
            ),
        ] {
            headers.insert(name, HeaderValue::from(value));
        }
    }
}

/// Releases an endpoint's in-flight slot even if the request is cancelled.
struct EndpointSlot<'a>(&'a Mutex<(u32, u32)>);

impl Drop for EndpointSlot<'_> {
    fn drop(&mut self) {
        let mut slot = lock(self.0);
        slot.0 = slot.0.saturating_sub(1);
    }
}

/// Releases the in-flight slot even if the request is cancelled.
struct InFlight<'a>(Option<&'a Mutex<Limiter>>);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(limiter) = self.0 {
            lock(limiter).release();
        }
    }
}

/// A gate and the route template it guards (the template is the endpoint's name in
/// [`RequestStats::by_endpoint`]).
#[derive(Debug, Clone)]
pub(crate) struct Gated {
    gate: Arc<Gate>,
    route: &'static str,
}

/// A router whose every route passes the gate, named by its template.
pub(crate) struct GatedRouter<S> {
    router: Router<S>,
    gate: Arc<Gate>,
}

impl<S: Clone + Send + Sync + 'static> GatedRouter<S> {
    pub fn new(gate: &Arc<Gate>) -> Self {
        Self {
            router: Router::new(),
            gate: Arc::clone(gate),
        }
    }

    pub fn route(mut self, path: &'static str, method_router: MethodRouter<S>) -> Self {
        self.router = self
            .router
            .route(path, gated(&self.gate, path, method_router));
        self
    }

    pub fn into_router(self) -> Router<S> {
        self.router
    }
}

/// `method_router` behind the gate, counted as `route`.
pub(crate) fn gated<S: Clone + Send + Sync + 'static>(
    gate: &Arc<Gate>,
    route: &'static str,
    method_router: MethodRouter<S>,
) -> MethodRouter<S> {
    let state = Gated {
        gate: Arc::clone(gate),
        route,
    };
    method_router.layer(from_fn_with_state(state, gate_request))
}

/// The middleware: count → authenticate → injected 429 → rate limit (overall, then
/// per endpoint) → latency → injected 5xx → handler.
async fn gate_request(State(gated): State<Gated>, request: Request, next: Next) -> Response {
    let gate = &gated.gate;
    let endpoint = format!("{} {}", request.method(), gated.route);
    gate.count(|s| {
        s.total += 1;
        *s.by_endpoint.entry(endpoint.clone()).or_default() += 1;
    });

    if request.extensions().get::<Authenticated>().is_none() {
        gate.count(|s| s.unauthorized += 1);
        return gate.vendor.error(
            StatusCode::UNAUTHORIZED,
            "Invalid or missing API credentials.",
        );
    }

    // Both rolls are drawn for every request so the sequence does not depend on which
    // fault fired.
    let (throttle_roll, error_roll) = {
        let mut rng = lock(&gate.rng);
        (rng.f64(), rng.f64())
    };
    let rates = gate.error_rates();
    if throttle_roll < rates.too_many_requests {
        return gate.too_many(1);
    }
    if let Some(limiter) = &gate.limiter {
        let acquired = lock(limiter).try_acquire();
        if let Err(refusal) = acquired {
            let mut response = gate.too_many(refusal.retry_after_secs);
            gate.limit_headers(response.headers_mut());
            return response;
        }
    }
    let _slot = InFlight(gate.limiter.as_ref());
    let _endpoint_slot = match gate.endpoint_slots.get(&endpoint) {
        Some(slot) => {
            let mut taken = lock(slot);
            if taken.0 >= taken.1 {
                drop(taken);
                let mut response = gate.too_many(1);
                gate.limit_headers(response.headers_mut());
                return response;
            }
            taken.0 += 1;
            Some(EndpointSlot(slot))
        }
        None => None,
    };

    if !gate.faults.latency.is_zero() {
        tokio::time::sleep(gate.faults.latency).await;
    }
    if error_roll < rates.server_errors {
        gate.count(|s| s.server_errors += 1);
        return gate.vendor.error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Injected server error: nothing was changed.",
        );
    }

    let mut response = next.run(request).await;
    gate.limit_headers(response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_follow_each_vendor() {
        let status = StatusCode::UNAUTHORIZED;
        assert_eq!(Vendor::Willo.error_body(status, "no")["detail"], "no");
        assert_eq!(
            Vendor::SmartRecruiters.error_body(status, "no")["errors"][0]["code"],
            "UNAUTHORIZED"
        );
        assert_eq!(
            Vendor::SmartRecruiters.error_body(StatusCode::TOO_MANY_REQUESTS, "x")["errors"][0]["code"],
            "TOO_MANY_REQUESTS"
        );
        assert_eq!(
            Vendor::Lever.error_body(status, "no")["code"],
            "Unauthorized"
        );
    }
}
