//! The SmartRecruiters stage encoding: the application status, with the sub-status
//! after a `/` (`INTERVIEW`, `INTERVIEW/Video call`).

use smartrecruiters_client::ApplicationStatus;

use crate::model::StageId;

/// Separates the status from the sub-status in a [`StageId`].
pub const SUB_STATUS_SEPARATOR: char = '/';

/// The statuses in pipeline order, as [`super::SmartRecruitersAts::stages`] lists them.
pub(crate) const PIPELINE: [ApplicationStatus; 9] = [
    ApplicationStatus::Lead,
    ApplicationStatus::New,
    ApplicationStatus::InReview,
    ApplicationStatus::Interview,
    ApplicationStatus::Offered,
    ApplicationStatus::Hired,
    ApplicationStatus::Rejected,
    ApplicationStatus::Withdrawn,
    ApplicationStatus::Transferred,
];

/// The stage id of `status` with an optional `sub_status` (`INTERVIEW/Video call`).
/// An empty sub-status counts as none.
pub fn stage_id(status: &ApplicationStatus, sub_status: Option<&str>) -> StageId {
    match sub_status.map(str::trim).filter(|s| !s.is_empty()) {
        Some(sub) => StageId::from(format!("{}{SUB_STATUS_SEPARATOR}{sub}", status.as_str())),
        None => StageId::from(status.as_str()),
    }
}

/// The status and sub-status a stage id stands for: the inverse of [`stage_id`].
/// Sub-status labels may themselves contain `/`; only the first one separates.
pub fn parse_stage_id(stage: &StageId) -> (ApplicationStatus, Option<String>) {
    match stage.as_str().split_once(SUB_STATUS_SEPARATOR) {
        Some((status, sub)) if !sub.trim().is_empty() => (
            ApplicationStatus::from(status.trim()),
            Some(sub.trim().to_owned()),
        ),
        Some((status, _)) => (ApplicationStatus::from(status.trim()), None),
        None => (ApplicationStatus::from(stage.as_str().trim()), None),
    }
}

/// How recruiters read a status: `IN_REVIEW` → `In review`.
pub(crate) fn status_name(status: &ApplicationStatus) -> String {
    let lower = status.as_str().replace('_', " ").to_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => lower,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_sub_status() {
        let plain = stage_id(&ApplicationStatus::Interview, None);
        assert_eq!(plain.as_str(), "INTERVIEW");
        assert_eq!(parse_stage_id(&plain), (ApplicationStatus::Interview, None));

        let sub = stage_id(&ApplicationStatus::Interview, Some("Video call/remote"));
        assert_eq!(sub.as_str(), "INTERVIEW/Video call/remote");
        assert_eq!(
            parse_stage_id(&sub),
            (
                ApplicationStatus::Interview,
                Some("Video call/remote".to_owned())
            )
        );
        assert_eq!(stage_id(&ApplicationStatus::New, Some(" ")).as_str(), "NEW");
        assert_eq!(
            parse_stage_id(&StageId::from("SOMETHING_NEW")).0,
            ApplicationStatus::Other("SOMETHING_NEW".into())
        );
    }

    #[test]
    fn names_read_like_the_ui() {
        assert_eq!(status_name(&ApplicationStatus::InReview), "In review");
    }
}
