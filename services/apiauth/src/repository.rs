//! `ApiAuth`: personal and organization access tokens and environment API keys (issuing, listing, revoking, authenticating) over the generated queries of `apiauth` and `shared`.
//!
//! # What a rejection tells the caller
//!
//! Every rejection is an [`AuthError`] that says why, and none says whether
//! some *other* credential exists:
//! - the kind of a credential ([`CredentialKind`]) is read from its prefix
//!   alone (`tr_pat_`, `tr_oat_`, `tr_dev_`/`tr_stg_`/`tr_prod_`/`tr_preview_`,
//!   `pk_<env>_`), and a kind the call does not allow is refused before any
//!   lookup, so [`AuthError::KindNotAllowed`] is the same whether or not such a
//!   credential exists;
//! - a credential is looked up only in the table of its own kind, by its exact
//!   value (tokens by their SHA-256), so [`AuthError::Unknown`] means "no
//!   credential is this string", never "a credential like this exists
//!   elsewhere";
//! - [`AuthError::Expired`] and [`AuthError::Revoked`] are told only to whoever
//!   presents the complete token, that is, someone who holds or held its 200-odd
//!   random bits; a guesser only ever sees `Unknown`.
//!
//! trigger.dev answers every failed token lookup with one generic "invalid"
//! response; the finer reasons here are for the holder (a CLI can say "your
//! token expired, create a new one") and follow the rules above.
//!
//! # Load
//!
//! Authentication reads; it writes only to record a token's use, at most once
//! a minute per token (`last_accessed_at` is that precise), and not at all in a
//! read-only transaction (a replica, or a caller that asked for one). So a busy
//! token does not make every request queue for its row lock, and revoking it
//! waits for no one.

use std::fmt;

use shared::api_keys::{self, EntropyError, EnvironmentKeyKind, PlainKey};
use shared::db::models::OrgMemberRole;
use shared::db::Queries as SharedQueries;
use shared::errors;
use shared::service::KeyEnvironment;
use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::GenericClient;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db::models::{
    OrganizationAccessToken, OrganizationAccessTokenType, PersonalAccessToken,
};
use crate::db::organization_access_tokens::{
    CreateOrganizationAccessTokenParams, ListOrganizationAccessTokensRow,
};
use crate::db::personal_access_tokens::{
    CreatePersonalAccessTokenParams, ListPersonalAccessTokensForUserParams,
    ListPersonalAccessTokensForUserRow,
};
use crate::db::Queries;

/// Prefix of personal access tokens.
pub const PERSONAL_ACCESS_TOKEN_PREFIX: &str = "tr_pat_";
/// Prefix of organization access tokens.
pub const ORGANIZATION_ACCESS_TOKEN_PREFIX: &str = "tr_oat_";
/// Random characters after the prefix of an access token: 40 of `[a-z0-9]`,
/// about 206 bits.
pub const TOKEN_RANDOM_LEN: usize = 40;

/// The scopes an organization access token may be given; any other is
/// refused when the token is created.
pub const KNOWN_SCOPES: [&str; 8] = [
    "read:runs",
    "write:runs",
    "read:deployments",
    "write:deployments",
    "read:environments",
    "write:environments",
    "read:projects",
    "write:projects",
];

pub use shared::api_keys::{hash_token, obfuscate_token};

fn new_token(prefix: &str) -> Result<PlainKey, EntropyError> {
    PlainKey::generate(prefix, TOKEN_RANDOM_LEN)
}

