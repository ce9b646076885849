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
//! - [`Bridge`]: the one entry point, wiring the parts below together;
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
//! - [`webhook`]: the sources of deliveries — an ATS's [`AtsWebhooks`] and Willo's
//!   [`WilloSource`] — verified at the intake and resolved by the engine;
//! - [`intake`]: verifies, deduplicates and stores webhook deliveries before
//!   acknowledging them, with an `axum` router (feature `axum`);
//! - [`store`]: the ledger — claims with leases, retries, failures with reasons, the
//!   webhook inbox, reconciler cursors, status counts — as traits, with an in-memory
//!   store and the API for writing a backend ([`store::backend`]); SQLite and
//!   PostgreSQL are in [`ats-store-sql`](https://docs.rs/ats-store-sql);
//! - [`mapping`]: which Willo data goes into which ATS fields, mandatory and
//!   protected targets, contact updates, when screening creates candidates;
//! - [`note`]: which events write a note and what each says (templates checked at
//!   load), the text the adapters write, and the interview's structured record;
//! - [`registration`]: registering the intake's URLs with each vendor.
//!
//! The SQL stores live in their own crate, [`ats-store-sql`](https://docs.rs/ats-store-sql)
//! (`SqliteStore`, the embedded default, and `PostgresStore` for several replicas).
//! Two more crates of the family sit beside it, for tests:
//! [`ats-sandbox`](https://docs.rs/ats-sandbox) (local simulators of the three APIs,
//! real HTTP on 127.0.0.1) and [`ats-testkit`](https://docs.rs/ats-testkit) (the
//! conformance suites for your own [`Ats`] and your own store, and an in-memory
//! `Ats`). The `examples`
//! package wires a whole bridge to the sandbox (its `demo` module).
//!
//! # A bridge from rules and a store
//!
//! [`Bridge`] is the one entry point: Willo, the store, the ATS connections and the
//! rules go in once; the webhook intake and the engine come out, wired together.
//!
//! ```
//! use std::sync::Arc;
//!
//! use ats_bridge::lever::{LeverAts, LeverAtsConfig};
//! use ats_bridge::rules::Rules;
//! use ats_bridge::store::MemoryStore;
//! use ats_bridge::{Bridge, WilloAccount};
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
//! let lever = LeverAts::new(
//!     LeverClient::builder().api_key(SecretString::from("lever-key")).build()?,
//!     LeverAtsConfig::new("user-id-notes-are-written-as")
//!         .signature_token(SecretString::from("lever-webhook-signature-token")),
//! );
//! let willo = WilloAccount::new(WilloClient::builder().api_key(SecretString::from("willo-key")).build()?)
//!     .webhook_token(SecretString::from("random-url-token"));
//! // In production, a store that survives restarts: `ats_store_sql::SqliteStore::open("bridge.db")`.
//! let store = Arc::new(MemoryStore::new());
//!
//! let bridge = Bridge::builder(willo, store)
//!     .ats(Arc::new(lever))
//!     .rules(rules)
//!     .build()?;
//!
//! // Serve `bridge.router()` (feature `axum`; or `bridge.intake()` from any framework)
//! // and run the work until shutdown: `bridge.run(shutdown_signal).await?`.
//! assert!(bridge.intake().receives("lever") && bridge.intake().receives("willo"));
//! assert!(bridge.engine().status().await?.by_state.is_empty());
//! # Ok(()) }
//! ```
//!
//! The pieces stay public for embedders who need them apart: [`engine::Engine`] and
//! [`intake::Intake`] have builders of their own.
//!
//! # Implementing `Ats` for a new system
//!
//! Translate your system's objects into [`model`]'s types and keep its specifics
//! (note format, tag conventions, signature scheme) inside your implementation.
//! Report what you support in [`Ats::capabilities`]; return
//! [`AtsError::Unsupported`] for the rest; the engine never calls what is
//! unsupported. If your system sends webhooks, return an [`AtsWebhooks`] from
//! [`Ats::webhooks`] (usually `Some(self)`), in two halves:
//! [`WebhookSource::verify`] checks a delivery without calling your API (the intake
//! runs it before storing anything) and names it for deduplication;
//! [`AtsWebhooks::resolve`] turns the stored delivery into events later, possibly in
//! another process. Willo's deliveries take the same path through [`WilloSource`].
//! Keep names, emails and phone numbers out of errors and logs:
//! [`model::CandidateDetails`] already hides them from `Debug`. The
//! [`ats-testkit`](https://docs.rs/ats-testkit) crate has a conformance suite to run
//! against your implementation.
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod ats;
pub mod bridge;
pub mod connection;
pub mod engine;
pub mod intake;
pub mod late_results;
#[cfg(feature = "lever")]
#[cfg_attr(docsrs, doc(cfg(feature = "lever")))]
pub mod lever;
pub mod mapping;
pub mod metrics;
pub mod model;
pub mod note;
pub mod registration;
pub mod rules;
#[cfg(feature = "smartrecruiters")]
#[cfg_attr(docsrs, doc(cfg(feature = "smartrecruiters")))]
pub mod smartrecruiters;
pub mod store;
pub mod verify;
pub mod webhook;

pub use ats::{Ats, AtsError, AtsResult};
pub use bridge::{Bridge, BridgeBuilder, BridgeError, WilloAccount};
pub use webhook::{
    AtsWebhooks, StoredDelivery, VerifiedDelivery, WebhookEventsError, WebhookRejection,
    WebhookRequest, WebhookSource, WilloSource,
};

/// The crate README's examples, compiled as doc tests so they cannot drift.
#[cfg(all(doctest, feature = "lever"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
