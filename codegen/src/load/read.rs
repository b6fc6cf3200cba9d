//! Reading a package's files: the only filesystem work of a run. Schema files keep their up
//! sections only; a file that cannot be read, is not a regular file, is too large or is not UTF-8
//! is an error located at the config key that names it.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::display_path;
use crate::source::{FileId, SourceFile, SourceMap};
use crate::{config, source, syntax};
use std::path::{Path, PathBuf};

/// A package's files, read before anything is analysed.
pub(super) struct PackageFiles {
    pub(super) schema_files: Vec<FileId>,
    pub(super) schema_diags: Vec<Diagnostic>,
    /// Every schema and query file the package names, for `cargo:rerun-if-changed`.
    pub(super) inputs: Vec<PathBuf>,
    pub(super) listing_diags: Vec<Diagnostic>,
    pub(super) query_files: Vec<ReadQueryFile>,
}

/// One query file: its text in the source map (`None` when it could not be read) and what reading
/// it reported.
pub(super) struct ReadQueryFile {
    pub(super) path: PathBuf,
    pub(super) id: Option<FileId>,
    pub(super) diags: Vec<Diagnostic>,
}

/// Reads a package's schema and query files into `sources`.
pub(super) fn package_files(
    cfg: &config::Config,
    pkg: &config::Package,
    sources: &mut SourceMap,
) -> PackageFiles {
    let mut schema_diags = Vec::new();
    let (schema_files, inputs) = load_schema(cfg, pkg, sources, &mut schema_diags);
    let mut listing_diags = Vec::new();
    let paths = query_files(cfg, pkg, sources, &mut listing_diags);
    let query_files = paths
        .into_iter()
        .map(|path| {
            let mut diags = Vec::new();
            let id = read_file(cfg, pkg, "queries", &path, sources, &mut diags);
            ReadQueryFile { path, id, diags }
        })
        .collect();
    PackageFiles {
        schema_files,
        schema_diags,
        inputs,
        listing_diags,
        query_files,
    }
}

/// The largest schema or query file read, so that memory stays bounded whatever the input.
const MAX_FILE: u64 = 64 << 20;

/// Reads a query file once per run; an IO error is located at the package's `key` in the config.
fn read_file(
    cfg: &config::Config,
    pkg: &config::Package,
    key: &str,
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    if let Some(id) = sources.find(path) {
        return (!sources.get(id).invalid).then_some(id);
    }
    match read_text(cfg, pkg, key, path, sources) {
        Ok(text) => Some(sources.add(SourceFile::new(
            display_path(&cfg.root, path),
            path.to_path_buf(),
            text,
        ))),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// A file's text. An unreadable file is an error at the config key that names it; a file that is not
/// UTF-8 is an error at the first invalid byte (the file is added to `sources`, lossily, to show it).
fn read_text(
    cfg: &config::Config,
    pkg: &config::Package,
    key: &str,
    path: &Path,
    sources: &mut SourceMap,
) -> Result<String, Diagnostic> {
    let shown = display_path(&cfg.root, path);
    // Reading a FIFO or a device could block or never end: only regular files are read.
    let meta = std::fs::metadata(path);
    if let Ok(meta) = &meta {
        if !meta.is_file() {
            return Err(Diagnostic::error(
                Code::Io,
                format!("cannot read `{shown}`: not a regular file"),
            )
            .label(
                cfg.key_span(sources, pkg.index, key),
                format!("`{shown}` is read for this `{key}` entry"),
            ));
        }
    }
    if let Ok(meta) = &meta {
        if meta.len() > MAX_FILE {
            return Err(Diagnostic::error(
                Code::TooLarge,
                format!(
                    "`{shown}` is {} MiB, more than the {} MiB sqlgen reads",
                    meta.len() >> 20,
                    MAX_FILE >> 20
                ),
            )
            .label(
                cfg.key_span(sources, pkg.index, key),
                format!("`{shown}` is read for this `{key}` entry"),
            ));
        }
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {e}")).label(
            cfg.key_span(sources, pkg.index, key),
            format!("`{shown}` is read for this `{key}` entry"),
        )
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let bad = e.as_bytes()[offset];
            // Keep the valid prefix exact so the position is right, and show the rest lossily.
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let mut file = SourceFile::new(shown.clone(), path.to_path_buf(), text);
            file.invalid = true;
            let id = sources.add(file);
            let pos = sources.get(id).pos(offset);
            let at = source::Span::new(
                id,
                pos,
                source::Pos {
                    line: pos.line,
                    col: pos.col + 1,
                },
            );
            Err(
                Diagnostic::error(Code::NotUtf8, format!("`{shown}` is not valid UTF-8"))
                    .label(
                        at,
                        format!("invalid byte 0x{bad:02X} at byte offset {offset}"),
                    )
                    .help("save the file as UTF-8"),
            )
        }
    }
}

/// Loads a package's schema files (up sections only), returning their ids and paths.
fn load_schema(
    cfg: &config::Config,
    pkg: &config::Package,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<FileId>, Vec<PathBuf>) {
    let mut ids = Vec::new();
    let mut inputs = Vec::new();
    for path in &pkg.schema {
        let files = match syntax::migration::schema_files(path) {
            Ok(f) => f,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        Code::Io,
                        format!(
                            "cannot read schema `{}`: {e}",
                            display_path(&cfg.root, path)
                        ),
                    )
                    .at(cfg.key_span(sources, pkg.index, "schema")),
                );
                continue;
            }
        };
        for f in files {
            inputs.push(f.clone());
            if let Some(id) = sources.find(&f) {
                if !sources.get(id).invalid {
                    ids.push(id);
                }
                continue;
            }
            match read_text(cfg, pkg, "schema", &f, sources) {
                Ok(text) => {
                    let up = syntax::migration::up_sql(&text);
                    ids.push(sources.add(SourceFile::new(
                        display_path(&cfg.root, &f),
                        f.clone(),
                        up,
                    )));
                }
                Err(d) => diags.push(d),
            }
        }
    }
    (ids, inputs)
}

fn query_files(
    cfg: &config::Config,
    pkg: &config::Package,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in &pkg.queries {
        if path.is_file() {
            out.push(path.clone());
            continue;
        }
        match syntax::migration::schema_files(path) {
            Ok(files) => out.extend(files),
            Err(e) => diags.push(
                Diagnostic::error(
                    Code::Io,
                    format!(
                        "cannot read queries `{}`: {e}",
                        display_path(&cfg.root, path)
                    ),
                )
                .at(cfg.key_span(sources, pkg.index, "queries")),
            ),
        }
    }
    out
}
