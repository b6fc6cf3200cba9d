//! `secretstore::repository::SecretStore` against a real database: typed values, encryption at rest, tampering, moved ciphertexts, concurrent writers and transactions.

use secretstore::db::Queries;
use secretstore::repository::{
    EncryptionKey, KeyError, SecretStore, SecretStoreError, ENCRYPTION_KEY_VAR, FORMAT_VERSION,
};
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

fn key() -> EncryptionKey {
    EncryptionKey::from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        .unwrap()
}

fn other_key() -> EncryptionKey {
    EncryptionKey::from_hex(&"ee".repeat(32)).unwrap()
}

async fn connect(db: &testsupport::TestDb) -> Client {
    Client::new(db.client().await)
}

fn assert_decrypt_error(error: &SecretStoreError, expected_key: &str) {
    assert!(
        matches!(error, SecretStoreError::Decrypt { key } if key == expected_key),
        "{error:?}"
    );
}

#[tokio::test]
async fn set_then_get_returns_the_typed_value() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());

    store.set("github/acme", &credentials()).await.unwrap();

    let read: Option<OAuthCredentials> = store.get("github/acme").await.unwrap();
    assert_eq!(read, Some(credentials()));
    let row = client.get_secret("github/acme").await.unwrap().unwrap();
    assert_eq!(row.version, FORMAT_VERSION);
}

#[tokio::test]
async fn values_are_encrypted_at_rest_with_a_fresh_nonce_per_write() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());

    store.set("github/acme", &credentials()).await.unwrap();
    let first = client
        .get_secret("github/acme")
        .await
        .unwrap()
        .unwrap()
        .value;
    store.set("github/acme", &credentials()).await.unwrap();
    let second = client
        .get_secret("github/acme")
        .await
        .unwrap()
        .unwrap()
        .value;

    let stored = first.to_string();
    assert!(!stored.contains("gho_abc"), "plaintext at rest: {stored}");
    assert!(!stored.contains("read:org"), "plaintext at rest: {stored}");
    let fields: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["ciphertext", "kid", "nonce"]);
    assert_eq!(
        first["kid"],
        key().id().as_str(),
        "the envelope names its key"
    );
    assert_eq!(first["nonce"].as_str().unwrap().len(), 24, "12 bytes, hex");
    assert_ne!(first["nonce"], second["nonce"], "same value, new nonce");
    assert_ne!(first["ciphertext"], second["ciphertext"]);
}

#[tokio::test]
async fn set_replaces_the_previous_value() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    store.set("counter", &1_u64).await.unwrap();

    store.set("counter", &2_u64).await.unwrap();

    assert_eq!(store.get::<u64>("counter").await.unwrap(), Some(2));
}

#[tokio::test]
async fn get_of_a_missing_key_is_none_and_get_or_error_says_which_key() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());

    let read: Option<OAuthCredentials> = store.get("nope").await.unwrap();
    assert_eq!(read, None);

    let error = store
        .get_or_error::<OAuthCredentials>("nope")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, SecretStoreError::NotFound { key } if key == "nope"),
        "{error:?}"
    );
    assert_eq!(error.to_string(), "secret `nope` does not exist");
}

#[tokio::test]
async fn get_or_error_returns_a_stored_value() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    store.set("github/acme", &credentials()).await.unwrap();

    let read: OAuthCredentials = store.get_or_error("github/acme").await.unwrap();

    assert_eq!(read, credentials());
}

#[tokio::test]
async fn get_as_a_type_of_another_shape_is_a_decode_error() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    store.set("plain", "just a string").await.unwrap();

    let error = store.get::<OAuthCredentials>("plain").await.unwrap_err();

    assert!(
        matches!(&error, SecretStoreError::Decode { key, .. } if key == "plain"),
        "{error:?}"
    );
    assert!(error
        .to_string()
        .starts_with("secret `plain` does not have the requested shape"));
    // serde's own message would quote the decrypted value.
    for text in [error.to_string(), error.log_detail(), format!("{error:?}")] {
        assert!(!text.contains("just a string"), "{text}");
    }
}

#[tokio::test]
async fn a_plain_row_of_format_version_1_is_refused() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    client
        .upsert_secret("legacy", &json!({"access_token": "gho_abc"}), "1")
        .await
        .unwrap();

    let error = SecretStore::new(&client, &key())
        .get::<serde_json::Value>("legacy")
        .await
        .unwrap_err();

    assert!(
        matches!(&error, SecretStoreError::UnsupportedVersion { key, version } if key == "legacy" && version == "1"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "secret `legacy` has format version `1`, expected `3` (or `2`)"
    );
}

