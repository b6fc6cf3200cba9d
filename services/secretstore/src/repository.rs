//! `SecretStore`: typed secrets (any serde type) encrypted with ChaCha20-Poly1305 in `"SecretStore"` under a `Keyring`, with a resumable key rotation, through the generated queries.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlgen_runtime::GenericClient;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::db::secrets::{ListSecretsNotUnderKeyRow, ReplaceSecretIfUnchangedParams};
use crate::db::Queries;

/// The `"version"` this code writes next to each value.
///
/// - `1` (the column default, the format before encryption): `"value"` is the
///   secret itself as JSON. Refused on read: a plain row may have been written
///   by anyone with access to the table, so it is no secret of ours.
/// - `2`: `"value"` is `{nonce, ciphertext}`, the ChaCha20-Poly1305 encryption
///   of the secret's JSON under a random nonce, with the format and the key
///   name as associated data. It does not say which encryption key was used:
///   read by trying each key of the [`Keyring`], and rewritten as `3` by
///   [`SecretStore::rotate`].
/// - `3`: `"value"` is an [`Envelope`]: the same, plus `kid`, the [`KeyId`] of
///   the encryption key, which the associated data binds in too.
pub const FORMAT_VERSION: &str = "3";

/// The format before key ids, still read (see [`FORMAT_VERSION`]).
pub const LEGACY_FORMAT_VERSION: &str = "2";

/// The environment variable [`EncryptionKey::from_env`] reads, as trigger.dev
/// names it: the key new values are written under.
pub const ENCRYPTION_KEY_VAR: &str = "ENCRYPTION_KEY";

/// The environment variable [`Keyring::from_env`] reads the keys of earlier
/// rotations from: comma-separated, each 64 hex characters; unset or empty
/// when there are none.
pub const PREVIOUS_ENCRYPTION_KEYS_VAR: &str = "ENCRYPTION_KEY_PREVIOUS";

/// Bytes of a ChaCha20-Poly1305 nonce.
const NONCE_LEN: usize = 12;

/// A 256-bit key that encrypts secrets.
///
/// It is configuration: 64 hexadecimal characters, for example from
/// `openssl rand -hex 32`. Its `Debug` form shows its [`KeyId`] only, and its
/// bytes are overwritten when it is dropped.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EncryptionKey({})", self.id())
    }
}

impl Drop for EncryptionKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl ZeroizeOnDrop for EncryptionKey {}

/// The public name of an [`EncryptionKey`], stored in each envelope so that a
/// reader knows which key of its [`Keyring`] opens it: 16 hex characters of
/// SHA-256 over a fixed label and the key, which tell nothing about the key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why the configured encryption key cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// The environment variable is not set (or not Unicode).
    Missing { variable: &'static str },
    /// The key does not have 64 characters.
    WrongLength { chars: usize },
    /// A character is not a hexadecimal digit.
    NotHex { position: usize, found: char },
    /// Entry `index` (from 0) of [`PREVIOUS_ENCRYPTION_KEYS_VAR`] is not a key.
    Previous { index: usize, error: Box<KeyError> },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Missing { variable } => write!(
                f,
                "the secret store encryption key is missing: set `{variable}` to 64 hex characters (e.g. `openssl rand -hex 32`)"
            ),
            KeyError::WrongLength { chars } => write!(
                f,
                "the secret store encryption key has {chars} characters, expected 64 hex characters (32 bytes)"
            ),
            KeyError::NotHex { position, found } => write!(
                f,
                "the secret store encryption key has `{found}` at position {position}, expected a hex digit"
            ),
            KeyError::Previous { index, error } => write!(
                f,
                "entry {index} of `{PREVIOUS_ENCRYPTION_KEYS_VAR}`: {error}"
            ),
        }
    }
}

impl std::error::Error for KeyError {}

