//! The reconciler: what webhooks missed is invited once, and quiet participants are
//! checked a bounded number of times.

use std::sync::Arc;
use std::time::Duration;

use ats_bridge::engine::{Action, ParticipantChecks};
use ats_bridge::store::{MemoryStore, RowState};
use serde_json::json;
use willo_client::WebhookEvent;

use crate::support::clock::MovableClock;
use crate::support::engine_setup::{config, on_willo_news, participant_row, rows_in};
use crate::support::willo_mock::{INTERVIEW, PARTICIPANT, participant, willo_results};
use crate::support::world::{VendorWorld, World};

const HOUR: Duration = Duration::from_secs(3600);

pub async fn the_reconciler_invites_what_webhooks_missed_once<V: VendorWorld>() {
    let w = World::<V>::new().await;
    V::listed_at_trigger_stage(&w.ats, 2).await;
    // A listing that carries the whole candidate is not followed by a read.
    w.one_invite_reading(u64::from(!V::LISTING_HAS_DETAILS))
        .await;

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 1);
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let row = participant_row(w.store.as_ref()).await.expect("invited");
    assert_eq!(row.key, World::<V>::key());
    assert_eq!(row.candidate.as_str(), V::CANDIDATE);

    // The next pass sees the same application and leaves it alone.
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 0);
    let status = w.engine.status().await.unwrap();
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
    // And a late webhook for it finds the work done.
    let late = w.on_stage_change().await;
    assert_eq!(
        late,
        Action::AlreadyDone {
            key: World::<V>::key()
        }
    );
}

pub async fn the_reconciler_leaves_an_application_invited_through_a_webhook_alone<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    w.invite().await;
    V::listed_at_trigger_stage(&w.ats, 1).await;
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.applications_seen, 1);
    assert_eq!(report.invited, 0, "{report:?}");
    let status = w.engine.status().await.unwrap();
    assert_eq!(status.by_state.values().sum::<u64>(), 1, "{status:?}");
}

/// The world checking quiet participants an hour after the invite, then an hour
/// apart, twice at most, on `clock`.
async fn checked_world<V: VendorWorld>(clock: Arc<MovableClock>) -> World<V> {
    let mut config = config();
    config.participant_checks = ParticipantChecks::new(HOUR, HOUR, 2);
    World::on_clock(
        Arc::new(MemoryStore::new()),
        World::<V>::rules(),
        config,
        clock,
    )
    .await
}

pub async fn quiet_participants_are_checked_a_bounded_number_of_times_then_left_to_the_webhook<
    V: VendorWorld,
>() {
    let clock = Arc::new(MovableClock::default());
    let w = checked_world::<V>(clock.clone()).await;
    w.invite().await;
    V::nobody_at_trigger_stage(&w.ats, 3).await;
    let waiting = json!({"key": PARTICIPANT, "interview": INTERVIEW, "stage": "Invited"});
    willo_results(&w.willo, waiting, 2).await;

    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 0, "invited just now");

    clock.advance(2 * HOUR);
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 1);
    assert_eq!(report.written_back, 0);
    assert_eq!(
        w.engine.retry_due().await.unwrap(),
        0,
        "next check in an hour"
    );

    clock.advance(2 * HOUR);
    assert_eq!(w.engine.retry_due().await.unwrap(), 1, "the second check");
    clock.advance(30 * 24 * HOUR);
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "no third check");
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 0);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);

    // Willo's webhook still brings the answer.
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    w.results_written_back(&answered).await;
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, World::<V>::wrote_back("completed"));
}

pub async fn a_check_that_finds_the_answer_writes_it_back_without_the_webhook<V: VendorWorld>() {
    let clock = Arc::new(MovableClock::default());
    let w = checked_world::<V>(clock.clone()).await;
    w.invite().await;
    V::nobody_at_trigger_stage(&w.ats, 1).await;
    let answered = participant("Received");
    willo_results(&w.willo, answered.clone(), 1).await;
    w.results_written_back(&answered).await;

    clock.advance(2 * HOUR);
    let report = w.engine.reconcile().await.unwrap();
    assert_eq!(report.participants_checked, 1);
    assert_eq!(report.written_back, 1);
    assert_eq!(rows_in(&w.engine, RowState::Synced).await, 1);
}
