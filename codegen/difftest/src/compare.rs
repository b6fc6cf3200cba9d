//! One query judged: sqlgen's analysis against PostgreSQL's description (parameter and column types,
//! column names, acceptance), then, for row-returning queries, against the rows PostgreSQL returns.

use crate::generate::Statement;
use crate::schema;
use crate::Report;
use codegen::ir;
use tokio_postgres::SimpleQueryMessage;

/// The kind of a disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A parameter or column type, or their count, differs.
    Type,
    /// A column name differs.
    Name,
    /// PostgreSQL prepares the query; sqlgen rejects it.
    SqlgenRejectsValid,
    /// PostgreSQL rejects the query; sqlgen accepts it.
    SqlgenAcceptsInvalid,
    /// A column sqlgen calls non-null returned NULL.
    NullViolated,
}

impl Class {
    pub const ALL: [Class; 5] = [
        Class::Type,
        Class::Name,
        Class::SqlgenRejectsValid,
        Class::SqlgenAcceptsInvalid,
        Class::NullViolated,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Class::Type => "type",
            Class::Name => "name",
            Class::SqlgenRejectsValid => "sqlgen-rejects-valid",
            Class::SqlgenAcceptsInvalid => "sqlgen-accepts-invalid",
            Class::NullViolated => "nullability-violated-at-runtime",
        }
    }
}

/// One difference, with what it takes to reproduce it (the schema is fixed: the SQL suffices).
#[derive(Debug, Clone)]
pub struct Disagreement {
    pub seed: u64,
    pub index: u64,
    pub class: Class,
    pub sql: String,
    pub postgres: String,
    pub sqlgen: String,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "[{}] seed {} query {}: {}",
            self.class.name(),
            self.seed,
            self.index,
            self.sql
        )?;
        writeln!(f, "    PostgreSQL: {}", self.postgres)?;
        write!(f, "    sqlgen:     {}", self.sqlgen)
    }
}

/// sqlgen's analysis of each statement (in order): the query, or its rendered errors.
pub fn analyse(schema: &str, statements: &[(u64, Statement)]) -> Vec<Result<ir::Query, String>> {
    let text = |sts: &[(u64, Statement)]| -> String {
        sts.iter()
            .map(|(i, st)| {
                let cmd = if st.returns_rows { ":many" } else { ":exec" };
                format!("-- name: Q{i} {cmd}\n{};\n\n", st.sql)
            })
            .collect()
    };
    match codegen::analyze_text_each(schema, &text(statements)) {
        Ok(results) if results.len() == statements.len() => {
            results.into_iter().map(|(_, r)| r).collect()
        }
        // The file as a whole failed (an annotation swallowed, say): analyse one at a time, so the
        // failure lands on the query that caused it.
        _ => statements
            .iter()
            .map(
                |st| match codegen::analyze_text_each(schema, &text(std::slice::from_ref(st))) {
                    Ok(mut r) if r.len() == 1 => r.remove(0).1,
                    Ok(r) => Err(format!("the query file split into {} queries", r.len())),
                    Err(e) => Err(e),
                },
            )
            .collect(),
    }
}

/// A type as people write it: `int4[]` for `_int4`.
fn shown(name: &str) -> String {
    match name.strip_prefix('_') {
        Some(elem) => format!("{elem}[]"),
        None => name.to_string(),
    }
}

/// The first line of sqlgen's rendered error (`error[E..]: message`).
fn first_line(rendered: &str) -> String {
    rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string()
}

fn db_error(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}

/// Judges one statement and adds what it finds to `report`.
pub async fn judge(
    client: &tokio_postgres::Client,
    seed: u64,
    index: u64,
    st: &Statement,
    ours: Result<ir::Query, String>,
    report: &mut Report,
) {
    let say = |report: &mut Report, class: Class, postgres: String, sqlgen: String| {
        report.disagreements.push(Disagreement {
            seed,
            index,
            class,
            sql: st.sql.clone(),
            postgres,
            sqlgen,
        })
    };
    let theirs = client.prepare(&st.sql).await;
    let (stmt, q) = match (theirs, ours) {
        (Err(e), Ok(_)) => {
            say(
                report,
                Class::SqlgenAcceptsInvalid,
                format!("rejects it: {}", db_error(&e)),
                "accepts it".into(),
            );
            return;
        }
        (Err(_), Err(_)) => return,
        (Ok(_), Err(e)) => {
            report.accepted += 1;
            say(
                report,
                Class::SqlgenRejectsValid,
                "accepts it".into(),
                first_line(&e),
            );
            return;
        }
        (Ok(s), Ok(q)) => {
            report.accepted += 1;
            (s, q)
        }
    };
    let mut types = Vec::new();
    let mut names = Vec::new();
    if stmt.params().len() != q.params.len() {
        types.push(format!(
            "{} parameters (sqlgen {})",
            stmt.params().len(),
            q.params.len()
        ));
    }
    for (p, t) in q.params.iter().zip(stmt.params()) {
        let ours = p.server_name();
        if ours != t.name() {
            types.push(format!(
                "${}: {} (sqlgen {})",
                p.number,
                shown(t.name()),
                shown(&ours)
            ));
        }
    }
    if stmt.columns().len() != q.columns.len() {
        types.push(format!(
            "{} columns (sqlgen {})",
            stmt.columns().len(),
            q.columns.len()
        ));
    }
    for (i, (c, t)) in q.columns.iter().zip(stmt.columns()).enumerate() {
        if c.ty.server_name() != t.type_().name() {
            types.push(format!(
                "column {} `{}`: {} (sqlgen {})",
                i + 1,
                t.name(),
                shown(t.type_().name()),
                shown(&c.ty.server_name())
            ));
        }
        if c.name != t.name() {
            names.push(format!(
                "column {}: `{}` (sqlgen `{}`)",
                i + 1,
                t.name(),
                c.name
            ));
        }
    }
    if !types.is_empty() {
        say(report, Class::Type, types.join("; "), sqlgen_line(&q));
    }
    if !names.is_empty() {
        say(report, Class::Name, names.join("; "), sqlgen_line(&q));
    }
    if st.returns_rows && stmt.columns().len() == q.columns.len() {
        execute(client, st, &stmt, &q, report, seed, index).await;
    }
}

