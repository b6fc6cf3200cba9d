//! `sqlc.embed`: a token and its owner decoded into their model structs, the owner's being
//! shared's `User` (imported through `models_from`), against a real PostgreSQL.

mod seed;

use apiauth::db::Queries;
use uuid::Uuid;

#[tokio::test]
async fn a_token_comes_back_with_its_owner_as_whole_models() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", Some("Ada")).await;
    let token = seed::personal_token(&client, user.id, "laptop").await;

    let row = client
        .get_personal_access_token_with_user(token.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.personal_access_token, token);
    // The embedded owner is shared's model type, equal to what shared's own query returns.
    let owner: shared::db::models::User = row.user;
    assert_eq!(owner, user);

    assert!(client
        .get_personal_access_token_with_user(Uuid::new_v4())
        .await
        .unwrap()
        .is_none());
}
