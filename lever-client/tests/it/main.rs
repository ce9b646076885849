//! The integration tests of `lever-client`, one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod support;

mod applications;
mod audit_events;
mod auth;
mod client;
mod feedback;
mod files;
mod fixtures;
mod forms_offers;
mod interviews;
mod notes;
mod opportunities;
mod postings;
mod reference_data;
mod requisitions;
mod webhook_management;
mod webhooks;
