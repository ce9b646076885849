//! Reaching the trigger stage: one invite, whatever the duplicates, deletions, closed
//! jobs, dry runs and failures on the way.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use ats_bridge::engine::{Action, Ignored, RetrySchedule};
use ats_bridge::model::{AtsEvent, JobState, ParticipantKey};
use ats_bridge::store::{Claim, InviteClaim, Lease, MemoryStore, RowState};
use serde_json::json;
use willo_client::WebhookEvent;
use wiremock::ResponseTemplate;
use wiremock::matchers::body_json;

use crate::support::clock::TestClock;
use crate::support::engine_setup::{config, count, on_willo_news, participant_row, rows_in};
use crate::support::mock_server::{CLIENT_ATTEMPTS, fail_first, mount_exactly};
use crate::support::willo_mock::{
    INTERVIEW, PARTICIPANT, PHONE, inbox_willo_delivery, willo, willo_invite,
    willo_invite_answering_after, willo_invite_by_email, willo_lookup,
};
use crate::support::world::{VendorWorld, World};

pub async fn repeated_stage_changes_direct_and_through_the_inbox_invite_once<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.one_invite().await;
    V::delivery_resolved(&w.ats, 1).await;

    assert_eq!(w.on_stage_change().await, World::<V>::invited());
    let second = w.on_stage_change().await;
    assert_eq!(
        second,
        Action::AlreadyDone {
            key: World::<V>::key()
        }
    );

    // The vendor delivers the same webhook twice: one inbox item, resolved to the same
    // application, which is already done.
    assert!(w.deliver_stage_change("evt-1").await);
    assert!(!w.deliver_stage_change("evt-1").await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 0, "item done");

    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Invited), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
}

pub async fn a_stage_change_through_the_inbox_reads_the_candidate_once_and_invites<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    // The read that resolves the delivery gives the invite the candidate's details.
    V::delivery_resolved(&w.ats, 1).await;
    w.one_invite_reading(0).await;
    assert!(w.deliver_stage_change("evt-1").await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

pub async fn a_stage_change_whose_lookup_failed_is_retried_from_the_inbox<V: VendorWorld>() {
    let w = World::<V>::new().await;
    V::delivery_unresolvable(&w.ats, CLIENT_ATTEMPTS).await;
    V::delivery_resolved(&w.ats, 1).await;
    w.one_invite_reading(0).await;

    assert!(w.deliver_stage_change("a-fresh-delivery-token").await);
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
    assert_eq!(w.engine.process_inbox().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

pub async fn a_deleted_candidate_cancels_the_invited_row_and_erases_the_link<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.invite().await;
    // Willo's delivery about them (it can carry their name and e-mail), still waiting.
    assert!(inbox_willo_delivery(w.store.as_ref(), WebhookEvent::StageChange).await);
    // The participant the bridge created in Willo (name, e-mail, answers) goes too.
    mount_exactly(
        &w.willo,
        1,
        willo("DELETE", &format!("/participants/{PARTICIPANT}/"))
            .respond_with(ResponseTemplate::new(204)),
    )
    .await;

    let action = w
        .on_ats_event(AtsEvent::CandidateDeleted {
            candidate: V::CANDIDATE.into(),
        })
        .await;
    assert_eq!(
        action,
        Action::Cancelled {
            ats: World::<V>::name(),
            candidate: V::CANDIDATE.into(),
            rows: 1,
            participants_erased: 1,
        }
    );
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Cancelled), 1);
    assert_eq!(status.by_state.values().sum::<u64>(), 1);
    assert!(
        participant_row(w.store.as_ref()).await.is_none(),
        "the participant link is erased"
    );
    assert!(
        inbox_willo_delivery(w.store.as_ref(), WebhookEvent::StageChange).await,
        "the delivery is erased too: its copy is stored as new"
    );

    // Willo's news about the participant now concerns no one: no request at all.
    let willo_seen = w.willo.received_requests().await.unwrap().len();
    let ats_seen = w.ats.received_requests().await.unwrap().len();
    let action = on_willo_news(&w.engine, WebhookEvent::NewResponse).await;
    assert_eq!(action, Action::Ignored(Ignored::UnknownParticipant));
    // A later stage change for the same application does not invite again either.
    let action = w.on_stage_change().await;
    assert_eq!(
        action,
        Action::AlreadyDone {
            key: World::<V>::key()
        }
    );
    assert_eq!(w.willo.received_requests().await.unwrap().len(), willo_seen);
    assert_eq!(w.ats.received_requests().await.unwrap().len(), ats_seen);
}

