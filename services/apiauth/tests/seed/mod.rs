//! Rows that the `apiauth` tests start from: users and organizations through `shared`'s queries, tokens through `apiauth`'s.

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use apiauth::db::models::{
    OrganizationAccessToken, OrganizationAccessTokenType, PersonalAccessToken,
};
use apiauth::db::organization_access_tokens::CreateOrganizationAccessTokenParams;
use apiauth::db::personal_access_tokens::CreatePersonalAccessTokenParams;
use apiauth::db::Queries as _;
use shared::db::models::{AuthenticationMethod, Organization, User};
use shared::db::users::UpsertUserParams;
use shared::db::Queries as _;
use sqlgen_runtime::{Client, GenericClient};
use testsupport::TestDb;
use uuid::Uuid;

/// A new connection to the test database, wrapped as generated code wants it.
pub async fn connect(db: &TestDb) -> Client {
    Client::new(db.client().await)
}

/// A user created through `shared`'s generated query.
pub async fn user<C: GenericClient>(client: &C, email: &str, display_name: Option<&str>) -> User {
    client
        .upsert_user(&UpsertUserParams {
            email,
            authentication_method: AuthenticationMethod::MagicLink,
            authentication_profile: None,
            name: None,
            display_name,
            avatar_url: None,
        })
        .await
        .expect("seed user")
}

pub async fn organization<C: GenericClient>(client: &C, slug: &str) -> Organization {
    client
        .create_organization(slug, slug, None)
        .await
        .expect("seed organization")
}

/// A personal access token whose hash is `hash-<name>`.
pub async fn personal_token<C: GenericClient>(
    client: &C,
    user_id: Uuid,
    name: &str,
) -> PersonalAccessToken {
    client
        .create_personal_access_token(&CreatePersonalAccessTokenParams {
            name,
            user_id,
            hashed_token: &format!("hash-{name}"),
            expires_at: None,
            obfuscated_token: "tr_pat_xxxx••••••••",
        })
        .await
        .expect("seed personal access token")
}

/// A user-type organization token whose hash is `hash-<name>`, without scopes.
pub async fn organization_token<C: GenericClient>(
    client: &C,
    organization_id: Uuid,
    name: &str,
    created_by_user_id: Option<Uuid>,
    expires_at: Option<time::OffsetDateTime>,
) -> OrganizationAccessToken {
    client
        .create_organization_access_token(&CreateOrganizationAccessTokenParams {
            name,
            r#type: OrganizationAccessTokenType::User,
            organization_id,
            created_by_user_id,
            hashed_token: &format!("hash-{name}"),
            obfuscated_token: "tr_oat_xxxx••••••••",
            scopes: &[],
            expires_at,
        })
        .await
        .expect("seed organization access token")
}

/// Runs plain SQL for the changes no generated query makes (soft-deleting an
/// organization, making a user admin, deleting a user).
pub async fn execute(
    client: &Client,
    sql: &str,
    params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
) {
    // Named as tokio-postgres's client: `GenericClient::execute` wants a
    // prepared statement, not SQL text.
    let pg: &tokio_postgres::Client = client;
    pg.execute(sql, params).await.expect(sql);
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
