//! PostgreSQL type names (with their SQL-standard spellings and modifiers) to [`PgType`].

use crate::ir::{PgType, QualName};

/// What a written type name means.
pub enum Resolved {
    Type(PgType),
    /// `serial` and friends: the integer type plus NOT NULL and a default.
    Serial(PgType),
}

/// Resolves a type as written (`character varying(20)`, `timestamp(3) with time zone`, `text[]`,
/// `"Status"`), looking user-defined names up with `lookup_enum`.
pub fn resolve(
    written: &str,
    lookup_user: &dyn Fn(&QualName) -> Option<PgType>,
) -> Option<Resolved> {
    let mut s = written.trim().to_string();
    let mut dims = 0;
    loop {
        let t = s.trim_end();
        if let Some(rest) = t.strip_suffix(']') {
            if let Some(open) = rest.rfind('[') {
                s = rest[..open].to_string();
                dims += 1;
                continue;
            }
        }
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = lower.strip_suffix(" array") {
            s = t[..rest.len()].to_string();
            dims += 1;
            continue;
        }
        break;
    }
    let base = strip_modifiers(&s);
    let (resolved, serial) = match builtin(&base.to_ascii_lowercase()) {
        Some(Builtin::Plain(t)) => (t, false),
        Some(Builtin::Serial(t)) => (t, true),
        None => {
            let name = parse_qualified(&base)?;
            (lookup_user(&name).or_else(|| catalogue_type(&name))?, false)
        }
    };
    // PostgreSQL ignores declared dimensions: `int8[][]` is just `int8[]` (any number of dimensions).
    let mut ty = resolved;
    if dims > 0 {
        ty = PgType::Array(Box::new(ty));
    } else if let PgType::Domain(_, base) = ty {
        // A value of a domain is typed by its base; the caller keeps the domain beside it.
        ty = *base;
    }
    Some(if serial && dims == 0 {
        Resolved::Serial(ty)
    } else {
        Resolved::Type(ty)
    })
}

enum Builtin {
    Plain(PgType),
    Serial(PgType),
}

fn builtin(name: &str) -> Option<Builtin> {
    let name = name.strip_prefix("pg_catalog.").unwrap_or(name);
    // Quoted `"char"` is the one-byte type; unquoted `char` is SQL's `char(1)`, i.e. bpchar.
    if name == "\"char\"" {
        return Some(Builtin::Plain(PgType::Char));
    }
    let name = name.trim_matches('"');
    let t = match name {
        "bool" | "boolean" => PgType::Bool,
        "int2" | "smallint" => PgType::Int2,
        "int" | "int4" | "integer" => PgType::Int4,
        "int8" | "bigint" => PgType::Int8,
        "smallserial" | "serial2" => return Some(Builtin::Serial(PgType::Int2)),
        "serial" | "serial4" => return Some(Builtin::Serial(PgType::Int4)),
        "bigserial" | "serial8" => return Some(Builtin::Serial(PgType::Int8)),
        "real" | "float4" => PgType::Float4,
        "double precision" | "float8" | "float" | "double" => PgType::Float8,
        "numeric" | "decimal" | "dec" => PgType::Numeric,
        "text" => PgType::Text,
        "varchar" | "character varying" | "char varying" => PgType::Varchar,
        "char" | "character" | "bpchar" | "nchar" => PgType::Bpchar,
        "name" => PgType::Name,
        "citext" => PgType::Citext,
        "bytea" => PgType::Bytea,
        "uuid" => PgType::Uuid,
        "timestamptz" | "timestamp with time zone" => PgType::Timestamptz,
        "timestamp" | "timestamp without time zone" => PgType::Timestamp,
        "date" => PgType::Date,
        "time" | "time without time zone" => PgType::Time,
        "timetz" | "time with time zone" => PgType::Timetz,
        "interval" => PgType::Interval,
        "json" => PgType::Json,
        "jsonb" => PgType::Jsonb,
        "inet" => PgType::Inet,
        "cidr" => PgType::Cidr,
        "macaddr" => PgType::Macaddr,
        "oid" => PgType::Oid,
        "money" => PgType::Money,
        "void" => PgType::Void,
        "record" => PgType::Record,
        // SQL's spelling of PostgreSQL's `varbit`, the name the Rust mapping knows.
        "bit varying" => PgType::Other("varbit".to_string()),
        "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle" | "xml" | "tsvector"
        | "tsquery" | "bit" | "varbit" | "macaddr8" | "int4range" | "int8range" | "numrange"
        | "tsrange" | "tstzrange" | "daterange" | "pg_lsn" | "txid_snapshot" | "regclass"
        | "regtype" | "xid" | "cid" | "tid" | "ltree" => PgType::Other(name.to_string()),
        _ => return None,
    };
    Some(Builtin::Plain(t))
}

