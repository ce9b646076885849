//! Data as version 1 of the schema kept it, and what the later migrations must make
//! of it: job states and screening applications in the cursors table, Willo
//! deliveries wrapped in JSON with their event (002), screening rows under a
//! made-up `willo-participant:` application id (003).

use ats_bridge::model::{ApplicationRef, AtsName, JobId, JobState};
use ats_bridge::store::{Lease, LedgerKey, RowState, ScreeningKey, Store};
use ats_bridge::{StoredDelivery, WilloSource};
use willo_client::webhooks::WebhookEvent;

const PARTICIPANT: &str = "0123456789abcdef0123456789abcdef";
/// A screening whose candidate was not created yet.
const WAITING: &str = "fedcba9876543210fedcba9876543210";

/// `INSERT`s of version-1 rows; `bytes` renders a byte-string literal in the
/// database's dialect.
pub fn old_rows(bytes: impl Fn(&[u8]) -> String) -> String {
    let screening = format!("willo-participant:{PARTICIPANT}");
    let waiting = format!("willo-participant:{WAITING}");
    let new_response =
        format!(r#"{{"event":"new_response","body":"{{\"participant_key\":\"{PARTICIPANT}\"}}"}}"#);
    let no_event = r#"{"event":null,"body":"{\"participant\":{\"key\":\"p2\"}}"}"#;
    format!(
        "INSERT INTO ledger (ats, application, interview, candidate, job, state, participant, \
           attempts, created_at_ms, updated_at_ms) \
         VALUES ('lever', '{screening}', 'int-1', '{screening}', 'job-1', 'invited', \
           '{PARTICIPANT}', 0, 1, 1), \
           ('lever', '{waiting}', 'int-1', '{waiting}', 'job-1', 'pending', NULL, 2, 3, 4);
         INSERT INTO cursors (name, value, updated_at_ms) VALUES
           ('reconcile/lever/job-1/stage-1', 'offset-3', 5),
           ('job-state/lever/job-1', 'closed', 6),
           ('job-state/smartrecruiters/j/with/slash', 'open', 7),
           ('screening/lever/{screening}/int-1',
            '{{\"application\":\"app-9\",\"candidate\":\"cand-9\",\"job\":\"job-1\"}}', 8);
         INSERT INTO inbox (source, dedupe_key, payload, received_at_ms) VALUES
           ('willo', 'sha256:one', {}, 9),
           ('willo', 'sha256:two', {}, 10),
           ('lever', 'evt-1', {}, 11);",
        bytes(new_response.as_bytes()),
        bytes(no_event.as_bytes()),
        bytes(br#"{"a":1}"#),
    )
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Assert that `store`, opened on a database holding [`old_rows`], reads them back
/// through the typed methods.
pub async fn assert_migrated(store: &dyn Store) {
    let lever = AtsName::new("lever");
    assert_eq!(
        store.job_state(&lever, &JobId::new("job-1")).await.unwrap(),
        Some(JobState::Closed)
    );
    assert_eq!(
        store
            .job_state(
                &AtsName::new("smartrecruiters"),
                &JobId::new("j/with/slash")
            )
            .await
            .unwrap(),
        Some(JobState::Open),
        "the ATS name ends at the first slash, the job may hold more"
    );
    assert_eq!(
        store.cursor_get("job-state/lever/job-1").await.unwrap(),
        None,
        "moved, not copied"
    );
    assert_eq!(
        store
            .cursor_get("reconcile/lever/job-1/stage-1")
            .await
            .unwrap()
            .as_deref(),
        Some("offset-3"),
        "real cursors stay"
    );

    // A screening whose candidate exists is the row of that application now…
    let created = ApplicationRef {
        application: "app-9".into(),
        candidate: "cand-9".into(),
        job: "job-1".into(),
    };
    let screening = store
        .screening(&ScreeningKey::new("lever", "int-1", PARTICIPANT))
        .await
        .unwrap()
        .expect("the screening is kept");
    assert_eq!(screening.created, Some(created));
    let row = store
        .row(&LedgerKey::new("lever", "app-9", "int-1"))
        .await
        .unwrap()
        .expect("the row of the created application");
    assert_eq!(
        (
            row.candidate.as_str(),
            row.state,
            row.participant.as_ref().map(|p| p.as_str())
        ),
        ("cand-9", RowState::Invited, Some(PARTICIPANT))
    );
    // Migration 004: nothing written back yet, no late-results check, no warning.
    assert_eq!(
        (
            row.results_fingerprint.as_deref(),
            row.results_note_id.as_deref(),
            row.recheck_at_ms,
            row.rechecks,
            row.warning.as_deref()
        ),
        (None, None, None, 0, None)
    );
    let old_key = |p: &str| LedgerKey::new("lever", format!("willo-participant:{p}"), "int-1");
    assert_eq!(
        store
            .cursor_get(&format!("screening/{}", old_key(PARTICIPANT)))
            .await
            .unwrap(),
        None
    );
    // …and one still waiting for its candidate is an intent, claimed not fresh.
    let waiting = store
        .screening(&ScreeningKey::new("lever", "int-1", WAITING))
        .await
        .unwrap()
        .expect("the waiting screening is kept");
    assert_eq!((waiting.created, waiting.attempts), (None, 2));
    for p in [PARTICIPANT, WAITING] {
        assert_eq!(
            store.row(&old_key(p)).await.unwrap(),
            None,
            "made-up ids are gone"
        );
    }

    let items = store
        .inbox_claim(&Lease::new("w", 100, 60_000), 10)
        .await
        .unwrap();
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[0].event.as_deref(), Some("new_response"));
    assert_eq!(
        items[0].payload,
        format!(r#"{{"participant_key":"{PARTICIPANT}"}}"#).as_bytes(),
        "the body, unwrapped"
    );
    let delivery = WilloSource::new()
        .resolve(&StoredDelivery::from_inbox(&items[0]))
        .unwrap();
    assert_eq!(delivery.participant_key().unwrap().as_str(), PARTICIPANT);
    assert_eq!(delivery.event, Some(WebhookEvent::NewResponse));
    assert_eq!(items[0].dedupe_key, "sha256:one", "dedupe keys are kept");
    assert_eq!(items[1].event, None);
    assert_eq!(items[1].payload, br#"{"participant":{"key":"p2"}}"#);
    assert_eq!(
        WilloSource::new()
            .resolve(&StoredDelivery::from_inbox(&items[1]))
            .unwrap()
            .participant_key()
            .unwrap()
            .as_str(),
        "p2"
    );
    assert_eq!(
        (items[2].event.as_deref(), items[2].payload.as_slice()),
        (None, br#"{"a":1}"#.as_slice()),
        "other sources are untouched"
    );
}
