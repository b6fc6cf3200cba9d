//! The query generator: random but valid statements over the schema and PostgreSQL's catalogue,
//! typed as they are built (each expression is written for a wanted type), with bounded depth.

use crate::catalogue::Catalogue;
use crate::rng::Rng;
use crate::schema::{self, comparable, quote, value_text, Relation, Ty};

/// One generated statement.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: String,
    /// A SELECT, or DML with RETURNING: annotated `:many` and executed for the nullability check.
    pub returns_rows: bool,
}

/// Generates query `index` of the run with `seed`.
pub fn statement(seed: u64, index: u64, rels: &[Relation], cat: &Catalogue) -> Statement {
    let mut g = Gen {
        rng: Rng::for_query(seed, index),
        cat,
        rels,
        types: schema::universe(),
        params: 0,
        aliases: 0,
        ctes: Vec::new(),
    };
    g.top()
}

/// A column visible in a scope: how to write it and its type.
#[derive(Debug, Clone)]
struct Col {
    sql: String,
    ty: Ty,
}

/// What an expression may refer to.
#[derive(Debug, Clone, Default)]
struct Scope {
    cols: Vec<Col>,
    /// Aggregates are allowed, over these columns.
    aggs: Option<Vec<Col>>,
    windows: bool,
}

impl Scope {
    fn plain(cols: Vec<Col>) -> Scope {
        Scope {
            cols,
            aggs: None,
            windows: false,
        }
    }
}

/// A CTE or derived table: its name and output columns.
#[derive(Debug, Clone)]
struct Named {
    name: String,
    cols: Vec<(String, Ty)>,
}

/// A SELECT and the types of its columns (as the generator meant them).
struct Select {
    sql: String,
    types: Vec<Ty>,
}

struct Gen<'a> {
    rng: Rng,
    cat: &'a Catalogue,
    rels: &'a [Relation],
    types: Vec<Ty>,
    params: usize,
    aliases: usize,
    ctes: Vec<Named>,
}

/// How a type is written in a cast (`"char"` must be quoted, or it means `char(1)`).
fn spell(ty: &str) -> String {
    match ty {
        "char" => "\"char\"".to_string(),
        "char[]" => "\"char\"[]".to_string(),
        _ => ty.to_string(),
    }
}

/// Function names that are keywords in the grammar and must be quoted to be called by name.
const KEYWORD_FUNCTIONS: &[&str] = &[
    "between",
    "bigint",
    "bit",
    "boolean",
    "char",
    "character",
    "coalesce",
    "dec",
    "decimal",
    "exists",
    "extract",
    "float",
    "greatest",
    "grouping",
    "int",
    "integer",
    "interval",
    "least",
    "national",
    "nchar",
    "none",
    "normalize",
    "nullif",
    "numeric",
    "overlay",
    "position",
    "precision",
    "real",
    "row",
    "setof",
    "smallint",
    "substring",
    "time",
    "timestamp",
    "treat",
    "trim",
    "values",
    "varchar",
    "collation",
    "left",
    "right",
    "and",
    "or",
    "not",
    "any",
    "all",
    "user",
    "overlaps",
    "similar",
    "is",
    "isnull",
    "notnull",
    "in",
    "like",
    "ilike",
];

