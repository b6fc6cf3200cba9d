//! `PoolerClient`: generated code behind a transaction-mode connection pooler (PgBouncer), with
//! statements named after their content (through [`NamedStatements`]) or unnamed ones.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use bytes::{Bytes, BytesMut};
use postgres_types::{IsNull, Kind, ToSql, Type};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::RwLock;
use tokio_postgres::tls::TlsConnect;
use tokio_postgres::{Config, Connection, CopyInSink, Row, SimpleQueryMessage, Statement};

use crate::named_statements::{starts_with_keyword, Counts, NamedStatements};
use crate::pooler_socket::{open, ConnectError, PoolerSocket};

use crate::statement_cache::{run_cached_by, StatementCache};
use crate::{GenericClient, Params};

/// A [`tokio_postgres::Client`] for a connection through a pooler in transaction mode (PgBouncer
/// with `pool_mode = transaction`, and no `max_prepared_statements`), where each transaction of the
/// session may run on another server connection, so that a statement prepared in one is missing
/// in the next, or another client's statement of the same name runs instead.
///
/// Connected by [`PoolerClient::connect`], every statement that cannot change the transaction
/// state runs, outside transactions, as a Bind of a statement named after its content (its SQL
/// text, parameter types and column types), prepared once per server connection by the
/// [`NamedStatements`] stream under tokio-postgres; see there for how a missing or changed
/// statement is handled.
/// Every other query, those of a [`PoolerTransaction`], and all of them with a client made by
/// [`PoolerClient::new`] are sent as unnamed statements: Parse, Bind, Describe and Execute in one
/// message (tokio-postgres's `query_typed`), with each parameter declared as unspecified (type OID
/// 0), so that the server infers the same types as it does for a prepared statement, and encoded
/// as the type the server inferred for it.
/// Those types, user-defined ones included (enums, domains, composites, arrays of them, extension
/// types, each with its OID in this database), are learned once per SQL text and connection, as
/// described at [`PoolerClient::learned_statements`].
///
/// ```no_run
/// # async fn run() -> Result<(), sqlgen_runtime::ConnectError> {
/// let config: tokio_postgres::Config = "host=/run/pgbouncer port=6432 user=app".parse()?;
/// let (client, connection) =
///     sqlgen_runtime::PoolerClient::connect(&config, tokio_postgres::NoTls).await?;
/// tokio::spawn(connection);
/// # Ok(()) }
/// ```
pub struct PoolerClient {
    // First, so that the client is gone before the learned statements are dropped: tokio-postgres
    // then sends no Close for them (their server-side names were deallocated long ago).
    inner: tokio_postgres::Client,
    learned: Learned,
}

/// What a [`PoolerClient`] learned, shared with its transactions.
#[derive(Default)]
struct Learned {
    /// Per SQL text, the statement prepared while learning (its name no longer exists on any
    /// server): its parameter types and columns.
    statements: StatementCache,
    /// Learning takes it for writing: no other statement of this session may go out while a
    /// learning transaction is open, or it would run inside it.
    gate: RwLock<()>,
    /// tokio-postgres's own statements for looking up user-defined types (name, SQL text), which
    /// it keeps for the life of the client; recreated for each learning transaction.
    type_lookups: Mutex<Vec<(String, String)>>,
    /// The [`NamedStatements`] stream under the client, when it renames statements.
    link: Option<Arc<Counts>>,
}

impl PoolerClient {
    /// Wraps a client connected through the pooler.
    /// Its statements stay unnamed: [`PoolerClient::connect`] makes the faster client.
    pub fn new(client: tokio_postgres::Client) -> Self {
        PoolerClient {
            inner: client,
            learned: Learned::default(),
        }
    }

