//! Analysis of a schema and a query file given as text, without files or a config: the entry
//! points of the analysis tests and of the differential tester, and [`compact`], their one-line
//! view of an analysed query.

use crate::diagnostics::{self, Diagnostic};
use crate::load::analyze_all;
use crate::parallel::with_analysis_stack;
use crate::source::{FileId, SourceFile, SourceMap};
use crate::{ir, load, syntax};

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
    let cat = load::build_catalog(&[schema_id], &sources, &mut diags);
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
        let cat = load::build_catalog(&[schema_id], &sources, &mut diags);
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
    use crate::analyze;
    use crate::load::PARALLEL_SHARE;

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
            let cat = load::build_catalog(&[schema_id], &sources, &mut diags);
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
