//! [`SmartRecruitersClient::check_access`]: which of the scopes the bridge needs the
//! credentials have.
//!
//! An API key has no scopes: it reaches everything of its company (smartrecruiters.md
//! §1.2), and every probe passes. An OAuth client has the scopes an administrator
//! chose, plus a System role that can still forbid calls; the token response is not
//! known to list them (uncertain), so each read scope is probed with a cheap call and
//! a `403` (`OAuthPermissionsException`) names it. Scope names other than
//! `candidates_read` and `configuration_read` are not in the official table that
//! could be read (uncertain spellings, from real clients).

use client_core::access::{AccessReport, PermissionCheck, probe};

use crate::{CandidateFilter, JobFilter, SmartRecruitersClient};

/// Write scopes the bridge uses and cannot probe without writing.
const WRITE_SCOPES: [(&str, &str); 3] = [
    ("candidates_manage", "status moves and tags on write-back"),
    ("messages_write", "the results note"),
    ("webhooks_manage", "setup registering the subscription"),
];

impl SmartRecruitersClient {
    /// Probe the read scopes the bridge needs (`jobs_read`, `candidates_read`,
    /// `configuration_read`, `webhooks_read`), one cheap call each;
    /// write scopes are listed as not probed.
    pub async fn check_access(&self) -> AccessReport {
        let mut checks = vec![
            probe(
                "jobs_read",
                "GET /jobs",
                self.jobs().page(&JobFilter::default().limit(1), None),
            )
            .await,
            probe(
                "candidates_read",
                "GET /candidates",
                self.candidates()
                    .page(&CandidateFilter::default().limit(1), None),
            )
            .await,
            probe(
                "configuration_read",
                "GET /configuration/hiring-processes",
                self.configuration().hiring_processes(),
            )
            .await,
            probe(
                "webhooks_read",
                "GET /webhooks-api/v201907/subscriptions",
                self.subscriptions().page(Some(1), None),
            )
            .await,
        ];
        checks.extend(WRITE_SCOPES.iter().map(|(scope, used_for)| {
            PermissionCheck::not_probed(*scope, format!("a write scope ({used_for})"))
        }));
        AccessReport::new(checks)
    }
}

#[cfg(test)]
mod tests {
    use client_core::SecretString;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::SmartRecruitersClient;

    #[tokio::test]
    async fn a_forbidden_call_names_its_scope() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/candidates"))
            .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
                "errors": [{"code": "OAuthPermissionsException", "message": "Insufficient scope"}]
            })))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/jobs"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"totalFound": 0, "limit": 1, "offset": 0, "content": []}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
            .mount(&server)
            .await;
        let client = SmartRecruitersClient::builder()
            .api_key(SecretString::from("k"))
            .base_url(server.uri())
            .build()
            .unwrap();
        let report = client.check_access().await;
        assert_eq!(report.missing(), ["candidates_read"], "{report:#?}");
        assert!(report.credentials_valid());
    }
}
