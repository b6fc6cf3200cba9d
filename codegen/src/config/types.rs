//! The config as sqlgen reads it, whichever file it came from (`sqlgen.yaml` or a sqlc config):
//! packages with their paths resolved and their Rust options.

use super::locate::{locate_item, locate_key};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Pos, SourceMap, Span};
use serde::Deserialize;
use std::path::PathBuf;

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
