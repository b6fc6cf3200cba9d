//! Expression typing: column references, literals, parameters, operators, functions and casts.

use super::functions::{special_form, value_function, SpecialForm};
use super::nullability::{self, operator_not_null};
use super::resolve::{self, RType};
use super::scope::{Lookup, Scope};
use super::{Analyzer, Expect, Typed};
use crate::catalog::pg_catalog::CATALOG;
use crate::catalog::types::{resolve, Resolved};
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::ir::{PgType, QualName};
use crate::source::Span;
use crate::syntax::parse::{ast, ident};
use crate::syntax::rewrite;
use sqlparser::ast::Spanned;

/// A resolved call: its value, and the row it produces as a FROM item.
/// A call's arguments as written ([`Analyzer::call_arguments`]).
struct CallArgs<'f> {
    args: Vec<&'f ast::Expr>,
    /// An aggregate's ORDER BY.
    order_by: Vec<&'f ast::OrderByExpr>,
    /// Argument names in named notation, by position.
    names: Vec<Option<String>>,
}

/// A call as [`Analyzer::call`] typed its arguments, for its resolved and unresolved ends.
#[derive(Clone, Copy)]
struct CallContext<'a> {
    name: &'a str,
    typed: &'a [Option<Typed>],
    rtypes: &'a [RType],
    windowed: bool,
    filtered: bool,
}

pub(crate) struct Call {
    pub typed: Typed,
    pub columns: Vec<(String, PgType, bool)>,
}

impl<'a> Analyzer<'a> {
    pub(crate) fn expr(&mut self, e: &ast::Expr, scope: &Scope, ex: &Expect) -> Typed {
        // An expression GROUP BY lists may show ungrouped columns inside it (`lower(name)`).
        let plain = matches!(
            e,
            ast::Expr::Identifier(_) | ast::Expr::CompoundIdentifier(_) | ast::Expr::Value(_)
        );
        if !plain
            && self.grouping.has_group_exprs()
            && self.grouping.is_grouped_expr(&super::grouping::expr_key(e))
        {
            self.grouping.grouped_expr(true);
            let t = self.expr_kind(e, scope, ex);
            self.grouping.grouped_expr(false);
            return t;
        }
        self.expr_kind(e, scope, ex)
    }

