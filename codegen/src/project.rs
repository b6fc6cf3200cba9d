//! [`Project`]: what one run read and found (sources, diagnostics, each package's analysis), and
//! generation from it: the code of every package, or of one, with nothing generated when an error
//! was found.

use crate::diagnostics::{self, Diagnostic};
use crate::source::{self, FileId, SourceMap};
use crate::{catalog, config, emit, ir, parallel};
use std::collections::BTreeMap;
use std::path::PathBuf;

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

pub(crate) fn query_span(
    sources: &SourceMap,
    p: &AnalyzedPackage,
    query: &str,
) -> Option<source::Span> {
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
