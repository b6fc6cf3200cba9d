//! Generates every fixture case of `codegen/tests/fixtures` that generates without errors into
//! OUT_DIR, as inline modules, so that `cargo build` compiles what the snapshots show; and so every
//! case of the conformance and real-world corpora in `../shared` that generates.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const DEFAULT_CONFIG: &str = "version: \"2\"\nsql:\n  - name: fixture\n    engine: postgresql\n    schema: schema.sql\n    queries: query.sql\n    gen:\n      rust:\n        out: out\n        omit_unused_structs: true\n";

fn main() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    println!("cargo::rerun-if-changed={}", fixtures.display());
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    let mut all = String::new();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        all.push_str(&case_modules(&case, &name, &out.join("work").join(&name)));
    }
    // The conformance and real-world corpora beside the repository (`../shared`), when present:
    // every case of theirs that generates must compile warning-free too.
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    for corpus in ["conformance", "realworld"] {
        let root = shared.join(corpus).join("cases");
        if !root.is_dir() {
            continue;
        }
        println!("cargo::rerun-if-changed={}", root.display());
        let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("sqlgen.yaml").is_file())
            .collect();
        cases.sort();
        for (i, case) in cases.iter().enumerate() {
            let name = format!("{corpus}_{i}");
            all.push_str(&case_modules(case, &name, &out.join("work").join(&name)));
        }
    }
    std::fs::write(out.join("all.rs"), all).unwrap();
}

/// The generated code of one case as inline modules `<name>_<package>`, or nothing when the case
/// does not generate (an error case).
fn case_modules(case: &Path, name: &str, work: &Path) -> String {
    let mut all = String::new();
    let _ = std::fs::remove_dir_all(work);
    copy_dir(case, work);
    let config = work.join("sqlgen.yaml");
    if !config.exists() {
        std::fs::write(&config, DEFAULT_CONFIG).unwrap();
    }
    // A package's models are imported through its `module_path`; here each package is an
    // inline module `<case>_<package>` of this crate, so point the paths there.
    let text = std::fs::read_to_string(&config).unwrap();
    let text: String = text
        .lines()
        .map(|l| match l.trim_start().strip_prefix("module_path: ") {
            Some(path) => {
                let crate_name = path.split("::").next().unwrap_or(path);
                format!("        module_path: crate::{name}_{crate_name}\n")
            }
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&config, text).unwrap();
    let mut project = codegen::load(&config);
    let generated = project.generate(None);
    if project.has_errors() {
        return String::new();
    }
    for pkg in generated {
        let module = format!("{name}_{}", pkg.name);
        let mut source = String::new();
        // mod.rs first, its `pub mod x;` lines replaced by the files inline.
        let root = pkg.files.iter().find(|f| f.name == "mod.rs").unwrap();
        // `#[path = "x.rs"]` before a `pub mod` names its file (output file name options).
        let mut path: Option<String> = None;
        for line in root.content.lines() {
            if let Some(p) = line
                .strip_prefix("#[path = \"")
                .and_then(|l| l.strip_suffix("\"]"))
            {
                path = Some(p.to_string());
                continue;
            }
            match line
                .strip_prefix("pub mod ")
                .and_then(|l| l.strip_suffix(';'))
            {
                Some(sub) => {
                    let name = path
                        .take()
                        .unwrap_or_else(|| format!("{}.rs", sub.trim_start_matches("r#")));
                    let file = pkg.files.iter().find(|f| f.name == name).unwrap();
                    let _ = writeln!(source, "pub mod {sub} {{\n{}\n}}", file.content);
                }
                None => {
                    let _ = writeln!(source, "{line}");
                }
            }
        }
        // Inline, so the generated `//!` docs are inner docs of this module's block.
        let _ = writeln!(all, "pub mod {module} {{\n{source}\n}}");
    }
    all
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        // `x.sql.dangling` holds a link target that does not exist: the copy is a dangling link `x.sql`,
        // the unreadable file of the `error_unreadable_file` case (git would keep the link, but globs trip on it).
        if p.extension().is_some_and(|e| e == "dangling") {
            let link = std::fs::read_to_string(&p).unwrap();
            std::os::unix::fs::symlink(link.trim(), target.with_extension("")).unwrap();
        } else if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).unwrap();
        }
    }
}
