//! Rotating the secret store's encryption key against a real database: a keyring reads values under older keys (and the key-less format 2), `rotate` rewrites them all while reads and writes go on, resumes after an interruption, and reports what it cannot read.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use secretstore::db::Queries;
use secretstore::repository::{
    EncryptionKey, KeyError, Keyring, SecretStore, SecretStoreError, ENCRYPTION_KEY_VAR,
    FORMAT_VERSION, LEGACY_FORMAT_VERSION, PREVIOUS_ENCRYPTION_KEYS_VAR,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlgen_runtime::Client;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Token {
    i: usize,
    token: String,
}

fn old_key() -> EncryptionKey {
    EncryptionKey::from_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
        .unwrap()
}

fn new_key() -> EncryptionKey {
    EncryptionKey::from_hex(&"7e".repeat(32)).unwrap()
}

/// The new key, still reading values under the old one: what every process
/// runs with during a rotation.
fn rotating_keyring() -> Keyring {
    Keyring::new(new_key()).with_previous(old_key())
}

fn name(i: usize) -> String {
    format!("tenant/{i:04}")
}

fn value(i: usize) -> Token {
    Token {
        i,
        token: format!("tok-{i}"),
    }
}

async fn connect(db: &testsupport::TestDb) -> Client {
    Client::new(db.client().await)
}

/// `count` values under the old key.
async fn store_under_old_key(client: &Client, count: usize) {
    let store = SecretStore::new(client, &old_key());
    for i in 0..count {
        store.set(&name(i), &value(i)).await.unwrap();
    }
}

/// How many rows are not yet format 3 under the new key.
async fn not_under_new_key(client: &Client) -> i64 {
    let pg: &tokio_postgres::Client = client;
    pg.query_one(
        r#"SELECT count(*) FROM "SecretStore" WHERE "version" <> $1 OR "value" ->> 'kid' <> $2"#,
        &[&FORMAT_VERSION, &new_key().id().as_str()],
    )
    .await
    .unwrap()
    .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_a_store_of_many_values_while_reads_and_writes_go_on() {
    const VALUES: usize = 400;
    const READERS: usize = 4;
    /// Keys 0..WRITTEN are rewritten by a writer during the rotation.
    const WRITTEN: usize = 20;
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    store_under_old_key(&client, VALUES).await;
    let rotating = Arc::new(AtomicBool::new(true));
    let reads_during = Arc::new(AtomicUsize::new(0));
    let rounds_written = Arc::new(AtomicUsize::new(0));

    let mut readers = Vec::new();
    for reader in 0..READERS {
        let client = connect(&db).await;
        let rotating = Arc::clone(&rotating);
        let reads_during = Arc::clone(&reads_during);
        readers.push(tokio::spawn(async move {
            let store = SecretStore::with_keyring(&client, &rotating_keyring());
            let mut i = reader;
            while rotating.load(Ordering::Acquire) {
                let read: Token = store
                    .get_or_error(&name(i))
                    .await
                    .unwrap_or_else(|error| panic!("{}: {}", name(i), error.log_detail()));
                assert_eq!(read.i, i);
                if i >= WRITTEN {
                    assert_eq!(read, value(i));
                }
                reads_during.fetch_add(1, Ordering::Relaxed);
                i = (i + 7) % VALUES;
            }
        }));
    }
    let writer = {
        let client = connect(&db).await;
        let rotating = Arc::clone(&rotating);
        let rounds_written = Arc::clone(&rounds_written);
        tokio::spawn(async move {
            let store = SecretStore::with_keyring(&client, &rotating_keyring());
            let mut round = 0;
            while rotating.load(Ordering::Acquire) {
                for i in 0..WRITTEN {
                    let token = format!("new-{round}");
                    store.set(&name(i), &Token { i, token }).await.unwrap();
                }
                round += 1;
                rounds_written.store(round, Ordering::Relaxed);
            }
            round
        })
    };

    // Let the readers and the writer get going first.
    while reads_during.load(Ordering::Relaxed) < READERS * 10
        || rounds_written.load(Ordering::Relaxed) == 0
    {
        tokio::task::yield_now().await;
    }
    let before = reads_during.load(Ordering::Relaxed);
    let report = SecretStore::with_keyring(&client, &rotating_keyring())
        .rotate(25)
        .await
        .unwrap();
    let after = reads_during.load(Ordering::Relaxed);
    rotating.store(false, Ordering::Release);
    for reader in readers {
        reader.await.unwrap();
    }
    let rounds = writer.await.unwrap();

    assert!(after > before, "reads went on during the rotation");
    assert!(report.unreadable.is_empty(), "{:?}", report.unreadable);
    assert!(
        report.rotated as usize >= VALUES - WRITTEN && report.rotated as usize <= VALUES,
        "{report:?}"
    );
    assert!(report.batches >= (VALUES / 25) as u64, "{report:?}");
    assert_eq!(not_under_new_key(&client).await, 0);
    // The old key can go: the new one alone reads everything.
    let new_only = SecretStore::new(&client, &new_key());
    for i in 0..VALUES {
        let read: Token = new_only.get_or_error(&name(i)).await.unwrap();
        if i < WRITTEN {
            assert_eq!(
                read.token,
                format!("new-{}", rounds - 1),
                "the writer's last value"
            );
        } else {
            assert_eq!(read, value(i));
        }
    }
    let error = SecretStore::new(&client, &old_key())
        .get::<Token>(&name(WRITTEN))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SecretStoreError::UnknownKey { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_interrupted_rotation_resumes_without_redoing_what_it_did() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    store_under_old_key(&client, 120).await;

    // The first batch, then the process "dies".
    let first = SecretStore::with_keyring(&client, &rotating_keyring())
        .rotate_batch(None, 50)
        .await
        .unwrap();
    assert_eq!(first.rotated, 50);
    assert_eq!(first.next_after.as_deref(), Some(name(49).as_str()));
    assert_eq!(not_under_new_key(&client).await, 70);
    let updated_before = client.get_secret(&name(0)).await.unwrap().unwrap();

    // A new process starts over and only meets what is left.
    let resumed = SecretStore::with_keyring(&client, &rotating_keyring())
        .rotate(50)
        .await
        .unwrap();
    assert_eq!((resumed.rotated, resumed.batches), (70, 2), "{resumed:?}");
    assert_eq!(not_under_new_key(&client).await, 0);
    assert_eq!(
        client.get_secret(&name(0)).await.unwrap().unwrap(),
        updated_before,
        "a value already under the new key is not rewritten"
    );
    let again = SecretStore::with_keyring(&client, &rotating_keyring())
        .rotate(50)
        .await
        .unwrap();
    assert_eq!((again.rotated, again.batches), (0, 1), "{again:?}");
    let store = SecretStore::new(&client, &new_key());
    for i in [0, 49, 50, 119] {
        assert_eq!(
            store.get_or_error::<Token>(&name(i)).await.unwrap(),
            value(i)
        );
    }
}

#[tokio::test]
async fn values_the_keyring_cannot_read_are_reported_and_left_alone() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    store_under_old_key(&client, 3).await;
    let stranger = EncryptionKey::from_hex(&"99".repeat(32)).unwrap();
    SecretStore::new(&client, &stranger)
        .set("foreign", &value(7))
        .await
        .unwrap();
    let foreign_before = client.get_secret("foreign").await.unwrap().unwrap();

    let report = SecretStore::with_keyring(&client, &rotating_keyring())
        .rotate(2)
        .await
        .unwrap();

    assert_eq!(report.rotated, 3);
    assert_eq!(report.unreadable.len(), 1, "{report:?}");
    assert!(
        matches!(&report.unreadable[0], SecretStoreError::UnknownKey { key, kid }
            if key == "foreign" && *kid == stranger.id().as_str()),
        "{report:?}"
    );
    assert_eq!(
        client.get_secret("foreign").await.unwrap().unwrap(),
        foreign_before
    );
}

#[tokio::test]
async fn a_value_of_format_2_is_read_with_the_keyring_and_rotated_to_format_3() {
    let db = testsupport::fresh_db().await;
    let client = connect(&db).await;
    // Written by the format 2 code under the old key: the envelope does not
    // name its key, and the associated data is `kongflow-secretstore/v2/<key>`.
    let legacy = json!({
        "nonce": "a1b2c3d4e5f60718293a4b5c",
        "ciphertext": "0aecac7e2296c5596fdc0b2ae610d1546b6dea458ab3d1c3f697093f27c263c2fe6f5f0e116ff03d8ea165441f9e6c6c4711eb35ba0ae9b783d962a5835aeecb1673ab7378ad315c713cb3f66c28d12458b78053429b439f55d4525da692d550879094088167609ef20866d9",
    });
    client
        .upsert_secret("legacy/github", &legacy, LEGACY_FORMAT_VERSION)
        .await
        .unwrap();
    let expected = json!({"access_token": "gho_legacy", "refresh_token": null, "expires_in_seconds": 60, "scopes": ["repo"]});

    // The old key as a previous key of the keyring is enough to read it.
    let store = SecretStore::with_keyring(&client, &rotating_keyring());
    let read: serde_json::Value = store.get_or_error("legacy/github").await.unwrap();
    assert_eq!(read, expected);
    // Under another name it does not decrypt: the name is bound in.
    client
        .upsert_secret("legacy/other", &legacy, LEGACY_FORMAT_VERSION)
        .await
        .unwrap();
    assert!(matches!(
        store.get::<serde_json::Value>("legacy/other").await,
        Err(SecretStoreError::Decrypt { .. })
    ));
    client.delete_secret("legacy/other").await.unwrap();

    let report = store.rotate(10).await.unwrap();
    assert_eq!(report.rotated, 1);
    let row = client.get_secret("legacy/github").await.unwrap().unwrap();
    assert_eq!(row.version, FORMAT_VERSION);
    assert_eq!(row.value["kid"], new_key().id().as_str());
    let read: serde_json::Value = SecretStore::new(&client, &new_key())
        .get_or_error("legacy/github")
        .await
        .unwrap();
    assert_eq!(read, expected);
}

#[test]
fn the_keyring_comes_from_the_environment() {
    // The only test in this binary that touches the variables.
    std::env::set_var(ENCRYPTION_KEY_VAR, "7e".repeat(32));
    std::env::remove_var(PREVIOUS_ENCRYPTION_KEYS_VAR);
    let keyring = Keyring::from_env().unwrap();
    assert_eq!(keyring.current_id(), new_key().id());
    assert_eq!(
        format!("{keyring:?}"),
        format!("Keyring {{ current: {:?}, previous: [] }}", new_key().id())
    );

    let previous = format!("{}, {}", "00".repeat(32), "AB".repeat(32));
    std::env::set_var(PREVIOUS_ENCRYPTION_KEYS_VAR, &previous);
    let keyring = Keyring::from_env().unwrap();
    let debug = format!("{keyring:?}");
    for key in ["00".repeat(32), "ab".repeat(32)] {
        let id = EncryptionKey::from_hex(&key).unwrap().id();
        assert!(debug.contains(id.as_str()), "{debug}");
    }
    assert!(
        !debug.contains("7e7e") && !debug.contains("abab"),
        "{debug}"
    );

    std::env::set_var(
        PREVIOUS_ENCRYPTION_KEYS_VAR,
        format!("{},nothex", "00".repeat(32)),
    );
    let error = Keyring::from_env().unwrap_err();
    assert_eq!(
        error,
        KeyError::Previous {
            index: 1,
            error: Box::new(KeyError::WrongLength { chars: 6 })
        }
    );
    assert_eq!(
        error.to_string(),
        "entry 1 of `ENCRYPTION_KEY_PREVIOUS`: the secret store encryption key has 6 characters, expected 64 hex characters (32 bytes)"
    );
    std::env::remove_var(PREVIOUS_ENCRYPTION_KEYS_VAR);
    std::env::remove_var(ENCRYPTION_KEY_VAR);
}
