//! Short names for the types generated code spells out in every signature, so that the code stays
//! readable and its layout simple: [`Result`], [`Params`], [`QueryFuture`] and [`CopyItems`].

use std::future::Future;

use tokio_postgres::types::ToSql;

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
