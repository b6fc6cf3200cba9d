//! `Error` built from real server failures: what it prints and what it exposes.

use std::error::Error as _;

use sqlgen_runtime::tokio_postgres;
use sqlgen_runtime::tokio_postgres::error::{DbError, SqlState};
use sqlgen_runtime::{Client, Error, GenericClient};

#[tokio::test]
async fn postgres_errors_print_as_tokio_postgres_does_and_expose_the_server_error() {
    let db = testsupport::fresh_db_from_sql(&["CREATE TABLE t (id int PRIMARY KEY)"]).await;
    let client = Client::new(db.client().await);
    let stmt = client
        .prepare_cached("INSERT INTO t (id) VALUES ($1)")
        .await
        .unwrap();
    client.execute(&stmt, &[&1_i32]).await.unwrap();
    let inner = client.execute(&stmt, &[&1_i32]).await.unwrap_err();
    assert_eq!(inner.to_string(), "db error");

    let error = Error::from(inner);
    assert!(!error.is_not_found());
    assert_eq!(
        error.to_string(),
        "db error: ERROR: duplicate key value violates unique constraint \"t_pkey\"\nDETAIL: Key (id)=(1) already exists."
    );
    assert_eq!(error.code(), Some(&SqlState::UNIQUE_VIOLATION));
    let db_error = error.as_db_error().expect("a server error");
    assert_eq!(db_error.constraint(), Some("t_pkey"));
    let source = error.source().expect("the tokio-postgres error as source");
    let source = source
        .downcast_ref::<tokio_postgres::Error>()
        .expect("a tokio-postgres error");
    assert!(source
        .source()
        .and_then(|cause| cause.downcast_ref::<DbError>())
        .is_some());
}

#[tokio::test]
async fn decoding_errors_name_the_column_and_the_cause() {
    let db = testsupport::fresh_db_from_sql(&[]).await;
    let client = Client::new(db.client().await);
    let stmt = client
        .prepare_cached("SELECT 'a'::text AS name")
        .await
        .unwrap();
    let row = client.query_opt(&stmt, &[]).await.unwrap().unwrap();
    let error = Error::from(row.try_get::<_, i32>(0).unwrap_err());
    assert_eq!(
        error.to_string(),
        "error deserializing column 0: cannot convert between the Rust type `i32` and the Postgres type `text`"
    );
    assert!(error.as_db_error().is_none());
}

#[tokio::test]
async fn errors_from_question_mark_keep_their_code() {
    async fn failing(client: &impl GenericClient) -> Result<(), Error> {
        client.prepare_cached("SELECT * FROM no_such_table").await?;
        Ok(())
    }
    let db = testsupport::fresh_db_from_sql(&[]).await;
    let client = Client::new(db.client().await);
    let error = failing(&client).await.unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::UNDEFINED_TABLE));
    assert!(error.to_string().contains("no_such_table"), "{error}");
}
