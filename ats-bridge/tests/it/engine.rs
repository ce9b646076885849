//! The engine's own behaviour, with a small in-memory ATS and a stateful mock of
//! Willo's participants: reconciliation with cursors, bounded participant checks,
//! screening, recruiter sends, crash recovery, the inbox and the run loop.
//! (The `engine_lever` and `engine_smartrecruiters` modules cover the adapters.)

use crate::support;
use crate::support::claims::lease;

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use ats_bridge::engine::{
    Action, Engine, EngineConfig, EngineError, Ignored, ParticipantChecks, RetrySchedule,
};
use ats_bridge::model::{AtsEvent, ParticipantKey};
use ats_bridge::rules::{JobSelector, Rules};
use ats_bridge::store::{
    Inbox, InviteClaim, Ledger, LedgerKey, MemoryStore, NewDelivery, ReconcilerState, RowState,
    Store,
};
use ats_bridge::{StoredDelivery, VerifiedDelivery, WilloSource};
use ats_testkit::MemoryAts;
use serde_json::json;
use support::clock::TestClock;
use support::fake_willo::{FakeWillo, invites, requests, willo};
use support::tiny_ats::{app, candidate, labels_added, moved_to_screen, notes, tiny};
use willo_client::webhooks::{Delivery, WebhookEvent};
use wiremock::MockServer;

const INTERVIEW: &str = "1e2048a686804049b128f1357c559cbf";
const SCREENING: &str = "5c3b0a1e9d8f4e2a8b7c6d5e4f3a2b1c";

struct Setup {
    engine: Engine,
    ats: Arc<MemoryAts>,
    store: Arc<MemoryStore>,
    willo_server: MockServer,
    willo: FakeWillo,
    clock: Arc<TestClock>,
}

impl Setup {
    /// The engine's action on Willo's `new_response` about `participant`.
    async fn on_new_response(&self, participant: &ParticipantKey) -> Action {
        self.engine
            .handle_willo_delivery(&new_response(participant))
            .await
            .unwrap()
    }

    /// Keep application `n`'s move to the trigger stage in the inbox, received at 0 and
    /// known by `n`; returns whether it was new.
    async fn deliver_stage_change(&self, n: u32) -> bool {
        self.deliver_stage_change_as(&n.to_string(), n).await
    }

    /// [`Setup::deliver_stage_change`], known by `id`.
    async fn deliver_stage_change_as(&self, id: &str, n: u32) -> bool {
        let delivery = moved_to_screen(&self.ats, n);
        self.store
            .inbox_insert(&NewDelivery::new("tiny", id, &delivery), 0)
            .await
            .unwrap()
    }

    /// The engine's action on application `n` reaching the trigger stage.
    async fn on_stage_change(&self, n: u32) -> Action {
        self.engine
            .handle_ats_event(&"tiny".into(), &stage_changed(n))
            .await
            .unwrap()
    }
}

/// Row `key` linked to the participant Willo already had, no invite sent.
fn found_existing(key: LedgerKey) -> Action {
    Action::Invited {
        key,
        participant: "ffffffffffffffffffffffffffffffff".into(),
        created: false,
    }
}

fn rules() -> Rules {
    Rules::new().trigger("tiny", JobSelector::Any, ["screen"], INTERVIEW)
}

fn test_config() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.retry = RetrySchedule::new(Duration::from_secs(10), Duration::from_secs(60), 3);
    config.reconcile_pages_per_pass = 2;
    config.participant_checks =
        ParticipantChecks::new(Duration::from_secs(60), Duration::from_secs(100), 3);
    config.tick = Duration::from_millis(5);
    // Each test's store is new; the young-ledger look-ups have tests of their own.
    config.young_ledger_window = Duration::ZERO;
    config
}

