//! Query files: `-- name: X :cmd` annotations, doc comments, and parameter macros
//! (`$n`, `@name`, `sqlc.arg`, `sqlc.narg`, `sqlc.slice`) rewritten to `$n` before parsing.

use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::ir::Command;
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::scan::{is_ident_byte, pieces, statements, Piece};

/// How a parameter was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamSyntax {
    /// `$n`
    Positional,
    /// `@name` or `sqlc.arg(name)`
    Named,
    /// `sqlc.narg(name)`: always nullable
    NullableNamed,
    /// `sqlc.slice(name)`: a list, rewritten to an array parameter
    Slice,
}

/// One occurrence of a parameter in the query text.
#[derive(Debug, Clone)]
pub struct ParamUse {
    pub number: usize,
    pub name: Option<String>,
    pub syntax: ParamSyntax,
    pub span: Span,
}

/// A byte range of the file replaced in the SQL sent to PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// One annotated query, before parsing.
#[derive(Debug, Clone)]
pub struct RawQuery {
    pub name: String,
    pub command: Command,
    pub annotation: Span,
    pub doc: Vec<String>,
    pub file: FileId,
    /// Byte range of the statement in the file, without the trailing `;`.
    pub start: usize,
    pub end: usize,
    pub params: Vec<ParamUse>,
    /// Parameter macros rewritten to `$n`, in file byte offsets.
    pub edits: Vec<Edit>,
    /// Text handed to the parser: the statement (which starts at `start`), with macros replaced by
    /// `$n` padded to their original width, so positions stay those of the file.
    pub parse_text: String,
    /// Its `-- sqlgen:` comments (optional conditions, sort keys, keyset), in file order.
    pub directives: Vec<crate::syntax::directives::Directive>,
    /// Why the query cannot be analysed, found while reading it (a malformed parameter macro): the
    /// query is still listed, so that it fails by name rather than vanishing.
    pub rejected: Option<Diagnostic>,
}

const COMMANDS: [(&str, Command); 11] = [
    (":one", Command::One),
    (":opt", Command::Opt),
    (":many", Command::Many),
    (":exec", Command::Exec),
    (":execrows", Command::ExecRows),
    (":execresult", Command::ExecResult),
    (":batchexec", Command::BatchExec),
    (":batchone", Command::BatchOne),
    (":batchmany", Command::BatchMany),
    (":copyfrom", Command::CopyFrom),
    (":execlastid", Command::ExecLastId),
];

/// Splits a query file into annotated queries; problems become diagnostics and the rest is still read.
pub fn read(file_id: FileId, file: &SourceFile, diags: &mut Vec<Diagnostic>) -> Vec<RawQuery> {
    read_at_most(file_id, file, diags, usize::MAX)
}