/// A base, range or multirange type of PostgreSQL's catalogue (`jsonpath`, `int4multirange`)
/// without a variant of its own: known by its `typname`.
fn catalogue_type(name: &QualName) -> Option<PgType> {
    if name
        .schema
        .as_deref()
        .is_some_and(|s| s != "pg_catalog" && s != "public")
    {
        return None;
    }
    let catalog = &crate::catalog::pg_catalog::CATALOG;
    let info = catalog.types.get(&catalog.oid_of(&name.name)?)?;
    // An extension's types (citext, hstore) exist once the migrations create the extension,
    // which the user-type lookup knows; the catalogue's own are always there.
    (info.nsp == "pg_catalog" && matches!(info.typtype, 'b' | 'r' | 'm'))
        .then(|| PgType::Other(info.name.to_string()))
}

/// Type names people write, for did-you-mean help.
pub const BUILTIN_NAMES: &[&str] = &[
    "bool",
    "boolean",
    "int2",
    "smallint",
    "int",
    "int4",
    "integer",
    "int8",
    "bigint",
    "serial",
    "bigserial",
    "smallserial",
    "real",
    "float4",
    "float8",
    "double precision",
    "numeric",
    "decimal",
    "text",
    "varchar",
    "char",
    "bpchar",
    "citext",
    "bytea",
    "uuid",
    "timestamptz",
    "timestamp",
    "date",
    "time",
    "timetz",
    "interval",
    "json",
    "jsonb",
    "inet",
    "cidr",
    "macaddr",
    "oid",
    "money",
];

/// The [`PgType`] of a catalogue `typname`, for the types with a variant of their own.
pub fn builtin_by_name(name: &str) -> Option<PgType> {
    // In the catalogue `char` is the one-byte type; SQL's `char(n)` is `bpchar`.
    if name == "char" {
        return Some(PgType::Char);
    }
    match builtin(name)? {
        Builtin::Plain(PgType::Other(_)) => None,
        Builtin::Plain(t) => Some(t),
        Builtin::Serial(_) => None,
    }
}

/// Removes `(n)` / `(p, s)` modifiers anywhere (`timestamp(3) with time zone`), and collapses spaces.
fn strip_modifiers(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    let mut in_quote = false;
    for c in s.chars() {
        match c {
            '"' => {
                in_quote = !in_quote;
                out.push(c);
            }
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `"Foo"."Bar"`, `foo.bar`, `bar` to a qualified name, folding unquoted parts to lower case.
pub fn parse_qualified(s: &str) -> Option<QualName> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                parts.push(if was_quoted {
                    cur.clone()
                } else {
                    cur.to_lowercase()
                });
                cur.clear();
                was_quoted = false;
            }
            c if !quoted && c.is_whitespace() => return None,
            c => cur.push(c),
        }
    }
    parts.push(if was_quoted { cur } else { cur.to_lowercase() });
    if parts.iter().any(String::is_empty) {
        return None;
    }
    let name = parts.pop()?;
    let schema = parts.pop();
    Some(QualName::new(schema, name))
}

/// The type of a PostgreSQL type OID of [`super::pg_catalog`] (an array of its element type).
pub fn from_oid(oid: u32) -> PgType {
    match super::pg_catalog::CATALOG.type_info(oid) {
        Some(t) if t.category == 'A' && t.elem != 0 => PgType::Array(Box::new(from_oid(t.elem))),
        Some(t) => builtin_by_name(t.name).unwrap_or_else(|| PgType::Other(t.name.to_string())),
        None => PgType::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> String {
        match resolve(s, &|q| (q.name == "Mood").then(|| PgType::Enum(q.clone()))) {
            Some(Resolved::Type(t)) => t.to_string(),
            Some(Resolved::Serial(t)) => format!("serial {t}"),
            None => "?".into(),
        }
    }

    #[test]
    fn spellings() {
        assert_eq!(ty("CHARACTER VARYING(255)"), "varchar");
        assert_eq!(ty("timestamp(3) with time zone"), "timestamptz");
        assert_eq!(ty("TIMESTAMP(3)"), "timestamp");
        assert_eq!(ty("text[]"), "text[]");
        assert_eq!(ty("int ARRAY"), "int4[]");
        assert_eq!(ty("integer[][]"), "int4[]");
        assert_eq!(ty("\"char\""), "char");
        assert_eq!(ty("char(2)"), "bpchar");
        assert_eq!(ty("NUMERIC(10, 2)"), "numeric");
        assert_eq!(ty("bigserial"), "serial int8");
        assert_eq!(ty("\"Mood\""), "Mood");
        assert_eq!(ty("mood"), "?");
        assert_eq!(ty("double precision"), "float8");
    }
}
