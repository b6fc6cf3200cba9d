//! Linking a package's analysis to the rest of the config: the models it generates (tables used as
//! rows, the types its queries mention), its `owns` list and `overrides` resolved against its
//! schema, its query files' modules checked, and, across packages, one owner per model
//! (`owns`/`uses`): what another package owns becomes an import, anything else an error.

use crate::diagnostics::{self, Code, Diagnostic};
use crate::project::{query_span, AnalyzedPackage};
use crate::source::{display_path, SourceMap};
use crate::{catalog, config, emit, ir, source};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A package's `ir` from its analysed query files: the models it generates (nothing another
/// package owns, when the config uses ownership) and its resolved overrides; `imported` is filled
/// by [`assign_owners`] once every package is linked.
pub(crate) fn package_ir(
    cfg: &config::Config,
    pkg: &config::Package,
    cat: &catalog::Catalog,
    sources: &SourceMap,
    files: Vec<ir::QueryFile>,
    diags: &mut Vec<Diagnostic>,
) -> ir::Package {
    let owned = resolve_owned(cfg, pkg, cat, sources, diags);
    // With ownership in use, a table owned by another package is never generated here, and
    // the types its columns use are that package's business too.
    let foreign = |t: &ir::QualName| {
        cfg.uses_ownership() && cfg.owner_of(t).is_some_and(|o| o.name != pkg.name)
    };
    let (models, enums, composites, domains) =
        select_models(cat, &files, pkg.rust.omit_unused_structs, &owned, &foreign);
    ir::Package {
        name: pkg.name.clone(),
        files,
        models,
        enums,
        composites,
        domains,
        imported: Vec::new(),
        overrides: resolve_overrides(cfg, pkg, cat, sources, diags),
    }
}

/// Checks the module `emit` makes of a query file (`emit::names::query_module`): a name that gives
/// none, or a module an earlier file of the package (`modules`) has, is an error located at the
/// file, as nothing else in the package is written there: two query files never share a module or
/// a file.
pub(crate) fn check_query_module(
    cfg: &config::Config,
    pkg: &config::Package,
    sources: &SourceMap,
    path: &Path,
    modules: &mut Vec<(String, PathBuf)>,
    diags: &mut Vec<Diagnostic>,
) {
    let shown = display_path(&cfg.root, path);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let at = |p: &Path| sources.find(p).map(|id| source::Span::point(id, 1, 1));
    let error = |message: String| {
        let d = Diagnostic::error(Code::QueryFileName, message);
        match at(path) {
            Some(span) => d.label(
                span,
                format!("`{file_name}` names the module of these queries"),
            ),
            None => d.at(cfg.key_span(sources, pkg.index, "queries")),
        }
    };
    let module = match emit::names::query_module(&stem, &pkg.rust) {
        Ok(m) => m,
        Err(problem) => {
            let d = match problem {
                emit::names::ModuleNameProblem::NotAscii(c) => error(format!(
                    "query file name `{shown}` is not ASCII: `{c}` cannot be in its module's name"
                ))
                .note("Rust loads a module with a non-ASCII name only through `#[path]`, and file systems store such names in different Unicode forms"),
                emit::names::ModuleNameProblem::Empty => error(format!(
                    "query file name `{shown}` has no letter or digit to name its module"
                )),
            };
            diags.push(d.help(
                "rename the file with ASCII letters, digits, `_` and `-`: its name, in snake case, is the module's and the generated file's",
            ));
            return;
        }
    };
    match modules.iter().find(|(m, _)| *m == module) {
        Some((_, first)) if first == path => diags.push(
            Diagnostic::error(
                Code::QueryFileName,
                format!(
                    "query file `{shown}` is read twice in package `{}`",
                    pkg.name
                ),
            )
            .label(
                cfg.key_span(sources, pkg.index, "queries"),
                "named more than once here",
            )
            .help("list each file or folder once in `queries`"),
        ),
        Some((_, first)) => {
            let first_shown = display_path(&cfg.root, first);
            let file = format!("{module}{}.rs", pkg.rust.output_files_suffix);
            let mut d = error(format!(
                "query files `{first_shown}` and `{shown}` would both be module `{module}` (`{file}`)"
            ));
            if let Some(span) = at(first) {
                d = d.secondary(
                    span,
                    format!("`{first_shown}` is module `{module}` already"),
                );
            }
            diags.push(d.help(
                "rename one of them: file names that differ only in case or punctuation make one module, and one file on case-insensitive file systems",
            ));
        }
        None => {}
    }
    modules.push((module, path.to_path_buf()));
}

