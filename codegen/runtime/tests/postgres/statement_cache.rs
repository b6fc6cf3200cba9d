//! The statement cache: one Parse per SQL text and connection, shared by transactions, failures not kept.

use std::sync::Arc;

use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::{Client, Error, GenericClient};

use crate::server_view::prepared_names;

const SCHEMA: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE)";
const INSERT_USER: &str = "INSERT INTO users (id, email) VALUES ($1, $2)";
const GET_EMAIL: &str = "SELECT email FROM users WHERE id = $1";
const COUNT_USERS: &str = "SELECT count(*) FROM users";

/// Shaped like a generated `:one` query.
async fn get_email(client: &impl GenericClient, id: i64) -> Result<String, Error> {
    let stmt = client.prepare_cached(GET_EMAIL).await?;
    let row = client
        .query_opt(&stmt, &[&id])
        .await?
        .ok_or(Error::NotFound)?;
    Ok(row.try_get(0)?)
}

/// Shaped like a generated `:exec` query.
async fn insert_user(client: &impl GenericClient, id: i64, email: &str) -> Result<u64, Error> {
    let stmt = client.prepare_cached(INSERT_USER).await?;
    Ok(client.execute(&stmt, &[&id, &email]).await?)
}

/// Shaped like a generated `:many` query.
async fn count_users(client: &impl GenericClient) -> Result<i64, Error> {
    let stmt = client.prepare_cached(COUNT_USERS).await?;
    let rows = client.query(&stmt, &[]).await?;
    Ok(rows[0].get(0))
}

async fn users_client() -> (testsupport::TestDb, Client) {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = Client::new(db.client().await);
    (db, client)
}

#[tokio::test]
async fn repeated_calls_prepare_each_sql_once() {
    let (_db, client) = users_client().await;
    assert_eq!(client.cached_statements(), 0);

    insert_user(&client, 1, "1@example.com").await.unwrap();
    let first_names = prepared_names(&client, INSERT_USER).await;
    assert_eq!(first_names.len(), 1);

    for id in 2..=5 {
        insert_user(&client, id, &format!("{id}@example.com"))
            .await
            .unwrap();
    }
    for id in 1..=5 {
        assert_eq!(
            get_email(&client, id).await.unwrap(),
            format!("{id}@example.com")
        );
    }
    assert_eq!(count_users(&client).await.unwrap(), 5);
    assert_eq!(count_users(&client).await.unwrap(), 5);

    assert_eq!(client.cached_statements(), 3);
    // The same server-side statement, not one re-prepared under a new name.
    assert_eq!(prepared_names(&client, INSERT_USER).await, first_names);
    assert_eq!(prepared_names(&client, GET_EMAIL).await.len(), 1);
    assert_eq!(prepared_names(&client, COUNT_USERS).await.len(), 1);
}

#[tokio::test]
async fn missing_row_is_not_found() {
    let (_db, client) = users_client().await;
    let error = get_email(&client, 42).await.unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
}

#[tokio::test]
async fn concurrent_first_uses_share_one_prepare() {
    let (_db, client) = users_client().await;
    let client = Arc::new(client);
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let client = Arc::clone(&client);
            // Spawning also proves the generated-code futures are Send.
            tokio::spawn(async move { count_users(&*client).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), 0);
    }
    assert_eq!(client.cached_statements(), 1);
    assert_eq!(prepared_names(&client, COUNT_USERS).await.len(), 1);
}

#[tokio::test]
async fn transactions_reuse_and_fill_the_parent_cache() {
    let (_db, mut client) = users_client().await;
    insert_user(&client, 1, "a@example.com").await.unwrap();
    let insert_names = prepared_names(&client, INSERT_USER).await;

    let tx = client.transaction().await.unwrap();
    insert_user(&tx, 2, "b@example.com").await.unwrap();
    assert_eq!(get_email(&tx, 2).await.unwrap(), "b@example.com");
    assert_eq!(tx.cached_statements(), 2);
    tx.commit().await.unwrap();

    assert_eq!(client.cached_statements(), 2);
    assert_eq!(prepared_names(&client, INSERT_USER).await, insert_names);
    let get_names = prepared_names(&client, GET_EMAIL).await;
    assert_eq!(get_names.len(), 1);
    assert_eq!(get_email(&client, 2).await.unwrap(), "b@example.com");
    assert_eq!(prepared_names(&client, GET_EMAIL).await, get_names);
}