impl EncryptionKey {
    /// A key from its 64 hexadecimal characters (either letter case; surrounding
    /// whitespace is ignored).
    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars != 64 {
            return Err(KeyError::WrongLength { chars });
        }
        let mut digits = Zeroizing::new([0u8; 64]);
        for (position, found) in text.chars().enumerate() {
            let digit = found
                .to_digit(16)
                .ok_or(KeyError::NotHex { position, found })?;
            // A hex digit is below 16.
            digits[position] = digit as u8;
        }
        let mut key = EncryptionKey([0u8; 32]);
        for (byte, pair) in key.0.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = pair[0] << 4 | pair[1];
        }
        Ok(key)
    }

    /// The key in [`ENCRYPTION_KEY_VAR`].
    pub fn from_env() -> Result<Self, KeyError> {
        let text =
            Zeroizing::new(
                std::env::var(ENCRYPTION_KEY_VAR).map_err(|_| KeyError::Missing {
                    variable: ENCRYPTION_KEY_VAR,
                })?,
            );
        Self::from_hex(&text)
    }

    /// This key's public name.
    pub fn id(&self) -> KeyId {
        let mut hasher = Sha256::new();
        hasher.update(b"kongflow-secretstore/key-id\0");
        hasher.update(self.0);
        let digest = hasher.finalize();
        KeyId(to_hex(&digest[..8]))
    }
}

/// The key new values are written under, and the keys of earlier rotations
/// that values may still be under until [`SecretStore::rotate`] has rewritten
/// them. `Debug` shows key ids only.
#[derive(Clone)]
pub struct Keyring {
    current: EncryptionKey,
    previous: Vec<EncryptionKey>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let previous: Vec<KeyId> = self.previous.iter().map(EncryptionKey::id).collect();
        f.debug_struct("Keyring")
            .field("current", &self.current.id())
            .field("previous", &previous)
            .finish()
    }
}

impl Keyring {
    /// A keyring that writes and reads with `current` only.
    pub fn new(current: EncryptionKey) -> Self {
        Keyring {
            current,
            previous: Vec::new(),
        }
    }

    /// The same keyring, also reading values under `key`.
    pub fn with_previous(mut self, key: EncryptionKey) -> Self {
        self.previous.push(key);
        self
    }

    /// [`ENCRYPTION_KEY_VAR`] as the current key and
    /// [`PREVIOUS_ENCRYPTION_KEYS_VAR`] (if set) as the previous ones.
    ///
    /// Rotating `ENCRYPTION_KEY` is: move the old key to
    /// `ENCRYPTION_KEY_PREVIOUS`, set the new one, deploy everywhere, run
    /// [`SecretStore::rotate`], then drop the old key.
    pub fn from_env() -> Result<Self, KeyError> {
        let mut keyring = Keyring::new(EncryptionKey::from_env()?);
        if let Ok(list) = std::env::var(PREVIOUS_ENCRYPTION_KEYS_VAR) {
            let list = Zeroizing::new(list);
            for (index, text) in list.split(',').filter(|t| !t.trim().is_empty()).enumerate() {
                let key = EncryptionKey::from_hex(text).map_err(|error| KeyError::Previous {
                    index,
                    error: Box::new(error),
                })?;
                keyring = keyring.with_previous(key);
            }
        }
        Ok(keyring)
    }

    /// The id of the key new values are written under.
    pub fn current_id(&self) -> KeyId {
        self.current.id()
    }
}

/// The JSON stored in `"value"`: format 3 has every field, format 2 no `kid`.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The [`KeyId`] of the encryption key (format 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kid: Option<String>,
    /// 12 random bytes, hex.
    nonce: String,
    /// The encrypted JSON of the secret followed by the 16-byte tag, hex.
    ciphertext: String,
}

/// Why decrypted JSON did not fit the requested type: where, and what kind of
/// problem, but not serde's message, which may quote the secret itself
/// (`invalid type: string "hunter2", expected u32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    pub category: serde_json::error::Category,
    pub line: usize,
    pub column: usize,
}

impl From<&serde_json::Error> for DecodeError {
    fn from(error: &serde_json::Error) -> Self {
        DecodeError {
            category: error.classify(),
            line: error.line(),
            column: error.column(),
        }
    }
}

