//! Every `apivote` query (and `shared`'s `upsert_user`) through a real PgBouncer in transaction
//! mode, from 32 concurrent tasks: with `PoolerClient` none fails or returns rows that are not its
//! own; with the default statement cache the same workload fails, which is what the pooler mode is
//! for.

use std::future::Future;
use std::sync::Arc;

use apivote::db::votes::{CastVotesParams, DeleteVotesParams, ImportVotesParams};
use apivote::db::Queries as _;
use shared::db::models::AuthenticationMethod;
use shared::db::users::UpsertUserParams;
use shared::db::Queries as _;
use sqlgen_runtime::{Client, Error, GenericClient, PoolerClient};
use tokio_postgres::{Config, NoTls, SimpleQueryMessage};
use uuid::Uuid;

const TASKS: usize = 32;

/// What the tasks of one run found.
#[derive(Debug, Default)]
struct Tally {
    calls: usize,
    failed: usize,
    /// Calls that succeeded with a result other than this task's own rows.
    wrong: usize,
    first_problem: Option<String>,
    /// Statements sent as a Bind of a content-named statement, and how many of those were
    /// prepared again because the server connection lacked them.
    named: u64,
    reprepared: u64,
}

impl Tally {
    /// Counts one call: an error, or a result that `expected` rejects.
    fn check<T: std::fmt::Debug>(
        &mut self,
        what: &str,
        result: Result<T, Error>,
        expected: impl FnOnce(&T) -> bool,
    ) -> Option<T> {
        self.calls += 1;
        match result {
            Ok(value) if expected(&value) => Some(value),
            Ok(value) => {
                self.wrong += 1;
                self.first_problem
                    .get_or_insert_with(|| format!("{what}: unexpected {value:?}"));
                None
            }
            Err(error) => {
                self.failed += 1;
                self.first_problem
                    .get_or_insert_with(|| format!("{what}: {error}"));
                None
            }
        }
    }

    fn add(&mut self, other: Tally) {
        self.calls += other.calls;
        self.failed += other.failed;
        self.wrong += other.wrong;
        self.named += other.named;
        self.reprepared += other.reprepared;
        if self.first_problem.is_none() {
            self.first_problem = other.first_problem;
        }
    }
}

/// A client mode under test: the default cache or the pooler mode, with a transaction for
/// `:copyfrom` (which the pooler mode runs only inside one).
trait Mode: 'static {
    const NAME: &'static str;
    type Client: GenericClient + Send + Sync + 'static;
    fn open(config: &Config) -> impl Future<Output = Self::Client> + Send;
    fn import_in_transaction<'a>(
        client: &'a mut Self::Client,
        rows: Vec<ImportVotesParams<'a>>,
    ) -> impl Future<Output = Result<u64, Error>> + Send + 'a;
    /// Named statements sent and prepared again.
    fn counts(_: &Self::Client) -> (u64, u64) {
        (0, 0)
    }
}

/// The default statement cache.
struct Cached;

impl Mode for Cached {
    const NAME: &'static str = "default statement cache (sqlgen_runtime::Client)";
    type Client = Client;
    async fn open(config: &Config) -> Client {
        Client::new(connect(config).await)
    }
    async fn import_in_transaction<'a>(
        client: &'a mut Client,
        rows: Vec<ImportVotesParams<'a>>,
    ) -> Result<u64, Error> {
        let tx = client.transaction().await?;
        let copied = tx.import_votes(rows).await?;
        tx.commit().await?;
        Ok(copied)
    }
}

/// The pooler mode on a connection of tokio-postgres's own: unnamed statements.
struct Unnamed;

impl Mode for Unnamed {
    const NAME: &'static str = "pooler mode, unnamed statements (PoolerClient::new)";
    type Client = PoolerClient;
    async fn open(config: &Config) -> PoolerClient {
        PoolerClient::new(connect(config).await)
    }
    async fn import_in_transaction<'a>(
        client: &'a mut PoolerClient,
        rows: Vec<ImportVotesParams<'a>>,
    ) -> Result<u64, Error> {
        let tx = client.transaction().await?;
        let copied = tx.import_votes(rows).await?;
        tx.commit().await?;
        Ok(copied)
    }
}

/// The pooler mode connected by `PoolerClient::connect`: statements named after their content
/// outside transactions.
struct Named;

