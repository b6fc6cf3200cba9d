//! `SecretStore`: typed secrets (any serde type) stored as JSON in `"SecretStore"` through the generated queries.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlgen_runtime::GenericClient;

use crate::db::Queries;

/// The `"version"` this code writes next to each value.
///
/// The column says how `"value"` is laid out, so that a later format (an
/// encrypted envelope, say) can be told apart from rows written by this one.
pub const FORMAT_VERSION: &str = "1";

/// Why a secret could not be stored or read.
#[derive(Debug)]
pub enum SecretStoreError {
    /// The query failed (see [`sqlgen_runtime::Error`]).
    Database(sqlgen_runtime::Error),
    /// The value could not be turned into JSON.
    Encode {
        key: String,
        source: serde_json::Error,
    },
    /// The stored JSON does not have the shape of the requested type.
    Decode {
        key: String,
        source: serde_json::Error,
    },
    /// The row was written in a format this code does not read.
    UnsupportedVersion { key: String, version: String },
}

impl fmt::Display for SecretStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretStoreError::Database(error) => write!(f, "secret store query failed: {error}"),
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
            SecretStoreError::UnsupportedVersion { .. } => None,
        }
    }
}

impl From<sqlgen_runtime::Error> for SecretStoreError {
    fn from(error: sqlgen_runtime::Error) -> Self {
        SecretStoreError::Database(error)
    }
}

/// Secrets addressed by key, on any client or transaction it borrows.
#[derive(Debug)]
pub struct SecretStore<'c, C> {
    client: &'c C,
}

impl<'c, C: GenericClient> SecretStore<'c, C> {
    pub fn new(client: &'c C) -> Self {
        SecretStore { client }
    }

    /// The secret stored under `key`, decoded as `T`; `None` if there is none.
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
        serde_json::from_value(row.value)
            .map(Some)
            .map_err(|source| SecretStoreError::Decode {
                key: key.to_owned(),
                source,
            })
    }

    /// Stores `value` under `key`, replacing what was there.
    pub async fn set<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), SecretStoreError> {
        let json = encode(key, value)?;
        self.client
            .upsert_secret(key, &json, FORMAT_VERSION)
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
        let json = encode(key, value)?;
        // The query leaves "version" to the column default, '1', which is
        // FORMAT_VERSION; a test checks that they agree.
        let inserted = self.client.create_secret_if_absent(key, &json).await?;
        Ok(inserted == 1)
    }

    /// Deletes the secret under `key`; tells whether there was one.
    pub async fn delete(&self, key: &str) -> Result<bool, SecretStoreError> {
        Ok(self.client.delete_secret(key).await? == 1)
    }
}

fn encode<T: Serialize + ?Sized>(
    key: &str,
    value: &T,
) -> Result<serde_json::Value, SecretStoreError> {
    serde_json::to_value(value).map_err(|source| SecretStoreError::Encode {
        key: key.to_owned(),
        source,
    })
}
