//! The fixed schema the queries run over (every column type sqlgen maps, NOT NULL and nullable,
//! an enum, domains, a composite, arrays, views), its rows, and literal values of every type.

/// A type the generator writes expressions of: a catalogue `typname`, `[]` appended for an array.
pub type Ty = String;

/// A base type of the schema: its declaration, the short name its columns take, and literal texts.
pub struct BaseType {
    pub typname: &'static str,
    pub decl: &'static str,
    pub short: &'static str,
    /// Values written as SQL string contents (`'...'::typname` makes them typed).
    pub values: &'static [&'static str],
}

/// Every base type, grouped into tables by `table` order below. Domains and user types last.
pub const BASE_TYPES: &[BaseType] = &[
    bt("bool", "boolean", "b", &["true", "false"]),
    bt("int2", "smallint", "i2", &["0", "7", "-3"]),
    bt("int4", "integer", "i4", &["1", "42", "-7"]),
    bt("int8", "bigint", "i8", &["3", "1000", "-2"]),
    bt("float4", "real", "f4", &["1.5", "-0.25", "3"]),
    bt("float8", "double precision", "f8", &["2.5", "-1", "0.125"]),
    bt("numeric", "numeric(10,2)", "num", &["12.34", "0", "-5.5"]),
    bt("money", "money", "mon", &["12.34", "0.5"]),
    bt("oid", "oid", "oi", &["42", "7"]),
    bt("text", "text", "t", &["abc", "", "x y"]),
    bt("varchar", "varchar(20)", "vc", &["hello", "q"]),
    bt("bpchar", "char(4)", "bp", &["ab", "wxyz"]),
    bt("char", "\"char\"", "ch", &["a", "z"]),
    bt("name", "name", "nm", &["nm", "pg"]),
    bt("citext", "citext", "ci", &["AbC", "xyz"]),
    bt("bytea", "bytea", "by", &["\\x0102", "\\xff"]),
    bt(
        "timestamptz",
        "timestamptz",
        "tstz",
        &["2024-01-02 03:04:05+00", "1999-12-31 23:59:59+02"],
    ),
    bt(
        "timestamp",
        "timestamp",
        "ts",
        &["2024-01-02 03:04:05", "2000-02-29 12:00:00"],
    ),
    bt("date", "date", "d", &["2024-01-02", "1999-12-31"]),
    bt("time", "time", "tm", &["03:04:05", "23:59:00"]),
    bt("timetz", "timetz", "ttz", &["03:04:05+02", "12:00:00-05"]),
    bt("interval", "interval", "iv", &["1 day 02:00:00", "-3 mons"]),
    bt(
        "uuid",
        "uuid",
        "u",
        &[
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
            "00000000-0000-0000-0000-000000000001",
        ],
    ),
    bt(
        "json",
        "json",
        "js",
        &["{\"a\": 1, \"b\": [1, 2]}", "[1, \"x\"]", "3"],
    ),
    bt(
        "jsonb",
        "jsonb",
        "jb",
        &["{\"a\": 1, \"b\": [1, 2]}", "[1, \"x\"]", "\"s\""],
    ),
    bt("inet", "inet", "ip", &["192.168.0.1/24", "::1"]),
    bt("cidr", "cidr", "cd", &["10.0.0.0/8", "192.168.1.0/24"]),
    bt(
        "macaddr",
        "macaddr",
        "mac",
        &["08:00:2b:01:02:03", "ff:ff:ff:00:00:01"],
    ),
    bt("mood", "mood", "mo", &["sad", "ok", "happy"]),
    bt("pair", "pair", "pr", &["(1,abc)", "(2,)"]),
];

const fn bt(
    typname: &'static str,
    decl: &'static str,
    short: &'static str,
    values: &'static [&'static str],
) -> BaseType {
    BaseType {
        typname,
        decl,
        short,
        values,
    }
}

/// Element types that also have array columns and array expressions.
pub const ARRAY_ELEMENTS: &[&str] = &[
    "bool",
    "int4",
    "int8",
    "float8",
    "numeric",
    "text",
    "varchar",
    "uuid",
    "date",
    "timestamptz",
    "jsonb",
    "mood",
];

/// Types PostgreSQL has no equality (or ordering) for: no `=`, DISTINCT, GROUP BY, UNION, IN.
pub fn comparable(ty: &str) -> bool {
    let elem = ty.trim_end_matches("[]");
    !matches!(elem, "json")
}

