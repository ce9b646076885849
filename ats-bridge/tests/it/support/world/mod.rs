//! One test world per ATS: a mock of the vendor's API, and the engine over it and a
//! mock Willo. The scenarios in `engine_matrix` and `adapter_matrix` are written once
//! against [`VendorWorld`]; a vendor supplies what its API looks like on the wire, so a
//! new adapter gets every scenario by implementing the trait.

#[cfg(feature = "lever")]
pub mod lever;
#[cfg(feature = "smartrecruiters")]
pub mod smartrecruiters;

use std::marker::PhantomData;
use std::sync::Arc;

use ats_bridge::Ats;
use ats_bridge::WebhookRequest;
use ats_bridge::engine::{Action, Engine, EngineConfig};
use ats_bridge::late_results::ResultsUpdate;
use ats_bridge::model::{ApplicationRef, AtsEvent, AtsName};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::{LedgerKey, MemoryStore, Store};
use client_core::header::HeaderMap;
use client_core::webhook::{Clock, SystemClock};
use serde_json::{Value, json};
use wiremock::{MockBuilder, MockServer, ResponseTemplate};

use super::engine_setup::{config, engine_over};
use super::mock_server::{mount_exactly, now_millis, ok, strict_server};
use super::willo_mock::{INTERVIEW, Invitee, PHONE, willo_invite, willo_lookup};

/// The labels the rules' default lifecycle writes.
pub const INVITED: &str = "Willo:Invited";
pub const TO_REVIEW: &str = "Willo:To Review";
pub const ACCEPTED: &str = "Willo:Accepted";
pub const REJECTED: &str = "Willo:Rejected";

/// A vendor's API as the engine uses it, mocked exactly: every `times` is the exact
/// number of such requests the test expects (wiremock `expect`), 0 asserting none.
/// `ats` is the vendor's mock server.
#[allow(async_fn_in_trait)]
pub trait VendorWorld {
    /// The ATS's name, in rules and ledger keys.
    const NAME: &'static str;
    /// The job the candidate applied to.
    const JOB: &'static str;
    /// The candidate (the id a deletion names).
    const CANDIDATE: &'static str;
    /// The application: the ledger's id for it.
    const APPLICATION: &'static str;
    /// The stage the rules invite at.
    const TRIGGER_STAGE: &'static str;
    /// The stage an accepted application moves to, when the rules say so.
    const ONSITE_STAGE: &'static str;
    /// The stage a rejected application moves to, when the rules say so.
    const REJECTED_STAGE: &'static str;
    /// The candidate as the vendor's record names them.
    const INVITEE: Invitee;
    /// A phone as the vendor's fixtures hold it, not in E.164.
    const NATIONAL_PHONE: &'static str;
    /// A part of `NATIONAL_PHONE` that must not appear in a failure's reason.
    const PHONE_DIGITS: &'static str;
    /// Whether the reconciler's listing carries the whole candidate (no read to invite).
    const LISTING_HAS_DETAILS: bool;

    /// The adapter over `ats`, verifying webhooks with the test secret.
    fn adapter(ats: &MockServer) -> Arc<dyn Ats>;
    /// What the adapter names when the record is gone (in a failure's reason).
    fn gone() -> String;
    /// The id of the record the candidate's details are read from.
    const RECORD: &'static str;

    /// The read of the candidate's record.
    fn candidate_route() -> MockBuilder;
    /// The candidate's record, with `phone`.
    fn candidate_record(phone: &str) -> Value;
    /// Take the candidate's email out of `record`.
    fn drop_email(record: &mut Value);
    /// Take the candidate's name out of `record`.
    fn drop_name(record: &mut Value);
    /// The vendor's answer to a read of what does not exist.
    fn not_found() -> ResponseTemplate;

