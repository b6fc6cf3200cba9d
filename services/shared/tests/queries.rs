//! Behaviour of each generated query of `shared` against a real PostgreSQL built from the migrations.

mod seed;

use rust_decimal::Decimal;
use shared::api_keys::{hash_token, obfuscate_token};
use shared::db::models::{AuthenticationMethod, OrgMemberRole, RuntimeEnvironmentType};
use shared::db::organizations::UpdateOrganizationSettingsParams;
use shared::db::projects::CreateProjectParams;
use shared::db::runtime_environments::CreateRuntimeEnvironmentParams;
use shared::db::users::UpsertUserParams;
use shared::db::Queries;
use sqlgen_runtime::Error;
use uuid::Uuid;

// ---- users ----

#[tokio::test]
async fn upsert_user_lower_cases_email_and_applies_column_defaults() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;

    let user = client
        .upsert_user(&UpsertUserParams {
            email: "Ada@Example.COM",
            authentication_method: AuthenticationMethod::Github,
            authentication_profile: None,
            name: Some("Ada Lovelace"),
            display_name: None,
            avatar_url: Some("https://example.com/ada.png"),
        })
        .await
        .unwrap();

    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.authentication_method, AuthenticationMethod::Github);
    assert_eq!(user.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(user.display_name, None);
    assert_eq!(
        user.avatar_url.as_deref(),
        Some("https://example.com/ada.png")
    );
    assert!(!user.admin);
    assert!(user.marketing_emails);
    assert!(!user.confirmed_basic_details);
    assert_eq!(user.signup_source, None);
    assert_eq!(user.last_login_at, None);
    assert_eq!(user.last_login_ip, None);
    assert_eq!(user.created_at, user.updated_at);
}

#[tokio::test]
async fn upsert_user_on_existing_email_keeps_id_and_fields_passed_as_null() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let profile = serde_json::json!({"login": "ada"});
    let first = client
        .upsert_user(&UpsertUserParams {
            email: "ada@example.com",
            authentication_method: AuthenticationMethod::MagicLink,
            authentication_profile: Some(&profile),
            name: Some("Ada"),
            display_name: Some("ada"),
            avatar_url: None,
        })
        .await
        .unwrap();

    let second = client
        .upsert_user(&UpsertUserParams {
            email: "ADA@example.com",
            authentication_method: AuthenticationMethod::Github,
            authentication_profile: None,
            name: None,
            display_name: Some("Countess"),
            avatar_url: None,
        })
        .await
        .unwrap();

    assert_eq!(second.id, first.id);
    assert_eq!(second.authentication_method, AuthenticationMethod::Github);
    assert_eq!(second.authentication_profile, Some(profile));
    assert_eq!(second.name.as_deref(), Some("Ada"));
    assert_eq!(second.display_name.as_deref(), Some("Countess"));
    assert_eq!(second.created_at, first.created_at);
    assert!(second.updated_at > first.updated_at);
}

#[tokio::test]
async fn get_user_by_id_returns_the_user_or_not_found() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "grace@example.com").await;

    assert_eq!(client.get_user_by_id(user.id).await.unwrap(), user);

    let missing = client.get_user_by_id(Uuid::new_v4()).await.unwrap_err();
    assert!(matches!(missing, Error::NotFound), "{missing:?}");
    assert!(missing.code().is_none());
}

#[tokio::test]
async fn get_user_by_email_ignores_letter_case_and_gives_none_when_absent() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "grace@example.com").await;

    assert_eq!(
        client.get_user_by_email("Grace@EXAMPLE.com").await.unwrap(),
        Some(user)
    );
    assert_eq!(
        client
            .get_user_by_email("nobody@example.com")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn list_users_pages_through_users_newest_first() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let first = seed::user(&client, "first@example.com").await;
    let second = seed::user(&client, "second@example.com").await;
    let third = seed::user(&client, "third@example.com").await;

    let page_one = client.list_users(2, 0).await.unwrap();
    let page_two = client.list_users(2, 2).await.unwrap();

    let emails = |rows: &[shared::db::users::ListUsersRow]| {
        rows.iter().map(|row| row.email.clone()).collect::<Vec<_>>()
    };
    assert_eq!(emails(&page_one), [third.email.clone(), second.email]);
    assert_eq!(emails(&page_two), [first.email]);
    let newest = &page_one[0];
    assert_eq!(newest.id, third.id);
    assert_eq!(newest.created_at, third.created_at);
    assert_eq!(newest.name, None);
    assert_eq!(newest.display_name, None);
    assert_eq!(newest.signup_source, None);
    assert!(!newest.admin);
}

