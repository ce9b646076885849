//! `ats-bridge`: the workflow that connects Willo one-way video interviews with
//! applicant tracking systems.
//!
//! A candidate reaches a trigger stage in the ATS → a Willo interview is sent → the
//! candidate answers → answers, transcripts and scores are written back onto the
//! candidate's record (a note, labels such as `Willo:To Review`, optionally a stage
//! move).
//!
//! This crate is being built in steps. It holds today:
//!
//! - [`Ats`]: the trait an integrator implements to connect an ATS, in the normalised
//!   terms of [`model`] (jobs, stages, the application behind an event, candidate
//!   details, events, write-backs, capabilities);
//! - the adapters [`smartrecruiters::SmartRecruitersAts`] (feature `smartrecruiters`)
//!   and [`lever::LeverAts`] (feature `lever`), both on by default;
//! - [`rules`]: which (ATS, job, stage) sends which Willo interview, which label each
//!   step writes, and where a Willo decision moves the application; built in code or
//!   loaded from TOML/JSON and validated on load;
//! - [`note`]: the one results-note renderer the adapters share;
//! - [`store`]: the ledger that makes every step happen once — claims with leases,
//!   retries, failures with reasons, a webhook inbox, reconciler cursors, status
//!   counts — in memory or in SQLite (feature `sqlite`, the embedded default).
//!
//! The engine that drives these, the PostgreSQL store, the webhook intake and the
//! sandbox follow (see the repository's issues).
//!
//! # Implementing `Ats` for a new system
//!
//! Translate your system's objects into [`model`]'s types and keep its specifics
//! (note format, tag conventions, signature scheme) inside your implementation.
//! Report what you support in [`Ats::capabilities`]; return
//! [`AtsError::Unsupported`] for the rest. Keep names, emails and phone numbers out of
//! errors and logs: [`model::CandidateDetails`] already hides them from `Debug`.
#![warn(missing_docs)]

mod ats;
pub mod engine;
#[cfg(feature = "lever")]
pub mod lever;
pub mod model;
pub mod note;
pub mod rules;
#[cfg(feature = "smartrecruiters")]
pub mod smartrecruiters;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod willo_inbox;

pub use ats::{Ats, AtsError, AtsResult, VerifiedDelivery, WebhookEventsError, WebhookRejection};
