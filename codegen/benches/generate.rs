//! Generator benchmark (`cargo bench -p codegen`): analysis alone and a whole generation (load,
//! analysis and emission, nothing written) on synthetic sqlc-layout projects from `../shared/tools/gen_corpus.py`.
//! Figures are medians of several runs, reported as ratios to the small project's analysis time
//! measured in the same run, since these machines are shared and noisy.
//! `SQLGEN_BENCH=dynamic` measures only dynamic queries: 100 queries of 6 optional conditions
//! (64 shapes each) against the same queries without the `-- sqlgen: optional` comments.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn corpus(preset: &str) -> Option<PathBuf> {
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/tools/gen_corpus.py");
    if !tool.is_file() {
        return None;
    }
    let out = std::env::temp_dir().join(format!("sqlgen-bench-{preset}"));
    let ok = Command::new("python3")
        .arg(&tool)
        .arg("--out")
        .arg(&out)
        .arg(preset)
        .output()
        .ok()?
        .status
        .success();
    ok.then_some(out)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// A project of 100 queries with six conditions each, marked optional or not.
fn dynamic_project(optional: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlgen-bench-dynamic-{optional}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let schema = "CREATE TABLE t (id int8 PRIMARY KEY, tenant int8 NOT NULL, a text NOT NULL, b int4 NOT NULL, c bool NOT NULL, d timestamptz NOT NULL, e uuid NOT NULL, f numeric NOT NULL);\n";
    std::fs::write(dir.join("schema.sql"), schema).unwrap();
    let marker = if optional { " -- sqlgen: optional" } else { "" };
    let mut queries = String::new();
    for i in 0..100 {
        queries.push_str(&format!(
            "-- name: Find{i} :many\nSELECT id, a, b, c, d, e, f FROM t\nWHERE tenant = @tenant\n"
        ));
        for col in ["a", "b", "c", "d", "e", "f"] {
            queries.push_str(&format!("  AND {col} = @{col}{marker}\n"));
        }
        queries.push_str(";\n\n");
    }
    std::fs::write(dir.join("query.sql"), queries).unwrap();
    std::fs::write(dir.join("sqlgen.yaml"), "version: \"2\"\nsql:\n  - name: bench\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n").unwrap();
    dir
}

/// Generation of 6-condition dynamic queries against the same queries without the comments.
fn dynamic() {
    let mut rows = Vec::new();
    for optional in [false, true] {
        let config = dynamic_project(optional).join("sqlgen.yaml");
        let analysis = time(9, || {
            let project = codegen::load(&config);
            assert!(!project.has_errors(), "{}", project.render_diagnostics());
        });
        let generation = time(9, || {
            let mut project = codegen::load(&config);
            let bytes: usize = project
                .generate(None)
                .iter()
                .flat_map(|p| &p.files)
                .map(|f| f.content.len())
                .sum();
            assert!(
                !project.has_errors() && bytes > 0,
                "{}",
                project.render_diagnostics()
            );
        });
        rows.push((analysis, generation));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let ((plain_a, plain_g), (opt_a, opt_g)) = (rows[0], rows[1]);
    println!(
        "100 queries of 6 conditions, analysis: plain {:.1} ms, optional (64 shapes each) {:.1} ms, ratio {:.2}",
        ms(plain_a), ms(opt_a), opt_a.as_secs_f64() / plain_a.as_secs_f64()
    );
    println!(
        "100 queries of 6 conditions, generation: plain {:.1} ms, optional {:.1} ms, ratio {:.2}",
        ms(plain_g),
        ms(opt_g),
        opt_g.as_secs_f64() / plain_g.as_secs_f64()
    );
}

fn main() {
    if std::env::var("SQLGEN_BENCH").as_deref() == Ok("dynamic") {
        return dynamic();
    }
    let presets = ["small", "medium"];
    let mut rows = Vec::new();
    for preset in presets {
        let Some(dir) = corpus(preset) else {
            eprintln!("gen_corpus.py not found next to the project; nothing to measure");
            return;
        };
        let config = dir.join("sqlgen.yaml");
        let analysis = time(7, || {
            let project = codegen::load(&config);
            assert!(!project.has_errors(), "{}", project.render_diagnostics());
        });
        let generation = time(3, || {
            let mut project = codegen::load(&config);
            let files: usize = project.generate(None).iter().map(|p| p.files.len()).sum();
            assert!(files > 0);
        });
        let queries: usize = codegen::load(&config)
            .packages
            .iter()
            .flat_map(|p| &p.ir.files)
            .map(|f| f.queries.len())
            .sum();
        rows.push((preset, queries, analysis, generation));
    }
    let base = rows[0].2.as_secs_f64();
    println!(
        "{:<8} {:>8} {:>12} {:>12} {:>10} {:>10}",
        "corpus", "queries", "analysis", "generate", "analysis/x", "generate/x"
    );
    for (preset, queries, analysis, generation) in rows {
        println!(
            "{:<8} {:>8} {:>10.1}ms {:>10.1}ms {:>9.1}x {:>9.1}x",
            preset,
            queries,
            analysis.as_secs_f64() * 1e3,
            generation.as_secs_f64() * 1e3,
            analysis.as_secs_f64() / base,
            generation.as_secs_f64() / base,
        );
    }
    println!("(x = the small corpus's analysis time in this run)");
}
