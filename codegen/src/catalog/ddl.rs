//! One function per DDL statement kind, each applying its statement to the catalog.

use super::types::{resolve, Resolved};
use super::{Catalog, Column, CompositeType, Domain, EnumType, RelKind, Table};
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::ir::{PgType, QualName};
use crate::source::{FileId, Span};
use crate::syntax::parse::{ast, ident, name_span, qual_name, span};
use sqlparser::ast::Spanned;

/// A migration statement the parser could not read: an error when it would shape the schema
/// (a table or type definition), a warning otherwise (functions, triggers, policies...).
pub fn parse_failure(d: Diagnostic, stmt: &str) -> Diagnostic {
    let shaping = crate::syntax::fallback::shapes_schema(stmt);
    if shaping {
        d
    } else {
        Diagnostic {
            severity: crate::diagnostics::Severity::Warning,
            code: Code::SkippedStatement,
            ..d
        }
            .note("the statement is skipped; if it changes tables or types, generated code may not match the database")
    }
}

/// Applies one statement; what it cannot apply becomes a diagnostic.
pub fn apply(
    cat: &mut Catalog,
    file: FileId,
    stmt: &ast::Statement,
    start: Span,
    diags: &mut Vec<Diagnostic>,
) {
    cat.tables_change();
    // Some statements carry no span; then point at where the statement starts in the file.
    let at = span(file, stmt.span()).unwrap_or(start);
    match stmt {
        ast::Statement::CreateTable(ct) => create_table(cat, file, ct, at, diags),
        ast::Statement::AlterTable(alt) => alter_table(cat, file, alt, at, diags),
        ast::Statement::Drop {
            object_type,
            if_exists,
            names,
            ..
        } => drop(cat, file, *object_type, *if_exists, names, at, diags),
        ast::Statement::CreateType {
            name,
            representation,
        } => create_type(cat, file, name, representation.as_ref(), at, diags),
        ast::Statement::AlterType(alt) => alter_type(cat, file, alt, at, diags),
        ast::Statement::CreateExtension(ext) => cat.extensions.push(ident(&ext.name)),
        ast::Statement::CreateFunction(f) => create_function(cat, file, f, at, diags),
        ast::Statement::Set(ast::Set::SingleAssignment {
            variable, values, ..
        }) if variable.to_string().eq_ignore_ascii_case("search_path") => {
            set_search_path(cat, values)
        }
        ast::Statement::Set(_) => {}
        ast::Statement::CreateDomain(d) => create_domain(cat, file, d, at, diags),
        ast::Statement::CreateSequence {
            name,
            if_not_exists,
            ..
        } => create_sequence(cat, name, *if_not_exists, at, diags),
        ast::Statement::Comment {
            object_type,
            object_name,
            comment,
            ..
        } => comment_on(
            cat,
            file,
            *object_type,
            object_name,
            comment.clone(),
            at,
            diags,
        ),
        ast::Statement::CreateSchema { schema_name, .. } => create_schema(cat, schema_name),
        // Statements that cannot change the types of tables or query results.
        ast::Statement::CreateIndex(_)
        | ast::Statement::Insert(_)
        | ast::Statement::Update(_)
        | ast::Statement::Delete(_)
        | ast::Statement::Query(_)
        | ast::Statement::StartTransaction { .. }
        | ast::Statement::Commit { .. }
        | ast::Statement::Grant(_)
        | ast::Statement::Revoke(_)
        | ast::Statement::CreateTrigger(_)
        | ast::Statement::DropTrigger(_)
        | ast::Statement::CreatePolicy(_)
        | ast::Statement::CreateRole(_)
        | ast::Statement::CreateUser(_)
        | ast::Statement::Analyze(_) => {}
        ast::Statement::AlterSchema(alter) => alter_schema(cat, alter),
        other => {
            let kind = other
                .to_string()
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase();
            diags.push(not_understood(at, &kind));
        }
    }
}

/// `DROP TABLE|TYPE|VIEW|MATERIALIZED VIEW|SEQUENCE`: the named objects leave the catalogue; a
/// missing one is an error without `IF EXISTS`.
fn drop(
    cat: &mut Catalog,
    file: FileId,
    object_type: ast::ObjectType,
    if_exists: bool,
    names: &[ast::ObjectName],
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    for n in names {
        let q = qual_name(n);
        let nspan = name_span(file, n).unwrap_or(at);
        match object_type {
            ast::ObjectType::Type => {
                if cat.enum_type(&q).is_some() {
                    cat.enums.retain(|e| e.name != q);
                } else if !if_exists {
                    diags.push(
                        Diagnostic::error(Code::UnknownType, format!("type `{q}` does not exist"))
                            .at(nspan),
                    );
                }
            }
            ast::ObjectType::Table
            | ast::ObjectType::View
            | ast::ObjectType::MaterializedView
            | ast::ObjectType::Sequence => {
                if cat.table(&q).is_some() {
                    cat.tables.retain(|t| t.name != q);
                } else if !if_exists {
                    diags.push(missing_table(cat, &q, nspan));
                }
            }
            _ => {}
        }
    }
}