#[tokio::test]
async fn record_user_login_sets_time_and_address_and_null_clears_the_address() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "grace@example.com").await;
    let ip: std::net::IpAddr = "203.0.113.7".parse().unwrap();

    client.record_user_login(Some(ip), user.id).await.unwrap();
    let logged_in = client.get_user_by_id(user.id).await.unwrap();
    assert_eq!(logged_in.last_login_ip, Some(ip));
    let first_login = logged_in.last_login_at.expect("login time recorded");
    assert!(first_login >= user.created_at);

    client.record_user_login(None, user.id).await.unwrap();
    let again = client.get_user_by_id(user.id).await.unwrap();
    assert_eq!(again.last_login_ip, None);
    assert!(again.last_login_at.expect("still recorded") > first_login);
}

// ---- organizations and members ----

#[tokio::test]
async fn create_organization_applies_column_defaults() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;

    let org = client
        .create_organization("acme", "Acme Inc.", Some("11-50"))
        .await
        .unwrap();

    assert_eq!(org.slug, "acme");
    assert_eq!(org.title, "Acme Inc.");
    assert_eq!(org.company_size.as_deref(), Some("11-50"));
    assert_eq!(org.maximum_concurrency_limit, 10);
    assert_eq!(org.maximum_execution_time_per_run_ms, 900_000);
    assert!(org.runs_enabled);
    assert_eq!(org.avatar, None);
    assert_eq!(org.deleted_at, None);
    assert_eq!(org.monthly_spend_limit, None);
    assert_eq!(org.trial_ends_on, None);
    assert_eq!(org.avatar_thumbnail, None);
}

#[tokio::test]
async fn create_organization_with_a_taken_slug_is_a_unique_violation_not_not_found() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    seed::organization(&client, "acme").await;

    let error = client
        .create_organization("acme", "Another Acme", None)
        .await
        .unwrap_err();

    assert!(!error.is_not_found());
    seed::assert_unique_violation(error, "organizations_slug_key");
}

#[tokio::test]
async fn get_organization_by_slug_finds_live_organizations_only() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let live = seed::organization(&client, "live").await;
    let gone = seed::organization(&client, "gone").await;
    seed::soft_delete_organization(&client, gone.id).await;

    assert_eq!(
        client.get_organization_by_slug("live").await.unwrap(),
        Some(live)
    );
    assert_eq!(client.get_organization_by_slug("gone").await.unwrap(), None);
    assert_eq!(
        client.get_organization_by_slug("unknown").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn update_organization_settings_keeps_title_on_null_and_replaces_billing_fields() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = client
        .create_organization("acme", "Acme", Some("1-10"))
        .await
        .unwrap();
    let trial_ends_on = time::Date::from_calendar_date(2031, time::Month::February, 28).unwrap();

    let updated = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            title: Some("Acme Corporation"),
            maximum_execution_time_per_run_ms: Some(3_600_000),
            company_size: Some("51-200"),
            monthly_spend_limit: Some(Decimal::new(250_000, 2)),
            trial_ends_on: Some(trial_ends_on),
            avatar_thumbnail: Some(&[0x89, b'P', b'N', b'G']),
            id: org.id,
        })
        .await
        .unwrap();
    assert_eq!(updated.title, "Acme Corporation");
    assert_eq!(updated.maximum_execution_time_per_run_ms, 3_600_000);
    assert_eq!(updated.company_size.as_deref(), Some("51-200"));
    assert_eq!(updated.monthly_spend_limit, Some(Decimal::new(250_000, 2)));
    assert_eq!(updated.trial_ends_on, Some(trial_ends_on));
    assert_eq!(
        updated.avatar_thumbnail.as_deref(),
        Some(&[0x89, b'P', b'N', b'G'][..])
    );
    assert!(updated.updated_at > org.updated_at);

    let cleared = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            title: None,
            maximum_execution_time_per_run_ms: None,
            company_size: None,
            monthly_spend_limit: None,
            trial_ends_on: None,
            avatar_thumbnail: None,
            id: org.id,
        })
        .await
        .unwrap();
    assert_eq!(cleared.title, "Acme Corporation");
    assert_eq!(cleared.maximum_execution_time_per_run_ms, 3_600_000);
    assert_eq!(cleared.company_size, None);
    assert_eq!(cleared.monthly_spend_limit, None);
    assert_eq!(cleared.trial_ends_on, None);
    assert_eq!(cleared.avatar_thumbnail, None);
}

