//! Fuzz target: a schema and a query file through the query analyser.
//! The input is the schema text, a NUL byte, then the query text (no NUL: an empty schema).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (schema, queries) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&data[..0], data),
    };
    let (Ok(schema), Ok(queries)) = (std::str::from_utf8(schema), std::str::from_utf8(queries))
    else {
        return;
    };
    // Either analysed queries or rendered diagnostics; a panic is the bug.
    let _ = codegen::analyze_text(schema, queries);
});
