//! The `sqlgen` command line: a thin front end over the library.

mod verify;

use clap::{Parser, Subcommand};
use codegen::diagnostics::{Code, Diagnostic};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit codes: success (warnings allowed), diagnostics, usage or IO.
const EXIT_DIAGNOSTICS: u8 = 1;
const EXIT_USAGE_OR_IO: u8 = 2;

#[derive(Parser)]
#[command(
    name = "sqlgen",
    version,
    about = "Typed Rust from PostgreSQL migrations and annotated queries"
)]
struct Cli {
    /// Path of the config file: a `sqlgen.yaml`, or sqlc's `sqlc.yaml`/`sqlc.yml`/`sqlc.json`
    /// (default: `sqlgen.yaml`, else the first sqlc config found in the current folder).
    #[arg(long, short = 'f', visible_alias = "file", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the code of every package (or one), writing only files that change.
    Generate {
        #[arg(long)]
        package: Option<String>,
        /// Fail (exit 1) when there are warnings, writing nothing.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Write nothing; exit 1 and list stale files when committed code differs from what would be generated.
    Check {
        #[arg(long)]
        package: Option<String>,
        /// Fail (exit 1) when there are warnings.
        #[arg(long)]
        deny_warnings: bool,
    },
    /// Print the analysis of every query as JSON.
    Describe,
    /// Start a project in the current folder: `sqlgen.yaml`, a first migration and a first query file.
    Init,
    /// Prepare every query on a scratch database built from the migrations (needs DATABASE_URL)
    /// and compare PostgreSQL's parameter and column types with the analysis.
    Verify {
        #[arg(long)]
        package: Option<String>,
    },
    /// Add a service crate to this workspace: services/NAME (crate, queries, repository, test),
    /// the next migration, its sqlgen.yaml entry and workspace membership; then generate.
    NewService {
        /// Crate and package name.
        name: String,
        /// A package whose models the service reuses (repeatable), e.g. `--uses shared`.
        #[arg(long = "uses")]
        uses: Vec<String>,
        /// A table the service owns (repeatable); created by the migration unless it exists.
        /// Default: one table named after the service.
        #[arg(long = "table")]
        tables: Vec<String>,
    },
}

/// The generator allocates many small strings (tokens, names, lines of output) on two threads:
/// mimalloc takes about a quarter off the CLI's CPU time on a large project against glibc's
/// allocator (BENCHMARKS.md). Only the CLI sets it; build scripts keep the default allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // clap exits 2 on usage errors by itself.
    let cli = Cli::parse();
    if let Command::Init = cli.command {
        return init();
    }
    let config = match cli.config {
        Some(c) => c,
        None => default_config(),
    };
    if let Command::NewService { name, uses, tables } = &cli.command {
        if codegen::config::sqlc::is_sqlc_config(&config) {
            eprintln!(
                "error: `sqlgen new-service` adds to a `sqlgen.yaml`, not to sqlc's `{}`",
                config.display()
            );
            return ExitCode::from(EXIT_USAGE_OR_IO);
        }
        return new_service(&config, name, uses, tables);
    }
    if !config.is_file() {
        eprintln!(
            "error: cannot read config `{}`: no such file",
            config.display()
        );
        if !config.exists() && config == Path::new("sqlgen.yaml") {
            eprintln!(
                "  = help: run `sqlgen init` to start a project here, or pass `--file sqlc.yaml`"
            );
        }
        return ExitCode::from(EXIT_USAGE_OR_IO);
    }
    let start = std::time::Instant::now();
    let mut project = codegen::load(&config);
    codegen::timings::print("load", start.elapsed());
    let code = command(cli.command, &config, &mut project);
    codegen::timings::print_peak_memory("whole run");
    code
}

