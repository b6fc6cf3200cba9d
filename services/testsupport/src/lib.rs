//! Fresh PostgreSQL databases for tests: one real database per test, built from the migrations.
//!
//! ```no_run
//! #[tokio::test]
//! async fn creates_a_user() {
//!     let db = testsupport::fresh_db().await;
//!     let client = db.client().await;
//!     client.batch_execute("SELECT 1").await.unwrap();
//! }
//! ```
//!
//! Where the server comes from:
//! - `DATABASE_URL`, if set, names a server to use (its user needs `CREATEDB`;
//!   connections are made without TLS).
//! - Otherwise the first test of the process starts a throwaway server: `initdb`
//!   into a new folder under `/dev/shm` (else `$TMPDIR` or `/tmp`), listening only on a unix
//!   socket in that folder, with durability switched off. After [`listen_on_tcp`] it also
//!   listens on 127.0.0.1 at a free port, with a random password ([`TestDb::tcp_client`]).
//!   As root, it runs as the `postgres` system user.
//!   The folder is private (0700): its socket trusts every connection, so only the owner may
//!   reach it. A watchdog shell stops the server and deletes the folder once the test process ends.
//! - [`TestDb::pooler_config`] reaches a database through PgBouncer in transaction pooling mode
//!   ([`POOLER_SERVER_CONNECTIONS`] server connections), started in front of the server on first
//!   use, listening only on a unix socket in a private folder of its own. Without `pgbouncer`
//!   installed, those tests panic too.
//! - With neither a `DATABASE_URL` nor PostgreSQL installed, every test that asks
//!   for a database panics: a database test must fail, never silently skip.
//!
//! Each schema (the migrations of a folder, or a list of SQL texts) is built once
//! into a template database, and every test gets `CREATE DATABASE .. TEMPLATE`,
//! which takes milliseconds.

mod migrations;
mod pooler;
mod server;
mod test_db;

pub use crate::migrations::{migration_sql, migrations_dir, workspace_root};
pub use crate::pooler::POOLER_SERVER_CONNECTIONS;
pub use crate::server::{listen_on_tcp, server_dir};
pub use crate::test_db::{fresh_db, fresh_db_from_dir, fresh_db_from_sql, TestDb};
pub use tokio_postgres;
