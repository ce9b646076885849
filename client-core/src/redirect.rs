//! Which redirects the clients follow: only those that stay on the origin they were
//! sent to.
//!
//! The transport adds credentials to every request (SmartRecruiters' `X-SmartToken`,
//! Lever's Basic or bearer `Authorization`, Willo's key). reqwest strips only
//! `Authorization` and cookies when a redirect leaves the host, so an API (or anything
//! between the client and it) answering `302 Location: https://elsewhere/` would
//! receive the request again at `elsewhere` with a vendor token in a custom header.
//! Same-origin redirects (Willo's trailing-slash `301`s, for example) are still
//! followed; any other is not, and its 3xx answer becomes the call's error.
//!
//! An HTTP client injected with a builder's `.http_client(…)` keeps its own redirect
//! policy: give it [`same_origin_only`] (or `reqwest::redirect::Policy::none()`) too.

use reqwest::redirect::{Attempt, Policy};

/// How many redirects one request may follow.
const MAX_REDIRECTS: usize = 5;

/// Follow redirects that keep the scheme, host and port of the request, at most five.
pub fn same_origin_only() -> Policy {
    Policy::custom(|attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error("too many redirects");
        }
        if stays_on_origin(&attempt) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

fn stays_on_origin(attempt: &Attempt<'_>) -> bool {
    let Some(first) = attempt.previous().first() else {
        return false;
    };
    let next = attempt.url();
    next.scheme() == first.scheme()
        && next.host_str() == first.host_str()
        && next.port_or_known_default() == first.port_or_known_default()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use reqwest::header::HeaderName;
    use secrecy::SecretString;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::auth::StaticHeader;
    use crate::oauth::{ClientAuthMethod, OAuthApp, TokenEndpoint};
    use crate::{Error, Transport};

    const TOKEN_HEADER: &str = "x-smarttoken";

    fn transport(base: &str) -> Transport {
        let auth = StaticHeader::new(
            HeaderName::from_static(TOKEN_HEADER),
            None,
            SecretString::from("vendor-token"),
        );
        Transport::builder("test")
            .base_url(base)
            .auth(Arc::new(auth))
            .build()
            .unwrap()
    }

    fn redirect_to(location: String, status: u16) -> ResponseTemplate {
        ResponseTemplate::new(status).insert_header("location", location.as_str())
    }

    #[tokio::test]
    async fn credentials_never_follow_a_redirect_to_another_origin() {
        let (api, elsewhere) = (MockServer::start().await, MockServer::start().await);
        Mock::given(path("/candidates"))
            .respond_with(redirect_to(format!("{}/steal", elsewhere.uri()), 302))
            .expect(1)
            .mount(&api)
            .await;
        Mock::given(path("/steal"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&elsewhere)
            .await;
        let error = transport(&api.uri())
            .get("/candidates")
            .send_value()
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Api(api) if api.status.as_u16() == 302),
            "{error:?}"
        );
        elsewhere.verify().await;
    }

    #[tokio::test]
    async fn a_redirect_on_the_same_origin_is_followed_with_its_credentials() {
        let api = MockServer::start().await;
        Mock::given(path("/candidates"))
            .respond_with(redirect_to(format!("{}/candidates/", api.uri()), 301))
            .mount(&api)
            .await;
        Mock::given(path("/candidates/"))
            .and(wiremock::matchers::header(TOKEN_HEADER, "vendor-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": 1})))
            .expect(1)
            .mount(&api)
            .await;
        let value = transport(&api.uri())
            .get("/candidates")
            .send_value()
            .await
            .unwrap();
        assert_eq!(value["ok"], 1);
    }

    #[tokio::test]
    async fn the_token_endpoint_never_reposts_its_secrets_after_a_redirect() {
        let (idp, elsewhere) = (MockServer::start().await, MockServer::start().await);
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .respond_with(redirect_to(format!("{}/collect", elsewhere.uri()), 307))
            .expect(1)
            .mount(&idp)
            .await;
        Mock::given(path("/collect"))
            .respond_with(ResponseTemplate::new(200))
            .expect(0)
            .mount(&elsewhere)
            .await;
        let app = OAuthApp {
            token_url: format!("{}/oauth/token", idp.uri()).parse().unwrap(),
            client_id: "client".into(),
            client_secret: SecretString::from("client-secret"),
            auth_method: ClientAuthMethod::RequestBody,
            extra_params: Vec::new(),
        };
        let endpoint = TokenEndpoint::new(app).unwrap();
        assert!(
            endpoint
                .refresh(&SecretString::from("refresh-token"))
                .await
                .is_err()
        );
        elsewhere.verify().await;
    }
}
