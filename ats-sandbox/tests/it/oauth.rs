//! The SmartRecruiters and Lever OAuth servers, driven by the real clients: consent →
//! code → tokens → API calls as the consenting account; refresh tokens that rotate, a
//! reused one refused; expiry and revocation.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ats_sandbox::{Sandbox, SandboxAccount, SandboxConfig, SandboxOAuthApp, Seed, Vendor};
use axum::http::StatusCode;
use client_core::auth::StaticHeader;
use client_core::header::AUTHORIZATION;
use client_core::{Error, ExposeSecret as _, RetryPolicy, SecretString, Url};
use futures::TryStreamExt as _;
use lever_client::{Environment, LeverClient, LeverOAuth, OpportunityFilter};
use serde_json::Value;
use smartrecruiters_client::{
    Credentials, JobFilter, OAuthClient, RefreshTokenGrant, SmartRecruitersClient,
};

use crate::support::refusal;

/// Never contacted: the consent redirect is read, not followed.
const REDIRECT: &str = "http://127.0.0.1:9/oauth/callback";

fn secret() -> SecretString {
    SecretString::from("sandbox-app-secret")
}

async fn sandbox_with_acme() -> Sandbox {
    let sandbox = Sandbox::start(SandboxConfig::new().willo_completion_delay(None))
        .await
        .unwrap();
    sandbox
        .add_account(SandboxAccount::new("acme").data(Seed::new().jobs(1).candidates_per_job(1)))
        .unwrap();
    sandbox
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Open a consent URL as a browser would; the sandbox consents and redirects.
async fn consent(url: Url) -> Url {
    let response = no_redirects().get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    Url::parse(location).unwrap()
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The rotated refresh tokens a client hands over, in order.
type Stored = Arc<Mutex<Vec<String>>>;

fn store(stored: &Stored) -> Arc<dyn client_core::oauth::RefreshTokenStore> {
    let stored = Arc::clone(stored);
    Arc::new(move |token: &SecretString| -> client_core::Result<()> {
        stored
            .lock()
            .unwrap()
            .push(token.expose_secret().to_owned());
        Ok(())
    })
}

#[tokio::test]
async fn smartrecruiters_code_flow_then_exactly_one_refresh_per_expiry() {
    let sandbox = sandbox_with_acme().await;
    let acme = sandbox.account("acme").unwrap();
    let oauth = sandbox.smartrecruiters_oauth();
    oauth.register_app(SandboxOAuthApp::new("sr-app", secret()).redirect_uri(REDIRECT));
    // client_secret_basic, which SmartRecruiters accepts too.
    let app = OAuthClient::new("sr-app", secret())
        .authorize_url(oauth.authorize_url())
        .token_url(oauth.token_url())
        .basic_auth();
    assert!(oauth.authorize_url().ends_with("/identity/oauth/allow"));
    assert!(oauth.token_url().ends_with("/identity/oauth/token"));

    let mut url = app
        .consent_url(REDIRECT, &["candidates_read"], "state-1")
        .unwrap();
    url.query_pairs_mut().append_pair("account", "acme");
    let back = consent(url).await;
    assert!(back.as_str().starts_with(REDIRECT), "{back}");
    assert_eq!(param(&back, "state").as_deref(), Some("state-1"));
    let code = SecretString::from(param(&back, "code").unwrap());

    let tokens = app.exchange_code(&code, REDIRECT).await.unwrap();
    assert_eq!(tokens.expires_in, Some(1800));
    assert_eq!(tokens.token_type.as_deref(), Some("bearer"));
    assert!(
        matches!(
            app.exchange_code(&code, REDIRECT).await,
            Err(Error::ReauthorizationRequired { .. })
        ),
        "a code is single-use"
    );

    let stored = Stored::default();
    let grant = RefreshTokenGrant::new(app, tokens.refresh_token.clone().unwrap(), store(&stored))
        .with_access_token(tokens.access());
    let client = SmartRecruitersClient::builder()
        .base_url(sandbox.smartrecruiters_base_url())
        .credentials(Credentials::AuthorizationCode(grant))
        .token_refresh_margin(Duration::ZERO)
        .build()
        .unwrap();
    let jobs: Vec<_> = client
        .jobs()
        .list(&JobFilter::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        jobs.iter().map(|j| j.id.to_string()).collect::<Vec<_>>(),
        [acme.smartrecruiters().jobs()[0].id.clone()],
        "the token opens the consenting account"
    );
    let stats = oauth.stats("acme");
    assert_eq!(
        (stats.consents, stats.code_exchanges, stats.refreshes),
        (1, 1, 0)
    );

    // The token dies; four calls at once refresh it exactly once.
    assert_eq!(oauth.expire_access_tokens("acme"), 1);
    let filter = JobFilter::new();
    let calls = (0..4).map(|_| {
        let client = client.clone();
        let filter = &filter;
        async move { client.jobs().page(filter, None).await }
    });
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(oauth.stats("acme").refreshes, 1);
    assert_eq!(
        stored.lock().unwrap().len(),
        1,
        "the rotated token was stored"
    );
    assert!(acme.requests(Vendor::SmartRecruiters).unauthorized >= 1);
    assert_eq!(sandbox.requests(Vendor::SmartRecruiters).total, 0);
    assert_eq!(oauth.stats("acme").refused, 0);
}

#[tokio::test]
async fn lever_refresh_tokens_rotate_a_reused_one_is_refused_and_tokens_expire() {
    let sandbox = sandbox_with_acme().await;
    let acme = sandbox.account("acme").unwrap();
    let oauth = sandbox.lever_oauth();
    oauth.register_app(
        SandboxOAuthApp::new("lever-app", secret())
            .redirect_uri(REDIRECT)
            .consent_as("acme"),
    );
    let app = LeverOAuth::new(
        &Environment::Custom(sandbox.lever_endpoints()),
        "lever-app",
        secret(),
        REDIRECT,
    );
    let back = consent(
        app.authorize_url(&["opportunities:read:admin"], "state-2")
            .unwrap(),
    )
    .await;
    assert_eq!(param(&back, "state").as_deref(), Some("state-2"));
    let code = SecretString::from(param(&back, "code").unwrap());
    let first = app.exchange_code(&code).await.unwrap();
    assert_eq!(first.expires_in, Some(3600));
    assert_eq!(first.token_type.as_deref(), Some("Bearer"));
    assert_eq!(
        first.scope.as_deref(),
        Some("opportunities:read:admin offline_access")
    );

    let endpoint = app.token_endpoint().unwrap();
    let rt1 = first.refresh_token.clone().unwrap();
    let second = endpoint.refresh(&rt1).await.unwrap();
    let rt2 = second.refresh_token.clone().unwrap();
    assert_ne!(rt1.expose_secret(), rt2.expose_secret(), "rotated");
    assert!(matches!(
        endpoint.refresh(&rt1).await,
        Err(Error::ReauthorizationRequired { .. })
    ));
    let stats = oauth.stats("acme");
    assert_eq!((stats.refreshes, stats.refused), (1, 1));
    assert_eq!(stats.token_requests(), 3);

    // A plain bearer token opens acme's Lever until it expires.
    oauth.set_access_token_lifetime(Duration::from_millis(1500));
    let third = endpoint.refresh(&rt2).await.unwrap();
    assert_eq!(third.expires_in, Some(2), "rounded up to whole seconds");
    let bearer = LeverClient::builder()
        .base_url(sandbox.lever_base_url())
        .credentials(lever_client::Credentials::Custom(Arc::new(
            StaticHeader::new(AUTHORIZATION, Some("Bearer"), third.access_token.clone()),
        )))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let listed: Vec<_> = bearer
        .opportunities()
        .list(&OpportunityFilter::new())
        .try_collect()
        .await
        .unwrap();
    let posting = acme.lever().postings()[0].id.clone();
    assert_eq!(
        listed.iter().map(|o| o.id.to_string()).collect::<Vec<_>>(),
        acme.lever().opportunities(&posting)
    );
    // A refresh does not end the access tokens issued before it: they expire.
    assert_eq!(oauth.expire_access_tokens("acme"), 3);
    assert_eq!(
        refusal(
            bearer
                .opportunities()
                .list(&OpportunityFilter::new())
                .try_collect::<Vec<_>>()
        )
        .await,
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(acme.requests(Vendor::Lever).unauthorized, 1);
    assert_eq!(sandbox.requests(Vendor::Lever).unauthorized, 0);
}

#[tokio::test]
async fn an_access_token_expires_after_its_lifetime() {
    let sandbox = sandbox_with_acme().await;
    let acme = sandbox.account("acme").unwrap();
    let oauth = sandbox.lever_oauth();
    oauth.register_app(
        SandboxOAuthApp::new("lever-app", secret())
            .redirect_uri(REDIRECT)
            .consent_as("acme"),
    );
    oauth.set_access_token_lifetime(Duration::from_millis(600));
    let app = LeverOAuth::new(
        &Environment::Custom(sandbox.lever_endpoints()),
        "lever-app",
        secret(),
        REDIRECT,
    );
    let back = consent(app.authorize_url(&[], "s").unwrap()).await;
    let code = SecretString::from(param(&back, "code").unwrap());
    let tokens = app.exchange_code(&code).await.unwrap();
    let bearer = LeverClient::builder()
        .base_url(sandbox.lever_base_url())
        .credentials(lever_client::Credentials::Custom(Arc::new(
            StaticHeader::new(AUTHORIZATION, Some("Bearer"), tokens.access_token.clone()),
        )))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(bearer.stages().list().try_collect::<Vec<_>>().await.is_ok());
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(
        refusal(bearer.stages().list().try_collect::<Vec<_>>()).await,
        Some(StatusCode::UNAUTHORIZED)
    );
    assert_eq!(acme.requests(Vendor::Lever).unauthorized, 1);
}

#[tokio::test]
async fn a_revoked_grant_needs_a_new_consent_and_reuse_can_revoke_a_grant() {
    let sandbox = sandbox_with_acme().await;
    let oauth = sandbox.lever_oauth();
    oauth.register_app(
        SandboxOAuthApp::new("lever-app", secret())
            .redirect_uri(REDIRECT)
            .consent_as("acme"),
    );
    let app = LeverOAuth::new(
        &Environment::Custom(sandbox.lever_endpoints()),
        "lever-app",
        secret(),
        REDIRECT,
    );
    let grant = || async {
        let back = consent(app.authorize_url(&[], "s").unwrap()).await;
        let code = SecretString::from(param(&back, "code").unwrap());
        app.exchange_code(&code).await.unwrap()
    };

    // The lever client's own OAuth credentials: refreshed on a 401.
    let tokens = grant().await;
    let stored = Stored::default();
    let client = LeverClient::builder()
        .base_url(sandbox.lever_base_url())
        .oauth(
            app.clone(),
            tokens.refresh_token.clone().unwrap(),
            store(&stored),
        )
        .access_token(tokens.access())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    assert!(client.stages().list().try_collect::<Vec<_>>().await.is_ok());
    assert_eq!(oauth.revoke("acme"), 1);
    let refused = client.stages().list().try_collect::<Vec<_>>().await;
    assert!(
        matches!(refused, Err(Error::ReauthorizationRequired { .. })),
        "{refused:?}"
    );
    assert_eq!(oauth.stats("acme").refused, 1);
    assert!(stored.lock().unwrap().is_empty());

    // With reuse detection, a reused refresh token kills its successor too.
    oauth.revoke_on_reuse(true);
    let endpoint = app.token_endpoint().unwrap();
    let rt1 = grant().await.refresh_token.unwrap();
    let rt2 = endpoint.refresh(&rt1).await.unwrap().refresh_token.unwrap();
    assert!(endpoint.refresh(&rt1).await.is_err());
    assert!(matches!(
        endpoint.refresh(&rt2).await,
        Err(Error::ReauthorizationRequired { .. })
    ));

    // A removed account's grants go with it.
    let rt = grant().await.refresh_token.unwrap();
    sandbox.remove_account("acme").unwrap();
    assert!(endpoint.refresh(&rt).await.is_err());
}

#[tokio::test]
async fn the_oauth_endpoints_refuse_what_a_vendor_refuses() {
    let sandbox = sandbox_with_acme().await;
    let oauth = sandbox.smartrecruiters_oauth();
    oauth.register_app(SandboxOAuthApp::new("sr-app", secret()).redirect_uri(REDIRECT));
    let http = no_redirects();
    let authorize = |pairs: &[(&str, &str)]| {
        let mut url = Url::parse(&oauth.authorize_url()).unwrap();
        url.query_pairs_mut().extend_pairs(pairs);
        http.get(url).send()
    };
    let json = |response: reqwest::Response| async move {
        let status = response.status();
        (status, response.json::<Value>().await.unwrap())
    };

    let base = [
        ("response_type", "code"),
        ("client_id", "sr-app"),
        ("redirect_uri", REDIRECT),
        ("state", "s1"),
    ];
    let unknown_client = authorize(&[("client_id", "nobody"), ("redirect_uri", REDIRECT)]);
    let (status, body) = json(unknown_client.await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_client"))
    );
    let other_redirect = authorize(&[
        ("response_type", "code"),
        ("client_id", "sr-app"),
        ("redirect_uri", "http://127.0.0.1:9/elsewhere"),
    ]);
    let (status, body) = json(other_redirect.await.unwrap()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );

    let location = |response: reqwest::Response| {
        assert_eq!(response.status(), StatusCode::FOUND);
        Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
    };
    let implicit = location(
        authorize(&[
            ("response_type", "token"),
            ("client_id", "sr-app"),
            ("redirect_uri", REDIRECT),
            ("state", "s1"),
        ])
        .await
        .unwrap(),
    );
    assert_eq!(
        param(&implicit, "error").as_deref(),
        Some("unsupported_response_type")
    );
    let mut no_such_account = base.to_vec();
    no_such_account.push(("account", "nobody"));
    let denied = location(authorize(&no_such_account).await.unwrap());
    assert_eq!(param(&denied, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&denied, "state").as_deref(), Some("s1"));
    assert!(param(&denied, "code").is_none());

    let token = |form: &[(&str, &str)]| http.post(oauth.token_url()).form(form).send();
    let (status, body) = json(
        token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "x"),
            ("client_id", "sr-app"),
            ("client_secret", "wrong"),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_client"))
    );
    let (status, body) = json(
        token(&[
            ("grant_type", "password"),
            ("client_id", "sr-app"),
            ("client_secret", "sandbox-app-secret"),
        ])
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );

    // A code must come back with the redirect URI it was issued for, and is spent
    // by the first attempt either way.
    let back = location(authorize(&base).await.unwrap());
    let code = param(&back, "code").unwrap();
    let exchange = |redirect_uri: &'static str| {
        let code = code.clone();
        let token = &token;
        async move {
            json(
                token(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect_uri),
                    ("client_id", "sr-app"),
                    ("client_secret", "sandbox-app-secret"),
                ])
                .await
                .unwrap(),
            )
            .await
        }
    };
    let (status, body) = exchange("http://127.0.0.1:9/elsewhere").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    let (status, body) = exchange(REDIRECT).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // The default account consented (no account named, none configured).
    assert_eq!(oauth.stats(ats_sandbox::DEFAULT_ACCOUNT).consents, 1);
}

#[tokio::test]
async fn lever_takes_the_token_request_as_json_too() {
    let sandbox = sandbox_with_acme().await;
    let oauth = sandbox.lever_oauth();
    oauth.register_app(
        SandboxOAuthApp::new("lever-app", secret())
            .redirect_uri(REDIRECT)
            .consent_as("acme"),
    );
    let mut url = Url::parse(&oauth.authorize_url()).unwrap();
    url.query_pairs_mut().extend_pairs([
        ("response_type", "code"),
        ("client_id", "lever-app"),
        ("redirect_uri", REDIRECT),
        ("state", "s"),
    ]);
    let code = param(&consent(url).await, "code").unwrap();
    // Lever's own example app posts the grant as JSON (lever.md §1.3).
    let response = no_redirects()
        .post(oauth.token_url())
        .json(&serde_json::json!({
            "grant_type": "authorization_code",
            "client_id": "lever-app",
            "client_secret": "sandbox-app-secret",
            "code": code,
            "redirect_uri": REDIRECT,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "");
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() == 32));
    assert_eq!(oauth.stats("acme").code_exchanges, 1);
}
