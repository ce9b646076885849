//! Validation of the order rules are tried in: a trigger another one before it
//! always pre-empts can never match, and one that loses some stages to an earlier
//! trigger sending another interview would silently not do what it says.

use std::collections::BTreeSet;

use super::{JobSelector, Rules, RulesError, Trigger};
use crate::model::{AtsName, StageId};

/// Whether every application `later` covers is also covered by `earlier` (same ATS,
/// a job selector at least as wide, conditions at least as wide).
fn covers(earlier: &Trigger, later: &Trigger) -> bool {
    earlier.ats == later.ats
        && (earlier.job == JobSelector::Any || earlier.job == later.job)
        && earlier.when.covers(&later.when)
}

impl Rules {
    /// Check, in the order triggers are tried, that none is shadowed.
    pub(super) fn check_shadowing(&self) -> Result<(), RulesError> {
        let names: BTreeSet<&AtsName> = self.triggers.iter().map(|t| &t.ats).collect();
        for ats in names {
            let order: Vec<(usize, &Trigger)> = self.triggers_in_order(ats).collect();
            for (position, (i, later)) in order.iter().enumerate() {
                let mut taken: BTreeSet<&StageId> = BTreeSet::new();
                for (first, earlier) in order[..position].iter().filter(|(_, e)| covers(e, later)) {
                    let shared = later.stages.iter().find(|s| earlier.stages.contains(s));
                    if let Some(stage) = shared
                        && earlier.interview != later.interview
                    {
                        return Err(invalid(
                            *i,
                            later,
                            format!(
                                "stage `{stage}` is taken first by trigger[{first}], which covers \
                                 every job this rule covers and sends another interview; put the \
                                 narrower rule first"
                            ),
                        ));
                    }
                    taken.extend(earlier.stages.iter().filter(|s| later.stages.contains(s)));
                }
                if !later.stages.is_empty() && later.stages.iter().all(|s| taken.contains(s)) {
                    return Err(invalid(
                        *i,
                        later,
                        "can never match: earlier triggers cover every job and stage it names"
                            .into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

fn invalid(i: usize, trigger: &Trigger, reason: String) -> RulesError {
    RulesError::Invalid {
        entry: trigger.entry(i),
        reason,
    }
}
