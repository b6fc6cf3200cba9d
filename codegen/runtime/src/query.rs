//! What every generated query function does, written once: prepare through the connection's
//! statement cache, run, and decode rows with [`FromRow`] (`:one`, `:opt`, `:many`, `:exec`,
//! `:execrows`), so that a generated function is one call.

use tokio_postgres::types::FromSql;
use tokio_postgres::{Row, Statement};

use crate::{Error, GenericClient, Params, Result};

/// A value decoded from a row by position: generated models and row structs (their columns in
/// order), and any single column type (`i64`, `Option<String>`, an enum), read from column 0.
pub trait FromRow: Sized {
    fn from_row(row: &Row) -> std::result::Result<Self, tokio_postgres::Error>;
}

impl<T: for<'a> FromSql<'a>> FromRow for T {
    fn from_row(row: &Row) -> std::result::Result<Self, tokio_postgres::Error> {
        row.try_get(0)
    }
}

/// `:one`: the only row, decoded; no row is [`Error::NotFound`], more than one an error.
pub async fn one<T: FromRow>(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<T> {
    let stmt = client.prepare_cached(sql).await?;
    one_prepared(client, &stmt, params).await
}

/// `:opt`: the only row, decoded, if there is one; more than one is an error.
pub async fn opt<T: FromRow>(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<Option<T>> {
    let stmt = client.prepare_cached(sql).await?;
    let row = client.query_opt(&stmt, params).await?;
    Ok(row.as_ref().map(T::from_row).transpose()?)
}

/// `:many`: every row, decoded.
pub async fn many<T: FromRow>(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<Vec<T>> {
    let stmt = client.prepare_cached(sql).await?;
    many_prepared(client, &stmt, params).await
}

/// `:exec`: runs the statement.
pub async fn exec(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<()> {
    let stmt = client.prepare_cached(sql).await?;
    client.execute(&stmt, params).await?;
    Ok(())
}

/// `:execrows`: runs the statement and returns the number of rows it affected.
pub async fn exec_rows(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<u64> {
    let stmt = client.prepare_cached(sql).await?;
    Ok(client.execute(&stmt, params).await?)
}

/// [`one`] on a statement already prepared (one item of a `:batchone`).
pub async fn one_prepared<T: FromRow>(
    client: &impl GenericClient,
    stmt: &Statement,
    params: &Params<'_>,
) -> Result<T> {
    let row = client.query_opt(stmt, params).await?;
    let row = row.ok_or(Error::NotFound)?;
    Ok(T::from_row(&row)?)
}

/// [`many`] on a statement already prepared (one item of a `:batchmany`).
pub async fn many_prepared<T: FromRow>(
    client: &impl GenericClient,
    stmt: &Statement,
    params: &Params<'_>,
) -> Result<Vec<T>> {
    let rows = client.query(stmt, params).await?;
    Ok(rows
        .iter()
        .map(T::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

/// [`exec`] on a statement already prepared (one item of a `:batchexec`).
pub async fn exec_prepared(
    client: &impl GenericClient,
    stmt: &Statement,
    params: &Params<'_>,
) -> Result<()> {
    client.execute(stmt, params).await?;
    Ok(())
}