impl Mode for Named {
    const NAME: &'static str = "pooler mode, content-named statements (PoolerClient::connect)";
    type Client = PoolerClient;
    async fn open(config: &Config) -> PoolerClient {
        let (client, connection) = PoolerClient::connect(config, NoTls)
            .await
            .expect("connect to pgbouncer");
        tokio::spawn(connection);
        client
    }
    fn import_in_transaction<'a>(
        client: &'a mut PoolerClient,
        rows: Vec<ImportVotesParams<'a>>,
    ) -> impl Future<Output = Result<u64, Error>> + Send + 'a {
        Unnamed::import_in_transaction(client, rows)
    }
    fn counts(client: &PoolerClient) -> (u64, u64) {
        let counts = client
            .named_statements()
            .expect("connected by PoolerClient::connect");
        (counts.named(), counts.reprepared())
    }
}

async fn connect(config: &Config) -> tokio_postgres::Client {
    let (client, connection) = config.connect(NoTls).await.expect("connect to pgbouncer");
    tokio::spawn(connection);
    client
}

/// Every query once, on rows of task `t` only (its own users and API names), each result checked.
async fn every_query<C: GenericClient>(client: &C, t: usize, tally: &mut Tally) -> Option<Uuid> {
    let user = |email| UpsertUserParams {
        email,
        authentication_method: AuthenticationMethod::Github,
        authentication_profile: None,
        name: None,
        display_name: None,
        avatar_url: None,
    };
    let (ada_email, bob_email) = (
        format!("ada-{t}@example.com"),
        format!("bob-{t}@example.com"),
    );
    let ada = tally.check(
        "upsert_user",
        client.upsert_user(&user(&ada_email)).await,
        |u| u.email == ada_email && u.authentication_method == AuthenticationMethod::Github,
    )?;
    let bob = tally.check(
        "upsert_user",
        client.upsert_user(&user(&bob_email)).await,
        |u| u.email == bob_email,
    )?;
    let (ada, bob) = (ada.id, bob.id);
    let id = |name: &str| format!("{name}-{t}");
    let (stripe, github, gitlab, slack) = (id("stripe"), id("github"), id("gitlab"), id("slack"));

    let v1 = id("v1");
    let vote = tally.check(
        "create_vote",
        client.create_vote(&v1, &stripe, ada).await,
        |v| v.as_ref().is_some_and(|v| v.id == v1 && v.user_id == ada),
    );
    let v2 = id("v2");
    tally.check(
        "upsert_vote",
        client.upsert_vote(&v2, &github, ada).await,
        |v| v.id == v2 && v.api_identifier == github,
    );
    tally.check("get_vote", client.get_vote(&stripe, ada).await, |v| {
        v.as_ref().map(|v| &v.id) == Some(&v1)
    });
    tally.check(
        "has_user_voted",
        client.has_user_voted(&stripe, ada).await,
        |v| *v,
    );
    tally.check(
        "count_votes_for_api",
        client.count_votes_for_api(&stripe).await,
        |n| *n == 1,
    );
    tally.check(
        "count_votes_by_api",
        client.count_votes_by_api(100_000).await,
        |rows| {
            [&stripe, &github].iter().all(|api| {
                rows.iter()
                    .any(|r| &&r.api_identifier == api && r.vote_count == 1)
            })
        },
    );
    tally.check(
        "list_voters_for_api",
        client.list_voters_for_api(&stripe, 10, 0).await,
        |rows| rows.len() == 1 && rows[0].user_id == ada && rows[0].email == ada_email,
    );
    tally.check(
        "list_votes_by_user",
        client.list_votes_by_user(ada).await,
        |rows| {
            let mut ids: Vec<_> = rows.iter().map(|v| v.id.as_str()).collect();
            ids.sort();
            ids == [v1.as_str(), v2.as_str()]
        },
    );
    tally.check(
        "list_users_with_vote_status",
        client.list_users_with_vote_status(&stripe, 100_000).await,
        |rows| {
            rows.iter()
                .any(|r| r.user_id == ada && r.vote_id.as_ref() == Some(&v1))
                && rows.iter().any(|r| r.user_id == bob && r.vote_id.is_none())
        },
    );
    tally.check(
        "compare_api_voters",
        client.compare_api_voters(&stripe, &github).await,
        |rows| {
            rows.len() == 1
                && rows[0].user_id == Some(ada)
                && vote.as_ref().and_then(|v| v.as_ref()).map(|v| v.created_at)
                    == rows[0].first_voted_at
        },
    );
    tally.check(
        "delete_vote",
        client.delete_vote(&stripe, ada).await,
        |row| row.as_ref().map(|r| &r.id) == Some(&v1),
    );
    tally.check(
        "delete_votes_for_api",
        client.delete_votes_for_api(&github).await,
        |n| *n == 1,
    );

    let v0 = id("v0");
    tally.check(
        "record_vote",
        client.record_vote(&v0, &gitlab, bob).await,
        |_| true,
    );
    tally.check("get_vote_by_id", client.get_vote_by_id(&v0).await, |v| {
        v.api_identifier == gitlab && v.user_id == bob
    });
    tally.calls += 1;
    match client.get_vote_by_id("nope").await {
        Err(error) if error.is_not_found() => {}
        other => {
            tally.failed += 1;
            tally
                .first_problem
                .get_or_insert_with(|| format!("get_vote_by_id(nope): {other:?}"));
        }
    }
    let v3 = id("v3");
    let cast = [CastVotesParams {
        id: &v3,
        api_identifier: &slack,
        user_id: bob,
    }];
    tally.check("cast_votes", client.cast_votes(&cast).await, |r| {
        matches!(r[..], [Ok(())])
    });
    tally.check(
        "get_votes_by_id",
        client.get_votes_by_id(&[&v3, "nope"]).await,
        |r| {
            r.len() == 2
                && r[0].as_ref().is_ok_and(|v| v.id == v3 && v.user_id == bob)
                && r[1].as_ref().is_err_and(Error::is_not_found)
        },
    );
    tally.check(
        "list_voter_ids_for_apis",
        client.list_voter_ids_for_apis(&[&slack, "nope"]).await,
        |r| {
            r.len() == 2
                && r[0].as_ref().is_ok_and(|ids| ids == &[bob])
                && r[1].as_ref().is_ok_and(Vec::is_empty)
        },
    );
    Some(ada)
}

