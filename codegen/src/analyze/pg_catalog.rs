//! PostgreSQL 15's own type, function, operator and cast catalogue, read from `data/pg_catalog.tsv`
//! (extracted from a real server by `data/extract_pg_catalog.sh`).

use std::collections::HashMap;
use std::sync::LazyLock;

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
    pub nsp: String,
    pub name: String,
    /// `b` base, `c` composite, `d` domain, `e` enum, `p` pseudo, `r` range, `m` multirange.
    pub typtype: char,
    pub category: char,
    pub preferred: bool,
    pub elem: u32,
    pub array: u32,
}

#[derive(Debug, Clone)]
pub struct Func {
    pub name: String,
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
    pub out: Vec<(String, u32)>,
    /// For ordered-set aggregates: how many arguments come before WITHIN GROUP.
    pub direct_args: Option<usize>,
    /// Input argument names (empty for unnamed ones), for calls in named notation.
    pub arg_names: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Oper {
    pub name: String,
    pub left: u32,
    pub right: u32,
    pub result: u32,
    pub strict: bool,
}

#[derive(Default)]
pub struct PgCatalog {
    pub types: HashMap<u32, TypeInfo>,
    pub type_names: HashMap<String, u32>,
    pub funcs: HashMap<String, Vec<Func>>,
    pub opers: HashMap<String, Vec<Oper>>,
    /// (source, target) to the cast context: `i` implicit, `a` assignment, `e` explicit.
    pub casts: HashMap<(u32, u32), char>,
    /// Extensions whose objects the catalogue holds.
    pub extensions: Vec<String>,
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

fn parse(data: &str) -> PgCatalog {
    let mut c = PgCatalog::default();
    let mut aggs: HashMap<u32, usize> = HashMap::new();
    let mut func_oids: Vec<(u32, String, usize)> = Vec::new();
    for line in data.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        let n = |i: usize| f.get(i).and_then(|x| x.parse::<u32>().ok()).unwrap_or(0);
        match f[0] {
            "type" => {
                let t = TypeInfo {
                    oid: n(1),
                    nsp: f[2].to_string(),
                    name: f[3].to_string(),
                    typtype: f[4].chars().next().unwrap_or('b'),
                    category: f[5].chars().next().unwrap_or('U'),
                    preferred: f[6] == "1",
                    elem: n(7),
                    array: n(8),
                };
                // pg_catalog wins a name clash, as it comes first on the search path.
                if t.nsp == "pg_catalog" || !c.type_names.contains_key(&t.name) {
                    c.type_names.insert(t.name.clone(), t.oid);
                }
                c.types.insert(t.oid, t);
            }
            "func" => {
                let out_types = oids(f.get(11).copied().unwrap_or(""));
                let out_names: Vec<&str> = f
                    .get(12)
                    .copied()
                    .unwrap_or("")
                    .split(',')
                    .filter(|x| !x.is_empty())
                    .collect();
                let func = Func {
                    name: f[3].to_string(),
                    kind: f[4].chars().next().unwrap_or('f'),
                    retset: f[5] == "1",
                    strict: f[6] == "1",
                    ret: n(7),
                    variadic: n(8),
                    ndefaults: n(9) as usize,
                    args: oids(f.get(10).copied().unwrap_or("")),
                    out: out_names
                        .iter()
                        .map(|s| s.to_string())
                        .zip(out_types)
                        .collect(),
                    direct_args: None,
                    arg_names: f
                        .get(13)
                        .map(|x| x.split(',').map(str::to_string).collect())
                        .unwrap_or_default(),
                };
                let list = c.funcs.entry(func.name.clone()).or_default();
                // pg_catalog's definition shadows an extension's identical one (gen_random_uuid).
                if f[2] != "pg_catalog" && list.iter().any(|g| g.args == func.args) {
                    continue;
                }
                func_oids.push((n(1), func.name.clone(), list.len()));
                list.push(func);
            }
            "oper" => {
                let o = Oper {
                    name: f[3].to_string(),
                    left: n(5),
                    right: n(6),
                    result: n(7),
                    strict: f.get(9) == Some(&"1"),
                };
                c.opers.entry(o.name.clone()).or_default().push(o);
            }
            "ext" => c.extensions.push(f[1].to_string()),
            "cast" => {
                c.casts
                    .insert((n(1), n(2)), f[3].chars().next().unwrap_or('e'));
            }
            "agg" if f[2] == "o" || f[2] == "h" => {
                aggs.insert(n(1), n(4) as usize);
            }
            _ => {}
        }
    }
    for (oid, name, idx) in func_oids {
        if let Some(d) = aggs.get(&oid) {
            if let Some(list) = c.funcs.get_mut(&name) {
                list[idx].direct_args = Some(*d);
            }
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
        assert!(c.opers["->>"]
            .iter()
            .any(|o| o.left == 3802 && o.right == 25 && o.result == 25));
    }
}
