//! Finding the migrations folder and reading the up-migration SQL out of it.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root: two levels above this crate (`services/testsupport`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| {
            panic!(
                "testsupport is not two levels below a workspace root: {}",
                manifest_dir.display()
            )
        })
        .to_path_buf()
}

/// `<workspace root>/db/migrations`, the folder [`crate::fresh_db`] builds from.
pub fn migrations_dir() -> PathBuf {
    workspace_root().join("db").join("migrations")
}

/// The up-migration SQL of every `*.sql` file in `dir`, one string per file, in
/// the order the migrations apply.
///
/// Files are taken in natural order (`9_x.sql` before `10_y.sql`, `*.down.sql` skipped) and
/// down sections of goose, dbmate, sql-migrate and tern are dropped, exactly as the generator
/// reads them, so tests run against the schema the code was generated from.
///
/// # Panics
///
/// If the folder or a file cannot be read: a test without its schema must fail
/// loudly, not run against an empty database.
pub fn migration_sql(dir: &Path) -> Vec<String> {
    // The generator's own reader: one definition of file order and of every tool's down section.
    let files = codegen::syntax::migration::schema_files(dir).unwrap_or_else(|error| {
        panic!("cannot read migrations folder `{}`: {error}", dir.display())
    });
    files
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path).unwrap_or_else(|error| {
                panic!("cannot read migration `{}`: {error}", path.display())
            });
            codegen::syntax::migration::up_sql(&text)
        })
        .collect()
}
