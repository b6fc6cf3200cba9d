//! A live client's cached statements after the server stopped accepting them: a column type changed
//! by another connection (`0A000`), `DEALLOCATE ALL` on the session (`26000`); and what a batch
//! dropped half-way has done.

mod seed;

use apivote::db::votes::{self, CastVotesParams};
use apivote::db::Queries as _;
use futures_util::FutureExt as _;
use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::tokio_postgres::NoTls;
use sqlgen_runtime::PoolerClient;

/// The change in result type that makes PostgreSQL refuse a statement prepared before it.
const TO_VARCHAR: &str =
    r#"ALTER TABLE "ApiIntegrationVote" ALTER COLUMN "apiIdentifier" TYPE varchar(200)"#;
const TO_TEXT: &str = r#"ALTER TABLE "ApiIntegrationVote" ALTER COLUMN "apiIdentifier" TYPE text"#;

#[tokio::test]
async fn a_column_type_changed_by_another_connection_is_prepared_again() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    seed::vote(&client, "v1", "stripe", ada.id).await;
    assert_eq!(
        client.get_vote_by_id("v1").await.unwrap().api_identifier,
        "stripe"
    );
    // The statement as the server prepared it before the change, kept aside to show the failure
    // the cache avoids.
    let pg: &tokio_postgres::Client = &client;
    let before = pg.prepare(votes::GET_VOTE_BY_ID).await.unwrap();

    let other = db.client().await;
    other.batch_execute(TO_VARCHAR).await.unwrap();

    let refused = pg.query_one(&before, &[&"v1"]).await.unwrap_err();
    assert_eq!(
        refused.code(),
        Some(&SqlState::FEATURE_NOT_SUPPORTED),
        "{refused}"
    );
    // The generated call evicts its cached statement, prepares it again and runs once more.
    let vote = client.get_vote_by_id("v1").await.unwrap();
    assert_eq!(
        (vote.id.as_str(), vote.api_identifier.as_str()),
        ("v1", "stripe")
    );
    assert_eq!(client.list_votes_by_user(ada.id).await.unwrap().len(), 1);
    let found = client.get_votes_by_id(&["v1"]).await.unwrap();
    assert!(found[0].is_ok(), "{found:?}");

    // Inside a transaction the error is returned (it aborted the transaction); the stale
    // statement is gone all the same, so the call works once the transaction is over.
    other.batch_execute(TO_TEXT).await.unwrap();
    let tx = client.transaction().await.unwrap();
    let error = tx.get_vote_by_id("v1").await.unwrap_err();
    assert_eq!(
        error.code(),
        Some(&SqlState::FEATURE_NOT_SUPPORTED),
        "{error}"
    );
    tx.rollback().await.unwrap();
    assert_eq!(client.get_vote_by_id("v1").await.unwrap().id, "v1");
}

#[tokio::test]
async fn deallocate_all_on_the_session_is_survived() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    seed::vote(&client, "v1", "stripe", ada.id).await;
    assert!(client.has_user_voted("stripe", ada.id).await.unwrap());
    assert_eq!(client.get_votes_by_id(&["v1"]).await.unwrap().len(), 1);
    let pg: &tokio_postgres::Client = &client;
    let before = pg.prepare(votes::HAS_USER_VOTED).await.unwrap();

    // As a pooler's server reset, or an operator, would: every statement of the session goes.
    pg.batch_execute("DEALLOCATE ALL").await.unwrap();

    let gone = pg
        .query_one(&before, &[&"stripe", &ada.id])
        .await
        .unwrap_err();
    assert_eq!(
        gone.code(),
        Some(&SqlState::INVALID_SQL_STATEMENT_NAME),
        "{gone}"
    );
    assert!(client.has_user_voted("stripe", ada.id).await.unwrap());
    assert_eq!(
        client.get_vote("stripe", ada.id).await.unwrap().unwrap().id,
        "v1"
    );
    // A batch whose statement vanished: each item is retried after a new Parse.
    let found = client.get_votes_by_id(&["v1", "v1", "nope"]).await.unwrap();
    assert!(found[0].is_ok() && found[1].is_ok(), "{found:?}");
    assert!(found[2].as_ref().unwrap_err().is_not_found());
}