/// Every type expressions are generated for.
pub fn universe() -> Vec<Ty> {
    let mut out: Vec<Ty> = BASE_TYPES.iter().map(|b| b.typname.to_string()).collect();
    out.extend(ARRAY_ELEMENTS.iter().map(|e| format!("{e}[]")));
    out
}

pub fn base(typname: &str) -> Option<&'static BaseType> {
    BASE_TYPES.iter().find(|b| b.typname == typname)
}

/// A column of a table or view, as the generator sees it: domains are their base type.
#[derive(Debug, Clone)]
pub struct SchemaColumn {
    pub name: String,
    pub ty: Ty,
    /// Declared without NOT NULL (a NOT NULL domain still refuses NULL).
    pub nullable: bool,
    /// INSERT may set it (not generated, not identity ALWAYS).
    pub insertable: bool,
    /// The value must satisfy a domain's CHECK (`posint`: above zero) or NOT NULL (`label`).
    pub domain: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Relation {
    pub name: String,
    pub is_view: bool,
    pub columns: Vec<SchemaColumn>,
}

/// Which base types go to which table: numbers, text, time, the rest.
const TABLES: &[(&str, &[&str])] = &[
    (
        "t_num",
        &[
            "bool", "int2", "int4", "int8", "float4", "float8", "numeric", "money", "oid",
        ],
    ),
    (
        "t_text",
        &[
            "text", "varchar", "bpchar", "char", "name", "citext", "bytea", "mood",
        ],
    ),
    (
        "t_time",
        &[
            "timestamptz",
            "timestamp",
            "date",
            "time",
            "timetz",
            "interval",
        ],
    ),
    (
        "t_misc",
        &["uuid", "json", "jsonb", "inet", "cidr", "macaddr", "pair"],
    ),
];

fn column(name: impl Into<String>, ty: &str, nullable: bool) -> SchemaColumn {
    SchemaColumn {
        name: name.into(),
        ty: ty.to_string(),
        nullable,
        insertable: true,
        domain: None,
    }
}

/// The relations of the schema, in declaration order.
pub fn relations() -> Vec<Relation> {
    let mut out = Vec::new();
    for (table, types) in TABLES {
        let mut cols = vec![column("id", "int4", false), column("ref", "int4", true)];
        for t in *types {
            let b = base(t).expect("listed type");
            cols.push(column(b.short, t, false));
            cols.push(column(format!("{}_n", b.short), t, true));
        }
        match *table {
            "t_num" => {
                cols.push(SchemaColumn {
                    insertable: false,
                    ..column("gen", "int8", true)
                });
                cols.push(SchemaColumn {
                    domain: Some("posint"),
                    ..column("pos", "int4", true)
                });
            }
            "t_text" => {
                cols.push(SchemaColumn {
                    domain: Some("label"),
                    ..column("lbl", "text", true)
                });
                cols.push(column("tags", "text[]", false));
                cols.push(column("tags_n", "text[]", true));
            }
            "t_time" => {
                cols.push(SchemaColumn {
                    insertable: false,
                    ..column("ident", "int8", false)
                });
                cols.push(column("sn", "int4", false));
            }
            _ => {
                for e in ARRAY_ELEMENTS.iter().filter(|e| !matches!(**e, "text")) {
                    cols.push(column(format!("a_{e}"), &format!("{e}[]"), true));
                }
                cols.push(column("ints", "int4[]", false));
            }
        }
        out.push(Relation {
            name: table.to_string(),
            is_view: false,
            columns: cols,
        });
    }
    let view = |name: &str, cols: &[(&str, &str)]| Relation {
        name: name.to_string(),
        is_view: true,
        columns: cols.iter().map(|(n, t)| column(*n, t, true)).collect(),
    };
    out.push(view(
        "v_num_text",
        &[
            ("id", "int4"),
            ("i4", "int4"),
            ("num_n", "numeric"),
            ("t", "text"),
            ("t_n", "text"),
            ("mo", "mood"),
        ],
    ));
    out.push(view(
        "v_counts",
        &[
            ("ref", "int4"),
            ("n", "int8"),
            ("top", "int4"),
            ("total", "numeric"),
        ],
    ));
    out
}

/// The declarations of the schema as one SQL text, given both to PostgreSQL and to sqlgen.
pub fn schema_sql() -> String {
    let mut s = String::from(
        "CREATE EXTENSION IF NOT EXISTS citext;\n\
         CREATE EXTENSION IF NOT EXISTS pgcrypto;\n\
         CREATE EXTENSION IF NOT EXISTS pg_trgm;\n\
         CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\";\n\
         CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n\
         CREATE TYPE pair AS (a integer, b text);\n\
         CREATE DOMAIN posint AS integer CHECK (VALUE > 0);\n\
         CREATE DOMAIN label AS text NOT NULL;\n",
    );
    for rel in relations().iter().filter(|r| !r.is_view) {
        let cols: Vec<String> = rel
            .columns
            .iter()
            .map(|c| {
                let decl = match (c.name.as_str(), c.domain) {
                    ("id", _) => "integer PRIMARY KEY".to_string(),
                    ("gen", _) => "bigint GENERATED ALWAYS AS (i8 * 2) STORED".to_string(),
                    ("ident", _) => "bigint GENERATED ALWAYS AS IDENTITY".to_string(),
                    ("sn", _) => "serial".to_string(),
                    (_, Some(domain)) => domain.to_string(),
                    _ => {
                        let elem = c.ty.trim_end_matches("[]");
                        let decl = base(elem).map_or(elem, |b| b.decl);
                        let arr = if c.ty.ends_with("[]") { "[]" } else { "" };
                        let not_null = if c.nullable { "" } else { " NOT NULL" };
                        format!("{decl}{arr}{not_null}")
                    }
                };
                format!("    {} {decl}", c.name)
            })
            .collect();
        s.push_str(&format!(
            "CREATE TABLE {} (\n{}\n);\n",
            rel.name,
            cols.join(",\n")
        ));
    }
    s.push_str(
        "CREATE VIEW v_num_text AS\n    SELECT a.id, a.i4, a.num_n, b.t, b.t_n, b.mo FROM t_num a LEFT JOIN t_text b ON b.ref = a.id;\n\
         CREATE VIEW v_counts AS\n    SELECT ref, count(*) AS n, max(i4) AS top, sum(num_n) AS total FROM t_num GROUP BY ref;\n",
    );
    s
}

/// A literal's SQL contents for a value of `ty` (element values in array syntax for arrays).
pub fn value_text(ty: &str, pick: usize) -> String {
    if let Some(elem) = ty.strip_suffix("[]") {
        let b = base(elem).expect("array element type");
        let a = b.values[pick % b.values.len()];
        let c = b.values[(pick + 1) % b.values.len()];
        let quote = |v: &str| format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""));
        return match pick % 3 {
            0 => "{}".to_string(),
            1 => format!("{{{}}}", quote(a)),
            _ => format!("{{{},NULL,{}}}", quote(a), quote(c)),
        };
    }
    match ty {
        "posint" => "5".to_string(),
        "label" => "lbl".to_string(),
        _ => {
            let b = base(ty).expect("base type");
            b.values[pick % b.values.len()].to_string()
        }
    }
}