/// `CREATE TYPE ... AS ENUM` and composite types; other representations are not understood.
fn create_type(
    cat: &mut Catalog,
    file: FileId,
    name: &ast::ObjectName,
    representation: Option<&ast::UserDefinedTypeRepresentation>,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let q = cat.qualify_new(qual_name(name));
    let at = name_span(file, name).unwrap_or(at);
    match representation {
        Some(ast::UserDefinedTypeRepresentation::Enum { labels }) => {
            if cat.enum_type(&q).is_some() {
                diags.push(
                    Diagnostic::error(Code::DuplicateType, format!("type `{q}` already exists"))
                        .at(at),
                );
                return;
            }
            let values = labels.iter().map(|l| l.value.clone()).collect();
            cat.enums.push(EnumType {
                name: q,
                values,
                comment: None,
            });
        }
        Some(ast::UserDefinedTypeRepresentation::Composite { attributes }) => {
            if cat.user_type(&q).is_some() {
                diags.push(
                    Diagnostic::error(Code::DuplicateType, format!("type `{q}` already exists"))
                        .at(at),
                );
                return;
            }
            let mut fields = Vec::new();
            for a in attributes {
                match column_type(cat, file, &a.data_type, at, diags) {
                    Some(Resolved::Type(t)) | Some(Resolved::Serial(t)) => {
                        fields.push((ident(&a.name), t))
                    }
                    None => return,
                }
            }
            cat.composites.push(CompositeType {
                name: q,
                fields,
                comment: None,
            });
        }
        _ => diags.push(not_understood(
            at,
            "CREATE TYPE other than AS ENUM or a composite",
        )),
    }
}

/// `SET search_path TO a, public`: later unqualified names resolve (and are created) there.
fn set_search_path(cat: &mut Catalog, values: &[ast::Expr]) {
    cat.search_path = values
        .iter()
        .map(|v| match v {
            ast::Expr::Identifier(i) => ident(i),
            ast::Expr::Value(v) => v.value.to_string().trim_matches('\'').to_string(),
            other => other.to_string(),
        })
        .filter(|s| s != "$user" && s != "\"$user\"")
        .collect();
}

/// `CREATE DOMAIN`: a named type over its base type.
fn create_domain(
    cat: &mut Catalog,
    file: FileId,
    d: &ast::CreateDomain,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let q = cat.qualify_new(qual_name(&d.name));
    let at = name_span(file, &d.name).unwrap_or(at);
    if cat.user_type(&q).is_some() {
        diags.push(
            Diagnostic::error(Code::DuplicateType, format!("type `{q}` already exists")).at(at),
        );
        return;
    }
    if let Some(Resolved::Type(base) | Resolved::Serial(base)) =
        column_type(cat, file, &d.data_type, at, diags)
    {
        cat.domains.push(Domain {
            name: q,
            base,
            not_null: false,
        });
    }
}

/// `CREATE SEQUENCE`: a relation with PostgreSQL's sequence columns, which queries may read.
fn create_sequence(
    cat: &mut Catalog,
    name: &ast::ObjectName,
    if_not_exists: bool,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let q = cat.qualify_new(qual_name(name));
    if cat.table(&q).is_some() {
        if !if_not_exists {
            diags.push(cat.duplicate_relation(&q, format!("relation `{q}` already exists"), at));
        }
        return;
    }
    let col = |n: &str, ty| Column {
        name: n.into(),
        ty,
        not_null: true,
        has_default: false,
        comment: None,
        domain: None,
    };
    cat.tables.push(Table {
        name: q,
        kind: RelKind::Sequence,
        columns: vec![
            col("last_value", PgType::Int8),
            col("log_cnt", PgType::Int8),
            col("is_called", PgType::Bool),
        ],
        comment: None,
        defined: Some(at),
        primary_key: Some(Vec::new()),
    });
}

/// `CREATE SCHEMA`: a schema that names may be qualified with.
fn create_schema(cat: &mut Catalog, schema_name: &ast::SchemaName) {
    let name = match schema_name {
        ast::SchemaName::Simple(n) | ast::SchemaName::NamedAuthorization(n, _) => {
            crate::syntax::parse::name_parts(n).pop()
        }
        ast::SchemaName::UnnamedAuthorization(i) => Some(crate::syntax::parse::ident(i)),
    };
    if let Some(n) = name.filter(|n| !cat.schemas.contains(n)) {
        cat.schemas.push(n);
    }
}

