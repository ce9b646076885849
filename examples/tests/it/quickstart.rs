//! The quickstart runs to completion against the sandbox, as a newcomer would run it.

#[path = "../../examples/quickstart.rs"]
#[allow(dead_code)]
mod example;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_quickstart_shows_every_candidate_written_back_then_their_late_transcripts() {
    let mut out = Vec::new();
    let result = example::run(&mut out).await;
    let text = String::from_utf8(out).unwrap();
    if let Err(error) = result {
        panic!("{error}\n{text}");
    }
    // Each candidate's progress lines, then the summary table.
    assert_eq!(text.matches("results written back").count(), 6, "{text}");
    assert_eq!(
        text.matches("late transcripts added").count(),
        6 + 6,
        "{text}"
    );
    // SmartRecruiters' follow-up note holds only what was new.
    assert!(
        text.contains("Updated Willo results: transcripts and AI summaries added"),
        "{text}"
    );
    assert_eq!(text.matches("invited in Willo").count(), 6, "{text}");
    assert!(text.contains("0 failed"), "{text}");
    assert!(text.contains("Willo:To Review"), "{text}");
}