#[tokio::test]
async fn a_tampered_ciphertext_is_a_decrypt_error() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    store.set("github/acme", &credentials()).await.unwrap();
    // Flip the lowest bit of the first ciphertext byte, in SQL.
    (*client)
        .batch_execute(
            r#"UPDATE "SecretStore"
               SET "value" = jsonb_set("value", '{ciphertext}', to_jsonb(
                   CASE WHEN substr("value"->>'ciphertext', 2, 1) = '0'
                        THEN overlay("value"->>'ciphertext' PLACING '1' FROM 2 FOR 1)
                        ELSE overlay("value"->>'ciphertext' PLACING '0' FROM 2 FOR 1) END))
               WHERE "key" = 'github/acme'"#,
        )
        .await
        .unwrap();

    let error = store
        .get::<OAuthCredentials>("github/acme")
        .await
        .unwrap_err();

    assert_decrypt_error(&error, "github/acme");
    assert!(error
        .to_string()
        .starts_with("secret `github/acme` does not decrypt"));
}

#[tokio::test]
async fn a_tampered_nonce_is_a_decrypt_error() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    store.set("k", &credentials()).await.unwrap();
    (*client)
        .batch_execute(
            r#"UPDATE "SecretStore" SET "value" = jsonb_set("value", '{nonce}', '"000000000000000000000000"')
               WHERE "key" = 'k'"#,
        )
        .await
        .unwrap();

    let error = store.get::<OAuthCredentials>("k").await.unwrap_err();

    assert_decrypt_error(&error, "k");
}

#[tokio::test]
async fn a_ciphertext_copied_to_another_key_fails_to_decrypt() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    store.set("github/acme", &credentials()).await.unwrap();
    store.set("github/other", &"harmless").await.unwrap();
    (*client)
        .batch_execute(
            r#"UPDATE "SecretStore" AS dst
               SET "value" = src."value"
               FROM "SecretStore" AS src
               WHERE src."key" = 'github/acme' AND dst."key" = 'github/other'"#,
        )
        .await
        .unwrap();
    let moved = client.get_secret("github/other").await.unwrap().unwrap();
    let original = client.get_secret("github/acme").await.unwrap().unwrap();
    assert_eq!(moved.value, original.value, "the copy happened");

    let error = store
        .get::<OAuthCredentials>("github/other")
        .await
        .unwrap_err();

    assert_decrypt_error(&error, "github/other");
    assert_eq!(
        store.get::<OAuthCredentials>("github/acme").await.unwrap(),
        Some(credentials()),
        "the original still decrypts"
    );
}

#[tokio::test]
async fn a_value_written_under_another_encryption_key_is_refused() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    SecretStore::new(&client, &other_key())
        .set("k", &credentials())
        .await
        .unwrap();
    let store = SecretStore::new(&client, &key());

    let error = store.get::<OAuthCredentials>("k").await.unwrap_err();
    assert!(
        matches!(&error, SecretStoreError::UnknownKey { key, kid } if key == "k" && *kid == other_key().id().as_str()),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "secret `k` is encrypted under key `{}`, which is not in the keyring",
            other_key().id()
        )
    );

    // Claiming the reader's key id does not help: the key does not open it.
    let mut value = client.get_secret("k").await.unwrap().unwrap().value;
    value["kid"] = key().id().as_str().into();
    client
        .upsert_secret("k", &value, FORMAT_VERSION)
        .await
        .unwrap();
    let error = store.get::<OAuthCredentials>("k").await.unwrap_err();
    assert_decrypt_error(&error, "k");
}

#[tokio::test]
async fn a_value_that_is_not_an_envelope_is_malformed() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    for (key, value) in [
        ("not-an-object", json!("x")),
        ("bad-hex", json!({"nonce": "zz", "ciphertext": "00"})),
        ("short-nonce", json!({"nonce": "00", "ciphertext": "00"})),
        (
            "odd-ciphertext",
            json!({"nonce": "000000000000000000000000", "ciphertext": "0"}),
        ),
    ] {
        client
            .upsert_secret(key, &value, FORMAT_VERSION)
            .await
            .unwrap();

        let error = store.get::<serde_json::Value>(key).await.unwrap_err();

        assert!(
            matches!(&error, SecretStoreError::Malformed { key: k, .. } if k == key),
            "{key}: {error:?}"
        );
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("secret `{key}` is not a valid encrypted value: ")),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn fifty_concurrent_sets_on_one_key_leave_one_of_the_written_values() {
    let db = testsupport::fresh_db().await;
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..50_u32 {
        // A connection per writer, so the upserts really race in the server.
        let client = connect(&db).await;
        writers.spawn(async move {
            SecretStore::new(&client, &key())
                .set("shared-key", &format!("value-{i}"))
                .await
        });
    }
    while let Some(result) = writers.join_next().await {
        result.unwrap().unwrap();
    }

    let client = connect(&db).await;
    let stored: String = SecretStore::new(&client, &key())
        .get_or_error("shared-key")
        .await
        .unwrap();
    let written: Vec<String> = (0..50).map(|i| format!("value-{i}")).collect();
    assert!(written.contains(&stored), "{stored}");
    assert_eq!(client.list_secrets(100, 0).await.unwrap().len(), 1);
}