/// `ALTER SCHEMA a RENAME TO b` moves every object of `a`; the other forms (owner, options)
/// change no type.
fn alter_schema(cat: &mut Catalog, alter: &ast::AlterSchema) {
    let Some(old) = crate::syntax::parse::name_parts(&alter.name).pop() else {
        return;
    };
    for op in &alter.operations {
        if let ast::AlterSchemaOperation::Rename { name } = op {
            let Some(new) = crate::syntax::parse::name_parts(name).pop() else {
                continue;
            };
            cat.rename_schema(&old, &new);
        }
    }
}

fn not_understood(at: Span, what: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::SkippedStatement,
        format!("`{what}` is not understood by sqlgen yet and is skipped"),
    )
    .at(at)
    .note("if it changes tables or types, generated code may not match the database")
}

fn missing_table(cat: &Catalog, q: &QualName, at: Span) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::UnknownTableInDdl,
        format!("table `{q}` does not exist"),
    )
    .at(at);
    let names: Vec<String> = cat.table_names().collect();
    if let Some(s) = did_you_mean(&q.to_string(), names.iter().map(String::as_str)) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    d
}

fn column_type(
    cat: &Catalog,
    file: FileId,
    dt: &ast::DataType,
    fallback: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Resolved> {
    let written = dt.to_string();
    let found = resolve(&written, &|q| cat.user_type(q));
    if found.is_none() {
        let at = span(file, dt_span(dt)).unwrap_or(fallback);
        let base = written
            .split(['(', '['])
            .next()
            .unwrap_or("")
            .trim()
            .to_lowercase();
        let arrays = written.matches("[]").count();
        let wrap = |mut t: PgType| {
            for _ in 0..arrays {
                t = PgType::Array(Box::new(t));
            }
            Resolved::Type(t)
        };
        // Any other type PostgreSQL (or a bundled extension) has: known by name, without a Rust mapping.
        if crate::catalog::pg_catalog::CATALOG.oid_of(&base).is_some() {
            return Some(wrap(PgType::Other(base)));
        }
        // A type of an extension sqlgen has no catalogue for: trust the migration, but say so.
        if let Some(ext) = cat.extensions.iter().find(|e| {
            !crate::catalog::pg_catalog::CATALOG
                .extensions
                .contains(&e.as_str())
        }) {
            diags.push(
                Diagnostic::warning(Code::ExtensionType, format!("type `{written}` is unknown to sqlgen; assuming it comes from extension `{ext}`"))
                    .at(at)
                    .note("columns of this type are analysed but have no Rust mapping"),
            );
            return Some(wrap(PgType::Other(base)));
        }
        let mut d =
            Diagnostic::error(Code::UnknownType, format!("type `{base}` does not exist")).at(at);
        let enums: Vec<String> = cat.enums.iter().map(|e| e.name.to_string()).collect();
        let builtins = crate::catalog::types::BUILTIN_NAMES.iter().copied();
        if let Some(s) = did_you_mean(&base, enums.iter().map(String::as_str).chain(builtins)) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
    found
}

/// Label of a diagnostic about a column's type whose span is the column's name; `catalog::build`
/// moves it to the type written after the name.
pub const TYPE_AFTER_NAME: &str = "\u{0}type after this name";

fn dt_span(_dt: &ast::DataType) -> sqlparser::tokenizer::Span {
    // sqlparser keeps no span on data types; callers fall back to the column's.
    sqlparser::tokenizer::Span::empty()
}

fn column_def(
    cat: &Catalog,
    file: FileId,
    def: &ast::ColumnDef,
    diags: &mut Vec<Diagnostic>,
) -> Option<(Column, bool)> {
    let at = span(file, def.name.span).unwrap_or(Span::point(file, 1, 1));
    let before = diags.len();
    let resolved = column_type(cat, file, &def.data_type, at, diags);
    // The parser keeps no span on types: mark these for `catalog::build`, which has the text.
    for d in &mut diags[before..] {
        if let Some((_, label)) = &mut d.primary {
            *label = TYPE_AFTER_NAME.to_string();
        }
    }
    let (ty, serial) = match resolved? {
        Resolved::Type(t) => (t, false),
        Resolved::Serial(t) => (t, true),
    };
    // A column of a NOT NULL domain cannot hold NULL either.
    let domain = domain_of(cat, &def.data_type);
    let domain_not_null = domain
        .as_ref()
        .and_then(|q| cat.domain(q))
        .is_some_and(|d| d.not_null);
    let mut col = Column {
        name: ident(&def.name),
        ty,
        not_null: serial || domain_not_null,
        has_default: serial,
        comment: None,
        domain,
    };
    let mut primary = false;
    for opt in &def.options {
        match &opt.option {
            ast::ColumnOption::NotNull => col.not_null = true,
            ast::ColumnOption::Null => col.not_null = serial,
            ast::ColumnOption::Default(_) => col.has_default = true,
            ast::ColumnOption::PrimaryKey(_) => {
                col.not_null = true;
                primary = true;
            }
            ast::ColumnOption::Generated {
                generation_expr, ..
            } => {
                col.has_default = true;
                // An identity column is NOT NULL; a generated expression column may be null.
                if generation_expr.is_none() {
                    col.not_null = true;
                }
            }
            ast::ColumnOption::Comment(c) => col.comment = Some(c.clone()),
            _ => {}
        }
    }
    Some((col, primary))
}

fn create_table(
    cat: &mut Catalog,
    file: FileId,
    ct: &ast::CreateTable,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let name = cat.qualify_new(qual_name(&ct.name));
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    if ct.clone.is_some() {
        diags.push(not_understood(at, "CREATE TABLE CLONE"));
        return;
    }
    if cat.table(&name).is_some() {
        if !ct.if_not_exists {
            diags.push(cat.duplicate_relation(
                &name,
                format!("table `{name}` already exists"),
                name_span(file, &ct.name).unwrap_or(at),
            ));
        }
        return;
    }
    let mut table = Table {
        name,
        kind: RelKind::Table,
        columns: Vec::new(),
        comment: None,
        defined: Some(name_span(file, &ct.name).unwrap_or(at)),
        primary_key: Some(Vec::new()),
    };
    if like_columns(cat, file, ct, &mut table, at, diags).is_none() {
        return;
    }
    inherited_columns(cat, file, ct, &mut table, at, diags);
    if declared_columns(cat, file, ct, &mut table, at, diags).is_none() {
        return;
    }
    for c in &ct.constraints {
        primary_key_constraint(&mut table, file, c, at, diags);
    }
    if diags.iter().filter(|d| d.is_error()).count() > errors_before {
        // As in PostgreSQL, a CREATE TABLE that fails creates nothing.
        cat.failed.push((table.name, at));
        return;
    }
    cat.tables.push(table);
}

/// `(LIKE s)`: the source's columns, NOT NULL always, defaults only when included; `None` when the
/// source does not exist (reported).
fn like_columns(
    cat: &Catalog,
    file: FileId,
    ct: &ast::CreateTable,
    table: &mut Table,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<()> {
    if let Some(
        ast::CreateTableLikeKind::Parenthesized(like) | ast::CreateTableLikeKind::Plain(like),
    ) = &ct.like
    {
        let source = qual_name(&like.name);
        match cat.table(&source) {
            Some(src) => {
                let defaults = like.defaults == Some(ast::CreateTableLikeDefaults::Including);
                table.columns.extend(src.columns.iter().map(|c| Column {
                    comment: None,
                    has_default: c.has_default && defaults,
                    ..c.clone()
                }));
                // `INCLUDING INDEXES` (or `ALL`) copies the primary key. Assuming it always does
                // errs on the safe side: a key only lets GROUP BY accept more.
                table.primary_key = src.primary_key.clone();
            }
            None => {
                let at = name_span(file, &like.name).unwrap_or(at);
                diags.push(missing_table(cat, &source, at));
                return None;
            }
        }
    }
    Some(())
}

/// The columns of the `INHERITS` parents, first, as PostgreSQL orders them.
fn inherited_columns(
    cat: &Catalog,
    file: FileId,
    ct: &ast::CreateTable,
    table: &mut Table,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    for parent in ct.inherits.iter().flatten() {
        let pname = qual_name(parent);
        match cat.table(&pname) {
            Some(p) => {
                for c in &p.columns {
                    if table.column(&c.name).is_none() {
                        table.columns.push(Column {
                            comment: None,
                            ..c.clone()
                        });
                    }
                }
            }
            None => diags.push(missing_table(
                cat,
                &pname,
                name_span(file, parent).unwrap_or(at),
            )),
        }
    }
}

/// The declared columns after the inherited ones (a redeclared parent column merges with it);
/// `None` when a redeclared column's type conflicts with its parent's (reported).
fn declared_columns(
    cat: &Catalog,
    file: FileId,
    ct: &ast::CreateTable,
    table: &mut Table,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<()> {
    let inherited = table.columns.len();
    for def in &ct.columns {
        if let Some((col, primary)) = column_def(cat, file, def, diags) {
            if primary {
                table.primary_key = Some(vec![col.name.clone()]);
            }
            if let Some(i) = table.columns[..inherited]
                .iter()
                .position(|c| c.name == col.name)
            {
                // A column redeclared from a parent merges with it, if the types agree.
                if table.columns[i].ty != col.ty {
                    diags.push(
                        Diagnostic::error(
                            Code::InheritedColumn,
                            format!(
                                "column `{}` has a type conflict: inherited `{}`, declared `{}`",
                                col.name, table.columns[i].ty, col.ty
                            ),
                        )
                        .at(span(file, def.name.span).unwrap_or(at)),
                    );
                    return None;
                }
                table.columns[i].not_null |= col.not_null;
                continue;
            }
            if table.column(&col.name).is_some() {
                diags.push(
                    Diagnostic::error(
                        Code::DuplicateColumn,
                        format!("column `{}` specified more than once", col.name),
                    )
                    .at(span(file, def.name.span).unwrap_or(at)),
                );
                continue;
            }
            table.columns.push(col);
        }
    }
    Some(())
}

/// The relation a view or CREATE TABLE AS statement defines.
pub fn derived_name(stmt: &ast::Statement) -> Option<QualName> {
    match stmt {
        ast::Statement::CreateView(v) => Some(qual_name(&v.name)),
        ast::Statement::CreateTable(ct) => Some(qual_name(&ct.name)),
        _ => None,
    }
}

fn primary_key_constraint(
    table: &mut Table,
    file: FileId,
    c: &ast::TableConstraint,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    if let ast::TableConstraint::PrimaryKey(pk) = c {
        let mut key = Vec::new();
        for ic in &pk.columns {
            let ast::Expr::Identifier(id) = &ic.column.expr else {
                continue;
            };
            let name = ident(id);
            match table.columns.iter_mut().find(|c| c.name == name) {
                Some(col) => col.not_null = true,
                None => diags.push(missing_column(
                    table,
                    &name,
                    span(file, id.span).unwrap_or(at),
                )),
            }
            key.push(name);
        }
        table.primary_key = Some(key);
    }
}

fn missing_column(table: &Table, name: &str, at: Span) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::UnknownColumnInDdl,
        format!("column `{name}` does not exist in table `{}`", table.name),
    )
    .at(at);
    if let Some(s) = did_you_mean(name, table.columns.iter().map(|c| c.name.as_str())) {
        d = d.help(format!("did you mean `{s}`?"));
    }
    d
}

fn alter_table(
    cat: &mut Catalog,
    file: FileId,
    alt: &ast::AlterTable,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let name = qual_name(&alt.name);
    let nspan = name_span(file, &alt.name).unwrap_or(at);
    if cat.table(&name).is_none() {
        if !alt.if_exists {
            diags.push(missing_table(cat, &name, nspan));
        }
        return;
    }
    for op in &alt.operations {
        // Column definitions need the catalog (enums) while the table is borrowed, so resolve first.
        match op {
            ast::AlterTableOperation::AddColumn {
                if_not_exists,
                column_def: def,
                ..
            } => add_column(cat, file, &name, *if_not_exists, def, at, diags),
            ast::AlterTableOperation::AlterColumn {
                column_name,
                op: ast::AlterColumnOperation::SetDataType { data_type, .. },
            } => set_column_type(cat, file, &name, column_name, data_type, at, diags),
            ast::AlterTableOperation::RenameTable { table_name } => {
                let (ast::RenameTableNameKind::As(n) | ast::RenameTableNameKind::To(n)) =
                    table_name;
                let mut new = qual_name(n);
                if new.schema.is_none() {
                    new.schema = name.schema.clone();
                }
                cat.table_mut(&name).unwrap().name = new;
                return;
            }
            _ => alter_table_in_place(cat.table_mut(&name).unwrap(), file, op, at, diags),
        }
    }
}

/// `ADD COLUMN`; its definition needs the catalogue (enums, domains) before the table is borrowed.
fn add_column(
    cat: &mut Catalog,
    file: FileId,
    name: &QualName,
    if_not_exists: bool,
    def: &ast::ColumnDef,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let Some((col, primary)) = column_def(cat, file, def, diags) else {
        return;
    };
    let table = cat.table_mut(name).unwrap();
    if primary {
        table.primary_key = Some(vec![col.name.clone()]);
    }
    if table.column(&col.name).is_some() {
        if !if_not_exists {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateColumn,
                    format!("column `{}` of table `{name}` already exists", col.name),
                )
                .at(span(file, def.name.span).unwrap_or(at)),
            );
        }
        return;
    }
    table.columns.push(col);
}

