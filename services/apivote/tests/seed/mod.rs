//! Rows that the `apivote` tests start from: users through `shared`'s queries, votes through `apivote`'s.

// Each test binary includes this module and uses a different part of it.
#![allow(dead_code)]

use apivote::db::models::ApiIntegrationVote;
use apivote::db::Queries as _;
use shared::db::models::{AuthenticationMethod, User};
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

/// A new vote with the given id; panics if the user already voted for the API.
pub async fn vote<C: GenericClient>(
    client: &C,
    id: &str,
    api_identifier: &str,
    user_id: Uuid,
) -> ApiIntegrationVote {
    client
        .create_vote(id, api_identifier, user_id)
        .await
        .expect("seed vote")
        .expect("first vote of this user for this API")
}

/// Lets the server clock move past the current millisecond, the resolution of
/// the timestamp(3) columns, so that later votes sort after earlier ones.
pub async fn next_millisecond(client: &Client) {
    let pg: &tokio_postgres::Client = client;
    pg.execute("SELECT pg_sleep(0.005)", &[]).await.unwrap();
}
