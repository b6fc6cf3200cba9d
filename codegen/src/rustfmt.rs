//! rustfmt for `sqlgen new-service`'s templates: hand-written service code (repository, tests)
//! that the user owns from then on, laid out as `cargo fmt` would. Generated code never goes
//! through rustfmt (it is printed by prettyplease, see `emit::print`).

use crate::emit::OutputFile;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The rustfmt config `cargo fmt` would apply in `dir` (which may not exist yet), if any.
fn config_for(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .flat_map(|d| [d.join("rustfmt.toml"), d.join(".rustfmt.toml")])
        .find(|p| p.is_file())
}

/// Formats every file of a package with one run of the toolchain's rustfmt (`$RUSTFMT` or `rustfmt`
/// on `PATH`), with the `rustfmt.toml` that `cargo fmt` applies in the output folder.
/// The files go through a private scratch folder, never the output folder, which is written only
/// by `write`. Without rustfmt the text is kept as printed and a warning message is returned.
pub fn format_files(files: &mut [OutputFile], edition: &str, dir: &Path) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let program = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_string());
    // The output folder may not exist yet; its nearest existing ancestor has the same config.
    let config_dir = dir
        .ancestors()
        .find(|d| d.is_dir())
        .unwrap_or(Path::new("."));
    let scratch = Scratch::new();
    match run(&program, edition, config_dir, &scratch.0, files) {
        Ok(formatted) => {
            for (f, content) in files.iter_mut().zip(formatted) {
                f.content = content;
            }
            None
        }
        Err(e) => Some(format!(
            "rustfmt could not format the generated code ({e}); it is left laid out as rustfmt's defaults would lay it out"
        )),
    }
}

fn run(
    program: &str,
    edition: &str,
    config_dir: &Path,
    scratch: &Path,
    files: &[OutputFile],
) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(scratch)?;
    let paths: Vec<PathBuf> = files.iter().map(|f| scratch.join(&f.name)).collect();
    for (f, p) in files.iter().zip(&paths) {
        std::fs::write(p, &f.content)?;
    }
    let mut cmd = Command::new(program);
    cmd.args(["--edition", edition, "--quiet"]);
    // The config cargo fmt would use for the output folder, if the project has one.
    if let Some(c) = config_for(config_dir) {
        cmd.arg("--config-path").arg(c);
    }
    let out = cmd.args(&paths).output()?;
    if !out.status.success() {
        return Err(std::io::Error::other(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    paths.iter().map(std::fs::read_to_string).collect()
}

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        Scratch(std::env::temp_dir().join(format!("sqlgen-rustfmt-{}-{n}", std::process::id())))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
