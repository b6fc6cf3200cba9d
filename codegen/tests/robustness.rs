//! Bad input never hurts: deep and huge input end in a diagnostic or a result, and a deterministic
//! smoke fuzz over the fixture corpus finds no panic and no failure without an error diagnostic.

use std::path::PathBuf;

const SCHEMA: &str = "CREATE TABLE t (id int4 PRIMARY KEY, name text, at timestamptz);\n";

/// Runs `f` on a thread with the default 2 MiB stack of spawned threads (build scripts and users
/// call the library from such threads); the library must not need more from its caller.
fn on_2mib_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap()
}

fn analysis(schema: &str, queries: String) -> String {
    let schema = schema.to_string();
    on_2mib_thread(move || codegen::analysis_text(&schema, &queries))
}

#[track_caller]
fn assert_error(out: &str, code: &str) {
    assert!(
        out.contains(&format!("error[{code}]")),
        "expected error[{code}], got:\n{}",
        &out[..out.len().min(2000)]
    );
}

#[test]
fn ten_thousand_nested_parentheses_end_in_a_diagnostic() {
    let q = format!(
        "-- name: Q :one\nSELECT {}1{};\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_error(&analysis(SCHEMA, q), "E0111");
}

#[test]
fn ten_thousand_long_operator_chains_end_in_a_diagnostic() {
    for chain in [
        format!("1{}", "+1".repeat(10_000)),
        format!("name{}", " || name".repeat(10_000)),
        format!("id = 1{}", " AND id = 1".repeat(10_000)),
        format!("id{}", "::int4".repeat(10_000)),
        format!("at{}", " AT TIME ZONE 'UTC'".repeat(10_000)),
        format!("{}true", "NOT ".repeat(10_000)),
        format!("{}1", "- ".repeat(10_000)),
    ] {
        let q = format!("-- name: Q :many\nSELECT {chain} FROM t;\n");
        let out = analysis(SCHEMA, q);
        assert!(
            out.contains("error[E0111]") || out.contains("error[E0101]"),
            "{}",
            &out[..out.len().min(2000)]
        );
    }
}

#[test]
fn ten_thousand_nested_subqueries_and_cases_end_in_a_diagnostic() {
    let sub = format!(
        "-- name: Q :one\nSELECT {}1{};\n",
        "(SELECT ".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_error(&analysis(SCHEMA, sub), "E0111");
    let case = format!(
        "-- name: Q :one\nSELECT {}1{};\n",
        "CASE WHEN true THEN ".repeat(10_000),
        " END".repeat(10_000)
    );
    assert_error(&analysis(SCHEMA, case), "E0101");
}

#[test]
fn deep_expressions_in_migrations_end_in_a_diagnostic() {
    let table = format!(
        "CREATE TABLE u (x int4 DEFAULT 1{});\n",
        "+1".repeat(10_000)
    );
    assert_error(
        &analysis(&table, "-- name: Q :many\nSELECT 1 AS x;\n".into()),
        "E0111",
    );
    let parens = format!(
        "CREATE TABLE u (x int4 DEFAULT {}1{});\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_error(
        &analysis(&parens, "-- name: Q :many\nSELECT 1 AS x;\n".into()),
        "E0111",
    );
    // A view the parser cannot read is skipped with a warning; a query on it then fails.
    let view = format!("CREATE VIEW v AS SELECT 1{} AS x;\n", "+1".repeat(10_000));
    let out = analysis(&view, "-- name: Q :many\nSELECT x FROM v;\n".into());
    assert!(
        out.contains("warning[W0201]: expression nested more than 1000 levels deep"),
        "{out}"
    );
    assert_error(&out, "E0301");
}

#[test]
fn long_chains_below_the_limit_are_analysed_from_a_small_stack() {
    // 300 levels: beyond what a 2 MiB stack holds for the unoptimised analyser (about 100).
    let q = format!("-- name: Q :one\nSELECT 1{} AS n;\n", "+1".repeat(300));
    assert_eq!(analysis(SCHEMA, q), "Q(:one) -> n int4!\n");
    let q = format!(
        "-- name: Q :many\nSELECT id FROM t WHERE id = $1{};\n",
        " OR id = $1".repeat(300)
    );
    assert_eq!(analysis(SCHEMA, q), "Q(:many) $1 id: int4! -> id int4!\n");
}

/// A throwaway project folder with one package; removed when dropped.
struct TempProject(PathBuf);

impl TempProject {
    fn new(name: &str, schema: &[u8], queries: &[u8]) -> Self {
        let dir = std::env::temp_dir().join(format!("sqlgen-robust-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("schema.sql"), schema).unwrap();
        std::fs::write(dir.join("query.sql"), queries).unwrap();
        std::fs::write(
            dir.join("sqlgen.yaml"),
            "version: \"2\"\nsql:\n  - name: p\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n",
        )
        .unwrap();
        TempProject(dir)
    }

    fn config(&self) -> PathBuf {
        self.0.join("sqlgen.yaml")
    }
}

impl Drop for TempProject {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A query file of about `bytes` bytes: many small queries, one of them broken near the end.
fn many_queries(bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 200);
    let mut i = 0;
    while out.len() < bytes {
        out.push_str(&format!(
            "-- name: Q{i} :many\nSELECT id, name FROM t WHERE id = $1 AND name <> $2;\n\n"
        ));
        i += 1;
    }
    out.push_str("-- name: Broken :many\nSELECT nmae FROM t;\n");
    out
}

#[test]
fn a_query_file_of_ten_thousand_queries_ends_in_a_result_or_diagnostic() {
    // Just under the package limit (`codegen::MAX_QUERIES`).
    let kib: usize = 700;
    let text = many_queries(kib << 10);
    let queries = text.matches("-- name:").count();
    assert!(
        queries <= codegen::MAX_QUERIES,
        "{queries} queries: above the package limit"
    );
    let project = TempProject::new("many", SCHEMA.as_bytes(), text.as_bytes());
    let started = std::time::Instant::now();
    let loaded = on_2mib_thread({
        let config = project.config();
        move || codegen::load(&config)
    });
    let elapsed = started.elapsed();
    eprintln!("{kib} KiB, {queries} queries: analysed in {elapsed:?}");
    let report = loaded.render_diagnostics();
    assert!(
        report.contains("error[E0303]: column `nmae` does not exist"),
        "{report}"
    );
    assert_eq!(loaded.diagnostics.len(), 1, "{report}");
    let analysed: usize = loaded.packages[0]
        .ir
        .files
        .iter()
        .map(|f| f.queries.len())
        .sum();
    assert_eq!(analysed, queries - 1);
}

#[test]
fn a_package_of_too_many_queries_ends_in_a_diagnostic() {
    let text = many_queries(1 << 20);
    let queries = text.matches("-- name:").count();
    assert!(queries > codegen::MAX_QUERIES);
    // The first queries up to the limit are analysed, then analysis stops with one error.
    let project = TempProject::new("too-many", SCHEMA.as_bytes(), text.as_bytes());
    let loaded = on_2mib_thread({
        let config = project.config();
        move || codegen::load(&config)
    });
    let report = loaded.render_diagnostics();
    assert!(
        report.contains(&format!(
            "error[E0112]: package `p` has more than {} queries",
            codegen::MAX_QUERIES
        )),
        "{report}"
    );
    assert_eq!(loaded.diagnostics.len(), 1, "{report}");
    let analysed: usize = loaded.packages[0]
        .ir
        .files
        .iter()
        .map(|f| f.queries.len())
        .sum();
    assert_eq!(analysed, codegen::MAX_QUERIES);
}

#[test]
fn one_statement_of_fifty_megabytes_ends_in_a_diagnostic() {
    let mut text = String::from("-- name: Huge :many\nSELECT id FROM t WHERE id IN (1");
    while text.len() < 50 << 20 {
        text.push_str(", 1234567");
    }
    text.push_str(");\n-- name: Small :one\nSELECT nmae FROM t;\n");
    let project = TempProject::new("one", SCHEMA.as_bytes(), text.as_bytes());
    let loaded = on_2mib_thread({
        let config = project.config();
        move || codegen::load(&config)
    });
    let report = loaded.render_diagnostics();
    assert!(
        report.contains("error[E0112]: statement of 52428"),
        "{report}"
    );
    // The next query is still analysed.
    assert!(report.contains("error[E0303]"), "{report}");
    assert!(
        report.len() < 4000,
        "the report shows a window of the line, not all of it"
    );
}
