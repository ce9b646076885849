//! The Rust API over the connection tables: add, read, change, pause, resume and
//! remove connections at runtime, sealing every secret on its way to the store.

use std::collections::BTreeSet;
use std::sync::Arc;

use client_core::webhook::{Clock, SystemClock};
use client_core::{ExposeSecret, SecretString};

use super::secret_names as names;
use super::{
    AtsAuth, AtsKind, ConnectionConfig, ConnectionId, ConnectionRecord, ConnectionSecrets,
    ConnectionState, Connections, InvalidLimits, LedgerErasure, NewConnection, OAuthGrant, Removal,
    SealError, SecretEntry, SecretSealer,
};
use crate::rules::Rules;
use crate::store::StoreError;
use crate::webhook::WilloSource;

/// Why a connection call failed. Never carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionError {
    /// The connection's settings or secrets are not usable (the message says which).
    #[error("invalid connection: {0}")]
    Invalid(String),
    /// No connection with this id (or it was removed).
    #[error("no connection {0}")]
    NotFound(ConnectionId),
    /// An account's limits are not usable (0, or more than any vendor grants).
    #[error("invalid connection: {0}")]
    Limits(#[from] InvalidLimits),
    /// A secret could not be sealed or opened.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The store failed, or refused the change (an id already taken).
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ConnectionError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// Adds, reads, changes and removes connections in a [`Connections`] store, sealing
/// secrets with a [`SecretSealer`]. Cheap to clone; share one per process.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
///
/// use ats_bridge::connection::{
///     AtsAccountConfig, AtsAuth, AtsKind, AtsSecrets, ConnectionConfig, ConnectionId,
///     ConnectionManager, ConnectionSecrets, ConnectionState, Keyring, NewConnection, SealingKey,
/// };
/// use ats_bridge::store::MemoryStore;
/// use client_core::SecretString;
///
/// let keys = Keyring::new(SealingKey::new("k1", &[42; 32])); // the operator's key, from a secret store
/// let manager = ConnectionManager::new(Arc::new(MemoryStore::new()), Arc::new(keys));
/// let acme = NewConnection::new(
///     ConnectionId::new("acme")?,
///     ConnectionConfig::new("Acme Corp")
///         .ats(AtsAccountConfig::new(AtsKind::Lever, AtsAuth::ApiKey).perform_as("user-1")),
///     ConnectionSecrets::new(SecretString::from("willo-key")).ats(
///         "lever",
///         AtsSecrets::api_key(SecretString::from("lever-key"))
///             .webhook_secret(SecretString::from("lever-signature-token")),
///     ),
/// );
/// let record = manager.add(acme).await?;
/// assert_eq!(record.state, ConnectionState::Active);
/// manager.pause(&record.id, Some("customer asked")).await?;
/// assert_eq!(manager.get(&record.id).await?.unwrap().state, ConnectionState::Paused);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    store: Arc<dyn Connections>,
    sealer: Arc<dyn SecretSealer>,
    clock: Arc<dyn Clock>,
}

impl ConnectionManager {
    /// Connections in `store`, secrets sealed with `sealer`.
    pub fn new(store: Arc<dyn Connections>, sealer: Arc<dyn SecretSealer>) -> Self {
        Self {
            store,
            sealer,
            clock: Arc::new(SystemClock),
        }
    }

