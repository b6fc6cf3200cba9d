//! Generates sqlc's example projects and our own `overrides` example at build time: each is copied
//! into OUT_DIR (sqlc's from `../shared/sqlc-examples`, which the repository does not hold), generated
//! there from its own sqlc config, and declared as a module of this crate (`src/lib.rs`).
//! A missing `../shared`, a generation error or an unexpected output folder fails the build.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "scratch.rs"]
mod scratch;

use scratch::{copy_dir, generate_package};

/// Example, where its folder is, its config file (as sqlc ships it) and its Rust output folder.
const EXAMPLES: &[(&str, Origin, &str, &str)] = &[
    ("authors", Origin::Sqlc, "sqlc.yaml", "postgresql/rust"),
    ("batch", Origin::Sqlc, "sqlc.json", "postgresql/rust"),
    ("booktest", Origin::Sqlc, "sqlc.json", "postgresql/rust"),
    ("ondeck", Origin::Sqlc, "sqlc.json", "postgresql/rust"),
    ("jets", Origin::Sqlc, "sqlc.json", "postgresql/rust"),
    ("overrides", Origin::Here, "sqlc.yaml", "rust"),
];

#[derive(Clone, Copy)]
enum Origin {
    /// `../shared/sqlc-examples/<name>`: sqlc's example, unmodified.
    Sqlc,
    /// `<this crate>/<name>`: written here.
    Here,
}

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../../shared/sqlc-examples");
    let shared = shared.canonicalize().unwrap_or_else(|e| {
        panic!(
            "sqlc's example projects are read from {} ({e}); CI always has `../shared` beside the repository",
            shared.display()
        )
    });
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=scratch.rs");
    println!("cargo::rerun-if-changed={}", shared.display());
    println!("cargo::rustc-env=SQLC_EXAMPLES={}", shared.display());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("examples");
    let mut modules = String::new();
    for &(name, origin, config, rust_out) in EXAMPLES {
        let from = match origin {
            Origin::Sqlc => shared.join(name),
            Origin::Here => {
                println!("cargo::rerun-if-changed={name}");
                manifest.join(name)
            }
        };
        let work = out.join(name);
        let _ = std::fs::remove_dir_all(&work);
        copy_dir(&from, &work);
        let module = generate(name, &work.join(config), &work.join(rust_out));
        let _ = writeln!(modules, "#[path = {:?}]\npub mod {name};", module.display());
    }
    std::fs::write(out.join("modules.rs"), modules).unwrap();
}

/// Generates the one PostgreSQL package of `config` into `rust_out` and returns its `mod.rs`.
fn generate(name: &str, config: &Path, rust_out: &Path) -> PathBuf {
    let pkg = generate_package(name, config, rust_out);
    codegen::write::write_package(&pkg, false)
        .unwrap_or_else(|e| panic!("{name}: writing {}: {e}", rust_out.display()));
    rust_out.join("mod.rs")
}
