//! Short names for the types generated code spells out in every signature, so that the code stays
//! readable and its layout simple: [`Result`], [`Params`], [`QueryFuture`] and [`CopyItems`].

use std::future::Future;

use tokio_postgres::types::{FromSql, ToSql, Type};
use tokio_postgres::Row;

use crate::Error;

/// The result of a generated query function.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The parameter values of one execution, in `$n` order, as tokio-postgres takes them.
pub type Params<'a> = [&'a (dyn ToSql + Sync)];

/// The future a method of a generated `Queries` trait returns: a query's [`Result`], `Send` so
/// that it can be awaited in spawned tasks.
pub trait QueryFuture<T>: Future<Output = Result<T>> + Send {}

impl<T, F: Future<Output = Result<T>> + Send> QueryFuture<T> for F {}

/// The items a `:copyfrom` query loads: anything that iterates over `T` and can be sent along
/// with its iterator.
pub trait CopyItems<T>: IntoIterator<Item = T, IntoIter: Send> + Send {}

impl<T, I: IntoIterator<Item = T, IntoIter: Send> + Send> CopyItems<T> for I {}

/// Decodes the columns of an embedded row (`sqlc.embed(t)`) under an outer join: `None` when the
/// column at `key`, one the table declares NOT NULL, is NULL (there was no row to join), else
/// `decode(row)`.
pub fn embedded<T>(
    row: &Row,
    key: usize,
    decode: fn(&Row) -> std::result::Result<T, tokio_postgres::Error>,
) -> std::result::Result<Option<T>, tokio_postgres::Error> {
    match row.try_get::<_, Option<AnyValue>>(key)? {
        None => Ok(None),
        Some(AnyValue) => decode(row).map(Some),
    }
}

/// Any non-NULL value, whatever its type; only its presence is read.
struct AnyValue;

impl<'a> FromSql<'a> for AnyValue {
    fn from_sql(
        _: &Type,
        _: &'a [u8],
    ) -> std::result::Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(AnyValue)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}
