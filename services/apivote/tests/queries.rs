//! Behaviour of each generated query of `apivote` against a real PostgreSQL, including its RIGHT and FULL joins.

mod seed;

use apivote::db::Queries;
use sqlgen_runtime::Error;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

#[tokio::test]
async fn create_vote_returns_the_vote_and_none_for_a_second_vote_on_the_same_api() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;

    let vote = client
        .create_vote("vote-1", "stripe", user.id)
        .await
        .unwrap()
        .expect("first vote is recorded");
    assert_eq!(vote.id, "vote-1");
    assert_eq!(vote.api_identifier, "stripe");
    assert_eq!(vote.user_id, user.id);
    assert_eq!(vote.created_at, vote.updated_at);

    let again = client
        .create_vote("vote-2", "stripe", user.id)
        .await
        .unwrap();
    assert_eq!(again, None);
    assert_eq!(client.count_votes_for_api("stripe").await.unwrap(), 1);
    assert_eq!(
        client
            .get_vote("stripe", user.id)
            .await
            .unwrap()
            .map(|v| v.id),
        Some("vote-1".to_owned())
    );
}

#[tokio::test]
async fn create_vote_with_a_taken_id_is_a_unique_violation_not_a_silent_skip() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    seed::vote(&client, "vote-1", "stripe", user.id).await;

    // ON CONFLICT names the (api, user) index; a clash on the key is still an error.
    let error = client
        .create_vote("vote-1", "github", user.id)
        .await
        .unwrap_err();

    match error {
        Error::Postgres(error) => {
            assert_eq!(error.code(), Some(&SqlState::UNIQUE_VIOLATION));
            assert_eq!(
                error.as_db_error().unwrap().constraint(),
                Some("ApiIntegrationVote_pkey")
            );
        }
        Error::NotFound => panic!("expected a unique violation"),
    }
}

#[tokio::test]
async fn create_vote_for_an_unknown_user_is_a_foreign_key_violation() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;

    let error = client
        .create_vote("vote-1", "stripe", Uuid::new_v4())
        .await
        .unwrap_err();

    assert_eq!(error.code(), Some(&SqlState::FOREIGN_KEY_VIOLATION));
}

#[tokio::test]
async fn upsert_vote_keeps_the_first_id_and_creation_time_and_refreshes_updated_at() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;

    let first = client
        .upsert_vote("vote-1", "stripe", user.id)
        .await
        .unwrap();
    assert_eq!(first.id, "vote-1");
    assert_eq!(first.created_at, first.updated_at);
    seed::next_millisecond(&client).await;
    let second = client
        .upsert_vote("vote-2", "stripe", user.id)
        .await
        .unwrap();

    assert_eq!(second.id, "vote-1");
    assert_eq!(second.created_at, first.created_at);
    assert!(second.updated_at > first.updated_at);
    assert_eq!(
        client.get_vote("stripe", user.id).await.unwrap(),
        Some(second)
    );
}

#[tokio::test]
async fn get_vote_finds_only_that_users_vote_for_that_api() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let vote = seed::vote(&client, "vote-1", "stripe", ada.id).await;

    assert_eq!(client.get_vote("stripe", ada.id).await.unwrap(), Some(vote));
    assert_eq!(client.get_vote("stripe", bob.id).await.unwrap(), None);
    assert_eq!(client.get_vote("github", ada.id).await.unwrap(), None);
}

#[tokio::test]
async fn has_user_voted_is_true_only_for_the_api_voted_for() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    assert!(!client.has_user_voted("stripe", user.id).await.unwrap());

    seed::vote(&client, "vote-1", "stripe", user.id).await;

    assert!(client.has_user_voted("stripe", user.id).await.unwrap());
    assert!(!client.has_user_voted("github", user.id).await.unwrap());
}

