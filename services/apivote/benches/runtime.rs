//! Generated code against hand-written tokio-postgres on one connection to a real PostgreSQL:
//! point lookup (also in the pooler mode, directly and through PgBouncer in transaction mode),
//! 100-row range, INSERTs, a batch of 16 lookups (over the unix socket and over TCP) and a
//! 100,000-row COPY.
//!
//! `cargo bench -p apivote --bench runtime` (a throwaway server is started unless `DATABASE_URL`
//! is set). Each round runs every contender of a benchmark on the same operations, interleaved in
//! 20 chunks whose order rotates (the COPY rounds run whole, in an order that alternates); the table gives time per operation (min / median / max over the
//! rounds) and the ratio of medians against the generated code. `ROUNDS=n` changes the rounds (11; the COPY benchmarks run at most 5).
//! Every benchmark first runs one untimed warm-up round of each contender. `BENCH_ONLY=pooler` runs
//! the pooler-mode lookup alone; run it under `taskset -c 0` (the server and PgBouncer inherit the
//! affinity), or each connection's figures depend on where the scheduler puts its backend.

use std::future::Future;
use std::time::{Duration, Instant};

use apivote::db::models::ApiIntegrationVote;
use apivote::db::votes::ImportVotesParams;
use apivote::db::Queries as _;
use futures_util::future::join_all;
use shared::db::models::AuthenticationMethod;
use shared::db::users::UpsertUserParams;
use shared::db::Queries as _;
use sqlgen_runtime::{Client, PoolerClient};
use time::PrimitiveDateTime;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::Type;
use tokio_postgres::NoTls;
use uuid::Uuid;

const LOOKUP: &str = r#"SELECT id, "apiIdentifier", "userId", "createdAt", "updatedAt" FROM "ApiIntegrationVote" WHERE "id" = $1"#;
const RANGE: &str = r#"SELECT v.id, v."apiIdentifier", v."userId", v."createdAt", v."updatedAt" FROM "ApiIntegrationVote" v WHERE v."userId" = $1 ORDER BY v."createdAt" DESC"#;
const INSERT: &str = r#"INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "updatedAt") VALUES ($1, $2, $3, now())"#;
const UPSERT: &str = r#"INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "updatedAt") VALUES ($1, $2, $3, now()) ON CONFLICT ("apiIdentifier", "userId") DO UPDATE SET "updatedAt" = EXCLUDED."updatedAt" RETURNING id, "apiIdentifier", "userId", "createdAt", "updatedAt""#;
const COPY: &str = r#"COPY "ApiIntegrationVote" (id, "apiIdentifier", "userId", "createdAt", "updatedAt") FROM STDIN (FORMAT binary)"#;
const COPY_INSERT: &str = r#"INSERT INTO "public"."ApiIntegrationVote" ("id", "apiIdentifier", "userId", "createdAt", "updatedAt") VALUES ($1, $2, $3, $4, $5)"#;

const LOOKUPS: usize = 4000;
const RANGES: usize = 1000;
const INSERTS: usize = 3000;
const BATCHES: usize = 500;
const COPY_ROWS: usize = 100_000;

/// Hand-written decoding, as a tokio-postgres user writes it.
fn vote(row: &tokio_postgres::Row) -> ApiIntegrationVote {
    ApiIntegrationVote {
        id: row.get(0),
        api_identifier: row.get(1),
        user_id: row.get(2),
        created_at: row.get(3),
        updated_at: row.get(4),
    }
}

/// Times of one contender, one per round, per operation; the first round is a warm-up and is not
/// reported.
struct Series {
    name: &'static str,
    per_op: Vec<Duration>,
}

impl Series {
    fn measured(&self) -> &[Duration] {
        &self.per_op[1..]
    }
    fn median(&self) -> Duration {
        let mut v = self.measured().to_vec();
        v.sort();
        v[v.len() / 2]
    }
    fn min(&self) -> Duration {
        *self.measured().iter().min().unwrap()
    }
    fn max(&self) -> Duration {
        *self.measured().iter().max().unwrap()
    }
}

