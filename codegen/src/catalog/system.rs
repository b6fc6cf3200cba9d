//! Relations every PostgreSQL database has: the tables and views of `pg_catalog` and
//! `information_schema`, as extracted from a real server into `codegen/data/pg_catalog.tsv`.

use super::{Column, RelKind, Table};
use crate::catalog::pg_catalog::CATALOG;
use crate::ir::QualName;

/// A system relation by name. An unqualified name is looked up in `pg_catalog` only:
/// `information_schema` is not on the default search path.
pub fn relation(q: &QualName) -> Option<Table> {
    let schema = q.schema.as_deref().unwrap_or("pg_catalog");
    let (&(nsp, name), rel) = CATALOG
        .relations
        .get_key_value(&(schema, q.name.as_str()))?;
    let columns = rel
        .columns
        .iter()
        .map(|&(column, ty, not_null)| Column {
            name: column.to_string(),
            ty: super::types::from_oid(ty),
            not_null,
            has_default: false,
            comment: None,
            domain: None,
        })
        .collect();
    Some(Table {
        name: QualName {
            schema: Some(nsp.to_string()),
            name: name.to_string(),
        },
        kind: match rel.kind {
            'r' => RelKind::Table,
            'm' => RelKind::MaterializedView,
            _ => RelKind::View,
        },
        columns,
        comment: None,
        defined: None,
        // PostgreSQL 14 and later give most catalogues a primary key, not extracted here.
        primary_key: None,
    })
}

/// Whether a name is a system relation's: PostgreSQL searches `pg_catalog` before the
/// schemas of the search path, so these win over user tables of the same unqualified name.
pub fn shadows(q: &QualName) -> bool {
    q.schema.is_none()
        && CATALOG
            .relations
            .contains_key(&("pg_catalog", q.name.as_str()))
}