#[tokio::test]
async fn update_organization_settings_of_unknown_organization_is_not_found() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;

    let error = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            title: Some("Nobody"),
            maximum_execution_time_per_run_ms: None,
            company_size: None,
            monthly_spend_limit: None,
            trial_ends_on: None,
            avatar_thumbnail: None,
            id: Uuid::new_v4(),
        })
        .await
        .unwrap_err();

    assert!(matches!(error, Error::NotFound), "{error:?}");
}

#[tokio::test]
async fn add_org_member_returns_none_when_the_user_already_is_a_member() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let user = seed::user(&client, "ada@example.com").await;

    let member = client
        .add_org_member(org.id, user.id, OrgMemberRole::Admin)
        .await
        .unwrap()
        .expect("first insert returns the row");
    assert_eq!(member.organization_id, org.id);
    assert_eq!(member.user_id, user.id);
    assert_eq!(member.role, OrgMemberRole::Admin);

    let again = client
        .add_org_member(org.id, user.id, OrgMemberRole::Member)
        .await
        .unwrap();
    assert_eq!(again, None);

    let members = client.list_org_members(org.id, 10, 0).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(
        members[0].role,
        OrgMemberRole::Admin,
        "role not overwritten"
    );
}

#[tokio::test]
async fn list_org_members_orders_by_email_and_labels_with_the_first_name_present() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let with_display = client
        .upsert_user(&UpsertUserParams {
            email: "carol@example.com",
            authentication_method: AuthenticationMethod::MagicLink,
            authentication_profile: None,
            name: Some("Carol C."),
            display_name: Some("carol"),
            avatar_url: None,
        })
        .await
        .unwrap();
    let with_name = client
        .upsert_user(&UpsertUserParams {
            email: "bob@example.com",
            authentication_method: AuthenticationMethod::MagicLink,
            authentication_profile: None,
            name: Some("Bob B."),
            display_name: None,
            avatar_url: None,
        })
        .await
        .unwrap();
    let bare = seed::user(&client, "alice@example.com").await;
    let outsider = seed::user(&client, "aaron@example.com").await;
    for (user, role) in [
        (&with_display, OrgMemberRole::Member),
        (&with_name, OrgMemberRole::Admin),
        (&bare, OrgMemberRole::Member),
    ] {
        client
            .add_org_member(org.id, user.id, role)
            .await
            .unwrap()
            .unwrap();
    }

    let all = client.list_org_members(org.id, 10, 0).await.unwrap();
    let summary: Vec<_> = all
        .iter()
        .map(|m| {
            (
                m.email.as_str(),
                m.label.as_str(),
                m.display_name.as_deref(),
                m.role,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "alice@example.com",
                "alice@example.com",
                None,
                OrgMemberRole::Member
            ),
            ("bob@example.com", "Bob B.", None, OrgMemberRole::Admin),
            (
                "carol@example.com",
                "carol",
                Some("carol"),
                OrgMemberRole::Member
            ),
        ]
    );
    assert!(all.iter().all(|m| m.user_id != outsider.id));
    assert_eq!(all[1].user_id, with_name.id);

    let second_page = client.list_org_members(org.id, 1, 1).await.unwrap();
    assert_eq!(second_page, [all[1].clone()]);
}

