//! sqlc's own configs (`sqlc.yaml`, `sqlc.yml`, `sqlc.json`; versions 1 and 2) read as a [`Config`].
//!
//! PostgreSQL packages become sqlgen packages; MySQL and SQLite packages are skipped with a warning.
//! A package with `gen: rust:` uses those options as `sqlgen.yaml` does (errors included). A package
//! with Go options only gets its Rust code in `<go out>/rust/`, with the Go options that have a Rust
//! meaning carried over and one warning naming the others. Keys sqlgen does not know are warnings
//! here, not errors: the file is sqlc's.

use super::types::{CaseStyle, Config, Override, Package, RustOptions};
use super::validate::{
    check_output_names, escapes_root, holds_sql, no_schema, normalized, schema_present,
};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Pos, SourceMap, Span};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};

/// The file names sqlc looks for, in its order; `sqlgen generate` falls back to them.
pub const FILE_NAMES: &[&str] = &["sqlc.yaml", "sqlc.yml", "sqlc.json"];

/// Whether `path` names a sqlc config rather than a `sqlgen.yaml`.
pub fn is_sqlc_config(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// The folder Rust code goes to for a package that has Go options only.
pub const RUST_SUBFOLDER: &str = "rust";

/// Go options with a Rust meaning: carried over to the package's Rust options.
const MAPPED_GO_OPTIONS: &[&str] = &[
    "emit_json_tags",
    "json_tags_case_style",
    "emit_exact_table_names",
    "inflection_exclude_table_names",
    "query_parameter_limit",
    "omit_unused_structs",
    "emit_enum_valid_method",
    "emit_all_enum_values",
    "output_models_file_name",
    "output_files_suffix",
    "rename",
    "overrides",
];

/// Package keys of sqlc that are about sqlc itself (vet, cloud, analysis): accepted silently.
const SQLC_PACKAGE_KEYS: &[&str] = &[
    "name",
    "engine",
    "schema",
    "queries",
    "gen",
    "path",
    "database",
    "analyzer",
    "rules",
    "strict_function_checks",
    "strict_order_by",
    "codegen",
];

/// Parses a sqlc config already in `sources`; paths are relative to `root`.
pub fn parse(root: PathBuf, file: FileId, sources: &SourceMap) -> Result<Config, Vec<Diagnostic>> {
    let src = sources.get(file);
    let text = &src.text;
    let is_json = src.path.extension().is_some_and(|e| e == "json");
    let value: Value = if is_json {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => serde_yaml::to_value(v).expect("JSON is representable as YAML"),
            Err(e) => {
                let at = Span::point(file, e.line() as u32, e.column().max(1) as u32);
                return Err(vec![Diagnostic::error(
                    Code::ConfigSyntax,
                    format!("invalid JSON: {e}"),
                )
                .at(at)]);
            }
        }
    } else {
        match serde_yaml::from_str::<Value>(text) {
            Ok(v) => v,
            Err(e) => {
                let mut d = Diagnostic::error(Code::ConfigSyntax, format!("invalid YAML: {e}"));
                if let Some(l) = e.location() {
                    d = d.at(Span::point(file, l.line() as u32, l.column() as u32));
                }
                return Err(vec![d]);
            }
        }
    };
    let mut reader = Reader {
        file,
        text,
        sources,
        root,
        list_key: "sql",
        diags: Vec::new(),
        warnings: Vec::new(),
    };
    let packages = reader.read(&value);
    if reader.diags.iter().any(Diagnostic::is_error) {
        return Err(reader.diags);
    }
    if packages.is_empty() {
        return Err(vec![Diagnostic::error(
            Code::ConfigNoPackages,
            "no PostgreSQL package in this sqlc config: sqlgen generates PostgreSQL packages only",
        )
        .at(reader.key_span(None, reader.list_key))]);
    }
    let mut warnings = reader.warnings;
    warnings.extend(reader.diags);
    Ok(Config {
        root: reader.root,
        file,
        packages,
        warnings,
    })
}

