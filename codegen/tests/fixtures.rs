//! Fixture cases: each folder under `tests/fixtures/` holds `schema.sql` and `query.sql` (and optionally
//! its own `sqlgen.yaml`); the snapshot is the generated code, or the rendered diagnostics when the case
//! is rejected. Review changes with `cargo insta review`.

mod support;

use std::path::{Path, PathBuf};

#[test]
fn fixtures() {
    insta::glob!("fixtures/*/query.sql", |path| {
        let dir = path.parent().unwrap();
        insta::assert_snapshot!(run(dir));
    });
}

const DEFAULT_CONFIG: &str = "version: \"2\"\nsql:\n  - name: fixture\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n        omit_unused_structs: true\n";

/// Runs the generator on a copy of the case, so that paths in the output are short and stable.
fn run(case: &Path) -> String {
    let work = std::env::temp_dir().join(format!(
        "sqlgen-fixture-{}-{}",
        std::process::id(),
        case.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&work);
    copy_dir(case, &work);
    let config = work.join("sqlgen.yaml");
    if !config.exists() {
        std::fs::write(&config, DEFAULT_CONFIG).unwrap();
    }
    support::generate_and_render(&work)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p: PathBuf = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        // `x.sql.dangling` holds a link target that does not exist: the copy is a dangling link `x.sql`,
        // the unreadable file of the `error_unreadable_file` case (git would keep the link, but globs trip on it).
        if p.extension().is_some_and(|e| e == "dangling") {
            let link = std::fs::read_to_string(&p).unwrap();
            std::os::unix::fs::symlink(link.trim(), target.with_extension("")).unwrap();
        } else if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}
