//! Dynamic queries as the query file writes them: `-- sqlgen:` comments (`optional` on a WHERE
//! condition's line, `sort key, ...`, `keyset tie_breaker`) and the top-level clauses of a
//! statement's text (WHERE's AND conditions, ORDER BY and LIMIT) that their shapes edit.

use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::scan::{is_ident_byte, pieces, Piece};

/// One `-- sqlgen: ...` comment of a query.
#[derive(Debug, Clone)]
pub struct Directive {
    pub kind: DirectiveKind,
    /// The comment.
    pub span: Span,
    /// The comment's byte range in the file: every shape's SQL leaves it out.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `-- sqlgen: optional`: the WHERE condition that starts on this line is sent only when its
    /// parameter is given.
    Optional,
    /// `-- sqlgen: sort a, b`: the result columns a caller may order by.
    Sort(Vec<(String, Span)>),
    /// `-- sqlgen: keyset id`: keyset pagination on the sort, with this unique tie-breaker column.
    Keyset(String, Span),
}

const DIRECTIVES: [&str; 3] = ["optional", "sort", "keyset"];

/// The `-- sqlgen:` directives among the line comments in `from..to` of the file; a malformed one
/// is reported.
pub fn read(
    file_id: FileId,
    file: &SourceFile,
    comments: &[(usize, usize)],
    (from, to): (usize, usize),
    diags: &mut Vec<Diagnostic>,
) -> Vec<Directive> {
    let text = &file.text;
    let first = comments.partition_point(|c| c.0 < from);
    let mut out = Vec::new();
    for &(s, e) in comments[first..].iter().take_while(|c| c.0 < to) {
        let Some(body) = directive_body(&text[s..e]) else {
            continue;
        };
        let span = Span::new(file_id, file.pos(s), file.pos(e));
        let body_at = s + text[s..e].find("sqlgen:").unwrap_or(0) + "sqlgen:".len();
        let word = body.split_whitespace().next().unwrap_or("");
        let rest_at = body_at + text[body_at..e].find(word).unwrap_or(0) + word.len();
        let names = |d: &mut Vec<Diagnostic>| names(file_id, file, (rest_at, e), d);
        let kind = match word {
            "optional" if text[rest_at..e].trim().is_empty() => DirectiveKind::Optional,
            "sort" => DirectiveKind::Sort(names(diags)),
            "keyset" => match names(diags).as_slice() {
                [(name, at)] => DirectiveKind::Keyset(name.clone(), *at),
                _ => {
                    diags.push(malformed(span, "`keyset` names one tie-breaker column"));
                    continue;
                }
            },
            "optional" => {
                diags.push(malformed(span, "`sqlgen: optional` takes no arguments"));
                continue;
            }
            _ => {
                let mut d = malformed(span, &format!("unknown directive `sqlgen: {word}`"));
                if let Some(near) = did_you_mean(word, DIRECTIVES.iter().copied()) {
                    d = d.help(format!("did you mean `{near}`?"));
                }
                diags.push(d);
                continue;
            }
        };
        if matches!(&kind, DirectiveKind::Sort(keys) if keys.is_empty()) {
            if text[rest_at..e].trim().is_empty() {
                diags.push(malformed(span, "`sort` lists no column"));
            }
            continue;
        }
        out.push(Directive {
            kind,
            span,
            start: s,
            end: e,
        });
    }
    out
}

/// Reports the directives outside every query's `ranges` (above its `-- name:` line, or in no
/// query at all): they would change nothing.
pub fn misplaced(
    file_id: FileId,
    file: &SourceFile,
    comments: &[(usize, usize)],
    ranges: &[(usize, usize)],
    diags: &mut Vec<Diagnostic>,
) {
    for &(s, e) in comments {
        let inside = ranges.iter().any(|&(from, to)| (from..to).contains(&s));
        if inside || directive_body(&file.text[s..e]).is_none() {
            continue;
        }
        let span = Span::new(file_id, file.pos(s), file.pos(e));
        diags.push(
            Diagnostic::error(Code::Dynamic, "`-- sqlgen:` directive outside a query")
                .at(span)
                .help("write it between the query's `-- name:` line and the end of its statement"),
        );
    }
}

