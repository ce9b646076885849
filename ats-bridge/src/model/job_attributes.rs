//! What rules can select a job by, beyond its id and title: department, location,
//! employment type, custom fields and labels, as the ATS reports them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A job's attributes as its ATS reports them; `None` or empty where the ATS has no
/// value. Rules compare them without case (see [`crate::rules::JobConditions`]).
///
/// [`JobAttributes::complete`] says whether every attribute the ATS has is here: a
/// job listing may carry only some (SmartRecruiters' listing has no employment type
/// and no custom fields), and [`crate::Ats::job_details`] reads the rest when a rule
/// needs them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct JobAttributes {
    /// The department (SmartRecruiters department label; Lever's `department`
    /// category).
    pub department: Option<String>,
    /// The city (SmartRecruiters location city; Lever's `location` category).
    pub city: Option<String>,
    /// The country's name, where the ATS gives one.
    pub country: Option<String>,
    /// The ISO 3166 country code, where the ATS gives one.
    pub country_code: Option<String>,
    /// Whether the job is remote (SmartRecruiters `location.remote`; Lever's
    /// `workplaceType` `remote`).
    pub remote: Option<bool>,
    /// The employment type (SmartRecruiters `typeOfEmployment`; Lever's
    /// `commitment` category).
    pub employment_type: Option<String>,
    /// Custom fields by name (SmartRecruiters job properties; Lever's categories,
    /// such as `team` and `level`).
    pub custom: BTreeMap<String, String>,
    /// Labels on the job (Lever posting tags; SmartRecruiters jobs have none).
    pub labels: Vec<String>,
    /// True when these are all the attributes the ATS has for the job; false when
    /// they come from a listing that leaves some out.
    pub complete: bool,
}

impl JobAttributes {
    /// No attributes known (an incomplete set).
    pub fn new() -> Self {
        Self::default()
    }

    /// With a department.
    pub fn department(mut self, department: impl Into<String>) -> Self {
        self.department = Some(department.into());
        self
    }

    /// With a city.
    pub fn city(mut self, city: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self
    }

    /// With a country name.
    pub fn country(mut self, country: impl Into<String>) -> Self {
        self.country = Some(country.into());
        self
    }

    /// With an ISO 3166 country code.
    pub fn country_code(mut self, code: impl Into<String>) -> Self {
        self.country_code = Some(code.into());
        self
    }

    /// Remote (`true`) or not (`false`).
    pub fn remote(mut self, remote: bool) -> Self {
        self.remote = Some(remote);
        self
    }

    /// With an employment type.
    pub fn employment_type(mut self, kind: impl Into<String>) -> Self {
        self.employment_type = Some(kind.into());
        self
    }

    /// With a custom field's value.
    pub fn custom(mut self, field: impl Into<String>, value: impl Into<String>) -> Self {
        self.custom.insert(field.into(), value.into());
        self
    }

    /// With a label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.labels.push(label.into());
        self
    }

    /// Mark these as every attribute the ATS has (see [`JobAttributes::complete`]).
    pub fn completed(mut self) -> Self {
        self.complete = true;
        self
    }
}
