//! Notes per event on the sandbox (issue 17): with the invite's note on, each candidate
//! moved in SmartRecruiters and Lever gets the invite's note, then the results note,
//! both written through the real adapters; with the results note off, none.

use std::time::Duration;

use ats_bridge::note::{NoteEvent, NoteSetting, NoteSettings};
use ats_sandbox::SandboxConfig;
use examples::demo::{Demo, DemoOptions};

const TIMEOUT: Duration = Duration::from_secs(30);

/// The notes on each candidate moved, SmartRecruiters' then Lever's.
fn notes_of_moved(demo: &Demo, per_ats: usize) -> Vec<Vec<String>> {
    let sandbox = demo.sandbox();
    let sr = sandbox.smartrecruiters();
    let lever = sandbox.lever();
    let sr_notes = sr
        .jobs()
        .iter()
        .flat_map(|job| sr.candidates(&job.id))
        .take(per_ats)
        .map(|candidate| sr.notes(&candidate))
        .collect::<Vec<_>>();
    let lever_notes = lever
        .postings()
        .iter()
        .flat_map(|posting| lever.opportunities(&posting.id))
        .take(per_ats)
        .map(|opportunity| lever.notes(&opportunity))
        .collect::<Vec<_>>();
    sr_notes.into_iter().chain(lever_notes).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invite_note_and_the_results_note_reach_both_ats() {
    let notes = NoteSettings::default().with(
        NoteEvent::Invited,
        NoteSetting::on()
            .template("Willo: {{ interview.name }} sent ({{ record.interview_status }})"),
    );
    // Candidates answer two seconds after their invite: the invite's steps (the label,
    // the interview's title, the note) are recorded before the answer comes, as they
    // are when a person records a video.
    let sandbox = SandboxConfig::default().willo_completion_delay(Some(Duration::from_secs(2)));
    let demo = Demo::start(DemoOptions::default().sandbox(sandbox).notes(notes))
        .await
        .unwrap();
    let interview = demo.sandbox().willo().interviews()[0].title.clone();
    demo.move_to_trigger_stage(2, 2).unwrap();
    let status = demo.wait_for_synced(4, TIMEOUT).await.unwrap();
    assert!(status.failed.is_empty(), "{:?}", status.failed);

    for notes in notes_of_moved(&demo, 2) {
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].ends_with(&format!("Willo: {interview} sent (invited)")),
            "{notes:?}"
        );
        assert!(notes[1].contains("Willo interview results"), "{notes:?}");
    }
    demo.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_results_note_off_the_tags_move_and_no_note_is_written() {
    let notes = NoteSettings::default().with(NoteEvent::Completed, NoteSetting::off());
    let demo = Demo::start(DemoOptions::default().notes(notes))
        .await
        .unwrap();
    demo.move_to_trigger_stage(2, 2).unwrap();
    let status = demo.wait_for_synced(4, TIMEOUT).await.unwrap();
    assert!(status.failed.is_empty(), "{:?}", status.failed);
    for notes in notes_of_moved(&demo, 2) {
        assert!(notes.is_empty(), "{notes:?}");
    }
    let lever = demo.sandbox().lever();
    let first = lever
        .postings()
        .iter()
        .flat_map(|posting| lever.opportunities(&posting.id))
        .next()
        .unwrap();
    assert_eq!(lever.tags(&first), vec!["Willo:To Review".to_owned()]);
    demo.stop().await;
}
