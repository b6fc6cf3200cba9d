//! The build.rs entry point: regenerate one package when its SQL changed, with every
//! `rerun-if-changed` cargo needs, and a check-only mode for CI.

use std::path::{Path, PathBuf};

/// How a build script runs the generator; build with [`Builder::new`] and the `with_*` methods.
#[derive(Debug, Clone)]
pub struct Builder {
    config: PathBuf,
    package: String,
    check: bool,
}

impl Builder {
    /// For the package named `package` in the `sqlgen.yaml` at `config`.
    pub fn new(config: impl Into<PathBuf>, package: impl Into<String>) -> Self {
        let check = std::env::var_os("CI")
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
            || std::env::var("SQLGEN_CHECK").is_ok_and(|v| v == "1");
        Builder {
            config: config.into(),
            package: package.into(),
            check,
        }
    }

    /// Only compare, never write (the default when `CI` or `SQLGEN_CHECK=1` is set).
    pub fn with_check(mut self, check: bool) -> Self {
        self.check = check;
        self
    }

    /// Runs the generator, printing cargo directives; returns the lines of an error report on failure.
    pub fn run(&self) -> Result<(), Vec<String>> {
        println!("cargo::rerun-if-changed={}", self.config.display());
        println!("cargo::rerun-if-env-changed=SQLGEN_CHECK");
        println!("cargo::rerun-if-env-changed=CI");
        let mut project = crate::load(&self.config);
        if let Some(cfg) = &project.config {
            match cfg.packages.iter().find(|p| p.name == self.package) {
                Some(pkg) => {
                    // Watch the folders too, so that a new or deleted file triggers a rerun.
                    for p in pkg.schema.iter().chain(&pkg.queries) {
                        println!("cargo::rerun-if-changed={}", p.display());
                    }
                    for dep in &pkg.rust.uses {
                        if let Some(d) = cfg.packages.iter().find(|p| &p.name == dep) {
                            for p in &d.queries {
                                println!("cargo::rerun-if-changed={}", p.display());
                            }
                        }
                    }
                }
                None => {
                    return Err(vec![format!(
                        "error: package `{}` is not in `{}`",
                        self.package,
                        self.config.display()
                    )])
                }
            }
        }
        if let Some(pkg) = project
            .packages
            .iter()
            .find(|p| p.config.name == self.package)
        {
            for f in &pkg.inputs {
                println!("cargo::rerun-if-changed={}", f.display());
            }
        }
        let generated = project.generate(Some(&self.package));
        // Only this package's problems: another service's broken query must not fail this build.
        let own: Vec<crate::diagnostics::Diagnostic> = project
            .diagnostics_of(&self.package)
            .into_iter()
            .cloned()
            .collect();
        if own.iter().any(|d| d.is_error()) {
            let report = crate::diagnostics::render_all(&own, &project.sources);
            return Err(report.lines().map(str::to_string).collect());
        }
        for d in &own {
            for line in d.render(&project.sources).lines() {
                println!("cargo::warning={line}");
            }
        }
        for pkg in &generated {
            let changes = crate::write::write_package(pkg, self.check)
                .map_err(|e| vec![format!("error: cannot write generated code: {e}")])?;
            if self.check && !changes.is_empty() {
                let mut lines = vec![format!(
                    "error: generated code of package `{}` is stale; run `cargo run -p codegen -- generate` and commit the result",
                    pkg.name
                )];
                lines.extend(
                    changes
                        .changed
                        .iter()
                        .map(|p| format!("  changed: {}", p.display())),
                );
                lines.extend(
                    changes
                        .removed
                        .iter()
                        .map(|p| format!("  removed: {}", p.display())),
                );
                lines.extend(changes.diff.lines().map(str::to_string));
                return Err(lines);
            }
        }
        Ok(())
    }
}

/// The whole build script of a service crate: finds `sqlgen.yaml` above the crate and generates
/// the package named like the crate. Errors become `cargo::error=` lines.
pub fn run_build_script() {
    let manifest = PathBuf::from(
        std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by cargo"),
    );
    let package = std::env::var("CARGO_PKG_NAME").expect("CARGO_PKG_NAME is set by cargo");
    let Some(config) = find_config(&manifest) else {
        println!(
            "cargo::error=sqlgen: no sqlgen.yaml (or sqlc.yaml, sqlc.yml, sqlc.json) in {} or any parent folder",
            manifest.display()
        );
        return;
    };
    // The shared build script lives next to sqlgen.yaml by convention; cargo watches nothing it is not
    // told about once any rerun-if-changed is printed, so name it too.
    if let Some(script) = config
        .parent()
        .map(|d| d.join("build.rs"))
        .filter(|p| p.is_file())
    {
        println!("cargo::rerun-if-changed={}", script.display());
    }
    if let Err(lines) = Builder::new(config, package).run() {
        for line in lines {
            println!("cargo::error={line}");
        }
    }
}

/// The nearest `sqlgen.yaml`, or sqlc's config (`sqlc.yaml`, `sqlc.yml`, `sqlc.json`) in the same
/// folder when there is no `sqlgen.yaml`.
fn find_config(start: &Path) -> Option<PathBuf> {
    start.ancestors().find_map(|d| {
        std::iter::once("sqlgen.yaml")
            .chain(crate::config::sqlc::FILE_NAMES.iter().copied())
            .map(|name| d.join(name))
            .find(|p| p.is_file())
    })
}
