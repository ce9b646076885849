//! `ats-bridge`: the workflow that connects Willo one-way video interviews with
//! applicant tracking systems.
//!
//! A candidate reaches a trigger stage in the ATS → a Willo interview is sent → the
//! candidate answers → answers, transcripts and scores are written back onto the
//! candidate's record (a note, labels such as `Willo:To Review`, optionally a stage
//! move). Webhooks make it happen within seconds; a reconciler catches anything a
//! webhook missed; a ledger in a store makes every step happen exactly once, across
//! restarts and replicas.
//!
//! ```text
//!  ATS webhook ─┐                                  ┌─► Willo: invite ──► ATS: label "invited"
//!  reconciler ──┼─► intake ─► store inbox ─► engine ┤
//!  Willo hook ──┘                                  └─► Willo: results ──► ATS: note + labels (+ stage)
//! ```
//!
//! The parts:
//!
//! - [`Ats`]: the trait an integrator implements to connect an ATS, in the normalised
//!   terms of [`model`] (jobs, stages, the application behind an event, candidate
//!   details, events, write-backs, capabilities);
//! - the adapters [`smartrecruiters::SmartRecruitersAts`] (feature `smartrecruiters`)
//!   and [`lever::LeverAts`] (feature `lever`), both on by default;
//! - [`rules`]: which (ATS, job, stage) sends which Willo interview, which label each
//!   step writes, which Willo stages are decisions, where a decision moves the
//!   application, which interviews screen new applicants; built in code or loaded
//!   from TOML/JSON and validated on load;
//! - [`engine`]: acts on events idempotently, retries what failed, reconciles on an
//!   interval, reports status, stops gracefully;
//! - [`intake`]: verifies, deduplicates and stores webhook deliveries before
//!   acknowledging them, with an `axum` router (feature `axum`);
//! - [`store`]: the ledger — claims with leases, retries, failures with reasons, the
//!   webhook inbox, reconciler cursors, status counts — in memory, in SQLite (feature
//!   `sqlite`, the embedded default) or in PostgreSQL (feature `postgres`, for
//!   several replicas);
//! - [`note`]: the one results-note renderer the adapters share;
//! - [`registration`]: registering the intake's URLs with each vendor;
//! - `sandbox` and `demo` (feature `sandbox`): local simulators of the three APIs
//!   and a whole bridge wired to them, for examples, tests and benchmarks;
//! - `testkit` (feature `testkit`): the conformance suite for your own [`Ats`].
//!
//! # A bridge from rules and a store
//!
//! ```
//! use std::sync::Arc;
//!
//! use ats_bridge::Ats;
//! use ats_bridge::engine::Engine;
//! use ats_bridge::intake::Intake;
//! use ats_bridge::lever::{LeverAts, LeverAtsConfig};
//! use ats_bridge::rules::Rules;
//! use ats_bridge::store::{SqliteStore, Store};
//! use client_core::SecretString;
//! use lever_client::LeverClient;
//! use willo_client::WilloClient;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rules = Rules::from_toml(r#"
//!     [[trigger]]
//!     ats = "lever"
//!     job = "*"
//!     stages = ["phone-screen-stage-id"]
//!     interview = "1e2048a686804049b128f1357c559cbf"
//! "#)?;
//! // A file path in production (`SqliteStore::open("bridge.db")`).
//! let store: Arc<dyn Store> = Arc::new(SqliteStore::open_in_memory().await?);
//! let lever: Arc<dyn Ats> = Arc::new(LeverAts::new(
//!     LeverClient::builder().api_key(SecretString::from("lever-key")).build()?,
//!     LeverAtsConfig::new("user-id-notes-are-written-as")
//!         .signature_token(SecretString::from("lever-webhook-signature-token")),
//! ));
//! let willo = WilloClient::builder().api_key(SecretString::from("willo-key")).build()?;
//!
//! let engine = Engine::builder(willo, store.clone())
//!     .ats(lever.clone())
//!     .rules(rules)
//!     .build()?;
//! let intake = Intake::builder(store)
//!     .ats(lever)
//!     .willo_token(SecretString::from("random-url-token"))
//!     .notify(engine.inbox_signal())
//!     .build()?;
//!
//! // Serve `ats_bridge::intake::router(Arc::new(intake))` (feature `axum`) and run
//! // the engine until shutdown: `engine.run(shutdown_signal).await?`.
//! # let _ = intake;
//! assert!(engine.status().await?.by_state.is_empty());
//! # Ok(()) }
//! ```
//!
//! # Implementing `Ats` for a new system
//!
//! Translate your system's objects into [`model`]'s types and keep its specifics
//! (note format, tag conventions, signature scheme) inside your implementation.
//! Report what you support in [`Ats::capabilities`]; return
//! [`AtsError::Unsupported`] for the rest; the engine never calls what is
//! unsupported. Split webhook handling in two: [`Ats::verify_webhook`] checks a
//! delivery without calling your API (the intake runs it before storing anything)
//! and names it for deduplication; [`Ats::resolve_webhook`] turns the stored payload
//! into events later, possibly in another process. Keep names, emails and phone
//! numbers out of errors and logs: [`model::CandidateDetails`] already hides them
//! from `Debug`. The `testkit` feature has a conformance suite to run against your
//! implementation.
#![warn(missing_docs)]

mod ats;
#[cfg(feature = "sandbox")]
pub mod demo;
pub mod engine;
pub mod intake;
#[cfg(feature = "lever")]
pub mod lever;
pub mod model;
pub mod note;
pub mod registration;
pub mod rules;
#[cfg(feature = "sandbox")]
pub mod sandbox;
#[cfg(feature = "smartrecruiters")]
pub mod smartrecruiters;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod willo_inbox;

pub use ats::{Ats, AtsError, AtsResult, VerifiedDelivery, WebhookEventsError, WebhookRejection};

/// The repository README's examples, compiled as doc tests so they cannot drift.
#[cfg(all(
    doctest,
    feature = "axum",
    feature = "smartrecruiters",
    feature = "sqlite"
))]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