/// The models a package emits: tables used as whole rows (or all with `omit_unused_structs: false`),
/// and the enums any of its types mention.
fn select_models(
    cat: &catalog::Catalog,
    files: &[ir::QueryFile],
    omit_unused: bool,
    owned: &[ir::QualName],
    foreign: &dyn Fn(&ir::QualName) -> bool,
) -> (
    Vec<ir::Model>,
    Vec<ir::Enum>,
    Vec<ir::Composite>,
    Vec<ir::Domain>,
) {
    let queries: Vec<&ir::Query> = files.iter().flat_map(|f| f.queries.iter()).collect();
    // Tables some query returns as a whole row or embeds.
    let rows: BTreeSet<&ir::QualName> = queries
        .iter()
        .flat_map(|q| {
            q.row_model.iter().chain(
                q.columns
                    .iter()
                    .filter_map(|c| c.embed.as_ref().map(|e| &e.table)),
            )
        })
        .collect();
    let tables: Vec<&catalog::Table> = cat
        .tables
        .iter()
        .filter(|t| t.kind.has_model())
        .filter(|t| !foreign(&t.name))
        .filter(|t| !omit_unused || owned.contains(&t.name) || rows.contains(&t.name))
        .collect();
    let used = used_types(cat, &queries, &tables, owned, foreign);
    let enums = cat
        .enums
        .iter()
        .filter(|e| !omit_unused || used.contains(&e.name))
        .map(|e| ir::Enum {
            name: e.name.clone(),
            values: e.values.clone(),
            comment: e.comment.clone(),
        })
        .collect();
    let models: Vec<ir::Model> = tables.into_iter().map(model).collect();
    let composites = cat
        .composites
        .iter()
        .filter(|c| !omit_unused || used.contains(&c.name))
        .map(composite)
        .collect();
    // `used` holds the domains of arrays of domains.
    let mut used_domains: BTreeSet<&ir::QualName> = owned.iter().chain(&used).collect();
    for q in &queries {
        used_domains.extend(q.params.iter().filter_map(|p| p.domain.as_ref()));
        used_domains.extend(
            local_columns(q, foreign)
                .into_iter()
                .filter_map(|c| c.domain.as_ref()),
        );
    }
    for m in &models {
        used_domains.extend(m.fields.iter().filter_map(|f| f.domain.as_ref()));
    }
    let domains = cat
        .domains
        .iter()
        .filter(|d| !omit_unused || used_domains.contains(&d.name))
        .map(|d| ir::Domain {
            name: d.name.clone(),
            base: d.base.clone(),
        })
        .collect();
    (models, enums, composites, domains)
}

