//! Every nullability rule of the analysis, in one place.
//!
//! | construct                              | result may be NULL when                          |
//! |----------------------------------------|--------------------------------------------------|
//! | column reference                       | the column is nullable, or an outer join can null its table |
//! | literal                                | it is `NULL`                                     |
//! | parameter                              | it is `sqlc.narg`, or bound to a nullable column in INSERT/SET |
//! | cast `x::t`                            | `x` may be NULL                                   |
//! | operators (`+`, `=`, `AND`, `LIKE`...) | any operand may be NULL                           |
//! | `IS [NOT] NULL`, `EXISTS`              | never                                             |
//! | `count(...)`                           | never                                             |
//! | other aggregates (`sum`, `max`, ...)   | always (no rows, or only NULL inputs)             |
//! | `coalesce`, `greatest`, `least`        | every argument may be NULL                        |
//! | `nullif`                               | always                                            |
//! | STRICT functions (`lower`, `length`)   | any argument may be NULL                          |
//! | `now()`, `gen_random_uuid()`, `concat` | never                                             |
//! | scalar subquery                        | always (it may return no row)                     |
//! | `UNION` / `INTERSECT` / `EXCEPT`       | the column may be NULL in any branch              |
//! | `RETURNING`                            | as a column reference of the target table         |
//! | alias ending in `?` / `!`              | forced nullable / forced non-null                  |

/// How a function's result nullability follows from its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnNulls {
    /// Never NULL.
    Never,
    /// NULL when any argument is NULL (PostgreSQL's STRICT).
    Strict,
    /// NULL only when every argument is NULL.
    AllArgs,
    /// May be NULL whatever the arguments.
    Always,
}

/// Result nullability (`true` = NOT NULL) of a function given its arguments' nullability.
pub fn function_not_null(rule: FnNulls, args_not_null: &[bool]) -> bool {
    match rule {
        FnNulls::Never => true,
        FnNulls::Strict => args_not_null.iter().all(|n| *n),
        FnNulls::AllArgs => args_not_null.iter().any(|n| *n),
        FnNulls::Always => false,
    }
}

/// A column reference is non-null when the column is NOT NULL and no outer join can null its table.
pub fn column_not_null(column_not_null: bool, nulled_by_outer_join: bool) -> bool {
    column_not_null && !nulled_by_outer_join
}

/// Operators are NULL when an operand is.
pub fn operator_not_null(operands: &[bool]) -> bool {
    operands.iter().all(|n| *n)
}

/// A set operation's column is NULL when it may be NULL in any branch.
pub fn set_operation_not_null(left: bool, right: bool) -> bool {
    left && right
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
