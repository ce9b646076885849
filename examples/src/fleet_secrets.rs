//! The secrets of the server's connections mode and of the `connections` command
//! line, from the environment only (never the configuration file):
//!
//! | variable | meaning |
//! |---|---|
//! | `BRIDGE_SEALING_KEY` | 32 random bytes in base64: seals the connections' secrets in the store |
//! | `BRIDGE_SEALING_KEY_ID` | that key's id, stored beside each sealed secret (default `k1`) |
//! | `BRIDGE_SEALING_OLD_KEY`, `BRIDGE_SEALING_OLD_KEY_ID` | during a rotation, the previous key and its id |
//! | `BRIDGE_ADMIN_TOKEN` | the admin API's bearer token (at least 32 characters); the server refuses to start without it |
//! | `BRIDGE_OAUTH_STATE_KEY` | signs the OAuth consent `state` (at least 32 characters, the same on every replica); needed with `[oauth]` |
//! | `SMARTRECRUITERS_OAUTH_CLIENT_SECRET` | the client secret of `[oauth.smartrecruiters]` |
//! | `LEVER_OAUTH_CLIENT_SECRET` | the client secret of `[oauth.lever]` |
//! | `DATABASE_URL` | the store (`postgres://…` for replicas); default: the configuration's `sqlite_path` |
//! | `BRIDGE_WORKER_ID` | this replica's name in leases (default: host name, process id and a random suffix) |

use std::collections::BTreeMap;
use std::fmt;

use ats_bridge::connection::{AtsKind, Keyring, SealingKey};
use client_core::{ExposeSecret, SecretString};

use crate::Result;

/// The shortest admin token and OAuth state key accepted: shorter values are
/// guessable, and a real secret store generates long ones anyway.
pub const MIN_SECRET_CHARS: usize = 32;

/// The sealing keys `var` names (see the module docs).
pub fn keyring_from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Keyring> {
    let secret = |name: &str| var(name).map(SecretString::from);
    let key = secret("BRIDGE_SEALING_KEY")
        .ok_or("BRIDGE_SEALING_KEY is not set (32 random bytes in base64)")?;
    let id = var("BRIDGE_SEALING_KEY_ID").unwrap_or_else(|| "k1".into());
    let mut keys = Keyring::new(SealingKey::from_base64(id, &key)?);
    if let Some(old) = secret("BRIDGE_SEALING_OLD_KEY") {
        let old_id =
            var("BRIDGE_SEALING_OLD_KEY_ID").ok_or("BRIDGE_SEALING_OLD_KEY_ID is not set")?;
        keys = keys.with_old_key(SealingKey::from_base64(old_id, &old)?);
    }
    Ok(keys)
}

/// The sealing keys in the environment.
pub fn keyring_from_env() -> Result<Keyring> {
    keyring_from_vars(crate::env)
}

/// Everything secret the connections mode needs.
pub struct FleetSecrets {
    /// Seals and opens the connections' secrets.
    pub keyring: Keyring,
    /// The admin API's bearer token.
    pub admin_token: SecretString,
    /// Signs the OAuth consent `state`, when OAuth apps are configured.
    pub oauth_state_key: Option<SecretString>,
    /// The OAuth apps' client secrets, by ATS.
    pub oauth_client_secrets: BTreeMap<&'static str, SecretString>,
    /// This replica's worker id, if the operator named it.
    pub worker_id: Option<String>,
    /// The store, when not the configuration's SQLite file (it can hold a password).
    pub database_url: Option<String>,
}

impl fmt::Debug for FleetSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FleetSecrets")
            .field("keyring", &"[redacted]")
            .field(
                "oauth_client_secrets",
                &self.oauth_client_secrets.keys().collect::<Vec<_>>(),
            )
            .field("worker_id", &self.worker_id)
            .finish_non_exhaustive()
    }
}

impl FleetSecrets {
    /// The secrets in the environment.
    pub fn from_env() -> Result<Self> {
        Self::from_vars(crate::env)
    }

    /// The secrets `var` gives for the variables in the module docs; an error naming
    /// the variable when the admin token is missing or short, or a key is malformed.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let admin_token = long_secret(&var, "BRIDGE_ADMIN_TOKEN")?.ok_or(
            "BRIDGE_ADMIN_TOKEN is not set: connections mode serves the admin API and \
             will not serve it without a token (e.g. `openssl rand -base64 32`)",
        )?;
        let oauth = OAuthSecrets::from_vars(&var)?;
        Ok(Self {
            keyring: keyring_from_vars(&var)?,
            admin_token,
            oauth_state_key: oauth.state_key,
            oauth_client_secrets: oauth.client_secrets,
            worker_id: var("BRIDGE_WORKER_ID"),
            database_url: var("DATABASE_URL"),
        })
    }
}

