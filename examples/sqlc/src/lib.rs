//! sqlc's example projects, as a sqlc user has them: each folder holds the example's unmodified
//! `sqlc.yaml`/`sqlc.json` and SQL, and the Rust code `sqlgen generate` writes from them into
//! `postgresql/rust/` (the rule for a package with Go options only: Rust beside the Go code).
//! `tests/generate.rs` regenerates each from a copy and compares; the other tests run the queries.
//! `overrides` is sqlgen's own example: a sqlc config whose `gen: rust:` maps columns to [`money`]'s types.

#[path = "../authors/postgresql/rust/mod.rs"]
pub mod authors;
#[path = "../batch/postgresql/rust/mod.rs"]
pub mod batch;
#[path = "../booktest/postgresql/rust/mod.rs"]
pub mod booktest;
#[path = "../jets/postgresql/rust/mod.rs"]
pub mod jets;
#[path = "../ondeck/postgresql/rust/mod.rs"]
pub mod ondeck;
#[path = "../overrides/rust/mod.rs"]
pub mod overrides;

pub mod money;
