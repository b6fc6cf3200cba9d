//! The analysis result: plain data shared by the emitter and the `describe` command.
//! This is the API boundary: the emitter sees only these types, never the SQL AST.

/// A schema-qualified name; `schema` is `None` for `public`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualName {
    pub schema: Option<String>,
    pub name: String,
}

impl QualName {
    pub fn new(schema: Option<String>, name: impl Into<String>) -> Self {
        let schema = schema.filter(|s| s != "public" && s != "pg_catalog");
        QualName {
            schema,
            name: name.into(),
        }
    }
}

impl std::fmt::Display for QualName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

/// A PostgreSQL type as the analysis knows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PgType {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Text,
    Varchar,
    Bpchar,
    /// The single-byte `"char"` type.
    Char,
    Name,
    Citext,
    Bytea,
    Uuid,
    Timestamptz,
    Timestamp,
    Date,
    Time,
    Timetz,
    Interval,
    Json,
    Jsonb,
    Inet,
    Cidr,
    Macaddr,
    Oid,
    Money,
    Void,
    Record,
    /// A user-defined enum.
    Enum(QualName),
    /// A user-defined composite type (`CREATE TYPE t AS (...)`).
    Composite(QualName),
    Array(Box<PgType>),
    /// The element of an array of a domain (`label[]` is `Array(Domain(label, Text))`).
    /// PostgreSQL reports such an array as an array of the domain, where a value of the domain
    /// itself is reported as its base type: scalar values keep their base type here, with the
    /// domain beside it (the `domain` fields), and this variant appears only inside `Array`.
    Domain(QualName, Box<PgType>),
    /// An untyped literal or parameter whose type the context has not fixed yet.
    Unknown,
    /// A type known by name only; it has no Rust mapping.
    Other(String),
}

impl PgType {
    /// PostgreSQL's `typname` of the element type (`int4`, `foo.status`), as `describe` prints it.
    pub fn element_name(&self) -> String {
        match self {
            PgType::Array(inner) => inner.element_name(),
            other => other.scalar_name(),
        }
    }

    fn scalar_name(&self) -> String {
        let s = match self {
            PgType::Bool => "bool",
            PgType::Int2 => "int2",
            PgType::Int4 => "int4",
            PgType::Int8 => "int8",
            PgType::Float4 => "float4",
            PgType::Float8 => "float8",
            PgType::Numeric => "numeric",
            PgType::Text => "text",
            PgType::Varchar => "varchar",
            PgType::Bpchar => "bpchar",
            PgType::Char => "char",
            PgType::Name => "name",
            PgType::Citext => "citext",
            PgType::Bytea => "bytea",
            PgType::Uuid => "uuid",
            PgType::Timestamptz => "timestamptz",
            PgType::Timestamp => "timestamp",
            PgType::Date => "date",
            PgType::Time => "time",
            PgType::Timetz => "timetz",
            PgType::Interval => "interval",
            PgType::Json => "json",
            PgType::Jsonb => "jsonb",
            PgType::Inet => "inet",
            PgType::Cidr => "cidr",
            PgType::Macaddr => "macaddr",
            PgType::Oid => "oid",
            PgType::Money => "money",
            PgType::Void => "void",
            PgType::Record => "record",
            PgType::Unknown => "unknown",
            PgType::Enum(q) | PgType::Composite(q) | PgType::Domain(q, _) => return q.to_string(),
            PgType::Other(n) => return n.clone(),
            PgType::Array(_) => return self.element_name(),
        };
        s.to_string()
    }

    pub fn is_array(&self) -> bool {
        matches!(self, PgType::Array(_))
    }

    /// The type with every array-of-domain element replaced by the domain's base type
    /// (`label[]` is `text[]`): the type a value converts to without a cast of its own.
    pub fn smashed(&self) -> PgType {
        match self {
            PgType::Array(inner) => PgType::Array(Box::new(inner.smashed())),
            PgType::Domain(_, base) => base.smashed(),
            other => other.clone(),
        }
    }

