//! The sqlparser front door: parses one statement's text and turns parser errors into located diagnostics.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{FileId, Pos, Span};
pub use sqlparser::ast;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Span as TokenSpan, TokenWithSpan, Tokenizer};

/// The deepest expression nesting accepted, as estimated by [`nesting_depth`]. Analysis recurses once
/// per level with frames that are large in unoptimised builds; `parallel::with_analysis_stack` gives it a
/// stack that holds this depth with room to spare.
pub const MAX_DEPTH: usize = 1000;

/// The longest statement parsed, in bytes: the parser holds every token of a statement at once, about
/// ten times its text, so one huge statement must not take memory without bound.
pub const MAX_STATEMENT: usize = 4 << 20;

/// Parses `text`, a statement that starts at `origin` in its file, so that spans are file positions.
pub fn parse(file: FileId, text: &str, origin: Pos) -> Result<Vec<ast::Statement>, Diagnostic> {
    if text.len() > MAX_STATEMENT {
        return Err(Diagnostic::error(
            Code::TooLarge,
            format!(
                "statement of {} bytes is longer than the {} MiB sqlgen reads",
                text.len(),
                MAX_STATEMENT >> 20
            ),
        )
        .at(Span::new(
            file,
            origin,
            Pos {
                line: origin.line,
                col: origin.col + 1,
            },
        ))
        .help("split it into several statements"));
    }
    let dialect = PostgreSqlDialect {};
    let line_shift = u64::from(origin.line.max(1) - 1);
    let col_shift = u64::from(origin.col.max(1) - 1);
    let shift = |mut l: Location| {
        if l.line > 0 {
            if l.line == 1 {
                l.column += col_shift;
            }
            l.line += line_shift;
        }
        l
    };
    let mut tokens = Vec::new();
    let tokenized = Tokenizer::new(&dialect, text).tokenize_with_location_into_buf_with_mapper(
        &mut tokens,
        |mut t: TokenWithSpan| {
            t.span = TokenSpan::new(shift(t.span.start), shift(t.span.end));
            t
        },
    );
    if let Err(e) = tokenized {
        let at = shift(e.location);
        return Err(syntax_error(
            file,
            &e.message,
            Some((at.line as u32, at.column as u32)),
            text,
            origin,
        ));
    }
    if let Some(at) = nesting_depth(&tokens) {
        return Err(Diagnostic::error(
            Code::TooDeep,
            format!("expression nested more than {MAX_DEPTH} levels deep"),
        )
        .at(Span::new(
            file,
            Pos {
                line: at.line as u32,
                col: at.column as u32,
            },
            Pos {
                line: at.line as u32,
                col: at.column as u32 + 1,
            },
        ))
        .help("split the expression, or use `IN (...)` / `= ANY($1)` instead of long chains of operators"));
    }
    crate::syntax::rewrite::rewrite(&mut tokens);
    if tokens.iter().all(|t| {
        matches!(
            t.token,
            sqlparser::tokenizer::Token::EOF | sqlparser::tokenizer::Token::Whitespace(_)
        )
    }) {
        // A statement a rewrite found to decide nothing (ALTER TABLE ... SET STORAGE only).
        return Ok(Vec::new());
    }
    Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| {
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
            syntax_error(file, &msg, pos, text, origin)
        })
}

/// Whether a statement is an anonymous code block, `DO [LANGUAGE l] $$ ... $$ [LANGUAGE l]`.
pub fn is_do_block(text: &str) -> bool {
    let code = crate::syntax::scan::pieces(text)
        .into_iter()
        .find(|(p, s, e)| {
            *p == crate::syntax::scan::Piece::Code && !text[*s..*e].trim().is_empty()
        });
    code.is_some_and(|(_, s, e)| {
        let first = text[s..e].split_whitespace().next().unwrap_or("");
        first.eq_ignore_ascii_case("do")
    })
}

fn syntax_error(
    file: FileId,
    msg: &str,
    pos: Option<(u32, u32)>,
    text: &str,
    origin: Pos,
) -> Diagnostic {
    let (line, col) = pos.unwrap_or_else(|| {
        let (l, c) = last_pos(text);
        if l == 1 {
            (origin.line, origin.col + c - 1)
        } else {
            (origin.line + l - 1, c)
        }
    });
    Diagnostic::error(Code::Syntax, format!("syntax error: {}", lower_first(msg))).at(Span::new(
        file,
        Pos { line, col },
        Pos { line, col: col + 1 },
    ))
}

/// Where the estimated expression depth first passes [`MAX_DEPTH`], if it does.
///
/// The parser limits recursion (parentheses, subqueries, prefix operators) itself, but reads chains of
/// binary operators in a loop, building trees as deep as the chain is long. This counts, iteratively,
/// the operators since the last comma at every level of brackets: never less than the real depth.
fn nesting_depth(tokens: &[TokenWithSpan]) -> Option<Location> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::Token;
    let mut levels: Vec<usize> = vec![0];
    let mut total = 0usize;
    for t in tokens {
        match &t.token {
            Token::LParen | Token::LBracket | Token::LBrace => levels.push(0),
            Token::RParen | Token::RBracket | Token::RBrace => {
                if levels.len() > 1 {
                    total -= levels.pop().unwrap_or(0);
                }
            }
            Token::Comma | Token::SemiColon => {
                let last = levels.last_mut().expect("one level at least");
                total -= *last;
                *last = 0;
            }
            Token::Word(w)
                if !matches!(
                    w.keyword,
                    Keyword::AND
                        | Keyword::OR
                        | Keyword::XOR
                        | Keyword::NOT
                        | Keyword::IS
                        | Keyword::IN
                        | Keyword::LIKE
                        | Keyword::ILIKE
                        | Keyword::SIMILAR
                        | Keyword::BETWEEN
                        | Keyword::AT
                        | Keyword::COLLATE
                        | Keyword::OVERLAPS
                        | Keyword::ESCAPE
                ) => {}
            Token::Whitespace(_)
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::Placeholder(_)
            | Token::Period
            | Token::EOF => {}
            _ => {
                *levels.last_mut().expect("one level at least") += 1;
                total += 1;
            }
        }
        if total + levels.len() > MAX_DEPTH {
            return Some(t.span.start);
        }
    }
    None
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
