//! `PoolerClient::connect`: the pooler mode's statements run as Binds of statements named after
//! their content (`NamedStatements`), on a direct connection to the server, which is the judge of
//! what exists on the session. PgBouncer runs the same client in `services/apivote/tests/pooler.rs`.

use std::error::Error as _;

use futures_util::future::join_all;
use sqlgen_runtime::tokio_postgres::binary_copy::BinaryCopyInWriter;
use sqlgen_runtime::tokio_postgres::types::Type;
use sqlgen_runtime::tokio_postgres::{Config, NoTls};
use sqlgen_runtime::{exec, one, ConnectError, GenericClient, PoolerClient};

use crate::query_functions::{notes_round_trip, GET_BODY, INSERT, SCHEMA};
use crate::server_view::prepared_names;

async fn connect(config: &Config) -> PoolerClient {
    let (client, connection) = PoolerClient::connect(config, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// (statements sent as a named Bind, of which prepared again).
fn counts(client: &PoolerClient) -> (u64, u64) {
    let counts = client
        .named_statements()
        .expect("connected through NamedStatements");
    (counts.named(), counts.reprepared())
}

/// The content-named statements of the session.
async fn content_named(client: &PoolerClient) -> Vec<String> {
    let rows = client
        .simple_query(
            "SELECT name FROM pg_prepared_statements WHERE name LIKE 'sqlgen\\_%' ORDER BY name",
        )
        .await
        .unwrap();
    rows.iter()
        .filter_map(|message| match message {
            sqlgen_runtime::tokio_postgres::SimpleQueryMessage::Row(row) => {
                Some(row.get(0).unwrap().to_owned())
            }
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn every_call_shape_runs_as_a_named_bind_prepared_once_per_server_connection() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = connect(&db.config()).await;
    assert!(PoolerClient::new(db.client().await)
        .named_statements()
        .is_none());

    notes_round_trip(&client, 0).await;
    let (named, reprepared) = counts(&client);
    // notes_round_trip runs 4 SQL texts, 11 times: each was missing from the session once.
    assert_eq!((named, reprepared), (11, 4));
    let names = content_named(&client).await;
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        names.iter().all(|n| n.len() == "sqlgen_".len() + 32),
        "{names:?}"
    );

    notes_round_trip(&client, 10).await;
    assert_eq!(counts(&client), (22, 4), "prepared once, bound since");
    // Nothing else is left: the learning transactions deallocate tokio-postgres's own names.
    let left = prepared_names(&client, GET_BODY).await;
    assert!(
        left.len() == 1 && left[0].starts_with("sqlgen_"),
        "{left:?}"
    );
}

#[tokio::test]
async fn deallocated_statements_are_prepared_again_and_answers_keep_their_order() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = connect(&db.config()).await;
    for id in 0..16 {
        exec(&client, INSERT, &[&id, &format!("note {id}")])
            .await
            .unwrap();
    }
    let _: String = one(&client, GET_BODY, &[&0]).await.unwrap();
    let before = counts(&client);

    client.batch_execute("DEALLOCATE ALL").await.unwrap();
    // 16 lookups in flight at once: the first finds the statement missing, the server runs the
    // others (missing too) before its retry, and each answer still reaches its own call.
    let bodies = join_all((0..16).map(|id| {
        let client = &client;
        async move {
            let body: String = one(client, GET_BODY, &[&id]).await.unwrap();
            (id, body)
        }
    }))
    .await;
    for (id, body) in bodies {
        assert_eq!(body, format!("note {id}"));
    }
    let after = counts(&client);
    assert_eq!(after.0 - before.0, 16);
    assert!(after.1 > before.1, "{before:?} {after:?}");

    // Statements that pass unchanged (a simple query) wait behind named ones and come back in
    // their place among them.
    let mixed = join_all((0..12).map(|i| {
        let client = &client;
        async move {
            if i % 3 == 1 {
                let rows = client.simple_query("SELECT 'simple'").await.unwrap();
                format!("{}", rows.len())
            } else {
                one::<String>(client, GET_BODY, &[&i]).await.unwrap()
            }
        }
    }))
    .await;
    for (i, answer) in mixed.iter().enumerate() {
        let expected = if i % 3 == 1 {
            "3".to_owned() // RowDescription, one row, CommandComplete
        } else {
            format!("note {i}")
        };
        assert_eq!(answer, &expected);
    }
}

#[tokio::test]
async fn a_column_that_changes_type_is_read_as_its_new_type() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = connect(&db.config()).await;
    exec(&client, INSERT, &[&1, &"first"]).await.unwrap();
    let rows = client.query_sql(GET_BODY, &[&1]).await.unwrap();
    assert_eq!(rows[0].columns()[0].type_(), &Type::TEXT);
    let before = counts(&client);

    // From another session: the session's statement must now return varchar, which PostgreSQL
    // refuses to do silently (0A000, "cached plan must not change result type").
    let other = db.client().await;
    other
        .batch_execute("ALTER TABLE notes ALTER COLUMN body TYPE varchar(40)")
        .await
        .unwrap();
    reads_note_one_as_varchar(&client).await;
    // The old name was refused by the server; the statement learned again has a new name (its
    // column type is part of it), which the session lacked.
    let after = counts(&client);
    assert_eq!((after.0 - before.0, after.1 - before.1), (2, 1));
    let names = prepared_names(&client, GET_BODY).await;
    assert!(
        names.len() == 2 && names.iter().all(|n| n.starts_with("sqlgen_")),
        "{names:?}"
    );
}

/// Note 1's body comes back as varchar, the type the column was altered to.
async fn reads_note_one_as_varchar(client: &PoolerClient) {
    let rows = client.query_sql(GET_BODY, &[&1]).await.unwrap();
    assert_eq!(rows[0].columns()[0].type_(), &Type::VARCHAR);
    assert_eq!(rows[0].get::<_, String>(0), "first");
}

/// A database with note 1, and a client that has looked it up.
async fn one_note_looked_up() -> (testsupport::TestDb, PoolerClient) {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = connect(&db.config()).await;
    exec(&client, INSERT, &[&1, &"first"]).await.unwrap();
    let _: String = one(&client, GET_BODY, &[&1]).await.unwrap();
    (db, client)
}

/// Deallocates the session's statements, then runs `change` on another connection (returned).
async fn lose_statements_then(
    db: &testsupport::TestDb,
    client: &PoolerClient,
    change: &str,
) -> testsupport::tokio_postgres::Client {
    client.batch_execute("DEALLOCATE ALL").await.unwrap();
    let other = db.client().await;
    other.batch_execute(change).await.unwrap();
    other
}

#[tokio::test]
async fn a_statement_whose_types_changed_while_it_was_missing_is_closed_and_learned_again() {
    let (db, client) = one_note_looked_up().await;
    let old = content_named(&client).await;

    // The session loses its statements, and the column changes type: preparing the old name
    // again would describe a varchar column under a name that says text.
    lose_statements_then(
        &db,
        &client,
        "ALTER TABLE notes ALTER COLUMN body TYPE varchar(40)",
    )
    .await;
    let before = counts(&client);
    reads_note_one_as_varchar(&client).await;
    let after = counts(&client);
    assert_eq!((after.0 - before.0, after.1 - before.1), (2, 2));
    // The mismatched statement was closed again: only the new name is left.
    let now = prepared_names(&client, GET_BODY).await;
    assert_eq!(now.len(), 1, "{now:?}");
    assert!(!old.contains(&now[0]), "{old:?} {now:?}");
}

#[tokio::test]
async fn inside_a_transaction_begun_by_hand_statements_are_checked_and_unnamed() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = connect(&db.config()).await;
    exec(&client, INSERT, &[&1, &"first"]).await.unwrap();
    let statement = client.prepare_cached(GET_BODY).await.unwrap();
    let before = counts(&client);

    client.batch_execute("BEGIN").await.unwrap();
    let body: String = one(&client, GET_BODY, &[&1]).await.unwrap();
    assert_eq!(body, "first");
    exec(&client, INSERT, &[&2, &"second"]).await.unwrap();
    assert_eq!(
        counts(&client),
        before,
        "nothing named inside a transaction"
    );
    client.batch_execute("ROLLBACK").await.unwrap();
    assert!(client
        .query_opt_sql(GET_BODY, &[&2])
        .await
        .unwrap()
        .is_none());

    // A learned statement whose column changed type is refused before it runs, and the
    // transaction goes on.
    let other = db.client().await;
    other
        .batch_execute("ALTER TABLE notes ALTER COLUMN body TYPE varchar(40)")
        .await
        .unwrap();
    client.batch_execute("BEGIN").await.unwrap();
    let inner: &sqlgen_runtime::tokio_postgres::Client = &client;
    let error = inner.query(&statement, &[&1]).await.unwrap_err();
    let db_error = error.as_db_error().expect("a server error");
    assert_eq!(db_error.code().code(), "0A000");
    assert!(
        db_error
            .message()
            .starts_with("cached plan must not change result type"),
        "{error}"
    );
    let rows = client.simple_query("SELECT 1").await.unwrap();
    assert_eq!(rows.len(), 3);
    client.batch_execute("COMMIT").await.unwrap();
}

