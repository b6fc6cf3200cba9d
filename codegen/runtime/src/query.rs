//! What every generated query function does, written once: prepare through the connection's
//! statement cache, run, and decode rows with [`FromRow`] (`:one`, `:opt`, `:many`, `:exec`,
//! `:execrows`), so that a generated function is one call.

use tokio_postgres::types::{FromSql, Kind, Type};
use tokio_postgres::Row;

use crate::{Error, GenericClient, Params, Result};

/// A value decoded from a row's columns by position: generated models and row structs (their
/// fields from consecutive columns, a model embedded in a row taking as many as it has fields),
/// and any single column type (`i64`, `Option<String>`, an enum), which takes one column.
pub trait FromRow: Sized {
    /// Decodes `Self` from the next columns.
    fn decode(columns: &mut Columns<'_>) -> std::result::Result<Self, tokio_postgres::Error>;

    /// Decodes `Self` from a whole row, from its first column.
    fn from_row(row: &Row) -> std::result::Result<Self, tokio_postgres::Error> {
        Self::decode(&mut Columns::new(row))
    }
}

impl<T: for<'a> FromSql<'a>> FromRow for T {
    fn decode(columns: &mut Columns<'_>) -> std::result::Result<Self, tokio_postgres::Error> {
        columns.take()
    }
}

/// Implements [`FromRow`] for a struct whose fields decode from consecutive columns, in order:
/// `from_row!(User { id, email, name })` reads `id` from the first column, then `email`, then
/// `name`; a field whose type is a model (`sqlc.embed`) reads that model's columns.
/// Generated models and row structs decode this way.
#[macro_export]
macro_rules! from_row {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $crate::FromRow for $ty {
            #[allow(unused_variables)]
            fn decode(
                columns: &mut $crate::Columns<'_>,
            ) -> ::std::result::Result<Self, $crate::tokio_postgres::Error> {
                ::std::result::Result::Ok(Self {
                    $($field: $crate::FromRow::decode(columns)?,)*
                })
            }
        }
    };
}

/// Inside a params struct's `impl`, a `values()` method: the listed fields as a query's
/// parameter values, in that order (`$1` first). `impl GetUserParams<'_> { values!(id, email); }`
/// gives `fn values(&self) -> [&(dyn ToSql + Sync); 2]`, returning `[&self.id, &self.email]`.
#[macro_export]
macro_rules! values {
    ($($field:ident),* $(,)?) => {
        /// The parameter values, in `$n` order.
        pub fn values(
            &self,
        ) -> [&(dyn $crate::postgres_types::ToSql + ::std::marker::Sync); [$(stringify!($field)),*].len()] {
            [$(&self.$field),*]
        }
    };
}

/// A row's columns, read in order by [`FromRow::decode`].
pub struct Columns<'a> {
    row: &'a Row,
    next: usize,
}

impl<'a> Columns<'a> {
    pub fn new(row: &'a Row) -> Self {
        Columns { row, next: 0 }
    }

    /// The next column's value; an array of a domain is read as the array of its base type
    /// (`Vec<String>` for `label[]`) unless the Rust type takes the domain itself.
    pub fn take<T: FromSql<'a>>(&mut self) -> std::result::Result<T, tokio_postgres::Error> {
        let i = self.next;
        self.next += 1;
        match self.row.columns().get(i).map(|c| c.type_()) {
            Some(ty) if matches!(ty.kind(), Kind::Array(_)) && !T::accepts(ty) => self
                .row
                .try_get::<_, crate::domain::Based<T>>(i)
                .map(|b| b.0),
            _ => self.row.try_get(i),
        }
    }

    /// A model embedded under an outer join (`sqlc.embed(t)`), over the next `width` columns:
    /// `None` when the column at `key` among them, one the table declares NOT NULL, is NULL
    /// (no row was joined), else the model.
    pub fn embedded<T: FromRow>(
        &mut self,
        key: usize,
        width: usize,
    ) -> std::result::Result<Option<T>, tokio_postgres::Error> {
        if is_null(self.row, self.next + key)? {
            self.next += width;
            Ok(None)
        } else {
            T::decode(self).map(Some)
        }
    }
}

/// `:one`: the only row, decoded; no row is [`Error::NotFound`], more than one an error.
pub async fn one<T: FromRow>(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<T> {
    let row = client.query_opt_sql(sql, params).await?;
    let row = row.ok_or(Error::NotFound)?;
    Ok(T::from_row(&row)?)
}

/// `:opt`: the only row, decoded, if there is one; more than one is an error.
pub async fn opt<T: FromRow>(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<Option<T>> {
    let row = client.query_opt_sql(sql, params).await?;
    Ok(row.as_ref().map(T::from_row).transpose()?)
}

/// `:many`: every row, decoded.
pub async fn many<T: FromRow>(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<Vec<T>> {
    let rows = client.query_sql(sql, params).await?;
    Ok(rows
        .iter()
        .map(T::from_row)
        .collect::<std::result::Result<_, _>>()?)
}

/// `:exec`: runs the statement.
pub async fn exec(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<()> {
    client.execute_sql(sql, params).await?;
    Ok(())
}

/// `:execrows`: runs the statement and returns the number of rows it affected.
pub async fn exec_rows(
    client: &impl GenericClient,
    sql: &'static str,
    params: &Params<'_>,
) -> Result<u64> {
    Ok(client.execute_sql(sql, params).await?)
}

/// Whether the value at column `i` is NULL, whatever its type.
fn is_null(row: &Row, i: usize) -> std::result::Result<bool, tokio_postgres::Error> {
    Ok(row.try_get::<_, Option<AnyValue>>(i)?.is_none())
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
