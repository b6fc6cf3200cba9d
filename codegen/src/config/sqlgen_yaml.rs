//! `sqlgen.yaml`: sqlc's v2 config shape with a `rust:` generator, validated with errors that point into the YAML.

use super::locate::{locate_item, locate_key};
use super::types::{owned_name, Config, Package, RustOptions};
use super::validate::{
    check_output_names, escapes_root, holds_sql, no_schema, normalized, schema_present,
    GO_ONLY_OPTIONS,
};
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::source::{FileId, Pos, SourceMap, Span};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    version: String,
    #[serde(default)]
    sql: Vec<RawPackage>,
    // sqlc options that have no meaning for sqlgen: accepted so a sqlc.yaml ports as is.
    #[serde(default)]
    plugins: Option<serde_yaml::Value>,
    #[serde(default)]
    rules: Option<serde_yaml::Value>,
    #[serde(default)]
    overrides: Option<serde_yaml::Value>,
    #[serde(default)]
    cloud: Option<serde_yaml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackage {
    #[serde(default)]
    name: Option<String>,
    engine: String,
    schema: OneOrMany,
    queries: OneOrMany,
    gen: RawGen,
    // sqlc options without meaning for sqlgen, see `RawConfig`.
    #[serde(default)]
    strict_function_checks: Option<serde_yaml::Value>,
    #[serde(default)]
    strict_order_by: Option<serde_yaml::Value>,
    #[serde(default)]
    rules: Option<serde_yaml::Value>,
    #[serde(default)]
    database: Option<serde_yaml::Value>,
    #[serde(default)]
    analyzer: Option<serde_yaml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGen {
    rust: RustOptions,
}

/// Where a key or its value sits in `sqlgen.yaml`, for diagnostics.
struct Locator<'a> {
    file: FileId,
    text: &'a str,
    sources: &'a SourceMap,
}

impl Locator<'_> {
    /// The span of `key` (in the package at this index, or at the top level), or the file's start.
    fn key(&self, pkg: Option<usize>, key: &str) -> Span {
        let (line, col) = locate_key(self.text, pkg, key).unwrap_or((1, 1));
        Span::new(
            self.file,
            Pos { line, col },
            Pos {
                line,
                col: col + key.chars().count() as u32,
            },
        )
    }

    /// The span of a scalar value (`engine: mysql` points at `mysql`), or of its key when not found.
    fn value(&self, pkg: Option<usize>, key: &str) -> Span {
        let Some((line, col)) = locate_key(self.text, pkg, key) else {
            return self.key(pkg, key);
        };
        let l = self.sources.get(self.file).line(line);
        let after: String = l
            .chars()
            .skip(col as usize - 1 + key.chars().count())
            .collect();
        let value = after.trim_start().strip_prefix(':').unwrap_or("").trim();
        match l.find(value).filter(|_| !value.is_empty()) {
            Some(byte) => {
                let start = l[..byte].chars().count() as u32 + 1;
                Span::new(
                    self.file,
                    Pos { line, col: start },
                    Pos {
                        line,
                        col: start + value.chars().count() as u32,
                    },
                )
            }
            None => self.key(pkg, key),
        }
    }

    /// The warning for a sqlc option sqlgen reads but does not use.
    fn ignored(&self, pkg: Option<usize>, key: &str) -> Diagnostic {
        Diagnostic::warning(
            Code::IgnoredOption,
            format!("sqlc option `{key}` is ignored by sqlgen"),
        )
        .at(self.key(pkg, key))
    }
}

