//! The ledger example: it shows where rows stand and why they failed, and puts failed
//! rows back where they failed, one or all (or those with a given error).

#[path = "../../examples/ledger.rs"]
#[allow(dead_code)]
mod example;

use ats_bridge::model::{CandidateId, JobId, ParticipantKey};
use ats_bridge::store::{InviteClaim, Lease, Ledger, LedgerKey, MemoryStore, RowState, Store};
use example::{Command, Format};

const NOW: i64 = 10_000_000;
const LEASE: i64 = 60_000;

fn key(application: &str) -> LedgerKey {
    LedgerKey::new("lever", application, "interview-1")
}

/// A row claimed and failed with `error` `ago_ms` before `NOW`; `invited` first if so.
async fn failed(store: &dyn Store, application: &str, invited: bool, error: &str, ago_ms: i64) {
    let (k, at) = (key(application), NOW - ago_ms);
    let candidate = CandidateId::from(format!("cand-{application}"));
    let claim = store
        .claim_invite(
            &InviteClaim::new(k.clone(), candidate, JobId::from("posting-1")),
            &Lease::new("w", at, LEASE),
        )
        .await
        .unwrap();
    let fence = claim.row().fence;
    if invited {
        let participant = ParticipantKey::from(format!("participant-{application}"));
        store
            .record_invited(&k, &participant, fence, at)
            .await
            .unwrap();
    }
    store
        .record_failed(&k, error, Some(fence), at)
        .await
        .unwrap();
}

async fn run(store: &dyn Store, command: Command) -> Result<String, String> {
    let mut out = Vec::new();
    let result = example::run(store, &command, NOW, Format::Text, &mut out).await;
    let text = String::from_utf8(out).unwrap();
    result.map(|()| text).map_err(|e| e.to_string())
}

async fn state(store: &dyn Store, application: &str) -> RowState {
    store.row(&key(application)).await.unwrap().unwrap().state
}

