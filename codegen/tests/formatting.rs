//! Generated code stays out of the user's formatter: in crates on edition 2021, on edition 2024,
//! and with a `rustfmt.toml` of `max_width = 80`, `cargo fmt --check` passes on a crate holding
//! generated modules, and no formatter runs while generating (the bytes are the same whatever
//! `RUSTFMT` says). The generated `mod.rs` declares its modules and items with
//! `#[rustfmt::skip]`, so the crate's own `pub mod db;` needs nothing.
//!
//! `cargo fmt` comes with the toolchain (`rustup component add rustfmt`); without it these fail.

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sqlgen-formatting-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every generated file of `config`'s project, by package: `(package, file name, content)`.
fn generate(config: &Path) -> Vec<(String, String, String)> {
    let mut project = codegen::load(config);
    let generated = project.generate(None);
    assert!(!project.has_errors(), "{}", project.render_diagnostics());
    generated
        .iter()
        .flat_map(|pkg| {
            pkg.files
                .iter()
                .map(|f| (pkg.name.clone(), f.name.clone(), f.content.clone()))
        })
        .collect()
}

/// A crate whose `lib.rs` declares each generated package as a plain `pub mod`, as a user writes it.
fn scratch_crate(
    dir: &Path,
    edition: &str,
    rustfmt_toml: Option<&str>,
    files: &[(String, String, String)],
) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"generated\"\nversion = \"0.1.0\"\nedition = \"{edition}\"\n\n[workspace]\n"),
    )
    .unwrap();
    if let Some(toml) = rustfmt_toml {
        std::fs::write(dir.join("rustfmt.toml"), toml).unwrap();
    }
    let mut packages: Vec<&str> = files.iter().map(|(p, _, _)| p.as_str()).collect();
    packages.dedup();
    let lib: String = packages.iter().map(|p| format!("pub mod {p};\n")).collect();
    std::fs::write(
        dir.join("src/lib.rs"),
        format!("//! Generated code under `cargo fmt`.\n\n{lib}"),
    )
    .unwrap();
    for (package, name, content) in files {
        let folder = dir.join("src").join(package);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(name), content).unwrap();
    }
}

fn cargo_fmt_check(dir: &Path) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .args(["fmt", "--check", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .output()
        .expect("cannot run cargo fmt");
    assert!(
        out.status.success(),
        "cargo fmt would change generated code in {}:\n{}{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn cargo_fmt_leaves_generated_code_alone() {
    let dir = scratch("crates");
    let config = sweep_project(&dir, &[1, 9, 20, 31, 45, 62]);
    let files = generate(&config);
    assert!(files.iter().any(|(_, n, _)| n == "entities.rs"));
    for (name, edition, toml) in [
        ("edition2021", "2021", None),
        ("edition2024", "2024", None),
        ("width80", "2021", Some("max_width = 80\n")),
    ] {
        let krate = dir.join(name);
        scratch_crate(&krate, edition, toml, &files);
        cargo_fmt_check(&krate);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generation_runs_no_formatter() {
    let dir = scratch("no-formatter");
    let config = sweep_project(&dir, &[3, 62]);
    let expected = generate(&config);
    // The CLI with no program to find and a formatter that fails: output that depended on
    // one would differ or fail.
    let out = Command::new(env!("CARGO_BIN_EXE_sqlgen"))
        .args(["generate", "--file"])
        .arg(&config)
        .env("PATH", "")
        .env("RUSTFMT", "false")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (package, name, content) in &expected {
        let out_dir = if package == "sweep" {
            "out"
        } else {
            "out_wide"
        };
        let written = std::fs::read_to_string(dir.join(out_dir).join(name)).unwrap();
        assert!(
            &written == content,
            "{package}/{name} depends on the environment"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A schema and queries whose names take the given lengths, so that the lines prettyplease
/// prints cross every width rustfmt would break differently (up to PostgreSQL's 63 characters).
fn sweep_project(dir: &Path, lengths: &[usize]) -> PathBuf {
    let mut schema = String::new();
    let mut queries = String::new();
    for &k in lengths {
        let t = format!("t{}", "x".repeat(k));
        let c = format!("c{}", "y".repeat(k));
        let parent = format!("p{}", "x".repeat(k));
        let e = format!("e{}", "z".repeat(k));
        // Wide characters: rustfmt counts them as two columns, prettyplease as one.
        let label = if k % 2 == 0 {
            "L".repeat(k)
        } else {
            "語".repeat(k.min(40))
        };
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
        "version: \"2\"\nsql:\n  - name: sweep\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n        emit_json_tags: true\n        emit_enum_valid_method: true\n        emit_derives: [Eq]\n  - name: wide\n    engine: postgresql\n    schema: schema.sql\n    queries: many\n    gen:\n      rust:\n        out: out_wide\n        query_parameter_limit: 100\n        domain_newtypes: true\n        output_models_file_name: entities.rs\n        output_files_suffix: _gen\n",
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
