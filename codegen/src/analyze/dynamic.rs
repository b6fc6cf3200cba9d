//! Dynamic queries (`-- sqlgen: optional`, `sort`, `keyset`): the rule that lets one analysis
//! type every shape, its checks, and the SQL text of each shape.
//!
//! The rule: an optional condition is a top-level AND condition of a SELECT's WHERE whose one
//! parameter appears nowhere else. Leaving such a condition out removes that parameter and
//! nothing else, and changes no other expression's type, so the full query's analysis types every
//! shape; only nullability can change (a condition may drop an outer join's NULL rows), and it is
//! taken from a second analysis of the query without any optional condition, where it is widest.
//! Sort keys are result columns, referred to by their output names, which every shape has.

use super::{apply_edits, lacks_btree, quote_ident, Analyzer};
use crate::catalog::Catalog;
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::ir::{self, PgType};
use crate::source::{SourceFile, Span};
use crate::syntax::directives::{clauses, renumber, Clauses, Directive, DirectiveKind};
use crate::syntax::parse::{ast, span};
use crate::syntax::query_file::{Edit, ParamSyntax, RawQuery};

/// What the planning reads: the query, its statement and the edits of its SQL text.
pub(super) struct Input<'a> {
    pub cat: &'a Catalog,
    pub src: &'a SourceFile,
    pub raw: &'a RawQuery,
    pub stmt: &'a ast::Statement,
    /// Parameter macros and star expansions, sorted by start.
    pub edits: &'a [Edit],
}

/// The directives of a query, sorted by kind.
struct Directives<'a> {
    optional: Vec<&'a Directive>,
    sort: Option<(&'a [(String, Span)], Span)>,
    keyset: Option<(&'a str, Span)>,
}

/// Checks a query's directives and adds its shapes to `query`; without directives, does nothing.
pub(super) fn plan(input: &Input<'_>, query: &mut ir::Query) -> Result<(), Vec<Diagnostic>> {
    if input.raw.directives.is_empty() {
        return Ok(());
    }
    let mut diags = Vec::new();
    let d = sorted(input.raw, &mut diags);
    let generated = matches!(
        query.command,
        ir::Command::One
            | ir::Command::Opt
            | ir::Command::Many
            | ir::Command::Exec
            | ir::Command::ExecRows
            | ir::Command::ExecResult
    );
    if !generated {
        let at = input.raw.directives[0].span;
        diags.push(
            Diagnostic::error(
                Code::Dynamic,
                format!(
                    "a `{}` query cannot have `-- sqlgen:` directives",
                    query.command.annotation()
                ),
            )
            .at(at)
            .help("use `:one`, `:opt`, `:many`, `:exec` or `:execrows`"),
        );
        return Err(diags);
    }
    let c = clauses(&input.src.text, input.raw.start, input.raw.end);
    let conjuncts = optional_conjuncts(input, &c, &d.optional, &mut diags);
    let filters = filter_params(input, query, &c, &conjuncts, &mut diags);
    if !conjuncts.is_empty() && diags.is_empty() {
        widen_nullability(input, query, &conjuncts);
    }
    let sort = sort(input, query, &c, &d, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut dynamic = ir::Dynamic {
        filters,
        sort,
        shapes: Vec::new(),
    };
    let shapes = Shapes {
        input,
        query,
        clauses: &c,
        conjuncts: &conjuncts,
    };
    dynamic.shapes = dynamic
        .choices()
        .into_iter()
        .map(|choice| shapes.sql(&dynamic, choice))
        .collect();
    let full = ir::ShapeChoice {
        filters: (1 << conjuncts.len()) - 1,
        sort: dynamic.sort.as_ref().map(|_| (0, false, false)),
    };
    query.sql = dynamic.shapes[dynamic.shape_index(full)].clone();
    query.dynamic = Some(dynamic);
    Ok(())
}

/// The directives by kind; a second `sort` or `keyset` is reported.
fn sorted<'a>(raw: &'a RawQuery, diags: &mut Vec<Diagnostic>) -> Directives<'a> {
    let mut d = Directives {
        optional: Vec::new(),
        sort: None,
        keyset: None,
    };
    for dir in &raw.directives {
        let twice = match &dir.kind {
            DirectiveKind::Optional => {
                d.optional.push(dir);
                false
            }
            DirectiveKind::Sort(keys) => d.sort.replace((keys, dir.span)).is_some(),
            DirectiveKind::Keyset(col, at) => d.keyset.replace((col, *at)).is_some(),
        };
        if twice {
            diags.push(
                Diagnostic::error(Code::Dynamic, "a query has one `sort` and one `keyset`")
                    .at(dir.span),
            );
        }
    }
    d
}