pub async fn a_candidate_deleted_before_the_invite_went_out_is_never_invited<V: VendorWorld>() {
    let w = World::<V>::new().await;
    // Willo is down: the invite is rescheduled, the row stays pending.
    V::candidate_read(&w.ats, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    mount_exactly(
        &w.willo,
        1,
        willo("POST", "/participants/").respond_with(ResponseTemplate::new(503)),
    )
    .await;
    let action = w.on_stage_change().await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");

    let action = w
        .on_ats_event(AtsEvent::CandidateDeleted {
            candidate: V::CANDIDATE.into(),
        })
        .await;
    assert!(matches!(action, Action::Cancelled { rows: 1, .. }));
    let status = w.engine.status().await.unwrap();
    assert_eq!(count(&status, RowState::Cancelled), 1);
    // The retry finds nothing to do: no further request anywhere.
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);
}

pub async fn a_candidate_deleted_while_the_invite_is_in_flight_stops_the_row_without_an_error<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    // Willo answers the invite late: the deletion lands while it is on its way.
    let late = Duration::from_millis(200);
    willo_invite_answering_after(&w.willo, &V::INVITEE, 1, late).await;
    V::invited_label_added(&w.ats, 1).await;
    let name = World::<V>::name();
    let changed = World::<V>::stage_changed();
    let deleted = AtsEvent::CandidateDeleted {
        candidate: V::CANDIDATE.into(),
    };
    // The participant the invite created for the now deleted candidate is taken back.
    mount_exactly(
        &w.willo,
        1,
        willo("DELETE", &format!("/participants/{PARTICIPANT}/"))
            .respond_with(ResponseTemplate::new(204)),
    )
    .await;
    // The deletion is handled while the invite waits for the vendor's answer.
    let (invite, cancel) = tokio::join!(w.engine.handle_ats_event(&name, &changed), async {
        tokio::time::sleep(late / 2).await;
        w.engine.handle_ats_event(&name, &deleted).await
    });
    assert!(
        matches!(cancel, Ok(Action::Cancelled { rows: 1, .. })),
        "{cancel:?}"
    );
    assert_eq!(rows_in(&w.engine, RowState::Cancelled).await, 1);
    assert!(
        matches!(
            invite,
            Ok(Action::Ignored(Ignored::RowStopped(RowState::Cancelled)))
        ),
        "{invite:?}"
    );
}

pub async fn a_closed_job_takes_no_invites<V: VendorWorld>() {
    let w = World::<V>::new().await;
    let closed = AtsEvent::JobStatusChanged {
        job: V::JOB.into(),
        state: JobState::Closed,
    };
    let action = w.on_ats_event(closed).await;
    assert_eq!(
        action,
        Action::JobStateRecorded {
            ats: World::<V>::name(),
            job: V::JOB.into(),
            state: JobState::Closed
        }
    );
    let action = w.on_stage_change().await;
    assert_eq!(action, Action::Ignored(Ignored::JobClosed));
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    assert!(w.ats.received_requests().await.unwrap().is_empty());
    assert!(w.engine.status().await.unwrap().by_state.is_empty());

    // Reopened: the next stage change invites.
    w.on_ats_event(AtsEvent::JobStatusChanged {
        job: V::JOB.into(),
        state: JobState::Open,
    })
    .await;
    w.invite().await;
}

pub async fn a_recruiter_can_send_the_interview_on_a_closed_job<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.on_ats_event(AtsEvent::JobStatusChanged {
        job: V::JOB.into(),
        state: JobState::Closed,
    })
    .await;
    w.one_invite().await;
    let (name, application) = (World::<V>::name(), World::<V>::application());
    let interview = INTERVIEW.into();
    let send = || w.engine.send_interview(&name, &application, &interview);
    assert_eq!(send().await.unwrap(), World::<V>::invited());
    // Sent once: a second click finds it done.
    let again = send().await.unwrap();
    assert_eq!(
        again,
        Action::AlreadyDone {
            key: World::<V>::key()
        }
    );
}

