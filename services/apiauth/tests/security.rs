//! Attacks on `apiauth` against a real database: organization tokens made by non-admins, with unknown scopes, or used after their creator left; plain tokens in `Debug`; database details in errors; and authentication under load (read-only transactions, one token hammered while it is revoked).

mod seed;

use std::error::Error as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use apiauth::db::models::OrganizationAccessToken;
use apiauth::db::Queries as _;
use apiauth::repository::{
    ApiAuth, AuthError, AuthOptions, Authenticated, Created, CredentialKind, NewOrganizationToken,
    TokenError, KNOWN_SCOPES,
};
use shared::api_keys::PlainKey;
use shared::db::models::{OrgMemberRole, Organization, User};
use shared::db::Queries as _;
use shared::service::{NewOrganization, NewProject, SharedService};
use sqlgen_runtime::tokio_postgres::error::SqlState;
use sqlgen_runtime::Client;
use uuid::Uuid;

const OAT: CredentialKind = CredentialKind::OrganizationAccessToken;

fn new_org_token<'a>(organization_id: Uuid, scopes: &'a [String]) -> NewOrganizationToken<'a> {
    NewOrganizationToken {
        organization_id,
        name: "ci",
        scopes,
        expires_at: None,
    }
}

/// Organization `acme` with an admin and a plain member.
async fn acme(client: &Client) -> (Organization, User, User) {
    let organization = seed::organization(client, "acme").await;
    let admin = seed::user(client, "admin@example.com", None).await;
    let member = seed::user(client, "member@example.com", None).await;
    for (user, role) in [
        (&admin, OrgMemberRole::Admin),
        (&member, OrgMemberRole::Member),
    ] {
        client
            .add_org_member(organization.id, user.id, role)
            .await
            .unwrap();
    }
    (organization, admin, member)
}

/// Organization `acme` (see [`acme`]) and a token its admin created.
async fn acme_token(client: &Client) -> (Organization, User, Created<OrganizationAccessToken>) {
    let (acme, admin, _) = acme(client).await;
    let created = ApiAuth::new(client)
        .create_organization_token(admin.id, &new_org_token(acme.id, &[]))
        .await
        .unwrap();
    (acme, admin, created)
}

async fn assert_revoked(auth: &ApiAuth<'_, Client>, token: &PlainKey) {
    let error = auth
        .authenticate_organization(token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Revoked { kind: OAT }),
        "{error:?}"
    );
}

async fn token_count(client: &Client) -> i64 {
    let pg: &tokio_postgres::Client = client;
    pg.query_one("SELECT count(*) FROM organization_access_tokens", &[])
        .await
        .unwrap()
        .get(0)
}

async fn last_accessed(client: &Client, token_id: i64) -> (Option<time::OffsetDateTime>, String) {
    let pg: &tokio_postgres::Client = client;
    let row = pg
        .query_one(
            "SELECT last_accessed_at, xmin::text FROM organization_access_tokens WHERE id = $1",
            &[&token_id],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1))
}

#[tokio::test]
async fn only_an_admin_of_the_organization_creates_its_tokens() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let (acme, admin, member) = acme(&client).await;
    let outsider = seed::user(&client, "eve@example.com", None).await;
    let auth = ApiAuth::new(&client);

    let error = auth
        .create_organization_token(member.id, &new_org_token(acme.id, &[]))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TokenError::NotAnAdmin { organization_id } if organization_id == acme.id),
        "{error:?}"
    );
    let error = auth
        .create_organization_token(outsider.id, &new_org_token(acme.id, &[]))
        .await
        .unwrap_err();
    assert!(
        matches!(error, TokenError::NotAMember { organization_id } if organization_id == acme.id),
        "{error:?}"
    );
    assert_eq!(token_count(&client).await, 0, "a refusal writes nothing");

    let created = auth
        .create_organization_token(admin.id, &new_org_token(acme.id, &[]))
        .await
        .unwrap();
    assert_eq!(created.record.created_by_user_id, Some(admin.id));
    // A member still sees and may revoke the organization's tokens.
    assert_eq!(
        auth.list_organization_tokens(member.id, acme.id)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn scopes_outside_the_known_set_are_refused() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let (acme, admin, _) = acme(&client).await;
    let auth = ApiAuth::new(&client);

    for unknown in ["admin:everything", "READ:RUNS", "read:runs ", "", "read:*"] {
        let scopes = vec!["read:runs".to_owned(), unknown.to_owned()];
        let error = auth
            .create_organization_token(admin.id, &new_org_token(acme.id, &scopes))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, TokenError::UnknownScope { scope } if scope == unknown),
            "{unknown:?}: {error:?}"
        );
        assert!(
            error.to_string().contains("read:runs, write:runs"),
            "{error}"
        );
    }
    assert_eq!(token_count(&client).await, 0);

    let every: Vec<String> = KNOWN_SCOPES.iter().map(|s| s.to_string()).collect();
    let created = auth
        .create_organization_token(admin.id, &new_org_token(acme.id, &every))
        .await
        .unwrap();
    assert_eq!(created.record.scopes, every);
    let Authenticated::OrganizationAccessToken(found) = auth
        .authenticate(created.token.expose(), &AuthOptions::ANY)
        .await
        .unwrap()
    else {
        panic!("expected an organization token");
    };
    assert_eq!(found.scopes, every);
}

