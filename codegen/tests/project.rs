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