async fn setup_with(rules: Rules, config: EngineConfig) -> Setup {
    let (willo_server, willo, client) = willo().await;
    let ats = Arc::new(tiny());
    let store = Arc::new(MemoryStore::new());
    let clock = Arc::new(TestClock(AtomicU64::new(1_700_000_000_000)));
    let engine = Engine::builder(client, store.clone())
        .ats(ats.clone())
        .rules(rules)
        .config(config)
        .clock(clock.clone())
        .build()
        .unwrap();
    Setup {
        engine,
        ats,
        store,
        willo_server,
        willo,
        clock,
    }
}

async fn setup() -> Setup {
    setup_with(rules(), test_config()).await
}

fn stage_changed(n: u32) -> AtsEvent {
    AtsEvent::StageChanged {
        application: app(n, "job-open"),
        stage: "screen".into(),
        details: None,
    }
}

fn new_response(participant: &ParticipantKey) -> Delivery {
    let body = json!({"participant": {"key": participant.as_str()}}).to_string();
    Delivery::parse(body.as_bytes(), Some(WebhookEvent::NewResponse)).unwrap()
}

async fn invite(s: &Setup, n: u32) -> ParticipantKey {
    match s.on_stage_change(n).await {
        Action::Invited { participant, .. } => participant,
        other => panic!("expected an invite, got {other:?}"),
    }
}

/// `Engine::run` on a task of its own, until told to stop.
struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), EngineError>>,
}

impl Running {
    fn start(engine: &Engine) -> Self {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let engine = engine.clone();
        let task = tokio::spawn(async move {
            engine
                .run(async {
                    let _ = stopped.await;
                })
                .await
        });
        Self { stop, task }
    }

    /// Stop it and check it stopped promptly and cleanly.
    async fn stop(self) {
        self.stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), self.task)
            .await
            .expect("run stops promptly")
            .unwrap()
            .unwrap();
    }
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn the_reconciler_invites_what_webhooks_missed_resuming_from_its_cursor() {
    let s = setup().await;
    // Five applications at the trigger stage on each job.
    for n in 1..=5 {
        assert!(s.ats.move_to(&format!("app-{n}"), "screen"));
        s.ats
            .add_application(app(100 + n, "job-closed"), "screen", candidate(100 + n));
    }
    // Two pages per pass, two applications per page: 4 of the open job's 5.
    let first = s.engine.reconcile().await.unwrap();
    assert_eq!((first.applications_seen, first.invited), (4, 4));
    assert!(first.errors.is_empty(), "{:?}", first.errors);
    assert_eq!(
        s.store
            .cursor_get("reconcile/tiny/job-open/screen")
            .await
            .unwrap(),
        Some("4".into())
    );
    let second = s.engine.reconcile().await.unwrap();
    assert_eq!((second.applications_seen, second.invited), (1, 1));
    // Back at the start: everything is known, nothing is sent again.
    let third = s.engine.reconcile().await.unwrap();
    assert_eq!((third.applications_seen, third.invited), (4, 0));
    assert_eq!(
        invites(&s.willo_server).await,
        5,
        "one invite each, none for the closed job"
    );
    // The closed job's state was remembered: its stage changes invite nobody.
    let closed = AtsEvent::StageChanged {
        application: app(101, "job-closed"),
        stage: "screen".into(),
        details: None,
    };
    let action = s
        .engine
        .handle_ats_event(&"tiny".into(), &closed)
        .await
        .unwrap();
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
}

#[tokio::test]
async fn a_quiet_participant_is_checked_a_bounded_number_of_times_and_the_webhook_still_works() {
    let s = setup().await;
    let participant = invite(&s, 1).await;
    let one = format!("/participants/{participant}/");
    let checks = || requests(&s.willo_server, "GET", &one);

    s.engine.reconcile().await.unwrap();
    assert_eq!(checks().await, 0, "not before `after`");
    s.clock.advance(Duration::from_secs(61));
    let report = s.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 1);
    assert_eq!(checks().await, 1);
    // Further checks are retries on a doubling schedule, three in all.
    assert_eq!(s.engine.retry_due().await.unwrap(), 0);
    s.clock.advance(Duration::from_secs(100));
    s.engine.retry_due().await.unwrap();
    assert_eq!(checks().await, 2);
    s.clock.advance(Duration::from_secs(200));
    s.engine.retry_due().await.unwrap();
    assert_eq!(checks().await, 3);
    s.clock.advance(Duration::from_secs(86_400 * 30));
    s.engine.retry_due().await.unwrap();
    s.engine.reconcile().await.unwrap();
    assert_eq!(checks().await, 3, "no fourth check");

    s.willo.answer(&participant);
    let action = s.on_new_response(&participant).await;
    assert!(
        matches!(&action, Action::WroteBack { outcome, .. } if outcome == "completed"),
        "{action:?}"
    );
    assert_eq!(notes(&s.ats), 1);
}

