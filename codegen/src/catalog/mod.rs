//! The schema as the migrations leave it: tables, columns and enums, built without a database.

mod ddl;
pub mod pg_catalog;
pub mod system;
pub mod types;

use crate::diagnostics::Diagnostic;
use crate::ir::{PgType, QualName};
use crate::source::{FileId, SourceMap, Span};
use std::collections::HashMap;

pub use ddl::apply;

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// In creation order, which is the order models are emitted in.
    pub tables: Vec<Table>,
    pub enums: Vec<EnumType>,
    /// Extensions created by the migrations.
    pub extensions: Vec<String>,
    /// Functions created by the migrations (`CREATE FUNCTION`).
    pub functions: Vec<Function>,
    pub domains: Vec<Domain>,
    pub composites: Vec<CompositeType>,
    /// `SET search_path` as the migrations leave it; empty means PostgreSQL's default (`public`).
    pub search_path: Vec<String>,
    /// Schemas made by `CREATE SCHEMA`.
    pub schemas: Vec<String>,
    /// Relations whose defining statement failed (an unknown type, a syntax error, a view over a
    /// missing column), and where: as in PostgreSQL they do not exist, and a query naming one
    /// points back at the failure.
    pub failed: Vec<(QualName, Span)>,
    /// Positions in `tables` by name (the first of duplicates), built by [`build`] once the
    /// migrations are applied, so that analysis finds a table without scanning a thousand;
    /// `None` while DDL may change the tables (every DDL entry point drops it).
    index: Option<HashMap<QualName, usize>>,
}

/// `CREATE DOMAIN`: PostgreSQL describes its values as the base type, so sqlgen types them so too.
#[derive(Debug, Clone)]
pub struct Domain {
    pub name: QualName,
    pub base: PgType,
    pub not_null: bool,
}

/// `CREATE TYPE t AS (...)`.
#[derive(Debug, Clone)]
pub struct CompositeType {
    pub name: QualName,
    pub fields: Vec<(String, PgType)>,
    pub comment: Option<String>,
}

/// A user-defined function.
#[derive(Debug, Clone)]
pub struct Function {
    pub name: QualName,
    /// Input arguments: name, type, whether it has a default.
    pub args: Vec<(Option<String>, PgType, bool)>,
    /// The result: a scalar type, or `Record` when `columns` describe the row.
    pub returns: PgType,
    /// Output columns (OUT parameters, `RETURNS TABLE (...)`, or `SETOF some_table`).
    pub columns: Vec<(String, PgType)>,
    pub set_returning: bool,
    pub strict: bool,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: QualName,
    pub kind: RelKind,
    pub columns: Vec<Column>,
    pub comment: Option<String>,
    /// Where the migrations create it (its name), for pointing at the first of two definitions.
    pub defined: Option<Span>,
    /// The primary key's columns (empty without one); `None` where it is not known (PostgreSQL's
    /// own catalogues), so that GROUP BY treats every column as determined by the group.
    pub primary_key: Option<Vec<String>>,
}

/// What kind of relation a [`Table`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelKind {
    Table,
    View,
    MaterializedView,
    Sequence,
}

impl RelKind {
    /// Whether rows of it can be a model struct (sequences are not).
    pub fn has_model(self) -> bool {
        self != RelKind::Sequence
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub ty: PgType,
    pub not_null: bool,
    pub has_default: bool,
    pub comment: Option<String>,
    /// The domain the column is declared with; `ty` is its base type.
    pub domain: Option<QualName>,
}

#[derive(Debug, Clone)]
pub struct EnumType {
    pub name: QualName,
    pub values: Vec<String>,
    pub comment: Option<String>,
}

impl Catalog {
    /// `ALTER SCHEMA old RENAME TO new`: every object of `old`, and every type naming one, moves.
    pub fn rename_schema(&mut self, old: &str, new: &str) {
        fn moved(q: &mut QualName, old: &str, new: &str) {
            if q.schema.as_deref() == Some(old) {
                q.schema = Some(new.to_string());
            }
        }
        fn moved_type(t: &mut PgType, old: &str, new: &str) {
            match t {
                PgType::Enum(q) | PgType::Composite(q) => moved(q, old, new),
                PgType::Array(inner) => moved_type(inner, old, new),
                _ => {}
            }
        }
        self.tables_change();
        for t in &mut self.tables {
            moved(&mut t.name, old, new);
            for c in &mut t.columns {
                moved_type(&mut c.ty, old, new);
                if let Some(d) = &mut c.domain {
                    moved(d, old, new);
                }
            }
        }
        for e in &mut self.enums {
            moved(&mut e.name, old, new);
        }
        for d in &mut self.domains {
            moved(&mut d.name, old, new);
            moved_type(&mut d.base, old, new);
        }
        for c in &mut self.composites {
            moved(&mut c.name, old, new);
            for (_, t) in &mut c.fields {
                moved_type(t, old, new);
            }
        }
        for f in &mut self.functions {
            moved(&mut f.name, old, new);
            for (_, t, _) in &mut f.args {
                moved_type(t, old, new);
            }
            moved_type(&mut f.returns, old, new);
            for (_, t) in &mut f.columns {
                moved_type(t, old, new);
            }
        }
        // The search path is text: a renamed schema is no longer on it under its old name.
        for s in &mut self.schemas {
            if s == old {
                *s = new.to_string();
            }
        }
    }

