//! Each example generates, from a fresh copy of its config and SQL, exactly the code the build
//! compiled (`build.rs`); the warnings say what sqlgen skipped.

use std::path::{Path, PathBuf};

#[path = "../scratch.rs"]
mod scratch;

use scratch::{copy_dir, generate_package};

/// Example, its folder, its config file (as sqlc ships it) and the Rust output folder.
const EXAMPLES: &[(&str, &str, &str, &str)] = &[
    (
        "authors",
        sqlc_check::SQLC_EXAMPLES,
        "sqlc.yaml",
        "postgresql/rust",
    ),
    (
        "batch",
        sqlc_check::SQLC_EXAMPLES,
        "sqlc.json",
        "postgresql/rust",
    ),
    (
        "booktest",
        sqlc_check::SQLC_EXAMPLES,
        "sqlc.json",
        "postgresql/rust",
    ),
    (
        "ondeck",
        sqlc_check::SQLC_EXAMPLES,
        "sqlc.json",
        "postgresql/rust",
    ),
    (
        "jets",
        sqlc_check::SQLC_EXAMPLES,
        "sqlc.json",
        "postgresql/rust",
    ),
    // Ours: `gen: rust:` in a sqlc config, with overrides.
    ("overrides", env!("CARGO_MANIFEST_DIR"), "sqlc.yaml", "rust"),
];

/// A copy of the example in a fresh temporary folder.
fn copy_example(name: &str, from: &str) -> PathBuf {
    // Tests run in parallel and may copy the same example: one folder per copy.
    static COPIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let work = std::env::temp_dir().join(format!(
        "sqlgen-sqlc-example-{}-{n}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&work);
    copy_dir(&Path::new(from).join(name), &work);
    work
}

#[test]
fn each_example_generates_the_compiled_code_from_its_config() {
    for (name, from, config, out) in EXAMPLES {
        let work = copy_example(name, from);
        let pkg = generate_package(name, &work.join(config), &work.join(out));
        let compiled = Path::new(sqlc_check::COPIES).join(name).join(out);
        let mut on_disk: Vec<String> = std::fs::read_dir(&compiled)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut names: Vec<String> = pkg.files.iter().map(|f| f.name.clone()).collect();
        names.sort();
        assert_eq!(names, on_disk, "{name}: generated files");
        for f in &pkg.files {
            let built = std::fs::read_to_string(compiled.join(&f.name)).unwrap();
            assert!(built == f.content, "{name}/{out}/{} differs", f.name);
        }
        let _ = std::fs::remove_dir_all(&work);
    }
}

#[test]
fn warnings_name_the_skipped_packages_and_the_ignored_go_options() {
    let work = copy_example("authors", sqlc_check::SQLC_EXAMPLES);
    let project = codegen::load(&work.join("sqlc.yaml"));
    let report = project.render_diagnostics();
    let warnings: Vec<&str> = report
        .lines()
        .filter(|l| l.starts_with("warning"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning[W0001]: package `postgresql`: Go-only options ignored: `sql_package`",
            "warning[W0001]: package `mysql` is skipped: its engine is `mysql`, and sqlgen generates PostgreSQL packages only",
            "warning[W0001]: package `sqlite` is skipped: its engine is `sqlite`, and sqlgen generates PostgreSQL packages only",
        ],
        "{report}"
    );
    assert!(
        report.contains("its Rust code goes to `postgresql/rust`, beside the Go code"),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&work);

    let work = copy_example("ondeck", sqlc_check::SQLC_EXAMPLES);
    let project = codegen::load(&work.join("sqlc.json"));
    let report = project.render_diagnostics();
    assert!(
        report.contains("warning[W0001]: package `ondeck`: Go-only options ignored: `build_tags`, `emit_interface`, `emit_prepared_queries`, `sql_package`"),
        "{report}"
    );
    // `emit_json_tags` is carried over, not ignored.
    let ondeck = project.package("ondeck").unwrap();
    assert!(ondeck.config.rust.emit_json_tags);
    let _ = std::fs::remove_dir_all(&work);
}