    /// Whether this is an array (of any depth) of a domain.
    pub fn has_domain_element(&self) -> bool {
        match self {
            PgType::Array(inner) => inner.has_domain_element(),
            PgType::Domain(..) => true,
            _ => false,
        }
    }

    /// The `typname` a server reports for this type: arrays as `_elem`, user types without
    /// their schema (`verify` and the differential tester compare it with prepared statements).
    pub fn server_name(&self) -> String {
        match self {
            PgType::Array(inner) => format!("_{}", inner.server_name()),
            PgType::Enum(q) | PgType::Composite(q) | PgType::Domain(q, _) => q.name.clone(),
            other => other.element_name(),
        }
    }

    /// The name PostgreSQL gives a cast's result column (`SELECT 1::int` is named `int4`).
    pub fn column_name(&self) -> String {
        match self {
            PgType::Array(inner) => inner.column_name(),
            PgType::Enum(q) | PgType::Composite(q) | PgType::Domain(q, _) => q.name.clone(),
            other => other.scalar_name(),
        }
    }
}

impl std::fmt::Display for PgType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PgType::Array(inner) => write!(f, "{inner}[]"),
            other => f.write_str(&other.scalar_name()),
        }
    }
}

/// What a query returns, as its annotation says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Exactly one row; none is an error the caller can tell apart.
    One,
    /// Zero or one row.
    Opt,
    Many,
    Exec,
    /// The number of rows affected.
    ExecRows,
    /// sqlc's `:execresult`: the number of rows affected, as `:execrows`.
    ExecResult,
    /// sqlc's batch commands: one call runs the query for many parameter sets, pipelined on
    /// one connection, with one result per set (`()`, a row, or rows).
    BatchExec,
    BatchOne,
    BatchMany,
    /// sqlc's `:copyfrom`: an `INSERT ... VALUES ($1, ...)` run as a binary `COPY FROM STDIN`.
    CopyFrom,
    /// sqlc's `:execlastid` (MySQL's last insert id); analysed, not generated for PostgreSQL.
    ExecLastId,
}

impl Command {
    pub fn annotation(self) -> &'static str {
        match self {
            Command::One => ":one",
            Command::Opt => ":opt",
            Command::Many => ":many",
            Command::Exec => ":exec",
            Command::ExecRows => ":execrows",
            Command::ExecResult => ":execresult",
            Command::BatchExec => ":batchexec",
            Command::BatchOne => ":batchone",
            Command::BatchMany => ":batchmany",
            Command::CopyFrom => ":copyfrom",
            Command::ExecLastId => ":execlastid",
        }
    }

    pub fn returns_rows(self) -> bool {
        matches!(
            self,
            Command::One | Command::Opt | Command::Many | Command::BatchOne | Command::BatchMany
        )
    }
}

/// One generated package (one `sql:` entry).
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    /// Query files in the order they were read; each becomes a module.
    pub files: Vec<QueryFile>,
    /// Tables emitted as model structs, in catalog order.
    pub models: Vec<Model>,
    /// Enums the package uses, in catalog order.
    pub enums: Vec<Enum>,
    /// Composite types the package uses, in catalog order.
    pub composites: Vec<Composite>,
    /// Domains the package uses, in catalog order.
    pub domains: Vec<Domain>,
    /// Models and enums taken from other packages instead of being generated again.
    pub imported: Vec<Import>,
    /// The package's `overrides`, resolved against its schema, in the order written.
    pub overrides: Vec<TypeOverride>,
}

/// A Rust type chosen by the user for a type or a column (`overrides` in the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeOverride {
    pub target: OverrideTarget,
    /// Rust path of the owned type (`crate::money::Cents`).
    pub rust_type: String,
    /// Rust type of parameters (`&str`), when not the owned type.
    pub borrowed: Option<String>,
    /// `None`: every value, `Option<T>` where NULL is possible; `Some(true)`: only values that may
    /// be NULL, and the type itself handles NULL; `Some(false)`: only values that are never NULL.
    pub nullable: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideTarget {
    /// Every value of this type (however it was spelled in the config).
    Type(PgType),
    /// Values of columns declared with this domain.
    Domain(QualName),
    /// Columns whose table and name match; `*` in a part matches any run of characters.
    /// `schema` is `None` for a pattern that does not name one (any schema).
    Column {
        schema: Option<String>,
        table: String,
        column: String,
    },
}