    /// Indexes the tables for lookups by name; DDL applied afterwards drops the index again.
    pub fn index_tables(&mut self) {
        let mut index = HashMap::with_capacity(self.tables.len());
        for (i, t) in self.tables.iter().enumerate() {
            index.entry(t.name.clone()).or_insert(i);
        }
        self.index = Some(index);
    }

    /// Called before the tables change: lookups scan again until [`Catalog::index_tables`].
    pub(crate) fn tables_change(&mut self) {
        self.index = None;
    }

    /// Whether an unqualified name is looked up along the search path rather than as written.
    fn searched(&self, name: &QualName) -> bool {
        name.schema.is_none() && !self.search_path.is_empty()
    }

    /// The names an unqualified name may mean, in search path order.
    fn candidates(&self, name: &QualName) -> Vec<QualName> {
        if name.schema.is_some() || self.search_path.is_empty() {
            return vec![name.clone()];
        }
        self.search_path
            .iter()
            .map(|s| QualName::new(Some(s.clone()), name.name.clone()))
            .collect()
    }

    /// Where an unqualified object created now goes: the first schema of the search path.
    pub fn qualify_new(&self, name: QualName) -> QualName {
        match (&name.schema, self.search_path.first()) {
            (None, Some(s)) => QualName::new(Some(s.clone()), name.name),
            _ => name,
        }
    }

    pub fn table(&self, name: &QualName) -> Option<&Table> {
        if !self.searched(name) {
            return self.table_named(name);
        }
        self.candidates(name)
            .into_iter()
            .find_map(|q| self.table_named(&q))
    }

    /// The table of exactly this name.
    fn table_named(&self, name: &QualName) -> Option<&Table> {
        match &self.index {
            Some(index) => index.get(name).map(|&i| &self.tables[i]),
            None => self.tables.iter().find(|t| t.name == *name),
        }
    }

    pub fn table_mut(&mut self, name: &QualName) -> Option<&mut Table> {
        let found = self.table(name)?.name.clone();
        self.tables_change();
        self.tables.iter_mut().find(|t| t.name == found)
    }

    pub fn enum_type(&self, name: &QualName) -> Option<&EnumType> {
        if !self.searched(name) {
            return self.enums.iter().find(|e| e.name == *name);
        }
        self.candidates(name)
            .into_iter()
            .find_map(|q| self.enums.iter().find(|e| e.name == q))
    }

    /// The type a user-defined type name stands for: an enum, a composite, or a domain
    /// (`PgType::Domain`, which [`types::resolve`] keeps only as an array's element).
    pub fn user_type(&self, q: &QualName) -> Option<PgType> {
        for c in self.candidates(q) {
            if self.enums.iter().any(|e| e.name == c) {
                return Some(PgType::Enum(c));
            }
            if self.composites.iter().any(|x| x.name == c) {
                return Some(PgType::Composite(c));
            }
            if let Some(d) = self.domains.iter().find(|d| d.name == c) {
                return Some(PgType::Domain(d.name.clone(), Box::new(d.base.clone())));
            }
        }
        None
    }

    /// The domain a type as written names (`label`, `public.label`, not `label[]`), if it names one.
    pub fn domain_written(&self, written: &str) -> Option<QualName> {
        if written.contains('[') || written.to_ascii_lowercase().trim_end().ends_with(" array") {
            return None;
        }
        let q = types::parse_qualified(written.split('(').next().unwrap_or("").trim())?;
        self.domain(&q).map(|d| d.name.clone())
    }

    pub fn domain(&self, q: &QualName) -> Option<&Domain> {
        self.candidates(q)
            .into_iter()
            .find_map(|c| self.domains.iter().find(|d| d.name == c))
    }

    /// A duplicate-definition error, with the first definition as a secondary label when known.
    pub fn duplicate_relation(&self, name: &QualName, message: String, at: Span) -> Diagnostic {
        let mut d = Diagnostic::error(crate::diagnostics::Code::DuplicateRelation, message)
            .label(at, "defined again here");
        if let Some(first) = self.table(name).and_then(|t| t.defined) {
            d = d.secondary(first, "first defined here");
        }
        d
    }

    pub fn table_names(&self) -> impl Iterator<Item = String> + '_ {
        self.tables.iter().map(|t| t.name.to_string())
    }

