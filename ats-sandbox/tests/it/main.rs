//! The integration tests of `ats-sandbox`, one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod accounts;
mod mapped_writes;
mod oauth;
mod sandbox;
mod support;
