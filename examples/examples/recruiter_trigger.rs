//! Recruiter-triggered send: a recruiter picks a candidate and a Willo interview and
//! clicks "send". No stage rule is involved, but the once-only guarantee is the same:
//! a second click (or a retry, or another replica) finds the ledger row settled and
//! sends nothing.
//!
//! With no environment the program runs on the sandbox: it picks the first
//! SmartRecruiters candidate and the first Willo interview, and the simulated candidate
//! answers after a moment. With live APIs set `WILLO_API_KEY`,
//! `SMARTRECRUITERS_API_KEY`, `CANDIDATE_ID`, `JOB_ID` and `INTERVIEW_KEY` (and
//! `DATABASE_URL`, or the ledger is `recruiter_trigger.db` here: keep it, it is what
//! remembers the send).
//!
//! ```sh
//! cargo run -p examples --example recruiter_trigger
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use ats_bridge::Ats;
use ats_bridge::engine::{Action, Engine, EngineConfig, ParticipantChecks};
use ats_bridge::model::{ApplicationRef, InterviewKey};
use ats_bridge::smartrecruiters::SmartRecruitersAts;
use ats_bridge::store::RowState;
use ats_sandbox::SandboxConfig;
use examples::{Connections, env, open_store, walk_through};

/// How long the program follows the candidate before leaving the rest to a running
/// bridge.
const WAIT: Duration = Duration::from_secs(30);

#[tokio::main]
async fn main() -> examples::Result<()> {
    examples::log_from(tracing::Level::WARN);
    run(&mut std::io::stdout()).await
}

/// Connect (environment or sandbox), then [`send_and_follow`].
pub async fn run(out: &mut impl Write) -> examples::Result<()> {
    walk_through(SandboxConfig::new(), out, async |connections, out| {
        send_and_follow(connections, out).await
    })
    .await
    .map(drop)
}

/// What the two clicks did.
#[derive(Debug)]
pub struct Clicks {
    /// The recruiter's choice.
    pub application: ApplicationRef,
    /// The first click.
    pub first: Action,
    /// The second click.
    pub second: Action,
    /// Whether the results were written back before the program stopped waiting.
    pub written_back: bool,
}

/// Send the chosen interview twice (one invite), then follow the candidate until the
/// results are written back.
pub async fn send_and_follow(
    connections: &Connections,
    out: &mut impl Write,
) -> examples::Result<Clicks> {
    let ats =
        connections.smartrecruiters_ats("this example sends to a SmartRecruiters candidate")?;
    let (application, interview) = choice(connections)?;

    // The ledger must outlive the process with live APIs: it is what makes the second
    // click (tomorrow, from another replica) a no-op.
    let dir = tempfile::tempdir()?;
    let default_db = match connections.sandbox {
        Some(_) => dir.path().join("bridge.db"),
        None => PathBuf::from("recruiter_trigger.db"),
    };
    let store = open_store(env("DATABASE_URL").as_deref(), &default_db).await?;
    // No trigger rules: only the recruiter sends. Participant checks are short so the
    // example sees the answer quickly without a Willo webhook.
    let mut config = EngineConfig::default();
    config.participant_checks =
        ParticipantChecks::new(Duration::from_millis(100), Duration::from_millis(200), 20);
    let engine = Engine::builder(connections.willo.clone(), store.clone())
        .ats(ats.clone())
        .config(config)
        .build()?;

    writeln!(
        out,
        "The recruiter sends interview {interview} to candidate {} (job {})",
        application.candidate, application.job
    )?;
    let first = engine
        .send_interview(&ats.name(), &application, &interview)
        .await?;
    let Action::Invited {
        key, participant, ..
    } = &first
    else {
        return Err(format!("the first click did not invite: {first:?}").into());
    };
    writeln!(out, "  click 1: invited, Willo participant {participant}")?;
    let second = engine
        .send_interview(&ats.name(), &application, &interview)
        .await?;
    match &second {
        Action::AlreadyDone { .. } => writeln!(out, "  click 2: already sent, nothing sent again")?,
        other => return Err(format!("the second click should do nothing: {other:?}").into()),
    }

    // `engine.run` would do this on its own; the loop shows the steps: the reconciler
    // checks quiet participants, due retries repeat the check until they answer.
    let started = Instant::now();
    let written_back = loop {
        engine.reconcile().await?;
        engine.retry_due().await?;
        let row = store.row(key).await?.ok_or("the ledger row vanished")?;
        if row.state == RowState::Synced {
            writeln!(
                out,
                "  answered: results written back after {:.1}s",
                started.elapsed().as_secs_f64()
            )?;
            break true;
        }
        if started.elapsed() > WAIT {
            if connections.sandbox.is_some() {
                return Err("the simulated candidate did not answer in time".into());
            }
            writeln!(
                out,
                "  not answered yet: a running bridge writes the results back when they do"
            )?;
            break false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    Ok(Clicks {
        application,
        first,
        second,
        written_back,
    })
}

/// The recruiter's choice: from the environment with live APIs, else the first
/// sandbox candidate and interview.
fn choice(connections: &Connections) -> examples::Result<(ApplicationRef, InterviewKey)> {
    let (candidate, job, interview) = match &connections.sandbox {
        None => match (env("CANDIDATE_ID"), env("JOB_ID"), env("INTERVIEW_KEY")) {
            (Some(candidate), Some(job), Some(interview)) => (candidate, job, interview),
            _ => return Err("set CANDIDATE_ID, JOB_ID and INTERVIEW_KEY".into()),
        },
        Some(sandbox) => {
            let sr = sandbox.smartrecruiters();
            let job = sr.jobs().first().ok_or("no sandbox job")?.id.clone();
            let candidate = sr.candidates(&job).first().ok_or("no candidate")?.clone();
            let interview = sandbox.willo().interviews().into_iter().next();
            (candidate, job, interview.ok_or("no interview")?.key)
        }
    };
    // Named as the adapter's webhooks and listings name it: a stage rule reaching
    // the same application later finds this send in the ledger.
    let application = SmartRecruitersAts::application_ref(&candidate, &job);
    Ok((application, interview.into()))
}
