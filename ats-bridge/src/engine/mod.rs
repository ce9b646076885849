//! The engine: turns ATS and Willo events into invites and write-backs, exactly once.
//!
//! Every path goes through the [`Ledger`](crate::store::Ledger)'s claims, so duplicate,
//! late and out-of-order events, several workers and several replicas all end in one
//! invite per (application, interview) and one write-back per outcome:
//!
//! - **Invite**: a stage change matching a rule (or a recruiter's
//!   [`Engine::send_interview`], or the reconciler finding an application at a trigger
//!   stage) → claim the row → read the candidate → invite in Willo → label "invited"
//!   → record the participant. A row the claim has just created, for a candidate with
//!   no other application to the interview, is invited at once (one request); any
//!   other row (a retry, one taken over from a crashed worker, a redrive, a second
//!   application of the same person) first looks for a participant with the
//!   candidate's email, so a crash between sending and recording never sends twice.
//!   One person's applications to one interview are invited one at a time.
//! - **Results**: Willo's `new_response`/`stage_change` (or a due retry, or a periodic
//!   check of a participant who has not answered) → fetch the results → classify
//!   (answered, accepted, rejected) → claim the write of that outcome → note, labels,
//!   optional stage move → record it.
//! - **Failures**: retryable errors reschedule the row with backoff; permanent ones
//!   (and retries exhausted) fail it with the reason, visible in [`Engine::status`]
//!   and re-driven with [`Engine::redrive`]. Refused credentials park the work
//!   instead, without counting attempts, until the vendor accepts them again
//!   ([`Engine::credential_outages`]).
//!
//! [`Engine::run`] runs the workers: the webhook inbox (woken at once by the intake),
//! due retries, and the reconciler on its interval; it stops gracefully when told.

mod action;
mod config;
pub(crate) mod credentials;
mod erasure;
mod events;
mod failure;
mod invite;
mod job_rules;
mod late;
mod mapped;
mod notes;
mod outcome;
mod phone;
mod reconcile;
mod run;
mod scope;
mod screening;
mod sync;
mod write_order;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use client_core::webhook::{Clock, SystemClock};
use tokio::sync::Notify;
use willo_client::WilloClient;

pub use action::{Action, EngineError, Ignored};
pub use config::{EngineConfig, LateResults, ParticipantChecks, RetrySchedule};
pub use credentials::{CredentialOutage, WILLO};
pub use reconcile::ReconcileReport;
pub(crate) use run::run_until;

use crate::Ats;
use crate::connection::{ConnectionId, Connections};
use crate::model::AtsName;
use crate::rules::Rules;
use crate::store::{Lease, LedgerKey, Stores};
use crate::webhook::{Sources, WilloSource};

