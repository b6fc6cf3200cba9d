//! `apiauth::repository::ApiAuth` against a real database: issuing, listing, revoking and authenticating tokens and environment keys, with every rejection reason.

mod seed;

use apiauth::db::models::OrganizationAccessTokenType;
use apiauth::db::Queries;
use apiauth::repository::{
    hash_token, obfuscate_token, ApiAuth, AuthError, AuthOptions, Authenticated, CredentialKind,
    NewOrganizationToken, TokenError,
};
use shared::api_keys::EnvironmentKeyKind;
use shared::db::models::{OrgMemberRole, RuntimeEnvironmentType};
use shared::db::Queries as SharedQueries;
use shared::service::{NewOrganization, NewProject, SharedService};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const PAT: CredentialKind = CredentialKind::PersonalAccessToken;
const OAT: CredentialKind = CredentialKind::OrganizationAccessToken;

fn new_org_token(organization_id: Uuid, name: &str) -> NewOrganizationToken<'_> {
    NewOrganizationToken {
        organization_id,
        name,
        scopes: &[],
        expires_at: None,
    }
}

/// An organization with `user_id` as its admin (only admins create its tokens).
async fn organization_of(
    client: &sqlgen_runtime::Client,
    slug: &str,
    user_id: Uuid,
) -> shared::db::models::Organization {
    let organization = seed::organization(client, slug).await;
    client
        .add_org_member(organization.id, user_id, OrgMemberRole::Admin)
        .await
        .unwrap();
    organization
}

#[tokio::test]
async fn a_personal_token_is_returned_once_and_stored_only_as_hash_and_preview() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;

    let created = ApiAuth::new(&client)
        .create_personal_token(user.id, "laptop", None)
        .await
        .unwrap();

    assert!(
        created.token.expose().starts_with("tr_pat_"),
        "{:?}",
        created.token
    );
    assert_eq!(created.token.expose().len(), "tr_pat_".len() + 40);
    assert_eq!(
        created.record.hashed_token,
        hash_token(created.token.expose())
    );
    assert_eq!(
        created.record.obfuscated_token,
        obfuscate_token(created.token.expose())
    );
    assert_eq!(created.record.name, "laptop");
    assert_eq!(created.record.user_id, user.id);
    // Nothing in the row spells out the random part of the token.
    let random = &created.token.expose()["tr_pat_".len()..];
    let pg: &tokio_postgres::Client = &client;
    let row_text: String = pg
        .query_one(
            "SELECT row_to_json(t)::text FROM personal_access_tokens t WHERE id = $1",
            &[&created.record.id],
        )
        .await
        .unwrap()
        .get(0);
    assert!(!row_text.contains(random), "{row_text}");
    assert!(!row_text.contains(&random[..8]), "{row_text}");
}

#[tokio::test]
async fn a_personal_token_authenticates_as_its_user_and_records_the_use() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let auth = ApiAuth::new(&client);
    let created = auth
        .create_personal_token(user.id, "laptop", None)
        .await
        .unwrap();
    assert_eq!(created.record.last_accessed_at, None);

    let header = format!("Bearer {}", created.token.expose());
    let authenticated = auth
        .authenticate_header(Some(&header), &AuthOptions::ANY)
        .await
        .unwrap();

    let Authenticated::PersonalAccessToken(found) = authenticated else {
        panic!("expected a personal token, got {authenticated:?}");
    };
    assert_eq!(found.token_id, created.record.id);
    assert_eq!(found.user_id, user.id);
    assert_eq!(found.user_email, "ada@example.com");
    assert!(!found.user_is_admin);
    let listed = auth
        .list_personal_tokens(user.id, false, 10, 0)
        .await
        .unwrap();
    assert!(listed[0].last_accessed_at.is_some(), "use recorded");
}

