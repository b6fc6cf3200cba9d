//! The analysis as JSON, in the shape the conformance scorer reads (`sqlgen describe`).

use crate::ir::{Param, PgType, Query};
use crate::Project;
use serde_json::{json, Map, Value};

/// The analysis document of every package in the project.
pub fn document(project: &Project) -> Value {
    let mut queries = Map::new();
    let mut failures = Map::new();
    if project.config.is_none() || project.packages.iter().any(|p| !p.schema_errors.is_empty()) {
        let errors: Vec<Value> = project
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| json!({"error": d.message, "location": d.location(&project.sources)}))
            .collect();
        failures.insert("schema".into(), json!({"error": errors.first().map(|e| e["error"].clone()).unwrap_or_default(), "errors": errors}));
    }
    for pkg in &project.packages {
        for f in &pkg.ir.files {
            let file = f.path.rsplit('/').next().unwrap_or(&f.path).to_string();
            for q in &f.queries {
                queries.insert(q.name.clone(), query(q, &file));
            }
        }
        for (name, diags) in &pkg.failures {
            let msg = diags.first().map(|d| d.message.clone()).unwrap_or_default();
            let loc = diags.first().and_then(|d| d.location(&project.sources));
            let error = match loc {
                Some(l) => format!("{l}: {msg}"),
                None => msg,
            };
            failures.insert(name.clone(), json!({ "error": error }));
        }
    }
    json!({"queries": queries, "failures": failures})
}

fn type_fields(ty: &PgType) -> (String, bool) {
    (ty.element_name(), ty.is_array())
}

fn query(q: &Query, file: &str) -> Value {
    let params: Vec<Value> = q.params.iter().map(param).collect();
    let columns: Vec<Value> = q
        .columns
        .iter()
        .map(|c| {
            let (t, arr) = type_fields(&c.ty);
            json!({"name": c.name, "type": t, "not_null": !c.nullable, "is_array": arr, "table": c.table.as_ref().map(|t| t.to_string())})
        })
        .collect();
    let mut out =
        json!({"cmd": q.command.annotation(), "file": file, "params": params, "columns": columns});
    // A dynamic query lists every SQL text it may send, with that shape's parameters.
    if q.dynamic.is_some() {
        let shapes: Vec<Value> = q
            .statements()
            .into_iter()
            .map(|s| {
                let params: Vec<Value> = s.params.into_iter().map(param).collect();
                json!({"shape": s.label, "sql": s.sql, "params": params})
            })
            .collect();
        out["shapes"] = Value::Array(shapes);
    }
    out
}

fn param(p: &Param) -> Value {
    let (t, arr) = match &p.domain {
        Some(d) => (d.to_string(), false),
        None => type_fields(&p.ty),
    };
    json!({"number": p.number, "name": p.name, "type": t, "not_null": !p.nullable, "is_array": arr})
}