/// The words after `sqlgen:` of a line comment that is a directive.
pub fn directive_body(comment: &str) -> Option<&str> {
    comment
        .trim_start_matches('-')
        .trim_start()
        .strip_prefix("sqlgen:")
}

fn malformed(span: Span, message: &str) -> Diagnostic {
    Diagnostic::error(Code::Dynamic, message.to_string())
        .at(span)
        .help("write `-- sqlgen: optional`, `-- sqlgen: sort col, ...` or `-- sqlgen: keyset col`")
}

/// Comma-separated names in `from..to`, each with its span.
fn names(
    file_id: FileId,
    file: &SourceFile,
    (from, to): (usize, usize),
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Span)> {
    let text = &file.text;
    let mut out = Vec::new();
    let mut at = from;
    for part in text[from..to].split(',') {
        let lead = part.len() - part.trim_start().len();
        let name = part.trim();
        let (s, e) = (at + lead, at + lead + name.len());
        at += part.len() + 1;
        if name.is_empty() {
            continue;
        }
        let span = Span::new(file_id, file.pos(s), file.pos(e));
        if !name.bytes().all(is_ident_byte) {
            diags.push(malformed(span, &format!("`{name}` is not a column name")));
            continue;
        }
        out.push((name.to_lowercase(), span));
    }
    out
}

/// What the shapes of a query edit, found at the statement's top level (outside parentheses and
/// CASE): byte offsets in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clauses {
    /// The first top-level `WHERE` keyword.
    pub where_keyword: Option<usize>,
    /// Its conditions split at top-level `AND` (not BETWEEN's), comments and spaces trimmed.
    pub conjuncts: Vec<(usize, usize)>,
    /// A top-level ORDER BY, LIMIT, OFFSET or FETCH.
    pub ordering: Option<usize>,
    /// A top-level UNION, INTERSECT or EXCEPT.
    pub set_operation: bool,
}

const WHERE_ENDS: [&str; 12] = [
    "group",
    "having",
    "window",
    "order",
    "limit",
    "offset",
    "fetch",
    "for",
    "union",
    "intersect",
    "except",
    "returning",
];

/// The top-level clauses of the statement `text[start..end]`.
pub fn clauses(text: &str, start: usize, end: usize) -> Clauses {
    let mut c = Clauses::default();
    let mut scan = ClauseScan::default();
    for (piece, s, e) in pieces(&text[start..end]) {
        let (s, e) = (start + s, start + e);
        match piece {
            Piece::LineComment | Piece::BlockComment => {}
            Piece::String | Piece::QuotedIdent => scan.content(s, e),
            Piece::Code => code_tokens(text, s, e, |tok, ts, te| {
                scan.token(&mut c, tok, ts, te);
            }),
        }
    }
    scan.close(&mut c);
    c
}

/// Calls `f` for each word (lower-cased), bracket and other non-space byte of `text[s..e]`.
fn code_tokens(text: &str, s: usize, e: usize, mut f: impl FnMut(&str, usize, usize)) {
    let b = text.as_bytes();
    let mut i = s;
    while i < e {
        if is_ident_byte(b[i]) {
            let j = (i..e).find(|&j| !is_ident_byte(b[j])).unwrap_or(e);
            f(&text[i..j].to_ascii_lowercase(), i, j);
            i = j;
        } else {
            if !b[i].is_ascii_whitespace() {
                f(&text[i..i + 1], i, i + 1);
            }
            i += 1;
        }
    }
}

#[derive(Default)]
struct ClauseScan {
    depth: usize,
    case_depth: usize,
    betweens: usize,
    in_where: bool,
    current: Option<(usize, usize)>,
}

impl ClauseScan {
    fn content(&mut self, s: usize, e: usize) {
        if self.in_where {
            let start = self.current.map_or(s, |c| c.0);
            self.current = Some((start, e));
        }
    }

    fn close(&mut self, c: &mut Clauses) {
        if let Some(conj) = self.current.take() {
            c.conjuncts.push(conj);
        }
    }

