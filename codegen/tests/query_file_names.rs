//! Query file names that give no module, or one module for two files, and output options that
//! are not file names or module paths: located errors, all of them in one run of `sqlgen
//! generate`, and nothing written anywhere. The projects are made in a temporary folder, as two
//! file names that differ only in case cannot be committed for every file system.
//! (`fixtures/query_file_names_made_modules` has the names that do make modules, compiled.)

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh project folder inside a fresh parent, so that a file written beside it shows too.
fn project(name: &str, config: &str, queries: &[(&str, &str)]) -> PathBuf {
    let parent = std::env::temp_dir().join(format!("sqlgen-names-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&parent);
    let dir = parent.join("project");
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    std::fs::write(
        dir.join("schema.sql"),
        "CREATE TABLE t (id int PRIMARY KEY, name text);\n",
    )
    .unwrap();
    for (file, query) in queries {
        std::fs::write(
            dir.join("queries").join(file),
            format!("-- name: {query} :one\nSELECT id, name FROM t WHERE id = $1;\n"),
        )
        .unwrap();
    }
    std::fs::write(dir.join("sqlgen.yaml"), config).unwrap();
    dir
}

/// Every path below `dir`, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            out.extend(tree(&path));
        }
        out.push(path);
    }
    out.sort();
    out
}

/// Runs `sqlgen generate` in `dir`: it must fail with exit code 1 and write nothing, in the project
/// or beside it. Returns what it printed.
fn generate_fails(dir: &Path) -> String {
    let parent = dir.parent().unwrap();
    let before = tree(parent);
    let out = Command::new(env!("CARGO_BIN_EXE_sqlgen"))
        .arg("generate")
        .current_dir(dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(tree(parent), before, "nothing is written");
    let _ = std::fs::remove_dir_all(parent);
    stderr
}

const PACKAGE: &str = "version: \"2\"\nsql:\n  - name: names\n    engine: postgresql\n    schema: schema.sql\n    queries: queries\n    gen:\n      rust:\n        out: db\n";

#[test]
fn query_files_without_a_distinct_module_are_located_errors() {
    let config = format!(
        "{PACKAGE}  - name: twice\n    engine: postgresql\n    schema: schema.sql\n    queries: [queries/ok.sql, queries/ok.sql]\n    gen:\n      rust:\n        out: twice\n"
    );
    let dir = project(
        "modules",
        &config,
        &[
            ("ok.sql", "Ok"),
            ("café.sql", "Cafe"),
            ("-.sql", "Dash"),
            ("Users.sql", "GetUserUpper"),
            ("users.sql", "GetUserLower"),
            ("user-list.sql", "ListUsersHyphen"),
            ("user_list.sql", "ListUsersUnderscore"),
            ("type.sql", "GetType"),
            ("type_.sql", "GetTypeUnderscore"),
        ],
    );
    insta::assert_snapshot!("query_file_names", generate_fails(&dir));
}

#[test]
fn output_names_that_leave_the_folder_are_located_errors() {
    let config = "version: \"2\"\nsql:\n  - name: names\n    engine: postgresql\n    schema: schema.sql\n    queries: queries\n    gen:\n      rust:\n        out: db\n        output_models_file_name: ../models.rs\n        output_files_suffix: /../../x\n        module_path: \"crate::db::\"\n";
    let dir = project("options", config, &[("users.sql", "GetUser")]);
    insta::assert_snapshot!("output_names", generate_fails(&dir));
}

#[test]
fn a_sqlc_configs_go_file_names_are_checked_as_rust_ones() {
    let parent = std::env::temp_dir().join(format!("sqlgen-names-sqlc-{}", std::process::id()));
    let dir = project("sqlc", "", &[("users.sql", "GetUser")]);
    std::fs::remove_file(dir.join("sqlgen.yaml")).unwrap();
    std::fs::write(
        dir.join("sqlc.yaml"),
        "version: \"2\"\nsql:\n  - engine: postgresql\n    schema: schema.sql\n    queries: queries\n    gen:\n      go:\n        package: db\n        out: db\n        output_models_file_name: ../../models.go\n        output_files_suffix: \"_gen/...go\"\n",
    )
    .unwrap();
    assert_eq!(dir.parent().unwrap(), parent);
    insta::assert_snapshot!("sqlc_output_names", generate_fails(&dir));
}
