//! The whole loop on your machine, with no accounts or keys:
//!
//! 1. starts local simulators of Willo, SmartRecruiters and Lever (the sandbox) and a
//!    bridge on a SQLite file in a temporary directory, with its webhooks registered
//!    in all three;
//! 2. moves three SmartRecruiters candidates and three Lever opportunities to the
//!    trigger stage, as a recruiter would;
//! 3. shows each candidate being invited in Willo, answering (the simulated candidate
//!    answers after a moment) and getting the results written back — a note and the
//!    `Willo:To Review` tag;
//! 4. then Willo finishes the transcripts and AI summaries, as it does minutes after
//!    the answers: the bridge's late-results check finds them and writes only what is
//!    new — a follow-up note in SmartRecruiters, the results note amended in Lever —
//!    and a summary table.
//!
//! ```sh
//! cargo run -p examples --example quickstart
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ats_bridge::engine::LateResults;
use ats_bridge::late_results::FOLLOW_UP_HEADING;
use ats_sandbox::{Sandbox, SandboxConfig, Vendor};
use ats_store_sql::SqliteStore;
use examples::demo::{Demo, DemoOptions, Moved};

/// Candidates moved in each ATS.
const PER_ATS: usize = 3;
/// The run gives up after this long.
const DEADLINE: Duration = Duration::from_secs(45);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::log_from(tracing::Level::WARN);
    run(&mut std::io::stdout()).await?;
    Ok(())
}

/// Where one candidate is, read from the simulated APIs (what a recruiter would see).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Progress {
    Waiting,
    Invited,
    Answered,
    WrittenBack,
    Updated,
}

impl Progress {
    fn label(self) -> &'static str {
        match self {
            Progress::Waiting => "waiting",
            Progress::Invited => "invited in Willo",
            Progress::Answered => "answered",
            Progress::WrittenBack => "results written back",
            Progress::Updated => "late transcripts added",
        }
    }
}

/// One moved candidate, as the summary shows them.
struct Row {
    ats: &'static str,
    name: String,
    progress: Progress,
    notes: usize,
    tags: Vec<String>,
}

