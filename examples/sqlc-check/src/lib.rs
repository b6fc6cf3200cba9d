//! sqlc's example projects, as a sqlc user has them, and our own `overrides` example: `build.rs`
//! copies each into OUT_DIR (sqlc's from `../shared/sqlc-examples`), generates it there from its own
//! sqlc config, and declares the generated module here (a package with Go options only gets its
//! Rust code beside the Go code, `postgresql/rust/`). `tests/queries.rs` runs every query.
//! `overrides` is sqlgen's own example: a sqlc config whose `gen: rust:` maps columns to [`money`]'s types.

include!(concat!(env!("OUT_DIR"), "/examples/modules.rs"));

pub mod money;

/// The copies the build generated from, one folder per example (schemas for the tests).
pub const COPIES: &str = concat!(env!("OUT_DIR"), "/examples");

/// sqlc's example projects as they are kept beside the repository (`../shared/sqlc-examples`).
pub const SQLC_EXAMPLES: &str = env!("SQLC_EXAMPLES");
