//! PostgreSQL's functions, operators, aggregates and casts from `codegen/data/pg_catalog.tsv`,
//! kept where every argument and the result are types the schema can produce.

use crate::schema::{universe, Ty};
use std::collections::{BTreeMap, BTreeSet};

const PG_CATALOG: &str = include_str!("../../data/pg_catalog.tsv");

#[derive(Debug, Clone)]
pub struct Func {
    pub name: String,
    pub args: Vec<Ty>,
    pub ret: Ty,
}

#[derive(Debug, Clone)]
pub struct Oper {
    pub name: String,
    /// `None` for a prefix operator.
    pub left: Option<Ty>,
    pub right: Ty,
    pub ret: Ty,
}

/// The usable part of the catalogue, indexed by result type.
#[derive(Debug, Default)]
pub struct Catalogue {
    pub funcs: BTreeMap<Ty, Vec<Func>>,
    pub aggs: BTreeMap<Ty, Vec<Func>>,
    pub windows: BTreeMap<Ty, Vec<Func>>,
    pub opers: BTreeMap<Ty, Vec<Oper>>,
    /// Target type to the source types with a cast (any context) to it.
    pub casts: BTreeMap<Ty, Vec<Ty>>,
}

/// Functions left out of calls: they act on the server (backends, locks, files, settings,
/// sequences), need objects the schema lacks, or build huge values from small numbers.
fn excluded(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "pg_",
        "lo_",
        "txid_",
        "binary_upgrade",
        "brin_",
        "gin_",
        "ts_",
        "dblink",
        "has_",
    ];
    const NAMES: &[&str] = &[
        "set_config",
        "current_setting",
        "nextval",
        "setval",
        "currval",
        "lastval",
        "repeat",
        "lpad",
        "rpad",
        "lo_import",
        "lo_export",
        "loread",
        "lowrite",
        "lo_open",
        "satisfies_hash_partition",
        "row_security_active",
        "make_timestamptz",
        "to_regclass",
        "to_regtype",
        "to_regproc",
        "to_regprocedure",
        "to_regoper",
        "to_regoperator",
        "to_regrole",
        "to_regnamespace",
        "to_regcollation",
        "to_regtypemod",
        "gen_random_bytes",
        "parse_ident",
        "txid_current",
        "clock_timestamp",
        "random",
        "setseed",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "timeofday",
        "statement_timestamp",
        "inet_client_addr",
        "inet_server_addr",
        "inet_client_port",
        "inet_server_port",
        "version",
        "query_to_xml",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || NAMES.contains(&name)
}

impl Catalogue {
    pub fn load() -> Catalogue {
        let usable: BTreeSet<Ty> = universe().into_iter().collect();
        let mut types: BTreeMap<&str, Ty> = BTreeMap::new();
        let mut agg_kind: BTreeMap<&str, &str> = BTreeMap::new();
        let records: Vec<Vec<&str>> = PG_CATALOG
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| l.split('\t').collect())
            .collect();
        let by_oid: BTreeMap<&str, (&str, &str)> = records
            .iter()
            .filter(|r| r[0] == "type")
            .map(|r| (r[1], (r[3], r[7])))
            .collect();
        for (oid, (name, elem)) in &by_oid {
            let ty = match by_oid.get(elem) {
                Some((elem_name, _)) if name.starts_with('_') => format!("{elem_name}[]"),
                _ => name.to_string(),
            };
            if usable.contains(&ty) {
                types.insert(oid, ty);
            }
        }
        for r in records.iter().filter(|r| r[0] == "agg") {
            agg_kind.insert(r[1], r[2]);
        }
        let ty = |oid: &str| types.get(oid).cloned();
        let mut cat = Catalogue::default();
        for r in &records {
            match r[0] {
                "func" => {
                    let (oid, name, kind, retset, variadic) = (r[1], r[3], r[4], r[5], r[8]);
                    if retset != "0" || variadic != "0" || excluded(name) {
                        continue;
                    }
                    let args: Option<Vec<Ty>> =
                        r[10].split(',').filter(|a| !a.is_empty()).map(ty).collect();
                    let (Some(args), Some(ret)) = (args, ty(r[7])) else {
                        continue;
                    };
                    if args.len() > 4 {
                        continue;
                    }
                    let f = Func {
                        name: name.to_string(),
                        args,
                        ret: ret.clone(),
                    };
                    let table = match kind {
                        "f" => &mut cat.funcs,
                        "w" => &mut cat.windows,
                        "a" if agg_kind.get(oid) == Some(&"n") && f.args.len() <= 2 => {
                            &mut cat.aggs
                        }
                        _ => continue,
                    };
                    table.entry(ret).or_default().push(f);
                }
                "oper" => {
                    let left = if r[4] == "b" { ty(r[5]) } else { None };
                    if r[4] == "b" && left.is_none() {
                        continue;
                    }
                    let (Some(right), Some(ret)) = (ty(r[6]), ty(r[7])) else {
                        continue;
                    };
                    cat.opers.entry(ret.clone()).or_default().push(Oper {
                        name: r[3].to_string(),
                        left,
                        right,
                        ret,
                    });
                }
                "cast" => {
                    if let (Some(source), Some(target)) = (ty(r[1]), ty(r[2])) {
                        cat.casts.entry(target).or_default().push(source);
                    }
                }
                _ => {}
            }
        }
        cat
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_has_common_entries() {
        let cat = Catalogue::load();
        assert!(cat.funcs["int4"]
            .iter()
            .any(|f| f.name == "length" && f.args == ["text"]));
        assert!(cat.aggs["int8"]
            .iter()
            .any(|f| f.name == "sum" && f.args == ["int4"]));
        assert!(cat.opers["bool"]
            .iter()
            .any(|o| o.name == "=" && o.left.as_deref() == Some("int4")));
        assert!(cat.casts["int8"].iter().any(|s| s == "int4"));
        assert!(cat.funcs["text"].iter().all(|f| !f.name.starts_with("pg_")));
    }
}