pub async fn a_stage_without_a_rule_is_ignored<V: VendorWorld>() {
    let w = World::<V>::new().await;
    let action = w
        .on_ats_event(AtsEvent::StageChanged {
            application: World::<V>::application(),
            stage: "some-other-stage".into(),
            details: None,
        })
        .await;
    assert_eq!(action, Action::Ignored(Ignored::NoRule));
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    assert!(w.ats.received_requests().await.unwrap().is_empty());
}

pub async fn a_dry_run_reads_the_candidate_and_sends_and_writes_nothing<V: VendorWorld>() {
    let mut config = config();
    config.dry_run = true;
    let w = World::<V>::with(Arc::new(MemoryStore::new()), World::<V>::rules(), config).await;
    V::candidate_read(&w.ats, PHONE, 1).await;
    let action = w.on_stage_change().await;
    assert_eq!(
        action,
        Action::WouldInvite {
            key: World::<V>::key()
        }
    );
    assert_eq!(w.engine.would_invite(), vec![World::<V>::key()]);
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    let ats_calls = w.ats.received_requests().await.unwrap();
    assert!(ats_calls.iter().all(|r| r.method.as_str() == "GET"));
    assert!(w.engine.status().await.unwrap().by_state.is_empty());
}

pub async fn a_dry_run_reports_a_candidate_it_could_not_invite_and_keeps_nothing<V: VendorWorld>() {
    let mut config = config();
    config.dry_run = true;
    let w = World::<V>::with(Arc::new(MemoryStore::new()), World::<V>::rules(), config).await;
    // (A phone not in E.164 no longer stops an invite: issue 17.)
    V::candidate_read_without_email(&w.ats, 1).await;
    let action = w.on_stage_change().await;
    let Action::Failed { reason, .. } = &action else {
        panic!("expected a failure, got {action:?}");
    };
    assert!(reason.contains("no email address"), "{reason}");
    assert!(w.engine.would_invite().is_empty());
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    let status = w.engine.status().await.unwrap();
    assert!(status.by_state.is_empty() && status.failed.is_empty());
}

pub async fn a_willo_outage_on_the_invite_is_retried_and_invites_once<V: VendorWorld>() {
    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, PHONE, 2).await;
    willo_lookup(&w.willo, json!([]), 1).await;
    fail_first(
        &w.willo,
        503,
        willo("POST", "/participants/").and(body_json(V::INVITEE.invite_body())),
    )
    .await;
    willo_invite(&w.willo, &V::INVITEE, 1).await;
    V::invited_label_added(&w.ats, 1).await;

    let action = w.on_stage_change().await;
    let Action::Rescheduled {
        key: row, reason, ..
    } = &action
    else {
        panic!("expected a retry, got {action:?}");
    };
    assert_eq!(row, &World::<V>::key());
    assert!(reason.contains("sending the Willo invite"), "{reason}");
    assert_eq!(rows_in(&w.engine, RowState::Pending).await, 1);

    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
    assert!(participant_row(w.store.as_ref()).await.is_some());
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "nothing left due");
}