/// The enums and composites a package's types mention anywhere (owned types, parameters, local
/// columns, the selected tables' columns), following composites into their fields.
fn used_types(
    cat: &catalog::Catalog,
    queries: &[&ir::Query],
    tables: &[&catalog::Table],
    owned: &[ir::QualName],
    foreign: &dyn Fn(&ir::QualName) -> bool,
) -> BTreeSet<ir::QualName> {
    let mut used: BTreeSet<ir::QualName> = BTreeSet::new();
    let owned_types: Vec<ir::PgType> = owned
        .iter()
        .filter_map(|name| {
            if cat.enum_type(name).is_some() {
                Some(ir::PgType::Enum(name.clone()))
            } else if cat.composites.iter().any(|c| &c.name == name) {
                Some(ir::PgType::Composite(name.clone()))
            } else {
                None
            }
        })
        .collect();
    let mut pending: Vec<&ir::PgType> = owned_types.iter().collect();
    for q in queries {
        pending.extend(q.params.iter().map(|p| &p.ty));
        pending.extend(local_columns(q, foreign).into_iter().map(|c| &c.ty));
    }
    for t in tables {
        pending.extend(t.columns.iter().map(|c| &c.ty));
    }
    while let Some(mut t) = pending.pop() {
        while let ir::PgType::Array(inner) = t {
            t = inner;
        }
        // An array of a domain uses the domain, and whatever type its base uses.
        if let ir::PgType::Domain(q, base) = t {
            used.insert(q.clone());
            pending.push(base);
            continue;
        }
        if let ir::PgType::Enum(q) | ir::PgType::Composite(q) = t {
            if !used.contains(q) {
                used.insert(q.clone());
                if let Some(c) = cat.composites.iter().find(|c| &c.name == q) {
                    pending.extend(c.fields.iter().map(|f| &f.1));
                }
            }
        }
    }
    used
}

/// A query's columns typed in this package: none when its row is another package's model, and
/// not those inside another package's embedded model.
fn local_columns<'q>(
    q: &'q ir::Query,
    foreign: &dyn Fn(&ir::QualName) -> bool,
) -> Vec<&'q ir::Column> {
    if q.row_model.as_ref().is_some_and(foreign) {
        return Vec::new();
    }
    q.columns
        .iter()
        .filter(|c| !c.embed.as_ref().is_some_and(|e| foreign(&e.table)))
        .collect()
}

/// A table's or view's model.
fn model(t: &catalog::Table) -> ir::Model {
    ir::Model {
        table: t.name.clone(),
        is_view: t.kind != catalog::RelKind::Table,
        comment: t.comment.clone(),
        fields: t
            .columns
            .iter()
            .map(|c| ir::Field {
                name: c.name.clone(),
                ty: c.ty.clone(),
                nullable: !c.not_null,
                comment: c.comment.clone(),
                domain: c.domain.clone(),
            })
            .collect(),
    }
}

/// A composite type's struct; its fields may always be NULL.
fn composite(c: &catalog::CompositeType) -> ir::Composite {
    ir::Composite {
        name: c.name.clone(),
        comment: c.comment.clone(),
        fields: c
            .fields
            .iter()
            .map(|(n, t)| ir::Field {
                name: n.clone(),
                ty: t.clone(),
                nullable: true,
                comment: None,
                domain: None,
            })
            .collect(),
    }
}

