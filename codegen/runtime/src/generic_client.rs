//! `GenericClient`: what generated query functions need from a connection, and its implementations.

use std::future::Future;

use bytes::Bytes;
use tokio_postgres::types::ToSql;
use tokio_postgres::{CopyInSink, Row, Statement};

use crate::client::{Client, Transaction};

/// Something that runs prepared statements and keeps a per-connection statement
/// cache: a [`Client`], a [`Transaction`], or with the `deadpool` feature a pooled
/// `deadpool_postgres` connection or transaction.
///
/// [`tokio_postgres::Client`] is deliberately not one: it has nowhere to keep
/// statements, so every call would prepare again; wrap it in [`Client`].
///
/// Every future is `Send` so that generated code can be awaited inside spawned
/// tasks and web handlers.
///
/// With this trait in scope, `client.query(..)` on a [`Client`] is this trait's
/// method, which takes a prepared [`Statement`]; tokio-postgres's own
/// `query("SQL text", ..)` is then reached as `(*client).query(..)`.
pub trait GenericClient: Sync {
    /// Returns the statement for `sql`, preparing it only the first time this
    /// connection sees that text.
    fn prepare_cached(
        &self,
        sql: &'static str,
    ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send;

    /// Runs `stmt` and returns every row.
    fn query(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send;

    /// Runs `stmt` and returns its only row, if any; more than one row is an error.
    fn query_opt(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send;

    /// Runs `stmt` and returns the number of rows it affected.
    fn execute(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send;

    /// Starts `stmt`, a `COPY ... FROM STDIN`, and returns the sink its data goes
    /// to; `:copyfrom` queries wrap it in a `BinaryCopyInWriter`.
    fn copy_in(
        &self,
        stmt: &Statement,
    ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send;
}

// The bodies name the tokio-postgres method by its full path: through `Deref`, a
// plain `self.query(..)` would resolve to this trait's own method and recurse.

impl GenericClient for Client {
    fn prepare_cached(
        &self,
        sql: &'static str,
    ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send {
        self.cache().prepare(self, sql)
    }

    fn query(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::query(self, stmt, params)
    }

    fn query_opt(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::query_opt(self, stmt, params)
    }

    fn execute(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::execute(self, stmt, params)
    }

    fn copy_in(
        &self,
        stmt: &Statement,
    ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::copy_in(self, stmt)
    }
}

impl GenericClient for Transaction<'_> {
    fn prepare_cached(
        &self,
        sql: &'static str,
    ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send {
        self.cache().prepare(self.client(), sql)
    }

    fn query(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
        tokio_postgres::Transaction::query(self, stmt, params)
    }

    fn query_opt(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
        tokio_postgres::Transaction::query_opt(self, stmt, params)
    }

    fn execute(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
        tokio_postgres::Transaction::execute(self, stmt, params)
    }

    fn copy_in(
        &self,
        stmt: &Statement,
    ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send {
        tokio_postgres::Transaction::copy_in(self, stmt)
    }
}

/// Implements [`GenericClient`] for the deadpool-postgres types, which bring their
/// own per-connection cache: `prepare_cached` is theirs, the rest is the wrapped
/// tokio-postgres client or transaction (`$pg`), reached through `Deref`.
#[cfg(feature = "deadpool")]
macro_rules! deadpool_generic_client {
    ($ty:ty, $pg:ty) => {
        impl GenericClient for $ty {
            fn prepare_cached(
                &self,
                sql: &'static str,
            ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send {
                <$ty>::prepare_cached(self, sql)
            }

            fn query(
                &self,
                stmt: &Statement,
                params: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
                <$pg>::query(self, stmt, params)
            }

            fn query_opt(
                &self,
                stmt: &Statement,
                params: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
                <$pg>::query_opt(self, stmt, params)
            }

            fn execute(
                &self,
                stmt: &Statement,
                params: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
                <$pg>::execute(self, stmt, params)
            }

            fn copy_in(
                &self,
                stmt: &Statement,
            ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send {
                <$pg>::copy_in(self, stmt)
            }
        }
    };
}

#[cfg(feature = "deadpool")]
deadpool_generic_client!(deadpool_postgres::ClientWrapper, tokio_postgres::Client);
#[cfg(feature = "deadpool")]
deadpool_generic_client!(
    deadpool_postgres::Transaction<'_>,
    tokio_postgres::Transaction<'_>
);

#[cfg(feature = "deadpool")]
impl GenericClient for deadpool_postgres::Object {
    fn prepare_cached(
        &self,
        sql: &'static str,
    ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send {
        deadpool_postgres::ClientWrapper::prepare_cached(self, sql)
    }

    fn query(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::query(self, stmt, params)
    }

    fn query_opt(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::query_opt(self, stmt, params)
    }

    fn execute(
        &self,
        stmt: &Statement,
        params: &[&(dyn ToSql + Sync)],
    ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::execute(self, stmt, params)
    }

    fn copy_in(
        &self,
        stmt: &Statement,
    ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send {
        tokio_postgres::Client::copy_in(self, stmt)
    }
}
