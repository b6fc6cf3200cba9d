//! Every column type of the `shared` tables, written through generated parameters and read back through generated rows.

mod seed;

use std::net::IpAddr;

use rust_decimal::Decimal;
use shared::db::models::{AuthenticationMethod, OrgMemberRole, RuntimeEnvironmentType};
use shared::db::organizations::UpdateOrganizationSettingsParams;
use shared::db::users::UpsertUserParams;
use shared::db::Queries;
use sqlgen_runtime::Client;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

/// Settings that change nothing but what a test sets on top.
fn settings(id: Uuid) -> UpdateOrganizationSettingsParams<'static> {
    UpdateOrganizationSettingsParams {
        title: None,
        maximum_execution_time_per_run_ms: None,
        company_size: None,
        monthly_spend_limit: None,
        trial_ends_on: None,
        avatar_thumbnail: None,
        id,
    }
}

async fn organization(client: &Client) -> shared::db::models::Organization {
    seed::organization(client, "acme").await
}

#[tokio::test]
async fn text_and_jsonb_values_round_trip_unchanged() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let profile = serde_json::json!({
        "login": "ada",
        "id": 1_234_567_890_123_i64,
        "score": 0.25,
        "emails": ["ada@example.com", null],
        "nested": {"empty": {}, "list": [], "flag": false},
        "unicode": "Ωmega – 日本語 – 🦀",
    });
    let name = "Ada \"the Countess\" O'Lovelace\nsecond line\ttab";
    let display_name = "🦀 ferris & co. ＜全角＞";

    let written = client
        .upsert_user(&UpsertUserParams {
            email: "ada@example.com",
            authentication_method: AuthenticationMethod::Github,
            authentication_profile: Some(&profile),
            name: Some(name),
            display_name: Some(display_name),
            avatar_url: Some(""),
        })
        .await
        .unwrap();
    let read = client.get_user_by_id(written.id).await.unwrap();

    assert_eq!(read.authentication_profile.as_ref(), Some(&profile));
    assert_eq!(read.name.as_deref(), Some(name));
    assert_eq!(read.display_name.as_deref(), Some(display_name));
    assert_eq!(
        read.avatar_url.as_deref(),
        Some(""),
        "empty text is not NULL"
    );
    assert_eq!(read, written);
}

#[tokio::test]
async fn varchar_values_round_trip_and_overlong_ones_are_a_server_error() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = organization(&client).await;
    // 64 characters but more bytes: varchar(n) counts characters.
    let longest = "é".repeat(64);

    let updated = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            company_size: Some(&longest),
            ..settings(org.id)
        })
        .await
        .unwrap();
    assert_eq!(updated.company_size.as_deref(), Some(longest.as_str()));

    let too_long = "é".repeat(65);
    let error = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            company_size: Some(&too_long),
            ..settings(org.id)
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::STRING_DATA_RIGHT_TRUNCATION));
}

#[tokio::test]
async fn bool_int4_and_int8_values_round_trip_at_their_extremes() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = organization(&client).await;
    let project = seed::project(&client, org.id, "web").await;
    let env = seed::environment(
        &client,
        &project,
        "prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;

    let int8 = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            maximum_execution_time_per_run_ms: Some(i64::MAX),
            ..settings(org.id)
        })
        .await
        .unwrap();
    assert_eq!(int8.maximum_execution_time_per_run_ms, i64::MAX);
    let int8 = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            maximum_execution_time_per_run_ms: Some(i64::MIN),
            ..settings(org.id)
        })
        .await
        .unwrap();
    assert_eq!(int8.maximum_execution_time_per_run_ms, i64::MIN);

    for limit in [i32::MAX, i32::MIN, 0] {
        let rows = client
            .set_concurrency_limit_for_type(limit, "acme", RuntimeEnvironmentType::Production)
            .await
            .unwrap();
        assert_eq!(rows[0].maximum_concurrency_limit, limit);
        let read = client
            .get_environment_by_api_key_hash(&env.api_key_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.maximum_concurrency_limit, limit);
    }

    for paused in [true, false] {
        client.set_environment_paused(env.id, paused).await.unwrap();
        let read = client
            .get_environment_by_api_key_hash(&env.api_key_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.paused, paused);
    }
}

#[tokio::test]
async fn numeric_values_come_back_exact_with_the_column_scale() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = organization(&client).await;

    // (written, expected back): numeric(12, 2) pads to two decimals and rounds
    // half away from zero.
    let cases = [
        (Decimal::new(12_345, 1), Decimal::new(123_450, 2)),
        (
            Decimal::new(999_999_999_999, 2),
            Decimal::new(999_999_999_999, 2),
        ),
        (Decimal::new(-1, 2), Decimal::new(-1, 2)),
        (Decimal::new(5, 3), Decimal::new(1, 2)),
        (Decimal::ZERO, Decimal::new(0, 2)),
    ];
    for (written, expected) in cases {
        let read = client
            .update_organization_settings(&UpdateOrganizationSettingsParams {
                monthly_spend_limit: Some(written),
                ..settings(org.id)
            })
            .await
            .unwrap()
            .monthly_spend_limit
            .expect("not NULL");
        assert_eq!(read, expected, "{written}");
        assert_eq!(read.scale(), 2, "{written} came back as {read}");
    }

    let error = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            monthly_spend_limit: Some(Decimal::new(10_000_000_000, 0)),
            ..settings(org.id)
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(&SqlState::NUMERIC_VALUE_OUT_OF_RANGE));
}

