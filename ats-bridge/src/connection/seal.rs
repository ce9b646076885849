//! Secrets sealed at rest: API keys, OAuth tokens and webhook secrets reach the store
//! only encrypted, under a key the operator supplies.
//!
//! [`Keyring`] seals with XChaCha20-Poly1305 (an authenticated cipher: a changed byte,
//! a blob moved to another connection or a wrong key fails to open, never decrypts to
//! garbage). Each blob names the key that sealed it, so keys rotate: add the new key as
//! current, keep the old ones for opening, re-seal
//! ([`super::ConnectionManager::reseal_all`]), then retire the old keys. An operator
//! whose keys live in a vault (KMS, HashiCorp Vault's transit engine) implements
//! [`SecretSealer`] instead.

use std::fmt;

use async_trait::async_trait;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use client_core::secrecy::{ExposeSecret, SecretBox, SecretString};

/// The nonce length of XChaCha20-Poly1305: long enough to draw at random.
const NONCE_LEN: usize = 24;

/// A secret as the store keeps it: the id of the key that sealed it and the sealed
/// bytes (for [`Keyring`]: nonce then ciphertext and tag).
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The key that sealed it (for opening, and for finding blobs to re-seal).
    pub key_id: String,
    /// The ciphertext, opaque to the store.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Why a secret could not be sealed or opened. Never carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// No key with the blob's key id is configured (retired too early?).
    #[error("no sealing key with id {0:?} is configured")]
    UnknownKey(String),
    /// The blob does not open under its key: altered, moved to another connection or
    /// secret, or the key with that id is not the one that sealed it.
    #[error("a sealed secret failed authentication (altered, moved, or a wrong key)")]
    Tampered,
    /// A key could not be read or the vault failed.
    #[error("sealing key error: {0}")]
    Key(String),
}

/// Seals and opens secrets. `context` names where the secret lives (connection and
/// secret name) and is bound into the seal, so a blob copied to another place does
/// not open.
#[async_trait]
pub trait SecretSealer: Send + Sync + fmt::Debug {
    /// Seal `plaintext` under the current key.
    async fn seal(&self, plaintext: &[u8], context: &str) -> Result<Sealed, SealError>;
    /// Open `sealed` (under whichever configured key sealed it).
    async fn open(&self, sealed: &Sealed, context: &str) -> Result<SecretBox<[u8]>, SealError>;
    /// The key new seals use: blobs under another key are re-sealed by
    /// [`super::ConnectionManager::reseal_all`].
    fn current_key_id(&self) -> &str;
}

/// One 256-bit sealing key and its id.
pub struct SealingKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl SealingKey {
    /// A key from 32 bytes. The id is any short name the operator chooses (`2026-12`,
    /// `k2`); it is stored beside every blob the key seals.
    pub fn new(id: impl Into<String>, key: &[u8; 32]) -> Self {
        Self {
            id: id.into(),
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// A key from 32 bytes in standard base64 (how an operator passes one in an
    /// environment variable; `openssl rand -base64 32` makes one).
    pub fn from_base64(id: impl Into<String>, encoded: &SecretString) -> Result<Self, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.expose_secret().trim())
            .map_err(|_| SealError::Key("a sealing key is not valid base64".into()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SealError::Key("a sealing key must be 32 bytes".into()))?;
        Ok(Self::new(id, &key))
    }

    /// The key's id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// The operator's sealing keys: one current key that seals, older ones that still
/// open what they sealed.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), ats_bridge::connection::SealError> {
/// use ats_bridge::connection::{Keyring, SealingKey, SecretSealer};
/// use client_core::ExposeSecret;
///
/// let old = Keyring::new(SealingKey::new("k1", &[1; 32]));
/// let sealed = old.seal(b"lever-api-key", "acme/ats/lever/api_key").await?;
///
/// // Rotation: k2 seals from now on, k1 still opens what it sealed.
/// let keys = Keyring::new(SealingKey::new("k2", &[2; 32])).with_old_key(SealingKey::new("k1", &[1; 32]));
/// let opened = keys.open(&sealed, "acme/ats/lever/api_key").await?;
/// assert_eq!(opened.expose_secret(), b"lever-api-key");
/// assert_eq!(keys.seal(b"x", "c").await?.key_id, "k2");
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Keyring {
    current: SealingKey,
    old: Vec<SealingKey>,
}

impl Keyring {
    /// Seal with `current`.
    pub fn new(current: SealingKey) -> Self {
        Self {
            current,
            old: Vec::new(),
        }
    }

    /// Also open blobs sealed with `key` (a key being rotated out).
    pub fn with_old_key(mut self, key: SealingKey) -> Self {
        self.old.push(key);
        self
    }

    fn key(&self, id: &str) -> Option<&SealingKey> {
        std::iter::once(&self.current)
            .chain(&self.old)
            .find(|key| key.id == id)
    }
}

#[async_trait]
impl SecretSealer for Keyring {
    async fn seal(&self, plaintext: &[u8], context: &str) -> Result<Sealed, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce)
            .map_err(|e| SealError::Key(format!("no random source for a nonce: {e}")))?;
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Key("sealing failed".into()))?;
        let mut bytes = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Ok(Sealed {
            key_id: self.current.id.clone(),
            bytes,
        })
    }

    async fn open(&self, sealed: &Sealed, context: &str) -> Result<SecretBox<[u8]>, SealError> {
        let key = self
            .key(&sealed.key_id)
            .ok_or_else(|| SealError::UnknownKey(sealed.key_id.clone()))?;
        if sealed.bytes.len() < NONCE_LEN {
            return Err(SealError::Tampered);
        }
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_LEN);
        let plaintext = key
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| SealError::Tampered)?;
        Ok(SecretBox::new(plaintext.into_boxed_slice()))
    }

    fn current_key_id(&self) -> &str {
        &self.current.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_blob_opens_only_in_its_place_and_unaltered() {
        let keys = Keyring::new(SealingKey::new("k1", &[7; 32]));
        let sealed = keys.seal(b"secret", "acme/willo/api_key").await.unwrap();
        assert!(!sealed.bytes.windows(6).any(|w| w == b"secret"));
        assert_eq!(
            keys.open(&sealed, "other/willo/api_key").await.unwrap_err(),
            SealError::Tampered
        );
        let mut altered = sealed.clone();
        *altered.bytes.last_mut().unwrap() ^= 1;
        assert_eq!(
            keys.open(&altered, "acme/willo/api_key").await.unwrap_err(),
            SealError::Tampered
        );
        let wrong = Keyring::new(SealingKey::new("k1", &[8; 32]));
        assert_eq!(
            wrong.open(&sealed, "acme/willo/api_key").await.unwrap_err(),
            SealError::Tampered
        );
        let unknown = Keyring::new(SealingKey::new("k9", &[7; 32]));
        assert_eq!(
            unknown
                .open(&sealed, "acme/willo/api_key")
                .await
                .unwrap_err(),
            SealError::UnknownKey("k1".into())
        );
        let opened = keys.open(&sealed, "acme/willo/api_key").await.unwrap();
        assert_eq!(opened.expose_secret(), b"secret");
    }

    #[test]
    fn keys_from_base64_and_never_in_debug() {
        let encoded = base64::engine::general_purpose::STANDARD.encode([3u8; 32]);
        let key = SealingKey::from_base64("k1", &SecretString::from(encoded)).unwrap();
        assert_eq!(format!("{key:?}"), "SealingKey { id: \"k1\", .. }");
        assert!(SealingKey::from_base64("k1", &SecretString::from("c2hvcnQ=")).is_err());
    }
}
