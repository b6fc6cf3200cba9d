//! `apivote::repository::VoteRepository` against a real database, on a client and inside a transaction.

mod seed;

use apivote::db::Queries;
use apivote::repository::{VoteError, VoteRepository};
use uuid::Uuid;

#[tokio::test]
async fn voting_twice_counts_once_and_keeps_the_first_vote() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let votes = VoteRepository::new(&client);

    assert!(votes.vote("stripe", user.id).await.unwrap());
    let first = client.get_vote("stripe", user.id).await.unwrap().unwrap();
    assert!(!votes.vote("stripe", user.id).await.unwrap());

    assert_eq!(votes.count("stripe").await.unwrap(), 1);
    assert!(votes.has_voted("stripe", user.id).await.unwrap());
    assert_eq!(
        client.get_vote("stripe", user.id).await.unwrap(),
        Some(first)
    );
}

#[tokio::test]
async fn votes_of_different_users_each_get_their_own_id() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let votes = VoteRepository::new(&client);

    assert!(votes.vote("stripe", ada.id).await.unwrap());
    assert!(votes.vote("stripe", bob.id).await.unwrap());

    assert_eq!(votes.count("stripe").await.unwrap(), 2);
    let voters = client.list_voters_for_api("stripe", 10, 0).await.unwrap();
    assert_eq!(voters.len(), 2);
    assert_ne!(voters[0].id, voters[1].id);
}

#[tokio::test]
async fn unvote_withdraws_an_existing_vote_only() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let votes = VoteRepository::new(&client);
    votes.vote("stripe", user.id).await.unwrap();

    assert!(votes.unvote("stripe", user.id).await.unwrap());
    assert!(!votes.unvote("stripe", user.id).await.unwrap());

    assert!(!votes.has_voted("stripe", user.id).await.unwrap());
    assert_eq!(votes.count("stripe").await.unwrap(), 0);
    assert!(
        votes.vote("stripe", user.id).await.unwrap(),
        "can vote again"
    );
}

#[tokio::test]
async fn votes_cast_in_a_rolled_back_transaction_are_not_counted() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;

    let tx = client.transaction().await.unwrap();
    let new_user = seed::user(&tx, "bob@example.com", None).await;
    let votes = VoteRepository::new(&tx);
    assert!(votes.vote("stripe", user.id).await.unwrap());
    assert!(votes.vote("stripe", new_user.id).await.unwrap());
    assert_eq!(votes.count("stripe").await.unwrap(), 2);
    tx.rollback().await.unwrap();

    let votes = VoteRepository::new(&client);
    assert_eq!(votes.count("stripe").await.unwrap(), 0);
    assert!(!votes.has_voted("stripe", user.id).await.unwrap());
}

/// Users come from `shared`'s queries and votes from `apivote`'s, on one
/// connection; the RIGHT JOIN of `apivote` sees the users `shared` created.
#[tokio::test]
async fn shared_and_apivote_queries_run_on_one_connection() {
    use shared::db::Queries as SharedQueries;

    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    VoteRepository::new(&client)
        .vote("stripe", ada.id)
        .await
        .unwrap();

    let status = client
        .list_users_with_vote_status("stripe", 10)
        .await
        .unwrap();
    let users = SharedQueries::list_users(&client, 10, 0).await.unwrap();

    assert_eq!(users.len(), status.len());
    let voted: Vec<_> = status
        .iter()
        .map(|s| (s.user_id, s.vote_id.is_some()))
        .collect();
    assert_eq!(voted, [(ada.id, true), (bob.id, false)]);
}

#[tokio::test]
async fn a_vote_of_an_unknown_user_is_a_typed_error() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ghost = Uuid::new_v4();

    let error = VoteRepository::new(&client)
        .vote("stripe", ghost)
        .await
        .unwrap_err();

    assert!(
        matches!(error, VoteError::UnknownUser { user_id } if user_id == ghost),
        "{error:?}"
    );
    assert_eq!(error.to_string(), format!("user `{ghost}` does not exist"));
}

