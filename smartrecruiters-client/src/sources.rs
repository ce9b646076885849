//! Candidate sources: the source types and sub-types configured
//! (`GET /configuration/sources`), the sources of a type
//! (`GET /configuration/sources/{sourceType}/values`), and changing an application's
//! source (`PUT /candidates/{id}/jobs/{jobId}/source`, body [`SourceDetails`]).
//!
//! Scopes: `configuration_read` for the configuration, `candidates_manage` to change a
//! source.

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::applications::application_path;
use crate::candidates::SourceDetails;
use crate::common::{Actions, IdLabel, get_all_by_offset};
use crate::ids::{CandidateId, JobId};
use crate::{Applications, Configuration};

/// A source type with its sub-types (`GET /configuration/sources`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SourceType {
    /// Type id ([`SourceDetails::source_type_id`]).
    pub id: String,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Sub-types ([`SourceDetails::source_sub_type_id`]).
    #[serde(default)]
    pub subtypes: Vec<IdLabel>,
    /// Links (`values`).
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A source of one type (`GET /configuration/sources/{sourceType}/values`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Source {
    /// Source id ([`SourceDetails::source_id`]).
    pub id: String,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Its sub-type, if any.
    #[serde(default)]
    pub source_sub_type: Option<String>,
    /// Links.
    #[serde(default)]
    pub actions: Actions,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The sources endpoint pages with `limit` (at most 100) and `offset`.
const SOURCES_PAGE: usize = 100;

impl Configuration<'_> {
    /// `GET /configuration/sources`: every source type with its sub-types. Scope:
    /// `configuration_read`.
    pub async fn sources(&self) -> Result<Vec<SourceType>> {
        self.listing("/configuration/sources").await
    }

    /// `GET /configuration/sources/{sourceType}/values[?sourceSubType=…]`: every source
    /// of a type, read page by page (`limit`/`offset`, 100 at a time). Scope:
    /// `configuration_read`.
    pub async fn source_values(
        &self,
        source_type: &str,
        source_sub_type: Option<&str>,
    ) -> Result<Vec<Source>> {
        let path = format!(
            "/configuration/sources/{}/values",
            encode_segment(source_type)
        );
        let query: Vec<(String, String)> = source_sub_type
            .map(|sub| ("sourceSubType".to_owned(), sub.to_owned()))
            .into_iter()
            .collect();
        get_all_by_offset(&self.client.transport, &path, &query, SOURCES_PAGE).await
    }
}

impl Applications<'_> {
    /// `PUT /candidates/{id}/jobs/{jobId}/source`: change where an application came
    /// from (ids from [`Configuration::sources`] and [`Configuration::source_values`]).
    /// Scope: `candidates_manage`.
    pub async fn set_source(
        &self,
        candidate: &CandidateId,
        job: &JobId,
        source: &SourceDetails,
    ) -> Result<()> {
        self.client
            .transport
            .put(format!("{}/source", application_path(candidate, job)))
            .json(source)
            .send_empty()
            .await
    }
}