/// The kinds of credential a request can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialKind {
    /// `tr_pat_...`: acts as a user.
    PersonalAccessToken,
    /// `tr_oat_...`: acts for an organization.
    OrganizationAccessToken,
    /// `tr_dev_...`, `tr_stg_...`, `tr_prod_...`, `tr_preview_...`: a runtime
    /// environment's secret key.
    SecretApiKey,
    /// `pk_<env>_...`: a runtime environment's public key.
    PublicApiKey,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 4] = [
        CredentialKind::PersonalAccessToken,
        CredentialKind::OrganizationAccessToken,
        CredentialKind::SecretApiKey,
        CredentialKind::PublicApiKey,
    ];

    /// The kind a credential claims by its shape; `None` for anything else.
    pub fn of(credential: &str) -> Option<CredentialKind> {
        let token_kind = [
            (
                PERSONAL_ACCESS_TOKEN_PREFIX,
                CredentialKind::PersonalAccessToken,
            ),
            (
                ORGANIZATION_ACCESS_TOKEN_PREFIX,
                CredentialKind::OrganizationAccessToken,
            ),
        ]
        .into_iter()
        .find_map(|(prefix, kind)| {
            let random = credential.strip_prefix(prefix)?;
            let well_formed = random.len() == TOKEN_RANDOM_LEN
                && random
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            Some(well_formed.then_some(kind))
        });
        if let Some(kind) = token_kind {
            return kind;
        }
        match api_keys::parse_environment_key(credential)?.0 {
            EnvironmentKeyKind::Secret => Some(CredentialKind::SecretApiKey),
            EnvironmentKeyKind::Public => Some(CredentialKind::PublicApiKey),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            CredentialKind::PersonalAccessToken => "personal access token",
            CredentialKind::OrganizationAccessToken => "organization access token",
            CredentialKind::SecretApiKey => "secret API key",
            CredentialKind::PublicApiKey => "public API key",
        }
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Which kinds of credential one call accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthOptions {
    allowed: [bool; 4],
}

impl AuthOptions {
    /// Every kind.
    pub const ANY: AuthOptions = AuthOptions { allowed: [true; 4] };

    /// Only the kinds listed.
    pub fn only(kinds: &[CredentialKind]) -> Self {
        let mut allowed = [false; 4];
        for kind in kinds {
            allowed[Self::index(*kind)] = true;
        }
        AuthOptions { allowed }
    }

    /// What trigger.dev's API routes accept by default: an environment's
    /// secret key, and its public key only where `allow_public_key` says so.
    pub fn environment(allow_public_key: bool) -> Self {
        if allow_public_key {
            Self::only(&[CredentialKind::SecretApiKey, CredentialKind::PublicApiKey])
        } else {
            Self::only(&[CredentialKind::SecretApiKey])
        }
    }

    pub fn allows(&self, kind: CredentialKind) -> bool {
        self.allowed[Self::index(kind)]
    }

    fn index(kind: CredentialKind) -> usize {
        match kind {
            CredentialKind::PersonalAccessToken => 0,
            CredentialKind::OrganizationAccessToken => 1,
            CredentialKind::SecretApiKey => 2,
            CredentialKind::PublicApiKey => 3,
        }
    }
}

/// Why a request was not authenticated (see the module documentation for what
/// each variant may reveal).
#[derive(Debug)]
pub enum AuthError {
    /// No `Authorization` header.
    MissingHeader,
    /// The header is not `Bearer <credential>`, or the credential has no known
    /// shape.
    BadFormat,
    /// The credential's kind is not accepted by this call.
    KindNotAllowed { kind: CredentialKind },
    /// No credential of its kind is this string.
    Unknown { kind: CredentialKind },
    /// The token's expiry has passed.
    Expired { kind: CredentialKind },
    /// The token was revoked (or its organization deleted).
    Revoked { kind: CredentialKind },
    /// The lookup failed.
    Database(sqlgen_runtime::Error),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::MissingHeader => f.write_str("missing `Authorization` header"),
            AuthError::BadFormat => f.write_str(
                "malformed credential: expected `Authorization: Bearer <token or API key>`",
            ),
            AuthError::KindNotAllowed { kind } => {
                write!(f, "a {kind} cannot be used for this request")
            }
            AuthError::Unknown { kind } => write!(f, "invalid {kind}"),
            AuthError::Expired { kind } => write!(f, "the {kind} has expired"),
            AuthError::Revoked { kind } => write!(f, "the {kind} has been revoked"),
            AuthError::Database(error) => {
                f.write_str("authentication failed: ")?;
                errors::write_public(error, f)
            }
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthError::Database(error) => Some(error),
            _ => None,
        }
    }
}

