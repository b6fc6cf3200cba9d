//! `SecretStore`: typed secrets (any serde type) encrypted with ChaCha20-Poly1305 in `"SecretStore"`, through the generated queries.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sqlgen_runtime::GenericClient;

use crate::db::Queries;

/// The `"version"` this code writes next to each value, and the only one it
/// reads.
///
/// - `1` (the column default, the format before encryption): `"value"` is the
///   secret itself as JSON. Refused on read: a plain row may have been written
///   by anyone with access to the table, so it is no secret of ours.
/// - `2`: `"value"` is an [`Envelope`], the ChaCha20-Poly1305 encryption of the
///   secret's JSON under a random nonce, with the key name as associated data.
pub const FORMAT_VERSION: &str = "2";

/// The environment variable [`EncryptionKey::from_env`] reads, as trigger.dev
/// names it.
pub const ENCRYPTION_KEY_VAR: &str = "ENCRYPTION_KEY";

/// Bytes of a ChaCha20-Poly1305 nonce.
const NONCE_LEN: usize = 12;

/// The 256-bit key that encrypts every secret.
///
/// It is configuration: 64 hexadecimal characters, for example from
/// `openssl rand -hex 32`. Its `Debug` form does not show it.
#[derive(Clone)]
pub struct EncryptionKey([u8; 32]);

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey(..)")
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
        let mut digits = [0u8; 64];
        for (position, found) in text.chars().enumerate() {
            let digit = found
                .to_digit(16)
                .ok_or(KeyError::NotHex { position, found })?;
            // A hex digit is below 16.
            digits[position] = digit as u8;
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = pair[0] << 4 | pair[1];
        }
        Ok(EncryptionKey(bytes))
    }

    /// The key in [`ENCRYPTION_KEY_VAR`].
    pub fn from_env() -> Result<Self, KeyError> {
        let text = std::env::var(ENCRYPTION_KEY_VAR).map_err(|_| KeyError::Missing {
            variable: ENCRYPTION_KEY_VAR,
        })?;
        Self::from_hex(&text)
    }
}

/// The JSON stored in `"value"` for format version 2.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// 12 random bytes, hex.
    nonce: String,
    /// The encrypted JSON of the secret followed by the 16-byte tag, hex.
    ciphertext: String,
}

/// Why a secret could not be stored or read.
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
    Decode {
        key: String,
        source: serde_json::Error,
    },
    /// The row was written in a format this code does not read.
    UnsupportedVersion { key: String, version: String },
    /// The stored value is not an envelope of this format.
    Malformed { key: String, reason: &'static str },
    /// The value does not decrypt: it was changed, copied from another key or
    /// encrypted with another encryption key.
    Decrypt { key: String },
    /// The operating system could not produce a nonce.
    Entropy(getrandom::Error),
}

impl fmt::Display for SecretStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretStoreError::Database(error) => write!(f, "secret store query failed: {error}"),
            SecretStoreError::NotFound { key } => write!(f, "secret `{key}` does not exist"),
            SecretStoreError::Encode { key, source } => {
                write!(f, "cannot encode secret `{key}` as JSON: {source}")
            }
            SecretStoreError::Decode { key, source } => {
                write!(
                    f,
                    "secret `{key}` does not have the requested shape: {source}"
                )
            }
            SecretStoreError::UnsupportedVersion { key, version } => write!(
                f,
                "secret `{key}` has format version `{version}`, expected `{FORMAT_VERSION}`"
            ),
            SecretStoreError::Malformed { key, reason } => {
                write!(f, "secret `{key}` is not a valid encrypted value: {reason}")
            }
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
            SecretStoreError::Encode { source, .. } | SecretStoreError::Decode { source, .. } => {
                Some(source)
            }
            SecretStoreError::Entropy(error) => Some(error),
            SecretStoreError::NotFound { .. }
            | SecretStoreError::UnsupportedVersion { .. }
            | SecretStoreError::Malformed { .. }
            | SecretStoreError::Decrypt { .. } => None,
        }
    }
}

impl From<sqlgen_runtime::Error> for SecretStoreError {
    fn from(error: sqlgen_runtime::Error) -> Self {
        SecretStoreError::Database(error)
    }
}

/// Encrypted secrets addressed by key, on any client or transaction it borrows.
pub struct SecretStore<'c, C> {
    client: &'c C,
    cipher: ChaCha20Poly1305,
}

impl<C> fmt::Debug for SecretStore<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretStore").finish_non_exhaustive()
    }
}

impl<'c, C: GenericClient> SecretStore<'c, C> {
    pub fn new(client: &'c C, key: &EncryptionKey) -> Self {
        SecretStore {
            client,
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key.0)),
        }
    }

    /// The secret stored under `key`, decrypted and decoded as `T`; `None` if
    /// there is none.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, SecretStoreError> {
        let Some(row) = self.client.get_secret_value(key).await? else {
            return Ok(None);
        };
        if row.version != FORMAT_VERSION {
            return Err(SecretStoreError::UnsupportedVersion {
                key: key.to_owned(),
                version: row.version,
            });
        }
        let plaintext = self.open(key, row.value)?;
        serde_json::from_slice(&plaintext)
            .map(Some)
            .map_err(|source| SecretStoreError::Decode {
                key: key.to_owned(),
                source,
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

    /// The envelope of `value` for `key`, under a fresh random nonce.
    fn seal<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<serde_json::Value, SecretStoreError> {
        let plaintext = serde_json::to_vec(value).map_err(|source| SecretStoreError::Encode {
            key: key.to_owned(),
            source,
        })?;
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(SecretStoreError::Entropy)?;
        let aad = associated_data(key);
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &plaintext,
                    aad: &aad,
                },
            )
            // Encryption fails only for messages beyond 256 GiB.
            .map_err(|_| SecretStoreError::Malformed {
                key: key.to_owned(),
                reason: "the value is too large to encrypt",
            })?;
        let envelope = Envelope {
            nonce: to_hex(&nonce),
            ciphertext: to_hex(&ciphertext),
        };
        serde_json::to_value(envelope).map_err(|source| SecretStoreError::Encode {
            key: key.to_owned(),
            source,
        })
    }

    /// The plaintext inside the envelope stored under `key`.
    fn open(&self, key: &str, value: serde_json::Value) -> Result<Vec<u8>, SecretStoreError> {
        let malformed = |reason| SecretStoreError::Malformed {
            key: key.to_owned(),
            reason,
        };
        let envelope: Envelope = serde_json::from_value(value)
            .map_err(|_| malformed("expected an object with `nonce` and `ciphertext`"))?;
        let nonce = from_hex(&envelope.nonce).ok_or(malformed("the nonce is not hex"))?;
        if nonce.len() != NONCE_LEN {
            return Err(malformed("the nonce is not 12 bytes"));
        }
        let ciphertext =
            from_hex(&envelope.ciphertext).ok_or(malformed("the ciphertext is not hex"))?;
        let aad = associated_data(key);
        self.cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| SecretStoreError::Decrypt {
                key: key.to_owned(),
            })
    }
}

/// What each ciphertext is bound to besides the encryption key: the format and
/// the key name, so a value decrypts only under the key it was written for.
fn associated_data(key: &str) -> Vec<u8> {
    format!("kongflow-secretstore/v{FORMAT_VERSION}/{key}").into_bytes()
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
        assert_eq!(format!("{key:?}"), "EncryptionKey(..)");
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
}
