//! sqlgen: PostgreSQL migrations and annotated queries in, typed Rust modules out.
//!
//! The pipeline is `config -> sources -> catalog -> analyze (ir) -> emit -> write`;
//! only [`load`] and [`write`] touch the filesystem.

// Diagnostics are the cold path and carry their labels inline; boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod analyze;
pub mod build;
pub mod catalog;
pub mod config;
pub mod describe;
pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod rustfmt;
pub mod source;
pub mod syntax;
pub mod write;

use diagnostics::{Code, Diagnostic};
use source::{FileId, SourceFile, SourceMap};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Everything one run read and found: sources, diagnostics, and each package's analysis.
pub struct Project {
    pub config: Option<config::Config>,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub packages: Vec<AnalyzedPackage>,
}

/// One package after analysis.
pub struct AnalyzedPackage {
    pub config: config::Package,
    pub ir: ir::Package,
    /// Query name to the errors that rejected it (also in [`Project::diagnostics`]).
    pub failures: BTreeMap<String, Vec<Diagnostic>>,
    /// Errors in the package's schema.
    pub schema_errors: Vec<Diagnostic>,
    /// Files this package depends on: schema and query files (for `rerun-if-changed`).
    pub inputs: Vec<PathBuf>,
}

/// Files generated for one package, not yet written.
pub struct GeneratedPackage {
    pub name: String,
    pub out_dir: PathBuf,
    pub files: Vec<emit::OutputFile>,
}

impl Project {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn render_diagnostics(&self) -> String {
        diagnostics::render_all(&self.diagnostics, &self.sources)
    }

    /// The diagnostics that concern one package: those in its schema, its query files, the query
    /// files of the packages it takes models from, `sqlgen.yaml`, and unlocated ones.
    pub fn diagnostics_of(&self, name: &str) -> Vec<&Diagnostic> {
        let mut files: Vec<FileId> = self.config.iter().map(|c| c.file).collect();
        let mut names = vec![name.to_string()];
        if let Some(p) = self.package(name) {
            names.extend(p.config.rust.models_from.iter().cloned());
        }
        for n in &names {
            if let Some(p) = self.package(n) {
                files.extend(p.inputs.iter().filter_map(|path| self.sources.find(path)));
            }
        }
        self.diagnostics
            .iter()
            .filter(|d| {
                d.primary
                    .as_ref()
                    .is_none_or(|(span, _)| files.contains(&span.file))
            })
            .collect()
    }

    pub fn package(&self, name: &str) -> Option<&AnalyzedPackage> {
        self.packages.iter().find(|p| p.config.name == name)
    }

    /// Generates the code of the selected packages (all when `only` is `None`).
    /// Nothing is generated when any diagnostic is an error, so nothing half-done reaches disk.
    pub fn generate(&mut self, only: Option<&str>) -> Vec<GeneratedPackage> {
        let mut out = Vec::new();
        let Some(cfg) = &self.config else { return out };
        // Output that errors will discard is still checked (emission finds errors of its own) but
        // neither printed nor formatted: that is most of a large run's time and memory.
        let blocked_before = match only {
            Some(name) => self.diagnostics_of(name).iter().any(|d| d.is_error()),
            None => self.has_errors(),
        };
        for p in &self.packages {
            if only.is_some_and(|o| o != p.config.name) {
                continue;
            }
            let emitted = if blocked_before {
                emit::check(&p.ir, &p.config.rust).map(|()| Vec::new())
            } else {
                emit::emit(&p.ir, &p.config.rust)
            };
            match emitted {
                Ok(mut files) => {
                    let out_dir = cfg.root.join(&p.config.rust.out);
                    if blocked_before {
                        continue;
                    }
                    if let Some(w) = rustfmt::format_files(&mut files, "2021", &out_dir) {
                        self.diagnostics
                            .push(Diagnostic::warning(Code::NoRustfmt, w));
                    }
                    out.push(GeneratedPackage {
                        name: p.config.name.clone(),
                        out_dir,
                        files,
                    })
                }
                Err(errors) => {
                    for e in errors {
                        let mut d = Diagnostic::error(e.code, e.message);
                        if let Some(q) = &e.query {
                            if let Some(span) = query_span(&self.sources, p, q) {
                                d = d.at(span);
                            }
                            d = d.note(format!("in query `{q}` of package `{}`", p.config.name));
                        }
                        self.diagnostics.push(d);
                    }
                }
            }
        }
        let blocked = match only {
            Some(name) => self.diagnostics_of(name).iter().any(|d| d.is_error()),
            None => self.has_errors(),
        };
        if blocked {
            out.clear();
        }
        out
    }
}

