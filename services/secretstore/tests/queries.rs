//! Behaviour of each generated query of `secretstore` against a real PostgreSQL, with its text, jsonb and timestamp(3) columns.

use secretstore::db::Queries;
use serde_json::json;
use sqlgen_runtime::{Client, Error};
use time::{Duration, PrimitiveDateTime};
use tokio_postgres::error::SqlState;

async fn connect(db: &testsupport::TestDb) -> Client {
    Client::new(db.client().await)
}

/// Lets the server clock move past the current millisecond, the resolution of
/// the timestamp(3) columns, without blocking the test's runtime.
async fn next_millisecond(client: &Client) {
    (*client)
        .execute("SELECT pg_sleep(0.005)", &[])
        .await
        .unwrap();
}

#[tokio::test]
async fn upsert_secret_inserts_then_replaces_value_and_version_but_not_created_at() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;

    let first = client
        .upsert_secret("github", &json!({"token": "a"}), "1")
        .await
        .unwrap();
    assert_eq!(first.key, "github");
    assert_eq!(first.value, json!({"token": "a"}));
    assert_eq!(first.version, "1");
    assert_eq!(
        first.created_at, first.updated_at,
        "one statement, one now()"
    );

    next_millisecond(&client).await;
    let second = client
        .upsert_secret("github", &json!({"token": "b"}), "2")
        .await
        .unwrap();
    assert_eq!(second.value, json!({"token": "b"}));
    assert_eq!(second.version, "2");
    assert_eq!(second.created_at, first.created_at);
    assert!(second.updated_at > first.updated_at);
    assert_eq!(client.list_secrets(10, 0).await.unwrap().len(), 1);
}

#[tokio::test]
async fn get_secret_returns_the_whole_row_or_none() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let stored = client
        .upsert_secret("slack", &json!(["x", 1]), "1")
        .await
        .unwrap();

    assert_eq!(client.get_secret("slack").await.unwrap(), Some(stored));
    assert_eq!(
        client.get_secret("Slack").await.unwrap(),
        None,
        "keys are case-sensitive"
    );
    assert_eq!(client.get_secret("missing").await.unwrap(), None);
}

#[tokio::test]
async fn get_secret_value_returns_value_and_version_or_none() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    client
        .upsert_secret("stripe", &json!({"key": "sk_test"}), "3")
        .await
        .unwrap();

    let row = client.get_secret_value("stripe").await.unwrap().unwrap();
    assert_eq!(row.value, json!({"key": "sk_test"}));
    assert_eq!(row.version, "3");
    assert_eq!(client.get_secret_value("missing").await.unwrap(), None);
}

#[tokio::test]
async fn create_secret_if_absent_inserts_once_with_the_given_version() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;

    assert_eq!(
        client
            .create_secret_if_absent("signing-key", &json!("first"), "7")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        client
            .create_secret_if_absent("signing-key", &json!("second"), "8")
            .await
            .unwrap(),
        0
    );

    let stored = client.get_secret("signing-key").await.unwrap().unwrap();
    assert_eq!(stored.value, json!("first"));
    assert_eq!(stored.version, "7");
}

#[tokio::test]
async fn list_secrets_pages_through_keys_in_order() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    for (key, version) in [("b", "1"), ("c", "2"), ("a", "1")] {
        client
            .upsert_secret(key, &json!({"k": key}), version)
            .await
            .unwrap();
    }

    let first_page = client.list_secrets(2, 0).await.unwrap();
    let second_page = client.list_secrets(2, 2).await.unwrap();

    let keys = |rows: &[secretstore::db::secrets::ListSecretsRow]| {
        rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>()
    };
    assert_eq!(keys(&first_page), ["a", "b"]);
    assert_eq!(keys(&second_page), ["c"]);
    let c = client.get_secret("c").await.unwrap().unwrap();
    assert_eq!(second_page[0].version, "2");
    assert_eq!(second_page[0].created_at, c.created_at);
    assert_eq!(second_page[0].updated_at, c.updated_at);
}

#[tokio::test]
async fn list_secrets_updated_since_includes_the_given_millisecond_and_excludes_earlier_ones() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let old = client.upsert_secret("old", &json!(1), "1").await.unwrap();
    next_millisecond(&client).await;
    let new = client.upsert_secret("new", &json!(2), "1").await.unwrap();
    assert!(new.updated_at > old.updated_at);

    let keys = |since: PrimitiveDateTime| {
        let client = &client;
        async move {
            client
                .list_secrets_updated_since(since)
                .await
                .unwrap()
                .into_iter()
                .map(|s| s.key)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(keys(old.updated_at).await, ["old", "new"]);
    assert_eq!(
        keys(old.updated_at + Duration::milliseconds(1)).await,
        ["new"]
    );
    assert_eq!(keys(new.updated_at).await, ["new"]);
    assert!(keys(new.updated_at + Duration::milliseconds(1))
        .await
        .is_empty());

    let rows = client
        .list_secrets_updated_since(new.updated_at)
        .await
        .unwrap();
    assert_eq!(rows, [new]);
}

#[tokio::test]
async fn timestamp_columns_decode_to_the_stored_millisecond() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let secret = client.upsert_secret("k", &json!(null), "1").await.unwrap();

    // timestamp(3) keeps milliseconds only, so nothing finer may show up.
    assert_eq!(secret.created_at.nanosecond() % 1_000_000, 0);
    assert_eq!(secret.updated_at.nanosecond() % 1_000_000, 0);
    let same: bool = (*client)
        .query_one(
            r#"SELECT "createdAt" = $2 AND "updatedAt" = $3 FROM "SecretStore" WHERE "key" = $1"#,
            &[&"k", &secret.created_at, &secret.updated_at],
        )
        .await
        .unwrap()
        .get(0);
    assert!(same);
}