/// The top-level AND conditions of the SELECT's WHERE, flattened.
fn and_conditions(e: &ast::Expr) -> Vec<&ast::Expr> {
    match e {
        ast::Expr::BinaryOp {
            left,
            op: ast::BinaryOperator::And,
            right,
        } => {
            let mut out = and_conditions(left);
            out.extend(and_conditions(right));
            out
        }
        other => vec![other],
    }
}

fn select_of(stmt: &ast::Statement) -> Option<&ast::Select> {
    let ast::Statement::Query(q) = stmt else {
        return None;
    };
    match q.body.as_ref() {
        ast::SetExpr::Select(s) => Some(s),
        _ => None,
    }
}

/// The index among `c.conjuncts` of the condition each `optional` marks; a marker that marks no
/// top-level AND condition of a SELECT's WHERE (or whose WHERE the text and the parser split
/// differently) is reported.
fn optional_conjuncts(
    input: &Input<'_>,
    c: &Clauses,
    optional: &[&Directive],
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let ast_conditions = select_of(input.stmt)
        .and_then(|s| s.selection.as_ref())
        .map(and_conditions)
        .unwrap_or_default();
    // The text's split must be the parser's: same number, each parsed condition inside its range.
    let agree = !c.set_operation
        && ast_conditions.len() == c.conjuncts.len()
        && ast_conditions
            .iter()
            .zip(&c.conjuncts)
            .all(|(e, &(s, en))| {
                span(input.raw.file, sqlparser::ast::Spanned::span(*e)).is_none_or(|sp| {
                    let at = input.src.offset(sp.start);
                    (s..en).contains(&at)
                })
            });
    let mut out: Vec<usize> = Vec::new();
    for dir in optional {
        let line = dir.span.start.line;
        let starting: Vec<usize> = (0..c.conjuncts.len())
            .filter(|&i| input.src.pos(c.conjuncts[i].0).line == line)
            .collect();
        match starting.as_slice() {
            [i] if agree && !out.contains(i) => out.push(*i),
            [_, _, ..] if agree => diags.push(
                Diagnostic::error(Code::Dynamic, "`sqlgen: optional` is on a line where several conditions start")
                    .at(dir.span)
                    .help("put each optional condition on a line of its own"),
            ),
            _ => diags.push(
                Diagnostic::error(
                    Code::Dynamic,
                    "`sqlgen: optional` marks no top-level AND condition of a SELECT's WHERE",
                )
                .at(dir.span)
                .help("put it at the end of the line where a condition `AND col = @value` of the outermost WHERE starts (not under OR, in a JOIN, a subquery or a set operation)"),
            ),
        }
    }
    out.sort_unstable();
    out
}

