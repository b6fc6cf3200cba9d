//! `sqlgen.yaml`: sqlc's v2 config shape with a `rust:` generator, validated with errors that point into the YAML.

use crate::diagnostics::{did_you_mean, Diagnostic};
use crate::source::{FileId, Pos, SourceMap, Span};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The whole file, after validation.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder of `sqlgen.yaml`; every path in it is relative to this folder.
    pub root: PathBuf,
    pub file: FileId,
    pub packages: Vec<Package>,
    /// sqlc options sqlgen accepts but does not act on.
    pub warnings: Vec<Diagnostic>,
}

/// One `sql:` entry.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    /// Position of the entry in `sql:`, for locating errors.
    pub index: usize,
    pub schema: Vec<PathBuf>,
    pub queries: Vec<PathBuf>,
    pub rust: RustOptions,
}

/// `gen.rust` options.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RustOptions {
    /// Output folder, relative to the config.
    pub out: PathBuf,
    /// serde `Serialize`/`Deserialize` on models and rows.
    #[serde(default)]
    pub emit_json_tags: bool,
    #[serde(default)]
    pub json_tags_case_style: CaseStyle,
    /// Keep only the tables and enums the package's queries use.
    #[serde(default)]
    pub omit_unused_structs: bool,
    /// Rust path of the generated module (`shared::db`), needed when other packages reuse its models.
    #[serde(default)]
    pub module_path: Option<String>,
    /// Packages whose models this package imports instead of generating its own copy.
    #[serde(default)]
    pub models_from: Vec<String>,
    /// Crate for date and time types.
    #[serde(default)]
    pub time_crate: TimeCrate,
    /// Domains as newtypes (`pub struct UrlSlug(pub String)`) instead of their base type.
    #[serde(default)]
    pub domain_newtypes: bool,
    /// A query with more parameters than this takes a params struct.
    #[serde(default = "default_params_struct_after")]
    pub params_struct_after: usize,
}

fn default_params_struct_after() -> usize {
    3
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum CaseStyle {
    Camel,
    Pascal,
    Snake,
    /// The SQL column name as written: sqlc's default.
    #[default]
    None,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum TimeCrate {
    #[default]
    Time,
    Chrono,
}

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

/// Loads and validates `sqlgen.yaml`. IO errors are returned as an unlocated diagnostic.
pub fn load(path: &Path, sources: &mut SourceMap) -> Result<Config, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::error(format!(
            "cannot read `{}`: {e}",
            path.display()
        ))]
    })?;
    load_str(path, text, sources)
}

/// Validates config text as if read from `path`: the text is added to `sources`, relative
/// `schema` and `queries` paths resolve against `path`'s folder (which is only checked for existence).
pub fn load_str(
    path: &Path,
    text: String,
    sources: &mut SourceMap,
) -> Result<Config, Vec<Diagnostic>> {
    let display = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let display = if path
        .parent()
        .map(|p| p.as_os_str().is_empty())
        .unwrap_or(true)
    {
        display
    } else {
        path.display().to_string()
    };
    let file = sources.add(crate::source::SourceFile::new(
        display,
        path.to_path_buf(),
        text,
    ));
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    parse(root, file, sources)
}