#[tokio::test]
async fn set_if_absent_keeps_the_first_value_and_the_current_format_version() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());

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
    assert_eq!(row.version, FORMAT_VERSION);
}

#[tokio::test]
async fn delete_tells_whether_there_was_a_secret() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
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
    let store = SecretStore::new(&tx, &key());
    store.set("rolled-back", &credentials()).await.unwrap();
    assert!(store.set_if_absent("also-rolled-back", &1).await.unwrap());
    assert_eq!(
        store.get::<OAuthCredentials>("rolled-back").await.unwrap(),
        Some(credentials())
    );
    tx.rollback().await.unwrap();

    let tx = client.transaction().await.unwrap();
    SecretStore::new(&tx, &key())
        .set("committed", &credentials())
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let store = SecretStore::new(&client, &key());
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

#[test]
fn a_missing_or_malformed_key_in_the_environment_is_a_clear_error() {
    // The only test in this binary that touches the variable.
    std::env::remove_var(ENCRYPTION_KEY_VAR);
    let missing = EncryptionKey::from_env().unwrap_err();
    assert_eq!(
        missing,
        KeyError::Missing {
            variable: "ENCRYPTION_KEY"
        }
    );
    assert!(missing
        .to_string()
        .contains("set `ENCRYPTION_KEY` to 64 hex characters"));

    std::env::set_var(ENCRYPTION_KEY_VAR, "tooshort");
    assert_eq!(
        EncryptionKey::from_env().unwrap_err(),
        KeyError::WrongLength { chars: 8 }
    );

    // 64 characters, one of them not a hex digit (counted in characters, not bytes).
    std::env::set_var(ENCRYPTION_KEY_VAR, format!("é{}", "ab".repeat(31) + "x"));
    let not_hex = EncryptionKey::from_env().unwrap_err();
    assert_eq!(
        not_hex,
        KeyError::NotHex {
            position: 0,
            found: 'é'
        }
    );
    assert_eq!(
        not_hex.to_string(),
        "the secret store encryption key has `é` at position 0, expected a hex digit"
    );
    std::env::set_var(ENCRYPTION_KEY_VAR, format!("{}g", "ab".repeat(31) + "a"));
    assert_eq!(
        EncryptionKey::from_env().unwrap_err(),
        KeyError::NotHex {
            position: 63,
            found: 'g'
        }
    );

    std::env::set_var(ENCRYPTION_KEY_VAR, "ab".repeat(32));
    assert!(EncryptionKey::from_env().is_ok());
    std::env::remove_var(ENCRYPTION_KEY_VAR);
}

#[tokio::test]
async fn a_value_json_cannot_hold_is_refused_before_anything_is_stored() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let store = SecretStore::new(&client, &key());
    // JSON object keys are strings; serde_json refuses a map keyed by pairs.
    let grid: std::collections::BTreeMap<(u8, u8), &str> = [((0, 0), "origin")].into();

    let error = store.set("grid", &grid).await.unwrap_err();

    assert!(
        matches!(&error, SecretStoreError::Encode { key, .. } if key == "grid"),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "cannot encode secret `grid` as JSON: key must be a string"
    );
    let source = std::error::Error::source(&error).expect("the serde_json error is the source");
    assert!(source.is::<serde_json::Error>(), "{source:?}");
    assert_eq!(client.get_secret("grid").await.unwrap(), None);
}

#[tokio::test]
async fn a_store_prints_its_key_ids_never_its_keys() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let keyring = secretstore::repository::Keyring::new(key()).with_previous(other_key());
    let store = SecretStore::with_keyring(&client, &keyring);

    let debug = format!("{store:?}");

    assert!(debug.starts_with("SecretStore {"), "{debug}");
    for id in [key().id(), other_key().id()] {
        assert!(debug.contains(id.as_str()), "{debug}");
    }
    assert!(
        !debug.contains("000102030405") && !debug.contains("eeeeeeee"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_refused_row_leaves_the_store_without_its_values() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    let pg: &tokio_postgres::Client = &client;
    pg.batch_execute(
        r#"ALTER TABLE "SecretStore" ADD CONSTRAINT no_payroll CHECK ("key" NOT LIKE 'payroll/%')"#,
    )
    .await
    .unwrap();

    let error = SecretStore::new(&client, &key())
        .set("payroll/acme", &credentials())
        .await
        .unwrap_err();

    assert!(matches!(error, SecretStoreError::Database(_)), "{error:?}");
    assert_eq!(
        error.to_string(),
        "secret store query failed: internal database error (SQLSTATE 23514)"
    );
    let logged = error.log_detail();
    assert!(
        logged.contains("Failing row contains (payroll/acme"),
        "{logged}"
    );
    assert!(
        !logged.contains("gho_abc"),
        "only ciphertext reaches the server: {logged}"
    );
}
