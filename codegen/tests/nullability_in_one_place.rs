//! ARCHITECTURE.md's invariant: a nullability decision is made in `analyze/nullability.rs` or
//! with the values it returns. Outside it, the analysis never writes a literal `true`/`false`
//! as a value's nullability, nor combines nullabilities by hand; this test reads the sources for
//! the forms such a decision takes.

/// Forms of a nullability decided by hand: a struct field, and combinations of several.
const FORMS: &[&str] = &[
    "not_null: true",
    "not_null: false",
    ".all(|n| *n)",
    ".any(|n| *n)",
    "nn &=",
    "nn |=",
];

/// The lines of `text` (the file `name`) that decide a nullability by hand.
fn inline_decisions(name: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        // `Typed::new(ty, <literal>)`; other calls with a boolean last argument are not about NULLs.
        let typed_literal =
            code.contains("Typed::new(") && (code.contains(", true)") || code.contains(", false)"));
        if typed_literal || FORMS.iter().any(|f| code.contains(f)) {
            found.push(format!("analyze/{name}:{}: {}", i + 1, line.trim()));
        }
    }
    found
}

#[test]
fn the_analysis_decides_nullability_only_in_nullability_rs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analyze");
    let mut found = Vec::new();
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "nullability.rs" || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        read += 1;
        found.extend(inline_decisions(
            &name,
            &std::fs::read_to_string(&path).unwrap(),
        ));
    }
    assert!(read >= 5, "only {read} files read in {}", dir.display());
    assert!(
        found.is_empty(),
        "nullability decided outside nullability.rs:\n{}",
        found.join("\n")
    );
}

#[test]
fn decisions_by_hand_are_found_and_calls_into_nullability_are_not() {
    let text = "let t = Typed::new(PgType::Bool, true);\n\
                RelColumn { not_null: false, ..c }\n\
                let nn = args.iter().all(|n| *n);\n\
                let t = Typed::new(ty, nullability::form_not_null(Form::Test));\n\
                f(x, true) // a call about something else\n";
    let found = inline_decisions("x.rs", text);
    assert_eq!(
        found,
        [
            "analyze/x.rs:1: let t = Typed::new(PgType::Bool, true);",
            "analyze/x.rs:2: RelColumn { not_null: false, ..c }",
            "analyze/x.rs:3: let nn = args.iter().all(|n| *n);",
        ]
    );
}
