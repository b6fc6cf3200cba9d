//! Text-level reading of migration statements sqlparser does not read: enough of their words to
//! name what they create, to tell whether they shape the schema, or to parse them without a clause
//! the parser refuses. Nothing here decides a type.

use crate::ir::QualName;

/// Whether a statement (that did not parse) would shape the schema: a table or type definition,
/// read from its first words.
pub fn shapes_schema(stmt: &str) -> bool {
    let words: Vec<String> = stmt
        .split_whitespace()
        .take(4)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    matches!(
        words
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["create", "table", ..]
            | ["create", "unlogged", "table", ..]
            | ["alter", "table", ..]
            | ["create", "type", ..]
            | ["alter", "type", ..]
            | ["drop", "table", ..]
            | ["drop", "type", ..]
    )
}

/// The relation a `CREATE [OR REPLACE] [UNLOGGED|TEMP|MATERIALIZED] TABLE|VIEW [IF NOT EXISTS]
/// name` statement would define, read from its text when it does not parse.
pub fn created_relation(stmt: &str) -> Option<QualName> {
    let mut words = stmt
        .split(|c: char| c.is_whitespace() || c == '(')
        .filter(|w| !w.is_empty());
    if !words.next()?.eq_ignore_ascii_case("create") {
        return None;
    }
    const BEFORE_NAME: [&str; 10] = [
        "or",
        "replace",
        "unlogged",
        "temp",
        "temporary",
        "materialized",
        "recursive",
        "if",
        "not",
        "exists",
    ];
    let mut seen_kind = false;
    for w in words {
        let lower = w.to_ascii_lowercase();
        if lower == "table" || lower == "view" {
            seen_kind = true;
        } else if BEFORE_NAME.contains(&lower.as_str()) {
            continue;
        } else if seen_kind {
            let parts: Vec<String> = w
                .split('.')
                .map(
                    |p| match p.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
                        Some(quoted) => quoted.to_string(),
                        None => p.to_ascii_lowercase(),
                    },
                )
                .collect();
            return match parts.as_slice() {
                [name] => Some(QualName::new(None, name.clone())),
                [schema, name] => Some(QualName::new(Some(schema.clone()), name.clone())),
                _ => None,
            };
        } else {
            return None;
        }
    }
    None
}

/// `CREATE DOMAIN ... NOT NULL ...` with `NOT NULL` (and a bare `NULL`) blanked out, which the parser
/// cannot read; positions are kept. `None` when the statement is not a domain definition.
pub fn domain_without_not_null(stmt: &str) -> Option<(String, bool)> {
    let lower = stmt.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().take(2).collect();
    if words != ["create", "domain"] {
        return None;
    }
    let mut out = stmt.to_string();
    let mut not_null = false;
    for (pat, marks) in [(" not null", true), (" null", false)] {
        while let Some(i) = out.to_ascii_lowercase().find(pat) {
            let end = i + pat.len();
            if out[end..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                break;
            }
            out.replace_range(i..end, &" ".repeat(pat.len()));
            not_null |= marks;
        }
    }
    (out != stmt).then_some((out, not_null))
}
