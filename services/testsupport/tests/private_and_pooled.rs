//! The throwaway server's folder is private, and PgBouncer in transaction mode stands in front of it.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[tokio::test]
async fn the_server_folder_is_private() {
    let db = testsupport::fresh_db().await;
    let Some(dir) = testsupport::server_dir() else {
        // DATABASE_URL names a server this process did not start.
        assert!(std::env::var("DATABASE_URL").is_ok());
        return;
    };
    let mode = std::fs::metadata(dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{} has mode {mode:o}", dir.display());
    // The socket in it is what the folder protects, and it is there.
    let socket = dir.join(".s.PGSQL.5432");
    assert!(socket.exists() || db.tcp_config().is_some());
    // Another local user cannot even look inside (root could; `nobody` cannot).
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if is_root {
        let status = Command::new("runuser")
            .args(["-u", "nobody", "--", "ls"])
            .arg(dir)
            .output()
            .expect("runuser runs");
        assert!(
            !status.status.success(),
            "user nobody could list {}",
            dir.display()
        );
    }
}

#[tokio::test]
async fn pgbouncer_runs_in_transaction_mode_with_a_small_pool() {
    let db = testsupport::fresh_db().await;
    let client = db.pooler_client().await;
    let row = client
        .query_typed("SELECT current_database(), count(*) FROM users", &[])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(row.get::<_, String>(0), db.name);
    assert_eq!(row.get::<_, i64>(1), 0);

    // Statements go through unnamed (`query_typed`): tokio-postgres's `query("SQL text")` prepares
    // a named statement in one exchange and runs it in the next, which breaks here.
    // Transaction mode: a session's consecutive statements may run on different server
    // connections. Clients busy at once make the pool open all its connections, and never more.
    let clients = connect_many(&db, 6).await;
    let mut tasks = Vec::new();
    for c in clients {
        tasks.push(tokio::spawn(async move {
            let pid: i32 = c
                .query_typed("SELECT pg_backend_pid() FROM pg_sleep(0.2)", &[])
                .await
                .unwrap()[0]
                .get(0);
            (c, pid)
        }));
    }
    let mut clients = Vec::new();
    let mut backends = std::collections::BTreeSet::new();
    for task in tasks {
        let (c, pid) = task.await.unwrap();
        clients.push(c);
        backends.insert(pid);
    }
    assert_eq!(
        backends.len(),
        testsupport::POOLER_SERVER_CONNECTIONS,
        "backends seen: {backends:?}"
    );
    // One client's consecutive statements see both server connections.
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..10 {
        let pid: i32 = client
            .query_typed("SELECT pg_backend_pid()", &[])
            .await
            .unwrap()[0]
            .get(0);
        seen.insert(pid);
    }
    assert_eq!(seen, backends);
    // A prepared statement does not survive its transaction: its next use finds another server
    // connection, which never saw the Parse (what `sqlgen_runtime::PoolerClient` avoids).
    let stmt = client.prepare("SELECT 1").await.unwrap();
    let failures = futures_count(&client, &stmt).await;
    assert!(failures > 0, "a named statement survived the pooler");
}

/// How many of ten runs of `stmt` fail.
async fn futures_count(
    client: &testsupport::tokio_postgres::Client,
    stmt: &testsupport::tokio_postgres::Statement,
) -> usize {
    let mut failures = 0;
    for _ in 0..10 {
        if client.query_one(stmt, &[]).await.is_err() {
            failures += 1;
        }
    }
    failures
}

async fn connect_many(
    db: &testsupport::TestDb,
    n: usize,
) -> Vec<testsupport::tokio_postgres::Client> {
    let mut clients = Vec::new();
    for _ in 0..n {
        clients.push(db.pooler_client().await);
    }
    clients
}
