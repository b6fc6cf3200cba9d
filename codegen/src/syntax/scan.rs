//! A small SQL scanner that knows where strings, quoted identifiers and comments are:
//! enough to split files into statements and to find parameter macros, without a full parse.

/// What a byte range of SQL text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece {
    /// Ordinary SQL: keywords, identifiers, operators, numbers, whitespace.
    Code,
    /// `'...'`, `E'...'`, `$tag$...$tag$`.
    String,
    /// `"..."`.
    QuotedIdent,
    /// `-- ...` up to (not including) the newline.
    LineComment,
    /// `/* ... */`, nested as PostgreSQL nests them.
    BlockComment,
}

/// Splits `text` into consecutive `(piece, start, end)` byte ranges covering all of it.
pub fn pieces(text: &str) -> Vec<(Piece, usize, usize)> {
    let b = text.as_bytes();
    let mut out: Vec<(Piece, usize, usize)> = Vec::new();
    let mut push = |p: Piece, s: usize, e: usize| {
        if s == e {
            return;
        }
        match out.last_mut() {
            Some(last) if last.0 == p && p == Piece::Code && last.2 == s => last.2 = e,
            _ => out.push((p, s, e)),
        }
    };
    let mut i = 0;
    let mut code_start = 0;
    while i < b.len() {
        let c = b[i];
        let (piece, end) = if c == b'-' && b.get(i + 1) == Some(&b'-') {
            let end = text[i..].find('\n').map(|n| i + n).unwrap_or(b.len());
            (Piece::LineComment, end)
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            let mut j = i;
            loop {
                if j + 1 >= b.len() {
                    j = b.len();
                    break;
                }
                if b[j] == b'/' && b[j + 1] == b'*' {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b[j + 1] == b'/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            (Piece::BlockComment, j)
        } else if c == b'\'' {
            let escapes =
                i > 0 && matches!(b[i - 1], b'e' | b'E') && (i < 2 || !is_ident_byte(b[i - 2]));
            (Piece::String, quoted_end(b, i, b'\'', escapes))
        } else if c == b'"' {
            (Piece::QuotedIdent, quoted_end(b, i, b'"', false))
        } else if c == b'$' && (i == 0 || !is_ident_byte(b[i - 1])) {
            match dollar_tag(&text[i..]) {
                Some(tag) => {
                    let body = i + tag.len();
                    let end = text[body..]
                        .find(tag)
                        .map(|n| body + n + tag.len())
                        .unwrap_or(b.len());
                    (Piece::String, end)
                }
                None => {
                    i += 1;
                    continue;
                }
            }
        } else {
            i += 1;
            continue;
        };
        // An `E` prefix belongs to the string it introduces.
        let start =
            if piece == Piece::String && i > 0 && matches!(b[i - 1], b'e' | b'E') && c == b'\'' {
                i - 1
            } else {
                i
            };
        push(Piece::Code, code_start, start.max(code_start));
        push(piece, start.max(code_start), end);
        i = end;
        code_start = end;
    }
    push(Piece::Code, code_start, b.len());
    out
}

pub fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

fn quoted_end(b: &[u8], start: usize, quote: u8, backslash_escapes: bool) -> usize {
    let mut j = start + 1;
    while j < b.len() {
        if backslash_escapes && b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == quote {
            if b.get(j + 1) == Some(&quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j += 1;
    }
    b.len()
}

/// `$$` or `$tag$` at the start of `s` (a `$1` parameter is not a tag).
fn dollar_tag(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut j = 1;
    if b.get(1).is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
        j += 1;
    }
    (b.get(j) == Some(&b'$')).then(|| &s[..=j])
}

/// Byte ranges of the statements in `text`, split at `;` outside strings and comments.
/// Each range starts at the first code byte of the statement and ends after its `;` (if any).
/// Ranges holding only whitespace and comments are dropped.
pub fn statements(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (piece, s, e) in pieces(text) {
        match piece {
            Piece::Code => {
                let seg = &text[s..e];
                let mut off = 0;
                for part in seg.split_inclusive(';') {
                    let abs = s + off;
                    let lead = part.len() - part.trim_start().len();
                    if start.is_none() && !part.trim().is_empty() && part.trim() != ";" {
                        start = Some(abs + lead);
                    }
                    if part.ends_with(';') {
                        if let Some(st) = start.take() {
                            out.push((st, abs + part.len()));
                        }
                    }
                    off += part.len();
                }
            }
            Piece::String | Piece::QuotedIdent => {
                if start.is_none() {
                    start = Some(s);
                }
            }
            Piece::LineComment | Piece::BlockComment => {}
        }
    }
    if let Some(st) = start {
        out.push((st, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_strings_and_comments() {
        let sql = "CREATE TABLE a (x text default 'a;b'); -- c;d\n/* e; /* f; */ g; */ SELECT $$x;y$$; SELECT $1;";
        let parts: Vec<&str> = statements(sql)
            .into_iter()
            .map(|(s, e)| &sql[s..e])
            .collect();
        assert_eq!(
            parts,
            vec![
                "CREATE TABLE a (x text default 'a;b');",
                "SELECT $$x;y$$;",
                "SELECT $1;"
            ]
        );
    }

    #[test]
    fn escaped_strings_and_quoted_identifiers() {
        let sql = "SELECT E'a\\';b', \"x;\"\"y\" FROM t; SELECT 1";
        let parts: Vec<&str> = statements(sql)
            .into_iter()
            .map(|(s, e)| &sql[s..e])
            .collect();
        assert_eq!(
            parts,
            vec!["SELECT E'a\\';b', \"x;\"\"y\" FROM t;", "SELECT 1"]
        );
    }
}