#[tokio::test]
async fn list_organizations_for_user_gives_role_per_live_organization_by_title() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let zeta = client
        .create_organization("zeta", "Zeta", None)
        .await
        .unwrap();
    let alpha = client
        .create_organization("alpha", "Alpha", None)
        .await
        .unwrap();
    let deleted = client
        .create_organization("deleted", "Deleted", None)
        .await
        .unwrap();
    let other = client
        .create_organization("other", "Other", None)
        .await
        .unwrap();
    for (org, role) in [
        (&zeta, OrgMemberRole::Member),
        (&alpha, OrgMemberRole::Admin),
        (&deleted, OrgMemberRole::Admin),
    ] {
        client.add_org_member(org.id, user.id, role).await.unwrap();
    }
    seed::soft_delete_organization(&client, deleted.id).await;

    let orgs = client.list_organizations_for_user(user.id).await.unwrap();

    let summary: Vec<_> = orgs
        .iter()
        .map(|o| (o.slug.as_str(), o.member_role))
        .collect();
    assert_eq!(
        summary,
        [
            ("alpha", OrgMemberRole::Admin),
            ("zeta", OrgMemberRole::Member)
        ]
    );
    assert!(orgs.iter().all(|o| o.id != other.id));
    assert_eq!(orgs[0].id, alpha.id);
    assert_eq!(orgs[0].created_at, alpha.created_at);
    assert_eq!(orgs[0].maximum_concurrency_limit, 10);
    assert_eq!(orgs[0].deleted_at, None);
}

// ---- projects ----

#[tokio::test]
async fn create_project_returns_the_row_and_rejects_a_taken_external_ref() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;

    let project = client
        .create_project(&CreateProjectParams {
            slug: "web",
            name: "Web app",
            organization_id: org.id,
            external_ref: "proj_web",
        })
        .await
        .unwrap();
    assert_eq!(project.slug, "web");
    assert_eq!(project.name, "Web app");
    assert_eq!(project.organization_id, org.id);
    assert_eq!(project.external_ref, "proj_web");
    assert_eq!(project.deleted_at, None);

    let error = client
        .create_project(&CreateProjectParams {
            slug: "web-2",
            name: "Web app 2",
            organization_id: org.id,
            external_ref: "proj_web",
        })
        .await
        .unwrap_err();
    seed::assert_unique_violation(error, "projects_external_ref_key");
}

#[tokio::test]
async fn get_project_by_slug_is_scoped_to_the_organization_and_skips_archived_projects() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let other_org = seed::organization(&client, "other").await;
    let project = seed::project(&client, org.id, "web").await;

    assert_eq!(
        client.get_project_by_slug(org.id, "web").await.unwrap(),
        Some(project.clone())
    );
    assert_eq!(
        client
            .get_project_by_slug(other_org.id, "web")
            .await
            .unwrap(),
        None
    );

    client.archive_project(project.id).await.unwrap();
    assert_eq!(
        client.get_project_by_slug(org.id, "web").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn archive_project_sets_deleted_at_or_is_not_found() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let project = seed::project(&client, org.id, "web").await;

    let archived = client.archive_project(project.id).await.unwrap();
    assert_eq!(archived.id, project.id);
    assert_eq!(archived.slug, "web");
    assert!(archived.deleted_at >= project.created_at);

    let error = client.archive_project(Uuid::new_v4()).await.unwrap_err();
    assert!(matches!(error, Error::NotFound), "{error:?}");
}

