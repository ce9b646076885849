//! Mapped writes (`mapping_targets`, `mapped_values`, `write_mapped`): what the
//! bridge's field mapping relies on. Protected targets are only as safe as the values
//! an implementation reads back, and a target it silently drops loses data.

use super::{Ctx, Verdict, ensure};
use crate::report::Outcome;
use ats_bridge::AtsError;
use ats_bridge::mapping::{MappableTarget, MappedField, MappedValue, Target, ValueKind};

/// The text the write check puts into the chosen target.
const PROBE: &str = "Willo testkit";

/// `mapping_targets()` answers; each target once; select targets have options. `None`
/// when it lists none (the implementation offers no mapping).
pub(crate) async fn listed(ctx: &Ctx<'_>) -> Result<Option<Vec<MappableTarget>>, String> {
    let targets = ctx
        .call("mapping_targets()", ctx.ats.mapping_targets())
        .await?
        .map_err(|e| format!("mapping_targets() failed: {e}"))?;
    if targets.is_empty() {
        return Ok(None);
    }
    for (i, target) in targets.iter().enumerate() {
        ensure(
            !targets[..i].iter().any(|t| t.target == target.target),
            || format!("mapping_targets() lists `{}` twice", target.target),
        )?;
        let select = matches!(
            target.kind,
            ValueKind::SingleSelect | ValueKind::MultiSelect
        );
        ensure(!select || !target.options.is_empty(), || {
            format!("select target `{}` lists no options", target.target)
        })?;
    }
    Ok(Some(targets))
}

fn no_mapping() -> Verdict {
    Ok(Outcome::Skipped("mapping_targets() lists none".into()))
}

/// The check on the target list itself.
pub(crate) async fn targets_listed(ctx: &Ctx<'_>) -> Verdict {
    match listed(ctx).await? {
        Some(_) => Ok(Outcome::Passed),
        None => no_mapping(),
    }
}

/// Writing a text into one text target twice succeeds, and `mapped_values` reads it
/// back (the bridge reads before writing a protected target).
pub(crate) async fn write_reads_back(ctx: &Ctx<'_>) -> Verdict {
    let Some(targets) = listed(ctx).await? else {
        return no_mapping();
    };
    let chosen = match &ctx.fixture.mapped_target {
        Some(target) => targets
            .iter()
            .find(|t| &t.target == target)
            .ok_or_else(|| {
                format!("the fixture's mapped target `{target}` is not in mapping_targets()")
            })?,
        None => {
            // A custom field (a property, a form field) first; personal details and
            // web profiles are left alone unless the fixture names one.
            let custom = |t: &&MappableTarget| {
                matches!(t.target, Target::Property(_) | Target::FormField { .. })
            };
            let other = |t: &&MappableTarget| {
                !matches!(t.target, Target::Contact(_) | Target::WebProfile(_))
            };
            let texts = || targets.iter().filter(|t| t.kind == ValueKind::Text);
            let text = texts().find(custom).or_else(|| texts().find(other));
            match text {
                Some(target) => target,
                None => {
                    return Ok(Outcome::Skipped(
                        "no text target to write; name one with Fixture::mapped_target".into(),
                    ));
                }
            }
        }
    };
    let app = &ctx.fixture.application;
    let write = [MappedField::new(
        chosen.target.clone(),
        MappedValue::Text(PROBE.into()),
    )];
    for attempt in ["first", "second"] {
        let call = format!("the {attempt} write_mapped() to `{}`", chosen.target);
        ctx.call(&call, ctx.ats.write_mapped(app, &write))
            .await?
            .map_err(|e| format!("{call} failed: {e}"))?;
    }
    let read = [chosen.target.clone()];
    let values = ctx
        .call("mapped_values()", ctx.ats.mapped_values(app, &read))
        .await?;
    let values = match values {
        Ok(values) => values,
        Err(AtsError::Unsupported { .. }) => {
            return Ok(Outcome::Skipped(
                "mapped_values() is unsupported: no target can be protected".into(),
            ));
        }
        Err(e) => return Err(format!("mapped_values() failed: {e}")),
    };
    ensure(values.len() == 1, || {
        format!(
            "mapped_values() answered {} values for one target",
            values.len()
        )
    })?;
    let back = values[0].as_ref().map(MappedValue::texts);
    ensure(back == Some(vec![PROBE.to_owned()]), || {
        format!(
            "after writing `{}`, mapped_values() reads it as {}",
            chosen.target,
            if back.is_some() {
                "another value"
            } else {
                "empty"
            }
        )
    })?;
    Ok(Outcome::Passed)
}

/// A write to a target the ATS does not have fails instead of vanishing.
pub(crate) async fn unknown_target_refused(ctx: &Ctx<'_>) -> Verdict {
    if listed(ctx).await?.is_none() {
        return no_mapping();
    }
    let unknown = Target::Property("testkit-no-such-target".into());
    let write = [MappedField::new(unknown, MappedValue::Text(PROBE.into()))];
    let answer = ctx
        .call(
            "write_mapped() to an unknown target",
            ctx.ats.write_mapped(&ctx.fixture.application, &write),
        )
        .await?;
    ensure(answer.is_err(), || {
        "write_mapped() to `property:testkit-no-such-target` succeeded; a target the ATS \
         does not have must be refused, or the value is lost"
            .to_owned()
    })?;
    Ok(Outcome::Passed)
}
