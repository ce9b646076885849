//! The settings every vendor client builder offers (timeout, user agent, limits, a
//! shared limiter, retry policy, an injected HTTP client), kept in one place with one
//! set of setters.

use std::sync::Arc;
use std::time::Duration;

use crate::rate_limit::{Limiter, RateLimits};
use crate::retry::RetryPolicy;
use crate::transport::TransportBuilder;

/// Transport settings a client builder collects before building its [`crate::Transport`].
/// A vendor crate creates it with its own defaults and adds the setters with
/// [`client_options_setters!`](crate::client_options_setters).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `User-Agent` header.
    pub user_agent: String,
    /// Time allowed for one attempt.
    pub timeout: Duration,
    /// Client-side limits, used unless a shared limiter is given.
    pub rate_limits: RateLimits,
    /// A live limiter shared with other clients of the same credential.
    pub shared_limiter: Option<Arc<Limiter>>,
    /// Which failures are retried and how.
    pub retry: RetryPolicy,
    /// A preconfigured HTTP client (proxy, custom TLS roots…); `timeout` and
    /// `user_agent` are then the client's own business.
    pub http_client: Option<reqwest::Client>,
    /// The most pages one listing may follow.
    pub max_pages: usize,
}

impl ClientOptions {
    /// Options with a vendor's defaults and [`RetryPolicy::default`].
    pub fn new(user_agent: impl Into<String>, rate_limits: RateLimits, timeout: Duration) -> Self {
        Self {
            user_agent: user_agent.into(),
            timeout,
            rate_limits,
            shared_limiter: None,
            retry: RetryPolicy::default(),
            http_client: None,
            max_pages: crate::pagination::DEFAULT_MAX_PAGES,
        }
    }

    /// Put these settings on a transport builder.
    pub fn apply(self, builder: TransportBuilder) -> TransportBuilder {
        let builder = builder
            .user_agent(self.user_agent)
            .timeout(self.timeout)
            .rate_limits(self.rate_limits)
            .retry_policy(self.retry)
            .max_pages(self.max_pages);
        let builder = match self.shared_limiter {
            Some(limiter) => builder.shared_limiter(limiter),
            None => builder,
        };
        match self.http_client {
            Some(client) => builder.http_client(client),
            None => builder,
        }
    }
}

/// Adds `timeout`, `user_agent`, `limits`, `shared_limiter`, `retry_policy`,
/// `max_pages` and `http_client` setters to a client builder whose field `$field` is a [`ClientOptions`]. Invoke it
/// inside the builder's `impl` block.
#[macro_export]
macro_rules! client_options_setters {
    ($field:ident) => {
        /// Time allowed for one attempt, response body included (an injected
        /// `http_client` keeps its own).
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.$field.timeout = timeout;
            self
        }

        /// The `User-Agent` header.
        pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
            self.$field.user_agent = agent.into();
            self
        }

        /// Client-side rate and concurrency limits (default: the client's
        /// `default_limits()`).
        pub fn limits(mut self, limits: $crate::RateLimits) -> Self {
            self.$field.rate_limits = limits;
            self
        }

        /// Pace together with other clients of the same credential: pass
        /// `other.transport().limiter()`. Takes precedence over `limits`.
        pub fn shared_limiter(
            mut self,
            limiter: ::std::sync::Arc<$crate::rate_limit::Limiter>,
        ) -> Self {
            self.$field.shared_limiter = Some(limiter);
            self
        }

        /// Which failures are retried and how (default: 429 for every call; 5xx and
        /// timeouts for calls safe to repeat; jittered exponential backoff).
        pub fn retry_policy(mut self, policy: $crate::RetryPolicy) -> Self {
            self.$field.retry = policy;
            self
        }

        /// The most pages one listing may follow before it ends with
        /// `Error::TooManyPages` (default 10 000). A listing also stops, with
        /// `Error::PaginationLoop`, when the API hands out a cursor it already followed.
        pub fn max_pages(mut self, max_pages: usize) -> Self {
            self.$field.max_pages = max_pages;
            self
        }

        /// Send through this preconfigured `reqwest::Client` (proxy, custom TLS roots,
        /// tests on a paused clock). The `Accept` header still goes with every request;
        /// `timeout`, `user_agent` and the redirect policy are then the client's own
        /// business: build it with `.redirect(client_core::redirect::same_origin_only())`
        /// so no credential follows a redirect to another host.
        pub fn http_client(mut self, client: $crate::HttpClient) -> Self {
            self.$field.http_client = Some(client);
            self
        }
    };
}