/// The catalogue names of a package's `owns` list; a name the schema does not define is an error.
fn resolve_owned(
    cfg: &config::Config,
    pkg: &config::Package,
    cat: &catalog::Catalog,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ir::QualName> {
    let mut out = Vec::new();
    for written in &pkg.rust.owns {
        let name = config::owned_name(written);
        let known = cat.table(&name).is_some_and(|t| t.kind.has_model())
            || cat.enum_type(&name).is_some()
            || cat.composites.iter().any(|c| c.name == name)
            || cat.domains.iter().any(|d| d.name == name);
        if known {
            out.push(name);
            continue;
        }
        let span = cfg.item_span(sources, pkg.index, "owns", written);
        let candidates: Vec<String> = cat
            .tables
            .iter()
            .filter(|t| t.kind.has_model())
            .map(|t| t.name.to_string())
            .chain(cat.enums.iter().map(|e| e.name.to_string()))
            .chain(cat.composites.iter().map(|c| c.name.to_string()))
            .chain(cat.domains.iter().map(|d| d.name.to_string()))
            .collect();
        let mut d = Diagnostic::error(
            diagnostics::Code::Ownership,
            format!(
                "package `{}` owns `{written}`, which the schema does not define",
                pkg.name
            ),
        )
        .label(span, "no table, view or type of this name");
        if let Some(s) = diagnostics::did_you_mean(written, candidates.iter().map(String::as_str)) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    }
    out
}

/// The package's `overrides` against its schema: every spelling of a type is one key; a type, domain
/// or column the schema does not have is an error located in the config.
fn resolve_overrides(
    cfg: &config::Config,
    pkg: &config::Package,
    cat: &catalog::Catalog,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ir::TypeOverride> {
    let mut out = Vec::new();
    let span_of = |written: &str| cfg.item_span(sources, pkg.index, "overrides", written);
    for o in &pkg.rust.overrides {
        let target = match (&o.db_type, &o.column) {
            (Some(db_type), None) => type_target(cat, db_type, span_of(db_type)),
            (None, Some(column)) => column_target(cat, column, span_of(column)),
            _ => Err(Diagnostic::error(
                Code::ConfigValue,
                "an override names exactly one of `db_type` and `column`",
            )
            .at(span_of(&o.rust_type.path))),
        };
        match target {
            Ok(target) => out.push(ir::TypeOverride {
                target,
                rust_type: o.rust_type.path.clone(),
                borrowed: o.rust_type.borrowed.clone(),
                nullable: o.nullable,
            }),
            Err(d) => diags.push(d),
        }
    }
    out
}

/// An override's `db_type`: a domain of the schema by its name, else any spelling of a PostgreSQL
/// type or of one of the schema's enums and composites; `at` is where the config writes it.
fn type_target(
    cat: &catalog::Catalog,
    db_type: &str,
    at: source::Span,
) -> Result<ir::OverrideTarget, Diagnostic> {
    let domain = catalog::types::parse_qualified(db_type.trim())
        .and_then(|q| cat.domain(&q).map(|d| d.name.clone()));
    let resolved = catalog::types::resolve(db_type, &|q| {
        cat.enum_type(q)
            .map(|e| ir::PgType::Enum(e.name.clone()))
            .or_else(|| {
                cat.composites
                    .iter()
                    .find(|c| c.name == *q)
                    .map(|c| ir::PgType::Composite(c.name.clone()))
            })
    });
    match (domain, resolved) {
        (Some(d), _) => Ok(ir::OverrideTarget::Domain(d)),
        (None, Some(catalog::types::Resolved::Type(t)))
        | (None, Some(catalog::types::Resolved::Serial(t))) => Ok(ir::OverrideTarget::Type(t)),
        (None, None) => {
            let mut d = Diagnostic::error(Code::ConfigValue, format!(
                "override names type `{db_type}`, which is neither a PostgreSQL type nor one of the schema"
            ))
            .label(at, "unknown type");
            let names: Vec<String> = catalog::types::BUILTIN_NAMES
                .iter()
                .map(|s| s.to_string())
                .chain(cat.enums.iter().map(|e| e.name.to_string()))
                .chain(cat.domains.iter().map(|d| d.name.to_string()))
                .collect();
            if let Some(s) = diagnostics::did_you_mean(db_type, names.iter().map(String::as_str)) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            Err(d)
        }
    }
}

/// An override's `column` (`table.column` or `schema.table.column`, `*` matching any run of
/// characters), which must match some column of the schema; `at` is where the config writes it.
fn column_target(
    cat: &catalog::Catalog,
    column: &str,
    at: source::Span,
) -> Result<ir::OverrideTarget, Diagnostic> {
    let parts: Vec<&str> = column.split('.').collect();
    let (schema, table, col) = match parts.as_slice() {
        [t, c] => (None, *t, *c),
        [s, t, c] => (Some(s.to_string()), *t, *c),
        _ => {
            return Err(Diagnostic::error(
                Code::ConfigValue,
                format!(
                    "override column `{column}` is not `table.column` or `schema.table.column`"
                ),
            )
            .at(at));
        }
    };
    let target = ir::OverrideTarget::Column {
        schema,
        table: table.to_string(),
        column: col.to_string(),
    };
    let probe = ir::TypeOverride {
        target: target.clone(),
        rust_type: String::new(),
        borrowed: None,
        nullable: None,
    };
    let exists = cat.tables.iter().any(|t| {
        t.columns
            .iter()
            .any(|c| probe.applies(&c.ty, None, Some((&t.name, &c.name)), false))
    });
    if !exists {
        let names: Vec<String> = cat
            .tables
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .map(move |c| format!("{}.{}", t.name, c.name))
            })
            .collect();
        let help = match diagnostics::did_you_mean(column, names.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => {
                "write `table.column` or `schema.table.column`; `*` matches any run of characters"
                    .to_string()
            }
        };
        return Err(Diagnostic::error(
            Code::ConfigValue,
            format!("override column `{column}` matches no column of the schema"),
        )
        .label(at, "no such table and column")
        .help(help));
    }
    Ok(target)
}

