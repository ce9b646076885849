//! Each adapter against its vendor's mock (`support::world`), for what every adapter
//! does: read a candidate, resolve deliveries, label, map errors. Every request is
//! asserted and anything unexpected answered 599. What one adapter alone does stays
//! in its `*_adapter` file.

use ats_bridge::model::{AtsEvent, CandidateDetails, InterviewOutcome, WriteBack};
use ats_bridge::{Ats, AtsError, AtsWebhooks, WebhookRequest};
use client_core::header::HeaderMap;
use wiremock::ResponseTemplate;

use crate::support::mock_server::{CLIENT_ATTEMPTS, strict_server};
use crate::support::willo_mock::{PARTICIPANT, PHONE, participant};
use crate::support::world::{INVITED, LABELS, TO_REVIEW, VendorWorld, World};

/// The adapter over a fresh strict mock of its vendor.
async fn adapter<V: VendorWorld>() -> (wiremock::MockServer, std::sync::Arc<dyn Ats>) {
    let ats = strict_server().await;
    let adapter = V::adapter(&ats);
    (ats, adapter)
}

/// The events the adapter makes of the signed `delivery`.
async fn events(adapter: &dyn Ats, (headers, body): &(HeaderMap, Vec<u8>)) -> Vec<AtsEvent> {
    let webhooks: &dyn AtsWebhooks = adapter.webhooks().expect("webhooks are on");
    webhooks
        .events(&WebhookRequest::new(headers, body))
        .await
        .unwrap()
}

fn details<V: VendorWorld>() -> CandidateDetails {
    CandidateDetails::new(V::INVITEE.name)
        .email(V::INVITEE.email)
        .phone(PHONE)
}

pub async fn candidate_details_come_from_the_record<V: VendorWorld>() {
    let (ats, adapter) = adapter::<V>().await;
    V::candidate_read(&ats, PHONE, 1).await;
    let read = adapter.candidate(&World::<V>::application()).await.unwrap();
    assert_eq!(read, details::<V>());
}

pub async fn a_candidate_without_a_name_is_invalid_and_the_error_holds_no_personal_data<
    V: VendorWorld,
>() {
    let (ats, adapter) = adapter::<V>().await;
    V::candidate_read_without_name(&ats, 1).await;
    let error = adapter
        .candidate(&World::<V>::application())
        .await
        .unwrap_err();
    assert!(matches!(error, AtsError::Invalid(_)), "{error:?}");
    let text = error.to_string();
    assert!(text.contains(V::RECORD), "{text}");
    let mailbox = V::INVITEE.email.split('@').next().unwrap();
    assert!(
        !text.contains(mailbox) && !text.contains(&PHONE[4..]),
        "{text}"
    );
}

pub async fn a_missing_candidate_is_not_found<V: VendorWorld>() {
    let (ats, adapter) = adapter::<V>().await;
    V::candidate_gone(&ats, 1).await;
    let error = adapter
        .candidate(&World::<V>::application())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, AtsError::NotFound { what } if *what == V::gone()),
        "{error:?}"
    );
}

pub async fn a_stage_change_is_resolved_with_the_candidate_details<V: VendorWorld>() {
    let (ats, adapter) = adapter::<V>().await;
    // One read: the invite needs no second look at the candidate.
    V::delivery_resolved(&ats, 1).await;
    let delivery = V::stage_change_delivery("evt-stage");
    assert_eq!(
        events(adapter.as_ref(), &delivery).await,
        [AtsEvent::StageChanged {
            application: World::<V>::application(),
            stage: V::TRIGGER_STAGE.into(),
            details: Some(details::<V>()),
        }]
    );
}

pub async fn a_deleted_candidate_is_reported_without_calling_the_api<V: VendorWorld>() {
    let (_ats, adapter) = adapter::<V>().await;
    assert_eq!(
        events(adapter.as_ref(), &V::deletion_delivery()).await,
        [AtsEvent::CandidateDeleted {
            candidate: V::CANDIDATE.into()
        }]
    );
}

pub async fn other_events_are_unknown_and_need_no_api_call<V: VendorWorld>() {
    let (_ats, adapter) = adapter::<V>().await;
    for (name, delivery) in V::other_deliveries() {
        assert_eq!(
            events(adapter.as_ref(), &delivery).await,
            [AtsEvent::Unknown { name: name.into() }]
        );
    }
}