    fn token(&mut self, c: &mut Clauses, tok: &str, s: usize, e: usize) {
        match tok {
            "(" | "[" => self.depth += 1,
            ")" | "]" => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
        let top = self.depth == 0 && !matches!(tok, ")" | "]");
        if top && tok == "case" {
            self.case_depth += 1;
        } else if top && tok == "end" && self.case_depth > 0 {
            self.case_depth -= 1;
            return self.content(s, e);
        }
        if !top || self.case_depth > 0 {
            return self.content(s, e);
        }
        match tok {
            "where" if c.where_keyword.is_none() => {
                c.where_keyword = Some(s);
                self.in_where = true;
            }
            "between" => {
                self.betweens += 1;
                self.content(s, e);
            }
            "and" if self.betweens > 0 => {
                self.betweens -= 1;
                self.content(s, e);
            }
            "and" if self.in_where => self.close(c),
            w if WHERE_ENDS.contains(&w) => {
                if self.in_where {
                    self.close(c);
                    self.in_where = false;
                }
                match w {
                    "order" | "limit" | "offset" | "fetch" => {
                        c.ordering.get_or_insert(s);
                    }
                    "union" | "intersect" | "except" => c.set_operation = true,
                    _ => {}
                }
            }
            _ => self.content(s, e),
        }
    }
}

/// `text` with every `$n` outside strings and comments replaced by `$m` for `m = map(n)`.
pub fn renumber(text: &str, map: impl Fn(usize) -> usize) -> String {
    let mut out = String::with_capacity(text.len());
    for (piece, s, e) in pieces(text) {
        if piece != Piece::Code {
            out.push_str(&text[s..e]);
            continue;
        }
        let b = text.as_bytes();
        let mut i = s;
        while i < e {
            let dollar = b[i] == b'$'
                && b.get(i + 1).is_some_and(u8::is_ascii_digit)
                && (i == 0 || !is_ident_byte(b[i - 1]));
            if !dollar {
                let next = (i + 1..e).find(|&j| b[j] == b'$').unwrap_or(e);
                out.push_str(&text[i..next]);
                i = next;
                continue;
            }
            let j = (i + 1..e).find(|&j| !b[j].is_ascii_digit()).unwrap_or(e);
            let n: usize = text[i + 1..j].parse().unwrap_or(0);
            out.push('$');
            out.push_str(&map(n).to_string());
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conjuncts(sql: &str) -> Vec<&str> {
        clauses(sql, 0, sql.len())
            .conjuncts
            .into_iter()
            .map(|(s, e)| &sql[s..e])
            .collect()
    }

    #[test]
    fn where_splits_at_top_level_and() {
        let cases: &[(&str, &[&str])] = &[
            ("SELECT 1 FROM t WHERE a = $1 AND b = 2", &["a = $1", "b = 2"]),
            (
                "SELECT 1 FROM t WHERE a BETWEEN 1 AND 2 AND (b = 1 AND c = 2) -- x\n ORDER BY a",
                &["a BETWEEN 1 AND 2", "(b = 1 AND c = 2)"],
            ),
            (
                "SELECT 1 FROM t WHERE CASE WHEN a AND b THEN true END and 'x AND y' = c GROUP BY 1",
                &["CASE WHEN a AND b THEN true END", "'x AND y' = c"],
            ),
            ("SELECT 1 FROM t WHERE a OR b AND c", &["a OR b", "c"]),
            ("SELECT (SELECT 1 WHERE x AND y)", &[]),
        ];
        for (sql, want) in cases {
            assert_eq!(conjuncts(sql), *want, "{sql}");
        }
        let c = clauses("SELECT 1 UNION SELECT 2 LIMIT 1", 0, 31);
        assert!(c.set_operation && c.ordering == Some(24) && c.where_keyword.is_none());
    }

    #[test]
    fn renumbers_parameters_outside_strings() {
        let map = |n: usize| if n == 3 { 2 } else { n };
        assert_eq!(
            renumber("a = $1 AND b = $3 AND c = '$3' AND x$3 = $$ $3 $$", map),
            "a = $1 AND b = $2 AND c = '$3' AND x$3 = $$ $3 $$"
        );
    }
}
