//! Name scopes: the relations a statement can see (FROM items, joins, CTEs, subqueries) and column lookup.

use crate::ir::{PgType, QualName};

/// A relation in scope: a table, a CTE or a subquery, under the name queries refer to it by.
#[derive(Debug, Clone)]
pub struct Rel {
    /// Alias, or the table's own name.
    pub name: String,
    /// The base table, when the relation is one (for models and `describe`).
    pub table: Option<QualName>,
    pub columns: Vec<RelColumn>,
    /// An outer join can fill this relation's columns with NULL.
    pub nulled: bool,
    /// Columns merged into another relation's by `JOIN ... USING`: not seen unqualified, not in `*`.
    pub merged: Vec<String>,
    /// Where the FROM clause names it, for pointing at the table a column was looked up in.
    pub span: Option<crate::source::Span>,
}

#[derive(Debug, Clone)]
pub struct RelColumn {
    pub name: String,
    pub ty: PgType,
    pub not_null: bool,
    /// The table the column belongs to, when it is a plain table column.
    pub table: Option<QualName>,
    /// The domain the column is declared with (`ty` being its base type).
    pub domain: Option<QualName>,
}

static SYSTEM_COLUMNS: std::sync::LazyLock<Vec<RelColumn>> = std::sync::LazyLock::new(|| {
    let col = |name: &str, ty: PgType| RelColumn {
        name: name.into(),
        ty,
        not_null: super::nullability::form_not_null(super::nullability::Form::SystemColumn),
        table: None,
        domain: None,
    };
    vec![
        col("tableoid", PgType::Oid),
        col("ctid", PgType::Other("tid".into())),
        col("xmin", PgType::Other("xid".into())),
        col("cmin", PgType::Other("cid".into())),
        col("xmax", PgType::Other("xid".into())),
        col("cmax", PgType::Other("cid".into())),
    ]
});

/// The relations visible at one level of a statement, with the enclosing level for correlated subqueries.
#[derive(Debug, Clone, Default)]
pub struct Scope<'p> {
    pub rels: Vec<Rel>,
    pub parent: Option<&'p Scope<'p>>,
    /// The SELECT level whose FROM this is, for the grouping rules (`None` outside a SELECT).
    pub frame: Option<usize>,
}

/// What a column lookup found.
pub enum Lookup<'a> {
    /// The relation, its column, and the SELECT level ([`Scope::frame`]) it was found at.
    Found(&'a Rel, &'a RelColumn, Option<usize>),
    Ambiguous,
    NotFound,
    NoSuchRelation,
}

impl<'p> Scope<'p> {
    /// Resolves `column` or `rel.column`, innermost level first.
    pub fn lookup(&self, rel: Option<&str>, column: &str) -> Lookup<'_> {
        let mut found: Option<(&Rel, &RelColumn)> = None;
        let mut rel_seen = false;
        for r in &self.rels {
            if let Some(name) = rel {
                if r.name != name {
                    continue;
                }
                rel_seen = true;
            }
            let unqualified = rel.is_none();
            for c in r
                .columns
                .iter()
                .filter(|c| c.name == column && !(unqualified && r.merged.contains(&c.name)))
            {
                if found.is_some() {
                    return Lookup::Ambiguous;
                }
                found = Some((r, c));
            }
        }
        if found.is_none() {
            // System columns exist on every base table but are never part of `*`.
            for r in self
                .rels
                .iter()
                .filter(|r| r.table.is_some() && rel.is_none_or(|n| r.name == n))
            {
                if let Some(c) = SYSTEM_COLUMNS.iter().find(|c| c.name == column) {
                    if found.is_some() {
                        return Lookup::Ambiguous;
                    }
                    found = Some((r, c));
                }
            }
        }
        match found {
            Some((r, c)) => Lookup::Found(r, c, self.frame),
            None => match self.parent {
                Some(p) => match p.lookup(rel, column) {
                    Lookup::NoSuchRelation if rel_seen => Lookup::NotFound,
                    other => other,
                },
                None if rel.is_some() && !rel_seen => Lookup::NoSuchRelation,
                None => Lookup::NotFound,
            },
        }
    }

    pub fn rel(&self, name: &str) -> Option<&Rel> {
        self.rels.iter().find(|r| r.name == name)
    }

    /// Every column name visible, for did-you-mean help.
    pub fn column_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .rels
            .iter()
            .flat_map(|r| r.columns.iter().map(|c| c.name.as_str()))
            .collect();
        if let Some(p) = self.parent {
            v.extend(p.column_names());
        }
        v
    }
}