pub async fn an_invite_that_went_through_despite_the_error_is_found_and_not_sent_again<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, PHONE, 2).await;
    // Willo created the participant but the answer was lost: the retry finds them.
    willo_lookup(&w.willo, json!([]), 0).await;
    mount_exactly(
        &w.willo,
        1,
        willo("POST", "/participants/")
            .and(body_json(V::INVITEE.invite_body()))
            .respond_with(ResponseTemplate::new(502)),
    )
    .await;
    let action = w.on_stage_change().await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    willo_lookup(&w.willo, V::INVITEE.listed(), 1).await;
    V::invited_label_added(&w.ats, 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

pub async fn a_phone_that_is_not_e164_is_left_out_and_the_invite_goes_by_email_with_a_warning<
    V: VendorWorld,
>() {
    // Issue 17, section 7: the phone used to fail the row; the e-mail invite is enough.
    let w = World::<V>::new().await;
    let key = World::<V>::key();
    V::candidate_read(&w.ats, V::NATIONAL_PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite_by_email(&w.willo, &V::INVITEE, 1).await;
    V::invited_label_added(&w.ats, 1).await;
    assert_eq!(w.on_stage_change().await, World::<V>::invited());
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert_eq!(row.state, RowState::Invited);
    let warning = row.warning.expect("a warning on the row");
    assert!(
        warning.contains("E.164") && warning.contains("e-mail only"),
        "{warning}"
    );
    assert!(
        !warning.contains(V::PHONE_DIGITS),
        "no personal data: {warning}"
    );
    let status = w.engine.status().await.unwrap();
    assert!(status.failed.is_empty());
    assert_eq!(count(&status, RowState::Invited), 1);
}

pub async fn a_candidate_without_an_email_fails_with_the_reason_and_no_willo_call<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    V::candidate_read_without_email(&w.ats, 1).await;
    let action = w.on_stage_change().await;
    let Action::Failed { reason, .. } = &action else {
        panic!("expected a failure, got {action:?}");
    };
    assert!(reason.contains("no email"), "{reason}");
    assert!(w.willo.received_requests().await.unwrap().is_empty());
    assert_eq!(w.engine.status().await.unwrap().failed.len(), 1);
}

pub async fn a_failed_invited_tag_is_retried_and_finds_the_participant_instead_of_inviting_again<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, PHONE, 2).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite(&w.willo, &V::INVITEE, 1).await;
    // Labelling is idempotent: the client retries it before the engine gives up for now.
    V::invited_label_refused(&w.ats, ResponseTemplate::new(503), CLIENT_ATTEMPTS).await;
    let action = w.on_stage_change().await;
    let Action::Rescheduled { reason, .. } = &action else {
        panic!("expected a retry, got {action:?}");
    };
    assert!(reason.contains("labelling the invite"), "{reason}");
    // Not recorded yet: Willo's news cannot reach the row until the label is written.
    assert_eq!(rows_in(&w.engine, RowState::Pending).await, 1);

    // The retry finds the participant by email: no second POST, no second email.
    willo_lookup(&w.willo, V::INVITEE.listed(), 1).await;
    V::invited_label_added(&w.ats, 1).await;
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let row = participant_row(w.store.as_ref())
        .await
        .expect("recorded on retry");
    assert_eq!(row.key, World::<V>::key());
    assert_eq!(row.state, RowState::Invited);
    assert_eq!(row.attempts, 0);
}

pub async fn a_tag_the_ats_refuses_does_not_undo_the_invite<V: VendorWorld>() {
    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    willo_invite(&w.willo, &V::INVITEE, 1).await;
    let refused = ResponseTemplate::new(400)
        .set_body_json(json!({"code": "BadRequest", "message": "tags refused"}));
    V::invited_label_refused(&w.ats, refused, 1).await;
    assert_eq!(w.on_stage_change().await, World::<V>::invited());
    assert_eq!(rows_in(&w.engine, RowState::Invited).await, 1);
}

pub async fn retries_give_up_after_the_configured_attempts<V: VendorWorld>() {
    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, PHONE, 3).await;
    willo_lookup(&w.willo, json!([]), 2).await;
    mount_exactly(
        &w.willo,
        3,
        willo("POST", "/participants/")
            .and(body_json(V::INVITEE.invite_body()))
            .respond_with(ResponseTemplate::new(503)),
    )
    .await;
    let action = w.on_stage_change().await;
    assert!(matches!(action, Action::Rescheduled { .. }), "{action:?}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    assert!(w.engine.status().await.unwrap().failed.is_empty());
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);

    let status = w.engine.status().await.unwrap();
    assert_eq!(status.failed.len(), 1);
    let reason = status.failed[0].last_error.as_deref().unwrap_or_default();
    assert!(reason.starts_with("gave up after 3 attempts"), "{reason}");
    assert_eq!(w.engine.retry_due().await.unwrap(), 0, "failed rows wait");
}

pub async fn two_replicas_handling_the_same_stage_change_at_once_invite_once<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.one_invite().await;
    let other = w.replica();
    let name = World::<V>::name();
    let event = World::<V>::stage_changed();
    let key = World::<V>::key();
    let (a, b) = tokio::join!(
        w.engine.handle_ats_event(&name, &event),
        other.handle_ats_event(&name, &event)
    );
    let mut actions = [a.unwrap(), b.unwrap()];
    actions.sort_by_key(|a| matches!(a, Action::Invited { .. }));
    assert_eq!(
        actions,
        [Action::Busy { key: key.clone() }, World::<V>::invited()]
    );
    // Once recorded, either replica sees the work done.
    let late = other.handle_ats_event(&name, &event).await.unwrap();
    assert_eq!(late, Action::AlreadyDone { key });
}

