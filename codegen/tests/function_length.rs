//! No function in `codegen/src` is longer than [`MAX_LINES`] lines, from its signature to its
//! closing brace: a longer one is split by what its parts do. The functions of `LONG` are the
//! ones still waiting for that; the list only shrinks (a listed function that fits fails too).

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 120;

/// `file::function` of every function still over the limit.
const LONG: &[&str] = &[];

/// A function's place, name and length in lines.
struct Found {
    file: String,
    name: String,
    line: usize,
    lines: usize,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

fn span_lines(span: proc_macro2::Span) -> (usize, usize) {
    let (start, end) = (span.start().line, span.end().line);
    (start, end + 1 - start)
}

fn record(found: &mut Vec<Found>, file: &str, name: String, span: proc_macro2::Span) {
    let (line, lines) = span_lines(span);
    found.push(Found {
        file: file.to_string(),
        name,
        line,
        lines,
    });
}

fn items(found: &mut Vec<Found>, file: &str, items: &[syn::Item]) {
    use syn::spanned::Spanned;
    for item in items {
        match item {
            syn::Item::Fn(f) => record(found, file, f.sig.ident.to_string(), f.span()),
            syn::Item::Impl(i) => {
                for it in &i.items {
                    if let syn::ImplItem::Fn(f) = it {
                        record(found, file, f.sig.ident.to_string(), f.span());
                    }
                }
            }
            syn::Item::Trait(t) => {
                for it in &t.items {
                    if let syn::TraitItem::Fn(f) = it {
                        record(found, file, f.sig.ident.to_string(), f.span());
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    self::items(found, file, inner);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn no_function_is_longer_than_the_limit() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut found = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = path
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        items(&mut found, &file, &parsed.items);
    }
    assert!(found.len() > 500, "the scan finds the functions");
    let key = |f: &Found| format!("{}::{}", f.file, f.name);
    let too_long: Vec<String> = found
        .iter()
        .filter(|f| f.lines > MAX_LINES && !LONG.contains(&key(f).as_str()))
        .map(|f| format!("{}:{} `{}`: {} lines", f.file, f.line, f.name, f.lines))
        .collect();
    assert!(
        too_long.is_empty(),
        "functions over {MAX_LINES} lines (split them by what their parts do):\n{}",
        too_long.join("\n")
    );
    let fits: Vec<&&str> = LONG
        .iter()
        .filter(|l| !found.iter().any(|f| key(f) == **l && f.lines > MAX_LINES))
        .collect();
    assert!(
        fits.is_empty(),
        "listed as too long but within {MAX_LINES} lines or gone (remove them from `LONG`): {fits:?}"
    );
}