#[tokio::test]
async fn unknown_revoked_and_expired_personal_tokens_are_refused_with_their_reason() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let auth = ApiAuth::new(&client);
    let revoked = auth
        .create_personal_token(user.id, "old", None)
        .await
        .unwrap();
    auth.revoke_personal_token(user.id, revoked.record.id)
        .await
        .unwrap();
    let expired = auth
        .create_personal_token(
            user.id,
            "ci",
            Some(OffsetDateTime::now_utc() - Duration::minutes(1)),
        )
        .await
        .unwrap();
    let live = auth
        .create_personal_token(
            user.id,
            "next week",
            Some(OffsetDateTime::now_utc() + Duration::days(7)),
        )
        .await
        .unwrap();
    let never_issued = format!("tr_pat_{}", "a".repeat(40));

    let error = auth
        .authenticate_personal(revoked.token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Revoked { kind: PAT }),
        "{error:?}"
    );
    let error = auth
        .authenticate_personal(expired.token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Expired { kind: PAT }),
        "{error:?}"
    );
    let error = auth.authenticate_personal(&never_issued).await.unwrap_err();
    assert!(
        matches!(error, AuthError::Unknown { kind: PAT }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "invalid personal access token");
    assert!(auth
        .authenticate_personal(live.token.expose())
        .await
        .is_ok());

    // Refused tokens are not marked as used.
    let pg: &tokio_postgres::Client = &client;
    let touched: i64 = pg
        .query_one(
            "SELECT count(*) FROM personal_access_tokens WHERE last_accessed_at IS NOT NULL",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(touched, 1);
}

#[tokio::test]
async fn a_token_row_copied_from_the_database_cannot_authenticate() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let organization = organization_of(&client, "acme", user.id).await;
    let auth = ApiAuth::new(&client);
    let pat = auth
        .create_personal_token(user.id, "laptop", None)
        .await
        .unwrap();
    let oat = auth
        .create_organization_token(user.id, &new_org_token(organization.id, "ci"))
        .await
        .unwrap();

    // What someone with a copy of the tables has: the stored columns.
    let pat_row = client
        .get_personal_access_token_with_user(pat.record.id)
        .await
        .unwrap()
        .unwrap();
    let oat_row = client
        .list_organization_access_tokens(organization.id)
        .await
        .unwrap();
    // Plain stored values have no token shape; the hash dressed up as a token
    // of its kind has one, but no token hashes to it.
    let stolen = [
        (pat_row.personal_access_token.hashed_token.clone(), None),
        (pat_row.personal_access_token.obfuscated_token.clone(), None),
        (oat.record.hashed_token.clone(), None),
        (oat_row[0].obfuscated_token.clone(), None),
        (
            format!(
                "tr_pat_{}",
                &pat_row.personal_access_token.hashed_token[..40]
            ),
            Some(PAT),
        ),
        (
            format!("tr_oat_{}", &oat.record.hashed_token[..40]),
            Some(OAT),
        ),
    ];
    for (value, dressed_as) in &stolen {
        let header = format!("Bearer {value}");
        let error = auth
            .authenticate_header(Some(&header), &AuthOptions::ANY)
            .await
            .unwrap_err();
        match dressed_as {
            None => assert!(matches!(error, AuthError::BadFormat), "{value}: {error:?}"),
            Some(kind) => assert!(
                matches!(error, AuthError::Unknown { kind: k } if k == *kind),
                "{value}: {error:?}"
            ),
        }
    }
    // The real tokens still work: the rejections above were not a broken lookup.
    assert!(auth.authenticate_personal(pat.token.expose()).await.is_ok());
    assert!(auth
        .authenticate_organization(oat.token.expose())
        .await
        .is_ok());
}