    /// Connects as `config` says, through a [`NamedStatements`] stream: outside transactions,
    /// each statement runs as a Bind of a statement named after its content (`sqlgen_` and a
    /// hash of its SQL text, parameter types and column types), prepared once per server
    /// connection, however many processes share it; inside transactions, statements stay unnamed.
    /// Spawn the returned connection, as with [`tokio_postgres::connect`].
    ///
    /// The socket is opened here, from the configuration's hosts, host addresses, ports and
    /// connect timeout (not its keepalive settings). A session that negotiates TLS works, with
    /// unnamed statements only: the rewrite would have to sit under the encryption.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), sqlgen_runtime::ConnectError> {
    /// let config: tokio_postgres::Config = "host=/run/pgbouncer port=6432 user=app".parse()?;
    /// let (client, connection) =
    ///     sqlgen_runtime::PoolerClient::connect(&config, tokio_postgres::NoTls).await?;
    /// tokio::spawn(connection);
    /// # Ok(()) }
    /// ```
    pub async fn connect<T>(
        config: &Config,
        tls: T,
    ) -> Result<
        (
            PoolerClient,
            Connection<NamedStatements<PoolerSocket>, T::Stream>,
        ),
        ConnectError,
    >
    where
        T: TlsConnect<NamedStatements<PoolerSocket>>,
    {
        let stream = NamedStatements::new(open(config).await.map_err(ConnectError::Io)?);
        Ok(PoolerClient::connect_raw(config, stream, tls).await?)
    }

    /// [`PoolerClient::connect`] over a stream you opened (wrapped in [`NamedStatements`] before
    /// anything was sent on it), as [`Config::connect_raw`] does.
    pub async fn connect_raw<S, T>(
        config: &Config,
        stream: NamedStatements<S>,
        tls: T,
    ) -> Result<(PoolerClient, Connection<NamedStatements<S>, T::Stream>), tokio_postgres::Error>
    where
        S: AsyncRead + AsyncWrite + Unpin,
        T: TlsConnect<NamedStatements<S>>,
    {
        let counts = stream.counts();
        let (client, connection) = config.connect_raw(stream, tls).await?;
        let mut client = PoolerClient::new(client);
        // Under TLS the stream sees only encrypted bytes: statements stay unnamed.
        client.learned.link = counts.active().then_some(counts);
        Ok((client, connection))
    }

    /// What the [`NamedStatements`] stream of a client made by [`PoolerClient::connect`] did;
    /// `None` when there is none, or it cannot rename statements (the session is encrypted).
    pub fn named_statements(&self) -> Option<&Counts> {
        self.learned.link.as_deref()
    }

    /// How many distinct SQL texts this client has learned.
    ///
    /// The first use of a SQL text on a connection runs one short learning transaction:
    /// `BEGIN`, deallocation of every named statement but the content-named ones of
    /// [`NamedStatements`], a named Parse of the statement (tokio-postgres resolves its
    /// parameter and column types, looking up user-defined ones with statements of its own), the
    /// same deallocation again, then `COMMIT`.
    /// A transaction pooler keeps the session on one server connection for the whole transaction,
    /// so every named statement exists only inside it: none is left on a server connection for
    /// another client to trip over. Inside a [`PoolerTransaction`] the same happens in a
    /// savepoint.
    /// Afterwards every call is a single unnamed statement, or a Bind of a statement named after
    /// its content (through [`PoolerClient::connect`]).
    pub fn learned_statements(&self) -> usize {
        self.learned.statements.len()
    }

    /// Starts a transaction; its statements are unnamed too, and it shares what this client
    /// learned.
    pub async fn transaction(&mut self) -> Result<PoolerTransaction<'_>, tokio_postgres::Error> {
        let PoolerClient { inner, learned, .. } = self;
        Ok(PoolerTransaction {
            inner: inner.transaction().await?,
            learned,
        })
    }
}

impl Deref for PoolerClient {
    type Target = tokio_postgres::Client;

    fn deref(&self) -> &tokio_postgres::Client {
        &self.inner
    }
}

impl fmt::Debug for PoolerClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolerClient")
            .field("closed", &self.inner.is_closed())
            .field("learned_statements", &self.learned.statements.len())
            .finish()
    }
}

/// A transaction of a [`PoolerClient`]. Dropped without [`PoolerTransaction::commit`], it rolls
/// back.
pub struct PoolerTransaction<'a> {
    inner: tokio_postgres::Transaction<'a>,
    learned: &'a Learned,
}

impl PoolerTransaction<'_> {
    /// Commits the transaction.
    pub async fn commit(self) -> Result<(), tokio_postgres::Error> {
        self.inner.commit().await
    }

    /// Rolls the transaction back.
    pub async fn rollback(self) -> Result<(), tokio_postgres::Error> {
        self.inner.rollback().await
    }
}

impl<'a> Deref for PoolerTransaction<'a> {
    type Target = tokio_postgres::Transaction<'a>;

