//! The integration tests of `ats-bridge`, one module per area.
//!
//! They share one test binary on purpose: every binary links the whole dependency tree
//! again, so one per crate keeps CI's link time and disk use down.

mod support;

mod adapter_matrix;
mod ats_trait;
mod bridge;
mod chaos;
mod connections;
mod engine;
mod engine_lever;
mod engine_matrix;
mod engine_postgres;
mod engine_smartrecruiters;
mod intake;
mod job_rules;
mod lever_adapter;
mod lever_tag_rules;
mod logs;
mod mapping_custom_ats;
mod mapping_lever;
mod mapping_sandbox;
mod mapping_smartrecruiters;
mod notes;
mod properties;
mod rules;
mod smartrecruiters_adapter;
mod testkit_lever;
mod testkit_smartrecruiters;
mod willo_deliveries;
