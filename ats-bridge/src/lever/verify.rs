//! [`LeverAts`]'s [`Ats::verify_connection`]: the checks any ATS gets, plus the permission probes
//! of its client (a missing scope named).

use super::LeverAts;
use crate::Ats;
use crate::rules::Rules;
use crate::verify::{Check, access_checks, ats_checks};

/// The client's credentials and permissions first (a refused key explains every
/// failure after it), then the jobs and the rules' trigger stages.
pub(super) async fn checks(ats: &LeverAts, rules: &Rules) -> Vec<Check> {
    let name = ats.name();
    let mut checks = access_checks(name.as_str(), &ats.client.check_access().await);
    checks.extend(ats_checks(ats, rules).await);
    checks
}

#[cfg(test)]
mod tests {
    use client_core::SecretString;
    use lever_client::LeverClient;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::Ats;
    use crate::lever::{LeverAts, LeverAtsConfig};
    use crate::rules::{JobSelector, Rules};
    use crate::verify::Outcome;

    #[tokio::test]
    async fn a_missing_scope_is_reported_by_name() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/opportunities"))
            .respond_with(
                ResponseTemplate::new(403)
                    .set_body_json(serde_json::json!({"code": "Forbidden", "message": "no"})),
            )
            .mount(&server)
            .await;
        let posting = serde_json::json!({"id": "p1", "text": "Engineer", "state": "published"});
        Mock::given(method("GET"))
            .and(path("/postings"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"data": [posting], "hasNext": false})),
            )
            .mount(&server)
            .await;
        let stage = serde_json::json!({"id": "screen", "text": "Phone screen"});
        Mock::given(method("GET"))
            .and(path("/stages"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"data": [stage], "hasNext": false})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"data": [], "hasNext": false})),
            )
            .mount(&server)
            .await;
        let client = LeverClient::builder()
            .api_key(SecretString::from("k"))
            .base_url(server.uri())
            .build()
            .unwrap();
        let ats = LeverAts::new(client, LeverAtsConfig::new("user-1"));
        let rules = Rules::new()
            .trigger("lever", JobSelector::Any, ["screen", "onsite"], "i1")
            .interview_tags("lever", "Acme", ["screen", "offer"]);

        let checks = ats.verify_connection(&rules).await;
        let failed: Vec<String> = checks
            .iter()
            .filter(|c| c.failed())
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            failed,
            [
                "[FAIL] lever: permission opportunities:read:admin — missing permission \
                 `opportunities:read:admin` (GET /opportunities was forbidden)",
                "[FAIL] lever: trigger stage onsite (job p1) — no such stage in the job's pipeline",
                "[FAIL] lever: interview tag stage offer — no such stage in the pipeline",
            ]
        );
        let passed = |what: &str| {
            checks
                .iter()
                .any(|c| c.what == what && c.outcome == Outcome::Pass)
        };
        assert!(passed("credentials accepted"), "{checks:#?}");
        assert!(passed("permission stages:read:admin"), "{checks:#?}");
        assert!(passed("trigger stage screen (job p1)"), "{checks:#?}");
        assert!(passed("interview tag stage screen"), "{checks:#?}");
    }
}