/// Runs a command that needs the loaded project.
fn command(command: Command, config: &Path, project: &mut codegen::Project) -> ExitCode {
    match command {
        Command::Init => unreachable!("handled above"),
        Command::Describe => {
            let doc = codegen::describe::document(project);
            println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
            report(&project.diagnostics, &project.sources);
            let schema_failed = project.config.is_none()
                || project.packages.iter().any(|p| !p.schema_errors.is_empty());
            ExitCode::from(if schema_failed { 1 } else { 0 })
        }
        Command::Generate { ref package, .. }
        | Command::Check { ref package, .. }
        | Command::Verify { ref package }
            if package
                .as_deref()
                .is_some_and(|p| project.package(p).is_none()) =>
        {
            eprintln!(
                "error: no package named `{}` in `{}`",
                package.as_deref().unwrap_or_default(),
                config.display()
            );
            ExitCode::from(EXIT_USAGE_OR_IO)
        }
        Command::Verify { package } => {
            report(&project.diagnostics, &project.sources);
            if project.has_errors() {
                return ExitCode::from(failure_code(&project.diagnostics));
            }
            let Ok(url) = std::env::var("DATABASE_URL") else {
                eprintln!("error: `sqlgen verify` needs DATABASE_URL (a server where it may create a scratch database)");
                return ExitCode::from(EXIT_USAGE_OR_IO);
            };
            match verify::run(project, &url, package.as_deref()) {
                Ok(0) => {
                    let n: usize = project
                        .packages
                        .iter()
                        .filter(|p| package.as_deref().is_none_or(|n| n == p.config.name))
                        .flat_map(|p| &p.ir.files)
                        .map(|f| f.queries.len())
                        .sum();
                    let queries = if n == 1 { "query" } else { "queries" };
                    println!("verified {n} {queries}: PostgreSQL agrees on every parameter and column type");
                    ExitCode::SUCCESS
                }
                Ok(n) => {
                    eprintln!("error: {n} disagreement(s) with PostgreSQL");
                    ExitCode::from(EXIT_DIAGNOSTICS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(EXIT_USAGE_OR_IO)
                }
            }
        }
        Command::NewService { .. } => unreachable!("handled before loading"),
        Command::Generate {
            package,
            deny_warnings,
        } => run(project, package.as_deref(), false, deny_warnings),
        Command::Check {
            package,
            deny_warnings,
        } => run(project, package.as_deref(), true, deny_warnings),
    }
}

/// `sqlgen.yaml` in the current folder, else the first of sqlc's config names that exists.
fn default_config() -> PathBuf {
    let sqlgen = PathBuf::from("sqlgen.yaml");
    if sqlgen.is_file() {
        return sqlgen;
    }
    codegen::config::sqlc::FILE_NAMES
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or(sqlgen)
}

fn init() -> ExitCode {
    match codegen::init::write_starter(Path::new(".")) {
        Ok(written) => {
            for p in &written {
                println!("created {}", p.display());
            }
            println!();
            println!("next:");
            for step in codegen::init::NEXT_STEPS {
                println!("  {step}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE_OR_IO)
        }
    }
}

/// Prints diagnostics to stderr, in colour when it is a terminal.
fn report(diagnostics: &[Diagnostic], sources: &codegen::source::SourceMap) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = codegen::diagnostics::render_all_styled(diagnostics, sources, color);
    if !text.is_empty() {
        eprint!("{text}");
    }
}

/// 2 when an input could not be read at all, 1 for every other error.
fn failure_code(diagnostics: &[Diagnostic]) -> u8 {
    if diagnostics
        .iter()
        .any(|d| d.is_error() && d.code == Code::Io)
    {
        EXIT_USAGE_OR_IO
    } else {
        EXIT_DIAGNOSTICS
    }
}

fn run(
    project: &mut codegen::Project,
    package: Option<&str>,
    check: bool,
    deny_warnings: bool,
) -> ExitCode {
    let start = std::time::Instant::now();
    let generated = project.generate(package);
    codegen::timings::print("emission", start.elapsed());
    codegen::emit::print::print_timings();
    // With --package, only that package's problems count.
    let mut diagnostics: Vec<Diagnostic> = match package {
        Some(p) => project.diagnostics_of(p).into_iter().cloned().collect(),
        None => project.diagnostics.clone(),
    };
    if deny_warnings {
        for d in &mut diagnostics {
            if !d.is_error() {
                d.severity = codegen::diagnostics::Severity::Error;
                d.notes
                    .push("warnings are errors (`--deny-warnings`)".into());
            }
        }
    }
    report(&diagnostics, &project.sources);
    if diagnostics.iter().any(|d| d.is_error()) {
        return ExitCode::from(failure_code(&diagnostics));
    }
    // Every package's files are checked before any is written: a run writes all or nothing.
    let foreign: Vec<std::path::PathBuf> = generated
        .iter()
        .flat_map(codegen::write::foreign_files)
        .collect();
    if !foreign.is_empty() {
        for path in &foreign {
            eprintln!(
                "error: `{}` was not generated by sqlgen; not overwriting it (move it or choose another `out`)",
                path.display()
            );
        }
        return ExitCode::from(EXIT_DIAGNOSTICS);
    }
    let mut stale = 0;
    let start = std::time::Instant::now();
    let written = codegen::write::write_packages(&generated, check);
    for (pkg, changes) in generated.iter().zip(written) {
        let changes = match changes {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: cannot write `{}`: {e}", pkg.out_dir.display());
                return ExitCode::from(EXIT_USAGE_OR_IO);
            }
        };
        for p in &changes.changed {
            println!("{} {}", if check { "stale" } else { "wrote" }, p.display());
        }
        for p in &changes.removed {
            println!(
                "{} {}",
                if check {
                    "stale (no longer generated)"
                } else {
                    "removed"
                },
                p.display()
            );
        }
        if check && !changes.is_empty() {
            print!("{}", changes.diff);
            stale += 1;
        }
    }
    codegen::timings::print("writing", start.elapsed());
    if stale > 0 {
        eprintln!("error: generated code of {stale} package(s) is stale; run `sqlgen generate` and commit the result");
        return ExitCode::from(EXIT_DIAGNOSTICS);
    }
    if check {
        println!(
            "generated code is up to date ({} package(s))",
            generated.len()
        );
    }
    ExitCode::SUCCESS
}

fn new_service(
    config: &std::path::Path,
    name: &str,
    uses: &[String],
    tables: &[String],
) -> ExitCode {
    let root = match config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let req = codegen::scaffold::NewService {
        name: name.to_string(),
        uses: uses.to_vec(),
        tables: tables.to_vec(),
    };
    match codegen::scaffold::new_service(&root, &req) {
        Ok(report) => {
            if !report.warnings.is_empty() {
                eprint!("{}", report.warnings);
            }
            for p in &report.created {
                println!("created {}", p.strip_prefix(&root).unwrap_or(p).display());
            }
            for p in &report.edited {
                println!("edited  {}", p.strip_prefix(&root).unwrap_or(p).display());
            }
            println!("\nnext:\n  cargo test -p {name}\n  edit services/{name}/queries/*.sql, then `sqlgen generate` (or just `cargo build`)");
            ExitCode::SUCCESS
        }
        Err(refusal) => {
            eprintln!("error: {refusal}");
            ExitCode::from(match refusal {
                codegen::scaffold::Refusal::Generation(_) => 1,
                _ => 2,
            })
        }
    }
}
