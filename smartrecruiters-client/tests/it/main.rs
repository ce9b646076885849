//! The integration tests of `smartrecruiters-client`, one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod support;

mod application_data;
mod applications;
mod auth;
mod candidate_lifecycle;
mod candidates;
mod client;
mod configuration_users;
mod jobs;
mod limits_errors;
mod notes;
mod scheduling_consent;
mod subscriptions;
mod webhooks;