fn query_span(sources: &SourceMap, p: &AnalyzedPackage, query: &str) -> Option<source::Span> {
    p.ir.files.iter().find_map(|f| {
        let q = f.queries.iter().find(|q| q.name == query)?;
        let path = p
            .inputs
            .iter()
            .find(|i| i.to_string_lossy().ends_with(&f.path))?;
        let id = sources.find(path)?;
        let width = sources.get(id).line(q.line).chars().count() as u32;
        Some(source::Span::new(
            id,
            source::Pos {
                line: q.line,
                col: 1,
            },
            source::Pos {
                line: q.line,
                col: width + 1,
            },
        ))
    })
}

/// Stack for analysis: it recurses once per level of expression nesting, with frames that are large
/// in unoptimised builds (build scripts and tests run those), about 20 KiB a level. `syntax::parse`
/// rejects nesting past [`syntax::parse::MAX_DEPTH`]; this holds that depth three times over. Only
/// touched pages are ever committed.
const ANALYSIS_STACK: usize = 64 << 20;

/// Runs `f` on a thread with [`ANALYSIS_STACK`], so that deep input ends in a diagnostic or a result
/// whatever stack the caller has (a 2 MiB test thread, a build script). A panic is passed on; when no
/// thread can be started, `f` runs here.
pub fn with_analysis_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let mut slot = Some(f);
    let ran = std::thread::scope(|scope| {
        let slot = &mut slot;
        std::thread::Builder::new()
            .name("sqlgen-analysis".into())
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(scope, move || slot.take().map(|f| f()))
            .ok()
            .map(|handle| handle.join())
    });
    match ran {
        Some(Ok(Some(out))) => out,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        _ => match slot.take() {
            Some(f) => f(),
            None => unreachable!("the analysis thread took the work and returned"),
        },
    }
}

/// Loads `sqlgen.yaml` and everything it names, and analyses every package.
pub fn load(config_path: &Path) -> Project {
    with_analysis_stack(|| load_here(config_path))
}