/// The pooler mode with content-named statements (`PoolerClient::connect`), through PgBouncer:
/// another connection changes a column's type and clears every server connection's statements
/// (`DEALLOCATE ALL` in as many transactions held open at once as the pool has connections); the
/// same client's calls go on, each statement prepared again where it is missing or stale.
#[tokio::test]
async fn content_named_statements_through_pgbouncer_survive_both() {
    let db = testsupport::fresh_db().await;
    let config = db.pooler_config();
    let (client, connection) = PoolerClient::connect(&config, NoTls).await.unwrap();
    tokio::spawn(connection);
    let ada = seed::user(&client, "ada@example.com", None).await;
    seed::vote(&client, "v1", "stripe", ada.id).await;
    for _ in 0..4 {
        assert_eq!(
            client.get_vote_by_id("v1").await.unwrap().api_identifier,
            "stripe"
        );
    }
    let counts = client.named_statements().unwrap();
    let before = (counts.named(), counts.reprepared());

    db.client().await.batch_execute(TO_VARCHAR).await.unwrap();
    for _ in 0..4 {
        let vote = client.get_vote_by_id("v1").await.unwrap();
        assert_eq!(
            (vote.id.as_str(), vote.api_identifier.as_str()),
            ("v1", "stripe")
        );
    }
    let mut cleaners = Vec::new();
    for _ in 0..testsupport::POOLER_SERVER_CONNECTIONS {
        cleaners.push(db.pooler_client().await);
    }
    for cleaner in &cleaners {
        cleaner
            .batch_execute("BEGIN; DEALLOCATE ALL")
            .await
            .unwrap();
    }
    for cleaner in &cleaners {
        cleaner.batch_execute("COMMIT").await.unwrap();
    }
    for _ in 0..4 {
        assert!(client.has_user_voted("stripe", ada.id).await.unwrap());
        assert_eq!(client.list_votes_by_user(ada.id).await.unwrap().len(), 1);
    }
    let after = (counts.named(), counts.reprepared());
    // Every call a named Bind, and one more: the first lookup after the type change was refused
    // (0A000) under the name that says the old type, and ran again once learned anew.
    assert_eq!(after.0 - before.0, 13, "every call a named Bind");
    // The type change made the lookup stale, DEALLOCATE ALL made both statements missing: each
    // was prepared again at least once, and none on every call.
    assert!(
        after.1 - before.1 >= 3 && after.1 - before.1 < 12,
        "{before:?} {after:?}"
    );
}

/// `n` vote ids with `prefix` (each for an API of its own name).
fn ids(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// One vote of `user_id` per id, for the API named like the id.
fn items(user_id: uuid::Uuid, ids: &[String]) -> Vec<CastVotesParams<'_>> {
    ids.iter()
        .map(|id| CastVotesParams {
            id,
            api_identifier: id,
            user_id,
        })
        .collect()
}

#[tokio::test]
async fn a_batch_dropped_after_its_first_poll_still_runs_every_item() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;

    // Before its statement is cached, the first poll sends only the Parse: dropped then, the
    // batch has run nothing.
    let first = ids("a", 8);
    let batch = items(ada.id, &first);
    assert!(client.cast_votes(&batch).now_or_never().is_none());
    assert_eq!(client.list_votes_by_user(ada.id).await.unwrap().len(), 0);

    // Once cached, the first poll sends every item; dropping the future only discards the
    // answers. Outside a transaction each item is its own transaction and commits.
    client.cast_votes(&batch[..1]).await.unwrap();
    let second = ids("b", 16);
    let batch = items(ada.id, &second);
    assert!(client.cast_votes(&batch).now_or_never().is_none());
    // The next call on the connection queues behind those items, so it sees them.
    assert_eq!(
        client.list_votes_by_user(ada.id).await.unwrap().len(),
        1 + 16
    );

    // Inside a transaction they run inside it, and go with it when it rolls back.
    let mut client = client;
    let tx = client.transaction().await.unwrap();
    let third = ids("c", 16);
    let batch = items(ada.id, &third);
    assert!(tx.cast_votes(&batch).now_or_never().is_none());
    assert_eq!(
        tx.list_votes_by_user(ada.id).await.unwrap().len(),
        1 + 16 + 16
    );
    tx.rollback().await.unwrap();
    assert_eq!(
        client.list_votes_by_user(ada.id).await.unwrap().len(),
        1 + 16
    );
}