    /// Use another clock (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Connections> {
        &self.store
    }

    /// The sealer.
    pub fn sealer(&self) -> &Arc<dyn SecretSealer> {
        &self.sealer
    }

    pub(crate) fn now_ms(&self) -> i64 {
        i64::try_from(self.clock.now_millis()).unwrap_or(i64::MAX)
    }

    /// Add a connection. It starts active, or needing credentials while an OAuth
    /// account has no grant yet (the connect flow supplies it).
    pub async fn add(&self, new: NewConnection) -> Result<ConnectionRecord, ConnectionError> {
        validate(&new.config, &new.secrets)?;
        let now_ms = self.now_ms();
        let mut record =
            ConnectionRecord::new(new.id.clone(), new.config, ConnectionState::Active, now_ms);
        if let Some(account) = awaiting_grant(&record.config, &new.secrets) {
            record.state = ConnectionState::NeedsCredentials;
            record.state_reason = Some(format!("the OAuth account `{account}` is not connected"));
        }
        let entries = self.seal_all(&new.id, &new.secrets).await?;
        self.store.connection_insert(&record, &entries).await?;
        tracing::info!(target: "ats_bridge::connection", connection = %new.id, state = %record.state, "connection added");
        Ok(record)
    }

    /// The connection `id`, removed ones included.
    pub async fn get(
        &self,
        id: &ConnectionId,
    ) -> Result<Option<ConnectionRecord>, ConnectionError> {
        Ok(self.store.connection_get(id).await?)
    }

    /// Every connection that is not removed, by id.
    pub async fn list(&self) -> Result<Vec<ConnectionRecord>, ConnectionError> {
        let mut all = self.store.connection_list().await?;
        all.retain(|record| record.state != ConnectionState::Removed);
        Ok(all)
    }

    /// The live (not removed) connection `id`.
    pub async fn live(&self, id: &ConnectionId) -> Result<ConnectionRecord, ConnectionError> {
        match self.store.connection_get(id).await? {
            Some(record) if record.state != ConnectionState::Removed => Ok(record),
            _ => Err(ConnectionError::NotFound(id.clone())),
        }
    }

    /// Replace the settings of `id` (checked against its current secrets).
    pub async fn update(
        &self,
        id: &ConnectionId,
        config: ConnectionConfig,
    ) -> Result<ConnectionRecord, ConnectionError> {
        self.live(id).await?;
        let secrets = self.secrets(id).await?;
        validate(&config, &secrets)?;
        self.store
            .connection_set_config(id, &config, self.now_ms())
            .await?;
        self.live(id).await
    }

    /// Replace every secret of `id` (a rotated API key, added webhook secrets). The
    /// credential outages recorded for `id` are cleared: the new credentials are tried
    /// afresh (its engine is rebuilt with them).
    pub async fn replace_secrets(
        &self,
        id: &ConnectionId,
        secrets: ConnectionSecrets,
    ) -> Result<(), ConnectionError> {
        let record = self.live(id).await?;
        validate(&record.config, &secrets)?;
        let entries = self.seal_all(id, &secrets).await?;
        let kept: BTreeSet<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        let delete: Vec<String> = self
            .store
            .connection_secrets(id)
            .await?
            .into_iter()
            .map(|entry| entry.name)
            .filter(|name| !kept.contains(name.as_str()))
            .collect();
        self.store
            .connection_put_secrets(id, &entries, &delete, self.now_ms())
            .await?;
        // New credentials: whatever the vendors refused is not known to be refused now.
        self.end_outages(id, None).await
    }

    /// Pause `id`: its deliveries are still received and kept, none is acted on.
    pub async fn pause(
        &self,
        id: &ConnectionId,
        reason: Option<&str>,
    ) -> Result<(), ConnectionError> {
        self.live(id).await?;
        self.store
            .connection_set_state(id, ConnectionState::Paused, reason, self.now_ms())
            .await?;
        tracing::info!(target: "ats_bridge::connection", connection = %id, "connection paused");
        Ok(())
    }

    /// Resume `id` (paused, or needing credentials once they were supplied). Refused
    /// while an OAuth account has no grant.
    pub async fn resume(&self, id: &ConnectionId) -> Result<(), ConnectionError> {
        let record = self.live(id).await?;
        let secrets = self.secrets(id).await?;
        if let Some(account) = awaiting_grant(&record.config, &secrets) {
            return Err(ConnectionError::Invalid(format!(
                "the OAuth account `{account}` is not connected; connect it first"
            )));
        }
        self.store
            .connection_set_state(id, ConnectionState::Active, None, self.now_ms())
            .await?;
        tracing::info!(target: "ats_bridge::connection", connection = %id, "connection resumed");
        Ok(())
    }

    /// Mark `id` as needing credentials (a key the vendor refuses), with why.
    pub async fn needs_credentials(
        &self,
        id: &ConnectionId,
        reason: &str,
    ) -> Result<(), ConnectionError> {
        self.store
            .connection_set_state(
                id,
                ConnectionState::NeedsCredentials,
                Some(reason),
                self.now_ms(),
            )
            .await?;
        tracing::warn!(target: "ats_bridge::connection", connection = %id, reason, "connection needs credentials");
        Ok(())
    }

    /// Remove `id`: its credentials, inbox and cursors are erased, its ledger kept as
    /// ids or erased (`ledger`).
    pub async fn remove(
        &self,
        id: &ConnectionId,
        ledger: LedgerErasure,
    ) -> Result<Removal, ConnectionError> {
        self.live(id).await?;
        let removal = self
            .store
            .connection_remove(id, ledger, self.now_ms())
            .await?;
        tracing::info!(target: "ats_bridge::connection", connection = %id, ?ledger, "connection removed");
        Ok(removal)
    }

    /// Every secret of `id`, opened.
    pub async fn secrets(&self, id: &ConnectionId) -> Result<ConnectionSecrets, ConnectionError> {
        let mut willo_api_key = None;
        let mut secrets = ConnectionSecrets::new(SecretString::from(""));
        for entry in self.store.connection_secrets(id).await? {
            let text = self.open_text(id, &entry).await?;
            match names::parse(&entry.name) {
                Some(names::Name::WilloApiKey) => willo_api_key = Some(text),
                Some(names::Name::WilloWebhookToken) => secrets.willo_webhook_token = Some(text),
                Some(names::Name::Ats(account, part)) => {
                    let ats = secrets.ats.entry(account.to_owned()).or_default();
                    match part {
                        names::AtsPart::ApiKey => ats.api_key = Some(text),
                        names::AtsPart::Grant => ats.grant = Some(parse_json(&text)?),
                        names::AtsPart::WebhookSecrets => {
                            let list: Vec<String> = parse_json(&text)?;
                            ats.webhook_secrets =
                                list.into_iter().map(SecretString::from).collect();
                        }
                    }
                }
                // A name a newer version wrote: not ours to interpret.
                None => {}
            }
        }
        secrets.willo_api_key = willo_api_key.ok_or_else(|| {
            ConnectionError::Invalid(format!("connection {id} has no Willo API key stored"))
        })?;
        Ok(secrets)
    }

    /// Store the OAuth `grant` of account `account` of `id` (the connect flow's
    /// callback); a connection that needed only this becomes active, and an outage
    /// recorded for the account is cleared.
    pub async fn store_grant(
        &self,
        id: &ConnectionId,
        account: &str,
        grant: &OAuthGrant,
    ) -> Result<(), ConnectionError> {
        let record = self.live(id).await?;
        let config = record
            .config
            .account(account)
            .filter(|a| a.auth == AtsAuth::Oauth)
            .ok_or_else(|| {
                ConnectionError::Invalid(format!("`{account}` is not an OAuth account of {id}"))
            })?;
        let entry = self.seal_grant(id, &config.name, grant).await?;
        self.store
            .connection_put_secrets(id, &[entry], &[], self.now_ms())
            .await?;
        self.end_outages(id, Some(account)).await?;
        if record.state == ConnectionState::NeedsCredentials {
            let secrets = self.secrets(id).await?;
            if awaiting_grant(&record.config, &secrets).is_none() {
                self.store
                    .connection_set_state(id, ConnectionState::Active, None, self.now_ms())
                    .await?;
            }
        }
        tracing::info!(target: "ats_bridge::connection", connection = %id, account, "OAuth grant stored");
        Ok(())
    }

    /// Store, in one write, webhook secrets a registration produced for `id`: the
    /// Willo URL token if given, and each named ATS account's list (current first).
    /// Every other secret is left as it is, so a grant another replica refreshed
    /// meanwhile is not overwritten with an older one.
    pub(crate) async fn store_webhook_secrets(
        &self,
        id: &ConnectionId,
        willo_token: Option<&SecretString>,
        ats: &[(String, Vec<SecretString>)],
    ) -> Result<(), ConnectionError> {
        let record = self.live(id).await?;
        let mut entries = Vec::new();
        if let Some(token) = willo_token {
            entries.push(
                self.seal_text(id, names::WILLO_WEBHOOK_TOKEN, token)
                    .await?,
            );
        }
        for (account, secrets) in ats {
            if record.config.account(account).is_none() {
                return Err(ConnectionError::Invalid(format!(
                    "`{account}` is not an ATS account of {id}"
                )));
            }
            entries.push(self.seal_webhook_secrets(id, account, secrets).await?);
        }
        if entries.is_empty() {
            return Ok(());
        }
        self.store
            .connection_put_secrets(id, &entries, &[], self.now_ms())
            .await?;
        Ok(())
    }

    /// Re-seal every secret not sealed under the sealer's current key (after a key
    /// rotation); returns how many were re-sealed. The old key can be retired once
    /// this returns.
    pub async fn reseal_all(&self) -> Result<usize, ConnectionError> {
        let current = self.sealer.current_key_id().to_owned();
        let mut count = 0;
        for record in self.store.connection_list().await? {
            let mut put = Vec::new();
            for entry in self.store.connection_secrets(&record.id).await? {
                if entry.sealed.key_id == current {
                    continue;
                }
                let context = record.id.scope(&entry.name);
                let opened = self.sealer.open(&entry.sealed, &context).await?;
                let sealed = self.sealer.seal(opened.expose_secret(), &context).await?;
                put.push(SecretEntry { sealed, ..entry });
            }
            if !put.is_empty() {
                count += put.len();
                self.store
                    .connection_put_secrets(&record.id, &put, &[], self.now_ms())
                    .await?;
            }
        }
        Ok(count)
    }

    /// Delete the recorded outages of `id`'s credential `credential` (every one for
    /// `None`): its credentials were replaced. Nothing to do for a store that keeps
    /// none.
    async fn end_outages(
        &self,
        id: &ConnectionId,
        credential: Option<&str>,
    ) -> Result<(), ConnectionError> {
        match self.store.credential_outage_end(id, credential).await {
            Ok(0) | Err(StoreError::Unsupported(_)) => Ok(()),
            Ok(ended) => {
                tracing::info!(target: "ats_bridge::connection", connection = %id, ended, "credential outages cleared: new credentials");
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    pub(crate) async fn seal_grant(
        &self,
        id: &ConnectionId,
        account: &str,
        grant: &OAuthGrant,
    ) -> Result<SecretEntry, ConnectionError> {
        let name = names::ats(account, names::AtsPart::Grant);
        let json = SecretString::from(
            serde_json::to_string(grant).map_err(|e| ConnectionError::Invalid(e.to_string()))?,
        );
        let mut entry = self.seal_text(id, &name, &json).await?;
        entry.expires_at_ms = grant.access_expires_at_ms;
        Ok(entry)
    }

    pub(crate) async fn open_grant(
        &self,
        id: &ConnectionId,
        entry: &SecretEntry,
    ) -> Result<OAuthGrant, ConnectionError> {
        parse_json(&self.open_text(id, entry).await?)
    }

    async fn seal_all(
        &self,
        id: &ConnectionId,
        secrets: &ConnectionSecrets,
    ) -> Result<Vec<SecretEntry>, ConnectionError> {
        let mut entries = vec![
            self.seal_text(id, names::WILLO_API_KEY, &secrets.willo_api_key)
                .await?,
        ];
        if let Some(token) = &secrets.willo_webhook_token {
            entries.push(
                self.seal_text(id, names::WILLO_WEBHOOK_TOKEN, token)
                    .await?,
            );
        }
        for (account, ats) in &secrets.ats {
            if let Some(key) = &ats.api_key {
                let name = names::ats(account, names::AtsPart::ApiKey);
                entries.push(self.seal_text(id, &name, key).await?);
            }
            if let Some(grant) = &ats.grant {
                entries.push(self.seal_grant(id, account, grant).await?);
            }
            if !ats.webhook_secrets.is_empty() {
                entries.push(
                    self.seal_webhook_secrets(id, account, &ats.webhook_secrets)
                        .await?,
                );
            }
        }
        Ok(entries)
    }

    async fn seal_webhook_secrets(
        &self,
        id: &ConnectionId,
        account: &str,
        secrets: &[SecretString],
    ) -> Result<SecretEntry, ConnectionError> {
        let list: Vec<&str> = secrets.iter().map(|s| s.expose_secret()).collect();
        let json = SecretString::from(serde_json::to_string(&list).unwrap_or_default());
        let name = names::ats(account, names::AtsPart::WebhookSecrets);
        self.seal_text(id, &name, &json).await
    }

    async fn seal_text(
        &self,
        id: &ConnectionId,
        name: &str,
        text: &SecretString,
    ) -> Result<SecretEntry, ConnectionError> {
        let sealed = self
            .sealer
            .seal(text.expose_secret().as_bytes(), &id.scope(name))
            .await?;
        Ok(SecretEntry::new(name, sealed))
    }

    async fn open_text(
        &self,
        id: &ConnectionId,
        entry: &SecretEntry,
    ) -> Result<SecretString, ConnectionError> {
        let opened = self
            .sealer
            .open(&entry.sealed, &id.scope(&entry.name))
            .await?;
        let text = std::str::from_utf8(opened.expose_secret())
            .map_err(|_| ConnectionError::Seal(SealError::Tampered))?;
        Ok(SecretString::from(text.to_owned()))
    }
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &SecretString) -> Result<T, ConnectionError> {
    // The error names a position only: serde_json's messages never quote the input.
    serde_json::from_str(text.expose_secret())
        .map_err(|e| ConnectionError::Invalid(format!("a stored secret is malformed: {e}")))
}

/// The first OAuth account without a grant.
fn awaiting_grant<'a>(
    config: &'a ConnectionConfig,
    secrets: &ConnectionSecrets,
) -> Option<&'a str> {
    config
        .ats
        .iter()
        .find(|account| {
            account.auth == AtsAuth::Oauth
                && secrets
                    .ats
                    .get(&account.name)
                    .is_none_or(|s| s.grant.is_none())
        })
        .map(|account| account.name.as_str())
}

