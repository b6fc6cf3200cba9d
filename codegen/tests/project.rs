//! Whole-project behaviour: per-package scoping of errors, and writing only what changed.

use std::path::PathBuf;

fn project_dir(name: &str, b_query: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlgen-project-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(
        dir.join("schema.sql"),
        "CREATE TABLE t (id int4 PRIMARY KEY, name text);\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("a/query.sql"),
        "-- name: GetT :one\nSELECT * FROM t WHERE id = $1;\n",
    )
    .unwrap();
    std::fs::write(dir.join("b/query.sql"), b_query).unwrap();
    std::fs::write(
        dir.join("sqlgen.yaml"),
        "version: \"2\"\nsql:\n  - name: a\n    engine: postgresql\n    schema: schema.sql\n    queries: a/query.sql\n    gen:\n      rust:\n        out: a/db\n  - name: b\n    engine: postgresql\n    schema: schema.sql\n    queries: b/query.sql\n    gen:\n      rust:\n        out: b/db\n",
    )
    .unwrap();
    dir
}

#[test]
fn one_packages_error_does_not_block_another_package() {
    let dir = project_dir("scoped", "-- name: Bad :one\nSELECT nosuch FROM t;\n");
    let mut project = codegen::load(&dir.join("sqlgen.yaml"));
    assert!(project.has_errors());
    assert!(project.diagnostics_of("a").is_empty());
    assert_eq!(project.diagnostics_of("b").len(), 1);
    let a = project.generate(Some("a"));
    assert_eq!(a.len(), 1, "package a still generates");
    assert!(project.generate(Some("b")).is_empty(), "package b does not");
    assert!(
        project.generate(None).is_empty(),
        "a whole run writes nothing when anything failed"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_writes_only_changed_files_and_check_writes_nothing() {
    let dir = project_dir("writes", "-- name: Names :many\nSELECT name FROM t;\n");
    let mut project = codegen::load(&dir.join("sqlgen.yaml"));
    let generated = project.generate(None);
    assert_eq!(generated.len(), 2);
    for pkg in &generated {
        let check = codegen::write::write_package(pkg, true).unwrap();
        assert!(!check.changed.is_empty());
        assert!(
            !pkg.out_dir.exists(),
            "check mode wrote {}",
            pkg.out_dir.display()
        );
        assert!(!codegen::write::write_package(pkg, false)
            .unwrap()
            .is_empty());
        assert!(
            codegen::write::write_package(pkg, false)
                .unwrap()
                .is_empty(),
            "second write changes nothing"
        );
        assert!(
            codegen::write::write_package(pkg, true).unwrap().is_empty(),
            "check is clean after generate"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_broken_schema_does_not_stop_another_package_or_hide_its_errors() {
    let dir = project_dir(
        "broken-schema",
        "-- name: One :one\nSELECT nmae FROM t;\n\n-- name: Two :many\nSELECT id FROM tt;\n",
    );
    // Package a gets its own schema, broken twice.
    std::fs::write(
        dir.join("a/schema.sql"),
        "CREATE TABLE t (id int4 PRIMARY KEY,, name text);\nCREATE TABLE u (x nosuchtype);\n",
    )
    .unwrap();
    let yaml = std::fs::read_to_string(dir.join("sqlgen.yaml"))
        .unwrap()
        .replacen("schema: schema.sql", "schema: a/schema.sql", 1);
    std::fs::write(dir.join("sqlgen.yaml"), yaml).unwrap();
    let project = codegen::load(&dir.join("sqlgen.yaml"));
    let report = project.render_diagnostics();
    for expected in [
        "--> a/schema.sql:1:37",
        "--> a/schema.sql:2:19",
        "error[E0303]: column `nmae` does not exist",
        "error[E0301]: relation `tt` does not exist",
    ] {
        assert!(
            report.contains(expected),
            "missing {expected:?} in:\n{report}"
        );
    }
    let b = project.package("b").unwrap();
    assert_eq!(b.failures.len(), 2, "both broken queries of b are reported");
    assert!(!project.package("a").unwrap().schema_errors.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_build_script_reports_one_line_per_rendered_line() {
    let dir = project_dir("build-lines", "-- name: Bad :one\nSELECT nosuch FROM t;\n");
    let lines = codegen::build::Builder::new(dir.join("sqlgen.yaml"), "b")
        .with_check(true)
        .run()
        .unwrap_err();
    // `run_build_script` prints each as `cargo::error=<line>`: none may hold a line break.
    assert!(lines.iter().all(|l| !l.contains('\n') && !l.contains('\r')));
    assert_eq!(lines[0], "error[E0303]: column `nosuch` does not exist");
    assert_eq!(lines[1], " --> b/query.sql:2:8");
    assert_eq!(lines[3], "2 | SELECT nosuch FROM t;");
    assert_eq!(
        lines.last().unwrap(),
        "error: aborting due to 1 previous error"
    );
    // Package a is not broken: its build passes (and, in check mode, writes nothing).
    let a = codegen::build::Builder::new(dir.join("sqlgen.yaml"), "a")
        .with_check(true)
        .run();
    assert!(
        a.is_err_and(|l| l[0].contains("stale")),
        "a's code was never generated, so it is stale"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
