//! `sqlgen verify` against a real PostgreSQL: agreement, every kind of disagreement it reports (types of
//! parameters and columns, arrays included, and queries the server refuses), `--package`, and the
//! errors a user meets (no or a bad DATABASE_URL, a migration the server refuses).

use std::path::PathBuf;
use std::process::Command;

const SCHEMA: &str = "CREATE TABLE t (id int4 PRIMARY KEY, name text, code text);\n";
const QUERIES: &str = "\
-- name: GetByName :one
SELECT id, name FROM t WHERE name = $1;

-- name: GetByCode :opt
SELECT id, code FROM t WHERE code = $1;

-- name: LowerCode :many
SELECT lower(code) AS lowered FROM t;
";
const OTHER_QUERIES: &str = "-- name: CountT :one\nSELECT count(*) AS n FROM t;\n";

/// A project of two packages over one schema file, in a fresh folder.
struct Project(PathBuf);

impl Project {
    fn new(name: &str, schema: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sqlgen-verify-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["a", "b"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        std::fs::write(dir.join("schema.sql"), schema).unwrap();
        std::fs::write(dir.join("a/query.sql"), QUERIES).unwrap();
        std::fs::write(dir.join("b/query.sql"), OTHER_QUERIES).unwrap();
        std::fs::write(
            dir.join("sqlgen.yaml"),
            "version: \"2\"\nsql:\n  - name: a\n    engine: postgresql\n    schema: schema.sql\n    queries: a\n    gen:\n      rust:\n        out: a/db\n  - name: b\n    engine: postgresql\n    schema: schema.sql\n    queries: b\n    gen:\n      rust:\n        out: b/db\n",
        )
        .unwrap();
        Project(dir)
    }

    /// The project with `queries` as package `a`'s query file.
    fn with_queries(name: &str, schema: &str, queries: &str) -> Self {
        let project = Project::new(name, schema);
        std::fs::write(project.0.join("a/query.sql"), queries).unwrap();
        project
    }

    /// Runs `sqlgen ARGS` in the project's folder.
    fn sqlgen(&self, args: &[&str]) -> (i32, String, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sqlgen"));
        command.args(args);
        self.run(command)
    }

    /// Runs `sqlgen verify ARGS` with `DATABASE_URL` set to `url` (unset for `None`).
    fn verify(&self, url: Option<&str>, args: &[&str]) -> (i32, String, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sqlgen"));
        command.arg("verify").args(args);
        match url {
            Some(url) => command.env("DATABASE_URL", url),
            None => command.env_remove("DATABASE_URL"),
        };
        self.run(command)
    }

    /// Runs `command` in the project's folder: its exit code, stdout and stderr.
    fn run(&self, mut command: Command) -> (i32, String, String) {
        let out = command.current_dir(&self.0).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Tests that count scratch databases on the shared server run one at a time, so that none sees
/// another's scratch database while it exists.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The scratch databases `sqlgen verify` left on the server (none, if it cleans up).
async fn scratch_databases(db: &testsupport::TestDb) -> Vec<String> {
    db.client()
        .await
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'sqlgen_verify_%'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn postgres_agrees_with_the_analysis_of_every_package() {
    let _serial = SERIAL.lock().await;
    let db = testsupport::fresh_db_from_sql(&[]).await;
    let project = Project::new("agrees", SCHEMA);

    let (code, stdout, stderr) = project.verify(Some(&db.connection_string()), &[]);

    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "verified 4 queries: PostgreSQL agrees on every parameter and column type\n"
    );
    assert_eq!(scratch_databases(&db).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_schema_change_sqlgen_cannot_see_is_reported_query_by_query() {
    let _serial = SERIAL.lock().await;
    let db = testsupport::fresh_db_from_sql(&[]).await;
    // sqlgen skips the DO block with a warning; PostgreSQL runs it, so the server's `name` is a
    // bigint array and its `code` an integer while sqlgen still reads both as text.
    let schema = format!(
        "{SCHEMA}DO $$ BEGIN\n  EXECUTE 'ALTER TABLE t ALTER COLUMN name TYPE int8[] USING NULL, ALTER COLUMN code TYPE int4 USING 0';\nEND $$;\n"
    );
    let project = Project::new("disagrees", &schema);

    let (code, stdout, stderr) = project.verify(Some(&db.connection_string()), &[]);

    assert_eq!(code, 1, "{stdout}{stderr}");
    // Paths as the config names them, relative to the folder sqlgen runs in; a query's line is
    // its annotation's.
    let file = "./a/query.sql";
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            format!("{file}:1: query `GetByName`: parameter $1 `name`: sqlgen says text, PostgreSQL says int8[]"),
            format!("{file}:1: query `GetByName`: column 2 `name`: sqlgen says text, PostgreSQL says int8[]"),
            format!("{file}:4: query `GetByCode`: parameter $1 `code`: sqlgen says text, PostgreSQL says int4"),
            format!("{file}:4: query `GetByCode`: column 2 `code`: sqlgen says text, PostgreSQL says int4"),
            format!("{file}:7: query `LowerCode`: PostgreSQL rejects it: function lower(integer) does not exist"),
        ],
        "{stderr}"
    );
    assert!(stderr.contains("warning[W0201]"), "{stderr}");
    assert!(
        stderr.ends_with("error: 5 disagreement(s) with PostgreSQL\n"),
        "{stderr}"
    );

    // One package alone: `b` only counts rows, which the change does not touch.
    let (code, stdout, stderr) = project.verify(Some(&db.connection_string()), &["--package", "b"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout, "verified 1 query: PostgreSQL agrees on every parameter and column type\n",
        "only the package asked for is verified and counted"
    );
    assert_eq!(scratch_databases(&db).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_migration_the_server_refuses_is_an_error_and_leaves_no_scratch_database() {
    let _serial = SERIAL.lock().await;
    let db = testsupport::fresh_db_from_sql(&[]).await;
    let schema = format!("{SCHEMA}DO $$ BEGIN RAISE EXCEPTION 'boom'; END $$;\n");
    let project = Project::new("refused", &schema);

    let (code, stdout, stderr) = project.verify(Some(&db.connection_string()), &[]);

    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert!(
        stderr.ends_with("error: migration ./schema.sql failed: boom\n"),
        "{stderr}"
    );
    assert_eq!(scratch_databases(&db).await, Vec::<String>::new());
}

#[test]
fn without_a_usable_database_url_verify_says_what_is_missing() {
    let project = Project::new("no-url", SCHEMA);

    let (code, _, stderr) = project.verify(None, &[]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "error: `sqlgen verify` needs DATABASE_URL (a server where it may create a scratch database)\n"
    );

    let (code, _, stderr) = project.verify(Some("port=notanumber"), &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: invalid DATABASE_URL: "),
        "{stderr}"
    );

    let (code, _, stderr) = project.verify(Some("host=/nonexistent-sqlgen-socket-dir"), &[]);
    assert_eq!(code, 2);
    assert!(stderr.starts_with("error: cannot connect: "), "{stderr}");

    let (code, _, stderr) = project.verify(Some("host=/tmp"), &["--package", "nope"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: no package named `nope` in "),
        "{stderr}"
    );
}

const DYNAMIC_QUERIES: &str = "\
-- name: PageT :many
-- sqlgen: sort name
-- sqlgen: keyset id
SELECT id, name, code FROM t
WHERE name IS NOT NULL
  AND code = @code -- sqlgen: optional
  AND id > @min_id -- sqlgen: optional
;

-- name: FilterT :many
SELECT id FROM t
WHERE code = @code -- sqlgen: optional
;

-- name: SortT :many
-- sqlgen: sort code
SELECT id, code FROM t;
";

/// `describe` lists every shape of a dynamic query with its SQL and parameters; `verify` prepares
/// each, and names the shape of a disagreement.
#[tokio::test]
async fn describe_and_verify_cover_every_shape_of_a_dynamic_query() {
    let _serial = SERIAL.lock().await;
    let db = testsupport::fresh_db_from_sql(&[]).await;
    let schema = "CREATE TABLE t (id int4 PRIMARY KEY, name text NOT NULL, code text);\n";
    let project = Project::with_queries("dynamic", schema, DYNAMIC_QUERIES);

    let (code, stdout, stderr) = project.sqlgen(&["describe"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let shapes = doc["queries"]["PageT"]["shapes"].as_array().unwrap();
    // 4 combinations of conditions, 1 key, 2 directions, with and without a cursor.
    assert_eq!(shapes.len(), 16);
    assert_eq!(shapes[0]["shape"], "no optional condition; sort name asc");
    assert_eq!(
        shapes[0]["params"].as_array().unwrap().len(),
        1,
        "the limit"
    );
    let last = &shapes[15];
    assert_eq!(
        last["shape"],
        "with code, min_id; sort name desc; after a cursor"
    );
    let names: Vec<&str> = last["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["code", "min_id", "name", "id", "limit"]);
    assert!(last["sql"]
        .as_str()
        .unwrap()
        .contains("WHERE (name, id) < ($3, $4)"));

    let (code, stdout, stderr) = project.verify(Some(&db.connection_string()), &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout,
        "verified 4 queries: PostgreSQL agrees on every parameter and column type\n"
    );

    // The server's `code` is an integer: only the shapes that send the condition disagree.
    let schema = format!(
        "{schema}DO $$ BEGIN\n  EXECUTE 'ALTER TABLE t ALTER COLUMN code TYPE int4 USING 0';\nEND $$;\n"
    );
    let project = Project::with_queries("dynamic-disagrees", &schema, DYNAMIC_QUERIES);
    let (code, stdout, stderr) = project.verify(Some(&db.connection_string()), &[]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let lines: Vec<&str> = stdout.lines().filter(|l| l.contains("parameter")).collect();
    // PageT's 8 shapes with `code` (2 directions, 2 pages, 2 for `min_id`), FilterT's one; SortT's
    // column `code` now differs in all its shapes.
    assert_eq!(lines.len(), 9, "{stdout}");
    assert!(lines.iter().all(|l| l.contains("with code")), "{stdout}");
    assert!(
        stdout.contains("./a/query.sql:1: query `PageT` (with code; sort name asc): parameter $1 `code`: sqlgen says text, PostgreSQL says int4"),
        "{stdout}"
    );
}
