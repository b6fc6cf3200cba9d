//! The config: `sqlgen.yaml` ([`sqlgen_yaml`]) or a sqlc config ([`sqlc`]), each read into the
//! one [`Config`] of [`types`]. The two readers share [`validate`]'s checks and import neither
//! each other nor this module.

pub mod locate;
pub mod sqlc;
pub mod sqlgen_yaml;
pub mod types;
pub mod validate;

pub use locate::{locate_item, locate_key};
pub use sqlgen_yaml::parse;
pub use types::*;
pub(crate) use validate::DEVICE_NAMES;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::SourceMap;
use std::path::{Path, PathBuf};

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
    if sqlc::is_sqlc_config(path) {
        return sqlc::parse(root, file, sources);
    }
    sqlgen_yaml::parse(root, file, sources)
}
