//! `Client` and `Transaction`: tokio-postgres handles that remember their prepared statements.

use std::fmt;
use std::ops::Deref;

use tokio_postgres::IsolationLevel;

use crate::statement_cache::StatementCache;

/// A [`tokio_postgres::Client`] together with the statements prepared on its
/// connection.
///
/// Everything of the wrapped client stays reachable through `Deref`; what the
/// wrapper adds is the cache that [`crate::GenericClient::prepare_cached`] fills,
/// and transactions that share it.
///
/// ```no_run
/// # async fn run() -> Result<(), sqlgen_runtime::Error> {
/// let (client, connection) =
///     tokio_postgres::connect("host=localhost user=postgres", tokio_postgres::NoTls).await?;
/// tokio::spawn(connection);
/// let client = sqlgen_runtime::Client::new(client);
/// # Ok(()) }
/// ```
pub struct Client {
    inner: tokio_postgres::Client,
    cache: StatementCache,
}

impl Client {
    /// Wraps a connected client, starting with an empty statement cache.
    pub fn new(client: tokio_postgres::Client) -> Self {
        Client {
            inner: client,
            cache: StatementCache::default(),
        }
    }

    /// Gives the client back; the cached statements are closed on the server.
    pub fn into_inner(self) -> tokio_postgres::Client {
        self.inner
    }

    /// How many distinct SQL texts have a statement prepared on this connection.
    pub fn cached_statements(&self) -> usize {
        self.cache.len()
    }

    /// Forgets every cached statement, so the next use of each SQL text prepares
    /// it again.
    ///
    /// Needed only after a schema change that alters the result columns of a
    /// cached query: the server then refuses the old statement with "cached plan
    /// must not change result type".
    pub fn clear_statement_cache(&self) {
        self.cache.clear();
    }

    /// Starts a transaction whose statements go into this client's cache.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, tokio_postgres::Error> {
        let Client { inner, cache } = self;
        Ok(Transaction {
            inner: inner.transaction().await?,
            cache,
        })
    }

    /// Like [`Client::transaction`], with an isolation level or access mode.
    pub fn build_transaction(&mut self) -> TransactionBuilder<'_> {
        let Client { inner, cache } = self;
        TransactionBuilder {
            inner: inner.build_transaction(),
            cache,
        }
    }

    pub(crate) fn cache(&self) -> &StatementCache {
        &self.cache
    }
}

impl From<tokio_postgres::Client> for Client {
    fn from(client: tokio_postgres::Client) -> Self {
        Client::new(client)
    }
}

impl Deref for Client {
    type Target = tokio_postgres::Client;

    fn deref(&self) -> &tokio_postgres::Client {
        &self.inner
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("closed", &self.inner.is_closed())
            .field("cached_statements", &self.cache.len())
            .finish()
    }
}

/// A transaction (or a savepoint inside one) that uses and fills the statement
/// cache of the [`Client`] it was started from.
///
/// Sharing is safe because protocol-level prepared statements belong to the
/// connection, not to the transaction: a statement prepared here stays valid after
/// commit or rollback.
/// A Parse that fails here, for instance because the transaction is already
/// aborted, is not cached.
///
/// Dropped without [`Transaction::commit`], it rolls back, as tokio-postgres does.
pub struct Transaction<'a> {
    inner: tokio_postgres::Transaction<'a>,
    cache: &'a StatementCache,
}

impl<'a> Transaction<'a> {
    /// Commits the transaction, or releases the savepoint.
    pub async fn commit(self) -> Result<(), tokio_postgres::Error> {
        self.inner.commit().await
    }

    /// Rolls back the transaction, or back to the savepoint.
    pub async fn rollback(self) -> Result<(), tokio_postgres::Error> {
        self.inner.rollback().await
    }

    /// Starts a nested transaction (a savepoint) sharing the same cache.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>, tokio_postgres::Error> {
        Ok(Transaction {
            inner: self.inner.transaction().await?,
            cache: self.cache,
        })
    }

    /// Like [`Transaction::transaction`], with a savepoint name of your choice.
    pub async fn savepoint<I>(&mut self, name: I) -> Result<Transaction<'_>, tokio_postgres::Error>
    where
        I: Into<String>,
    {
        Ok(Transaction {
            inner: self.inner.savepoint(name).await?,
            cache: self.cache,
        })
    }

    /// How many distinct SQL texts have a statement prepared on this connection.
    pub fn cached_statements(&self) -> usize {
        self.cache.len()
    }

    pub(crate) fn cache(&self) -> &StatementCache {
        self.cache
    }
}

impl<'a> Deref for Transaction<'a> {
    type Target = tokio_postgres::Transaction<'a>;

    fn deref(&self) -> &tokio_postgres::Transaction<'a> {
        &self.inner
    }
}

impl fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transaction")
            .field("cached_statements", &self.cache.len())
            .finish()
    }
}

/// Starts a [`Transaction`] with non-default settings; see
/// [`Client::build_transaction`].
pub struct TransactionBuilder<'a> {
    inner: tokio_postgres::TransactionBuilder<'a>,
    cache: &'a StatementCache,
}

impl<'a> TransactionBuilder<'a> {
    /// Sets the isolation level.
    pub fn isolation_level(self, isolation_level: IsolationLevel) -> Self {
        TransactionBuilder {
            inner: self.inner.isolation_level(isolation_level),
            cache: self.cache,
        }
    }

    /// Makes the transaction read-only (or explicitly read-write).
    pub fn read_only(self, read_only: bool) -> Self {
        TransactionBuilder {
            inner: self.inner.read_only(read_only),
            cache: self.cache,
        }
    }

    /// Makes the transaction deferrable; only meaningful for serializable,
    /// read-only transactions.
    pub fn deferrable(self, deferrable: bool) -> Self {
        TransactionBuilder {
            inner: self.inner.deferrable(deferrable),
            cache: self.cache,
        }
    }

    /// Sends `START TRANSACTION` with the chosen settings.
    pub async fn start(self) -> Result<Transaction<'a>, tokio_postgres::Error> {
        Ok(Transaction {
            inner: self.inner.start().await?,
            cache: self.cache,
        })
    }
}

impl fmt::Debug for TransactionBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TransactionBuilder").finish_non_exhaustive()
    }
}