async fn ledger_with_failures() -> MemoryStore {
    let store = MemoryStore::new();
    failed(&store, "app-1", false, "the API refused the credentials (check the API key or token): 401 Invalid token (POST /participants/)", 90_000).await;
    failed(&store, "app-2", true, "the API refused the credentials (check the API key or token): 401 Unauthorized (POST /opportunities/{id}/notes)", 3 * 3_600_000).await;
    failed(
        &store,
        "app-3",
        false,
        "invalid request: the phone number must be E.164 with the country code",
        30_000,
    )
    .await;
    store
        .claim_invite(
            &InviteClaim::new(key("app-4"), "cand-app-4", "posting-1"),
            &Lease::new("w", NOW, LEASE),
        )
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn status_counts_rows_and_lists_failures_newest_first() {
    let store = ledger_with_failures().await;
    let text = run(&store, Command::Status).await.unwrap();
    assert!(
        text.starts_with(
            "rows: pending 1, invited 0, responded 0, synced 0, cancelled 0, failed 3\n  \
             lever job posting-1: pending 1, invited 0, responded 0, synced 0, cancelled 0, \
             failed 3\nfailed rows, newest first (ATS/application/interview):\n"
        ),
        "{text}"
    );
    let failures: Vec<&str> = text.lines().skip(3).collect();
    assert_eq!(
        failures,
        [
            "  lever/app-3/interview-1  failed while pending, 0 attempt(s), 30 s ago: \
             invalid request: the phone number must be E.164 with the country code",
            "  lever/app-1/interview-1  failed while pending, 0 attempt(s), 90 s ago: \
             the API refused the credentials (check the API key or token): 401 Invalid token \
             (POST /participants/)",
            "  lever/app-2/interview-1  failed while invited, 0 attempt(s), 3 h ago: \
             the API refused the credentials (check the API key or token): 401 Unauthorized \
             (POST /opportunities/{id}/notes)",
        ]
    );
}

#[tokio::test]
async fn redrive_failed_with_a_text_puts_back_only_the_rows_whose_error_has_it() {
    let store = ledger_with_failures().await;
    let text = run(
        &store,
        Command::RedriveFailed(Some("refused the credentials".into())),
    )
    .await
    .unwrap();
    assert_eq!(
        text,
        "re-driven: lever/app-1/interview-1\nre-driven: lever/app-2/interview-1\n\
         2 row(s) re-driven\n"
    );
    assert_eq!(state(&store, "app-1").await, RowState::Pending);
    assert_eq!(
        state(&store, "app-2").await,
        RowState::Invited,
        "where it failed"
    );
    assert_eq!(state(&store, "app-3").await, RowState::Failed);

    let text = run(&store, Command::RedriveFailed(None)).await.unwrap();
    assert_eq!(
        text,
        "re-driven: lever/app-3/interview-1\n1 row(s) re-driven\n"
    );
    let text = run(&store, Command::Status).await.unwrap();
    assert!(text.contains("failed 0\n"), "{text}");
    assert!(text.ends_with("no failed rows\n"), "{text}");
}

#[tokio::test]
async fn redrive_of_one_row_and_of_a_row_that_is_not_failed() {
    let store = ledger_with_failures().await;
    let text = run(&store, Command::Redrive(key("app-3"))).await.unwrap();
    assert_eq!(text, "re-driven: lever/app-3/interview-1\n");
    assert_eq!(state(&store, "app-3").await, RowState::Pending);

    let error = run(&store, Command::Redrive(key("app-4")))
        .await
        .unwrap_err();
    assert!(
        error.starts_with("lever/app-4/interview-1 was not re-driven: "),
        "{error}"
    );
    let error = run(&store, Command::Redrive(key("nobody")))
        .await
        .unwrap_err();
    assert!(error.contains("not re-driven"), "{error}");
}

#[tokio::test]
async fn more_failed_rows_than_the_store_lists_at_once_are_all_re_driven() {
    let store = MemoryStore::new();
    for n in 0..250 {
        failed(&store, &format!("bulk-{n}"), false, "Unauthorized", n).await;
    }
    let text = run(&store, Command::RedriveFailed(None)).await.unwrap();
    assert!(text.ends_with("250 row(s) re-driven\n"), "{text}");
    assert_eq!(
        store.status().await.unwrap().by_state[&RowState::Pending],
        250
    );
}

#[test]
fn arguments_are_parsed_and_anything_else_gets_the_usage() {
    let args = |words: &[&str]| example::parse(words.iter().map(|w| w.to_string()));
    let status = args(&["status"]).unwrap();
    assert_eq!((status.config, status.command), (None, Command::Status));
    assert_eq!(status.format, Format::Text);
    let redrive = args(&["--config", "prod.toml", "redrive", "lever", "a1", "i1"]).unwrap();
    assert_eq!(redrive.config, Some("prod.toml".into()));
    assert_eq!(
        redrive.command,
        Command::Redrive(LedgerKey::new("lever", "a1", "i1"))
    );
    assert_eq!(
        args(&["redrive-failed", "E.164", "--json"]).unwrap(),
        example::Options {
            config: None,
            format: Format::Json,
            command: Command::RedriveFailed(Some("E.164".into())),
        }
    );
    for wrong in [
        &[][..],
        &["redrive", "lever"],
        &["status", "extra"],
        &["--config"],
    ] {
        // The usage (no command at all), or the problem and a pointer to `--help`.
        let error = args(wrong).unwrap_err().to_string();
        assert!(
            error.contains("Usage: ledger")
                || error.starts_with("error: ") && error.contains("'--help'"),
            "{wrong:?}: {error}"
        );
    }
}

#[tokio::test]
async fn json_output_has_the_counts_the_failed_rows_and_what_was_redriven() {
    let store = MemoryStore::new();
    failed(
        &store,
        "app-1",
        true,
        "Lever refused the credentials",
        3_600_000,
    )
    .await;
    let json = |command: Command| {
        let store = &store;
        async move {
            let mut out = Vec::new();
            example::run(store, &command, NOW, Format::Json, &mut out)
                .await
                .unwrap();
            serde_json::from_slice::<serde_json::Value>(&out).unwrap()
        }
    };
    let status = json(Command::Status).await;
    assert_eq!(status["rows"]["failed"], 1);
    assert_eq!(status["rows"]["invited"], 0);
    assert_eq!(status["jobs"][0]["ats"], "lever");
    assert_eq!(status["jobs"][0]["job"], "posting-1");
    assert_eq!(status["jobs"][0]["rows"]["failed"], 1);
    let row = &status["failed"][0];
    assert_eq!(row["key"]["application"], "app-1");
    assert_eq!(row["key"]["interview"], "interview-1");
    assert_eq!(row["failed_from"], "invited");
    assert_eq!(row["age_ms"], 3_600_000);
    assert_eq!(row["error"], "Lever refused the credentials");

    let redriven = json(Command::RedriveFailed(None)).await;
    assert_eq!(redriven["redriven"][0]["application"], "app-1");
    assert_eq!(redriven["no_longer_failed"], serde_json::json!([]));
    assert_eq!(redriven["older_not_reached"], false);
    assert_eq!(json(Command::Status).await["rows"]["failed"], 0);
}

#[tokio::test]
async fn status_lists_rows_with_a_warning() {
    // Issue 17, section 7: a phone left out of an invite is visible to operators.
    let store = MemoryStore::new();
    let k = key("app-9");
    let claim = store
        .claim_invite(
            &InviteClaim::new(k.clone(), "cand-app-9", "posting-1"),
            &Lease::new("w", NOW - 60_000, LEASE),
        )
        .await
        .unwrap();
    store
        .record_invited(
            &k,
            &ParticipantKey::from("p-9"),
            claim.row().fence,
            NOW - 60_000,
        )
        .await
        .unwrap();
    let warning = "the candidate's phone number is not in E.164 form (+447700900123); \
                   invited by e-mail only";
    store
        .record_warning(&k, Some(warning), NOW - 60_000)
        .await
        .unwrap();
    let text = run(&store, Command::Status).await.unwrap();
    assert!(
        text.ends_with(&format!(
            "no failed rows\nrows with a warning, newest first (the workflow went on):\n  \
             lever/app-9/interview-1  invited, 60 s ago: {warning}\n"
        )),
        "{text}"
    );
}
