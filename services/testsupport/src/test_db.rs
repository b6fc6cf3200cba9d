//! `TestDb`: a fresh database per test, copied from a template that holds the schema.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::OnceCell;
use tokio_postgres::config::Host;
use tokio_postgres::error::{ErrorPosition, SqlState};
use tokio_postgres::{Config, NoTls};

use crate::migrations::{migration_sql, migrations_dir};
use crate::pooler::bouncer;
use crate::server::server;

/// A database of its own for one test, dropped (best effort) when this value is.
///
/// Keep it alive for as long as the test uses the database: connections made
/// through [`TestDb::client`] or [`TestDb::pool`] are cut when it goes.
pub struct TestDb {
    /// The database name, unique across test processes sharing one server.
    pub name: String,
    config: Config,
}

impl TestDb {
    /// A new connection to this database; its connection task is spawned on the
    /// current tokio runtime.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, or if the server cannot be reached.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect(&self.config).await
    }

    /// Connection settings for this database.
    pub fn config(&self) -> Config {
        self.config.clone()
    }

    /// Connection settings for this database over TCP, when the server listens there: the
    /// throwaway server after [`crate::listen_on_tcp`], or a `DATABASE_URL` with a TCP host.
    pub fn tcp_config(&self) -> Option<Config> {
        let mut config = server().tcp.clone()?;
        config.dbname(&self.name);
        Some(config)
    }

    /// A new connection to this database over TCP (see [`TestDb::tcp_config`]).
    ///
    /// # Panics
    ///
    /// When the server does not listen on TCP, outside a tokio runtime, or if the server cannot
    /// be reached.
    pub async fn tcp_client(&self) -> tokio_postgres::Client {
        let Some(config) = self.tcp_config() else {
            panic!(
                "testsupport: the server does not listen on TCP: call `testsupport::listen_on_tcp()` \
                 before the first database, or set DATABASE_URL to a TCP address"
            )
        };
        connect(&config).await
    }

    /// Connection settings for this database through PgBouncer in transaction pooling mode, with
    /// [`crate::POOLER_SERVER_CONNECTIONS`] server connections; PgBouncer starts on the first call.
    ///
    /// # Panics
    ///
    /// When `pgbouncer` is not installed or does not start.
    pub fn pooler_config(&self) -> Config {
        let bouncer = bouncer();
        let mut config = Config::new();
        config
            .host_path(&bouncer.dir)
            .port(bouncer.port)
            .user(&bouncer.user)
            .dbname(&self.name);
        config
    }

    /// A new connection to this database through PgBouncer (see [`TestDb::pooler_config`]).
    ///
    /// # Panics
    ///
    /// When `pgbouncer` is not installed or does not start, outside a tokio runtime, or if the
    /// connection fails.
    pub async fn pooler_client(&self) -> tokio_postgres::Client {
        connect(&self.pooler_config()).await
    }

    /// This database as a libpq key/value connection string, for handing to a
    /// program or another client library.
    pub fn connection_string(&self) -> String {
        connection_string(&self.config)
    }

    /// A deadpool-postgres pool on this database; connections open on first use.
    #[cfg(feature = "deadpool")]
    pub fn pool(&self) -> deadpool_postgres::Pool {
        let manager_config = deadpool_postgres::ManagerConfig {
            recycling_method: deadpool_postgres::RecyclingMethod::Fast,
        };
        let manager =
            deadpool_postgres::Manager::from_config(self.config.clone(), NoTls, manager_config);
        deadpool_postgres::Pool::builder(manager)
            .build()
            .unwrap_or_else(|error| {
                panic!(
                    "testsupport: cannot build a pool for `{}`: {error}",
                    self.name
                )
            })
    }
}

impl fmt::Debug for TestDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestDb")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.name);
        let admin = server().admin.clone();
        // Drop cannot await, and blocking on the test's own runtime from inside it
        // is not allowed, so a short-lived thread with its own runtime does the
        // work; joining it keeps a last test's database from outliving the process.
        let dropper = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                let Ok((client, connection)) = admin.connect(NoTls).await else {
                    return;
                };
                tokio::spawn(connection);
                drop_database(&client, &name).await;
            });
        });
        let _ = dropper.join();
    }
}

/// A fresh database holding the migrations of `<workspace root>/db/migrations`.
pub async fn fresh_db() -> TestDb {
    fresh_db_from_dir(migrations_dir()).await
}

/// A fresh database holding the migrations found in `dir`.
pub async fn fresh_db_from_dir(dir: impl AsRef<Path>) -> TestDb {
    let sql = migration_sql(dir.as_ref());
    fresh_db_from_template(sql).await
}

