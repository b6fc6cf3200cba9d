//! `sqlgen.yaml`: sqlc's v2 config shape with a `rust:` generator, validated with errors that point into the YAML.

use crate::diagnostics::{did_you_mean, Code, Diagnostic};
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

impl Config {
    /// Whether any package declares `owns` or `uses`: then every model has one owner.
    pub fn uses_ownership(&self) -> bool {
        self.packages
            .iter()
            .any(|p| !p.rust.owns.is_empty() || !p.rust.uses.is_empty())
    }

    /// The package whose `owns` lists `name`.
    pub fn owner_of(&self, name: &crate::ir::QualName) -> Option<&Package> {
        self.packages
            .iter()
            .find(|p| p.rust.owns.iter().any(|o| &owned_name(o) == name))
    }

    /// The span of `item` in the list (or map) under `key` of the `pkg`-th `sql:` entry, or of
    /// `key:` itself when the item is not found there.
    pub fn item_span(&self, sources: &SourceMap, pkg: usize, key: &str, item: &str) -> Span {
        match locate_item(&sources.get(self.file).text, pkg, key, item) {
            Some((line, col)) => Span::new(
                self.file,
                Pos { line, col },
                Pos {
                    line,
                    col: col + item.chars().count() as u32,
                },
            ),
            None => self.key_span(sources, pkg, key),
        }
    }

    /// The span of `key:` in the `pkg`-th `sql:` entry: where a diagnostic about what it names points.
    pub fn key_span(&self, sources: &SourceMap, pkg: usize, key: &str) -> Span {
        let (line, col) =
            locate_key(&sources.get(self.file).text, Some(pkg), key).unwrap_or((1, 1));
        Span::new(
            self.file,
            Pos { line, col },
            Pos {
                line,
                col: col + key.chars().count() as u32,
            },
        )
    }
}

/// The catalogue name of an `owns` entry (`users`, `public.users`, `auth.users`).
pub fn owned_name(written: &str) -> crate::ir::QualName {
    match written.split_once('.') {
        Some((schema, name)) => crate::ir::QualName::new(Some(schema.to_string()), name),
        None => crate::ir::QualName::new(None, written),
    }
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
    /// Packages whose models this package may use: a table or type owned by one of them is imported
    /// from its `module_path` instead of being generated again.
    #[serde(default)]
    pub uses: Vec<String>,
    /// Tables, views and types this package owns: it generates them (used by its queries or not),
    /// and no other package may. Names may be schema-qualified (`auth.users`).
    #[serde(default)]
    pub owns: Vec<String>,
    /// Crate for date and time types.
    #[serde(default)]
    pub time_crate: TimeCrate,
    /// Domains as newtypes (`pub struct UrlSlug(pub String)`) instead of their base type.
    #[serde(default)]
    pub domain_newtypes: bool,
    /// A query with more parameters than this takes a params struct (sqlc: `query_parameter_limit`).
    #[serde(
        default = "default_params_struct_after",
        alias = "query_parameter_limit"
    )]
    pub params_struct_after: usize,
    /// Rust types for database types or columns; the first matching entry wins.
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// SQL name (table, view, type, column or enum label) to Rust name.
    #[serde(default)]
    pub rename: std::collections::BTreeMap<String, String>,
    /// Model structs named after the table as written (`users` gives `Users`), not singularised.
    #[serde(default)]
    pub emit_exact_table_names: bool,
    /// Tables whose model name is not singularised.
    #[serde(default)]
    pub inflection_exclude_table_names: Vec<String>,
    /// Extra derives on models and row structs (`[Hash, Eq]`, or paths like `serde::Serialize`).
    #[serde(default)]
    pub emit_derives: Vec<String>,
    /// `FromStr` on generated enums (sqlc's `Valid()` method, in Rust form).
    #[serde(default)]
    pub emit_enum_valid_method: bool,
    /// Accepted for sqlc: every generated enum has `ALL` anyway.
    #[serde(default)]
    pub emit_all_enum_values: bool,
    /// File name of the models module (the module is still `models`).
    #[serde(default = "default_models_file_name")]
    pub output_models_file_name: String,
    /// Appended to the file name of every query module (`query_gen.rs` for `_gen`).
    #[serde(default)]
    pub output_files_suffix: String,
}

fn default_params_struct_after() -> usize {
    3
}