    fn expr_kind(&mut self, e: &ast::Expr, scope: &Scope, ex: &Expect) -> Typed {
        use ast::Expr as E;
        if let Some(t) = self.predicate(e, scope, ex) {
            return t;
        }
        if let Some(t) = self.constructed(e, scope, ex) {
            return t;
        }
        match e {
            // `VALUES ($1, DEFAULT)`: the column's default, of the column's type.
            E::Identifier(id)
                if id.quote_style.is_none()
                    && id.value.eq_ignore_ascii_case("default")
                    && ex.ty.is_some() =>
            {
                Typed::new(
                    ex.ty.clone().unwrap_or(PgType::Unknown),
                    nullability::default_not_null(ex.nullable),
                )
            }
            // `CURRENT_SCHEMA`, `CURRENT_ROLE`, `LOCALTIME`...: reserved words in PostgreSQL, so
            // unquoted they are always the SQL value functions, never a column.
            E::Identifier(id)
                if id.quote_style.is_none()
                    && value_function(&id.value.to_ascii_lowercase()).is_some() =>
            {
                let name = id.value.to_ascii_lowercase();
                let ty = value_function(&name).unwrap_or(PgType::Unknown);
                Typed::new(
                    ty,
                    nullability::form_not_null(nullability::Form::ValueFunction),
                )
                .named(&name)
            }
            E::Identifier(id) => self.column_ref(scope, None, id),
            // `substr(x, 2)` and `SUBSTRING(x FROM 2 FOR 3)` parse as their own form: the call of
            // `substr` / `substring` with the arguments given (a FOR without FROM starts at 1).
            E::Substring {
                expr,
                substring_from,
                substring_for,
                shorthand,
                ..
            } => self.substring(
                e,
                expr,
                substring_from.as_deref(),
                substring_for.as_deref(),
                *shorthand,
                scope,
            ),
            // `ceil(x)` and `floor(x)` parse as their own forms (for `CEIL(x TO DAY)` elsewhere).
            E::Ceil { expr, field } | E::Floor { expr, field }
                if matches!(
                    field,
                    ast::CeilFloorKind::DateTimeField(ast::DateTimeField::NoDateTime)
                ) =>
            {
                let name = if matches!(e, E::Ceil { .. }) {
                    "ceil"
                } else {
                    "floor"
                };
                let at = self.span(e.span());
                self.call(at, None, name, &[expr.as_ref()], &[None], scope)
                    .typed
            }
            E::CompoundIdentifier(ids) => {
                let n = ids.len();
                if n < 2 {
                    return self.column_ref(scope, None, &ids[0]);
                }
                let rel = ident(&ids[n - 2]);
                self.column_ref(scope, Some(&rel), &ids[n - 1])
            }
            E::Value(v) => self.literal(v, ex),
            E::Nested(inner) => self.expr(inner, scope, ex),
            E::Cast {
                expr, data_type, ..
            } => self.cast(e, expr, data_type, scope, ex),
            E::TypedString(ts) => self.typed_string(e, ts),
            E::Interval(_) => Typed::new(
                PgType::Interval,
                nullability::form_not_null(nullability::Form::Constant),
            )
            .named("interval"),
            E::Function(f) => self.function(e, f, scope, ex),
            E::CompoundFieldAccess { root, access_chain } => {
                self.field_access(e, root, access_chain, scope)
            }
            E::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
                scope,
                ex,
            ),
            E::Subquery(q) => self.scalar_subquery(e, q, scope),
            other => {
                let at = self.span(other.span());
                self.error(
                    Diagnostic::error(
                        Code::Unsupported,
                        format!("expression `{other}` is not supported yet"),
                    )
                    .at(at),
                );
                Typed::unknown()
            }
        }
    }

    /// Conditions and comparisons: IS, BETWEEN, IN, LIKE, EXISTS, ANY/ALL, binary and unary
    /// operators. `None` for any other expression.
    fn predicate(&mut self, e: &ast::Expr, scope: &Scope, ex: &Expect) -> Option<Typed> {
        use ast::Expr as E;
        Some(match e {
            E::IsNull(x) | E::IsNotNull(x) | E::IsUnknown(x) | E::IsNotUnknown(x) => {
                self.expr(x, scope, &Expect::default());
                Typed::new(
                    PgType::Bool,
                    nullability::form_not_null(nullability::Form::Test),
                )
            }
            E::IsTrue(x) | E::IsNotTrue(x) | E::IsFalse(x) | E::IsNotFalse(x) => {
                self.expr(x, scope, &Expect::ty(PgType::Bool));
                Typed::new(
                    PgType::Bool,
                    nullability::form_not_null(nullability::Form::Test),
                )
            }
            E::IsDistinctFrom(l, r) | E::IsNotDistinctFrom(l, r) => {
                // PostgreSQL compares with the `=` the two types have.
                let (a, b) = self.pair(l, r, scope);
                self.need_comparison(e, "=", &a.ty, &b.ty, None);
                Typed::new(
                    PgType::Bool,
                    nullability::form_not_null(nullability::Form::Test),
                )
            }
            E::Between {
                expr, low, high, ..
            } => {
                // `x BETWEEN a AND b` is `x >= a AND x <= b`: both operators must exist.
                let (a, b) = self.pair(expr, low, scope);
                let c = self.expr(high, scope, &compare_expect(&a));
                self.need_comparison(e, ">=", &a.ty, &b.ty, None);
                self.need_comparison(e, "<=", &a.ty, &c.ty, None);
                Typed::new(
                    PgType::Bool,
                    operator_not_null(&[a.not_null, b.not_null, c.not_null]),
                )
            }
            E::In { expr, target, .. } => self.in_expr(expr, target, scope),
            E::BinaryOp { left, op, right } => self.binary(e, left, op, right, scope),
            E::Like { expr, pattern, .. }
            | E::ILike { expr, pattern, .. }
            | E::SimilarTo { expr, pattern, .. } => {
                let a = self.expr(expr, scope, &Expect::ty(PgType::Text));
                let b = self.expr(pattern, scope, &param_expect(PgType::Text, Some(&a)));
                Typed::new(PgType::Bool, operator_not_null(&[a.not_null, b.not_null]))
            }
            E::UnaryOp { op, expr } => match op {
                ast::UnaryOperator::Not => {
                    let t = self.expr(expr, scope, &Expect::ty(PgType::Bool));
                    Typed::new(PgType::Bool, t.not_null)
                }
                ast::UnaryOperator::Minus | ast::UnaryOperator::Plus => {
                    let t = self.expr(expr, scope, ex);
                    Typed::new(t.ty, t.not_null)
                }
                // `~ x`, `@ x`, `|/ x`, `||/ x`...: prefix operators of the catalogue.
                other => self.operator_call(e, &other.to_string(), None, expr, scope),
            },
            E::Exists { subquery, .. } => {
                self.query(subquery, Some(scope), None);
                Typed::new(
                    PgType::Bool,
                    nullability::form_not_null(nullability::Form::Test),
                )
                .named("exists")
            }
            E::AnyOp {
                left,
                right,
                compare_op,
                ..
            }
            | E::AllOp {
                left,
                right,
                compare_op,
            } => self.any_all(e, left, compare_op, right, scope),
            _ => return None,
        })
    }

    /// Values built from others: arrays (`ARRAY[...]`, `ARRAY(SELECT ...)`), rows, EXTRACT and
    /// AT TIME ZONE. `None` for any other expression.
    fn constructed(&mut self, e: &ast::Expr, scope: &Scope, ex: &Expect) -> Option<Typed> {
        use ast::Expr as E;
        Some(match e {
            // `ARRAY(SELECT ...)`
            E::Function(f)
                if f.name.to_string().eq_ignore_ascii_case("array")
                    && matches!(f.args, ast::FunctionArguments::Subquery(_)) =>
            {
                let ast::FunctionArguments::Subquery(q) = &f.args else {
                    unreachable!()
                };
                let outs = self.query(q, Some(scope), None);
                let ty = match outs.first() {
                    Some(o) => super::array_of(&resolved_unknown(&o.ty), o.domain.as_ref()),
                    None => PgType::Array(Box::new(PgType::Unknown)),
                };
                Typed::new(
                    ty,
                    nullability::form_not_null(nullability::Form::ArrayConstructor),
                )
                .named("array")
            }
            E::Array(arr) => {
                let elem_ex = Expect {
                    ty: ex.ty.as_ref().and_then(element_type),
                    ..Expect::default()
                };
                let items: Vec<&ast::Expr> = arr.elem.iter().collect();
                let c = self.common(&items, scope, &elem_ex);
                Typed::new(
                    super::array_of(&c.ty, c.domain.as_ref()),
                    nullability::form_not_null(nullability::Form::ArrayConstructor),
                )
                .named("array")
            }
            E::Extract { expr, .. } => {
                let t = self.expr(expr, scope, &Expect::default());
                Typed::new(PgType::Numeric, t.not_null).named("extract")
            }
            E::AtTimeZone {
                timestamp,
                time_zone,
            } => {
                let t = self.expr(timestamp, scope, &Expect::ty(PgType::Timestamptz));
                let z = self.expr(time_zone, scope, &Expect::ty(PgType::Text));
                let ty = if t.ty == PgType::Timestamp {
                    PgType::Timestamptz
                } else {
                    PgType::Timestamp
                };
                Typed::new(ty, operator_not_null(&[t.not_null, z.not_null])).named("timezone")
            }
            E::Tuple(items) => {
                let nn: Vec<bool> = items
                    .iter()
                    .map(|i| self.expr(i, scope, &Expect::default()).not_null)
                    .collect();
                Typed::new(PgType::Record, nullability::every_member_not_null(&nn)).named("row")
            }
            _ => return None,
        })
    }

    /// `date '2024-01-01'`: a constant of the type, which must read as one.
    fn typed_string(&mut self, e: &ast::Expr, ts: &ast::TypedString) -> Typed {
        match self.data_type(&ts.data_type, e) {
            Some(ty) => {
                if let Some(text) = ts.value.value.clone().into_string() {
                    self.check_literal(&text, &ty, e);
                }
                let name = ty.column_name();
                Typed::new(ty, nullability::form_not_null(nullability::Form::Constant)).named(&name)
            }
            None => Typed::unknown(),
        }
    }

    /// `x::t` and `CAST(x AS t)`: an untyped `x` takes the type, a quoted constant must be valid.
    fn cast(
        &mut self,
        e: &ast::Expr,
        expr: &ast::Expr,
        data_type: &ast::DataType,
        scope: &Scope,
        ex: &Expect,
    ) -> Typed {
        let Some(ty) = self.data_type(data_type, e) else {
            return Typed::unknown();
        };
        if let Some(text) = quoted_literal(expr) {
            self.check_literal(text, &ty, expr);
        }
        // `x::label`: a value of the domain (a parameter so cast is typed as the domain).
        let domain = self.cat.domain_written(&data_type.to_string());
        self.in_cast += 1;
        let inner = self.expr(
            expr,
            scope,
            &Expect {
                domain: domain.clone(),
                ty: Some(ty.clone()),
                name: ex.name.clone(),
                nullable: ex.nullable,
                origin: None,
            },
        );
        self.in_cast -= 1;
        let t = Typed::new(ty, inner.not_null).with_domain(domain);
        match inner.strong_name() {
            Some(name) => t.named(name),
            None => {
                let name = match &t.domain {
                    Some(d) => d.name.clone(),
                    None => t.ty.column_name(),
                };
                t.named_weakly(&name)
            }
        }
    }

    /// `CASE [x] WHEN ... THEN ... [ELSE ...] END`.
    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        else_result: Option<&ast::Expr>,
        scope: &Scope,
        ex: &Expect,
    ) -> Typed {
        let op = operand
            .as_ref()
            .map(|o| self.expr(o, scope, &Expect::default()));
        let mut results = Vec::new();
        for w in conditions {
            match &op {
                Some(o) => {
                    // `CASE x WHEN y`: each `x = y` needs an operator.
                    let t = self.expr(&w.condition, scope, &compare_expect(o));
                    self.need_comparison(&w.condition, "=", &o.ty, &t.ty, None);
                }
                None => {
                    self.expr(&w.condition, scope, &Expect::ty(PgType::Bool));
                }
            }
            results.push(&w.result);
        }
        // PostgreSQL weighs the ELSE result first when it picks the common type
        // (`CASE WHEN c THEN name ELSE text END` is text).
        let mut exprs: Vec<&ast::Expr> = Vec::new();
        exprs.extend(else_result);
        exprs.extend(results);
        let c = self.common(&exprs, scope, ex);
        // Every branch must be non-null, and a missing ELSE is NULL (an untyped NULL,
        // which makes the common type of a domain its base type).
        let t = Typed::new(
            c.ty,
            nullability::case_not_null(&c.not_null, else_result.is_some()),
        )
        .with_domain(c.domain.filter(|_| else_result.is_some()));
        // PostgreSQL names a CASE after its ELSE when that has a name of its own.
        match c.first_name.filter(|_| else_result.is_some()) {
            Some(name) => t.named(&name),
            None => t.named_weakly("case"),
        }
    }

    /// `x op ANY (array or subquery)`, and ALL.
    fn any_all(
        &mut self,
        e: &ast::Expr,
        left: &ast::Expr,
        compare_op: &ast::BinaryOperator,
        right: &ast::Expr,
        scope: &Scope,
    ) -> Typed {
        // `x = ANY (SELECT ...)`, in any number of parentheses, compares with each row;
        // `x = ANY (array)` with each element.
        let mut inner = right;
        while let ast::Expr::Nested(x) = inner {
            inner = x;
        }
        let rows = matches!(inner, ast::Expr::Subquery(_));
        let element = |t: &PgType| {
            if rows {
                Some(t.clone())
            } else {
                element_type(t)
            }
        };
        let (l, r) = if self.untyped(left) && !self.untyped(right) {
            // `$1 = ANY(tags)`: the parameter takes the array's element type.
            let r = self.expr(right, scope, &Expect::default());
            let elem = element(&r.ty).unwrap_or(PgType::Unknown);
            let l = self.expr(
                left,
                scope,
                &Expect::named(compare_type(&elem), r.column.clone()),
            );
            (l, r)
        } else {
            let l = self.expr(left, scope, &Expect::default());
            let want = compare_type(&l.ty);
            let want = if rows {
                want
            } else {
                PgType::Array(Box::new(want))
            };
            let r = self.expr(right, scope, &Expect::named(want, l.column.clone()));
            (l, r)
        };
        if let Some(elem) = element(&r.ty) {
            self.need_comparison(
                e,
                &operator_name(compare_op),
                &l.ty,
                &elem,
                Some(
                    "ANY and ALL compare with each element of an array, or each row of a subquery",
                ),
            );
        }
        // Any array but a parameter (a Rust slice of non-Option values) may hold NULL
        // elements, which make the comparison NULL (`'a' = ANY('{NULL}'::text[])`).
        let elements_not_null = is_parameter(right);
        Typed::new(
            PgType::Bool,
            operator_not_null(&[l.not_null, r.not_null, elements_not_null]),
        )
    }

    /// `(SELECT x ...)` as a value.
    fn scalar_subquery(&mut self, e: &ast::Expr, q: &ast::Query, scope: &Scope) -> Typed {
        let outs = self.query(q, Some(scope), None);
        if outs.len() != 1 {
            let at = self.span(e.span());
            self.error(
                Diagnostic::error(Code::ColumnCount, "subquery must return only one column").at(at),
            );
            return Typed::unknown();
        }
        let o = &outs[0];
        // A scalar subquery may return no row at all, unless it is a single aggregate.
        let nn = nullability::scalar_subquery_not_null(single_aggregate_row(q), o.not_null);
        Typed::new(resolved_unknown(&o.ty), nn)
            .with_domain(o.domain.clone())
            .named(&o.name)
    }

    /// `substr(x, 2)` and `SUBSTRING(x FROM 2 FOR 3)`, which parse as their own form: the call of
    /// `substr` / `substring` with the arguments given (a FOR without FROM starts at 1).
    fn substring(
        &mut self,
        e: &ast::Expr,
        expr: &ast::Expr,
        substring_from: Option<&ast::Expr>,
        substring_for: Option<&ast::Expr>,
        shorthand: bool,
        scope: &Scope,
    ) -> Typed {
        let name = if shorthand { "substr" } else { "substring" };
        let one = ast::Expr::value(ast::Value::Number("1".to_string(), false));
        let from = match (substring_from, substring_for) {
            (Some(f), _) => Some(f),
            (None, Some(_)) => Some(&one),
            (None, None) => None,
        };
        let args: Vec<&ast::Expr> = std::iter::once(expr)
            .chain(from)
            .chain(substring_for)
            .collect();
        let at = self.span(e.span());
        let names = vec![None; args.len()];
        self.call(at, None, name, &args, &names, scope).typed
    }

    /// `(composite).field`, `array[i]`, `array[i:j]`, `jsonb['key']`.
    fn field_access(
        &mut self,
        e: &ast::Expr,
        root: &ast::Expr,
        chain: &[ast::AccessExpr],
        scope: &Scope,
    ) -> Typed {
        let mut t = self.expr(root, scope, &Expect::default());
        for step in chain {
            if t.ty == PgType::Unknown {
                return t;
            }
            t = match step {
                ast::AccessExpr::Dot(ast::Expr::Identifier(field)) => {
                    let fname = ident(field);
                    let composite = match &t.ty {
                        PgType::Composite(q) => self.cat.composites.iter().find(|c| &c.name == q),
                        _ => None,
                    };
                    match composite.and_then(|c| c.fields.iter().find(|f| f.0 == fname)) {
                        // Attributes of a composite may always be NULL.
                        Some((_, fty)) => Typed::new(
                            fty.clone(),
                            nullability::form_not_null(nullability::Form::Element),
                        )
                        .named(&fname),
                        None => {
                            let at = self.span(field.span);
                            self.error(
                                Diagnostic::error(
                                    Code::FieldAccess,
                                    format!("column `{fname}` not found in data type {}", t.ty),
                                )
                                .at(at),
                            );
                            return Typed::unknown();
                        }
                    }
                }
                ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => match &t.ty {
                    PgType::Array(_) => {
                        self.expr(index, scope, &Expect::ty(PgType::Int4));
                        let (elem, domain) =
                            super::element_of(&t.ty).unwrap_or((PgType::Unknown, None));
                        // Out of range is NULL, not an error.
                        Typed::new(elem, nullability::form_not_null(nullability::Form::Element))
                            .with_domain(domain)
                            .name_from(&t)
                    }
                    PgType::Jsonb => {
                        self.expr(index, scope, &Expect::ty(PgType::Text));
                        Typed::new(
                            PgType::Jsonb,
                            nullability::form_not_null(nullability::Form::Element),
                        )
                        .name_from(&t)
                    }
                    other => {
                        let at = self.span(e.span());
                        self.error(Diagnostic::error(Code::FieldAccess, format!("cannot subscript type {other} because it does not support subscripting")).at(at));
                        return Typed::unknown();
                    }
                },
                ast::AccessExpr::Subscript(ast::Subscript::Slice {
                    lower_bound,
                    upper_bound,
                    ..
                }) => {
                    for b in lower_bound.iter().chain(upper_bound.iter()) {
                        self.expr(b, scope, &Expect::ty(PgType::Int4));
                    }
                    // A slice out of range is an empty array, so only a NULL array gives NULL.
                    Typed::new(t.ty.clone(), t.not_null).name_from(&t)
                }
                _ => {
                    let at = self.span(e.span());
                    self.error(
                        Diagnostic::error(
                            Code::Unsupported,
                            "this kind of field access is not supported yet",
                        )
                        .at(at),
                    );
                    return Typed::unknown();
                }
            };
        }
        t
    }

    fn column_ref(&mut self, scope: &Scope, rel: Option<&str>, id: &ast::Ident) -> Typed {
        let name = ident(id);
        match scope.lookup(rel, &name) {
            Lookup::NotFound | Lookup::NoSuchRelation if self.missing_relation => Typed::unknown(),
            Lookup::Found(r, c, frame) => {
                let at = self.span(id.span);
                self.grouping.column(frame, &r.name, &c.name, Some(at));
                Typed {
                    ty: c.ty.clone(),
                    not_null: nullability::column_not_null(c.not_null, r.nulled),
                    name: Some(name.clone()),
                    table: c.table.clone(),
                    column: Some(name),
                    declared_not_null: Some(c.not_null),
                    weak_name: false,
                    domain: c.domain.clone(),
                }
            }
            Lookup::Ambiguous => {
                let at = self.span(id.span);
                let candidates: Vec<String> = scope
                    .rels
                    .iter()
                    .filter(|r| r.columns.iter().any(|c| c.name == name))
                    .map(|r| format!("`{}.{name}`", r.name))
                    .collect();
                self.error(
                    Diagnostic::error(
                        Code::AmbiguousColumn,
                        format!("column reference `{name}` is ambiguous"),
                    )
                    .at(at)
                    .help(format!("qualify it: {}", candidates.join(" or "))),
                );
                Typed::unknown()
            }
            Lookup::NoSuchRelation => {
                let rel = rel.unwrap_or_default();
                let at = self.span(id.span);
                let mut d = Diagnostic::error(
                    Code::MissingFromEntry,
                    format!("missing FROM-clause entry for table `{rel}`"),
                )
                .at(at);
                let names: Vec<&str> = scope.rels.iter().map(|r| r.name.as_str()).collect();
                if let Some(s) = did_you_mean(rel, names) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                Typed::unknown()
            }
            Lookup::NotFound => {
                let at = self.span(id.span);
                let msg = match rel {
                    Some(r) => format!("column `{r}.{name}` does not exist"),
                    None => format!("column `{name}` does not exist"),
                };
                let mut d = Diagnostic::error(Code::UnknownColumn, msg).at(at);
                // The relation it was looked up in: the one named, or the only one in scope.
                let looked_in = match rel {
                    Some(r) => scope.rels.iter().find(|x| x.name == r),
                    None if scope.rels.len() == 1 => scope.rels.first(),
                    None => None,
                };
                let mut candidates: Vec<&str> = Vec::new();
                if let Some(r) = looked_in {
                    if let Some(sp) = r.span {
                        let label = match &r.table {
                            Some(t) if t.name != r.name => {
                                format!("`{}` is `{t}`, which has no column `{name}`", r.name)
                            }
                            _ => format!("`{}` has no column `{name}`", r.name),
                        };
                        d = d.secondary(sp, label);
                    }
                    candidates.extend(r.columns.iter().map(|c| c.name.as_str()));
                }
                let near = if rel.is_some() {
                    did_you_mean(&name, candidates)
                } else {
                    did_you_mean(&name, scope.column_names())
                };
                if let Some(s) = near {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                Typed::unknown()
            }
        }
    }

    fn literal(&mut self, v: &ast::ValueWithSpan, ex: &Expect) -> Typed {
        let at = self.span(v.span);
        let t = match &v.value {
            ast::Value::Number(n, _) => {
                let ty = if n.contains(['.', 'e', 'E']) {
                    PgType::Numeric
                } else if n.parse::<i32>().is_ok() {
                    PgType::Int4
                } else if n.parse::<i64>().is_ok() {
                    PgType::Int8
                } else {
                    PgType::Numeric
                };
                Typed::new(ty, nullability::form_not_null(nullability::Form::Constant))
            }
            ast::Value::Boolean(_) => Typed::new(
                PgType::Bool,
                nullability::form_not_null(nullability::Form::Constant),
            ),
            ast::Value::Null => Typed::new(
                ex.ty.clone().unwrap_or(PgType::Unknown),
                nullability::form_not_null(nullability::Form::Null),
            ),
            ast::Value::Placeholder(p) => {
                let n = p.trim_start_matches('$').parse::<usize>().unwrap_or(0);
                return self.bind_param(n, ex, at);
            }
            // Quoted literals are `unknown` until the context types them.
            _ => Typed::new(
                ex.ty.clone().unwrap_or(PgType::Unknown),
                nullability::form_not_null(nullability::Form::Constant),
            ),
        };
        t
    }

    /// A quoted constant cast to `ty` is read by PostgreSQL when it prepares the statement: a
    /// malformed one is an error there, so here too.
    fn check_literal(&mut self, text: &str, ty: &PgType, at: &ast::Expr) {
        if let Err(msg) = super::literal::check(text, ty, self.cat) {
            let at = self.span(at.span());
            self.error(Diagnostic::error(Code::InvalidLiteral, msg).at(at));
        }
    }

    fn data_type(&mut self, dt: &ast::DataType, e: &ast::Expr) -> Option<PgType> {
        let written = dt.to_string();
        match resolve(&written, &|q| self.cat.user_type(q)) {
            Some(Resolved::Type(t)) => Some(t),
            Some(Resolved::Serial(_)) | None => {
                let at = self.span(e.span());
                let mut d = Diagnostic::error(
                    Code::UnknownType,
                    format!("type `{written}` does not exist"),
                )
                .at(at);
                let user: Vec<String> = self
                    .cat
                    .enums
                    .iter()
                    .map(|e| e.name.to_string())
                    .chain(self.cat.domains.iter().map(|d| d.name.to_string()))
                    .chain(self.cat.composites.iter().map(|c| c.name.to_string()))
                    .collect();
                let builtins = crate::catalog::types::BUILTIN_NAMES.iter().copied();
                let base = written.split('(').next().unwrap_or(&written).trim();
                if let Some(s) = did_you_mean(base, user.iter().map(String::as_str).chain(builtins))
                {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                None
            }
        }
    }

    /// Whether an expression has no type of its own (a fresh parameter, a quoted literal, NULL).
    fn untyped(&self, e: &ast::Expr) -> bool {
        match e {
            ast::Expr::Nested(i) => self.untyped(i),
            ast::Expr::Value(v) => match &v.value {
                ast::Value::Placeholder(p) => {
                    self.param_is_unbound(p.trim_start_matches('$').parse().unwrap_or(0))
                }
                ast::Value::Number(..) | ast::Value::Boolean(_) => false,
                _ => true,
            },
            _ => false,
        }
    }

    /// Types two operands, the typed one first so an untyped one takes its type (PostgreSQL's
    /// rule for `unknown` operands); a parameter is named after the column on the other side.
    fn pair(&mut self, l: &ast::Expr, r: &ast::Expr, scope: &Scope) -> (Typed, Typed) {
        if self.untyped(l) && !self.untyped(r) {
            let rt = self.expr(r, scope, &Expect::default());
            let lt = self.expr(l, scope, &compare_expect(&rt));
            (lt, rt)
        } else {
            let lt = self.expr(l, scope, &Expect::default());
            let rt = self.expr(r, scope, &compare_expect(&lt));
            (lt, rt)
        }
    }

    fn binary(
        &mut self,
        e: &ast::Expr,
        l: &ast::Expr,
        op: &ast::BinaryOperator,
        r: &ast::Expr,
        scope: &Scope,
    ) -> Typed {
        use ast::BinaryOperator as B;
        match op {
            B::And | B::Or => {
                let a = self.expr(l, scope, &Expect::ty(PgType::Bool));
                let b = self.expr(r, scope, &Expect::ty(PgType::Bool));
                Typed::new(PgType::Bool, operator_not_null(&[a.not_null, b.not_null]))
            }
            // `(a, b) = ($1, $2)`: compared column by column.
            other if matches!((l, r), (ast::Expr::Tuple(a), ast::Expr::Tuple(b)) if a.len() == b.len()) =>
            {
                let (ast::Expr::Tuple(a), ast::Expr::Tuple(b)) = (l, r) else {
                    unreachable!()
                };
                let name = operator_name(other);
                let nn: Vec<bool> = a
                    .iter()
                    .zip(b)
                    .map(|(x, y)| self.operator_call(e, &name, Some(x), y, scope).not_null)
                    .collect();
                Typed::new(PgType::Bool, nullability::comparisons_not_null(&nn))
            }
            other => {
                let name = operator_name(other);
                self.operator_call(e, &name, Some(l), r, scope)
            }
        }
    }

    fn in_expr(&mut self, expr: &ast::Expr, target: &ast::InTarget, scope: &Scope) -> Typed {
        match target {
            ast::InTarget::List(items) => {
                let first_typed = items.iter().find(|i| !self.untyped(i));
                let l = if self.untyped(expr) {
                    match first_typed {
                        Some(f) => {
                            let t = self.expr(f, scope, &Expect::default());
                            self.expr(expr, scope, &compare_expect(&t))
                        }
                        None => self.expr(expr, scope, &Expect::default()),
                    }
                } else {
                    self.expr(expr, scope, &Expect::default())
                };
                let mut nn = vec![l.not_null];
                for i in items {
                    nn.push(self.expr(i, scope, &compare_expect(&l)).not_null);
                }
                Typed::new(PgType::Bool, nullability::comparisons_not_null(&nn))
            }
            ast::InTarget::Subquery(q) => {
                let outs = self.query(q, Some(scope), None);
                // A row constructor (`(a, b)`, `ROW(a, b)`, also cast to a composite) compares
                // column by column; anything else with the one column.
                let width = row_width(expr).unwrap_or(1);
                if !outs.is_empty() && outs.len() != width {
                    let few = outs.len() < width;
                    let at = self.span(q.span());
                    self.error(
                        Diagnostic::error(
                            Code::ColumnCount,
                            format!(
                                "subquery has too {} columns",
                                if few { "few" } else { "many" }
                            ),
                        )
                        .at(at)
                        .note(format!(
                            "the left side of IN has {width} column(s), the subquery {}",
                            outs.len()
                        )),
                    );
                }
                let ex = match outs.first() {
                    Some(o) => Expect::ty(compare_type(&o.ty)),
                    None => Expect::default(),
                };
                let l = self.expr(expr, scope, &ex);
                let values: Vec<bool> = outs.iter().map(|o| o.not_null).collect();
                Typed::new(
                    PgType::Bool,
                    nullability::in_subquery_not_null(l.not_null, &values),
                )
            }
            other => {
                let at = self.span(expr.span());
                self.error(
                    Diagnostic::error(
                        Code::Unsupported,
                        format!("`IN {other}` is not supported yet"),
                    )
                    .at(at),
                );
                Typed::unknown()
            }
        }
    }

    /// The common type of several expressions (CASE, COALESCE, ARRAY): typed ones first,
    /// then untyped ones take it; returns whether each is non-null, and the first one's name when
    /// PostgreSQL would keep it.
    pub(crate) fn common(&mut self, exprs: &[&ast::Expr], scope: &Scope, ex: &Expect) -> Common {
        let mut ty: Option<PgType> = None;
        let mut typed = Vec::new();
        let mut first_name = None;
        // PostgreSQL's select_common_type keeps a domain only when every input has that very
        // type, untyped ones included; otherwise domains count as their base types.
        let mut domain: Option<Option<QualName>> = None;
        for (i, e) in exprs.iter().enumerate() {
            if !self.untyped(e) {
                let t = self.expr(e, scope, ex);
                if i == 0 {
                    first_name = t.strong_name().map(str::to_string);
                }
                domain = Some(match (domain, ty.as_ref()) {
                    (None, _) => t.domain.clone(),
                    (Some(d), Some(prev)) if *prev == t.ty && d == t.domain => d,
                    _ => None,
                });
                ty = Some(match ty {
                    None => t.ty.clone(),
                    Some(prev) => {
                        self.need_same_category(*e, &prev, &t.ty);
                        unify(&prev, &t.ty)
                    }
                });
                typed.push((i, t.not_null));
            }
        }
        let ty = ty.or_else(|| ex.ty.clone()).unwrap_or(PgType::Unknown);
        let mut all_nn = Vec::new();
        for (i, e) in exprs.iter().enumerate() {
            match typed.iter().find(|(j, _)| *j == i) {
                Some((_, nn)) => all_nn.push(*nn),
                None => {
                    domain = Some(None);
                    let t = self.expr(
                        e,
                        scope,
                        &Expect {
                            domain: None,
                            ty: Some(ty.clone()),
                            name: ex.name.clone(),
                            nullable: ex.nullable,
                            origin: None,
                        },
                    );
                    if i == 0 {
                        first_name = t.strong_name().map(str::to_string);
                    }
                    all_nn.push(t.not_null);
                }
            }
        }
        let ty = if ty == PgType::Unknown {
            PgType::Text
        } else {
            ty
        };
        Common {
            ty,
            not_null: all_nn,
            first_name,
            domain: domain.flatten(),
        }
    }

    fn function(&mut self, e: &ast::Expr, f: &ast::Function, scope: &Scope, ex: &Expect) -> Typed {
        let kind = self.aggregate_kind(f);
        let at = self.span(e.span());
        let id = kind.and_then(|k| self.grouping.begin_aggregate(k, Some(at)));
        let t = self.function_call(e, f, scope, ex);
        if let Some((message, at)) = self.grouping.end_aggregate(id) {
            self.error(Diagnostic::error(Code::Grouping, message).at(at.unwrap_or(self.fallback)));
        }
        t
    }

    /// Whether a call is an aggregate of its query level (not with OVER, which makes it a window
    /// call evaluated after grouping), for [`super::grouping`].
    fn aggregate_kind(&self, f: &ast::Function) -> Option<super::grouping::AggKind> {
        use super::grouping::AggKind;
        if f.over.is_some() {
            return None;
        }
        if f.filter.is_some() || !f.within_group.is_empty() {
            return Some(AggKind::Aggregate);
        }
        let parts = crate::syntax::parse::name_parts(&f.name);
        let name = parts.last().map(String::as_str).unwrap_or_default();
        let builtin = parts.len() == 1 || parts[0] == "pg_catalog";
        if self.cat.functions.iter().any(|u| u.name.name == name) {
            return None;
        }
        // COALESCE, GREATEST, LEAST, NULLIF and ROW are syntax, not functions of the catalogue.
        if builtin
            && (special_form(name).is_some() || value_function(name).is_some() || name == "row")
        {
            return None;
        }
        match CATALOG.funcs.get(name) {
            _ if !builtin || name == "grouping" => Some(AggKind::Maybe),
            Some(fs) if fs.iter().all(|x| x.kind == 'a') => Some(AggKind::Aggregate),
            Some(fs) if fs.iter().any(|x| x.kind == 'a') => Some(AggKind::Maybe),
            Some(_) => None,
            None => Some(AggKind::Maybe),
        }
    }

    /// A call's arguments (a `*` is none), the ORDER BY of an aggregate, and the names of
    /// arguments in named notation (`make_interval(secs => $1)`) by position; a subquery
    /// argument is analysed here.
    fn call_arguments<'f>(&mut self, f: &'f ast::Function, scope: &Scope) -> CallArgs<'f> {
        let mut args: Vec<&ast::Expr> = Vec::new();
        let mut order_by: Vec<&ast::OrderByExpr> = Vec::new();
        let mut names: Vec<Option<String>> = Vec::new();
        match &f.args {
            ast::FunctionArguments::List(list) => {
                for a in &list.args {
                    match a {
                        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(x)) => args.push(x),
                        ast::FunctionArg::Named {
                            name: n,
                            arg: ast::FunctionArgExpr::Expr(x),
                            ..
                        } => {
                            names.resize(args.len(), None);
                            names.push(Some(ident(n)));
                            args.push(x);
                        }
                        ast::FunctionArg::ExprNamed {
                            name: n,
                            arg: ast::FunctionArgExpr::Expr(x),
                            ..
                        } => {
                            names.resize(args.len(), None);
                            names.push(Some(n.to_string().to_lowercase()));
                            args.push(x);
                        }
                        _ => {}
                    }
                }
                for c in &list.clauses {
                    if let ast::FunctionArgumentClause::OrderBy(items) = c {
                        order_by.extend(items.iter());
                    }
                }
            }
            ast::FunctionArguments::None => {}
            ast::FunctionArguments::Subquery(q) => {
                self.query(q, Some(scope), None);
            }
        }
        CallArgs {
            args,
            order_by,
            names,
        }
    }

    fn function_call(
        &mut self,
        e: &ast::Expr,
        f: &ast::Function,
        scope: &Scope,
        ex: &Expect,
    ) -> Typed {
        let parts = crate::syntax::parse::name_parts(&f.name);
        let name = parts.last().cloned().unwrap_or_default();
        if parts.len() == 2 && parts[0] == "sqlc" {
            let at = self.span(e.span());
            self.error(
                Diagnostic::error(
                    Code::Unsupported,
                    format!("`sqlc.{name}` is not supported yet"),
                )
                .at(at),
            );
            return Typed::unknown();
        }
        if name == "count"
            && parts.len() == 1
            && matches!(&f.args, ast::FunctionArguments::List(l) if l.args.is_empty())
        {
            let at = self.span(e.span());
            self.error(
                Diagnostic::error(
                    Code::FunctionArguments,
                    "count(*) must be used to call a parameterless aggregate function",
                )
                .at(at)
                .help("write `count(*)`"),
            );
            return Typed::unknown();
        }
        if name == rewrite::ELEMENT_ASSIGN || name == rewrite::SLICE_ASSIGN {
            return self.subscript_assign(name == rewrite::SLICE_ASSIGN, f, scope, ex);
        }
        if matches!(f.args, ast::FunctionArguments::None) {
            if let Some(ty) = value_function(&name) {
                return Typed::new(
                    ty,
                    nullability::form_not_null(nullability::Form::ValueFunction),
                )
                .named(&name);
            }
        }
        let CallArgs {
            args,
            order_by,
            mut names,
        } = self.call_arguments(f, scope);
        if let Some(filter) = &f.filter {
            self.expr(filter, scope, &Expect::ty(PgType::Bool));
        }
        for o in &order_by {
            self.expr(&o.expr, scope, &Expect::default());
        }
        if let Some(ast::WindowType::WindowSpec(w)) = &f.over {
            for p in &w.partition_by {
                self.expr(p, scope, &Expect::default());
            }
            for o in &w.order_by {
                self.expr(&o.expr, scope, &Expect::default());
            }
        }
        match special_form(&name) {
            Some(SpecialForm::Common) => {
                let c = self.common(&args, scope, ex);
                return Typed::new(c.ty, nullability::common_not_null(&c.not_null))
                    .with_domain(c.domain)
                    .named(&name);
            }
            Some(SpecialForm::NullIf) if args.len() == 2 => {
                // NULLIF takes the left input type of the `=` it resolves (varchar compares as text).
                let (a, b) = self.pair(args[0], args[1], scope);
                self.need_comparison(e, "=", &a.ty, &b.ty, None);
                let ty = match resolve::operator(
                    "=",
                    Some(&RType::from_pg(&a.ty)),
                    &RType::from_pg(&b.ty),
                ) {
                    // A composite compares as `record`; the result keeps the composite type.
                    Ok(r) if !matches!(a.ty, PgType::Composite(_)) => r.params[0].to_pg(),
                    _ => a.ty,
                };
                return Typed::new(ty, nullability::form_not_null(nullability::Form::NullIf))
                    .named("nullif");
            }
            _ => {}
        }
        // Ordered-set aggregates take their WITHIN GROUP (ORDER BY ...) expressions as arguments.
        let within: Vec<&ast::Expr> = f.within_group.iter().map(|o| &o.expr).collect();
        let all: Vec<&ast::Expr> = args.iter().copied().chain(within).collect();
        let at = self.span(f.name.span());
        let schema = (parts.len() > 1).then(|| parts[parts.len() - 2].clone());
        self.windowed = f.over.is_some();
        self.filtered = f.filter.is_some();
        names.resize(all.len(), None);
        self.call(at, schema.as_deref(), &name, &all, &names, scope)
            .typed
    }

    /// `SET arr[i] = v` as the syntax layer hands it over (`arr = element_assign(arr, i, v)`): the
    /// subscripts are integers, the value is of the element type (of the array type for a slice),
    /// the result is the column's type.
    fn subscript_assign(
        &mut self,
        slice: bool,
        f: &ast::Function,
        scope: &Scope,
        ex: &Expect,
    ) -> Typed {
        let ast::FunctionArguments::List(list) = &f.args else {
            return Typed::unknown();
        };
        let args: Vec<&ast::Expr> = list
            .args
            .iter()
            .filter_map(super::function_arg_expr)
            .collect();
        let (Some(value), Some(column)) = (args.last(), ex.ty.clone()) else {
            return Typed::unknown();
        };
        // The first argument repeats the SET target, whose type the assignment passes down (as an
        // expression it could be ambiguous with EXCLUDED's column of the same name).
        for i in &args[1..args.len() - 1] {
            self.expr(i, scope, &Expect::ty(PgType::Int4));
        }
        let ty = match (&column, slice) {
            (PgType::Array(inner), false) => inner.smashed(),
            (other, _) => other.clone(),
        };
        let value_expect = Expect {
            ty: Some(ty),
            name: ex.name.clone(),
            nullable: true,
            domain: None,
            origin: None,
        };
        self.expr(value, scope, &value_expect);
        Typed::new(
            column,
            nullability::form_not_null(nullability::Form::ElementAssignment),
        )
    }

    /// Types a call of a function: typed arguments first, then overload resolution among the
    /// migrations' and the catalogue's functions, then untyped arguments (parameters, literals)
    /// take the chosen signature's types. `columns` is the row a set-returning call produces in FROM.
    pub(crate) fn call(
        &mut self,
        at: Span,
        schema: Option<&str>,
        name: &str,
        args: &[&ast::Expr],
        names: &[Option<String>],
        scope: &Scope,
    ) -> Call {
        // This call's own OVER and FILTER, before its arguments' calls see (and take) them.
        let windowed = std::mem::take(&mut self.windowed);
        let filtered = std::mem::take(&mut self.filtered);
        let typed: Vec<Option<Typed>> = args
            .iter()
            .map(|a| (!self.untyped(a)).then(|| self.expr(a, scope, &Expect::default())))
            .collect();
        let failed = Call {
            typed: Typed::unknown().named(name),
            columns: Vec::new(),
        };
        if typed.iter().flatten().any(|t| t.ty == PgType::Unknown) {
            // An argument already failed; its error says why.
            return failed;
        }
        let rtypes: Vec<RType> = typed
            .iter()
            .map(|t| t.as_ref().map(Typed::rtype).unwrap_or(RType::Unknown))
            .collect();
        let ctx = CallContext {
            name,
            typed: &typed,
            rtypes: &rtypes,
            windowed,
            filtered,
        };
        match resolve::call(schema, name, &rtypes, names, &self.cat.functions, windowed) {
            Ok(res) => self.resolved_call(res, &ctx, args, names, scope),
            Err(failure) => self.unresolved_call(at, failure, &ctx, args, scope),
        }
    }

    /// A call resolution chose `res` for: its untyped arguments typed by the chosen parameters,
    /// its result and nullability.
    fn resolved_call(
        &mut self,
        res: resolve::Resolved<resolve::Callee>,
        ctx: &CallContext<'_>,
        args: &[&ast::Expr],
        names: &[Option<String>],
        scope: &Scope,
    ) -> Call {
        let CallContext {
            name,
            typed,
            rtypes,
            windowed,
            filtered,
        } = *ctx;
        let mut nn = Vec::new();
        for (i, a) in args.iter().enumerate() {
            match &typed[i] {
                Some(t) => nn.push(t.not_null),
                None => {
                    let ty = res
                        .params
                        .get(i)
                        .map(RType::to_pg)
                        .unwrap_or(PgType::Unknown);
                    let hint = names.get(i).cloned().flatten().or_else(|| match &res.item {
                        resolve::Callee::User(u) => {
                            self.cat.functions[*u].args.get(i).and_then(|x| x.0.clone())
                        }
                        resolve::Callee::Builtin(_) => None,
                    });
                    nn.push(self.expr(a, scope, &Expect::named(ty, hint)).not_null);
                }
            }
        }
        let mut result = res.result.to_pg();
        // A polymorphic result bound to a domain (`first_value` of one) is that domain.
        let result_domain = res.result.domain().cloned();
        // A composite passes polymorphic parameters as `record`; a polymorphic result
        // bound to it is the composite again (`lead(pair_col)` is a `pair`).
        let poly_ret =
            matches!(&res.item, resolve::Callee::Builtin(f) if resolve::is_polymorphic(f.ret));
        if result == PgType::Record && poly_ret {
            if let Some(c) = typed
                .iter()
                .flatten()
                .find(|t| matches!(t.ty, PgType::Composite(_)))
            {
                result = c.ty.clone();
            }
        }
        match &res.item {
            resolve::Callee::Builtin(f) => {
                let pattern_substring = name == "substring"
                    && rtypes
                        .get(1)
                        .is_some_and(|t| matches!(t.base(), RType::Oid(25) | RType::Unknown));
                let use_ = if self.grouped && !filtered && !windowed {
                    nullability::AggregateUse::Grouped
                } else {
                    nullability::AggregateUse::Other
                };
                let args_nn = nullability::function_args_not_null(f.strict, f.retset, &nn);
                let not_null = nullability::catalog_function_not_null(
                    name,
                    f.kind,
                    f.strict,
                    &args_nn,
                    pattern_substring,
                    f.extension_overload,
                    use_,
                );
                let columns = if f.out.is_empty() {
                    vec![(name.to_string(), result.clone(), not_null)]
                } else {
                    f.out
                        .iter()
                        .map(|(n, o)| (n.to_string(), RType::Oid(*o).to_pg(), not_null))
                        .collect()
                };
                Call {
                    typed: Typed::new(result, not_null)
                        .with_domain(result_domain)
                        .named(name),
                    columns,
                }
            }
            resolve::Callee::User(u) => {
                let f = &self.cat.functions[*u];
                // Nothing is known of a user function's NULLs but STRICT.
                let not_null = nullability::form_not_null(nullability::Form::UserFunction);
                let columns = if f.columns.is_empty() {
                    vec![(name.to_string(), result.clone(), not_null)]
                } else {
                    f.columns
                        .iter()
                        .map(|(n, t)| (n.clone(), t.clone(), not_null))
                        .collect()
                };
                Call {
                    typed: Typed::new(result, not_null).named(name),
                    columns,
                }
            }
        }
    }

    /// A call no overload takes: a type-named one-argument call is a cast, anything else an error.
    fn unresolved_call(
        &mut self,
        at: Span,
        failure: resolve::Failure,
        ctx: &CallContext<'_>,
        args: &[&ast::Expr],
        scope: &Scope,
    ) -> Call {
        let CallContext {
            name,
            typed,
            rtypes,
            ..
        } = *ctx;
        let failed = Call {
            typed: Typed::unknown().named(name),
            columns: Vec::new(),
        };
        // `text(x)`, `"varchar"(x)`, `int4(text_col)`, `int8('5')`: with no overload taking the
        // argument as it is, a one-argument call named after a type is a cast in PostgreSQL when
        // the types are the same, binary-coercible or converted through text, or the argument is
        // a quoted constant.
        if let ([arg], Some(Resolved::Type(target))) =
            (typed, resolve(name, &|q| self.cat.user_type(q)))
        {
            let cast = match arg {
                Some(a) => {
                    a.ty == target
                        || resolve::binary_coercible(&a.ty, &target)
                        || resolve::coerced_via_io(&a.ty, &target)
                }
                None => quoted_literal(args[0]).is_some(),
            };
            if cast {
                let not_null = match arg {
                    Some(a) => a.not_null,
                    None => {
                        if let Some(text) = quoted_literal(args[0]) {
                            self.check_literal(text, &target, args[0]);
                        }
                        self.expr(args[0], scope, &Expect::ty(target.clone()))
                            .not_null
                    }
                };
                return Call {
                    typed: Typed::new(target, not_null).named(name),
                    columns: Vec::new(),
                };
            }
        }
        for (i, a) in args.iter().enumerate() {
            if typed[i].is_none() {
                self.expr(a, scope, &Expect::default());
            }
        }
        let exists = CATALOG.funcs.contains_key(name)
            || self.cat.functions.iter().any(|f| f.name.name == name);
        if !exists && self.in_cast > 0 {
            // A cast around an unknown function gives the type.
            return failed;
        }
        let shown: Vec<String> = rtypes.iter().map(|t| t.to_pg().to_string()).collect();
        let d = match (exists, failure) {
            (false, _) => {
                let mut d = Diagnostic::error(
                    Code::UnknownFunction,
                    format!("function `{name}` does not exist"),
                )
                .at(at);
                let user: Vec<&str> = self
                    .cat
                    .functions
                    .iter()
                    .map(|f| f.name.name.as_str())
                    .collect();
                if let Some(s) = did_you_mean(
                    name,
                    CATALOG
                        .funcs
                        .keys()
                        .copied()
                        .chain(user)
                        .chain(super::functions::SPECIAL_FORMS.iter().copied()),
                ) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                d
            }
            (true, resolve::Failure::NoMatch) => {
                let list = self.overload_candidates(name);
                Diagnostic::error(
                    Code::FunctionArguments,
                    format!("function {name}({}) does not exist", shown.join(", ")),
                )
                .label(at, "no overload takes these argument types")
                .help(format!(
                    "the candidates are {list}; add explicit casts to call one"
                ))
            }
            (true, resolve::Failure::Ambiguous) => Diagnostic::error(
                Code::FunctionArguments,
                format!("function {name}({}) is not unique", shown.join(", ")),
            )
            .at(at)
            .help("add explicit casts to choose one"),
            (_, resolve::Failure::Polymorphic) => polymorphic_unknown(at),
        };
        self.error(d);
        failed
    }

    /// The overloads of `name` a "does not exist" error lists: six at most, then how many more.
    fn overload_candidates(&self, name: &str) -> String {
        let mut candidates: Vec<String> = CATALOG
            .funcs
            .get(name)
            .into_iter()
            .flatten()
            .map(|f| {
                let args: Vec<String> = f
                    .args
                    .iter()
                    .map(|a| RType::Oid(*a).to_pg().to_string())
                    .collect();
                format!("{name}({})", args.join(", "))
            })
            .chain(
                self.cat
                    .functions
                    .iter()
                    .filter(|f| f.name.name == name)
                    .map(|f| {
                        let args: Vec<String> = f.args.iter().map(|a| a.1.to_string()).collect();
                        format!("{}({})", f.name, args.join(", "))
                    }),
            )
            .collect();
        candidates.dedup();
        let more = candidates.len().saturating_sub(6);
        candidates.truncate(6);
        if more > 0 {
            format!("{} and {more} more", candidates.join(", "))
        } else {
            candidates.join(", ")
        }
    }

    /// Inputs that must share a type (CASE and COALESCE branches, UNION columns, VALUES rows,
    /// ARRAY elements) must be of one type category.
    pub(crate) fn need_same_category(&mut self, e: &impl Spanned, a: &PgType, b: &PgType) {
        if !resolve::same_category(a, b) {
            let at = self.span(e.span());
            self.error(
                Diagnostic::error(
                    Code::Operator,
                    format!("types {a} and {b} cannot be matched"),
                )
                .at(at)
                .note("branches, set operation columns and array elements need one common type")
                .help("cast one side to the other's type"),
            );
        }
    }

    /// `x op ANY/ALL (...)` and NULLIF's `=`: the operator must exist between `x` and an element
    /// (or row) of the right side, when both types are known.
    fn need_comparison(
        &mut self,
        e: &ast::Expr,
        op: &str,
        left: &PgType,
        elem: &PgType,
        help: Option<&str>,
    ) {
        // Composites compare as records, which the catalogue's operators do not list one by one.
        let known =
            |t: &PgType| !matches!(t, PgType::Unknown | PgType::Record | PgType::Composite(_));
        if !known(left) || !known(elem) {
            return;
        }
        let (l, r) = (RType::from_pg(left), RType::from_pg(elem));
        if let Err(resolve::Failure::NoMatch) = resolve::operator(op, Some(&l), &r) {
            let at = self.span(e.span());
            let mut d = Diagnostic::error(
                Code::Operator,
                format!("operator does not exist: {} {op} {}", l.to_pg(), r.to_pg()),
            )
            .at(at);
            if let Some(help) = help {
                d = d.help(help);
            }
            self.error(d);
        }
    }

    /// Types an operator call the same way as a function call.
    fn operator_call(
        &mut self,
        e: &ast::Expr,
        name: &str,
        l: Option<&ast::Expr>,
        r: &ast::Expr,
        scope: &Scope,
    ) -> Typed {
        let lu = l.is_some_and(|l| self.untyped(l));
        let ru = self.untyped(r);
        let lt = l
            .filter(|_| !lu)
            .map(|l| self.expr(l, scope, &Expect::default()));
        let rt = (!ru).then(|| self.expr(r, scope, &Expect::default()));
        if lt.iter().chain(rt.iter()).any(|t| t.ty == PgType::Unknown) {
            return Typed::unknown();
        }
        let lr = lt.as_ref().map(Typed::rtype).unwrap_or(RType::Unknown);
        let rr = rt.as_ref().map(Typed::rtype).unwrap_or(RType::Unknown);
        match resolve::operator(name, l.map(|_| &lr), &rr) {
            Ok(res) => {
                let (lp, rp) = match l {
                    Some(_) => (res.params[0].to_pg(), res.params[1].to_pg()),
                    None => (PgType::Unknown, res.params[0].to_pg()),
                };
                let l_nn = match (l, &lt) {
                    (None, _) => true,
                    (Some(_), Some(t)) => t.not_null,
                    (Some(le), None) => {
                        let ex = param_expect(lp, rt.as_ref());
                        self.expr(le, scope, &ex).not_null
                    }
                };
                let r_nn = match &rt {
                    Some(t) => t.not_null,
                    None => {
                        let ex = param_expect(rp, lt.as_ref());
                        self.expr(r, scope, &ex).not_null
                    }
                };
                // A parameter typed by an earlier use still takes its name and Option from this comparison.
                if let (Some(le), Some(t)) = (l, &rt) {
                    self.note_param(le, t);
                }
                if let Some(t) = &lt {
                    self.note_param(r, t);
                }
                let nn =
                    nullability::catalog_operator_not_null(name, res.item.strict, &[l_nn, r_nn]);
                Typed::of_resolved(&res.result, nn)
            }
            Err(failure) => {
                if let (Some(le), true) = (l, lu) {
                    self.expr(le, scope, &Expect::default());
                }
                if ru {
                    self.expr(r, scope, &Expect::default());
                }
                let at = self.span(e.span());
                let shown = match l {
                    Some(_) => format!("{} {name} {}", lr.to_pg(), rr.to_pg()),
                    None => format!("{name} {}", rr.to_pg()),
                };
                let param = |x: &ast::Expr| match x {
                    ast::Expr::Value(v) => match &v.value {
                        ast::Value::Placeholder(p) => {
                            p.trim_start_matches('$').parse::<usize>().ok()
                        }
                        _ => None,
                    },
                    _ => None,
                };
                // A parameter typed by an earlier use: say so, rather than only what PostgreSQL would say.
                let reused = match (l.and_then(param), param(r)) {
                    (Some(n), _) => Some((n, lr.to_pg(), rr.to_pg())),
                    (_, Some(n)) => Some((n, rr.to_pg(), lr.to_pg())),
                    _ => None,
                };
                if let (Some((n, was, here)), resolve::Failure::NoMatch) = (&reused, &failure) {
                    self.error(
                        Diagnostic::error(
                            Code::ParameterTypes,
                            format!("parameter ${n} is used both as `{was}` and as `{here}`"),
                        )
                        .at(at)
                        .note(format!("operator does not exist: {shown}"))
                        .help(format!("cast one use, such as `${n}::{here}`")),
                    );
                    return Typed::unknown();
                }
                let d = match failure {
                    resolve::Failure::NoMatch => Diagnostic::error(
                        Code::Operator,
                        format!("operator does not exist: {shown}"),
                    )
                    .at(at)
                    .help("add explicit casts"),
                    resolve::Failure::Ambiguous => Diagnostic::error(
                        Code::Operator,
                        format!("operator is not unique: {shown}"),
                    )
                    .at(at)
                    .help("add explicit casts"),
                    resolve::Failure::Polymorphic => polymorphic_unknown(at),
                };
                self.error(d);
                Typed::unknown()
            }
        }
    }
}

