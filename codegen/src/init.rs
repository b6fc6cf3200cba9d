//! `sqlgen init`: a starter `sqlgen.yaml`, a first migration and a first query file.

use std::path::{Path, PathBuf};

/// The files `sqlgen init` writes, relative to the project folder, with their content.
pub const STARTER_FILES: &[(&str, &str)] = &[
    (
        "sqlgen.yaml",
        r#"# sqlgen's config: sqlc's version 2 shape with a `rust` generator (see sqlgen's README).
version: "2"
sql:
  - name: app
    engine: postgresql
    schema: db/migrations      # migrations, read in order
    queries: db/queries        # annotated queries
    gen:
      rust:
        out: src/db            # the generated module; add `mod db;` to your crate
"#,
    ),
    (
        "db/migrations/0001_create_authors.sql",
        r#"-- The first migration. sqlgen reads every file of db/migrations in natural order.
CREATE TABLE authors (
    id   bigserial PRIMARY KEY,
    name text NOT NULL,
    bio  text
);
"#,
    ),
    (
        "db/queries/authors.sql",
        r#"-- name: GetAuthor :one
SELECT * FROM authors WHERE id = $1;

-- name: ListAuthors :many
SELECT * FROM authors ORDER BY name;

-- name: CreateAuthor :one
INSERT INTO authors (name, bio) VALUES ($1, $2) RETURNING *;

-- name: DeleteAuthor :exec
DELETE FROM authors WHERE id = $1;
"#,
    ),
];

/// What to run after `sqlgen init`.
pub const NEXT_STEPS: &[&str] = &[
    "sqlgen generate                            # writes src/db/ from db/migrations and db/queries",
    "DATABASE_URL=postgres://... sqlgen verify  # PostgreSQL checks every inferred type",
    "cargo build                                # after `mod db;` and the dependencies (README: \"PostgreSQL to Rust\")",
];

/// Why `sqlgen init` wrote nothing.
#[derive(Debug)]
pub enum InitError {
    /// These starter files exist already; nothing was written.
    Exists(Vec<PathBuf>),
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::Exists(paths) => {
                let list: Vec<String> =
                    paths.iter().map(|p| format!("`{}`", p.display())).collect();
                let verb = if paths.len() == 1 { "exists" } else { "exist" };
                write!(
                    f,
                    "{} already {verb}; `sqlgen init` overwrites nothing and wrote nothing",
                    list.join(", ")
                )
            }
            InitError::Io(p, e) => write!(f, "cannot write `{}`: {e}", p.display()),
        }
    }
}

impl std::error::Error for InitError {}

/// Writes the starter files into `dir`, or nothing when any of them exists.
pub fn write_starter(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    let existing: Vec<PathBuf> = STARTER_FILES
        .iter()
        .map(|(rel, _)| PathBuf::from(rel))
        .filter(|rel| dir.join(rel).exists())
        .collect();
    if !existing.is_empty() {
        return Err(InitError::Exists(existing));
    }
    let mut written = Vec::new();
    for (rel, content) in STARTER_FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| InitError::Io(path.clone(), e))?;
        }
        std::fs::write(&path, content).map_err(|e| InitError::Io(path.clone(), e))?;
        written.push(PathBuf::from(rel));
    }
    Ok(written)
}