#[tokio::test]
async fn count_votes_for_api_counts_that_apis_votes_and_zero_for_none() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    seed::vote(&client, "v1", "stripe", ada.id).await;
    seed::vote(&client, "v2", "stripe", bob.id).await;
    seed::vote(&client, "v3", "github", ada.id).await;

    assert_eq!(client.count_votes_for_api("stripe").await.unwrap(), 2);
    assert_eq!(client.count_votes_for_api("github").await.unwrap(), 1);
    assert_eq!(client.count_votes_for_api("slack").await.unwrap(), 0);
}

#[tokio::test]
async fn count_votes_by_api_ranks_apis_with_their_first_and_latest_vote_times() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let users = [
        seed::user(&client, "a@example.com", None).await,
        seed::user(&client, "b@example.com", None).await,
        seed::user(&client, "c@example.com", None).await,
    ];
    let first_stripe = seed::vote(&client, "s1", "stripe", users[0].id).await;
    seed::vote(&client, "g1", "github", users[0].id).await;
    seed::vote(&client, "s2", "stripe", users[1].id).await;
    seed::next_millisecond(&client).await;
    let slack = seed::vote(&client, "k1", "slack", users[1].id).await;
    let last_stripe = seed::vote(&client, "s3", "stripe", users[2].id).await;

    let ranking = client.count_votes_by_api(10).await.unwrap();

    let summary: Vec<_> = ranking
        .iter()
        .map(|r| (r.api_identifier.as_str(), r.vote_count))
        .collect();
    assert_eq!(summary, [("stripe", 3), ("github", 1), ("slack", 1)]);
    assert_eq!(ranking[0].first_vote_at, first_stripe.created_at);
    assert_eq!(ranking[0].latest_vote_at, last_stripe.created_at);
    assert_eq!(ranking[2].first_vote_at, slack.created_at);
    assert_eq!(ranking[2].latest_vote_at, slack.created_at);
    assert_eq!(client.count_votes_by_api(1).await.unwrap().len(), 1);
    assert!(client.count_votes_by_api(0).await.unwrap().is_empty());
}

#[tokio::test]
async fn list_voters_for_api_lists_voters_oldest_first_with_their_email_and_display_name() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", Some("Ada")).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let cat = seed::user(&client, "cat@example.com", None).await;
    // Ids ascend with time, so the order is the same whether two votes share a
    // millisecond (ties broken by id) or not.
    let first = seed::vote(&client, "v1", "stripe", ada.id).await;
    seed::vote(&client, "v2", "stripe", bob.id).await;
    seed::vote(&client, "v3", "github", cat.id).await;

    let voters = client.list_voters_for_api("stripe", 10, 0).await.unwrap();

    let summary: Vec<_> = voters
        .iter()
        .map(|v| {
            (
                v.id.as_str(),
                v.user_id,
                v.email.as_str(),
                v.display_name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("v1", ada.id, "ada@example.com", Some("Ada")),
            ("v2", bob.id, "bob@example.com", None),
        ]
    );
    assert_eq!(voters[0].created_at, first.created_at);
    let second_page = client.list_voters_for_api("stripe", 1, 1).await.unwrap();
    assert_eq!(second_page, [voters[1].clone()]);
}