    fn deref(&self) -> &tokio_postgres::Transaction<'a> {
        &self.inner
    }
}

impl fmt::Debug for PoolerTransaction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolerTransaction").finish_non_exhaustive()
    }
}

/// Where a learning transaction stands: its own transaction, or a savepoint in the caller's.
#[derive(Clone, Copy)]
enum Scope {
    Session,
    Transaction,
}

impl Learned {
    /// The statement learned for `sql` on `client`, learning it on first use.
    async fn statement(
        &self,
        client: &tokio_postgres::Client,
        sql: &'static str,
        scope: Scope,
    ) -> Result<Statement, tokio_postgres::Error> {
        let cached = self
            .statements
            .entry(sql, || self.learn_alone(client, sql, scope))
            .await?;
        Ok(cached.statement)
    }

    /// Whether calls of `sql` run as Binds of the statement learned for it, renamed by the
    /// [`NamedStatements`] stream: outside transactions, through a stream that renames.
    fn renames(&self, sql: &str, scope: Scope) -> bool {
        matches!(scope, Scope::Session) && self.link.is_some() && starts_with_keyword(sql)
    }

    /// Learns `sql` while no other statement of the session goes out.
    async fn learn_alone(
        &self,
        client: &tokio_postgres::Client,
        sql: &'static str,
        scope: Scope,
    ) -> Result<Statement, tokio_postgres::Error> {
        let _exclusive = self.gate.write().await;
        self.learn(client, sql, scope).await
    }

    async fn learn(
        &self,
        client: &tokio_postgres::Client,
        sql: &'static str,
        scope: Scope,
    ) -> Result<Statement, tokio_postgres::Error> {
        let (begin, commit, rollback) = match scope {
            Scope::Session => (
                format!("BEGIN; {DEALLOCATE}"),
                format!("{DEALLOCATE}; COMMIT"),
                format!("ROLLBACK; {DEALLOCATE}"),
            ),
            Scope::Transaction => (
                format!("SAVEPOINT sqlgen_learn; {DEALLOCATE}"),
                format!("{DEALLOCATE}; RELEASE SAVEPOINT sqlgen_learn"),
                format!(
                    "ROLLBACK TO SAVEPOINT sqlgen_learn; {DEALLOCATE}; \
                     RELEASE SAVEPOINT sqlgen_learn"
                ),
            ),
        };
        // tokio-postgres prepares its type lookup statements once per client and reuses them by
        // name, so each learning transaction starts by creating them again on whichever server
        // connection it got (after clearing that connection of any statement named by a
        // process, which is not a `NamedStatements` one).
        let mut start = format!("{begin};");
        for (name, text) in self.lookups().iter() {
            start.push_str(&format!(" PREPARE {} AS {text};", quote_ident(name)));
        }
        client.batch_execute(&start).await?;
        let learned = async {
            if let Some(link) = &self.link {
                // The stream watches this Parse, learns the statement's types from the server's
                // description and renames its Binds from then on.
                link.announce(sql);
            }
            let statement = client.prepare(sql).await?;
            // Up to three lookup statements exist (types, enum labels, composite fields); note
            // the ones this Parse created.
            if self.lookups().len() < 3 {
                let rows = client
                    .simple_query(
                        "SELECT name, statement FROM pg_prepared_statements \
                         WHERE name NOT LIKE 'sqlgen\\_%'",
                    )
                    .await?;
                let mut lookups = self.lookups();
                for row in rows.iter().filter_map(|message| match message {
                    SimpleQueryMessage::Row(row) => Some(row),
                    _ => None,
                }) {
                    let (Some(name), Some(text)) = (row.get(0), row.get(1)) else {
                        continue;
                    };
                    if text != sql && !lookups.iter().any(|(known, _)| known == name) {
                        lookups.push((name.to_owned(), text.to_owned()));
                    }
                }
            }
            Ok(statement)
        }
        .await;
        match learned {
            Ok(statement) => {
                client.batch_execute(&commit).await?;
                Ok(statement)
            }
            Err(error) => {
                // Best effort: the connection may be gone, and the error says more.
                let _ = client.batch_execute(&rollback).await;
                Err(error)
            }
        }
    }