#[tokio::test]
async fn a_participant_found_answered_by_a_check_is_written_back() {
    let s = setup().await;
    let participant = invite(&s, 2).await;
    s.willo.answer(&participant);
    s.clock.advance(Duration::from_secs(61));
    let report = s.engine.reconcile().await.unwrap();
    assert_eq!((report.participants_checked, report.written_back), (1, 1));
    assert_eq!(
        labels_added(&s.ats),
        vec!["Willo:Invited", "Willo:To Review"]
    );
}

#[tokio::test]
async fn a_crash_between_sending_and_recording_does_not_send_twice() {
    let s = setup().await;
    // Another process claimed the row and sent the invite, then died before
    // recording it: Willo has the participant, the row is pending under a lease.
    let key = LedgerKey::new("tiny", "app-3", INTERVIEW);
    let now = 1_700_000_000_000;
    s.store
        .claim_invite(
            &InviteClaim::new(key.clone(), "cand-3", "job-open"),
            &lease("dead-worker", now, 120_000),
        )
        .await
        .unwrap();
    s.willo.add(
        "ffffffffffffffffffffffffffffffff",
        json!({"key": "ffffffffffffffffffffffffffffffff", "interview": INTERVIEW,
               "name": "Candidate 3", "email": "Candidate3@Example.com"}),
    );
    let busy = s.on_stage_change(3).await;
    assert_eq!(busy, Action::Busy { key: key.clone() });
    // The lease expires; the next event finds the participant instead of inviting.
    s.clock.advance(Duration::from_secs(121));
    let action = s.on_stage_change(3).await;
    assert_eq!(action, found_existing(key));
    assert_eq!(invites(&s.willo_server).await, 0);
}

#[tokio::test]
async fn a_recruiter_can_send_any_interview_once() {
    let s = setup().await;
    let application = app(7, "job-closed");
    let first = s
        .engine
        .send_interview(&"tiny".into(), &application, &INTERVIEW.into())
        .await
        .unwrap();
    assert!(
        matches!(first, Action::Invited { created: true, .. }),
        "{first:?}"
    );
    let again = s
        .engine
        .send_interview(&"tiny".into(), &application, &INTERVIEW.into())
        .await
        .unwrap();
    assert!(matches!(again, Action::AlreadyDone { .. }), "{again:?}");
    assert_eq!(invites(&s.willo_server).await, 1);
    let unknown = s
        .engine
        .send_interview(&"nope".into(), &application, &INTERVIEW.into())
        .await;
    assert!(matches!(unknown, Err(EngineError::UnknownAts(_))));
}

#[tokio::test]
async fn a_completed_screening_interview_creates_the_candidate_once_with_the_results() {
    let rules = rules().screen(SCREENING, "tiny", "job-open");
    let s = setup_with(rules, test_config()).await;
    let key = "abcdefabcdefabcdefabcdefabcdef01";
    s.willo.add(
        key,
        json!({"key": key, "interview": SCREENING, "name": "Walk In", "email": "walk@example.com",
               "responses": [{"question": "Hello?", "transcript": "Hi."}]}),
    );
    let participant = ParticipantKey::from(key);
    let action = s.on_new_response(&participant).await;
    assert!(matches!(action, Action::Screened { .. }), "{action:?}");
    let created = s.ats.created();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].job.as_str(), "job-open");
    // The labels, then the note (the engine writes the note last).
    let written = s.ats.writes();
    assert_eq!(written.len(), 2);
    for (application, _) in &written {
        assert_eq!(
            application, &created[0],
            "results go onto the new candidate"
        );
    }
    assert!(!written[0].1.add_labels.is_empty() && written[0].1.outcome.is_none());
    assert!(written[1].1.outcome.is_some() && written[1].1.add_labels.is_empty());

    let again = s.on_new_response(&participant).await;
    assert!(matches!(again, Action::AlreadyDone { .. }), "{again:?}");
    assert_eq!(s.ats.created().len(), 1);
}

