//! Rows that many `shared` tests start from, created through the generated queries themselves.

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use shared::api_keys::{hash_token, obfuscate_token};
use shared::db::models::{
    AuthenticationMethod, Organization, Project, RuntimeEnvironment, RuntimeEnvironmentType, User,
};
use shared::db::projects::CreateProjectParams;
use shared::db::runtime_environments::CreateRuntimeEnvironmentParams;
use shared::db::users::UpsertUserParams;
use shared::db::Queries;
use sqlgen_runtime::{Client, GenericClient};
use testsupport::TestDb;
use uuid::Uuid;

/// A new connection to the test database, wrapped as generated code wants it.
pub async fn connect(db: &TestDb) -> Client {
    Client::new(db.client().await)
}

/// A magic-link user with nothing but an e-mail address.
pub async fn user<C: GenericClient>(client: &C, email: &str) -> User {
    client
        .upsert_user(&UpsertUserParams {
            email,
            authentication_method: AuthenticationMethod::MagicLink,
            authentication_profile: None,
            name: None,
            display_name: None,
            avatar_url: None,
        })
        .await
        .expect("seed user")
}

pub async fn organization<C: GenericClient>(client: &C, slug: &str) -> Organization {
    client
        .create_organization(slug, &format!("Org {slug}"), None)
        .await
        .expect("seed organization")
}

/// A project whose name is its slug and whose external reference is `proj_<slug>`.
pub async fn project<C: GenericClient>(client: &C, organization_id: Uuid, slug: &str) -> Project {
    client
        .create_project(&CreateProjectParams {
            slug,
            name: slug,
            organization_id,
            external_ref: &format!("proj_{slug}"),
        })
        .await
        .expect("seed project")
}

/// An environment whose API keys are derived from its slug (`tr_<slug>`, `pk_<slug>`,
/// stored as their hashes and previews) and whose shortcode is the slug's first
/// eight characters.
pub async fn environment<C: GenericClient>(
    client: &C,
    project: &Project,
    slug: &str,
    r#type: RuntimeEnvironmentType,
    org_member_id: Option<Uuid>,
) -> RuntimeEnvironment {
    client
        .create_runtime_environment(&CreateRuntimeEnvironmentParams {
            slug,
            api_key_hash: &hash_token(&format!("tr_{slug}")),
            api_key_preview: &obfuscate_token(&format!("tr_{slug}")),
            pk_api_key_hash: &hash_token(&format!("pk_{slug}")),
            pk_api_key_preview: &obfuscate_token(&format!("pk_{slug}")),
            r#type,
            shortcode: &slug.chars().take(8).collect::<String>(),
            organization_id: project.organization_id,
            project_id: project.id,
            org_member_id,
        })
        .await
        .expect("seed runtime environment")
}

/// Soft-deletes an organization with plain SQL: no generated query does that yet.
pub async fn soft_delete_organization(client: &Client, id: Uuid) {
    // Named as tokio-postgres's client: `GenericClient::execute` wants a
    // prepared statement, not SQL text.
    let pg: &tokio_postgres::Client = client;
    pg.execute(
        "UPDATE organizations SET deleted_at = now() WHERE id = $1",
        &[&id],
    )
    .await
    .expect("soft-delete organization");
}

/// Checks that `error` is the server's unique violation of `constraint`, and so
/// neither `NotFound` nor some other failure.
pub fn assert_unique_violation(error: sqlgen_runtime::Error, constraint: &str) {
    match error {
        sqlgen_runtime::Error::Postgres(error) => {
            assert_eq!(
                error.code(),
                Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION),
                "{error:?}"
            );
            let db_error = error.as_db_error().expect("a server error");
            assert_eq!(db_error.constraint(), Some(constraint));
        }
        sqlgen_runtime::Error::NotFound => panic!("expected a unique violation, got NotFound"),
    }
}
