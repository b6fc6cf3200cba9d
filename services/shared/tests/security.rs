//! Attacks on `shared` against a real database: environment keys read from a copy of the table, key rotation, two tenants' ids mixed in one environment, and database details leaking through service errors.

mod seed;

use std::error::Error as _;

use shared::api_keys::{hash_token, obfuscate_token, EnvironmentApiKeys, PlainKey};
use shared::db::models::{OrgMember, Organization, Project, RuntimeEnvironmentType};
use shared::db::Queries;
use shared::service::{
    CreatedEnvironment, NewEnvironment, NewOrganization, NewProject, NewUser, OrganizationSetup,
    SharedError, SharedService,
};
use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::Client;
use uuid::Uuid;

/// An organization, its admin (a new user), project `<slug>-web` and its
/// three environments, through the service.
async fn tenant(client: &mut Client, slug: &str) -> OrganizationSetup {
    let user = seed::user(client, &format!("admin@{slug}.example")).await;
    SharedService::new(client)
        .create_organization_with_project(
            &NewOrganization {
                slug,
                title: slug,
                company_size: None,
            },
            &NewProject {
                slug: &format!("{slug}-web"),
                name: "Web",
            },
            user.id,
        )
        .await
        .unwrap()
}

async fn row_text(client: &Client, environment_id: Uuid) -> String {
    let pg: &tokio_postgres::Client = client;
    pg.query_one(
        "SELECT row_to_json(e)::text FROM runtime_environments e WHERE id = $1",
        &[&environment_id],
    )
    .await
    .unwrap()
    .get(0)
}

/// The part of a key after its last `_`.
fn random_part(key: &PlainKey) -> &str {
    let text = key.expose();
    &text[text.rfind('_').unwrap() + 1..]
}

#[tokio::test]
async fn a_copy_of_the_environments_table_holds_no_working_key() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let setup = tenant(&mut client, "acme").await;

    for created in &setup.environments {
        let text = row_text(&client, created.environment.id).await;
        for key in [&created.keys.secret, &created.keys.public] {
            assert!(!text.contains(key.expose()), "{text}");
            // The preview shows four random characters; the row shows no more.
            assert!(!text.contains(&random_part(key)[..5]), "{text}");
        }
        assert!(
            text.contains(&created.keys.secret.preview()),
            "the preview is kept for display: {text}"
        );
        // What the table does hold, presented as a key, authenticates nothing.
        let service = SharedService::new(&mut client);
        for stolen in [
            &created.environment.api_key_hash,
            &created.environment.api_key_preview,
            &created.environment.pk_api_key_hash,
        ] {
            assert_eq!(
                service.find_environment_by_api_key(stolen).await.unwrap(),
                None
            );
        }
        assert!(service
            .find_environment_by_api_key(created.keys.secret.expose())
            .await
            .unwrap()
            .is_some());
    }
}

#[tokio::test]
async fn plain_keys_do_not_show_in_debug_output() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let setup = tenant(&mut client, "acme").await;

    let debug = format!("{setup:?} {:#?}", setup.environments[0]);
    for created in &setup.environments {
        for key in [&created.keys.secret, &created.keys.public] {
            assert!(!debug.contains(&random_part(key)[..5]), "{debug}");
            assert!(debug.contains(&key.preview()), "{debug}");
        }
    }
}