fn fmt(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 10_000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

/// Prints one benchmark's table: the first series is the generated code, ratios are its median
/// time over the other's (above 1: the generated code is faster).
fn report(title: &str, ops: usize, series: &[Series]) {
    println!(
        "\n### {title} ({ops} operations per round, {} rounds)\n",
        series[0].measured().len()
    );
    println!("| contender | min | median | max | generated speed vs this |");
    println!("|---|---:|---:|---:|---:|");
    let base = series[0].median().as_secs_f64();
    for s in series {
        let ratio = s.median().as_secs_f64() / base;
        // Per-round ratios show whether the median ratio is steady.
        let rounds: Vec<f64> = s
            .measured()
            .iter()
            .zip(series[0].measured())
            .map(|(o, g)| o.as_secs_f64() / g.as_secs_f64())
            .collect();
        let (lo, hi) = rounds
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(*r), b.max(*r)));
        println!(
            "| {} | {} | {} | {} | {ratio:.3}× (rounds {lo:.2}–{hi:.2}) |",
            s.name,
            fmt(s.min()),
            fmt(s.median()),
            fmt(s.max())
        );
    }
}

/// Chunks a round of every benchmark is cut into.
const CHUNKS: usize = 20;

/// One round of `N` contenders: `ops` operations each, run in [`CHUNKS`] chunks where every chunk
/// runs each contender on the same range of operations, starting with a different one each time,
/// so that the machine's slower moments fall on every contender alike. `run(who, range)` runs
/// contender `who` on operations `range`. Returns each contender's time per operation.
async fn interleaved<const N: usize>(
    ops: usize,
    mut run: impl AsyncFnMut(usize, std::ops::Range<usize>),
) -> [Duration; N] {
    let mut total = [Duration::ZERO; N];
    let chunk = ops.div_ceil(CHUNKS);
    for (k, start) in (0..ops).step_by(chunk).enumerate() {
        let range = start..(start + chunk).min(ops);
        for turn in 0..N {
            let who = (k + turn) % N;
            let began = Instant::now();
            run(who, range.clone()).await;
            total[who] += began.elapsed();
        }
    }
    total.map(|t| t / ops as u32)
}

/// Runs `ops` operations and returns the time per operation.
async fn timed<F: Future<Output = ()>>(ops: usize, run: F) -> Duration {
    let start = Instant::now();
    run.await;
    start.elapsed() / ops as u32
}