/// Why a secret could not be stored or read.
///
/// No variant holds or prints a secret's value or the server's description of
/// a row: a database failure prints its SQLSTATE only, the rest is in
/// [`SecretStoreError::log_detail`].
#[derive(Debug)]
pub enum SecretStoreError {
    /// The query failed (see [`sqlgen_runtime::Error`]).
    Database(sqlgen_runtime::Error),
    /// There is no secret under the key ([`SecretStore::get_or_error`]).
    NotFound { key: String },
    /// The value could not be turned into JSON.
    Encode {
        key: String,
        source: serde_json::Error,
    },
    /// The decrypted JSON does not have the shape of the requested type.
    Decode { key: String, error: DecodeError },
    /// The row was written in a format this code does not read.
    UnsupportedVersion { key: String, version: String },
    /// The stored value is not an envelope of this format.
    Malformed { key: String, reason: &'static str },
    /// The value was written under an encryption key the keyring does not
    /// hold.
    UnknownKey { key: String, kid: String },
    /// The value does not decrypt: it was changed, copied from another key or
    /// encrypted with another encryption key.
    Decrypt { key: String },
    /// The operating system could not produce a nonce.
    Entropy(getrandom::Error),
}

impl fmt::Display for SecretStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretStoreError::Database(error) => {
                f.write_str("secret store query failed: ")?;
                shared::errors::write_public(error, f)
            }
            SecretStoreError::NotFound { key } => write!(f, "secret `{key}` does not exist"),
            SecretStoreError::Encode { key, source } => {
                write!(f, "cannot encode secret `{key}` as JSON: {source}")
            }
            SecretStoreError::Decode { key, error } => write!(
                f,
                "secret `{key}` does not have the requested shape ({:?} error at line {}, column {})",
                error.category, error.line, error.column
            ),
            SecretStoreError::UnsupportedVersion { key, version } => write!(
                f,
                "secret `{key}` has format version `{version}`, expected `{FORMAT_VERSION}` (or `{LEGACY_FORMAT_VERSION}`)"
            ),
            SecretStoreError::Malformed { key, reason } => {
                write!(f, "secret `{key}` is not a valid encrypted value: {reason}")
            }
            SecretStoreError::UnknownKey { key, kid } => write!(
                f,
                "secret `{key}` is encrypted under key `{kid}`, which is not in the keyring"
            ),
            SecretStoreError::Decrypt { key } => write!(
                f,
                "secret `{key}` does not decrypt: it was altered, moved from another key, or encrypted with another key"
            ),
            SecretStoreError::Entropy(error) => {
                write!(f, "cannot generate a nonce: {error}")
            }
        }
    }
}

impl std::error::Error for SecretStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SecretStoreError::Database(error) => Some(error),
            SecretStoreError::Encode { source, .. } => Some(source),
            SecretStoreError::Entropy(error) => Some(error),
            SecretStoreError::NotFound { .. }
            | SecretStoreError::Decode { .. }
            | SecretStoreError::UnsupportedVersion { .. }
            | SecretStoreError::Malformed { .. }
            | SecretStoreError::UnknownKey { .. }
            | SecretStoreError::Decrypt { .. } => None,
        }
    }
}

impl SecretStoreError {
    /// Everything about the failure, for logs: unlike `Display`, this includes
    /// the server's message and `DETAIL` of a database failure.
    pub fn log_detail(&self) -> String {
        shared::errors::log_detail(self)
    }
}

impl From<sqlgen_runtime::Error> for SecretStoreError {
    fn from(error: sqlgen_runtime::Error) -> Self {
        SecretStoreError::Database(error)
    }
}

/// What one [`SecretStore::rotate_batch`] did.
#[derive(Debug, Default)]
pub struct RotationBatch {
    /// Values rewritten under the current key.
    pub rotated: u64,
    /// Values a writer replaced between this batch's read and its rewrite;
    /// they were left as the writer wrote them (under the writer's current
    /// key).
    pub changed_concurrently: u64,
    /// Values that could not be read (an unknown key, tampering): left as they
    /// are, for someone to look at.
    pub unreadable: Vec<SecretStoreError>,
    /// Where the next batch starts; `None` when this batch reached the end.
    pub next_after: Option<String>,
}

/// What a whole [`SecretStore::rotate`] did.
#[derive(Debug, Default)]
pub struct RotationReport {
    pub rotated: u64,
    pub batches: u64,
    /// See [`RotationBatch::changed_concurrently`]; counted in the last pass.
    pub changed_concurrently: u64,
    /// See [`RotationBatch::unreadable`]; from the last pass.
    pub unreadable: Vec<SecretStoreError>,
}

/// How many passes [`SecretStore::rotate`] makes at most while writers keep
/// replacing values it read.
const MAX_ROTATION_PASSES: usize = 3;

/// Encrypted secrets addressed by key, on any client or transaction it borrows.
pub struct SecretStore<'c, C> {
    client: &'c C,
    /// The current key first, then the previous ones; each cipher zeroizes its
    /// key when dropped.
    ciphers: Vec<(KeyId, ChaCha20Poly1305)>,
}

