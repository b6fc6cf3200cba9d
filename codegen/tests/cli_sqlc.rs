//! The `sqlgen` binary with sqlc configs: `--file`/`-f`, finding `sqlc.yaml` without a flag, and `init`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sqlgen(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sqlgen"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlgen-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("postgresql")).unwrap();
    std::fs::write(
        dir.join("postgresql/schema.sql"),
        "CREATE TABLE authors (id bigserial PRIMARY KEY, name text NOT NULL);\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("postgresql/query.sql"),
        "-- name: ListAuthors :many\nSELECT * FROM authors;\n",
    )
    .unwrap();
    dir
}

const SQLC_YAML: &str = "version: \"2\"\nsql:\n  - schema: postgresql/schema.sql\n    queries: postgresql/query.sql\n    engine: postgresql\n    gen:\n      go:\n        package: authors\n        out: postgresql\n        emit_interface: true\n";

#[test]
fn generate_finds_sqlc_yaml_without_a_flag() {
    let dir = fresh("auto");
    std::fs::write(dir.join("sqlc.yaml"), SQLC_YAML).unwrap();
    let out = sqlgen(&dir, &["generate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("package `authors`: Go-only options ignored: `emit_interface`"),
        "{stderr}"
    );
    let module = std::fs::read_to_string(dir.join("postgresql/rust/query.rs")).unwrap();
    assert!(module.contains("pub async fn list_authors"), "{module}");
    // Nothing changed: a second run writes nothing and `check` agrees.
    let again = sqlgen(&dir, &["generate"]);
    assert!(String::from_utf8_lossy(&again.stdout).is_empty());
    assert!(sqlgen(&dir, &["check"]).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn file_flag_and_its_short_form_take_a_sqlc_json_from_elsewhere() {
    let dir = fresh("flag");
    let json = r#"{"version": "1", "packages": [{"name": "authors", "path": "postgresql", "schema": "postgresql/schema.sql", "queries": "postgresql/query.sql", "engine": "postgresql"}]}"#;
    std::fs::write(dir.join("sqlc.json"), json).unwrap();
    let parent = dir.parent().unwrap();
    let file = dir.join("sqlc.json");
    let out = sqlgen(parent, &["generate", "--file", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("postgresql/rust/mod.rs").is_file());
    let check = sqlgen(parent, &["check", "-f", file.to_str().unwrap()]);
    assert!(check.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_any_config_generate_points_at_init() {
    let dir = std::env::temp_dir().join(format!("sqlgen-cli-{}-empty", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = sqlgen(&dir, &["generate"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("run `sqlgen init`"), "{stderr}");

    let init = sqlgen(&dir, &["init"]);
    assert!(init.status.success());
    let stdout = String::from_utf8_lossy(&init.stdout);
    let steps: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "next:")
        .skip(1)
        .collect();
    assert_eq!(steps.len(), 3, "{stdout}");
    assert!(
        steps[0].trim_start().starts_with("sqlgen generate"),
        "{stdout}"
    );
    assert!(sqlgen(&dir, &["generate"]).status.success());
    assert!(dir.join("src/db/authors.rs").is_file());
    assert_eq!(sqlgen(&dir, &["init"]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