/// [`read`], stopping after `cap` queries: a package over its query limit does not hold them all.
pub fn read_at_most(
    file_id: FileId,
    file: &SourceFile,
    diags: &mut Vec<Diagnostic>,
    cap: usize,
) -> Vec<RawQuery> {
    let text = &file.text;
    // Annotations are comments (`-- name: X :one` or `/* name: X :one */`), so look among those.
    let all_comments: Vec<(Piece, usize, usize)> = pieces(text)
        .into_iter()
        .filter(|(p, _, _)| matches!(p, Piece::LineComment | Piece::BlockComment))
        .collect();
    let comments: Vec<(usize, usize)> = all_comments
        .iter()
        .filter(|(p, _, _)| *p == Piece::LineComment)
        .map(|(_, s, e)| (*s, *e))
        .collect();
    let (annotations, block_starts) = annotations(file_id, file, &all_comments, diags);
    let stmts = statements(text);
    let mut out = Vec::new();
    // Where each query's `-- sqlgen:` directives were looked for: any other one is misplaced.
    let mut directive_ranges = Vec::new();
    for Annotation {
        start: s,
        end: e,
        name,
        command,
        span,
    } in &annotations
    {
        if out.len() == cap {
            break;
        }
        // Both lists are in file order: binary searches keep a file of many queries linear.
        let block_end = block_starts
            .get(block_starts.partition_point(|b| *b <= *s))
            .copied()
            .unwrap_or(text.len());
        let mine: Vec<&(usize, usize)> = stmts[stmts.partition_point(|(a, _)| *a <= *e)..]
            .iter()
            .take_while(|(a, _)| *a < block_end)
            .collect();
        let Some(&&(st, en)) = mine.first() else {
            diags.push(
                Diagnostic::error(
                    Code::NoStatement,
                    format!("query `{name}` has no statement"),
                )
                .at(*span),
            );
            continue;
        };
        for &&(extra, _) in mine.iter().skip(1) {
            diags.push(unannotated(file_id, file, extra));
        }
        // A directive may follow the statement's `;` on its last line.
        let line_end = text[en..].find('\n').map_or(text.len(), |n| en + n);
        directive_ranges.push((*e, line_end));
        let directives =
            crate::syntax::directives::read(file_id, file, &comments, (*e, line_end), diags);
        let en = if text[..en].ends_with(';') {
            en - 1
        } else {
            en
        };
        let en = st + text[st..en].trim_end().len();
        let doc = doc_comments(text, &comments, *s, *e, st);
        let (params, edits, parse_text, rejected) = match rewrite_params(file_id, file, st, en) {
            Ok((params, edits, parse_text)) => (params, edits, parse_text, None),
            Err(d) => (Vec::new(), Vec::new(), String::new(), Some(d)),
        };
        out.push(RawQuery {
            name: name.clone(),
            command: *command,
            annotation: *span,
            doc,
            file: file_id,
            start: st,
            end: en,
            params,
            edits,
            parse_text,
            directives,
            rejected,
        });
    }
    // SQL before the first annotation belongs to no query. Statements after a query's own, in its
    // block, are reported where they are found above.
    let first = block_starts.first().copied().unwrap_or(text.len());
    for &(st, _) in stmts.iter().take_while(|(a, _)| *a < first) {
        diags.push(unannotated(file_id, file, st));
    }
    if out.len() < cap {
        crate::syntax::directives::misplaced(file_id, file, &comments, &directive_ranges, diags);
    }
    out
}

/// A valid `-- name: X :command` annotation: the comment's bytes, the query's name and command.
struct Annotation {
    start: usize,
    end: usize,
    name: String,
    command: Command,
    span: Span,
}

/// The valid annotations among a file's comments, and where every annotation starts, valid or not
/// (each ends the previous query's block); a malformed one is reported.
fn annotations(
    file_id: FileId,
    file: &SourceFile,
    all_comments: &[(Piece, usize, usize)],
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Annotation>, Vec<usize>) {
    let text = &file.text;
    let mut annotations = Vec::new();
    // Every annotation, valid or not, ends the previous query's block.
    let mut block_starts = Vec::new();
    for &(piece, s, e) in all_comments {
        let body = match piece {
            Piece::BlockComment => text[s + 2..e].trim_end_matches("*/").trim(),
            _ => text[s + 2..e].trim(),
        };
        let pos = file.pos(s);
        let span = Span::new(file_id, pos, file.pos(e));
        let Some(rest) = body.strip_prefix("name:") else {
            // `-- name GetUser :one`: an annotation with its colon missing, not a plain comment.
            let mut w = body.split_whitespace();
            if w.next() == Some("name")
                && w.next().is_some()
                && w.next().is_some_and(|c| c.starts_with(':'))
            {
                block_starts.push(s);
                diags.push(
                    Diagnostic::error(
                        Code::Annotation,
                        "malformed annotation: `name` needs a colon",
                    )
                    .at(span)
                    .help("write `-- name: GetUser :one`"),
                );
            }
            continue;
        };
        block_starts.push(s);
        let mut words = rest.split_whitespace();
        let name = words.next().unwrap_or("");
        let cmd = words.next();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            diags.push(
                Diagnostic::error(Code::Annotation, format!("invalid query name `{name}`"))
                    .at(span)
                    .help("write `-- name: GetUser :one`"),
            );
            continue;
        }
        let command = match command(name, cmd, span) {
            Ok(command) => command,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        annotations.push(Annotation {
            start: s,
            end: e,
            name: name.to_string(),
            command,
            span,
        });
    }
    (annotations, block_starts)
}