fn load_here(config_path: &Path) -> Project {
    let mut sources = SourceMap::default();
    let cfg = match config::load(config_path, &mut sources) {
        Ok(c) => c,
        Err(diagnostics) => {
            return Project {
                config: None,
                sources,
                diagnostics,
                packages: Vec::new(),
            }
        }
    };
    let mut diags = cfg.warnings.clone();
    let mut catalogs: Vec<(Vec<PathBuf>, catalog::Catalog, Vec<Diagnostic>)> = Vec::new();
    let mut packages = Vec::new();
    for pkg in &cfg.packages {
        let (schema_files, mut inputs) = load_schema(&cfg, pkg, &mut sources, &mut diags);
        let key = pkg.schema.clone();
        let idx = match catalogs.iter().position(|(k, _, _)| *k == key) {
            Some(i) => i,
            None => {
                let mut cd = Vec::new();
                let cat = catalog::build(&schema_files, &sources, &mut cd);
                diags.extend(cd.iter().cloned());
                catalogs.push((key, cat, cd));
                catalogs.len() - 1
            }
        };
        let (_, cat, schema_diags) = &catalogs[idx];
        let schema_errors: Vec<Diagnostic> = schema_diags
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        let mut files = Vec::new();
        let mut failures = BTreeMap::new();
        let mut seen: BTreeMap<String, source::Span> = BTreeMap::new();
        let mut over_limit = false;
        for path in query_files(&cfg, pkg, &sources, &mut diags) {
            inputs.push(path.clone());
            if over_limit {
                continue;
            }
            let Some(id) = read_file(&cfg, pkg, "queries", &path, &mut sources, &mut diags) else {
                continue;
            };
            let src = sources.get(id);
            let mut qd = Vec::new();
            // One more than the limit allows, to report it.
            let raws =
                syntax::query_file::read_at_most(id, src, &mut qd, MAX_QUERIES + 1 - seen.len());
            if raws.is_empty() && qd.is_empty() {
                qd.push(
                    Diagnostic::warning(
                        Code::EmptyQueryFile,
                        format!("query file `{}` holds no queries", src.display),
                    )
                    .at(source::Span::point(id, 1, 1))
                    .help("add a query under `-- name: QueryName :many`, or delete the file"),
                );
            }
            diags.append(&mut qd);
            let mut queries = Vec::new();
            for raw in &raws {
                if seen.len() == MAX_QUERIES {
                    diags.push(
                        Diagnostic::error(
                            Code::TooLarge,
                            format!("package `{}` has more than {MAX_QUERIES} queries", pkg.name),
                        )
                        .label(raw.annotation, "this query and the rest are not analysed")
                        .help("split the queries into several packages"),
                    );
                    over_limit = true;
                    break;
                }
                if let Some(prev) = seen.get(&raw.name) {
                    diags.push(
                        Diagnostic::error(
                            Code::DuplicateQuery,
                            format!(
                                "query name `{}` is used twice in package `{}`",
                                raw.name, pkg.name
                            ),
                        )
                        .at(raw.annotation)
                        .secondary(*prev, "first used here"),
                    );
                    continue;
                }
                seen.insert(raw.name.clone(), raw.annotation);
                match analyze::analyze(cat, src, raw) {
                    Ok(q) => queries.push(q),
                    Err(ds) => {
                        failures.insert(
                            raw.name.clone(),
                            ds.iter().filter(|d| d.is_error()).cloned().collect(),
                        );
                        diags.extend(ds);
                    }
                }
            }
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            files.push(ir::QueryFile {
                stem: emit::names::field(&stem),
                path: display_path(&cfg.root, &path),
                queries,
            });
        }
        let (models, enums, composites, domains) =
            select_models(cat, &files, pkg.rust.omit_unused_structs);
        let ir = ir::Package {
            name: pkg.name.clone(),
            files,
            models,
            enums,
            composites,
            domains,
            imported: Vec::new(),
        };
        packages.push(AnalyzedPackage {
            config: pkg.clone(),
            ir,
            failures,
            schema_errors,
            inputs,
        });
    }
    share_models(&mut packages);
    Project {
        config: Some(cfg),
        sources,
        diagnostics: diags,
        packages,
    }
}

fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy()
        .replace('\\', "/")
        .trim_start_matches("./")
        .to_string()
}

/// The largest schema or query file read, so that memory stays bounded whatever the input.
const MAX_FILE: u64 = 64 << 20;

