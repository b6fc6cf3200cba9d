//! Checks both config readers (`sqlgen.yaml`, sqlc configs) make of what they read: `out` folders
//! inside the config's folder, output file and module names, schema paths, and sqlc's Go-only
//! options, which sqlgen.yaml refuses and a sqlc config names in a warning.

use super::types::RustOptions;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;
use std::path::{Path, PathBuf};

/// sqlc's Go options without a Rust meaning: ignored with a warning in a sqlc config, and an error
/// with an explanation in `sqlgen.yaml`.
pub const GO_ONLY_OPTIONS: &[&str] = &[
    "package",
    "sql_package",
    "sql_driver",
    "build_tags",
    "emit_interface",
    "emit_db_tags",
    "emit_prepared_queries",
    "emit_exported_queries",
    "emit_empty_slices",
    "emit_result_struct_pointers",
    "emit_params_struct_pointers",
    "emit_methods_with_db_argument",
    "emit_pointers_for_null_types",
    "emit_sql_as_comment",
    "json_tags_id_uppercase",
    "output_batch_file_name",
    "output_db_file_name",
    "output_querier_file_name",
    "output_copyfrom_file_name",
    "initialisms",
    "omit_sqlc_version",
];

/// Whether an `out` folder leaves the config's folder: an absolute path, or `..` that climbs above it.
pub(crate) fn escapes_root(out: &Path) -> bool {
    out.is_absolute()
        || out
            .components()
            .try_fold(0usize, |depth, c| match c {
                std::path::Component::ParentDir => depth.checked_sub(1),
                std::path::Component::Normal(_) => Some(depth + 1),
                _ => Some(depth),
            })
            .is_none()
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