    fn lookups(&self) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
        self.type_lookups
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Deallocates every statement of the server connection but those named after their content by
/// [`NamedStatements`] (the same statement for whoever meets them, so they may stay).
const DEALLOCATE: &str = "DO $sqlgen$ DECLARE n text; BEGIN \
    FOR n IN SELECT name FROM pg_prepared_statements WHERE name NOT LIKE 'sqlgen\\_%' \
    LOOP EXECUTE 'DEALLOCATE ' || quote_ident(n); END LOOP; END $sqlgen$";

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A parameter value encoded as the type the server inferred for it, declared to the server as
/// unspecified (OID 0) so that the server infers it again, from the statement, on each Parse.
struct Inferred<'a> {
    value: &'a (dyn ToSql + Sync),
    ty: &'a Type,
}

impl fmt::Debug for Inferred<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl ToSql for Inferred<'_> {
    fn to_sql(
        &self,
        _: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        self.value.to_sql_checked(self.ty, out)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> postgres_types::Format {
        self.value.encode_format(self.ty)
    }

    postgres_types::to_sql_checked!();
}

/// OID 0, "unspecified" in a Parse message (made once: a clone is a reference count).
fn unspecified() -> Type {
    static UNSPECIFIED: LazyLock<Type> =
        LazyLock::new(|| Type::new(String::new(), 0, Kind::Pseudo, String::new()));
    UNSPECIFIED.clone()
}

/// `params` encoded as the learned `types`, each declared unspecified; with a wrong number of
/// values, the values as they are, so that the server reports the mismatch in its own words.
fn declared<'a>(
    params: &'a Params<'a>,
    inferred: &'a [Inferred<'a>],
) -> Vec<(&'a (dyn ToSql + Sync), Type)> {
    if params.len() == inferred.len() {
        inferred
            .iter()
            .map(|p| (p as &(dyn ToSql + Sync), unspecified()))
            .collect()
    } else {
        params.iter().map(|p| (*p, unspecified())).collect()
    }
}

fn inferred<'a>(params: &'a Params<'a>, types: &'a [Type]) -> Vec<Inferred<'a>> {
    params
        .iter()
        .zip(types)
        .map(|(value, ty)| Inferred { value: *value, ty })
        .collect()
}

/// The body of a `*_sql` method of a pooler client: learn `$sql`, then run the learned statement
/// by `$prepared` (renamed by the stream, with one retry if its types changed), or else run
/// `$typed` (one of tokio-postgres's `*_typed` methods) with the parameters declared unspecified.
macro_rules! pooled {
    ($self:ident, $connection:expr, $scope:expr, $pg:ty, $typed:ident, $prepared:ident, $sql:ident, $params:ident) => {{
        let connection: &tokio_postgres::Client = $connection;
        async move {
            let learned = &$self.learned;
            if learned.renames($sql, $scope) {
                return run_cached_by(
                    &learned.statements,
                    || learned.learn_alone(connection, $sql, $scope),
                    $sql,
                    true,
                    |statement| async move {
                        let _shared = learned.gate.read().await;
                        <$pg>::$prepared(&$self.inner, &statement, $params).await
                    },
                )
                .await;
            }
            let statement = learned.statement(connection, $sql, $scope).await?;
            let inferred = inferred($params, statement.params());
            let declared = declared($params, &inferred);
            // No learning transaction may be open while the statement goes out.
            let _shared = learned.gate.read().await;
            <$pg>::$typed(&$self.inner, $sql, &declared).await
        }
    }};
}

/// A prepared [`Statement`] cannot run behind a transaction pooler: its next use may reach a
/// server connection that never saw it. Code generated by this version of sqlgen calls the
/// `*_sql` methods instead.
const PREPARED: &str = "sqlgen_runtime::PoolerClient runs no prepared statement (behind a \
    transaction pooler its next use may reach another server connection): regenerate the code \
    with this version of sqlgen, whose queries run by SQL text";

const COPY_OUTSIDE_TRANSACTION: &str = "sqlgen_runtime::PoolerClient runs COPY only inside a \
    transaction (it needs a named statement, which a transaction pooler keeps on one server \
    connection only within a transaction): call the `:copyfrom` query on a PoolerTransaction";