impl<C> fmt::Debug for SecretStore<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&KeyId> = self.ciphers.iter().map(|(id, _)| id).collect();
        f.debug_struct("SecretStore")
            .field("keys", &ids)
            .finish_non_exhaustive()
    }
}

impl<'c, C: GenericClient> SecretStore<'c, C> {
    /// A store that writes and reads with one key.
    pub fn new(client: &'c C, key: &EncryptionKey) -> Self {
        Self::with_keyring(client, &Keyring::new(key.clone()))
    }

    /// A store that writes with the keyring's current key and reads with any
    /// of its keys.
    pub fn with_keyring(client: &'c C, keyring: &Keyring) -> Self {
        let ciphers = std::iter::once(&keyring.current)
            .chain(&keyring.previous)
            .map(|key| (key.id(), ChaCha20Poly1305::new(Key::from_slice(&key.0))))
            .collect();
        SecretStore { client, ciphers }
    }

    /// The secret stored under `key`, decrypted and decoded as `T`; `None` if
    /// there is none.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SecretStoreError> {
        let Some(row) = self.client.get_secret_value(key).await? else {
            return Ok(None);
        };
        let plaintext = self.open(key, &row.version, row.value)?;
        serde_json::from_slice(&plaintext)
            .map(Some)
            .map_err(|error| SecretStoreError::Decode {
                key: key.to_owned(),
                error: DecodeError::from(&error),
            })
    }

    /// The secret stored under `key`; its absence is [`SecretStoreError::NotFound`].
    pub async fn get_or_error<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<T, SecretStoreError> {
        self.get(key)
            .await?
            .ok_or_else(|| SecretStoreError::NotFound {
                key: key.to_owned(),
            })
    }

    /// Stores `value` under `key`, replacing what was there.
    ///
    /// One upsert statement, so concurrent writers to one key never fail: the
    /// last one to commit wins.
    pub async fn set<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), SecretStoreError> {
        let envelope = self.seal(key, value)?;
        self.client
            .upsert_secret(key, &envelope, FORMAT_VERSION)
            .await?;
        Ok(())
    }

    /// Stores `value` under `key` unless the key is taken; tells whether it
    /// stored it.
    ///
    /// For secrets created once and never rotated (a generated signing key):
    /// two processes racing to create it both end up using the same value.
    pub async fn set_if_absent<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<bool, SecretStoreError> {
        let envelope = self.seal(key, value)?;
        let inserted = self
            .client
            .create_secret_if_absent(key, &envelope, FORMAT_VERSION)
            .await?;
        Ok(inserted == 1)
    }

    /// Deletes the secret under `key`; tells whether there was one.
    pub async fn delete(&self, key: &str) -> Result<bool, SecretStoreError> {
        Ok(self.client.delete_secret(key).await? == 1)
    }

    /// Rewrites every value that is not yet under the keyring's current key
    /// (older keys, format 2), in batches of `batch_size`, while reads and
    /// writes go on.
    ///
    /// Each value is swapped by its own compare-and-swap statement: a value a
    /// writer replaced meanwhile is left as written, and nothing holds a lock
    /// between statements. Run it on a plain client, not in a transaction: then
    /// an interrupted rotation keeps what it did, and running it again resumes
    /// (the values already under the current key are not even read). Values
    /// that cannot be read are reported, not fatal. A pass that met concurrent
    /// writers is followed by another, up to three.
    pub async fn rotate(&self, batch_size: u32) -> Result<RotationReport, SecretStoreError> {
        let mut report = RotationReport::default();
        for _ in 0..MAX_ROTATION_PASSES {
            report.changed_concurrently = 0;
            report.unreadable.clear();
            let mut after: Option<String> = None;
            loop {
                let batch = self.rotate_batch(after.as_deref(), batch_size).await?;
                report.batches += 1;
                report.rotated += batch.rotated;
                report.changed_concurrently += batch.changed_concurrently;
                report.unreadable.extend(batch.unreadable);
                match batch.next_after {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            if report.changed_concurrently == 0 {
                break;
            }
        }
        Ok(report)
    }

    /// One batch of [`SecretStore::rotate`]: up to `limit` values not under the
    /// current key, in key order after `after`. For a caller that paces a
    /// rotation itself (a job that sleeps between batches, or keeps the cursor
    /// across restarts).
    pub async fn rotate_batch(
        &self,
        after: Option<&str>,
        limit: u32,
    ) -> Result<RotationBatch, SecretStoreError> {
        let limit = limit.max(1);
        let current = self.ciphers[0].0.as_str();
        let rows = self
            .client
            .list_secrets_not_under_key(after, current, i64::from(limit))
            .await?;
        let mut batch = RotationBatch {
            next_after: if rows.len() == limit as usize {
                rows.last().map(|row| row.key.clone())
            } else {
                None
            },
            ..RotationBatch::default()
        };
        for row in rows {
            let ListSecretsNotUnderKeyRow {
                key,
                value,
                version,
            } = row;
            let resealed = match self.open(&key, &version, value.clone()) {
                Ok(plaintext) => self.seal_bytes(&key, &plaintext)?,
                Err(error) => {
                    batch.unreadable.push(error);
                    continue;
                }
            };
            let swapped = self
                .client
                .replace_secret_if_unchanged(&ReplaceSecretIfUnchangedParams {
                    value: &resealed,
                    version: FORMAT_VERSION,
                    key: &key,
                    old_value: &value,
                    old_version: &version,
                })
                .await?;
            if swapped == 1 {
                batch.rotated += 1;
            } else {
                batch.changed_concurrently += 1;
            }
        }
        Ok(batch)
    }

    /// The envelope of `value` for `key` under the current key.
    fn seal<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<serde_json::Value, SecretStoreError> {
        let plaintext = Zeroizing::new(serde_json::to_vec(value).map_err(|source| {
            SecretStoreError::Encode {
                key: key.to_owned(),
                source,
            }
        })?);
        self.seal_bytes(key, &plaintext)
    }

    /// The envelope of the JSON `plaintext` for `key`, under the current key and
    /// a fresh random nonce.
    fn seal_bytes(
        &self,
        key: &str,
        plaintext: &[u8],
    ) -> Result<serde_json::Value, SecretStoreError> {
        let (kid, cipher) = &self.ciphers[0];
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(SecretStoreError::Entropy)?;
        let aad = associated_data(FORMAT_VERSION, Some(kid.as_str()), key);
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            // Encryption fails only for messages beyond 256 GiB.
            .map_err(|_| SecretStoreError::Malformed {
                key: key.to_owned(),
                reason: "the value is too large to encrypt",
            })?;
        let envelope = Envelope {
            kid: Some(kid.0.clone()),
            nonce: to_hex(&nonce),
            ciphertext: to_hex(&ciphertext),
        };
        serde_json::to_value(envelope).map_err(|source| SecretStoreError::Encode {
            key: key.to_owned(),
            source,
        })
    }

    /// The plaintext inside the envelope stored under `key` in format
    /// `version`, overwritten when dropped.
    fn open(
        &self,
        key: &str,
        version: &str,
        value: serde_json::Value,
    ) -> Result<Zeroizing<Vec<u8>>, SecretStoreError> {
        let malformed = |reason| SecretStoreError::Malformed {
            key: key.to_owned(),
            reason,
        };
        if version != FORMAT_VERSION && version != LEGACY_FORMAT_VERSION {
            return Err(SecretStoreError::UnsupportedVersion {
                key: key.to_owned(),
                version: version.to_owned(),
            });
        }
        let envelope: Envelope = serde_json::from_value(value)
            .map_err(|_| malformed("expected an object with `nonce` and `ciphertext`"))?;
        let nonce = from_hex(&envelope.nonce).ok_or(malformed("the nonce is not hex"))?;
        if nonce.len() != NONCE_LEN {
            return Err(malformed("the nonce is not 12 bytes"));
        }
        let ciphertext =
            from_hex(&envelope.ciphertext).ok_or(malformed("the ciphertext is not hex"))?;
        let decrypt = |cipher: &ChaCha20Poly1305, kid: Option<&str>| {
            let aad = associated_data(version, kid, key);
            cipher
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &ciphertext,
                        aad: &aad,
                    },
                )
                .ok()
                .map(Zeroizing::new)
        };
        let plaintext = if version == FORMAT_VERSION {
            let kid = envelope.kid.ok_or(malformed("the envelope has no `kid`"))?;
            let Some((_, cipher)) = self.ciphers.iter().find(|(id, _)| id.0 == kid) else {
                return Err(SecretStoreError::UnknownKey {
                    key: key.to_owned(),
                    kid,
                });
            };
            decrypt(cipher, Some(&kid))
        } else {
            // Format 2 does not name its key: the one that authenticates the
            // ciphertext is the one.
            self.ciphers
                .iter()
                .find_map(|(_, cipher)| decrypt(cipher, None))
        };
        plaintext.ok_or_else(|| SecretStoreError::Decrypt {
            key: key.to_owned(),
        })
    }
}

