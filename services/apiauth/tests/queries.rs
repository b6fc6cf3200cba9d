//! Behaviour of each generated query of `apiauth` against a real PostgreSQL, including its text[], bigserial and timestamptz parameters.

mod seed;

use apiauth::db::models::OrganizationAccessTokenType;
use apiauth::db::organization_access_tokens::CreateOrganizationAccessTokenParams;
use apiauth::db::personal_access_tokens::{
    CreatePersonalAccessTokenParams, ListPersonalAccessTokensForUserParams,
};
use apiauth::db::Queries;
use shared::db::models::{AuthenticationMethod, OrgMemberRole};
use shared::db::users::UpsertUserParams;
use shared::db::Queries as _;
use time::{Duration, OffsetDateTime};
use tokio_postgres::error::SqlState;
use uuid::Uuid;

fn hours_from_now(hours: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::hours(hours)
}

// ---- personal access tokens ----

#[tokio::test]
async fn create_personal_access_token_returns_the_stored_row() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;

    let token = client
        .create_personal_access_token(&CreatePersonalAccessTokenParams {
            name: "CLI on laptop",
            user_id: user.id,
            hashed_token: "9f86d081884c7d65",
            expires_at: None,
            obfuscated_token: "tr_pat_abcd••••••••",
        })
        .await
        .unwrap();

    assert_eq!(token.name, "CLI on laptop");
    assert_eq!(token.user_id, user.id);
    assert_eq!(token.hashed_token, "9f86d081884c7d65");
    assert_eq!(token.expires_at, None);
    assert_eq!(token.obfuscated_token, "tr_pat_abcd••••••••");
    assert_eq!(token.last_accessed_at, None);
    assert_eq!(token.revoked_at, None);
    assert_eq!(token.created_at, token.updated_at);
}

#[tokio::test]
async fn create_personal_access_token_with_a_taken_hash_is_a_unique_violation() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    seed::personal_token(&client, user.id, "laptop").await;

    let error = client
        .create_personal_access_token(&CreatePersonalAccessTokenParams {
            name: "another",
            user_id: user.id,
            hashed_token: "hash-laptop",
            expires_at: None,
            obfuscated_token: "x",
        })
        .await
        .unwrap_err();

    seed::assert_unique_violation(error, "personal_access_tokens_hashed_token_key");
}

