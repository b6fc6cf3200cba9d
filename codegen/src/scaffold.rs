//! `sqlgen new-service`: adds a service crate to a sqlgen workspace in one step (crate, queries,
//! migration, `sqlgen.yaml` entry, workspace member, generated code), or changes nothing.

use std::path::{Path, PathBuf};

/// What to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewService {
    /// Crate and package name (`billing`, `api-keys`).
    pub name: String,
    /// Packages whose models the service uses (`shared`).
    pub uses: Vec<String>,
    /// Tables the service owns; created by a new migration unless the schema has them already.
    /// Empty means one table named after the service.
    pub tables: Vec<String>,
}

/// What was done, for the CLI to print.
#[derive(Debug, Default)]
pub struct Report {
    pub created: Vec<PathBuf>,
    pub edited: Vec<PathBuf>,
    /// Diagnostics of the generation that followed (warnings only; errors undo everything).
    pub warnings: String,
}

/// Why nothing was changed.
#[derive(Debug)]
pub enum Refusal {
    /// The request itself is wrong (a bad name, an existing service, not a sqlgen workspace).
    Invalid(String),
    /// The workspace, with the new service added, did not generate; everything was undone.
    Generation(String),
    Io(String),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Invalid(m) | Refusal::Io(m) => f.write_str(m),
            Refusal::Generation(m) => write!(
                f,
                "the new service did not generate, so nothing was changed:\n{m}"
            ),
        }
    }
}

/// One table of the new service.
struct TablePlan {
    name: String,
    /// The schema does not have it yet: the migration creates it.
    create: bool,
    /// Model struct name (`Invoice`).
    model: String,
    /// Upper camel case of the table name (`Invoices`), for list query names.
    plural: String,
}

/// A file to create: its path and its text.
type NewFile = (PathBuf, String);

/// What the new service is made of, once every check has passed.
struct ServicePlan {
    /// The crate name as a Rust identifier (`-` as `_`).
    crate_ident: String,
    tables: Vec<TablePlan>,
    /// The tables reference `organizations`, owned by a package the service uses.
    refs_org: bool,
    /// The migrations folder of the package whose schema the service reads.
    migrations_dir: PathBuf,
    service_dir: PathBuf,
}

/// Adds the service to the workspace at `root` (the folder of `sqlgen.yaml` and the workspace
/// `Cargo.toml`). Every check is made before anything is written; if generation then fails,
/// every file written is removed and every file edited is restored.
pub fn new_service(root: &Path, req: &NewService) -> Result<Report, Refusal> {
    let invalid = |m: String| Err(Refusal::Invalid(m));
    let config_path = root.join("sqlgen.yaml");
    let cargo_path = root.join("Cargo.toml");
    let cargo_text = std::fs::read_to_string(&cargo_path).unwrap_or_default();
    if !config_path.is_file() || !cargo_text.contains("[workspace]") {
        return invalid(format!(
            "`{}` is not a sqlgen workspace: it needs a `sqlgen.yaml` and a workspace `Cargo.toml`; run `sqlgen new-service` from the workspace root",
            root.display()
        ));
    }
    if let Err(why) = check_crate_name(&req.name) {
        return invalid(format!("`{}` is not a valid crate name: {why}", req.name));
    }
    let crate_ident = req.name.replace('-', "_");
    let project = crate::load(&config_path);
    if project.has_errors() {
        return invalid(format!(
            "the workspace does not generate as it is; fix these first:\n{}",
            project.render_diagnostics()
        ));
    }
    let cfg = project.config.as_ref().expect("no errors, so a config");
    let service_dir = root.join("services").join(&req.name);
    check_request(root, req, cfg, &cargo_text, &service_dir)?;
    // The schema of the new package: the one the used package reads, else the first package's.
    let template = req
        .uses
        .first()
        .and_then(|u| cfg.packages.iter().find(|p| &p.name == u))
        .or_else(|| cfg.packages.iter().find(|p| !p.rust.uses.is_empty()))
        .or(cfg.packages.first())
        .ok_or_else(|| {
            Refusal::Invalid("`sqlgen.yaml` has no packages to copy conventions from".into())
        })?;
    let migrations_dir = template
        .schema
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .ok_or_else(|| {
            Refusal::Invalid(format!(
                "package `{}` reads its schema from files, not a migrations folder; add the new tables by hand",
                template.name
            ))
        })?;
    let catalog_tables = schema_tables(&project, &template.name);
    let tables: Vec<String> = if req.tables.is_empty() {
        vec![crate_ident.clone()]
    } else {
        req.tables.clone()
    };
    let plans = table_plans(req, cfg, &tables, &catalog_tables)?;
    let refs_org = req.uses.iter().any(|u| {
        cfg.owner_of(&crate::config::owned_name("organizations"))
            .is_some_and(|o| &o.name == u)
    }) && catalog_tables.iter().any(|t| t == "organizations");
    let plan = ServicePlan {
        crate_ident,
        tables: plans,
        refs_org,
        migrations_dir,
        service_dir,
    };

    // Everything is known: build the new texts.
    let (files, unformatted) = service_files(root, req, &plan, &cargo_text)?;
    let config_text = std::fs::read_to_string(&config_path)
        .map_err(|e| Refusal::Io(format!("cannot read `{}`: {e}", config_path.display())))?;
    let new_config = config_entry(
        &config_text,
        cfg,
        template,
        req,
        &plan.crate_ident,
        &plan.tables,
    );
    let new_cargo = workspace_manifest(&cargo_text, &req.name);
    let edits = vec![
        (config_path.clone(), config_text, new_config),
        (cargo_path.clone(), cargo_text.clone(), new_cargo),
    ];
    write_and_generate(&config_path, &plan.service_dir, &files, &edits, unformatted)
}