/// `value` as a SQL string literal.
pub fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Rows for every table: the first two with NULL in every nullable column, the others with values;
/// `ref` points at existing ids, at none (99) or is NULL, so joins match, miss and meet NULLs.
pub fn data_sql() -> String {
    let mut s = String::new();
    for rel in relations().iter().filter(|r| !r.is_view) {
        let cols: Vec<&SchemaColumn> = rel
            .columns
            .iter()
            .filter(|c| c.insertable && c.name != "sn")
            .collect();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        for row in 1..=6usize {
            let values: Vec<String> = cols
                .iter()
                .map(|c| match c.name.as_str() {
                    "id" => row.to_string(),
                    "ref" => match row {
                        1 | 4 => "NULL".to_string(),
                        5 => "99".to_string(),
                        _ => (row % 3 + 1).to_string(),
                    },
                    _ if c.nullable && row <= 2 && c.domain != Some("label") => "NULL".to_string(),
                    _ => {
                        let ty = c.domain.unwrap_or(&c.ty);
                        format!(
                            "{}::{}",
                            quote(&value_text(ty, row)),
                            c.domain.unwrap_or(&c.ty)
                        )
                    }
                })
                .collect();
            s.push_str(&format!(
                "INSERT INTO {} ({}) VALUES ({});\n",
                rel.name,
                names.join(", "),
                values.join(", ")
            ));
        }
    }
    s
}