/// Options that apply to every package: v1's top-level `overrides` and `rename`, v2's
/// `overrides: { go: { overrides, rename } }`.
fn global_options(top: &Mapping, v1: bool) -> Mapping {
    if v1 {
        let mut m = Mapping::new();
        for k in ["overrides", "rename"] {
            if let Some(v) = get(top, k) {
                m.insert(k.into(), v.clone());
            }
        }
        m
    } else {
        get(top, "overrides")
            .and_then(|o| get_in(o, "go"))
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default()
    }
}

/// How warnings name a package: its name, its Go package, its path, or its position.
fn package_label(pkg: &Mapping, index: usize) -> String {
    let go_package = get(pkg, "gen")
        .and_then(|g| get_in(g, "go"))
        .and_then(|g| get_in(g, "package"))
        .and_then(Value::as_str);
    get(pkg, "name")
        .and_then(Value::as_str)
        .or(go_package)
        .or_else(|| get(pkg, "path").and_then(Value::as_str))
        .map(|n| format!("package `{n}`"))
        .unwrap_or_else(|| format!("package {}", index + 1))
}

/// A package's Go options (v1 keeps them on the package itself, v2 under `gen.go`) and its
/// `gen.rust` block; v2's keys sqlc does not know are added to `ignored`.
fn generator_blocks<'p>(
    pkg: &'p Mapping,
    v1: bool,
    ignored: &mut Vec<String>,
) -> (Mapping, Option<&'p Value>) {
    if v1 {
        let mut go = Mapping::new();
        for (k, v) in pkg {
            let key = k.as_str().unwrap_or_default();
            if !SQLC_PACKAGE_KEYS.contains(&key) || key == "path" || key == "name" {
                go.insert(k.clone(), v.clone());
            }
        }
        return (go, None);
    }
    for key in keys(pkg) {
        if !SQLC_PACKAGE_KEYS.contains(&key.as_str()) {
            ignored.push(key);
        }
    }
    let gen = get(pkg, "gen").and_then(Value::as_mapping);
    let go = gen
        .and_then(|g| get(g, "go"))
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    (go, gen.and_then(|g| get(g, "rust")))
}

/// A package's name: `name`, else its Go package, else the folder its Rust folder is in.
fn package_name(pkg: &Mapping, go: &Mapping, rust: &RustOptions, index: usize) -> String {
    get(pkg, "name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            get(go, "package")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| {
            rust.out
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("package{index}"))
        })
}

