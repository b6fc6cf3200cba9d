//! `shared::repository::UserRepository` against a real database, on a client and inside a transaction.

mod seed;

use shared::db::models::{AuthenticationMethod, OrgMemberRole};
use shared::db::Queries;
use shared::repository::{SignIn, UserRepository};
use sqlgen_runtime::Error;
use uuid::Uuid;

fn sign_in(email: &str) -> SignIn<'_> {
    SignIn {
        email,
        method: AuthenticationMethod::MagicLink,
        profile: None,
        name: None,
        display_name: None,
        avatar_url: None,
        ip: None,
    }
}

#[tokio::test]
async fn sign_in_creates_the_user_and_records_the_login() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let users = UserRepository::new(&client);
    let ip = "192.0.2.10".parse().unwrap();

    let user = users
        .sign_in(&SignIn {
            name: Some("Ada"),
            ip: Some(ip),
            ..sign_in("Ada@Example.com")
        })
        .await
        .unwrap();

    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.name.as_deref(), Some("Ada"));
    assert_eq!(user.last_login_ip, Some(ip));
    assert!(user.last_login_at.is_some());
    assert_eq!(users.get(user.id).await.unwrap(), user);
}

#[tokio::test]
async fn signing_in_again_keeps_the_user_and_refreshes_the_login() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let users = UserRepository::new(&client);
    let first = users
        .sign_in(&SignIn {
            name: Some("Ada"),
            ..sign_in("ada@example.com")
        })
        .await
        .unwrap();

    let second = users
        .sign_in(&SignIn {
            method: AuthenticationMethod::Github,
            ip: Some("2001:db8::1".parse().unwrap()),
            ..sign_in("ADA@example.com")
        })
        .await
        .unwrap();

    assert_eq!(second.id, first.id);
    assert_eq!(second.name.as_deref(), Some("Ada"), "kept when not given");
    assert_eq!(second.authentication_method, AuthenticationMethod::Github);
    assert!(second.last_login_at > first.last_login_at);
    assert_eq!(client.list_users(10, 0).await.unwrap().len(), 1);
}

#[tokio::test]
async fn get_and_find_by_email_tell_a_missing_user_apart() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let users = UserRepository::new(&client);

    assert!(matches!(
        users.get(Uuid::new_v4()).await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        users.find_by_email("nobody@example.com").await.unwrap(),
        None
    );

    let user = users.sign_in(&sign_in("ada@example.com")).await.unwrap();
    assert_eq!(
        users.find_by_email("Ada@example.com").await.unwrap(),
        Some(user)
    );
}

#[tokio::test]
async fn organizations_lists_memberships_made_through_the_generated_queries() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let users = UserRepository::new(&client);
    let user = users.sign_in(&sign_in("ada@example.com")).await.unwrap();
    let org = seed::organization(&client, "acme").await;
    client
        .add_org_member(org.id, user.id, OrgMemberRole::Member)
        .await
        .unwrap();

    let orgs = users.organizations(user.id).await.unwrap();

    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].id, org.id);
    assert_eq!(orgs[0].member_role, OrgMemberRole::Member);
}

#[tokio::test]
async fn sign_in_inside_a_rolled_back_transaction_leaves_no_user() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;

    let tx = client.transaction().await.unwrap();
    let user = UserRepository::new(&tx)
        .sign_in(&sign_in("ada@example.com"))
        .await
        .unwrap();
    assert_eq!(UserRepository::new(&tx).get(user.id).await.unwrap(), user);
    tx.rollback().await.unwrap();

    let users = UserRepository::new(&client);
    assert_eq!(users.find_by_email("ada@example.com").await.unwrap(), None);
}
