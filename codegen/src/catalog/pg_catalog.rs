//! PostgreSQL 15's own type, function, operator and cast catalogue, read from `data/pg_catalog.tsv`
//! (extracted from a real server by `data/extract_pg_catalog.sh`).

use std::collections::HashMap as StdHashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

/// The catalogue's maps: keys are OIDs and names compiled into the binary, so a fixed, fast hash
/// serves (SipHash's resistance to chosen keys buys nothing here, and costs at start-up).
pub type HashMap<K, V> = StdHashMap<K, V, BuildHasherDefault<CatalogHasher>>;

/// A multiply-rotate hash over 8-byte words (the scheme of rustc's FxHash).
#[derive(Default, Clone, Copy)]
pub struct CatalogHasher(u64);

impl CatalogHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for CatalogHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
            ]));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub const ANY: u32 = 2276;
pub const ANYELEMENT: u32 = 2283;
pub const ANYARRAY: u32 = 2277;
pub const ANYNONARRAY: u32 = 2776;
pub const ANYENUM: u32 = 3500;
pub const ANYCOMPATIBLE: u32 = 5077;
pub const ANYCOMPATIBLEARRAY: u32 = 5078;
pub const ANYCOMPATIBLENONARRAY: u32 = 5079;
pub const RECORD: u32 = 2249;
pub const UNKNOWN: u32 = 705;
pub const TEXT: u32 = 25;

#[derive(Debug, Clone)]
pub struct TypeInfo {
    pub oid: u32,
    pub nsp: &'static str,
    pub name: &'static str,
    /// `b` base, `c` composite, `d` domain, `e` enum, `p` pseudo, `r` range, `m` multirange.
    pub typtype: char,
    pub category: char,
    pub preferred: bool,
    pub elem: u32,
    pub array: u32,
}

#[derive(Debug, Clone)]
pub struct Func {
    pub name: &'static str,
    /// `f` function, `a` aggregate, `w` window.
    pub kind: char,
    pub retset: bool,
    pub strict: bool,
    pub ret: u32,
    /// Element type of a VARIADIC last argument, or 0.
    pub variadic: u32,
    pub ndefaults: usize,
    pub args: Vec<u32>,
    /// Output columns of a function with OUT or TABLE parameters.
    pub out: Vec<(&'static str, u32)>,
    /// For ordered-set aggregates: how many arguments come before WITHIN GROUP.
    pub direct_args: Option<usize>,
    /// Input argument names (empty for unnamed ones), for calls in named notation.
    pub arg_names: Vec<&'static str>,
    /// An extension's overload of a built-in function's name (citext's `split_part`): a wrapper
    /// written in SQL, whose results the built-in's rules say nothing about.
    pub extension_overload: bool,
}

#[derive(Debug, Clone)]
pub struct Oper {
    pub name: &'static str,
    pub left: u32,
    pub right: u32,
    pub result: u32,
    pub strict: bool,
}

/// The catalogue's names borrow from the text compiled into the binary, so reading it allocates
/// little: it is parsed at the start of every run.
#[derive(Default)]
pub struct PgCatalog {
    pub types: HashMap<u32, TypeInfo>,
    pub type_names: HashMap<&'static str, u32>,
    pub funcs: HashMap<&'static str, Vec<Func>>,
    pub opers: HashMap<&'static str, Vec<Oper>>,
    /// (source, target) to the cast context: `i` implicit, `a` assignment, `e` explicit.
    pub casts: HashMap<(u32, u32), char>,
    /// Extensions whose objects the catalogue holds.
    pub extensions: Vec<&'static str>,
    /// The tables and views of `pg_catalog` and `information_schema`, by (schema, name).
    pub relations: HashMap<(&'static str, &'static str), SystemRelation>,
}

/// A relation every database has, as the server describes it.
#[derive(Debug, Clone)]
pub struct SystemRelation {
    /// `r` table, `v` view, `m` materialized view.
    pub kind: char,
    /// Name, type (a domain's base type) and NOT NULL of each column, in order.
    pub columns: Vec<(&'static str, u32, bool)>,
}

static DATA: &str = include_str!("../../data/pg_catalog.tsv");

/// The catalogue, parsed once per process.
pub static CATALOG: LazyLock<PgCatalog> = LazyLock::new(|| parse(DATA));

fn oids(s: &str) -> Vec<u32> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| x.parse().unwrap_or(0))
        .collect()
}

/// The most fields a record has (`func`).
const FIELDS: usize = 14;

