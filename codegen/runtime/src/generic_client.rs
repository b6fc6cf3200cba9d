//! `GenericClient`: what generated query functions need from a connection, and its implementations.

use std::future::Future;

use bytes::Bytes;
use tokio_postgres::types::ToSql;
use tokio_postgres::{CopyInSink, Row, Statement};

use crate::client::{Client, Transaction};
use crate::statement_cache::run_cached;
use crate::Params;

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

    /// Runs `sql` and returns every row: what [`crate::many`] calls.
    ///
    /// By default the statement comes from [`GenericClient::prepare_cached`]. [`Client`] and
    /// [`Transaction`] also evict a cached statement the server no longer accepts (after
    /// `DEALLOCATE ALL`, or a schema change that altered its result columns) and, outside a
    /// transaction, prepare it again and run the call once more; [`crate::PoolerClient`] sends
    /// an unnamed statement.
    fn query_sql(
        &self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
        async move {
            let stmt = self.prepare_cached(sql).await?;
            self.query(&stmt, params).await
        }
    }

    /// Runs `sql` and returns its only row, if any: what [`crate::one`] and [`crate::opt`] call.
    /// See [`GenericClient::query_sql`].
    fn query_opt_sql(
        &self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
        async move {
            let stmt = self.prepare_cached(sql).await?;
            self.query_opt(&stmt, params).await
        }
    }

    /// Runs `sql` and returns the number of rows it affected: what [`crate::exec`] and
    /// [`crate::exec_rows`] call. See [`GenericClient::query_sql`].
    fn execute_sql(
        &self,
        sql: &'static str,
        params: &Params<'_>,
    ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
        async move {
            let stmt = self.prepare_cached(sql).await?;
            self.execute(&stmt, params).await
        }
    }

    /// Starts `sql`, a `COPY ... FROM STDIN`: what `:copyfrom` queries call.
    fn copy_in_sql(
        &self,
        sql: &'static str,
    ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send {
        async move {
            let stmt = self.prepare_cached(sql).await?;
            self.copy_in(&stmt).await
        }
    }
}

/// The `*_sql` methods of [`GenericClient`] for the runtime's own clients: through the statement
/// cache, with a stale statement evicted and, when `$retry`, the call run once more.
/// `$connection` is the `tokio_postgres::Client` that prepares, `$pg` the type whose methods run.
macro_rules! cached_sql_methods {
    ($retry:expr, $this:ident => $connection:expr, $pg:ty) => {
        fn query_sql(
            &self,
            sql: &'static str,
            params: &Params<'_>,
        ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
            let connection: &tokio_postgres::Client = {
                let $this = self;
                $connection
            };
            run_cached(
                self.cache(),
                connection,
                sql,
                $retry,
                move |stmt| async move { <$pg>::query(self, &stmt, params).await },
            )
        }

        fn query_opt_sql(
            &self,
            sql: &'static str,
            params: &Params<'_>,
        ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
            let connection: &tokio_postgres::Client = {
                let $this = self;
                $connection
            };
            run_cached(
                self.cache(),
                connection,
                sql,
                $retry,
                move |stmt| async move { <$pg>::query_opt(self, &stmt, params).await },
            )
        }

        fn execute_sql(
            &self,
            sql: &'static str,
            params: &Params<'_>,
        ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
            let connection: &tokio_postgres::Client = {
                let $this = self;
                $connection
            };
            run_cached(
                self.cache(),
                connection,
                sql,
                $retry,
                move |stmt| async move { <$pg>::execute(self, &stmt, params).await },
            )
        }
    };
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

    // Outside a transaction a failed call changed nothing, so running it again is safe.
    cached_sql_methods!(true, client => client, tokio_postgres::Client);
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

    // The error aborted the transaction: the stale statement is evicted, the error returned.
    cached_sql_methods!(false, transaction => transaction.client(), tokio_postgres::Transaction<'_>);
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