    /// Every schema a name may be qualified with: PostgreSQL's own, the created ones, and those
    /// of every object and of the search path.
    pub fn schema_names(&self) -> Vec<String> {
        let mut out: Vec<String> = ["public", "pg_catalog", "information_schema"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let objects = self
            .tables
            .iter()
            .map(|t| &t.name)
            .chain(self.enums.iter().map(|e| &e.name))
            .chain(self.functions.iter().map(|f| &f.name))
            .chain(self.domains.iter().map(|d| &d.name))
            .chain(self.composites.iter().map(|c| &c.name))
            .filter_map(|n| n.schema.clone());
        for s in self
            .schemas
            .iter()
            .chain(&self.search_path)
            .cloned()
            .chain(objects)
        {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

fn derived_query(
    stmt: &crate::syntax::parse::ast::Statement,
) -> Option<&crate::syntax::parse::ast::Query> {
    use crate::syntax::parse::ast::Statement;
    match stmt {
        Statement::CreateView(v) => Some(&v.query),
        Statement::CreateTable(ct) => ct.query.as_deref(),
        _ => None,
    }
}

/// The columns (name, type, NOT NULL) of a view's or CREATE TABLE AS's query against the catalogue
/// as it stands: [`build`] is given this by its caller (the loader passes the query analyser), so
/// the catalogue knows nothing of analysis.
pub type DerivedColumns<'a> = &'a dyn Fn(
    &Catalog,
    &crate::source::SourceFile,
    FileId,
    &crate::syntax::parse::ast::Query,
) -> Result<Vec<(String, PgType, bool)>, Vec<Diagnostic>>;

/// Builds the catalog from migration files already loaded in `sources` (up sections only); the
/// columns of views and CREATE TABLE AS come from `derived_columns`.
pub fn build(
    files: &[FileId],
    sources: &SourceMap,
    derived_columns: DerivedColumns<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Catalog {
    let mut catalog = Catalog::default();
    for &file in files {
        let text = &sources.get(file).text;
        let first_new = diags.len();
        for (start, end) in crate::syntax::scan::statements(text) {
            let src = sources.get(file);
            let pos = src.pos(start);
            let stmt_text = &text[start..end];
            match crate::syntax::parse::parse(file, stmt_text, pos) {
                Ok(stmts) => {
                    for stmt in stmts {
                        match derived_query(&stmt) {
                            // Views and CREATE TABLE AS take their columns from their query.
                            Some(query) => match derived_columns(&catalog, src, file, query) {
                                Ok(cols) => {
                                    ddl::create_derived(&mut catalog, file, &stmt, cols, diags)
                                }
                                Err(ds) => {
                                    diags.extend(ds);
                                    if let Some(name) = ddl::derived_name(&stmt) {
                                        let at = Span::new(file, pos, pos);
                                        catalog.failed.push((catalog.qualify_new(name), at));
                                    }
                                }
                            },
                            None => {
                                apply(&mut catalog, file, &stmt, Span::new(file, pos, pos), diags)
                            }
                        }
                    }
                }
                Err(d) => match crate::syntax::fallback::domain_without_not_null(stmt_text) {
                    // sqlparser does not read NOT NULL in CREATE DOMAIN: parse without it, then apply it.
                    Some((blanked, not_null)) => {
                        match crate::syntax::parse::parse(file, &blanked, pos) {
                            Ok(stmts) => {
                                for stmt in stmts {
                                    apply(
                                        &mut catalog,
                                        file,
                                        &stmt,
                                        Span::new(file, pos, pos),
                                        diags,
                                    );
                                    if let (true, Some(last)) =
                                        (not_null, catalog.domains.last_mut())
                                    {
                                        last.not_null = true;
                                    }
                                }
                            }
                            Err(_) => diags.push(ddl::parse_failure(d, &text[start..end])),
                        }
                    }
                    None => {
                        let d = ddl::parse_failure(d, &text[start..end]);
                        if d.is_error() {
                            if let Some(name) =
                                crate::syntax::fallback::created_relation(&text[start..end])
                            {
                                let at = Span::new(file, pos, pos);
                                catalog.failed.push((catalog.qualify_new(name), at));
                            }
                        }
                        diags.push(d);
                    }
                },
            }
        }
        for d in &mut diags[first_new..] {
            point_at_column_type(d, sources.get(file));
        }
    }
    catalog.index_tables();
    catalog
}

/// Moves a [`ddl::TYPE_AFTER_NAME`] diagnostic from the column's name to the type written after it.
fn point_at_column_type(d: &mut Diagnostic, src: &crate::source::SourceFile) {
    let Some((span, label)) = &mut d.primary else {
        return;
    };
    if label != ddl::TYPE_AFTER_NAME {
        return;
    }
    label.clear();
    let after = src.offset(span.end);
    let rest = &src.text[after..];
    let skip = rest.len() - rest.trim_start().len();
    let word = rest[skip..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"'))
        .unwrap_or(rest.len() - skip);
    if word > 0 {
        span.start = src.pos(after + skip);
        span.end = src.pos(after + skip + word);
    }
}