#[tokio::test]
async fn personal_tokens_are_listed_newest_first_and_revoked_only_by_their_owner() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let eve = seed::user(&client, "eve@example.com", None).await;
    let auth = ApiAuth::new(&client);
    let first = auth
        .create_personal_token(ada.id, "first", None)
        .await
        .unwrap();
    let second = auth
        .create_personal_token(ada.id, "second", None)
        .await
        .unwrap();

    // Eve cannot revoke Ada's token, and cannot tell it exists.
    let error = auth
        .revoke_personal_token(eve.id, first.record.id)
        .await
        .unwrap_err();
    assert!(matches!(error, TokenError::NotFound), "{error:?}");
    assert!(auth
        .authenticate_personal(first.token.expose())
        .await
        .is_ok());

    auth.revoke_personal_token(ada.id, first.record.id)
        .await
        .unwrap();
    let error = auth
        .revoke_personal_token(ada.id, first.record.id)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TokenError::NotFound),
        "already revoked: {error:?}"
    );
    let error = auth
        .revoke_personal_token(ada.id, Uuid::new_v4())
        .await
        .unwrap_err();
    assert!(matches!(error, TokenError::NotFound), "{error:?}");

    let active: Vec<_> = auth
        .list_personal_tokens(ada.id, false, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name, t.obfuscated_token))
        .collect();
    assert_eq!(
        active,
        [("second".to_owned(), obfuscate_token(second.token.expose()))]
    );
    let all: Vec<_> = auth
        .list_personal_tokens(ada.id, true, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.name, t.revoked_at.is_some()))
        .collect();
    assert_eq!(
        all,
        [("second".to_owned(), false), ("first".to_owned(), true)]
    );
    assert!(auth
        .list_personal_tokens(eve.id, true, 10, 0)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn creating_a_token_for_an_unknown_user_or_without_a_name_is_refused() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let auth = ApiAuth::new(&client);
    let ghost = Uuid::new_v4();

    let error = auth
        .create_personal_token(ghost, "laptop", None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, TokenError::UnknownUser { user_id } if user_id == ghost),
        "{error:?}"
    );
    let error = auth
        .create_personal_token(user.id, " ", None)
        .await
        .unwrap_err();
    assert!(matches!(error, TokenError::EmptyName), "{error:?}");
    assert!(auth
        .list_personal_tokens(user.id, true, 10, 0)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn an_organization_token_authenticates_for_its_organization_with_its_scopes() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let organization = organization_of(&client, "acme", user.id).await;
    let auth = ApiAuth::new(&client);
    let scopes = vec!["read:runs".to_owned()];

    let created = auth
        .create_organization_token(
            user.id,
            &NewOrganizationToken {
                scopes: &scopes,
                ..new_org_token(organization.id, "deploys")
            },
        )
        .await
        .unwrap();
    assert!(created.token.expose().starts_with("tr_oat_"));
    assert_eq!(
        created.record.hashed_token,
        hash_token(created.token.expose())
    );
    assert_eq!(created.record.created_by_user_id, Some(user.id));
    assert_eq!(created.record.r#type, OrganizationAccessTokenType::User);

    let header = format!("Bearer {}", created.token.expose());
    let authenticated = auth
        .authenticate_header(Some(&header), &AuthOptions::only(&[OAT]))
        .await
        .unwrap();
    let Authenticated::OrganizationAccessToken(found) = authenticated else {
        panic!("expected an organization token, got {authenticated:?}");
    };
    assert_eq!(found.token_id, created.record.id);
    assert_eq!(found.organization_id, organization.id);
    assert_eq!(found.organization_slug, "acme");
    assert_eq!(found.scopes, scopes);
    let listed = auth
        .list_organization_tokens(user.id, organization.id)
        .await
        .unwrap();
    assert!(listed[0].last_accessed_at.is_some(), "use recorded");
    assert_eq!(
        listed[0].created_by_email.as_deref(),
        Some("ada@example.com")
    );
}

#[tokio::test]
async fn expired_revoked_and_orphaned_organization_tokens_are_refused_with_their_reason() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let acme = organization_of(&client, "acme", user.id).await;
    let gone = organization_of(&client, "gone", user.id).await;
    let auth = ApiAuth::new(&client);
    let expired = auth
        .create_organization_token(
            user.id,
            &NewOrganizationToken {
                expires_at: Some(OffsetDateTime::now_utc() - Duration::seconds(1)),
                ..new_org_token(acme.id, "expired")
            },
        )
        .await
        .unwrap();
    let revoked = auth
        .create_organization_token(user.id, &new_org_token(acme.id, "revoked"))
        .await
        .unwrap();
    auth.revoke_organization_token(user.id, acme.id, revoked.record.id)
        .await
        .unwrap();
    let orphaned = auth
        .create_organization_token(user.id, &new_org_token(gone.id, "orphaned"))
        .await
        .unwrap();
    seed::execute(
        &client,
        "UPDATE organizations SET deleted_at = now() WHERE id = $1",
        &[&gone.id],
    )
    .await;

    let error = auth
        .authenticate_organization(expired.token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Expired { kind: OAT }),
        "{error:?}"
    );
    let error = auth
        .authenticate_organization(revoked.token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Revoked { kind: OAT }),
        "{error:?}"
    );
    let error = auth
        .authenticate_organization(orphaned.token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Revoked { kind: OAT }),
        "{error:?}"
    );
    let error = auth
        .authenticate_organization(&format!("tr_oat_{}", "0".repeat(40)))
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Unknown { kind: OAT }),
        "{error:?}"
    );
}