#[tokio::test]
async fn list_votes_by_user_returns_the_users_votes_newest_first() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let older = seed::vote(&client, "v1", "stripe", ada.id).await;
    seed::next_millisecond(&client).await;
    let newer = seed::vote(&client, "v2", "github", ada.id).await;
    seed::vote(&client, "v3", "stripe", bob.id).await;

    let votes = client.list_votes_by_user(ada.id).await.unwrap();

    assert_eq!(votes, [newer, older]);
    assert!(client
        .list_votes_by_user(Uuid::new_v4())
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn list_users_with_vote_status_keeps_every_user_with_null_vote_columns_for_non_voters() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let cat = seed::user(&client, "cat@example.com", None).await;
    let vote = seed::vote(&client, "v1", "stripe", ada.id).await;
    // A vote for another API must not count as a vote for this one.
    seed::vote(&client, "v2", "github", bob.id).await;

    let rows = client
        .list_users_with_vote_status("stripe", 10)
        .await
        .unwrap();

    let summary: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.user_id,
                r.email.as_str(),
                r.vote_id.as_deref(),
                r.voted_at,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (ada.id, "ada@example.com", Some("v1"), Some(vote.created_at)),
            (bob.id, "bob@example.com", None, None),
            (cat.id, "cat@example.com", None, None),
        ]
    );
    assert_eq!(
        client
            .list_users_with_vote_status("stripe", 2)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn compare_api_voters_pairs_vote_times_with_nulls_for_one_sided_voters() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let both = seed::user(&client, "both@example.com", None).await;
    let first_only = seed::user(&client, "first@example.com", None).await;
    let second_only = seed::user(&client, "second@example.com", None).await;
    let neither = seed::user(&client, "neither@example.com", None).await;
    let both_first = seed::vote(&client, "b1", "stripe", both.id).await;
    let both_second = seed::vote(&client, "b2", "github", both.id).await;
    let first_vote = seed::vote(&client, "f1", "stripe", first_only.id).await;
    let second_vote = seed::vote(&client, "s2", "github", second_only.id).await;
    seed::vote(&client, "n3", "slack", neither.id).await;

    let rows = client.compare_api_voters("stripe", "github").await.unwrap();

    let mut expected = vec![
        (
            Some(both.id),
            Some(both_first.created_at),
            Some(both_second.created_at),
        ),
        (Some(first_only.id), Some(first_vote.created_at), None),
        (Some(second_only.id), None, Some(second_vote.created_at)),
    ];
    expected.sort_by_key(|(user_id, _, _)| *user_id);
    let actual: Vec<_> = rows
        .iter()
        .map(|r| (r.user_id, r.first_voted_at, r.second_voted_at))
        .collect();
    assert_eq!(actual, expected);
}

#[tokio::test]
async fn delete_vote_returns_the_withdrawn_vote_then_none() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let vote = seed::vote(&client, "v1", "stripe", user.id).await;

    let deleted = client
        .delete_vote("stripe", user.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deleted.id, "v1");
    assert_eq!(deleted.created_at, vote.created_at);

    assert_eq!(client.delete_vote("stripe", user.id).await.unwrap(), None);
    assert!(!client.has_user_voted("stripe", user.id).await.unwrap());
}

#[tokio::test]
async fn delete_votes_for_api_reports_how_many_votes_it_deleted() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    seed::vote(&client, "v1", "stripe", ada.id).await;
    seed::vote(&client, "v2", "stripe", bob.id).await;
    seed::vote(&client, "v3", "github", ada.id).await;

    assert_eq!(client.delete_votes_for_api("stripe").await.unwrap(), 2);
    assert_eq!(client.delete_votes_for_api("stripe").await.unwrap(), 0);
    assert_eq!(client.count_votes_for_api("github").await.unwrap(), 1);
}

#[tokio::test]
async fn vote_text_uuid_and_timestamp_columns_round_trip() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let id = "clx9 \"vote\" ✓ 投票";
    let api = "api/with spaces & ünïcödé";

    let vote = seed::vote(&client, id, api, user.id).await;
    let read = client.get_vote(api, user.id).await.unwrap().unwrap();

    assert_eq!(read, vote);
    assert_eq!(read.id, id);
    assert_eq!(read.api_identifier, api);
    assert_eq!(read.user_id, user.id);
    // timestamp(3) keeps milliseconds only, so nothing finer may show up, and
    // the decoded value is exactly the stored one.
    assert_eq!(read.created_at.nanosecond() % 1_000_000, 0);
    let pg: &tokio_postgres::Client = &client;
    let same: bool = pg
        .query_one(
            r#"SELECT "createdAt" = $2 AND "updatedAt" = $3 AND "userId" = $4
               FROM "ApiIntegrationVote" WHERE "id" = $1"#,
            &[&id, &read.created_at, &read.updated_at, &user.id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(same);
}