/// Gives every model one owner when the config uses ownership (a package has `owns` or `uses`):
/// a package generates what it owns and what no other package needs; a model owned by a package
/// it uses is imported from that package's `module_path`; anything else is an error. Without
/// ownership each package generates what its queries use, as sqlc does.
pub(crate) fn assign_owners(
    cfg: &config::Config,
    packages: &mut [AnalyzedPackage],
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    if !cfg.uses_ownership() {
        return;
    }
    // Models no package owns, with the packages that generate them and a query that needs each.
    let mut unowned: BTreeMap<ir::QualName, Vec<(String, Option<source::Span>)>> = BTreeMap::new();
    for p in packages.iter_mut() {
        let me = p.config.clone();
        let foreign = |t: &ir::QualName| cfg.owner_of(t).is_some_and(|o| o.name != me.name);
        let needed = needed_models(p);
        let mut imported = Vec::new();
        let mut drop: Vec<ir::QualName> = Vec::new();
        // Owners this package would need but does not use, with what it needs of each.
        let mut not_used: Vec<(String, Vec<ir::QualName>, Option<source::Span>)> = Vec::new();
        for (name, kind) in needed {
            match cfg.owner_of(&name) {
                Some(o) if o.name == me.name => {}
                Some(o) if me.rust.uses.contains(&o.name) => {
                    drop.push(name.clone());
                    let Some(path) = o.rust.module_path.clone() else {
                        continue; // reported by the config check
                    };
                    imported.push(ir::Import {
                        name: name.clone(),
                        kind,
                        module_path: path,
                        owner_naming: ir::OwnerNaming {
                            rename: o.rust.rename.clone(),
                            emit_exact_table_names: o.rust.emit_exact_table_names,
                            inflection_exclude_table_names: o
                                .rust
                                .inflection_exclude_table_names
                                .clone(),
                        },
                    });
                }
                Some(o) => {
                    let span =
                        needing_query(p, &name, &foreign).and_then(|q| query_span(sources, p, &q));
                    match not_used.iter_mut().find(|(owner, _, _)| *owner == o.name) {
                        Some((_, names, _)) => names.push(name.clone()),
                        None => not_used.push((o.name.clone(), vec![name.clone()], span)),
                    }
                    drop.push(name);
                }
                None => {
                    let span =
                        needing_query(p, &name, &foreign).and_then(|q| query_span(sources, p, &q));
                    unowned
                        .entry(name)
                        .or_default()
                        .push((me.name.clone(), span));
                }
            }
        }
        for (owner, names, span) in not_used {
            diags.push(not_used_error(cfg, sources, &me, &owner, &names, span));
        }
        let ir = &mut p.ir;
        ir.models.retain(|m| !drop.contains(&m.table));
        ir.enums.retain(|e| !drop.contains(&e.name));
        ir.composites.retain(|c| !drop.contains(&c.name));
        ir.domains.retain(|d| !drop.contains(&d.name));
        ir.imported.extend(imported);
    }
    for (name, users) in unowned {
        if users.len() >= 2 {
            diags.push(unowned_error(&name, &users));
        }
    }
}

