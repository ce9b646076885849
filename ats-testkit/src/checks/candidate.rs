//! Candidate details: read at invite time, never printed.

use super::{Ctx, Verdict, ensure};
use crate::report::Outcome;
use ats_bridge::AtsError;
use ats_bridge::model::CandidateDetails;

/// The details of the fixture application, or why they could not be read.
pub(crate) async fn fetch(ctx: &Ctx<'_>) -> Result<CandidateDetails, String> {
    let app = &ctx.fixture.application;
    ctx.call("candidate()", ctx.ats.candidate(app))
        .await?
        .map_err(|e| {
            format!(
                "candidate() of application `{}` failed: {e}",
                app.application
            )
        })
}

/// Willo needs a name to invite anyone.
pub(crate) fn has_name(details: &Result<CandidateDetails, String>) -> Verdict {
    let details = details.as_ref().map_err(Clone::clone)?;
    ensure(!details.name.trim().is_empty(), || {
        "candidate() gave an empty name".into()
    })?;
    Ok(Outcome::Passed)
}

/// Neither the details nor the implementation print the name, email or phone.
pub(crate) fn no_personal_data_in_debug(
    ctx: &Ctx<'_>,
    details: &Result<CandidateDetails, String>,
) -> Verdict {
    let Ok(details) = details else {
        return Ok(Outcome::Skipped(
            "no candidate details to look for (see candidate_has_name)".into(),
        ));
    };
    let personal: Vec<&str> = [
        Some(&details.name),
        details.email.as_ref(),
        details.phone.as_ref(),
    ]
    .into_iter()
    .flatten()
    .map(|value| value.trim())
    .filter(|value| !value.is_empty())
    .collect();
    let printed = [
        ("Debug of the candidate details", format!("{details:?}")),
        ("Debug of the Ats", format!("{:?}", ctx.ats)),
    ];
    let leaks: Vec<&str> = printed
        .iter()
        .filter(|(_, text)| personal.iter().any(|value| text.contains(value)))
        .map(|(what, _)| *what)
        .collect();
    ensure(leaks.is_empty(), || {
        format!(
            "{} shows the candidate's personal data",
            leaks.join(" and ")
        )
    })?;
    Ok(Outcome::Passed)
}

/// A missing record is `NotFound` (or `Invalid`), which the engine treats as final.
pub(crate) async fn unknown_application_not_found(ctx: &Ctx<'_>) -> Verdict {
    let unknown = &ctx.fixture.unknown_application;
    let what = format!(
        "candidate() of the missing application `{}`",
        unknown.application
    );
    match ctx.call(&what, ctx.ats.candidate(unknown)).await? {
        Err(AtsError::NotFound { .. } | AtsError::Invalid(_)) => Ok(Outcome::Passed),
        Err(other) => Err(format!("{what} failed with `{other}` instead of NotFound")),
        Ok(_) => Err(format!("{what} returned details instead of NotFound")),
    }
}
