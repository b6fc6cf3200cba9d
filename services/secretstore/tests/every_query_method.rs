//! Calls every method of `secretstore::db::Queries` through the trait, on a client and inside a transaction.

use secretstore::db::secrets::ReplaceSecretIfUnchangedParams;
use secretstore::db::Queries;
use serde_json::json;
use sqlgen_runtime::Client;

/// All 12 queries once, each result checked; generic over the trait so that it
/// compiles only if every method is there with this shape.
async fn call_every_query<Q: Queries>(q: &Q) {
    let stored = q
        .upsert_secret("a", &json!({"token": "t"}), "1")
        .await
        .unwrap();
    assert_eq!(stored.value, json!({"token": "t"}));
    assert_eq!(
        q.create_secret_if_absent("b", &json!(2), "1")
            .await
            .unwrap(),
        1
    );
    assert_eq!(q.get_secret("a").await.unwrap(), Some(stored.clone()));
    let value = q.get_secret_value("b").await.unwrap().unwrap();
    assert_eq!((value.value, value.version.as_str()), (json!(2), "1"));

    let keys: Vec<_> = q
        .list_secrets(10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(keys, ["a", "b"]);
    let since = q
        .list_secrets_updated_since(stored.updated_at)
        .await
        .unwrap();
    assert!(since.iter().any(|s| s.key == "a"));

    let bumped = q.bump_secret_version("b").await.unwrap();
    assert_eq!(bumped.version, "2");
    let counts: Vec<_> = q
        .count_secrets_by_version()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.version, c.secret_count))
        .collect();
    assert_eq!(counts, [("1".to_owned(), 1), ("2".to_owned(), 1)]);

    // Key rotation: both rows are of older formats, so neither is under `k1`.
    let pending: Vec<_> = q
        .list_secrets_not_under_key(None, "k1", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.key, s.version))
        .collect();
    assert_eq!(
        pending,
        [
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned())
        ]
    );
    let rotated = json!({"kid": "k1", "nonce": "n", "ciphertext": "c"});
    let swap = |old_version| ReplaceSecretIfUnchangedParams {
        value: &rotated,
        version: "3",
        key: "a",
        old_value: &stored.value,
        old_version,
    };
    assert_eq!(q.replace_secret_if_unchanged(&swap("2")).await.unwrap(), 0);
    assert_eq!(q.replace_secret_if_unchanged(&swap("1")).await.unwrap(), 1);
    assert_eq!(
        q.replace_secret_if_unchanged(&swap("1")).await.unwrap(),
        0,
        "already swapped"
    );
    let pending = q
        .list_secrets_not_under_key(Some("a"), "k1", 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].key, "b");
    assert!(q
        .list_secrets_not_under_key(None, "k1", 10)
        .await
        .unwrap()
        .iter()
        .all(|s| s.key == "b"));
    assert_eq!(
        q.list_secrets_not_under_key(None, "k2", 10)
            .await
            .unwrap()
            .len(),
        2
    );

    assert_eq!(q.delete_secret("a").await.unwrap(), 1);
    assert_eq!(q.delete_secrets_by_version("2").await.unwrap(), ["b"]);
    assert!(q.list_secrets(10, 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn every_query_method_runs_on_a_client() {
    let db = testsupport::fresh_db().await;
    let client = Client::new(db.client().await);

    call_every_query(&client).await;

    assert_eq!(client.cached_statements(), 12);
}

#[tokio::test]
async fn every_query_method_runs_inside_a_transaction() {
    let db = testsupport::fresh_db().await;
    let mut client = Client::new(db.client().await);
    client.upsert_secret("kept", &json!(0), "1").await.unwrap();

    let tx = client.transaction().await.unwrap();
    tx.delete_secret("kept").await.unwrap();
    call_every_query(&tx).await;
    tx.rollback().await.unwrap();

    assert!(client.get_secret("kept").await.unwrap().is_some());
}
