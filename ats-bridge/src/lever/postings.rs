//! Lever postings as the rules see them: categories, country, workplace type and
//! tags, all in the listing.

use lever_client::{Posting, PostingState, WorkplaceType};
use serde_json::Value;

use crate::model::{Job, JobAttributes, JobState};

/// The categories that have an attribute of their own; every other string category
/// (`team`, `level`, an account's own) is a custom field.
const MAPPED_CATEGORIES: [&str; 3] = ["department", "location", "commitment"];

/// A posting as a [`Job`], with every attribute Lever has for it (the listing and
/// `GET /postings/{id}` carry the same fields).
pub(super) fn job_of(posting: &Posting) -> Job {
    Job::new(
        posting.id.as_str(),
        posting.text.clone().unwrap_or_default(),
        job_state(posting),
    )
    .with_attributes(attributes_of(posting))
}

/// Open while candidates can apply: `published` (public job site) or `internal`
/// (unlisted); closed, draft, pending approval, rejected or unknown states take no
/// new invites.
fn job_state(posting: &Posting) -> JobState {
    match posting.state {
        Some(PostingState::Published | PostingState::Internal) => JobState::Open,
        _ => JobState::Closed,
    }
}

fn attributes_of(posting: &Posting) -> JobAttributes {
    let category = |name: &str| {
        posting
            .categories
            .as_ref()?
            .get(name)?
            .as_str()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let mut attributes = JobAttributes::new().completed();
    attributes.department = category("department");
    attributes.city = category("location");
    attributes.employment_type = category("commitment");
    attributes.country_code = posting.country.clone().filter(|c| !c.trim().is_empty());
    attributes.remote = match &posting.workplace_type {
        Some(WorkplaceType::Remote) => Some(true),
        Some(WorkplaceType::Onsite | WorkplaceType::Hybrid) => Some(false),
        _ => None,
    };
    for (name, value) in posting.categories.iter().flatten() {
        if let (false, Value::String(value)) = (MAPPED_CATEGORIES.contains(&name.as_str()), value)
            && !value.trim().is_empty()
        {
            attributes
                .custom
                .insert(name.clone(), value.trim().to_owned());
        }
    }
    attributes.labels = posting.tags.clone();
    attributes
}
