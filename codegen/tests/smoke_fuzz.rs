//! A deterministic smoke fuzz: truncations, byte flips, token shuffles and splices of the fixture
//! corpus (schemas, queries, configs) go through the library; none may panic, and every rejected input
//! must come with an error diagnostic. Its own test binary, as it replaces the panic hook.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// xorshift64: small, fixed-seed, the same inputs on every run and machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Case {
    dir: PathBuf,
    schema: Vec<u8>,
    query: Vec<u8>,
    config: Option<Vec<u8>>,
}

fn corpus() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("query.sql").is_file())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| Case {
            schema: std::fs::read(dir.join("schema.sql")).unwrap_or_default(),
            query: std::fs::read(dir.join("query.sql")).unwrap(),
            config: std::fs::read(dir.join("sqlgen.yaml")).ok(),
            dir,
        })
        .collect()
}

/// Pieces of text: runs of word characters, runs of blanks, and single other bytes.
fn tokens(text: &[u8]) -> Vec<&[u8]> {
    let class = |b: u8| {
        if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 {
            0
        } else if b.is_ascii_whitespace() {
            1
        } else {
            2
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=text.len() {
        if i == text.len() || class(text[i]) != class(text[start]) || class(text[start]) == 2 {
            out.push(&text[start..i]);
            start = i;
        }
    }
    out
}

/// One mutation of `text`; `donor` gives tokens to splice in.
fn mutate(rng: &mut Rng, text: &[u8], donor: &[u8]) -> (Vec<u8>, &'static str) {
    if text.is_empty() {
        return (donor.to_vec(), "donor");
    }
    match rng.below(6) {
        0 => (text[..rng.below(text.len())].to_vec(), "truncate"),
        1 => {
            let mut out = text.to_vec();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            (out, "flip bits")
        }
        2 => {
            let mut out = text.to_vec();
            let i = rng.below(out.len());
            // Bytes that matter to SQL and YAML scanners.
            const SPECIAL: &[u8] = b"'\"$();:-/*\n\t\r@[]{}|,.\\\xff\xc3";
            out[i] = SPECIAL[rng.below(SPECIAL.len())];
            (out, "special byte")
        }
        3 => {
            let mut t = tokens(text);
            let (a, b) = (rng.below(t.len()), rng.below(t.len()));
            t.swap(a, b);
            (t.concat(), "swap tokens")
        }
        4 => {
            let mut t = tokens(text);
            let i = rng.below(t.len());
            if rng.below(2) == 0 {
                t.remove(i);
                (t.concat(), "delete token")
            } else {
                let dup = t[i];
                t.insert(rng.below(t.len()), dup);
                (t.concat(), "duplicate token")
            }
        }
        _ => {
            let mut t = tokens(text);
            let d = tokens(donor);
            if !d.is_empty() {
                let piece = d[rng.below(d.len())];
                t.insert(rng.below(t.len() + 1), piece);
            }
            (t.concat(), "splice")
        }
    }
}

static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Runs `f`; a panic is recorded with `what` and the input, not passed on.
fn guarded<T>(what: &str, input: &[u8], f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(_) => {
            let shown = String::from_utf8_lossy(&input[..input.len().min(600)]).into_owned();
            PANICS.lock().unwrap().push(format!("{what}: {shown:?}"));
            None
        }
    }
}

fn rust_options() -> codegen::config::RustOptions {
    codegen::config::RustOptions {
        out: "out".into(),
        emit_json_tags: true,
        json_tags_case_style: codegen::config::CaseStyle::Camel,
        omit_unused_structs: true,
        module_path: None,
        uses: Vec::new(),
        owns: Vec::new(),
        time_crate: codegen::config::TimeCrate::Time,
        domain_newtypes: true,
        params_struct_after: 1,
        ..codegen::config::RustOptions::with_out("out".into())
    }
}

/// Analysis of schema and query text, then emission of what analysed; returns whether it was rejected.
fn analyse_and_emit(schema: &str, query: &str, input: &[u8]) -> Option<bool> {
    let analysed = guarded("analyze_text", input, || {
        codegen::analyze_text(schema, query)
    })?;
    match analysed {
        Err(rendered) => {
            assert!(
                rendered.contains("error[E"),
                "a rejected input without an error diagnostic:\n{rendered}\ninput: {:?}",
                String::from_utf8_lossy(input)
            );
            Some(true)
        }
        Ok(queries) => {
            let pkg = codegen::ir::Package {
                name: "fuzz".into(),
                files: vec![codegen::ir::QueryFile {
                    name: "query".into(),
                    path: "query.sql".into(),
                    queries,
                }],
                models: Vec::new(),
                enums: Vec::new(),
                composites: Vec::new(),
                domains: Vec::new(),
                imported: Vec::new(),
                overrides: Vec::new(),
            };
            // Emission may refuse (a type without a Rust mapping): an error, never a panic.
            let emitted = guarded("emit", input, || codegen::emit::emit(&pkg, &rust_options()))?;
            assert_emit_errors_say_why(&emitted);
            Some(false)
        }
    }
}

/// Loads a whole project written to `dir`; every failure must be an error diagnostic.
fn load_project(dir: &Path, input: &[u8]) -> Option<bool> {
    let project = guarded("load", input, || codegen::load(&dir.join("sqlgen.yaml")))?;
    let failed = project.config.is_none()
        || project
            .packages
            .iter()
            .any(|p| !p.failures.is_empty() || !p.schema_errors.is_empty());
    if failed {
        assert!(
            project.has_errors(),
            "a failed load without an error diagnostic: {:?}",
            String::from_utf8_lossy(input)
        );
    }
    for d in &project.diagnostics {
        // Every located diagnostic renders, whatever its span.
        guarded("render", input, || d.render(&project.sources))?;
    }
    for p in &project.packages {
        if p.failures.is_empty() {
            let emitted = guarded("emit", input, || codegen::emit::emit(&p.ir, &p.config.rust))?;
            assert_emit_errors_say_why(&emitted);
        }
    }
    Some(project.has_errors())
}

/// A refusal to emit becomes diagnostics: it must hold at least one error with a message.
fn assert_emit_errors_say_why<T>(emitted: &Result<T, Vec<codegen::emit::EmitError>>) {
    if let Err(errors) = emitted {
        assert!(!errors.is_empty() && errors.iter().all(|e| !e.message.is_empty()));
    }
}

fn copy_case(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

const DEFAULT_CONFIG: &str = "version: \"2\"\nsql:\n  - name: fixture\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n        omit_unused_structs: true\n";

#[test]
fn mutated_fixtures_never_panic_and_failures_are_diagnosed() {
    std::panic::set_hook(Box::new(|_| {}));
    let corpus = corpus();
    // SQLGEN_FUZZ_SEED and SQLGEN_FUZZ_ROUNDS run other or longer series by hand.
    let seed = std::env::var("SQLGEN_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_5a1e_2026_0004_u64);
    let rounds: usize = std::env::var("SQLGEN_FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let mut rng = Rng(seed.max(1));
    let (mut inputs, mut rejected) = (0usize, 0usize);
    let mut kinds: std::collections::BTreeMap<&str, usize> = Default::default();
    // Queries and schemas through the analyser and the emitter.
    for round in 0..rounds {
        for (i, case) in corpus.iter().enumerate() {
            let donor = &corpus[(i + 1 + round) % corpus.len()];
            let schema = String::from_utf8_lossy(&case.schema).into_owned();
            let (query, kind) = mutate(&mut rng, &case.query, &donor.query);
            *kinds.entry(kind).or_default() += 1;
            let q = String::from_utf8_lossy(&query).into_owned();
            inputs += 1;
            rejected += usize::from(analyse_and_emit(&schema, &q, &query).unwrap_or(false));
            let (mutated, kind) = mutate(&mut rng, &case.schema, &donor.schema);
            *kinds.entry(kind).or_default() += 1;
            let s = String::from_utf8_lossy(&mutated).into_owned();
            let q = String::from_utf8_lossy(&case.query).into_owned();
            inputs += 1;
            rejected += usize::from(analyse_and_emit(&s, &q, &mutated).unwrap_or(false));
        }
    }
    // Whole projects, bytes as they are on disk (not UTF-8 after a flip, say): configs, schemas, queries.
    let work = std::env::temp_dir().join(format!("sqlgen-smoke-fuzz-{}", std::process::id()));
    for round in 0..rounds.div_ceil(4) {
        for (i, case) in corpus.iter().enumerate() {
            let donor = &corpus[(i + 7 + round) % corpus.len()];
            copy_case(&case.dir, &work);
            let config = case
                .config
                .clone()
                .unwrap_or_else(|| DEFAULT_CONFIG.as_bytes().to_vec());
            let donor_config = donor
                .config
                .clone()
                .unwrap_or_else(|| DEFAULT_CONFIG.as_bytes().to_vec());
            let (file, text, donor_text) = match rng.below(3) {
                0 => ("sqlgen.yaml", config, donor_config),
                1 => ("schema.sql", case.schema.clone(), donor.schema.clone()),
                _ => ("query.sql", case.query.clone(), donor.query.clone()),
            };
            let (mutated, kind) = mutate(&mut rng, &text, &donor_text);
            *kinds.entry(kind).or_default() += 1;
            if !work.join("sqlgen.yaml").exists() {
                std::fs::write(work.join("sqlgen.yaml"), DEFAULT_CONFIG).unwrap();
            }
            std::fs::write(work.join(file), &mutated).unwrap();
            inputs += 1;
            rejected += usize::from(load_project(&work, &mutated).unwrap_or(false));
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::panic::take_hook();
    let panics = PANICS.lock().unwrap();
    eprintln!(
        "smoke fuzz: {inputs} inputs from {} fixture cases, {rejected} rejected with diagnostics, {} panics; mutations {kinds:?}",
        corpus.len(),
        panics.len()
    );
    assert!(inputs >= 2000, "{inputs} inputs");
    assert!(
        panics.is_empty(),
        "{} panics, the first:\n{}",
        panics.len(),
        panics[..panics.len().min(5)].join("\n\n")
    );
}
