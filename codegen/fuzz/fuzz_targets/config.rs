//! Fuzz target: `sqlgen.yaml` text through the config loader, and every diagnostic rendered.
#![no_main]

use std::path::Path;

use codegen::source::SourceMap;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Only valid UTF-8 reaches the loader: a non-UTF-8 file is rejected when it is read.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::default();
    // A folder that does not exist: relative `schema`/`queries` paths are only checked for existence.
    let path = Path::new("/nonexistent-sqlgen-fuzz/sqlgen.yaml");
    if let Err(diags) = codegen::config::load_str(path, text.to_owned(), &mut sources) {
        assert!(!diags.is_empty(), "a rejected config has a diagnostic");
        let _ = codegen::diagnostics::render_all(&diags, &sources);
    }
});
