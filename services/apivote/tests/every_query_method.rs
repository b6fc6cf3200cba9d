//! Calls every method of `apivote::db::Queries` through the trait, on a client and inside a transaction.

mod seed;

use apivote::db::votes::{CastVotesParams, DeleteVotesParams, ImportVotesParams};
use apivote::db::Queries;
use uuid::Uuid;

/// All 19 queries once, each result checked; generic over the trait so that it
/// compiles only if every method is there with this shape. The users come from
/// `shared`, which the caller runs on the same client.
async fn call_every_query<Q: Queries>(q: &Q, ada: Uuid, bob: Uuid) {
    let vote = q.create_vote("v1", "stripe", ada).await.unwrap().unwrap();
    let upserted = q.upsert_vote("v2", "github", ada).await.unwrap();
    assert_eq!(upserted.id, "v2");
    assert_eq!(q.get_vote("stripe", ada).await.unwrap(), Some(vote.clone()));
    assert!(q.has_user_voted("stripe", ada).await.unwrap());
    assert_eq!(q.count_votes_for_api("stripe").await.unwrap(), 1);
    let ranking = q.count_votes_by_api(10).await.unwrap();
    assert_eq!(ranking.len(), 2);
    assert!(ranking.iter().all(|r| r.vote_count == 1));
    let voters = q.list_voters_for_api("stripe", 10, 0).await.unwrap();
    assert_eq!(voters.len(), 1);
    assert_eq!(voters[0].user_id, ada);
    let mine = q.list_votes_by_user(ada).await.unwrap();
    assert_eq!(mine.len(), 2);
    let status = q.list_users_with_vote_status("stripe", 10).await.unwrap();
    let status: Vec<_> = status
        .iter()
        .map(|s| (s.user_id, s.vote_id.clone()))
        .collect();
    assert_eq!(status, [(ada, Some("v1".to_owned())), (bob, None)]);
    let compared = q.compare_api_voters("stripe", "github").await.unwrap();
    assert_eq!(compared.len(), 1);
    assert_eq!(compared[0].user_id, Some(ada));
    assert_eq!(compared[0].first_voted_at, Some(vote.created_at));
    assert_eq!(compared[0].second_voted_at, Some(upserted.created_at));
    let deleted = q.delete_vote("stripe", ada).await.unwrap();
    assert_eq!(deleted.map(|d| d.id), Some("v1".to_owned()));
    assert_eq!(q.delete_votes_for_api("github").await.unwrap(), 1);

    q.record_vote("v0", "gitlab", bob).await.unwrap();
    let recorded = q.get_vote_by_id("v0").await.unwrap();
    assert_eq!(
        (recorded.api_identifier.as_str(), recorded.user_id),
        ("gitlab", bob)
    );
    assert!(q.get_vote_by_id("nope").await.unwrap_err().is_not_found());

    let cast = q
        .cast_votes(&[CastVotesParams {
            id: "v3",
            api_identifier: "slack",
            user_id: bob,
        }])
        .await
        .unwrap();
    assert!(matches!(cast[..], [Ok(())]), "{cast:?}");
    let found = q.get_votes_by_id(&["v3", "nope"]).await.unwrap();
    assert_eq!(found[0].as_ref().unwrap().user_id, bob);
    assert!(found[1].as_ref().unwrap_err().is_not_found());
    let voters = q.list_voter_ids_for_apis(&["slack", "nope"]).await.unwrap();
    assert_eq!(voters[0].as_ref().unwrap(), &[bob]);
    assert!(voters[1].as_ref().unwrap().is_empty());
    let at = found[0].as_ref().unwrap().created_at;
    let imported = q
        .import_votes([ImportVotesParams {
            id: "v4",
            api_identifier: "slack",
            user_id: ada,
            created_at: at,
            updated_at: at,
        }])
        .await
        .unwrap();
    assert_eq!(imported, 1);
    let gone = q
        .delete_votes(&[
            DeleteVotesParams {
                api_identifier: "slack",
                user_id: ada,
            },
            DeleteVotesParams {
                api_identifier: "slack",
                user_id: bob,
            },
        ])
        .await
        .unwrap();
    assert_eq!(gone.len(), 2);
    assert!(gone.iter().all(Result::is_ok));
    assert_eq!(q.count_votes_for_api("slack").await.unwrap(), 0);
}

#[tokio::test]
async fn every_query_method_runs_on_a_client() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let shared_statements = client.cached_statements();

    call_every_query(&client, ada.id, bob.id).await;

    // 19 queries with 17 distinct SQL texts (`RecordVote` and `CastVotes`, `GetVoteById` and
    // `GetVotesById` share theirs, so their statements too), plus the COPY of `:copyfrom`.
    assert_eq!(client.cached_statements() - shared_statements, 18);
}

#[tokio::test]
async fn every_query_method_runs_inside_a_transaction() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;

    let tx = client.transaction().await.unwrap();
    call_every_query(&tx, ada.id, bob.id).await;
    tx.rollback().await.unwrap();

    assert!(client.count_votes_by_api(10).await.unwrap().is_empty());
    assert!(client.list_votes_by_user(ada.id).await.unwrap().is_empty());
}