#[tokio::test]
async fn date_and_bytea_values_round_trip() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = organization(&client).await;
    let every_byte: Vec<u8> = (0..=255).collect();
    let dates = [
        time::Date::from_calendar_date(2032, time::Month::February, 29).unwrap(),
        time::Date::from_calendar_date(1970, time::Month::January, 1).unwrap(),
        time::Date::from_calendar_date(1, time::Month::January, 1).unwrap(),
        time::Date::from_calendar_date(9999, time::Month::December, 31).unwrap(),
    ];

    for date in dates {
        let written = client
            .update_organization_settings(&UpdateOrganizationSettingsParams {
                trial_ends_on: Some(date),
                avatar_thumbnail: Some(&every_byte),
                ..settings(org.id)
            })
            .await
            .unwrap();
        assert_eq!(written.trial_ends_on, Some(date));
        let read = client
            .get_organization_by_slug("acme")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.trial_ends_on, Some(date));
        assert_eq!(
            read.avatar_thumbnail.as_deref(),
            Some(every_byte.as_slice())
        );
    }

    let empty = client
        .update_organization_settings(&UpdateOrganizationSettingsParams {
            avatar_thumbnail: Some(&[]),
            ..settings(org.id)
        })
        .await
        .unwrap();
    assert_eq!(
        empty.avatar_thumbnail,
        Some(Vec::new()),
        "empty bytea is not NULL"
    );
}

#[tokio::test]
async fn inet_addresses_round_trip_for_ipv4_and_ipv6() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;

    for address in [
        "192.0.2.1",
        "2001:db8::8a2e:370:7334",
        "::1",
        "::ffff:198.51.100.9",
    ] {
        let ip: IpAddr = address.parse().unwrap();
        client.record_user_login(Some(ip), user.id).await.unwrap();
        let read = client.get_user_by_id(user.id).await.unwrap();
        assert_eq!(read.last_login_ip, Some(ip), "{address}");
        let as_text: String = (*client)
            .query_one(
                "SELECT host(last_login_ip) FROM users WHERE id = $1",
                &[&user.id],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(as_text.parse::<IpAddr>().unwrap(), ip, "stored as sent");
    }
}

#[tokio::test]
async fn uuid_and_timestamptz_values_decode_to_what_the_server_stores() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let user = seed::user(&client, "ada@example.com").await;
    client.record_user_login(None, user.id).await.unwrap();
    let user = client.get_user_by_id(user.id).await.unwrap();
    let last_login_at = user.last_login_at.unwrap();

    // The server compares what it stores with what the generated code decoded,
    // to the microsecond, sent back as parameters.
    let same: bool = (*client)
        .query_one(
            "SELECT id = $2 AND created_at = $3 AND updated_at = $4 AND last_login_at = $5
             FROM users WHERE email = $1",
            &[
                &"ada@example.com",
                &user.id,
                &user.created_at,
                &user.updated_at,
                &last_login_at,
            ],
        )
        .await
        .unwrap()
        .get(0);
    assert!(same);
    let text_id: String = (*client)
        .query_one(
            "SELECT id::text FROM users WHERE email = 'ada@example.com'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(text_id, user.id.to_string());
    assert_eq!(user.created_at.offset(), time::UtcOffset::UTC);
}

#[tokio::test]
async fn every_enum_label_round_trips() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;

    for (i, method) in AuthenticationMethod::ALL.iter().enumerate() {
        let user = client
            .upsert_user(&UpsertUserParams {
                email: &format!("user{i}@example.com"),
                authentication_method: *method,
                authentication_profile: None,
                name: None,
                display_name: None,
                avatar_url: None,
            })
            .await
            .unwrap();
        assert_eq!(
            client
                .get_user_by_id(user.id)
                .await
                .unwrap()
                .authentication_method,
            *method
        );
        let label: String = (*client)
            .query_one(
                "SELECT authentication_method::text FROM users WHERE id = $1",
                &[&user.id],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(label, method.as_str());
    }

    let org = seed::organization(&client, "acme").await;
    for (i, role) in OrgMemberRole::ALL.iter().enumerate() {
        let user = seed::user(&client, &format!("member{i}@example.com")).await;
        let member = client
            .add_org_member(org.id, user.id, *role)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(member.role, *role);
    }
    let roles: Vec<_> = client
        .list_org_members(org.id, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, OrgMemberRole::ALL);

    let project = seed::project(&client, org.id, "web").await;
    for r#type in RuntimeEnvironmentType::ALL {
        let env = seed::environment(
            &client,
            &project,
            &r#type.as_str().to_lowercase(),
            *r#type,
            None,
        )
        .await;
        assert_eq!(env.r#type, *r#type);
        let read = client
            .get_environment_by_api_key_hash(&env.api_key_hash)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(read.r#type, *r#type);
    }
}
