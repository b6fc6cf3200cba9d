//! The calls generated code makes (`one`, `opt`, `many`, `exec`, `exec_rows`) on every client the
//! runtime serves: `Client` and its transactions (built ones and savepoints too), deadpool objects,
//! `PoolerClient` and its transactions; and what `PoolerClient` refuses, as a user would meet it.

use sqlgen_runtime::tokio_postgres::binary_copy::BinaryCopyInWriter;
use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::tokio_postgres::types::Type;
use sqlgen_runtime::tokio_postgres::IsolationLevel;
use sqlgen_runtime::{exec, exec_rows, many, one, opt, Client, GenericClient, PoolerClient};

use crate::server_view::prepared_names;

pub(crate) const SCHEMA: &str = "CREATE TABLE notes (id int4 PRIMARY KEY, body text NOT NULL)";
pub(crate) const INSERT: &str = "INSERT INTO notes (id, body) VALUES ($1, $2)";
pub(crate) const GET_BODY: &str = "SELECT body FROM notes WHERE id = $1";
const BODIES_FROM: &str = "SELECT body FROM notes WHERE id >= $1 ORDER BY id";
const SHOUT_FROM: &str = "UPDATE notes SET body = upper(body) WHERE id >= $1";
const COUNT: &str = "SELECT count(*) FROM notes";

/// Writes notes `base` ("a") and `base + 1` ("b") and reads them back through every call shape.
pub(crate) async fn notes_round_trip(client: &impl GenericClient, base: i32) {
    exec(client, INSERT, &[&base, &"a"]).await.unwrap();
    exec(client, INSERT, &[&(base + 1), &"b"]).await.unwrap();

    let body: String = one(client, GET_BODY, &[&base]).await.unwrap();
    assert_eq!(body, "a");
    let missing = one::<String>(client, GET_BODY, &[&(base + 100)])
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    assert_eq!(
        opt::<String>(client, GET_BODY, &[&(base + 1)])
            .await
            .unwrap(),
        Some("b".to_owned())
    );
    assert_eq!(
        opt::<String>(client, GET_BODY, &[&(base + 100)])
            .await
            .unwrap(),
        None
    );
    // `:opt` over two rows is an error, not the first row.
    let two = opt::<String>(client, BODIES_FROM, &[&base])
        .await
        .unwrap_err();
    assert!(!two.is_not_found(), "{two:?}");

    assert_eq!(
        exec_rows(client, SHOUT_FROM, &[&base]).await.unwrap(),
        2,
        "rows affected"
    );
    let bodies: Vec<String> = many(client, BODIES_FROM, &[&base]).await.unwrap();
    assert_eq!(bodies, ["A", "B"]);
    let none: Vec<String> = many(client, BODIES_FROM, &[&(base + 100)]).await.unwrap();
    assert!(none.is_empty());

    let duplicate = exec(client, INSERT, &[&base, &"again"]).await.unwrap_err();
    assert_eq!(duplicate.code(), Some(&SqlState::UNIQUE_VIOLATION));
}

async fn count(client: &impl GenericClient) -> i64 {
    one(client, COUNT, &[]).await.unwrap()
}

#[tokio::test]
async fn a_client_and_its_transactions_run_every_call_shape() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let mut client = Client::new(db.client().await);

    notes_round_trip(&client, 0).await;

    let builder = client
        .build_transaction()
        .isolation_level(IsolationLevel::Serializable)
        .read_only(false)
        .deferrable(false);
    assert_eq!(format!("{builder:?}"), "TransactionBuilder { .. }");
    let mut tx = builder.start().await.unwrap();
    assert_eq!(
        format!("{tx:?}"),
        format!(
            "Transaction {{ cached_statements: {} }}",
            tx.cached_statements()
        )
    );
    {
        // The round trip ends with a refused insert, which aborts only the savepoint it runs in.
        let savepoint = tx.transaction().await.unwrap();
        notes_round_trip(&savepoint, 10).await;
        savepoint.rollback().await.unwrap();
    }
    let named = tx.savepoint("kept").await.unwrap();
    exec(&named, INSERT, &[&20, &"kept until rollback"])
        .await
        .unwrap();
    named.commit().await.unwrap();
    assert_eq!(count(&tx).await, 3);
    tx.rollback().await.unwrap();
    assert_eq!(count(&client).await, 2, "the transaction rolled back");
    assert_eq!(
        format!("{client:?}"),
        format!(
            "Client {{ closed: false, cached_statements: {} }}",
            client.cached_statements()
        )
    );
}