struct Reader<'a> {
    file: FileId,
    text: &'a str,
    sources: &'a SourceMap,
    root: PathBuf,
    /// `sql` (version 2) or `packages` (version 1).
    list_key: &'static str,
    diags: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn read(&mut self, value: &Value) -> Vec<Package> {
        let Some(top) = value.as_mapping() else {
            self.diags.push(
                Diagnostic::error(
                    Code::ConfigSyntax,
                    "a sqlc config is a mapping with `version` and `sql` or `packages`",
                )
                .at(Span::point(self.file, 1, 1)),
            );
            return Vec::new();
        };
        let Some(v1) = self.version(top) else {
            return Vec::new();
        };
        self.list_key = if v1 { "packages" } else { "sql" };
        self.warn_unknown_keys(top, v1);
        let global = global_options(top, v1);
        let Some(list) = get(top, self.list_key).and_then(Value::as_sequence) else {
            self.diags.push(
                Diagnostic::error(
                    Code::ConfigNoPackages,
                    format!("no `{}` list of packages", self.list_key),
                )
                .at(Span::point(self.file, 1, 1)),
            );
            return Vec::new();
        };
        let mut packages: Vec<Package> = Vec::new();
        for (index, entry) in list.iter().enumerate() {
            let Some(pkg) = entry.as_mapping() else {
                continue;
            };
            if let Some(p) = self.package(index, pkg, &global, v1) {
                self.check_package(index, pkg, &p, &packages, v1);
                packages.push(p);
            }
        }
        packages
    }

    /// The config's version: `Some(true)` for version 1, `Some(false)` for 2, `None` for another
    /// (reported).
    fn version(&mut self, top: &Mapping) -> Option<bool> {
        let version = match get(top, "version") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        match version.as_str() {
            "1" => Some(true),
            "2" => Some(false),
            other => {
                self.diags.push(
                    Diagnostic::error(
                        Code::ConfigVersion,
                        format!("unsupported sqlc config version `{other}`"),
                    )
                    .label(self.key_span(None, "version"), "expected \"1\" or \"2\"")
                    .help("sqlgen reads sqlc's config versions 1 and 2"),
                );
                None
            }
        }
    }

    /// Top-level keys sqlc has and sqlgen does not read are named in a warning each.
    fn warn_unknown_keys(&mut self, top: &Mapping, v1: bool) {
        let known_top: &[&str] = if v1 {
            &[
                "version",
                "packages",
                "overrides",
                "rename",
                "cloud",
                "rules",
                "plugins",
            ]
        } else {
            &["version", "sql", "overrides", "cloud", "rules", "plugins"]
        };
        for key in keys(top) {
            if !known_top.contains(&key.as_str()) {
                self.warnings.push(
                    Diagnostic::warning(
                        Code::IgnoredOption,
                        format!("unknown sqlc config key `{key}` is ignored"),
                    )
                    .at(self.key_span(None, &key)),
                );
            }
        }
    }

    /// The checks on a package read without error, against the ones before it: its `out` folder
    /// inside the config's folder and its own, its output names, its name unique.
    fn check_package(
        &mut self,
        index: usize,
        pkg: &Mapping,
        p: &Package,
        packages: &[Package],
        v1: bool,
    ) {
        let out = &p.rust.out;
        let escapes = escapes_root(out);
        if escapes {
            self.diags.push(
                Diagnostic::error(
                    Code::ConfigOut,
                    format!(
                        "Rust `out` folder `{}` is outside the workspace",
                        out.display()
                    ),
                )
                .at(self.key_span(Some(index), if v1 { "path" } else { "out" }))
                .help("use a path relative to this file, without `..` leading out of it"),
            );
        } else if packages
            .iter()
            .any(|q| normalized(&q.rust.out) == normalized(out))
        {
            self.diags.push(
                Diagnostic::error(
                    Code::ConfigOut,
                    format!("two packages write to `out` folder `{}`", out.display()),
                )
                .at(self.key_span(Some(index), if v1 { "path" } else { "out" }))
                .help("give every package its own `out` folder; generate removes files it does not write"),
            );
        }
        // A Go package's file names were Go's (`models.go`): say what they became.
        let go = if v1 {
            Some(pkg)
        } else {
            get(pkg, "gen")
                .filter(|g| get_in(g, "rust").is_none())
                .and_then(|g| get_in(g, "go"))
                .and_then(Value::as_mapping)
        };
        let names = check_output_names(&p.rust, &|key| self.value_span(Some(index), key));
        for (key, mut d) in names {
            let read = match key {
                "output_models_file_name" => &p.rust.output_models_file_name,
                _ => &p.rust.output_files_suffix,
            };
            let written = go.and_then(|g| get(g, key)).and_then(Value::as_str);
            if let Some(written) = written.filter(|w| *w != read) {
                d = d.note(format!(
                    "sqlc's Go `{key}` `{}` is read as `{}`",
                    written.escape_debug(),
                    read.escape_debug()
                ));
            }
            self.diags.push(d);
        }
        if packages.iter().any(|q| q.name == p.name) {
            self.diags.push(
                Diagnostic::error(
                    Code::ConfigDuplicatePackage,
                    format!("package name `{}` is used twice", p.name),
                )
                .at(self.key_span(Some(index), "name")),
            );
        }
    }

    fn package(
        &mut self,
        index: usize,
        pkg: &Mapping,
        global: &Mapping,
        v1: bool,
    ) -> Option<Package> {
        let engine = get(pkg, "engine")
            .and_then(Value::as_str)
            .unwrap_or("postgresql");
        let label = package_label(pkg, index);
        if engine != "postgresql" {
            self.warnings.push(
                Diagnostic::warning(Code::IgnoredOption, format!(
                    "{label} is skipped: its engine is `{engine}`, and sqlgen generates PostgreSQL packages only"
                ))
                .at(self.value_span(Some(index), "engine")),
            );
            return None;
        }
        let mut ignored: Vec<String> = Vec::new();
        let (go, rust_block) = generator_blocks(pkg, v1, &mut ignored);
        let rust = match rust_block {
            Some(block) => match serde_yaml::from_value::<RustOptions>(block.clone()) {
                Ok(r) => r,
                Err(e) => {
                    self.diags.push(
                        Diagnostic::error(
                            Code::ConfigValue,
                            format!("invalid `gen.rust` options: {e}"),
                        )
                        .at(self.key_span(Some(index), "rust")),
                    );
                    return None;
                }
            },
            None => self.rust_beside_go(index, &label, &go, global, &mut ignored, v1)?,
        };
        if rust_block.is_some() && !ignored.is_empty() {
            let list: Vec<String> = ignored.iter().map(|k| format!("`{k}`")).collect();
            self.warnings.push(
                Diagnostic::warning(
                    Code::IgnoredOption,
                    format!("{label}: unknown options ignored: {}", list.join(", ")),
                )
                .at(self.key_span(Some(index), "name")),
            );
        }
        let schema = self.paths(index, pkg, "schema");
        let queries = self.paths(index, pkg, "queries");
        let name = package_name(pkg, &go, &rust, index);
        Some(Package {
            name,
            index,
            schema,
            queries,
            rust,
        })
    }

    /// The Rust options of a package with a Go generator only: its code goes to `<go out>/rust`,
    /// the Go options with a Rust meaning are carried over, and the others named in one warning;
    /// `None` (a warning) without a Go output folder.
    fn rust_beside_go(
        &mut self,
        index: usize,
        label: &str,
        go: &Mapping,
        global: &Mapping,
        ignored: &mut Vec<String>,
        v1: bool,
    ) -> Option<RustOptions> {
        let out = if v1 { get(go, "path") } else { get(go, "out") };
        let Some(out) = out.and_then(Value::as_str) else {
            self.warnings.push(
                Diagnostic::warning(Code::IgnoredOption, format!(
                    "{label} is skipped: it has neither a `rust` nor a `go` generator with an output folder"
                ))
                .at(self.key_span(Some(index), if v1 { "path" } else { "gen" })),
            );
            return None;
        };
        let out = PathBuf::from(out).join(RUST_SUBFOLDER);
        let mut rust = RustOptions::with_out(out.clone());
        let mut go_only = self.go_options(index, go, global, &mut rust);
        go_only.retain(|k| k != "path" && k != "out" && k != "package" && k != "name");
        ignored.extend(go_only);
        ignored.sort();
        if !ignored.is_empty() {
            let list: Vec<String> = ignored.iter().map(|k| format!("`{k}`")).collect();
            self.warnings.push(
                Diagnostic::warning(
                    Code::IgnoredOption,
                    format!("{label}: Go-only options ignored: {}", list.join(", ")),
                )
                .at(self.key_span(Some(index), if v1 { "path" } else { "go" }))
                .note(format!(
                    "its Rust code goes to `{}`, beside the Go code",
                    out.display()
                )),
            );
        }
        Some(rust)
    }

    /// Carries the Go options with a Rust meaning into `rust`; returns the names of the others.
    fn go_options(
        &mut self,
        index: usize,
        go: &Mapping,
        global: &Mapping,
        rust: &mut RustOptions,
    ) -> Vec<String> {
        let mut ignored = Vec::new();
        let flag = |k: &str| get(go, k).and_then(Value::as_bool).unwrap_or(false);
        rust.emit_json_tags = flag("emit_json_tags");
        rust.emit_exact_table_names = flag("emit_exact_table_names");
        rust.omit_unused_structs = flag("omit_unused_structs");
        rust.emit_enum_valid_method = flag("emit_enum_valid_method");
        rust.emit_all_enum_values = flag("emit_all_enum_values");
        if let Some(style) = get(go, "json_tags_case_style").and_then(Value::as_str) {
            match serde_yaml::from_value::<CaseStyle>(Value::String(style.to_string())) {
                Ok(s) => rust.json_tags_case_style = s,
                Err(_) => self.warnings.push(
                    Diagnostic::warning(
                        Code::IgnoredOption,
                        format!("unknown `json_tags_case_style` `{style}`; SQL names are kept"),
                    )
                    .at(self.value_span(Some(index), "json_tags_case_style"))
                    .help("sqlgen knows camel, pascal, snake and none"),
                ),
            }
        }
        if let Some(names) = get(go, "inflection_exclude_table_names").and_then(Value::as_sequence)
        {
            rust.inflection_exclude_table_names = names
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
        }
        if let Some(n) = get(go, "query_parameter_limit").and_then(Value::as_u64) {
            rust.params_struct_after = n as usize;
        }
        if let Some(name) = get(go, "output_models_file_name").and_then(Value::as_str) {
            rust.output_models_file_name = rust_file_name(name);
        }
        if let Some(suffix) = get(go, "output_files_suffix").and_then(Value::as_str) {
            rust.output_files_suffix = suffix.trim_end_matches(".go").to_string();
        }
        // Global renames first, so the package's own win.
        for source in [global, go] {
            if let Some(map) = get(source, "rename").and_then(Value::as_mapping) {
                for (k, v) in map {
                    if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                        rust.rename.insert(k.to_string(), v.to_string());
                    }
                }
            }
        }
        // The package's overrides before the global ones: the first match wins.
        let mut go_type_overrides = 0;
        for source in [go, global] {
            for o in get(source, "overrides")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                if o.as_mapping()
                    .is_some_and(|m| get(m, "rust_type").is_none())
                {
                    go_type_overrides += 1;
                    continue;
                }
                let mut o = o.clone();
                if let Some(m) = o.as_mapping_mut() {
                    for go_key in ["go_type", "go_struct_tag", "unsigned", "engine"] {
                        m.remove(go_key);
                    }
                }
                match serde_yaml::from_value::<Override>(o) {
                    Ok(o) => rust.overrides.push(o),
                    Err(e) => self.warnings.push(
                        Diagnostic::warning(Code::IgnoredOption, format!("override ignored: {e}"))
                            .at(self.key_span(Some(index), "overrides")),
                    ),
                }
            }
        }
        if go_type_overrides > 0 {
            ignored.push(format!(
                "overrides ({go_type_overrides} with `go_type` only)"
            ));
        }
        for key in keys(go) {
            if !MAPPED_GO_OPTIONS.contains(&key.as_str()) {
                ignored.push(key);
            }
        }
        ignored
    }

    fn paths(&mut self, index: usize, pkg: &Mapping, key: &str) -> Vec<PathBuf> {
        let written: Vec<String> = match get(pkg, key) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Sequence(v)) => v
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => {
                self.diags.push(
                    Diagnostic::error(Code::ConfigPath, format!("package has no `{key}`"))
                        .at(self.key_span(Some(index), "engine")),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for p in written {
            let full = self.root.join(&p);
            if key == "schema" && !schema_present(&full) {
                let at = self.key_span(Some(index), key);
                self.diags.push(no_schema(&p, &full, at));
                continue;
            }
            if !full.exists() {
                self.diags.push(
                    Diagnostic::error(
                        Code::ConfigPath,
                        format!("`{key}` path `{p}` does not exist"),
                    )
                    .label(self.key_span(Some(index), key), "no such file or folder"),
                );
            } else if full.is_dir() && !holds_sql(&full) {
                self.diags.push(
                    Diagnostic::error(
                        Code::ConfigPath,
                        format!("`{key}` folder `{p}` holds no `.sql` files"),
                    )
                    .label(self.key_span(Some(index), key), "empty folder"),
                );
            }
            out.push(full);
        }
        out
    }

    /// The span of `key` at top level or in the `pkg`-th package, or the file's start.
    fn key_span(&self, pkg: Option<usize>, key: &str) -> Span {
        match locate(self.text, self.list_key, pkg, key) {
            Some((start, len)) => self.span(start, len),
            None => Span::point(self.file, 1, 1),
        }
    }

    /// The span of the scalar value of `key`, or of the key.
    fn value_span(&self, pkg: Option<usize>, key: &str) -> Span {
        let Some((start, len)) = locate(self.text, self.list_key, pkg, key) else {
            return Span::point(self.file, 1, 1);
        };
        let after = &self.text[start + len..];
        let rest = after.trim_start_matches(['"', ' ', '\t']);
        let Some(rest) = rest.strip_prefix(':') else {
            return self.span(start, len);
        };
        let value_start = start + len + (after.len() - rest.len());
        let trimmed = rest.trim_start();
        let offset = value_start + (rest.len() - trimmed.len());
        let value_len = trimmed.find([',', '\n', '}', '#']).unwrap_or(trimmed.len());
        let value = trimmed[..value_len].trim_end();
        if value.is_empty() {
            self.span(start, len)
        } else {
            self.span(offset, value.len())
        }
    }

    fn span(&self, start: usize, len: usize) -> Span {
        let src = self.sources.get(self.file);
        Span::new(self.file, src.pos(start), {
            let Pos { line, col } = src.pos(start);
            Pos {
                line,
                col: col + self.text[start..start + len].chars().count() as u32,
            }
        })
    }
}