/// The generated batch against hand-written pipelining and a sequential loop, on `client`'s
/// connection.
async fn batch_of_16(client: &Client, batches: &[Vec<&str>], rounds: usize) -> Vec<Series> {
    let pg: &tokio_postgres::Client = client;
    let lookup = pg.prepare(LOOKUP).await.unwrap();
    let mut gen = Series {
        name: "generated `get_votes_by_id` (:batchone, 16 items)",
        per_op: vec![],
    };
    let mut hand = Series {
        name: "hand-written: 16 `query_one` futures in flight (`join_all`)",
        per_op: vec![],
    };
    let mut seq = Series {
        name: "sequential loop: 16 × generated `get_vote_by_id`",
        per_op: vec![],
    };
    for _ in 0..=rounds {
        let [g, h, q] = interleaved(BATCHES, async |who, range: std::ops::Range<usize>| {
            for b in &batches[range] {
                match who {
                    0 => {
                        let found = client.get_votes_by_id(b).await.unwrap();
                        assert!(found.iter().all(Result::is_ok));
                        std::hint::black_box(found);
                    }
                    1 => {
                        let lookup = &lookup;
                        let rows = join_all(
                            b.iter()
                                .map(|id| async move { pg.query_one(lookup, &[id]).await }),
                        )
                        .await;
                        let found: Vec<ApiIntegrationVote> =
                            rows.iter().map(|r| vote(r.as_ref().unwrap())).collect();
                        std::hint::black_box(found);
                    }
                    _ => {
                        let mut found = Vec::with_capacity(16);
                        for id in b {
                            found.push(client.get_vote_by_id(id).await.unwrap());
                        }
                        std::hint::black_box(found);
                    }
                }
            }
        })
        .await;
        gen.per_op.push(g);
        hand.per_op.push(h);
        seq.per_op.push(q);
    }
    vec![gen, hand, seq]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(11);
    // The batch also runs over TCP, how services usually reach PostgreSQL.
    testsupport::listen_on_tcp();
    let db = testsupport::fresh_db().await;
    let client = Client::new(db.client().await);
    let pg: &tokio_postgres::Client = &client;
    let version: String = pg
        .query_one("SHOW server_version", &[])
        .await
        .unwrap()
        .get(0);
    println!(
        "PostgreSQL {version}, one connection (unix socket; the batch also over TCP), \
         tokio current-thread runtime"
    );

    let user = |email: &'static str| UpsertUserParams {
        email,
        authentication_method: AuthenticationMethod::MagicLink,
        authentication_profile: None,
        name: None,
        display_name: None,
        avatar_url: None,
    };
    let ada = client
        .upsert_user(&user("ada@example.com"))
        .await
        .unwrap()
        .id;
    let bob = client
        .upsert_user(&user("bob@example.com"))
        .await
        .unwrap()
        .id;
    // 1,000 votes of bob to look up, 100 of ada for the range.
    let ids: Vec<String> = (0..1000).map(|i| format!("lookup-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        client
            .record_vote(id, &format!("api-{i}"), bob)
            .await
            .unwrap();
    }
    for i in 0..100 {
        client
            .record_vote(&format!("range-{i}"), &format!("api-{i}"), ada)
            .await
            .unwrap();
    }
    // Vacuumed too, so that autovacuum (due after 1,000 inserts) does not run during the first
    // benchmark.
    pg.batch_execute(r#"VACUUM ANALYZE "ApiIntegrationVote""#)
        .await
        .unwrap();

    // Hand-written: every statement prepared once, up front, as a careful user does.
    let lookup = pg.prepare(LOOKUP).await.unwrap();
    let range_stmt = pg.prepare(RANGE).await.unwrap();
    let insert = pg.prepare(INSERT).await.unwrap();
    let upsert = pg.prepare(UPSERT).await.unwrap();
    let copy_insert = pg.prepare(COPY_INSERT).await.unwrap();

    let mut results = Vec::new();

    // ---- :one point lookup in the pooler mode, direct and through PgBouncer ---------------
    let connect = async |config: tokio_postgres::Config| {
        let (client, connection) = PoolerClient::connect(&config, NoTls).await.unwrap();
        tokio::spawn(connection);
        client
    };
    let named = connect(db.config()).await;
    let named_bounced = connect(db.pooler_config()).await;
    let named_pg: &tokio_postgres::Client = &named;
    // Prepared by hand, not learned by the client: the stream passes its Binds unchanged. After
    // the client learned the lookup, whose learning transaction deallocates such statements.
    named.get_vote_by_id(&ids[0]).await.unwrap();
    let lookup_named = named_pg.prepare(LOOKUP).await.unwrap();
    let unnamed = PoolerClient::new(db.client().await);
    let unnamed_bounced = PoolerClient::new(db.pooler_client().await);
    let mut series = [
        "generated `get_vote_by_id` on `PoolerClient::connect` (content-named), direct",
        "hand-written `query_one`, prepared once, direct",
        "generated `get_vote_by_id` on `PoolerClient::new` (unnamed), direct",
        "generated `get_vote_by_id` on `PoolerClient::connect`, through PgBouncer",
        "generated `get_vote_by_id` on `PoolerClient::new`, through PgBouncer",
        "hand-written `query_one`, prepared once, on `PoolerClient::connect`'s connection (passed unchanged), direct",
    ]
    .map(|name| Series {
        name,
        per_op: vec![],
    });
    for _ in 0..=rounds {
        let times = interleaved::<6>(LOOKUPS, async |who, range: std::ops::Range<usize>| {
            for i in range {
                let id = &ids[i % ids.len()];
                let vote = match who {
                    0 => named.get_vote_by_id(id).await.unwrap(),
                    1 => vote(&pg.query_one(&lookup, &[id]).await.unwrap()),
                    2 => unnamed.get_vote_by_id(id).await.unwrap(),
                    3 => named_bounced.get_vote_by_id(id).await.unwrap(),
                    4 => unnamed_bounced.get_vote_by_id(id).await.unwrap(),
                    _ => vote(&named_pg.query_one(&lookup_named, &[id]).await.unwrap()),
                };
                std::hint::black_box(vote);
            }
        })
        .await;
        for (s, t) in series.iter_mut().zip(times) {
            s.per_op.push(t);
        }
    }
    results.push((
        "Point lookup (`:one`) in the pooler mode (PgBouncer 1.18, transaction pooling, unix socket)",
        LOOKUPS,
        Vec::from(series),
    ));

    // `BENCH_ONLY=pooler`: this benchmark alone.
    if std::env::var("BENCH_ONLY").as_deref() == Ok("pooler") {
        for (title, ops, series) in &results {
            report(title, *ops, series);
        }
        return;
    }

    // ---- :one point lookup ------------------------------------------------------------------
    let mut gen = Series {
        name: "generated `get_vote_by_id` (:one)",
        per_op: vec![],
    };
    let mut hand = Series {
        name: "hand-written `query_one`, prepared once",
        per_op: vec![],
    };
    for _ in 0..=rounds {
        let [g, h] = interleaved(LOOKUPS, async |who, range: std::ops::Range<usize>| {
            for i in range {
                let id = &ids[i % ids.len()];
                if who == 0 {
                    std::hint::black_box(client.get_vote_by_id(id).await.unwrap());
                } else {
                    let row = pg.query_one(&lookup, &[id]).await.unwrap();
                    std::hint::black_box(vote(&row));
                }
            }
        })
        .await;
        gen.per_op.push(g);
        hand.per_op.push(h);
    }
    results.push(("Point lookup (`:one`)", LOOKUPS, vec![gen, hand]));

    // ---- :many 100-row range ----------------------------------------------------------------
    let mut gen = Series {
        name: "generated `list_votes_by_user` (:many)",
        per_op: vec![],
    };
    let mut hand = Series {
        name: "hand-written `query`, prepared once",
        per_op: vec![],
    };
    for _ in 0..=rounds {
        let [g, h] = interleaved(RANGES, async |who, range: std::ops::Range<usize>| {
            for _ in range {
                let v = if who == 0 {
                    client.list_votes_by_user(ada).await.unwrap()
                } else {
                    let rows = pg.query(&range_stmt, &[&ada]).await.unwrap();
                    rows.iter().map(vote).collect()
                };
                assert_eq!(v.len(), 100);
                std::hint::black_box(v);
            }
        })
        .await;
        gen.per_op.push(g);
        hand.per_op.push(h);
    }
    results.push(("100-row range (`:many`)", RANGES, vec![gen, hand]));

    // ---- INSERT :exec and :one RETURNING ----------------------------------------------------
    let mut gen_exec = Series {
        name: "generated `record_vote` (:exec)",
        per_op: vec![],
    };
    let mut hand_exec = Series {
        name: "hand-written `execute`, prepared once",
        per_op: vec![],
    };
    let mut gen_ret = Series {
        name: "generated `upsert_vote` (:one RETURNING)",
        per_op: vec![],
    };
    let mut hand_ret = Series {
        name: "hand-written `query_one`, prepared once",
        per_op: vec![],
    };
    let mut serial = 0usize;
    let mut next = || {
        serial += 1;
        (format!("ins-{serial}"), format!("ins-api-{serial}"))
    };
    for _ in 0..=rounds {
        let keys: Vec<Vec<(String, String)>> = (0..4)
            .map(|_| (0..INSERTS).map(|_| next()).collect())
            .collect();
        let [g, h] = interleaved(INSERTS, async |who, range: std::ops::Range<usize>| {
            for (id, api) in &keys[who][range] {
                if who == 0 {
                    client.record_vote(id, api, ada).await.unwrap();
                } else {
                    pg.execute(&insert, &[id, api, &ada]).await.unwrap();
                }
            }
        })
        .await;
        gen_exec.per_op.push(g);
        hand_exec.per_op.push(h);
        let [g, h] = interleaved(INSERTS, async |who, range: std::ops::Range<usize>| {
            for (id, api) in &keys[2 + who][range] {
                if who == 0 {
                    std::hint::black_box(client.upsert_vote(id, api, ada).await.unwrap());
                } else {
                    let row = pg.query_one(&upsert, &[id, api, &ada]).await.unwrap();
                    std::hint::black_box(vote(&row));
                }
            }
        })
        .await;
        gen_ret.per_op.push(g);
        hand_ret.per_op.push(h);
    }
    results.push(("INSERT (`:exec`)", INSERTS, vec![gen_exec, hand_exec]));
    results.push((
        "INSERT ... RETURNING (`:one`)",
        INSERTS,
        vec![gen_ret, hand_ret],
    ));

    // ---- batch of 16 point lookups, over the unix socket and over TCP ------------------------
    let batches: Vec<Vec<&str>> = (0..BATCHES)
        .map(|b| {
            (0..16)
                .map(|i| ids[(b * 16 + i) % ids.len()].as_str())
                .collect()
        })
        .collect();
    results.push((
        "Batch of 16 point lookups, unix socket",
        BATCHES,
        batch_of_16(&client, &batches, rounds).await,
    ));
    let tcp = Client::new(db.tcp_client().await);
    results.push((
        "Batch of 16 point lookups, TCP to 127.0.0.1",
        BATCHES,
        batch_of_16(&tcp, &batches, rounds).await,
    ));

    // ---- COPY of 100,000 rows ---------------------------------------------------------------
    let now: PrimitiveDateTime = client.get_vote_by_id(&ids[0]).await.unwrap().created_at;
    let rows: Vec<(String, String, Uuid)> = (0..COPY_ROWS)
        .map(|i| (format!("copy-{i}"), format!("copy-api-{i}"), bob))
        .collect();
    let clear = || async {
        pg.batch_execute(r#"DELETE FROM "ApiIntegrationVote" WHERE id LIKE 'copy-%'"#)
            .await
            .unwrap();
    };
    // As migrated (a foreign key to users and two unique indexes, maintained per row), then with
    // the key, the indexes and the foreign key dropped, which leaves the cost of the load itself.
    for (setup, title) in [
        (None, "COPY of 100,000 rows into `ApiIntegrationVote` as migrated (time per row)"),
        (
            Some(
                r#"ALTER TABLE "ApiIntegrationVote" DROP CONSTRAINT "ApiIntegrationVote_userId_fkey";
                   ALTER TABLE "ApiIntegrationVote" DROP CONSTRAINT "ApiIntegrationVote_pkey";
                   DROP INDEX "ApiIntegrationVote_apiIdentifier_userId_key";"#,
            ),
            "COPY of 100,000 rows, primary key, unique index and foreign key dropped (time per row)",
        ),
    ] {
        if let Some(sql) = setup {
            pg.batch_execute(sql).await.unwrap();
        }
        let mut gen = Series {
            name: "generated `import_votes` (:copyfrom)",
            per_op: vec![],
        };
        let mut hand = Series {
            name: "hand-written `BinaryCopyInWriter`",
            per_op: vec![],
        };
        let mut in_tx = Series {
            name: "row-by-row prepared INSERT, one transaction",
            per_op: vec![],
        };
        let mut autocommit = Series {
            name: "row-by-row prepared INSERT, autocommit",
            per_op: vec![],
        };
        for round in 0..=rounds.min(5) {
            for turn in 0..4 {
                clear().await;
                match (round + turn) % 4 {
                    0 => gen.per_op.push(
                        timed(COPY_ROWS, async {
                            let n = client
                                .import_votes(rows.iter().map(|(id, api, user)| {
                                    ImportVotesParams {
                                        id,
                                        api_identifier: api,
                                        user_id: *user,
                                        created_at: now,
                                        updated_at: now,
                                    }
                                }))
                                .await
                                .unwrap();
                            assert_eq!(n, COPY_ROWS as u64);
                        })
                        .await,
                    ),
                    1 => hand.per_op.push(
                        timed(COPY_ROWS, async {
                            let sink = pg.copy_in(COPY).await.unwrap();
                            let types = [
                                Type::TEXT,
                                Type::TEXT,
                                Type::UUID,
                                Type::TIMESTAMP,
                                Type::TIMESTAMP,
                            ];
                            let writer = BinaryCopyInWriter::new(sink, &types);
                            let mut writer = std::pin::pin!(writer);
                            for (id, api, user) in &rows {
                                writer
                                    .as_mut()
                                    .write(&[id, api, user, &now, &now])
                                    .await
                                    .unwrap();
                            }
                            let n = writer.finish().await.unwrap();
                            assert_eq!(n, COPY_ROWS as u64);
                        })
                        .await,
                    ),
                    2 => in_tx.per_op.push(
                        timed(COPY_ROWS, async {
                            pg.batch_execute("BEGIN").await.unwrap();
                            for (id, api, user) in &rows {
                                pg.execute(&copy_insert, &[id, api, user, &now, &now])
                                    .await
                                    .unwrap();
                            }
                            pg.batch_execute("COMMIT").await.unwrap();
                        })
                        .await,
                    ),
                    _ => autocommit.per_op.push(
                        timed(COPY_ROWS, async {
                            for (id, api, user) in &rows {
                                pg.execute(&copy_insert, &[id, api, user, &now, &now])
                                    .await
                                    .unwrap();
                            }
                        })
                        .await,
                    ),
                }
            }
        }
        clear().await;
        results.push((title, COPY_ROWS, vec![gen, hand, in_tx, autocommit]));
    }

    for (title, ops, series) in &results {
        report(title, *ops, series);
    }
}