fn default_models_file_name() -> String {
    "models.rs".to_string()
}

impl RustOptions {
    /// The default options with the output folder `out`.
    pub fn with_out(out: PathBuf) -> RustOptions {
        let mut map = serde_yaml::Mapping::new();
        map.insert("out".into(), out.to_string_lossy().into_owned().into());
        serde_yaml::from_value(serde_yaml::Value::Mapping(map)).expect("`out` alone is valid")
    }
}

/// One `overrides` entry: a Rust type for a database type (`db_type`) or a column (`column`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// A type in any spelling (`timestamptz`, `timestamp with time zone`, `pg_catalog.timestamptz`),
    /// an enum, composite or domain name.
    #[serde(default)]
    pub db_type: Option<String>,
    /// `table.column` or `schema.table.column`; `*` matches any run of characters in a part.
    #[serde(default)]
    pub column: Option<String>,
    pub rust_type: RustType,
    /// Unset: every value of the type or column, `Option<T>` where it may be NULL.
    /// `true`: only values that may be NULL, and the type is used as is (it handles NULL itself).
    /// `false`: only values that are never NULL.
    #[serde(default)]
    pub nullable: Option<bool>,
}

/// The Rust type of an override: `rust_type: crate::money::Cents`, or
/// `rust_type: { path: crate::Slug, borrowed: "&str" }` to take parameters in a borrowed form.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(from = "RawRustType")]
pub struct RustType {
    pub path: String,
    pub borrowed: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRustType {
    Path(String),
    Full {
        path: String,
        #[serde(default)]
        borrowed: Option<String>,
    },
}

impl From<RawRustType> for RustType {
    fn from(r: RawRustType) -> RustType {
        match r {
            RawRustType::Path(path) => RustType {
                path,
                borrowed: None,
            },
            RawRustType::Full { path, borrowed } => RustType { path, borrowed },
        }
    }
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
        vec![Diagnostic::error(
            Code::Io,
            format!("cannot read `{}`: {e}", path.display()),
        )]
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
    // Every other path is shown relative to the config's folder; the config itself by its name,
    // never as the absolute path a build script finds it at.
    let display = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
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
    if crate::sqlc_config::is_sqlc_config(path) {
        return crate::sqlc_config::parse(root, file, sources);
    }
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
            Diagnostic::error(
                Code::ConfigVersion,
                format!("unsupported config version `{}`", raw.version),
            )
            .label(locate_value(None, "version"), "expected \"2\"")
            .help("sqlgen reads sqlc's version 2 config format"),
        );
    }
    if raw.sql.is_empty() {
        diags.push(
            Diagnostic::error(Code::ConfigNoPackages, "no packages: `sql` is empty")
                .at(locate(None, "sql")),
        );
    }
    let mut warnings = Vec::new();
    let ignored = |warnings: &mut Vec<Diagnostic>, pkg: Option<usize>, key: &str| {
        warnings.push(
            Diagnostic::warning(
                Code::IgnoredOption,
                format!("sqlc option `{key}` is ignored by sqlgen"),
            )
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
                ignored(&mut warnings, Some(index), key);
            }
        }
        if p.engine != "postgresql" {
            let mut d = Diagnostic::error(
                Code::ConfigEngine,
                format!("unsupported engine `{}`", p.engine),
            )
            .label(
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
                    if key == "schema" && !schema_present(&full) {
                        diags.push(no_schema(&p, &full, locate(Some(index), key)));
                        continue;
                    }
                    if !full.exists() {
                        diags.push(
                            Diagnostic::error(
                                Code::ConfigPath,
                                format!("`{key}` path `{p}` does not exist"),
                            )
                            .label(locate(Some(index), key), "no such file or folder"),
                        );
                    } else if full.is_dir() && !holds_sql(&full) {
                        diags.push(
                            Diagnostic::error(
                                Code::ConfigPath,
                                format!("`{key}` folder `{p}` holds no `.sql` files"),
                            )
                            .label(locate(Some(index), key), "empty folder"),
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
        if let Some(first) = names.iter().position(|n| *n == name) {
            diags.push(
                Diagnostic::error(
                    Code::ConfigDuplicatePackage,
                    format!("package name `{name}` is used twice"),
                )
                .label(locate_value(Some(index), "name"), "used again here")
                .secondary(locate_value(Some(first), "name"), "first used here")
                .help("give every `sql` entry a distinct `name`"),
            );
        }
        names.push(name.clone());
        let out = &p.gen.rust.out;
        // `..` that climbs above the config's folder, or an absolute path, leaves the workspace.
        let escapes = out.is_absolute()
            || out
                .components()
                .try_fold(0usize, |depth, c| match c {
                    std::path::Component::ParentDir => depth.checked_sub(1),
                    std::path::Component::Normal(_) => Some(depth + 1),
                    _ => Some(depth),
                })
                .is_none();
        let out_span = locate_value(Some(index), "out");
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
                .help("give every package its own `out` folder; generate removes files it does not write"),
            );
        }
        outs.push((normalized(out), out_span));
        let output_names = check_output_names(&p.gen.rust, &|key| locate_value(Some(index), key));
        diags.extend(output_names.into_iter().map(|(_, d)| d));
        packages.push(Package {
            name,
            index,
            schema,
            queries,
            rust: p.gen.rust,
        });
    }
    check_ownership(&packages, &names, (file, text), &locate, &mut diags);
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

/// Line and column of `item` in the list under `key` of the `pkg`-th package (`key: [a, b]` or a
/// block list below the key).
pub fn locate_item(text: &str, pkg: usize, key: &str, item: &str) -> Option<(u32, u32)> {
    let (line, _) = locate_key(text, Some(pkg), key)?;
    let lines: Vec<&str> = text.lines().collect();
    let key_indent = indent(lines[line as usize - 1]);
    for (i, l) in lines.iter().enumerate().skip(line as usize - 1) {
        if i >= line as usize && indent(l) <= key_indent && !l.trim_start().starts_with('-') {
            break;
        }
        let start = if i == line as usize - 1 {
            l.find(':').map(|c| c + 1).unwrap_or(0)
        } else {
            0
        };
        let mut from = start;
        while let Some(off) = l[from..].find(item) {
            let b = from + off;
            let before = l[..b].chars().last();
            let after = l[b + item.len()..].chars().next();
            let word =
                |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            if !word(before) && !word(after) {
                return Some((i as u32 + 1, l[..b].chars().count() as u32 + 1));
            }
            from = b + item.len();
        }
    }
    None
}

/// A `schema` path that is missing or holds no `.sql` file: a warning, not an error, as a project
/// may read only PostgreSQL's own catalogue (and git drops empty folders); a typo still shows as
/// unknown relations in the queries, with this warning above them.
pub(crate) fn no_schema(written: &str, full: &Path, at: Span) -> Diagnostic {
    let (message, label) = if full.exists() {
        (
            format!("`schema` folder `{written}` holds no `.sql` files"),
            "empty folder",
        )
    } else {
        (
            format!("`schema` path `{written}` does not exist"),
            "no such file or folder",
        )
    };
    Diagnostic::warning(Code::NoSchema, message)
        .label(at, label)
        .note("queries are analysed against PostgreSQL's built-in catalogue only")
}

/// Whether a `schema` path names a file or a folder with `.sql` files.
pub(crate) fn schema_present(full: &Path) -> bool {
    full.is_file() || (full.is_dir() && holds_sql(full))
}

/// Whether a folder holds a file a schema or queries path would read.
pub(crate) fn holds_sql(dir: &Path) -> bool {
    crate::syntax::migration::schema_files(dir).map_or(true, |f| !f.is_empty())
}

/// A relative path without `.` components and with `a/..` pairs removed, to compare `out` folders.
pub(crate) fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Names Windows keeps for devices, whatever the extension: a generated `con.rs` could not be
/// checked out there.
pub(crate) const DEVICE_NAMES: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Checks the options that name generated files and modules, each error at the option's value
/// (`value_span`): `output_models_file_name` is one portable file name ending in `.rs` that is not
/// `mod.rs`, `output_files_suffix` can be part of one, `module_path` is a Rust module path. The
/// query modules' own names are checked when the query files are read.
/// Returns each error with the key it is about.
pub(crate) fn check_output_names(
    rust: &RustOptions,
    value_span: &dyn Fn(&str) -> Span,
) -> Vec<(&'static str, Diagnostic)> {
    let mut diags = Vec::new();
    let models = &rust.output_models_file_name;
    let models_problem = file_name_problem(models).or_else(|| {
        let stem = models.strip_suffix(".rs").unwrap_or_default();
        if stem.trim_matches('.').is_empty() {
            Some("the models module is a Rust file: `<name>.rs`".to_string())
        } else if models.eq_ignore_ascii_case("mod.rs") {
            Some("`mod.rs` is the package's root module".to_string())
        } else if DEVICE_NAMES.contains(&stem.to_ascii_lowercase().as_str()) {
            Some(format!("`{stem}` is a device name on Windows"))
        } else {
            None
        }
    });
    if let Some(label) = models_problem {
        diags.push((
            "output_models_file_name",
            Diagnostic::error(
                Code::ConfigOutputName,
                format!(
                    "`output_models_file_name` `{}` cannot name the models file",
                    models.escape_debug()
                ),
            )
            .label(value_span("output_models_file_name"), label)
            .help("a file name in the `out` folder, of ASCII letters, digits, `_`, `-` and `.`, ending in `.rs` (`entities.rs`)"),
        ));
    }
    let suffix = &rust.output_files_suffix;
    if let Some(label) = file_name_problem(suffix).filter(|_| !suffix.is_empty()) {
        diags.push((
            "output_files_suffix",
            Diagnostic::error(
                Code::ConfigOutputName,
                format!(
                    "`output_files_suffix` `{}` cannot be part of a file name",
                    suffix.escape_debug()
                ),
            )
            .label(value_span("output_files_suffix"), label)
            .help("ASCII letters, digits, `_`, `-` and `.`: `_gen` writes `users_gen.rs` for `users.sql`"),
        ));
    }
    if let Some(path) = &rust.module_path {
        if let Some(label) = module_path_problem(path) {
            diags.push((
                "module_path",
                Diagnostic::error(
                    Code::ConfigOutputName,
                    format!("`module_path` `{}` is not a Rust module path", path.escape_debug()),
                )
                .label(value_span("module_path"), label)
                .help("the generated module's path as a `use` in another crate names it: `shared::db`, `crate::db`"),
            ));
        }
    }
    diags
}

/// Why `name` cannot be (part of) a file name in the `out` folder: a path separator, `..`, or a
/// character that is not ASCII letters, digits, `_`, `-` or `.` (NUL, control characters,
/// spaces, characters Windows refuses, letters that file systems normalise differently).
fn file_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("empty".to_string());
    }
    if let Some(c) = name.chars().find(|c| matches!(c, '/' | '\\')) {
        return Some(format!(
            "`{c}` separates folders: this is a path, not a file name"
        ));
    }
    if name.contains("..") {
        return Some("`..` is not allowed: it names a parent folder".to_string());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "`{}` is not allowed in a portable file name",
            c.escape_debug()
        ));
    }
    None
}

