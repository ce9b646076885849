//! The integration tests of `ats-testkit`, one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod conformance;
mod memory_ats;
mod store;