fn parse(data: &'static str) -> PgCatalog {
    let mut c = PgCatalog::default();
    let mut aggs: HashMap<u32, usize> = HashMap::default();
    let mut func_oids: Vec<(u32, &'static str, usize)> = Vec::new();
    for line in data.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let mut f: [&'static str; FIELDS] = [""; FIELDS];
        let mut given = 0;
        for (slot, field) in f.iter_mut().zip(line.split('\t')) {
            *slot = field;
            given += 1;
        }
        let n = |i: usize| f[i].parse::<u32>().unwrap_or(0);
        let flag = |i: usize, default: char| f[i].chars().next().unwrap_or(default);
        match f[0] {
            "type" => {
                let t = TypeInfo {
                    oid: n(1),
                    nsp: f[2],
                    name: f[3],
                    typtype: flag(4, 'b'),
                    category: flag(5, 'U'),
                    preferred: f[6] == "1",
                    elem: n(7),
                    array: n(8),
                };
                // pg_catalog wins a name clash, as it comes first on the search path.
                if t.nsp == "pg_catalog" || !c.type_names.contains_key(t.name) {
                    c.type_names.insert(t.name, t.oid);
                }
                c.types.insert(t.oid, t);
            }
            "func" => {
                let out_types = oids(f[11]);
                let func = Func {
                    name: f[3],
                    kind: flag(4, 'f'),
                    retset: f[5] == "1",
                    strict: f[6] == "1",
                    ret: n(7),
                    variadic: n(8),
                    ndefaults: n(9) as usize,
                    args: oids(f[10]),
                    out: f[12]
                        .split(',')
                        .filter(|x| !x.is_empty())
                        .zip(out_types)
                        .collect(),
                    direct_args: None,
                    // A record without the field has no names; an empty field is one unnamed argument.
                    arg_names: if given > 13 {
                        f[13].split(',').collect()
                    } else {
                        Vec::new()
                    },
                    extension_overload: f[2] != "pg_catalog",
                };
                let list = c.funcs.entry(func.name).or_default();
                // pg_catalog's definition shadows an extension's identical one (gen_random_uuid).
                if f[2] != "pg_catalog" && list.iter().any(|g| g.args == func.args) {
                    continue;
                }
                func_oids.push((n(1), func.name, list.len()));
                list.push(func);
            }
            "oper" => {
                let o = Oper {
                    name: f[3],
                    left: n(5),
                    right: n(6),
                    result: n(7),
                    strict: f[9] == "1",
                };
                c.opers.entry(o.name).or_default().push(o);
            }
            "ext" => c.extensions.push(f[1]),
            "rel" => {
                let columns = f[4]
                    .split(',')
                    .zip(oids(f[5]))
                    .zip(f[6].bytes())
                    .map(|((name, ty), not_null)| (name, ty, not_null == b'1'))
                    .collect();
                let rel = SystemRelation {
                    kind: flag(3, 'r'),
                    columns,
                };
                c.relations.insert((f[1], f[2]), rel);
            }
            "cast" => {
                c.casts.insert((n(1), n(2)), flag(3, 'e'));
            }
            "agg" if f[2] == "o" || f[2] == "h" => {
                aggs.insert(n(1), n(4) as usize);
            }
            _ => {}
        }
    }
    for (oid, name, idx) in func_oids {
        if let Some(d) = aggs.get(&oid) {
            if let Some(list) = c.funcs.get_mut(name) {
                list[idx].direct_args = Some(*d);
            }
        }
    }
    // Only an extension's function that shares its name with a built-in one is an overload.
    for list in c.funcs.values_mut() {
        if list.iter().all(|f| f.extension_overload) {
            list.iter_mut().for_each(|f| f.extension_overload = false);
        }
    }
    c
}

impl PgCatalog {
    pub fn type_info(&self, oid: u32) -> Option<&TypeInfo> {
        self.types.get(&oid)
    }

    pub fn oid_of(&self, name: &str) -> Option<u32> {
        self.type_names.get(name).copied()
    }

    pub fn is_array(&self, oid: u32) -> bool {
        self.types.get(&oid).is_some_and(|t| t.category == 'A')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_loads() {
        let c = &*CATALOG;
        assert_eq!(c.oid_of("int4"), Some(23));
        assert!(c.funcs["length"]
            .iter()
            .any(|f| f.args == vec![25] && f.ret == 23));
        assert_eq!(c.casts.get(&(23, 20)), Some(&'i'));
        assert!(c.funcs["percentile_disc"]
            .iter()
            .all(|f| f.direct_args == Some(1)));
        let class = &c.relations[&("pg_catalog", "pg_class")];
        assert_eq!(class.kind, 'r');
        assert!(class.columns.contains(&("relname", 19, true)));
        // information_schema's domains come as their base types (sql_identifier is a name).
        let columns = &c.relations[&("information_schema", "columns")];
        assert!(columns.columns.contains(&("column_name", 19, false)));
        assert!(c.opers["->>"]
            .iter()
            .any(|o| o.left == 3802 && o.right == 25 && o.result == 25));
    }
}
