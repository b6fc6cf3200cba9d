//! Every nullability rule of the analysis, in one place.
//!
//! | construct                              | result may be NULL when                          |
//! |----------------------------------------|--------------------------------------------------|
//! | column reference                       | the column is nullable, or an outer join can null its table |
//! | literal                                | it is `NULL`                                     |
//! | parameter                              | it is `sqlc.narg`, stored into a nullable column (INSERT/SET), or compared with one (sqlc's rule) |
//! | cast `x::t`                            | `x` may be NULL                                   |
//! | operators (`+`, `=`, `AND`, `LIKE`...) | any operand may be NULL                           |
//! | `IS [NOT] NULL`, `EXISTS`, `IS DISTINCT FROM`, `ARRAY[...]`, value functions (`CURRENT_DATE`) | never ([`Form`]) |
//! | a composite's field, an array's element | always ([`Form::Element`])                        |
//! | `x = ANY(arr)`, `x IN (subquery)`      | an operand may be NULL, the array is not a parameter (its elements may be NULL), a subquery value may be NULL |
//! | `count(...)`                           | never                                             |
//! | other aggregates (`sum`, `max`, ...)   | without GROUP BY, with FILTER, as a window, or when an input may be NULL; sample statistics (`stddev_samp`, `corr`...) always |
//! | `coalesce`, `greatest`, `least`        | every argument may be NULL                        |
//! | `nullif`                               | always                                            |
//! | STRICT set-returning functions in FROM | as for the same call with non-null arguments (a NULL argument yields no rows) |
//! | STRICT functions (`lower`, `length`)   | any argument may be NULL, or the function is one that returns NULL for some inputs (JSON extraction, `array_length`, `regexp_match`...) |
//! | other functions                        | always, except the known never-NULL ones (`now()`, `concat`, `json_build_object`...); `format` and `concat_ws` when their first argument may be NULL |
//! | window functions                       | ranking functions never; `lag`, `lead`, `first_value`... always |
//! | operators                              | an operand may be NULL (STRICT operators), or always for JSON extraction (`->`, `->>`, `#>`, `#>>`) |
//! | scalar subquery                        | always (it may return no row), unless it is one aggregate without GROUP BY |
//! | `UNION`                                | the column may be NULL in any branch              |
//! | `INTERSECT` / `EXCEPT`                 | in both branches / in the left branch             |
//! | `RETURNING`                            | as a column reference of the target table; a column just `SET` to a non-null value is non-null (except under `*`, which stays the table's model) |
//! | alias ending in `?` / `!`              | forced nullable / forced non-null                  |

/// A value whose form alone says whether it may be NULL, whatever its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A constant other than NULL: `1`, `'a'`, `true`, `date '2024-01-01'`, `interval '1 day'`.
    Constant,
    /// The NULL constant.
    Null,
    /// `IS [NOT] NULL`, `IS [NOT] TRUE`/`FALSE`/`UNKNOWN`, `IS [NOT] DISTINCT FROM`, `EXISTS`:
    /// true or false, never NULL.
    Test,
    /// `ARRAY[...]` and `ARRAY(SELECT ...)`: an array, empty at worst.
    ArrayConstructor,
    /// The SQL value functions (`CURRENT_DATE`, `CURRENT_USER`, `LOCALTIME`...), also in FROM.
    ValueFunction,
    /// A composite's field (the composite may be NULL), an array's element or a jsonb subscript
    /// (out of range is NULL).
    Element,
    /// `NULLIF(a, b)`: NULL when the two are equal.
    NullIf,
    /// The value of `SET arr[i] = x`, as the column it goes into.
    ElementAssignment,
    /// A user function's result: nothing is known of its NULLs (STRICT is not read).
    UserFunction,
    /// A system column (`ctid`, `xmin`...) or the ordinality of a function in FROM.
    SystemColumn,
    /// An expression that failed to type (its error is reported): no `Option` on top of it.
    Failed,
}

/// Whether a value of this form is never NULL.
pub fn form_not_null(form: Form) -> bool {
    match form {
        Form::Constant
        | Form::Test
        | Form::ArrayConstructor
        | Form::ValueFunction
        | Form::SystemColumn
        | Form::Failed => true,
        Form::Null
        | Form::Element
        | Form::NullIf
        | Form::ElementAssignment
        | Form::UserFunction => false,
    }
}

/// The arguments' nullability a function's result follows: a STRICT set-returning function given
/// a NULL returns no rows, not a NULL row, so its rows are as for non-null arguments.
pub fn function_args_not_null(strict: bool, retset: bool, args_not_null: &[bool]) -> Vec<bool> {
    if retset && strict {
        vec![true; args_not_null.len()]
    } else {
        args_not_null.to_vec()
    }
}

/// `DEFAULT` in `INSERT ... VALUES`: as the column it fills.
pub fn default_not_null(column_nullable: bool) -> bool {
    !column_nullable
}