#[tokio::test]
async fn get_active_personal_access_token_by_hash_joins_the_user_and_skips_revoked_tokens() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = client
        .upsert_user(&UpsertUserParams {
            email: "ada@example.com",
            authentication_method: AuthenticationMethod::Github,
            authentication_profile: None,
            name: None,
            display_name: None,
            avatar_url: None,
        })
        .await
        .unwrap();
    seed::execute(
        &client,
        "UPDATE users SET admin = true WHERE id = $1",
        &[&user.id],
    )
    .await;
    let token = seed::personal_token(&client, user.id, "laptop").await;

    let found = client
        .get_active_personal_access_token_by_hash("hash-laptop")
        .await
        .unwrap()
        .expect("active token found");
    assert_eq!(found.id, token.id);
    assert_eq!(found.name, token.name);
    assert_eq!(found.user_id, user.id);
    assert_eq!(found.hashed_token, token.hashed_token);
    assert_eq!(found.expires_at, token.expires_at);
    assert_eq!(found.obfuscated_token, token.obfuscated_token);
    assert_eq!(found.last_accessed_at, None);
    assert_eq!(found.revoked_at, None);
    assert_eq!(found.created_at, token.created_at);
    assert_eq!(found.updated_at, token.updated_at);
    assert_eq!(found.user_email, "ada@example.com");
    assert!(found.user_is_admin);
    assert_eq!(
        found.user_authentication_method,
        AuthenticationMethod::Github
    );

    assert_eq!(
        client
            .get_active_personal_access_token_by_hash("hash-unknown")
            .await
            .unwrap(),
        None
    );
    client
        .revoke_personal_access_token(token.id, user.id)
        .await
        .unwrap();
    assert_eq!(
        client
            .get_active_personal_access_token_by_hash("hash-laptop")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn list_personal_access_tokens_for_user_hides_revoked_ones_unless_asked_and_pages_newest_first(
) {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let other = seed::user(&client, "bob@example.com", None).await;
    let oldest = seed::personal_token(&client, user.id, "oldest").await;
    let middle = seed::personal_token(&client, user.id, "middle").await;
    let newest = seed::personal_token(&client, user.id, "newest").await;
    seed::personal_token(&client, other.id, "bobs").await;
    client
        .revoke_personal_access_token(middle.id, user.id)
        .await
        .unwrap();
    let params = ListPersonalAccessTokensForUserParams {
        user_id: user.id,
        include_revoked: false,
        limit: 10,
        offset: 0,
    };

    let names = |rows: Vec<
        apiauth::db::personal_access_tokens::ListPersonalAccessTokensForUserRow,
    >| { rows.into_iter().map(|r| r.name).collect::<Vec<_>>() };
    let active = client
        .list_personal_access_tokens_for_user(&params)
        .await
        .unwrap();
    assert_eq!(active[0].id, newest.id);
    assert_eq!(active[0].obfuscated_token, newest.obfuscated_token);
    assert_eq!(active[0].created_at, newest.created_at);
    assert_eq!(active[0].revoked_at, None);
    assert_eq!(names(active), ["newest", "oldest"]);

    let all = client
        .list_personal_access_tokens_for_user(&ListPersonalAccessTokensForUserParams {
            include_revoked: true,
            ..params
        })
        .await
        .unwrap();
    assert!(all[1].revoked_at.is_some());
    assert_eq!(names(all), ["newest", "middle", "oldest"]);

    let page = client
        .list_personal_access_tokens_for_user(&ListPersonalAccessTokensForUserParams {
            include_revoked: true,
            limit: 1,
            offset: 2,
            ..params
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, oldest.id);
}

#[tokio::test]
async fn touch_personal_access_token_records_the_access_time_at_most_once_a_minute() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let token = seed::personal_token(&client, user.id, "laptop").await;
    let last_access = || async {
        client
            .get_active_personal_access_token_by_hash("hash-laptop")
            .await
            .unwrap()
            .unwrap()
            .last_accessed_at
    };

    assert_eq!(
        client.touch_personal_access_token(token.id).await.unwrap(),
        1
    );
    let first = last_access().await.expect("access recorded");
    assert!(first >= token.created_at);

    // Within the minute: no write.
    assert_eq!(
        client.touch_personal_access_token(token.id).await.unwrap(),
        0
    );
    assert_eq!(last_access().await, Some(first));

    // A minute later: written again.
    seed::execute(
        &client,
        "UPDATE personal_access_tokens SET last_accessed_at = now() - interval '61 seconds' WHERE id = $1",
        &[&token.id],
    )
    .await;
    let backdated = last_access().await.unwrap();
    assert_eq!(
        client.touch_personal_access_token(token.id).await.unwrap(),
        1
    );
    assert!(last_access().await.unwrap() > backdated);

    // An unknown or revoked token is not written.
    assert_eq!(
        client
            .touch_personal_access_token(Uuid::new_v4())
            .await
            .unwrap(),
        0
    );
    client
        .revoke_personal_access_token(token.id, user.id)
        .await
        .unwrap();
    seed::execute(
        &client,
        "UPDATE personal_access_tokens SET last_accessed_at = NULL WHERE id = $1",
        &[&token.id],
    )
    .await;
    assert_eq!(
        client.touch_personal_access_token(token.id).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn revoke_personal_access_token_affects_one_row_only_for_its_owner_and_only_once() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let owner = seed::user(&client, "ada@example.com", None).await;
    let stranger = seed::user(&client, "eve@example.com", None).await;
    let token = seed::personal_token(&client, owner.id, "laptop").await;

    assert_eq!(
        client
            .revoke_personal_access_token(token.id, stranger.id)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        client
            .revoke_personal_access_token(token.id, owner.id)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        client
            .revoke_personal_access_token(token.id, owner.id)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        client
            .revoke_personal_access_token(Uuid::new_v4(), owner.id)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn revoke_all_personal_access_tokens_for_user_returns_only_the_newly_revoked() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com", None).await;
    let other = seed::user(&client, "bob@example.com", None).await;
    let a = seed::personal_token(&client, user.id, "a").await;
    let b = seed::personal_token(&client, user.id, "b").await;
    let already = seed::personal_token(&client, user.id, "already").await;
    let bobs = seed::personal_token(&client, other.id, "bobs").await;
    client
        .revoke_personal_access_token(already.id, user.id)
        .await
        .unwrap();

    let mut revoked = client
        .revoke_all_personal_access_tokens_for_user(user.id)
        .await
        .unwrap();
    revoked.sort_by(|x, y| x.name.cmp(&y.name));

    let summary: Vec<_> = revoked.iter().map(|r| (r.id, r.name.as_str())).collect();
    assert_eq!(summary, [(a.id, "a"), (b.id, "b")]);
    // revoked_at comes back as the value just set, typed non-null; it is after the tokens' creation.
    assert!(revoked.iter().all(|r| r.revoked_at >= a.created_at));
    assert!(client
        .revoke_all_personal_access_tokens_for_user(user.id)
        .await
        .unwrap()
        .is_empty());
    let bobs_found = client
        .get_active_personal_access_token_by_hash("hash-bobs")
        .await
        .unwrap();
    assert_eq!(bobs_found.map(|t| t.id), Some(bobs.id));
}

#[tokio::test]
async fn list_users_by_active_token_count_ranks_users_with_active_tokens_only() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let many = seed::user(&client, "many@example.com", None).await;
    let one = seed::user(&client, "one@example.com", None).await;
    let revoked_only = seed::user(&client, "revoked@example.com", None).await;
    seed::user(&client, "none@example.com", None).await;
    let used = seed::personal_token(&client, many.id, "many-1").await;
    seed::personal_token(&client, many.id, "many-2").await;
    seed::personal_token(&client, one.id, "one-1").await;
    let one_revoked = seed::personal_token(&client, one.id, "one-2").await;
    let gone = seed::personal_token(&client, revoked_only.id, "gone").await;
    client
        .revoke_personal_access_token(one_revoked.id, one.id)
        .await
        .unwrap();
    client
        .revoke_personal_access_token(gone.id, revoked_only.id)
        .await
        .unwrap();
    client.touch_personal_access_token(used.id).await.unwrap();
    let used_at = client
        .get_active_personal_access_token_by_hash("hash-many-1")
        .await
        .unwrap()
        .unwrap()
        .last_accessed_at;

    let ranking = client.list_users_by_active_token_count(10).await.unwrap();

    let summary: Vec<_> = ranking
        .iter()
        .map(|r| (r.id, r.email.as_str(), r.token_count, r.last_used_at))
        .collect();
    assert_eq!(
        summary,
        [
            (many.id, "many@example.com", 2, used_at),
            (one.id, "one@example.com", 1, None),
        ]
    );
    assert_eq!(
        client
            .list_users_by_active_token_count(1)
            .await
            .unwrap()
            .len(),
        1
    );
}

// ---- organization access tokens ----

#[tokio::test]
async fn create_organization_access_token_round_trips_scopes_expiry_and_type() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let creator = seed::user(&client, "ada@example.com", None).await;
    let scopes: Vec<String> = [
        "read:runs",
        "write:deployments",
        "",
        "with,comma",
        "with \"quotes\" and {braces}",
        "NULL",
        "ünïcödé ✓",
    ]
    .map(String::from)
    .to_vec();
    // Microseconds are what timestamptz keeps; the offset is not kept, the
    // instant is.
    let expires_at = time::Date::from_calendar_date(2031, time::Month::May, 6)
        .unwrap()
        .with_hms_micro(7, 8, 9, 123_456)
        .unwrap()
        .assume_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());

    let token = client
        .create_organization_access_token(&CreateOrganizationAccessTokenParams {
            name: "Deploy bot",
            r#type: OrganizationAccessTokenType::System,
            organization_id: org.id,
            created_by_user_id: Some(creator.id),
            hashed_token: "hash-deploy",
            obfuscated_token: "tr_oat_dep••••",
            scopes: &scopes,
            expires_at: Some(expires_at),
        })
        .await
        .unwrap();

    assert_eq!(token.name, "Deploy bot");
    assert_eq!(token.r#type, OrganizationAccessTokenType::System);
    assert_eq!(token.organization_id, org.id);
    assert_eq!(token.created_by_user_id, Some(creator.id));
    assert_eq!(token.hashed_token, "hash-deploy");
    assert_eq!(token.obfuscated_token, "tr_oat_dep••••");
    assert_eq!(token.scopes, scopes);
    assert_eq!(token.expires_at, Some(expires_at));
    assert_eq!(token.expires_at.unwrap().offset(), time::UtcOffset::UTC);
    assert_eq!(token.last_accessed_at, None);
    assert_eq!(token.revoked_at, None);

    let second = seed::organization_token(&client, org.id, "second", None, None).await;
    assert_eq!(second.id, token.id + 1, "bigserial ids count up");
    assert_eq!(second.r#type, OrganizationAccessTokenType::User);
    assert!(second.scopes.is_empty());
    assert_eq!(second.expires_at, None);
    assert_eq!(second.created_by_user_id, None);
}

#[tokio::test]
async fn create_organization_access_token_with_a_name_over_100_characters_is_a_server_error() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let longest = "n".repeat(100);
    let token = seed::organization_token(&client, org.id, &longest, None, None).await;
    assert_eq!(token.name, longest);

    let too_long = "n".repeat(101);
    let error = client
        .create_organization_access_token(&CreateOrganizationAccessTokenParams {
            name: &too_long,
            r#type: OrganizationAccessTokenType::User,
            organization_id: org.id,
            created_by_user_id: None,
            hashed_token: "hash-too-long",
            obfuscated_token: "x",
            scopes: &[],
            expires_at: None,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::STRING_DATA_RIGHT_TRUNCATION));
}

#[tokio::test]
async fn get_active_organization_access_token_by_hash_rejects_revoked_expired_and_deleted_organization_tokens(
) {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let doomed_org = seed::organization(&client, "doomed").await;
    let member = seed::user(&client, "member@example.com", None).await;
    let outsider = seed::user(&client, "outsider@example.com", None).await;
    for organization_id in [org.id, doomed_org.id] {
        client
            .add_org_member(organization_id, member.id, OrgMemberRole::Member)
            .await
            .unwrap();
    }
    let by_member = Some(member.id);
    let forever = seed::organization_token(&client, org.id, "forever", by_member, None).await;
    let later = hours_from_now(24);
    let not_yet =
        seed::organization_token(&client, org.id, "not-yet", by_member, Some(later)).await;
    let hour_ago = Some(hours_from_now(-1));
    seed::organization_token(&client, org.id, "expired", by_member, hour_ago).await;
    let revoked = seed::organization_token(&client, org.id, "revoked", by_member, None).await;
    client
        .revoke_organization_access_token(revoked.id, org.id)
        .await
        .unwrap();
    seed::organization_token(&client, doomed_org.id, "orphan", by_member, None).await;
    // A USER token acts through its creator's membership.
    seed::organization_token(&client, org.id, "outsider", Some(outsider.id), None).await;
    seed::organization_token(&client, org.id, "no-creator", None, None).await;
    seed::execute(
        &client,
        "UPDATE organizations SET deleted_at = now() WHERE id = $1",
        &[&doomed_org.id],
    )
    .await;

    let found = client
        .get_active_organization_access_token_by_hash("hash-forever")
        .await
        .unwrap()
        .expect("token without expiry is active");
    assert_eq!(found.id, forever.id);
    assert_eq!(found.name, "forever");
    assert_eq!(found.r#type, OrganizationAccessTokenType::User);
    assert!(found.scopes.is_empty());
    assert_eq!(found.expires_at, None);
    assert_eq!(found.organization_id, org.id);
    assert_eq!(found.organization_slug, "acme");
    assert!(found.runs_enabled);

    let found = client
        .get_active_organization_access_token_by_hash("hash-not-yet")
        .await
        .unwrap()
        .expect("token expiring tomorrow is active");
    assert_eq!(found.id, not_yet.id);
    assert_eq!(found.expires_at, not_yet.expires_at);

    for hash in [
        "hash-expired",
        "hash-revoked",
        "hash-orphan",
        "hash-outsider",
        "hash-no-creator",
        "hash-unknown",
    ] {
        assert_eq!(
            client
                .get_active_organization_access_token_by_hash(hash)
                .await
                .unwrap(),
            None,
            "{hash}"
        );
    }
}

#[tokio::test]
async fn list_organization_access_tokens_is_newest_first_with_null_creator_columns_when_there_is_no_creator(
) {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let other_org = seed::organization(&client, "other").await;
    let named = seed::user(&client, "named@example.com", Some("Named")).await;
    let plain = seed::user(&client, "plain@example.com", None).await;
    let leaver = seed::user(&client, "leaver@example.com", None).await;
    seed::organization_token(&client, org.id, "by-named", Some(named.id), None).await;
    seed::organization_token(&client, org.id, "by-plain", Some(plain.id), None).await;
    seed::organization_token(&client, org.id, "by-system", None, None).await;
    seed::organization_token(&client, org.id, "by-leaver", Some(leaver.id), None).await;
    seed::organization_token(&client, other_org.id, "elsewhere", Some(named.id), None).await;
    // ON DELETE SET NULL: the token stays, its creator goes.
    seed::execute(&client, "DELETE FROM users WHERE id = $1", &[&leaver.id]).await;

    let tokens = client
        .list_organization_access_tokens(org.id)
        .await
        .unwrap();

    let summary: Vec<_> = tokens
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.created_by_email.as_deref(),
                t.created_by_label.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("by-leaver", None, None),
            ("by-system", None, None),
            (
                "by-plain",
                Some("plain@example.com"),
                Some("plain@example.com")
            ),
            ("by-named", Some("named@example.com"), Some("Named")),
        ]
    );
    let newest = &tokens[0];
    assert_eq!(newest.r#type, OrganizationAccessTokenType::User);
    assert_eq!(newest.obfuscated_token, "tr_oat_xxxx••••••••");
    assert!(newest.scopes.is_empty());
    assert_eq!(newest.last_accessed_at, None);
    assert_eq!(newest.revoked_at, None);
    assert_eq!(newest.expires_at, None);
    assert!(newest.created_at >= tokens[1].created_at);
}

#[tokio::test]
async fn touch_organization_access_token_records_the_access_time() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let token = seed::organization_token(&client, org.id, "ci", None, None).await;

    assert_eq!(
        client
            .touch_organization_access_token(token.id)
            .await
            .unwrap(),
        1
    );
    let listed = client
        .list_organization_access_tokens(org.id)
        .await
        .unwrap();
    let accessed = listed[0].last_accessed_at.expect("access recorded");
    assert!(accessed >= token.created_at);

    assert_eq!(
        client
            .touch_organization_access_token(token.id)
            .await
            .unwrap(),
        0,
        "at most once a minute"
    );
    let listed = client
        .list_organization_access_tokens(org.id)
        .await
        .unwrap();
    assert_eq!(listed[0].last_accessed_at, Some(accessed));
}

