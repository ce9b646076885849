//! The integration tests of `client-core` (the transport against a local mock server),
//! one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down. The exception is
//! `tests/request_spans.rs`, whose file says why it needs a process of its own.

mod support;

mod auth;
mod calls;
mod errors;
mod limits;
mod oauth;
mod pagination;
mod paths;
mod retries;