#[tokio::test]
async fn transactions_and_copy_keep_unnamed_statements() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let mut client = connect(&db.config()).await;
    exec(&client, INSERT, &[&1, &"outside"]).await.unwrap();
    let before = counts(&client);

    let tx = client.transaction().await.unwrap();
    exec(&tx, INSERT, &[&2, &"inside"]).await.unwrap();
    let copy = "COPY notes (id, body) FROM STDIN (FORMAT binary)";
    let sink = tx.copy_in_sql(copy).await.unwrap();
    let mut writer = std::pin::pin!(BinaryCopyInWriter::new(sink, &[Type::INT4, Type::TEXT]));
    for id in 3..1000 {
        writer.as_mut().write(&[&id, &"copied"]).await.unwrap();
    }
    assert_eq!(writer.finish().await.unwrap(), 997);
    let body: String = one(&tx, GET_BODY, &[&2]).await.unwrap();
    assert_eq!(body, "inside");
    tx.commit().await.unwrap();
    assert_eq!(
        counts(&client),
        before,
        "nothing named inside the transaction"
    );

    // After the COPY and the commit, statements are named again.
    let body: String = one(&client, GET_BODY, &[&999]).await.unwrap();
    assert_eq!(body, "copied");
    assert_eq!(counts(&client).0, before.0 + 1);
}

