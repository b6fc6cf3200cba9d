//! The emitter prints code laid out as rustfmt's defaults would lay it out, without running
//! rustfmt. These tests hold it to that: rustfmt must leave every generated file unchanged,
//! for every fixture case and for a project built so that names, types, parameter lists and SQL
//! texts sweep across every width where rustfmt changes its mind (the 60-character list and
//! chain limits, the 100-character margin, the 18-character struct literal limit).
//!
//! rustfmt comes with the toolchain (`rustup component add rustfmt`); without it these fail.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes every generated file of `config`'s project under `dump` and returns their paths.
fn generate_into(config: &Path, dump: &Path) -> Vec<PathBuf> {
    let mut project = codegen::load(config);
    let generated = project.generate(None);
    assert!(!project.has_errors(), "{}", project.render_diagnostics());
    let mut paths = Vec::new();
    for pkg in &generated {
        for f in &pkg.files {
            let dir = dump.join(&pkg.name);
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(&f.name);
            std::fs::write(&path, &f.content).unwrap();
            paths.push(path);
        }
    }
    paths
}

/// Runs `rustfmt --check` over `paths` and fails with its diff when it would change any.
fn assert_rustfmt_clean(paths: &[PathBuf]) {
    assert!(!paths.is_empty());
    let rustfmt = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_string());
    for chunk in paths.chunks(200) {
        let out = Command::new(&rustfmt)
            .args(["--edition", "2021", "--check"])
            .args(chunk)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {rustfmt}: {e}"));
        assert!(
            out.status.success(),
            "rustfmt would change generated code:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlgen-formatting-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const DEFAULT_CONFIG: &str = "version: \"2\"\nsql:\n  - name: fixture\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n        omit_unused_structs: true\n";

#[test]
fn every_fixture_is_rustfmt_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let dump = scratch("fixtures");
    let mut paths = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.starts_with("error_")
        })
        .collect();
    cases.sort();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let work = dump.join("cases").join(&name);
        copy_dir(case, &work);
        let config = work.join("sqlgen.yaml");
        if !config.exists() {
            std::fs::write(&config, DEFAULT_CONFIG).unwrap();
        }
        let mut project = codegen::load(&config);
        // The cases test the emitter's own layout, not rustfmt's.
        for p in &project.packages {
            assert!(
                !codegen::emit::beyond_tested_layout(&p.ir),
                "{name}: names past the tested layout limits"
            );
        }
        let generated = project.generate(None);
        for pkg in &generated {
            for f in &pkg.files {
                let dir = dump.join("out").join(&name).join(&pkg.name);
                std::fs::create_dir_all(&dir).unwrap();
                let path = dir.join(&f.name);
                std::fs::write(&path, &f.content).unwrap();
                paths.push(path);
            }
        }
    }
    assert!(paths.len() > 150, "only {} files generated", paths.len());
    assert_rustfmt_clean(&paths);
    let _ = std::fs::remove_dir_all(&dump);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.extension().is_some_and(|e| e == "dangling") {
            continue;
        } else if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}