impl AuthError {
    /// Everything about the failure, for logs: unlike `Display`, this includes
    /// the server's message and `DETAIL` (which may hold row values).
    pub fn log_detail(&self) -> String {
        errors::log_detail(self)
    }
}

impl From<sqlgen_runtime::Error> for AuthError {
    fn from(error: sqlgen_runtime::Error) -> Self {
        AuthError::Database(error)
    }
}

/// Why issuing, listing or revoking a token failed.
#[derive(Debug)]
pub enum TokenError {
    /// No user has this id.
    UnknownUser { user_id: Uuid },
    /// The acting user is not a member of the organization (or it does not
    /// exist: the two are not told apart).
    NotAMember { organization_id: Uuid },
    /// The acting user is a member of the organization but not an admin.
    NotAnAdmin { organization_id: Uuid },
    /// A scope that is not one of [`KNOWN_SCOPES`].
    UnknownScope { scope: String },
    /// The caller owns no active token with this id.
    NotFound,
    /// The token name is empty.
    EmptyName,
    /// The operating system could not produce random bytes for the token.
    Entropy(EntropyError),
    /// Any other database failure.
    Database(sqlgen_runtime::Error),
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenError::UnknownUser { user_id } => write!(f, "user `{user_id}` does not exist"),
            TokenError::NotAMember { organization_id } => {
                write!(f, "not a member of organization `{organization_id}`")
            }
            TokenError::NotAnAdmin { organization_id } => {
                write!(f, "not an admin of organization `{organization_id}`")
            }
            TokenError::UnknownScope { scope } => write!(
                f,
                "unknown scope `{scope}`: expected one of {}",
                KNOWN_SCOPES.join(", ")
            ),
            TokenError::NotFound => f.write_str("no such active token"),
            TokenError::EmptyName => f.write_str("a token needs a name"),
            TokenError::Entropy(error) => write!(f, "cannot generate a token: {error}"),
            TokenError::Database(error) => errors::write_public(error, f),
        }
    }
}

impl std::error::Error for TokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TokenError::Entropy(error) => Some(error),
            TokenError::Database(error) => Some(error),
            _ => None,
        }
    }
}

impl TokenError {
    /// Everything about the failure, for logs: unlike `Display`, this includes
    /// the server's message and `DETAIL` (which may hold row values).
    pub fn log_detail(&self) -> String {
        errors::log_detail(self)
    }
}

impl From<sqlgen_runtime::Error> for TokenError {
    fn from(error: sqlgen_runtime::Error) -> Self {
        TokenError::Database(error)
    }
}

impl From<EntropyError> for TokenError {
    fn from(error: EntropyError) -> Self {
        TokenError::Entropy(error)
    }
}

/// A token just created: the plain `token`, shown to its owner once and stored
/// nowhere (its `Debug` is the preview), and the stored row.
#[derive(Debug, Clone, PartialEq)]
pub struct Created<T> {
    pub token: PlainKey,
    pub record: T,
}

/// An organization access token to create.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewOrganizationToken<'a> {
    pub organization_id: Uuid,
    pub name: &'a str,
    pub scopes: &'a [String],
    pub expires_at: Option<OffsetDateTime>,
}

/// Who a personal access token acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalTokenAuth {
    pub token_id: Uuid,
    pub token_name: String,
    pub user_id: Uuid,
    pub user_email: String,
    pub user_is_admin: bool,
}

