//! What a SmartRecruiters connection is configured with.

use std::time::Duration;

use client_core::SecretString;
use smartrecruiters_client::JobStatus;
use smartrecruiters_client::webhooks::DEFAULT_TOLERANCE;

use crate::model::AtsName;

/// Configuration of [`super::SmartRecruitersAts`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SmartRecruitersAtsConfig {
    /// The connection's name in ledger keys (default `smartrecruiters`).
    pub name: AtsName,
    /// Job statuses that count as open (default `SOURCING`, `INTERVIEW`, `OFFER`: the
    /// statuses of a job that is recruiting). Jobs in any other status, including
    /// `CREATED`, `ON_HOLD` and statuses the API schema does not list, are reported
    /// [`crate::model::JobState::Closed`].
    pub job_status_allow_list: Vec<JobStatus>,
    /// Secret keys of the webhook subscriptions; deliveries signed with any of them
    /// are accepted (several during a key rotation).
    pub webhook_secrets: Vec<SecretString>,
    /// How far a delivery's timestamp may be from now (default 5 minutes; the vendor
    /// does not document one).
    pub webhook_tolerance: Duration,
    /// Share result notes with the job's hiring team (default true). When false the
    /// note is an open note, visible to everyone who can see the candidate.
    pub note_share_hiring_team: bool,
    /// Page size of the reconciliation search (1–100, default 100).
    pub page_size: u32,
    /// Send candidates' phone numbers with their invites (default true). When false
    /// no phone number goes to Willo, and the invites the reconciliation finds need no
    /// profile read (its search gives names and e-mails but no phones): one request
    /// per candidate fewer, a fifth of a backlog's SmartRecruiters calls. For
    /// accounts that do not invite by SMS.
    pub phones_in_invites: bool,
}

impl Default for SmartRecruitersAtsConfig {
    fn default() -> Self {
        Self {
            name: AtsName::from("smartrecruiters"),
            job_status_allow_list: vec![
                JobStatus::Sourcing,
                JobStatus::Interview,
                JobStatus::Offer,
            ],
            webhook_secrets: Vec::new(),
            webhook_tolerance: DEFAULT_TOLERANCE,
            note_share_hiring_team: true,
            page_size: 100,
            phones_in_invites: true,
        }
    }
}

impl SmartRecruitersAtsConfig {
    /// The defaults (see the fields).
    pub fn new() -> Self {
        Self::default()
    }

    /// Use `name` in ledger keys.
    pub fn name(mut self, name: impl Into<AtsName>) -> Self {
        self.name = name.into();
        self
    }

    /// Count jobs in these statuses as open.
    pub fn job_status_allow_list(mut self, statuses: Vec<JobStatus>) -> Self {
        self.job_status_allow_list = statuses;
        self
    }

    /// Accept deliveries signed with `secret` (call again to add a rotated key).
    pub fn webhook_secret(mut self, secret: SecretString) -> Self {
        self.webhook_secrets.push(secret);
        self
    }

    /// Accept deliveries whose timestamp is at most `tolerance` from now.
    pub fn webhook_tolerance(mut self, tolerance: Duration) -> Self {
        self.webhook_tolerance = tolerance;
        self
    }

    /// Share notes with the job's hiring team (`true`) or as open notes (`false`).
    pub fn note_share_hiring_team(mut self, on: bool) -> Self {
        self.note_share_hiring_team = on;
        self
    }

    /// Search `size` candidates per reconciliation page (clamped to 1–100).
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.clamp(1, 100);
        self
    }

    /// Send phone numbers with invites (`true`), or none, which spares the invites
    /// the reconciliation finds a profile read (`false`).
    pub fn phones_in_invites(mut self, on: bool) -> Self {
        self.phones_in_invites = on;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = SmartRecruitersAtsConfig::new().webhook_secret(SecretString::from("hush-123"));
        assert!(!format!("{config:?}").contains("hush-123"));
    }
}
