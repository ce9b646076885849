//! The names a connection's secrets are stored under, one per secret, so each is
//! sealed (and bound, through the seal's context) on its own.

/// The Willo API key.
pub const WILLO_API_KEY: &str = "willo/api_key";
/// The token in the Willo webhook URL.
pub const WILLO_WEBHOOK_TOKEN: &str = "willo/webhook_token";

/// A secret of an ATS account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtsPart {
    /// `ats/{account}/api_key`.
    ApiKey,
    /// `ats/{account}/grant`: the OAuth grant as JSON.
    Grant,
    /// `ats/{account}/webhook_secrets`: a JSON list, current first.
    WebhookSecrets,
}

impl AtsPart {
    fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::Grant => "grant",
            Self::WebhookSecrets => "webhook_secrets",
        }
    }
}

/// The name of an ATS account's secret.
pub fn ats(account: &str, part: AtsPart) -> String {
    format!("ats/{account}/{}", part.as_str())
}

/// A parsed name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name<'a> {
    /// [`WILLO_API_KEY`].
    WilloApiKey,
    /// [`WILLO_WEBHOOK_TOKEN`].
    WilloWebhookToken,
    /// An ATS account's secret.
    Ats(&'a str, AtsPart),
}

/// What `name` names, if it is one of ours.
pub fn parse(name: &str) -> Option<Name<'_>> {
    match name {
        WILLO_API_KEY => return Some(Name::WilloApiKey),
        WILLO_WEBHOOK_TOKEN => return Some(Name::WilloWebhookToken),
        _ => {}
    }
    let rest = name.strip_prefix("ats/")?;
    let (account, part) = rest.rsplit_once('/')?;
    let part = [AtsPart::ApiKey, AtsPart::Grant, AtsPart::WebhookSecrets]
        .into_iter()
        .find(|p| p.as_str() == part)?;
    Some(Name::Ats(account, part))
}
