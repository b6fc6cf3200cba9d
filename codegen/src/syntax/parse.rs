//! The sqlparser front door: parses one statement's text and turns parser errors into located diagnostics.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Pos, Span};
pub use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// Parses `text`, which is padded so that positions equal file positions.
pub fn parse(file: FileId, text: &str) -> Result<Vec<ast::Statement>, Diagnostic> {
    Parser::parse_sql(&PostgreSqlDialect {}, text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg
            .strip_prefix("sql parser error: ")
            .unwrap_or(&msg)
            .to_string();
        let (msg, pos) = match msg.rfind(" at Line: ") {
            Some(i) => {
                let loc = &msg[i + " at Line: ".len()..];
                let mut parts = loc.split(", Column: ");
                let line = parts.next().and_then(|l| l.trim().parse().ok());
                let col = parts.next().and_then(|c| c.trim().parse().ok());
                (msg[..i].to_string(), line.zip(col))
            }
            None => (msg, None),
        };
        let mut d = Diagnostic::error(Code::Syntax, format!("syntax error: {}", lower_first(&msg)));
        let (line, col) = pos.unwrap_or_else(|| last_pos(text));
        d = d.at(Span::new(
            file,
            Pos { line, col },
            Pos { line, col: col + 1 },
        ));
        d
    })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Position just after the last non-blank character (where "unexpected end of input" points).
fn last_pos(text: &str) -> (u32, u32) {
    let t = text.trim_end();
    let line = t.matches('\n').count() as u32 + 1;
    let col = t
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0) as u32
        + 1;
    (line, col)
}

/// Converts a sqlparser span (1-based line/column, 0 when unknown) to ours.
pub fn span(file: FileId, s: sqlparser::tokenizer::Span) -> Option<Span> {
    (s.start.line > 0).then(|| {
        Span::new(
            file,
            Pos {
                line: s.start.line as u32,
                col: s.start.column as u32,
            },
            Pos {
                line: s.end.line as u32,
                col: s.end.column as u32,
            },
        )
    })
}

/// An identifier as PostgreSQL folds it: unquoted lower-cased, quoted kept.
pub fn ident(i: &ast::Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

/// The identifier parts of a name, folded.
pub fn name_parts(n: &ast::ObjectName) -> Vec<String> {
    n.0.iter()
        .map(|p| match p.as_ident() {
            Some(i) => ident(i),
            None => p.to_string(),
        })
        .collect()
}

/// A possibly schema-qualified object name.
pub fn qual_name(n: &ast::ObjectName) -> crate::ir::QualName {
    let mut parts = name_parts(n);
    let name = parts.pop().unwrap_or_default();
    crate::ir::QualName::new(parts.pop(), name)
}

/// The span of a whole name.
pub fn name_span(file: FileId, n: &ast::ObjectName) -> Option<Span> {
    use sqlparser::ast::Spanned;
    span(file, n.span())
}
