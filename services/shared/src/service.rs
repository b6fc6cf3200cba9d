//! `SharedService`: users, organizations, projects and runtime environments with trigger.dev's rules, over the generated queries.

use std::fmt;
use std::future::Future;

use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::{Client, GenericClient, Transaction};
use uuid::Uuid;

use crate::api_keys::{self, EntropyError, EnvironmentApiKeys, EnvironmentKeyKind};
use crate::db::models::{
    AuthenticationMethod, OrgMember, OrgMemberRole, Organization, Project, RuntimeEnvironment,
    RuntimeEnvironmentType, User,
};
use crate::db::projects::CreateProjectParams;
use crate::db::runtime_environments::{
    CreateRuntimeEnvironmentParams, GetEnvironmentByApiKeyHashRow,
    GetEnvironmentByPublicApiKeyHashRow, ListEnvironmentsForProjectRow,
    RotateEnvironmentApiKeysParams,
};
use crate::db::users::CreateUserParams;
use crate::db::Queries;
use crate::errors;

/// A connection that can open a transaction: a [`Client`], or a [`Transaction`]
/// (where it opens a savepoint, so a service call nests in the caller's
/// transaction).
pub trait Transactional: GenericClient + Send {
    fn begin(
        &mut self,
    ) -> impl Future<Output = Result<Transaction<'_>, sqlgen_runtime::tokio_postgres::Error>> + Send;
}

impl Transactional for Client {
    fn begin(
        &mut self,
    ) -> impl Future<Output = Result<Transaction<'_>, sqlgen_runtime::tokio_postgres::Error>> + Send
    {
        self.transaction()
    }
}

impl Transactional for Transaction<'_> {
    fn begin(
        &mut self,
    ) -> impl Future<Output = Result<Transaction<'_>, sqlgen_runtime::tokio_postgres::Error>> + Send
    {
        self.transaction()
    }
}

/// Why an operation of [`SharedService`] failed.
#[derive(Debug)]
pub enum SharedError {
    /// A slug is not lower-case letters, digits and dashes, starting with a
    /// letter or digit.
    InvalidSlug { slug: String },
    /// Another user has this e-mail address.
    EmailTaken { email: String },
    /// Another organization has this slug.
    OrganizationSlugTaken { slug: String },
    /// The organization already has a project with this slug.
    ProjectSlugTaken { slug: String },
    /// The project already has an environment with this slug.
    EnvironmentSlugTaken { slug: String },
    /// No user has this id.
    UserNotFound { id: Uuid },
    /// No organization has this id.
    OrganizationNotFound { id: Uuid },
    /// The organization has no project with this id (it may be another
    /// organization's: the schema refuses to mix tenants).
    ProjectNotInOrganization {
        project_id: Uuid,
        organization_id: Uuid,
    },
    /// The organization has no membership with this id (it may be another
    /// organization's: the schema refuses to mix tenants).
    MemberNotInOrganization {
        org_member_id: Uuid,
        organization_id: Uuid,
    },
    /// The project has no environment with this id.
    EnvironmentNotFound { id: Uuid },
    /// The operating system could not produce random bytes for an API key.
    Entropy(EntropyError),
    /// Any other database failure. Its `Display` says only that the database
    /// failed (and the SQLSTATE); the server's message, with any row values,
    /// is in [`SharedError::log_detail`] and the `source()` chain.
    Database(sqlgen_runtime::Error),
}

impl SharedError {
    /// Everything about the failure, for logs: unlike `Display`, this includes
    /// the server's message and `DETAIL` (which may hold row values).
    pub fn log_detail(&self) -> String {
        errors::log_detail(self)
    }
}

impl fmt::Display for SharedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SharedError::InvalidSlug { slug } => write!(
                f,
                "`{slug}` is not a valid slug: use lower-case letters, digits and dashes, starting with a letter or digit"
            ),
            SharedError::EmailTaken { email } => {
                write!(f, "a user with e-mail `{email}` already exists")
            }
            SharedError::OrganizationSlugTaken { slug } => {
                write!(f, "an organization with slug `{slug}` already exists")
            }
            SharedError::ProjectSlugTaken { slug } => write!(
                f,
                "the organization already has a project with slug `{slug}`"
            ),
            SharedError::EnvironmentSlugTaken { slug } => write!(
                f,
                "the project already has an environment with slug `{slug}`"
            ),
            SharedError::UserNotFound { id } => write!(f, "user `{id}` does not exist"),
            SharedError::OrganizationNotFound { id } => {
                write!(f, "organization `{id}` does not exist")
            }
            SharedError::ProjectNotInOrganization {
                project_id,
                organization_id,
            } => write!(
                f,
                "organization `{organization_id}` has no project `{project_id}`"
            ),
            SharedError::MemberNotInOrganization {
                org_member_id,
                organization_id,
            } => write!(
                f,
                "organization `{organization_id}` has no member `{org_member_id}`"
            ),
            SharedError::EnvironmentNotFound { id } => {
                write!(f, "environment `{id}` does not exist in this project")
            }
            SharedError::Entropy(error) => write!(f, "cannot generate an API key: {error}"),
            SharedError::Database(error) => errors::write_public(error, f),
        }
    }
}

