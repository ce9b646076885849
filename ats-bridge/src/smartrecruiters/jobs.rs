//! SmartRecruiters jobs as the rules see them: the listing's department and location,
//! and from a job's details its employment type and job properties.

use smartrecruiters_client::{self as sr, IdLabel};

use crate::model::JobAttributes;

/// What `GET /jobs` shows of a job: department and location. Incomplete: the
/// listing has no employment type and no job properties.
pub(super) fn listed_attributes(job: &sr::Job) -> JobAttributes {
    let mut attributes = JobAttributes::new();
    attributes.department = label(job.department.as_ref());
    if let Some(location) = &job.location {
        attributes.city = present(location.city.as_deref());
        attributes.country = present(location.country.as_deref());
        attributes.country_code = present(location.country_code.as_deref());
        attributes.remote = location.remote;
    }
    attributes
}

/// Everything `GET /jobs/{id}` shows: the listing's attributes, the type of
/// employment, and each job property (custom field) by its label, with its value's
/// label.
pub(super) fn detailed_attributes(details: &sr::JobDetails) -> JobAttributes {
    let mut attributes = listed_attributes(&details.job).completed();
    attributes.employment_type = label(details.type_of_employment.as_ref());
    for property in &details.properties {
        let name = present(property.label.as_deref()).or(present(property.id.as_deref()));
        if let (Some(name), Some(value)) = (name, label(property.value.as_ref())) {
            attributes.custom.insert(name, value);
        }
    }
    attributes
}

fn label(value: Option<&IdLabel>) -> Option<String> {
    present(value?.label.as_deref())
}

fn present(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}