/// Validates a config already in `sources`.
pub fn parse(root: PathBuf, file: FileId, sources: &SourceMap) -> Result<Config, Vec<Diagnostic>> {
    let text = &sources.get(file).text;
    let raw: RawConfig =
        serde_yaml::from_str(text).map_err(|e| vec![yaml_error(&e, file, sources)])?;
    let mut diags = Vec::new();
    let loc = Locator {
        file,
        text,
        sources,
    };
    if raw.version != "2" {
        diags.push(
            Diagnostic::error(
                Code::ConfigVersion,
                format!("unsupported config version `{}`", raw.version),
            )
            .label(loc.value(None, "version"), "expected \"2\"")
            .help("sqlgen reads sqlc's version 2 config format"),
        );
    }
    if raw.sql.is_empty() {
        diags.push(
            Diagnostic::error(Code::ConfigNoPackages, "no packages: `sql` is empty")
                .at(loc.key(None, "sql")),
        );
    }
    let mut warnings = Vec::new();
    for (key, v) in [
        ("plugins", &raw.plugins),
        ("rules", &raw.rules),
        ("overrides", &raw.overrides),
        ("cloud", &raw.cloud),
    ] {
        if v.is_some() {
            warnings.push(loc.ignored(None, key));
        }
    }
    let mut packages = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut outs: Vec<(PathBuf, Span)> = Vec::new();
    for (index, p) in raw.sql.into_iter().enumerate() {
        for (key, v) in [
            ("strict_function_checks", &p.strict_function_checks),
            ("strict_order_by", &p.strict_order_by),
            ("rules", &p.rules),
            ("database", &p.database),
            ("analyzer", &p.analyzer),
        ] {
            if v.is_some() {
                warnings.push(loc.ignored(Some(index), key));
            }
        }
        if p.engine != "postgresql" {
            diags.push(unsupported_engine(&loc, index, &p.engine));
        }
        let schema = check_paths(
            &root,
            &loc,
            index,
            "schema",
            p.schema.into_vec(),
            &mut diags,
        );
        let queries = check_paths(
            &root,
            &loc,
            index,
            "queries",
            p.queries.into_vec(),
            &mut diags,
        );
        let name = package_name(&loc, index, p.name, &p.gen.rust.out, &mut names, &mut diags);
        check_out(&loc, index, &p.gen.rust.out, &mut outs, &mut diags);
        let output_names = check_output_names(&p.gen.rust, &|key| loc.value(Some(index), key));
        diags.extend(output_names.into_iter().map(|(_, d)| d));
        packages.push(Package {
            name,
            index,
            schema,
            queries,
            rust: p.gen.rust,
        });
    }
    check_ownership(
        &packages,
        &names,
        (file, text),
        &|pkg, key| loc.key(pkg, key),
        &mut diags,
    );
    if !diags.iter().any(Diagnostic::is_error) {
        warnings.extend(diags);
        Ok(Config {
            root,
            file,
            packages,
            warnings,
        })
    } else {
        Err(diags)
    }
}

/// A package's name (`name`, else the last folder of `out`), which no earlier package has; `names`
/// collects the names seen so far.
fn package_name(
    loc: &Locator,
    index: usize,
    name: Option<String>,
    out: &Path,
    names: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let name = name.unwrap_or_else(|| {
        out.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| format!("package{index}"))
    });
    if let Some(first) = names.iter().position(|n| *n == name) {
        diags.push(
            Diagnostic::error(
                Code::ConfigDuplicatePackage,
                format!("package name `{name}` is used twice"),
            )
            .label(loc.value(Some(index), "name"), "used again here")
            .secondary(loc.value(Some(first), "name"), "first used here")
            .help("give every `sql` entry a distinct `name`"),
        );
    }
    names.push(name.clone());
    name
}

/// An engine other than `postgresql`, with a did-you-mean.
fn unsupported_engine(loc: &Locator, index: usize, engine: &str) -> Diagnostic {
    let mut d = Diagnostic::error(Code::ConfigEngine, format!("unsupported engine `{engine}`"))
        .label(
            loc.value(Some(index), "engine"),
            "only `postgresql` is supported",
        );
    if let Some(s) = did_you_mean(engine, ["postgresql"]) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    d
}

/// A package's `schema` or `queries` paths, joined to the config's folder: each must exist (a
/// schema must hold a schema) and a folder must hold `.sql` files.
fn check_paths(
    root: &Path,
    loc: &Locator,
    index: usize,
    key: &str,
    paths: Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        let full = root.join(&p);
        if key == "schema" && !schema_present(&full) {
            diags.push(no_schema(&p, &full, loc.key(Some(index), key)));
            continue;
        }
        if !full.exists() {
            diags.push(
                Diagnostic::error(
                    Code::ConfigPath,
                    format!("`{key}` path `{p}` does not exist"),
                )
                .label(loc.key(Some(index), key), "no such file or folder"),
            );
        } else if full.is_dir() && !holds_sql(&full) {
            diags.push(
                Diagnostic::error(
                    Code::ConfigPath,
                    format!("`{key}` folder `{p}` holds no `.sql` files"),
                )
                .label(loc.key(Some(index), key), "empty folder"),
            );
        }
        out.push(full);
    }
    out
}

