//! Domain-typed parameters against a real server: the base type through `Domain`, and a newtype
//! as sqlgen generates it with `domain_newtypes` (the postgres-types derive on a one-field tuple struct).

use postgres_types::{FromSql, ToSql};
use sqlgen_runtime::{Client, Domain, GenericClient};

const SCHEMA: &[&str] = &[
    "CREATE DOMAIN url_slug AS text NOT NULL CHECK (VALUE ~ '^[a-z0-9-]+$')",
    "CREATE TABLE pages (id int PRIMARY KEY, slug url_slug)",
];
// PostgreSQL types $2 as url_slug here (an INSERT target) ...
const INSERT: &str = "INSERT INTO pages (id, slug) VALUES ($1, $2)";
// ... and as text here (a comparison), and describes the result column as text.
const SELECT: &str = "SELECT slug FROM pages WHERE slug = $1";

/// What `domain_newtypes: true` generates for `url_slug`.
#[derive(Debug, Clone, PartialEq, ToSql, FromSql)]
#[postgres(name = "url_slug")]
struct UrlSlug(String);

#[tokio::test]
async fn a_base_type_value_is_accepted_for_a_domain_parameter_through_domain() {
    let db = testsupport::fresh_db_from_sql(SCHEMA).await;
    let client = Client::new(db.client().await);
    let insert = client.prepare_cached(INSERT).await.unwrap();
    assert_eq!(insert.params()[1].name(), "url_slug");
    // Without the wrapper tokio-postgres refuses &str for a url_slug parameter.
    assert!(client.execute(&insert, &[&1, &"plain-str"]).await.is_err());
    client
        .execute(&insert, &[&1, &Domain("plain-str")])
        .await
        .unwrap();
    let select = client.prepare_cached(SELECT).await.unwrap();
    let row = client
        .query_opt(&select, &[&"plain-str"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "plain-str");
}

#[tokio::test]
async fn a_generated_domain_newtype_writes_the_domain_and_reads_the_base_type() {
    let db = testsupport::fresh_db_from_sql(SCHEMA).await;
    let client = Client::new(db.client().await);
    let insert = client.prepare_cached(INSERT).await.unwrap();
    client
        .execute(&insert, &[&2, &UrlSlug("new-type".into())])
        .await
        .unwrap();
    let select = client.prepare_cached(SELECT).await.unwrap();
    let row = client
        .query_opt(&select, &[&"new-type"])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.get::<_, UrlSlug>(0), UrlSlug("new-type".into()));
}

const ARRAYS: &[&str] = &[
    "CREATE DOMAIN url_slug AS text NOT NULL CHECK (VALUE ~ '^[a-z0-9-]+$')",
    "CREATE TABLE pages (id int PRIMARY KEY, slug url_slug, aliases url_slug[])",
];
// PostgreSQL types $2 as url_slug[] here, and reports `aliases` and `array_agg(slug)` as
// url_slug[] (where it reports `slug` itself as text).
const INSERT_ARRAY: &str = "INSERT INTO pages (id, slug, aliases) VALUES ($1, $3, $2)";

#[tokio::test]
async fn an_array_of_a_domain_is_written_through_domain_and_read_as_the_base_types_array() {
    let db = testsupport::fresh_db_from_sql(ARRAYS).await;
    let client = Client::new(db.client().await);
    let insert = client.prepare_cached(INSERT_ARRAY).await.unwrap();
    assert_eq!(insert.params()[1].name(), "_url_slug");
    let aliases = vec!["a-1".to_string(), "b-2".to_string()];
    // tokio-postgres refuses a slice of String for url_slug[] ...
    let refused = client
        .execute(&insert, &[&1, &aliases.as_slice(), &Domain("p")])
        .await;
    assert!(refused.is_err());
    // ... and takes it through Domain, which names the domain as the element type on the wire
    // (the server checks it) and keeps the domain's CHECK.
    client
        .execute(&insert, &[&1, &Domain(aliases.as_slice()), &Domain("p")])
        .await
        .unwrap();
    let bad = vec!["Not A Slug".to_string()];
    let err = client
        .execute(&insert, &[&2, &Domain(bad.as_slice()), &Domain("q")])
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::CHECK_VIOLATION)
    );
    client
        .execute(&insert, &[&3, &Domain(None::<&[String]>), &Domain("r")])
        .await
        .unwrap();

    let read: Vec<Option<Vec<String>>> =
        sqlgen_runtime::many(&client, "SELECT aliases FROM pages ORDER BY id", &[])
            .await
            .unwrap();
    assert_eq!(read, vec![Some(aliases.clone()), None]);
    let agg: Vec<String> = sqlgen_runtime::one(
        &client,
        "SELECT array_agg(slug ORDER BY id) FROM pages",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(agg, vec!["p".to_string(), "r".to_string()]);
    // A newtype of the domain (`domain_newtypes`) reads the array as it is.
    let typed: Vec<UrlSlug> =
        sqlgen_runtime::one(&client, "SELECT aliases FROM pages WHERE id = 1", &[])
            .await
            .unwrap();
    assert_eq!(typed, vec![UrlSlug("a-1".into()), UrlSlug("b-2".into())]);
    // Written as newtypes, without the wrapper.
    let newtypes = vec![UrlSlug("c-3".into())];
    client
        .execute(&insert, &[&4, &newtypes, &Domain("s")])
        .await
        .unwrap();
}
