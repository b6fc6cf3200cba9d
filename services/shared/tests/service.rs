//! `shared::service::SharedService` against a real database: users, organizations, projects and environments, slug conflicts (racing ones too) and whole-or-nothing setup.

mod seed;

use shared::api_keys::EnvironmentKeyKind;
use shared::db::models::{AuthenticationMethod, OrgMemberRole, RuntimeEnvironmentType};
use shared::db::Queries;
use shared::service::{
    NewEnvironment, NewOrganization, NewProject, NewUser, SharedError, SharedService,
};
use sqlgen_runtime::Client;
use std::error::Error as _;
use uuid::Uuid;

fn new_user(email: &str) -> NewUser<'_> {
    NewUser {
        email,
        authentication_method: AuthenticationMethod::MagicLink,
        name: None,
        display_name: None,
    }
}

fn new_org(slug: &str) -> NewOrganization<'_> {
    NewOrganization {
        slug,
        title: "Acme",
        company_size: None,
    }
}

fn new_project(slug: &str) -> NewProject<'_> {
    NewProject { slug, name: slug }
}

async fn count(client: &Client, table: &str) -> i64 {
    let pg: &tokio_postgres::Client = client;
    pg.query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn create_user_lower_cases_the_email_and_a_taken_email_is_a_typed_error() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let service = SharedService::new(&mut client);

    let user = service
        .create_user(&NewUser {
            name: Some("Ada"),
            ..new_user("Ada@Example.com")
        })
        .await
        .unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.name.as_deref(), Some("Ada"));

    let error = service
        .create_user(&new_user("ADA@example.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SharedError::EmailTaken { email } if email == "ada@example.com"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "a user with e-mail `ada@example.com` already exists"
    );
}

#[tokio::test]
async fn users_are_found_by_id_and_by_email_in_any_case() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let service = SharedService::new(&mut client);
    let user = service
        .create_user(&new_user("ada@example.com"))
        .await
        .unwrap();

    assert_eq!(service.get_user(user.id).await.unwrap(), user);
    assert_eq!(
        service.find_user_by_email("ADA@EXAMPLE.COM").await.unwrap(),
        Some(user)
    );
    assert_eq!(
        service.find_user_by_email("bob@example.com").await.unwrap(),
        None
    );
    let ghost = Uuid::new_v4();
    let error = service.get_user(ghost).await.unwrap_err();
    assert!(
        matches!(error, SharedError::UserNotFound { id } if id == ghost),
        "{error:?}"
    );
    assert_eq!(error.to_string(), format!("user `{ghost}` does not exist"));
    assert!(error.source().is_none(), "not a database failure");
}

#[tokio::test]
async fn create_organization_makes_the_creator_its_admin() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);

    let (organization, admin) = service
        .create_organization(&new_org("acme"), user.id)
        .await
        .unwrap();

    assert_eq!(organization.slug, "acme");
    assert_eq!((admin.user_id, admin.role), (user.id, OrgMemberRole::Admin));
    assert_eq!(
        service.membership(organization.id, user.id).await.unwrap(),
        Some(admin)
    );
    assert_eq!(
        service.find_organization_by_slug("acme").await.unwrap(),
        Some(organization)
    );
    assert_eq!(
        service.find_organization_by_slug("other").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_taken_or_invalid_organization_slug_is_a_typed_error() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);
    service
        .create_organization(&new_org("acme"), user.id)
        .await
        .unwrap();

    let error = service
        .create_organization(&new_org("acme"), user.id)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SharedError::OrganizationSlugTaken { slug } if slug == "acme"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "an organization with slug `acme` already exists"
    );
    for slug in ["Acme", "-acme", "ac me", ""] {
        let error = service
            .create_organization(&new_org(slug), user.id)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, SharedError::InvalidSlug { slug: s } if s == slug),
            "{slug:?}: {error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("`{slug}` is not a valid slug: use lower-case letters, digits and dashes, starting with a letter or digit")
        );
    }
    assert_eq!(count(&client, "organizations").await, 1);
}

#[tokio::test]
async fn an_organization_for_an_unknown_admin_is_refused_and_rolled_back() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let ghost = Uuid::new_v4();

    let error = SharedService::new(&mut client)
        .create_organization(&new_org("acme"), ghost)
        .await
        .unwrap_err();

    assert!(
        matches!(error, SharedError::UserNotFound { id } if id == ghost),
        "{error:?}"
    );
    assert_eq!(
        count(&client, "organizations").await,
        0,
        "the insert was undone"
    );
}