/// What each ciphertext is bound to besides the encryption key: the format, the
/// key id (format 3) and the secret's name, so a value decrypts only under the
/// name it was written for.
fn associated_data(version: &str, kid: Option<&str>, key: &str) -> Vec<u8> {
    match kid {
        Some(kid) => format!("kongflow-secretstore/v{version}/{kid}/{key}"),
        None => format!("kongflow-secretstore/v{version}/{key}"),
    }
    .into_bytes()
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    hex
}

fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    hex.as_bytes()
        .chunks_exact(2)
        .map(|pair| {
            let high = char::from(pair[0]).to_digit(16)?;
            let low = char::from(pair[1]).to_digit(16)?;
            Some((high << 4 | low) as u8)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        assert_eq!(to_hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(from_hex("ABff"), Some(vec![0xab, 0xff]));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }

    #[test]
    fn encryption_key_reads_64_hex_characters() {
        let key = EncryptionKey::from_hex(&"0f".repeat(32)).unwrap();
        assert_eq!(key.0, [0x0f; 32]);
        assert_eq!(format!("{key:?}"), format!("EncryptionKey({})", key.id()));
        let upper = EncryptionKey::from_hex(&format!(" {}\n", "AB".repeat(32))).unwrap();
        assert_eq!(upper.0, [0xab; 32]);
    }

    #[test]
    fn malformed_encryption_keys_say_what_is_wrong() {
        assert_eq!(
            EncryptionKey::from_hex("").unwrap_err(),
            KeyError::WrongLength { chars: 0 }
        );
        assert_eq!(
            EncryptionKey::from_hex(&"a".repeat(32)).unwrap_err(),
            KeyError::WrongLength { chars: 32 }
        );
        let mut text = "a".repeat(64);
        text.replace_range(10..11, "g");
        assert_eq!(
            EncryptionKey::from_hex(&text).unwrap_err(),
            KeyError::NotHex {
                position: 10,
                found: 'g'
            }
        );
        // 64 characters but not 64 bytes: counted as characters, refused as hex.
        let accented = format!("é{}", "a".repeat(63));
        assert_eq!(
            EncryptionKey::from_hex(&accented).unwrap_err(),
            KeyError::NotHex {
                position: 0,
                found: 'é'
            }
        );
        assert_eq!(
            KeyError::WrongLength { chars: 3 }.to_string(),
            "the secret store encryption key has 3 characters, expected 64 hex characters (32 bytes)"
        );
    }

    #[test]
    fn key_material_is_zeroized_on_drop_and_never_debug_printed() {
        fn zeroized_on_drop<T: ZeroizeOnDrop>() {}
        zeroized_on_drop::<EncryptionKey>();
        zeroized_on_drop::<ChaCha20Poly1305>();

        let current = EncryptionKey::from_hex(&"5a".repeat(32)).unwrap();
        let previous = EncryptionKey::from_hex(&"c3".repeat(32)).unwrap();
        let keyring = Keyring::new(current.clone()).with_previous(previous.clone());
        let debug = format!("{current:?} {previous:#?} {keyring:?} {keyring:#?}");
        for hex in ["5a5a5a5a", "c3c3c3c3", "5A5A5A5A", "C3C3C3C3"] {
            assert!(!debug.contains(hex), "{debug}");
        }
        assert!(debug.contains(current.id().as_str()), "{debug}");
        assert!(debug.contains(previous.id().as_str()), "{debug}");
        assert_eq!(keyring.current_id(), current.id());
    }

    #[test]
    fn key_ids_are_stable_distinct_and_short() {
        let a = EncryptionKey::from_hex(&"00".repeat(32)).unwrap();
        let b = EncryptionKey::from_hex(&"01".repeat(32)).unwrap();
        assert_eq!(a.id(), a.clone().id());
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().as_str().len(), 16);
        assert!(a.id().as_str().bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