/// Run the quickstart, printing to `out`; fails if not every candidate got through.
pub async fn run(out: &mut impl Write) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("bridge.db");
    let store = Arc::new(SqliteStore::open(&db).await?);
    let sandbox = SandboxConfig::new().willo_completion_delay(Some(Duration::from_millis(700)));
    let mut options = DemoOptions::default().store(store).sandbox(sandbox);
    // Late results are checked a second after the results note, then at 3 s and 10 s
    // (in production: 5 min, 30 min, 3 h).
    options.engine.late_results = LateResults::new([1, 3, 10].map(Duration::from_secs).to_vec());
    let demo = Demo::start(options).await?;
    // Answers arrive without transcripts and summaries; they come later.
    demo.sandbox().willo().hold_transcripts(true);
    writeln!(
        out,
        "Sandbox up: Willo, SmartRecruiters and Lever on 127.0.0.1"
    )?;
    writeln!(
        out,
        "Bridge up: intake at {}, ledger in {}",
        demo.intake_url(),
        db.display()
    )?;
    writeln!(
        out,
        "Webhooks registered in all three (SmartRecruiters handshake answered)\n"
    )?;

    let moved = demo.move_to_trigger_stage(PER_ATS, PER_ATS)?;
    writeln!(
        out,
        "A recruiter moves {PER_ATS} SmartRecruiters candidates to INTERVIEW and \
         {PER_ATS} Lever opportunities to Recruiter screen...\n"
    )?;

    let mut seen: BTreeMap<String, Progress> = BTreeMap::new();
    let mut transcribed = false;
    loop {
        let rows = read(demo.sandbox(), &moved);
        if !transcribed && rows.iter().all(|row| row.progress >= Progress::WrittenBack) {
            writeln!(
                out,
                "\nWillo finishes the transcripts and AI summaries (no webhook for those)...\n"
            )?;
            for participant in demo.sandbox().willo().participants() {
                demo.sandbox().willo().add_transcripts(&participant.key)?;
            }
            transcribed = true;
        }
        for (candidate, row) in moved.iter().zip(&rows) {
            let before = seen
                .entry(candidate.id.clone())
                .or_insert(Progress::Waiting);
            if row.progress > *before {
                *before = row.progress;
                writeln!(
                    out,
                    "  {:>5.1}s  {:<16} {:<22} {}",
                    started.elapsed().as_secs_f64(),
                    row.ats,
                    row.name,
                    row.progress.label()
                )?;
            }
        }
        if rows.iter().all(|row| row.progress == Progress::Updated) {
            summary(out, &rows)?;
            follow_up_example(out, demo.sandbox(), &moved)?;
            break;
        }
        if started.elapsed() > DEADLINE {
            summary(out, &rows)?;
            demo.stop().await;
            return Err("not every candidate got through in time".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = demo.store().status().await?;
    writeln!(
        out,
        "\nLedger: {} rows, {} failed. Done in {:.1}s.",
        status.by_state.values().sum::<u64>(),
        status.failed.len(),
        started.elapsed().as_secs_f64()
    )?;
    demo.stop().await;
    Ok(())
}

/// Each moved candidate's state, as the three simulated APIs hold it.
fn read(sandbox: &Sandbox, moved: &[Moved]) -> Vec<Row> {
    let participants = sandbox.willo().participants();
    moved
        .iter()
        .map(|candidate| {
            let (ats, person, notes, tags) = match candidate.ats {
                Vendor::Lever => {
                    let lever = sandbox.lever();
                    (
                        "Lever",
                        lever.opportunity(&candidate.id),
                        lever.notes(&candidate.id),
                        lever.tags(&candidate.id),
                    )
                }
                _ => {
                    let sr = sandbox.smartrecruiters();
                    (
                        "SmartRecruiters",
                        sr.candidate(&candidate.id),
                        sr.notes(&candidate.id),
                        sr.tags(&candidate.id),
                    )
                }
            };
            // Late transcripts are in a follow-up note, or in the amended results note.
            let updated = notes.iter().any(|note| {
                note.contains(FOLLOW_UP_HEADING)
                    || (note.contains("Willo interview results") && note.contains("Transcript:"))
            });
            let (name, email) = person
                .map(|p| (p.name, p.email))
                .unwrap_or_else(|| (candidate.id.clone(), String::new()));
            let participant = participants
                .iter()
                .find(|p| p.email.as_deref() == Some(email.as_str()));
            let progress = if updated {
                Progress::Updated
            } else if !notes.is_empty() {
                Progress::WrittenBack
            } else if participant.is_some_and(|p| p.completed_at.is_some()) {
                Progress::Answered
            } else if participant.is_some() {
                Progress::Invited
            } else {
                Progress::Waiting
            };
            Row {
                ats,
                name,
                progress,
                notes: notes.len(),
                tags,
            }
        })
        .collect()
}

/// Print the first SmartRecruiters candidate's follow-up note: only what was new.
fn follow_up_example(
    out: &mut impl Write,
    sandbox: &Sandbox,
    moved: &[Moved],
) -> std::io::Result<()> {
    let follow_up = moved
        .iter()
        .filter(|candidate| candidate.ats == Vendor::SmartRecruiters)
        .flat_map(|candidate| sandbox.smartrecruiters().notes(&candidate.id))
        .find(|note| note.contains(FOLLOW_UP_HEADING));
    if let Some(note) = follow_up {
        writeln!(out, "\nA follow-up note, as SmartRecruiters shows it:\n")?;
        for line in note.lines().take(12) {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

fn summary(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    writeln!(
        out,
        "\n  {:<16} {:<22} {:<22} {:<6} tags",
        "ATS", "candidate", "state", "notes"
    )?;
    writeln!(out, "  {}", "-".repeat(84))?;
    for row in rows {
        writeln!(
            out,
            "  {:<16} {:<22} {:<22} {:<6} {}",
            row.ats,
            row.name,
            row.progress.label(),
            row.notes,
            row.tags.join(", ")
        )?;
    }
    Ok(())
}