/// The OAuth apps' secrets: what the server and the `connections` command line need
/// to reach a connection's OAuth accounts (and refresh their grants).
pub struct OAuthSecrets {
    /// `BRIDGE_OAUTH_STATE_KEY`, if set.
    pub state_key: Option<SecretString>,
    /// The apps' client secrets, by ATS (`lever`, `smartrecruiters`).
    pub client_secrets: BTreeMap<&'static str, SecretString>,
}

impl OAuthSecrets {
    /// The OAuth secrets in the environment.
    pub fn from_env() -> Result<Self> {
        Self::from_vars(&crate::env)
    }

    /// The OAuth secrets `var` gives (see the module docs); an error when the state key
    /// is short.
    pub fn from_vars(var: &impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut client_secrets = BTreeMap::new();
        for (kind, name) in [
            (
                AtsKind::Smartrecruiters,
                "SMARTRECRUITERS_OAUTH_CLIENT_SECRET",
            ),
            (AtsKind::Lever, "LEVER_OAUTH_CLIENT_SECRET"),
        ] {
            if let Some(secret) = var(name) {
                client_secrets.insert(kind.as_str(), SecretString::from(secret));
            }
        }
        Ok(Self {
            state_key: long_secret(var, "BRIDGE_OAUTH_STATE_KEY")?,
            client_secrets,
        })
    }
}

/// The secret `name`, refused when shorter than [`MIN_SECRET_CHARS`].
fn long_secret(var: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<SecretString>> {
    let Some(value) = var(name).map(SecretString::from) else {
        return Ok(None);
    };
    if value.expose_secret().chars().count() < MIN_SECRET_CHARS {
        return Err(format!("{name} must be at least {MIN_SECRET_CHARS} characters").into());
    }
    Ok(Some(value))
}

/// A worker id unique among replicas: the host's name (containers name their host
/// after the pod), the process id (1 in many containers, so not enough alone) and a
/// random suffix.
pub fn unique_worker_id() -> Result<String> {
    let host = crate::env("HOSTNAME").unwrap_or_else(|| "bridge".to_owned());
    let mut random = [0u8; 4];
    getrandom::getrandom(&mut random).map_err(|e| format!("no secure random source: {e}"))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{host}-{}-{suffix}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const TOKEN: &str = "an-admin-token-of-at-least-32-characters";

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        FleetSecrets::from_vars(vars(pairs))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn the_admin_token_is_required_and_long() {
        let missing = error(&[("BRIDGE_SEALING_KEY", KEY)]);
        assert!(
            missing.contains("BRIDGE_ADMIN_TOKEN is not set"),
            "{missing}"
        );
        let short = error(&[("BRIDGE_SEALING_KEY", KEY), ("BRIDGE_ADMIN_TOKEN", "short")]);
        assert_eq!(short, "BRIDGE_ADMIN_TOKEN must be at least 32 characters");
        let no_key = error(&[("BRIDGE_ADMIN_TOKEN", TOKEN)]);
        assert!(no_key.contains("BRIDGE_SEALING_KEY is not set"), "{no_key}");
    }

    #[test]
    fn oauth_secrets_and_the_worker_id_are_read() {
        let secrets = FleetSecrets::from_vars(vars(&[
            ("BRIDGE_SEALING_KEY", KEY),
            ("BRIDGE_ADMIN_TOKEN", TOKEN),
            ("LEVER_OAUTH_CLIENT_SECRET", "lever-secret"),
            ("BRIDGE_WORKER_ID", "replica-a"),
        ]))
        .unwrap();
        assert_eq!(
            secrets
                .oauth_client_secrets
                .keys()
                .copied()
                .collect::<Vec<_>>(),
            ["lever"]
        );
        assert!(secrets.oauth_state_key.is_none());
        assert_eq!(secrets.worker_id.as_deref(), Some("replica-a"));
        let debug = format!("{secrets:?}");
        assert!(
            !debug.contains("lever-secret") && !debug.contains(TOKEN),
            "{debug}"
        );
    }

    #[test]
    fn worker_ids_differ_between_calls() {
        assert_ne!(unique_worker_id().unwrap(), unique_worker_id().unwrap());
    }
}
