//! The generated code of every fixture case that generates, compiled (see build.rs): a snapshot
//! that is not valid, warning-free Rust fails the workspace build and clippy.

include!(concat!(env!("OUT_DIR"), "/all.rs"));

/// Rust types that fixture cases name in `overrides`.
pub mod fixture_types {
    use postgres_types::{FromSql, ToSql};

    /// An amount in cents, stored as `bigint` (or a domain over it).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ToSql, FromSql)]
    #[postgres(transparent)]
    pub struct Cents(pub i64);

    /// A stock-keeping unit, stored as `text`.
    #[derive(Debug, Clone, PartialEq, Eq, Hash, ToSql, FromSql)]
    #[postgres(transparent)]
    pub struct Sku(pub String);
}
