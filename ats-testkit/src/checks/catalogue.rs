//! Jobs and stages: what an operator picks trigger stages from.

use super::{Ctx, Verdict, ensure, first_repeat};
use crate::report::Outcome;

/// `jobs()` lists the fixture job, each job once.
pub(crate) async fn jobs_listed(ctx: &Ctx<'_>) -> Verdict {
    let jobs = ctx
        .call("jobs()", ctx.ats.jobs())
        .await?
        .map_err(|e| format!("jobs() failed: {e}"))?;
    first_repeat(jobs.iter().map(|job| &job.id))
        .map_or(Ok(()), |id| Err(format!("jobs() lists job `{id}` twice")))?;
    let job = &ctx.fixture.job;
    ensure(jobs.iter().any(|j| &j.id == job), || {
        format!(
            "jobs() does not list the fixture job `{job}` ({} jobs)",
            jobs.len()
        )
    })?;
    Ok(Outcome::Passed)
}

/// `stages()` of the fixture job includes the trigger stage, each stage once.
pub(crate) async fn stages_include_trigger(ctx: &Ctx<'_>) -> Verdict {
    let job = &ctx.fixture.job;
    let stages = ctx
        .call("stages()", ctx.ats.stages(job))
        .await?
        .map_err(|e| format!("stages() of job `{job}` failed: {e}"))?;
    first_repeat(stages.iter().map(|stage| &stage.id)).map_or(Ok(()), |id| {
        Err(format!("stages() lists stage `{id}` twice"))
    })?;
    let trigger = &ctx.fixture.trigger_stage;
    ensure(stages.iter().any(|s| &s.id == trigger), || {
        let ids: Vec<&str> = stages.iter().map(|s| s.id.as_str()).collect();
        format!(
            "stages() of job `{job}` lacks the trigger stage `{trigger}` (has {})",
            ids.join(", ")
        )
    })?;
    Ok(Outcome::Passed)
}
