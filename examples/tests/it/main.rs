//! The integration tests of `examples`, one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod support;

mod connections;
mod custom_ats;
mod customers;
mod e2e;
mod faults;
mod ledger;
mod notes;
mod pre_application;
mod quickstart;
mod recruiter_trigger;
mod server;
mod server_connections;
mod server_limits;
mod setup;