/// How many columns a row constructor has (`(a, b)`, `ROW(a)`, through casts and parentheses,
/// which keep it a row constructor in PostgreSQL); `None` for any other expression.
fn row_width(e: &ast::Expr) -> Option<usize> {
    match e {
        ast::Expr::Nested(x) | ast::Expr::Cast { expr: x, .. } => row_width(x),
        ast::Expr::Tuple(items) => Some(items.len()),
        ast::Expr::Function(f)
            if f.name.0.len() == 1 && crate::syntax::parse::name_parts(&f.name)[0] == "row" =>
        {
            match &f.args {
                ast::FunctionArguments::List(l) => Some(l.args.len()),
                _ => Some(0),
            }
        }
        _ => None,
    }
}

fn polymorphic_unknown(at: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FunctionArguments,
        "could not determine polymorphic type because input has type unknown",
    )
    .at(at)
    .help("cast the untyped argument (`'abc'::text`, `$1::int4`)")
}

/// `SELECT agg(...) FROM ...` without GROUP BY, HAVING, LIMIT, OFFSET or set operations: one row always.
fn single_aggregate_row(q: &ast::Query) -> bool {
    let ast::SetExpr::Select(s) = q.body.as_ref() else {
        return false;
    };
    let no_groups = matches!(&s.group_by, ast::GroupByExpr::Expressions(e, _) if e.is_empty());
    let item = match s.projection.as_slice() {
        [ast::SelectItem::UnnamedExpr(e)] | [ast::SelectItem::ExprWithAlias { expr: e, .. }] => e,
        _ => return false,
    };
    let aggregate = match item {
        ast::Expr::Function(f) if f.over.is_none() => {
            let name = crate::syntax::parse::name_parts(&f.name)
                .last()
                .cloned()
                .unwrap_or_default();
            CATALOG
                .funcs
                .get(name.as_str())
                .is_some_and(|fs| fs.iter().all(|x| x.kind == 'a'))
        }
        _ => false,
    };
    aggregate && no_groups && s.having.is_none() && q.limit_clause.is_none() && q.fetch.is_none()
}