/// Whether `config` and `secrets` make a usable connection.
fn validate(config: &ConnectionConfig, secrets: &ConnectionSecrets) -> Result<(), ConnectionError> {
    let invalid = |message: String| Err(ConnectionError::Invalid(message));
    if config.display_name.trim().is_empty() {
        return invalid("the display name is empty".into());
    }
    if secrets.willo_api_key.expose_secret().is_empty() {
        return invalid("the Willo API key is empty".into());
    }
    if let Some(limits) = &config.willo_limits {
        limits.validate(WilloSource::NAME)?;
    }
    let mut seen = BTreeSet::new();
    for account in &config.ats {
        let name = account.name.as_str();
        if name.is_empty()
            || name == WilloSource::NAME
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return invalid(format!(
                "ATS account name {name:?}: use ASCII letters, digits, '-' and '_', not `willo`"
            ));
        }
        if !seen.insert(name) {
            return invalid(format!("two ATS accounts are named `{name}`"));
        }
        if account.kind == AtsKind::Lever && account.perform_as.is_none() {
            return invalid(format!(
                "the Lever account `{name}` needs `perform_as` (the user notes are written as)"
            ));
        }
        if let Some(limits) = &account.limits {
            limits.validate(name)?;
        }
        let stored = secrets.ats.get(name);
        if account.auth == AtsAuth::ApiKey && stored.and_then(|s| s.api_key.as_ref()).is_none() {
            return invalid(format!(
                "the ATS account `{name}` authenticates with an API key but has none"
            ));
        }
    }
    if let Some(extra) = secrets
        .ats
        .keys()
        .find(|name| !seen.contains(name.as_str()))
    {
        return invalid(format!(
            "secrets are given for `{extra}`, which is not an ATS account of the connection"
        ));
    }
    if let Some(rules) = &config.rules {
        Rules::from_toml(rules).map_err(|e| ConnectionError::Invalid(format!("rules: {e}")))?;
    }
    Ok(())
}