#[tokio::test]
async fn project_slugs_are_unique_within_an_organization_only() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);
    let (acme, _) = service
        .create_organization(&new_org("acme"), user.id)
        .await
        .unwrap();
    let (globex, _) = service
        .create_organization(&new_org("globex"), user.id)
        .await
        .unwrap();

    let web = service
        .create_project(acme.id, &new_project("web"))
        .await
        .unwrap();
    let other_web = service
        .create_project(globex.id, &new_project("web"))
        .await
        .unwrap();
    let error = service
        .create_project(acme.id, &new_project("web"))
        .await
        .unwrap_err();

    assert!(
        matches!(&error, SharedError::ProjectSlugTaken { slug } if slug == "web"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the organization already has a project with slug `web`"
    );
    assert!(
        web.external_ref.starts_with("proj_"),
        "{}",
        web.external_ref
    );
    assert_ne!(web.external_ref, other_web.external_ref);
    assert_eq!(
        service.find_project_by_slug(acme.id, "web").await.unwrap(),
        Some(web)
    );
    assert_eq!(
        service
            .find_project_by_slug(globex.id, "web")
            .await
            .unwrap(),
        Some(other_web)
    );
    assert_eq!(
        service.find_project_by_slug(acme.id, "api").await.unwrap(),
        None
    );
}

