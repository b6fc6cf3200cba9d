//! `difftest`: runs the differential test from the command line and prints what it finds.
//!
//! ```sh
//! cargo run -p difftest --release -- --seed 1 --queries 100000
//! cargo run -p difftest --release -- --seed 1 --only-index 4711   # one query, described in full
//! ```

use difftest::{generate, Options};
use std::process::ExitCode;

const USAGE: &str =
    "usage: difftest [--seed N] [--queries N] [--max-report N] [--only-index I] [--batch N] | --sql QUERY";

/// `--sql QUERIES`: judges hand-written queries, one a line (a reduced reproduction) and prints what differs.
fn judge_one(sql: &str) -> ExitCode {
    let runtime = runtime();
    let found = runtime.block_on(async {
        let db = difftest::database().await;
        let mut found = Vec::new();
        // One query a line.
        for line in sql.lines().filter(|l| !l.trim().is_empty()) {
            found.extend(difftest::judge_sql(&db, line).await);
        }
        found
    });
    for d in &found {
        println!("{d}");
    }
    println!("{} disagreements", found.len());
    if found.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn parse() -> Result<(Options, usize, Option<u64>), String> {
    let mut options = Options::new(1, 1000);
    let mut max_report = 20;
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || -> Result<u64, String> {
            let v = args.next().ok_or(format!("`{flag}` needs a value"))?;
            v.parse()
                .map_err(|_| format!("`{flag}`: `{v}` is not a number"))
        };
        match flag.as_str() {
            "--seed" => options.seed = value()?,
            "--queries" => options.count = value()?,
            "--max-report" => max_report = value()? as usize,
            "--only-index" => only = Some(value()?),
            "--batch" => options.batch = value()? as usize,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok((options, max_report, only))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--sql" {
        return judge_one(&args[2]);
    }
    let (mut options, max_report, only) = match parse() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(i) = only {
        options.first = i;
        options.count = 1;
        let st = generate::statement(
            options.seed,
            i,
            &difftest::schema::relations(),
            &difftest::catalogue::Catalogue::load(),
        );
        println!("query {i}: {}", st.sql);
        match codegen::analyze_text_each(
            &difftest::schema::schema_sql(),
            &format!("-- name: Q{i} :many\n{};\n", st.sql),
        ) {
            Ok(r) => match &r[0].1 {
                Ok(q) => println!(
                    "sqlgen: {}",
                    codegen::compact(std::slice::from_ref(q)).trim()
                ),
                Err(e) => println!("sqlgen rejects it:\n{e}"),
            },
            Err(e) => println!("sqlgen cannot read it:\n{e}"),
        }
    }
    let runtime = runtime();
    let report = runtime.block_on(async {
        let db = difftest::database().await;
        difftest::run(&db, &options).await
    });
    for d in report.disagreements.iter().take(max_report) {
        println!("{d}");
    }
    if report.disagreements.len() > max_report {
        println!(
            "... and {} more (--max-report)",
            report.disagreements.len() - max_report
        );
    }
    println!("{}", report.summary());
    if report.disagreements.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