/// `ALTER COLUMN ... TYPE`: the column's new type and domain.
fn set_column_type(
    cat: &mut Catalog,
    file: FileId,
    name: &QualName,
    column_name: &ast::Ident,
    data_type: &ast::DataType,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let cspan = span(file, column_name.span).unwrap_or(at);
    let Some(resolved) = column_type(cat, file, data_type, cspan, diags) else {
        return;
    };
    let ty = match resolved {
        Resolved::Type(t) | Resolved::Serial(t) => t,
    };
    let domain = domain_of(cat, data_type);
    let table = cat.table_mut(name).unwrap();
    let cname = ident(column_name);
    match table.columns.iter_mut().find(|c| c.name == cname) {
        Some(c) => {
            c.ty = ty;
            c.domain = domain;
        }
        None => diags.push(missing_column(table, &cname, cspan)),
    }
}

/// The `ALTER TABLE` operations that change the table alone: dropped and renamed columns, NOT NULL
/// and defaults, a primary key added; the ones that change no type are accepted as they are.
fn alter_table_in_place(
    table: &mut Table,
    file: FileId,
    op: &ast::AlterTableOperation,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    match op {
        ast::AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } => {
            for c in column_names {
                let cname = ident(c);
                if table.column(&cname).is_some() {
                    table.columns.retain(|col| col.name != cname);
                    // Dropping a key column drops the key.
                    if let Some(pk) = &mut table.primary_key {
                        if pk.contains(&cname) {
                            pk.clear();
                        }
                    }
                } else if !if_exists {
                    diags.push(missing_column(
                        table,
                        &cname,
                        span(file, c.span).unwrap_or(at),
                    ));
                }
            }
        }
        ast::AlterTableOperation::RenameColumn {
            old_column_name,
            new_column_name,
        } => {
            let old = ident(old_column_name);
            let new = ident(new_column_name);
            for k in table.primary_key.iter_mut().flatten() {
                if *k == old {
                    k.clone_from(&new);
                }
            }
            match table.columns.iter_mut().find(|c| c.name == old) {
                Some(c) => c.name = new,
                None => diags.push(missing_column(
                    table,
                    &old,
                    span(file, old_column_name.span).unwrap_or(at),
                )),
            }
        }
        ast::AlterTableOperation::AlterColumn { column_name, op } => {
            let cname = ident(column_name);
            let cspan = span(file, column_name.span).unwrap_or(at);
            let Some(col) = table.columns.iter_mut().find(|c| c.name == cname) else {
                diags.push(missing_column(table, &cname, cspan));
                return;
            };
            match op {
                ast::AlterColumnOperation::SetNotNull => col.not_null = true,
                ast::AlterColumnOperation::DropNotNull => col.not_null = false,
                ast::AlterColumnOperation::SetDefault { .. } => col.has_default = true,
                ast::AlterColumnOperation::DropDefault => col.has_default = false,
                ast::AlterColumnOperation::AddGenerated { .. } => {
                    col.has_default = true;
                    col.not_null = true;
                }
                _ => diags.push(not_understood(cspan, &format!("ALTER COLUMN {op}"))),
            }
        }
        ast::AlterTableOperation::AddConstraint { constraint, .. } => {
            primary_key_constraint(table, file, constraint, at, diags);
        }
        ast::AlterTableOperation::DropConstraint { .. }
        | ast::AlterTableOperation::RenameConstraint { .. }
        | ast::AlterTableOperation::EnableRowLevelSecurity
        | ast::AlterTableOperation::DisableRowLevelSecurity
        | ast::AlterTableOperation::OwnerTo { .. } => {}
        other => diags.push(not_understood(at, &format!("ALTER TABLE {other}"))),
    }
}

