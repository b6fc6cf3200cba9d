//! `overrides`: every spelling of a type is one key, and a domain's name selects its columns only.

use std::path::PathBuf;

const SCHEMA: &str = "CREATE DOMAIN stamp AS timestamptz;\nCREATE TABLE events (\n    id int PRIMARY KEY,\n    created_at timestamptz NOT NULL,\n    due stamp\n);\n";
const QUERY: &str = "-- name: ListEvents :many\nSELECT * FROM events;\n";

/// The generated `Event` model for an override of `db_type` (written as a YAML scalar).
fn model_with_override(db_type: &str) -> String {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "sqlgen-overrides-{}-{}",
        std::process::id(),
        db_type.replace([' ', '.', '(', ')', '"'], "_")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("schema.sql"), SCHEMA).unwrap();
    std::fs::write(dir.join("query.sql"), QUERY).unwrap();
    let config = format!(
        "version: \"2\"\nsql:\n  - name: p\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n        overrides:\n          - db_type: {db_type}\n            rust_type: std::time::SystemTime\n"
    );
    std::fs::write(dir.join("sqlgen.yaml"), config).unwrap();
    let mut project = codegen::load(&dir.join("sqlgen.yaml"));
    let generated = project.generate(None);
    assert_eq!(project.render_diagnostics(), "", "{db_type}");
    let models = generated[0]
        .files
        .iter()
        .find(|f| f.name == "models.rs")
        .unwrap()
        .content
        .clone();
    let _ = std::fs::remove_dir_all(&dir);
    let start = models.find("pub struct Event").unwrap();
    models[start..]
        .lines()
        .take(5)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_spelling_of_a_type_is_one_key() {
    let expected = "pub struct Event {\n    pub id: i32,\n    pub created_at: std::time::SystemTime,\n    pub due: Option<std::time::SystemTime>,\n}";
    for spelling in [
        "timestamptz",
        "timestamp with time zone",
        "pg_catalog.timestamptz",
        "TIMESTAMP(3) WITH TIME ZONE",
        "\"timestamptz\"",
    ] {
        assert_eq!(model_with_override(spelling), expected, "{spelling}");
    }
}

#[test]
fn a_domain_name_selects_the_columns_declared_with_it() {
    assert_eq!(
        model_with_override("stamp"),
        "pub struct Event {\n    pub id: i32,\n    pub created_at: ::time::OffsetDateTime,\n    pub due: Option<std::time::SystemTime>,\n}"
    );
    assert_eq!(
        model_with_override("public.stamp"),
        model_with_override("stamp")
    );
}
