//! The integration tests of `willo-client`, one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod support;

mod client;
mod departments;
mod interview_templates;
mod interviews;
mod message_templates;
mod participants;
mod reference_data;
mod results;
mod send_interview;
mod users;
mod webhook_intake;
mod webhooks;
