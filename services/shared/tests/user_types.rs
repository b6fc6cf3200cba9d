//! Domains, composite types and `sqlc.slice` through generated code, against a real PostgreSQL.

mod seed;

use shared::db::models::PostalAddress;
use shared::db::Queries;
use sqlgen_runtime::Error;

fn address() -> PostalAddress {
    PostalAddress {
        line1: Some("1 Analytical Row".into()),
        line2: None,
        city: Some("London".into()),
        postal_code: Some("N1 9GU".into()),
        country_code: Some("GB".into()),
    }
}

#[tokio::test]
async fn a_composite_billing_address_round_trips_with_its_null_attributes() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "analytical-engines").await;
    assert_eq!(org.billing_address, None);

    let changed = client
        .set_organization_billing_address(Some(address()), org.id)
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let stored = client
        .get_organization_by_slug("analytical-engines")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.billing_address, Some(address()));

    // The server sees the same value: a NULL line2, the rest as written.
    let row = (*client)
        .query_one(
            "SELECT (billing_address).line2 IS NULL, (billing_address).country_code FROM organizations WHERE id = $1",
            &[&org.id],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0));
    assert_eq!(row.get::<_, String>(1), "GB");

    assert_eq!(
        client
            .set_organization_billing_address(None, org.id)
            .await
            .unwrap(),
        1
    );
    let cleared = client
        .get_organization_by_slug("analytical-engines")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cleared.billing_address, None);
}

#[tokio::test]
async fn a_domain_typed_parameter_is_passed_as_its_base_type_and_its_check_applies() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    // `slug` is a `url_slug` domain: PostgreSQL types the INSERT parameter as the domain.
    let org = client
        .create_organization("lower-case-ok", "Fine", None)
        .await
        .unwrap();
    assert_eq!(org.slug, "lower-case-ok");

    let err = client
        .create_organization("Not A Slug", "Bad", None)
        .await
        .unwrap_err();
    match err {
        Error::Postgres(e) => assert_eq!(
            e.code(),
            Some(&sqlgen_runtime::tokio_postgres::error::SqlState::CHECK_VIOLATION)
        ),
        other => panic!("expected a check violation, got {other:?}"),
    }
}

#[tokio::test]
async fn sqlc_slice_takes_any_number_of_values() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    for slug in ["alpha", "beta", "gamma"] {
        seed::organization(&client, slug).await;
    }
    let slugs = [
        "gamma".to_string(),
        "alpha".to_string(),
        "missing".to_string(),
    ];
    let found = client.list_organizations_by_slugs(&slugs).await.unwrap();
    let got: Vec<&str> = found.iter().map(|o| o.slug.as_str()).collect();
    assert_eq!(got, ["alpha", "gamma"]);
    assert!(client
        .list_organizations_by_slugs(&[])
        .await
        .unwrap()
        .is_empty());
}
