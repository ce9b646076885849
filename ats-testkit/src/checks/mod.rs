//! The checks, one small function each, and the guard every call to the
//! implementation goes through.
//!
//! A check returns `Ok(Outcome::Passed)`, `Ok(Outcome::Skipped(why))` or
//! `Err(reason)`; the guard turns a panic or a hang of the implementation into such a
//! reason, so one broken method fails its checks and the run goes on.

pub(crate) mod candidate;
pub(crate) mod catalogue;
pub(crate) mod identity;
pub(crate) mod mapping;
pub(crate) mod paging;
pub(crate) mod webhooks;
pub(crate) mod write_back;

use std::any::Any;
use std::collections::HashSet;
use std::future::Future;
use std::hash::Hash;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use futures::FutureExt;

use super::fixture::Fixture;
use super::report::Outcome;
use ats_bridge::Ats;
use ats_bridge::model::Capabilities;

/// What a check concluded: `Err` is a failure with its reason.
pub(crate) type Verdict = Result<Outcome, String>;

/// Everything a check reads.
pub(crate) struct Ctx<'a> {
    pub ats: &'a dyn Ats,
    pub fixture: &'a Fixture,
    pub capabilities: Capabilities,
    pub call_timeout: Duration,
    pub max_pages: usize,
}

impl Ctx<'_> {
    /// Await `call` (named `what` in failure reasons), failing on a panic or when it
    /// takes longer than the call timeout.
    pub async fn call<T>(&self, what: &str, call: impl Future<Output = T>) -> Result<T, String> {
        match tokio::time::timeout(self.call_timeout, AssertUnwindSafe(call).catch_unwind()).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(panic)) => Err(format!("{what} panicked: {}", panic_message(&*panic))),
            Err(_) => Err(format!(
                "{what} did not answer within {:?}",
                self.call_timeout
            )),
        }
    }
}

/// Run the synchronous `call` (named `what` in failure reasons), failing on a panic.
pub(crate) fn call_sync<T>(what: &str, call: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(call))
        .map_err(|panic| format!("{what} panicked: {}", panic_message(&*panic)))
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Fail with `reason` unless `holds`.
pub(crate) fn ensure(holds: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if holds { Ok(()) } else { Err(reason()) }
}

/// The outcome for a check that needs a capability the implementation lacks.
pub(crate) fn capability_off(capability: &str) -> Verdict {
    Ok(Outcome::Skipped(format!(
        "capability `{capability}` is off"
    )))
}

/// The first item seen twice.
pub(crate) fn first_repeat<T: Eq + Hash + Copy>(items: impl IntoIterator<Item = T>) -> Option<T> {
    let mut seen = HashSet::new();
    items.into_iter().find(|item| !seen.insert(*item))
}