/// A worker paused past its lease mid-invite (a GC pause, a suspended VM): another
/// worker takes the row over, finds the participant the first one's invite created,
/// and records it. When the first worker resumes, the ledger refuses its late result
/// (its fencing token is stale) and the participant the ledger points to stays in
/// Willo: before fencing, the late record met a conflict and deleted it.
pub async fn a_worker_paused_past_its_lease_mid_invite_leaves_the_ledgers_participant_alone<
    V: VendorWorld,
>() {
    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 0).await;
    let late = Duration::from_millis(200);
    willo_invite_answering_after(&w.willo, &V::INVITEE, 1, late).await;
    V::invited_label_added(&w.ats, 1).await;
    mount_exactly(
        &w.willo,
        0,
        willo("DELETE", &format!("/participants/{PARTICIPANT}/"))
            .respond_with(ResponseTemplate::new(204)),
    )
    .await;
    let key = World::<V>::key();
    let takeover = async {
        // While the first worker's invite is on its way, its lease runs out (the
        // second worker's clock is past it) and the second worker takes the row.
        tokio::time::sleep(late / 2).await;
        let row = w.store.row(&key).await.unwrap().expect("claimed");
        let past_the_lease = row.lease_until_ms.unwrap() + 1;
        let claim = w
            .store
            .claim_invite(
                &InviteClaim::new(key.clone(), row.candidate.clone(), row.job.clone()),
                &Lease::new("second-worker", past_the_lease, 60_000),
            )
            .await
            .unwrap();
        assert!(matches!(claim, Claim::Acquired(_)), "{claim:?}");
        // Its look-up by e-mail finds the participant the first invite created.
        w.store
            .record_invited(
                &key,
                &ParticipantKey::new(PARTICIPANT),
                claim.row().fence,
                past_the_lease,
            )
            .await
            .unwrap();
    };
    let (name, changed) = (World::<V>::name(), World::<V>::stage_changed());
    let (first, ()) = tokio::join!(w.engine.handle_ats_event(&name, &changed), takeover);
    assert!(
        matches!(first, Ok(Action::Busy { .. })),
        "the late result is refused: {first:?}"
    );
    let row = w.store.row(&key).await.unwrap().unwrap();
    assert_eq!(row.state, RowState::Invited);
    assert_eq!(row.participant, Some(ParticipantKey::new(PARTICIPANT)));
}

/// Willo refuses the API key for two minutes (a rotated key not yet deployed): the
/// invite is parked, not failed, however many times it is refused; the outage is
/// visible while it lasts; and the invite goes out once the key works again. Before
/// parking, the first 401 failed the row for good.
pub async fn a_two_minute_credential_outage_parks_the_invite_and_fails_nothing<V: VendorWorld>() {
    let clock = Arc::new(TestClock(AtomicU64::new(1_700_000_000_000)));
    let mut settings = config();
    settings.credential_probes =
        RetrySchedule::new(Duration::from_secs(20), Duration::from_secs(20), u32::MAX);
    let store = Arc::new(MemoryStore::new());
    let w = World::<V>::on_clock(store, World::<V>::rules(), settings, clock.clone()).await;
    // The first attempt, five refused probes over two minutes, and the one that works.
    V::candidate_read(&w.ats, PHONE, 7).await;
    // Every probe after the first looks for an earlier invite, then sends.
    willo_lookup(&w.willo, json!([]), 6).await;
    willo("POST", "/participants/")
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"detail": "Invalid token."})))
        .up_to_n_times(6)
        .with_priority(1)
        .expect(6)
        .mount(&w.willo)
        .await;
    willo_invite(&w.willo, &V::INVITEE, 1).await;
    V::invited_label_added(&w.ats, 1).await;

    let first = w.on_stage_change().await;
    assert!(
        matches!(&first, Action::Parked { connection, .. } if connection == "willo"),
        "{first:?}"
    );
    assert!(w.engine.credential_outages().contains_key("willo"));
    // Two minutes of refusals, probed every 20 s (plus jitter).
    for _ in 0..5 {
        clock.advance(Duration::from_secs(25));
        assert_eq!(w.engine.retry_due().await.unwrap(), 1);
        assert_eq!(rows_in(&w.engine, RowState::Failed).await, 0);
    }
    // The key works again.
    clock.advance(Duration::from_secs(25));
    assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    let row = w.store.row(&World::<V>::key()).await.unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (RowState::Invited, 0));
    assert!(w.engine.credential_outages().is_empty());
    assert_eq!(rows_in(&w.engine, RowState::Failed).await, 0);
}