#[tokio::test]
async fn a_project_of_an_unknown_organization_or_with_an_invalid_slug_is_refused() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);
    let (acme, _) = service
        .create_organization(&new_org("acme"), user.id)
        .await
        .unwrap();
    let ghost = Uuid::new_v4();

    let error = service
        .create_project(ghost, &new_project("web"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::OrganizationNotFound { id } if id == ghost),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!("organization `{ghost}` does not exist")
    );
    let error = service
        .create_project(acme.id, &new_project("Web App"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::InvalidSlug { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn environments_get_their_type_slug_and_fresh_keys_one_per_project_and_slug() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);
    let (acme, admin) = service
        .create_organization(&new_org("acme"), user.id)
        .await
        .unwrap();
    let web = service
        .create_project(acme.id, &new_project("web"))
        .await
        .unwrap();
    let api = service
        .create_project(acme.id, &new_project("api"))
        .await
        .unwrap();
    let environment = |project_id, r#type, slug| NewEnvironment {
        organization_id: acme.id,
        project_id,
        r#type,
        slug,
        org_member_id: None,
    };

    let staging = service
        .create_environment(&environment(web.id, RuntimeEnvironmentType::Staging, None))
        .await
        .unwrap();
    let preview = service
        .create_environment(&environment(
            web.id,
            RuntimeEnvironmentType::Preview,
            Some("pr-42"),
        ))
        .await
        .unwrap();
    let dev = service
        .create_environment(&NewEnvironment {
            org_member_id: Some(admin.id),
            ..environment(web.id, RuntimeEnvironmentType::Development, None)
        })
        .await
        .unwrap();
    let api_staging = service
        .create_environment(&environment(api.id, RuntimeEnvironmentType::Staging, None))
        .await
        .unwrap();
    let error = service
        .create_environment(&environment(web.id, RuntimeEnvironmentType::Staging, None))
        .await
        .unwrap_err();

    let (staging_keys, staging) = (&staging.keys, &staging.environment);
    assert_eq!(
        (staging.slug.as_str(), staging.shortcode.as_str()),
        ("stg", "stg")
    );
    assert!(
        staging_keys.secret.expose().starts_with("tr_stg_"),
        "{staging_keys:?}"
    );
    assert!(
        staging_keys.public.expose().starts_with("pk_stg_"),
        "{staging_keys:?}"
    );
    // The row holds the keys' hashes and previews, never the keys.
    assert_eq!(staging.api_key_hash, staging_keys.secret.hash());
    assert_eq!(staging.api_key_preview, staging_keys.secret.preview());
    assert_eq!(staging.pk_api_key_hash, staging_keys.public.hash());
    assert_eq!(staging.pk_api_key_preview, staging_keys.public.preview());
    assert_eq!(preview.environment.slug, "pr-42");
    assert!(preview.keys.secret.expose().starts_with("tr_preview_"));
    assert_eq!(dev.environment.org_member_id, Some(admin.id));
    assert!(dev.keys.secret.expose().starts_with("tr_dev_"));
    assert_eq!(
        api_staging.environment.slug, "stg",
        "same slug, other project"
    );
    assert_ne!(api_staging.keys.secret, staging_keys.secret);
    assert!(
        matches!(&error, SharedError::EnvironmentSlugTaken { slug } if slug == "stg"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "the project already has an environment with slug `stg`"
    );
    let listed: Vec<_> = service
        .list_environments(web.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.slug, e.owner_user_id))
        .collect();
    assert_eq!(
        listed,
        [
            ("stg".to_owned(), None),
            ("dev".to_owned(), Some(user.id)),
            ("pr-42".to_owned(), None),
        ],
        "ordered by type (enum order), then slug"
    );
    let error = service
        .create_environment(&environment(
            web.id,
            RuntimeEnvironmentType::Staging,
            Some("Stg"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::InvalidSlug { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_slug_longer_than_a_shortcode_gets_a_shortcode_of_its_start_and_a_random_tail() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);
    let setup = service
        .create_organization_with_project(&new_org("acme"), &new_project("web"), user.id)
        .await
        .unwrap();
    let preview = |slug| NewEnvironment {
        organization_id: setup.organization.id,
        project_id: setup.project.id,
        r#type: RuntimeEnvironmentType::Preview,
        slug: Some(slug),
        org_member_id: None,
    };

    // Two slugs that share their first 16 characters, the shortcode's length.
    let login = service
        .create_environment(&preview("feature-branch-login"))
        .await
        .unwrap()
        .environment;
    let logout = service
        .create_environment(&preview("feature-branch-logout"))
        .await
        .unwrap()
        .environment;
    let exact = service
        .create_environment(&preview("sixteen-chars-ok"))
        .await
        .unwrap()
        .environment;

    assert_eq!(login.slug, "feature-branch-login");
    assert_eq!(logout.slug, "feature-branch-logout");
    for shortcode in [&login.shortcode, &logout.shortcode] {
        assert_eq!(shortcode.len(), 16, "{shortcode}");
        let tail = shortcode
            .strip_prefix("feature-bra-")
            .unwrap_or_else(|| panic!("{shortcode}"));
        assert!(
            tail.bytes().all(|b| b.is_ascii_alphanumeric()),
            "{shortcode}"
        );
    }
    assert_ne!(login.shortcode, logout.shortcode);
    assert_eq!(
        exact.shortcode, "sixteen-chars-ok",
        "a slug that fits is its own shortcode"
    );
    // The long slug is still the environment's unique name.
    let error = service
        .create_environment(&preview("feature-branch-login"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SharedError::EnvironmentSlugTaken { slug } if slug == "feature-branch-login"),
        "{error:?}"
    );
}

#[tokio::test]
async fn create_organization_with_project_sets_up_everything_in_one_go() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);

    let setup = service
        .create_organization_with_project(&new_org("acme"), &new_project("web"), user.id)
        .await
        .unwrap();

    assert_eq!(setup.organization.slug, "acme");
    assert_eq!(
        (setup.admin.user_id, setup.admin.role),
        (user.id, OrgMemberRole::Admin)
    );
    assert_eq!(setup.project.organization_id, setup.organization.id);
    let kinds: Vec<_> = setup
        .environments
        .iter()
        .map(|e| {
            let e = &e.environment;
            (e.r#type, e.slug.as_str(), e.org_member_id)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (
                RuntimeEnvironmentType::Development,
                "dev",
                Some(setup.admin.id)
            ),
            (RuntimeEnvironmentType::Staging, "stg", None),
            (RuntimeEnvironmentType::Production, "prod", None),
        ]
    );
    for created in &setup.environments {
        let environment = &created.environment;
        assert_eq!(environment.project_id, setup.project.id);
        assert_eq!(environment.organization_id, setup.organization.id);
        assert_eq!(environment.api_key_hash, created.keys.secret.hash());
    }
    assert_eq!(
        service
            .find_project_by_slug(setup.organization.id, "web")
            .await
            .unwrap(),
        Some(setup.project.clone())
    );
}

#[tokio::test]
async fn a_failed_setup_leaves_nothing_behind() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let ghost = Uuid::new_v4();
    let mut service = SharedService::new(&mut client);
    service
        .create_organization_with_project(&new_org("taken"), &new_project("web"), user.id)
        .await
        .unwrap();

    // Fails after the organization row is written: the admin does not exist.
    let error = service
        .create_organization_with_project(&new_org("acme"), &new_project("web"), ghost)
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::UserNotFound { .. }),
        "{error:?}"
    );
    let error = service
        .create_organization_with_project(&new_org("taken"), &new_project("api"), user.id)
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::OrganizationSlugTaken { .. }),
        "{error:?}"
    );
    let error = service
        .create_organization_with_project(&new_org("fine"), &new_project("Not A Slug"), user.id)
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::InvalidSlug { .. }),
        "{error:?}"
    );

    assert_eq!(count(&client, "organizations").await, 1);
    assert_eq!(count(&client, "org_members").await, 1);
    assert_eq!(count(&client, "projects").await, 1);
    assert_eq!(count(&client, "runtime_environments").await, 3);
}

