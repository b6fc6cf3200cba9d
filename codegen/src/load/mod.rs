//! Loading: the config, then every file it names read once ([`read`]), the catalogues built on
//! their own thread while the query files are split on every core, then each package's queries
//! analysed ([`queries`]) and linked ([`crate::link`]: models, overrides, ownership).
//! This and `write` are the only modules that touch the filesystem.

mod queries;
mod read;

pub(crate) use queries::analyze_all;
pub use queries::MAX_QUERIES;
#[cfg(test)]
pub(crate) use queries::PARALLEL_SHARE;

use crate::diagnostics::Diagnostic;
use crate::project::{AnalyzedPackage, Project};
use crate::source::SourceMap;
use crate::{analyze, catalog, config, ir, link, parallel, timings};
use queries::{QueryStep, SplitFile};
use read::PackageFiles;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Loads `sqlgen.yaml` and everything it names, and analyses every package.
pub fn load(config_path: &Path) -> Project {
    parallel::with_analysis_stack(|| load_here(config_path))
}

/// Builds the catalogue of migration files already in `sources`, a view's and a CREATE TABLE AS's
/// columns given by the query analyser.
pub fn build_catalog(
    files: &[crate::source::FileId],
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> catalog::Catalog {
    catalog::build(files, sources, &analyze::query_columns, diags)
}

fn load_here(config_path: &Path) -> Project {
    let mut phases = timings::Phases::default();
    if timings::enabled() {
        // Its one-time parse, not counted in whichever phase first needs it.
        phases.time("pg_catalog", || {
            std::sync::LazyLock::force(&catalog::pg_catalog::CATALOG);
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
            .map(|pkg| read::package_files(&cfg, pkg, &mut sources))
            .collect()
    });
    let (first_user, catalog_of) = schema_groups(&cfg);
    let (built, splits) = catalogs_and_splits(&read, &first_user, &sources, &mut phases);
    let mut catalogs: Vec<(catalog::Catalog, Vec<Diagnostic>)> = Vec::new();
    let mut built = built.into_iter();
    let mut splits = splits.into_iter();
    let mut packages = Vec::new();
    for (pi, (pkg, files)) in cfg.packages.iter().zip(read).enumerate() {
        let idx = catalog_of[pi];
        let fresh = idx == catalogs.len();
        if fresh {
            let Some((cat, cd)) = built.next() else {
                unreachable!("one catalogue per distinct schema")
            };
            catalogs.push((cat, cd));
        }
        let mut ctx = PackageLoad {
            cfg: &cfg,
            pkg,
            sources: &sources,
            diags: &mut diags,
            phases: &mut phases,
        };
        packages.push(ctx.analyse(files, &catalogs[idx], idx, fresh, &mut splits));
    }
    phases.time("ownership", || {
        link::assign_owners(&cfg, &mut packages, &sources, &mut diags)
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

/// One catalogue per distinct schema, in order of first use: the package whose schema files build
/// each catalogue, and each package's catalogue.
fn schema_groups(cfg: &config::Config) -> (Vec<usize>, Vec<usize>) {
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
    (first_user, catalog_of)
}

/// The catalogues (built on their own thread) and the split query files (split on every core
/// meanwhile).
fn catalogs_and_splits(
    read: &[PackageFiles],
    first_user: &[usize],
    sources: &SourceMap,
    phases: &mut timings::Phases,
) -> (Vec<(catalog::Catalog, Vec<Diagnostic>)>, Vec<SplitFile>) {
    let build_catalogs = move || {
        let start = std::time::Instant::now();
        let built: Vec<(catalog::Catalog, Vec<Diagnostic>)> = first_user
            .iter()
            .map(|&p| {
                let mut cd = Vec::new();
                let cat = build_catalog(&read[p].schema_files, sources, &mut cd);
                (cat, cd)
            })
            .collect();
        (built, start.elapsed())
    };
    let start = std::time::Instant::now();
    let (built, splits) = parallel::join_beside("sqlgen-catalog", build_catalogs, || {
        queries::split_query_files(read, sources)
    });
    phases.add("catalog", built.1);
    phases.add("catalog+queries", start.elapsed());
    (built.0, splits)
}

/// What one package's analysis reads and where it reports.
struct PackageLoad<'a> {
    cfg: &'a config::Config,
    pkg: &'a config::Package,
    sources: &'a SourceMap,
    diags: &'a mut Vec<Diagnostic>,
    phases: &'a mut timings::Phases,
}

impl PackageLoad<'_> {
    /// Analyses the package's queries against its catalogue and links the result (models,
    /// overrides); `fresh` says whether the catalogue's own diagnostics are still to be reported.
    fn analyse(
        &mut self,
        files: PackageFiles,
        (cat, catalog_diags): &(catalog::Catalog, Vec<Diagnostic>),
        idx: usize,
        fresh: bool,
        splits: &mut impl Iterator<Item = SplitFile>,
    ) -> AnalyzedPackage {
        let PackageFiles {
            schema_diags,
            mut inputs,
            query_files: read_files,
            listing_diags,
            ..
        } = files;
        self.diags.extend(schema_diags);
        // A catalogue's diagnostics are reported with the first package that uses it.
        if fresh {
            self.diags.extend(catalog_diags.iter().cloned());
        }
        let schema_errors: Vec<Diagnostic> = catalog_diags
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        let start = std::time::Instant::now();
        let file_splits: Vec<_> = read_files
            .iter()
            .map(|f| f.id.and_then(|_| splits.next()))
            .collect();
        let (steps, raws) = queries::merge_queries(
            self.pkg,
            self.sources,
            listing_diags,
            read_files,
            file_splits,
            &mut inputs,
        );
        self.phases.add("queries", start.elapsed());
        let start = std::time::Instant::now();
        let analysed = queries::analyze_all(cat, self.sources, &raws);
        self.phases.add("analysis", start.elapsed());
        let (files, failures) = self.collect(steps, &raws, analysed);
        let start = std::time::Instant::now();
        let ir = link::package_ir(self.cfg, self.pkg, cat, self.sources, files, self.diags);
        self.phases.add("models", start.elapsed());
        AnalyzedPackage {
            config: self.pkg.clone(),
            ir,
            failures,
            schema_errors,
            inputs,
            catalog: idx,
        }
    }

    /// Takes the analysis results in input order, so diagnostics come out as if each query were
    /// analysed in turn; returns the query files and the failed queries' errors. The query files'
    /// modules are checked at the end of each file (`link::check_query_module`).
    fn collect(
        &mut self,
        steps: Vec<QueryStep>,
        raws: &[crate::syntax::query_file::RawQuery],
        analysed: Vec<queries::Analysed>,
    ) -> (Vec<ir::QueryFile>, BTreeMap<String, Vec<Diagnostic>>) {
        let mut files = Vec::new();
        let mut failures = BTreeMap::new();
        let mut queries = Vec::new();
        let mut analysed = raws.iter().zip(analysed);
        let mut modules: Vec<(String, PathBuf)> = Vec::new();
        for step in steps {
            match step {
                QueryStep::Report(mut ds) => self.diags.append(&mut ds),
                QueryStep::Analyse => {
                    let Some((raw, result)) = analysed.next() else {
                        unreachable!("one analysis per query to analyse")
                    };
                    match result {
                        Ok((q, warnings)) => {
                            queries.push(q);
                            self.diags.extend(warnings);
                        }
                        Err(ds) => {
                            failures.insert(
                                raw.name.clone(),
                                ds.iter().filter(|d| d.is_error()).cloned().collect(),
                            );
                            self.diags.extend(ds);
                        }
                    }
                }
                QueryStep::FileEnd(path) => {
                    let (cfg, pkg, sources) = (self.cfg, self.pkg, self.sources);
                    link::check_query_module(cfg, pkg, sources, &path, &mut modules, self.diags);
                    files.push(ir::QueryFile {
                        name: file_stem(&path),
                        path: crate::source::display_path(&cfg.root, &path),
                        queries: std::mem::take(&mut queries),
                    });
                }
            }
        }
        (files, failures)
    }
}

/// A query file's name without its extension, as written: the SQL side of its module's name.
fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