/// The rest of task `t`'s workload, after the `:copyfrom` (which ran in a transaction).
async fn after_import<C: GenericClient>(client: &C, t: usize, ada: Uuid, tally: &mut Tally) {
    let slack = format!("slack-{t}");
    let bob_votes = client.list_voter_ids_for_apis(&[&slack]).await;
    let bob = tally.check("list_voter_ids_for_apis", bob_votes, |r| {
        r[0].as_ref().is_ok_and(|ids| ids.len() == 2)
    });
    let Some(voters) = bob.and_then(|mut r| r.pop()?.ok()) else {
        return;
    };
    let items: Vec<DeleteVotesParams> = voters
        .iter()
        .map(|&user_id| DeleteVotesParams {
            api_identifier: &slack,
            user_id,
        })
        .collect();
    tally.check("delete_votes", client.delete_votes(&items).await, |r| {
        r.len() == 2 && r.iter().all(Result::is_ok)
    });
    tally.check(
        "count_votes_for_api",
        client.count_votes_for_api(&slack).await,
        |n| *n == 0,
    );
    let _ = ada;
}

/// One task: its own connection through PgBouncer, every query.
async fn task<M: Mode>(config: Config, t: usize) -> Tally {
    let mut client = M::open(&config).await;
    let mut tally = Tally::default();
    let Some(ada) = every_query(&client, t, &mut tally).await else {
        return tally;
    };
    let at = time::PrimitiveDateTime::new(
        time::Date::from_calendar_date(2026, time::Month::January, 1).unwrap(),
        time::Time::MIDNIGHT,
    );
    let v4 = format!("v4-{t}");
    let slack = format!("slack-{t}");
    let rows = vec![ImportVotesParams {
        id: &v4,
        api_identifier: &slack,
        user_id: ada,
        created_at: at,
        updated_at: at,
    }];
    let imported = M::import_in_transaction(&mut client, rows).await;
    tally.check("import_votes", imported, |n| *n == 1);
    after_import(&client, t, ada, &mut tally).await;
    (tally.named, tally.reprepared) = M::counts(&client);
    tally
}

/// `TASKS` concurrent tasks, each on its own connection through PgBouncer, numbered from `first`
/// (so that runs in one database use rows of their own).
async fn run_tasks<M: Mode>(config: &Config, first: usize) -> Tally {
    let handles: Vec<_> = (first..first + TASKS)
        .map(|t| tokio::spawn(task::<M>(config.clone(), t)))
        .collect();
    let mut total = Tally::default();
    for handle in handles {
        total.add(handle.await.expect("task"));
    }
    total
}

