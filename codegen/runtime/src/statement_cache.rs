//! The per-connection cache of prepared statements, keyed by SQL text.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;
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
        let cell = self.cell(sql);
        let statement = cell.get_or_try_init(|| client.prepare(sql)).await?;
        Ok(statement.clone())
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
