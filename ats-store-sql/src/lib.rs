//! `ats-store-sql`: the stores of [`ats_bridge`] in a SQL database.
//!
//! - [`SqliteStore`] (feature `sqlite`, on by default): the embedded default. One file
//!   in WAL mode, no server; every ledger change in a `BEGIN IMMEDIATE` transaction.
//! - [`PostgresStore`] (feature `postgres`): for several replicas sharing one
//!   database. Row locks and `SKIP LOCKED`, claims atomic across processes.
//!
//! Both implement [`Ledger`](ats_bridge::store::Ledger) (through
//! [`LedgerBackend`](ats_bridge::store::backend::LedgerBackend), so the ledger's
//! rules are the bridge's own), [`Inbox`](ats_bridge::store::Inbox) and
//! [`ReconcilerState`](ats_bridge::store::ReconcilerState), which makes each a
//! [`Store`](ats_bridge::store::Store) to hand to the bridge. They open or connect
//! and bring their schema up to date (the migrations are inside the crate); time
//! always comes from the caller, never from the database.
//!
//! Both pass the store conformance suite of `ats-testkit`
//! (`ats_testkit::store::run_store_suite`).
//!
//! ```
//! # #[cfg(feature = "sqlite")]
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), ats_bridge::store::StoreError> {
//! use ats_bridge::model::{CandidateId, JobId};
//! use ats_bridge::store::{Claim, InviteClaim, Lease, Ledger, LedgerKey};
//! use ats_store_sql::SqliteStore;
//!
//! // A file path in production (`SqliteStore::open("bridge.db")`).
//! let store = SqliteStore::open_in_memory().await?;
//! let invite = InviteClaim::new(
//!     LedgerKey::new("lever", "opportunity-1", "interview-1"),
//!     CandidateId::new("contact-1"),
//!     JobId::new("posting-1"),
//! );
//! let claim = store
//!     .claim_invite(&invite, &Lease::new("worker-a", 1_700_000_000_000, 60_000))
//!     .await?;
//! assert!(matches!(claim, Claim::Fresh(_)));
//! # Ok(())
//! # }
//! # #[cfg(not(feature = "sqlite"))]
//! # fn main() {}
//! ```
#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly) labels each feature-gated item with its feature.
#![cfg_attr(docsrs, feature(doc_cfg))]
// The docs name both stores; a build with one of them off has nothing to link to.
#![cfg_attr(
    not(all(feature = "sqlite", feature = "postgres")),
    allow(rustdoc::broken_intra_doc_links)
)]

#[cfg(feature = "sqlite")]
mod checkpoint;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use postgres::{PostgresOptions, PostgresStore};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use sqlite::SqliteStore;

/// The crate README's example, compiled as a doc test so it cannot drift.
#[cfg(all(doctest, feature = "sqlite"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
