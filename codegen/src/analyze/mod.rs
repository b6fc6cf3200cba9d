//! Query analysis: scopes, expression typing, parameter inference, nullability and star expansion,
//! turning one parsed query into an [`ir::Query`].

mod dynamic;
mod expr;
mod functions;
mod grouping;
mod literal;
pub mod nullability;
pub mod resolve;
mod scope;

use crate::catalog::Catalog;
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::ir::{self, PgType, QualName};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::keywords::quote_ident;
use crate::syntax::parse::{ast, ident, name_span, qual_name, span};
use crate::syntax::query_file::{Edit, ParamSyntax, RawQuery};
use scope::{Lookup, Rel, RelColumn, Scope};
use sqlparser::ast::Spanned;

/// A typed expression.
#[derive(Debug, Clone)]
pub(crate) struct Typed {
    pub ty: PgType,
    pub not_null: bool,
    /// The column name PostgreSQL would report for it.
    pub name: Option<String>,
    /// For plain column references: the table and column.
    pub table: Option<QualName>,
    pub column: Option<String>,
    /// For plain column references: whether the column is declared NOT NULL (outer joins aside).
    pub declared_not_null: Option<bool>,
    /// The domain the value is declared with (`ty` being its base type): a domain column, a cast
    /// to a domain, and what passes it on (a subquery's column, `coalesce` of one domain...).
    pub domain: Option<QualName>,
    /// A name PostgreSQL gives only for want of a better one (a cast's type, `case`): an outer
    /// cast replaces it with its own type's name (FigureColname's strength 1).
    pub weak_name: bool,
}

impl Typed {
    fn new(ty: PgType, not_null: bool) -> Self {
        Typed {
            ty,
            not_null,
            name: None,
            table: None,
            column: None,
            declared_not_null: None,
            weak_name: false,
            domain: None,
        }
    }

    /// The value typed as `r` says, a scalar domain's base with the domain beside it.
    fn of_resolved(r: &resolve::RType, not_null: bool) -> Self {
        let mut t = Typed::new(r.to_pg(), not_null);
        t.domain = r.domain().cloned();
        t
    }

    fn with_domain(mut self, domain: Option<QualName>) -> Self {
        self.domain = domain;
        self
    }

    /// The type resolution sees, the domain included.
    fn rtype(&self) -> resolve::RType {
        resolve::RType::of(&self.ty, self.domain.as_ref())
    }

    fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self.weak_name = false;
        self
    }

    fn named_weakly(mut self, name: &str) -> Self {
        self.name = Some(name.to_string());
        self.weak_name = true;
        self
    }

    /// The name of `of`, whose element or slice this is, as weak as it was (`?column?` when
    /// it had none).
    fn name_from(mut self, of: &Typed) -> Self {
        self.name = Some(of.name.clone().unwrap_or_else(|| "?column?".to_string()));
        self.weak_name = of.weak_name || of.name.is_none();
        self
    }

    /// The name if PostgreSQL would keep it under a cast.
    fn strong_name(&self) -> Option<&str> {
        self.name.as_deref().filter(|_| !self.weak_name)
    }

    fn unknown() -> Self {
        Typed::new(
            PgType::Unknown,
            nullability::form_not_null(nullability::Form::Failed),
        )
    }
}

/// What the context expects of an expression: a type for untyped parameters and literals,
/// a name for parameters, and whether NULL is a sensible value for a parameter there.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expect {
    pub ty: Option<PgType>,
    pub name: Option<String>,
    pub nullable: bool,
    /// A column declared with a domain: PostgreSQL types a parameter stored into it as the domain.
    pub domain: Option<QualName>,
    /// The table column a parameter is stored into (INSERT and SET targets) or compared with,
    /// for column overrides.
    pub origin: Option<(QualName, String)>,
}

impl Expect {
    fn ty(ty: PgType) -> Self {
        Expect {
            ty: Some(ty),
            ..Expect::default()
        }
    }

    fn named(ty: PgType, name: Option<String>) -> Self {
        Expect {
            domain: None,
            ty: Some(ty),
            name,
            nullable: false,
            origin: None,
        }
    }
}

/// One output column of a (sub)query.
#[derive(Debug, Clone)]
pub(crate) struct Out {
    pub name: String,
    pub ty: PgType,
    pub not_null: bool,
    pub table: Option<QualName>,
    pub column: Option<String>,
    /// Part of a `sqlc.embed(t)` group.
    pub embed: Option<ir::Embed>,
    /// The domain the column's values are declared with, as [`Typed::domain`].
    pub domain: Option<QualName>,
}

#[derive(Debug, Clone, Default)]
struct Slot {
    ty: Option<PgType>,
    domain: Option<QualName>,
    origin: Option<(QualName, String)>,
    nullable: bool,
    hint: Option<String>,
}

pub(crate) struct Analyzer<'a> {
    cat: &'a Catalog,
    file: FileId,
    src: &'a SourceFile,
    fallback: Span,
    slots: Vec<Slot>,
    diags: Vec<Diagnostic>,
    edits: Vec<Edit>,
    ctes: Vec<Rel>,
    /// Inside a cast, an unknown function is fine: the cast gives the type.
    in_cast: usize,
    /// A relation could not be resolved; unknown columns are then its consequence, not news.
    missing_relation: bool,
    /// The call being resolved has an OVER clause (so hypothetical-set aggregates are out).
    windowed: bool,
    /// The call being resolved has a FILTER clause.
    filtered: bool,
    /// The SELECT being analysed has GROUP BY: its aggregates see at least one row per group.
    grouped: bool,
    /// Where aggregates stand and which columns grouped levels show.
    grouping: grouping::Grouping,
}

/// The name of a type without a btree operator class (so no equality for GROUP BY, DISTINCT
/// and set operations, and no ordering for ORDER BY), or of an array of one.
fn lacks_btree(t: &PgType) -> Option<String> {
    match t {
        PgType::Json => Some("json".to_string()),
        PgType::Other(n)
            if matches!(
                n.as_str(),
                "xml" | "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle"
            ) =>
        {
            Some(n.clone())
        }
        PgType::Array(inner) => lacks_btree(inner).map(|n| format!("{n}[]")),
        _ => None,
    }
}

/// Analyses one query against the catalog.
pub fn analyze(
    cat: &Catalog,
    src: &SourceFile,
    raw: &RawQuery,
) -> Result<(ir::Query, Vec<Diagnostic>), Vec<Diagnostic>> {
    if let Some(d) = &raw.rejected {
        return Err(vec![d.clone()]);
    }
    // `DO $$ ... $$`: an anonymous block takes no parameters and returns no rows; sqlparser does
    // not read it, and nothing in it decides a type of the query.
    let stmts = if crate::syntax::parse::is_do_block(&raw.parse_text) {
        vec![ast::Statement::Discard {
            object_type: ast::DiscardObject::ALL,
        }]
    } else {
        crate::syntax::parse::parse(raw.file, &raw.parse_text, src.pos(raw.start))
            .map_err(|d| vec![d])?
    };
    let Some(stmt) = stmts.first() else {
        return Err(vec![Diagnostic::error(
            Code::NoStatement,
            format!("query `{}` has no statement", raw.name),
        )
        .at(raw.annotation)]);
    };
    let count = raw.params.iter().map(|p| p.number).max().unwrap_or(0);
    let mut a = Analyzer::new(cat, src, raw.file, raw.annotation, count);
    for p in &raw.params {
        if p.syntax == ParamSyntax::NullableNamed {
            a.slots[p.number - 1].nullable = true;
        }
    }
    let outs = a.statement(stmt, None);
    let copy = if raw.command == ir::Command::CopyFrom {
        a.copy_from(stmt, raw)
    } else {
        None
    };
    let params = a.finish_params(raw);
    // `sqlc.slice` outside an IN list stands where an array goes (`= ANY(sqlc.slice(ids))`).
    for u in raw.params.iter().filter(|u| u.syntax == ParamSyntax::Slice) {
        let scalar = params
            .iter()
            .find(|p| p.number == u.number)
            .is_some_and(|p| !p.ty.is_array());
        if scalar && !a.diags.iter().any(Diagnostic::is_error) {
            a.diags.push(
                Diagnostic::error(Code::ParameterSyntax, "`sqlc.slice` stands for one value here")
                    .at(u.span)
                    .help("use it as the whole list of an IN, `x IN (sqlc.slice(xs))`, or where an array goes, `x = ANY(sqlc.slice(xs))`"),
            );
        }
    }
    let mut edits = raw.edits.clone();
    edits.extend(a.edits.iter().cloned());
    edits.sort_by_key(|e| e.start);
    let sql = apply_edits(&src.text, raw.start, raw.end, &edits);
    // After another error the statement's columns are unknown: don't pile on.
    // A `void` column (`SELECT f_returning_void()`) carries no value: only such columns are none.
    let only_void = outs.iter().all(|o| o.ty == PgType::Void);
    if raw.command.returns_rows() && only_void && !a.diags.iter().any(Diagnostic::is_error) {
        a.diags.push(no_columns(src, raw, stmt, &outs));
    }
    if a.diags.iter().any(Diagnostic::is_error) {
        return Err(a.diags);
    }
    let columns = ir_columns(cat, &outs);
    let row_model = if raw.command.returns_rows() {
        whole_table(cat, &outs)
    } else {
        None
    };
    let mut query = ir::Query {
        name: raw.name.clone(),
        command: raw.command,
        doc: raw.doc.clone(),
        sql,
        params,
        columns,
        row_model,
        line: raw.annotation.start.line,
        copy,
        dynamic: None,
    };
    let input = dynamic::Input {
        cat,
        src,
        raw,
        stmt,
        edits: &edits,
    };
    dynamic::plan(&input, &mut query)?;
    Ok((query, std::mem::take(&mut a.diags)))
}