#[tokio::test]
async fn an_unknown_participant_is_ignored_without_calling_willo() {
    let s = setup().await;
    let stranger = ParticipantKey::from("0000000000000000000000000000dead");
    let action = s.on_new_response(&stranger).await;
    assert_eq!(action, Action::Ignored(Ignored::UnknownParticipant));
    assert!(s.willo_server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_failed_write_back_is_retried_later_and_given_up_with_a_reason() {
    let s = setup().await;
    let participant = invite(&s, 4).await;
    s.willo.answer(&participant);
    s.ats.fail_write_backs(1);
    let action = s.on_new_response(&participant).await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    assert_eq!(
        s.engine.retry_due().await.unwrap(),
        0,
        "not before the backoff"
    );
    s.clock.advance(Duration::from_secs(13));
    s.engine.retry_due().await.unwrap();
    assert_eq!(notes(&s.ats), 1);

    // Out of attempts: failed with the reason, then re-driven by an operator.
    let participant = invite(&s, 5).await;
    s.willo.answer(&participant);
    s.ats.fail_write_backs(3);
    s.on_new_response(&participant).await;
    for _ in 0..2 {
        s.clock.advance(Duration::from_secs(80));
        s.engine.retry_due().await.unwrap();
    }
    let status = s.engine.status().await.unwrap();
    assert_eq!(status.failed.len(), 1);
    let failed = &status.failed[0];
    assert!(
        failed
            .last_error
            .as_deref()
            .unwrap()
            .contains("gave up after 3 attempts"),
        "{failed:?}"
    );
    s.engine.redrive(&failed.key).await.unwrap();
    s.engine.retry_due().await.unwrap();
    assert_eq!(notes(&s.ats), 2);
    assert_eq!(
        s.engine.status().await.unwrap().by_state[&RowState::Synced],
        2
    );
}

#[tokio::test]
async fn inbox_deliveries_are_acted_on_and_outages_retried() {
    let s = setup().await;
    let store: &dyn Store = s.store.as_ref();
    let now = 1_700_000_000_000;
    let six = moved_to_screen(&s.ats, 6);
    store
        .inbox_insert(&NewDelivery::new("tiny", "6", &six), now)
        .await
        .unwrap();
    // Application 9's ATS is down: resolving its delivery fails like an outage.
    s.ats.take_down("app-9");
    let down = moved_to_screen(&s.ats, 9);
    store
        .inbox_insert(&NewDelivery::new("tiny", "down", &down), now)
        .await
        .unwrap();
    assert_eq!(s.engine.process_inbox().await.unwrap(), 2);
    assert_eq!(invites(&s.willo_server).await, 1);
    // The failed one comes back after its backoff, not before.
    assert_eq!(s.engine.process_inbox().await.unwrap(), 0);
    s.clock.advance(Duration::from_secs(13));
    assert_eq!(s.engine.process_inbox().await.unwrap(), 1);

    // A Willo delivery through the inbox.
    let participant: ParticipantKey = format!("{:032x}", 1).into();
    s.willo.answer(&participant);
    let body = json!({"participant_key": participant.as_str()}).to_string();
    let stored = VerifiedDelivery::new(
        "willo-1",
        StoredDelivery::new(body).event(WebhookEvent::NewResponse.as_str()),
    );
    store
        .inbox_insert(&stored.to_inbox(WilloSource::NAME), now)
        .await
        .unwrap();
    s.engine.process_inbox().await.unwrap();
    assert_eq!(notes(&s.ats), 1);
}

#[tokio::test]
async fn run_acts_on_a_signalled_delivery_and_stops_when_told() {
    let mut config = test_config();
    config.reconcile_interval = None;
    let s = setup_with(rules(), config).await;
    let running = Running::start(&s.engine);
    s.deliver_stage_change(8).await;
    s.engine.inbox_signal().notify_one();
    for _ in 0..200 {
        if invites(&s.willo_server).await == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(invites(&s.willo_server).await, 1);
    running.stop().await;
}

#[tokio::test]
async fn run_works_through_more_deliveries_than_it_has_slots() {
    let mut config = test_config();
    config.reconcile_interval = None;
    config.concurrency = 2;
    let s = setup_with(rules(), config).await;
    for n in 1..=9 {
        let id = n.to_string();
        s.deliver_stage_change_as(&id, n).await;
    }
    let running = Running::start(&s.engine);
    for _ in 0..400 {
        if invites(&s.willo_server).await == 9 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        invites(&s.willo_server).await,
        9,
        "every delivery acted on once"
    );
    running.stop().await;
    let status = s.engine.status().await.unwrap();
    assert_eq!(status.by_state.get(&RowState::Invited), Some(&9));
}

#[tokio::test]
async fn processed_deliveries_are_deleted_after_their_retention() {
    let mut config = test_config();
    config.inbox_retention = Some(Duration::from_secs(3600));
    let s = setup_with(rules(), config).await;
    s.deliver_stage_change(5).await;
    s.deliver_stage_change(6).await;
    assert_eq!(s.engine.process_inbox().await.unwrap(), 2);
    assert_eq!(
        s.engine.prune_inbox().await.unwrap(),
        0,
        "still within retention"
    );
    s.clock.advance(Duration::from_secs(3601));
    assert_eq!(s.engine.prune_inbox().await.unwrap(), 2);
    // A late repeat of a pruned delivery is stored again but does not act twice.
    assert!(s.deliver_stage_change(5).await);
    s.engine.process_inbox().await.unwrap();
    assert_eq!(invites(&s.willo_server).await, 2);

    let mut keep = test_config();
    keep.inbox_retention = None;
    let s = setup_with(rules(), keep).await;
    s.deliver_stage_change(7).await;
    s.engine.process_inbox().await.unwrap();
    s.clock.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(s.engine.prune_inbox().await.unwrap(), 0, "retention off");
}

#[tokio::test]
async fn rules_must_name_connected_systems_that_can_do_what_they_ask() {
    let (_server, _fake, client) = willo().await;
    let store = Arc::new(MemoryStore::new());
    let unconnected = Engine::builder(client.clone(), store.clone())
        .ats(Arc::new(tiny()))
        .rules(Rules::new().trigger("lever", JobSelector::Any, ["s"], INTERVIEW))
        .build();
    assert!(
        matches!(&unconnected, Err(EngineError::Config(m)) if m.contains("trigger[0]") && m.contains("lever")),
        "{unconnected:?}"
    );
    let twice = Engine::builder(client, store)
        .ats(Arc::new(tiny()))
        .ats(Arc::new(tiny()))
        .build();
    assert!(matches!(twice, Err(EngineError::Config(_))));
}

#[tokio::test]
async fn a_step_outlasting_its_lease_is_rescheduled_not_left_to_race() {
    let mut config = test_config();
    config.lease = Duration::from_millis(100);
    let s = setup_with(rules(), config).await;
    let participant = invite(&s, 9).await;
    s.willo.answer(&participant);
    // Writing back takes longer than the 80 ms a step may use of its lease.
    s.ats.delay_write_backs(Duration::from_millis(300));
    let action = s.on_new_response(&participant).await;
    assert!(
        matches!(&action, Action::Rescheduled { reason, .. } if reason.contains("lease")),
        "{action:?}"
    );
    assert_eq!(
        notes(&s.ats),
        0,
        "the slow write was stopped before it landed"
    );
    s.ats.delay_write_backs(Duration::ZERO);
    s.clock.advance(Duration::from_secs(13));
    s.engine.retry_due().await.unwrap();
    assert_eq!(notes(&s.ats), 1);
}

#[tokio::test]
async fn one_person_applying_twice_gets_the_results_on_both_applications() {
    let s = setup().await;
    let participant = invite(&s, 1).await;
    // The same person (same email) on another job, sent the same interview: Willo
    // keeps one participant for both applications.
    let second = ats_bridge::model::ApplicationRef {
        application: "app-1-porter".into(),
        ..app(1, "job-closed")
    };
    s.ats
        .add_application(second.clone(), "screen", candidate(1));
    let action = s
        .engine
        .send_interview(&"tiny".into(), &second, &INTERVIEW.into())
        .await
        .unwrap();
    assert!(
        matches!(&action, Action::Invited { participant: p, created: false, .. } if *p == participant),
        "{action:?}"
    );
    assert_eq!(invites(&s.willo_server).await, 1);

    s.willo.answer(&participant);
    s.on_new_response(&participant).await;
    let written = s.ats.writes();
    let with_notes: Vec<_> = written
        .iter()
        .filter(|(_, write)| write.outcome.is_some())
        .map(|(application, _)| application.clone())
        .collect();
    assert_eq!(
        with_notes,
        vec![app(1, "job-open"), second],
        "one note on each"
    );
}

#[tokio::test]
async fn one_persons_two_applications_arriving_together_get_one_invite() {
    let s = setup().await;
    // The same candidate on two jobs with the same interview, moved at the same time.
    let second = ats_bridge::model::ApplicationRef {
        application: "app-1-porter".into(),
        ..app(1, "job-open")
    };
    s.ats
        .add_application(second.clone(), "screen", candidate(1));
    let second_moved = AtsEvent::StageChanged {
        application: second.clone(),
        stage: "screen".into(),
        details: None,
    };
    let (tiny, first_moved) = ("tiny".into(), stage_changed(1));
    let (first, other) = tokio::join!(
        s.engine.handle_ats_event(&tiny, &first_moved),
        s.engine.handle_ats_event(&tiny, &second_moved),
    );
    let Action::Invited {
        participant,
        created: true,
        ..
    } = first.unwrap()
    else {
        panic!("the first application is invited");
    };
    let waiting = LedgerKey::new("tiny", "app-1-porter", INTERVIEW);
    assert_eq!(
        other.unwrap(),
        Action::Busy {
            key: waiting.clone()
        },
        "the second waits while the person's invite is in flight"
    );

    // The retry loop takes it up: it looks in Willo and joins the same participant.
    assert_eq!(s.engine.retry_due().await.unwrap(), 1);
    assert_eq!(invites(&s.willo_server).await, 1, "one email to the person");
    let row = s.store.row(&waiting).await.unwrap().unwrap();
    assert_eq!(row.state, RowState::Invited);
    assert_eq!(row.participant, Some(participant));
}

#[tokio::test]
async fn a_first_invite_looks_in_willo_only_when_configured_to() {
    // The person is already a participant of the interview through another ATS
    // connection: the ledger cannot know, only Willo can.
    let already_there = json!({"key": "ffffffffffffffffffffffffffffffff", "interview": INTERVIEW,
                               "name": "Candidate 4", "email": "candidate4@example.com"});
    let s = setup().await;
    s.willo
        .add("ffffffffffffffffffffffffffffffff", already_there.clone());
    let action = s.on_stage_change(4).await;
    assert!(
        matches!(action, Action::Invited { created: true, .. }),
        "{action:?}"
    );
    assert_eq!(requests(&s.willo_server, "GET", "/participants/").await, 0);

    let mut config = test_config();
    config.look_up_before_first_invite = true;
    let s = setup_with(rules(), config).await;
    s.willo
        .add("ffffffffffffffffffffffffffffffff", already_there);
    let action = s.on_stage_change(4).await;
    assert_eq!(
        action,
        found_existing(LedgerKey::new("tiny", "app-4", INTERVIEW))
    );
    assert_eq!(requests(&s.willo_server, "GET", "/participants/").await, 1);
    assert_eq!(invites(&s.willo_server).await, 0);
}

/// A ledger that was lost (or is new to an account the bridge already served) cannot
/// vouch that nothing was sent: while its history is younger than the window, a first
/// invite looks the candidate up in Willo and adopts the participant found there
/// instead of inviting them again; once it is older, first invites trust it.
#[tokio::test]
async fn a_young_ledger_looks_in_willo_before_first_invites_until_it_can_vouch() {
    let invited_before = json!({"key": "ffffffffffffffffffffffffffffffff", "interview": INTERVIEW,
                                "name": "Candidate 4", "email": "candidate4@example.com"});
    let mut config = test_config();
    config.young_ledger_window = Duration::from_secs(24 * 3600);
    let s = setup_with(rules(), config).await;
    s.willo
        .add("ffffffffffffffffffffffffffffffff", invited_before);
    // The ledger starts empty today: candidate 4 was invited by the ledger that was lost.
    let action = s.on_stage_change(4).await;
    assert_eq!(
        action,
        found_existing(LedgerKey::new("tiny", "app-4", INTERVIEW))
    );
    assert_eq!(invites(&s.willo_server).await, 0, "no second invite");

    // A day later the ledger vouches for what it has not seen: no look-up.
    s.clock.advance(Duration::from_secs(24 * 3600));
    let looked = requests(&s.willo_server, "GET", "/participants/").await;
    assert!(matches!(
        s.on_stage_change(5).await,
        Action::Invited { created: true, .. }
    ));
    assert_eq!(
        requests(&s.willo_server, "GET", "/participants/").await,
        looked
    );
}

/// A Willo delivery that finds its row busy (another worker is writing the answer back)
/// must come back: once that worker records its outcome, nothing else would look at
/// the row again, and the decision the delivery announced would never reach the ATS.
#[tokio::test]
async fn news_finding_its_row_busy_comes_back_and_writes_the_latest_state() {
    let s = setup().await;
    let participant = invite(&s, 1).await;
    s.willo.answer(&participant);
    let key = LedgerKey::new("tiny", "app-1", INTERVIEW);
    let now = || s.clock.0.load(std::sync::atomic::Ordering::SeqCst) as i64;
    // Another worker is writing the answer back (a slow note) and holds the row.
    let other = lease("other-worker", now(), 60_000);
    let claim = s.store.claim_sync(&key, "completed", &other).await.unwrap();
    assert!(claim.is_acquired(), "{claim:?}");

    // Meanwhile the team accepts the candidate in Willo, and Willo says so.
    s.willo.move_to(&participant, "Accepted");
    let body = json!({"participant_key": participant.as_str()}).to_string();
    let stage_change = VerifiedDelivery::new(
        "stage-change-1",
        StoredDelivery::new(body).event(WebhookEvent::StageChange.as_str()),
    );
    let inbox: &dyn Store = s.store.as_ref();
    inbox
        .inbox_insert(&stage_change.to_inbox(WilloSource::NAME), now())
        .await
        .unwrap();
    assert_eq!(s.engine.process_inbox().await.unwrap(), 1);

    // The other worker finishes: "To Review" is on the record.
    s.store
        .record_synced(&key, "completed", claim.row().fence, now())
        .await
        .unwrap();
    // The delivery comes back soon (a busy row is free within seconds, so it does not
    // wait out the failure backoff, 10 s here) and writes the decision.
    s.clock.advance(Duration::from_secs(2));
    assert_eq!(s.engine.process_inbox().await.unwrap(), 1, "it came back");
    let row = s.store.row(&key).await.unwrap().unwrap();
    assert_eq!(row.synced_outcome.as_deref(), Some("decision:accepted"));
    assert!(labels_added(&s.ats).contains(&"Willo:Accepted".to_owned()));
    s.clock.advance(Duration::from_secs(3600));
    assert_eq!(
        s.engine.process_inbox().await.unwrap(),
        0,
        "and then it is done"
    );
}