/// The command word of query `name`'s annotation (`:one`), with a did-you-mean for a near miss.
fn command(name: &str, cmd: Option<&str>, span: Span) -> Result<Command, Diagnostic> {
    match cmd {
        None => Err(Diagnostic::error(
            Code::MissingCommand,
            format!("query `{name}` has no command"),
        )
        .at(span)
        .help("add one of :one, :opt, :many, :exec, :execrows")),
        Some(c) => match COMMANDS.iter().find(|(n, _)| *n == c) {
            Some((_, cmd)) => Ok(*cmd),
            None => {
                let mut d =
                    Diagnostic::error(Code::UnknownCommand, format!("unknown query command `{c}`"))
                        .at(span);
                d = match did_you_mean(c, COMMANDS.iter().map(|(n, _)| *n)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help("use one of :one, :opt, :many, :exec, :execrows, :batchexec, :batchone, :batchmany, :copyfrom"),
                };
                Err(d)
            }
        },
    }
}

/// A statement no `-- name:` annotation introduces (a query file that is also a schema file, say):
/// skipped with a warning, as sqlc skips it.
fn unannotated(file_id: FileId, file: &SourceFile, at: usize) -> Diagnostic {
    let p = file.pos(at);
    Diagnostic::warning(
        Code::NoAnnotation,
        "statement without a `-- name:` annotation is skipped",
    )
    .at(Span::new(file_id, p, p))
    .help("add `-- name: QueryName :many` on the line above to generate it")
}

/// Comment lines directly above the annotation, then those between it and the statement.
fn doc_comments(
    text: &str,
    comments: &[(usize, usize)],
    ann_start: usize,
    ann_end: usize,
    stmt: usize,
) -> Vec<String> {
    // A block-comment annotation (`/* name: X :one */`) has no line-comment docs.
    let Ok(idx) = comments.binary_search_by_key(&ann_start, |c| c.0) else {
        return Vec::new();
    };
    let mut above = Vec::new();
    let mut expect_end = line_start(text, ann_start);
    for &(s, e) in comments[..idx].iter().rev() {
        let ls = line_start(text, s);
        // Directly above: the comment fills its line and the line ends where the next one starts.
        if !text[ls..s].trim().is_empty()
            || e + 1 != expect_end
            || is_annotation(&text[s..e])
            || crate::syntax::directives::directive_body(&text[s..e]).is_some()
        {
            break;
        }
        above.push(&text[s..e]);
        expect_end = ls;
    }
    above.reverse();
    let below = comments[idx + 1..]
        .iter()
        .skip_while(|(s, _)| *s <= ann_end)
        .take_while(|(s, _)| *s < stmt)
        .map(|(s, e)| &text[*s..*e])
        .filter(|c| crate::syntax::directives::directive_body(c).is_none());
    above
        .into_iter()
        .chain(below)
        .map(|c| {
            let c = c.trim_start_matches('-');
            c.strip_prefix(' ').unwrap_or(c).trim_end().to_string()
        })
        .collect()
}

fn is_annotation(comment: &str) -> bool {
    comment[2..].trim_start().starts_with("name:")
}

fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

type Rewritten = (Vec<ParamUse>, Vec<Edit>, String);