pub async fn a_labels_only_write_back_sends_no_note_and_no_stage_change<V: VendorWorld>() {
    let (ats, adapter) = adapter::<V>().await;
    V::invited_label_added(&ats, 1).await;
    let write = WriteBack::labels(vec![INVITED.into()], vec![]);
    let receipt = adapter
        .write_back(&World::<V>::application(), &write)
        .await
        .unwrap();
    assert_eq!(receipt.note_id, None);
    assert_eq!(receipt.labels_added, [INVITED]);
    assert!(receipt.labels_removed.is_empty());
    assert_eq!(receipt.moved_to, None);
}

pub async fn a_failed_label_write_is_transient_when_the_ats_is_down<V: VendorWorld>() {
    let (ats, adapter) = adapter::<V>().await;
    let down = ResponseTemplate::new(503);
    V::invited_label_refused(&ats, down, CLIENT_ATTEMPTS).await;
    let write = WriteBack::labels(vec![INVITED.into()], vec![]);
    let error = adapter
        .write_back(&World::<V>::application(), &write)
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");
}

pub async fn writing_back_onto_a_deleted_record_is_not_found<V: VendorWorld>() {
    let (ats, adapter) = adapter::<V>().await;
    let gone = ResponseTemplate::new(404)
        .set_body_json(serde_json::json!({"code": "ResourceNotFound", "message": "not found"}));
    V::invited_label_refused(&ats, gone, 1).await;
    let write = WriteBack::labels(vec![INVITED.into()], vec![]);
    let error = adapter
        .write_back(&World::<V>::application(), &write)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, AtsError::NotFound { what } if *what == V::gone()),
        "{error:?}"
    );
}

pub async fn a_write_back_moves_the_labels_and_the_stage_and_writes_one_note<V: VendorWorld>() {
    let (ats, adapter) = adapter::<V>().await;
    let answered = participant("Received");
    V::labels_moved(&ats, INVITED, TO_REVIEW, 1).await;
    V::stage_moved(&ats, V::ONSITE_STAGE, 1).await;
    V::note_written(&ats, &answered, 1).await;
    // What goes is the engine's decision: every other label of the lifecycle.
    let others = LABELS.into_iter().filter(|l| *l != TO_REVIEW);
    let outcome = InterviewOutcome::from_participant_json(PARTICIPANT.into(), answered);
    let write = WriteBack::results(
        outcome,
        vec![TO_REVIEW.into()],
        others.map(Into::into).collect(),
    )
    .moving_to(V::ONSITE_STAGE.into())
    .as_first_attempt();
    let receipt = adapter
        .write_back(&World::<V>::application(), &write)
        .await
        .unwrap();
    assert_eq!(receipt.note_id.as_deref(), Some(V::WRITTEN_NOTE));
    assert_eq!(receipt.labels_added, [TO_REVIEW]);
    assert!(
        receipt.labels_removed.iter().any(|l| l == INVITED),
        "{receipt:?}"
    );
    assert_eq!(receipt.moved_to, Some(V::ONSITE_STAGE.into()));
}

/// `#[tokio::test]`s named after the scenarios, in module `$vendor`, over `$world`.
macro_rules! adapter_matrix {
    ($vendor:ident, $world:ty) => {
        mod $vendor {
            adapter_matrix!(@tests $world;
                candidate_details_come_from_the_record,
                a_candidate_without_a_name_is_invalid_and_the_error_holds_no_personal_data,
                a_missing_candidate_is_not_found,
                a_stage_change_is_resolved_with_the_candidate_details,
                a_deleted_candidate_is_reported_without_calling_the_api,
                other_events_are_unknown_and_need_no_api_call,
                a_labels_only_write_back_sends_no_note_and_no_stage_change,
                a_failed_label_write_is_transient_when_the_ats_is_down,
                writing_back_onto_a_deleted_record_is_not_found,
                a_write_back_moves_the_labels_and_the_stage_and_writes_one_note,
            );
        }
    };
    (@tests $world:ty; $($scenario:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $scenario() {
                super::$scenario::<$world>().await
            }
        )*
    };
}

#[cfg(feature = "lever")]
adapter_matrix!(lever, crate::support::world::lever::LeverWorld);
#[cfg(feature = "smartrecruiters")]
adapter_matrix!(
    smartrecruiters,
    crate::support::world::smartrecruiters::SmartRecruitersWorld
);
