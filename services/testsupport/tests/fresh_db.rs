//! testsupport against its real server: fresh databases, templates from migration folders, cleanup.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use testsupport::{fresh_db, fresh_db_from_dir, fresh_db_from_sql, TestDb};

/// A migrations folder of the test's own, removed when dropped: db/migrations is
/// the project's and may change under these tests.
struct MigrationsDir(PathBuf);

impl MigrationsDir {
    fn new(files: &[(&str, &str)]) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "testsupport-migrations-{}-{count}",
            std::process::id()
        ));
        fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            fs::write(dir.join(name), text).unwrap();
        }
        MigrationsDir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for MigrationsDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

async fn database_exists(db: &TestDb, name: &str) -> bool {
    let client = db.client().await;
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_database WHERE datname = $1",
            &[&name],
        )
        .await
        .unwrap();
    row.get::<_, i64>(0) == 1
}

async fn column_names(client: &tokio_postgres::Client, table: &str) -> Vec<String> {
    client
        .query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn two_fresh_databases_are_independent() {
    let schema = ["CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL)"];
    let first = fresh_db_from_sql(&schema).await;
    let second = fresh_db_from_sql(&schema).await;
    assert_ne!(first.name, second.name);

    let first_client = first.client().await;
    first_client
        .execute("INSERT INTO notes VALUES (1, 'only here')", &[])
        .await
        .unwrap();
    first_client
        .batch_execute("CREATE TABLE extra (id int)")
        .await
        .unwrap();

    let second_client = second.client().await;
    let count: i64 = second_client
        .query_one("SELECT count(*) FROM notes", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 0);
    assert!(column_names(&second_client, "extra").await.is_empty());

    // And a third one made afterwards starts from the template, not from either.
    let third = fresh_db_from_sql(&schema).await;
    let count: i64 = third
        .client()
        .await
        .query_one("SELECT count(*) FROM notes", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 0);
}

#[tokio::test]
async fn template_holds_the_up_migrations_in_natural_order() {
    let dir = MigrationsDir::new(&[
        (
            "1_accounts.sql",
            "-- +goose Up\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n\n-- +goose Down\nDROP TABLE accounts;\n",
        ),
        // Runs after 2_ only if 10 compares as a number; it needs `email`.
        (
            "10_index.sql",
            "-- +goose Up\nCREATE UNIQUE INDEX accounts_email ON accounts (email);\n-- +goose Down\nDROP INDEX accounts_email;\n",
        ),
        (
            "2_email.sql",
            "-- +goose Up\n-- +goose StatementBegin\nALTER TABLE accounts ADD COLUMN email text NOT NULL;\n\
             CREATE FUNCTION lower_email(a accounts) RETURNS text AS $$ SELECT lower(a.email); $$ LANGUAGE sql;\n\
             -- +goose StatementEnd\n-- +goose Down\nALTER TABLE accounts DROP COLUMN email;\n",
        ),
        ("README.md", "not a migration"),
    ]);

    let db = fresh_db_from_dir(dir.path()).await;
    let client = db.client().await;
    assert_eq!(column_names(&client, "accounts").await, ["id", "email"]);
    let indexes: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'accounts_email'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(indexes, 1);

    // A second database from the same folder comes from the same template.
    let again = fresh_db_from_dir(dir.path()).await;
    assert_eq!(
        column_names(&again.client().await, "accounts").await,
        ["id", "email"]
    );
}

#[tokio::test]
async fn a_failing_migration_panics_with_its_position_and_leaves_nothing_behind() {
    let dir = MigrationsDir::new(&[
        ("1_ok.sql", "CREATE TABLE fine (id int);\n"),
        (
            "2_broken.sql",
            "CREATE TABLE also_fine (id int);\nCREATE TABLE broken (id intt);\n",
        ),
    ]);
    let path = dir.path().to_path_buf();
    let outcome = tokio::spawn(async move { fresh_db_from_dir(&path).await }).await;
    let panic = outcome
        .expect_err("a broken migration must fail the test")
        .into_panic();
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap();
    assert!(message.contains("migration 2 of 2 failed"), "{message}");
    assert!(
        message.contains("type \"intt\" does not exist"),
        "{message}"
    );
    assert!(
        message.contains("at line 2: CREATE TABLE broken (id intt);"),
        "{message}"
    );

    // Other tests of this process may be building templates right now, so their
    // build databases can be seen for a moment; the failed one must not stay.
    let db = fresh_db_from_sql(&[]).await;
    let client = db.client().await;
    let prefix = format!("sqlgen_build_{}_", std::process::id());
    let mut leftovers = Vec::new();
    for _ in 0..50 {
        leftovers = client
            .query(
                "SELECT datname::text FROM pg_database WHERE starts_with(datname, $1)",
                &[&prefix],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<_, String>(0))
            .collect();
        if leftovers.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        leftovers.is_empty(),
        "build databases left behind: {leftovers:?}"
    );
}

#[tokio::test]
async fn dropping_a_test_database_removes_it_from_the_server() {
    let observer = fresh_db_from_sql(&[]).await;
    let doomed = fresh_db_from_sql(&["CREATE TABLE t (id int)"]).await;
    let name = doomed.name.clone();
    // A connection still open does not keep the database alive.
    let _open = doomed.client().await;
    assert!(database_exists(&observer, &name).await);
    drop(doomed);
    assert!(!database_exists(&observer, &name).await);
}

#[tokio::test]
async fn connection_string_and_config_reach_the_same_database() {
    let db = fresh_db_from_sql(&["CREATE TABLE marker (id int)"]).await;
    let (client, connection) =
        tokio_postgres::connect(&db.connection_string(), tokio_postgres::NoTls)
            .await
            .unwrap();
    tokio::spawn(connection);
    let current: String = client
        .query_one("SELECT current_database()::text", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(current, db.name);
    assert_eq!(db.config().get_dbname(), Some(db.name.as_str()));
    assert_eq!(column_names(&client, "marker").await, ["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_databases_at_once() {
    let schema = "CREATE TABLE parallel (id int)";
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            tokio::spawn(async move {
                let db = fresh_db_from_sql(&[schema]).await;
                let client = db.client().await;
                client
                    .execute("INSERT INTO parallel VALUES ($1)", &[&i])
                    .await
                    .unwrap();
                let count: i64 = client
                    .query_one("SELECT count(*) FROM parallel", &[])
                    .await
                    .unwrap()
                    .get(0);
                (db.name.clone(), count)
            })
        })
        .collect();
    let mut names = Vec::new();
    for task in tasks {
        let (name, count) = task.await.unwrap();
        assert_eq!(count, 1);
        names.push(name);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 8);
}

#[tokio::test]
async fn the_workspace_migrations_apply() {
    // db/migrations is written by others and may be empty; whatever it holds must
    // build a database.
    let db = fresh_db().await;
    let client = db.client().await;
    let one: i32 = client.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    assert!(testsupport::migrations_dir().ends_with("db/migrations"));
    assert!(testsupport::workspace_root().join("Cargo.toml").is_file());
}