#[tokio::test]
async fn statements_prepared_in_a_rolled_back_transaction_stay_usable() {
    let (_db, mut client) = users_client().await;

    let tx = client.transaction().await.unwrap();
    insert_user(&tx, 1, "gone@example.com").await.unwrap();
    assert_eq!(count_users(&tx).await.unwrap(), 1);
    tx.rollback().await.unwrap();

    // Protocol-level statements are not transactional: the cached ones still run.
    assert_eq!(client.cached_statements(), 2);
    assert_eq!(count_users(&client).await.unwrap(), 0);
    insert_user(&client, 1, "kept@example.com").await.unwrap();
    assert_eq!(count_users(&client).await.unwrap(), 1);
    assert_eq!(prepared_names(&client, INSERT_USER).await.len(), 1);
    assert_eq!(prepared_names(&client, COUNT_USERS).await.len(), 1);
}

#[tokio::test]
async fn savepoints_share_the_cache() {
    let (_db, mut client) = users_client().await;
    let mut tx = client.transaction().await.unwrap();
    insert_user(&tx, 1, "a@example.com").await.unwrap();

    let savepoint = tx.transaction().await.unwrap();
    insert_user(&savepoint, 2, "b@example.com").await.unwrap();
    assert_eq!(count_users(&savepoint).await.unwrap(), 2);
    savepoint.rollback().await.unwrap();

    let named = tx.savepoint("second").await.unwrap();
    assert_eq!(count_users(&named).await.unwrap(), 1);
    named.commit().await.unwrap();

    assert_eq!(count_users(&tx).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert_eq!(client.cached_statements(), 2);
    assert_eq!(prepared_names(&client, INSERT_USER).await.len(), 1);
    assert_eq!(prepared_names(&client, COUNT_USERS).await.len(), 1);
}

#[tokio::test]
async fn a_parse_failing_in_an_aborted_transaction_is_not_cached() {
    let (_db, mut client) = users_client().await;

    let tx = client.transaction().await.unwrap();
    insert_user(&tx, 1, "a@example.com").await.unwrap();
    let duplicate = insert_user(&tx, 1, "a@example.com").await.unwrap_err();
    assert_eq!(duplicate.code(), Some(&SqlState::UNIQUE_VIOLATION));
    // The transaction is aborted now, so the server refuses to parse anything.
    let refused = count_users(&tx).await.unwrap_err();
    assert_eq!(refused.code(), Some(&SqlState::IN_FAILED_SQL_TRANSACTION));
    assert_eq!(tx.cached_statements(), 1);
    tx.rollback().await.unwrap();

    assert_eq!(count_users(&client).await.unwrap(), 0);
    assert_eq!(client.cached_statements(), 2);
    assert_eq!(prepared_names(&client, COUNT_USERS).await.len(), 1);
}

#[tokio::test]
async fn a_parse_failing_for_a_missing_table_is_retried_later() {
    const LATER: &str = "SELECT count(*) FROM created_later";
    let (_db, client) = users_client().await;

    let missing = client.prepare_cached(LATER).await.unwrap_err();
    assert_eq!(missing.code(), Some(&SqlState::UNDEFINED_TABLE));
    assert_eq!(client.cached_statements(), 0);

    client
        .batch_execute("CREATE TABLE created_later (id int)")
        .await
        .unwrap();
    let stmt = client.prepare_cached(LATER).await.unwrap();
    let rows = GenericClient::query(&client, &stmt, &[]).await.unwrap();
    assert_eq!(rows[0].get::<_, i64>(0), 0);
    assert_eq!(client.cached_statements(), 1);
}

#[tokio::test]
async fn clearing_the_cache_prepares_again_and_closes_the_old_statement() {
    let (_db, client) = users_client().await;
    count_users(&client).await.unwrap();
    let before = prepared_names(&client, COUNT_USERS).await;

    client.clear_statement_cache();
    assert_eq!(client.cached_statements(), 0);
    count_users(&client).await.unwrap();

    let after = prepared_names(&client, COUNT_USERS).await;
    assert_eq!(
        after.len(),
        1,
        "the dropped statement was closed on the server"
    );
    assert_ne!(after, before);
}

#[tokio::test]
async fn serializable_transaction_through_the_builder() {
    let (_db, mut client) = users_client().await;
    let tx = client
        .build_transaction()
        .isolation_level(sqlgen_runtime::tokio_postgres::IsolationLevel::Serializable)
        .start()
        .await
        .unwrap();
    let isolation: String = tx
        .query_one("SHOW transaction_isolation", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(isolation, "serializable");
    insert_user(&tx, 1, "a@example.com").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(client.cached_statements(), 1);
}