#[tokio::test]
async fn two_organizations_racing_for_one_slug_leave_one_and_a_conflict_error() {
    let db = testsupport::fresh_db().await;
    let setup = seed::connect(&db).await;
    let ada = seed::user(&setup, "ada@example.com").await;
    let bob = seed::user(&setup, "bob@example.com").await;

    for round in 0..5 {
        let slug = format!("race-{round}");
        // Two connections, so both transactions are open in the server at once.
        let mut first = seed::connect(&db).await;
        let mut second = seed::connect(&db).await;
        let (a, b) = tokio::join!(
            async {
                SharedService::new(&mut first)
                    .create_organization_with_project(&new_org(&slug), &new_project("web"), ada.id)
                    .await
            },
            async {
                SharedService::new(&mut second)
                    .create_organization_with_project(&new_org(&slug), &new_project("app"), bob.id)
                    .await
            },
        );

        let (winner, loser) = match (a, b) {
            (Ok(winner), Err(loser)) | (Err(loser), Ok(winner)) => (winner, loser),
            other => panic!("round {round}: expected one success and one conflict, got {other:?}"),
        };
        assert!(
            matches!(&loser, SharedError::OrganizationSlugTaken { slug: s } if *s == slug),
            "round {round}: {loser:?}"
        );
        let stored = setup
            .get_organization_by_slug(&slug)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.id, winner.organization.id);
        let projects = setup
            .list_projects_with_environment_stats(stored.id)
            .await
            .unwrap();
        assert_eq!(projects.len(), 1, "only the winner's project");
        assert_eq!(projects[0].environment_count, 3);
    }
    assert_eq!(count(&setup, "organizations").await, 5);
    assert_eq!(count(&setup, "projects").await, 5);
    assert_eq!(count(&setup, "runtime_environments").await, 15);
}

#[tokio::test]
async fn environments_are_found_by_their_secret_or_public_key() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    let mut service = SharedService::new(&mut client);
    let setup = service
        .create_organization_with_project(&new_org("acme"), &new_project("web"), user.id)
        .await
        .unwrap();
    let (production, keys) = (
        &setup.environments[2].environment,
        &setup.environments[2].keys,
    );

    let by_secret = service
        .find_environment_by_api_key(keys.secret.expose())
        .await
        .unwrap()
        .unwrap();
    let by_public = service
        .find_environment_by_api_key(keys.public.expose())
        .await
        .unwrap()
        .unwrap();

    assert_eq!(by_secret.key_kind, EnvironmentKeyKind::Secret);
    assert_eq!(by_public.key_kind, EnvironmentKeyKind::Public);
    for found in [&by_secret, &by_public] {
        assert_eq!(found.id, production.id);
        assert_eq!(found.r#type, RuntimeEnvironmentType::Production);
        assert_eq!(found.project_id, setup.project.id);
        assert_eq!(found.project_ref, setup.project.external_ref);
        assert_eq!(found.organization_slug, "acme");
    }
    // A public key is not looked up as a secret one, nor the other way round.
    let swapped_secret = keys.public.expose().replacen("pk_", "tr_", 1);
    let swapped_public = keys.secret.expose().replacen("tr_", "pk_", 1);
    for key in [
        swapped_secret.as_str(),
        swapped_public.as_str(),
        // The stored hash is no key: a copy of the table does not authenticate.
        production.api_key_hash.as_str(),
        production.pk_api_key_hash.as_str(),
        "tr_prod_unknown",
        "not a key",
        "",
    ] {
        assert_eq!(
            service.find_environment_by_api_key(key).await.unwrap(),
            None,
            "{key}"
        );
    }
    seed::soft_delete_organization(&client, setup.organization.id).await;
    let service = SharedService::new(&mut client);
    assert_eq!(
        service
            .find_environment_by_api_key(keys.secret.expose())
            .await
            .unwrap(),
        None,
        "a deleted organization's keys no longer resolve"
    );
}

#[tokio::test]
async fn service_calls_nest_in_a_callers_transaction() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;

    let mut tx = client.transaction().await.unwrap();
    let mut service = SharedService::new(&mut tx);
    service
        .create_organization_with_project(&new_org("acme"), &new_project("web"), user.id)
        .await
        .unwrap();
    // A failing call inside the outer transaction rolls back only its savepoint.
    let error = service
        .create_organization_with_project(&new_org("acme"), &new_project("web"), user.id)
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::OrganizationSlugTaken { .. }),
        "{error:?}"
    );
    assert!(service
        .find_organization_by_slug("acme")
        .await
        .unwrap()
        .is_some());
    tx.rollback().await.unwrap();

    assert_eq!(count(&client, "organizations").await, 0);
    assert_eq!(count(&client, "runtime_environments").await, 0);
}
