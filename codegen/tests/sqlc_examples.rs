//! sqlc's own example projects, read where they are kept (`../shared/sqlc-examples`, beside the
//! repository; they are sqlc's files, so the project holds none of them): each generates, and the
//! snapshot is the generated code. `examples/sqlc-check` compiles and runs the same projects
//! through their own configs; here each gets a config of ours, as a user porting it would write.

mod support;

use std::path::{Path, PathBuf};

/// The examples folder; its absence is a failure, not a skip.
fn examples() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/sqlc-examples");
    assert!(
        dir.is_dir(),
        "{} is missing: the sqlc examples are read from there",
        dir.display()
    );
    dir
}

/// Copies `files` (paths under the example's `postgresql` folder) into a scratch project with
/// `config`, generates, and returns every file written, or the diagnostics.
fn generate(example: &str, files: &[&str], config: &str) -> String {
    let from = examples().join(example).join("postgresql");
    let work = std::env::temp_dir().join(format!(
        "sqlgen-sqlc-example-{}-{example}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&work);
    for f in files {
        let to = work.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from.join(f), &to)
            .unwrap_or_else(|e| panic!("{}: {e}", from.join(f).display()));
    }
    std::fs::write(work.join("sqlgen.yaml"), config).unwrap();
    support::generate_and_render(&work)
}

fn config(schema: &str, queries: &str, extra: &str) -> String {
    format!(
        "version: \"2\"\nsql:\n  - name: example\n    engine: postgresql\n    schema: {schema}\n    queries: {queries}\n    gen:\n      rust:\n        out: out\n        omit_unused_structs: true\n{extra}"
    )
}

#[test]
fn authors() {
    let out = generate(
        "authors",
        &["schema.sql", "query.sql"],
        &config("schema.sql", "query.sql", ""),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn booktest() {
    let out = generate(
        "booktest",
        &["schema.sql", "query.sql"],
        &config("schema.sql", "query.sql", ""),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn jets() {
    let out = generate(
        "jets",
        &["schema.sql", "query-building.sql"],
        &config("schema.sql", "query-building.sql", ""),
    );
    insta::assert_snapshot!(out);
}

#[test]
fn ondeck() {
    // Several migrations (one an ALTER TABLE) and several query files, with JSON tags.
    let out = generate(
        "ondeck",
        &[
            "schema/0001_city.sql",
            "schema/0002_venue.sql",
            "schema/0003_add_column.sql",
            "query/city.sql",
            "query/venue.sql",
        ],
        &config("schema", "query", "        emit_json_tags: true\n"),
    );
    insta::assert_snapshot!(out);
}