/// The warning for a `:one`/`:many` query whose statement returns no column, or only `void`.
fn no_columns(src: &SourceFile, raw: &RawQuery, stmt: &ast::Statement, outs: &[Out]) -> Diagnostic {
    let start = src.pos(raw.start);
    let keyword_end = crate::source::Pos {
        line: start.line,
        col: start.col
            + src.text[raw.start..raw.end]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .count()
                .max(1) as u32,
    };
    let dml = matches!(
        stmt,
        ast::Statement::Insert(_) | ast::Statement::Update(_) | ast::Statement::Delete(_)
    );
    let annotation = raw.command.annotation();
    Diagnostic::warning(
        Code::NoColumns,
        format!(
            "query `{}` is `{annotation}` but returns {}; it is generated as `{}`",
            raw.name,
            if outs.is_empty() {
                "no columns"
            } else {
                "only `void`"
            },
            if matches!(raw.command, ir::Command::BatchOne | ir::Command::BatchMany) {
                ":batchexec"
            } else {
                ":exec"
            }
        ),
    )
    .label(
        Span::new(raw.file, start, keyword_end),
        if outs.is_empty() {
            "this statement returns no rows"
        } else {
            "a `void` result carries no value"
        },
    )
    .secondary(raw.annotation, format!("`{annotation}` expects a row"))
    .help(if dml {
        "add `RETURNING ...` or use `:exec`"
    } else {
        "use `:exec` or `:execrows`"
    })
}

/// The query's result columns as the IR has them (an untyped one is text).
fn ir_columns(cat: &Catalog, outs: &[Out]) -> Vec<ir::Column> {
    outs.iter()
        .map(|o| ir::Column {
            name: o.name.clone(),
            ty: if o.ty == PgType::Unknown {
                PgType::Text
            } else {
                o.ty.clone()
            },
            nullable: !o.not_null,
            table: o.table.clone(),
            column: o.column.clone(),
            embed: o.embed.clone(),
            domain: o
                .table
                .as_ref()
                .zip(o.column.as_ref())
                .and_then(|(t, c)| cat.table(t)?.column(c)?.domain.clone()),
        })
        .collect()
}

/// The output columns (name, type, non-null) of a view's or CREATE TABLE AS's query.
pub fn query_columns(
    cat: &Catalog,
    src: &SourceFile,
    file: FileId,
    query: &ast::Query,
) -> Result<Vec<(String, PgType, bool)>, Vec<Diagnostic>> {
    let fallback = span(file, query.span()).unwrap_or(Span::point(file, 1, 1));
    let mut a = Analyzer::new(cat, src, file, fallback, 0);
    let outs = a.query(query, None, None);
    if a.diags.iter().any(Diagnostic::is_error) {
        return Err(a.diags);
    }
    Ok(outs
        .into_iter()
        .map(|o| {
            (
                o.name,
                if o.ty == PgType::Unknown {
                    PgType::Text
                } else {
                    o.ty
                },
                o.not_null,
            )
        })
        .collect())
}

/// The table whose model the row is: every column of it, in order, as plain references of that table.
fn whole_table(cat: &Catalog, outs: &[Out]) -> Option<QualName> {
    let first = outs.first()?.table.clone()?;
    let table = cat.table(&first)?;
    let same = table.columns.len() == outs.len()
        && table.columns.iter().zip(outs).all(|(c, o)| {
            o.table.as_ref() == Some(&first)
                && o.column.as_deref() == Some(c.name.as_str())
                && o.name == c.name
                && o.not_null == c.not_null
                && o.ty == c.ty
        });
    same.then_some(first)
}

fn apply_edits(text: &str, start: usize, end: usize, edits: &[Edit]) -> String {
    let mut out = String::new();
    let mut at = start;
    for e in edits {
        if e.start < at {
            continue;
        }
        out.push_str(&text[at..e.start]);
        out.push_str(&e.text);
        at = e.end;
    }
    out.push_str(&text[at..end]);
    out
}

impl<'a> Analyzer<'a> {
    fn new(
        cat: &'a Catalog,
        src: &'a SourceFile,
        file: FileId,
        fallback: Span,
        params: usize,
    ) -> Self {
        Analyzer {
            cat,
            file,
            src,
            fallback,
            slots: vec![Slot::default(); params],
            diags: Vec::new(),
            edits: Vec::new(),
            ctes: Vec::new(),
            in_cast: 0,
            missing_relation: false,
            windowed: false,
            filtered: false,
            grouped: false,
            grouping: grouping::Grouping::default(),
        }
    }

