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
#[cfg(feature = "cli")]
pub mod describe;
pub mod diagnostics;
pub mod emit;
#[cfg(feature = "cli")]
pub mod init;
pub mod ir;
pub mod parallel;
#[cfg(feature = "cli")]
pub mod rustfmt;
#[cfg(feature = "cli")]
pub mod scaffold;
pub mod source;
pub mod sqlc_config;
pub mod syntax;
pub mod timings;
pub mod write;

use diagnostics::{Code, Diagnostic};
use source::{FileId, SourceFile, SourceMap};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Everything one run read and found: sources, diagnostics, and each package's analysis.
pub struct Project {
    pub config: Option<config::Config>,
    /// One catalogue per distinct schema list; [`AnalyzedPackage::catalog`] indexes it.
    pub catalogs: Vec<catalog::Catalog>,
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
    /// Index of the package's schema in [`Project::catalogs`].
    pub catalog: usize,
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
            names.extend(p.config.rust.uses.iter().cloned());
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

    /// The catalogue a package's queries were analysed against.
    pub fn catalog_of(&self, name: &str) -> Option<&catalog::Catalog> {
        self.catalogs.get(self.package(name)?.catalog)
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
        // Packages are emitted in parallel (emission is pure); results are taken in order.
        let selected: Vec<&AnalyzedPackage> = self
            .packages
            .iter()
            .filter(|p| only.is_none_or(|o| o == p.config.name))
            .collect();
        let emitted_all = parallel::map(&selected, 1, |p| {
            if blocked_before {
                emit::check(&p.ir, &p.config.rust).map(|()| Vec::new())
            } else {
                emit::emit(&p.ir, &p.config.rust)
            }
        });
        for (p, emitted) in selected.into_iter().zip(emitted_all) {
            match emitted {
                Ok(mut files) => {
                    let config_name = self.sources.get(cfg.file).path.file_name();
                    if let Some(name) = config_name.and_then(|n| n.to_str()) {
                        emit::name_config_in_banner(&mut files, name);
                    }
                    let out_dir = cfg.root.join(&p.config.rust.out);
                    if blocked_before {
                        continue;
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
pub(crate) const ANALYSIS_STACK: usize = 64 << 20;

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
    let mut phases = timings::Phases::default();
    if timings::enabled() {
        // Its one-time parse, not counted in whichever phase first needs it.
        phases.time("pg_catalog", || {
            std::sync::LazyLock::force(&analyze::pg_catalog::CATALOG);
        });
    }
    let mut sources = SourceMap::default();
    let loaded = phases.time("config", || config::load(config_path, &mut sources));
    let cfg = match loaded {
        Ok(c) => c,
        Err(diagnostics) => {
            phases.print();
            return Project {
                config: None,
                catalogs: Vec::new(),
                sources,
                diagnostics,
                packages: Vec::new(),
            };
        }
    };
    let mut diags = cfg.warnings.clone();
    // Every file is read first (the only filesystem work), so that the catalogues and the
    // splitting of query files into queries can run at the same time, on every core.
    let read: Vec<PackageFiles> = phases.time("read", || {
        cfg.packages
            .iter()
            .map(|pkg| read_package_files(&cfg, pkg, &mut sources))
            .collect()
    });
    // One catalogue per distinct schema, in order of first use, built from the schema files of the
    // first package that uses it.
    let mut first_user: Vec<usize> = Vec::new();
    let mut catalog_of: Vec<usize> = Vec::new();
    for (pi, pkg) in cfg.packages.iter().enumerate() {
        let known = first_user
            .iter()
            .position(|&p| cfg.packages[p].schema == pkg.schema);
        catalog_of.push(known.unwrap_or_else(|| {
            first_user.push(pi);
            first_user.len() - 1
        }));
    }
    let (built, splits) = {
        let sources = &sources;
        let read = &read;
        let first_user = &first_user;
        let build_catalogs = move || {
            let start = std::time::Instant::now();
            let built: Vec<(catalog::Catalog, Vec<Diagnostic>)> = first_user
                .iter()
                .map(|&p| {
                    let mut cd = Vec::new();
                    let cat = catalog::build(&read[p].schema_files, sources, &mut cd);
                    (cat, cd)
                })
                .collect();
            (built, start.elapsed())
        };
        let start = std::time::Instant::now();
        let (built, splits) = std::thread::scope(|scope| {
            let handle = std::thread::Builder::new()
                .name("sqlgen-catalog".into())
                .stack_size(ANALYSIS_STACK)
                .spawn_scoped(scope, build_catalogs)
                .ok();
            let splits = split_query_files(read, sources);
            let built = match handle {
                Some(h) => match h.join() {
                    Ok(b) => b,
                    Err(panic) => std::panic::resume_unwind(panic),
                },
                None => build_catalogs(),
            };
            (built, splits)
        });
        phases.add("catalog", built.1);
        phases.add("catalog+queries", start.elapsed());
        (built.0, splits)
    };
    let mut catalogs: Vec<(catalog::Catalog, Vec<Diagnostic>)> = Vec::new();
    let mut built = built.into_iter();
    let mut splits = splits.into_iter();
    let mut packages = Vec::new();
    for (pi, (pkg, files)) in cfg.packages.iter().zip(read).enumerate() {
        let PackageFiles {
            schema_diags,
            mut inputs,
            query_files: read_files,
            listing_diags,
            ..
        } = files;
        diags.extend(schema_diags);
        let idx = catalog_of[pi];
        if idx == catalogs.len() {
            let Some((cat, cd)) = built.next() else {
                unreachable!("one catalogue per distinct schema")
            };
            diags.extend(cd.iter().cloned());
            catalogs.push((cat, cd));
        }
        let (cat, schema_diags) = &catalogs[idx];
        let schema_errors: Vec<Diagnostic> = schema_diags
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        let start = std::time::Instant::now();
        let file_splits: Vec<_> = read_files
            .iter()
            .map(|f| f.id.and_then(|_| splits.next()))
            .collect();
        let (steps, raws) = merge_queries(
            pkg,
            &sources,
            listing_diags,
            read_files,
            file_splits,
            &mut inputs,
        );
        phases.add("queries", start.elapsed());
        let start = std::time::Instant::now();
        let analysed = analyze_all(cat, &sources, &raws);
        phases.add("analysis", start.elapsed());
        // Merged in input order, so diagnostics come out as if each query were analysed in turn.
        let mut files = Vec::new();
        let mut failures = BTreeMap::new();
        let mut queries = Vec::new();
        let mut analysed = raws.iter().zip(analysed);
        let mut modules: Vec<(String, PathBuf)> = Vec::new();
        for step in steps {
            match step {
                QueryStep::Report(mut ds) => diags.append(&mut ds),
                QueryStep::Analyse => {
                    let Some((raw, result)) = analysed.next() else {
                        unreachable!("one analysis per query to analyse")
                    };
                    match result {
                        Ok((q, warnings)) => {
                            queries.push(q);
                            diags.extend(warnings);
                        }
                        Err(ds) => {
                            failures.insert(
                                raw.name.clone(),
                                ds.iter().filter(|d| d.is_error()).cloned().collect(),
                            );
                            diags.extend(ds);
                        }
                    }
                }
                QueryStep::FileEnd(path) => {
                    let module = query_module(&cfg, pkg, &sources, &path, &mut modules, &mut diags);
                    files.push(ir::QueryFile {
                        module,
                        path: display_path(&cfg.root, &path),
                        queries: std::mem::take(&mut queries),
                    });
                }
            }
        }
        let start = std::time::Instant::now();
        let owned = resolve_owned(&cfg, pkg, cat, &sources, &mut diags);
        // With ownership in use, a table owned by another package is never generated here, and
        // the types its columns use are that package's business too.
        let foreign = |t: &ir::QualName| {
            cfg.uses_ownership() && cfg.owner_of(t).is_some_and(|o| o.name != pkg.name)
        };
        let (models, enums, composites, domains) =
            select_models(cat, &files, pkg.rust.omit_unused_structs, &owned, &foreign);
        let ir = ir::Package {
            name: pkg.name.clone(),
            files,
            models,
            enums,
            composites,
            domains,
            imported: Vec::new(),
            overrides: resolve_overrides(&cfg, pkg, cat, &sources, &mut diags),
        };
        phases.add("models", start.elapsed());
        packages.push(AnalyzedPackage {
            config: pkg.clone(),
            ir,
            failures,
            schema_errors,
            inputs,
            catalog: idx,
        });
    }
    phases.time("ownership", || {
        assign_owners(&cfg, &mut packages, &sources, &mut diags)
    });
    phases.print();
    Project {
        config: Some(cfg),
        catalogs: catalogs.into_iter().map(|(c, _)| c).collect(),
        sources,
        diagnostics: diags,
        packages,
    }
}

/// The module of a query file (`emit::names::query_module`); a name that gives none, or a module
/// an earlier file of the package (`modules`) has, is an error located at the file, as nothing
/// else in the package is written there: two query files never share a module or a file.
fn query_module(
    cfg: &config::Config,
    pkg: &config::Package,
    sources: &SourceMap,
    path: &Path,
    modules: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) -> String {
    let shown = display_path(&cfg.root, path);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let at = |p: &Path| sources.find(p).map(|id| source::Span::point(id, 1, 1));
    let error = |message: String| {
        let d = Diagnostic::error(Code::QueryFileName, message);
        match at(path) {
            Some(span) => d.label(
                span,
                format!("`{file_name}` names the module of these queries"),
            ),
            None => d.at(cfg.key_span(sources, pkg.index, "queries")),
        }
    };
    let module = match emit::names::query_module(&stem, &pkg.rust) {
        Ok(m) => m,
        Err(problem) => {
            let d = match problem {
                emit::names::ModuleNameProblem::NotAscii(c) => error(format!(
                    "query file name `{shown}` is not ASCII: `{c}` cannot be in its module's name"
                ))
                .note("Rust loads a module with a non-ASCII name only through `#[path]`, and file systems store such names in different Unicode forms"),
                emit::names::ModuleNameProblem::Empty => error(format!(
                    "query file name `{shown}` has no letter or digit to name its module"
                )),
            };
            diags.push(d.help(
                "rename the file with ASCII letters, digits, `_` and `-`: its name, in snake case, is the module's and the generated file's",
            ));
            return emit::names::field(&stem);
        }
    };
    match modules.iter().find(|(m, _)| *m == module) {
        Some((_, first)) if first == path => diags.push(
            Diagnostic::error(
                Code::QueryFileName,
                format!(
                    "query file `{shown}` is read twice in package `{}`",
                    pkg.name
                ),
            )
            .label(
                cfg.key_span(sources, pkg.index, "queries"),
                "named more than once here",
            )
            .help("list each file or folder once in `queries`"),
        ),
        Some((_, first)) => {
            let first_shown = display_path(&cfg.root, first);
            let file = format!("{module}{}.rs", pkg.rust.output_files_suffix);
            let mut d = error(format!(
                "query files `{first_shown}` and `{shown}` would both be module `{module}` (`{file}`)"
            ));
            if let Some(span) = at(first) {
                d = d.secondary(
                    span,
                    format!("`{first_shown}` is module `{module}` already"),
                );
            }
            diags.push(d.help(
                "rename one of them: file names that differ only in case or punctuation make one module, and one file on case-insensitive file systems",
            ));
        }
        None => {}
    }
    modules.push((module.clone(), path.to_path_buf()));
    module
}

/// What reading a package's query files found, in file order: diagnostics to report, queries to
/// analyse (one per [`QueryStep::Analyse`], in the order of the queries returned with the steps),
/// and the end of each query file that was read.
enum QueryStep {
    Report(Vec<Diagnostic>),
    Analyse,
    FileEnd(PathBuf),
}

/// A package's files, read before anything is analysed.
struct PackageFiles {
    schema_files: Vec<FileId>,
    schema_diags: Vec<Diagnostic>,
    /// Every schema and query file the package names, for `cargo:rerun-if-changed`.
    inputs: Vec<PathBuf>,
    listing_diags: Vec<Diagnostic>,
    query_files: Vec<ReadQueryFile>,
}

/// One query file: its text in the source map (`None` when it could not be read) and what reading
/// it reported.
struct ReadQueryFile {
    path: PathBuf,
    id: Option<FileId>,
    diags: Vec<Diagnostic>,
}

/// Reads a package's schema and query files into `sources`.
fn read_package_files(
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

/// The fewest query files a splitting worker gets.
const SPLIT_SHARE: usize = 16;

/// Splits every read query file of every package into queries, on every core; one result per
/// file with an id, in package and file order.
fn split_query_files(
    read: &[PackageFiles],
    sources: &SourceMap,
) -> Vec<(Vec<syntax::query_file::RawQuery>, Vec<Diagnostic>)> {
    let ids: Vec<FileId> = read
        .iter()
        .flat_map(|p| p.query_files.iter().filter_map(|f| f.id))
        .collect();
    parallel::map(&ids, SPLIT_SHARE, |&id| {
        let mut diags = Vec::new();
        // One more than the limit allows, to report it.
        let raws =
            syntax::query_file::read_at_most(id, sources.get(id), &mut diags, MAX_QUERIES + 1);
        (raws, diags)
    })
}

/// Turns a package's split query files into analysis steps, rejecting duplicate names and queries
/// past [`MAX_QUERIES`]; returns the steps in order and the queries to analyse. Files after the
/// limit report nothing.
fn merge_queries(
    pkg: &config::Package,
    sources: &SourceMap,
    listing_diags: Vec<Diagnostic>,
    files: Vec<ReadQueryFile>,
    splits: Vec<Option<(Vec<syntax::query_file::RawQuery>, Vec<Diagnostic>)>>,
    inputs: &mut Vec<PathBuf>,
) -> (Vec<QueryStep>, Vec<syntax::query_file::RawQuery>) {
    let mut steps = vec![QueryStep::Report(listing_diags)];
    let mut accepted = Vec::new();
    let mut seen: BTreeMap<String, source::Span> = BTreeMap::new();
    let mut over_limit = false;
    for (file, split) in files.into_iter().zip(splits) {
        inputs.push(file.path.clone());
        if over_limit {
            continue;
        }
        let mut diags = file.diags;
        let (Some(id), Some((raws, split_diags))) = (file.id, split) else {
            steps.push(QueryStep::Report(diags));
            continue;
        };
        diags.extend(split_diags);
        if raws.is_empty() && diags.is_empty() {
            let src = sources.get(id);
            diags.push(
                Diagnostic::warning(
                    Code::EmptyQueryFile,
                    format!("query file `{}` holds no queries", src.display),
                )
                .at(source::Span::point(id, 1, 1))
                .help("add a query under `-- name: QueryName :many`, or delete the file"),
            );
        }
        steps.push(QueryStep::Report(diags));
        for raw in raws {
            if seen.len() == MAX_QUERIES {
                steps.push(QueryStep::Report(vec![Diagnostic::error(
                    Code::TooLarge,
                    format!("package `{}` has more than {MAX_QUERIES} queries", pkg.name),
                )
                .label(raw.annotation, "this query and the rest are not analysed")
                .help("split the queries into several packages")]));
                over_limit = true;
                break;
            }
            if let Some(prev) = seen.get(&raw.name) {
                steps.push(QueryStep::Report(vec![Diagnostic::error(
                    Code::DuplicateQuery,
                    format!(
                        "query name `{}` is used twice in package `{}`",
                        raw.name, pkg.name
                    ),
                )
                .at(raw.annotation)
                .secondary(*prev, "first used here")]));
                continue;
            }
            seen.insert(raw.name.clone(), raw.annotation);
            steps.push(QueryStep::Analyse);
            accepted.push(raw);
        }
        steps.push(QueryStep::FileEnd(file.path));
    }
    (steps, accepted)
}

type Analysed = Result<(ir::Query, Vec<Diagnostic>), Vec<Diagnostic>>;

/// The fewest queries an analysis worker gets: a query takes tens of microseconds, and KongFlow's
/// packages of 10 to 27 queries analyse faster on one thread.
const PARALLEL_SHARE: usize = 64;

/// Analyses queries on every available core, returning their results in input order.
fn analyze_all(
    cat: &catalog::Catalog,
    sources: &SourceMap,
    raws: &[syntax::query_file::RawQuery],
) -> Vec<Analysed> {
    parallel::map(raws, PARALLEL_SHARE, |raw| {
        analyze::analyze(cat, sources.get(raw.file), raw)
    })
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

/// The models a package emits: tables used as whole rows (or all with `omit_unused_structs: false`),
/// and the enums any of its types mention.
fn select_models(
    cat: &catalog::Catalog,
    files: &[ir::QueryFile],
    omit_unused: bool,
    owned: &[ir::QualName],
    foreign: &dyn Fn(&ir::QualName) -> bool,
) -> (
    Vec<ir::Model>,
    Vec<ir::Enum>,
    Vec<ir::Composite>,
    Vec<ir::Domain>,
) {
    let queries = || files.iter().flat_map(|f| f.queries.iter());
    // Tables some query returns as a whole row or embeds.
    let rows: BTreeSet<&ir::QualName> = queries()
        .flat_map(|q| {
            q.row_model.iter().chain(
                q.columns
                    .iter()
                    .filter_map(|c| c.embed.as_ref().map(|e| &e.table)),
            )
        })
        .collect();
    let tables: Vec<&catalog::Table> = cat
        .tables
        .iter()
        .filter(|t| t.kind.has_model())
        .filter(|t| !foreign(&t.name))
        .filter(|t| !omit_unused || owned.contains(&t.name) || rows.contains(&t.name))
        .collect();
    // User types mentioned anywhere, following composites into their fields.
    let mut used: BTreeSet<ir::QualName> = BTreeSet::new();
    let owned_types: Vec<ir::PgType> = owned
        .iter()
        .filter_map(|name| {
            if cat.enum_type(name).is_some() {
                Some(ir::PgType::Enum(name.clone()))
            } else if cat.composites.iter().any(|c| &c.name == name) {
                Some(ir::PgType::Composite(name.clone()))
            } else {
                None
            }
        })
        .collect();
    let mut pending: Vec<&ir::PgType> = owned_types.iter().collect();
    // A row that is another package's model, or a column inside one, is typed there.
    fn local_columns<'q>(
        q: &'q ir::Query,
        foreign: &dyn Fn(&ir::QualName) -> bool,
    ) -> Vec<&'q ir::Column> {
        if q.row_model.as_ref().is_some_and(foreign) {
            return Vec::new();
        }
        q.columns
            .iter()
            .filter(|c| !c.embed.as_ref().is_some_and(|e| foreign(&e.table)))
            .collect()
    }
    for q in queries() {
        pending.extend(q.params.iter().map(|p| &p.ty));
        pending.extend(local_columns(q, foreign).into_iter().map(|c| &c.ty));
    }
    for t in &tables {
        pending.extend(t.columns.iter().map(|c| &c.ty));
    }
    while let Some(mut t) = pending.pop() {
        while let ir::PgType::Array(inner) = t {
            t = inner;
        }
        if let ir::PgType::Enum(q) | ir::PgType::Composite(q) = t {
            if !used.contains(q) {
                used.insert(q.clone());
                if let Some(c) = cat.composites.iter().find(|c| &c.name == q) {
                    pending.extend(c.fields.iter().map(|f| &f.1));
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
    let mut used_domains: BTreeSet<&ir::QualName> = owned.iter().collect();
    for q in queries() {
        used_domains.extend(q.params.iter().filter_map(|p| p.domain.as_ref()));
        used_domains.extend(
            local_columns(q, foreign)
                .into_iter()
                .filter_map(|c| c.domain.as_ref()),
        );
    }
    for m in &models {
        used_domains.extend(m.fields.iter().filter_map(|f| f.domain.as_ref()));
    }
    let domains = cat
        .domains
        .iter()
        .filter(|d| !omit_unused || used_domains.contains(&d.name))
        .map(|d| ir::Domain {
            name: d.name.clone(),
            base: d.base.clone(),
        })
        .collect();
    (models, enums, composites, domains)
}

/// The catalogue names of a package's `owns` list; a name the schema does not define is an error.
fn resolve_owned(
    cfg: &config::Config,
    pkg: &config::Package,
    cat: &catalog::Catalog,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ir::QualName> {
    let mut out = Vec::new();
    for written in &pkg.rust.owns {
        let name = config::owned_name(written);
        let known = cat.table(&name).is_some_and(|t| t.kind.has_model())
            || cat.enum_type(&name).is_some()
            || cat.composites.iter().any(|c| c.name == name)
            || cat.domains.iter().any(|d| d.name == name);
        if known {
            out.push(name);
            continue;
        }
        let span = cfg.item_span(sources, pkg.index, "owns", written);
        let candidates: Vec<String> = cat
            .tables
            .iter()
            .filter(|t| t.kind.has_model())
            .map(|t| t.name.to_string())
            .chain(cat.enums.iter().map(|e| e.name.to_string()))
            .chain(cat.composites.iter().map(|c| c.name.to_string()))
            .chain(cat.domains.iter().map(|d| d.name.to_string()))
            .collect();
        let mut d = Diagnostic::error(
            diagnostics::Code::Ownership,
            format!(
                "package `{}` owns `{written}`, which the schema does not define",
                pkg.name
            ),
        )
        .label(span, "no table, view or type of this name");
        if let Some(s) = diagnostics::did_you_mean(written, candidates.iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
    out
}

/// The package's `overrides` against its schema: every spelling of a type is one key; a type, domain
/// or column the schema does not have is an error located in the config.
fn resolve_overrides(
    cfg: &config::Config,
    pkg: &config::Package,
    cat: &catalog::Catalog,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ir::TypeOverride> {
    let mut out = Vec::new();
    let span_of = |written: &str| cfg.item_span(sources, pkg.index, "overrides", written);
    for o in &pkg.rust.overrides {
        let target = match (&o.db_type, &o.column) {
            (Some(db_type), None) => {
                let domain = catalog::types::parse_qualified(db_type.trim())
                    .and_then(|q| cat.domain(&q).map(|d| d.name.clone()));
                let resolved = catalog::types::resolve(db_type, &|q| {
                    cat.enum_type(q)
                        .map(|e| ir::PgType::Enum(e.name.clone()))
                        .or_else(|| {
                            cat.composites
                                .iter()
                                .find(|c| c.name == *q)
                                .map(|c| ir::PgType::Composite(c.name.clone()))
                        })
                });
                match (domain, resolved) {
                    (Some(d), _) => ir::OverrideTarget::Domain(d),
                    (None, Some(catalog::types::Resolved::Type(t)))
                    | (None, Some(catalog::types::Resolved::Serial(t))) => {
                        ir::OverrideTarget::Type(t)
                    }
                    (None, None) => {
                        let mut d = Diagnostic::error(Code::ConfigValue, format!(
                            "override names type `{db_type}`, which is neither a PostgreSQL type nor one of the schema"
                        ))
                        .label(span_of(db_type), "unknown type");
                        let names: Vec<String> = catalog::types::BUILTIN_NAMES
                            .iter()
                            .map(|s| s.to_string())
                            .chain(cat.enums.iter().map(|e| e.name.to_string()))
                            .chain(cat.domains.iter().map(|d| d.name.to_string()))
                            .collect();
                        if let Some(s) =
                            diagnostics::did_you_mean(db_type, names.iter().map(String::as_str))
                        {
                            d = d.help(format!("did you mean `{s}`?"));
                        }
                        diags.push(d);
                        continue;
                    }
                }
            }
            (None, Some(column)) => {
                let parts: Vec<&str> = column.split('.').collect();
                let (schema, table, col) = match parts.as_slice() {
                    [t, c] => (None, *t, *c),
                    [s, t, c] => (Some(s.to_string()), *t, *c),
                    _ => {
                        diags.push(
                            Diagnostic::error(Code::ConfigValue, format!(
                                "override column `{column}` is not `table.column` or `schema.table.column`"
                            ))
                            .at(span_of(column)),
                        );
                        continue;
                    }
                };
                let target = ir::OverrideTarget::Column {
                    schema,
                    table: table.to_string(),
                    column: col.to_string(),
                };
                let probe = ir::TypeOverride {
                    target: target.clone(),
                    rust_type: String::new(),
                    borrowed: None,
                    nullable: None,
                };
                let exists = cat.tables.iter().any(|t| {
                    t.columns
                        .iter()
                        .any(|c| probe.applies(&c.ty, None, Some((&t.name, &c.name)), false))
                });
                if !exists {
                    let names: Vec<String> = cat
                        .tables
                        .iter()
                        .flat_map(|t| {
                            t.columns
                                .iter()
                                .map(move |c| format!("{}.{}", t.name, c.name))
                        })
                        .collect();
                    let help = match diagnostics::did_you_mean(column, names.iter().map(String::as_str)) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "write `table.column` or `schema.table.column`; `*` matches any run of characters".to_string(),
                    };
                    diags.push(
                        Diagnostic::error(
                            Code::ConfigValue,
                            format!("override column `{column}` matches no column of the schema"),
                        )
                        .label(span_of(column), "no such table and column")
                        .help(help),
                    );
                    continue;
                }
                target
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        Code::ConfigValue,
                        "an override names exactly one of `db_type` and `column`",
                    )
                    .at(span_of(&o.rust_type.path)),
                );
                continue;
            }
        };
        out.push(ir::TypeOverride {
            target,
            rust_type: o.rust_type.path.clone(),
            borrowed: o.rust_type.borrowed.clone(),
            nullable: o.nullable,
        });
    }
    out
}

/// What kind of definition a model is, for naming its import.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ModelKind {
    Table,
    Type,
}

/// Gives every model one owner when the config uses ownership (a package has `owns` or `uses`):
/// a package generates what it owns and what no other package needs; a model owned by a package
/// it uses is imported from that package's `module_path`; anything else is an error. Without
/// ownership each package generates what its queries use, as sqlc does.
fn assign_owners(
    cfg: &config::Config,
    packages: &mut [AnalyzedPackage],
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    if !cfg.uses_ownership() {
        return;
    }
    // Models no package owns, with the packages that generate them and a query that needs each.
    let mut unowned: BTreeMap<ir::QualName, Vec<(String, Option<source::Span>)>> = BTreeMap::new();
    for p in packages.iter_mut() {
        let me = p.config.clone();
        let foreign = |t: &ir::QualName| cfg.owner_of(t).is_some_and(|o| o.name != me.name);
        // Tables the queries return as a whole row or embed, and every type the package defines.
        let mut needed: Vec<(ir::QualName, ModelKind)> = Vec::new();
        for q in p.ir.files.iter().flat_map(|f| &f.queries) {
            let tables = q.row_model.iter().chain(
                q.columns
                    .iter()
                    .filter_map(|c| c.embed.as_ref().map(|e| &e.table)),
            );
            for t in tables {
                if !needed.iter().any(|(n, _)| n == t) {
                    needed.push((t.clone(), ModelKind::Table));
                }
            }
        }
        for m in &p.ir.models {
            if !needed.iter().any(|(n, _)| *n == m.table) {
                needed.push((m.table.clone(), ModelKind::Table));
            }
        }
        needed.extend(p.ir.enums.iter().map(|e| (e.name.clone(), ModelKind::Type)));
        needed.extend(
            p.ir.composites
                .iter()
                .map(|c| (c.name.clone(), ModelKind::Type)),
        );
        if me.rust.domain_newtypes {
            needed.extend(
                p.ir.domains
                    .iter()
                    .map(|d| (d.name.clone(), ModelKind::Type)),
            );
        }
        let mut imported = Vec::new();
        let mut drop: Vec<ir::QualName> = Vec::new();
        // Owners this package would need but does not use, with what it needs of each.
        let mut not_used: Vec<(String, Vec<ir::QualName>, Option<source::Span>)> = Vec::new();
        for (name, kind) in needed {
            match cfg.owner_of(&name) {
                Some(o) if o.name == me.name => {}
                Some(o) if me.rust.uses.contains(&o.name) => {
                    drop.push(name.clone());
                    let Some(path) = o.rust.module_path.clone() else {
                        continue; // reported by the config check
                    };
                    imported.push(ir::Import {
                        // Named as the owner names it (its `rename` and inflection options).
                        rust_name: match kind {
                            ModelKind::Table => emit::names::Naming::new(&o.rust).model(&name),
                            ModelKind::Type => emit::names::Naming::new(&o.rust).user_type(&name),
                        },
                        module_path: path,
                    });
                }
                Some(o) => {
                    let span =
                        needing_query(p, &name, &foreign).and_then(|q| query_span(sources, p, &q));
                    match not_used.iter_mut().find(|(owner, _, _)| *owner == o.name) {
                        Some((_, names, _)) => names.push(name.clone()),
                        None => not_used.push((o.name.clone(), vec![name.clone()], span)),
                    }
                    drop.push(name);
                }
                None => {
                    let span =
                        needing_query(p, &name, &foreign).and_then(|q| query_span(sources, p, &q));
                    unowned
                        .entry(name)
                        .or_default()
                        .push((me.name.clone(), span));
                }
            }
        }
        for (owner, names, span) in not_used {
            let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            let mut d = Diagnostic::error(
                diagnostics::Code::Ownership,
                format!(
                    "package `{}` needs {}, owned by package `{owner}`, which it does not use",
                    me.name,
                    list.join(", ")
                ),
            );
            d = match span {
                Some(s) => d.label(s, format!("needs `{}`", names[0])),
                None => d.at(cfg.key_span(sources, me.index, "uses")),
            };
            diags.push(d.help(format!(
                "add `uses: [{owner}]` to the `gen.rust` options of `{}` (and `{owner}` to its crate's dependencies)",
                me.name
            )));
        }
        let ir = &mut p.ir;
        ir.models.retain(|m| !drop.contains(&m.table));
        ir.enums.retain(|e| !drop.contains(&e.name));
        ir.composites.retain(|c| !drop.contains(&c.name));
        ir.domains.retain(|d| !drop.contains(&d.name));
        ir.imported.extend(imported);
    }
    for (name, users) in unowned {
        if users.len() < 2 {
            continue;
        }
        let names: Vec<String> = users.iter().map(|(p, _)| format!("`{p}`")).collect();
        let mut d = Diagnostic::error(
            diagnostics::Code::Ownership,
            format!(
                "`{name}` would be generated by {} packages ({}) but no package owns it",
                users.len(),
                names.join(", ")
            ),
        );
        let mut located = users.iter().filter_map(|(p, s)| s.map(|s| (p, s)));
        if let Some((p, s)) = located.next() {
            d = d.label(s, format!("needed by `{p}` here"));
        }
        for (p, s) in located {
            d = d.secondary(s, format!("needed by `{p}` here"));
        }
        diags.push(d.help(format!(
            "add `{name}` to `owns` of one package, and that package to `uses` of the others"
        )));
    }
}

/// The first query of a package that returns or takes `name` (as a row, an embed or a type).
/// Columns of a row owned elsewhere (`foreign`) do not count: that row's owner types them.
fn needing_query(
    p: &AnalyzedPackage,
    name: &ir::QualName,
    foreign: &dyn Fn(&ir::QualName) -> bool,
) -> Option<String> {
    let mentions = |ty: &ir::PgType| {
        let mut t = ty;
        while let ir::PgType::Array(inner) = t {
            t = inner;
        }
        matches!(t, ir::PgType::Enum(q) | ir::PgType::Composite(q) if q == name)
    };
    p.ir.files.iter().flat_map(|f| &f.queries).find_map(|q| {
        let row_elsewhere = q.row_model.as_ref().is_some_and(foreign);
        let hit = q.row_model.as_ref() == Some(name)
            || q.columns
                .iter()
                .any(|c| c.embed.as_ref().is_some_and(|e| &e.table == name))
            || (!row_elsewhere
                && q.columns.iter().any(|c| {
                    !c.embed.as_ref().is_some_and(|e| foreign(&e.table))
                        && (mentions(&c.ty) || c.domain.as_ref() == Some(name))
                }))
            || q.params
                .iter()
                .any(|p| mentions(&p.ty) || p.domain.as_ref() == Some(name));
        hit.then(|| q.name.clone())
    })
}

/// Analyses queries against a schema given as text, without files: the entry point of analysis tests.
/// Returns the analysed queries, or every diagnostic rendered.
pub fn analyze_text(schema: &str, queries: &str) -> Result<Vec<ir::Query>, String> {
    with_analysis_stack(|| analyze_text_here(schema, queries))
}

/// A schema and a query file given as text, as `schema.sql` and `query.sql` of a source map.
fn text_sources(schema: &str, queries: &str) -> (SourceMap, FileId, FileId) {
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
    (sources, schema_id, query_id)
}

fn analyze_text_here(schema: &str, queries: &str) -> Result<Vec<ir::Query>, String> {
    let (sources, schema_id, query_id) = text_sources(schema, queries);
    let mut diags = Vec::new();
    let cat = catalog::build(&[schema_id], &sources, &mut diags);
    let raws = syntax::query_file::read(query_id, sources.get(query_id), &mut diags);
    let mut out = Vec::new();
    for result in analyze_all(&cat, &sources, &raws) {
        match result {
            Ok((q, warnings)) => {
                out.push(q);
                diags.extend(warnings);
            }
            Err(ds) => diags.extend(ds),
        }
    }
    if diags.iter().any(Diagnostic::is_error) {
        Err(diagnostics::render_all(&diags, &sources))
    } else {
        Ok(out)
    }
}

/// A query's name and its analysis, or its rendered errors.
pub type NamedAnalysis = (String, Result<ir::Query, String>);

/// Analyses every query of a query file on its own, against a schema given as text: one result per
/// query, in file order, named as annotated (the differential tester's entry point: one query
/// PostgreSQL rejects must not hide the others). `Err` only when the schema or the file itself
/// (annotations) has errors; a query's own errors are its rendered diagnostics.
pub fn analyze_text_each(schema: &str, queries: &str) -> Result<Vec<NamedAnalysis>, String> {
    with_analysis_stack(|| {
        let (sources, schema_id, query_id) = text_sources(schema, queries);
        let mut diags = Vec::new();
        let cat = catalog::build(&[schema_id], &sources, &mut diags);
        let raws = syntax::query_file::read(query_id, sources.get(query_id), &mut diags);
        if diags.iter().any(Diagnostic::is_error) {
            return Err(diagnostics::render_all(&diags, &sources));
        }
        let results = analyze_all(&cat, &sources, &raws);
        Ok(raws
            .iter()
            .zip(results)
            .map(|(raw, result)| {
                let result = match result {
                    Ok((q, _warnings)) => Ok(q),
                    Err(ds) => Err(diagnostics::render_all(&ds, &sources)),
                };
                (raw.name.clone(), result)
            })
            .collect())
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One failing query leaves the others analysed, each result under its own name.
    #[test]
    fn analyze_text_each_keeps_every_query() {
        let schema = "CREATE TABLE t (id int PRIMARY KEY, name text);";
        let queries = "-- name: A :one\nSELECT id FROM t;\n-- name: B :one\nSELECT nope FROM t;\n-- name: C :many\nSELECT name FROM t;\n";
        let results = analyze_text_each(schema, queries).unwrap();
        let names: Vec<&str> = results.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(results[0].1.as_ref().unwrap().columns[0].name, "id");
        assert!(results[1].1.as_ref().unwrap_err().contains("nope"));
        assert!(results[2].1.as_ref().unwrap().columns[0].nullable);
        assert!(analyze_text_each("CREATE TABLE (;", queries).is_err());
    }

    /// Analysis spread over the cores gives what one thread gives, in input order.
    #[test]
    fn parallel_analysis_matches_sequential_analysis() {
        let schema = "CREATE TABLE t (id int PRIMARY KEY, name text, born date);";
        let mut text = String::new();
        for i in 0..(4 * PARALLEL_SHARE) {
            let query = match i % 4 {
                0 => format!("-- name: Get{i} :one\nSELECT * FROM t WHERE id = $1;\n"),
                1 => format!("-- name: Names{i} :many\nSELECT name, born + {i} AS later FROM t;\n"),
                2 => format!("-- name: Missing{i} :one\nSELECT nope{i} FROM t;\n"),
                _ => format!("-- name: Set{i} :exec\nUPDATE t SET name = $1 WHERE id = {i};\n"),
            };
            text.push_str(&query);
        }
        with_analysis_stack(|| {
            let mut sources = SourceMap::default();
            let schema_id = sources.add(SourceFile::new(
                "schema.sql".into(),
                "schema.sql".into(),
                schema.to_string(),
            ));
            let query_id = sources.add(SourceFile::new(
                "query.sql".into(),
                "query.sql".into(),
                text,
            ));
            let mut diags = Vec::new();
            let cat = catalog::build(&[schema_id], &sources, &mut diags);
            let raws = syntax::query_file::read(query_id, sources.get(query_id), &mut diags);
            assert!(diags.is_empty(), "{diags:?}");
            assert_eq!(raws.len(), 4 * PARALLEL_SHARE);
            let sequential: Vec<String> = raws
                .iter()
                .map(|raw| format!("{:?}", analyze::analyze(&cat, sources.get(raw.file), raw)))
                .collect();
            let parallel: Vec<String> = analyze_all(&cat, &sources, &raws)
                .iter()
                .map(|r| format!("{r:?}"))
                .collect();
            assert_eq!(parallel, sequential);
            assert!(sequential[2].contains("nope2"), "{}", sequential[2]);
        });
    }
}