fn alter_type(
    cat: &mut Catalog,
    file: FileId,
    alt: &ast::AlterType,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let name = qual_name(&alt.name);
    let Some(e) = cat.enums.iter_mut().find(|e| e.name == name) else {
        diags.push(
            Diagnostic::error(Code::UnknownType, format!("type `{name}` does not exist"))
                .at(name_span(file, &alt.name).unwrap_or(at)),
        );
        return;
    };
    match &alt.operation {
        ast::AlterTypeOperation::AddValue(add) => {
            let v = add.value.value.clone();
            if e.values.contains(&v) {
                if !add.if_not_exists {
                    diags.push(
                        Diagnostic::error(
                            Code::EnumLabel,
                            format!("enum label `{v}` already exists"),
                        )
                        .at(span(file, add.value.span).unwrap_or(at)),
                    );
                }
                return;
            }
            let idx = match &add.position {
                None => e.values.len(),
                Some(ast::AlterTypeAddValuePosition::Before(n)) => e
                    .values
                    .iter()
                    .position(|x| *x == n.value)
                    .unwrap_or(e.values.len()),
                Some(ast::AlterTypeAddValuePosition::After(n)) => e
                    .values
                    .iter()
                    .position(|x| *x == n.value)
                    .map(|i| i + 1)
                    .unwrap_or(e.values.len()),
            };
            e.values.insert(idx, v);
        }
        ast::AlterTypeOperation::RenameValue(r) => {
            match e.values.iter_mut().find(|x| **x == r.from.value) {
                Some(x) => *x = r.to.value.clone(),
                None => diags.push(
                    Diagnostic::error(
                        Code::EnumLabel,
                        format!("`{}` is not an existing enum label", r.from.value),
                    )
                    .at(span(file, r.from.span).unwrap_or(at)),
                ),
            }
        }
        ast::AlterTypeOperation::Rename(r) => {
            let new = QualName::new(name.schema.clone(), ident(&r.new_name));
            e.name = new.clone();
            // Columns of the renamed enum follow it.
            for t in &mut cat.tables {
                for c in &mut t.columns {
                    rename_enum(&mut c.ty, &name, &new);
                }
            }
        }
    }
}

