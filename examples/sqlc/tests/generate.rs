//! Each example generates from its unmodified sqlc config, in a copy, exactly the committed code;
//! the warnings say what sqlgen skipped.

use std::path::{Path, PathBuf};

/// Example folder, its config file (as sqlc ships them) and the Rust output folder.
const EXAMPLES: &[(&str, &str, &str)] = &[
    ("authors", "sqlc.yaml", "postgresql/rust"),
    ("batch", "sqlc.json", "postgresql/rust"),
    ("booktest", "sqlc.json", "postgresql/rust"),
    ("ondeck", "sqlc.json", "postgresql/rust"),
    ("jets", "sqlc.json", "postgresql/rust"),
    // sqlgen's own: `gen: rust:` in a sqlc config, with overrides.
    ("overrides", "sqlc.yaml", "rust"),
];

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// A copy of the example without its generated code, in a fresh temporary folder.
fn copy_example(name: &str) -> PathBuf {
    copy_example_without(name, "postgresql/rust")
}

fn copy_example_without(name: &str, out: &str) -> PathBuf {
    // Tests run in parallel and may copy the same example: one folder per copy.
    static COPIES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let work = std::env::temp_dir().join(format!(
        "sqlgen-sqlc-example-{}-{n}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&work);
    copy_dir(&examples_dir().join(name), &work);
    let _ = std::fs::remove_dir_all(work.join(out));
    work
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

#[test]
fn each_example_generates_the_committed_code_from_its_unmodified_config() {
    for (name, config, out) in EXAMPLES {
        let work = copy_example_without(name, out);
        let mut project = codegen::load(&work.join(config));
        let generated = project.generate(None);
        assert!(
            !project.has_errors(),
            "{name}: {}",
            project.render_diagnostics()
        );
        assert_eq!(generated.len(), 1, "{name}: one PostgreSQL package");
        let pkg = &generated[0];
        assert_eq!(pkg.out_dir, work.join(out), "{name}");
        let committed = examples_dir().join(name).join(out);
        let mut on_disk: Vec<String> = std::fs::read_dir(&committed)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut names: Vec<String> = pkg.files.iter().map(|f| f.name.clone()).collect();
        names.sort();
        assert_eq!(names, on_disk, "{name}: generated files");
        for f in &pkg.files {
            let old = std::fs::read_to_string(committed.join(&f.name)).unwrap();
            assert!(
                old == f.content,
                "{name}/{out}/{} is stale: run `cargo run -p codegen -- generate --file examples/sqlc/{name}/{config}` and commit it",
                f.name
            );
        }
        let _ = std::fs::remove_dir_all(&work);
    }
}

#[test]
fn warnings_name_the_skipped_packages_and_the_ignored_go_options() {
    let work = copy_example("authors");
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

    let work = copy_example("ondeck");
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