#[tokio::test]
async fn only_members_create_list_and_revoke_an_organizations_tokens() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let ada = seed::user(&client, "ada@example.com", None).await;
    let eve = seed::user(&client, "eve@example.com", None).await;
    let acme = organization_of(&client, "acme", ada.id).await;
    let evil = organization_of(&client, "evil", eve.id).await;
    let auth = ApiAuth::new(&client);
    let token = auth
        .create_organization_token(ada.id, &new_org_token(acme.id, "ci"))
        .await
        .unwrap();

    let not_member = |error: TokenError| {
        assert!(
            matches!(error, TokenError::NotAMember { organization_id } if organization_id == acme.id),
            "{error:?}"
        );
    };
    not_member(
        auth.create_organization_token(eve.id, &new_org_token(acme.id, "mine"))
            .await
            .unwrap_err(),
    );
    not_member(
        auth.list_organization_tokens(eve.id, acme.id)
            .await
            .unwrap_err(),
    );
    not_member(
        auth.revoke_organization_token(eve.id, acme.id, token.record.id)
            .await
            .unwrap_err(),
    );
    // Through her own organization Eve cannot reach acme's token either.
    let error = auth
        .revoke_organization_token(eve.id, evil.id, token.record.id)
        .await
        .unwrap_err();
    assert!(matches!(error, TokenError::NotFound), "{error:?}");
    assert!(auth
        .authenticate_organization(token.token.expose())
        .await
        .is_ok());

    auth.revoke_organization_token(ada.id, acme.id, token.record.id)
        .await
        .unwrap();
    let listed = auth
        .list_organization_tokens(ada.id, acme.id)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());
    assert!(auth
        .list_organization_tokens(eve.id, evil.id)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn environment_keys_authenticate_to_their_environment_when_their_kind_is_allowed() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let setup = SharedService::new(&mut client)
        .create_organization_with_project(
            &NewOrganization {
                slug: "acme",
                title: "Acme",
                company_size: None,
            },
            &NewProject {
                slug: "web",
                name: "Web",
            },
            user.id,
        )
        .await
        .unwrap();
    let created = setup
        .environments
        .iter()
        .find(|e| e.environment.r#type == RuntimeEnvironmentType::Production)
        .unwrap();
    let (production, keys) = (&created.environment, &created.keys);
    assert!(keys.secret.expose().starts_with("tr_prod_"));
    assert!(keys.public.expose().starts_with("pk_prod_"));
    let auth = ApiAuth::new(&client);

    let secret = auth
        .authenticate(keys.secret.expose(), &AuthOptions::environment(false))
        .await
        .unwrap();
    let Authenticated::Environment(environment) = secret else {
        panic!("expected an environment, got {secret:?}");
    };
    assert_eq!(environment.id, production.id);
    assert_eq!(environment.key_kind, EnvironmentKeyKind::Secret);
    assert_eq!(environment.project_id, setup.project.id);
    assert_eq!(environment.organization_slug, "acme");

    let error = auth
        .authenticate(keys.public.expose(), &AuthOptions::environment(false))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            AuthError::KindNotAllowed {
                kind: CredentialKind::PublicApiKey
            }
        ),
        "{error:?}"
    );
    let public = auth
        .authenticate(keys.public.expose(), &AuthOptions::environment(true))
        .await
        .unwrap();
    let Authenticated::Environment(environment) = public else {
        panic!("expected an environment, got {public:?}");
    };
    assert_eq!(environment.id, production.id);
    assert_eq!(environment.key_kind, EnvironmentKeyKind::Public);

    for (key, kind) in [
        ("tr_prod_00000000000000000000", CredentialKind::SecretApiKey),
        ("pk_prod_00000000000000000000", CredentialKind::PublicApiKey),
    ] {
        let error = auth.authenticate(key, &AuthOptions::ANY).await.unwrap_err();
        assert!(
            matches!(error, AuthError::Unknown { kind: k } if k == kind),
            "{key}: {error:?}"
        );
    }
    // Each environment's key reaches its own environment.
    for created in &setup.environments {
        let environment = &created.environment;
        let Authenticated::Environment(found) = auth
            .authenticate(created.keys.secret.expose(), &AuthOptions::ANY)
            .await
            .unwrap()
        else {
            panic!("expected an environment");
        };
        assert_eq!(
            (found.id, found.r#type),
            (environment.id, environment.r#type)
        );
    }
}

#[tokio::test]
async fn a_kind_that_is_not_allowed_is_refused_alike_whether_or_not_such_a_token_exists() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let auth = ApiAuth::new(&client);
    let real = auth
        .create_personal_token(user.id, "laptop", None)
        .await
        .unwrap();
    let never_issued = format!("tr_pat_{}", "b".repeat(40));
    let environment_only = AuthOptions::environment(true);

    let with_real = auth
        .authenticate(real.token.expose(), &environment_only)
        .await
        .unwrap_err();
    let with_fake = auth
        .authenticate(&never_issued, &environment_only)
        .await
        .unwrap_err();

    assert!(
        matches!(with_real, AuthError::KindNotAllowed { kind: PAT }),
        "{with_real:?}"
    );
    assert!(
        matches!(with_fake, AuthError::KindNotAllowed { kind: PAT }),
        "{with_fake:?}"
    );
    assert_eq!(with_real.to_string(), with_fake.to_string());
    let listed = auth
        .list_personal_tokens(user.id, false, 10, 0)
        .await
        .unwrap();
    assert_eq!(
        listed[0].last_accessed_at, None,
        "a refused kind is not a use"
    );
}