async fn read_only(client: &mut Client) -> sqlgen_runtime::Transaction<'_> {
    client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_read_only_transaction_refuses_writes_and_keeps_reading() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let mut client = Client::new(db.client().await);
    exec(&client, INSERT, &[&1, &"a"]).await.unwrap();

    let tx = read_only(&mut client).await;
    let refused = exec(&tx, INSERT, &[&2, &"b"]).await.unwrap_err();
    assert_eq!(refused.code(), Some(&SqlState::READ_ONLY_SQL_TRANSACTION));
    tx.rollback().await.unwrap();

    let tx = read_only(&mut client).await;
    assert_eq!(count(&tx).await, 1);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_client_given_back_closes_its_statements_and_a_new_wrapper_starts_empty() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = Client::new(db.client().await);
    assert_eq!(count(&client).await, 0);
    assert_eq!(client.cached_statements(), 1);

    let raw = client.into_inner();
    assert!(
        prepared_names(&raw, COUNT).await.is_empty(),
        "the cache's statement is closed on the server"
    );

    let client = Client::from(raw);
    assert_eq!(client.cached_statements(), 0);
    assert_eq!(count(&client).await, 0);
    assert_eq!(prepared_names(&client, COUNT).await.len(), 1);
}

#[cfg(feature = "deadpool")]
#[tokio::test]
async fn a_deadpool_object_runs_every_call_shape_through_its_own_cache() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let pool = db.pool();
    let object = pool.get().await.unwrap();

    notes_round_trip(&object, 0).await;

    assert_eq!(count(&object).await, 2);
    for sql in [INSERT, GET_BODY, BODIES_FROM, SHOUT_FROM, COUNT] {
        assert_eq!(prepared_names(&object, sql).await.len(), 1, "{sql}");
    }
}

#[tokio::test]
async fn a_pooler_client_and_its_transactions_run_every_call_shape_without_named_statements() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let mut client = PoolerClient::new(db.client().await);

    notes_round_trip(&client, 0).await;
    let tx = client.transaction().await.unwrap();
    exec(&tx, INSERT, &[&10, &"in a transaction"])
        .await
        .unwrap();
    assert_eq!(count(&tx).await, 3);
    assert_eq!(format!("{tx:?}"), "PoolerTransaction { .. }");
    tx.rollback().await.unwrap();
    let tx = client.transaction().await.unwrap();
    exec(&tx, INSERT, &[&11, &"committed"]).await.unwrap();
    tx.commit().await.unwrap();

    assert_eq!(count(&client).await, 3);
    assert!(
        !client.is_closed(),
        "the tokio-postgres client is reachable"
    );
    let learned = client.learned_statements();
    assert_eq!(learned, 5, "one per SQL text");
    assert_eq!(
        format!("{client:?}"),
        "PoolerClient { closed: false, learned_statements: 5 }"
    );
    let left: i64 = one(&client, "SELECT count(*) FROM pg_prepared_statements", &[])
        .await
        .unwrap();
    assert_eq!(left, 0, "no named statement is left on the server");
}

#[tokio::test]
async fn a_pooler_client_refuses_prepared_statements_and_copy_outside_a_transaction() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let mut client = PoolerClient::new(db.client().await);
    // Code generated before the pooler mode runs a statement it prepared.
    let stmt = client.prepare_cached(GET_BODY).await.unwrap();

    let refusals = [
        GenericClient::query(&client, &stmt, &[&1])
            .await
            .unwrap_err(),
        GenericClient::query_opt(&client, &stmt, &[&1])
            .await
            .unwrap_err(),
        GenericClient::execute(&client, &stmt, &[&1])
            .await
            .unwrap_err(),
    ];
    for error in refusals {
        // As generated code returns it.
        let text = sqlgen_runtime::Error::from(error).to_string();
        assert!(
            text.contains("PoolerClient runs no prepared statement")
                && text.contains("regenerate the code"),
            "{text}"
        );
    }

    let copy = "COPY notes (id, body) FROM STDIN (FORMAT binary)";
    let copy_stmt = client.prepare_cached(copy).await.unwrap();
    let error = GenericClient::copy_in(&client, &copy_stmt)
        .await
        .err()
        .expect("refused");
    let text = sqlgen_runtime::Error::from(error).to_string();
    assert!(
        text.contains("PoolerClient runs no prepared statement"),
        "{text}"
    );
    let error = client.copy_in_sql(copy).await.err().expect("refused");
    let text = sqlgen_runtime::Error::from(error).to_string();
    assert!(
        text.contains("PoolerClient runs COPY only inside a transaction"),
        "{text}"
    );
    assert_eq!(count(&client).await, 0);
    // Inside a transaction the same COPY runs.
    let tx = client.transaction().await.unwrap();
    let sink = tx.copy_in_sql(copy).await.unwrap();
    let mut writer = std::pin::pin!(BinaryCopyInWriter::new(sink, &[Type::INT4, Type::TEXT]));
    writer.as_mut().write(&[&1, &"copied"]).await.unwrap();
    assert_eq!(writer.finish().await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert_eq!(count(&client).await, 1);
}
