//! [`SmartRecruitersAts`]'s [`Ats::verify_connection`]: the checks any ATS gets, plus the permission probes
//! of its client (a missing scope named).

use super::SmartRecruitersAts;
use crate::Ats;
use crate::rules::Rules;
use crate::verify::{Check, access_checks, ats_checks};

/// The client's credentials and permissions first (a refused key explains every
/// failure after it), then the jobs and the rules' trigger stages.
pub(super) async fn checks(ats: &SmartRecruitersAts, rules: &Rules) -> Vec<Check> {
    let name = ats.name();
    let mut checks = access_checks(name.as_str(), &ats.client.check_access().await);
    checks.extend(ats_checks(ats, rules).await);
    checks
}