#[tokio::test]
async fn list_projects_with_environment_stats_reports_null_stats_for_projects_without_environments()
{
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let busy = seed::project(&client, org.id, "busy").await;
    let empty = seed::project(&client, org.id, "empty").await;
    let archived = seed::project(&client, org.id, "archived").await;
    let prod = seed::environment(
        &client,
        &busy,
        "busy-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;
    let stage = seed::environment(
        &client,
        &busy,
        "busy-stage",
        RuntimeEnvironmentType::Staging,
        None,
    )
    .await;
    client
        .set_concurrency_limit_for_type(8, "acme", RuntimeEnvironmentType::Staging)
        .await
        .unwrap();
    client.archive_project(archived.id).await.unwrap();

    let stats = client
        .list_projects_with_environment_stats(org.id)
        .await
        .unwrap();

    assert_eq!(stats.len(), 2, "archived project left out: {stats:?}");
    let (busy_stats, empty_stats) = (&stats[0], &stats[1]);
    assert_eq!(busy_stats.id, busy.id);
    assert_eq!(busy_stats.slug, "busy");
    assert_eq!(busy_stats.name, "busy");
    assert_eq!(busy_stats.external_ref, "proj_busy");
    assert_eq!(busy_stats.environment_count, 2);
    assert_eq!(busy_stats.total_concurrency, 5 + 8);
    assert_eq!(busy_stats.avg_concurrency, Some(Decimal::new(65, 1)));
    assert_eq!(
        busy_stats.first_environment_at,
        Some(prod.created_at.min(stage.created_at))
    );
    // The limit change touched the staging environment after it was created.
    assert!(busy_stats.last_environment_update.unwrap() > stage.updated_at);

    assert_eq!(empty_stats.id, empty.id);
    assert_eq!(empty_stats.environment_count, 0);
    assert_eq!(empty_stats.total_concurrency, 0);
    assert_eq!(empty_stats.avg_concurrency, None);
    assert_eq!(empty_stats.first_environment_at, None);
    assert_eq!(empty_stats.last_environment_update, None);
}

// ---- runtime environments ----

#[tokio::test]
async fn create_runtime_environment_applies_defaults_and_rejects_a_taken_api_key_hash() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let project = seed::project(&client, org.id, "web").await;
    let params = CreateRuntimeEnvironmentParams {
        slug: "prod",
        api_key_hash: &hash_token("tr_prod_1"),
        api_key_preview: "tr_prod_1•",
        pk_api_key_hash: &hash_token("pk_prod_1"),
        pk_api_key_preview: "pk_prod_1•",
        r#type: RuntimeEnvironmentType::Production,
        shortcode: "prod",
        organization_id: org.id,
        project_id: project.id,
        org_member_id: None,
    };

    let env = client.create_runtime_environment(&params).await.unwrap();
    assert_eq!(env.slug, "prod");
    assert_eq!(env.api_key_hash, hash_token("tr_prod_1"));
    assert_eq!(env.api_key_preview, "tr_prod_1•");
    assert_eq!(env.pk_api_key_hash, hash_token("pk_prod_1"));
    assert_eq!(env.pk_api_key_preview, "pk_prod_1•");
    assert_eq!(env.api_keys_rotated_at, None);
    assert_eq!(env.r#type, RuntimeEnvironmentType::Production);
    assert_eq!(env.shortcode, "prod");
    assert_eq!(env.maximum_concurrency_limit, 5);
    assert!(!env.paused);
    assert_eq!(env.organization_id, org.id);
    assert_eq!(env.project_id, project.id);
    assert_eq!(env.org_member_id, None);

    let error = client
        .create_runtime_environment(&CreateRuntimeEnvironmentParams {
            pk_api_key_hash: &hash_token("pk_prod_2"),
            shortcode: "prod2",
            slug: "prod2",
            ..params
        })
        .await
        .unwrap_err();
    seed::assert_unique_violation(error, "runtime_environments_api_key_hash_key");
}

#[tokio::test]
async fn get_environment_by_api_key_joins_project_and_organization_and_hides_archived_projects() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let project = seed::project(&client, org.id, "web").await;
    let env = seed::environment(
        &client,
        &project,
        "web-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;

    let found = client
        .get_environment_by_api_key_hash(&hash_token("tr_web-prod"))
        .await
        .unwrap()
        .expect("environment found by its key");
    assert_eq!(found.id, env.id);
    assert_eq!(found.slug, "web-prod");
    assert_eq!(found.r#type, RuntimeEnvironmentType::Production);
    assert!(!found.paused);
    assert_eq!(found.maximum_concurrency_limit, 5);
    assert_eq!(found.project_id, project.id);
    assert_eq!(found.project_slug, "web");
    assert_eq!(found.project_ref, "proj_web");
    assert_eq!(found.organization_id, org.id);
    assert_eq!(found.organization_slug, "acme");
    assert_eq!(found.organization_title, "Org acme");
    assert!(found.runs_enabled);

    assert_eq!(
        client
            .get_environment_by_api_key_hash(&hash_token("tr_nope"))
            .await
            .unwrap(),
        None
    );
    client.archive_project(project.id).await.unwrap();
    assert_eq!(
        client
            .get_environment_by_api_key_hash(&hash_token("tr_web-prod"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn list_environments_for_project_orders_by_enum_order_and_nulls_owner_of_shared_environments()
{
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let project = seed::project(&client, org.id, "web").await;
    let owner = client
        .upsert_user(&UpsertUserParams {
            email: "dev@example.com",
            authentication_method: AuthenticationMethod::MagicLink,
            authentication_profile: None,
            name: None,
            display_name: Some("Dev"),
            avatar_url: None,
        })
        .await
        .unwrap();
    let member = client
        .add_org_member(org.id, owner.id, OrgMemberRole::Member)
        .await
        .unwrap()
        .unwrap();
    // Created in reverse: the result must follow the enum's declaration order,
    // which is not the alphabetical order of the labels either.
    for (slug, r#type, member_id) in [
        ("preview", RuntimeEnvironmentType::Preview, None),
        ("dev", RuntimeEnvironmentType::Development, Some(member.id)),
        ("staging", RuntimeEnvironmentType::Staging, None),
        ("prod", RuntimeEnvironmentType::Production, None),
    ] {
        seed::environment(&client, &project, slug, r#type, member_id).await;
    }

    let envs = client
        .list_environments_for_project(project.id)
        .await
        .unwrap();

    let types: Vec<_> = envs.iter().map(|e| e.r#type).collect();
    assert_eq!(types, RuntimeEnvironmentType::ALL);
    for env in &envs {
        assert_eq!(env.shortcode, env.slug);
        assert!(!env.paused);
        if env.r#type == RuntimeEnvironmentType::Development {
            assert_eq!(env.org_member_id, Some(member.id));
            assert_eq!(env.owner_user_id, Some(owner.id));
            assert_eq!(env.owner_email.as_deref(), Some("dev@example.com"));
            assert_eq!(env.owner_display_name.as_deref(), Some("Dev"));
        } else {
            assert_eq!(env.org_member_id, None, "{}", env.slug);
            assert_eq!(env.owner_user_id, None, "{}", env.slug);
            assert_eq!(env.owner_email, None, "{}", env.slug);
            assert_eq!(env.owner_display_name, None, "{}", env.slug);
        }
    }
}

#[tokio::test]
async fn list_development_environments_for_user_upper_cases_shortcode_and_skips_archived_projects()
{
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "dev@example.com").await;
    let colleague = seed::user(&client, "colleague@example.com").await;
    let acme = seed::organization(&client, "acme").await;
    let beta = seed::organization(&client, "beta").await;
    let acme_member = client
        .add_org_member(acme.id, user.id, OrgMemberRole::Member)
        .await
        .unwrap()
        .unwrap();
    let beta_member = client
        .add_org_member(beta.id, user.id, OrgMemberRole::Admin)
        .await
        .unwrap()
        .unwrap();
    let colleague_member = client
        .add_org_member(acme.id, colleague.id, OrgMemberRole::Member)
        .await
        .unwrap()
        .unwrap();
    let acme_web = seed::project(&client, acme.id, "acme-web").await;
    let acme_old = seed::project(&client, acme.id, "acme-old").await;
    let beta_api = seed::project(&client, beta.id, "beta-api").await;
    let dev = RuntimeEnvironmentType::Development;
    let mine = seed::environment(&client, &acme_web, "dev-ada", dev, Some(acme_member.id)).await;
    seed::environment(
        &client,
        &acme_web,
        "dev-col",
        dev,
        Some(colleague_member.id),
    )
    .await;
    seed::environment(&client, &acme_old, "dev-old", dev, Some(acme_member.id)).await;
    seed::environment(&client, &beta_api, "dev-beta", dev, Some(beta_member.id)).await;
    seed::environment(
        &client,
        &beta_api,
        "prod-beta",
        RuntimeEnvironmentType::Production,
        Some(beta_member.id),
    )
    .await;
    client.archive_project(acme_old.id).await.unwrap();

    let envs = client
        .list_development_environments_for_user(user.id)
        .await
        .unwrap();

    let summary: Vec<_> = envs
        .iter()
        .map(|e| {
            (
                e.slug.as_str(),
                e.shortcode.as_str(),
                e.project_slug.as_str(),
                e.organization_slug.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("dev-ada", "DEV-ADA", "acme-web", "acme"),
            ("dev-beta", "DEV-BETA", "beta-api", "beta"),
        ]
    );
    assert_eq!(envs[0].id, mine.id);
    assert_eq!(envs[0].api_key_preview, obfuscate_token("tr_dev-ada"));
}

#[tokio::test]
async fn set_environment_paused_reports_one_row_for_a_known_id_and_zero_otherwise() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let project = seed::project(&client, org.id, "web").await;
    let env = seed::environment(
        &client,
        &project,
        "prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;

    assert_eq!(
        client.set_environment_paused(env.id, true).await.unwrap(),
        1
    );
    let paused = client
        .get_environment_by_api_key_hash(&env.api_key_hash)
        .await
        .unwrap()
        .unwrap();
    assert!(paused.paused);

    assert_eq!(
        client
            .set_environment_paused(Uuid::new_v4(), true)
            .await
            .unwrap(),
        0
    );

    assert_eq!(
        client.set_environment_paused(env.id, false).await.unwrap(),
        1
    );
    let resumed = client
        .get_environment_by_api_key_hash(&env.api_key_hash)
        .await
        .unwrap()
        .unwrap();
    assert!(!resumed.paused);
}

#[tokio::test]
async fn set_concurrency_limit_for_type_changes_only_that_type_in_that_organization() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let acme = seed::organization(&client, "acme").await;
    let other = seed::organization(&client, "other").await;
    let acme_web = seed::project(&client, acme.id, "acme-web").await;
    let other_web = seed::project(&client, other.id, "other-web").await;
    let acme_prod = seed::environment(
        &client,
        &acme_web,
        "acme-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;
    let acme_stage = seed::environment(
        &client,
        &acme_web,
        "acme-stage",
        RuntimeEnvironmentType::Staging,
        None,
    )
    .await;
    let other_prod = seed::environment(
        &client,
        &other_web,
        "other-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;

    let changed = client
        .set_concurrency_limit_for_type(42, "acme", RuntimeEnvironmentType::Production)
        .await
        .unwrap();

    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].id, acme_prod.id);
    assert_eq!(changed[0].slug, "acme-prod");
    assert_eq!(changed[0].maximum_concurrency_limit, 42);
    assert_eq!(
        changed[0].organization_limit,
        acme.maximum_concurrency_limit
    );
    let limit_of = |api_key: String| {
        let client = &client;
        async move {
            client
                .get_environment_by_api_key_hash(&api_key)
                .await
                .unwrap()
                .unwrap()
                .maximum_concurrency_limit
        }
    };
    assert_eq!(limit_of(acme_stage.api_key_hash).await, 5);
    assert_eq!(limit_of(other_prod.api_key_hash).await, 5);

    let none = client
        .set_concurrency_limit_for_type(42, "no-such-org", RuntimeEnvironmentType::Production)
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn delete_environments_of_archived_projects_deletes_and_returns_only_those() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let acme = seed::organization(&client, "acme").await;
    let other = seed::organization(&client, "other").await;
    let live = seed::project(&client, acme.id, "live").await;
    let archived = seed::project(&client, acme.id, "archived").await;
    let other_archived = seed::project(&client, other.id, "other-archived").await;
    let live_env = seed::environment(
        &client,
        &live,
        "live-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;
    let doomed = seed::environment(
        &client,
        &archived,
        "old-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;
    let kept = seed::environment(
        &client,
        &other_archived,
        "other-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;
    client.archive_project(archived.id).await.unwrap();
    client.archive_project(other_archived.id).await.unwrap();

    let deleted = client
        .delete_environments_of_archived_projects(acme.id)
        .await
        .unwrap();

    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id, doomed.id);
    assert_eq!(deleted[0].slug, "old-prod");
    assert_eq!(deleted[0].project_slug, "archived");
    let remaining = |project_id| {
        let client = &client;
        async move {
            client
                .list_environments_for_project(project_id)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(remaining(archived.id).await, Vec::<Uuid>::new());
    assert_eq!(remaining(live.id).await, [live_env.id]);
    assert_eq!(remaining(other_archived.id).await, [kept.id]);
    assert!(client
        .delete_environments_of_archived_projects(acme.id)
        .await
        .unwrap()
        .is_empty());
}