impl std::error::Error for SharedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SharedError::Entropy(error) => Some(error),
            SharedError::Database(error) => Some(error),
            _ => None,
        }
    }
}

impl From<sqlgen_runtime::Error> for SharedError {
    fn from(error: sqlgen_runtime::Error) -> Self {
        SharedError::Database(error)
    }
}

impl From<sqlgen_runtime::tokio_postgres::Error> for SharedError {
    fn from(error: sqlgen_runtime::tokio_postgres::Error) -> Self {
        SharedError::Database(error.into())
    }
}

impl From<EntropyError> for SharedError {
    fn from(error: EntropyError) -> Self {
        SharedError::Entropy(error)
    }
}

/// The constraint `error` violated, if it is the server's error of class `code`.
pub fn violated_constraint<'e>(
    error: &'e sqlgen_runtime::Error,
    code: &SqlState,
) -> Option<&'e str> {
    let db_error = error.as_db_error()?;
    if db_error.code() == code {
        db_error.constraint()
    } else {
        None
    }
}

/// Maps a unique violation of `constraint` to `taken()`, and any other error to
/// [`SharedError::Database`].
fn unique_or(
    error: sqlgen_runtime::Error,
    constraint: &str,
    taken: impl FnOnce() -> SharedError,
) -> SharedError {
    if violated_constraint(&error, &SqlState::UNIQUE_VIOLATION) == Some(constraint) {
        taken()
    } else {
        SharedError::Database(error)
    }
}

/// Whether `slug` may name an organization, project or environment: the rule
/// of the `url_slug` domain (`^[a-z0-9][a-z0-9-]*$`), checked before the
/// database so that the error names the slug rather than a CHECK constraint.
pub fn is_valid_slug(slug: &str) -> bool {
    let mut bytes = slug.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_slug(slug: &str) -> Result<(), SharedError> {
    if is_valid_slug(slug) {
        Ok(())
    } else {
        Err(SharedError::InvalidSlug {
            slug: slug.to_owned(),
        })
    }
}

/// A user to create.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub authentication_method: AuthenticationMethod,
    pub name: Option<&'a str>,
    pub display_name: Option<&'a str>,
}

/// An organization to create.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewOrganization<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub company_size: Option<&'a str>,
}

/// A project to create in an organization.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewProject<'a> {
    pub slug: &'a str,
    pub name: &'a str,
}

/// An environment to create in a project.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewEnvironment<'a> {
    pub organization_id: Uuid,
    pub project_id: Uuid,
    pub r#type: RuntimeEnvironmentType,
    /// `None`: the type's own slug (`dev`, `stg`, `prod`, `preview`).
    pub slug: Option<&'a str>,
    /// The member a DEVELOPMENT environment belongs to; `None` for shared ones.
    pub org_member_id: Option<Uuid>,
}

/// What [`SharedService::create_organization_with_project`] created.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationSetup {
    pub organization: Organization,
    /// The creating user's membership, as ADMIN.
    pub admin: OrgMember,
    pub project: Project,
    /// DEVELOPMENT (belonging to `admin`), STAGING and PRODUCTION, in this
    /// order, each with its plain keys.
    pub environments: Vec<CreatedEnvironment>,
}

/// An environment just created, with its plain API keys: returned once, stored
/// only as hashes and previews (`Debug` shows the previews).
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedEnvironment {
    pub environment: RuntimeEnvironment,
    pub keys: EnvironmentApiKeys,
}

/// The environment an API key belongs to, with its project and organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEnvironment {
    /// Which of the environment's keys was presented.
    pub key_kind: EnvironmentKeyKind,
    pub id: Uuid,
    pub slug: String,
    pub r#type: RuntimeEnvironmentType,
    pub paused: bool,
    pub maximum_concurrency_limit: i32,
    pub project_id: Uuid,
    pub project_slug: String,
    pub project_ref: String,
    pub organization_id: Uuid,
    pub organization_slug: String,
    pub organization_title: String,
    pub runs_enabled: bool,
}

