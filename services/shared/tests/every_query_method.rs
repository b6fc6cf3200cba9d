//! Calls every method of `shared::db::Queries` through the trait, on a client and inside a transaction.

use shared::api_keys::hash_token;
use shared::db::models::{AuthenticationMethod, OrgMemberRole, RuntimeEnvironmentType};
use shared::db::organizations::UpdateOrganizationSettingsParams;
use shared::db::projects::CreateProjectParams;
use shared::db::runtime_environments::{
    CreateRuntimeEnvironmentParams, RotateEnvironmentApiKeysParams,
};
use shared::db::users::{CreateUserParams, UpsertUserParams};
use shared::db::Queries;
use sqlgen_runtime::Client;

/// One short story touching all 25 queries, each result checked; generic over
/// the trait so that it compiles only if every method is there with this shape.
async fn call_every_query<Q: Queries>(q: &Q) {
    // users.sql
    let profile = serde_json::json!({"login": "ada"});
    let user = q
        .upsert_user(&UpsertUserParams {
            email: "Ada@Example.com",
            authentication_method: AuthenticationMethod::Github,
            authentication_profile: Some(&profile),
            name: Some("Ada"),
            display_name: None,
            avatar_url: None,
        })
        .await
        .unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(q.get_user_by_id(user.id).await.unwrap(), user);
    assert_eq!(
        q.get_user_by_email("ADA@example.com").await.unwrap(),
        Some(user.clone())
    );
    let ip = "198.51.100.1".parse().unwrap();
    q.record_user_login(Some(ip), user.id).await.unwrap();
    assert_eq!(
        q.get_user_by_id(user.id).await.unwrap().last_login_ip,
        Some(ip)
    );
    let bob = q
        .create_user(&CreateUserParams {
            email: "Bob@Example.com",
            authentication_method: AuthenticationMethod::MagicLink,
            name: None,
            display_name: Some("Bob"),
        })
        .await
        .unwrap();
    assert_eq!(bob.email, "bob@example.com");
    let users = q.list_users(10, 0).await.unwrap();
    let mut ids: Vec<_> = users.iter().map(|u| u.id).collect();
    ids.sort();
    let mut expected = vec![user.id, bob.id];
    expected.sort();
    assert_eq!(ids, expected);

    // organizations.sql
    let org = q
        .create_organization("acme", "Acme", Some("1-10"))
        .await
        .unwrap();
    assert_eq!(
        q.get_organization_by_slug("acme").await.unwrap(),
        Some(org.clone())
    );
    let updated = q
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            title: Some("Acme Corp"),
            maximum_execution_time_per_run_ms: None,
            company_size: Some("11-50"),
            monthly_spend_limit: None,
            trial_ends_on: None,
            avatar_thumbnail: None,
            id: org.id,
        })
        .await
        .unwrap();
    assert_eq!(updated.title, "Acme Corp");
    assert_eq!(updated.company_size.as_deref(), Some("11-50"));
    let member = q
        .add_org_member(org.id, user.id, OrgMemberRole::Admin)
        .await
        .unwrap()
        .expect("new member");
    assert_eq!(
        q.get_org_membership(org.id, user.id).await.unwrap(),
        Some(member.clone())
    );
    assert_eq!(q.get_org_membership(org.id, bob.id).await.unwrap(), None);
    let members = q.list_org_members(org.id, 10, 0).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].id, member.id);
    assert_eq!(members[0].label, "Ada");
    let orgs = q.list_organizations_for_user(user.id).await.unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].title, "Acme Corp");
    assert_eq!(orgs[0].member_role, OrgMemberRole::Admin);

    // projects.sql (archive_project comes last, after the environments)
    let project = q
        .create_project(&CreateProjectParams {
            slug: "web",
            name: "Web",
            organization_id: org.id,
            external_ref: "proj_web",
        })
        .await
        .unwrap();
    assert_eq!(
        q.get_project_by_slug(org.id, "web").await.unwrap(),
        Some(project.clone())
    );

    // runtime_environments.sql
    let env = q
        .create_runtime_environment(&CreateRuntimeEnvironmentParams {
            slug: "dev",
            api_key_hash: &hash_token("tr_dev_1"),
            api_key_preview: "tr_dev_1••••••••",
            pk_api_key_hash: &hash_token("pk_dev_1"),
            pk_api_key_preview: "pk_dev_1••••••••",
            r#type: RuntimeEnvironmentType::Development,
            shortcode: "dev",
            organization_id: org.id,
            project_id: project.id,
            org_member_id: Some(member.id),
        })
        .await
        .unwrap();
    let found = q
        .get_environment_by_api_key_hash(&hash_token("tr_dev_1"))
        .await
        .unwrap();
    assert_eq!(found.map(|e| e.id), Some(env.id));
    let found = q
        .get_environment_by_public_api_key_hash(&hash_token("pk_dev_1"))
        .await
        .unwrap();
    assert_eq!(found.map(|e| e.id), Some(env.id));
    assert_eq!(
        q.get_environment_by_public_api_key_hash(&hash_token("tr_dev_1"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        q.get_environment_type(env.id, project.id).await.unwrap(),
        Some(RuntimeEnvironmentType::Development)
    );
    assert_eq!(
        q.get_environment_type(env.id, org.id).await.unwrap(),
        None,
        "another project's id"
    );
    let rotated = q
        .rotate_environment_api_keys(&RotateEnvironmentApiKeysParams {
            api_key_hash: &hash_token("tr_dev_2"),
            api_key_preview: "tr_dev_2••••••••",
            pk_api_key_hash: &hash_token("pk_dev_2"),
            pk_api_key_preview: "pk_dev_2••••••••",
            id: env.id,
            project_id: project.id,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rotated.api_key_hash, hash_token("tr_dev_2"));
    assert!(rotated.api_keys_rotated_at.is_some());
    assert_eq!(
        q.get_environment_by_api_key_hash(&hash_token("tr_dev_1"))
            .await
            .unwrap(),
        None,
        "the old key is gone"
    );
    let envs = q.list_environments_for_project(project.id).await.unwrap();
    assert_eq!(envs.len(), 1);
    assert_eq!(envs[0].owner_user_id, Some(user.id));
    let dev_envs = q
        .list_development_environments_for_user(user.id)
        .await
        .unwrap();
    assert_eq!(dev_envs.len(), 1);
    assert_eq!(dev_envs[0].shortcode, "DEV");
    assert_eq!(q.set_environment_paused(env.id, true).await.unwrap(), 1);
    let changed = q
        .set_concurrency_limit_for_type(3, "acme", RuntimeEnvironmentType::Development)
        .await
        .unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].maximum_concurrency_limit, 3);
    let stats = q
        .list_projects_with_environment_stats(org.id)
        .await
        .unwrap();
    assert_eq!(stats.len(), 1);
    assert_eq!(stats[0].environment_count, 1);
    assert_eq!(stats[0].total_concurrency, 3);

    let archived = q.archive_project(project.id).await.unwrap();
    assert_eq!(archived.id, project.id);
    assert!(archived.deleted_at >= project.created_at);
    let deleted = q
        .delete_environments_of_archived_projects(org.id)
        .await
        .unwrap();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id, env.id);
    assert_eq!(deleted[0].project_slug, "web");
}

#[tokio::test]
async fn every_query_method_runs_on_a_client() {
    let db = testsupport::fresh_db().await;
    let client = Client::new(db.client().await);

    call_every_query(&client).await;

    assert_eq!(client.cached_statements(), 27);
}

#[tokio::test]
async fn every_query_method_runs_inside_a_transaction() {
    let db = testsupport::fresh_db().await;
    let mut client = Client::new(db.client().await);

    let tx = client.transaction().await.unwrap();
    call_every_query(&tx).await;
    tx.rollback().await.unwrap();

    assert!(client.list_users(10, 0).await.unwrap().is_empty());
}