#[tokio::test]
async fn a_token_stops_authenticating_when_its_creators_membership_ends() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let (acme, admin, _) = acme(&client).await;
    let other_admin = seed::user(&client, "grace@example.com", None).await;
    client
        .add_org_member(acme.id, other_admin.id, OrgMemberRole::Admin)
        .await
        .unwrap();
    let auth = ApiAuth::new(&client);
    let leaving = auth
        .create_organization_token(admin.id, &new_org_token(acme.id, &[]))
        .await
        .unwrap();
    let staying = auth
        .create_organization_token(other_admin.id, &new_org_token(acme.id, &[]))
        .await
        .unwrap();
    assert!(auth
        .authenticate_organization(leaving.token.expose())
        .await
        .is_ok());

    seed::execute(
        &client,
        "DELETE FROM org_members WHERE organization_id = $1 AND user_id = $2",
        &[&acme.id, &admin.id],
    )
    .await;

    assert_revoked(&auth, &leaving.token).await;
    assert_eq!(
        client
            .get_active_organization_access_token_by_hash(&leaving.record.hashed_token)
            .await
            .unwrap(),
        None
    );
    // Another member's token is not affected.
    assert!(auth
        .authenticate_organization(staying.token.expose())
        .await
        .is_ok());
    // Nor does deleting the creator's account leave a token behind.
    seed::execute(
        &client,
        "DELETE FROM users WHERE id = $1",
        &[&other_admin.id],
    )
    .await;
    assert_revoked(&auth, &staying.token).await;
}

#[tokio::test]
async fn created_tokens_do_not_show_their_secret_in_debug_output() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let (_, admin, organization) = acme_token(&client).await;
    let auth = ApiAuth::new(&client);
    let personal = auth
        .create_personal_token(admin.id, "laptop", None)
        .await
        .unwrap();

    let debug = format!("{organization:?} {personal:#?}");
    for token in [organization.token.expose(), personal.token.expose()] {
        let random = &token["tr_xxx_".len()..];
        assert!(!debug.contains(random), "{debug}");
        // The preview's four characters show, the fifth does not.
        assert!(!debug.contains(&random[..5]), "{debug}");
    }
    assert!(
        debug.contains(&organization.record.obfuscated_token),
        "{debug}"
    );
}

#[tokio::test]
async fn a_unique_violation_leaves_the_service_without_its_row_values() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    // A rule the service does not map, so its violation is `TokenError::Database`.
    seed::execute(
        &client,
        "CREATE UNIQUE INDEX personal_access_tokens_user_id_name_key ON personal_access_tokens (user_id, name)",
        &[],
    )
    .await;
    let auth = ApiAuth::new(&client);
    auth.create_personal_token(user.id, "secret-project-laptop", None)
        .await
        .unwrap();

    let error = auth
        .create_personal_token(user.id, "secret-project-laptop", None)
        .await
        .unwrap_err();

    assert!(matches!(error, TokenError::Database(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "internal database error (SQLSTATE 23505)"
    );
    let logged = error.log_detail();
    assert!(
        logged.contains("secret-project-laptop") && logged.contains("DETAIL"),
        "{logged}"
    );
    let source = error
        .source()
        .and_then(|source| source.downcast_ref::<sqlgen_runtime::Error>())
        .expect("the runtime error is the source");
    assert_eq!(source.code(), Some(&SqlState::UNIQUE_VIOLATION));

    // The same holds for authentication failures.
    let failed = AuthError::from(sqlgen_runtime::Error::Postgres(
        auth.create_personal_token(user.id, "secret-project-laptop", None)
            .await
            .map(|_| ())
            .map_err(|error| match error {
                TokenError::Database(sqlgen_runtime::Error::Postgres(error)) => error,
                other => panic!("{other:?}"),
            })
            .unwrap_err(),
    ));
    assert_eq!(
        failed.to_string(),
        "authentication failed: internal database error (SQLSTATE 23505)"
    );
    assert!(failed.log_detail().contains("secret-project-laptop"));
}

#[tokio::test]
async fn a_token_use_is_written_at_most_once_a_minute() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let (_, _, created) = acme_token(&client).await;
    let auth = ApiAuth::new(&client);
    let (never, created_version) = last_accessed(&client, created.record.id).await;
    assert_eq!(never, None);

    auth.authenticate_organization(created.token.expose())
        .await
        .unwrap();
    let (first, first_version) = last_accessed(&client, created.record.id).await;
    assert!(first.is_some());
    assert_ne!(first_version, created_version, "the first use is written");

    for _ in 0..20 {
        auth.authenticate_organization(created.token.expose())
            .await
            .unwrap();
    }
    // xmin changes with every UPDATE of the row, even one writing the same value.
    assert_eq!(
        last_accessed(&client, created.record.id).await,
        (first, first_version.clone()),
        "no write within the minute"
    );

    seed::execute(
        &client,
        "UPDATE organization_access_tokens SET last_accessed_at = now() - interval '61 seconds' WHERE id = $1",
        &[&created.record.id],
    )
    .await;
    let (backdated, _) = last_accessed(&client, created.record.id).await;
    auth.authenticate_organization(created.token.expose())
        .await
        .unwrap();
    let (again, _) = last_accessed(&client, created.record.id).await;
    assert!(again > backdated, "written again after a minute");
}