/// The checks on the request against the workspace, before anything is written: no package,
/// folder or workspace member of that name yet, and every `--uses` a package with a `module_path`.
fn check_request(
    root: &Path,
    req: &NewService,
    cfg: &crate::config::Config,
    cargo_text: &str,
    service_dir: &Path,
) -> Result<(), Refusal> {
    let invalid = |m: String| Err(Refusal::Invalid(m));
    if cfg.packages.iter().any(|p| p.name == req.name) {
        return invalid(format!(
            "a package named `{}` is already in `sqlgen.yaml`",
            req.name
        ));
    }
    if service_dir.exists() {
        return invalid(format!("`{}` exists already", rel(root, service_dir)));
    }
    if members(cargo_text).iter().any(|m| {
        m.rsplit('/').next() == Some(req.name.as_str()) || m == &format!("services/{}", req.name)
    }) {
        return invalid(format!(
            "the workspace `Cargo.toml` already has a member named `{}`",
            req.name
        ));
    }
    for u in &req.uses {
        match cfg.packages.iter().find(|p| &p.name == u) {
            None => {
                let names: Vec<&str> = cfg.packages.iter().map(|p| p.name.as_str()).collect();
                let hint = crate::diagnostics::did_you_mean(u, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return invalid(format!("`--uses {u}`: no package named `{u}`{hint}"));
            }
            Some(p) if p.rust.module_path.is_none() => {
                return invalid(format!(
                    "`--uses {u}`: package `{u}` has no `module_path` in `sqlgen.yaml`, so its types cannot be named"
                ))
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The tables of the new service: lower-case SQL names, given once, owned by no package it does not
/// use; a table the schema does not have yet is created by a migration.
fn table_plans(
    req: &NewService,
    cfg: &crate::config::Config,
    tables: &[String],
    catalog_tables: &[String],
) -> Result<Vec<TablePlan>, Refusal> {
    let invalid = |m: String| Err(Refusal::Invalid(m));
    let mut plans = Vec::new();
    for t in tables {
        if !t
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            || !t.starts_with(|c: char| c.is_ascii_lowercase())
        {
            return invalid(format!(
                "`--table {t}`: use a lower-case SQL name (letters, digits, `_`)"
            ));
        }
        let exists = catalog_tables.iter().any(|n| n == t);
        if let Some(owner) = cfg.owner_of(&crate::config::owned_name(t)) {
            if !req.uses.contains(&owner.name) {
                return invalid(format!(
                    "table `{t}` is owned by package `{}`; add `--uses {}` to use it, or pick another table name",
                    owner.name, owner.name
                ));
            }
        }
        if plans.iter().any(|p: &TablePlan| &p.name == t) {
            return invalid(format!("`--table {t}` is given twice"));
        }
        plans.push(TablePlan {
            name: t.clone(),
            create: !exists,
            model: crate::emit::names::model_name(None, t),
            plural: crate::emit::names::type_name(t),
        });
    }
    Ok(plans)
}

/// The new files (migration, crate manifest, queries, library, repository, tests), the Rust ones
/// laid out by rustfmt when it is there; the second value says why they were not.
fn service_files(
    root: &Path,
    req: &NewService,
    plan: &ServicePlan,
    cargo_text: &str,
) -> Result<(Vec<NewFile>, Option<String>), Refusal> {
    let ServicePlan {
        crate_ident,
        tables: plans,
        refs_org,
        migrations_dir,
        service_dir,
    } = plan;
    let refs_org = *refs_org;
    let mut files: Vec<NewFile> = Vec::new();
    let to_create: Vec<&TablePlan> = plans.iter().filter(|p| p.create).collect();
    if !to_create.is_empty() {
        let name = next_migration_name(migrations_dir, crate_ident)
            .map_err(|e| Refusal::Io(format!("cannot read `{}`: {e}", migrations_dir.display())))?;
        files.push((
            migrations_dir.join(name),
            migration_text(&req.name, migrations_dir, &to_create, refs_org),
        ));
    }
    files.push((
        service_dir.join("Cargo.toml"),
        crate_manifest(&req.name, &req.uses, cargo_text),
    ));
    files.push((
        service_dir
            .join("queries")
            .join(format!("{crate_ident}.sql")),
        queries_text(&req.name, plans, refs_org),
    ));
    files.push((
        service_dir.join("src/lib.rs"),
        lib_text(&req.name, &req.uses),
    ));
    files.push((
        service_dir.join("src/repository.rs"),
        repository_text(plans, refs_org),
    ));
    files.push((
        service_dir.join("tests/repository.rs"),
        test_text(&req.name, crate_ident, plans, refs_org),
    ));
    // The templates are written readable, not to the column; rustfmt lays them out as `cargo fmt`
    // would, when it is there.
    let rust_files: Vec<usize> = (0..files.len())
        .filter(|&i| files[i].0.extension().is_some_and(|e| e == "rs"))
        // rustfmt would follow `lib.rs`'s `mod` lines into files that do not exist yet.
        .filter(|&i| !files[i].0.ends_with("src/lib.rs"))
        .collect();
    let mut rust: Vec<crate::emit::OutputFile> = rust_files
        .iter()
        .map(|&i| crate::emit::OutputFile {
            name: format!("scaffold_{i}.rs"),
            content: files[i].1.clone(),
        })
        .collect();
    let unformatted = crate::rustfmt::format_files(&mut rust, "2021", root);
    for (&i, f) in rust_files.iter().zip(rust) {
        files[i].1 = f.content;
    }
    Ok((files, unformatted))
}

/// Writes the new files and edits, generates the workspace, and undoes everything if generation
/// fails: files written are removed and files edited restored.
fn write_and_generate(
    config_path: &Path,
    service_dir: &Path,
    files: &[NewFile],
    edits: &[(PathBuf, String, String)],
    unformatted: Option<String>,
) -> Result<Report, Refusal> {
    let mut report = Report::default();
    let undo = |report: &Report| {
        for f in &report.created {
            let _ = std::fs::remove_file(f);
        }
        let _ = std::fs::remove_dir_all(service_dir);
        for (path, old, _) in edits {
            let _ = std::fs::write(path, old);
        }
    };
    let write_all = |report: &mut Report| -> std::io::Result<()> {
        for (path, text) in files {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(path, text)?;
            report.created.push(path.clone());
        }
        for (path, _, new) in edits {
            std::fs::write(path, new)?;
            report.edited.push(path.clone());
        }
        Ok(())
    };
    if let Err(e) = write_all(&mut report) {
        undo(&report);
        return Err(Refusal::Io(format!("cannot write the new service: {e}")));
    }
    let mut project = crate::load(config_path);
    let generated = project.generate(None);
    if project.has_errors() {
        let text = project.render_diagnostics();
        undo(&report);
        return Err(Refusal::Generation(text));
    }
    for pkg in &generated {
        match crate::write::write_package(pkg, false) {
            Ok(changes) => report.created.extend(changes.changed),
            Err(e) => {
                undo(&report);
                return Err(Refusal::Io(format!(
                    "cannot write `{}`: {e}",
                    pkg.out_dir.display()
                )));
            }
        }
    }
    report.warnings = project.render_diagnostics();
    if let Some(w) = unformatted {
        report.warnings.push_str(&format!("warning: {w}\n"));
    }
    report.created.sort();
    report.created.dedup();
    Ok(report)
}

/// Cargo's rules for a package name, plus lower case (the package name is also the `sqlgen.yaml`
/// package and the folder under `services/`).
fn check_crate_name(name: &str) -> Result<(), String> {
    const RESERVED: &[&str] = &[
        "test",
        "std",
        "core",
        "alloc",
        "proc_macro",
        "proc-macro",
        "self",
        "super",
        "crate",
        "build",
        "deps",
        "examples",
        "incremental",
        "shared_target",
    ];
    if name.is_empty() {
        return Err("it is empty".into());
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a lower-case letter".into());
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
    {
        return Err(format!(
            "`{c}` is not allowed (use lower-case letters, digits, `-` and `_`)"
        ));
    }
    let ident = name.replace('-', "_");
    if RESERVED.contains(&name) || crate::emit::names::ident(&ident) != ident {
        return Err("it is a reserved name or a Rust keyword".into());
    }
    Ok(())
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

/// The table names of the catalogue a package reads.
fn schema_tables(project: &crate::Project, package: &str) -> Vec<String> {
    project
        .catalog_of(package)
        .map(|c| c.tables.iter().map(|t| t.name.to_string()).collect())
        .unwrap_or_default()
}

/// `members = [ ... ]` of a workspace manifest, as written.
fn members(cargo: &str) -> Vec<String> {
    let Some(start) = cargo.find("members") else {
        return Vec::new();
    };
    let rest = &cargo[start..];
    let Some(open) = rest.find('[') else {
        return Vec::new();
    };
    let Some(close) = rest[open..].find(']') else {
        return Vec::new();
    };
    rest[open + 1..open + close]
        .split(',')
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

/// The workspace manifest with the service added to `members` (after the last `services/` one)
/// and to `[workspace.dependencies]`, so that a later service can depend on it.
fn workspace_manifest(cargo: &str, name: &str) -> String {
    let mut lines: Vec<String> = cargo.lines().map(str::to_string).collect();
    let in_members = |i: usize, lines: &[String]| {
        let before = lines[..i].iter().rposition(|l| l.contains("members"));
        let closed = before.map(|b| lines[b..i].iter().any(|l| l.contains(']')));
        before.is_some() && closed == Some(false)
    };
    let last_member = (0..lines.len())
        .filter(|&i| in_members(i, &lines) && lines[i].trim_start().starts_with('"'))
        .collect::<Vec<_>>();
    let after = last_member
        .iter()
        .copied()
        .rfind(|&i| lines[i].contains("\"services/"))
        .or(last_member.last().copied());
    if let Some(i) = after {
        let indent: String = lines[i].chars().take_while(|c| c.is_whitespace()).collect();
        lines.insert(i + 1, format!("{indent}\"services/{name}\","));
    } else if let Some(i) = lines.iter().position(|l| l.contains("members")) {
        lines[i] = lines[i].replacen('[', &format!("[\"services/{name}\", "), 1);
    }
    if let Some(dep) = lines
        .iter()
        .position(|l| l.trim() == "[workspace.dependencies]")
    {
        let end = lines[dep + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with('['))
            .map(|p| dep + 1 + p)
            .unwrap_or(lines.len());
        // After the last path dependency, where the workspace's own crates are listed.
        let at = lines[dep + 1..end]
            .iter()
            .rposition(|l| l.contains("path = \"services/"))
            .map(|p| dep + 2 + p)
            .unwrap_or(dep + 1);
        lines.insert(at, format!("{name} = {{ path = \"services/{name}\" }}"));
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The next migration file name: one more than the highest leading number, same width.
fn next_migration_name(dir: &Path, stem: &str) -> std::io::Result<String> {
    let mut best: Option<(u64, usize)> = None;
    for e in std::fs::read_dir(dir)? {
        let name = e?.file_name().to_string_lossy().into_owned();
        let digits: String = name.chars().take_while(|c| c.is_ascii_digit()).collect();
        if let Ok(n) = digits.parse::<u64>() {
            if best.is_none_or(|(b, _)| n > b) {
                best = Some((n, digits.len()));
            }
        }
    }
    let (n, width) = best.map(|(n, w)| (n + 1, w)).unwrap_or((1, 3));
    Ok(format!("{n:0width$}_{stem}.sql"))
}

/// Whether the folder's migrations are goose files (`-- +goose Up`), so the new one follows suit.
fn uses_goose(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("-- +goose Up")))
}

fn migration_text(service: &str, dir: &Path, tables: &[&TablePlan], refs_org: bool) -> String {
    let goose = uses_goose(dir);
    let mut out = String::new();
    if goose {
        out.push_str("-- +goose Up\n");
    }
    out.push_str(&format!("-- Tables of the `{service}` service.\n"));
    for t in tables {
        out.push_str(&format!("\nCREATE TABLE {} (\n", t.name));
        out.push_str("    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),\n");
        if refs_org {
            out.push_str(
                "    organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,\n",
            );
        }
        out.push_str("    name            text NOT NULL,\n");
        out.push_str("    created_at      timestamptz NOT NULL DEFAULT now(),\n");
        out.push_str("    updated_at      timestamptz NOT NULL DEFAULT now()\n");
        out.push_str(");\n");
        if refs_org {
            out.push_str(&format!(
                "\nCREATE INDEX {0}_organization_id_idx ON {0} (organization_id);\n",
                t.name
            ));
        }
    }
    if goose {
        out.push_str("\n-- +goose Down\n");
        for t in tables.iter().rev() {
            out.push_str(&format!("DROP TABLE {};\n", t.name));
        }
    }
    out
}

fn crate_manifest(name: &str, uses: &[String], workspace: &str) -> String {
    let inherited = |key: &str| {
        workspace.contains("[workspace.package]") && {
            let section = &workspace[workspace.find("[workspace.package]").unwrap_or(0)..];
            let end = section[1..]
                .find("\n[")
                .map(|e| e + 1)
                .unwrap_or(section.len());
            section[..end].lines().any(|l| {
                l.trim_start().starts_with(&format!("{key} "))
                    || l.trim_start().starts_with(&format!("{key}="))
            })
        }
    };
    let mut out = format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n");
    for key in ["edition", "rust-version", "license", "publish"] {
        if inherited(key) {
            out.push_str(&format!("{key}.workspace = true\n"));
        } else if key == "edition" {
            out.push_str("edition = \"2021\"\n");
        }
    }
    out.push_str("build = \"../../build.rs\"\n\n[dependencies]\n");
    for u in uses {
        out.push_str(&format!("{u}.workspace = true\n"));
    }
    out.push_str(
        "sqlgen-runtime.workspace = true\ntokio-postgres.workspace = true\npostgres-types.workspace = true\nuuid.workspace = true\ntime.workspace = true\nserde.workspace = true\nserde_json.workspace = true\nrust_decimal.workspace = true\n\n[build-dependencies]\ncodegen.workspace = true\n\n[dev-dependencies]\ntestsupport.workspace = true\ntokio.workspace = true\n",
    );
    out
}

fn queries_text(service: &str, tables: &[TablePlan], refs_org: bool) -> String {
    let mut out = format!(
        "-- Queries of the `{service}` service; `sqlgen generate` turns them into `src/db/`.\n"
    );
    for t in tables.iter().filter(|t| !t.create) {
        out.push_str(&format!(
            "\n-- `{t}` exists already; write the queries this service needs of it.\n-- name: List{p} :many\nSELECT * FROM {t}\nLIMIT $1 OFFSET $2;\n",
            p = t.plural,
            t = t.name,
        ));
    }
    for t in created(tables) {
        let (cols, vals) = if refs_org {
            ("organization_id, name", "$1, $2")
        } else {
            ("name", "$1")
        };
        out.push_str(&format!(
            "\n-- name: Create{m} :one\nINSERT INTO {t} ({cols}) VALUES ({vals}) RETURNING *;\n\n-- name: Get{m} :opt\nSELECT * FROM {t} WHERE id = $1;\n\n-- name: List{p} :many\nSELECT * FROM {t}\nORDER BY created_at, id\nLIMIT $1 OFFSET $2;\n\n-- name: Rename{m} :one\nUPDATE {t} SET name = $2, updated_at = now() WHERE id = $1 RETURNING *;\n\n-- name: Delete{m} :execrows\nDELETE FROM {t} WHERE id = $1;\n",
            m = t.model,
            p = t.plural,
            t = t.name,
        ));
        if refs_org {
            out.push_str(&format!(
                "\n-- The organization is `shared`'s model: this package imports it instead of generating a copy.\n-- name: Get{m}Organization :one\nSELECT o.* FROM organizations AS o\nJOIN {t} AS t ON t.organization_id = o.id\nWHERE t.id = $1;\n",
                m = t.model,
                t = t.name,
            ));
        }
    }
    out
}

/// Only tables the command creates get the starter queries; an existing table's columns are
/// unknown to the templates, so its queries are left to the user.
fn created(tables: &[TablePlan]) -> impl Iterator<Item = &TablePlan> {
    tables.iter().filter(|t| t.create)
}

fn lib_text(service: &str, uses: &[String]) -> String {
    let uses_line = if uses.is_empty() {
        String::new()
    } else {
        format!(
            "//! Models owned by {} are imported from there, not generated again.\n",
            uses.iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "//! The `{service}` service: its generated queries (`db`) and the repository over them.\n{uses_line}\npub mod db;\npub mod repository;\n"
    )
}

fn repository_text(tables: &[TablePlan], refs_org: bool) -> String {
    let uuid = if created(tables).next().is_some() {
        "use uuid::Uuid;\n"
    } else {
        ""
    };
    let mut out = format!(
        "//! Repositories over the generated `Queries`, on any client, transaction or pooled connection.\n\nuse sqlgen_runtime::{{Error, GenericClient}};\n{uuid}\nuse crate::db::models;\nuse crate::db::Queries;\n",
    );
    for t in tables.iter().filter(|t| !t.create) {
        let m = &t.model;
        let p = crate::emit::names::field(&t.plural);
        out.push_str(&format!(
            "
/// Rows of `{t}`, which this service reads, through the client it borrows.
#[derive(Debug)]
pub struct {m}Repository<'c, C> {{
    client: &'c C,
}}

impl<'c, C: GenericClient> {m}Repository<'c, C> {{
    pub fn new(client: &'c C) -> Self {{
        {m}Repository {{ client }}
    }}

    pub async fn list(&self, limit: i64, offset: i64) -> Result<Vec<models::{m}>, Error> {{
        self.client.list_{p}(limit, offset).await
    }}
}}
",
            t = t.name,
        ));
    }
    for t in created(tables) {
        let m = &t.model;
        let f = crate::emit::names::field(m);
        let p = crate::emit::names::field(&t.plural);
        let (params, args) = if refs_org {
            ("organization_id: Uuid, name: &str", "organization_id, name")
        } else {
            ("name: &str", "name")
        };
        out.push_str(&format!(
            "
/// Rows of `{t}`, through the client it borrows.
#[derive(Debug)]
pub struct {m}Repository<'c, C> {{
    client: &'c C,
}}

impl<'c, C: GenericClient> {m}Repository<'c, C> {{
    pub fn new(client: &'c C) -> Self {{
        {m}Repository {{ client }}
    }}

    pub async fn create(&self, {params}) -> Result<models::{m}, Error> {{
        self.client.create_{f}({args}).await
    }}

    pub async fn get(&self, id: Uuid) -> Result<Option<models::{m}>, Error> {{
        self.client.get_{f}(id).await
    }}

    /// Oldest first.
    pub async fn list(&self, limit: i64, offset: i64) -> Result<Vec<models::{m}>, Error> {{
        self.client.list_{p}(limit, offset).await
    }}

    pub async fn rename(&self, id: Uuid, name: &str) -> Result<models::{m}, Error> {{
        self.client.rename_{f}(id, name).await
    }}

    /// Whether there was such a row.
    pub async fn delete(&self, id: Uuid) -> Result<bool, Error> {{
        Ok(self.client.delete_{f}(id).await? == 1)
    }}
",
            t = t.name,
        ));
        if refs_org {
            out.push_str(&format!(
                "
    pub async fn organization(&self, id: Uuid) -> Result<models::Organization, Error> {{
        self.client.get_{f}_organization(id).await
    }}
"
            ));
        }
        out.push_str("}\n");
    }
    out
}

fn test_text(service: &str, crate_ident: &str, tables: &[TablePlan], refs_org: bool) -> String {
    let mut out = format!(
        "//! `{service}`'s repositories against a real PostgreSQL database built from the migrations.\n\nuse sqlgen_runtime::Client;\n"
    );
    for t in tables.iter().filter(|t| !t.create) {
        out.push_str(&format!(
            "
#[tokio::test]
async fn {snake}_can_be_listed() {{
    let db = testsupport::fresh_db().await;
    let client = Client::new(db.client().await);
    let repo = {crate_ident}::repository::{m}Repository::new(&client);
    assert!(repo.list(10, 0).await.unwrap().is_empty());
}}
",
            snake = crate::emit::names::field(&t.name),
            m = t.model,
        ));
    }
    for t in created(tables) {
        let m = &t.model;
        let snake = crate::emit::names::field(&t.name);
        let (setup, args, check) = if refs_org {
            (
                "    // The organization comes from `shared`'s table; `shared`'s crate owns its model.\n    let organization_id: uuid::Uuid = client\n        .query_one(\n            \"INSERT INTO organizations (slug, title) VALUES ('acme', 'Acme') RETURNING id\",\n            &[],\n        )\n        .await\n        .unwrap()\n        .get(0);\n",
                "organization_id, ",
                "    let organization: shared::db::models::Organization =\n        repo.organization(created.id).await.unwrap();\n    assert_eq!(organization.id, organization_id);\n    assert_eq!(created.organization_id, organization_id);\n"
                    .to_string(),
            )
        } else {
            ("", "", String::new())
        };
        out.push_str(&format!(
            "
#[tokio::test]
async fn {snake}_are_created_read_listed_renamed_and_deleted() {{
    let db = testsupport::fresh_db().await;
    let client = Client::new(db.client().await);
{setup}    let repo = {crate_ident}::repository::{m}Repository::new(&client);

    let first = repo.create({args}\"first\").await.unwrap();
    let created = repo.create({args}\"second\").await.unwrap();
    assert_eq!(created.name, \"second\");
    assert_eq!(repo.get(created.id).await.unwrap(), Some(created.clone()));
    let listed = repo.list(10, 0).await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(listed.contains(&first) && listed.contains(&created));
{check}
    let renamed = repo.rename(created.id, \"renamed\").await.unwrap();
    assert_eq!(renamed.name, \"renamed\");
    assert!(renamed.updated_at >= created.updated_at);

    assert!(repo.delete(created.id).await.unwrap());
    assert!(!repo.delete(created.id).await.unwrap());
    assert_eq!(repo.get(created.id).await.unwrap(), None);
}}
"
        ));
    }
    out
}

/// `sqlgen.yaml` with the new package appended in the layout of the existing entries; the text
/// before it, comments included, is kept as it was.
fn config_entry(
    text: &str,
    cfg: &crate::config::Config,
    template: &crate::config::Package,
    req: &NewService,
    crate_ident: &str,
    tables: &[TablePlan],
) -> String {
    let item_indent = text
        .lines()
        .find(|l| l.trim_start().starts_with("- name:") || l.trim_start().starts_with("- engine:"))
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(2);
    let pad = " ".repeat(item_indent);
    let rel_path = |p: &Path| {
        p.strip_prefix(&cfg.root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let schema: Vec<String> = template.schema.iter().map(|p| rel_path(p)).collect();
    let schema = if schema.len() == 1 {
        schema[0].clone()
    } else {
        format!("[{}]", schema.join(", "))
    };
    let o = &template.rust;
    let mut entry = format!(
        "{pad}- name: {name}\n{pad}  engine: postgresql\n{pad}  schema: {schema}\n{pad}  queries: services/{name}/queries\n{pad}  gen:\n{pad}    rust:\n{pad}      out: services/{name}/src/db\n{pad}      module_path: {crate_ident}::db\n",
        name = req.name
    );
    if !req.uses.is_empty() {
        entry.push_str(&format!("{pad}      uses: [{}]\n", req.uses.join(", ")));
    }
    let owned: Vec<&str> = tables
        .iter()
        .filter(|t| cfg.owner_of(&crate::config::owned_name(&t.name)).is_none())
        .map(|t| t.name.as_str())
        .collect();
    if cfg.uses_ownership() && !owned.is_empty() {
        entry.push_str(&format!("{pad}      owns: [{}]\n", owned.join(", ")));
    }
    if o.emit_json_tags {
        entry.push_str(&format!("{pad}      emit_json_tags: true\n"));
        let style = match o.json_tags_case_style {
            crate::config::CaseStyle::Camel => Some("camel"),
            crate::config::CaseStyle::Pascal => Some("pascal"),
            crate::config::CaseStyle::Snake => Some("snake"),
            crate::config::CaseStyle::None => None,
        };
        if let Some(s) = style {
            entry.push_str(&format!("{pad}      json_tags_case_style: {s}\n"));
        }
    }
    if o.omit_unused_structs {
        entry.push_str(&format!("{pad}      omit_unused_structs: true\n"));
    }
    if o.time_crate == crate::config::TimeCrate::Chrono {
        entry.push_str(&format!("{pad}      time_crate: chrono\n"));
    }
    if o.domain_newtypes {
        entry.push_str(&format!("{pad}      domain_newtypes: true\n"));
    }
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&entry);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_follow_cargo() {
        assert!(check_crate_name("billing").is_ok());
        assert!(check_crate_name("api-keys2").is_ok());
        assert!(check_crate_name("Billing").is_err());
        assert!(check_crate_name("1billing").is_err());
        assert!(check_crate_name("bill ing").is_err());
        assert!(check_crate_name("fn").is_err());
        assert!(check_crate_name("test").is_err());
        assert!(check_crate_name("").is_err());
    }

    #[test]
    fn members_and_dependencies_are_added_in_place() {
        let cargo = "[workspace]\nresolver = \"2\"\nmembers = [\n    \"codegen\",\n    \"services/shared\",\n    \"services/apivote\",\n    \"services/testsupport\",\n]\n\n[workspace.dependencies]\ncodegen = { path = \"codegen\" }\nshared = { path = \"services/shared\" }\ntokio = \"1\"\n";
        let out = workspace_manifest(cargo, "billing");
        assert_eq!(
            out,
            "[workspace]\nresolver = \"2\"\nmembers = [\n    \"codegen\",\n    \"services/shared\",\n    \"services/apivote\",\n    \"services/testsupport\",\n    \"services/billing\",\n]\n\n[workspace.dependencies]\ncodegen = { path = \"codegen\" }\nshared = { path = \"services/shared\" }\nbilling = { path = \"services/billing\" }\ntokio = \"1\"\n"
        );
        assert_eq!(members(&out).len(), 5);
    }

    #[test]
    fn migrations_are_numbered_after_the_last_one() {
        let dir = std::env::temp_dir().join(format!("sqlgen-scaffold-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["001_a.sql", "009_b.sql", "010_c.sql", "README.md"] {
            std::fs::write(dir.join(f), "").unwrap();
        }
        assert_eq!(next_migration_name(&dir, "x").unwrap(), "011_x.sql");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