/// What an organization access token acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationTokenAuth {
    pub token_id: i64,
    pub token_name: String,
    pub r#type: OrganizationAccessTokenType,
    pub scopes: Vec<String>,
    pub organization_id: Uuid,
    pub organization_slug: String,
}

/// An authenticated request's credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authenticated {
    PersonalAccessToken(PersonalTokenAuth),
    OrganizationAccessToken(OrganizationTokenAuth),
    /// A secret or public environment key (`key_kind` says which).
    Environment(KeyEnvironment),
}

/// The credential of an `Authorization: Bearer <credential>` header value.
///
/// The scheme is case-insensitive (RFC 9110); exactly one credential must
/// follow it.
pub fn parse_bearer(header: Option<&str>) -> Result<&str, AuthError> {
    let header = header.ok_or(AuthError::MissingHeader)?;
    let (scheme, rest) = header.trim().split_once(' ').ok_or(AuthError::BadFormat)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::BadFormat);
    }
    let credential = rest.trim_start();
    if credential.is_empty() || credential.contains(char::is_whitespace) {
        return Err(AuthError::BadFormat);
    }
    Ok(credential)
}

/// Access tokens and API keys on any client or transaction it borrows, with
/// `shared`'s queries (users, memberships, environments) on the same one.
#[derive(Debug)]
pub struct ApiAuth<'c, C> {
    client: &'c C,
}

impl<'c, C: GenericClient> ApiAuth<'c, C> {
    pub fn new(client: &'c C) -> Self {
        ApiAuth { client }
    }