/// A package's `out` folder stays inside the config's folder and is no other package's; `outs`
/// collects the folders seen so far.
fn check_out(
    loc: &Locator,
    index: usize,
    out: &Path,
    outs: &mut Vec<(PathBuf, Span)>,
    diags: &mut Vec<Diagnostic>,
) {
    // `..` that climbs above the config's folder, or an absolute path, leaves the workspace.
    let escapes = escapes_root(out);
    let out_span = loc.value(Some(index), "out");
    if escapes {
        diags.push(
            Diagnostic::error(
                Code::ConfigOut,
                format!("`out` folder `{}` is outside the workspace", out.display()),
            )
            .label(out_span, "must stay inside the folder of this config")
            .help("use a path relative to this file, without `..` leading out of it"),
        );
    } else if let Some((_, first)) = outs.iter().find(|(o, _)| *o == normalized(out)) {
        diags.push(
            Diagnostic::error(
                Code::ConfigOut,
                format!(
                    "two packages write to `out` folder `{}`",
                    normalized(out).display()
                ),
            )
            .label(out_span, "written again here")
            .secondary(*first, "first written here")
            .help(
                "give every package its own `out` folder; generate removes files it does not write",
            ),
        );
    }
    outs.push((normalized(out), out_span));
}

/// `uses` must name other, existing packages that have a `module_path`, without cycles; a name may
/// be in the `owns` list of one package only.
fn check_ownership(
    packages: &[Package],
    names: &[String],
    (file, text): (FileId, &str),
    locate: &dyn Fn(Option<usize>, &str) -> Span,
    diags: &mut Vec<Diagnostic>,
) {
    let item = |p: &Package, key: &str, item: &str| -> Span {
        locate_item(text, p.index, key, item)
            .map(|(line, col)| {
                let end = col + item.chars().count() as u32;
                Span::new(file, Pos { line, col }, Pos { line, col: end })
            })
            .unwrap_or_else(|| locate(Some(p.index), key))
    };
    for p in packages {
        for other in &p.rust.uses {
            match packages.iter().find(|q| &q.name == other) {
                None => {
                    let mut d = Diagnostic::error(Code::ConfigUses, format!("`uses` names unknown package `{other}`"))
                        .label(item(p, "uses", other), "no package of this name");
                    if let Some(s) = did_you_mean(other, names.iter().map(String::as_str)) {
                        d = d.help(format!("did you mean `{s}`?"));
                    }
                    diags.push(d);
                }
                Some(q) if q.name == p.name => diags.push(
                    Diagnostic::error(Code::ConfigUses, format!("package `{other}` uses itself"))
                        .label(item(p, "uses", other), "a package always uses its own models"),
                ),
                Some(q) if q.rust.module_path.is_none() => diags.push(
                    Diagnostic::error(Code::ConfigUses, format!(
                        "package `{other}` is used by `{}` but has no `module_path`",
                        p.name
                    ))
                    .label(item(p, "uses", other), "used here")
                    .help(format!(
                        "add `module_path: <crate>::db` to the `gen.rust` options of `{other}`, so that `{}` can name its types",
                        p.name
                    )),
                ),
                Some(_) => {}
            }
        }
    }
    // Cycles: a package's generated code would import from a crate that imports from it.
    let mut reported: Vec<Vec<String>> = Vec::new();
    for start in packages {
        let mut stack: Vec<(&Package, usize)> = vec![(start, 0)];
        while let Some((p, next)) = stack.pop() {
            let Some(dep) = p.rust.uses.get(next) else {
                continue;
            };
            stack.push((p, next + 1));
            let Some(q) = packages.iter().find(|q| &q.name == dep && q.name != p.name) else {
                continue;
            };
            if q.name == start.name {
                let mut cycle: Vec<String> = stack.iter().map(|(p, _)| p.name.clone()).collect();
                let mut key = cycle.clone();
                key.sort();
                if !reported.contains(&key) {
                    reported.push(key);
                    cycle.push(start.name.clone());
                    diags.push(
                        Diagnostic::error(Code::ConfigUses, format!(
                            "packages use each other in a cycle: {}",
                            cycle.join(" -> ")
                        ))
                        .label(item(p, "uses", dep), "this use closes the cycle")
                        .help("a package's code can only import from packages its crate depends on; move the shared tables to one package that the others use"),
                    );
                }
            } else if !stack.iter().any(|(s, _)| s.name == q.name) {
                stack.push((q, 0));
            }
        }
    }
    let mut owners: Vec<(crate::ir::QualName, &Package, &str)> = Vec::new();
    for p in packages {
        for name in &p.rust.owns {
            let key = owned_name(name);
            match owners.iter().find(|(k, _, _)| *k == key) {
                Some((_, q, first)) if q.name == p.name => diags.push(
                    Diagnostic::error(
                        Code::ConfigUses,
                        format!("`{name}` is listed twice in `owns` of `{}`", p.name),
                    )
                    .label(item(p, "owns", name), "listed again here")
                    .secondary(item(q, "owns", first), "first listed here"),
                ),
                Some((_, q, first)) => diags.push(
                    Diagnostic::error(
                        Code::ConfigUses,
                        format!(
                            "`{name}` is owned by two packages, `{}` and `{}`",
                            q.name, p.name
                        ),
                    )
                    .label(item(p, "owns", name), format!("also owned by `{}`", p.name))
                    .secondary(
                        item(q, "owns", first),
                        format!("owned by `{}` here", q.name),
                    )
                    .help(
                        "keep it in one `owns` list; the other package can add that one to `uses`",
                    ),
                ),
                None => owners.push((key, p, name)),
            }
        }
    }
}

