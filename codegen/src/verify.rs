//! `sqlgen verify`: PostgreSQL itself as the judge. Builds a scratch database from the migrations,
//! prepares every query, and compares the server's parameter and column types with the analysis.

use codegen::Project;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One disagreement, printed as `file:line: query X: ...`.
struct Mismatch {
    location: String,
    message: String,
}

/// Runs the verification; returns the number of mismatches, or an error for IO and connection problems.
pub fn run(project: &Project, url: &str, package: Option<&str>) -> Result<usize, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(verify(project, url, package))
}

async fn connect(config: &tokio_postgres::Config) -> Result<tokio_postgres::Client, String> {
    let (client, conn) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

async fn verify(project: &Project, url: &str, package: Option<&str>) -> Result<usize, String> {
    let base: tokio_postgres::Config = url
        .parse()
        .map_err(|e| format!("invalid DATABASE_URL: {e}"))?;
    let admin = connect(&base).await?;
    let root = project
        .config
        .as_ref()
        .map(|c| c.root.clone())
        .unwrap_or_default();
    // One scratch database per distinct schema, as the catalog is built per schema.
    let mut by_schema: BTreeMap<Vec<PathBuf>, Vec<&codegen::AnalyzedPackage>> = BTreeMap::new();
    for p in &project.packages {
        if package.is_none_or(|n| n == p.config.name) {
            by_schema
                .entry(p.config.schema.clone())
                .or_default()
                .push(p);
        }
    }
    let mut mismatches = Vec::new();
    for (i, (schema, packages)) in by_schema.iter().enumerate() {
        let db = format!("sqlgen_verify_{}_{i}", std::process::id());
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .await
            .map_err(|e| format!("cannot create {db}: {e}"))?;
        let result = verify_schema(&base, &db, schema, packages, &root, &mut mismatches).await;
        let _ = admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .await;
        result?;
    }
    for m in &mismatches {
        println!("{}: {}", m.location, m.message);
    }
    Ok(mismatches.len())
}

async fn verify_schema(
    base: &tokio_postgres::Config,
    db: &str,
    schema: &[PathBuf],
    packages: &[&codegen::AnalyzedPackage],
    root: &std::path::Path,
    out: &mut Vec<Mismatch>,
) -> Result<(), String> {
    let mut config = base.clone();
    config.dbname(db);
    let client = connect(&config).await?;
    for path in schema {
        let files = codegen::syntax::migration::schema_files(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        for f in files {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| format!("cannot read {}: {e}", f.display()))?;
            let up = codegen::syntax::migration::up_sql(&text);
            client
                .batch_execute(&up)
                .await
                .map_err(|e| format!("migration {} failed: {}", f.display(), db_error(&e)))?;
        }
    }
    for p in packages {
        for file in &p.ir.files {
            let path = root.join(&file.path);
            for q in &file.queries {
                let location = format!("{}:{}", path.display(), q.line);
                for shape in q.statements() {
                    let name = match shape.label.as_str() {
                        "" => format!("query `{}`", q.name),
                        label => format!("query `{}` ({label})", q.name),
                    };
                    let mut say = |message: String| {
                        out.push(Mismatch {
                            location: location.clone(),
                            message: format!("{name}: {message}"),
                        })
                    };
                    check(&client, q, &shape, &mut say).await;
                }
            }
        }
    }
    Ok(())
}

/// Prepares one SQL text of a query and compares PostgreSQL's parameter and column types with ours.
async fn check(
    client: &tokio_postgres::Client,
    q: &codegen::ir::Query,
    shape: &codegen::ir::Statement<'_>,
    say: &mut impl FnMut(String),
) {
    let stmt = match client.prepare(shape.sql).await {
        Ok(s) => s,
        Err(e) => {
            say(format!("PostgreSQL rejects it: {}", db_error(&e)));
            return;
        }
    };
    if stmt.params().len() != shape.params.len() {
        say(format!(
            "sqlgen found {} parameters, PostgreSQL {}",
            shape.params.len(),
            stmt.params().len()
        ));
    }
    for (n, (ours, theirs)) in shape.params.iter().zip(stmt.params()).enumerate() {
        let expected = ours.server_name();
        if expected != theirs.name() {
            say(format!(
                "parameter ${} `{}`: sqlgen says {}, PostgreSQL says {}",
                n + 1,
                ours.name,
                ours.ty,
                shown(theirs)
            ));
        }
    }
    if stmt.columns().len() != q.columns.len() {
        say(format!(
            "sqlgen found {} columns, PostgreSQL {}",
            q.columns.len(),
            stmt.columns().len()
        ));
    }
    for (i, (ours, theirs)) in q.columns.iter().zip(stmt.columns()).enumerate() {
        if ours.ty.server_name() != theirs.type_().name() {
            say(format!(
                "column {} `{}`: sqlgen says {}, PostgreSQL says {}",
                i + 1,
                ours.name,
                ours.ty,
                shown(theirs.type_())
            ));
        }
        // `AS "name!"` and `AS "name?"` override nullability; the name is without the mark.
        let (their_name, _) = codegen::analyze::nullability::alias_override(theirs.name());
        if ours.name != their_name {
            say(format!(
                "column {}: sqlgen names it `{}`, PostgreSQL `{}`",
                i + 1,
                ours.name,
                theirs.name()
            ));
        }
    }
}

fn shown(t: &tokio_postgres::types::Type) -> String {
    match t.name().strip_prefix('_') {
        Some(elem) => format!("{elem}[]"),
        None => t.name().to_string(),
    }
}

fn db_error(e: &tokio_postgres::Error) -> String {
    e.as_db_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}