#[tokio::test]
async fn authentication_works_inside_a_read_only_transaction() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let (_, admin, organization) = acme_token(&client).await;
    let auth = ApiAuth::new(&client);
    let personal = auth
        .create_personal_token(admin.id, "laptop", None)
        .await
        .unwrap();
    let setup = SharedService::new(&mut client)
        .create_organization_with_project(
            &NewOrganization {
                slug: "beta",
                title: "Beta",
                company_size: None,
            },
            &NewProject {
                slug: "web",
                name: "Web",
            },
            admin.id,
        )
        .await
        .unwrap();
    let environment_key = setup.environments[2].keys.secret.clone();

    let tx = client
        .build_transaction()
        .read_only(true)
        .start()
        .await
        .unwrap();
    let auth = ApiAuth::new(&tx);
    for credential in [
        organization.token.expose(),
        personal.token.expose(),
        environment_key.expose(),
    ] {
        auth.authenticate(credential, &AuthOptions::ANY)
            .await
            .unwrap_or_else(|error| panic!("{}", error.log_detail()));
    }
    // Twice, so a failed statement would have aborted the transaction.
    auth.authenticate_organization(organization.token.expose())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Nothing was written in the read-only transaction; the next use is.
    assert_eq!(last_accessed(&client, organization.record.id).await.0, None);
    let auth = ApiAuth::new(&client);
    auth.authenticate_organization(organization.token.expose())
        .await
        .unwrap();
    assert!(last_accessed(&client, organization.record.id)
        .await
        .0
        .is_some());

    // `SET TRANSACTION READ ONLY` is seen the same way.
    let tx = client.transaction().await.unwrap();
    let pg: &tokio_postgres::Transaction<'_> = &tx;
    pg.batch_execute("SET TRANSACTION READ ONLY").await.unwrap();
    ApiAuth::new(&tx)
        .authenticate_personal(personal.token.expose())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
}

/// What one call of the concurrency test saw, and when.
struct Call {
    started: Instant,
    finished: Instant,
    outcome: Result<(), AuthError>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_tasks_authenticating_one_token_while_it_is_revoked_never_error() {
    const TASKS: usize = 50;
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let (acme, admin, created) = acme_token(&client).await;
    let token = Arc::new(created.token.clone());
    let successes = Arc::new(AtomicUsize::new(0));

    let mut tasks = Vec::with_capacity(TASKS);
    for _ in 0..TASKS {
        let client = seed::connect(&db).await;
        let token = Arc::clone(&token);
        let successes = Arc::clone(&successes);
        tasks.push(tokio::spawn(async move {
            let auth = ApiAuth::new(&client);
            let mut calls = Vec::new();
            // Each task calls until it sees the revocation (bounded, so that a
            // revocation that never lands fails the test instead of hanging it).
            for _ in 0..5_000 {
                let started = Instant::now();
                let outcome = auth
                    .authenticate_organization(token.expose())
                    .await
                    .map(|_| ());
                let finished = Instant::now();
                let revoked = matches!(outcome, Err(AuthError::Revoked { .. }));
                if outcome.is_ok() {
                    successes.fetch_add(1, Ordering::Relaxed);
                }
                calls.push(Call {
                    started,
                    finished,
                    outcome,
                });
                if revoked {
                    break;
                }
            }
            calls
        }));
    }

    // Revoke once the tasks are busy with the token.
    while successes.load(Ordering::Relaxed) < TASKS * 2 {
        tokio::task::yield_now().await;
    }
    let revoke_started = Instant::now();
    ApiAuth::new(&client)
        .revoke_organization_token(admin.id, acme.id, created.record.id)
        .await
        .unwrap();
    let revoke_finished = Instant::now();

    let (mut before, mut after) = (0, 0);
    for task in tasks {
        let calls = task.await.unwrap();
        let last = calls.last().expect("at least one call");
        assert!(
            matches!(last.outcome, Err(AuthError::Revoked { kind: OAT })),
            "every task saw the revocation: {:?}",
            last.outcome
        );
        for call in &calls {
            match &call.outcome {
                Ok(()) => {
                    assert!(
                        call.started < revoke_finished,
                        "succeeded though it started after the revocation committed"
                    );
                    before += 1;
                }
                Err(AuthError::Revoked { kind: OAT }) => {
                    assert!(
                        call.finished > revoke_started,
                        "refused before the revocation began"
                    );
                    after += 1;
                }
                Err(error) => panic!("an authentication errored: {}", error.log_detail()),
            }
        }
    }
    assert!(before >= TASKS * 2, "{before} successes");
    assert_eq!(after, TASKS, "one refusal per task, each its last call");
}