fn rename_enum(ty: &mut PgType, old: &QualName, new: &QualName) {
    match ty {
        PgType::Enum(q) if q == old => *q = new.clone(),
        PgType::Array(inner) => rename_enum(inner, old, new),
        _ => {}
    }
}

fn comment_on(
    cat: &mut Catalog,
    file: FileId,
    kind: ast::CommentObject,
    name: &ast::ObjectName,
    comment: Option<String>,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let nspan = name_span(file, name).unwrap_or(at);
    match kind {
        ast::CommentObject::Table => {
            let q = qual_name(name);
            match cat.table_mut(&q) {
                Some(t) => t.comment = comment,
                None => diags.push(missing_table(cat, &q, nspan)),
            }
        }
        ast::CommentObject::Column => {
            let mut parts = crate::syntax::parse::name_parts(name);
            let Some(col) = parts.pop() else { return };
            let tname = parts.pop().unwrap_or_default();
            let q = QualName::new(parts.pop(), tname);
            match cat.table_mut(&q) {
                Some(t) => match t.columns.iter_mut().find(|c| c.name == col) {
                    Some(c) => c.comment = comment,
                    None => diags.push(missing_column(t, &col, nspan)),
                },
                None => diags.push(missing_table(cat, &q, nspan)),
            }
        }
        ast::CommentObject::Type => {
            let q = qual_name(name);
            if let Some(e) = cat.enums.iter_mut().find(|e| e.name == q) {
                e.comment = comment;
            }
        }
        _ => {}
    }
}