    /// The candidate's record read with `phone`.
    async fn candidate_read(ats: &MockServer, phone: &str, times: u64) {
        let record = ok(Self::candidate_record(phone));
        mount_exactly(ats, times, Self::candidate_route().respond_with(record)).await
    }
    /// The candidate's record read, without an email.
    async fn candidate_read_without_email(ats: &MockServer, times: u64) {
        let mut record = Self::candidate_record(PHONE);
        Self::drop_email(&mut record);
        mount_exactly(ats, times, Self::candidate_route().respond_with(ok(record))).await
    }
    /// The candidate's record read, without a name.
    async fn candidate_read_without_name(ats: &MockServer, times: u64) {
        let mut record = Self::candidate_record(PHONE);
        Self::drop_name(&mut record);
        mount_exactly(ats, times, Self::candidate_route().respond_with(ok(record))).await
    }
    /// The candidate's record read, answered 404.
    async fn candidate_gone(ats: &MockServer, times: u64) {
        mount_exactly(
            ats,
            times,
            Self::candidate_route().respond_with(Self::not_found()),
        )
        .await
    }
    /// A delivery saying the candidate was deleted.
    fn deletion_delivery() -> (HeaderMap, Vec<u8>);
    /// Deliveries of events the bridge does not act on, each with the event's name.
    fn other_deliveries() -> Vec<(&'static str, (HeaderMap, Vec<u8>))>;
    /// A stage-change delivery, signed, whose dedupe key is `id`.
    fn stage_change_delivery(id: &str) -> (HeaderMap, Vec<u8>);
    /// The read that resolves the stage-change delivery (it gives the invite the
    /// candidate's details too).
    async fn delivery_resolved(ats: &MockServer, times: u64);
    /// That read answered 503.
    async fn delivery_unresolvable(ats: &MockServer, times: u64);

    /// The invited label added.
    async fn invited_label_added(ats: &MockServer, times: u64);
    /// The invited label's write answered `answer`.
    async fn invited_label_refused(ats: &MockServer, answer: ResponseTemplate, times: u64);
    /// The labels moved from `from` to `to`, the others kept.
    async fn labels_moved(ats: &MockServer, from: &str, to: &str, times: u64);
    /// A retry of a half-done write-back finds the labels at `to` already (what it
    /// may rewrite is the vendor's).
    async fn labels_found(ats: &MockServer, to: &str);
    /// The first request of moving the labels to `to` answered `answer`, `times` times,
    /// ahead of the mocks that answer it well.
    async fn labels_refused(ats: &MockServer, to: &str, answer: ResponseTemplate, times: u64);
    /// The application moved to `stage`.
    async fn stage_moved(ats: &MockServer, stage: &str, times: u64);

    /// The id of the note the mock's note write answers with.
    const WRITTEN_NOTE: &'static str;
    /// The results note of `participant`: its write, to be answered by the caller.
    fn note_write(participant: &Value) -> MockBuilder;
    /// The results note of `participant` written.
    async fn note_written(ats: &MockServer, participant: &Value, times: u64);
    /// The read of the application's notes (before writing one again on a retry).
    fn notes_listing() -> MockBuilder;
    /// The listing's answer holding `notes`.
    fn notes_page(notes: Vec<Value>) -> Value;
    /// The application's notes listed as `notes` (from [`VendorWorld::listed_note`]).
    async fn notes_listed(ats: &MockServer, notes: Vec<Value>, times: u64) {
        let page = ok(Self::notes_page(notes));
        mount_exactly(ats, times, Self::notes_listing().respond_with(page)).await
    }
    /// The results note of `participant` as the listing shows it.
    fn listed_note(participant: &Value) -> Value;
    /// How many notes were written (requests, whatever their answer).
    async fn notes_written(ats: &MockServer) -> usize;
    /// A note whose text is exactly `text` (a configured note, `[notes]`) written.
    async fn text_note_written(ats: &MockServer, text: &str, times: u64);

    /// The reconciler's listing of the jobs (every pass reads it), showing `JOB` as
    /// `listed` says.
    async fn job_listed(ats: &MockServer, listed: JobListed, times: u64);
    /// Whether the vendor's notes can be edited: late results amend the results note
    /// (no note is added) instead of adding a follow-up note.
    const AMENDS_NOTES: bool;
    /// Late results written as the vendor can, `times` times: the results note
    /// (`WRITTEN_NOTE`) amended, or the follow-up note of `update` added.
    async fn late_results_written(ats: &MockServer, update: &ResultsUpdate, times: u64);

    /// The reconciler's listing of the trigger stage, showing the candidate (and the
    /// job open in the job listing before it).
    async fn listed_at_trigger_stage(ats: &MockServer, times: u64);
    /// The reconciler's listing of the trigger stage, empty.
    async fn nobody_at_trigger_stage(ats: &MockServer, times: u64);
}

/// How the job listing shows the rules' job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobListed {
    /// Open (SmartRecruiters `SOURCING`, Lever `published`).
    Open,
    /// On hold (SmartRecruiters `ON_HOLD`) or closed (Lever `closed`).
    OnHold,
    /// Not listed: deleted.
    Gone,
}

/// The engine over the Willo mock and `V`'s mock, and what the tests reach into.
pub struct World<V> {
    pub willo: MockServer,
    pub ats: MockServer,
    pub adapter: Arc<dyn Ats>,
    pub store: Arc<dyn Store>,
    pub engine: Engine,
    vendor: PhantomData<V>,
}

impl<V: VendorWorld> World<V> {
    /// The default rules, configuration and memory store.
    pub async fn new() -> Self {
        Self::with(Arc::new(MemoryStore::new()), Self::rules(), config()).await
    }

    pub async fn with(store: Arc<dyn Store>, rules: Rules, config: EngineConfig) -> Self {
        Self::on_clock(store, rules, config, Arc::new(SystemClock)).await
    }

    pub async fn on_clock(
        store: Arc<dyn Store>,
        rules: Rules,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let ats = strict_server().await;
        let adapter = V::adapter(&ats);
        Self::assemble(ats, adapter, store, rules, config, clock).await
    }