/// A fresh database holding a schema of the test's own, each element run as one
/// batch (several statements are fine), in order.
pub async fn fresh_db_from_sql(sql: &[&str]) -> TestDb {
    fresh_db_from_template(sql.iter().map(|text| text.to_string()).collect()).await
}

async fn fresh_db_from_template(sql: Vec<String>) -> TestDb {
    let template = template_for(sql).await;
    let name = unique_name("sqlgen_test");
    let admin = connect(&server().admin).await;
    let create = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote_ident(&name),
        quote_ident(&template)
    );
    if let Err(error) = admin.batch_execute(&create).await {
        panic!(
            "testsupport: cannot create test database `{name}` from `{template}`: {}",
            full_message(&error)
        );
    }
    let mut config = server().admin.clone();
    config.dbname(&name);
    TestDb { name, config }
}

/// The name of a template database holding `sql`, built once per process.
///
/// The name is derived from the SQL, so test processes sharing one server (one
/// `DATABASE_URL`) share templates too, and a changed migration gets a new one.
async fn template_for(sql: Vec<String>) -> String {
    static TEMPLATES: LazyLock<Mutex<HashMap<u64, Arc<OnceCell<String>>>>> =
        LazyLock::new(Default::default);

    let key = content_key(&sql);
    let cell = {
        let mut templates = TEMPLATES.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(templates.entry(key).or_default())
    };
    cell.get_or_init(|| build_template(key, sql)).await.clone()
}

/// A hash of the SQL texts: the length prefixes keep `["ab", "c"]` and
/// `["a", "bc"]` apart.
fn content_key(sql: &[String]) -> u64 {
    // `DefaultHasher::new` has fixed keys, so the value is stable for a given
    // toolchain; a different one only costs one extra template.
    let mut hasher = DefaultHasher::new();
    sql.len().hash(&mut hasher);
    for text in sql {
        text.len().hash(&mut hasher);
        text.hash(&mut hasher);
    }
    hasher.finish()
}

async fn build_template(key: u64, sql: Vec<String>) -> String {
    let name = format!("sqlgen_tpl_{key:016x}");
    let admin = connect(&server().admin).await;
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .unwrap_or_else(|error| {
            panic!(
                "testsupport: cannot look up template `{name}`: {}",
                full_message(&error)
            )
        });
    if exists.is_some() {
        return name;
    }

    // Built under a name of its own and renamed when complete, so that a process
    // sharing the server never copies a half-built template, and two processes
    // building the same one at once both succeed (the second rename loses).
    let building = unique_name("sqlgen_build");
    if let Err(error) = admin
        .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&building)))
        .await
    {
        panic!(
            "testsupport: cannot create database `{building}` for a template: {}",
            full_message(&error)
        );
    }
    let mut config = server().admin.clone();
    config.dbname(&building);
    if let Err(message) = apply(&config, &sql).await {
        drop_database(&admin, &building).await;
        panic!("{message}");
    }
    let rename = format!(
        "ALTER DATABASE {} RENAME TO {}",
        quote_ident(&building),
        quote_ident(&name)
    );
    match admin.batch_execute(&rename).await {
        Ok(()) => {
            // A connection to a template makes every CREATE DATABASE from it fail;
            // refusing connections turns a stray psql session into a clear error.
            let lock = format!(
                "ALTER DATABASE {} WITH ALLOW_CONNECTIONS false",
                quote_ident(&name)
            );
            let _ = admin.batch_execute(&lock).await;
        }
        // Another process renamed its copy first: PostgreSQL reports that as a
        // duplicate database, or, when the two renames race, as a unique violation
        // in pg_database.
        Err(error)
            if error.code() == Some(&SqlState::DUPLICATE_DATABASE)
                || error.code() == Some(&SqlState::UNIQUE_VIOLATION) =>
        {
            drop_database(&admin, &building).await;
        }
        Err(error) => {
            drop_database(&admin, &building).await;
            panic!(
                "testsupport: cannot rename `{building}` to template `{name}`: {}",
                full_message(&error)
            );
        }
    }
    name
}

/// Runs each SQL text as one batch on a new connection, closed before returning
/// (a database with a connection open cannot be renamed or copied).
async fn apply(config: &Config, sql: &[String]) -> Result<(), String> {
    let client = connect(config).await;
    for (index, text) in sql.iter().enumerate() {
        if let Err(error) = client.batch_execute(text).await {
            return Err(format!(
                "testsupport: migration {} of {} failed: {}{}",
                index + 1,
                sql.len(),
                full_message(&error),
                error_location(text, &error)
            ));
        }
    }
    Ok(())
}

