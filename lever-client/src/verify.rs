//! [`LeverClient::check_access`]: which of the scopes the bridge needs the
//! credentials have.
//!
//! Lever names OAuth scopes (`stages:read:admin`…, lever.md §1.3) and returns the
//! granted ones in the token response, but not which endpoint needs which: the mapping
//! below is inferred from the names (uncertain). API keys are restricted per endpoint
//! in Lever's settings instead; either way a missing permission answers `403`, so
//! each read scope is probed with a one-item page of the endpoint it covers.

use client_core::access::{AccessReport, PermissionCheck, probe};

use crate::{LeverClient, OpportunityFilter, PostingFilter};

/// Write scopes the bridge uses and cannot probe without writing.
const WRITE_SCOPES: [(&str, &str); 3] = [
    (
        "opportunities:write:admin",
        "stage moves and tags on write-back",
    ),
    ("notes:write:admin", "the results note"),
    ("webhooks:write:admin", "setup registering webhooks"),
];

impl LeverClient {
    /// Probe the read scopes the bridge needs (`opportunities`, `stages`, `postings`,
    /// `webhooks`), one cheap call each; write scopes are listed as
    /// not probed. A `403` names the scope in [`AccessReport::missing`].
    pub async fn check_access(&self) -> AccessReport {
        let one = Some(1);
        let mut checks = vec![
            probe(
                "opportunities:read:admin",
                "GET /opportunities",
                self.opportunities().page(
                    &OpportunityFilter {
                        limit: one,
                        ..OpportunityFilter::default()
                    },
                    None,
                ),
            )
            .await,
            probe("stages:read:admin", "GET /stages", self.stages().page(None)).await,
            probe(
                "postings:read:admin",
                "GET /postings",
                self.postings().page(
                    &PostingFilter {
                        limit: one,
                        ..PostingFilter::default()
                    },
                    None,
                ),
            )
            .await,
            probe(
                "webhooks:read:admin",
                "GET /webhooks",
                self.webhooks().page(None),
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
    use client_core::access::Access;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::LeverClient;

    #[tokio::test]
    async fn a_forbidden_endpoint_names_its_scope() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/stages"))
            .respond_with(ResponseTemplate::new(403).set_body_json(
                serde_json::json!({"code": "Forbidden", "message": "Insufficient scope"}),
            ))
            .mount(&server)
            .await;
        let empty = serde_json::json!({"data": [], "hasNext": false});
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(empty))
            .mount(&server)
            .await;
        let client = LeverClient::builder()
            .api_key(SecretString::from("k"))
            .base_url(server.uri())
            .build()
            .unwrap();
        let report = client.check_access().await;
        assert_eq!(report.missing(), ["stages:read:admin"]);
        assert!(report.credentials_valid());
        let probed: Vec<String> = server
            .received_requests()
            .await
            .unwrap()
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect();
        assert_eq!(
            probed,
            ["/opportunities", "/stages", "/postings", "/webhooks"]
        );
        let write = &report.permissions[4];
        assert_eq!(write.permission, "opportunities:write:admin");
        assert!(matches!(write.access, Access::NotProbed(_)));
    }
}
