//! Fuzz target: migration text through the migration front end (up section) and the catalog builder.
#![no_main]

use codegen::source::{SourceFile, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceMap::default();
    let file = sources.add(SourceFile::new(
        "schema.sql".into(),
        "schema.sql".into(),
        codegen::syntax::migration::up_sql(text),
    ));
    let mut diags = Vec::new();
    let _catalog = codegen::load::build_catalog(&[file], &sources, &mut diags);
    let _ = codegen::diagnostics::render_all(&diags, &sources);
});
