//! `apiauth::repository::AccessTokens` against a real database, next to `shared`'s queries on the same connection.

mod seed;

use apiauth::db::models::OrganizationAccessTokenType;
use apiauth::repository::{hash_token, AccessTokens, NewOrganizationToken};
use shared::db::models::AuthenticationMethod;
use shared::db::users::UpsertUserParams;
use time::{Duration, OffsetDateTime};

#[tokio::test]
async fn issued_personal_token_authenticates_by_its_plain_value_and_records_use() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let tokens = AccessTokens::new(&client);

    let issued = tokens
        .issue_personal_token(
            user.id,
            "laptop",
            "tr_pat_s3cr3tvalue",
            &serde_json::json!({"v": 1}),
        )
        .await
        .unwrap();
    assert_eq!(issued.hashed_token, hash_token("tr_pat_s3cr3tvalue"));
    assert_eq!(issued.obfuscated_token, "tr_pat_s3cr••••••••");

    let first = tokens
        .authenticate_personal("tr_pat_s3cr3tvalue")
        .await
        .unwrap()
        .expect("valid token");
    assert_eq!(first.id, issued.id);
    assert_eq!(first.user_email, "ada@example.com");
    assert_eq!(first.last_accessed_at, None, "no earlier use");

    let second = tokens
        .authenticate_personal("tr_pat_s3cr3tvalue")
        .await
        .unwrap()
        .unwrap();
    assert!(second.last_accessed_at.is_some(), "first use was recorded");

    assert_eq!(
        tokens.authenticate_personal("tr_pat_wrong").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn revoked_personal_token_no_longer_authenticates() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let owner = seed::user(&client, "ada@example.com", None).await;
    let stranger = seed::user(&client, "eve@example.com", None).await;
    let tokens = AccessTokens::new(&client);
    let issued = tokens
        .issue_personal_token(owner.id, "laptop", "tr_pat_abc", &serde_json::json!({}))
        .await
        .unwrap();

    assert!(!tokens
        .revoke_personal_token(stranger.id, issued.id)
        .await
        .unwrap());
    assert!(tokens
        .authenticate_personal("tr_pat_abc")
        .await
        .unwrap()
        .is_some());
    assert!(tokens
        .revoke_personal_token(owner.id, issued.id)
        .await
        .unwrap());
    assert!(!tokens
        .revoke_personal_token(owner.id, issued.id)
        .await
        .unwrap());

    assert_eq!(
        tokens.authenticate_personal("tr_pat_abc").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn organization_token_authenticates_until_it_expires() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let tokens = AccessTokens::new(&client);
    let scopes = vec!["read:runs".to_owned()];
    let new = NewOrganizationToken {
        organization_id: org.id,
        name: "ci",
        token: "tr_oat_live",
        r#type: OrganizationAccessTokenType::System,
        created_by_user_id: None,
        scopes: &scopes,
        expires_at: Some(OffsetDateTime::now_utc() + Duration::hours(1)),
    };
    let live = tokens.issue_organization_token(&new).await.unwrap();
    tokens
        .issue_organization_token(&NewOrganizationToken {
            token: "tr_oat_stale",
            name: "stale",
            expires_at: Some(OffsetDateTime::now_utc() - Duration::hours(1)),
            ..new
        })
        .await
        .unwrap();

    let found = tokens
        .authenticate_organization("tr_oat_live")
        .await
        .unwrap()
        .expect("unexpired token");
    assert_eq!(found.id, live.id);
    assert_eq!(found.scopes, scopes);
    assert_eq!(found.organization_slug, "acme");
    assert_eq!(
        tokens
            .authenticate_organization("tr_oat_stale")
            .await
            .unwrap(),
        None
    );
}

/// `shared` and `apiauth` each generate their own `Queries` trait; both work
/// on one connection, and `apiauth` rows carry `shared`'s enum type.
#[tokio::test]
async fn shared_and_apiauth_queries_run_on_one_connection() {
    use apiauth::db::Queries as ApiAuthQueries;
    use shared::db::Queries as SharedQueries;

    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;

    let user = SharedQueries::upsert_user(
        &client,
        &UpsertUserParams {
            email: "ada@example.com",
            authentication_method: AuthenticationMethod::Github,
            authentication_profile: None,
            name: None,
            display_name: None,
            avatar_url: None,
        },
    )
    .await
    .unwrap();
    AccessTokens::new(&client)
        .issue_personal_token(user.id, "laptop", "tr_pat_one", &serde_json::json!({}))
        .await
        .unwrap();

    let found = ApiAuthQueries::get_active_personal_access_token_by_hash(
        &client,
        &hash_token("tr_pat_one"),
    )
    .await
    .unwrap()
    .unwrap();
    let method: shared::db::models::AuthenticationMethod = found.user_authentication_method;
    assert_eq!(method, user.authentication_method);
    assert_eq!(
        SharedQueries::get_user_by_id(&client, found.user_id)
            .await
            .unwrap(),
        user
    );
    // One cache per connection, filled by both packages' statements.
    assert_eq!(client.cached_statements(), 4);
}

#[tokio::test]
async fn tokens_issued_in_a_rolled_back_transaction_do_not_authenticate() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;

    let tx = client.transaction().await.unwrap();
    let new_user = seed::user(&tx, "bob@example.com", None).await;
    let tokens = AccessTokens::new(&tx);
    for (owner, token) in [(user.id, "tr_pat_ada"), (new_user.id, "tr_pat_bob")] {
        tokens
            .issue_personal_token(owner, "t", token, &serde_json::json!({}))
            .await
            .unwrap();
        assert!(tokens.authenticate_personal(token).await.unwrap().is_some());
    }
    tx.rollback().await.unwrap();

    let tokens = AccessTokens::new(&client);
    assert_eq!(
        tokens.authenticate_personal("tr_pat_ada").await.unwrap(),
        None
    );
    assert_eq!(
        tokens.authenticate_personal("tr_pat_bob").await.unwrap(),
        None
    );
}