/// The most queries one package may hold: its generated code grows with them (about 1.5 KB of Rust
/// and 60 KB of generator memory a query), so this bounds a run. Real packages hold hundreds.
pub const MAX_QUERIES: usize = 10_000;

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
    if let Ok(meta) = std::fs::metadata(path) {
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
    if let Ok(meta) = std::fs::metadata(path) {
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

/// The models a package emits: tables used as whole rows (or all with `omit_unused_structs: false`),
/// and the enums any of its types mention.
fn select_models(
    cat: &catalog::Catalog,
    files: &[ir::QueryFile],
    omit_unused: bool,
) -> (
    Vec<ir::Model>,
    Vec<ir::Enum>,
    Vec<ir::Composite>,
    Vec<ir::Domain>,
) {
    let queries = || files.iter().flat_map(|f| f.queries.iter());
    let tables: Vec<&catalog::Table> = cat
        .tables
        .iter()
        .filter(|t| t.kind.has_model())
        .filter(|t| {
            !omit_unused
                || queries().any(|q| {
                    q.row_model.as_ref() == Some(&t.name)
                        || q.columns
                            .iter()
                            .any(|c| c.embed.as_ref().is_some_and(|e| e.table == t.name))
                })
        })
        .collect();
    // User types mentioned anywhere, following composites into their fields.
    let mut used: Vec<ir::QualName> = Vec::new();
    let mut pending: Vec<ir::PgType> = Vec::new();
    for q in queries() {
        pending.extend(q.params.iter().map(|p| p.ty.clone()));
        pending.extend(q.columns.iter().map(|c| c.ty.clone()));
    }
    for t in &tables {
        pending.extend(t.columns.iter().map(|c| c.ty.clone()));
    }
    while let Some(ty) = pending.pop() {
        let mut t = &ty;
        while let ir::PgType::Array(inner) = t {
            t = inner;
        }
        if let ir::PgType::Enum(q) | ir::PgType::Composite(q) = t {
            if !used.contains(q) {
                used.push(q.clone());
                if let Some(c) = cat.composites.iter().find(|c| &c.name == q) {
                    pending.extend(c.fields.iter().map(|f| f.1.clone()));
                }
            }
        }
    }
    let used_enums = &used;
    let enums = cat
        .enums
        .iter()
        .filter(|e| !omit_unused || used_enums.contains(&e.name))
        .map(|e| ir::Enum {
            name: e.name.clone(),
            values: e.values.clone(),
            comment: e.comment.clone(),
        })
        .collect();
    let models: Vec<ir::Model> = tables
        .into_iter()
        .map(|t| ir::Model {
            table: t.name.clone(),
            is_view: t.kind != catalog::RelKind::Table,
            comment: t.comment.clone(),
            fields: t
                .columns
                .iter()
                .map(|c| ir::Field {
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    nullable: !c.not_null,
                    comment: c.comment.clone(),
                    domain: c.domain.clone(),
                })
                .collect(),
        })
        .collect();
    let composites = cat
        .composites
        .iter()
        .filter(|c| !omit_unused || used.contains(&c.name))
        .map(|c| ir::Composite {
            name: c.name.clone(),
            comment: c.comment.clone(),
            fields: c
                .fields
                .iter()
                .map(|(n, t)| ir::Field {
                    name: n.clone(),
                    ty: t.clone(),
                    nullable: true,
                    comment: None,
                    domain: None,
                })
                .collect(),
        })
        .collect();
    let mut used_domains: Vec<&ir::QualName> = Vec::new();
    for q in queries() {
        used_domains.extend(q.params.iter().filter_map(|p| p.domain.as_ref()));
        used_domains.extend(q.columns.iter().filter_map(|c| c.domain.as_ref()));
    }
    for m in &models {
        used_domains.extend(m.fields.iter().filter_map(|f| f.domain.as_ref()));
    }
    let domains = cat
        .domains
        .iter()
        .filter(|d| !omit_unused || used_domains.contains(&&d.name))
        .map(|d| ir::Domain {
            name: d.name.clone(),
            base: d.base.clone(),
        })
        .collect();
    (models, enums, composites, domains)
}

/// Replaces models and enums that a `models_from` package already generates by imports of its types.
fn share_models(packages: &mut [AnalyzedPackage]) {
    for i in 0..packages.len() {
        let from = packages[i].config.rust.models_from.clone();
        for other in from {
            let Some(j) = packages.iter().position(|p| p.config.name == other) else {
                continue;
            };
            let Some(path) = packages[j].config.rust.module_path.clone() else {
                continue;
            };
            let their_models: Vec<ir::QualName> = packages[j]
                .ir
                .models
                .iter()
                .map(|m| m.table.clone())
                .collect();
            let their_enums: Vec<ir::QualName> = packages[j]
                .ir
                .enums
                .iter()
                .map(|e| e.name.clone())
                .collect();
            let their_composites: Vec<ir::QualName> = packages[j]
                .ir
                .composites
                .iter()
                .map(|c| c.name.clone())
                .collect();
            let ir = &mut packages[i].ir;
            let mut imported = Vec::new();
            ir.models.retain(|m| {
                let shared = their_models.contains(&m.table);
                if shared {
                    imported.push(ir::Import {
                        rust_name: emit::names::model_name(
                            m.table.schema.as_deref(),
                            &m.table.name,
                        ),
                        module_path: path.clone(),
                    });
                }
                !shared
            });
            ir.enums.retain(|e| {
                let shared = their_enums.contains(&e.name);
                if shared {
                    imported.push(ir::Import {
                        rust_name: emit::names::enum_name(&e.name),
                        module_path: path.clone(),
                    });
                }
                !shared
            });
            ir.composites.retain(|c| {
                let shared = their_composites.contains(&c.name);
                if shared {
                    imported.push(ir::Import {
                        rust_name: emit::names::enum_name(&c.name),
                        module_path: path.clone(),
                    });
                }
                !shared
            });
            ir.imported.extend(imported);
        }
    }
}

/// Analyses queries against a schema given as text, without files: the entry point of analysis tests.
/// Returns the analysed queries, or every diagnostic rendered.
pub fn analyze_text(schema: &str, queries: &str) -> Result<Vec<ir::Query>, String> {
    with_analysis_stack(|| analyze_text_here(schema, queries))
}

fn analyze_text_here(schema: &str, queries: &str) -> Result<Vec<ir::Query>, String> {
    let mut sources = SourceMap::default();
    let schema_id = sources.add(SourceFile::new(
        "schema.sql".into(),
        "schema.sql".into(),
        syntax::migration::up_sql(schema),
    ));
    let query_id = sources.add(SourceFile::new(
        "query.sql".into(),
        "query.sql".into(),
        queries.to_string(),
    ));
    let mut diags = Vec::new();
    let cat = catalog::build(&[schema_id], &sources, &mut diags);
    let raws = syntax::query_file::read(query_id, sources.get(query_id), &mut diags);
    let mut out = Vec::new();
    for raw in &raws {
        match analyze::analyze(&cat, sources.get(query_id), raw) {
            Ok(q) => out.push(q),
            Err(ds) => diags.extend(ds),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        Err(diagnostics::render_all(&diags, &sources))
    } else {
        Ok(out)
    }
}

/// The analysis tests' view of a query file: [`compact`] lines, or every diagnostic rendered.
pub fn analysis_text(schema: &str, queries: &str) -> String {
    match analyze_text(schema, queries) {
        Ok(qs) => compact(&qs),
        Err(rendered) => rendered,
    }
}

/// One line per query: `GetUser(:one) $1 id: uuid! -> id uuid!, email text?` (`!` non-null, `?` nullable).
pub fn compact(queries: &[ir::Query]) -> String {
    let mut out = String::new();
    for q in queries {
        let params: Vec<String> = q
            .params
            .iter()
            .map(|p| {
                format!(
                    "${} {}: {}{}",
                    p.number,
                    p.name,
                    p.ty,
                    if p.nullable { "?" } else { "!" }
                )
            })
            .collect();
        let cols: Vec<String> = q
            .columns
            .iter()
            .map(|c| format!("{} {}{}", c.name, c.ty, if c.nullable { "?" } else { "!" }))
            .collect();
        out.push_str(&format!("{}({})", q.name, q.command.annotation()));
        if !params.is_empty() {
            out.push(' ');
            out.push_str(&params.join(", "));
        }
        if !cols.is_empty() {
            out.push_str(" -> ");
            out.push_str(&cols.join(", "));
        }
        if let Some(m) = &q.row_model {
            out.push_str(&format!(" [{m}]"));
        }
        out.push('\n');
    }
    out
}