/// The same for the ATS's credentials: reading the candidate is refused twice, the
/// invite is parked under the ATS connection's name, then sent once they work.
pub async fn an_ats_credential_outage_parks_the_invite_under_the_connection<V: VendorWorld>() {
    let clock = Arc::new(TestClock(AtomicU64::new(1_700_000_000_000)));
    let mut settings = config();
    settings.credential_probes =
        RetrySchedule::new(Duration::from_secs(20), Duration::from_secs(20), u32::MAX);
    let store = Arc::new(MemoryStore::new());
    let w = World::<V>::on_clock(store, World::<V>::rules(), settings, clock.clone()).await;
    V::candidate_route()
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(2)
        .with_priority(1)
        .expect(2)
        .mount(&w.ats)
        .await;
    V::candidate_read(&w.ats, PHONE, 1).await;
    willo_lookup(&w.willo, json!([]), 1).await;
    willo_invite(&w.willo, &V::INVITEE, 1).await;
    V::invited_label_added(&w.ats, 1).await;

    let name = World::<V>::name();
    let first = w.on_stage_change().await;
    assert!(
        matches!(&first, Action::Parked { connection, .. } if *connection == name.to_string()),
        "{first:?}"
    );
    for _ in 0..2 {
        clock.advance(Duration::from_secs(25));
        assert_eq!(w.engine.retry_due().await.unwrap(), 1);
    }
    let row = w.store.row(&World::<V>::key()).await.unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (RowState::Invited, 0));
    assert!(w.engine.credential_outages().is_empty());
}

/// With `erase_willo_participants` off, a deletion cancels and forgets, and leaves the
/// Willo participant alone (no request to Willo at all).
pub async fn a_deletion_can_keep_the_willo_participant<V: VendorWorld>() {
    let mut settings = config();
    settings.erase_willo_participants = false;
    let w = World::<V>::with(Arc::new(MemoryStore::new()), World::<V>::rules(), settings).await;
    w.invite().await;
    let before = w.willo.received_requests().await.unwrap().len();
    let action = w
        .on_ats_event(AtsEvent::CandidateDeleted {
            candidate: V::CANDIDATE.into(),
        })
        .await;
    assert_eq!(
        action,
        Action::Cancelled {
            ats: World::<V>::name(),
            candidate: V::CANDIDATE.into(),
            rows: 1,
            participants_erased: 0,
        }
    );
    assert_eq!(w.willo.received_requests().await.unwrap().len(), before);
}

/// A deletion that names only the application (Lever without `contactId`) finds the
/// candidate in the ledger and erases them like a candidate deletion.
pub async fn an_application_deletion_finds_its_candidate_in_the_ledger<V: VendorWorld>() {
    let w = World::<V>::new().await;
    w.invite().await;
    mount_exactly(
        &w.willo,
        1,
        willo("DELETE", &format!("/participants/{PARTICIPANT}/"))
            .respond_with(ResponseTemplate::new(204)),
    )
    .await;
    let action = w
        .on_ats_event(AtsEvent::ApplicationDeleted {
            application: V::APPLICATION.into(),
        })
        .await;
    assert_eq!(
        action,
        Action::Cancelled {
            ats: World::<V>::name(),
            candidate: V::CANDIDATE.into(),
            rows: 1,
            participants_erased: 1,
        }
    );
    let unknown = w
        .on_ats_event(AtsEvent::ApplicationDeleted {
            application: "never-seen".into(),
        })
        .await;
    assert_eq!(unknown, Action::Ignored(Ignored::UnknownApplication));
}