/// sqlgen's analysis on one line, as the analysis tests print it.
fn sqlgen_line(q: &ir::Query) -> String {
    codegen::compact(std::slice::from_ref(q)).trim().to_string()
}

/// A parameter's value as SQL: NULL where sqlgen lets the parameter be NULL, else a literal of
/// PostgreSQL's type. `None` when the type has no literal here.
fn param_value(ty: &tokio_postgres::types::Type, nullable: bool, pick: usize) -> Option<String> {
    let name = ty.name();
    let typed = match name {
        "char" => "\"char\"".to_string(),
        "_char" => "\"char\"[]".to_string(),
        _ => name.to_string(),
    };
    if nullable {
        return Some(format!("NULL::{typed}"));
    }
    let ours = shown(name);
    let known = match ours.strip_suffix("[]") {
        Some(elem) => schema::ARRAY_ELEMENTS.contains(&elem),
        None => schema::base(&ours).is_some() || matches!(name, "posint" | "label"),
    };
    known.then(|| {
        format!(
            "{}::{typed}",
            schema::quote(&schema::value_text(&ours, pick))
        )
    })
}

/// `$n` replaced by `values[n - 1]` outside quoted text.
fn substitute(sql: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(sql.len());
    let bytes = sql.as_bytes();
    let mut i = 0;
    let mut quoted: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quoted {
            Some(q) if b == q => quoted = None,
            Some(_) => {}
            None if b == b'\'' || b == b'"' => quoted = Some(b),
            None if b == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                let digits = bytes[i + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_digit())
                    .count();
                let n: usize = sql[i + 1..i + 1 + digits].parse().unwrap_or(0);
                if let Some(v) = n.checked_sub(1).and_then(|k| values.get(k)) {
                    out.push('(');
                    out.push_str(v);
                    out.push(')');
                    i += 1 + digits;
                    continue;
                }
            }
            None => {}
        }
        out.push(b as char);
        i += 1;
    }
    out
}

/// Runs the query in a rolled-back transaction and checks no non-null column returned NULL.
async fn execute(
    client: &tokio_postgres::Client,
    st: &Statement,
    stmt: &tokio_postgres::Statement,
    q: &ir::Query,
    report: &mut Report,
    seed: u64,
    index: u64,
) {
    let mut values = Vec::new();
    for (i, t) in stmt.params().iter().enumerate() {
        let nullable = q.params.get(i).is_none_or(|p| p.nullable);
        match param_value(t, nullable, index as usize + i) {
            Some(v) => values.push(v),
            None => return,
        }
    }
    let sql = substitute(&st.sql, &values);
    report.executed += 1;
    if client.batch_execute("BEGIN").await.is_err() {
        return;
    }
    let result = client.simple_query(&sql).await;
    let _ = client.batch_execute("ROLLBACK").await;
    let messages = match result {
        Ok(m) => m,
        Err(_) => {
            report.runtime_errors += 1;
            return;
        }
    };
    let mut violated: Vec<usize> = Vec::new();
    for m in &messages {
        if let SimpleQueryMessage::Row(row) = m {
            report.rows_checked += 1;
            for (j, c) in q.columns.iter().enumerate() {
                // A value that is not UTF-8 text (a `"char"` byte over 127) is an error here, not NULL.
                if !c.nullable && matches!(row.try_get(j), Ok(None)) && !violated.contains(&j) {
                    violated.push(j);
                }
            }
        }
    }
    if !violated.is_empty() {
        let cols: Vec<String> = violated
            .iter()
            .map(|j| format!("column {} `{}` returned NULL", j + 1, q.columns[*j].name))
            .collect();
        report.disagreements.push(Disagreement {
            seed,
            index,
            class: Class::NullViolated,
            sql: st.sql.clone(),
            postgres: format!("{} (run as: {sql})", cols.join("; ")),
            sqlgen: sqlgen_line(q),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitute_replaces_parameters_outside_quotes() {
        let values = vec!["1".to_string(), "'x'".to_string()];
        assert_eq!(
            substitute("SELECT $1, '$2', $2, $10", &values),
            "SELECT (1), '$2', ('x'), $10"
        );
    }
}