/// The workflow engine. Cheap to clone; clones share everything. See the crate
/// documentation for a complete example.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    willo: WilloClient,
    sources: Sources,
    rules: Rules,
    stores: Stores,
    config: EngineConfig,
    clock: Arc<dyn Clock>,
    inbox_signal: Arc<Notify>,
    would_invite: Mutex<BTreeSet<LedgerKey>>,
    /// The ledger's history start, read once (see [`Engine::ledger_is_young`]).
    history_start_ms: tokio::sync::OnceCell<i64>,
    outages: credentials::Outages,
    /// Where a connection's engine records its outages for other replicas.
    outage_store: Option<credentials::OutageStore>,
    /// Jobs' attributes and Willo's interviews, for rules that select by them.
    job_rules: job_rules::JobRulesState,
    /// The connection served, when the store is shared with others (see `scope.rs`).
    scope: Option<ConnectionId>,
    /// When the served connection was added: its history in the shared ledger starts
    /// then, however old the ledger is.
    history_floor_ms: Option<i64>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("sources", &self.inner.sources)
            .field("stores", &self.inner.stores)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Engine`].
#[must_use]
pub struct EngineBuilder {
    willo: WilloClient,
    stores: Stores,
    ats: Vec<Arc<dyn Ats>>,
    willo_source: WilloSource,
    rules: Rules,
    config: EngineConfig,
    clock: Arc<dyn Clock>,
    inbox_signal: Option<Arc<Notify>>,
    scope: Option<ConnectionId>,
    history_floor_ms: Option<i64>,
    outage_store: Option<Arc<dyn Connections>>,
}

impl Engine {
    /// Start building an engine over a Willo client and a store: one backend
    /// (`Arc::new(ats_store_sql::SqliteStore::open(…).await?)`, an `Arc<dyn Store>`), or a
    /// [`Stores`] with parts of its own.
    pub fn builder(willo: WilloClient, store: impl Into<Stores>) -> EngineBuilder {
        EngineBuilder {
            willo,
            stores: store.into(),
            ats: Vec::new(),
            willo_source: WilloSource::new(),
            rules: Rules::default(),
            config: EngineConfig::default(),
            clock: Arc::new(SystemClock),
            inbox_signal: None,
            scope: None,
            history_floor_ms: None,
            outage_store: None,
        }
    }

    /// The connected ATSs' names.
    pub fn ats_names(&self) -> Vec<AtsName> {
        self.inner.sources.all_ats().keys().cloned().collect()
    }

    /// The stores.
    pub fn stores(&self) -> &Stores {
        &self.inner.stores
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.inner.rules
    }

    /// Notify this to make [`Engine::run`] read the inbox now (the intake does, after
    /// storing a delivery).
    pub fn inbox_signal(&self) -> Arc<Notify> {
        self.inner.inbox_signal.clone()
    }

    /// Put a failed row back where it failed, to be retried at once; a waiting row
    /// (held for a mandatory mapped field, or scheduled for a retry) is made due now,
    /// e.g. once an operator has fixed the data it waits for.
    pub async fn redrive(&self, key: &LedgerKey) -> Result<(), EngineError> {
        self.inner.stores.ledger.redrive(key, self.now_ms()).await?;
        tracing::info!(row = %key, "re-driven by an operator");
        Ok(())
    }

    /// In dry-run mode: the rows whose invite would have been sent.
    pub fn would_invite(&self) -> Vec<LedgerKey> {
        lock(&self.inner.would_invite).iter().cloned().collect()
    }

    fn ats(&self, name: &AtsName) -> Result<&Arc<dyn Ats>, EngineError> {
        self.inner
            .sources
            .ats(name)
            .ok_or_else(|| EngineError::UnknownAts(name.clone()))
    }

    fn now_ms(&self) -> i64 {
        i64::try_from(self.inner.clock.now_millis()).unwrap_or(i64::MAX)
    }

    fn lease_ms(&self) -> i64 {
        failure::millis(self.inner.config.lease)
    }

    fn worker(&self) -> &str {
        &self.inner.config.worker_id
    }

    /// A lease for this engine's worker, starting now.
    fn lease(&self) -> Lease {
        Lease::new(self.worker(), self.now_ms(), self.lease_ms())
    }
}

impl EngineBuilder {
    /// Connect an ATS; events and rules refer to it by [`Ats::name`].
    pub fn ats(mut self, ats: Arc<dyn Ats>) -> Self {
        self.ats.push(ats);
        self
    }

    /// Willo's webhook source, for reading stored Willo deliveries (default: one
    /// without tokens, which reads them as well; the intake is what checks tokens).
    pub fn willo_source(mut self, willo: WilloSource) -> Self {
        self.willo_source = willo;
        self
    }

    /// The rules (default: none, so nothing is sent).
    pub fn rules(mut self, rules: Rules) -> Self {
        self.rules = rules;
        self
    }

    /// Intervals, limits, dry run.
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// The clock for ledger times (tests use a fixed one).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Wake on this signal instead of a new one: an engine restarted in the same
    /// process keeps the intake that notifies it.
    pub fn inbox_signal(mut self, signal: Arc<Notify>) -> Self {
        self.inbox_signal = Some(signal);
        self
    }

    /// Serve connection `id` on a store shared with other connections: read only its
    /// deliveries, rows and cursors, and take its Willo deliveries from the inbox
    /// source `{id}/willo`. Its ATS adapters must be named `{id}/{account}`, as the
    /// [`crate::connection::Fleet`] names them (and its rules must name them so).
    pub fn connection(mut self, id: ConnectionId) -> Self {
        self.scope = Some(id);
        self
    }

    /// Record the served connection's credential outages in `store` (the fleet passes
    /// its connection store), so every replica's status and a later process see them;
    /// see [`Engine::credential_outages`]. Needs [`EngineBuilder::connection`].
    pub fn outage_store(mut self, store: Arc<dyn Connections>) -> Self {
        self.outage_store = Some(store);
        self
    }

    /// The served connection was added at `added_at_ms`: treat the ledger as young
    /// from then ([`EngineConfig::young_ledger_window`]), since its rows of earlier
    /// work (another bridge's) are not in it.
    pub(crate) fn history_floor(mut self, added_at_ms: i64) -> Self {
        self.history_floor_ms = Some(added_at_ms);
        self
    }

    /// Check the rules against the connected ATSs and build.
    pub fn build(self) -> Result<Engine, EngineError> {
        self.rules
            .validate()
            .map_err(|e| EngineError::Config(e.to_string()))?;
        let willo_source_name = match &self.scope {
            Some(id) => id.scope(WilloSource::NAME),
            None => WilloSource::NAME.to_owned(),
        };
        let sources = Sources::new(self.ats, self.willo_source)
            .map(|sources| sources.willo_named(willo_source_name))
            .map_err(|name| {
                EngineError::Config(format!("two webhook sources are named `{name}`"))
            })?;
        let named = |name: &AtsName, entry: String| {
            sources.ats(name).ok_or_else(|| {
                EngineError::Config(format!(
                    "{entry} names ATS `{name}`, which is not connected"
                ))
            })
        };
        for (i, trigger) in self.rules.triggers.iter().enumerate() {
            named(&trigger.ats, format!("trigger[{i}]"))?;
        }
        for (i, rule) in self.rules.interview_tags.iter().enumerate() {
            named(&rule.ats, format!("interview_tags[{i}]"))?;
        }
        for (i, rule) in self.rules.screening.iter().enumerate() {
            let connection = named(&rule.ats, format!("screening[{i}]"))?;
            if !connection.capabilities().create_candidates {
                return Err(EngineError::Config(format!(
                    "screening[{i}]: ATS `{}` cannot create candidates",
                    rule.ats
                )));
            }
        }
        for (ats, region) in &self.config.phone_regions {
            named(ats, format!("phone_regions[{ats}]"))?;
            phone::check_region(ats, region).map_err(EngineError::Config)?;
        }
        if self.outage_store.is_some() && self.scope.is_none() {
            return Err(EngineError::Config(
                "an outage store records a connection's outages: set the connection too".into(),
            ));
        }
        if self.config.concurrency == 0 || self.config.inbox_batch == 0 {
            return Err(EngineError::Config(
                "concurrency and inbox_batch must be at least 1".into(),
            ));
        }
        Ok(Engine {
            inner: Arc::new(Inner {
                willo: self.willo,
                sources,
                rules: self.rules,
                stores: self.stores,
                config: self.config,
                clock: self.clock,
                inbox_signal: self.inbox_signal.unwrap_or_default(),
                would_invite: Mutex::new(BTreeSet::new()),
                history_start_ms: tokio::sync::OnceCell::new(),
                outages: credentials::Outages::default(),
                outage_store: self.outage_store.map(credentials::OutageStore::new),
                job_rules: job_rules::JobRulesState::default(),
                scope: self.scope,
                history_floor_ms: self.history_floor_ms,
            }),
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a plain set behind: still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
