//! Two generations writing into one output folder at once (two build scripts, `sqlgen generate`
//! beside a build): each finishes, the folder holds exactly the generated files with their full
//! content, and no temporary file is left behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

/// Query files in the project: enough that the writers' file loops overlap.
const FILES: usize = 48;

fn project(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlgen-concurrent-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("queries")).unwrap();
    std::fs::write(
        dir.join("schema.sql"),
        "CREATE TABLE t (id int4 PRIMARY KEY, name text, body text NOT NULL);\n",
    )
    .unwrap();
    for i in 0..FILES {
        // Files of a few kilobytes, so a write is not over before the other writer starts.
        let mut text = String::new();
        for j in 0..6 {
            text.push_str(&format!(
                "-- name: Get{i}x{j} :one\nSELECT * FROM t WHERE id = $1 AND name = 'f{i}q{j}';\n\
                 -- name: List{i}x{j} :many\nSELECT name, body FROM t WHERE body <> 'f{i}q{j}';\n"
            ));
        }
        std::fs::write(dir.join(format!("queries/file_{i}.sql")), text).unwrap();
    }
    std::fs::write(
        dir.join("sqlgen.yaml"),
        "version: \"2\"\nsql:\n  - name: many\n    engine: postgresql\n    schema: schema.sql\n    queries: queries\n    gen:\n      rust:\n        out: db\n",
    )
    .unwrap();
    dir
}

/// The files one generation produces, by name.
fn expected(dir: &Path) -> BTreeMap<String, String> {
    let mut project = codegen::load(&dir.join("sqlgen.yaml"));
    let generated = project.generate(None);
    assert!(!project.has_errors(), "{}", project.render_diagnostics());
    assert_eq!(generated.len(), 1);
    let files: BTreeMap<String, String> = generated[0]
        .files
        .iter()
        .map(|f| (f.name.clone(), f.content.clone()))
        .collect();
    assert_eq!(
        files.len(),
        FILES + 2,
        "mod.rs, models.rs and one per query file"
    );
    files
}

/// The output folder holds exactly the generated files (no temporary file), each complete.
fn assert_complete(out: &Path, want: &BTreeMap<String, String>, round: usize) {
    let got: BTreeMap<String, String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap_or_default())
        })
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "round {round}: the folder holds exactly the generated files"
    );
    for (name, content) in want {
        assert!(got[name] == *content, "round {round}: `{name}` differs");
    }
}

#[test]
fn threads_writing_one_folder_at_once_leave_it_complete() {
    let dir = project("threads");
    let want = expected(&dir);
    let out = dir.join("db");
    let writers = 4;
    for round in 0..6 {
        // An empty folder each round, so that every writer writes every file.
        let _ = std::fs::remove_dir_all(&out);
        let start = Arc::new(Barrier::new(writers));
        let handles: Vec<_> = (0..writers)
            .map(|_| {
                let config = dir.join("sqlgen.yaml");
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    let mut project = codegen::load(&config);
                    let generated = project.generate(None);
                    start.wait();
                    codegen::write::write_packages(&generated, false)
                        .into_iter()
                        .map(|r| r.map(|_| ()).map_err(|e| e.to_string()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for h in handles {
            for result in h.join().unwrap() {
                assert_eq!(result, Ok(()), "round {round}");
            }
        }
        assert_complete(&out, &want, round);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Set in the child processes of [`processes_writing_one_folder_at_once_leave_it_complete`]: the
/// project folder to generate.
const CHILD: &str = "SQLGEN_CONCURRENT_WRITER";

/// Two processes (this test binary again, running only this test) load and generate the project,
/// wait until both are ready, and write at the same moment; so the writes of two build scripts
/// overlap every round, not by chance.
#[test]
fn processes_writing_one_folder_at_once_leave_it_complete() {
    if let Ok(dir) = std::env::var(CHILD) {
        let dir = PathBuf::from(dir);
        let mut project = codegen::load(&dir.join("sqlgen.yaml"));
        let generated = project.generate(None);
        std::fs::write(dir.join(format!("ready-{}", std::process::id())), "").unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while !dir.join("go").exists() {
            assert!(std::time::Instant::now() < deadline, "never told to go");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        for result in codegen::write::write_packages(&generated, false) {
            result.unwrap();
        }
        return;
    }
    let dir = project("processes");
    let want = expected(&dir);
    let out = dir.join("db");
    let ready = |dir: &Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with("ready-")
            })
            .count()
    };
    for round in 0..4 {
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_file(dir.join("go"));
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            if path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("ready-")
            {
                std::fs::remove_file(path).unwrap();
            }
        }
        let children: Vec<_> = (0..2)
            .map(|_| {
                std::process::Command::new(std::env::current_exe().unwrap())
                    .args([
                        "--exact",
                        "processes_writing_one_folder_at_once_leave_it_complete",
                        "--nocapture",
                        "--test-threads=1",
                    ])
                    .env(CHILD, &dir)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while ready(&dir) < 2 {
            assert!(
                std::time::Instant::now() < deadline,
                "round {round}: children not ready"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        std::fs::write(dir.join("go"), "").unwrap();
        for child in children {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "round {round}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        assert_complete(&out, &want, round);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