/// The catalogue name of a binary operator (`OPERATOR(pg_catalog.+)` is `+`).
fn operator_name(op: &ast::BinaryOperator) -> String {
    match op {
        ast::BinaryOperator::PGCustomBinaryOperator(parts) => {
            parts.last().cloned().unwrap_or_default()
        }
        other => other.to_string(),
    }
}

/// What a parameter compared with `other` takes: its type, its column's name, and (sqlc's rule)
/// `Option` when that column is nullable, so callers can pass what they read from it.
fn param_expect(ty: PgType, other: Option<&Typed>) -> Expect {
    Expect {
        domain: None,
        ty: Some(ty),
        name: other.and_then(|t| t.column.clone()),
        nullable: other.is_some_and(|t| t.declared_not_null == Some(false)),
        origin: other.and_then(|t| Some((t.table.clone()?, t.column.clone()?))),
    }
}

/// The expectation for the other side of a comparison with `t`.
fn compare_expect(t: &Typed) -> Expect {
    param_expect(compare_type(&t.ty), Some(t))
}

/// The type PostgreSQL gives an `unknown` operand compared with `t`: `varchar` compares as `text`.
fn compare_type(t: &PgType) -> PgType {
    match t {
        PgType::Varchar => PgType::Text,
        other => other.clone(),
    }
}