/// Turns a serde_yaml error into a located diagnostic, with a did-you-mean for unknown keys.
fn yaml_error(e: &serde_yaml::Error, file: FileId, sources: &SourceMap) -> Diagnostic {
    let msg = e.to_string();
    let msg = match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    // serde_yaml prefixes the path to the failing value (`sql[0].gen.rust: ...`).
    let (path, detail) = match msg.split_once(": ") {
        Some((p, d)) if !p.contains(' ') => (Some(p.to_string()), d.to_string()),
        _ => (None, msg.clone()),
    };
    let mut d = Diagnostic::error(
        Code::ConfigSyntax,
        match &path {
            Some(p) => format!("invalid config at `{p}`: {detail}"),
            None => format!("invalid config: {detail}"),
        },
    );
    if let Some(loc) = e.location() {
        let text = sources.get(file);
        let line = loc.line() as u32;
        let col = loc.column() as u32;
        let word_len = text
            .line(line)
            .chars()
            .skip(col as usize - 1)
            .take_while(|c| *c != ':')
            .count() as u32;
        d = d.at(Span::new(
            file,
            Pos { line, col },
            Pos {
                line,
                col: col + word_len.max(1),
            },
        ));
    }
    if [
        "invalid type",
        "invalid value",
        "unknown variant",
        "missing field",
        "invalid length",
    ]
    .iter()
    .any(|p| detail.starts_with(p))
    {
        d.code = Code::ConfigValue;
    }
    if let Some(field) = detail
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        d = d.help(format!("add `{field}:` to this entry"));
    }
    if let Some(rest) = detail.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            // The headline names the key; the accepted keys go to a note.
            d.code = Code::ConfigUnknownKey;
            d.message = match &path {
                Some(p) => format!("unknown key `{field}` in `{p}`"),
                None => format!("unknown key `{field}`"),
            };
            if !candidates.is_empty() {
                d = d.note(format!("accepted here: {}", candidates.join(", ")));
            }
            if field == "models_from" {
                d = d.help("`models_from` is now `uses`, with `owns` listing the tables a package generates");
            } else if GO_ONLY_OPTIONS.contains(&field) {
                d = d.help(format!(
                    "`{field}` is one of sqlc's Go options, without a meaning for Rust code: remove it"
                ));
            } else if let Some(s) = did_you_mean(field, candidates) {
                d = d.help(format!("did you mean `{s}`?"));
            }
        }
    }
    d
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::types::CaseStyle;
    use crate::config::validate::module_path_problem;
    use crate::source::SourceFile;

    fn check(yaml: &str) -> Result<Config, String> {
        let dir = std::env::temp_dir().join(format!("sqlgen-config-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("q")).unwrap();
        std::fs::write(dir.join("q/a.sql"), "").unwrap();
        let mut map = SourceMap::default();
        let file = map.add(SourceFile::new(
            "sqlgen.yaml".into(),
            dir.join("sqlgen.yaml"),
            yaml.into(),
        ));
        parse(dir, file, &map).map_err(|ds| crate::diagnostics::render_all(&ds, &map))
    }

    #[test]
    fn reads_sqlc_v2_shape() {
        let c = check("version: \"2\"\nsql:\n  - name: a\n    engine: postgresql\n    schema: q\n    queries: [q]\n    gen:\n      rust:\n        out: out\n        emit_json_tags: true\n        json_tags_case_style: snake\n").unwrap();
        assert_eq!(c.packages[0].name, "a");
        assert_eq!(c.packages[0].rust.json_tags_case_style, CaseStyle::Snake);
        assert!(c.packages[0].rust.emit_json_tags);
        assert!(!c.packages[0].rust.omit_unused_structs);
    }

    #[test]
    fn unknown_key_is_located_with_suggestion() {
        let err = check("version: \"2\"\nsql:\n  - engine: postgresql\n    schema: q\n    queries: q\n    gen:\n      rust:\n        out: out\n        omit_unused_struct: true\n").unwrap_err();
        assert!(err.contains("unknown key `omit_unused_struct`"), "{err}");
        assert!(err.contains("sqlgen.yaml:9:9"), "{err}");
        assert!(err.contains("did you mean `omit_unused_structs`?"), "{err}");
    }

    #[test]
    fn module_paths() {
        for ok in [
            "shared::db",
            "crate::db",
            "crate",
            "self::db",
            "super::x",
            "super::super::db",
            "self::super::db",
            "::shared::db",
            "r#type::db",
            " shared :: db ",
        ] {
            assert_eq!(module_path_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "shared:db",
            "shared::db::",
            "shared/db",
            "shared::db<T>",
            "Self::db",
            "db::crate",
            "::crate::db",
            "db::self",
            "crate::super::db",
            "::super::db",
            "db::super",
            "type::db",
            "shared::db; fn x() {}",
        ] {
            assert!(module_path_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn output_file_names() {
        let names = |models: &str, suffix: &str| {
            let mut opts = RustOptions::with_out("out".into());
            opts.output_models_file_name = models.into();
            opts.output_files_suffix = suffix.into();
            let span = Span::point(FileId(0), 1, 1);
            check_output_names(&opts, &|_| span)
                .into_iter()
                .map(|(key, _)| key)
                .collect::<Vec<_>>()
        };
        for (models, suffix) in [
            ("models.rs", ""),
            ("entities.rs", "_gen"),
            ("Entities.v2.rs", ".gen-x"),
        ] {
            assert!(names(models, suffix).is_empty(), "{models} {suffix}");
        }
        for models in [
            "",
            ".rs",
            "..rs",
            "mod.rs",
            "Mod.RS",
            "entities",
            "a/b.rs",
            "../m.rs",
            "/m.rs",
            "a\\b.rs",
            "m\0.rs",
            "m\n.rs",
            "m .rs",
            "mödels.rs",
            "m:.rs",
            "m?.rs",
            "con.rs",
            "NUL.rs",
        ] {
            assert_eq!(names(models, ""), ["output_models_file_name"], "{models:?}");
        }
        for suffix in ["/x", "\\x", "..", "_..", "_g\0", "_g n", "_ü", "_g*"] {
            assert_eq!(
                names("models.rs", suffix),
                ["output_files_suffix"],
                "{suffix:?}"
            );
        }
    }

    #[test]
    fn engine_and_missing_folders_are_all_reported() {
        let err = check("version: \"2\"\nsql:\n  - engine: postgres\n    schema: nope\n    queries: q\n    gen:\n      rust:\n        out: out\n").unwrap_err();
        assert!(err.contains("unsupported engine `postgres`"), "{err}");
        // The caret is on the value.
        assert!(err.contains("sqlgen.yaml:3:13"), "{err}");
        assert!(err.contains("did you mean `postgresql`?"), "{err}");
        assert!(err.contains("`schema` path `nope` does not exist"), "{err}");
        assert!(err.contains("sqlgen.yaml:4:5"), "{err}");
    }
}