fn func_name(name: &str) -> String {
    let simple = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if simple && !KEYWORD_FUNCTIONS.contains(&name) {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

impl Gen<'_> {
    fn alias(&mut self) -> String {
        self.aliases += 1;
        format!("a{}", self.aliases)
    }

    fn param(&mut self) -> String {
        self.params += 1;
        format!("${}", self.params)
    }

    fn any_type(&mut self) -> Ty {
        self.rng.pick(&self.types).clone()
    }

    fn comparable_type(&mut self) -> Ty {
        loop {
            let t = self.any_type();
            if comparable(&t) {
                return t;
            }
        }
    }

    /// A type for a select item: mostly one a visible column has.
    fn item_type(&mut self, sc: &Scope) -> Ty {
        if !sc.cols.is_empty() && self.rng.chance(60) {
            return self.rng.pick(&sc.cols).ty.clone();
        }
        self.any_type()
    }

    // ---- statements ----

    fn top(&mut self) -> Statement {
        let r = self.rng.below(100);
        if r < 62 {
            let with = self.with_clause(2);
            let depth = if self.rng.chance(30) { 3 } else { 2 };
            let s = self.query_expr(depth, &Scope::default(), None, true);
            Statement {
                sql: format!("{with}{}", s.sql),
                returns_rows: true,
            }
        } else if r < 65 {
            let (sql, _) = self.values(1, None);
            Statement {
                sql,
                returns_rows: true,
            }
        } else if r < 78 {
            self.insert()
        } else if r < 90 {
            self.update()
        } else {
            self.delete()
        }
    }

    /// `WITH [RECURSIVE] ...` (often empty), its CTEs made visible to what follows.
    fn with_clause(&mut self, depth: u32) -> String {
        if !self.rng.chance(18) {
            return String::new();
        }
        let mut parts = Vec::new();
        let mut recursive = false;
        for _ in 0..1 + self.rng.below(2) {
            let name = format!("q{}", self.ctes.len());
            if self.rng.chance(25) {
                recursive = true;
                let ty = self.any_type();
                let start = self.expr(&ty, 0, &Scope::default());
                parts.push(format!(
                    "{name}(n, v) AS (SELECT 1, {start} UNION ALL SELECT n + 1, v FROM {name} WHERE n < 3)"
                ));
                self.ctes.push(Named {
                    name,
                    cols: vec![("n".into(), "int4".into()), ("v".into(), ty)],
                });
            } else {
                let s = self.select(depth, &Scope::default(), None, false);
                let cols = s
                    .types
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (format!("c{}", i + 1), t.clone()))
                    .collect();
                parts.push(format!("{name} AS ({})", s.sql));
                self.ctes.push(Named { name, cols });
            }
        }
        format!(
            "WITH {}{} ",
            if recursive { "RECURSIVE " } else { "" },
            parts.join(", ")
        )
    }

    /// A SELECT, or a set operation of two, with ORDER BY / LIMIT at the top.
    fn query_expr(&mut self, depth: u32, outer: &Scope, want: Option<&[Ty]>, top: bool) -> Select {
        let mut s = if self.rng.chance(12) {
            let left = self.select(depth, outer, want, false);
            let op = *self.rng.pick(&[
                "UNION",
                "UNION ALL",
                "INTERSECT",
                "INTERSECT ALL",
                "EXCEPT",
                "EXCEPT ALL",
            ]);
            let right = if self.rng.chance(15) {
                self.values(depth.saturating_sub(1), Some(&left.types)).0
            } else {
                self.select(depth, outer, Some(&left.types), false).sql
            };
            Select {
                sql: format!("{} {op} {right}", left.sql),
                types: left.types,
            }
        } else {
            self.select(depth, outer, want, top)
        };
        if top && self.rng.chance(25) && s.types.first().is_some_and(|t| comparable(t)) {
            s.sql.push_str(if self.rng.chance(50) {
                " ORDER BY 1"
            } else {
                " ORDER BY 1 DESC"
            });
        }
        if top && self.rng.chance(20) {
            let limit = if self.rng.chance(40) {
                self.param()
            } else {
                (1 + self.rng.below(5)).to_string()
            };
            s.sql.push_str(&format!(" LIMIT {limit}"));
            if self.rng.chance(30) {
                s.sql.push_str(" OFFSET 1");
            }
        }
        s
    }

    /// `VALUES (...), (...)`, each column aliased `column1`... by PostgreSQL.
    fn values(&mut self, depth: u32, want: Option<&[Ty]>) -> (String, Vec<Ty>) {
        let types: Vec<Ty> = match want {
            Some(w) => w.to_vec(),
            None => (0..1 + self.rng.below(3))
                .map(|_| self.any_type())
                .collect(),
        };
        let rows: Vec<String> = (0..1 + self.rng.below(3))
            .map(|_| {
                let items: Vec<String> = types
                    .iter()
                    .map(|t| self.expr(t, depth, &Scope::default()))
                    .collect();
                format!("({})", items.join(", "))
            })
            .collect();
        (format!("VALUES {}", rows.join(", ")), types)
    }

    /// One SELECT; `top` allows `*` and unaliased items (no one refers to its columns by name).
    fn select(&mut self, depth: u32, outer: &Scope, want: Option<&[Ty]>, top: bool) -> Select {
        let (from, from_cols) = if self.rng.chance(10) {
            (String::new(), Vec::new())
        } else {
            self.sources(depth, outer)
        };
        let mut cols = from_cols.clone();
        cols.extend(outer.cols.iter().cloned());
        let plain = Scope::plain(cols.clone());
        let mode = self.rng.below(100);
        let mut group_by = Vec::new();
        let item_scope = if !from_cols.is_empty() && mode < 18 {
            let keys: Vec<Col> = (0..1 + self.rng.below(2))
                .map(|_| self.rng.pick(&from_cols).clone())
                .filter(|c| comparable(&c.ty))
                .collect();
            group_by = keys.iter().map(|c| c.sql.clone()).collect();
            let mut key_cols = keys;
            key_cols.extend(outer.cols.iter().cloned());
            Scope {
                cols: key_cols,
                aggs: Some(cols.clone()),
                windows: false,
            }
        } else if mode < 26 {
            Scope {
                cols: outer.cols.clone(),
                aggs: Some(cols.clone()),
                windows: false,
            }
        } else {
            Scope {
                cols: cols.clone(),
                aggs: None,
                windows: !from_cols.is_empty() && mode < 40,
            }
        };
        let count = want.map_or_else(|| 1 + self.rng.below(4), |w| w.len());
        let mut items = Vec::new();
        let mut types = Vec::new();
        if top
            && want.is_none()
            && !from_cols.is_empty()
            && item_scope.aggs.is_none()
            && self.rng.chance(8)
        {
            items.push("*".to_string());
        }
        for i in 0..count {
            let ty = match want {
                Some(w) => w[i].clone(),
                None => self.item_type(&item_scope),
            };
            let e = self.expr(&ty, depth, &item_scope);
            if top && self.rng.chance(50) {
                items.push(e);
            } else {
                items.push(format!("{e} AS c{}", i + 1));
            }
            types.push(ty);
        }
        let distinct = if self.rng.chance(6) { "DISTINCT " } else { "" };
        let mut sql = format!("SELECT {distinct}{}", items.join(", "));
        if !from.is_empty() {
            sql.push_str(&format!(" FROM {from}"));
        }
        if self.rng.chance(45) {
            let cond = self.expr("bool", depth.min(2), &plain);
            sql.push_str(&format!(" WHERE {cond}"));
        }
        if !group_by.is_empty() {
            sql.push_str(&format!(" GROUP BY {}", group_by.join(", ")));
        }
        if item_scope.aggs.is_some() && self.rng.chance(25) {
            let having_scope = Scope {
                windows: false,
                ..item_scope.clone()
            };
            let cond = self.expr("bool", 1, &having_scope);
            sql.push_str(&format!(" HAVING {cond}"));
        }
        Select { sql, types }
    }

    /// A FROM clause of one to three items joined in every way; returns its visible columns.
    fn sources(&mut self, depth: u32, outer: &Scope) -> (String, Vec<Col>) {
        let n = match self.rng.below(100) {
            0..=49 => 1,
            50..=84 => 2,
            _ => 3,
        };
        let (mut sql, mut cols) = self.source_item(depth, outer);
        // What an ON condition may name: a comma binds looser than JOIN, so `a, b JOIN c ON ...`
        // cannot name `a` there.
        let mut joined = cols.clone();
        for _ in 1..n {
            let kind = *self.rng.pick(&[
                ", ",
                " CROSS JOIN ",
                " JOIN ",
                " LEFT JOIN ",
                " RIGHT JOIN ",
                " FULL JOIN ",
            ]);
            let lateral =
                depth > 0 && kind != " RIGHT JOIN " && kind != " FULL JOIN " && self.rng.chance(8);
            let (item, item_cols) = if lateral {
                let mut seen = outer.clone();
                seen.cols
                    .extend(if kind == ", " { &cols } else { &joined }.iter().cloned());
                let s = self.select(depth - 1, &seen, None, false);
                let alias = self.alias();
                let c = self.derived_cols(&alias, &s.types);
                (format!("LATERAL ({}) AS {alias}", s.sql), c)
            } else {
                self.source_item(depth, outer)
            };
            let on = match kind {
                ", " | " CROSS JOIN " => String::new(),
                _ => format!(
                    " ON {}",
                    self.join_condition(kind == " FULL JOIN ", &joined, &item_cols, outer)
                ),
            };
            sql = format!("{sql}{kind}{item}{on}");
            if kind == ", " {
                joined.clear();
            }
            joined.extend(item_cols.iter().cloned());
            cols.extend(item_cols);
        }
        (sql, cols)
    }

    fn join_condition(&mut self, full: bool, left: &[Col], right: &[Col], outer: &Scope) -> String {
        let ints = |cols: &[Col]| -> Vec<Col> {
            cols.iter().filter(|c| c.ty == "int4").cloned().collect()
        };
        let (l, r) = (ints(left), ints(right));
        if full || self.rng.chance(70) {
            if !l.is_empty() && !r.is_empty() {
                let a = self.rng.pick(&l).sql.clone();
                let b = self.rng.pick(&r).sql.clone();
                return format!("{b} = {a}");
            }
            if full {
                return "true".to_string();
            }
        }
        let mut cols = outer.cols.clone();
        cols.extend(left.iter().cloned());
        cols.extend(right.iter().cloned());
        self.expr("bool", 1, &Scope::plain(cols))
    }

    fn derived_cols(&self, alias: &str, types: &[Ty]) -> Vec<Col> {
        types
            .iter()
            .enumerate()
            .map(|(i, t)| Col {
                sql: format!("{alias}.c{}", i + 1),
                ty: t.clone(),
            })
            .collect()
    }

    fn relation_cols(alias: &str, rel: &Relation) -> Vec<Col> {
        rel.columns
            .iter()
            .map(|c| Col {
                sql: format!("{alias}.{}", c.name),
                ty: c.ty.clone(),
            })
            .collect()
    }

    fn source_item(&mut self, depth: u32, outer: &Scope) -> (String, Vec<Col>) {
        let alias = self.alias();
        let r = self.rng.below(100);
        if r < 12 && !self.ctes.is_empty() {
            let cte = self.rng.pick(&self.ctes).clone();
            let cols = cte
                .cols
                .iter()
                .map(|(n, t)| Col {
                    sql: format!("{alias}.{n}"),
                    ty: t.clone(),
                })
                .collect();
            return (format!("{} AS {alias}", cte.name), cols);
        }
        if r < 24 && depth > 0 {
            let s = self.query_expr(depth - 1, &Scope::default(), None, false);
            let cols = self.derived_cols(&alias, &s.types);
            return (format!("({}) AS {alias}", s.sql), cols);
        }
        if r < 28 {
            let _ = outer;
            return (
                format!("generate_series(1, 3) AS {alias}(n)"),
                vec![Col {
                    sql: format!("{alias}.n"),
                    ty: "int4".into(),
                }],
            );
        }
        let rel = self.rng.pick(self.rels);
        (
            format!("{} AS {alias}", rel.name),
            Self::relation_cols(&alias, rel),
        )
    }

    // ---- DML ----

    fn table(&mut self) -> &'_ Relation {
        let tables: Vec<&Relation> = self.rels.iter().filter(|r| !r.is_view).collect();
        tables[self.rng.below(tables.len())]
    }

    fn returning(&mut self, cols: &[Col]) -> (String, bool) {
        if !self.rng.chance(80) {
            return (String::new(), false);
        }
        if self.rng.chance(15) {
            return (" RETURNING *".to_string(), true);
        }
        let sc = Scope::plain(cols.to_vec());
        let items: Vec<String> = (0..1 + self.rng.below(3))
            .map(|i| {
                let ty = self.item_type(&sc);
                let e = self.expr(&ty, 1, &sc);
                if self.rng.chance(50) {
                    e
                } else {
                    format!("{e} AS r{}", i + 1)
                }
            })
            .collect();
        (format!(" RETURNING {}", items.join(", ")), true)
    }

    /// A value stored into a column: a bare parameter (typed by the column) or an expression.
    fn stored_value(&mut self, col: &schema::SchemaColumn, sc: &Scope) -> String {
        if self.rng.chance(35) {
            return self.param();
        }
        if col.domain == Some("posint") {
            return (1 + self.rng.below(9)).to_string();
        }
        if col.name == "id" {
            return (100 + self.rng.below(1000)).to_string();
        }
        self.expr(&col.ty, 1, sc)
    }

    fn insert(&mut self) -> Statement {
        let rel = self.table().clone();
        let alias = self.alias();
        let targets: Vec<&schema::SchemaColumn> = rel
            .columns
            .iter()
            .filter(|c| {
                c.insertable
                    && (!c.nullable && c.name != "sn"
                        || c.domain == Some("label")
                        || self.rng.chance(40))
            })
            .collect();
        let names: Vec<&str> = targets.iter().map(|c| c.name.as_str()).collect();
        let source = if self.rng.chance(20) {
            let types: Vec<Ty> = targets.iter().map(|c| c.ty.clone()).collect();
            self.select(1, &Scope::default(), Some(&types), false).sql
        } else {
            let rows: Vec<String> = (0..1 + usize::from(self.rng.chance(15)))
                .map(|_| {
                    let vals: Vec<String> = targets
                        .iter()
                        .map(|c| self.stored_value(c, &Scope::default()))
                        .collect();
                    format!("({})", vals.join(", "))
                })
                .collect();
            format!("VALUES {}", rows.join(", "))
        };
        let mut sql = format!(
            "INSERT INTO {} AS {alias} ({}) {source}",
            rel.name,
            names.join(", ")
        );
        let cols = Self::relation_cols(&alias, &rel);
        if self.rng.chance(20) {
            if self.rng.chance(50) {
                sql.push_str(" ON CONFLICT (id) DO NOTHING");
            } else {
                let target = (*self.rng.pick(&targets)).clone();
                if target.name != "id" {
                    let value = if self.rng.chance(50) {
                        format!("EXCLUDED.{}", target.name)
                    } else {
                        self.stored_value(&target, &Scope::plain(cols.clone()))
                    };
                    sql.push_str(&format!(
                        " ON CONFLICT (id) DO UPDATE SET {} = {value}",
                        target.name
                    ));
                } else {
                    sql.push_str(" ON CONFLICT DO NOTHING");
                }
            }
        }
        let (ret, rows) = self.returning(&cols);
        sql.push_str(&ret);
        Statement {
            sql,
            returns_rows: rows,
        }
    }

    /// `FROM`/`USING` another relation, sometimes.
    fn other_relation(&mut self) -> Option<(String, Vec<Col>)> {
        if !self.rng.chance(30) {
            return None;
        }
        let rel = self.rng.pick(self.rels);
        let alias = self.alias();
        Some((
            format!("{} AS {alias}", rel.name),
            Self::relation_cols(&alias, rel),
        ))
    }

    fn where_clause(&mut self, cols: &[Col]) -> String {
        if !self.rng.chance(80) {
            return String::new();
        }
        let key = cols
            .iter()
            .find(|c| c.sql.ends_with(".id"))
            .map(|c| c.sql.clone());
        match key {
            Some(k) if self.rng.chance(40) => format!(" WHERE {k} = {}", self.param()),
            _ => format!(
                " WHERE {}",
                self.expr("bool", 2, &Scope::plain(cols.to_vec()))
            ),
        }
    }

    fn update(&mut self) -> Statement {
        let rel = self.table().clone();
        let alias = self.alias();
        let mut cols = Self::relation_cols(&alias, &rel);
        let other = self.other_relation();
        let mut all = cols.clone();
        if let Some((_, c)) = &other {
            all.extend(c.iter().cloned());
        }
        let settable: Vec<&schema::SchemaColumn> = rel
            .columns
            .iter()
            .filter(|c| c.insertable && c.name != "id")
            .collect();
        let mut sets = Vec::new();
        for _ in 0..1 + self.rng.below(2) {
            let c = settable[self.rng.below(settable.len())];
            if sets
                .iter()
                .any(|s: &String| s.starts_with(&format!("{} =", c.name)))
            {
                continue;
            }
            let v = self.stored_value(c, &Scope::plain(all.clone()));
            sets.push(format!("{} = {v}", c.name));
        }
        let mut sql = format!("UPDATE {} AS {alias} SET {}", rel.name, sets.join(", "));
        if let Some((from, _)) = &other {
            sql.push_str(&format!(" FROM {from}"));
        }
        sql.push_str(&self.where_clause(&all));
        if other.is_some() {
            cols = all;
        }
        let (ret, rows) = self.returning(&cols);
        sql.push_str(&ret);
        Statement {
            sql,
            returns_rows: rows,
        }
    }

    fn delete(&mut self) -> Statement {
        let rel = self.table().clone();
        let alias = self.alias();
        let mut cols = Self::relation_cols(&alias, &rel);
        let other = self.other_relation();
        let mut sql = format!("DELETE FROM {} AS {alias}", rel.name);
        if let Some((using, c)) = &other {
            sql.push_str(&format!(" USING {using}"));
            cols.extend(c.iter().cloned());
        }
        sql.push_str(&self.where_clause(&cols));
        let (ret, rows) = self.returning(&cols);
        sql.push_str(&ret);
        Statement {
            sql,
            returns_rows: rows,
        }
    }

    // ---- expressions ----

    /// An expression meant to have type `ty`.
    fn expr(&mut self, ty: &str, depth: u32, sc: &Scope) -> String {
        if depth == 0 || self.rng.chance(35) {
            return self.leaf(ty, sc);
        }
        for _ in 0..8 {
            if let Some(e) = self.compound(ty, depth - 1, sc) {
                return e;
            }
        }
        self.leaf(ty, sc)
    }

    fn leaf(&mut self, ty: &str, sc: &Scope) -> String {
        let cols: Vec<&Col> = sc.cols.iter().filter(|c| c.ty == ty).collect();
        let r = self.rng.below(100);
        if !cols.is_empty() && r < 60 {
            return cols[self.rng.below(cols.len())].sql.clone();
        }
        if r < 70 {
            return format!("{}::{}", self.param(), spell(ty));
        }
        if r < 74 {
            return format!("NULL::{}", spell(ty));
        }
        self.literal(ty)
    }

    fn literal(&mut self, ty: &str) -> String {
        if let Some(elem) = ty.strip_suffix("[]") {
            if self.rng.chance(50) {
                let a = self.literal(elem);
                let b = self.literal(elem);
                return format!("ARRAY[{a}, {b}]");
            }
        }
        let v = value_text(ty, self.rng.below(6));
        let bare = self.rng.chance(40);
        match ty {
            "int4" | "numeric" if bare => {
                let v = if ty == "numeric" && !v.contains('.') {
                    format!("{v}.0")
                } else {
                    v
                };
                if v.starts_with('-') {
                    format!("({v})")
                } else {
                    v
                }
            }
            "bool" if bare => v,
            "text" if bare => quote(&v),
            _ => format!("{}::{}", quote(&v), spell(ty)),
        }
    }

    fn compound(&mut self, ty: &str, d: u32, sc: &Scope) -> Option<String> {
        let r = self.rng.below(100);
        match r {
            0..=19 => self.call(ty, d, sc),
            20..=34 => self.operator(ty, d, sc),
            35..=41 => self.cast(ty, d, sc),
            42..=46 => {
                let branches = 1 + self.rng.below(2);
                let mut s = String::from("CASE");
                let simple = self.rng.chance(30);
                let subject_ty = self.comparable_type();
                if simple {
                    s.push_str(&format!(" {}", self.expr(&subject_ty, d, sc)));
                }
                for _ in 0..branches {
                    let when = if simple {
                        self.expr(&subject_ty, d, sc)
                    } else {
                        self.expr("bool", d, sc)
                    };
                    let then = self.expr(ty, d, sc);
                    s.push_str(&format!(" WHEN {when} THEN {then}"));
                }
                if self.rng.chance(70) {
                    s.push_str(&format!(" ELSE {}", self.expr(ty, d, sc)));
                }
                s.push_str(" END");
                Some(s)
            }
            47..=51 => {
                let n = 2 + self.rng.below(2);
                let args: Vec<String> = (0..n).map(|_| self.expr(ty, d, sc)).collect();
                Some(format!("COALESCE({})", args.join(", ")))
            }
            52..=54 if comparable(ty) => {
                let (a, b) = (self.expr(ty, d, sc), self.expr(ty, d, sc));
                Some(format!("NULLIF({a}, {b})"))
            }
            55..=57 if comparable(ty) => {
                let f = if self.rng.chance(50) {
                    "GREATEST"
                } else {
                    "LEAST"
                };
                let (a, b) = (self.expr(ty, d, sc), self.expr(ty, d, sc));
                Some(format!("{f}({a}, {b})"))
            }
            58..=62 => {
                let s = self.select(d, sc, Some(&[ty.to_string()]), false);
                Some(format!("({} LIMIT 1)", s.sql))
            }
            63..=72 => self.aggregate(ty, d, sc),
            73..=79 => self.window(ty, d, sc),
            _ => self.special(ty, d, sc),
        }
    }

    fn call(&mut self, ty: &str, d: u32, sc: &Scope) -> Option<String> {
        let f = self.cat.funcs.get(ty).map(|fs| self.rng.pick(fs).clone())?;
        let args: Vec<String> = f.args.iter().map(|a| self.expr(a, d, sc)).collect();
        Some(format!("{}({})", func_name(&f.name), args.join(", ")))
    }

    fn operator(&mut self, ty: &str, d: u32, sc: &Scope) -> Option<String> {
        let o = self.cat.opers.get(ty).map(|os| self.rng.pick(os).clone())?;
        let right = self.expr(&o.right, d, sc);
        Some(match &o.left {
            Some(l) => {
                let left = self.expr(l, d, sc);
                format!("({left} {} {right})", o.name)
            }
            None => format!("({} {right})", o.name),
        })
    }

    fn cast(&mut self, ty: &str, d: u32, sc: &Scope) -> Option<String> {
        let source = match self.cat.casts.get(ty) {
            Some(sources) if self.rng.chance(70) => self.rng.pick(sources).clone(),
            _ if ty == "text" => self.any_type(),
            _ => "text".to_string(),
        };
        let e = self.expr(&source, d, sc);
        Some(if self.rng.chance(50) {
            format!("CAST({e} AS {})", spell(ty))
        } else {
            format!("({e})::{}", spell(ty))
        })
    }

    fn aggregate(&mut self, ty: &str, d: u32, sc: &Scope) -> Option<String> {
        let inputs = sc.aggs.clone()?;
        let inner = Scope::plain(inputs);
        let r = self.rng.below(100);
        let call = if ty == "int8" && r < 30 {
            if self.rng.chance(40) {
                "count(*)".to_string()
            } else {
                let t = self.item_type(&inner);
                format!("count({})", self.expr(&t, d, &inner))
            }
        } else if r < 45 && comparable(ty) && !ty.ends_with("[]") {
            let f = if self.rng.chance(50) { "min" } else { "max" };
            format!("{f}({})", self.expr(ty, d, &inner))
        } else if let Some(elem) = ty.strip_suffix("[]").filter(|_| r < 60) {
            format!("array_agg({})", self.expr(elem, d, &inner))
        } else if ty == "text" && r < 60 {
            format!("string_agg({}, ',')", self.expr("text", d, &inner))
        } else if (ty == "json" || ty == "jsonb") && r < 60 {
            let t = self.item_type(&inner);
            format!("{ty}_agg({})", self.expr(&t, d, &inner))
        } else {
            let f = self.cat.aggs.get(ty).map(|fs| self.rng.pick(fs).clone())?;
            let distinct = if self.rng.chance(10) && f.args.iter().all(|a| comparable(a)) {
                "DISTINCT "
            } else {
                ""
            };
            let args: Vec<String> = f.args.iter().map(|a| self.expr(a, d, &inner)).collect();
            format!("{}({distinct}{})", func_name(&f.name), args.join(", "))
        };
        if self.rng.chance(12) {
            let cond = self.expr("bool", 1, &inner);
            return Some(format!("{call} FILTER (WHERE {cond})"));
        }
        Some(call)
    }

    fn window_spec(&mut self, sc: &Scope) -> String {
        let keys: Vec<&Col> = sc.cols.iter().filter(|c| comparable(&c.ty)).collect();
        if keys.is_empty() {
            return "()".to_string();
        }
        let mut parts = Vec::new();
        if self.rng.chance(50) {
            parts.push(format!(
                "PARTITION BY {}",
                keys[self.rng.below(keys.len())].sql
            ));
        }
        if self.rng.chance(70) {
            parts.push(format!("ORDER BY {}", keys[self.rng.below(keys.len())].sql));
        }
        format!("({})", parts.join(" "))
    }

    fn window(&mut self, ty: &str, d: u32, sc: &Scope) -> Option<String> {
        if !sc.windows {
            return None;
        }
        let inner = Scope::plain(sc.cols.clone());
        let spec = self.window_spec(sc);
        let call = match (ty, self.rng.below(4)) {
            ("int8", 0) => format!("{}()", self.rng.pick(&["row_number", "rank", "dense_rank"])),
            ("int4", 0) => format!("ntile({})", 1 + self.rng.below(3)),
            ("float8", 0) => format!("{}()", self.rng.pick(&["percent_rank", "cume_dist"])),
            (_, 1) => {
                let f = *self.rng.pick(&["lag", "lead", "first_value", "last_value"]);
                format!("{f}({})", self.expr(ty, d, &inner))
            }
            _ => {
                let agg_scope = Scope {
                    cols: Vec::new(),
                    aggs: Some(sc.cols.clone()),
                    windows: false,
                };
                let a = self.aggregate(ty, d, &agg_scope)?;
                if a.contains(" FILTER ") || a.contains("(DISTINCT ") {
                    return None;
                }
                a
            }
        };
        Some(format!("{call} OVER {spec}"))
    }

    /// Forms particular to a type: predicates, arrays, composites, text.
    fn special(&mut self, ty: &str, d: u32, sc: &Scope) -> Option<String> {
        let r = self.rng.below(100);
        if ty == "bool" {
            let t = self.comparable_type();
            return Some(match r {
                0..=24 => {
                    let op = *self.rng.pick(&["=", "<>", "<", "<=", ">", ">="]);
                    let a = self.expr(&t, d, sc);
                    let b = if self.rng.chance(20) {
                        self.param()
                    } else {
                        self.expr(&t, d, sc)
                    };
                    format!("({a} {op} {b})")
                }
                25..=34 => {
                    let not = if self.rng.chance(50) { "NOT " } else { "" };
                    let t = self.any_type();
                    format!("({} IS {not}NULL)", self.expr(&t, d, sc))
                }
                35..=39 => format!(
                    "({} IS DISTINCT FROM {})",
                    self.expr(&t, d, sc),
                    self.expr(&t, d, sc)
                ),
                40..=44 => format!("(NOT {})", self.expr("bool", d, sc)),
                45..=54 => {
                    let op = if self.rng.chance(50) { "AND" } else { "OR" };
                    format!(
                        "({} {op} {})",
                        self.expr("bool", d, sc),
                        self.expr("bool", d, sc)
                    )
                }
                55..=61 => {
                    let s = self.select(d, sc, None, false);
                    format!("EXISTS ({})", s.sql)
                }
                62..=69 => {
                    let items: Vec<String> = (0..1 + self.rng.below(3))
                        .map(|_| self.expr(&t, d, sc))
                        .collect();
                    format!("({} IN ({}))", self.expr(&t, d, sc), items.join(", "))
                }
                70..=76 => {
                    let s = self.select(d, sc, Some(std::slice::from_ref(&t)), false);
                    let not = if self.rng.chance(30) { "NOT " } else { "" };
                    format!("({} {not}IN ({}))", self.expr(&t, d, sc), s.sql)
                }
                77..=82 => format!(
                    "({} BETWEEN {} AND {})",
                    self.expr(&t, d, sc),
                    self.expr(&t, d, sc),
                    self.expr(&t, d, sc)
                ),
                83..=88 => {
                    let op = *self.rng.pick(&["LIKE", "ILIKE", "NOT LIKE"]);
                    let pattern = *self.rng.pick(&["a%", "%b%", "_"]);
                    format!("({} {op} {})", self.expr("text", d, sc), quote(pattern))
                }
                _ => {
                    let elem = self.rng.pick(schema::ARRAY_ELEMENTS).to_string();
                    let arr = self.expr(&format!("{elem}[]"), d, sc);
                    format!("({} = ANY({arr}))", self.expr(&elem, d, sc))
                }
            });
        }
        if let Some(elem) = ty.strip_suffix("[]") {
            return Some(match r {
                0..=39 => format!(
                    "ARRAY[{}, {}]",
                    self.expr(elem, d, sc),
                    self.expr(elem, d, sc)
                ),
                40..=59 => {
                    let s = self.select(d, sc, Some(&[elem.to_string()]), false);
                    format!("ARRAY({})", s.sql)
                }
                60..=74 => format!(
                    "array_append({}, {})",
                    self.expr(ty, d, sc),
                    self.expr(elem, d, sc)
                ),
                _ => format!("({} || {})", self.expr(ty, d, sc), self.expr(ty, d, sc)),
            });
        }
        let arrayable = schema::ARRAY_ELEMENTS.contains(&ty);
        match (ty, r) {
            (_, 0..=29) if arrayable => {
                let arr = self.expr(&format!("{ty}[]"), d, sc);
                Some(format!("({arr})[{}]", 1 + self.rng.below(2)))
            }
            ("int4", 30..=49) => {
                let elem = self.rng.pick(schema::ARRAY_ELEMENTS).to_string();
                let arr = self.expr(&format!("{elem}[]"), d, sc);
                Some(if self.rng.chance(50) {
                    format!("cardinality({arr})")
                } else {
                    format!("array_length({arr}, 1)")
                })
            }
            ("int4", 50..=69) => Some(format!("({}).a", self.expr("pair", d, sc))),
            ("text", 30..=44) => Some(format!("({}).b", self.expr("pair", d, sc))),
            ("text", 45..=59) => {
                let elem = self.rng.pick(schema::ARRAY_ELEMENTS).to_string();
                let arr = self.expr(&format!("{elem}[]"), d, sc);
                Some(format!("array_to_string({arr}, ',')"))
            }
            ("text", 60..=79) => {
                let t = self.any_type();
                Some(format!(
                    "concat({}, {})",
                    self.expr(&t, d, sc),
                    self.expr("text", d, sc)
                ))
            }
            ("text", _) => Some(format!(
                "({} || {})",
                self.expr("text", d, sc),
                self.expr("text", d, sc)
            )),
            ("pair", _) => Some(format!(
                "ROW({}, {})::pair",
                self.expr("int4", d, sc),
                self.expr("text", d, sc)
            )),
            ("numeric", 30..=59) => {
                let field = *self.rng.pick(&["YEAR", "MONTH", "DAY", "EPOCH"]);
                let t = *self.rng.pick(&["timestamptz", "timestamp", "date"]);
                Some(format!("EXTRACT({field} FROM {})", self.expr(t, d, sc)))
            }
            _ => None,
        }
    }
}