    fn span(&self, s: sqlparser::tokenizer::Span) -> Span {
        span(self.file, s).unwrap_or(self.fallback)
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn finish_params(&mut self, raw: &RawQuery) -> Vec<ir::Param> {
        let mut params = Vec::new();
        let mut used: Vec<String> = Vec::new();
        for (i, slot) in self.slots.clone().into_iter().enumerate() {
            let number = i + 1;
            let uses: Vec<_> = raw.params.iter().filter(|p| p.number == number).collect();
            let at = uses.first().map(|u| u.span).unwrap_or(self.fallback);
            let Some(ty) = slot.ty.filter(|t| *t != PgType::Unknown) else {
                // After another error the parameter's context may be what failed; don't pile on.
                if self.diags.iter().any(Diagnostic::is_error) {
                    continue;
                }
                let d = if uses.is_empty() {
                    // Point at the parameter after the gap: that is what the user wrote.
                    let next = raw
                        .params
                        .iter()
                        .filter(|p| p.number > number)
                        .min_by_key(|p| (p.number, p.span));
                    match next {
                        Some(n) => Diagnostic::error(
                            Code::ParameterGap,
                            format!("parameter ${number} is never used"),
                        )
                        .label(n.span, format!("`${}` is used, but `${number}` is not", n.number))
                        .help(format!(
                            "use `${number}`, or renumber the parameters from `${number}` on without gaps"
                        )),
                        None => Diagnostic::error(
                            Code::ParameterGap,
                            format!("parameter ${number} is never used"),
                        )
                        .at(at)
                        .help("number parameters from $1 without gaps"),
                    }
                } else {
                    Diagnostic::error(
                        Code::UntypedParameter,
                        format!("could not determine the type of parameter ${number}"),
                    )
                    .at(at)
                    .help(format!("add a cast, such as `${number}::text`"))
                };
                self.error(d);
                continue;
            };
            let explicit = uses.iter().find_map(|u| u.name.clone());
            let base = explicit
                .clone()
                .or(slot.hint)
                .unwrap_or_else(|| format!("column_{number}"));
            let mut name = base.clone();
            let mut k = 2;
            while used.contains(&name) {
                name = format!("{base}_{k}");
                k += 1;
            }
            used.push(name.clone());
            params.push(ir::Param {
                domain: slot.domain.clone(),
                column: slot.origin.clone(),
                number,
                name,
                ty,
                nullable: slot.nullable,
            });
        }
        params
    }

    /// Binds parameter `$n` to the type the context expects.
    fn bind_param(&mut self, n: usize, ex: &Expect, at: Span) -> Typed {
        let Some(slot) = self.slots.get_mut(n.wrapping_sub(1)) else {
            self.diags.push(
                Diagnostic::error(Code::NoSuchParameter, format!("there is no parameter ${n}"))
                    .at(at),
            );
            return Typed::unknown();
        };
        if slot.hint.is_none() {
            slot.hint = ex.name.clone();
        }
        if ex.nullable {
            slot.nullable = true;
        }
        match (&slot.ty, &ex.ty) {
            (None, Some(t)) if *t != PgType::Unknown => {
                slot.ty = Some(t.clone());
                slot.domain = ex.domain.clone();
                slot.origin = ex.origin.clone();
            }
            (Some(old), Some(new))
                if old != new && *new != PgType::Unknown && !compatible(old, new) =>
            {
                let msg = format!("parameter ${n} is used both as `{old}` and as `{new}`");
                self.diags.push(
                    Diagnostic::error(Code::ParameterTypes, msg)
                        .at(at)
                        .help(format!("cast one use, such as `${n}::{old}`")),
                );
                // Already reported: an unknown type keeps operators from reporting it again.
                return Typed::unknown();
            }
            _ => {}
        }
        // A parameter that may be NULL (narg, or bound to a nullable column) makes its expression nullable.
        Typed::new(slot.ty.clone().unwrap_or(PgType::Unknown), !slot.nullable)
    }

    /// Gives an already typed parameter the name and nullability a comparison with `other` implies.
    fn note_param(&mut self, e: &ast::Expr, other: &Typed) {
        let ast::Expr::Value(v) = e else { return };
        let ast::Value::Placeholder(p) = &v.value else {
            return;
        };
        let Some(slot) = p
            .trim_start_matches('$')
            .parse::<usize>()
            .ok()
            .and_then(|n| self.slots.get_mut(n.wrapping_sub(1)))
        else {
            return;
        };
        if slot.hint.is_none() {
            slot.hint = other.column.clone();
        }
        if other.declared_not_null == Some(false) {
            slot.nullable = true;
        }
    }

    fn param_is_unbound(&self, n: usize) -> bool {
        self.slots
            .get(n.wrapping_sub(1))
            .is_some_and(|s| s.ty.is_none())
    }

    // ---- statements ----------------------------------------------------------------------

    fn statement(&mut self, stmt: &ast::Statement, parent: Option<&Scope>) -> Vec<Out> {
        match stmt {
            ast::Statement::Query(q) => self.query(q, parent, None),
            ast::Statement::Insert(ins) => self.insert(ins, parent),
            ast::Statement::Update(up) => self.update(up, parent),
            ast::Statement::Delete(del) => self.delete(del, parent),
            // `CALL p($1, ...)`: arguments typed as in a call of the procedure; no rows.
            ast::Statement::Call(f) => {
                let scope = Scope {
                    rels: Vec::new(),
                    parent,
                    frame: None,
                };
                self.expr(&ast::Expr::Function(f.clone()), &scope, &Expect::default());
                Vec::new()
            }
            // Other statements (TRUNCATE, NOTIFY, REFRESH MATERIALIZED VIEW, DDL) return no rows;
            // a parameter in one stays untyped and is reported.
            _ => Vec::new(),
        }
    }

    fn query(
        &mut self,
        q: &ast::Query,
        parent: Option<&Scope>,
        targets: Option<&[Expect]>,
    ) -> Vec<Out> {
        let cte_mark = self.ctes.len();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = ident(&cte.alias.name);
                if with.recursive {
                    // The recursive term sees the CTE typed by its non-recursive term.
                    if let ast::SetExpr::SetOperation { left, .. } = cte.query.body.as_ref() {
                        let outs = self.set_expr(left, parent, None, &q.order_by);
                        let rel = self.rel_from_outs(&name, &cte.alias.columns, outs);
                        self.ctes.push(rel);
                    }
                }
                let outs = self.query(&cte.query, parent, None);
                if with.recursive {
                    self.ctes.retain(|r| r.name != name);
                }
                let rel = self.rel_from_outs(&name, &cte.alias.columns, outs);
                self.ctes.push(rel);
            }
        }
        let outs = self.set_expr(&q.body, parent, targets, &q.order_by);
        if let Some(lc) = &q.limit_clause {
            let scope = Scope {
                rels: Vec::new(),
                parent,
                frame: None,
            };
            match lc {
                ast::LimitClause::LimitOffset { limit, offset, .. } => {
                    if let Some(l) = limit {
                        self.expr(
                            l,
                            &scope,
                            &Expect::named(PgType::Int8, Some("limit".into())),
                        );
                    }
                    if let Some(o) = offset {
                        self.expr(
                            &o.value,
                            &scope,
                            &Expect::named(PgType::Int8, Some("offset".into())),
                        );
                    }
                }
                ast::LimitClause::OffsetCommaLimit { offset, limit } => {
                    self.expr(
                        limit,
                        &scope,
                        &Expect::named(PgType::Int8, Some("limit".into())),
                    );
                    self.expr(
                        offset,
                        &scope,
                        &Expect::named(PgType::Int8, Some("offset".into())),
                    );
                }
            }
        }
        self.ctes.truncate(cte_mark);
        outs
    }

    fn rel_from_outs(
        &self,
        name: &str,
        aliases: &[ast::TableAliasColumnDef],
        outs: Vec<Out>,
    ) -> Rel {
        let columns = outs
            .into_iter()
            .enumerate()
            .map(|(i, o)| RelColumn {
                name: aliases.get(i).map(|a| ident(&a.name)).unwrap_or(o.name),
                ty: if o.ty == PgType::Unknown {
                    PgType::Text
                } else {
                    o.ty
                },
                not_null: o.not_null,
                table: o.table,
                domain: o.domain,
            })
            .collect();
        Rel {
            name: name.to_string(),
            table: None,
            columns,
            nulled: false,
            merged: Vec::new(),
            span: None,
        }
    }

    fn set_expr(
        &mut self,
        body: &ast::SetExpr,
        parent: Option<&Scope>,
        targets: Option<&[Expect]>,
        order_by: &Option<ast::OrderBy>,
    ) -> Vec<Out> {
        match body {
            ast::SetExpr::Select(s) => self.select(s, parent, targets, order_by),
            ast::SetExpr::Query(q) => self.query(q, parent, targets),
            ast::SetExpr::SetOperation {
                left,
                right,
                op,
                set_quantifier,
            } => {
                let set_op = match op {
                    ast::SetOperator::Intersect => nullability::SetOp::Intersect,
                    ast::SetOperator::Except | ast::SetOperator::Minus => {
                        nullability::SetOp::Except
                    }
                    _ => nullability::SetOp::Union,
                };
                let l = self.set_expr(left, parent, targets, &None);
                let r = self.set_expr(right, parent, targets, &None);
                if l.len() != r.len() {
                    let at = self.span(body.span());
                    self.error(Diagnostic::error(Code::ColumnCount, "each UNION / INTERSECT / EXCEPT query must have the same number of columns").at(at));
                }
                for (a, b) in l.iter().zip(&r) {
                    self.need_same_category(body, &a.ty, &b.ty);
                }
                let outs: Vec<Out> = l
                    .into_iter()
                    .zip(r)
                    .map(|(a, b)| Out {
                        not_null: nullability::set_operation_not_null(
                            set_op, a.not_null, b.not_null,
                        ),
                        ty: expr::unify(&a.ty, &b.ty),
                        table: None,
                        column: None,
                        embed: None,
                        // Both sides of one domain stay that domain; anything else is its base.
                        domain: a
                            .domain
                            .filter(|d| a.ty == b.ty && b.domain.as_ref() == Some(d)),
                        name: a.name,
                    })
                    .collect();
                // UNION, INTERSECT and EXCEPT compare rows, unless ALL keeps every one (UNION ALL).
                let compares = !matches!(
                    (op, set_quantifier),
                    (
                        ast::SetOperator::Union,
                        ast::SetQuantifier::All | ast::SetQuantifier::AllByName
                    )
                );
                if compares {
                    self.need_equality(&outs, body, &format!("{op}"));
                }
                self.order_by_outputs(order_by, &outs, parent);
                outs
            }
            ast::SetExpr::Values(v) => {
                let scope = Scope {
                    rels: Vec::new(),
                    parent,
                    frame: None,
                };
                let mut outs: Vec<Out> = Vec::new();
                let width = v.rows.iter().map(|r| r.content.len()).max().unwrap_or(0);
                for i in 0..width {
                    let column: Vec<&ast::Expr> =
                        v.rows.iter().filter_map(|r| r.content.get(i)).collect();
                    let (ty, nn, domain) = match targets.and_then(|t| t.get(i)) {
                        // INSERT ... VALUES: every row takes the target column's type.
                        Some(ex) => {
                            let ex = ex.clone();
                            let nn: Vec<bool> = column
                                .iter()
                                .map(|e| self.expr(e, &scope, &ex).not_null)
                                .collect();
                            (ex.ty.clone().unwrap_or(PgType::Unknown), nn, ex.domain)
                        }
                        // A VALUES list: the rows' common type, untyped rows taking it.
                        None => {
                            let c = self.common(&column, &scope, &Expect::default());
                            (c.ty, c.not_null, c.domain)
                        }
                    };
                    outs.push(Out {
                        name: format!("column{}", i + 1),
                        ty,
                        not_null: nullability::every_member_not_null(&nn),
                        table: None,
                        column: None,
                        embed: None,
                        domain,
                    });
                }
                outs
            }
            ast::SetExpr::Insert(s) | ast::SetExpr::Update(s) | ast::SetExpr::Delete(s) => {
                self.statement(s, parent)
            }
            other => {
                let at = self.span(other.span());
                self.error(
                    Diagnostic::error(
                        Code::Unsupported,
                        "this kind of query body is not supported",
                    )
                    .at(at),
                );
                Vec::new()
            }
        }
    }

    fn order_by_outputs(
        &mut self,
        order_by: &Option<ast::OrderBy>,
        outs: &[Out],
        parent: Option<&Scope>,
    ) {
        let Some(ob) = order_by else { return };
        let rel = Rel {
            name: String::new(),
            table: None,
            columns: outs
                .iter()
                .map(|o| RelColumn {
                    name: o.name.clone(),
                    ty: o.ty.clone(),
                    not_null: o.not_null,
                    table: None,
                    domain: o.domain.clone(),
                })
                .collect(),
            nulled: false,
            merged: Vec::new(),
            span: None,
        };
        let scope = Scope {
            rels: vec![rel],
            parent,
            frame: None,
        };
        if let ast::OrderByKind::Expressions(items) = &ob.kind {
            for item in items {
                self.expr(&item.expr, &scope, &Expect::default());
            }
        }
    }

    fn select(
        &mut self,
        s: &ast::Select,
        parent: Option<&Scope>,
        targets: Option<&[Expect]>,
        order_by: &Option<ast::OrderBy>,
    ) -> Vec<Out> {
        use grouping::Clause;
        let frame = self.grouping.push();
        let mut scope = Scope {
            rels: Vec::new(),
            parent,
            frame: Some(frame),
        };
        self.grouping.clause(scope.frame, Clause::From);
        self.from(&s.from, &mut scope);
        // Aggregates in WHERE are not allowed; the flag matters for the select list, HAVING and ORDER BY.
        let outer_grouped = self.grouped;
        self.grouped = matches!(&s.group_by, ast::GroupByExpr::Expressions(e, _) if !e.is_empty());
        let (columns, exprs) = self.group_keys(s, &scope);
        let grouped = self.grouped || s.having.is_some();
        self.grouping.set_groups(frame, grouped, columns, exprs);
        if let Some(w) = &s.selection {
            self.grouping.clause(scope.frame, Clause::Where);
            self.expr(w, &scope, &Expect::ty(PgType::Bool));
            // `WHERE b.x = 1` keeps no row where `b` was nulled by an outer join.
            nullability::reduce_outer_joins(w, &mut scope.rels[..]);
        }
        self.grouping.clause(scope.frame, Clause::Output);
        let mut outs = Vec::new();
        for (i, item) in s.projection.iter().enumerate() {
            let ex = targets.and_then(|t| t.get(i)).cloned().unwrap_or_default();
            self.select_item(item, &scope, &ex, &mut outs);
        }
        if matches!(s.distinct, Some(ast::Distinct::Distinct)) {
            let at = s.select_token.0.span;
            self.need_equality_at(&outs, at, "DISTINCT");
        }
        if let Some(ast::Distinct::On(exprs)) = &s.distinct {
            for e in exprs {
                self.expr(e, &scope, &Expect::default());
            }
        }
        if let ast::GroupByExpr::Expressions(exprs, _) = &s.group_by {
            self.grouping.clause(scope.frame, Clause::GroupBy);
            for e in exprs {
                if let Some(ty) = self.group_or_order_expr(e, &scope, &outs) {
                    self.need_operator(&ty, e, "equality");
                }
            }
            self.grouping.clause(scope.frame, Clause::Output);
        }
        if let Some(h) = &s.having {
            self.expr(h, &scope, &Expect::ty(PgType::Bool));
        }
        if let Some(ob) = order_by {
            if let ast::OrderByKind::Expressions(items) = &ob.kind {
                for item in items {
                    if let Some(ty) = self.group_or_order_expr(&item.expr, &scope, &outs) {
                        self.need_operator(&ty, &item.expr, "ordering");
                    }
                }
            }
        }
        let key_of = |rel: &str| match scope.rel(rel).and_then(|r| r.table.as_ref()) {
            Some(t) => self.cat.table(t).and_then(|t| t.primary_key.clone()),
            None => Some(Vec::new()),
        };
        if let Some((message, at)) = self.grouping.pop(key_of) {
            let at = at.unwrap_or(self.fallback);
            self.error(
                Diagnostic::error(Code::Grouping, message)
                    .at(at)
                    .help("add it to GROUP BY, or wrap it in an aggregate such as `max(...)`"),
            );
        }
        self.grouped = outer_grouped;
        outs
    }

    /// What a SELECT groups by, for [`grouping`]: the plain columns (relation and column name) and
    /// the keys of other expressions, output columns named or numbered by GROUP BY replaced by
    /// their expressions.
    fn group_keys(&self, s: &ast::Select, scope: &Scope) -> (Vec<(String, String)>, Vec<String>) {
        fn flatten<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
            match e {
                ast::Expr::Nested(inner) => flatten(inner, out),
                ast::Expr::Rollup(sets) | ast::Expr::Cube(sets) | ast::Expr::GroupingSets(sets) => {
                    sets.iter().flatten().for_each(|x| flatten(x, out))
                }
                ast::Expr::Tuple(items) => {
                    out.push(e);
                    items.iter().for_each(|x| flatten(x, out));
                }
                _ => out.push(e),
            }
        }
        let ast::GroupByExpr::Expressions(exprs, _) = &s.group_by else {
            return (Vec::new(), Vec::new());
        };
        let mut items = Vec::new();
        exprs.iter().for_each(|e| flatten(e, &mut items));
        let output = |e: &ast::Expr| -> Option<&ast::Expr> {
            let item = match e {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::Number(n, _) => s.projection.get(n.parse::<usize>().ok()?.checked_sub(1)?),
                    _ => None,
                },
                ast::Expr::Identifier(id)
                    if !matches!(scope.lookup(None, &ident(id)), Lookup::Found(..)) =>
                {
                    s.projection.iter().find(|p| {
                        matches!(p, ast::SelectItem::ExprWithAlias { alias, .. } if ident(alias) == ident(id))
                    })
                }
                _ => None,
            }?;
            match item {
                ast::SelectItem::UnnamedExpr(x)
                | ast::SelectItem::ExprWithAlias { expr: x, .. } => Some(x),
                _ => None,
            }
        };
        let (mut columns, mut keys) = (Vec::new(), Vec::new());
        for e in items {
            let mut e = output(e).unwrap_or(e);
            while let ast::Expr::Nested(inner) = e {
                e = inner;
            }
            let found = match e {
                ast::Expr::Identifier(id) => scope.lookup(None, &ident(id)),
                ast::Expr::CompoundIdentifier(parts) if parts.len() >= 2 => scope.lookup(
                    Some(&ident(&parts[parts.len() - 2])),
                    &ident(&parts[parts.len() - 1]),
                ),
                _ => Lookup::NotFound,
            };
            match found {
                Lookup::Found(r, c, _) => columns.push((r.name.clone(), c.name.clone())),
                _ => keys.push(grouping::expr_key(e)),
            }
        }
        (columns, keys)
    }

    /// DISTINCT and set operations compare whole rows: every column's type needs an equality
    /// operator, which `json`, `xml` and `point` lack (nor do arrays of them).
    fn need_equality(&mut self, outs: &[Out], at: &ast::SetExpr, what: &str) {
        self.need_equality_at(outs, at.span(), what);
    }

    fn need_equality_at(&mut self, outs: &[Out], at: sqlparser::tokenizer::Span, what: &str) {
        if let Some(ty) = outs.iter().find_map(|o| lacks_btree(&o.ty)) {
            let at = self.span(at);
            self.error(
                Diagnostic::error(
                    Code::Operator,
                    format!("could not identify an equality operator for type {ty}"),
                )
                .at(at)
                .note(format!("{what} compares rows, and `{ty}` has no equality"))
                .help("use jsonb, or cast the column to text"),
            );
        }
    }

    /// GROUP BY needs an equality for its expressions' type, ORDER BY an ordering: types
    /// without a btree operator class (`json`, `xml`, geometric types) have neither.
    fn need_operator(&mut self, ty: &PgType, e: &ast::Expr, what: &str) {
        if let Some(name) = lacks_btree(ty) {
            let at = self.span(e.span());
            self.error(
                Diagnostic::error(
                    Code::Operator,
                    format!("could not identify an {what} operator for type {name}"),
                )
                .at(at)
                .help("use jsonb, or cast the expression to text"),
            );
        }
    }

    /// ORDER BY and GROUP BY may name an output column or give its position; the type of what
    /// the item sorts or groups by.
    fn group_or_order_expr(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        outs: &[Out],
    ) -> Option<PgType> {
        if let ast::Expr::Identifier(id) = e {
            let name = ident(id);
            if !matches!(scope.lookup(None, &name), Lookup::Found(..)) {
                if let Some(o) = outs.iter().find(|o| o.name == name) {
                    return Some(o.ty.clone());
                }
            }
        }
        if let ast::Expr::Value(v) = e {
            if let ast::Value::Number(n, _) = &v.value {
                if let Some(o) = n
                    .parse::<usize>()
                    .ok()
                    .and_then(|k| outs.get(k.checked_sub(1)?))
                {
                    return Some(o.ty.clone());
                }
            }
        }
        Some(self.expr(e, scope, &Expect::default()).ty)
    }

    fn select_item(
        &mut self,
        item: &ast::SelectItem,
        scope: &Scope,
        ex: &Expect,
        outs: &mut Vec<Out>,
    ) {
        match item {
            ast::SelectItem::UnnamedExpr(ast::Expr::Function(f)) if is_embed(f) => {
                self.embed(f, scope, outs)
            }
            ast::SelectItem::UnnamedExpr(e) => {
                let t = self.expr(e, scope, ex);
                outs.push(out_of(t, None));
            }
            ast::SelectItem::ExprWithAlias { expr, alias } => {
                let t = self.expr(expr, scope, ex);
                let (name, forced) = nullability::alias_override(&ident(alias));
                let mut o = out_of(t, Some(name));
                if let Some(nn) = forced {
                    o.not_null = nn;
                    o.table = None;
                }
                outs.push(o);
            }
            ast::SelectItem::Wildcard(opts) => {
                let at = span(self.file, opts.wildcard_token.0.span);
                let rels: Vec<&Rel> = scope.rels.iter().collect();
                if rels.is_empty() && !self.missing_relation {
                    self.error(
                        Diagnostic::error(
                            Code::MissingFromEntry,
                            "SELECT * with no tables specified",
                        )
                        .at(at.unwrap_or(self.fallback)),
                    );
                }
                self.wildcard_columns(&rels, scope.frame, at);
                self.expand(&rels, rels.len() > 1, at, outs);
            }
            ast::SelectItem::QualifiedWildcard(kind, opts) => {
                let ast::SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                    let at = self.span(item.span());
                    self.error(
                        Diagnostic::error(
                            Code::Unsupported,
                            "`*` of an expression is not supported",
                        )
                        .at(at),
                    );
                    return;
                };
                let parts = crate::syntax::parse::name_parts(name);
                let rel_name = parts.last().cloned().unwrap_or_default();
                let start = name_span(self.file, name);
                let end = span(self.file, opts.wildcard_token.0.span);
                let at = start
                    .zip(end)
                    .map(|(s, e)| Span::new(self.file, s.start, e.end));
                match scope.rel(&rel_name) {
                    Some(rel) => {
                        self.wildcard_columns(&[rel], scope.frame, at);
                        self.expand(&[rel], true, at, outs)
                    }
                    None => {
                        let mut d = Diagnostic::error(
                            Code::MissingFromEntry,
                            format!("missing FROM-clause entry for table `{rel_name}`"),
                        )
                        .at(start.unwrap_or(self.fallback));
                        if let Some(s) =
                            did_you_mean(&rel_name, scope.rels.iter().map(|r| r.name.as_str()))
                        {
                            d = d.help(format!("did you mean `{s}`?"));
                        }
                        self.error(d);
                    }
                }
            }
            ast::SelectItem::ExprWithAliases { .. } => {
                let at = self.span(item.span());
                self.error(
                    Diagnostic::error(
                        Code::Unsupported,
                        "multiple aliases for one expression are not supported",
                    )
                    .at(at),
                );
            }
        }
    }

    /// `sqlc.embed(t)`: t's columns, decoded into t's model struct nested in the row.
    fn embed(&mut self, f: &ast::Function, scope: &Scope, outs: &mut Vec<Out>) {
        let at = self.span(f.span());
        let arg = match &f.args {
            ast::FunctionArguments::List(l) if l.args.len() == 1 => function_arg_expr(&l.args[0]),
            _ => None,
        };
        let name = match arg {
            Some(ast::Expr::Identifier(id)) => ident(id),
            Some(ast::Expr::CompoundIdentifier(ids)) => ids.last().map(ident).unwrap_or_default(),
            _ => {
                self.error(
                    Diagnostic::error(Code::Embed, "`sqlc.embed` takes one table name or alias")
                        .at(at),
                );
                return;
            }
        };
        let Some(rel) = scope.rel(&name) else {
            let mut d = Diagnostic::error(
                Code::Embed,
                format!("`sqlc.embed({name})` names no table of this query"),
            )
            .at(at);
            if let Some(s) = did_you_mean(&name, scope.rels.iter().map(|r| r.name.as_str())) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            self.error(d);
            return;
        };
        let Some(table) = rel.table.clone() else {
            self.error(
                Diagnostic::error(
                    Code::Embed,
                    format!("`sqlc.embed({name})` needs a table, not a subquery or function"),
                )
                .at(at),
            );
            return;
        };
        // The span of a call ends at its name; the rewrite covers it up to the closing parenthesis.
        let start = self.src.offset(at.start);
        let close = self.src.text[start..]
            .find(')')
            .map(|i| start + i + 1)
            .unwrap_or(start);
        let span = Span::new(self.file, at.start, self.src.pos(close));
        let group = outs
            .iter()
            .filter_map(|o| o.embed.as_ref().map(|e| e.group + 1))
            .max()
            .unwrap_or(0);
        let key = self
            .cat
            .table(&table)
            .and_then(|t| t.columns.iter().position(|c| c.not_null));
        let embed = ir::Embed {
            group,
            table,
            nullable: rel.nulled,
            key,
        };
        self.wildcard_columns(&[rel], scope.frame, Some(span));
        self.expand_as(&[rel], true, Some(span), outs, Some(embed));
    }

    /// `*`, `t.*` and `sqlc.embed(t)` show every column of their relations, for [`grouping`].
    fn wildcard_columns(&mut self, rels: &[&Rel], frame: Option<usize>, at: Option<Span>) {
        for rel in rels {
            for c in rel.columns.iter().filter(|c| !rel.merged.contains(&c.name)) {
                self.grouping.column(frame, &rel.name, &c.name, at);
            }
        }
    }

    /// Adds every column of `rels` to the output and rewrites the `*` into the explicit list,
    /// so decoding never depends on the column order a later migration leaves.
    fn expand(&mut self, rels: &[&Rel], qualify: bool, at: Option<Span>, outs: &mut Vec<Out>) {
        self.expand_as(rels, qualify, at, outs, None);
    }

    fn expand_as(
        &mut self,
        rels: &[&Rel],
        qualify: bool,
        at: Option<Span>,
        outs: &mut Vec<Out>,
        embed: Option<ir::Embed>,
    ) {
        let mut list = Vec::new();
        for rel in rels {
            for c in rel.columns.iter().filter(|c| !rel.merged.contains(&c.name)) {
                outs.push(Out {
                    name: c.name.clone(),
                    ty: c.ty.clone(),
                    not_null: nullability::column_not_null(c.not_null, rel.nulled),
                    table: c.table.clone(),
                    column: c.table.as_ref().map(|_| c.name.clone()),
                    embed: embed.clone(),
                    domain: c.domain.clone(),
                });
                list.push(if qualify && !rel.name.is_empty() {
                    format!("{}.{}", quote_ident(&rel.name), quote_ident(&c.name))
                } else {
                    quote_ident(&c.name)
                });
            }
        }
        if let Some(at) = at {
            let start = self.src.offset(at.start);
            let end = self.src.offset(at.end);
            let written = &self.src.text[start..end];
            if start < end
                && (written.ends_with('*') || (embed.is_some() && written.ends_with(')')))
            {
                self.edits.push(Edit {
                    start,
                    end,
                    text: list.join(", "),
                });
            }
        }
    }

    // ---- FROM ------------------------------------------------------------------------------

    fn from(&mut self, from: &[ast::TableWithJoins], scope: &mut Scope) {
        for twj in from {
            let first = scope.rels.len();
            if let Some(rel) = self.factor(&twj.relation, scope) {
                scope.rels.push(rel);
            }
            for j in &twj.joins {
                let before = scope.rels.len();
                if let Some(rel) = self.factor(&j.relation, scope) {
                    scope.rels.push(rel);
                }
                use ast::JoinOperator as J;
                let (null_left, null_right, constraint) = match &j.join_operator {
                    J::Join(c) | J::Inner(c) => (false, false, Some(c)),
                    J::Left(c) | J::LeftOuter(c) => (false, true, Some(c)),
                    J::Right(c) | J::RightOuter(c) => (true, false, Some(c)),
                    J::FullOuter(c) => (true, true, Some(c)),
                    J::CrossJoin(c) => (false, false, Some(c)),
                    _ => {
                        let at = self.span(j.relation.span());
                        self.error(
                            Diagnostic::error(
                                Code::Unsupported,
                                "this kind of join is not supported",
                            )
                            .at(at),
                        );
                        (false, false, None)
                    }
                };
                if null_left {
                    scope.rels[first..before]
                        .iter_mut()
                        .for_each(|r| r.nulled = true);
                }
                if null_right {
                    scope.rels[before..]
                        .iter_mut()
                        .for_each(|r| r.nulled = true);
                }
                match constraint {
                    Some(ast::JoinConstraint::On(e)) => {
                        let outer = self.grouping.clause(scope.frame, grouping::Clause::JoinOn);
                        self.expr(e, scope, &Expect::ty(PgType::Bool));
                        self.grouping.restore(scope.frame, outer);
                        // `LEFT JOIN a ... JOIN b ON a.x = b.x`: the inner join drops rows where `a` is NULL.
                        if !null_left && !null_right {
                            nullability::reduce_outer_joins(e, &mut scope.rels[..]);
                        }
                    }
                    Some(ast::JoinConstraint::Using(cols)) => {
                        for c in cols {
                            let parts = crate::syntax::parse::name_parts(c);
                            let name = parts.last().cloned().unwrap_or_default();
                            let left_has = scope.rels[first..before]
                                .iter()
                                .any(|r| r.columns.iter().any(|x| x.name == name));
                            let right_has = scope.rels[before..]
                                .iter()
                                .any(|r| r.columns.iter().any(|x| x.name == name));
                            if left_has && right_has {
                                // The right side's column merges into the left's: one `book_id`, unqualified.
                                for r in &mut scope.rels[before..] {
                                    if r.columns.iter().any(|x| x.name == name) {
                                        r.merged.push(name.clone());
                                    }
                                }
                            }
                            if !left_has || !right_has {
                                let at = name_span(self.file, c).unwrap_or(self.fallback);
                                self.error(Diagnostic::error(Code::UnknownColumn, format!("column `{name}` specified in USING clause does not exist in both tables")).at(at));
                            }
                        }
                    }
                    // NATURAL: USING every column name both sides have.
                    Some(ast::JoinConstraint::Natural) => {
                        let left: Vec<String> = scope.rels[first..before]
                            .iter()
                            .flat_map(|r| r.columns.iter().map(|c| c.name.clone()))
                            .collect();
                        for r in &mut scope.rels[before..] {
                            let common: Vec<String> = r
                                .columns
                                .iter()
                                .filter(|c| left.contains(&c.name) && !r.merged.contains(&c.name))
                                .map(|c| c.name.clone())
                                .collect();
                            r.merged.extend(common);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn factor(&mut self, f: &ast::TableFactor, scope: &Scope) -> Option<Rel> {
        match f {
            ast::TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } => {
                let mut rel = self.table_rel(name)?;
                rel.span = span(self.file, f.span());
                if let Some(a) = alias {
                    rel.name = ident(&a.name);
                    for (c, col_alias) in rel.columns.iter_mut().zip(&a.columns) {
                        c.name = ident(&col_alias.name);
                    }
                }
                Some(rel)
            }
            ast::TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let outs = if *lateral {
                    self.query(subquery, Some(scope), None)
                } else {
                    self.query(subquery, scope.parent, None)
                };
                let (name, cols) = match alias {
                    Some(a) => (ident(&a.name), a.columns.as_slice()),
                    None => (String::new(), &[][..]),
                };
                let mut rel = self.rel_from_outs(&name, cols, outs);
                // Plain column references keep their table so `describe` can report it.
                rel.table = None;
                Some(rel)
            }
            ast::TableFactor::Table {
                name,
                alias,
                args: Some(targs),
                with_ordinality,
                ..
            } => {
                let args: Vec<&ast::Expr> =
                    targs.args.iter().filter_map(function_arg_expr).collect();
                Some(self.function_rel(f, name, &args, alias.as_ref(), *with_ordinality, scope))
            }
            ast::TableFactor::Function {
                name,
                args,
                alias,
                with_ordinality,
                ..
            } => {
                let args: Vec<&ast::Expr> = args.iter().filter_map(function_arg_expr).collect();
                Some(self.function_rel(f, name, &args, alias.as_ref(), *with_ordinality, scope))
            }
            ast::TableFactor::UNNEST {
                alias,
                array_exprs,
                with_ordinality,
                ..
            } => {
                let name = ast::ObjectName::from(vec![ast::Ident::new("unnest")]);
                let args: Vec<&ast::Expr> = array_exprs.iter().collect();
                Some(self.function_rel(f, &name, &args, alias.as_ref(), *with_ordinality, scope))
            }
            other => {
                let at = self.span(other.span());
                self.error(
                    Diagnostic::error(
                        Code::Unsupported,
                        "this kind of FROM item is not supported yet",
                    )
                    .at(at),
                );
                None
            }
        }
    }

    /// A function call in FROM (`generate_series(1, 10)`, `unnest($1)`, a user function returning a table).
    fn function_rel(
        &mut self,
        f: &ast::TableFactor,
        name: &ast::ObjectName,
        args: &[&ast::Expr],
        alias: Option<&ast::TableAlias>,
        ordinality: bool,
        scope: &Scope,
    ) -> Rel {
        let parts = crate::syntax::parse::name_parts(name);
        let fname = parts.last().cloned().unwrap_or_default();
        let schema = (parts.len() > 1).then(|| parts[parts.len() - 2].clone());
        let at = name_span(self.file, name).unwrap_or_else(|| self.span(f.span()));
        let call = match functions_value(&fname, args.is_empty()) {
            Some(ty) => {
                let nn = nullability::form_not_null(nullability::Form::ValueFunction);
                expr::Call {
                    typed: Typed::new(ty.clone(), nn),
                    columns: vec![(fname.clone(), ty, nn)],
                }
            }
            None => self.call(
                at,
                schema.as_deref(),
                &fname,
                args,
                &vec![None; args.len()],
                scope,
            ),
        };
        // A function of one column returns the call's value (`unnest` of an array of a domain
        // gives values of the domain).
        let single = call.columns.len() == 1;
        let mut columns: Vec<RelColumn> = call
            .columns
            .into_iter()
            .map(|(n, ty, not_null)| RelColumn {
                name: n,
                ty,
                not_null,
                table: None,
                domain: call.typed.domain.clone().filter(|_| single),
            })
            .collect();
        let rel_name = alias.map(|a| ident(&a.name)).unwrap_or(fname);
        // A scalar function's single column takes the alias's name, as in PostgreSQL.
        if columns.len() == 1 && alias.is_some_and(|a| a.columns.is_empty()) {
            columns[0].name = rel_name.clone();
        }
        if let Some(a) = alias {
            for (c, col_alias) in columns.iter_mut().zip(&a.columns) {
                c.name = ident(&col_alias.name);
            }
        }
        if ordinality {
            columns.push(RelColumn {
                name: "ordinality".into(),
                ty: PgType::Int8,
                not_null: nullability::form_not_null(nullability::Form::SystemColumn),
                table: None,
                domain: None,
            });
        }
        Rel {
            name: rel_name,
            table: None,
            columns,
            nulled: false,
            merged: Vec::new(),
            span: None,
        }
    }

    /// A table or CTE by name, as a relation named after it.
    fn table_rel(&mut self, name: &ast::ObjectName) -> Option<Rel> {
        let q = qual_name(name);
        if q.schema.is_none() {
            if let Some(cte) = self.ctes.iter().rev().find(|r| r.name == q.name) {
                return Some(cte.clone());
            }
        }
        let user = self
            .cat
            .table(&q)
            .filter(|_| !crate::catalog::system::shadows(&q));
        let system = user
            .is_none()
            .then(|| crate::catalog::system::relation(&q))
            .flatten();
        match user.or(system.as_ref()) {
            Some(t) => Some(Rel {
                name: t.name.name.clone(),
                table: Some(t.name.clone()),
                columns: t
                    .columns
                    .iter()
                    .map(|c| RelColumn {
                        name: c.name.clone(),
                        ty: c.ty.clone(),
                        not_null: c.not_null,
                        table: Some(t.name.clone()),
                        domain: c.domain.clone(),
                    })
                    .collect(),
                nulled: false,
                merged: Vec::new(),
                span: None,
            }),
            // `FROM current_date`: a value function, which the parser reads as a table name.
            None if q.schema.is_none() && functions_value(&q.name, true).is_some() => {
                let ty = functions_value(&q.name, true).unwrap();
                let col = RelColumn {
                    name: q.name.clone(),
                    ty,
                    not_null: nullability::form_not_null(nullability::Form::ValueFunction),
                    table: None,
                    domain: None,
                };
                Some(Rel {
                    name: q.name.clone(),
                    table: None,
                    columns: vec![col],
                    nulled: false,
                    merged: Vec::new(),
                    span: None,
                })
            }
            None => {
                let at = name_span(self.file, name).unwrap_or(self.fallback);
                let d = self.unknown_relation(&q, at, true);
                self.error(d);
                self.missing_relation = true;
                None
            }
        }
    }

    /// A relation that is not in the catalog: its schema's absence when that is the problem,
    /// with the nearest name as help.
    fn unknown_relation(&self, q: &QualName, at: Span, with_ctes: bool) -> Diagnostic {
        if let Some(schema) = &q.schema {
            let schemas = self.cat.schema_names();
            if !schemas.contains(schema) {
                let mut d = Diagnostic::error(
                    Code::UnknownSchema,
                    format!("schema `{schema}` does not exist"),
                )
                .label(at, format!("in relation name `{q}`"));
                if let Some(s) = did_you_mean(schema, schemas.iter().map(String::as_str)) {
                    d = d.help(format!("did you mean `{s}`?"));
                } else {
                    d = d.help("create it with `CREATE SCHEMA` in a migration");
                }
                return d;
            }
        }
        let mut d = Diagnostic::error(
            Code::UnknownRelation,
            format!("relation `{q}` does not exist"),
        )
        .at(at);
        let mut names: Vec<String> = self.cat.table_names().collect();
        if with_ctes {
            names.extend(self.ctes.iter().map(|c| c.name.clone()));
        }
        let failed = self
            .cat
            .failed
            .iter()
            .rev()
            .find(|(f, _)| f.name == q.name && (q.schema.is_none() || f.schema == q.schema));
        if let Some((_, at)) = failed {
            // Its definition failed: the error there is the one to fix.
            return d.secondary(
                *at,
                format!("`{q}` is defined here, but the statement failed"),
            );
        }
        if let Some(s) = did_you_mean(&q.to_string(), names.iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        d
    }

    // ---- data-modifying statements ---------------------------------------------------------------

    fn target_table(&mut self, name: &ast::ObjectName, alias: Option<&ast::Ident>) -> Option<Rel> {
        let q = qual_name(name);
        if self.cat.table(&q).is_none() {
            let at = name_span(self.file, name).unwrap_or(self.fallback);
            let d = self.unknown_relation(&q, at, false);
            self.error(d);
            self.missing_relation = true;
            return None;
        }
        let saved = std::mem::take(&mut self.ctes);
        let mut rel = self.table_rel(name);
        self.ctes = saved;
        if let (Some(r), Some(a)) = (rel.as_mut(), alias) {
            r.name = ident(a);
        }
        rel
    }

    fn column_expect(&mut self, rel: &Rel, col: &ast::Ident) -> Expect {
        let name = ident(col);
        match rel.columns.iter().find(|c| c.name == name) {
            Some(c) => Expect {
                origin: rel.table.clone().map(|t| (t, name.clone())),
                domain: rel
                    .table
                    .as_ref()
                    .and_then(|t| self.cat.table(t))
                    .and_then(|t| t.column(&name))
                    .and_then(|c| c.domain.clone()),
                ty: Some(c.ty.clone()),
                name: Some(name),
                nullable: !c.not_null,
            },
            None => {
                let at = self.span(col.span);
                let mut d = Diagnostic::error(
                    Code::UnknownColumn,
                    format!("column `{name}` of relation `{}` does not exist", rel.name),
                )
                .at(at);
                if let Some(s) = did_you_mean(&name, rel.columns.iter().map(|c| c.name.as_str())) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                Expect::default()
            }
        }
    }

    fn returning(&mut self, items: &Option<Vec<ast::SelectItem>>, scope: &Scope) -> Vec<Out> {
        self.returning_with(items, scope, scope)
    }

    /// RETURNING: `*` over `scope`, listed expressions over `values` (the row as it was written).
    fn returning_with(
        &mut self,
        items: &Option<Vec<ast::SelectItem>>,
        scope: &Scope,
        values: &Scope,
    ) -> Vec<Out> {
        let mut outs = Vec::new();
        for item in items.iter().flatten() {
            if let ast::SelectItem::Wildcard(opts) = item {
                // RETURNING * returns the target's columns and those of every FROM / USING table.
                let at = span(self.file, opts.wildcard_token.0.span);
                let rels = scope.rels.iter().collect::<Vec<_>>();
                self.expand(&rels, rels.len() > 1, at, &mut outs);
                continue;
            }
            self.select_item(item, values, &Expect::default(), &mut outs);
        }
        outs
    }

    fn insert(&mut self, ins: &ast::Insert, parent: Option<&Scope>) -> Vec<Out> {
        let ast::TableObject::TableName(name) = &ins.table else {
            self.error(
                Diagnostic::error(
                    Code::Unsupported,
                    "INSERT into a table function is not supported",
                )
                .at(self.fallback),
            );
            return Vec::new();
        };
        let alias = ins.table_alias.as_ref().map(|a| &a.alias);
        let Some(rel) = self.target_table(name, alias) else {
            return Vec::new();
        };
        let targets: Vec<Expect> = if ins.columns.is_empty() {
            rel.columns
                .iter()
                .map(|c| Expect {
                    origin: rel.table.clone().map(|t| (t, c.name.clone())),
                    domain: rel
                        .table
                        .as_ref()
                        .and_then(|t| self.cat.table(t))
                        .and_then(|t| t.column(&c.name))
                        .and_then(|c| c.domain.clone()),
                    ty: Some(c.ty.clone()),
                    name: Some(c.name.clone()),
                    nullable: !c.not_null,
                })
                .collect()
        } else {
            ins.columns
                .iter()
                .map(|c| {
                    let id =
                        c.0.last()
                            .and_then(|p| p.as_ident())
                            .cloned()
                            .unwrap_or_else(|| ast::Ident::new(""));
                    self.column_expect(&rel, &id)
                })
                .collect()
        };
        if let Some(src) = &ins.source {
            if let ast::SetExpr::Values(v) = src.body.as_ref() {
                for row in &v.rows {
                    if row.content.len() > targets.len() {
                        let at = self.span(row.content[targets.len()].span());
                        self.error(
                            Diagnostic::error(
                                Code::ColumnCount,
                                "INSERT has more expressions than target columns",
                            )
                            .at(at),
                        );
                    } else if row.content.len() < targets.len() && !ins.columns.is_empty() {
                        let at = self.span(row.closing_token.0.span);
                        self.error(
                            Diagnostic::error(
                                Code::ColumnCount,
                                "INSERT has more target columns than expressions",
                            )
                            .at(at),
                        );
                    }
                }
            }
            let outs = self.query(src, parent, Some(&targets));
            let values = matches!(src.body.as_ref(), ast::SetExpr::Values(_));
            if outs.len() > targets.len() && !values {
                self.error(
                    Diagnostic::error(
                        Code::ColumnCount,
                        "INSERT has more expressions than target columns",
                    )
                    .at(self.span(src.span())),
                );
            }
        }
        let scope = Scope {
            rels: vec![rel.clone()],
            parent,
            frame: None,
        };
        if let Some(ast::OnInsert::OnConflict(oc)) = &ins.on {
            if let Some(ast::ConflictTarget::Columns { columns: cols, .. }) = &oc.conflict_target {
                for c in cols {
                    self.column_expect(&rel, c);
                }
            }
            if let (ast::OnConflictAction::DoUpdate(_), None) = (&oc.action, &oc.conflict_target) {
                let at = self.span(ins.insert_token.0.span);
                self.error(
                    Diagnostic::error(
                        Code::OnConflict,
                        "ON CONFLICT DO UPDATE requires a conflict target",
                    )
                    .at(at)
                    .help("name the unique columns, such as `ON CONFLICT (email) DO UPDATE`"),
                );
            }
            if let ast::OnConflictAction::DoUpdate(du) = &oc.action {
                let mut excluded = rel.clone();
                excluded.name = "excluded".into();
                let scope = Scope {
                    rels: vec![rel.clone(), excluded],
                    parent,
                    frame: None,
                };
                let _ = self.assignments(&du.assignments, &rel, &scope);
                if let Some(w) = &du.selection {
                    self.expr(w, &scope, &Expect::ty(PgType::Bool));
                }
            }
        }
        self.returning(&ins.returning, &scope)
    }

    /// The COPY statement of a `:copyfrom` query, which must be
    /// `INSERT INTO t [(cols)] VALUES ($1, $2, ...)`: one row of distinct plain parameters,
    /// nothing computed, nothing returned.
    fn copy_from(&mut self, stmt: &ast::Statement, raw: &RawQuery) -> Option<ir::CopyFrom> {
        let help = "write `INSERT INTO t (a, b) VALUES ($1, $2)` (or `@a, @b`): one row of parameters, one per column";
        let shape_error = |a: &mut Self, at: Span, what: &str| {
            a.error(
                Diagnostic::error(
                    Code::CopyFromShape,
                    format!("`:copyfrom` query `{}` {what}", raw.name),
                )
                .at(at)
                .help(help),
            );
        };
        let ast::Statement::Insert(ins) = stmt else {
            let at = self.span(stmt.span());
            shape_error(self, at, "must be a plain INSERT");
            return None;
        };
        let at = self.span(ins.insert_token.0.span);
        let ast::TableObject::TableName(name) = &ins.table else {
            return None;
        };
        let table = self.cat.table(&qual_name(name))?;
        let src = ins.source.as_ref()?;
        if src.with.is_some() || src.order_by.is_some() || src.limit_clause.is_some() {
            shape_error(self, at, "must be a plain INSERT ... VALUES");
            return None;
        }
        let ast::SetExpr::Values(values) = src.body.as_ref() else {
            shape_error(
                self,
                self.span(src.span()),
                "must insert VALUES, not a query",
            );
            return None;
        };
        if values.rows.len() != 1 {
            let at = self.span(values.rows.get(1).map_or(src.span(), |r| r.span()));
            shape_error(self, at, "must insert exactly one row of VALUES");
            return None;
        }
        if ins.on.is_some() {
            shape_error(
                self,
                at,
                "cannot have ON CONFLICT: COPY has no conflict handling",
            );
            return None;
        }
        if let Some(r) = ins.returning.as_ref().and_then(|r| r.first()) {
            shape_error(
                self,
                self.span(r.span()),
                "cannot return rows: COPY returns only a count",
            );
            return None;
        }
        let columns: Vec<String> = if ins.columns.is_empty() {
            table.columns.iter().map(|c| c.name.clone()).collect()
        } else {
            ins.columns
                .iter()
                .map(|c| {
                    c.0.last()
                        .and_then(|p| p.as_ident())
                        .map(ident)
                        .unwrap_or_default()
                })
                .collect()
        };
        let row = &values.rows[0];
        if row.content.len() != columns.len() {
            // The INSERT analysis reports the arity mismatch.
            return None;
        }
        let params = self.copy_params(&row.content, raw, help)?;
        let table_sql = match &table.name.schema {
            Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&table.name.name)),
            None => quote_ident(&table.name.name),
        };
        let cols: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
        Some(ir::CopyFrom {
            sql: format!(
                "COPY {table_sql} ({}) FROM STDIN (FORMAT binary)",
                cols.join(", ")
            ),
            params,
        })
    }

    /// The parameter number each value of a `:copyfrom` row is (0-based), or an error for a value
    /// that is not a parameter or a parameter used twice.
    fn copy_params(
        &mut self,
        values: &[ast::Expr],
        raw: &RawQuery,
        help: &str,
    ) -> Option<Vec<usize>> {
        let mut params = Vec::new();
        for e in values {
            let number = match e {
                ast::Expr::Value(v) => match &v.value {
                    ast::Value::Placeholder(p) => p.trim_start_matches('$').parse::<usize>().ok(),
                    _ => None,
                },
                _ => None,
            };
            let Some(n) = number.filter(|n| *n >= 1) else {
                let at = self.span(e.span());
                self.error(
                    Diagnostic::error(
                        Code::CopyFromShape,
                        format!(
                            "`:copyfrom` query `{}` inserts a value that is not a parameter",
                            raw.name
                        ),
                    )
                    .label(at, "COPY can only load parameter values")
                    .help(help),
                );
                return None;
            };
            if params.contains(&(n - 1)) {
                let at = self.span(e.span());
                self.error(
                    Diagnostic::error(
                        Code::CopyFromShape,
                        format!(
                            "`:copyfrom` query `{}` inserts parameter ${n} twice",
                            raw.name
                        ),
                    )
                    .label(at, "each column needs its own parameter")
                    .help(help),
                );
                return None;
            }
            params.push(n - 1);
        }
        Some(params)
    }

    /// Types `SET col = value` assignments; returns the columns set to a value that cannot be NULL.
    fn assignments(
        &mut self,
        assignments: &[ast::Assignment],
        target: &Rel,
        scope: &Scope,
    ) -> Vec<String> {
        let mut set_not_null = Vec::new();
        for a in assignments {
            match &a.target {
                ast::AssignmentTarget::ColumnName(n) => {
                    let id =
                        n.0.last()
                            .and_then(|p| p.as_ident())
                            .cloned()
                            .unwrap_or_else(|| ast::Ident::new(""));
                    let ex = self.column_expect(target, &id);
                    if self.expr(&a.value, scope, &ex).not_null {
                        set_not_null.push(ident(&id));
                    }
                }
                ast::AssignmentTarget::Tuple(names) => {
                    let exs: Vec<Expect> = names
                        .iter()
                        .map(|n| {
                            let id =
                                n.0.last()
                                    .and_then(|p| p.as_ident())
                                    .cloned()
                                    .unwrap_or_else(|| ast::Ident::new(""));
                            self.column_expect(target, &id)
                        })
                        .collect();
                    match &a.value {
                        ast::Expr::Tuple(vals) => {
                            for (v, ex) in vals.iter().zip(exs) {
                                self.expr(v, scope, &ex);
                            }
                        }
                        other => {
                            self.expr(other, scope, &Expect::default());
                        }
                    }
                }
            }
        }
        set_not_null
    }

    fn update(&mut self, up: &ast::Update, parent: Option<&Scope>) -> Vec<Out> {
        let ast::TableFactor::Table { name, alias, .. } = &up.table.relation else {
            self.error(
                Diagnostic::error(Code::Unsupported, "UPDATE needs a table")
                    .at(self.span(up.table.relation.span())),
            );
            return Vec::new();
        };
        let Some(rel) = self.target_table(name, alias.as_ref().map(|a| &a.name)) else {
            return Vec::new();
        };
        use grouping::Clause;
        // A level of its own for the aggregate rules: none may stand in any clause of it.
        let frame = Some(self.grouping.push());
        let mut scope = Scope {
            rels: vec![rel.clone()],
            parent,
            frame,
        };
        if let Some(
            ast::UpdateTableFromKind::AfterSet(from) | ast::UpdateTableFromKind::BeforeSet(from),
        ) = &up.from
        {
            self.grouping.clause(frame, Clause::From);
            self.from(from, &mut scope);
        }
        self.grouping.clause(frame, Clause::Elsewhere("UPDATE"));
        let set_not_null = self.assignments(&up.assignments, &rel, &scope);
        if let Some(w) = &up.selection {
            self.grouping.clause(frame, Clause::Where);
            self.expr(w, &scope, &Expect::ty(PgType::Bool));
        }
        // `SET revoked_at = now() RETURNING revoked_at` returns the new, non-null value. RETURNING *
        // keeps the table's own nullability, so that its row stays the table's model.
        let mut updated = scope.clone();
        for c in updated.rels[0]
            .columns
            .iter_mut()
            .filter(|c| set_not_null.contains(&c.name))
        {
            c.not_null = true;
        }
        self.grouping.clause(frame, Clause::Elsewhere("RETURNING"));
        let outs = self.returning_with(&up.returning, &scope, &updated);
        self.grouping.pop(|_| None);
        outs
    }

    fn delete(&mut self, del: &ast::Delete, parent: Option<&Scope>) -> Vec<Out> {
        let (ast::FromTable::WithFromKeyword(from) | ast::FromTable::WithoutKeyword(from)) =
            &del.from;
        let Some(first) = from.first() else {
            return Vec::new();
        };
        let ast::TableFactor::Table { name, alias, .. } = &first.relation else {
            self.error(
                Diagnostic::error(Code::Unsupported, "DELETE needs a table")
                    .at(self.span(first.relation.span())),
            );
            return Vec::new();
        };
        let Some(rel) = self.target_table(name, alias.as_ref().map(|a| &a.name)) else {
            return Vec::new();
        };
        use grouping::Clause;
        let frame = Some(self.grouping.push());
        let mut scope = Scope {
            rels: vec![rel],
            parent,
            frame,
        };
        if let Some(using) = &del.using {
            self.grouping.clause(frame, Clause::From);
            self.from(using, &mut scope);
        }
        if let Some(w) = &del.selection {
            self.grouping.clause(frame, Clause::Where);
            self.expr(w, &scope, &Expect::ty(PgType::Bool));
        }
        self.grouping.clause(frame, Clause::Elsewhere("RETURNING"));
        let outs = self.returning(&del.returning, &scope);
        self.grouping.pop(|_| None);
        outs
    }
}

/// `FROM current_date` and the like: SQL value functions used as a relation.
fn functions_value(name: &str, no_args: bool) -> Option<PgType> {
    no_args.then(|| functions::value_function(name)).flatten()
}

fn is_embed(f: &ast::Function) -> bool {
    crate::syntax::parse::name_parts(&f.name) == ["sqlc", "embed"]
}

fn function_arg_expr(a: &ast::FunctionArg) -> Option<&ast::Expr> {
    match a {
        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e))
        | ast::FunctionArg::Named {
            arg: ast::FunctionArgExpr::Expr(e),
            ..
        }
        | ast::FunctionArg::ExprNamed {
            arg: ast::FunctionArgExpr::Expr(e),
            ..
        } => Some(e),
        _ => None,
    }
}