    /// Creates a personal access token for a user; the plain token is in the
    /// result and nowhere else.
    pub async fn create_personal_token(
        &self,
        user_id: Uuid,
        name: &str,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<Created<PersonalAccessToken>, TokenError> {
        check_name(name)?;
        let token = new_token(PERSONAL_ACCESS_TOKEN_PREFIX)?;
        let record = self
            .client
            .create_personal_access_token(&CreatePersonalAccessTokenParams {
                name,
                user_id,
                hashed_token: &token.hash(),
                obfuscated_token: &token.preview(),
                expires_at,
            })
            .await
            .map_err(|error| {
                if is_foreign_key_violation(&error, "personal_access_tokens_user_id_fkey") {
                    TokenError::UnknownUser { user_id }
                } else {
                    TokenError::Database(error)
                }
            })?;
        Ok(Created { token, record })
    }

    /// A user's tokens, newest first, as previews; revoked ones only if asked.
    pub async fn list_personal_tokens(
        &self,
        user_id: Uuid,
        include_revoked: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<ListPersonalAccessTokensForUserRow>, TokenError> {
        Ok(self
            .client
            .list_personal_access_tokens_for_user(&ListPersonalAccessTokensForUserParams {
                user_id,
                include_revoked,
                limit,
                offset,
            })
            .await?)
    }

    /// Revokes one of the user's own tokens; [`TokenError::NotFound`] if the
    /// user has no active token with this id (someone else's is not found
    /// either).
    pub async fn revoke_personal_token(
        &self,
        user_id: Uuid,
        token_id: Uuid,
    ) -> Result<(), TokenError> {
        match self
            .client
            .revoke_personal_access_token(token_id, user_id)
            .await?
        {
            0 => Err(TokenError::NotFound),
            _ => Ok(()),
        }
    }

    /// Creates an organization access token on behalf of an admin of the
    /// organization, with scopes among [`KNOWN_SCOPES`].
    ///
    /// The token acts through its creator's membership: it stops
    /// authenticating when that membership ends.
    pub async fn create_organization_token(
        &self,
        acting_user_id: Uuid,
        new: &NewOrganizationToken<'_>,
    ) -> Result<Created<OrganizationAccessToken>, TokenError> {
        check_name(new.name)?;
        check_scopes(new.scopes)?;
        self.require_admin(acting_user_id, new.organization_id)
            .await?;
        let token = new_token(ORGANIZATION_ACCESS_TOKEN_PREFIX)?;
        let record = self
            .client
            .create_organization_access_token(&CreateOrganizationAccessTokenParams {
                name: new.name,
                r#type: OrganizationAccessTokenType::User,
                organization_id: new.organization_id,
                created_by_user_id: Some(acting_user_id),
                hashed_token: &token.hash(),
                obfuscated_token: &token.preview(),
                scopes: new.scopes,
                expires_at: new.expires_at,
            })
            .await?;
        Ok(Created { token, record })
    }

    /// The organization's tokens, newest first, for one of its members.
    pub async fn list_organization_tokens(
        &self,
        acting_user_id: Uuid,
        organization_id: Uuid,
    ) -> Result<Vec<ListOrganizationAccessTokensRow>, TokenError> {
        self.require_member(acting_user_id, organization_id).await?;
        Ok(self
            .client
            .list_organization_access_tokens(organization_id)
            .await?)
    }

    /// Revokes a token of the organization, for one of its members;
    /// [`TokenError::NotFound`] if the organization has no active token with
    /// this id.
    pub async fn revoke_organization_token(
        &self,
        acting_user_id: Uuid,
        organization_id: Uuid,
        token_id: i64,
    ) -> Result<(), TokenError> {
        self.require_member(acting_user_id, organization_id).await?;
        self.client
            .revoke_organization_access_token(token_id, organization_id)
            .await?
            .map(|_| ())
            .ok_or(TokenError::NotFound)
    }

    /// Authenticates the `Authorization` header of a request with the kinds of
    /// credential `options` allows.
    pub async fn authenticate_header(
        &self,
        header: Option<&str>,
        options: &AuthOptions,
    ) -> Result<Authenticated, AuthError> {
        let credential = parse_bearer(header)?;
        self.authenticate(credential, options).await
    }

    /// Authenticates a credential (without the `Bearer ` scheme) with the kinds
    /// `options` allows, recording the use of an access token.
    pub async fn authenticate(
        &self,
        credential: &str,
        options: &AuthOptions,
    ) -> Result<Authenticated, AuthError> {
        let kind = CredentialKind::of(credential).ok_or(AuthError::BadFormat)?;
        if !options.allows(kind) {
            return Err(AuthError::KindNotAllowed { kind });
        }
        Ok(match kind {
            CredentialKind::PersonalAccessToken => {
                Authenticated::PersonalAccessToken(self.authenticate_personal(credential).await?)
            }
            CredentialKind::OrganizationAccessToken => Authenticated::OrganizationAccessToken(
                self.authenticate_organization(credential).await?,
            ),
            CredentialKind::SecretApiKey | CredentialKind::PublicApiKey => {
                Authenticated::Environment(self.environment_by_key(kind, credential).await?)
            }
        })
    }

    /// Authenticates a personal access token and records its use (at most
    /// once a minute, and not in a read-only transaction).
    pub async fn authenticate_personal(&self, token: &str) -> Result<PersonalTokenAuth, AuthError> {
        let kind = CredentialKind::PersonalAccessToken;
        if CredentialKind::of(token) != Some(kind) {
            return Err(AuthError::BadFormat);
        }
        let found = self
            .client
            .find_personal_access_token_by_hash(&hash_token(token))
            .await?
            .ok_or(AuthError::Unknown { kind })?;
        if found.revoked {
            return Err(AuthError::Revoked { kind });
        }
        if found.expired {
            return Err(AuthError::Expired { kind });
        }
        if found.use_due && !found.read_only {
            self.client.touch_personal_access_token(found.id).await?;
        }
        Ok(PersonalTokenAuth {
            token_id: found.id,
            token_name: found.name,
            user_id: found.user_id,
            user_email: found.user_email,
            user_is_admin: found.user_is_admin,
        })
    }

    /// Authenticates an organization access token and records its use (at
    /// most once a minute, and not in a read-only transaction).
    ///
    /// A token of a deleted organization, or one whose creator is no longer a
    /// member of the organization, is [`AuthError::Revoked`].
    pub async fn authenticate_organization(
        &self,
        token: &str,
    ) -> Result<OrganizationTokenAuth, AuthError> {
        let kind = CredentialKind::OrganizationAccessToken;
        if CredentialKind::of(token) != Some(kind) {
            return Err(AuthError::BadFormat);
        }
        let found = self
            .client
            .find_organization_access_token_by_hash(&hash_token(token))
            .await?
            .ok_or(AuthError::Unknown { kind })?;
        if found.revoked || found.organization_deleted || !found.creator_is_member {
            return Err(AuthError::Revoked { kind });
        }
        if found.expired {
            return Err(AuthError::Expired { kind });
        }
        if found.use_due && !found.read_only {
            self.client
                .touch_organization_access_token(found.id)
                .await?;
        }
        Ok(OrganizationTokenAuth {
            token_id: found.id,
            token_name: found.name,
            r#type: found.r#type,
            scopes: found.scopes,
            organization_id: found.organization_id,
            organization_slug: found.organization_slug,
        })
    }

    async fn environment_by_key(
        &self,
        kind: CredentialKind,
        key: &str,
    ) -> Result<KeyEnvironment, AuthError> {
        let hash = hash_token(key);
        let found = match kind {
            CredentialKind::PublicApiKey => self
                .client
                .get_environment_by_public_api_key_hash(&hash)
                .await?
                .map(KeyEnvironment::from),
            _ => self
                .client
                .get_environment_by_api_key_hash(&hash)
                .await?
                .map(KeyEnvironment::from),
        };
        found.ok_or(AuthError::Unknown { kind })
    }

    async fn require_member(&self, user_id: Uuid, organization_id: Uuid) -> Result<(), TokenError> {
        match self
            .client
            .get_org_membership(organization_id, user_id)
            .await?
        {
            Some(_) => Ok(()),
            None => Err(TokenError::NotAMember { organization_id }),
        }
    }

    async fn require_admin(&self, user_id: Uuid, organization_id: Uuid) -> Result<(), TokenError> {
        match self
            .client
            .get_org_membership(organization_id, user_id)
            .await?
        {
            Some(member) if member.role == OrgMemberRole::Admin => Ok(()),
            Some(_) => Err(TokenError::NotAnAdmin { organization_id }),
            None => Err(TokenError::NotAMember { organization_id }),
        }
    }
}

fn check_scopes(scopes: &[String]) -> Result<(), TokenError> {
    match scopes
        .iter()
        .find(|scope| !KNOWN_SCOPES.contains(&scope.as_str()))
    {
        Some(scope) => Err(TokenError::UnknownScope {
            scope: scope.clone(),
        }),
        None => Ok(()),
    }
}

fn check_name(name: &str) -> Result<(), TokenError> {
    if name.trim().is_empty() {
        Err(TokenError::EmptyName)
    } else {
        Ok(())
    }
}

fn is_foreign_key_violation(error: &sqlgen_runtime::Error, constraint: &str) -> bool {
    error.as_db_error().is_some_and(|db| {
        db.code() == &SqlState::FOREIGN_KEY_VIOLATION && db.constraint() == Some(constraint)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tokens_have_their_prefix_and_kind() {
        let pat = new_token(PERSONAL_ACCESS_TOKEN_PREFIX).unwrap();
        let oat = new_token(ORGANIZATION_ACCESS_TOKEN_PREFIX).unwrap();
        let (pat, oat) = (pat.expose(), oat.expose());
        assert_eq!(pat.len(), 7 + TOKEN_RANDOM_LEN);
        assert_eq!(
            CredentialKind::of(pat),
            Some(CredentialKind::PersonalAccessToken)
        );
        assert_eq!(
            CredentialKind::of(oat),
            Some(CredentialKind::OrganizationAccessToken)
        );
        assert_ne!(pat[7..], oat[7..]);
    }

    #[test]
    fn credential_kinds_come_from_the_prefix() {
        let random = "a".repeat(TOKEN_RANDOM_LEN);
        let cases = [
            (
                format!("tr_pat_{random}"),
                Some(CredentialKind::PersonalAccessToken),
            ),
            (
                format!("tr_oat_{random}"),
                Some(CredentialKind::OrganizationAccessToken),
            ),
            (
                "tr_dev_abc123".to_owned(),
                Some(CredentialKind::SecretApiKey),
            ),
            (
                "tr_stg_abc123".to_owned(),
                Some(CredentialKind::SecretApiKey),
            ),
            (
                "tr_prod_abc123".to_owned(),
                Some(CredentialKind::SecretApiKey),
            ),
            (
                "tr_preview_abc123".to_owned(),
                Some(CredentialKind::SecretApiKey),
            ),
            (
                "pk_dev_abc123".to_owned(),
                Some(CredentialKind::PublicApiKey),
            ),
            (
                "pk_prod_abc123".to_owned(),
                Some(CredentialKind::PublicApiKey),
            ),
            ("tr_pat_short".to_owned(), None),
            (format!("tr_pat_{}", "A".repeat(TOKEN_RANDOM_LEN)), None),
            ("tr_oat_".to_owned(), None),
            ("pk_pat_abc".to_owned(), None),
            ("sk_live_abc".to_owned(), None),
            ("".to_owned(), None),
        ];
        for (credential, kind) in cases {
            assert_eq!(CredentialKind::of(&credential), kind, "{credential}");
        }
    }

    #[test]
    fn bearer_headers_are_parsed_strictly() {
        assert!(matches!(parse_bearer(None), Err(AuthError::MissingHeader)));
        assert_eq!(parse_bearer(Some("Bearer tr_dev_x")).unwrap(), "tr_dev_x");
        assert_eq!(parse_bearer(Some("bearer  tr_dev_x ")).unwrap(), "tr_dev_x");
        for bad in [
            "",
            "Bearer",
            "Bearer ",
            "Basic dXNlcg==",
            "tr_dev_x",
            "Bearer a b",
            "Bearer\ttr_dev_x",
        ] {
            assert!(
                matches!(parse_bearer(Some(bad)), Err(AuthError::BadFormat)),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn auth_options_allow_what_they_list() {
        let secret_only = AuthOptions::environment(false);
        assert!(secret_only.allows(CredentialKind::SecretApiKey));
        assert!(!secret_only.allows(CredentialKind::PublicApiKey));
        assert!(!secret_only.allows(CredentialKind::PersonalAccessToken));
        assert!(AuthOptions::environment(true).allows(CredentialKind::PublicApiKey));
        for kind in CredentialKind::ALL {
            assert!(AuthOptions::ANY.allows(kind));
            assert!(!AuthOptions::only(&[]).allows(kind));
            assert!(AuthOptions::only(&[kind]).allows(kind));
        }
    }

    #[test]
    fn rejections_read_as_lower_case_reasons() {
        let kind = CredentialKind::PersonalAccessToken;
        assert_eq!(
            AuthError::MissingHeader.to_string(),
            "missing `Authorization` header"
        );
        assert_eq!(
            AuthError::KindNotAllowed { kind }.to_string(),
            "a personal access token cannot be used for this request"
        );
        assert_eq!(
            AuthError::Unknown { kind }.to_string(),
            "invalid personal access token"
        );
        assert_eq!(
            AuthError::Expired {
                kind: CredentialKind::OrganizationAccessToken
            }
            .to_string(),
            "the organization access token has expired"
        );
        assert_eq!(
            AuthError::Revoked { kind }.to_string(),
            "the personal access token has been revoked"
        );
    }
}