#[tokio::test]
async fn rotating_an_environments_keys_retires_the_old_ones_at_once() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let setup = tenant(&mut client, "acme").await;
    let other = tenant(&mut client, "other").await;
    let CreatedEnvironment {
        environment: production,
        keys: old,
    } = setup.environments[2].clone();
    let service = SharedService::new(&mut client);

    let rotated = service
        .rotate_environment_api_keys(setup.project.id, production.id)
        .await
        .unwrap();

    assert_eq!(rotated.environment.id, production.id);
    assert!(rotated.keys.secret.expose().starts_with("tr_prod_"));
    assert!(rotated.keys.public.expose().starts_with("pk_prod_"));
    assert_ne!(rotated.keys.secret, old.secret);
    assert_ne!(rotated.keys.public, old.public);
    assert_eq!(rotated.environment.api_key_hash, rotated.keys.secret.hash());
    assert_eq!(
        rotated.environment.pk_api_key_preview,
        rotated.keys.public.preview()
    );
    assert!(rotated.environment.api_keys_rotated_at.is_some());
    for key in [&old.secret, &old.public] {
        assert_eq!(
            service
                .find_environment_by_api_key(key.expose())
                .await
                .unwrap(),
            None,
            "an old key authenticates no more"
        );
    }
    for key in [&rotated.keys.secret, &rotated.keys.public] {
        let found = service
            .find_environment_by_api_key(key.expose())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, production.id);
    }
    // Another tenant's project id does not reach this environment.
    let error = service
        .rotate_environment_api_keys(other.project.id, production.id)
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::EnvironmentNotFound { id } if id == production.id),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "environment `{}` does not exist in this project",
            production.id
        )
    );
    assert!(service
        .find_environment_by_api_key(rotated.keys.secret.expose())
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn the_migration_hashes_keys_stored_in_plain_text_so_they_keep_working() {
    let migrations = testsupport::migration_sql(&testsupport::migrations_dir());
    let (before, after) = migrations.split_at(7);
    assert!(
        after[0].contains("api_key_hash"),
        "migration 008 is the one that hashes keys"
    );
    let before: Vec<&str> = before.iter().map(String::as_str).collect();
    let db = testsupport::fresh_db_from_sql(&before).await;
    let pg = db.client().await;
    pg.batch_execute(
        "INSERT INTO organizations (slug, title) VALUES ('acme', 'Acme');
         INSERT INTO projects (slug, name, organization_id, external_ref)
           SELECT 'web', 'Web', id, 'proj_web' FROM organizations;
         INSERT INTO runtime_environments (slug, api_key, pk_api_key, type, shortcode, organization_id, project_id)
           SELECT 'prod', 'tr_prod_0123456789abcdefghij', 'pk_prod_abcdefghij0123456789', 'PRODUCTION', 'prod',
                  organization_id, id FROM projects;",
    )
    .await
    .unwrap();

    for sql in after {
        pg.batch_execute(sql).await.unwrap();
    }

    let client = Client::new(pg);
    let found = client
        .get_environment_by_api_key_hash(&hash_token("tr_prod_0123456789abcdefghij"))
        .await
        .unwrap()
        .expect("a key issued before the migration still authenticates");
    let public = client
        .get_environment_by_public_api_key_hash(&hash_token("pk_prod_abcdefghij0123456789"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, public.id);
    let listed = client.list_environments_for_project(found.project_id).await;
    assert_eq!(listed.unwrap().len(), 1);
    let text = row_text(&client, found.id).await;
    assert!(!text.contains("0123456789abcdefghij"), "{text}");
    assert!(
        text.contains(&obfuscate_token("tr_prod_0123456789abcdefghij")),
        "{text}"
    );
}

/// Inserts an environment with raw SQL, as code that bypasses the service
/// would, and returns the server's refusal.
async fn insert_environment(
    client: &Client,
    organization_id: Uuid,
    project_id: Uuid,
    org_member_id: Option<Uuid>,
) -> tokio_postgres::Error {
    let pg: &tokio_postgres::Client = client;
    let keys = EnvironmentApiKeys::generate(RuntimeEnvironmentType::Development).unwrap();
    pg.execute(
        "INSERT INTO runtime_environments
           (slug, api_key_hash, api_key_preview, pk_api_key_hash, pk_api_key_preview,
            type, shortcode, organization_id, project_id, org_member_id)
         VALUES ('mixed', $1, 'p', $2, 'p', 'DEVELOPMENT', 'mixed', $3, $4, $5)",
        &[
            &keys.secret.hash(),
            &keys.public.hash(),
            &organization_id,
            &project_id,
            &org_member_id,
        ],
    )
    .await
    .expect_err("the database accepted an environment mixing two tenants")
}

fn assert_foreign_key_violation(error: &tokio_postgres::Error, constraint: &str) {
    let db_error = error.as_db_error().expect("a server error");
    assert_eq!(
        db_error.code(),
        &SqlState::FOREIGN_KEY_VIOLATION,
        "{db_error}"
    );
    assert_eq!(db_error.constraint(), Some(constraint), "{db_error}");
}

fn admin_of(setup: &OrganizationSetup) -> (&Organization, &Project, &OrgMember) {
    (&setup.organization, &setup.project, &setup.admin)
}

#[tokio::test]
async fn the_schema_refuses_an_environment_that_mixes_two_tenants() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let a = tenant(&mut client, "alpha").await;
    let b = tenant(&mut client, "beta").await;
    let (a_org, a_project, a_member) = admin_of(&a);
    let (b_org, b_project, b_member) = admin_of(&b);

    // Organization A with B's project.
    let error = insert_environment(&client, a_org.id, b_project.id, None).await;
    assert_foreign_key_violation(&error, "runtime_environments_project_organization_fkey");
    // A's project with B's member.
    let error = insert_environment(&client, a_org.id, a_project.id, Some(b_member.id)).await;
    assert_foreign_key_violation(&error, "runtime_environments_org_member_organization_fkey");
    // B's project and member, filed under A.
    let error = insert_environment(&client, a_org.id, b_project.id, Some(b_member.id)).await;
    assert_eq!(error.code(), Some(&SqlState::FOREIGN_KEY_VIOLATION));

    // An existing environment cannot be moved across tenants either.
    let pg: &tokio_postgres::Client = &client;
    let a_dev = &a.environments[0].environment;
    let error = pg
        .execute(
            "UPDATE runtime_environments SET organization_id = $1 WHERE id = $2",
            &[&b_org.id, &a_dev.id],
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::FOREIGN_KEY_VIOLATION));
    let error = pg
        .execute(
            "UPDATE runtime_environments SET org_member_id = $1 WHERE id = $2",
            &[&b_member.id, &a_dev.id],
        )
        .await
        .unwrap_err();
    assert_foreign_key_violation(&error, "runtime_environments_org_member_organization_fkey");
    // Nor can a project with environments, or a membership they belong to.
    let error = pg
        .execute(
            "UPDATE projects SET organization_id = $1 WHERE id = $2",
            &[&b_org.id, &a_project.id],
        )
        .await
        .unwrap_err();
    assert_foreign_key_violation(&error, "runtime_environments_project_organization_fkey");
    let error = pg
        .execute(
            "UPDATE org_members SET organization_id = $1 WHERE id = $2",
            &[&b_org.id, &a_member.id],
        )
        .await
        .unwrap_err();
    assert_foreign_key_violation(&error, "runtime_environments_org_member_organization_fkey");

    // What belongs together is still accepted.
    let service = SharedService::new(&mut client);
    service
        .create_environment(&NewEnvironment {
            organization_id: a_org.id,
            project_id: a_project.id,
            r#type: RuntimeEnvironmentType::Development,
            slug: Some("dev-2"),
            org_member_id: Some(a_member.id),
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn the_service_names_the_tenant_mismatch_the_schema_refused() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let a = tenant(&mut client, "alpha").await;
    let b = tenant(&mut client, "beta").await;
    let service = SharedService::new(&mut client);
    let mixed = NewEnvironment {
        organization_id: a.organization.id,
        project_id: b.project.id,
        r#type: RuntimeEnvironmentType::Preview,
        slug: Some("pr-1"),
        org_member_id: None,
    };

    let error = service.create_environment(&mixed).await.unwrap_err();
    assert!(
        matches!(error, SharedError::ProjectNotInOrganization { project_id, organization_id }
            if project_id == b.project.id && organization_id == a.organization.id),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "organization `{}` has no project `{}`",
            a.organization.id, b.project.id
        )
    );
    let error = service
        .create_environment(&NewEnvironment {
            project_id: a.project.id,
            org_member_id: Some(b.admin.id),
            ..mixed
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, SharedError::MemberNotInOrganization { org_member_id, .. }
            if org_member_id == b.admin.id),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "organization `{}` has no member `{}`",
            a.organization.id, b.admin.id
        )
    );
    let listed = service.list_environments(b.project.id).await.unwrap();
    assert_eq!(listed.len(), 3, "B's project gained nothing");
}