/// Finds parameters in `text[start..end]` and rewrites the macros to `$n`.
fn rewrite_params(
    file_id: FileId,
    file: &SourceFile,
    start: usize,
    end: usize,
) -> Result<Rewritten, Diagnostic> {
    let text = &file.text;
    let mut uses: Vec<ParamUse> = Vec::new();
    let mut edits: Vec<Edit> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut positional: Option<Span> = None;
    let mut named: Option<Span> = None;
    let span_of = |s: usize, e: usize| Span::new(file_id, file.pos(s), file.pos(e));
    // A macro's argument may be quoted (`sqlc.narg('name')`), so it can end in a later piece.
    let mut resume = start;
    for (piece, ps, pe) in pieces(&text[start..end]) {
        let (ps, pe) = (start + ps, start + pe);
        if piece != Piece::Code || pe <= resume {
            continue;
        }
        let b = text.as_bytes();
        let mut i = ps.max(resume);
        while i < pe {
            let prev_ident = i > 0 && (is_ident_byte(b[i - 1]) || b[i - 1] == b'.');
            if b[i] == b'$' && !prev_ident && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                let n_end = (i + 1..pe).find(|&j| !b[j].is_ascii_digit()).unwrap_or(pe);
                let number: usize = text[i + 1..n_end].parse().unwrap_or(0);
                positional.get_or_insert(span_of(i, n_end));
                uses.push(ParamUse {
                    number,
                    name: None,
                    syntax: ParamSyntax::Positional,
                    span: span_of(i, n_end),
                });
                i = n_end;
                continue;
            }
            if b[i] == b'@'
                && !prev_ident
                && b.get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
            {
                let n_end = (i + 1..pe).find(|&j| !is_ident_byte(b[j])).unwrap_or(pe);
                let name = text[i + 1..n_end].to_string();
                named.get_or_insert(span_of(i, n_end));
                uses.push(named_use(
                    &mut names,
                    name,
                    ParamSyntax::Named,
                    span_of(i, n_end),
                ));
                edits.push(Edit {
                    start: i,
                    end: n_end,
                    text: "{}".to_string(),
                });
                i = n_end;
                continue;
            }
            // Bytes, not `str` slices: `i + 5` may fall inside a multi-byte character.
            if !prev_ident && pe - i >= 5 && b[i..i + 5].eq_ignore_ascii_case(b"sqlc.") {
                let (syntax, arg, close) = match sqlc_macro(text, i, pe, end, &span_of)? {
                    Macro::Other { end } => {
                        i = end;
                        continue;
                    }
                    Macro::Param { syntax, arg, close } => (syntax, arg, close),
                };
                named.get_or_insert(span_of(i, close + 1));
                uses.push(named_use(&mut names, arg, syntax, span_of(i, close + 1)));
                // `x IN (sqlc.slice(ids))` becomes `x = ANY($n)`: one array parameter, any length.
                // Elsewhere (`= ANY(sqlc.slice(ids))`) it is a parameter that must be an array.
                let (start_at, end_at, template) = match syntax {
                    ParamSyntax::Slice => slice_context(text, i, close + 1, end).unwrap_or((
                        i,
                        close + 1,
                        "{}".to_string(),
                    )),
                    _ => (i, close + 1, "{}".to_string()),
                };
                edits.push(Edit {
                    start: start_at,
                    end: end_at,
                    text: template,
                });
                i = end_at.max(close + 1);
                resume = i;
                continue;
            }
            i += 1;
        }
    }
    if positional.is_some() && named.is_some() {
        renumber_named(&mut uses, names.len());
    }
    // Named parameters are numbered in order of first appearance.
    let mut e_iter = edits.iter_mut();
    for u in uses.iter().filter(|u| u.syntax != ParamSyntax::Positional) {
        let e = e_iter.next().unwrap();
        e.text = e.text.replace("{}", &format!("${}", u.number));
    }
    let parse_text = padded_text(text, start, end, &edits);
    Ok((uses, edits, parser_compatible(parse_text)))
}

/// What follows `sqlc.` in a statement.
enum Macro {
    /// Not a parameter macro (`sqlc.embed`, for the analyser): resume after its name.
    Other { end: usize },
    /// `sqlc.arg(name)`, `sqlc.narg(name)`, `sqlc.slice(name)`, its `)` at `close`.
    Param {
        syntax: ParamSyntax,
        arg: String,
        close: usize,
    },
}

/// Reads the `sqlc.` macro at `i` (its name ends by `pe`, its parentheses by `end`); a parameter
/// macro without a valid parameter name in parentheses is an error.
fn sqlc_macro(
    text: &str,
    i: usize,
    pe: usize,
    end: usize,
    span_of: &dyn Fn(usize, usize) -> Span,
) -> Result<Macro, Diagnostic> {
    let b = text.as_bytes();
    let fname_end = (i + 5..pe).find(|&j| !is_ident_byte(b[j])).unwrap_or(pe);
    let func = text[i + 5..fname_end].to_ascii_lowercase();
    let syntax = match func.as_str() {
        "arg" => ParamSyntax::Named,
        "narg" => ParamSyntax::NullableNamed,
        "slice" => ParamSyntax::Slice,
        // sqlc.embed is handled by the analyser.
        _ => return Ok(Macro::Other { end: fname_end }),
    };
    let open = (fname_end..end).find(|&j| !b[j].is_ascii_whitespace());
    let close = open
        .filter(|&o| b[o] == b'(')
        .and_then(|o| text[o..end].find(')').map(|c| o + c));
    let (Some(open), Some(close)) = (open, close) else {
        return Err(Diagnostic::error(
            Code::ParameterSyntax,
            format!("`sqlc.{func}` needs a parameter name in parentheses"),
        )
        .at(span_of(i, fname_end))
        .help(format!("write `sqlc.{func}(name)`")));
    };
    let arg = text[open + 1..close].trim();
    let arg = arg.trim_matches(|c| c == '\'' || c == '"');
    if arg.is_empty() {
        return Err(Diagnostic::error(
            Code::ParameterSyntax,
            format!("`sqlc.{func}` needs a parameter name"),
        )
        .at(span_of(open, close + 1))
        .help(format!("write `sqlc.{func}(name)`")));
    }
    if !arg.bytes().all(is_ident_byte) || arg.as_bytes()[0].is_ascii_digit() {
        return Err(Diagnostic::error(
            Code::ParameterSyntax,
            format!("invalid parameter name `{arg}`"),
        )
        .at(span_of(open, close + 1))
        .help("a parameter name is a letter or `_`, then letters, digits or `_`"));
    }
    Ok(Macro::Param {
        syntax,
        arg: arg.to_string(),
        close,
    })
}

