//! Relations every PostgreSQL database has (system views), for queries that read them.
//! Only what queries commonly use; `*` over a partial one is an error rather than a guess.

use super::{Column, RelKind, Table};
use crate::ir::{PgType, QualName};

/// A system relation by name, and whether its column list here is complete.
pub fn relation(q: &QualName) -> Option<(Table, bool)> {
    let other = |n: &str| PgType::Other(n.to_string());
    let (cols, complete): (Vec<(&str, PgType)>, bool) = match (q.schema.as_deref(), q.name.as_str())
    {
        (None, "pg_timezone_names") => (
            vec![
                ("name", PgType::Text),
                ("abbrev", PgType::Text),
                ("utc_offset", PgType::Interval),
                ("is_dst", PgType::Bool),
            ],
            true,
        ),
        (None, "pg_timezone_abbrevs") => (
            vec![
                ("abbrev", PgType::Text),
                ("utc_offset", PgType::Interval),
                ("is_dst", PgType::Bool),
            ],
            true,
        ),
        (Some("information_schema"), "tables") => (
            vec![
                ("table_catalog", other("sql_identifier")),
                ("table_schema", other("sql_identifier")),
                ("table_name", other("sql_identifier")),
                ("table_type", other("character_data")),
                ("self_referencing_column_name", other("sql_identifier")),
                ("reference_generation", other("character_data")),
                ("user_defined_type_catalog", other("sql_identifier")),
                ("user_defined_type_schema", other("sql_identifier")),
                ("user_defined_type_name", other("sql_identifier")),
                ("is_insertable_into", other("yes_or_no")),
                ("is_typed", other("yes_or_no")),
                ("commit_action", other("character_data")),
            ],
            true,
        ),
        (Some("information_schema"), "columns") => (
            vec![
                ("table_catalog", other("sql_identifier")),
                ("table_schema", other("sql_identifier")),
                ("table_name", other("sql_identifier")),
                ("column_name", other("sql_identifier")),
                ("ordinal_position", other("cardinal_number")),
                ("column_default", other("character_data")),
                ("is_nullable", other("yes_or_no")),
                ("data_type", other("character_data")),
                ("character_maximum_length", other("cardinal_number")),
                ("numeric_precision", other("cardinal_number")),
                ("numeric_scale", other("cardinal_number")),
                ("udt_name", other("sql_identifier")),
            ],
            false,
        ),
        _ => return None,
    };
    let columns = cols
        .into_iter()
        .map(|(name, ty)| Column {
            name: name.to_string(),
            ty,
            not_null: false,
            has_default: false,
            comment: None,
            domain: None,
        })
        .collect();
    Some((
        Table {
            name: q.clone(),
            kind: RelKind::View,
            columns,
            comment: None,
            defined: None,
        },
        complete,
    ))
}
