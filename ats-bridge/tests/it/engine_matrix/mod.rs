//! The engine end to end, every scenario written once and run against each ATS's
//! world (`support::world`): a mock Willo and a mock of the vendor's API, every request
//! the engine makes asserted (path, auth, exact body, count), anything unexpected
//! answered 599 and failing the test. A new adapter gets the whole matrix by
//! implementing `VendorWorld` and adding one `engine_matrix!` line below.
//!
//! Mocks are mounted for the whole test and sequenced with `up_to_n_times` (wiremock
//! 0.6's scoped mocks do not mix with mock priorities: dropping a guard can unmount
//! another mock).

mod invite;
mod job_states;
mod late_results;
mod notes;
mod reconcile;
mod write_back;

// For vendor-only variants of the failed note (what the vendor's listing answers).
pub use write_back::a_failed_note_is_retried_with_the_listing;

/// `#[tokio::test]`s named after the scenarios, in module `$vendor`, over `$world`.
macro_rules! engine_matrix {
    ($vendor:ident, $world:ty) => {
        mod $vendor {
            engine_matrix!(@tests $world;
                invite::repeated_stage_changes_direct_and_through_the_inbox_invite_once,
                invite::a_stage_change_through_the_inbox_reads_the_candidate_once_and_invites,
                invite::a_stage_change_whose_lookup_failed_is_retried_from_the_inbox,
                invite::a_deleted_candidate_cancels_the_invited_row_and_erases_the_link,
                invite::a_deletion_can_keep_the_willo_participant,
                invite::an_application_deletion_finds_its_candidate_in_the_ledger,
                invite::a_candidate_deleted_before_the_invite_went_out_is_never_invited,
                invite::a_candidate_deleted_while_the_invite_is_in_flight_stops_the_row_without_an_error,
                invite::a_closed_job_takes_no_invites,
                invite::a_recruiter_can_send_the_interview_on_a_closed_job,
                invite::a_stage_without_a_rule_is_ignored,
                invite::a_dry_run_reads_the_candidate_and_sends_and_writes_nothing,
                invite::a_dry_run_reports_a_candidate_it_could_not_invite_and_keeps_nothing,
                invite::a_willo_outage_on_the_invite_is_retried_and_invites_once,
                invite::an_invite_that_went_through_despite_the_error_is_found_and_not_sent_again,
                invite::a_phone_that_is_not_e164_is_left_out_and_the_invite_goes_by_email_with_a_warning,
                invite::a_candidate_without_an_email_fails_with_the_reason_and_no_willo_call,
                invite::a_failed_invited_tag_is_retried_and_finds_the_participant_instead_of_inviting_again,
                invite::a_tag_the_ats_refuses_does_not_undo_the_invite,
                invite::retries_give_up_after_the_configured_attempts,
                invite::two_replicas_handling_the_same_stage_change_at_once_invite_once,
                invite::a_worker_paused_past_its_lease_mid_invite_leaves_the_ledgers_participant_alone,
                invite::a_two_minute_credential_outage_parks_the_invite_and_fails_nothing,
                invite::an_ats_credential_outage_parks_the_invite_under_the_connection,
                write_back::a_stage_change_invites_once_and_the_answer_is_written_back_once,
                write_back::late_and_repeated_willo_news_write_one_note_then_the_decision_moves_labels_and_stage,
                write_back::a_rejection_before_any_other_news_writes_the_note_with_the_rejected_label_and_stage,
                write_back::a_failed_note_is_retried_and_written_once,
                write_back::a_retried_write_back_is_done_even_when_willo_names_the_answers_differently,
                write_back::a_write_back_failing_before_the_note_is_retried_with_one_note,
                write_back::a_note_whose_answer_was_lost_is_found_and_not_written_again,
                write_back::a_write_back_onto_a_deleted_record_fails_the_row_with_the_reason,
                write_back::a_decision_whose_write_failed_is_retried_without_a_note,
                write_back::a_willo_delivery_that_cannot_be_read_yet_stays_in_the_inbox_until_it_can,
                write_back::two_replicas_receiving_the_same_answer_at_once_write_one_note,
                late_results::late_transcripts_and_comments_are_written_once_as_the_difference,
                late_results::late_result_checks_end_with_the_schedule,
                late_results::reviewer_comments_can_be_left_out,
                late_results::late_results_switched_off_write_nothing_and_plan_no_check,
                late_results::a_planned_late_results_check_survives_a_restart,
                late_results::a_results_updated_template_writes_its_text_as_the_follow_up,
                late_results::a_results_updated_template_that_writes_nothing_writes_no_note,
                late_results::a_team_results_note_is_followed_up_not_amended,
                notes::an_invited_note_names_the_candidate_and_the_interview_when_switched_on,
                notes::a_switched_off_results_note_is_not_written_and_the_labels_still_move,
                notes::a_decision_note_is_written_after_the_labels_when_switched_on,
                notes::an_expired_invite_writes_its_note_when_switched_on_and_nothing_else,
                notes::an_expired_stage_is_left_alone_while_its_note_is_off,
                reconcile::the_reconciler_invites_what_webhooks_missed_once,
                reconcile::the_reconciler_leaves_an_application_invited_through_a_webhook_alone,
                reconcile::quiet_participants_are_checked_a_bounded_number_of_times_then_left_to_the_webhook,
                reconcile::a_check_that_finds_the_answer_writes_it_back_without_the_webhook,
                job_states::a_named_job_on_hold_or_deleted_stops_inviting_at_the_next_pass_and_reopened_resumes,
            );

            #[tokio::test]
            async fn the_same_flow_on_the_sqlite_store() {
                super::write_back::the_same_flow_on_the_sqlite_store::<$world>().await
            }
        }
    };
    (@tests $world:ty; $($module:ident :: $scenario:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $scenario() {
                super::$module::$scenario::<$world>().await
            }
        )*
    };
}

#[cfg(feature = "lever")]
engine_matrix!(lever, crate::support::world::lever::LeverWorld);
#[cfg(feature = "smartrecruiters")]
engine_matrix!(
    smartrecruiters,
    crate::support::world::smartrecruiters::SmartRecruitersWorld
);