/// With `$n` in the query too, named parameters take the lowest numbers no `$n` uses, in order of
/// first appearance, as sqlc numbers them (`names` of them).
fn renumber_named(uses: &mut [ParamUse], names: usize) {
    let taken: std::collections::BTreeSet<usize> = uses
        .iter()
        .filter(|u| u.syntax == ParamSyntax::Positional)
        .map(|u| u.number)
        .collect();
    let free: Vec<usize> = (1..).filter(|n| !taken.contains(n)).take(names).collect();
    for u in uses
        .iter_mut()
        .filter(|u| u.syntax != ParamSyntax::Positional)
    {
        u.number = free[u.number - 1];
    }
}

/// Parser text: the statement, macros padded to their width so later columns stay right.
fn padded_text(text: &str, start: usize, end: usize, edits: &[Edit]) -> String {
    let mut parse_text = String::new();
    let mut at = start;
    for e in edits {
        parse_text.push_str(&text[at..e.start]);
        let width = text[e.start..e.end].chars().count();
        parse_text.push_str(&format!("{:<width$}", e.text));
        at = e.end;
    }
    parse_text.push_str(&text[at..end]);
    parse_text
}

/// For `sqlc.slice` at `start..end`: the range of `[NOT] IN ( ... )` around it and its replacement.
fn slice_context(
    text: &str,
    start: usize,
    end: usize,
    stmt_end: usize,
) -> Option<(usize, usize, String)> {
    let before = text[..start].trim_end();
    let before = before.strip_suffix('(')?.trim_end();
    // Keywords compared in place: lowercasing all the text before every slice is quadratic.
    let in_start = strip_keyword(before, "in")?.len();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    if before[..in_start].ends_with(word) {
        return None;
    }
    // Spaces and comments may stand before the `)`: sqlc's own output writes `/*SLICE:ids*/` there.
    let close = next_code(text, end, stmt_end)?;
    if !text[close..].starts_with(')') {
        return None;
    }
    let head = before[..in_start].trim_end();
    match strip_keyword(head, "not") {
        Some(r) if !r.ends_with(word) => Some((r.len(), close + 1, "<> ALL({})".to_string())),
        _ => Some((in_start, close + 1, "= ANY({})".to_string())),
    }
}

/// The offset of the first byte of SQL at or after `from` (before `to`) that is neither
/// whitespace nor inside a comment.
fn next_code(text: &str, from: usize, to: usize) -> Option<usize> {
    pieces(&text[from..to]).into_iter().find_map(|(p, s, e)| {
        let piece = &text[from + s..from + e];
        let skip = matches!(p, Piece::LineComment | Piece::BlockComment) || piece.trim().is_empty();
        (!skip).then(|| from + e - piece.trim_start().len())
    })
}

/// `text` without `keyword` (lower-case ASCII) at its end, in any case.
fn strip_keyword<'t>(text: &'t str, keyword: &str) -> Option<&'t str> {
    let cut = text.len().checked_sub(keyword.len())?;
    text.as_bytes()[cut..]
        .eq_ignore_ascii_case(keyword.as_bytes())
        .then(|| &text[..cut])
}

