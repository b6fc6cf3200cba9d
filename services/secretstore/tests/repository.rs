//! `secretstore::repository::SecretStore` with typed values against a real database, on a client and inside transactions.

use secretstore::db::Queries;
use secretstore::repository::{SecretStore, SecretStoreError, FORMAT_VERSION};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlgen_runtime::Client;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OAuthCredentials {
    access_token: String,
    refresh_token: Option<String>,
    expires_in_seconds: u32,
    scopes: Vec<String>,
}

fn credentials() -> OAuthCredentials {
    OAuthCredentials {
        access_token: "gho_abc".to_owned(),
        refresh_token: None,
        expires_in_seconds: 3600,
        scopes: vec!["repo".to_owned(), "read:org".to_owned()],
    }
}

async fn connect(db: &testsupport::TestDb) -> Client {
    Client::new(db.client().await)
}

#[tokio::test]
async fn set_then_get_returns_the_typed_value() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client);

    store.set("github/acme", &credentials()).await.unwrap();

    let read: Option<OAuthCredentials> = store.get("github/acme").await.unwrap();
    assert_eq!(read, Some(credentials()));
    let row = client.get_secret("github/acme").await.unwrap().unwrap();
    assert_eq!(row.version, FORMAT_VERSION);
    assert_eq!(row.value["scopes"], json!(["repo", "read:org"]));
}

#[tokio::test]
async fn set_replaces_the_previous_value() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client);
    store.set("counter", &1_u64).await.unwrap();

    store.set("counter", &2_u64).await.unwrap();

    assert_eq!(store.get::<u64>("counter").await.unwrap(), Some(2));
}

#[tokio::test]
async fn get_of_a_missing_key_is_none() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;

    let read: Option<OAuthCredentials> = SecretStore::new(&client).get("nope").await.unwrap();

    assert_eq!(read, None);
}

#[tokio::test]
async fn get_as_a_type_of_another_shape_is_a_decode_error() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client);
    store.set("plain", "just a string").await.unwrap();

    let error = store.get::<OAuthCredentials>("plain").await.unwrap_err();

    assert!(
        matches!(&error, SecretStoreError::Decode { key, .. } if key == "plain"),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .starts_with("secret `plain` does not have the requested shape"));
}

#[tokio::test]
async fn get_of_a_value_in_another_format_version_is_refused() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    client
        .upsert_secret("future", &json!({"ciphertext": "..."}), "2")
        .await
        .unwrap();

    let error = SecretStore::new(&client)
        .get::<serde_json::Value>("future")
        .await
        .unwrap_err();

    assert!(
        matches!(&error, SecretStoreError::UnsupportedVersion { version, .. } if version == "2"),
        "{error:?}"
    );
}

#[tokio::test]
async fn set_if_absent_keeps_the_first_value_and_the_current_format_version() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client);

    assert!(store.set_if_absent("signing-key", "first").await.unwrap());
    assert!(!store.set_if_absent("signing-key", "second").await.unwrap());

    assert_eq!(
        store.get::<String>("signing-key").await.unwrap().as_deref(),
        Some("first")
    );
    let row = client
        .get_secret_value("signing-key")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.version, FORMAT_VERSION,
        "column default matches FORMAT_VERSION"
    );
}

#[tokio::test]
async fn delete_tells_whether_there_was_a_secret() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client);
    store.set("k", &credentials()).await.unwrap();

    assert!(store.delete("k").await.unwrap());
    assert!(!store.delete("k").await.unwrap());
    assert_eq!(store.get::<OAuthCredentials>("k").await.unwrap(), None);
}

#[tokio::test]
async fn secrets_set_in_a_rolled_back_transaction_are_gone_and_committed_ones_stay() {
    let db = testsupport::fresh_db().await;
    let mut client = connect(&db).await;

    let tx = client.transaction().await.unwrap();
    let store = SecretStore::new(&tx);
    store.set("rolled-back", &credentials()).await.unwrap();
    assert!(store.set_if_absent("also-rolled-back", &1).await.unwrap());
    assert_eq!(
        store.get::<OAuthCredentials>("rolled-back").await.unwrap(),
        Some(credentials())
    );
    tx.rollback().await.unwrap();

    let tx = client.transaction().await.unwrap();
    SecretStore::new(&tx)
        .set("committed", &credentials())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let store = SecretStore::new(&client);
    assert_eq!(
        store.get::<OAuthCredentials>("rolled-back").await.unwrap(),
        None
    );
    assert_eq!(store.get::<i32>("also-rolled-back").await.unwrap(), None);
    assert_eq!(
        store.get::<OAuthCredentials>("committed").await.unwrap(),
        Some(credentials())
    );
}
