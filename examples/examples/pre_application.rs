//! Pre-application screening: someone who completes a Willo screening interview
//! without being a candidate yet (they followed a link on a careers page) becomes a
//! candidate on the mapped ATS job, with the results attached as a note — once, however
//! often Willo repeats its webhook.
//!
//! The mapping is a `[[screening]]` rule. The ATS is SmartRecruiters (its adapter
//! creates the candidate with `POST /jobs/{id}/candidates`) or, with
//! `SCREENING_ATS=lever`, Lever (an opportunity on the posting, `POST /opportunities`).
//! Both first look for someone with the same e-mail and give them the application
//! instead of a second profile; the output says which happened.
//!
//! With no environment the program runs on the sandbox: a walk-in is invited to the
//! screening interview directly in Willo (not by the bridge) and answers. With live
//! APIs set `WILLO_API_KEY`, `SMARTRECRUITERS_API_KEY` (or `LEVER_API_KEY` and
//! `LEVER_PERFORM_AS`), `INTERVIEW_KEY` (the screening interview), `JOB_ID` (the job or
//! posting to create candidates on) and `PARTICIPANT_KEY` (someone who completed that
//! interview).
//!
//! ```sh
//! cargo run -p examples --example pre_application
//! SCREENING_ATS=lever cargo run -p examples --example pre_application
//! ```

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use ats_bridge::Ats;
use ats_bridge::engine::{Action, Engine};
use ats_bridge::model::{CandidateMatch, ParticipantKey};
use ats_bridge::rules::Rules;
use ats_sandbox::SandboxConfig;
use examples::{Connections, env, open_store, walk_through};
use willo_client::webhooks::{Delivery, WebhookEvent};
use willo_client::{Candidate, SendInterview};

/// The walk-in's address on the sandbox (example.com: nobody real).
pub const WALK_IN_EMAIL: &str = "walk-in@example.com";

/// Which ATS the screened candidate is created in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScreeningAts {
    /// SmartRecruiters (the default).
    SmartRecruiters,
    /// Lever (`SCREENING_ATS=lever`).
    Lever,
}

impl ScreeningAts {
    /// From `SCREENING_ATS` (`smartrecruiters` when unset).
    pub fn from_env() -> examples::Result<Self> {
        match env("SCREENING_ATS").as_deref() {
            None | Some("smartrecruiters") => Ok(Self::SmartRecruiters),
            Some("lever") => Ok(Self::Lever),
            Some(other) => {
                Err(format!("SCREENING_ATS is smartrecruiters or lever, not {other}").into())
            }
        }
    }
}

#[tokio::main]
async fn main() -> examples::Result<()> {
    examples::log_from(tracing::Level::WARN);
    run(&mut std::io::stdout()).await
}

/// Connect (environment or sandbox), then [`screen_walk_in`].
pub async fn run(out: &mut impl Write) -> examples::Result<()> {
    // The walk-in answers when the program says so, not after a delay.
    let sandbox = SandboxConfig::new().willo_completion_delay(None);
    let target = ScreeningAts::from_env()?;
    walk_through(sandbox, out, async |connections, out| {
        screen_walk_in(connections, target, out).await
    })
    .await
    .map(drop)
}

/// What the webhook and its repeat did.
#[derive(Debug)]
pub struct Screened {
    /// The job the candidate was created on.
    pub job: String,
    /// The first `new_response` webhook.
    pub first: Action,
    /// The same webhook again (Willo repeats deliveries).
    pub repeat: Action,
}