impl From<GetEnvironmentByApiKeyHashRow> for KeyEnvironment {
    fn from(row: GetEnvironmentByApiKeyHashRow) -> Self {
        KeyEnvironment {
            key_kind: EnvironmentKeyKind::Secret,
            id: row.id,
            slug: row.slug,
            r#type: row.r#type,
            paused: row.paused,
            maximum_concurrency_limit: row.maximum_concurrency_limit,
            project_id: row.project_id,
            project_slug: row.project_slug,
            project_ref: row.project_ref,
            organization_id: row.organization_id,
            organization_slug: row.organization_slug,
            organization_title: row.organization_title,
            runs_enabled: row.runs_enabled,
        }
    }
}

impl From<GetEnvironmentByPublicApiKeyHashRow> for KeyEnvironment {
    fn from(row: GetEnvironmentByPublicApiKeyHashRow) -> Self {
        KeyEnvironment {
            key_kind: EnvironmentKeyKind::Public,
            id: row.id,
            slug: row.slug,
            r#type: row.r#type,
            paused: row.paused,
            maximum_concurrency_limit: row.maximum_concurrency_limit,
            project_id: row.project_id,
            project_slug: row.project_slug,
            project_ref: row.project_ref,
            organization_id: row.organization_id,
            organization_slug: row.organization_slug,
            organization_title: row.organization_title,
            runs_enabled: row.runs_enabled,
        }
    }
}

/// The core entities of KongFlow on one connection or transaction.
///
/// It borrows the client mutably because multi-step operations open a
/// transaction on it (a savepoint when the client already is a transaction).
#[derive(Debug)]
pub struct SharedService<'c, C> {
    client: &'c mut C,
}

impl<'c, C: Transactional> SharedService<'c, C> {
    pub fn new(client: &'c mut C) -> Self {
        SharedService { client }
    }

    /// Creates a user; the e-mail address is stored lower-cased.
    pub async fn create_user(&self, new: &NewUser<'_>) -> Result<User, SharedError> {
        self.client
            .create_user(&CreateUserParams {
                email: new.email,
                authentication_method: new.authentication_method,
                name: new.name,
                display_name: new.display_name,
            })
            .await
            .map_err(|error| {
                unique_or(error, "users_email_key", || SharedError::EmailTaken {
                    email: new.email.to_lowercase(),
                })
            })
    }

    /// The user with this id.
    pub async fn get_user(&self, id: Uuid) -> Result<User, SharedError> {
        match self.client.get_user_by_id(id).await {
            Err(sqlgen_runtime::Error::NotFound) => Err(SharedError::UserNotFound { id }),
            other => Ok(other?),
        }
    }

    /// The user with this e-mail address, in any letter case.
    pub async fn find_user_by_email(&self, email: &str) -> Result<Option<User>, SharedError> {
        Ok(self.client.get_user_by_email(email).await?)
    }