/// A view, materialized view or CREATE TABLE AS, with the columns its query produces.
pub fn create_derived(
    cat: &mut Catalog,
    file: FileId,
    stmt: &ast::Statement,
    cols: Vec<(String, PgType, bool)>,
    diags: &mut Vec<Diagnostic>,
) {
    cat.tables_change();
    let at = span(file, stmt.span()).unwrap_or(Span::point(file, 1, 1));
    let (name, kind, aliases, replace, if_not_exists): (
        &ast::ObjectName,
        RelKind,
        Vec<String>,
        bool,
        bool,
    ) = match stmt {
        ast::Statement::CreateView(v) => (
            &v.name,
            if v.materialized {
                RelKind::MaterializedView
            } else {
                RelKind::View
            },
            v.columns.iter().map(|c| ident(&c.name)).collect(),
            v.or_replace,
            v.if_not_exists,
        ),
        ast::Statement::CreateTable(ct) => (
            &ct.name,
            RelKind::Table,
            ct.columns.iter().map(|c| ident(&c.name)).collect(),
            ct.or_replace,
            ct.if_not_exists,
        ),
        _ => return,
    };
    let q = cat.qualify_new(qual_name(name));
    if cat.table(&q).is_some() {
        if replace {
            cat.tables.retain(|t| t.name != q);
        } else {
            if !if_not_exists {
                diags.push(cat.duplicate_relation(
                    &q,
                    format!("relation `{q}` already exists"),
                    name_span(file, name).unwrap_or(at),
                ));
            }
            return;
        }
    }
    let columns = cols
        .into_iter()
        .enumerate()
        .map(|(i, (n, ty, not_null))| Column {
            name: aliases.get(i).cloned().unwrap_or(n),
            ty,
            // CREATE TABLE AS copies no NOT NULL constraint; a view's columns are as its query infers.
            not_null: not_null && kind != RelKind::Table,
            has_default: false,
            comment: None,
            domain: None,
        })
        .collect();
    cat.tables.push(Table {
        name: q,
        kind,
        columns,
        comment: None,
        defined: Some(name_span(file, name).unwrap_or(at)),
        primary_key: Some(Vec::new()),
    });
}

