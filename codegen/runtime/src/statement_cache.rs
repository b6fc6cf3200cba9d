//! The per-connection cache of prepared statements, keyed by SQL text, and the one retry of a
//! call whose cached statement the server no longer accepts.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;
use tokio_postgres::error::SqlState;
use tokio_postgres::Statement;

/// Statements prepared on one connection, one per distinct SQL text.
///
/// Each SQL text gets a cell that is filled at most once: concurrent first uses of
/// the same text wait for a single Parse instead of each sending their own, so the
/// server never holds two statements for one text.
/// A Parse that fails leaves its cell empty, so the next use tries again instead
/// of replaying a failure that may have been caused by the moment (an aborted
/// transaction, a table not created yet).
#[derive(Default)]
pub(crate) struct StatementCache {
    // A std mutex is enough: it guards only the lookup of the cell and is never
    // held across an await; the waiting happens on the cell.
    cells: Mutex<HashMap<&'static str, Arc<OnceCell<Statement>>>>,
}

impl StatementCache {
    /// Returns the statement for `sql`, preparing it on `client` on first use.
    ///
    /// `client` must be the connection this cache belongs to (a transaction hands
    /// in its parent's client): statements are only valid on the connection that
    /// prepared them.
    pub(crate) async fn prepare(
        &self,
        client: &tokio_postgres::Client,
        sql: &'static str,
    ) -> Result<Statement, tokio_postgres::Error> {
        Ok(self.entry(sql, || client.prepare(sql)).await?.statement)
    }

    /// The cache entry of `sql`, filled by `prepare` on first use.
    pub(crate) async fn entry<F, Fut>(
        &self,
        sql: &'static str,
        prepare: F,
    ) -> Result<Cached, tokio_postgres::Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Statement, tokio_postgres::Error>>,
    {
        let cell = self.cell(sql);
        let statement = cell.get_or_try_init(prepare).await?.clone();
        Ok(Cached { cell, statement })
    }

    /// Forgets `cached`, unless another caller already replaced it, so that the next use of its
    /// SQL text prepares it again; the server closes it once its last clone is dropped.
    pub(crate) fn evict(&self, sql: &'static str, cached: &Cached) {
        let mut cells = self.lock();
        if cells
            .get(sql)
            .is_some_and(|cell| Arc::ptr_eq(cell, &cached.cell))
        {
            cells.remove(sql);
        }
    }

    /// How many SQL texts have a prepared statement.
    pub(crate) fn len(&self) -> usize {
        self.lock()
            .values()
            .filter(|cell| cell.initialized())
            .count()
    }

    /// Forgets every statement; the server closes each once its last clone is
    /// dropped.
    pub(crate) fn clear(&self) {
        self.lock().clear();
    }

    fn cell(&self, sql: &'static str) -> Arc<OnceCell<Statement>> {
        Arc::clone(self.lock().entry(sql).or_default())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<&'static str, Arc<OnceCell<Statement>>>> {
        // No code panics while holding the lock, and the map stays consistent
        // even if one did, so a poisoned lock is still safe to use.
        self.cells.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A statement taken from the cache, with the cell it came from (to evict exactly that one).
pub(crate) struct Cached {
    cell: Arc<OnceCell<Statement>>,
    pub(crate) statement: Statement,
}

/// Whether `error` says that the server no longer runs the cached statement as it was prepared:
/// it does not know its name (`26000`: `DEALLOCATE ALL`, a pooler that switched server
/// connections, a server restart behind a pooler), or a schema change altered its result columns
/// (`0A000`, "cached plan must not change result type").
pub(crate) fn is_stale(error: &tokio_postgres::Error) -> bool {
    let Some(db) = error.as_db_error() else {
        return false;
    };
    *db.code() == SqlState::INVALID_SQL_STATEMENT_NAME
        || (*db.code() == SqlState::FEATURE_NOT_SUPPORTED
            && db
                .message()
                .starts_with("cached plan must not change result type"))
}

/// Runs `run` on the cached statement of `sql`. When the server refuses it as stale
/// ([`is_stale`]), the statement is evicted; with `retry` (outside a transaction, where the failed
/// call changed nothing) it is prepared again and `run` runs once more, otherwise the error is
/// returned (inside a transaction, which the error aborted: retrying it is the caller's call).
pub(crate) async fn run_cached<T, F, Fut>(
    cache: &StatementCache,
    client: &tokio_postgres::Client,
    sql: &'static str,
    retry: bool,
    run: F,
) -> Result<T, tokio_postgres::Error>
where
    F: Fn(Statement) -> Fut,
    Fut: Future<Output = Result<T, tokio_postgres::Error>>,
{
    run_cached_by(cache, || client.prepare(sql), sql, retry, run).await
}

/// [`run_cached`] with statements made by `prepare` rather than by a plain Parse.
pub(crate) async fn run_cached_by<T, P, PFut, F, Fut>(
    cache: &StatementCache,
    prepare: P,
    sql: &'static str,
    retry: bool,
    run: F,
) -> Result<T, tokio_postgres::Error>
where
    P: Fn() -> PFut,
    PFut: Future<Output = Result<Statement, tokio_postgres::Error>>,
    F: Fn(Statement) -> Fut,
    Fut: Future<Output = Result<T, tokio_postgres::Error>>,
{
    let cached = cache.entry(sql, &prepare).await?;
    match run(cached.statement.clone()).await {
        Err(error) if is_stale(&error) => {
            cache.evict(sql, &cached);
            if !retry {
                return Err(error);
            }
            let fresh = cache.entry(sql, &prepare).await?;
            run(fresh.statement).await
        }
        result => result,
    }
}