#[tokio::test]
async fn a_session_that_asks_for_tls_is_passed_through() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let mut config = db.config();
    config.ssl_mode(sqlgen_runtime::tokio_postgres::config::SslMode::Require);
    // The throwaway server has no TLS: the SSLRequest gets its "no", unchanged.
    let error = PoolerClient::connect(&config, NoTls).await.err().unwrap();
    assert!(matches!(error, ConnectError::Postgres(_)), "{error:?}");
    assert!(error.to_string().contains("TLS"), "{error}");
    assert!(error.source().is_some());
}

#[tokio::test]
async fn unreachable_hosts_are_connect_errors() {
    let mut config = Config::new();
    config
        .host_path("/nonexistent/sqlgen")
        .port(5432)
        .user("nobody");
    let error = PoolerClient::connect(&config, NoTls).await.err().unwrap();
    assert!(matches!(error, ConnectError::Io(_)), "{error:?}");
    assert!(
        error.to_string().starts_with("cannot reach the database: "),
        "{error}"
    );
    assert!(error.source().is_some());

    let error = PoolerClient::connect(&Config::new(), NoTls)
        .await
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("no host to connect to"),
        "{error}"
    );

    // A server error (an unknown database) names the server's message.
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let mut config = db.config();
    config
        .dbname("sqlgen_no_such_database")
        .connect_timeout(std::time::Duration::from_secs(10));
    let error = PoolerClient::connect(&config, NoTls).await.err().unwrap();
    assert!(
        error.to_string().contains("sqlgen_no_such_database"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_statement_that_no_longer_parses_fails_with_the_servers_error() {
    let (db, client) = one_note_looked_up().await;
    let other =
        lose_statements_then(&db, &client, "ALTER TABLE notes RENAME COLUMN body TO text").await;
    let error = one::<String>(&client, GET_BODY, &[&1]).await.unwrap_err();
    let code = error.source().and_then(|source| {
        source
            .downcast_ref::<sqlgen_runtime::tokio_postgres::Error>()?
            .code()
            .cloned()
    });
    assert_eq!(
        code.as_ref().map(|c| c.code()),
        Some("42703"),
        "undefined column: {error}"
    );
    // The session is out of the check and takes the next statements.
    other
        .batch_execute("ALTER TABLE notes RENAME COLUMN text TO body")
        .await
        .unwrap();
    let body: String = one(&client, GET_BODY, &[&1]).await.unwrap();
    assert_eq!(body, "first");
}

#[tokio::test]
async fn notices_of_a_named_statement_reach_the_client_in_their_place() {
    const SHOUT: &str = "SELECT shout($1)";
    let db = testsupport::fresh_db_from_sql(&[
        SCHEMA,
        "CREATE FUNCTION shout(t text) RETURNS text LANGUAGE plpgsql \
         AS $$ BEGIN RAISE NOTICE 'shouting %', t; RETURN upper(t); END $$",
    ])
    .await;
    let client = connect(&db.config()).await;
    for word in ["one", "two", "three"] {
        let loud: String = one(&client, SHOUT, &[&word]).await.unwrap();
        assert_eq!(loud, word.to_uppercase());
    }
    assert_eq!(counts(&client), (3, 1));
}
