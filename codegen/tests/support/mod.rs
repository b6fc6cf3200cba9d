//! What the snapshot tests share: a scratch project generated and rendered as one text.

use std::path::Path;

/// Generates the project whose `sqlgen.yaml` is in `work`, removes `work`, and returns the
/// rendered diagnostics followed by every file written (`// ==== out/x.rs ====`), with `work`'s
/// path (it holds the process id) stripped so that snapshots stay stable.
pub fn generate_and_render(work: &Path) -> String {
    let mut project = codegen::load(&work.join("sqlgen.yaml"));
    let generated = project.generate(None);
    let mut out = project.render_diagnostics();
    for pkg in &generated {
        for f in &pkg.files {
            let rel = pkg
                .out_dir
                .strip_prefix(work)
                .unwrap_or(&pkg.out_dir)
                .join(&f.name);
            out.push_str(&format!("// ==== {} ====\n{}\n", rel.display(), f.content));
        }
    }
    let _ = std::fs::remove_dir_all(work);
    out.replace(&format!("{}/", work.display()), "")
}