impl TypeOverride {
    /// Whether this override applies to a value: its type, declared domain, source column, and
    /// whether it may be NULL.
    pub fn applies(
        &self,
        ty: &PgType,
        domain: Option<&QualName>,
        column: Option<(&QualName, &str)>,
        nullable: bool,
    ) -> bool {
        if self.nullable.is_some_and(|n| n != nullable) {
            return false;
        }
        match &self.target {
            OverrideTarget::Type(t) => t == ty,
            OverrideTarget::Domain(d) => domain == Some(d),
            OverrideTarget::Column {
                schema,
                table,
                column: col,
            } => column.is_some_and(|(t, c)| {
                let s = t.schema.as_deref().unwrap_or("public");
                schema.as_deref().is_none_or(|p| glob(p, s)) && glob(table, &t.name) && glob(col, c)
            }),
        }
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(after) = text.strip_prefix(head) else {
                return false;
            };
            (0..=after.len())
                .filter(|&i| after.is_char_boundary(i))
                .any(|i| glob(rest, &after[i..]))
        }
    }
}

/// A model or type another package generates, used through its module path; `emit` names it as
/// its owner does.
#[derive(Debug, Clone)]
pub struct Import {
    /// The table or type, by its SQL name (`users`).
    pub name: QualName,
    pub kind: ImportKind,
    /// The module that holds the other package's code (`shared::db`).
    pub module_path: String,
    /// The owner's options that decide the Rust name.
    pub owner_naming: OwnerNaming,
}

/// What an imported definition is, which decides how its Rust name is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    /// A table's or view's model struct.
    Model,
    /// An enum, composite or domain newtype.
    Type,
}

/// The naming options of the package that owns an import (its `gen.rust` options of the same names).
#[derive(Debug, Clone, Default)]
pub struct OwnerNaming {
    pub rename: std::collections::BTreeMap<String, String>,
    pub emit_exact_table_names: bool,
    pub inflection_exclude_table_names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct QueryFile {
    /// The file's name without its extension, as written (`users` for `queries/users.sql`):
    /// `emit` makes the module of its queries from it (`emit::names::query_module`), which the
    /// loader has checked is a plain identifier, distinct within the package.
    pub name: String,
    /// Path shown in the generated header, relative to the config.
    pub path: String,
    pub queries: Vec<Query>,
}

#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub command: Command,
    pub doc: Vec<String>,
    /// The SQL sent to PostgreSQL: parameters as `$n`, `*` expanded.
    pub sql: String,
    pub params: Vec<Param>,
    pub columns: Vec<Column>,
    /// The table whose model is the row type, when the columns are exactly that table's.
    pub row_model: Option<QualName>,
    /// Line of the annotation, for `describe`.
    pub line: u32,
    /// For `:copyfrom`: the COPY statement that replaces the INSERT.
    pub copy: Option<CopyFrom>,
    /// Optional conditions, sort keys or keyset pagination (`-- sqlgen:` comments): the SQL sent
    /// is one of several shapes, each fixed at generation time. `sql` is then the shape with
    /// every condition, sorted by the first key.
    pub dynamic: Option<Dynamic>,
}

/// A query whose SQL text is chosen per call among shapes generated in advance.
#[derive(Debug, Clone)]
pub struct Dynamic {
    /// The optional conditions, in the order written: the index in [`Query::params`] of each
    /// one's parameter (bit `i` of a shape's index is set when condition `i` is sent).
    pub filters: Vec<usize>,
    pub sort: Option<Sort>,
    /// Every shape's SQL, at its [`Dynamic::shape_index`].
    pub shapes: Vec<String>,
}

