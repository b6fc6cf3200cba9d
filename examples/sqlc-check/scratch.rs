//! An example in a scratch folder: its copy, and its one package generated there (shared by
//! `build.rs` and the tests).

use std::path::Path;

/// Copies `from` and everything below it to `to`; panics with the path on any failure.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for e in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}

/// The one PostgreSQL package `config` generates, whose output folder must be `rust_out`; panics
/// with the rendered diagnostics on any error.
pub fn generate_package(name: &str, config: &Path, rust_out: &Path) -> codegen::GeneratedPackage {
    let mut project = codegen::load(config);
    let mut generated = project.generate(None);
    assert!(
        !project.has_errors(),
        "{name}: {}",
        project.render_diagnostics()
    );
    assert_eq!(generated.len(), 1, "{name}: one PostgreSQL package");
    let pkg = generated.remove(0);
    assert_eq!(pkg.out_dir, rust_out, "{name}: Rust output folder");
    pkg
}
