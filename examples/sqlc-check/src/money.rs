//! Newtypes the `overrides` example maps columns to; each implements `ToSql`/`FromSql` as its base type.

use postgres_types::{FromSql, ToSql};

/// An amount in cents: `bigint` columns and the `cents` domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, ToSql, FromSql)]
#[postgres(transparent)]
pub struct Cents(pub i64);

/// A stock-keeping unit, stored as `text`; parameters take it as `&str`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, ToSql, FromSql)]
#[postgres(transparent)]
pub struct Sku(pub String);
