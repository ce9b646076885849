//! What operators read in the logs: a failed row once, with its id and reason and no
//! personal data; a warning without the phone number; one summary line per reconciler
//! pass.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ats_bridge::engine::Action;
use ats_bridge::store::MemoryStore;
use tracing_subscriber::fmt::MakeWriter;

use crate::support::engine_setup::config;
use crate::support::willo_mock::{willo_invite_by_email, willo_lookup};

use crate::support::world::smartrecruiters::SmartRecruitersWorld;
use crate::support::world::{VendorWorld, World};

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'w> MakeWriter<'w> for Captured {
    type Writer = Captured;
    fn make_writer(&'w self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn lines(&self) -> Vec<String> {
        String::from_utf8(self.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

type V = SmartRecruitersWorld;

#[tokio::test]
async fn a_failed_row_is_logged_once_with_its_id_and_reason_and_no_personal_data() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The test's runtime runs everything on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);

    let w = World::<V>::new().await;
    let key = World::<V>::key();
    V::candidate_read_without_email(&w.ats, 1).await;
    let action = w.on_stage_change().await;
    assert!(matches!(action, Action::Failed { .. }), "{action:?}");
    // The same event again and the retry loop: nothing new to say about the row.
    assert_eq!(
        w.on_stage_change().await,
        Action::AlreadyDone { key: key.clone() }
    );
    assert_eq!(w.engine.retry_due().await.unwrap(), 0);

    let lines = logs.lines();
    let failed: Vec<&String> = lines.iter().filter(|line| line.contains("ERROR")).collect();
    assert_eq!(failed.len(), 1, "one line for the failed row: {lines:#?}");
    let line = failed[0];
    assert!(line.contains("step failed permanently"), "{line}");
    assert!(line.contains(&format!("row={key}")), "the row's id: {line}");
    assert!(line.contains("no email address"), "the reason: {line}");
    for personal in [V::PHONE_DIGITS, V::INVITEE.email, V::INVITEE.name] {
        assert!(
            !lines.iter().any(|l| l.contains(personal)),
            "{personal} logged: {lines:#?}"
        );
    }
}

#[tokio::test]
async fn a_phone_left_out_of_an_invite_is_logged_once_without_the_number() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let w = World::<V>::new().await;
    V::candidate_read(&w.ats, V::NATIONAL_PHONE, 1).await;
    willo_lookup(&w.willo, serde_json::json!([]), 0).await;
    willo_invite_by_email(&w.willo, &V::INVITEE, 1).await;
    V::invited_label_added(&w.ats, 1).await;
    assert_eq!(w.on_stage_change().await, World::<V>::invited());

    let lines = logs.lines();
    let warned: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("WARN") && line.contains("invited with a warning"))
        .collect();
    assert_eq!(warned.len(), 1, "{lines:#?}");
    assert!(warned[0].contains("E.164"), "the reason: {}", warned[0]);
    for personal in [V::PHONE_DIGITS, V::INVITEE.email, V::INVITEE.name] {
        assert!(
            !lines.iter().any(|l| l.contains(personal)),
            "{personal} logged: {lines:#?}"
        );
    }
}

#[tokio::test]
async fn each_reconciler_pass_is_summed_up_in_one_info_line() {
    let logs = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(logs.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut config = config();
    config.tick = Duration::from_millis(10);
    config.reconcile_interval = Some(Duration::from_secs(3600));
    let w = World::<V>::with(Arc::new(MemoryStore::new()), World::<V>::rules(), config).await;
    // The ATS lists nobody at the trigger stage.
    V::nobody_at_trigger_stage(&w.ats, 1).await;
    let passes = || {
        logs.lines()
            .into_iter()
            .filter(|line| line.contains("reconciler pass done"))
            .collect::<Vec<_>>()
    };
    let stop = async {
        while passes().is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), w.engine.run(stop))
        .await
        .expect("the first pass runs at start")
        .unwrap();

    let passes = passes();
    assert_eq!(passes.len(), 1, "{passes:#?}");
    let line = &passes[0];
    assert!(line.contains("INFO"), "{line}");
    for field in [
        "applications_seen=0",
        "invited=0",
        "participants_checked=0",
        "written_back=0",
        "errors=0",
        "took_ms=",
    ] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
}