/// Each optional condition's parameter (its index in `query.params`), checked to be its only
/// one and used nowhere else; the parameter is then never NULL (absent is `None`).
fn filter_params(
    input: &Input<'_>,
    query: &mut ir::Query,
    c: &Clauses,
    conjuncts: &[usize],
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let raw = input.raw;
    let mut out = Vec::new();
    for &i in conjuncts {
        let (s, e) = c.conjuncts[i];
        let cond = Span::new(raw.file, input.src.pos(s), input.src.pos(e));
        let inside = |u: &&crate::syntax::query_file::ParamUse| {
            (s..e).contains(&input.src.offset(u.span.start))
        };
        let mut numbers: Vec<usize> = raw.params.iter().filter(inside).map(|u| u.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let [number] = numbers[..] else {
            diags.push(
                Diagnostic::error(
                    Code::Dynamic,
                    format!(
                        "an optional condition takes exactly one parameter; this one takes {}",
                        numbers.len()
                    ),
                )
                .at(cond)
                .help("mark only conditions like `col = @value` optional"),
            );
            continue;
        };
        if let Some(other) = raw.params.iter().find(|u| u.number == number && !inside(u)) {
            diags.push(
                Diagnostic::error(
                    Code::Dynamic,
                    format!("the parameter of an optional condition is also used elsewhere (`${number}`)"),
                )
                .at(cond)
                .secondary(other.span, "also used here")
                .help("give the optional condition a parameter of its own"),
            );
            continue;
        }
        if let Some(p) = query.params.iter().position(|p| p.number == number) {
            query.params[p].nullable = false;
            out.push(p);
        }
    }
    out
}

/// Column nullability as in the shape without any optional condition, the widest.
fn widen_nullability(input: &Input<'_>, query: &mut ir::Query, conjuncts: &[usize]) {
    let mut stmt = input.stmt.clone();
    if let ast::Statement::Query(q) = &mut stmt {
        if let ast::SetExpr::Select(sel) = q.body.as_mut() {
            let kept: Vec<ast::Expr> = sel
                .selection
                .as_ref()
                .map(and_conditions)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !conjuncts.contains(i))
                .map(|(_, e)| e.clone())
                .collect();
            sel.selection = kept.into_iter().reduce(|l, r| ast::Expr::BinaryOp {
                left: Box::new(l),
                op: ast::BinaryOperator::And,
                right: Box::new(r),
            });
        }
    }
    let raw = input.raw;
    let count = raw.params.iter().map(|p| p.number).max().unwrap_or(0);
    let mut a = Analyzer::new(input.cat, input.src, raw.file, raw.annotation, count);
    for p in raw
        .params
        .iter()
        .filter(|p| p.syntax == ParamSyntax::NullableNamed)
    {
        a.slots[p.number - 1].nullable = true;
    }
    let outs = a.statement(&stmt, None);
    for (c, o) in query.columns.iter_mut().zip(&outs) {
        if !o.not_null && !c.nullable {
            c.nullable = true;
            // A model's row has the table's nullability; a wider one is a row struct.
            query.row_model = None;
        }
    }
}