/// How many named statements each of PgBouncer's server connections holds, and how many of those
/// are not named after their content (`sqlgen_...`): as many transactions held open at once as the
/// pool has connections, each on its own.
async fn named_statements_per_server(config: &Config) -> Vec<(String, String, String)> {
    let mut clients = Vec::new();
    let mut found = Vec::new();
    for _ in 0..testsupport::POOLER_SERVER_CONNECTIONS {
        let client = connect(config).await;
        let rows = client
            .simple_query(
                "BEGIN; SELECT pg_backend_pid()::text, count(*)::text, \
                 count(*) FILTER (WHERE name NOT LIKE 'sqlgen\\_%')::text \
                 FROM pg_prepared_statements",
            )
            .await
            .unwrap();
        for row in rows {
            if let SimpleQueryMessage::Row(row) = row {
                found.push((
                    row.get(0).unwrap().to_owned(),
                    row.get(1).unwrap().to_owned(),
                    row.get(2).unwrap().to_owned(),
                ));
            }
        }
        clients.push(client);
    }
    for client in clients {
        client.batch_execute("COMMIT").await.unwrap();
    }
    found
}

fn report(name: &str, tally: &Tally) {
    println!(
        "{name}: {TASKS} tasks, {} calls ({} per task), {} failed, {} returned rows not their own; \
         {} named statements, {} prepared again; first problem: {}",
        tally.calls,
        tally.calls / TASKS,
        tally.failed,
        tally.wrong,
        tally.named,
        tally.reprepared,
        tally.first_problem.as_deref().unwrap_or("none")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_query_through_pgbouncer_from_32_tasks() {
    let db = testsupport::fresh_db().await;
    let config = db.pooler_config();

    let pooled = run_tasks::<Unnamed>(&config, 0).await;
    report(Unnamed::NAME, &pooled);
    assert_eq!(pooled.calls, TASKS * 24, "{pooled:?}");
    assert_eq!((pooled.failed, pooled.wrong), (0, 0), "{pooled:?}");
    // Nothing named is left on any server connection for another client to meet.
    let servers = named_statements_per_server(&config).await;
    println!("named statements per server connection after the unnamed pooler mode: {servers:?}");
    assert_eq!(servers.len(), testsupport::POOLER_SERVER_CONNECTIONS);
    assert!(servers[0].0 != servers[1].0, "{servers:?}");
    assert!(
        servers.iter().all(|(_, count, _)| count == "0"),
        "{servers:?}"
    );

    let named = run_tasks::<Named>(&config, 2000).await;
    report(Named::NAME, &named);
    assert_eq!(named.calls, TASKS * 24, "{named:?}");
    assert_eq!((named.failed, named.wrong), (0, 0), "{named:?}");
    // Most calls ran as a Bind of a named statement; each server connection lacked each statement
    // once (and the learning transactions deallocate them), so some were prepared again.
    assert!(named.named >= (TASKS * 16) as u64, "{named:?}");
    assert!(
        named.reprepared > 0 && named.reprepared < named.named,
        "{named:?}"
    );
    // What is left on the server connections is named after its content only: a client that
    // meets it runs the same statement it asked for.
    let servers = named_statements_per_server(&config).await;
    println!("named statements per server connection after the content-named mode: {servers:?}");
    assert!(
        servers.iter().any(|(_, count, _)| count != "0"),
        "{servers:?}"
    );
    assert!(
        servers.iter().all(|(_, _, other)| other == "0"),
        "{servers:?}"
    );

    // The same workload with the default cache: statements prepared on one server connection are
    // run on another.
    let cached = run_tasks::<Cached>(&config, 1000).await;
    report(Cached::NAME, &cached);
    assert!(cached.failed + cached.wrong > 0, "{cached:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_pooler_client_shared_by_32_tasks() {
    let db = testsupport::fresh_db().await;
    let client = Arc::new(PoolerClient::new(db.pooler_client().await));
    let handles: Vec<_> = (0..TASKS)
        .map(|t| {
            let client = Arc::clone(&client);
            tokio::spawn(async move {
                let mut tally = Tally::default();
                every_query(&*client, 100 + t, &mut tally).await;
                tally
            })
        })
        .collect();
    let mut total = Tally::default();
    for handle in handles {
        total.add(handle.await.unwrap());
    }
    report("one shared PoolerClient", &total);
    assert_eq!((total.failed, total.wrong), (0, 0), "{total:?}");
    assert!(total.calls >= TASKS * 20);
    // The 16 distinct SQL texts of `every_query`, each learned once whatever the concurrency.
    assert_eq!(client.learned_statements(), 16);
}