    /// The world over an `adapter` of `ats` the caller configured.
    pub async fn assemble(
        ats: MockServer,
        adapter: Arc<dyn Ats>,
        store: Arc<dyn Store>,
        rules: Rules,
        config: EngineConfig,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let willo = strict_server().await;
        let engine = engine_over(&willo, store.clone(), adapter.clone(), rules)
            .config(config)
            .clock(clock)
            .build()
            .unwrap();
        World {
            willo,
            ats,
            adapter,
            store,
            engine,
            vendor: PhantomData,
        }
    }

    /// Invite at the trigger stage of the job, to `INTERVIEW`.
    pub fn rules() -> Rules {
        Rules::new().trigger(
            V::NAME,
            JobSelector::Job(V::JOB.into()),
            [V::TRIGGER_STAGE],
            INTERVIEW,
        )
    }

    /// Another engine on the same store and vendors, as a second replica would be.
    pub fn replica(&self) -> Engine {
        engine_over(
            &self.willo,
            self.store.clone(),
            self.adapter.clone(),
            Self::rules(),
        )
        .config(config())
        .build()
        .unwrap()
    }

    pub fn name() -> AtsName {
        AtsName::from(V::NAME)
    }

    pub fn application() -> ApplicationRef {
        ApplicationRef {
            application: V::APPLICATION.into(),
            candidate: V::CANDIDATE.into(),
            job: V::JOB.into(),
        }
    }

    pub fn key() -> LedgerKey {
        LedgerKey::new(Self::name(), V::APPLICATION, INTERVIEW)
    }

    pub fn invited() -> Action {
        super::engine_setup::invited(Self::key())
    }

    pub fn wrote_back(outcome: &str) -> Action {
        super::engine_setup::wrote_back(Self::key(), outcome)
    }

    pub fn stage_changed() -> AtsEvent {
        AtsEvent::StageChanged {
            application: Self::application(),
            stage: V::TRIGGER_STAGE.into(),
            details: None,
        }
    }

    /// The engine's action on the application reaching the trigger stage.
    pub async fn on_stage_change(&self) -> Action {
        self.on_ats_event(Self::stage_changed()).await
    }

    /// The engine's action on the ATS `event`.
    pub async fn on_ats_event(&self, event: AtsEvent) -> Action {
        self.engine
            .handle_ats_event(&Self::name(), &event)
            .await
            .unwrap()
    }

    /// Everything one successful invite does, each exactly once.
    pub async fn one_invite(&self) {
        self.one_invite_reading(1).await;
    }

    /// [`World::one_invite`], reading the candidate `reads` times: none when a
    /// resolved delivery or the listing already gave their details.
    pub async fn one_invite_reading(&self, reads: u64) {
        V::candidate_read(&self.ats, PHONE, reads).await;
        willo_lookup(&self.willo, json!([]), 0).await;
        willo_invite(&self.willo, &V::INVITEE, 1).await;
        V::invited_label_added(&self.ats, 1).await;
    }

    /// Invite on a stage change, asserted.
    pub async fn invite(&self) {
        self.one_invite().await;
        assert_eq!(self.on_stage_change().await, Self::invited());
    }

    /// Everything one first results write-back of `answered` does, each exactly once:
    /// the labels move to "To Review", then the note is written (a first attempt lists
    /// no notes: nothing can be there yet).
    pub async fn results_written_back(&self, answered: &Value) {
        V::labels_moved(&self.ats, INVITED, TO_REVIEW, 1).await;
        V::notes_listed(&self.ats, vec![], 0).await;
        V::note_written(&self.ats, answered, 1).await;
    }

    /// Verify the stage-change delivery `id` as the intake does, and keep it in the
    /// inbox. Returns whether it was new.
    pub async fn deliver_stage_change(&self, id: &str) -> bool {
        self.deliver(V::stage_change_delivery(id), id).await
    }

    /// Verify the signed `delivery` as the intake does, check it is known by
    /// `dedupe_key`, and keep it in the inbox. Returns whether it was new.
    pub async fn deliver(&self, (headers, body): (HeaderMap, Vec<u8>), dedupe_key: &str) -> bool {
        let verified = self
            .adapter
            .webhooks()
            .expect("the adapter verifies webhooks")
            .verify(&WebhookRequest::new(&headers, &body))
            .unwrap();
        assert_eq!(verified.dedupe_key, dedupe_key);
        self.store
            .inbox_insert(&verified.to_inbox(V::NAME), now_millis() as i64)
            .await
            .unwrap()
    }
}

/// An in-memory SQLite store, for the flow that runs on each store (the one place the
/// matrix names a SQL store).
pub async fn sqlite_store() -> Arc<dyn Store> {
    Arc::new(ats_store_sql::SqliteStore::open_in_memory().await.unwrap())
}

/// The labels in the order the rules' lifecycle names them.
pub const LABELS: [&str; 4] = [INVITED, TO_REVIEW, ACCEPTED, REJECTED];
