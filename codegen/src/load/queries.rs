//! A package's query files split into queries (on every core), merged back in file order with
//! duplicate names and the size limit checked, and analysed (on every core).

use super::read::{PackageFiles, ReadQueryFile};
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, SourceMap};
use crate::{analyze, catalog, config, ir, parallel, source, syntax};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The most queries one package may hold: its generated code grows with them (about 1.5 KB of Rust
/// and 60 KB of generator memory a query), so this bounds a run. Real packages hold hundreds.
pub const MAX_QUERIES: usize = 10_000;

/// A query file split into queries, with what splitting reported.
pub(super) type SplitFile = (Vec<syntax::query_file::RawQuery>, Vec<Diagnostic>);

/// What reading a package's query files found, in file order: diagnostics to report, queries to
/// analyse (one per [`QueryStep::Analyse`], in the order of the queries returned with the steps),
/// and the end of each query file that was read.
pub(super) enum QueryStep {
    Report(Vec<Diagnostic>),
    Analyse,
    FileEnd(PathBuf),
}

/// The fewest query files a splitting worker gets.
const SPLIT_SHARE: usize = 16;

/// Splits every read query file of every package into queries, on every core; one result per
/// file with an id, in package and file order.
pub(super) fn split_query_files(read: &[PackageFiles], sources: &SourceMap) -> Vec<SplitFile> {
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
pub(super) fn merge_queries(
    pkg: &config::Package,
    sources: &SourceMap,
    listing_diags: Vec<Diagnostic>,
    files: Vec<ReadQueryFile>,
    splits: Vec<Option<SplitFile>>,
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

pub(crate) type Analysed = Result<(ir::Query, Vec<Diagnostic>), Vec<Diagnostic>>;

/// The fewest queries an analysis worker gets: a query takes tens of microseconds, and KongFlow's
/// packages of 10 to 27 queries analyse faster on one thread.
pub(crate) const PARALLEL_SHARE: usize = 64;

/// Analyses queries on every available core, returning their results in input order.
pub(crate) fn analyze_all(
    cat: &catalog::Catalog,
    sources: &SourceMap,
    raws: &[syntax::query_file::RawQuery],
) -> Vec<Analysed> {
    parallel::map(raws, PARALLEL_SHARE, |raw| {
        analyze::analyze(cat, sources.get(raw.file), raw)
    })
}