/// The sort keys and keyset, checked against the result columns.
fn sort(
    input: &Input<'_>,
    query: &ir::Query,
    c: &Clauses,
    d: &Directives<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Option<ir::Sort> {
    let Some((keys, at)) = d.sort else {
        if let Some((_, at)) = d.keyset {
            diags.push(
                Diagnostic::error(Code::Dynamic, "`keyset` needs a `sort`")
                    .at(at)
                    .help("add `-- sqlgen: sort col, ...` with the keys to page by"),
            );
        }
        return None;
    };
    if !query.command.returns_rows() {
        diags.push(
            Diagnostic::error(
                Code::Dynamic,
                "only a query that returns rows can be sorted",
            )
            .at(at),
        );
        return None;
    }
    if let Some(o) = c.ordering {
        let p = input.src.pos(o);
        diags.push(
            Diagnostic::error(
                Code::Dynamic,
                "a query with `sqlgen: sort` has no ORDER BY, LIMIT, OFFSET or FETCH of its own",
            )
            .at(at)
            .secondary(
                Span::new(input.raw.file, p, p),
                "the generated shapes add these",
            )
            .help("remove the clause; `keyset` adds a LIMIT"),
        );
        return None;
    }
    let keys: Vec<usize> = keys
        .iter()
        .filter_map(|(k, sp)| result_column(query, k, *sp, diags))
        .collect();
    for &k in &keys {
        let col = &query.columns[k];
        if let Some(t) = lacks_btree(&col.ty) {
            diags.push(
                Diagnostic::error(
                    Code::Dynamic,
                    format!(
                        "sort key `{}` is of type {t}, which has no ordering",
                        col.name
                    ),
                )
                .at(at),
            );
        }
    }
    let keyset = d
        .keyset
        .and_then(|(tb, sp)| keyset(input.cat, query, &keys, (tb, sp), diags));
    Some(ir::Sort { keys, keyset })
}

/// The index of the one result column named `name`.
fn result_column(
    query: &ir::Query,
    name: &str,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<usize> {
    let found: Vec<usize> = (0..query.columns.len())
        .filter(|&i| query.columns[i].name == name && query.columns[i].embed.is_none())
        .collect();
    match found[..] {
        [i] => Some(i),
        [] => {
            let mut d = Diagnostic::error(
                Code::Dynamic,
                format!("`{name}` is not a column of the query's result"),
            )
            .at(at);
            if let Some(near) = did_you_mean(name, query.columns.iter().map(|c| c.name.as_str())) {
                d = d.help(format!("did you mean `{near}`?"));
            }
            diags.push(d);
            None
        }
        _ => {
            diags.push(
                Diagnostic::error(
                    Code::Dynamic,
                    format!("the result has several columns named `{name}`"),
                )
                .at(at)
                .help("give the column a distinct alias"),
            );
            None
        }
    }
}

/// The keyset's tie-breaker (the whole primary key of its table) and each key's cursor.
fn keyset(
    cat: &Catalog,
    query: &ir::Query,
    keys: &[usize],
    (name, at): (&str, Span),
    diags: &mut Vec<Diagnostic>,
) -> Option<ir::Keyset> {
    let tb = result_column(query, name, at, diags)?;
    let col = &query.columns[tb];
    let unique = col
        .table
        .as_ref()
        .zip(col.column.as_ref())
        .and_then(|(t, c)| Some(cat.table(t)?.primary_key.as_ref()? == &vec![c.clone()]))
        .unwrap_or(false);
    if !unique {
        diags.push(
            Diagnostic::error(
                Code::Dynamic,
                format!("keyset tie-breaker `{name}` is not unique"),
            )
            .at(at)
            .help("name a result column that is the whole primary key of its table, such as `id`"),
        );
        return None;
    }
    let mut ok = true;
    for &k in keys.iter().chain([&tb]) {
        if query.columns[k].nullable {
            ok = false;
            diags.push(
                Diagnostic::error(
                    Code::Dynamic,
                    format!(
                        "keyset pagination needs keys that are never NULL; `{}` may be",
                        query.columns[k].name
                    ),
                )
                .at(at),
            );
        }
    }
    let param = |i: usize| {
        let c = &query.columns[i];
        ir::Param {
            number: 0,
            name: c.name.clone(),
            ty: c.ty.clone(),
            nullable: false,
            domain: c.domain.clone(),
            column: c.table.clone().zip(c.column.clone()),
        }
    };
    let cursors = keys
        .iter()
        .map(|&k| {
            let mut ps = vec![param(k)];
            if k != tb {
                ps.push(param(tb));
            }
            ps
        })
        .collect();
    let limit = ir::Param {
        number: 0,
        name: "limit".to_string(),
        ty: PgType::Int8,
        nullable: false,
        domain: None,
        column: None,
    };
    ok.then_some(ir::Keyset {
        tie_breaker: tb,
        cursors,
        limit,
    })
}

/// What every shape's text is made from.
struct Shapes<'a> {
    input: &'a Input<'a>,
    query: &'a ir::Query,
    clauses: &'a Clauses,
    /// The optional conditions' indexes in `clauses.conjuncts`, in order.
    conjuncts: &'a [usize],
}

impl Shapes<'_> {
    /// The SQL of one shape.
    fn sql(&self, dynamic: &ir::Dynamic, choice: ir::ShapeChoice) -> String {
        let raw = self.input.raw;
        let mut edits: Vec<Edit> = self.input.edits.to_vec();
        edits.extend(
            raw.directives
                .iter()
                .filter(|d| d.start >= raw.start && d.end <= raw.end)
                .map(|d| {
                    // The spaces before a trailing comment go with it.
                    let text = &self.input.src.text[raw.start..d.start];
                    removal(raw.start + text.trim_end_matches([' ', '\t']).len(), d.end)
                }),
        );
        edits.extend(self.removals(choice.filters));
        edits.sort_by_key(|e| (e.start, std::cmp::Reverse(e.end)));
        let text = apply_edits(&self.input.src.text, raw.start, raw.end, &edits);
        // Parameters of absent conditions are gone: the rest keep their order, numbered from $1.
        let absent: Vec<usize> = (0..dynamic.filters.len())
            .filter(|i| choice.filters & (1 << i) == 0)
            .map(|i| self.query.params[dynamic.filters[i]].number)
            .collect();
        let text = renumber(&text, |n| n - absent.iter().filter(|&&a| a < n).count());
        let present = self.query.params.len() - absent.len();
        match (&dynamic.sort, choice.sort) {
            (Some(sort), Some((key, desc, cursor))) => {
                self.sorted(text, sort, present, (key, desc, cursor))
            }
            _ => text,
        }
    }

    /// Edits that leave out the optional conditions whose bit is clear, with their `AND`s (and
    /// the `WHERE` when no condition is left).
    fn removals(&self, filters: usize) -> Vec<Edit> {
        let all = &self.clauses.conjuncts;
        let kept: Vec<bool> = (0..all.len())
            .map(|i| {
                self.conjuncts
                    .iter()
                    .position(|&c| c == i)
                    .is_none_or(|bit| filters & (1 << bit) != 0)
            })
            .collect();
        let Some(first) = kept.iter().position(|&k| k) else {
            let (w, end) = (self.clauses.where_keyword, all.last());
            return match (w, end) {
                (Some(w), Some(&(_, e))) => vec![removal(w, e)],
                _ => Vec::new(),
            };
        };
        (0..all.len())
            .filter(|&i| !kept[i])
            .map(|i| {
                if i < first {
                    removal(all[i].0, all[i + 1].0)
                } else {
                    removal(all[i - 1].1, all[i].1)
                }
            })
            .collect()
    }

    /// A shape's text with its ORDER BY, and for a keyset its cursor condition and LIMIT.
    fn sorted(
        &self,
        text: String,
        sort: &ir::Sort,
        present: usize,
        (key, desc, cursor): (usize, bool, bool),
    ) -> String {
        let dir = if desc { "DESC" } else { "ASC" };
        let name = |i: usize| quote_ident(&self.query.columns[i].name);
        let k = sort.keys[key];
        let Some(keyset) = &sort.keyset else {
            return format!("{text}\nORDER BY {} {dir}", name(k));
        };
        let mut cols = vec![name(k)];
        if keyset.tie_breaker != k {
            cols.push(name(keyset.tie_breaker));
        }
        let order: Vec<String> = cols.iter().map(|c| format!("{c} {dir}")).collect();
        let order = order.join(", ");
        if !cursor {
            return format!("{text}\nORDER BY {order}\nLIMIT ${}", present + 1);
        }
        let values: Vec<String> = (1..=cols.len())
            .map(|i| format!("${}", present + i))
            .collect();
        let op = if desc { "<" } else { ">" };
        let (cols_list, values_list) = match cols.len() {
            1 => (cols.join(""), values.join("")),
            _ => (
                format!("({})", cols.join(", ")),
                format!("({})", values.join(", ")),
            ),
        };
        format!(
            "SELECT * FROM (\n{text}\n) AS sqlgen_page\nWHERE {cols_list} {op} {values_list}\nORDER BY {order}\nLIMIT ${}",
            present + cols.len() + 1
        )
    }
}

fn removal(start: usize, end: usize) -> Edit {
    Edit {
        start,
        end,
        text: String::new(),
    }
}
