//! Calls that are not ordinary catalogue functions: SQL value functions (`CURRENT_TIMESTAMP`) and the
//! expression forms that look like functions (`coalesce`, `greatest`, `least`, `nullif`).
//! Everything else resolves against PostgreSQL's own catalogue (`pg_catalog.rs`, `resolve.rs`).

use crate::ir::PgType;

/// Expression forms PostgreSQL parses specially, with their typing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecialForm {
    /// `coalesce`, `greatest`, `least`: the common type; NULL only when every argument is.
    Common,
    /// `nullif(a, b)`: the type of `a`; may be NULL.
    NullIf,
}

/// The names of [`special_form`], for did-you-mean.
pub const SPECIAL_FORMS: &[&str] = &["coalesce", "greatest", "least", "nullif"];

pub fn special_form(name: &str) -> Option<SpecialForm> {
    match name {
        "coalesce" | "greatest" | "least" => Some(SpecialForm::Common),
        "nullif" => Some(SpecialForm::NullIf),
        _ => None,
    }
}

/// SQL value functions written without parentheses; never NULL.
pub fn value_function(name: &str) -> Option<PgType> {
    Some(match name {
        "current_timestamp" => PgType::Timestamptz,
        "current_date" => PgType::Date,
        "current_time" => PgType::Timetz,
        "localtime" => PgType::Time,
        "localtimestamp" => PgType::Timestamp,
        "current_user" | "session_user" | "user" | "current_role" | "current_schema"
        | "current_catalog" => PgType::Name,
        _ => return None,
    })
}