#[tokio::test]
async fn a_vote_for_an_empty_identifier_is_refused() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let votes = VoteRepository::new(&client);

    for identifier in ["", "  "] {
        let error = votes.vote(identifier, user.id).await.unwrap_err();
        assert!(matches!(error, VoteError::EmptyApiIdentifier), "{error:?}");
    }
    assert!(votes.most_voted(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn count_and_has_voted_of_an_api_without_votes_are_zero_and_false() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let votes = VoteRepository::new(&client);
    votes.vote("stripe", user.id).await.unwrap();

    assert_eq!(votes.count("slack").await.unwrap(), 0);
    assert!(!votes.has_voted("slack", user.id).await.unwrap());
    assert!(!votes.unvote("slack", user.id).await.unwrap());
}

#[tokio::test]
async fn most_voted_lists_apis_by_vote_count_then_identifier() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let bob = seed::user(&client, "bob@example.com", None).await;
    let eve = seed::user(&client, "eve@example.com", None).await;
    let votes = VoteRepository::new(&client);
    for (api, users) in [
        ("slack", vec![ada.id]),
        ("stripe", vec![ada.id, bob.id, eve.id]),
        ("github", vec![bob.id, eve.id]),
        ("airtable", vec![eve.id]),
    ] {
        for user in users {
            votes.vote(api, user).await.unwrap();
        }
    }
    // A withdrawn vote no longer counts.
    votes.unvote("github", eve.id).await.unwrap();

    let top: Vec<(String, i64)> = votes
        .most_voted(3)
        .await
        .unwrap()
        .into_iter()
        .map(|row| (row.api_identifier, row.vote_count))
        .collect();

    assert_eq!(
        top,
        [
            ("stripe".to_owned(), 3),
            ("airtable".to_owned(), 1),
            ("github".to_owned(), 1),
        ]
    );
    assert_eq!(votes.most_voted(10).await.unwrap().len(), 4);
}

#[tokio::test]
async fn fifty_concurrent_votes_of_one_user_for_one_api_leave_one_vote() {
    let db = testsupport::fresh_db().await;
    let setup = seed::connect(&db).await;
    let user = seed::user(&setup, "ada@example.com", None).await;
    let mut voters = tokio::task::JoinSet::new();
    for _ in 0..50 {
        // A connection per vote, so the inserts really race in the server.
        let client = seed::connect(&db).await;
        voters.spawn(async move { VoteRepository::new(&client).vote("stripe", user.id).await });
    }
    let mut created = 0;
    while let Some(result) = voters.join_next().await {
        if result.unwrap().unwrap() {
            created += 1;
        }
    }

    assert_eq!(created, 1, "exactly one call recorded the vote");
    let votes = VoteRepository::new(&setup);
    assert_eq!(votes.count("stripe").await.unwrap(), 1);
    assert_eq!(setup.list_votes_by_user(user.id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_row_leaves_the_service_without_its_values() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    // A rule the repository does not map: its violation is `VoteError::Database`,
    // and PostgreSQL's DETAIL spells out the failing row.
    let pg: &tokio_postgres::Client = &client;
    pg.batch_execute(
        r#"ALTER TABLE "ApiIntegrationVote" ADD CONSTRAINT no_internal_apis CHECK ("apiIdentifier" NOT LIKE 'internal-%')"#,
    )
    .await
    .unwrap();

    let error = VoteRepository::new(&client)
        .vote("internal-payroll", user.id)
        .await
        .unwrap_err();

    assert!(matches!(error, VoteError::Database(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "internal database error (SQLSTATE 23514)"
    );
    let logged = error.log_detail();
    assert!(logged.contains("no_internal_apis"), "{logged}");
    assert!(
        logged.contains("Failing row contains") && logged.contains("internal-payroll"),
        "{logged}"
    );
}
