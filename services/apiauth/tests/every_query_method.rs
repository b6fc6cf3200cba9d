//! Calls every method of `apiauth::db::Queries` through the trait, on a client and inside a transaction.

mod seed;

use apiauth::db::models::OrganizationAccessTokenType;
use apiauth::db::organization_access_tokens::CreateOrganizationAccessTokenParams;
use apiauth::db::personal_access_tokens::{
    CreatePersonalAccessTokenParams, ListPersonalAccessTokensForUserParams,
};
use apiauth::db::Queries;
use shared::db::models::OrgMemberRole;
use shared::db::Queries as _;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// All 16 queries once, each result checked; generic over the trait so that it
/// compiles only if every method is there with this shape. The user, the
/// organization and the user's membership of it come from `shared`, which the
/// caller runs on the same client.
async fn call_every_query<Q: Queries>(q: &Q, user_id: Uuid, organization_id: Uuid) {
    // personal_access_tokens.sql
    let pat = q
        .create_personal_access_token(&CreatePersonalAccessTokenParams {
            name: "laptop",
            user_id,
            hashed_token: "hash-pat",
            expires_at: None,
            obfuscated_token: "tr_pat_xxxx",
        })
        .await
        .unwrap();
    let found = q
        .get_active_personal_access_token_by_hash("hash-pat")
        .await
        .unwrap();
    assert_eq!(found.map(|t| t.id), Some(pat.id));
    let any_state = q
        .find_personal_access_token_by_hash("hash-pat")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            any_state.id,
            any_state.revoked,
            any_state.expired,
            any_state.use_due,
            any_state.read_only
        ),
        (pat.id, false, false, true, false)
    );
    assert_eq!(q.touch_personal_access_token(pat.id).await.unwrap(), 1);
    assert_eq!(
        q.touch_personal_access_token(pat.id).await.unwrap(),
        0,
        "a use is recorded at most once a minute"
    );
    let any_state = q
        .find_personal_access_token_by_hash("hash-pat")
        .await
        .unwrap()
        .unwrap();
    assert!(!any_state.use_due);
    let listed = q
        .list_personal_access_tokens_for_user(&ListPersonalAccessTokensForUserParams {
            user_id,
            include_revoked: false,
            limit: 10,
            offset: 0,
        })
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_accessed_at.is_some());
    let ranking = q.list_users_by_active_token_count(10).await.unwrap();
    assert_eq!(ranking.len(), 1);
    assert_eq!((ranking[0].id, ranking[0].token_count), (user_id, 1));
    assert_eq!(
        q.revoke_personal_access_token(pat.id, user_id)
            .await
            .unwrap(),
        1
    );
    assert!(q
        .revoke_all_personal_access_tokens_for_user(user_id)
        .await
        .unwrap()
        .is_empty());

    // organization_access_tokens.sql
    let scopes = vec!["read:runs".to_owned()];
    let oat = q
        .create_organization_access_token(&CreateOrganizationAccessTokenParams {
            name: "ci",
            r#type: OrganizationAccessTokenType::User,
            organization_id,
            created_by_user_id: Some(user_id),
            hashed_token: "hash-oat",
            obfuscated_token: "tr_oat_xxxx",
            scopes: &scopes,
            expires_at: Some(OffsetDateTime::now_utc() + Duration::hours(1)),
        })
        .await
        .unwrap();
    let found = q
        .get_active_organization_access_token_by_hash("hash-oat")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, &found.scopes), (oat.id, &scopes));
    let any_state = q
        .find_organization_access_token_by_hash("hash-oat")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            any_state.id,
            any_state.scopes,
            any_state.organization_deleted,
            any_state.creator_is_member,
            any_state.use_due,
            any_state.read_only
        ),
        (oat.id, scopes, false, true, true, false)
    );
    assert_eq!(q.touch_organization_access_token(oat.id).await.unwrap(), 1);
    assert_eq!(q.touch_organization_access_token(oat.id).await.unwrap(), 0);
    let listed = q
        .list_organization_access_tokens(organization_id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_accessed_at.is_some());
    let revoked = q
        .revoke_organization_access_token(oat.id, organization_id)
        .await
        .unwrap();
    assert_eq!(revoked.map(|r| r.id), Some(oat.id));
    assert_eq!(
        q.delete_expired_organization_access_tokens(OffsetDateTime::now_utc() + Duration::hours(2))
            .await
            .unwrap(),
        1
    );
    assert!(q
        .delete_tokens_of_deleted_organizations()
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn every_query_method_runs_on_a_client() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let org = seed::organization(&client, "acme").await;
    client
        .add_org_member(org.id, user.id, OrgMemberRole::Member)
        .await
        .unwrap();
    let shared_statements = client.cached_statements();

    call_every_query(&client, user.id, org.id).await;

    assert_eq!(client.cached_statements() - shared_statements, 16);
}

#[tokio::test]
async fn every_query_method_runs_inside_a_transaction() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;

    let tx = client.transaction().await.unwrap();
    let user = seed::user(&tx, "ada@example.com", None).await;
    let org = seed::organization(&tx, "acme").await;
    tx.add_org_member(org.id, user.id, OrgMemberRole::Member)
        .await
        .unwrap();
    call_every_query(&tx, user.id, org.id).await;
    tx.rollback().await.unwrap();

    let pg: &tokio_postgres::Client = &client;
    let count: i64 = pg
        .query_one("SELECT count(*) FROM organization_access_tokens", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 0);
}