#[tokio::test]
async fn a_unique_violation_leaves_the_service_without_its_row_values() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    // A rule the service does not know about, so its violation reaches the
    // caller as `SharedError::Database` rather than a typed error.
    let pg: &tokio_postgres::Client = &client;
    pg.batch_execute("CREATE UNIQUE INDEX users_name_key ON users (name)")
        .await
        .unwrap();
    let service = SharedService::new(&mut client);
    let user = |email| NewUser {
        email,
        authentication_method: shared::db::models::AuthenticationMethod::Github,
        name: Some("Ada Lovelace"),
        display_name: None,
    };
    service.create_user(&user("ada@example.com")).await.unwrap();

    let error = service
        .create_user(&user("countess@example.com"))
        .await
        .unwrap_err();

    assert!(matches!(error, SharedError::Database(_)), "{error:?}");
    let shown = error.to_string();
    assert_eq!(shown, "internal database error (SQLSTATE 23505)");
    assert!(!shown.contains("Ada Lovelace"));
    // Logs keep everything: the server's message and its DETAIL.
    let logged = error.log_detail();
    assert!(logged.starts_with(&shown), "{logged}");
    assert!(logged.contains("users_name_key"), "{logged}");
    assert!(
        logged.contains("Key (name)=(Ada Lovelace) already exists"),
        "{logged}"
    );
    let source = error
        .source()
        .and_then(|source| source.downcast_ref::<sqlgen_runtime::Error>())
        .expect("the runtime error is the source");
    assert_eq!(source.code(), Some(&SqlState::UNIQUE_VIOLATION));
    assert!(source
        .as_db_error()
        .and_then(|db| db.detail())
        .is_some_and(|detail| detail.contains("Ada Lovelace")));
}