/// Why `text` is not the path of a module, as `use` reads one: syn's reading of a path, without
/// generic arguments, `Self`, or `crate`, `self` and `super` past the start.
pub(crate) fn module_path_problem(text: &str) -> Option<String> {
    let Ok(path) = syn::parse_str::<syn::Path>(text) else {
        return Some("expected a path such as `shared::db`".to_string());
    };
    let rooted = path.leading_colon.is_some();
    for (i, segment) in path.segments.iter().enumerate() {
        let name = segment.ident.to_string();
        if !matches!(segment.arguments, syn::PathArguments::None) {
            return Some(format!(
                "`{name}` has generic arguments: a module takes none"
            ));
        }
        let after_self_or_super = path
            .segments
            .iter()
            .take(i)
            .all(|s| s.ident == "self" || s.ident == "super");
        match name.as_str() {
            "Self" => return Some("`Self` is a type, not a module".to_string()),
            "crate" | "self" if i > 0 || rooted => {
                return Some(format!("`{name}` can only start a path"));
            }
            "super" if !after_self_or_super || rooted => {
                return Some(
                    "`super` can only start a path, or follow `self` or `super`".to_string(),
                );
            }
            _ => {}
        }
    }
    None
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
            } else if crate::sqlc_config::GO_ONLY_OPTIONS.contains(&field) {
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

/// Finds the line and column of `key:` at top level (`pkg == None`) or inside the `pkg`-th `sql:` entry.
/// A plain scan is enough: serde_yaml keeps no positions for values that deserialised fine.
pub fn locate_key(text: &str, pkg: Option<usize>, key: &str) -> Option<(u32, u32)> {
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