/// sqlc's `.go` file name in Rust form: `entities.go` gives `entities.rs`.
fn rust_file_name(go: &str) -> String {
    let stem = go.strip_suffix(".go").unwrap_or(go);
    format!("{stem}.rs")
}

fn get<'v>(m: &'v Mapping, key: &str) -> Option<&'v Value> {
    m.get(Value::String(key.to_string()))
}

fn get_in<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_mapping().and_then(|m| get(m, key))
}

fn keys(m: &Mapping) -> Vec<String> {
    m.keys()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// Byte offset and length of `key` (without quotes) at top level, or inside the `pkg`-th item of
/// the `list_key` list. A scan of the text, for JSON and YAML alike: values that deserialised fine
/// carry no positions.
fn locate(text: &str, list_key: &str, pkg: Option<usize>, key: &str) -> Option<(usize, usize)> {
    let (from, to) = match pkg {
        None => (0, text.len()),
        Some(i) => item_range(text, list_key, i)?,
    };
    let slice = &text[from..to];
    let mut search = 0;
    while let Some(off) = slice[search..].find(key) {
        let at = search + off;
        let before = slice[..at].chars().last();
        let after = &slice[at + key.len()..];
        let quoted = before == Some('"') && after.starts_with('"');
        let after = after
            .trim_start_matches('"')
            .trim_start_matches([' ', '\t']);
        let starts_word = before.is_none_or(|c| c == '"' || c == ' ' || c == '\n' || c == '-');
        if starts_word && after.starts_with(':') && (quoted || before != Some('"')) {
            return Some((from + at, key.len()));
        }
        search = at + key.len();
    }
    None
}

/// Byte range of the `index`-th entry of the `list_key` list (`"packages": [ {...}, ... ]` or a YAML
/// block list of `- ` entries).
fn item_range(text: &str, list_key: &str, index: usize) -> Option<(usize, usize)> {
    let (key_at, key_len) = locate(text, "", None, list_key)?;
    let start = key_at + key_len;
    let rest = &text[start..];
    let colon = rest.find(':')?;
    let after = &rest[colon + 1..];
    let trimmed = after.trim_start();
    let base = start + colon + 1 + (after.len() - trimmed.len());
    if trimmed.starts_with('[') {
        // JSON or a YAML flow list: items are the `{` at depth one.
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        let mut items: Vec<(usize, usize)> = Vec::new();
        for (i, c) in trimmed.char_indices() {
            if in_string {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '[' | '{' => {
                    if depth == 1 && c == '{' {
                        items.push((base + i, base + i));
                    }
                    depth += 1;
                }
                ']' | '}' => {
                    depth -= 1;
                    if depth == 1 && c == '}' {
                        if let Some(last) = items.last_mut() {
                            last.1 = base + i + 1;
                        }
                    }
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
        }
        return items.get(index).copied();
    }
    // A YAML block list, starting on the line after the key: entries start with `- ` at the
    // indentation of the first one; the list ends at the first other line that is not indented
    // deeper (the next key of the enclosing mapping).
    let list_start = text[start..]
        .find('\n')
        .map_or(text.len(), |n| start + n + 1);
    let mut items: Vec<usize> = Vec::new();
    let mut end = text.len();
    let mut item_indent: Option<usize> = None;
    let mut line_start = list_start;
    for line in text[list_start..].split_inclusive('\n') {
        let content = line.trim_start();
        let indent = line.len() - content.len();
        let blank = content.trim().is_empty() || content.starts_with('#');
        let is_item = content.starts_with("- ") || content.trim_end() == "-";
        if is_item && item_indent.is_none_or(|l| l == indent) {
            item_indent = Some(indent);
            items.push(line_start);
        } else if !blank && item_indent.is_some_and(|l| indent <= l) {
            end = line_start;
            break;
        }
        line_start += line.len();
    }
    let from = *items.get(index)?;
    Some((from, items.get(index + 1).copied().unwrap_or(end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    /// Writes `text` as `name` in a fresh folder with the `postgresql` folders the examples use.
    fn read(name: &str, text: &str) -> (Result<Config, Vec<Diagnostic>>, SourceMap) {
        let dir = std::env::temp_dir().join(format!(
            "sqlgen-sqlc-config-{}-{}",
            std::process::id(),
            name.replace('.', "-")
        ));
        std::fs::create_dir_all(dir.join("postgresql/query")).unwrap();
        std::fs::write(dir.join("postgresql/schema.sql"), "").unwrap();
        std::fs::write(dir.join("postgresql/query/q.sql"), "").unwrap();
        let mut map = SourceMap::default();
        let file = map.add(SourceFile::new(name.into(), dir.join(name), text.into()));
        (parse(dir, file, &map), map)
    }

    fn warnings(c: &Config, map: &SourceMap) -> String {
        crate::diagnostics::render_all(&c.warnings, map)
    }

    #[test]
    fn v1_json_with_go_options() {
        let (c, map) = read(
            "sqlc.json",
            r#"{
  "version": "1",
  "packages": [
    {
      "path": "postgresql",
      "name": "ondeck",
      "schema": "postgresql/schema.sql",
      "queries": "postgresql/query",
      "engine": "postgresql",
      "sql_package": "database/sql",
      "emit_json_tags": true,
      "emit_interface": true,
      "query_parameter_limit": 2,
      "database": { "uri": "x" }
    },
    {
      "path": "mysql",
      "name": "ondeck",
      "schema": "mysql/schema",
      "queries": "mysql/query",
      "engine": "mysql"
    }
  ]
}"#,
        );
        let c = c.unwrap();
        assert_eq!(c.packages.len(), 1);
        let p = &c.packages[0];
        assert_eq!(p.name, "ondeck");
        assert_eq!(p.rust.out, PathBuf::from("postgresql/rust"));
        assert!(p.rust.emit_json_tags);
        assert_eq!(p.rust.params_struct_after, 2);
        let w = warnings(&c, &map);
        assert!(
            w.contains(
                "package `ondeck`: Go-only options ignored: `emit_interface`, `sql_package`"
            ),
            "{w}"
        );
        assert!(w.contains("sqlc.json:5:8"), "{w}");
        assert!(
            w.contains("package `ondeck` is skipped: its engine is `mysql`"),
            "{w}"
        );
        // The caret is on the engine of the second package.
        assert!(w.contains("sqlc.json:21:17"), "{w}");
        assert_eq!(w.matches("warning").count(), 2, "{w}");
    }

    #[test]
    fn v2_yaml_go_and_rust_generators() {
        let (c, map) = read(
            "sqlc.yaml",
            "version: '2'\ncloud:\n  project: x\nsql:\n- name: pg\n  schema: postgresql/schema.sql\n  queries: postgresql/query\n  engine: postgresql\n  gen:\n    go:\n      package: authors\n      sql_package: pgx/v5\n      out: postgresql\n      emit_exact_table_names: true\n      rename:\n        bio: biography\n- name: sqlite\n  schema: sqlite/schema.sql\n  queries: sqlite/query.sql\n  engine: sqlite\n  gen:\n    go:\n      out: sqlite\n- name: rs\n  schema: postgresql/schema.sql\n  queries: postgresql/query\n  engine: postgresql\n  gen:\n    rust:\n      out: src/db\n      query_parameter_limit: 1\n      emit_derives: [Hash]\n",
        );
        let c = c.unwrap();
        let names: Vec<&str> = c.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["pg", "rs"]);
        assert_eq!(c.packages[0].rust.out, PathBuf::from("postgresql/rust"));
        assert!(c.packages[0].rust.emit_exact_table_names);
        assert_eq!(c.packages[0].rust.rename["bio"], "biography");
        assert_eq!(c.packages[1].rust.out, PathBuf::from("src/db"));
        assert_eq!(c.packages[1].rust.params_struct_after, 1);
        assert_eq!(c.packages[1].rust.emit_derives, ["Hash"]);
        let w = warnings(&c, &map);
        assert!(
            w.contains("package `pg`: Go-only options ignored: `sql_package`"),
            "{w}"
        );
        assert!(w.contains("sqlc.yaml:10:5"), "{w}");
        assert!(w.contains("package `sqlite` is skipped"), "{w}");
        assert!(w.contains("sqlc.yaml:20:11"), "{w}");
    }

    #[test]
    fn rust_options_in_a_sqlc_config_are_checked() {
        let (c, map) = read(
            "sqlc.yaml",
            "version: \"2\"\nsql:\n- schema: postgresql/schema.sql\n  queries: postgresql/query\n  engine: postgresql\n  gen:\n    rust:\n      out: db\n      emit_jsn_tags: true\n",
        );
        let err = crate::diagnostics::render_all(&c.unwrap_err(), &map);
        assert!(err.contains("unknown field `emit_jsn_tags`"), "{err}");
    }

    #[test]
    fn overrides_with_rust_type_are_kept_go_type_only_reported() {
        let (c, map) = read(
            "sqlc.yaml",
            "version: \"2\"\noverrides:\n  go:\n    overrides:\n    - db_type: uuid\n      go_type: github.com/gofrs/uuid.UUID\nsql:\n- schema: postgresql/schema.sql\n  queries: postgresql/query\n  engine: postgresql\n  gen:\n    go:\n      out: db\n      overrides:\n      - column: authors.id\n        go_type: int64\n        rust_type: { path: crate::AuthorId }\n",
        );
        let c = c.unwrap();
        let o = &c.packages[0].rust.overrides;
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].column.as_deref(), Some("authors.id"));
        assert_eq!(o[0].rust_type.path, "crate::AuthorId");
        let w = warnings(&c, &map);
        assert!(w.contains("overrides (1 with `go_type` only)"), "{w}");
        assert_eq!(c.packages[0].name, "db");
    }

    #[test]
    fn v1_yaml_with_top_level_rename_and_overrides() {
        let (c, map) = read(
            "sqlc.yaml",
            "version: \"1\"\nrename:\n  bio: biography\noverrides:\n  - db_type: pg_catalog.timestamptz\n    rust_type: std::time::SystemTime\n    go_type: time.Time\npackages:\n  - name: db\n    path: internal/db\n    schema: postgresql/schema.sql\n    queries: postgresql/query\n    emit_json_tags: true\n    json_tags_case_style: camel\n    output_models_file_name: entities.go\n    output_files_suffix: _gen.go\n    emit_db_tags: true\n  - name: lite\n    path: lite\n    schema: sqlite/schema.sql\n    queries: sqlite/query.sql\n    engine: sqlite\n",
        );
        let c = c.unwrap();
        assert_eq!(c.packages.len(), 1);
        let r = &c.packages[0].rust;
        // v1's engine defaults to postgresql.
        assert_eq!(c.packages[0].name, "db");
        assert_eq!(r.out, PathBuf::from("internal/db/rust"));
        assert_eq!(r.json_tags_case_style, CaseStyle::Camel);
        assert_eq!(r.output_models_file_name, "entities.rs");
        assert_eq!(r.output_files_suffix, "_gen");
        assert_eq!(r.rename["bio"], "biography");
        assert_eq!(r.overrides.len(), 1);
        assert_eq!(
            r.overrides[0].db_type.as_deref(),
            Some("pg_catalog.timestamptz")
        );
        let w = warnings(&c, &map);
        assert!(
            w.contains("package `db`: Go-only options ignored: `emit_db_tags`"),
            "{w}"
        );
        assert!(w.contains("sqlc.yaml:10:5"), "{w}");
        assert!(w.contains("package `lite` is skipped"), "{w}");
        assert!(w.contains("sqlc.yaml:22:13"), "{w}");
    }

    #[test]
    fn unsupported_version_is_an_error() {
        let (c, map) = read("sqlc.yml", "version: \"3\"\nsql: []\n");
        let err = crate::diagnostics::render_all(&c.unwrap_err(), &map);
        assert!(err.contains("unsupported sqlc config version `3`"), "{err}");
        assert!(err.contains("sqlc.yml:1:1"), "{err}");
    }
}