    /// Creates an organization with `admin_user_id` as its ADMIN member, in one
    /// transaction.
    pub async fn create_organization(
        &mut self,
        new: &NewOrganization<'_>,
        admin_user_id: Uuid,
    ) -> Result<(Organization, OrgMember), SharedError> {
        check_slug(new.slug)?;
        let tx = self.client.begin().await?;
        let created = create_organization_in(&tx, new, admin_user_id).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The live organization with this slug.
    pub async fn find_organization_by_slug(
        &self,
        slug: &str,
    ) -> Result<Option<Organization>, SharedError> {
        Ok(self.client.get_organization_by_slug(slug).await?)
    }

    /// The membership of a user in an organization, if any.
    pub async fn membership(
        &self,
        organization_id: Uuid,
        user_id: Uuid,
    ) -> Result<Option<OrgMember>, SharedError> {
        Ok(self
            .client
            .get_org_membership(organization_id, user_id)
            .await?)
    }

    /// Creates a project in an organization, with a new public reference
    /// (`proj_` and 20 random characters).
    pub async fn create_project(
        &self,
        organization_id: Uuid,
        new: &NewProject<'_>,
    ) -> Result<Project, SharedError> {
        check_slug(new.slug)?;
        create_project_in(&*self.client, organization_id, new).await
    }

    /// The live project of an organization with this slug.
    pub async fn find_project_by_slug(
        &self,
        organization_id: Uuid,
        slug: &str,
    ) -> Result<Option<Project>, SharedError> {
        Ok(self
            .client
            .get_project_by_slug(organization_id, slug)
            .await?)
    }

    /// Creates an environment with new secret and public API keys, returned
    /// here once: the database keeps only their hashes and previews.
    ///
    /// The project, and the member if any, must belong to the organization
    /// (the schema enforces it); otherwise
    /// [`SharedError::ProjectNotInOrganization`] or
    /// [`SharedError::MemberNotInOrganization`].
    pub async fn create_environment(
        &self,
        new: &NewEnvironment<'_>,
    ) -> Result<CreatedEnvironment, SharedError> {
        if let Some(slug) = new.slug {
            check_slug(slug)?;
        }
        create_environment_in(&*self.client, new).await
    }

    /// Replaces both API keys of an environment of the project; the old keys
    /// stop authenticating when this commits, and the new ones are returned
    /// here once. [`SharedError::EnvironmentNotFound`] if the project has no
    /// such environment.
    pub async fn rotate_environment_api_keys(
        &self,
        project_id: Uuid,
        environment_id: Uuid,
    ) -> Result<CreatedEnvironment, SharedError> {
        // The key prefix names the environment type, which the row holds; a
        // type cannot change, so reading it first races with nothing.
        let r#type = self
            .client
            .get_environment_type(environment_id, project_id)
            .await?
            .ok_or(SharedError::EnvironmentNotFound { id: environment_id })?;
        let keys = EnvironmentApiKeys::generate(r#type)?;
        let environment = self
            .client
            .rotate_environment_api_keys(&RotateEnvironmentApiKeysParams {
                api_key_hash: &keys.secret.hash(),
                api_key_preview: &keys.secret.preview(),
                pk_api_key_hash: &keys.public.hash(),
                pk_api_key_preview: &keys.public.preview(),
                id: environment_id,
                project_id,
            })
            .await?
            .ok_or(SharedError::EnvironmentNotFound { id: environment_id })?;
        Ok(CreatedEnvironment { environment, keys })
    }

    /// The environments of a project, with the owners of DEVELOPMENT ones.
    pub async fn list_environments(
        &self,
        project_id: Uuid,
    ) -> Result<Vec<ListEnvironmentsForProjectRow>, SharedError> {
        Ok(self
            .client
            .list_environments_for_project(project_id)
            .await?)
    }

    /// Creates an organization, its ADMIN membership for `admin_user_id`, its
    /// first project and that project's DEVELOPMENT, STAGING and PRODUCTION
    /// environments, all in one transaction: on any error nothing is left.
    pub async fn create_organization_with_project(
        &mut self,
        organization: &NewOrganization<'_>,
        project: &NewProject<'_>,
        admin_user_id: Uuid,
    ) -> Result<OrganizationSetup, SharedError> {
        check_slug(organization.slug)?;
        check_slug(project.slug)?;
        let tx = self.client.begin().await?;
        let (organization, admin) =
            create_organization_in(&tx, organization, admin_user_id).await?;
        let project = create_project_in(&tx, organization.id, project).await?;
        let mut environments = Vec::with_capacity(3);
        for (r#type, org_member_id) in [
            (RuntimeEnvironmentType::Development, Some(admin.id)),
            (RuntimeEnvironmentType::Staging, None),
            (RuntimeEnvironmentType::Production, None),
        ] {
            let environment = create_environment_in(
                &tx,
                &NewEnvironment {
                    organization_id: organization.id,
                    project_id: project.id,
                    r#type,
                    slug: None,
                    org_member_id,
                },
            )
            .await?;
            environments.push(environment);
        }
        tx.commit().await?;
        Ok(OrganizationSetup {
            organization,
            admin,
            project,
            environments,
        })
    }

    /// The environment a secret (`tr_<env>_...`) or public (`pk_<env>_...`) API
    /// key belongs to; `None` for an unknown key, a key of another shape, or an
    /// environment whose project or organization is deleted.
    pub async fn find_environment_by_api_key(
        &self,
        key: &str,
    ) -> Result<Option<KeyEnvironment>, SharedError> {
        let Some((kind, _)) = api_keys::parse_environment_key(key) else {
            return Ok(None);
        };
        let hash = api_keys::hash_token(key);
        Ok(match kind {
            EnvironmentKeyKind::Secret => self
                .client
                .get_environment_by_api_key_hash(&hash)
                .await?
                .map(KeyEnvironment::from),
            EnvironmentKeyKind::Public => self
                .client
                .get_environment_by_public_api_key_hash(&hash)
                .await?
                .map(KeyEnvironment::from),
        })
    }
}

async fn create_organization_in<C: GenericClient>(
    client: &C,
    new: &NewOrganization<'_>,
    admin_user_id: Uuid,
) -> Result<(Organization, OrgMember), SharedError> {
    let organization = client
        .create_organization(new.slug, new.title, new.company_size)
        .await
        .map_err(|error| {
            unique_or(error, "organizations_slug_key", || {
                SharedError::OrganizationSlugTaken {
                    slug: new.slug.to_owned(),
                }
            })
        })?;
    let admin = client
        .add_org_member(organization.id, admin_user_id, OrgMemberRole::Admin)
        .await
        .map_err(|error| {
            if violated_constraint(&error, &SqlState::FOREIGN_KEY_VIOLATION)
                == Some("org_members_user_id_fkey")
            {
                SharedError::UserNotFound { id: admin_user_id }
            } else {
                SharedError::Database(error)
            }
        })?
        // A brand-new organization has no members, so the insert cannot conflict.
        .ok_or(SharedError::Database(sqlgen_runtime::Error::NotFound))?;
    Ok((organization, admin))
}

async fn create_project_in<C: GenericClient>(
    client: &C,
    organization_id: Uuid,
    new: &NewProject<'_>,
) -> Result<Project, SharedError> {
    let external_ref = format!("proj_{}", api_keys::random_alphanumeric(20)?);
    client
        .create_project(&CreateProjectParams {
            slug: new.slug,
            name: new.name,
            organization_id,
            external_ref: &external_ref,
        })
        .await
        .map_err(|error| {
            if violated_constraint(&error, &SqlState::FOREIGN_KEY_VIOLATION)
                == Some("projects_organization_id_fkey")
            {
                return SharedError::OrganizationNotFound {
                    id: organization_id,
                };
            }
            unique_or(error, "projects_organization_id_slug_key", || {
                SharedError::ProjectSlugTaken {
                    slug: new.slug.to_owned(),
                }
            })
        })
}

async fn create_environment_in<C: GenericClient>(
    client: &C,
    new: &NewEnvironment<'_>,
) -> Result<CreatedEnvironment, SharedError> {
    let slug = new
        .slug
        .unwrap_or_else(|| api_keys::environment_slug(new.r#type));
    let keys = EnvironmentApiKeys::generate(new.r#type)?;
    // The shortcode (varchar(16)) is unique per project like the slug: it is
    // the slug itself when that fits, else the slug's start and a random tail.
    let shortcode = if slug.len() <= SHORTCODE_LEN {
        slug.to_owned()
    } else {
        // Slugs are ASCII, so any byte index is a character boundary.
        format!(
            "{}-{}",
            &slug[..SHORTCODE_LEN - 5],
            api_keys::random_alphanumeric(4)?
        )
    };
    let environment = client
        .create_runtime_environment(&CreateRuntimeEnvironmentParams {
            slug,
            api_key_hash: &keys.secret.hash(),
            api_key_preview: &keys.secret.preview(),
            pk_api_key_hash: &keys.public.hash(),
            pk_api_key_preview: &keys.public.preview(),
            r#type: new.r#type,
            shortcode: &shortcode,
            organization_id: new.organization_id,
            project_id: new.project_id,
            org_member_id: new.org_member_id,
        })
        .await
        .map_err(|error| {
            // The membership key can only fail when there is a member.
            match (
                violated_constraint(&error, &SqlState::FOREIGN_KEY_VIOLATION),
                new.org_member_id,
            ) {
                (Some("runtime_environments_project_organization_fkey"), _) => {
                    return SharedError::ProjectNotInOrganization {
                        project_id: new.project_id,
                        organization_id: new.organization_id,
                    };
                }
                (
                    Some("runtime_environments_org_member_organization_fkey"),
                    Some(org_member_id),
                ) => {
                    return SharedError::MemberNotInOrganization {
                        org_member_id,
                        organization_id: new.organization_id,
                    };
                }
                _ => {}
            }
            // With the slug as shortcode, whichever of the two indexes the
            // server checks first reports the same conflict.
            let constraint = violated_constraint(&error, &SqlState::UNIQUE_VIOLATION);
            let slug_taken = constraint == Some("runtime_environments_project_id_slug_key")
                || (constraint == Some("runtime_environments_project_id_shortcode_key")
                    && shortcode == slug);
            if slug_taken {
                SharedError::EnvironmentSlugTaken {
                    slug: slug.to_owned(),
                }
            } else {
                SharedError::Database(error)
            }
        })?;
    Ok(CreatedEnvironment { environment, keys })
}

/// The length of `runtime_environments.shortcode`.
const SHORTCODE_LEN: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_url_slug_domain() {
        for good in ["a", "acme", "acme-2", "9lives", "a-"] {
            assert!(is_valid_slug(good), "{good}");
        }
        for bad in ["", "-acme", "Acme", "ac me", "acme_2", "ünï"] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }
}