fn create_function(
    cat: &mut Catalog,
    file: FileId,
    f: &ast::CreateFunction,
    at: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let name = cat.qualify_new(qual_name(&f.name));
    let mut args = Vec::new();
    let mut columns = Vec::new();
    for a in f.args.iter().flatten() {
        let ty = match column_type(cat, file, &a.data_type, at, diags) {
            Some(Resolved::Type(t)) | Some(Resolved::Serial(t)) => t,
            None => return,
        };
        let aname = a.name.as_ref().map(ident);
        match a.mode {
            Some(ast::ArgMode::Out) => columns.push((
                aname.unwrap_or_else(|| format!("column{}", columns.len() + 1)),
                ty,
            )),
            Some(ast::ArgMode::InOut) => {
                columns.push((
                    aname
                        .clone()
                        .unwrap_or_else(|| format!("column{}", columns.len() + 1)),
                    ty.clone(),
                ));
                args.push((aname, ty, a.default_expr.is_some()));
            }
            _ => args.push((aname, ty, a.default_expr.is_some())),
        }
    }
    let (set_returning, dt) = match &f.return_type {
        Some(ast::FunctionReturnType::DataType(dt)) => (false, Some(dt)),
        Some(ast::FunctionReturnType::SetOf(dt)) => (true, Some(dt)),
        None => (false, None),
    };
    let mut returns = PgType::Void;
    match dt {
        Some(ast::DataType::Table(Some(defs))) => {
            for d in defs {
                if let Some((col, _)) = column_def(cat, file, d, diags) {
                    columns.push((col.name, col.ty));
                }
            }
            // A one-column table is a set of that column's type, as in PostgreSQL.
            returns = if columns.len() == 1 {
                columns[0].1.clone()
            } else {
                PgType::Record
            };
            return push_function(cat, name, args, returns, columns, true, f);
        }
        Some(dt) => {
            let written = dt.to_string();
            let lower = written.to_ascii_lowercase();
            if lower == "trigger" || lower == "event_trigger" {
                return;
            }
            // A table name as the result type: its row.
            if let Some(q) = crate::catalog::types::parse_qualified(&written) {
                if let Some(t) = cat.table(&q) {
                    columns = t
                        .columns
                        .iter()
                        .map(|c| (c.name.clone(), c.ty.clone()))
                        .collect();
                    return push_function(
                        cat,
                        name,
                        args,
                        PgType::Record,
                        columns,
                        set_returning,
                        f,
                    );
                }
            }
            if lower != "record" && lower != "void" {
                match column_type(cat, file, dt, at, diags) {
                    Some(Resolved::Type(t)) | Some(Resolved::Serial(t)) => returns = t,
                    None => return,
                }
            } else if lower == "record" {
                returns = PgType::Record;
            }
        }
        None if !columns.is_empty() => returns = PgType::Record,
        None => {}
    }
    // A single OUT parameter is the result itself (its name still names the column in FROM).
    if columns.len() == 1 && returns == PgType::Record {
        returns = columns[0].1.clone();
    }
    push_function(cat, name, args, returns, columns, set_returning, f);
}

fn push_function(
    cat: &mut Catalog,
    name: QualName,
    args: Vec<(Option<String>, PgType, bool)>,
    returns: PgType,
    columns: Vec<(String, PgType)>,
    set_returning: bool,
    f: &ast::CreateFunction,
) {
    let strict = matches!(
        f.called_on_null,
        Some(ast::FunctionCalledOnNull::Strict)
            | Some(ast::FunctionCalledOnNull::ReturnsNullOnNullInput)
    );
    let arg_types: Vec<&PgType> = args.iter().map(|a| &a.1).collect();
    if f.or_replace {
        cat.functions.retain(|g| {
            !(g.name == name && g.args.iter().map(|a| &a.1).collect::<Vec<_>>() == arg_types)
        });
    }
    cat.functions.push(super::Function {
        name,
        args,
        returns,
        columns,
        set_returning,
        strict,
    });
}

/// The domain a written type names, if it names one (arrays of domains are typed by their base).
fn domain_of(cat: &Catalog, dt: &ast::DataType) -> Option<QualName> {
    cat.domain_written(&dt.to_string())
}
