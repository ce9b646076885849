//! Interviews (`/interviews/`): a named set of questions, roughly one per job.
//!
//! Confirmed fields (willo.md §5): `key`, `title`, `owner {key, email, full_name}`;
//! questions are embedded on the interview under names that are not confirmed, so they
//! stay in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::WilloClient;
use crate::ids::{DepartmentKey, InterviewKey, UserKey};
use crate::lenient;
use crate::pagination::ListParams;
use crate::resource::{Collection, create_call, delete_call, get_call, list_calls, write_calls};

/// An interview as Willo returns it.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Interview {
    /// Its key (32 hex).
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<InterviewKey>,
    /// Its title.
    #[serde(default, deserialize_with = "lenient::string")]
    pub title: Option<String>,
    /// The user who owns it.
    #[serde(default, deserialize_with = "owner")]
    pub owner: Option<UserSummary>,
    /// The department it belongs to (a key or a nested object; either is read).
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub department: Option<DepartmentKey>,
    /// Every other field, as received (questions, settings…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A user as embedded in another resource (an interview's `owner`).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[non_exhaustive]
pub struct UserSummary {
    /// The user's key.
    #[serde(default, deserialize_with = "lenient::key_ref")]
    pub key: Option<UserKey>,
    /// Email address.
    #[serde(default, deserialize_with = "lenient::string")]
    pub email: Option<String>,
    /// Full name.
    #[serde(default, deserialize_with = "lenient::string")]
    pub full_name: Option<String>,
    /// Every other field, as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An owner sent as an object is read whole; sent as a bare key, it becomes a summary
/// with just that key; anything else is `None`.
fn owner<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<UserSummary>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(key) => Some(UserSummary {
            key: Some(UserKey(key)),
            ..Default::default()
        }),
        value @ Value::Object(_) => serde_json::from_value(value).ok(),
        _ => None,
    })
}

/// The body of an interview create (`POST`), replace (`PUT`) or update (`PATCH`).
/// Only `title` and `department` are modelled; questions and settings go in `extra`
/// (their names are not confirmed; Willo ignores unknown fields).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InterviewInput {
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The department key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<DepartmentKey>,
    /// Any other field to send.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl InterviewInput {
    /// A body that sets nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Set the department.
    pub fn department(mut self, department: impl Into<DepartmentKey>) -> Self {
        self.department = Some(department.into());
        self
    }

    crate::resource::extra_field_setter!();
}

/// Filters for `GET /interviews/` (all confirmed, willo.md §2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterviewFilter {
    params: ListParams,
}

impl InterviewFilter {
    /// No filter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Interviews of one department (`department=<key>`).
    pub fn department(mut self, key: &DepartmentKey) -> Self {
        self.params = self.params.filter("department", key.as_str());
        self
    }

    /// Interviews owned by one user (`owner=<key>`).
    pub fn owner(mut self, key: &UserKey) -> Self {
        self.params = self.params.filter("owner", key.as_str());
        self
    }

    /// `search` over title, owner email and department name.
    pub fn search(mut self, term: impl Into<String>) -> Self {
        self.params = self.params.search(term);
        self
    }

    /// `ordering`: comma-separated fields, `-field` for descending.
    pub fn ordering(mut self, fields: impl Into<String>) -> Self {
        self.params = self.params.ordering(fields);
        self
    }

    /// Items per page, clamped to 1..=30.
    pub fn page_size(mut self, size: u32) -> Self {
        self.params = self.params.page_size(size);
        self
    }
}

impl From<InterviewFilter> for ListParams {
    fn from(filter: InterviewFilter) -> Self {
        filter.params
    }
}

/// Calls on `/interviews/`. Obtain with [`WilloClient::interviews`].
#[derive(Debug, Clone, Copy)]
pub struct Interviews<'a> {
    client: &'a WilloClient,
}

impl<'a> Interviews<'a> {
    pub(crate) fn new(client: &'a WilloClient) -> Self {
        Self { client }
    }

    fn collection(&self) -> Collection<'a> {
        Collection::new(self.client.transport(), "/interviews/")
    }

    list_calls!(Interview, "interviews");
    create_call!(InterviewInput => Interview, "interview");
    get_call!(InterviewKey => Interview, "interview");
    write_calls!(InterviewKey, InterviewInput => Interview, "interview");
    delete_call!(InterviewKey, "interview");
}