fn out_of(t: Typed, alias: Option<String>) -> Out {
    let name = alias.or(t.name).unwrap_or_else(|| "?column?".to_string());
    Out {
        name,
        ty: t.ty,
        not_null: t.not_null,
        table: t.table,
        column: t.column,
        embed: None,
        domain: t.domain,
    }
}

/// The array of values of `ty` declared with `domain`: PostgreSQL's array of the domain
/// (`label[]`), or of the type itself.
pub(crate) fn array_of(ty: &PgType, domain: Option<&QualName>) -> PgType {
    let elem = match domain {
        Some(d) if !ty.is_array() => PgType::Domain(d.clone(), Box::new(ty.clone())),
        _ => ty.clone(),
    };
    PgType::Array(Box::new(elem))
}

/// An array's element: its type, with the domain beside it when the array is one of a domain.
pub(crate) fn element_of(array: &PgType) -> Option<(PgType, Option<QualName>)> {
    match array {
        PgType::Array(inner) => Some(match inner.as_ref() {
            PgType::Domain(d, base) => ((**base).clone(), Some(d.clone())),
            other => (other.clone(), None),
        }),
        _ => None,
    }
}

/// Types that one parameter may take in different places without a conflict.
fn compatible(a: &PgType, b: &PgType) -> bool {
    let stringy = |t: &PgType| {
        matches!(
            t,
            PgType::Text | PgType::Varchar | PgType::Bpchar | PgType::Name | PgType::Citext
        )
    };
    stringy(a) && stringy(b)
}
