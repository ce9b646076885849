//! The integration tests of `ats-store-sql`, one module per backend.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod support;

mod postgres;
mod postgres_tls;
mod sqlite;
