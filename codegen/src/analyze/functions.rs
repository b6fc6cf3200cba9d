//! Built-in functions the analysis knows: argument expectations, result type and nullability rule.

use super::nullability::FnNulls;
use crate::ir::PgType;

/// How a function's result type follows from its arguments.
pub enum Returns {
    Fixed(PgType),
    /// The type of the first argument.
    FirstArg,
    /// The common type of all arguments (`coalesce`).
    Common,
    /// `sum`: PostgreSQL widens integers.
    Sum,
    /// `avg`: numeric for integers and numeric, float8 for floats.
    Avg,
    /// `array_agg`: an array of the argument type.
    ArrayOf,
    /// `date_trunc(text, x)`: the type of the second argument.
    SecondArg,
}

pub struct Builtin {
    pub returns: Returns,
    pub nulls: FnNulls,
    /// Type given to untyped arguments (parameters, string literals), when fixed.
    pub arg: Option<PgType>,
    pub aggregate: bool,
}

/// Looks up a built-in by lower-case name.
pub fn builtin(name: &str) -> Option<Builtin> {
    use PgType as T;
    use Returns as R;
    let b = |returns, nulls, arg, aggregate| {
        Some(Builtin {
            returns,
            nulls,
            arg,
            aggregate,
        })
    };
    match name {
        "count" => b(R::Fixed(T::Int8), FnNulls::Never, None, true),
        "sum" => b(R::Sum, FnNulls::Always, None, true),
        "avg" => b(R::Avg, FnNulls::Always, None, true),
        "min" | "max" => b(R::FirstArg, FnNulls::Always, None, true),
        "array_agg" => b(R::ArrayOf, FnNulls::Always, None, true),
        "string_agg" => b(R::Fixed(T::Text), FnNulls::Always, Some(T::Text), true),
        "bool_and" | "bool_or" | "every" => {
            b(R::Fixed(T::Bool), FnNulls::Always, Some(T::Bool), true)
        }
        "coalesce" | "greatest" | "least" => b(R::Common, FnNulls::AllArgs, None, false),
        "nullif" => b(R::FirstArg, FnNulls::Always, None, false),
        "now"
        | "current_timestamp"
        | "transaction_timestamp"
        | "statement_timestamp"
        | "clock_timestamp" => b(R::Fixed(T::Timestamptz), FnNulls::Never, None, false),
        "current_date" => b(R::Fixed(T::Date), FnNulls::Never, None, false),
        "localtimestamp" => b(R::Fixed(T::Timestamp), FnNulls::Never, None, false),
        "lower" | "upper" | "btrim" | "ltrim" | "rtrim" | "initcap" | "md5" | "reverse"
        | "trim" => b(R::Fixed(T::Text), FnNulls::Strict, Some(T::Text), false),
        "length" | "char_length" | "character_length" | "octet_length" => {
            b(R::Fixed(T::Int4), FnNulls::Strict, Some(T::Text), false)
        }
        "concat" => b(R::Fixed(T::Text), FnNulls::Never, Some(T::Text), false),
        "gen_random_uuid" => b(R::Fixed(T::Uuid), FnNulls::Never, None, false),
        "random" => b(R::Fixed(T::Float8), FnNulls::Never, None, false),
        "abs" => b(R::FirstArg, FnNulls::Strict, None, false),
        "date_trunc" => b(R::SecondArg, FnNulls::Strict, Some(T::Text), false),
        "to_json" => b(R::Fixed(T::Json), FnNulls::Strict, None, false),
        "to_jsonb" => b(R::Fixed(T::Jsonb), FnNulls::Strict, None, false),
        "cardinality" => b(R::Fixed(T::Int4), FnNulls::Strict, None, false),
        _ => None,
    }
}