#[tokio::test]
async fn jsonb_and_text_values_round_trip_unchanged() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let values = [
        (
            "object",
            json!({"a": {"b": [1, 2.5, -3]}, "unicode": "ключ 🔑", "empty": {}}),
        ),
        ("array", json!([null, true, "x", []])),
        ("string", json!("with \"quotes\" and \\ backslash")),
        ("number", json!(9_007_199_254_740_993_u64)),
        ("json-null", json!(null)),
    ];

    for (key, value) in &values {
        client.upsert_secret(key, value, "1").await.unwrap();
    }
    for (key, value) in &values {
        let read = client.get_secret(key).await.unwrap().unwrap();
        assert_eq!(&read.value, value, "{key}");
    }

    // A JSON null is a value, not SQL NULL (the column is NOT NULL).
    let is_json_null: bool = (*client)
        .query_one(
            r#"SELECT "value" = 'null'::jsonb FROM "SecretStore" WHERE "key" = 'json-null'"#,
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(is_json_null);

    let odd_key = "tenant/42:\"prod\" ✓";
    client
        .upsert_secret(odd_key, &json!(1), "v1.0-β")
        .await
        .unwrap();
    let read = client.get_secret(odd_key).await.unwrap().unwrap();
    assert_eq!(read.key, odd_key);
    assert_eq!(read.version, "v1.0-β");
}

#[tokio::test]
async fn bump_secret_version_increments_the_numeric_text_version() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let stored = client.upsert_secret("k", &json!(1), "9").await.unwrap();
    next_millisecond(&client).await;

    let bumped = client.bump_secret_version("k").await.unwrap();
    assert_eq!(bumped.key, "k");
    assert_eq!(bumped.version, "10");
    assert!(bumped.updated_at > stored.updated_at);
    assert_eq!(client.bump_secret_version("k").await.unwrap().version, "11");
    assert_eq!(client.get_secret("k").await.unwrap().unwrap().version, "11");
}

#[tokio::test]
async fn bump_secret_version_is_not_found_for_a_missing_key_and_a_db_error_for_a_non_numeric_version(
) {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    client
        .upsert_secret("named", &json!(1), "v2")
        .await
        .unwrap();

    let missing = client.bump_secret_version("missing").await.unwrap_err();
    assert!(matches!(missing, Error::NotFound), "{missing:?}");

    let bad = client.bump_secret_version("named").await.unwrap_err();
    assert!(matches!(bad, Error::Postgres(_)), "{bad:?}");
    assert_eq!(bad.code(), Some(&SqlState::INVALID_TEXT_REPRESENTATION));
}

#[tokio::test]
async fn count_secrets_by_version_counts_each_version_with_its_latest_update() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    client.upsert_secret("a", &json!(1), "1").await.unwrap();
    client.upsert_secret("b", &json!(1), "2").await.unwrap();
    next_millisecond(&client).await;
    let latest_v1 = client.upsert_secret("c", &json!(1), "1").await.unwrap();
    let only_v2 = client.get_secret("b").await.unwrap().unwrap();

    let counts = client.count_secrets_by_version().await.unwrap();

    let summary: Vec<_> = counts
        .iter()
        .map(|c| (c.version.as_str(), c.secret_count, c.last_updated_at))
        .collect();
    assert_eq!(
        summary,
        [("1", 2, latest_v1.updated_at), ("2", 1, only_v2.updated_at),]
    );
}

#[tokio::test]
async fn count_secrets_by_version_of_an_empty_store_is_empty() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;

    assert!(client.count_secrets_by_version().await.unwrap().is_empty());
}

#[tokio::test]
async fn delete_secret_reports_whether_a_row_was_deleted() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    client.upsert_secret("k", &json!(1), "1").await.unwrap();

    assert_eq!(client.delete_secret("k").await.unwrap(), 1);
    assert_eq!(client.delete_secret("k").await.unwrap(), 0);
    assert_eq!(client.get_secret("k").await.unwrap(), None);
}

#[tokio::test]
async fn delete_secrets_by_version_deletes_that_version_and_returns_its_keys() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    for (key, version) in [("a", "1"), ("b", "2"), ("c", "1")] {
        client.upsert_secret(key, &json!(1), version).await.unwrap();
    }

    let mut deleted = client.delete_secrets_by_version("1").await.unwrap();
    deleted.sort();

    assert_eq!(deleted, ["a", "c"]);
    let left: Vec<_> = client
        .list_secrets(10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(left, ["b"]);
    assert!(client
        .delete_secrets_by_version("1")
        .await
        .unwrap()
        .is_empty());
}
