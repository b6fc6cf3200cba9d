//! Generator benchmark (`cargo bench -p codegen`): analysis alone and a whole generation (load,
//! analysis and emission, nothing written) on synthetic sqlc-layout projects from `../shared/tools/gen_corpus.py`.
//! Figures are medians of several runs, reported as ratios to the small project's analysis time
//! measured in the same run, since these machines are shared and noisy.

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

fn main() {
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