/// The common type of CASE, COALESCE, ARRAY or VALUES inputs ([`Analyzer::common`]).
pub(crate) struct Common {
    pub ty: PgType,
    /// Whether each input is non-null, in order.
    pub not_null: Vec<bool>,
    /// The first input's name, when PostgreSQL would keep it.
    pub first_name: Option<String>,
    /// The domain every input is declared with, when they all are of one.
    pub domain: Option<QualName>,
}

/// An array's element type; an array of a domain's, its base type.
fn element_type(t: &PgType) -> Option<PgType> {
    match t {
        PgType::Array(inner) => Some(inner.smashed()),
        _ => None,
    }
}

fn numeric_rank(t: &PgType) -> Option<u8> {
    Some(match t {
        PgType::Int2 => 1,
        PgType::Int4 => 2,
        PgType::Int8 => 3,
        PgType::Numeric => 4,
        PgType::Float4 => 5,
        PgType::Float8 => 6,
        _ => return None,
    })
}

fn is_string(t: &PgType) -> bool {
    matches!(
        t,
        PgType::Text
            | PgType::Varchar
            | PgType::Bpchar
            | PgType::Name
            | PgType::Citext
            | PgType::Unknown
    )
}

/// The common type of two branches, by PostgreSQL's numeric and string promotion.
pub(crate) fn unify(a: &PgType, b: &PgType) -> PgType {
    if a == b || *b == PgType::Unknown {
        return a.clone();
    }
    if *a == PgType::Unknown {
        return b.clone();
    }
    if let Some(t) = resolve::common_type(a, b) {
        return t;
    }
    if let (Some(x), Some(y)) = (numeric_rank(a), numeric_rank(b)) {
        // Integers and numeric widen to floats as float8.
        if (x >= 5 || y >= 5) && x != y {
            return PgType::Float8;
        }
        return if x >= y { a.clone() } else { b.clone() };
    }
    if is_string(a) && is_string(b) {
        return PgType::Text;
    }
    if matches!(
        (a, b),
        (PgType::Timestamp, PgType::Timestamptz)
            | (PgType::Timestamptz, PgType::Timestamp)
            | (PgType::Date, PgType::Timestamptz)
            | (PgType::Timestamptz, PgType::Date)
    ) {
        return PgType::Timestamptz;
    }
    a.clone()
}

/// The text of a quoted string constant (`'...'`, `E'...'`, `$$...$$`).
fn quoted_literal(e: &ast::Expr) -> Option<&str> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::SingleQuotedString(s) | ast::Value::EscapedStringLiteral(s) => Some(s),
            ast::Value::DollarQuotedString(d) => Some(&d.value),
            _ => None,
        },
        ast::Expr::Nested(inner) => quoted_literal(inner),
        _ => None,
    }
}

/// Whether an expression is a query parameter, possibly cast (`$1`, `$1::int8[]`).
fn is_parameter(e: &ast::Expr) -> bool {
    match e {
        ast::Expr::Value(v) => matches!(v.value, ast::Value::Placeholder(_)),
        ast::Expr::Cast { expr, .. } | ast::Expr::Nested(expr) => is_parameter(expr),
        _ => false,
    }
}

/// A subquery's output that is still an untyped literal (`(SELECT 'abc')`) is `text` to the
/// query around it, as PostgreSQL resolves it.
fn resolved_unknown(t: &PgType) -> PgType {
    match t {
        PgType::Unknown => PgType::Text,
        other => other.clone(),
    }
}
