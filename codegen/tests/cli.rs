//! The `sqlgen` binary: exit codes (0 success with warnings allowed, 1 diagnostics, 2 usage or IO),
//! every error of every package in one run, `--deny-warnings`, no colour off a terminal, and a run
//! that writes all or nothing and never touches a hand-written file.

use std::path::PathBuf;
use std::process::Output;

const SCHEMA: &str = "CREATE TABLE t (id int4 PRIMARY KEY, name text);\n";
const GOOD: &str = "-- name: GetT :one\nSELECT id, name FROM t WHERE id = $1;\n";

/// A two-package project in a fresh folder: `a` and `b`, each with its own queries and `out`.
struct Project(PathBuf);

impl Project {
    fn new(name: &str, a_query: &str, b_query: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sqlgen-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["a", "b"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        std::fs::write(dir.join("schema.sql"), SCHEMA).unwrap();
        std::fs::write(dir.join("a/query.sql"), a_query).unwrap();
        std::fs::write(dir.join("b/query.sql"), b_query).unwrap();
        std::fs::write(
            dir.join("sqlgen.yaml"),
            "version: \"2\"\nsql:\n  - name: a\n    engine: postgresql\n    schema: schema.sql\n    queries: a\n    gen:\n      rust:\n        out: a/db\n  - name: b\n    engine: postgresql\n    schema: schema.sql\n    queries: b\n    gen:\n      rust:\n        out: b/db\n",
        )
        .unwrap();
        Project(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    fn sqlgen(&self, args: &[&str]) -> (i32, String, String) {
        let out: Output = std::process::Command::new(env!("CARGO_BIN_EXE_sqlgen"))
            .args(args)
            .current_dir(&self.0)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Every file under `out` folders with its content, to compare before and after a run.
    fn outputs(&self) -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        for sub in ["a/db", "b/db"] {
            if let Ok(entries) = std::fs::read_dir(self.path(sub)) {
                for e in entries {
                    let p = e.unwrap().path();
                    out.push((p.clone(), std::fs::read_to_string(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn success_is_0_and_check_is_clean_after_generate() {
    let p = Project::new("ok", GOOD, GOOD);
    let (code, stdout, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("wrote"), "{stdout}");
    assert!(p.path("a/db/query.rs").is_file());
    let (code, stdout, stderr) = p.sqlgen(&["check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("up to date"), "{stdout}");
    // No temporary files are left next to the generated ones.
    assert!(p
        .outputs()
        .iter()
        .all(|(path, _)| path.extension().is_some_and(|e| e == "rs")));
}

#[test]
fn diagnostics_are_1_and_every_error_of_every_package_is_reported() {
    let p = Project::new(
        "errors",
        "-- name: BadColumn :many\nSELECT nmae FROM t;\n\n-- name: Good :one\nSELECT id FROM t WHERE id = $1;\n\n-- name: BadTable :many\nSELECT id FROM tt;\n",
        GOOD,
    );
    p.write(
        "a/more.sql",
        "-- name: BadSyntax :many\nSELECT id FROM t WHERE;\n",
    );
    p.write("b/query.sql", "-- name: BadType :one\nSELECT $1::txet;\n");
    let (code, stdout, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 1, "{stderr}");
    for expected in [
        "error[E0303]: column `nmae` does not exist",
        "error[E0301]: relation `tt` does not exist",
        "error[E0101]: syntax error",
        "error[E0206]: type `txet` does not exist",
        "error: aborting due to 4 previous errors",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    // Paths are relative to the config, and stderr is not a terminal: no colour.
    assert!(stderr.contains("--> a/query.sql:2:8"), "{stderr}");
    assert!(stderr.contains("--> a/more.sql:2:23"), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr}");
    assert!(!stderr.contains(&p.0.display().to_string()), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(p.outputs().is_empty(), "nothing is written");
}

#[test]
fn warnings_are_0_unless_denied() {
    let p = Project::new("warnings", GOOD, GOOD);
    p.write("a/empty.sql", "-- nothing yet\n");
    let (code, _, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning[W0101]: query file `a/empty.sql` holds no queries"),
        "{stderr}"
    );
    assert!(!stderr.contains("aborting"), "{stderr}");
    let before = p.outputs();
    p.write(
        "a/query.sql",
        "-- name: Renamed :one\nSELECT id FROM t WHERE id = $1;\n",
    );
    let (code, _, stderr) = p.sqlgen(&["generate", "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("error[W0101]"), "{stderr}");
    assert!(
        stderr.contains("warnings are errors (`--deny-warnings`)"),
        "{stderr}"
    );
    assert_eq!(p.outputs(), before, "a denied warning writes nothing");
    let (code, _, stderr) = p.sqlgen(&["check", "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn usage_and_io_problems_are_2() {
    let p = Project::new("usage", GOOD, GOOD);
    let (code, _, stderr) = p.sqlgen(&["generate", "--config", "nope.yaml"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("cannot read config `nope.yaml`"),
        "{stderr}"
    );
    let (code, _, stderr) = p.sqlgen(&["generate", "--package", "c"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no package named `c`"), "{stderr}");
    let (code, _, _) = p.sqlgen(&["generate", "--no-such-flag"]);
    assert_eq!(code, 2);
    let (code, _, _) = p.sqlgen(&["frobnicate"]);
    assert_eq!(code, 2);
    // An input that cannot be read at all: a query file that is a dangling link.
    std::os::unix::fs::symlink("gone.sql", p.path("b/broken.sql")).unwrap();
    let (code, _, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[E0001]: cannot read `b/broken.sql`"),
        "{stderr}"
    );
    assert!(p.outputs().is_empty());
    // A named pipe is not read (reading it would wait for a writer forever).
    let made = std::process::Command::new("mkfifo")
        .arg(p.path("a/pipe.sql"))
        .status()
        .unwrap();
    assert!(made.success());
    let (code, _, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error[E0001]: cannot read `a/pipe.sql`: not a regular file"),
        "{stderr}"
    );
}

#[test]
fn a_broken_package_writes_nothing_for_any_package() {
    let p = Project::new("all-or-nothing", GOOD, GOOD);
    assert_eq!(p.sqlgen(&["generate"]).0, 0);
    let before = p.outputs();
    assert!(!before.is_empty());
    // Package a changes and still works; package b breaks. Neither `out` may change.
    p.write(
        "a/query.sql",
        "-- name: Renamed :one\nSELECT id FROM t WHERE id = $1;\n",
    );
    p.write("b/query.sql", "-- name: Broken :one\nSELECT nmae FROM t;\n");
    let (code, _, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(p.outputs(), before);
    // Only package a: its own problems count, so it generates.
    let (code, _, stderr) = p.sqlgen(&["generate", "--package", "a"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(p.path("a/db/query.rs"))
        .unwrap()
        .contains("renamed"));
}

#[test]
fn hand_written_files_in_out_are_never_touched() {
    let p = Project::new("hand-written", GOOD, GOOD);
    assert_eq!(p.sqlgen(&["generate"]).0, 0);
    let notes = "// Notes kept next to the generated code.\n";
    p.write("a/db/notes.rs", notes);
    // A generated file that is no longer generated (it has the banner) is removed.
    let banner = std::fs::read_to_string(p.path("a/db/query.rs")).unwrap();
    p.write("a/db/old_queries.rs", &banner);
    let (code, stdout, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("removed"), "{stdout}");
    assert!(!p.path("a/db/old_queries.rs").exists());
    assert_eq!(
        std::fs::read_to_string(p.path("a/db/notes.rs")).unwrap(),
        notes
    );
    // A hand-written file where a generated one goes stops the whole run before anything is written.
    p.write("b/db/query.rs", notes);
    p.write(
        "a/query.sql",
        "-- name: Renamed :one\nSELECT id FROM t WHERE id = $1;\n",
    );
    let before = p.outputs();
    let (code, _, stderr) = p.sqlgen(&["generate"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("b/db/query.rs` was not generated by sqlgen"),
        "{stderr}"
    );
    assert_eq!(p.outputs(), before);
}

/// A schema statement that fails is a located error; the queries that do not use what it defines
/// are still analysed and listed by `describe`, every other query is under `failures` with its
/// error, and `generate` writes nothing.
#[test]
fn describe_reports_every_query_when_the_schema_has_errors() {
    let p = Project::new(
        "describe-schema-errors",
        "-- name: GetT :one\nSELECT id, name FROM t WHERE id = $1;\n-- name: GetBroken :one\nSELECT id FROM broken;\n-- name: Bad :one\nSELECT nope FROM t;\n",
        GOOD,
    );
    p.write(
        "schema.sql",
        "CREATE TABLE t (id int4 PRIMARY KEY, name text);\nCREATE TABLE broken (id int4, x no_such_type);\n",
    );
    let (code, stdout, _) = p.sqlgen(&["describe", "--config", "sqlgen.yaml"]);
    assert_eq!(code, 1, "{stdout}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(doc["queries"]["GetT"]["columns"].is_array(), "{stdout}");
    assert!(doc["failures"]["GetBroken"]["error"]
        .as_str()
        .unwrap()
        .contains("relation `broken` does not exist"));
    assert!(doc["failures"]["Bad"]["error"]
        .as_str()
        .unwrap()
        .contains("column `nope` does not exist"));
    assert!(doc["failures"]["schema"]["error"]
        .as_str()
        .unwrap()
        .contains("no_such_type"));
    let (code, _, _) = p.sqlgen(&["generate", "--config", "sqlgen.yaml"]);
    assert_eq!(code, 1);
    assert!(!p.path("a/db").exists() && !p.path("b/db").exists());
}
