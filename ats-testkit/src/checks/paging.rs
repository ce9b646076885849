//! Paging `applications_at_stage` the way the reconciler does: from no cursor until
//! `next_cursor` is `None`.

use std::collections::HashSet;

use super::{Ctx, Verdict, capability_off, first_repeat};
use crate::report::Outcome;
use ats_bridge::model::ApplicationRef;

/// What one walk over every page saw.
pub(crate) struct Walk {
    pages: usize,
    applications: Vec<ApplicationRef>,
    /// Why the walk ended before a page without a next cursor.
    stopped: Option<String>,
}

/// Page through the applications at the trigger stage; stops at a repeated cursor,
/// an error, or the page limit, so a broken implementation cannot loop forever.
pub(crate) async fn walk(ctx: &Ctx<'_>) -> Walk {
    let (job, stage) = (&ctx.fixture.job, &ctx.fixture.trigger_stage);
    let mut walk = Walk {
        pages: 0,
        applications: Vec::new(),
        stopped: None,
    };
    let mut cursors = HashSet::new();
    let mut cursor: Option<String> = None;
    loop {
        if walk.pages == ctx.max_pages {
            walk.stopped = Some(format!(
                "still a next cursor after {} pages (the limit)",
                ctx.max_pages
            ));
            break;
        }
        let what = format!("applications_at_stage() page {}", walk.pages + 1);
        let page = match ctx
            .call(
                &what,
                ctx.ats.applications_at_stage(job, stage, cursor.as_deref()),
            )
            .await
        {
            Ok(Ok(page)) => page,
            Ok(Err(e)) => {
                walk.stopped = Some(format!("{what} failed: {e}"));
                break;
            }
            Err(reason) => {
                walk.stopped = Some(reason);
                break;
            }
        };
        walk.pages += 1;
        walk.applications.extend(page.applications);
        match page.next_cursor {
            None => break,
            Some(next) if !cursors.insert(next.clone()) => {
                walk.stopped = Some(format!(
                    "page {} gave cursor `{next}` again: paging would never end",
                    walk.pages
                ));
                break;
            }
            Some(next) => cursor = Some(next),
        }
    }
    walk
}

/// The walk reached a last page.
pub(crate) fn terminates(ctx: &Ctx<'_>, walk: &Walk) -> Verdict {
    if !ctx.capabilities.polling {
        return capability_off("polling");
    }
    walk.stopped.clone().map_or(Ok(Outcome::Passed), Err)
}

/// No application appeared twice in the pages read.
pub(crate) fn lists_each_application_once(ctx: &Ctx<'_>, walk: &Walk) -> Verdict {
    if !ctx.capabilities.polling {
        return capability_off("polling");
    }
    if walk.pages == 0 {
        return Err(format!(
            "no page could be read: {}",
            walk.stopped.as_deref().unwrap_or_default()
        ));
    }
    match first_repeat(walk.applications.iter().map(|a| &a.application)) {
        Some(id) => Err(format!(
            "application `{id}` listed twice in {} pages",
            walk.pages
        )),
        None => Ok(Outcome::Passed),
    }
}

/// Each application read names the job it was listed for.
pub(crate) fn stays_on_job(ctx: &Ctx<'_>, walk: &Walk) -> Verdict {
    if !ctx.capabilities.polling {
        return capability_off("polling");
    }
    let job = &ctx.fixture.job;
    match walk.applications.iter().find(|a| &a.job != job) {
        Some(stray) => Err(format!(
            "listing job `{job}` gave application `{}` on job `{}`",
            stray.application, stray.job
        )),
        None => Ok(Outcome::Passed),
    }
}

/// The fixture application is at the trigger stage, so it must be listed.
pub(crate) fn finds_fixture_application(ctx: &Ctx<'_>, walk: &Walk) -> Verdict {
    if !ctx.capabilities.polling {
        return capability_off("polling");
    }
    let wanted = &ctx.fixture.application.application;
    if walk.applications.iter().any(|a| &a.application == wanted) {
        return Ok(Outcome::Passed);
    }
    let read = format!(
        "{} applications in {} pages",
        walk.applications.len(),
        walk.pages
    );
    Err(match &walk.stopped {
        Some(why) => {
            format!("application `{wanted}` not among {read} read before paging stopped ({why})")
        }
        None => format!(
            "application `{wanted}` not among the {read} at stage `{}`",
            ctx.fixture.trigger_stage
        ),
    })
}