/// The keys a caller may sort by.
#[derive(Debug, Clone)]
pub struct Sort {
    /// Indexes in [`Query::columns`], in the order written.
    pub keys: Vec<usize>,
    pub keyset: Option<Keyset>,
}

/// Keyset pagination on a sort: `WHERE (key, tie_breaker) > (cursor) ORDER BY ... LIMIT n`.
#[derive(Debug, Clone)]
pub struct Keyset {
    /// Index in [`Query::columns`] of the unique column that orders equal keys.
    pub tie_breaker: usize,
    /// Per key, the cursor's parameters: the key's value, then the tie-breaker's (one parameter
    /// when the key is the tie-breaker).
    pub cursors: Vec<Vec<Param>>,
    /// The page size's parameter (`int8`).
    pub limit: Param,
}

/// How a shape was chosen, for [`Dynamic::shape_index`] and `describe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShapeChoice {
    /// Bit `i` set: optional condition `i` is sent.
    pub filters: usize,
    /// The sort key's position in [`Sort::keys`], descending, and whether a cursor is given.
    pub sort: Option<(usize, bool, bool)>,
}

impl Dynamic {
    /// Where a shape's SQL is in [`Dynamic::shapes`]: the filter bits are the low bits, then the
    /// cursor bit (keyset only), the direction bit and the key's position.
    pub fn shape_index(&self, choice: ShapeChoice) -> usize {
        let Some((key, desc, cursor)) = choice.sort else {
            return choice.filters;
        };
        let keyset = self.sort.as_ref().is_some_and(|s| s.keyset.is_some());
        let sorted = if keyset {
            (key * 2 + usize::from(desc)) * 2 + usize::from(cursor)
        } else {
            key * 2 + usize::from(desc)
        };
        (sorted << self.filters.len()) | choice.filters
    }

    /// A shape's parameters in `$n` order: the query's, without those of absent conditions, then
    /// the cursor's and the limit.
    pub fn shape_params<'q>(&'q self, params: &'q [Param], choice: ShapeChoice) -> Vec<&'q Param> {
        let mut out: Vec<&Param> = params
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                self.filters
                    .iter()
                    .position(|f| f == i)
                    .is_none_or(|bit| choice.filters & (1 << bit) != 0)
            })
            .map(|(_, p)| p)
            .collect();
        if let (Some(keyset), Some((key, _, cursor))) = (
            self.sort.as_ref().and_then(|s| s.keyset.as_ref()),
            choice.sort,
        ) {
            if cursor {
                out.extend(&keyset.cursors[key]);
            }
            out.push(&keyset.limit);
        }
        out
    }

    /// What a shape sends, for people: `filters: type, slug; sort: slug desc; after a cursor`.
    pub fn label(&self, query: &Query, choice: ShapeChoice) -> String {
        let given: Vec<&str> = (0..self.filters.len())
            .filter(|bit| choice.filters & (1 << bit) != 0)
            .map(|bit| query.params[self.filters[bit]].name.as_str())
            .collect();
        let mut parts = Vec::new();
        if !self.filters.is_empty() {
            parts.push(if given.is_empty() {
                "no optional condition".to_string()
            } else {
                format!("with {}", given.join(", "))
            });
        }
        if let (Some(sort), Some((key, desc, cursor))) = (&self.sort, choice.sort) {
            let dir = if desc { "desc" } else { "asc" };
            parts.push(format!("sort {} {dir}", query.columns[sort.keys[key]].name));
            if cursor {
                parts.push("after a cursor".to_string());
            }
        }
        parts.join("; ")
    }

    /// Every choice, in the order of [`Dynamic::shapes`].
    pub fn choices(&self) -> Vec<ShapeChoice> {
        let masks = 1usize << self.filters.len();
        let Some(sort) = &self.sort else {
            return (0..masks)
                .map(|filters| ShapeChoice {
                    filters,
                    sort: None,
                })
                .collect();
        };
        let cursors: &[bool] = if sort.keyset.is_some() {
            &[false, true]
        } else {
            &[false]
        };
        let mut out = Vec::new();
        for key in 0..sort.keys.len() {
            for desc in [false, true] {
                for &cursor in cursors {
                    for filters in 0..masks {
                        out.push(ShapeChoice {
                            filters,
                            sort: Some((key, desc, cursor)),
                        });
                    }
                }
            }
        }
        out
    }
}

