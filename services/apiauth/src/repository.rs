//! `AccessTokens`: issuing and authenticating personal and organization access tokens over the generated queries.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use sqlgen_runtime::{Error, GenericClient};
use uuid::Uuid;

use crate::db::models::{
    OrganizationAccessToken, OrganizationAccessTokenType, PersonalAccessToken,
};
use crate::db::organization_access_tokens::{
    CreateOrganizationAccessTokenParams, GetActiveOrganizationAccessTokenByHashRow,
};
use crate::db::personal_access_tokens::{
    CreatePersonalAccessTokenParams, GetActivePersonalAccessTokenByHashRow,
};
use crate::db::Queries;

/// How many characters of the secret part of a token stay readable in its
/// obfuscated form: enough for a user to tell their tokens apart, far too few
/// to guess the rest.
const VISIBLE_SECRET_CHARS: usize = 4;

/// The lower-case hex SHA-256 of a token, the form `hashed_token` stores.
///
/// The plain token is never stored, so a leaked table does not leak working
/// tokens; a fast hash is enough because tokens are long random strings, not
/// passwords.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest.iter() {
        // Writing into a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The displayable form of a token: its prefix (up to the last `_`) and the
/// first few characters after it, then bullets, e.g. `tr_pat_abcd••••••••`.
pub fn obfuscate_token(token: &str) -> String {
    let secret_start = token.rfind('_').map_or(0, |underscore| underscore + 1);
    let visible: String = token[..secret_start]
        .chars()
        .chain(token[secret_start..].chars().take(VISIBLE_SECRET_CHARS))
        .collect();
    format!("{visible}••••••••")
}

/// An organization access token about to be issued.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewOrganizationToken<'a> {
    pub organization_id: Uuid,
    pub name: &'a str,
    pub token: &'a str,
    pub r#type: OrganizationAccessTokenType,
    /// `None` for tokens the system creates on its own.
    pub created_by_user_id: Option<Uuid>,
    pub scopes: &'a [String],
    pub expires_at: Option<time::OffsetDateTime>,
}

/// Personal and organization access tokens, on any client or transaction it
/// borrows.
#[derive(Debug)]
pub struct AccessTokens<'c, C> {
    client: &'c C,
}

impl<'c, C: GenericClient> AccessTokens<'c, C> {
    pub fn new(client: &'c C) -> Self {
        AccessTokens { client }
    }

    /// Stores a new personal access token of a user; only its hash and its
    /// obfuscated form are kept in clear.
    pub async fn issue_personal_token(
        &self,
        user_id: Uuid,
        name: &str,
        token: &str,
        encrypted_token: &serde_json::Value,
    ) -> Result<PersonalAccessToken, Error> {
        self.client
            .create_personal_access_token(&CreatePersonalAccessTokenParams {
                name,
                user_id,
                hashed_token: &hash_token(token),
                encrypted_token,
                obfuscated_token: &obfuscate_token(token),
            })
            .await
    }

    /// The active personal access token `token`, with its user, and marks it as
    /// used now; `None` if it is unknown or revoked.
    ///
    /// The returned `last_accessed_at` is the previous use, read before this one
    /// was recorded: what a "last used" column in the UI wants to show.
    pub async fn authenticate_personal(
        &self,
        token: &str,
    ) -> Result<Option<GetActivePersonalAccessTokenByHashRow>, Error> {
        let found = self
            .client
            .get_active_personal_access_token_by_hash(&hash_token(token))
            .await?;
        if let Some(found) = &found {
            self.client.touch_personal_access_token(found.id).await?;
        }
        Ok(found)
    }

    /// Revokes one of the user's tokens; `false` if it does not exist, belongs to
    /// someone else or is already revoked.
    pub async fn revoke_personal_token(&self, user_id: Uuid, id: Uuid) -> Result<bool, Error> {
        Ok(self
            .client
            .revoke_personal_access_token(id, user_id)
            .await?
            == 1)
    }

    /// Stores a new organization access token; only its hash and its obfuscated
    /// form are kept.
    pub async fn issue_organization_token(
        &self,
        new: &NewOrganizationToken<'_>,
    ) -> Result<OrganizationAccessToken, Error> {
        self.client
            .create_organization_access_token(&CreateOrganizationAccessTokenParams {
                name: new.name,
                r#type: new.r#type,
                organization_id: new.organization_id,
                created_by_user_id: new.created_by_user_id,
                hashed_token: &hash_token(new.token),
                obfuscated_token: &obfuscate_token(new.token),
                scopes: new.scopes,
                expires_at: new.expires_at,
            })
            .await
    }

    /// The organization access token `token` if it is usable (not revoked, not
    /// expired, organization not deleted), and marks it as used now.
    pub async fn authenticate_organization(
        &self,
        token: &str,
    ) -> Result<Option<GetActiveOrganizationAccessTokenByHashRow>, Error> {
        let found = self
            .client
            .get_active_organization_access_token_by_hash(&hash_token(token))
            .await?;
        if let Some(found) = &found {
            self.client
                .touch_organization_access_token(found.id)
                .await?;
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_token_is_lower_case_hex_sha256() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn obfuscate_token_keeps_prefix_and_four_secret_characters() {
        assert_eq!(
            obfuscate_token("tr_pat_abcdefghijkl"),
            "tr_pat_abcd••••••••"
        );
        assert_eq!(obfuscate_token("abcdefgh"), "abcd••••••••");
        assert_eq!(obfuscate_token("tr_oat_ab"), "tr_oat_ab••••••••");
    }
}
