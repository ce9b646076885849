//! Who the implementation says it is and what it says it supports.

use super::{Ctx, Verdict, call_sync, capability_off, ensure};
use crate::report::Outcome;
use ats_bridge::AtsError;
use ats_bridge::model::{CandidateDetails, ParticipantKey, WriteBack};

/// `name()` is a usable, unchanging ledger-key part.
pub(crate) fn name_stable(ctx: &Ctx<'_>) -> Verdict {
    let first = call_sync("name()", || ctx.ats.name())?;
    let second = call_sync("name()", || ctx.ats.name())?;
    let name = first.as_str();
    ensure(!name.trim().is_empty(), || "name() is empty".into())?;
    ensure(name.trim() == name, || {
        format!("name() `{name}` has surrounding whitespace")
    })?;
    ensure(first == second, || {
        format!("name() changed from `{first}` to `{second}`")
    })?;
    Ok(Outcome::Passed)
}

/// Each operation reported missing answers `Unsupported`.
pub(crate) async fn capabilities_consistent(ctx: &Ctx<'_>) -> Verdict {
    let caps = ctx.capabilities;
    let fixture = ctx.fixture;
    let app = &fixture.application;
    let mut tried = Vec::new();
    if !caps.polling {
        tried.push((
            "applications_at_stage (polling off)",
            ctx.call(
                "applications_at_stage()",
                ctx.ats
                    .applications_at_stage(&fixture.job, &fixture.trigger_stage, None),
            )
            .await?
            .map(drop),
        ));
    }
    if !caps.labels {
        let write = WriteBack::labels(vec![fixture.label.clone()], Vec::new());
        tried.push((
            "write_back with a label (labels off)",
            ctx.call("write_back()", ctx.ats.write_back(app, &write))
                .await?
                .map(drop),
        ));
    }
    if !caps.stage_moves {
        let write = WriteBack::default().moving_to(fixture.trigger_stage.clone());
        tried.push((
            "write_back with a stage move (stage_moves off)",
            ctx.call("write_back()", ctx.ats.write_back(app, &write))
                .await?
                .map(drop),
        ));
    }
    if !caps.notes {
        let outcome = ats_bridge::model::InterviewOutcome::from_participant_json(
            ParticipantKey::from("testkit-participant"),
            serde_json::json!({}),
        );
        let write = WriteBack::results(outcome, Vec::new(), Vec::new());
        tried.push((
            "write_back with a note (notes off)",
            ctx.call("write_back()", ctx.ats.write_back(app, &write))
                .await?
                .map(drop),
        ));
    }
    if !caps.create_candidates {
        tried.push((
            "create_application (create_candidates off)",
            ctx.call(
                "create_application()",
                ctx.ats
                    .create_application(&fixture.job, &testkit_candidate()),
            )
            .await?
            .map(drop),
        ));
    }
    if tried.is_empty() {
        return Ok(Outcome::Skipped("every capability is on".into()));
    }
    let wrong: Vec<String> = tried
        .into_iter()
        .filter_map(|(what, result)| match result {
            Err(AtsError::Unsupported { .. }) => None,
            Err(other) => Some(format!(
                "{what} failed with `{other}` instead of Unsupported"
            )),
            Ok(()) => Some(format!("{what} succeeded instead of answering Unsupported")),
        })
        .collect();
    ensure(wrong.is_empty(), || wrong.join("; "))?;
    Ok(Outcome::Passed)
}

/// `create_application` makes an application on the fixture job (opt-in: it writes).
pub(crate) async fn create_application(ctx: &Ctx<'_>) -> Verdict {
    if !ctx.capabilities.create_candidates {
        return capability_off("create_candidates");
    }
    let Some(candidate) = &ctx.fixture.new_candidate else {
        return Ok(Outcome::Skipped(
            "it creates a record; opt in with Fixture::new_candidate".into(),
        ));
    };
    let job = &ctx.fixture.job;
    let created = ctx
        .call(
            "create_application()",
            ctx.ats.create_application(job, candidate),
        )
        .await?
        .map_err(|e| format!("create_application() failed: {e}"))?
        .application;
    ensure(&created.job == job, || {
        format!(
            "create_application() on job `{job}` returned an application on job `{}`",
            created.job
        )
    })?;
    ensure(!created.application.as_str().is_empty(), || {
        "create_application() returned an empty application id".into()
    })?;
    Ok(Outcome::Passed)
}

/// A made-up candidate, for calls that must be refused before they use it.
fn testkit_candidate() -> CandidateDetails {
    CandidateDetails::new("Testkit Candidate").email("testkit@example.invalid")
}