/// Validates a config already in `sources`.
pub fn parse(root: PathBuf, file: FileId, sources: &SourceMap) -> Result<Config, Vec<Diagnostic>> {
    let text = &sources.get(file).text;
    let raw: RawConfig =
        serde_yaml::from_str(text).map_err(|e| vec![yaml_error(&e, file, sources)])?;
    let mut diags = Vec::new();
    let locate = |pkg: Option<usize>, key: &str| -> Span {
        let (line, col) = locate_key(text, pkg, key).unwrap_or((1, 1));
        Span::new(
            file,
            Pos { line, col },
            Pos {
                line,
                col: col + key.chars().count() as u32,
            },
        )
    };
    // The span of a scalar value (`engine: mysql` points at `mysql`), or of its key when not found.
    let locate_value = |pkg: Option<usize>, key: &str| -> Span {
        let Some((line, col)) = locate_key(text, pkg, key) else {
            return locate(pkg, key);
        };
        let l = sources.get(file).line(line);
        let after: String = l
            .chars()
            .skip(col as usize - 1 + key.chars().count())
            .collect();
        let value = after.trim_start().strip_prefix(':').unwrap_or("").trim();
        match l.find(value).filter(|_| !value.is_empty()) {
            Some(byte) => {
                let start = l[..byte].chars().count() as u32 + 1;
                Span::new(
                    file,
                    Pos { line, col: start },
                    Pos {
                        line,
                        col: start + value.chars().count() as u32,
                    },
                )
            }
            None => locate(pkg, key),
        }
    };
    if raw.version != "2" {
        diags.push(
            Diagnostic::error(format!("unsupported config version `{}`", raw.version))
                .label(locate(None, "version"), "expected \"2\"")
                .help("sqlgen reads sqlc's version 2 config format"),
        );
    }
    if raw.sql.is_empty() {
        diags.push(Diagnostic::error("no packages: `sql` is empty").at(locate(None, "sql")));
    }
    let mut warnings = Vec::new();
    let ignored = |warnings: &mut Vec<Diagnostic>, pkg: Option<usize>, key: &str| {
        warnings.push(
            Diagnostic::warning(format!("sqlc option `{key}` is ignored by sqlgen"))
                .at(locate(pkg, key)),
        );
    };
    for (key, v) in [
        ("plugins", &raw.plugins),
        ("rules", &raw.rules),
        ("overrides", &raw.overrides),
        ("cloud", &raw.cloud),
    ] {
        if v.is_some() {
            ignored(&mut warnings, None, key);
        }
    }
    let mut packages = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (index, p) in raw.sql.into_iter().enumerate() {
        for (key, v) in [
            ("strict_function_checks", &p.strict_function_checks),
            ("strict_order_by", &p.strict_order_by),
            ("rules", &p.rules),
            ("database", &p.database),
            ("analyzer", &p.analyzer),
        ] {
            if v.is_some() {
                ignored(&mut warnings, Some(index), key);
            }
        }
        if p.engine != "postgresql" {
            let mut d = Diagnostic::error(format!("unsupported engine `{}`", p.engine)).label(
                locate_value(Some(index), "engine"),
                "only `postgresql` is supported",
            );
            if let Some(s) = did_you_mean(&p.engine, ["postgresql"]) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
        let check_paths =
            |key: &str, paths: Vec<String>, diags: &mut Vec<Diagnostic>| -> Vec<PathBuf> {
                let mut out = Vec::new();
                for p in paths {
                    let full = root.join(&p);
                    if !full.exists() {
                        diags.push(
                            Diagnostic::error(format!("`{key}` path `{p}` does not exist")).label(
                                locate(Some(index), key),
                                format!("no file or folder `{}`", full.display()),
                            ),
                        );
                    }
                    out.push(full);
                }
                out
            };
        let schema = check_paths("schema", p.schema.into_vec(), &mut diags);
        let queries = check_paths("queries", p.queries.into_vec(), &mut diags);
        let name = p.name.unwrap_or_else(|| {
            p.gen
                .rust
                .out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| format!("package{index}"))
        });
        if names.contains(&name) {
            diags.push(
                Diagnostic::error(format!("package name `{name}` is used twice"))
                    .at(locate(Some(index), "name"))
                    .help("give every `sql` entry a distinct `name`"),
            );
        }
        names.push(name.clone());
        packages.push(Package {
            name,
            index,
            schema,
            queries,
            rust: p.gen.rust,
        });
    }
    for p in &packages {
        for other in &p.rust.models_from {
            match packages.iter().find(|q| &q.name == other) {
                None => {
                    let mut d =
                        Diagnostic::error(format!("`models_from` names unknown package `{other}`"))
                            .at(locate(Some(p.index), "models_from"));
                    if let Some(s) = did_you_mean(other, names.iter().map(String::as_str)) {
                        d = d.help(format!("did you mean `{s}`?"));
                    }
                    diags.push(d);
                }
                Some(q) if q.rust.module_path.is_none() => diags.push(
                    Diagnostic::error(format!(
                        "package `{other}` is used in `models_from` but has no `module_path`"
                    ))
                    .at(locate(Some(q.index), "out"))
                    .help(format!(
                        "add `module_path: <crate>::db` to the `gen.rust` options of `{other}`"
                    )),
                ),
                Some(q) if q.name == p.name => diags.push(
                    Diagnostic::error("a package cannot take models from itself")
                        .at(locate(Some(p.index), "models_from")),
                ),
                Some(_) => {}
            }
        }
    }
    if diags.is_empty() {
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
    let mut d = Diagnostic::error(match &path {
        Some(p) => format!("invalid config at `{p}`: {detail}"),
        None => format!("invalid config: {detail}"),
    });
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
    if let Some(rest) = detail.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            // The headline names the key; the accepted keys go to a note.
            d.message = match &path {
                Some(p) => format!("unknown key `{field}` in `{p}`"),
                None => format!("unknown key `{field}`"),
            };
            if !candidates.is_empty() {
                d = d.note(format!("accepted here: {}", candidates.join(", ")));
            }
            if let Some(s) = did_you_mean(field, candidates) {
                d = d.help(format!("did you mean `{s}`?"));
            }
        }
    }
    d
}

/// Finds the line and column of `key:` at top level (`pkg == None`) or inside the `pkg`-th `sql:` entry.
/// A plain scan is enough: serde_yaml keeps no positions for values that deserialised fine.
fn locate_key(text: &str, pkg: Option<usize>, key: &str) -> Option<(u32, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let find_in = |from: usize, to: usize| {
        (from..to).find_map(|i| {
            let l = lines[i];
            let trimmed = l.trim_start_matches([' ', '-']);
            let col = l.len() - trimmed.len();
            let rest = trimmed.strip_prefix(key)?;
            rest.trim_start()
                .starts_with(':')
                .then_some((i as u32 + 1, col as u32 + 1))
        })
    };
    let Some(pkg) = pkg else {
        return find_in(0, lines.len());
    };
    let sql = lines.iter().position(|l| l.starts_with("sql:"))?;
    let items: Vec<usize> = (sql + 1..lines.len())
        .filter(|&i| {
            lines[i].trim_start().starts_with("- ")
                && indent(lines[i]) <= indent_of_first_item(&lines, sql)
        })
        .collect();
    let start = *items.get(pkg)?;
    let end = items.get(pkg + 1).copied().unwrap_or(lines.len());
    find_in(start, end).or(Some((start as u32 + 1, indent(lines[start]) as u32 + 1)))
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

fn indent_of_first_item(lines: &[&str], sql: usize) -> usize {
    lines[sql + 1..]
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map(|l| indent(l))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn check(yaml: &str) -> Result<Config, String> {
        let dir = std::env::temp_dir().join(format!("sqlgen-config-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("q")).unwrap();
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
