//! What the server says about a session's prepared statements: the judge of the cache tests.

/// The server-side names of the statements prepared for `sql` on this session.
///
/// Takes the plain tokio-postgres client because `pg_prepared_statements` only
/// shows the asking session's statements; a wrapper derefs to it.
pub async fn prepared_names(client: &tokio_postgres::Client, sql: &str) -> Vec<String> {
    client
        .query(
            "SELECT name FROM pg_prepared_statements WHERE statement = $1 ORDER BY name",
            &[&sql],
        )
        .await
        .expect("pg_prepared_statements is readable")
        .iter()
        .map(|row| row.get(0))
        .collect()
}