/// An error saying `why`, made without a round trip: tokio-postgres errors cannot be built
/// outside it, so this one is raised while encoding a parameter, before anything is sent.
async fn refuse<T>(
    client: &tokio_postgres::Client,
    why: &'static str,
) -> Result<T, tokio_postgres::Error> {
    struct Refusal(&'static str);
    impl fmt::Debug for Refusal {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("Refusal")
        }
    }
    impl ToSql for Refusal {
        fn to_sql(
            &self,
            _: &Type,
            _: &mut BytesMut,
        ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
            Err(self.0.into())
        }
        fn accepts(_: &Type) -> bool {
            true
        }
        postgres_types::to_sql_checked!();
    }
    client
        .query_typed("SELECT $1", &[(&Refusal(why), Type::TEXT)])
        .await?;
    unreachable!("encoding a refusal always fails")
}

/// The [`GenericClient`] methods of the pooler clients; `$connection` is the
/// `tokio_postgres::Client`, `$pg` the type whose `*_typed` methods run, `$scope` the [`Scope`].
macro_rules! pooler_generic_client {
    ($ty:ty, $this:ident => $connection:expr, $pg:ty, $scope:expr) => {
        impl GenericClient for $ty {
            /// Learns `sql` (see [`PoolerClient::learned_statements`]) and returns the statement
            /// of that learning, for its parameter and column types only: it no longer exists on
            /// any server.
            fn prepare_cached(
                &self,
                sql: &'static str,
            ) -> impl Future<Output = Result<Statement, tokio_postgres::Error>> + Send {
                let $this = self;
                self.learned.statement($connection, sql, $scope)
            }

            fn query(
                &self,
                _: &Statement,
                _: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
                let $this = self;
                refuse($connection, PREPARED)
            }

            fn query_opt(
                &self,
                _: &Statement,
                _: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
                let $this = self;
                refuse($connection, PREPARED)
            }

            fn execute(
                &self,
                _: &Statement,
                _: &[&(dyn ToSql + Sync)],
            ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
                let $this = self;
                refuse($connection, PREPARED)
            }

            fn copy_in(
                &self,
                _: &Statement,
            ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send {
                let $this = self;
                refuse($connection, PREPARED)
            }

            fn query_sql(
                &self,
                sql: &'static str,
                params: &Params<'_>,
            ) -> impl Future<Output = Result<Vec<Row>, tokio_postgres::Error>> + Send {
                let $this = self;
                pooled!(
                    self,
                    $connection,
                    $scope,
                    $pg,
                    query_typed,
                    query,
                    sql,
                    params
                )
            }

            fn query_opt_sql(
                &self,
                sql: &'static str,
                params: &Params<'_>,
            ) -> impl Future<Output = Result<Option<Row>, tokio_postgres::Error>> + Send {
                let $this = self;
                pooled!(
                    self,
                    $connection,
                    $scope,
                    $pg,
                    query_typed_opt,
                    query_opt,
                    sql,
                    params
                )
            }

            fn execute_sql(
                &self,
                sql: &'static str,
                params: &Params<'_>,
            ) -> impl Future<Output = Result<u64, tokio_postgres::Error>> + Send {
                let $this = self;
                pooled!(
                    self,
                    $connection,
                    $scope,
                    $pg,
                    execute_typed,
                    execute,
                    sql,
                    params
                )
            }

            fn copy_in_sql(
                &self,
                sql: &'static str,
            ) -> impl Future<Output = Result<CopyInSink<Bytes>, tokio_postgres::Error>> + Send {
                let $this = self;
                copy_in_sql($connection, sql, $scope)
            }
        }
    };
}

pooler_generic_client!(PoolerClient, client => &client.inner, tokio_postgres::Client, Scope::Session);
pooler_generic_client!(
    PoolerTransaction<'_>,
    transaction => transaction.inner.client(),
    tokio_postgres::Transaction<'_>,
    Scope::Transaction
);

/// `COPY ... FROM STDIN` needs a named statement (tokio-postgres has no unnamed COPY), which is
/// safe only inside a transaction: the pooler keeps it on one server connection, and the statement
/// is closed before the transaction ends. Outside one, the call is refused.
async fn copy_in_sql(
    client: &tokio_postgres::Client,
    sql: &'static str,
    scope: Scope,
) -> Result<CopyInSink<Bytes>, tokio_postgres::Error> {
    match scope {
        Scope::Session => refuse(client, COPY_OUTSIDE_TRANSACTION).await,
        // The statement is dropped when this returns, so its Close is queued behind the COPY
        // and runs inside the transaction.
        Scope::Transaction => client.copy_in(sql).await,
    }
}