#[tokio::test]
async fn revoke_organization_access_token_returns_the_row_once_and_only_within_its_organization() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let other_org = seed::organization(&client, "other").await;
    let token = seed::organization_token(&client, org.id, "ci", None, None).await;

    assert_eq!(
        client
            .revoke_organization_access_token(token.id, other_org.id)
            .await
            .unwrap(),
        None
    );
    let revoked = client
        .revoke_organization_access_token(token.id, org.id)
        .await
        .unwrap()
        .expect("revoked now");
    assert_eq!(revoked.id, token.id);
    assert_eq!(revoked.name, "ci");
    assert!(revoked.revoked_at >= token.created_at);
    assert_eq!(
        client
            .revoke_organization_access_token(token.id, org.id)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        client
            .revoke_organization_access_token(-1, org.id)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn delete_expired_organization_access_tokens_counts_tokens_expired_before_the_cutoff() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    seed::organization_token(&client, org.id, "long-ago", None, Some(hours_from_now(-48))).await;
    seed::organization_token(&client, org.id, "recently", None, Some(hours_from_now(-1))).await;
    seed::organization_token(&client, org.id, "tomorrow", None, Some(hours_from_now(24))).await;
    seed::organization_token(&client, org.id, "never", None, None).await;

    assert_eq!(
        client
            .delete_expired_organization_access_tokens(hours_from_now(-24))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        client
            .delete_expired_organization_access_tokens(OffsetDateTime::now_utc())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        client
            .delete_expired_organization_access_tokens(OffsetDateTime::now_utc())
            .await
            .unwrap(),
        0
    );

    let mut left: Vec<_> = client
        .list_organization_access_tokens(org.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    left.sort();
    assert_eq!(left, ["never", "tomorrow"]);
}

#[tokio::test]
async fn delete_tokens_of_deleted_organizations_returns_what_it_deleted_with_the_organization_slug()
{
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let live = seed::organization(&client, "live").await;
    let gone = seed::organization(&client, "gone").await;
    let kept = seed::organization_token(&client, live.id, "kept", None, None).await;
    let doomed = seed::organization_token(&client, gone.id, "doomed", None, None).await;
    seed::execute(
        &client,
        "UPDATE organizations SET deleted_at = now() WHERE id = $1",
        &[&gone.id],
    )
    .await;

    let deleted = client
        .delete_tokens_of_deleted_organizations()
        .await
        .unwrap();

    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].id, doomed.id);
    assert_eq!(deleted[0].organization_id, gone.id);
    assert_eq!(deleted[0].organization_slug, "gone");
    assert!(client
        .list_organization_access_tokens(gone.id)
        .await
        .unwrap()
        .is_empty());
    let live_tokens = client
        .list_organization_access_tokens(live.id)
        .await
        .unwrap();
    assert_eq!(live_tokens.len(), 1);
    assert_eq!(live_tokens[0].id, kept.id);
    assert!(client
        .delete_tokens_of_deleted_organizations()
        .await
        .unwrap()
        .is_empty());
}