/// A CASE: NULL when the chosen branch is, and a missing ELSE is NULL.
pub fn case_not_null(branches_not_null: &[bool], has_else: bool) -> bool {
    has_else && branches_not_null.iter().all(|n| *n)
}

/// A comparison of a value with a list or a row with a row (`x IN (a, b)`, `(a, b) = (c, d)`):
/// NULL when any of the comparisons it makes is.
pub fn comparisons_not_null(each_not_null: &[bool]) -> bool {
    each_not_null.iter().all(|n| *n)
}

/// `x IN (subquery)`: a NULL among the subquery's values (or no value known) makes a non-matching
/// IN NULL.
pub fn in_subquery_not_null(left_not_null: bool, values_not_null: &[bool]) -> bool {
    operator_not_null(&[
        left_not_null,
        !values_not_null.is_empty() && values_not_null.iter().all(|n| *n),
    ])
}

/// A row constructor `(a, b)` and a VALUES column: non-null when every member is.
pub fn every_member_not_null(members_not_null: &[bool]) -> bool {
    members_not_null.iter().all(|n| *n)
}

/// `coalesce`, `greatest`, `least`: NULL only when every argument is.
pub fn common_not_null(args_not_null: &[bool]) -> bool {
    args_not_null.iter().any(|n| *n)
}

/// STRICT functions that still return NULL for some non-NULL inputs.
const NULL_FOR_SOME_INPUTS: &[&str] = &[
    // An empty format gives NULL.
    "to_number",
    "json_extract_path",
    "json_extract_path_text",
    "jsonb_extract_path",
    "jsonb_extract_path_text",
    "json_object_field",
    "json_object_field_text",
    "jsonb_object_field",
    "jsonb_object_field_text",
    "json_array_element",
    "json_array_element_text",
    "jsonb_array_element",
    "jsonb_array_element_text",
    "jsonb_path_query_first",
    "jsonb_path_query_first_tz",
    "jsonb_array_elements_text",
    "json_array_elements_text",
    "array_length",
    "array_lower",
    "array_upper",
    "array_ndims",
    "array_dims",
    "array_position",
    "regexp_match",
    "regexp_substr",
    // An empty format gives NULL.
    "to_char",
    // No comment is NULL.
    "obj_description",
    "col_description",
    "shobj_description",
    "to_regclass",
    "to_regtype",
    "to_regproc",
    "to_regprocedure",
    "to_regoper",
    "to_regnamespace",
    "to_regrole",
    "pg_get_serial_sequence",
    "unnest",
    "nullif",
    "current_setting",
];

/// Non-STRICT functions that never return NULL.
const NEVER_NULL: &[&str] = &[
    "now",
    "concat",
    "json_build_object",
    "jsonb_build_object",
    "json_build_array",
    "jsonb_build_array",
    "gen_random_uuid",
    "random",
    "clock_timestamp",
    "statement_timestamp",
    "transaction_timestamp",
    "timeofday",
    "num_nulls",
    "num_nonnulls",
    "array_append",
    "array_prepend",
    "version",
    "uuid_generate_v4",
    "uuid_generate_v1",
    "pg_backend_pid",
    "txid_current",
    "pg_current_xact_id",
    "row_to_json",
    "to_jsonb",
    "to_json",
    "count",
];

/// Aggregates that are NULL over a group of one row (a sample statistic needs two).
const SAMPLE_STATISTICS: &[&str] = &[
    "stddev",
    "stddev_samp",
    "variance",
    "var_samp",
    "covar_samp",
    "corr",
    "regr_slope",
    "regr_intercept",
    "regr_r2",
];

/// Functions that are not strict but return NULL exactly when their first argument is NULL.
const FIRST_ARGUMENT_DECIDES: &[&str] = &["format", "concat_ws"];

/// Ranking window functions, never NULL.
const RANKING: &[&str] = &[
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "ntile",
];

/// Operators that return NULL for some non-NULL operands.
const NULLABLE_OPERATORS: &[&str] = &["->", "->>", "#>", "#>>"];

/// Where an aggregate is computed, which decides whether it can see no row at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggregateUse {
    /// In a query with GROUP BY, without FILTER or OVER.
    Grouped,
    /// Anything else: over a whole query without GROUP BY, with FILTER, or as a window function.
    Other,
}

/// A scalar subquery of one aggregate without GROUP BY returns exactly one row: its value's
/// nullability is the aggregate's (`(SELECT count(*) FROM t)` is never NULL).
pub fn scalar_subquery_not_null(single_aggregate_row: bool, value_not_null: bool) -> bool {
    single_aggregate_row && value_not_null
}

