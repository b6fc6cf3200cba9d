//! `:batch*` and `:copyfrom` queries against PostgreSQL: order, per-item errors, transactions, bulk loads.

mod seed;

use apivote::db::votes::{CastVotesParams, ImportVotesParams};
use apivote::db::Queries as _;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

#[tokio::test]
async fn batch_results_come_back_in_input_order_with_missing_rows_per_item() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let mut ids = Vec::new();
    for i in 0..40 {
        let id = format!("v{i:02}");
        seed::vote(&client, &id, &format!("api{i}"), ada.id).await;
        ids.push(id);
    }
    // Reversed, with holes, more than one pipeline's worth of items.
    let mut wanted: Vec<&str> = ids.iter().rev().map(String::as_str).collect();
    wanted.insert(3, "missing-1");
    wanted.push("missing-2");

    let found = client.get_votes_by_id(&wanted).await.unwrap();

    assert_eq!(found.len(), wanted.len());
    for (want, got) in wanted.iter().zip(&found) {
        match got {
            Ok(vote) => assert_eq!(vote.id, *want),
            Err(e) => {
                assert!(e.is_not_found(), "{want}: {e}");
                assert!(want.starts_with("missing"), "{want} should exist");
            }
        }
    }
    assert_eq!(found.iter().filter(|r| r.is_err()).count(), 2);
}

#[tokio::test]
async fn batchmany_gives_each_item_its_rows_and_an_empty_batch_runs_nothing() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    seed::vote(&client, "v1", "stripe", ada.id).await;
    seed::next_millisecond(&client).await;
    seed::vote(&client, "v2", "stripe", bob.id).await;
    seed::vote(&client, "v3", "github", bob.id).await;
    let before = client.cached_statements();

    let voters = client
        .list_voter_ids_for_apis(&["github", "none", "stripe"])
        .await
        .unwrap();
    let voters: Vec<Vec<Uuid>> = voters.into_iter().map(Result::unwrap).collect();
    assert_eq!(voters, [vec![bob.id], vec![], vec![ada.id, bob.id]]);

    let none = client.list_voter_ids_for_apis(&[]).await.unwrap();
    assert!(none.is_empty());
    assert_eq!(client.cached_statements(), before + 1);
}

#[tokio::test]
async fn a_failing_item_fails_alone_outside_a_transaction() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let vote = |id, api| CastVotesParams {
        id,
        api_identifier: api,
        user_id: ada.id,
    };

    let results = client
        .cast_votes(&[
            vote("v1", "stripe"),
            vote("v2", "stripe"), // ada already voted for stripe: unique violation
            vote("v3", "github"),
            vote("v1", "slack"), // id v1 taken: primary key violation
        ])
        .await
        .unwrap();

    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        Some(&SqlState::UNIQUE_VIOLATION)
    );
    assert!(results[2].is_ok(), "{:?}", results[2]);
    assert_eq!(
        results[3].as_ref().unwrap_err().code(),
        Some(&SqlState::UNIQUE_VIOLATION)
    );
    let mut stored: Vec<String> = client
        .list_votes_by_user(ada.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.id)
        .collect();
    stored.sort();
    assert_eq!(stored, ["v1", "v3"]);
}

#[tokio::test]
async fn inside_a_transaction_the_items_after_a_failure_fail_and_rollback_undoes_the_rest() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let vote = |id, api| CastVotesParams {
        id,
        api_identifier: api,
        user_id: ada.id,
    };

    let tx = client.transaction().await.unwrap();
    let results = tx
        .cast_votes(&[
            vote("v1", "stripe"),
            vote("v1", "github"),
            vote("v3", "slack"),
        ])
        .await
        .unwrap();
    assert!(results[0].is_ok());
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        Some(&SqlState::UNIQUE_VIOLATION)
    );
    assert_eq!(
        results[2].as_ref().unwrap_err().code(),
        Some(&SqlState::IN_FAILED_SQL_TRANSACTION)
    );
    tx.rollback().await.unwrap();

    assert!(client.list_votes_by_user(ada.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn copyfrom_loads_every_row_and_reads_back_equal() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let at = client
        .upsert_vote("probe", "probe", ada.id)
        .await
        .unwrap()
        .created_at;
    let ids: Vec<String> = (0..5000).map(|i| format!("imported-{i}")).collect();
    let apis: Vec<String> = (0..2500).map(|i| format!("api-{i}")).collect();

    // A lazy iterator: the rows are never collected on the client.
    let rows = ids.iter().enumerate().map(|(i, id)| ImportVotesParams {
        id,
        api_identifier: &apis[i / 2],
        user_id: if i % 2 == 0 { ada.id } else { bob.id },
        created_at: at + time::Duration::seconds(i as i64),
        updated_at: at,
    });
    let copied = client.import_votes(rows).await.unwrap();

    assert_eq!(copied, 5000);
    assert_eq!(client.count_votes_for_api("api-1249").await.unwrap(), 2);
    let last = client.get_vote("api-2499", bob.id).await.unwrap().unwrap();
    assert_eq!(last.id, "imported-4999");
    assert_eq!(last.created_at, at + time::Duration::seconds(4999));
    assert_eq!(last.updated_at, at);
    assert_eq!(client.import_votes([]).await.unwrap(), 0);
}

#[tokio::test]
async fn a_copy_with_one_bad_row_loads_nothing() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let at = client
        .upsert_vote("probe", "probe", ada.id)
        .await
        .unwrap()
        .created_at;
    let row = |id, api| ImportVotesParams {
        id,
        api_identifier: api,
        user_id: ada.id,
        created_at: at,
        updated_at: at,
    };

    let err = client
        .import_votes([row("a", "one"), row("b", "two"), row("a", "three")])
        .await
        .unwrap_err();

    assert_eq!(err.code(), Some(&SqlState::UNIQUE_VIOLATION), "{err}");
    assert_eq!(client.list_votes_by_user(ada.id).await.unwrap().len(), 1);
    // The connection is still usable, and so is the cached COPY.
    assert_eq!(client.import_votes([row("c", "four")]).await.unwrap(), 1);
}
