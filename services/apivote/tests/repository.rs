//! `apivote::repository::VoteRepository` against a real database, on a client and inside a transaction.

mod seed;

use apivote::db::Queries;
use apivote::repository::VoteRepository;

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
