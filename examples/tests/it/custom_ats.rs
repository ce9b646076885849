//! The custom ATS example: the sheet passes the conformance suite, and one candidate
//! goes through the engine with the sandbox's Willo and gets the results on their row.

#[path = "../../examples/custom_ats.rs"]
#[allow(dead_code)]
mod example;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sheet_conforms_and_gets_the_results_written_back() {
    let mut out = Vec::new();
    let finished = example::run(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();

    finished.report.assert_passed();
    assert!(
        text.contains("ats `sheet`"),
        "the report is printed:\n{text}"
    );
    assert!(!text.contains("FAIL"), "{text}");

    assert_eq!(finished.notes.len(), 1, "one results note:\n{text}");
    assert!(
        finished.notes[0].starts_with("Willo interview results"),
        "{}",
        finished.notes[0]
    );
    assert_eq!(
        finished.labels,
        vec!["Willo:To Review".to_owned()],
        "{text}"
    );
    assert!(text.contains("invited in Willo"), "{text}");
}
