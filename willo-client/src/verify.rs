//! [`WilloClient::check_access`]: whether the API key may do what the bridge needs.
//!
//! Willo documents no scopes: each API key carries the permissions of the user it
//! belongs to (willo.md §1). Which calls a restricted user is refused is not
//! documented (uncertain), so the permissions are named after the calls the bridge
//! makes and probed with a one-item page each; a `403` names the one refused.

use client_core::access::{AccessReport, PermissionCheck, probe};

use crate::{ListParams, WilloClient};

impl WilloClient {
    /// Probe reading interviews, participants and webhooks, one cheap call each;
    /// inviting (a write) is listed as not probed.
    pub async fn check_access(&self) -> AccessReport {
        let one = || ListParams::new().page_size(1);
        AccessReport::new(vec![
            probe(
                "read interviews",
                "GET /interviews/",
                self.interviews().page(one(), None),
            )
            .await,
            probe(
                "read participants",
                "GET /participants/",
                self.participants().page(one(), None),
            )
            .await,
            probe(
                "read webhooks",
                "GET /webhooks/",
                self.webhooks().page(one(), None),
            )
            .await,
            PermissionCheck::not_probed(
                "invite participants",
                "a write (POST /participants/) cannot be probed without inviting",
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use client_core::SecretString;
    use client_core::access::Access;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::WilloClient;

    #[tokio::test]
    async fn a_refused_key_and_a_forbidden_call_are_told_apart() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/webhooks/"))
            .respond_with(
                ResponseTemplate::new(403)
                    .set_body_json(serde_json::json!({"detail": "You do not have permission."})),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"count": 0, "next": null, "previous": null, "results": []}),
            ))
            .mount(&server)
            .await;
        let client = WilloClient::builder()
            .api_key(SecretString::from("k"))
            .base_url(server.uri())
            .build()
            .unwrap();
        let report = client.check_access().await;
        assert_eq!(report.missing(), ["read webhooks"]);
        assert!(report.credentials_valid());
        assert!(matches!(report.permissions[3].access, Access::NotProbed(_)));

        let refused = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401))
            .mount(&refused)
            .await;
        let client = WilloClient::builder()
            .api_key(SecretString::from("wrong"))
            .base_url(refused.uri())
            .build()
            .unwrap();
        assert!(!client.check_access().await.credentials_valid());
    }
}