/// What a package would generate: the tables its queries return as a whole row or embed, its
/// models, and every type it defines (domains only as newtypes).
fn needed_models(p: &AnalyzedPackage) -> Vec<(ir::QualName, ir::ImportKind)> {
    let mut needed: Vec<(ir::QualName, ir::ImportKind)> = Vec::new();
    for q in p.ir.files.iter().flat_map(|f| &f.queries) {
        let tables = q.row_model.iter().chain(
            q.columns
                .iter()
                .filter_map(|c| c.embed.as_ref().map(|e| &e.table)),
        );
        for t in tables {
            if !needed.iter().any(|(n, _)| n == t) {
                needed.push((t.clone(), ir::ImportKind::Model));
            }
        }
    }
    for m in &p.ir.models {
        if !needed.iter().any(|(n, _)| *n == m.table) {
            needed.push((m.table.clone(), ir::ImportKind::Model));
        }
    }
    needed.extend(
        p.ir.enums
            .iter()
            .map(|e| (e.name.clone(), ir::ImportKind::Type)),
    );
    needed.extend(
        p.ir.composites
            .iter()
            .map(|c| (c.name.clone(), ir::ImportKind::Type)),
    );
    if p.config.rust.domain_newtypes {
        needed.extend(
            p.ir.domains
                .iter()
                .map(|d| (d.name.clone(), ir::ImportKind::Type)),
        );
    }
    needed
}

/// A package needs models of an owner it does not `use`.
fn not_used_error(
    cfg: &config::Config,
    sources: &SourceMap,
    me: &config::Package,
    owner: &str,
    names: &[ir::QualName],
    span: Option<source::Span>,
) -> Diagnostic {
    let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let mut d = Diagnostic::error(
        diagnostics::Code::Ownership,
        format!(
            "package `{}` needs {}, owned by package `{owner}`, which it does not use",
            me.name,
            list.join(", ")
        ),
    );
    d = match span {
        Some(s) => d.label(s, format!("needs `{}`", names[0])),
        None => d.at(cfg.key_span(sources, me.index, "uses")),
    };
    d.help(format!(
        "add `uses: [{owner}]` to the `gen.rust` options of `{}` (and `{owner}` to its crate's dependencies)",
        me.name
    ))
}

/// Two or more packages would generate a model no package owns.
fn unowned_error(name: &ir::QualName, users: &[(String, Option<source::Span>)]) -> Diagnostic {
    let names: Vec<String> = users.iter().map(|(p, _)| format!("`{p}`")).collect();
    let mut d = Diagnostic::error(
        diagnostics::Code::Ownership,
        format!(
            "`{name}` would be generated by {} packages ({}) but no package owns it",
            users.len(),
            names.join(", ")
        ),
    );
    let mut located = users.iter().filter_map(|(p, s)| s.map(|s| (p, s)));
    if let Some((p, s)) = located.next() {
        d = d.label(s, format!("needed by `{p}` here"));
    }
    for (p, s) in located {
        d = d.secondary(s, format!("needed by `{p}` here"));
    }
    d.help(format!(
        "add `{name}` to `owns` of one package, and that package to `uses` of the others"
    ))
}

/// The first query of a package that returns or takes `name` (as a row, an embed or a type).
/// Columns of a row owned elsewhere (`foreign`) do not count: that row's owner types them.
fn needing_query(
    p: &AnalyzedPackage,
    name: &ir::QualName,
    foreign: &dyn Fn(&ir::QualName) -> bool,
) -> Option<String> {
    let mentions = |ty: &ir::PgType| {
        let mut t = ty;
        while let ir::PgType::Array(inner) = t {
            t = inner;
        }
        matches!(t, ir::PgType::Enum(q) | ir::PgType::Composite(q) | ir::PgType::Domain(q, _) if q == name)
    };
    p.ir.files.iter().flat_map(|f| &f.queries).find_map(|q| {
        let row_elsewhere = q.row_model.as_ref().is_some_and(foreign);
        let hit = q.row_model.as_ref() == Some(name)
            || q.columns
                .iter()
                .any(|c| c.embed.as_ref().is_some_and(|e| &e.table == name))
            || (!row_elsewhere
                && q.columns.iter().any(|c| {
                    !c.embed.as_ref().is_some_and(|e| foreign(&e.table))
                        && (mentions(&c.ty) || c.domain.as_ref() == Some(name))
                }))
            || q.params
                .iter()
                .any(|p| mentions(&p.ty) || p.domain.as_ref() == Some(name));
        hit.then(|| q.name.clone())
    })
}
