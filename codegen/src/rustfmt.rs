//! The last formatting pass: generated code goes through `rustfmt` so that it is exactly what
//! `cargo fmt` would leave, and committed output never churns under `cargo fmt --check`.

use crate::emit::OutputFile;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Formats every file with the toolchain's rustfmt (`$RUSTFMT` or `rustfmt` on `PATH`), run in the
/// output folder so that it reads the same `rustfmt.toml` that `cargo fmt` applies to those files.
/// Without rustfmt the prettyplease output is kept and a warning message is returned.
pub fn format_files(files: &mut [OutputFile], edition: &str, dir: &Path) -> Option<String> {
    let program = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_string());
    // The output folder may not exist yet; its nearest existing ancestor holds the same config.
    let cwd = dir
        .ancestors()
        .find(|d| d.is_dir())
        .unwrap_or(Path::new("."));
    for f in files.iter_mut() {
        match run(&program, edition, &f.content, cwd) {
            Ok(formatted) => f.content = formatted,
            Err(e) => return Some(format!("rustfmt could not format the generated code ({e}); it is left as prettyplease printed it")),
        }
    }
    None
}

fn run(program: &str, edition: &str, input: &str, cwd: &Path) -> std::io::Result<String> {
    let mut child = Command::new(program)
        .current_dir(cwd)
        .args(["--edition", edition, "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let text = input.to_string();
    // Write on a thread so a large file cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let out = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| std::io::Error::other("writer thread panicked"))??;
    if !out.status.success() {
        return Err(std::io::Error::other(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    String::from_utf8(out.stdout).map_err(std::io::Error::other)
}