#[tokio::test]
async fn missing_and_malformed_headers_are_refused_before_any_lookup() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let auth = ApiAuth::new(&client);

    let error = auth
        .authenticate_header(None, &AuthOptions::ANY)
        .await
        .unwrap_err();
    assert!(matches!(error, AuthError::MissingHeader), "{error:?}");
    for header in [
        "",
        "Bearer",
        "Basic dHJfZGV2X2FiYw==",
        "Token tr_dev_abc",
        "Bearer not-a-credential",
        "Bearer tr_pat_tooshort",
    ] {
        let error = auth
            .authenticate_header(Some(header), &AuthOptions::ANY)
            .await
            .unwrap_err();
        assert!(
            matches!(error, AuthError::BadFormat),
            "{header:?}: {error:?}"
        );
    }
    let error = auth.authenticate_personal("tr_oat_x").await.unwrap_err();
    assert!(matches!(error, AuthError::BadFormat), "{error:?}");
}

#[tokio::test]
async fn tokens_created_in_a_rolled_back_transaction_do_not_authenticate() {
    let db = testsupport::fresh_db().await;
    let mut client = seed::connect(&db).await;
    let owner = seed::user(&client, "ada@example.com", None).await;

    let tx = client.transaction().await.unwrap();
    let created = ApiAuth::new(&tx)
        .create_personal_token(owner.id, "t", None)
        .await
        .unwrap();
    assert!(ApiAuth::new(&tx)
        .authenticate_personal(created.token.expose())
        .await
        .is_ok());
    tx.rollback().await.unwrap();

    let error = ApiAuth::new(&client)
        .authenticate_personal(created.token.expose())
        .await
        .unwrap_err();
    assert!(
        matches!(error, AuthError::Unknown { kind: PAT }),
        "{error:?}"
    );
}
