//! Write-backs repeated the way a retried engine step repeats them: a label already
//! there, a label already gone, a stage already reached.

use super::{Ctx, Verdict, capability_off, ensure};
use crate::report::Outcome;
use ats_bridge::model::WriteBack;

/// Apply `write` to the fixture application twice; both must succeed.
async fn twice(ctx: &Ctx<'_>, what: &str, write: &WriteBack) -> Result<(), String> {
    let app = &ctx.fixture.application;
    for attempt in ["first", "second"] {
        let call = format!("the {attempt} write_back() {what}");
        ctx.call(&call, ctx.ats.write_back(app, write))
            .await?
            .map_err(|e| format!("{call} failed: {e}"))?;
    }
    Ok(())
}

/// How often the test label is on the record, when the fixture can tell.
async fn label_count(ctx: &Ctx<'_>) -> Result<Option<usize>, String> {
    let Some(labels_of) = &ctx.fixture.labels_of else {
        return Ok(None);
    };
    let labels = ctx
        .call(
            "the fixture's labels_of()",
            labels_of(&ctx.fixture.application),
        )
        .await?;
    Ok(Some(
        labels.iter().filter(|l| **l == ctx.fixture.label).count(),
    ))
}

/// Adding the same label twice leaves it on the record once.
pub(crate) async fn labels_idempotent(ctx: &Ctx<'_>) -> Verdict {
    if !ctx.capabilities.labels {
        return capability_off("labels");
    }
    let label = &ctx.fixture.label;
    let add = WriteBack::labels(vec![label.clone()], Vec::new());
    twice(ctx, &format!("adding `{label}`"), &add).await?;
    if let Some(count) = label_count(ctx).await? {
        ensure(count == 1, || {
            format!("after adding `{label}` twice the record holds it {count} times")
        })?;
    }
    Ok(Outcome::Passed)
}

/// Removing the label twice (the second time it is already gone) succeeds and leaves
/// it off the record; this also cleans up after [`labels_idempotent`].
pub(crate) async fn labels_removable(ctx: &Ctx<'_>) -> Verdict {
    if !ctx.capabilities.labels {
        return capability_off("labels");
    }
    let label = &ctx.fixture.label;
    let remove = WriteBack::labels(Vec::new(), vec![label.clone()]);
    twice(ctx, &format!("removing `{label}`"), &remove).await?;
    if let Some(count) = label_count(ctx).await? {
        ensure(count == 0, || {
            format!("after removing `{label}` the record still holds it {count} times")
        })?;
    }
    Ok(Outcome::Passed)
}

/// Moving the fixture application to the stage it is at succeeds, twice.
pub(crate) async fn stage_move_repeatable(ctx: &Ctx<'_>) -> Verdict {
    if !ctx.capabilities.stage_moves {
        return capability_off("stage_moves");
    }
    let stage = &ctx.fixture.trigger_stage;
    let write = WriteBack::default().moving_to(stage.clone());
    twice(ctx, &format!("moving to `{stage}`"), &write).await?;
    Ok(Outcome::Passed)
}
