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
