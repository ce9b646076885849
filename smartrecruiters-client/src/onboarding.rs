//! An application's onboarding status
//! (`GET`/`PUT /candidates/{id}/jobs/{jobId}/onboardingStatus`).
//!
//! Scopes: `candidates_read` (or `candidates_status_read`) to read, `candidates_manage` to
//! set.

use client_core::Result;
use serde::{Deserialize, Serialize};

use crate::Applications;
use crate::applications::application_path;
use crate::candidates::OnboardingStatus;
use crate::ids::{CandidateId, JobId};

/// The wire shape of both calls: `{"onboardingStatus": …}`.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OnboardingBody {
    #[serde(default)]
    onboarding_status: Option<OnboardingStatus>,
}

fn onboarding_path(candidate: &CandidateId, job: &JobId) -> String {
    format!("{}/onboardingStatus", application_path(candidate, job))
}

impl Applications<'_> {
    /// `GET /candidates/{id}/jobs/{jobId}/onboardingStatus` (`None` when none is set).
    /// Scope: `candidates_read`.
    pub async fn onboarding_status(
        &self,
        candidate: &CandidateId,
        job: &JobId,
    ) -> Result<Option<OnboardingStatus>> {
        let body: OnboardingBody = self
            .client
            .transport
            .get(onboarding_path(candidate, job))
            .send()
            .await?;
        Ok(body.onboarding_status)
    }

    /// `PUT /candidates/{id}/jobs/{jobId}/onboardingStatus`. Scope: `candidates_manage`.
    pub async fn set_onboarding_status(
        &self,
        candidate: &CandidateId,
        job: &JobId,
        status: OnboardingStatus,
    ) -> Result<()> {
        self.client
            .transport
            .put(onboarding_path(candidate, job))
            .json(&OnboardingBody {
                onboarding_status: Some(status),
            })
            .send_empty()
            .await
    }
}