/// A completed screening interview → a candidate on the mapped job of `target`, with
/// a note.
pub async fn screen_walk_in(
    connections: &Connections,
    target: ScreeningAts,
    out: &mut impl Write,
) -> examples::Result<Screened> {
    let ats: Arc<dyn Ats> = match target {
        ScreeningAts::SmartRecruiters => {
            connections.smartrecruiters_ats("candidates are created in SmartRecruiters")?
        }
        ScreeningAts::Lever => connections.lever_ats("candidates are created in Lever")?,
    };
    let (interview, job) = screening_target(connections, target)?;

    // The rule as an operator writes it in the bridge's rules file.
    let rules = Rules::from_toml(&format!(
        r#"
        [[screening]]
        interview = "{interview}"
        ats = "{ats}"
        job = "{job}"
        "#,
        ats = ats.name()
    ))?;
    let dir = tempfile::tempdir()?;
    let default_db = match connections.sandbox {
        Some(_) => dir.path().join("bridge.db"),
        // With live APIs the ledger is what stops a second candidate next time.
        None => PathBuf::from("pre_application.db"),
    };
    let store = open_store(env("DATABASE_URL").as_deref(), &default_db).await?;
    let engine = Engine::builder(connections.willo.clone(), store)
        .ats(ats)
        .rules(rules)
        .build()?;

    let participant = walk_in(connections, &interview).await?;
    writeln!(
        out,
        "Participant {participant} completed screening interview {interview}"
    )?;

    // Willo's `new_response` webhook, as the intake hands it to the engine (the body
    // names the participant; the URL the intake registered names the event).
    let body =
        format!(r#"{{"participant": {{"key": "{participant}", "interview": "{interview}"}}}}"#);
    let delivery = Delivery::parse(body.as_bytes(), Some(WebhookEvent::NewResponse))?;
    let first = engine.handle_willo_delivery(&delivery).await?;
    match &first {
        Action::Screened { candidate, .. } => writeln!(
            out,
            "  new_response: candidate created on job {job} with the results note ({})",
            match candidate {
                CandidateMatch::New => "a new person",
                CandidateMatch::ExistingCandidate => "added to the person the ATS knew by e-mail",
                CandidateMatch::ExistingApplication => "their existing application",
                _ => "the ATS did not say whether it knew them",
            }
        )?,
        other => return Err(format!("expected a new candidate, got {other:?}").into()),
    }
    let repeat = engine.handle_willo_delivery(&delivery).await?;
    match &repeat {
        Action::AlreadyDone { .. } => {
            writeln!(
                out,
                "  the same webhook again: nothing created, nothing written"
            )?;
        }
        other => return Err(format!("a repeat should do nothing: {other:?}").into()),
    }
    Ok(Screened { job, first, repeat })
}

/// The screening interview and the job it feeds: from the environment with live
/// APIs; on the sandbox its last interview (the first stays for ordinary invites) and
/// the first job (SmartRecruiters) or posting (Lever).
fn screening_target(
    connections: &Connections,
    target: ScreeningAts,
) -> examples::Result<(String, String)> {
    match &connections.sandbox {
        None => match (env("INTERVIEW_KEY"), env("JOB_ID")) {
            (Some(interview), Some(job)) => Ok((interview, job)),
            _ => Err("set INTERVIEW_KEY and JOB_ID".into()),
        },
        Some(sandbox) => {
            let interview = sandbox.willo().interviews().pop().ok_or("no interview")?;
            let job = match target {
                ScreeningAts::SmartRecruiters => {
                    sandbox.smartrecruiters().jobs().into_iter().next()
                }
                ScreeningAts::Lever => sandbox.lever().postings().into_iter().next(),
            };
            Ok((interview.key, job.ok_or("no job")?.id))
        }
    }
}

/// Someone the bridge never invited completes the interview: on the sandbox, invited
/// directly in Willo and answering at once; live, the `PARTICIPANT_KEY` given.
async fn walk_in(connections: &Connections, interview: &str) -> examples::Result<ParticipantKey> {
    let Some(sandbox) = &connections.sandbox else {
        let key = env("PARTICIPANT_KEY").ok_or("set PARTICIPANT_KEY")?;
        return Ok(key.into());
    };
    let sent = connections
        .willo
        .send_interview(&SendInterview::new(
            interview,
            Candidate::new("Walk In", WALK_IN_EMAIL),
        ))
        .await?;
    let key = sent.participant.key.ok_or("Willo named no participant")?;
    sandbox.willo().complete_participant(key.as_str())?;
    Ok(key)
}