/// A schema and queries whose names grow one character at a time, so that every line shape
/// the emitter prints crosses each of rustfmt's limits somewhere.
fn sweep_project(dir: &Path, lengths: &[usize]) -> PathBuf {
    let mut schema = String::new();
    let mut queries = String::new();
    for &k in lengths {
        let t = format!("t{}", "x".repeat(k));
        let c = format!("c{}", "y".repeat(k));
        let parent = format!("p{}", "x".repeat(k));
        let e = format!("e{}", "z".repeat(k));
        let label = "L".repeat(k);
        let domain = format!("d{}", "w".repeat(k));
        schema.push_str(&format!(
            "CREATE TYPE {e} AS ENUM ('a', 'bb', '{label}', 'x{label}');\n\
             CREATE DOMAIN {domain} AS text CHECK (VALUE <> '');\n\
             CREATE TABLE {t} (\n    id bigint PRIMARY KEY,\n    {c} text NOT NULL,\n    \
             k {e},\n    dom {domain},\n    at timestamptz,\n    tags text[],\n    n integer NOT NULL DEFAULT 0\n);\n\
             CREATE TABLE {parent} (id bigint PRIMARY KEY, ref bigint REFERENCES {t} (id), v text);\n"
        ));
        let q = format!("Q{}", "q".repeat(k));
        let lit = "s".repeat(k * 2);
        queries.push_str(&format!(
            "-- name: Get{q} :one\nSELECT * FROM {t} WHERE id = $1;\n\n\
             -- name: Opt{q} :opt\nSELECT {c}, k FROM {t} WHERE id = $1 AND {c} = $2;\n\n\
             -- name: One{q} :one\nSELECT {c} FROM {t} WHERE id = $1;\n\n\
             -- name: N{q} :one\nSELECT n FROM {t} WHERE id = $1;\n\n\
             -- name: List{q} :many\nSELECT id, {c}, at, tags FROM {t} WHERE {c} = $1 AND k = $2 AND id > $3 LIMIT $4;\n\n\
             -- name: Lit{q} :one\nSELECT id, '{lit}'::text AS {c} FROM {t} WHERE id = $1;\n\n\
             -- name: Set{q} :exec\nUPDATE {t} SET {c} = $1, dom = $2 WHERE id = $3;\n\n\
             -- name: Del{q} :execrows\nDELETE FROM {t} WHERE id = $1;\n\n\
             -- name: BatchGet{q} :batchone\nSELECT * FROM {t} WHERE id = $1;\n\n\
             -- name: BatchList{q} :batchmany\nSELECT id, {c} FROM {t} WHERE {c} = $1 AND n = $2;\n\n\
             -- name: BatchSet{q} :batchexec\nUPDATE {t} SET dom = $1 WHERE id = $2;\n\n\
             -- name: Copy{q} :copyfrom\nINSERT INTO {t} (id, {c}, k, dom, at, tags, n) VALUES ($1, $2, $3, $4, $5, $6, $7);\n\n\
             -- name: CopyOne{q} :copyfrom\nINSERT INTO {parent} (id) VALUES ($1);\n\n\
             -- name: Embed{q} :many\nSELECT sqlc.embed(p), sqlc.embed(c) FROM {parent} p LEFT JOIN {t} c ON c.id = p.ref;\n\n"
        ));
    }
    std::fs::write(dir.join("schema.sql"), schema).unwrap();
    std::fs::write(dir.join("query.sql"), &queries).unwrap();
    std::fs::create_dir_all(dir.join("many")).unwrap();
    std::fs::write(dir.join("many/query.sql"), many_parameters(lengths)).unwrap();
    let config = dir.join("sqlgen.yaml");
    std::fs::write(
        &config,
        "version: \"2\"\nsql:\n  - name: sweep\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n        emit_json_tags: true\n        emit_enum_valid_method: true\n        emit_derives: [Eq]\n  - name: wide\n    engine: postgresql\n    schema: schema.sql\n    queries: many\n    gen:\n      rust:\n        out: out_wide\n        query_parameter_limit: 100\n        domain_newtypes: true\n",
    )
    .unwrap();
    config
}

/// Queries with growing numbers of plain arguments of growing names, for argument lists and
/// parameter arrays on one line, packed, and one per line.
fn many_parameters(lengths: &[usize]) -> String {
    let mut queries = String::new();
    for n in 1..=24 {
        for len in [1, 3, 6, 9, 12].into_iter().filter(|l| lengths.contains(l)) {
            let t = format!("t{}", "x".repeat(len));
            let conds: Vec<String> = (1..=n)
                .map(|i| format!("id <> sqlc.arg(a{i}{})", "v".repeat(len)))
                .collect();
            queries.push_str(&format!(
                "-- name: Args{n}L{len} :many\nSELECT id FROM {t} WHERE {};\n\n",
                conds.join(" AND ")
            ));
        }
    }
    queries
}

#[test]
fn width_sweep_is_rustfmt_clean() {
    let dir = scratch("sweep");
    // Names up to the tested limits: `t` + 45 characters is 46, `BatchListQ` + 45 is 55.
    let lengths: Vec<usize> = (1..=45).collect();
    let config = sweep_project(&dir, &lengths);
    let project = codegen::load(&config);
    for p in &project.packages {
        assert!(
            !codegen::emit::beyond_tested_layout(&p.ir),
            "the sweep must stay within the tested limits, so that no rustfmt runs"
        );
    }
    let paths = generate_into(&config, &dir.join("generated"));
    assert_rustfmt_clean(&paths);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn longer_names_go_through_rustfmt() {
    let dir = scratch("long");
    let config = sweep_project(&dir, &[1, 31, 45, 62]);
    let project = codegen::load(&config);
    let sweep = project.package("sweep").unwrap();
    assert!(codegen::emit::beyond_tested_layout(&sweep.ir));
    let paths = generate_into(&config, &dir.join("generated"));
    assert_rustfmt_clean(&paths);
    let _ = std::fs::remove_dir_all(&dir);
}