/// "at line N: <that line>" for errors the server located in the text.
fn error_location(text: &str, error: &tokio_postgres::Error) -> String {
    let Some(ErrorPosition::Original(position)) = error.as_db_error().and_then(|db| db.position())
    else {
        return String::new();
    };
    // The server counts characters from 1.
    let offset = text
        .char_indices()
        .nth((*position as usize).saturating_sub(1))
        .map_or(text.len(), |(offset, _)| offset);
    let line_number = text[..offset].matches('\n').count() + 1;
    let line = text.lines().nth(line_number - 1).unwrap_or_default();
    format!("\n  at line {line_number}: {}", line.trim())
}

async fn drop_database(admin: &tokio_postgres::Client, name: &str) {
    // FORCE (PostgreSQL 13+) ends connections a test left open; older servers get
    // the plain form.
    let force = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(name));
    if admin.batch_execute(&force).await.is_err() {
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {}", quote_ident(name)))
            .await;
    }
}

async fn connect(config: &Config) -> tokio_postgres::Client {
    let (client, connection) = config.connect(NoTls).await.unwrap_or_else(|error| {
        panic!(
            "testsupport: cannot connect to `{}`: {}",
            config.get_dbname().unwrap_or("<default database>"),
            full_message(&error)
        )
    });
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            // Dropping a test database ends its leftover connections; that is not news.
            if error.code() != Some(&SqlState::ADMIN_SHUTDOWN) {
                eprintln!("testsupport: connection failed: {}", full_message(&error));
            }
        }
    });
    client
}

/// `<prefix>_<pid>_<start stamp>_<counter>`: the pid and counter keep the names of
/// one process apart, the stamp those of processes on different hosts sharing one
/// server.
fn unique_name(prefix: &str) -> String {
    static STAMP: OnceLock<u32> = OnceLock::new();
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let stamp = STAMP.get_or_init(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos())
    });
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}_{}_{stamp:08x}_{count}", std::process::id())
}

/// The error and all its causes on one line: tokio-postgres says only "db error"
/// and keeps the server's message in the source.
fn full_message(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Renders `config` in libpq's key/value syntax, quoting every value.
fn connection_string(config: &Config) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut push = |key: &str, value: &str| {
        let escaped = value.replace('\\', "\\\\").replace('\'', "\\'");
        parts.push(format!("{key}='{escaped}'"));
    };
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        push("host", &hosts.join(","));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        push("port", &ports.join(","));
    }
    if let Some(user) = config.get_user() {
        push("user", user);
    }
    if let Some(password) = config.get_password() {
        push("password", &String::from_utf8_lossy(password));
    }
    if let Some(dbname) = config.get_dbname() {
        push("dbname", dbname);
    }
    if let Some(options) = config.get_options() {
        push("options", options);
    }
    if let Some(application_name) = config.get_application_name() {
        push("application_name", application_name);
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_string_quotes_values_and_parses_back() {
        let mut config = Config::new();
        config
            .host_path("/tmp/some dir")
            .port(5433)
            .user("postgres")
            .password("it's\\secret")
            .dbname("sqlgen_test_1");
        let text = connection_string(&config);
        assert_eq!(
            text,
            r"host='/tmp/some dir' port='5433' user='postgres' password='it\'s\\secret' dbname='sqlgen_test_1'"
        );
        let parsed: Config = text.parse().unwrap();
        assert_eq!(parsed.get_hosts(), config.get_hosts());
        assert_eq!(parsed.get_password(), Some(&b"it's\\secret"[..]));
        assert_eq!(parsed.get_dbname(), Some("sqlgen_test_1"));
    }

    #[test]
    fn content_key_separates_element_boundaries() {
        let a = content_key(&["ab".to_owned(), "c".to_owned()]);
        let b = content_key(&["a".to_owned(), "bc".to_owned()]);
        assert_ne!(a, b);
        assert_eq!(a, content_key(&["ab".to_owned(), "c".to_owned()]));
    }

    #[test]
    fn unique_names_fit_postgres_identifiers() {
        let first = unique_name("sqlgen_build");
        let second = unique_name("sqlgen_build");
        assert_ne!(first, second);
        assert!(
            first.len() <= 63,
            "{first} is longer than NAMEDATALEN allows"
        );
    }

    #[test]
    fn quote_ident_doubles_quotes() {
        assert_eq!(quote_ident("sqlgen_test_1"), "\"sqlgen_test_1\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