/// One SQL text a query may send: its shape's label (empty for a query of one shape), the text
/// and its parameters in `$n` order.
pub struct Statement<'q> {
    pub label: String,
    pub sql: &'q str,
    pub params: Vec<&'q Param>,
}

impl Query {
    /// Every SQL text the query may send: its one statement, or each shape of a dynamic query.
    pub fn statements(&self) -> Vec<Statement<'_>> {
        let Some(d) = &self.dynamic else {
            return vec![Statement {
                label: String::new(),
                sql: &self.sql,
                params: self.params.iter().collect(),
            }];
        };
        d.choices()
            .into_iter()
            .map(|choice| Statement {
                label: d.label(self, choice),
                sql: &d.shapes[d.shape_index(choice)],
                params: d.shape_params(&self.params, choice),
            })
            .collect()
    }
}

/// A `:copyfrom` query's INSERT turned into a binary COPY.
#[derive(Debug, Clone)]
pub struct CopyFrom {
    /// `COPY t (a, b) FROM STDIN (FORMAT binary)`.
    pub sql: String,
    /// For each copied column in order, the index in [`Query::params`] of its value.
    pub params: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Param {
    pub number: usize,
    pub name: String,
    pub ty: PgType,
    pub nullable: bool,
    /// Stored into a domain-typed column: PostgreSQL types the parameter as this domain,
    /// while Rust passes the base type `ty`.
    pub domain: Option<QualName>,
    /// The table column the value is stored into (INSERT and UPDATE SET targets) or compared with
    /// (`WHERE col = $1`), for column overrides.
    pub column: Option<(QualName, String)>,
}

impl Param {
    /// The `typname` a server reports for this parameter: the domain it is stored into, if any.
    pub fn server_name(&self) -> String {
        match &self.domain {
            Some(d) => d.name.clone(),
            None => self.ty.server_name(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Column {
    /// The name PostgreSQL reports (`count`, `?column?`).
    pub name: String,
    pub ty: PgType,
    pub nullable: bool,
    /// The table the value comes from, for plain column references.
    pub table: Option<QualName>,
    /// The column of `table` it comes from (its name there, whatever the alias).
    pub column: Option<String>,
    /// Part of a `sqlc.embed(t)`: decoded into t's model, nested in the row.
    pub embed: Option<Embed>,
    /// A plain reference to a column declared with this domain.
    pub domain: Option<QualName>,
}

/// One `sqlc.embed(t)` in a query's select list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    /// Position among the query's embeds (the same table may be embedded twice).
    pub group: usize,
    pub table: QualName,
    /// Under an outer join: the whole nested struct is optional.
    pub nullable: bool,
    /// Offset in the group of a NOT NULL column of the table: NULL there means no row was joined.
    pub key: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Model {
    pub table: QualName,
    /// A view or materialized view rather than a table (documentation only).
    pub is_view: bool,
    pub comment: Option<String>,
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub ty: PgType,
    pub nullable: bool,
    pub comment: Option<String>,
    /// The domain the column is declared with (`ty` is its base type).
    pub domain: Option<QualName>,
}

/// A domain a package uses, for `domain_newtypes`.
#[derive(Debug, Clone)]
pub struct Domain {
    pub name: QualName,
    pub base: PgType,
}

#[derive(Debug, Clone)]
pub struct Enum {
    pub name: QualName,
    pub values: Vec<String>,
    pub comment: Option<String>,
}

/// A composite type, generated as a struct with `ToSql`/`FromSql`.
#[derive(Debug, Clone)]
pub struct Composite {
    pub name: QualName,
    /// Attributes of a composite are always nullable.
    pub fields: Vec<Field>,
    pub comment: Option<String>,
}
