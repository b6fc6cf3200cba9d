//! Differential testing of sqlgen's analysis against PostgreSQL: random valid queries over a fixed
//! schema are described by a real server and analysed by sqlgen, and every difference is reported.
//!
//! - [`schema`]: the schema (every column type sqlgen maps), its rows, literal values.
//! - [`catalogue`]: the usable part of `codegen/data/pg_catalog.tsv`.
//! - [`generate`]: the seeded query generator.
//! - [`compare`]: one query judged: PostgreSQL's description against sqlgen's, then executed.
//!
//! A run is reproducible from its seed: query `i` depends only on `(seed, i)`.

pub mod catalogue;
pub mod compare;
pub mod generate;
pub mod rng;
pub mod schema;

pub use compare::{Class, Disagreement};

use std::time::{Duration, Instant};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    /// Query indices `first..first + count`.
    pub first: u64,
    pub count: u64,
    /// Queries analysed by sqlgen in one call (a batch shares one catalogue build).
    pub batch: usize,
}

impl Options {
    pub fn new(seed: u64, count: u64) -> Options {
        Options {
            seed,
            first: 0,
            count,
            batch: 200,
        }
    }
}

/// The figures of a run and every disagreement found.
#[derive(Debug, Default)]
pub struct Report {
    pub seed: u64,
    pub queries: u64,
    /// Prepared without error by PostgreSQL.
    pub accepted: u64,
    /// Accepted by both and run (in a rolled-back transaction) for the nullability check.
    pub executed: u64,
    /// Of those, the runs that failed at run time (division by zero, bad input text...): not judged.
    pub runtime_errors: u64,
    pub rows_checked: u64,
    pub disagreements: Vec<Disagreement>,
    pub elapsed: Duration,
}

impl Report {
    /// `class: count` for every class, in a fixed order.
    pub fn counts(&self) -> Vec<(Class, usize)> {
        Class::ALL
            .iter()
            .map(|c| {
                (
                    *c,
                    self.disagreements.iter().filter(|d| d.class == *c).count(),
                )
            })
            .collect()
    }

    pub fn summary(&self) -> String {
        let counts: Vec<String> = self
            .counts()
            .iter()
            .map(|(c, n)| format!("{} {n}", c.name()))
            .collect();
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        format!(
            "seed {}: {} queries ({:.0}/s), {} accepted by PostgreSQL ({:.1}%), {} executed ({} runtime errors, {} rows checked); {} disagreements: {}",
            self.seed,
            self.queries,
            self.queries as f64 / secs,
            self.accepted,
            100.0 * self.accepted as f64 / self.queries.max(1) as f64,
            self.executed,
            self.runtime_errors,
            self.rows_checked,
            self.disagreements.len(),
            counts.join(", ")
        )
    }
}

/// Builds the schema in a fresh database (the throwaway server, or `DATABASE_URL`).
pub async fn database() -> testsupport::TestDb {
    testsupport::fresh_db_from_sql(&[&schema::schema_sql(), &schema::data_sql()]).await
}

/// Judges one hand-written statement (a reduced reproduction): the disagreements it shows.
pub async fn judge_sql(db: &testsupport::TestDb, sql: &str) -> Vec<Disagreement> {
    let client = db.client().await;
    let st = generate::Statement {
        sql: sql.trim().trim_end_matches(';').to_string(),
        returns_rows: {
            let upper = sql.to_ascii_uppercase();
            !(upper.starts_with("INSERT")
                || upper.starts_with("UPDATE")
                || upper.starts_with("DELETE"))
                || upper.contains("RETURNING")
        },
    };
    let ours = compare::analyse(&schema::schema_sql(), &[(0, st.clone())]).remove(0);
    let mut report = Report::default();
    compare::judge(&client, 0, 0, &st, ours, &mut report).await;
    report.disagreements
}

/// Runs `options` against a database built by [`database`].
pub async fn run(db: &testsupport::TestDb, options: &Options) -> Report {
    let client = db.client().await;
    client
        .batch_execute("SET statement_timeout = '2s'")
        .await
        .expect("set statement_timeout");
    let rels = schema::relations();
    let cat = catalogue::Catalogue::load();
    let schema_sql = schema::schema_sql();
    let start = Instant::now();
    let mut report = Report {
        seed: options.seed,
        ..Report::default()
    };
    let end = options.first + options.count;
    let mut index = options.first;
    while index < end {
        let upto = (index + options.batch.max(1) as u64).min(end);
        let statements: Vec<(u64, generate::Statement)> = (index..upto)
            .map(|i| (i, generate::statement(options.seed, i, &rels, &cat)))
            .collect();
        let analysed = compare::analyse(&schema_sql, &statements);
        for ((i, st), ours) in statements.iter().zip(analysed) {
            compare::judge(&client, options.seed, *i, st, ours, &mut report).await;
        }
        index = upto;
    }
    report.queries = options.count;
    report.elapsed = start.elapsed();
    report
}
