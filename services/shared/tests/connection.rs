//! Generated queries inside `sqlgen_runtime` transactions, and the per-connection cache of prepared statements.

mod seed;

use shared::db::models::OrgMemberRole;
use shared::db::users::{GET_USER_BY_EMAIL, GET_USER_BY_ID, UPSERT_USER};
use shared::db::Queries;
use sqlgen_runtime::{Client, Error};
use tokio_postgres::error::SqlState;

/// How many statements with exactly this SQL text the connection of `client`
/// has prepared, as the server sees it.
async fn prepared_on_server(client: &Client, sql: &str) -> i64 {
    (*client)
        .query_one(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
            &[&sql],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn rolled_back_transaction_leaves_none_of_its_rows_behind() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;

    let tx = client.transaction().await.unwrap();
    let user = seed::user(&tx, "ada@example.com").await;
    let org = tx.create_organization("acme", "Acme", None).await.unwrap();
    tx.add_org_member(org.id, user.id, OrgMemberRole::Admin)
        .await
        .unwrap()
        .expect("new member");
    let inside = tx.list_organizations_for_user(user.id).await.unwrap();
    assert_eq!(inside.len(), 1, "the transaction sees its own rows");
    tx.rollback().await.unwrap();

    assert_eq!(
        client.get_user_by_email("ada@example.com").await.unwrap(),
        None
    );
    assert_eq!(client.get_organization_by_slug("acme").await.unwrap(), None);
    let error = client.get_user_by_id(user.id).await.unwrap_err();
    assert!(matches!(error, Error::NotFound), "{error:?}");
}

#[tokio::test]
async fn committed_transaction_keeps_its_rows() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;

    let tx = client.transaction().await.unwrap();
    let user = seed::user(&tx, "ada@example.com").await;
    let org = tx.create_organization("acme", "Acme", None).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(client.get_user_by_id(user.id).await.unwrap(), user);
    assert_eq!(
        client.get_organization_by_slug("acme").await.unwrap(),
        Some(org)
    );
}

#[tokio::test]
async fn failed_statement_aborts_the_transaction_until_rollback_and_the_client_works_after() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    seed::organization(&client, "acme").await;

    let tx = client.transaction().await.unwrap();
    let duplicate = tx
        .create_organization("acme", "Acme again", None)
        .await
        .unwrap_err();
    assert_eq!(duplicate.code(), Some(&SqlState::UNIQUE_VIOLATION));
    // A statement never prepared before fails to prepare in the aborted
    // transaction; the cache must not keep that failure.
    let aborted = tx.get_user_by_email("ada@example.com").await.unwrap_err();
    assert_eq!(aborted.code(), Some(&SqlState::IN_FAILED_SQL_TRANSACTION));
    tx.rollback().await.unwrap();

    assert_eq!(
        client.get_user_by_email("ada@example.com").await.unwrap(),
        None
    );
    assert_eq!(prepared_on_server(&client, GET_USER_BY_EMAIL).await, 1);
}

#[tokio::test]
async fn each_statement_is_prepared_once_per_connection() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    assert_eq!(prepared_on_server(&client, GET_USER_BY_ID).await, 0);

    let user = seed::user(&client, "ada@example.com").await;
    for _ in 0..5 {
        assert_eq!(client.get_user_by_id(user.id).await.unwrap().id, user.id);
    }
    for _ in 0..3 {
        let found = client.get_user_by_email("ada@example.com").await.unwrap();
        assert_eq!(found.map(|u| u.id), Some(user.id));
    }

    assert_eq!(prepared_on_server(&client, UPSERT_USER).await, 1);
    assert_eq!(prepared_on_server(&client, GET_USER_BY_ID).await, 1);
    assert_eq!(prepared_on_server(&client, GET_USER_BY_EMAIL).await, 1);
    assert_eq!(client.cached_statements(), 3);

    // Statements belong to a connection: a second one prepares its own.
    let other = seed::connect(&db).await;
    assert_eq!(prepared_on_server(&other, GET_USER_BY_ID).await, 0);
    other.get_user_by_id(user.id).await.unwrap();
    other.get_user_by_id(user.id).await.unwrap();
    assert_eq!(prepared_on_server(&other, GET_USER_BY_ID).await, 1);
    assert_eq!(prepared_on_server(&client, GET_USER_BY_ID).await, 1);
}

#[tokio::test]
async fn transactions_reuse_the_statements_prepared_by_their_client() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    client.get_user_by_id(user.id).await.unwrap();

    for _ in 0..2 {
        let tx = client.transaction().await.unwrap();
        assert_eq!(tx.get_user_by_id(user.id).await.unwrap().id, user.id);
        tx.rollback().await.unwrap();
    }
    client.get_user_by_id(user.id).await.unwrap();

    assert_eq!(prepared_on_server(&client, GET_USER_BY_ID).await, 1);
    assert_eq!(client.cached_statements(), 2);
}