/// Result nullability (`true` = NOT NULL) of a catalogue function call.
/// `kind` is pg_proc's `prokind` (`f`, `a` aggregate, `w` window); `pattern_substring` marks
/// `substring(text, text)`, which returns NULL when the pattern does not match;
/// `extension_overload` an extension's function named like a built-in one (citext's SQL
/// `split_part` is NULL past the last field, where the built-in returns ''), never assumed non-null.
pub fn catalog_function_not_null(
    name: &str,
    kind: char,
    strict: bool,
    args_not_null: &[bool],
    pattern_substring: bool,
    extension_overload: bool,
    aggregate: AggregateUse,
) -> bool {
    match kind {
        'a' if name == "count" || name == "regr_count" => true,
        // In a GROUP BY query every group has a row, so an aggregate of non-NULL inputs has a value;
        // without GROUP BY (no rows at all), with FILTER (no row passes) or as a window, it may not.
        'a' if SAMPLE_STATISTICS.contains(&name) => false,
        'a' => aggregate == AggregateUse::Grouped && args_not_null.iter().all(|n| *n),
        'w' => RANKING.contains(&name),
        _ if NULL_FOR_SOME_INPUTS.contains(&name) || pattern_substring || extension_overload => {
            false
        }
        _ if strict => args_not_null.iter().all(|n| *n),
        // Not strict, but NULL when the format or separator is.
        _ if FIRST_ARGUMENT_DECIDES.contains(&name) => {
            args_not_null.first().copied().unwrap_or(true)
        }
        _ => NEVER_NULL.contains(&name),
    }
}

/// Result nullability of an operator call.
pub fn catalog_operator_not_null(name: &str, strict: bool, operands_not_null: &[bool]) -> bool {
    !NULLABLE_OPERATORS.contains(&name) && strict && operands_not_null.iter().all(|n| *n)
}

/// A column reference is non-null when the column is NOT NULL and no outer join can null its table.
pub fn column_not_null(column_not_null: bool, nulled_by_outer_join: bool) -> bool {
    column_not_null && !nulled_by_outer_join
}

/// Operators are NULL when an operand is.
pub fn operator_not_null(operands: &[bool]) -> bool {
    operands.iter().all(|n| *n)
}

/// Which set operation combines two branches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

/// A set operation's column may be NULL when a row carrying NULL can come out of it: from any branch
/// of a UNION, only when both branches have it for INTERSECT, from the left branch for EXCEPT.
pub fn set_operation_not_null(op: SetOp, left: bool, right: bool) -> bool {
    match op {
        SetOp::Union => left && right,
        SetOp::Intersect => left || right,
        SetOp::Except => left,
    }
}

/// `alias?` forces nullable, `alias!` forces non-null (sqlx's convention); returns the bare name.
pub fn alias_override(alias: &str) -> (String, Option<bool>) {
    if let Some(name) = alias.strip_suffix('?') {
        (name.to_string(), Some(false))
    } else if let Some(name) = alias.strip_suffix('!') {
        (name.to_string(), Some(true))
    } else {
        (alias.to_string(), None)
    }
}

/// PostgreSQL's outer-join reduction: a top-level (AND-ed) condition that is NULL whenever a relation's
/// column is NULL (`b.x = 1`, `b.x IS NOT NULL`, `b.x LIKE 'a%'`) drops every row where an outer join
/// nulled that relation, so its columns keep their own nullability. `b.x IS NULL` and `OR` do not.
pub fn reduce_outer_joins(cond: &crate::syntax::parse::ast::Expr, rels: &mut [super::scope::Rel]) {
    use crate::syntax::parse::ast::{BinaryOperator as B, Expr as E};
    let mut refs: Vec<(Option<String>, String)> = Vec::new();
    fn column(e: &E, refs: &mut Vec<(Option<String>, String)>) {
        match e {
            E::Identifier(i) => refs.push((None, crate::syntax::parse::ident(i))),
            E::CompoundIdentifier(ids) if ids.len() >= 2 => refs.push((
                Some(crate::syntax::parse::ident(&ids[ids.len() - 2])),
                crate::syntax::parse::ident(&ids[ids.len() - 1]),
            )),
            E::Nested(inner) | E::Cast { expr: inner, .. } => column(inner, refs),
            _ => {}
        }
    }
    fn walk(e: &E, refs: &mut Vec<(Option<String>, String)>) {
        match e {
            E::BinaryOp {
                left,
                op: B::And,
                right,
            } => {
                walk(left, refs);
                walk(right, refs);
            }
            E::BinaryOp {
                left,
                op: B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq,
                right,
            } => {
                column(left, refs);
                column(right, refs);
            }
            E::IsNotNull(x)
            | E::Like {
                expr: x,
                negated: false,
                ..
            }
            | E::ILike {
                expr: x,
                negated: false,
                ..
            } => column(x, refs),
            E::Between {
                expr,
                negated: false,
                ..
            } => column(expr, refs),
            E::Nested(inner) => walk(inner, refs),
            _ => {}
        }
    }
    walk(cond, &mut refs);
    for (rel, col) in refs {
        let owners: Vec<usize> = rels
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                rel.as_ref().is_none_or(|n| *n == r.name) && r.columns.iter().any(|c| c.name == col)
            })
            .map(|(i, _)| i)
            .collect();
        // An unqualified name must be unambiguous to tell which relation it filters.
        if let [only] = owners.as_slice() {
            rels[*only].nulled = false;
        }
    }
}