/// Locking clauses the parser does not read (`FOR NO KEY UPDATE`, `FOR KEY SHARE`) change no type:
/// the parser sees `FOR UPDATE` / `FOR SHARE`, padded to the same width; PostgreSQL gets them as written.
fn parser_compatible(mut text: String) -> String {
    for (from, to) in [
        ("for no key update", "for update"),
        ("for key share", "for share"),
    ] {
        while let Some(i) = text.to_ascii_lowercase().find(from) {
            let pad = " ".repeat(from.len() - to.len());
            text.replace_range(i..i + from.len(), &format!("{to}{pad}"));
        }
    }
    text
}

fn named_use(names: &mut Vec<String>, name: String, syntax: ParamSyntax, span: Span) -> ParamUse {
    let number = match names.iter().position(|n| *n == name) {
        Some(i) => i + 1,
        None => {
            names.push(name.clone());
            names.len()
        }
    };
    ParamUse {
        number,
        name: Some(name),
        syntax,
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> (Vec<RawQuery>, Vec<Diagnostic>) {
        let f = SourceFile::new("q.sql".into(), "q.sql".into(), text.into());
        let mut d = Vec::new();
        (read(FileId(0), &f, &mut d), d)
    }

    #[test]
    fn annotations_docs_and_named_params() {
        let (qs, d) = read_str(
            "-- Finds a user.\n-- By email.\n-- name: GetUser :one\nSELECT * FROM users WHERE email = @email AND id = sqlc.arg(id) OR email = @email;\n\n-- name: ListUsers :many\n-- Newest first.\nSELECT 1 FROM users WHERE name = sqlc.narg('name');\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(qs.len(), 2);
        let q = &qs[0];
        assert_eq!(q.name, "GetUser");
        assert_eq!(q.command, Command::One);
        assert_eq!(q.doc, vec!["Finds a user.", "By email."]);
        let nums: Vec<(usize, &str)> = q
            .params
            .iter()
            .map(|p| (p.number, p.name.as_deref().unwrap()))
            .collect();
        assert_eq!(nums, vec![(1, "email"), (2, "id"), (1, "email")]);
        assert!(q
            .parse_text
            .starts_with("SELECT * FROM users WHERE email = $1     AND id = $2           OR"));
        assert_eq!(qs[1].doc, vec!["Newest first."]);
        assert_eq!(qs[1].params[0].syntax, ParamSyntax::NullableNamed);
    }

    #[test]
    fn problems_are_all_reported() {
        let (qs, d) = read_str("SELECT 1;\n-- name: A :onee\nSELECT 1;\n-- name: B\nSELECT 2;\n-- name: C :one\nSELECT sqlc.arg();\nSELECT 3;\n");
        // C fails by name when analysed, rather than vanishing.
        assert_eq!(qs.len(), 1);
        let rejected = qs[0].rejected.as_ref().map(|d| d.message.as_str());
        assert_eq!(rejected, Some("`sqlc.arg` needs a parameter name"));
        let msgs: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "unknown query command `:onee`",
                "query `B` has no command",
                "statement without a `-- name:` annotation is skipped",
                "statement without a `-- name:` annotation is skipped"
            ]
        );
        assert_eq!(d[0].help.as_deref(), Some("did you mean `:one`?"));
    }

    #[test]
    fn named_parameters_take_the_numbers_no_dollar_parameter_uses() {
        let (qs, d) = read_str(
            "-- name: A :many\nSELECT 1 FROM t WHERE a = @a AND b = $1 AND c = sqlc.narg(c) AND d = $3 AND e = @a;\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let nums: Vec<(usize, Option<&str>)> = qs[0]
            .params
            .iter()
            .map(|p| (p.number, p.name.as_deref()))
            .collect();
        assert_eq!(
            nums,
            vec![
                (2, Some("a")),
                (1, None),
                (4, Some("c")),
                (3, None),
                (2, Some("a"))
            ]
        );
        assert!(
            qs[0].parse_text.contains("a = $2 AND b = $1 AND c = $4"),
            "{}",
            qs[0].parse_text
        );
    }

    #[test]
    fn operators_are_not_parameters() {
        let (qs, d) = read_str(
            "-- name: A :many\nSELECT a FROM t WHERE j @> '{}' AND x = '@y' AND e = $1;\n",
        );
        assert!(d.is_empty());
        assert_eq!(qs[0].params.len(), 1);
    }
}
