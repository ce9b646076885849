//! Company configuration: hiring processes with their sub-statuses, rejection and
//! withdrawal reasons (ids for [`crate::StatusChange::reason`]), company details.

use std::collections::BTreeMap;

use client_core::{Result, encode_segment};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::SmartRecruitersClient;
use crate::common::{IdLabel, get_listing};

/// A hiring process. Stages are the fixed application statuses; only the sub-status
/// labels of `IN_REVIEW`, `INTERVIEW` and `OFFERED` are configurable.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HiringProcess {
    /// Process id.
    #[serde(default)]
    pub id: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether in use.
    #[serde(default)]
    pub active: Option<bool>,
    /// Sub-status labels by status (`IN_REVIEW` → ["Phone screen", …]).
    #[serde(default)]
    pub sub_statuses: BTreeMap<String, Vec<String>>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl HiringProcess {
    /// The sub-status labels configured for `status`.
    pub fn sub_statuses_of(&self, status: &crate::ApplicationStatus) -> &[String] {
        self.sub_statuses
            .get(status.as_str())
            .map_or(&[], Vec::as_slice)
    }
}

/// `GET /configuration/company`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Company {
    /// Company identifier.
    #[serde(default)]
    pub identifier: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Website.
    #[serde(default)]
    pub website: Option<Value>,
    /// Everything else (`location`, `industry`, `logo`…).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Configuration calls. Obtain with [`SmartRecruitersClient::configuration`].
#[derive(Debug, Clone, Copy)]
pub struct Configuration<'a> {
    pub(crate) client: &'a SmartRecruitersClient,
}

impl Configuration<'_> {
    pub(crate) async fn listing<T: serde::de::DeserializeOwned>(
        &self,
        path: impl Into<String>,
    ) -> Result<Vec<T>> {
        get_listing(&self.client.transport, path).await
    }

    /// `GET /configuration/hiring-processes`.
    pub async fn hiring_processes(&self) -> Result<Vec<HiringProcess>> {
        self.listing("/configuration/hiring-processes").await
    }

    /// `GET /configuration/hiring-processes/{id}`.
    pub async fn hiring_process(&self, id: &str) -> Result<HiringProcess> {
        self.client
            .transport
            .get(format!(
                "/configuration/hiring-processes/{}",
                encode_segment(id)
            ))
            .send()
            .await
    }

    /// `GET /configuration/rejection-reasons`.
    pub async fn rejection_reasons(&self) -> Result<Vec<IdLabel>> {
        self.listing("/configuration/rejection-reasons").await
    }

    /// `GET /configuration/withdrawal-reasons`.
    pub async fn withdrawal_reasons(&self) -> Result<Vec<IdLabel>> {
        self.listing("/configuration/withdrawal-reasons").await
    }

    /// `GET /configuration/company`.
    pub async fn company(&self) -> Result<Company> {
        self.client
            .transport
            .get("/configuration/company")
            .send()
            .await
    }
}
