//! Token rewrites for PostgreSQL syntax sqlparser does not read, applied before parsing. Each one
//! changes only clauses that decide no type (storage options, index expressions of a conflict
//! target, a sequence's name), or respells a form as an equivalent one sqlparser reads (postfix
//! `ISNULL`, a parenthesised INSERT source). Tokens keep their spans, so diagnostics still point
//! into the text as written; PostgreSQL always receives the text as written.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Applies every rewrite to one statement's tokens.
pub fn rewrite(tokens: &mut Vec<TokenWithSpan>) {
    schema_statements(tokens);
    postfix_null_tests(tokens);
    storage_options(tokens);
    identity_sequence_name(tokens);
    conflict_target_expressions(tokens);
    insert_select_on_conflict(tokens);
    subscripted_assignments(tokens);
}

/// The pseudo-function a subscripted SET target becomes: `(column, subscripts..., value)`, typed
/// by the analysis as the column's type, with the value of its element type.
pub const ELEMENT_ASSIGN: &str = "__sqlgen_element_assign";
/// As [`ELEMENT_ASSIGN`] for a slice target (`arr[1:2] = ...`), whose value is an array.
pub const SLICE_ASSIGN: &str = "__sqlgen_slice_assign";

fn is_space(t: &TokenWithSpan) -> bool {
    matches!(t.token, Token::Whitespace(_))
}

fn keyword(t: &TokenWithSpan) -> Keyword {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => w.keyword,
        _ => Keyword::NoKeyword,
    }
}

/// Whether the token is an unquoted word spelled `word` (for words sqlparser has no keyword for).
fn is_word(t: &TokenWithSpan, word: &str) -> bool {
    matches!(&t.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

/// The index of the next token at or after `i` that is not whitespace.
fn next(tokens: &[TokenWithSpan], i: usize) -> Option<usize> {
    (i..tokens.len()).find(|&j| !is_space(&tokens[j]))
}

/// The index of the last token before `i` that is not whitespace.
fn prev(tokens: &[TokenWithSpan], i: usize) -> Option<usize> {
    (0..i).rev().find(|&j| !is_space(&tokens[j]))
}

/// A new token standing where `at` stands.
fn token_at(token: Token, at: &TokenWithSpan) -> TokenWithSpan {
    TokenWithSpan {
        token,
        span: at.span,
    }
}

/// Bracket depth before each token (parentheses and square brackets).
fn depths(tokens: &[TokenWithSpan]) -> Vec<usize> {
    let mut depth = 0usize;
    tokens
        .iter()
        .map(|t| {
            if matches!(t.token, Token::RParen | Token::RBracket) {
                depth = depth.saturating_sub(1);
            }
            let here = depth;
            if matches!(t.token, Token::LParen | Token::LBracket) {
                depth += 1;
            }
            here
        })
        .collect()
}

/// The index of the bracket closing the one at `open`.
fn closing(tokens: &[TokenWithSpan], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, t) in tokens.iter().enumerate().skip(open) {
        match t.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// `x ISNULL` and `x NOTNULL`, PostgreSQL's postfix spellings, are `x IS NULL` and `x IS NOT NULL`.
fn postfix_null_tests(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        let replacement: &[&str] = if is_word(&tokens[i], "isnull") {
            &["IS", "NULL"]
        } else if keyword(&tokens[i]) == Keyword::NOTNULL {
            &["IS", "NOT", "NULL"]
        } else {
            i += 1;
            continue;
        };
        let at = tokens[i].clone();
        let mut new = Vec::new();
        for (k, w) in replacement.iter().enumerate() {
            if k > 0 {
                new.push(token_at(
                    Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                    &at,
                ));
            }
            new.push(token_at(Token::make_keyword(w), &at));
        }
        let n = new.len();
        tokens.splice(i..=i, new);
        i += n;
    }
}

/// Column storage options decide no type: `COMPRESSION m` and `STORAGE s` in a column definition,
/// and the `ALTER [COLUMN] c SET STORAGE s | SET COMPRESSION m | SET STATISTICS n` actions of
/// ALTER TABLE (an ALTER TABLE left without actions reads as nothing).
fn storage_options(tokens: &mut Vec<TokenWithSpan>) {
    let is_alter_table = next(tokens, 0).is_some_and(|i| keyword(&tokens[i]) == Keyword::ALTER)
        && next(tokens, 0)
            .and_then(|i| next(tokens, i + 1))
            .is_some_and(|j| keyword(&tokens[j]) == Keyword::TABLE);
    if is_alter_table {
        alter_column_storage(tokens);
        return;
    }
    let creates_table = tokens
        .iter()
        .filter(|t| !is_space(t))
        .take(6)
        .any(|t| keyword(t) == Keyword::TABLE);
    if !creates_table || next(tokens, 0).is_none_or(|i| keyword(&tokens[i]) != Keyword::CREATE) {
        return;
    }
    // In CREATE TABLE, `COMPRESSION name` and `STORAGE name` inside the column list.
    let d = depths(tokens);
    let mut remove = Vec::new();
    for i in 0..tokens.len() {
        if d[i] == 1
            && (is_word(&tokens[i], "compression") || keyword(&tokens[i]) == Keyword::STORAGE)
        {
            let Some(v) = next(tokens, i + 1) else {
                continue;
            };
            // `COMPRESSION` as a column's name is followed by its type, then more; an option is
            // followed by its value and then `,`, `)` or another option.
            let before = prev(tokens, i).map(|p| &tokens[p].token);
            if matches!(before, Some(Token::Comma) | Some(Token::LParen)) {
                continue;
            }
            if matches!(tokens[v].token, Token::Word(_)) {
                remove.push((i, v));
            }
        }
    }
    for &(s, e) in remove.iter().rev() {
        tokens.drain(s..=e);
    }
}

/// Removes `ALTER [COLUMN] c SET (STORAGE|COMPRESSION|STATISTICS) v` actions from ALTER TABLE.
fn alter_column_storage(tokens: &mut Vec<TokenWithSpan>) {
    let d = depths(tokens);
    // Actions are separated by commas at depth 0; the first one follows `ALTER TABLE name`.
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut s = 0;
    for i in 0..tokens.len() {
        if d[i] == 0
            && matches!(
                tokens[i].token,
                Token::Comma | Token::SemiColon | Token::EOF
            )
        {
            segments.push((s, i));
            s = i + 1;
        }
    }
    if s < tokens.len() {
        segments.push((s, tokens.len()));
    }
    segments
        .retain(|&(s, e)| (s..e).any(|j| !is_space(&tokens[j]) && tokens[j].token != Token::EOF));
    // For each segment, where its storage action starts, if it is one.
    let noop: Vec<Option<usize>> = segments
        .iter()
        .enumerate()
        .map(|(n, &(s, e))| {
            let w: Vec<usize> = (s..e).filter(|&j| !is_space(&tokens[j])).collect();
            let len = w.len();
            let setting = len >= 5
                && keyword(&tokens[w[len - 3]]) == Keyword::SET
                && (keyword(&tokens[w[len - 2]]) == Keyword::STORAGE
                    || is_word(&tokens[w[len - 2]], "compression")
                    || is_word(&tokens[w[len - 2]], "statistics"));
            if !setting {
                return None;
            }
            let column = len - 4;
            let alter = match column.checked_sub(1).map(|k| keyword(&tokens[w[k]])) {
                Some(Keyword::COLUMN) => column.checked_sub(2)?,
                _ => column.checked_sub(1)?,
            };
            let is_action = keyword(&tokens[w[alter]]) == Keyword::ALTER
                && if n == 0 { alter > 0 } else { alter == 0 };
            is_action.then_some(w[alter])
        })
        .collect();
    if noop.iter().all(Option::is_none) {
        return;
    }
    if noop.iter().all(Option::is_some) {
        // Nothing but storage settings: the statement changes no type.
        tokens.retain(|t| matches!(t.token, Token::EOF));
        return;
    }
    for (n, (&(s, e), action)) in segments.iter().zip(&noop).enumerate().rev() {
        let Some(action) = *action else { continue };
        if n == 0 {
            // The header stays; the action and its comma go.
            tokens.drain(action..=e);
        } else {
            // The comma before the action goes with it.
            tokens.drain(s - 1..e);
        }
    }
}

/// `GENERATED ... AS IDENTITY (SEQUENCE NAME s ...)`: the sequence's name decides no type. Only
/// inside brackets: at the top level, `CREATE SEQUENCE name` names a sequence `name`.
fn identity_sequence_name(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        let d = depths(tokens);
        let name_kw = next(tokens, i + 1).filter(|&j| keyword(&tokens[j]) == Keyword::NAME);
        let (Some(name_kw), true) = (
            name_kw,
            d[i] > 0 && keyword(&tokens[i]) == Keyword::SEQUENCE,
        ) else {
            i += 1;
            continue;
        };
        // SEQUENCE NAME a[.b[.c]]
        let mut end = next(tokens, name_kw + 1).unwrap_or(name_kw);
        while let Some(dot) =
            next(tokens, end + 1).filter(|&p| matches!(tokens[p].token, Token::Period))
        {
            end = next(tokens, dot + 1).unwrap_or(dot);
        }
        tokens.drain(i..=end);
    }
}

/// `ON CONFLICT (a, lower(b), (c + 1)) ...`: sqlparser reads only column names in a conflict
/// target. An index expression becomes the first column it reads, which is checked as PostgreSQL
/// checks it; the arbiter index chosen decides no type.
fn conflict_target_expressions(tokens: &mut Vec<TokenWithSpan>) {
    let Some(on) = (0..tokens.len()).find(|&i| {
        keyword(&tokens[i]) == Keyword::ON
            && next(tokens, i + 1).is_some_and(|j| keyword(&tokens[j]) == Keyword::CONFLICT)
    }) else {
        return;
    };
    let Some(open) = next(tokens, on + 1)
        .and_then(|c| next(tokens, c + 1))
        .filter(|&o| matches!(tokens[o].token, Token::LParen))
    else {
        return;
    };
    let Some(close) = closing(tokens, open) else {
        return;
    };
    let d = depths(tokens);
    let mut elements = Vec::new();
    let mut s = open + 1;
    for j in open + 1..=close {
        if d[j] == d[open] + 1 && matches!(tokens[j].token, Token::Comma) || j == close {
            elements.push((s, j));
            s = j + 1;
        }
    }
    let mut rebuilt: Vec<TokenWithSpan> = Vec::new();
    for (k, &(s, e)) in elements.iter().enumerate() {
        let words: Vec<usize> = (s..e).filter(|&j| !is_space(&tokens[j])).collect();
        let plain = words.len() == 1 && matches!(tokens[words[0]].token, Token::Word(_));
        // A column followed by COLLATE or an operator class is the column.
        let column = if plain
            || words.first().is_some_and(|&w| {
                matches!(tokens[w].token, Token::Word(_))
                    && words
                        .get(1)
                        .is_some_and(|&n| !matches!(tokens[n].token, Token::LParen | Token::Period))
            }) {
            words.first().copied()
        } else {
            words.iter().copied().find(|&w| {
                matches!(tokens[w].token, Token::Word(_))
                    && next(tokens, w + 1)
                        .is_none_or(|n| !matches!(tokens[n].token, Token::LParen | Token::Period))
                    && prev(tokens, w).is_none_or(|p| {
                        !matches!(tokens[p].token, Token::DoubleColon | Token::Period)
                    })
            })
        };
        let Some(c) = column else { continue };
        if k > 0 && !rebuilt.is_empty() {
            rebuilt.push(token_at(Token::Comma, &tokens[c]));
        }
        rebuilt.push(tokens[c].clone());
    }
    if rebuilt.is_empty() {
        return;
    }
    tokens.splice(open + 1..close, rebuilt);
}

/// `INSERT INTO t (...) SELECT a, b ON CONFLICT ...`: without a FROM, sqlparser takes `ON` for
/// the last column's alias. The source query is read as `( SELECT ... )`, which PostgreSQL also
/// accepts and which means the same.
fn insert_select_on_conflict(tokens: &mut Vec<TokenWithSpan>) {
    let d = depths(tokens);
    let Some(insert) =
        (0..tokens.len()).find(|&i| d[i] == 0 && keyword(&tokens[i]) == Keyword::INSERT)
    else {
        return;
    };
    let Some(on) = (insert..tokens.len()).find(|&i| {
        d[i] == 0
            && keyword(&tokens[i]) == Keyword::ON
            && next(tokens, i + 1).is_some_and(|j| keyword(&tokens[j]) == Keyword::CONFLICT)
    }) else {
        return;
    };
    let Some(select) = (insert..on).find(|&i| d[i] == 0 && keyword(&tokens[i]) == Keyword::SELECT)
    else {
        return;
    };
    let close = token_at(Token::RParen, &tokens[on]);
    let open = token_at(Token::LParen, &tokens[select]);
    tokens.insert(on, close);
    tokens.insert(select, open);
}

/// `SET arr[$1] = $2` (UPDATE, and ON CONFLICT DO UPDATE): sqlparser reads only plain columns as
/// SET targets. The assignment becomes `arr = __sqlgen_element_assign(arr, $1, $2)` (or
/// [`SLICE_ASSIGN`] when a subscript is a slice), so the subscripts and the value keep their
/// places and the analysis types them as PostgreSQL does.
fn subscripted_assignments(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        if keyword(&tokens[i]) != Keyword::SET {
            i += 1;
            continue;
        }
        let d = depths(tokens);
        let base = d[i];
        // Each assignment of this SET list, until a clause keyword at the same depth.
        let mut at = i + 1;
        while let Some(target) = next(tokens, at) {
            if !matches!(tokens[target].token, Token::Word(_)) {
                break;
            }
            let mut subscripts = Vec::new();
            let mut k = target + 1;
            while let Some(open) =
                next(tokens, k).filter(|&o| matches!(tokens[o].token, Token::LBracket))
            {
                let Some(close) = closing(tokens, open) else {
                    return;
                };
                subscripts.push((open, close));
                k = close + 1;
            }
            let Some(eq) = next(tokens, k).filter(|&e| matches!(tokens[e].token, Token::Eq)) else {
                break;
            };
            let d = depths(tokens);
            let value_end = (eq + 1..tokens.len())
                .find(|&j| {
                    d[j] < base
                        || d[j] == base
                            && (matches!(
                                tokens[j].token,
                                Token::Comma | Token::SemiColon | Token::EOF
                            ) || matches!(
                                keyword(&tokens[j]),
                                Keyword::FROM | Keyword::WHERE | Keyword::RETURNING
                            ))
                })
                .unwrap_or(tokens.len());
            if subscripts.is_empty() {
                at = value_end + 1;
                if value_end >= tokens.len() || !matches!(tokens[value_end].token, Token::Comma) {
                    break;
                }
                continue;
            }
            let slice = subscripts.iter().any(|&(o, c)| {
                (o + 1..c).any(|j| d[j] == d[o] + 1 && matches!(tokens[j].token, Token::Colon))
            });
            let column = tokens[target].clone();
            let sep = |t: &TokenWithSpan| token_at(Token::Comma, t);
            let mut call = vec![
                column.clone(),
                token_at(Token::Eq, &tokens[eq]),
                token_at(
                    Token::make_word(if slice { SLICE_ASSIGN } else { ELEMENT_ASSIGN }, None),
                    &tokens[eq],
                ),
                token_at(Token::LParen, &tokens[eq]),
                column.clone(),
            ];
            for &(o, c) in &subscripts {
                // Each bound of a slice is an argument; an omitted bound is left out.
                let mut part = Vec::new();
                for j in o + 1..c {
                    if d[j] == d[o] + 1 && matches!(tokens[j].token, Token::Colon) {
                        if part.iter().any(|t: &TokenWithSpan| !is_space(t)) {
                            call.push(sep(&tokens[j]));
                            call.append(&mut part);
                        }
                        part.clear();
                    } else {
                        part.push(tokens[j].clone());
                    }
                }
                if part.iter().any(|t| !is_space(t)) {
                    call.push(sep(&tokens[c]));
                    call.append(&mut part);
                }
            }
            call.push(sep(&tokens[eq]));
            call.extend(tokens[eq + 1..value_end].iter().cloned());
            call.push(token_at(
                Token::RParen,
                &tokens[value_end.min(tokens.len() - 1)],
            ));
            let n = call.len();
            tokens.splice(target..value_end, call);
            let end = target + n;
            if end >= tokens.len() || !matches!(tokens[end].token, Token::Comma) {
                break;
            }
            at = end + 1;
        }
        i += 1;
    }
}

/// The indices of the first `n` tokens that are not whitespace.
fn leading(tokens: &[TokenWithSpan], n: usize) -> Vec<usize> {
    (0..tokens.len())
        .filter(|&j| !is_space(&tokens[j]))
        .take(n)
        .collect()
}

/// Schema statements respelled as ones sqlparser reads and the catalogue applies:
/// - `ALTER INDEX ...` decides no type: it reads as nothing;
/// - `DROP INDEX CONCURRENTLY IF EXISTS`: CONCURRENTLY is dropped (it changes no type);
/// - `ALTER VIEW` and `ALTER MATERIALIZED VIEW` are `ALTER TABLE` (as PostgreSQL also allows);
/// - `ALTER TABLE t SET SCHEMA s` is `ALTER TABLE t RENAME TO s.t`;
/// - `CREATE PROCEDURE` is read as `CREATE FUNCTION` returning nothing, so `CALL` finds its arguments;
/// - `CREATE TABLE t (LIKE s INCLUDING ...)`: every option but defaults decides no type.
fn schema_statements(tokens: &mut Vec<TokenWithSpan>) {
    let w = leading(tokens, 4);
    let kw = |k: usize| {
        w.get(k)
            .map(|&i| keyword(&tokens[i]))
            .unwrap_or(Keyword::NoKeyword)
    };
    match (kw(0), kw(1), kw(2)) {
        (Keyword::ALTER, Keyword::INDEX, _) => tokens.retain(|t| t.token == Token::EOF),
        (Keyword::DROP, Keyword::INDEX, Keyword::CONCURRENTLY) => {
            tokens.remove(w[2]);
        }
        (Keyword::ALTER, Keyword::MATERIALIZED, Keyword::VIEW) => {
            tokens[w[2]] = token_at(Token::make_keyword("TABLE"), &tokens[w[2]]);
            tokens.drain(w[1]..w[2]);
        }
        (Keyword::ALTER, Keyword::VIEW, _) => {
            tokens[w[1]] = token_at(Token::make_keyword("TABLE"), &tokens[w[1]]);
        }
        (Keyword::CREATE, Keyword::PROCEDURE, _) => {
            tokens[w[1]] = token_at(Token::make_keyword("FUNCTION"), &tokens[w[1]]);
        }
        (Keyword::CREATE, Keyword::OR, _) if kw(3) == Keyword::PROCEDURE => {
            tokens[w[3]] = token_at(Token::make_keyword("FUNCTION"), &tokens[w[3]]);
        }
        _ => {}
    }
    let w = leading(tokens, 2);
    if w.len() == 2
        && keyword(&tokens[w[0]]) == Keyword::ALTER
        && keyword(&tokens[w[1]]) == Keyword::TABLE
    {
        set_schema_as_rename(tokens);
    }
    if w.len() == 2 && keyword(&tokens[w[0]]) == Keyword::CREATE {
        like_options(tokens);
    }
}

/// `ALTER TABLE [IF EXISTS] [ONLY] a.t SET SCHEMA s` becomes `... RENAME TO s.t`.
fn set_schema_as_rename(tokens: &mut Vec<TokenWithSpan>) {
    let d = depths(tokens);
    let Some(set) = (0..tokens.len()).find(|&i| {
        d[i] == 0
            && keyword(&tokens[i]) == Keyword::SET
            && next(tokens, i + 1).is_some_and(|j| keyword(&tokens[j]) == Keyword::SCHEMA)
    }) else {
        return;
    };
    let Some(schema_kw) = next(tokens, set + 1) else {
        return;
    };
    let Some(target) = next(tokens, schema_kw + 1) else {
        return;
    };
    // The table's own name: the last word before SET.
    let Some(name) = prev(tokens, set).filter(|&p| matches!(tokens[p].token, Token::Word(_)))
    else {
        return;
    };
    let renamed = vec![
        token_at(Token::make_keyword("RENAME"), &tokens[set]),
        token_at(
            Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
            &tokens[set],
        ),
        token_at(Token::make_keyword("TO"), &tokens[schema_kw]),
        token_at(
            Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
            &tokens[set],
        ),
        tokens[target].clone(),
        token_at(Token::Period, &tokens[target]),
        tokens[name].clone(),
    ];
    tokens.splice(set..=target, renamed);
}

/// `(LIKE s INCLUDING ALL EXCLUDING INDEXES ...)`: sqlparser reads only `INCLUDING DEFAULTS` or
/// `EXCLUDING DEFAULTS`; the other options copy indexes, comments, storage and statistics, which
/// decide no type. Defaults are included when `INCLUDING ALL` or `INCLUDING DEFAULTS` says so and
/// no later `EXCLUDING DEFAULTS` takes them back.
fn like_options(tokens: &mut Vec<TokenWithSpan>) {
    let Some(open) = (0..tokens.len()).find(|&i| matches!(tokens[i].token, Token::LParen)) else {
        return;
    };
    let Some(like) = next(tokens, open + 1).filter(|&l| keyword(&tokens[l]) == Keyword::LIKE)
    else {
        return;
    };
    let Some(close) = closing(tokens, open) else {
        return;
    };
    // The name ends at the first INCLUDING / EXCLUDING.
    let Some(first_option) = (like + 1..close)
        .find(|&j| matches!(keyword(&tokens[j]), Keyword::INCLUDING | Keyword::EXCLUDING))
    else {
        return;
    };
    let mut defaults = false;
    let mut j = first_option;
    while let Some(option) = next(tokens, j + 1).filter(|&o| o < close) {
        let including = keyword(&tokens[j]) == Keyword::INCLUDING;
        let what = &tokens[option];
        if keyword(what) == Keyword::ALL || keyword(what) == Keyword::DEFAULTS {
            defaults = including;
        }
        j = match next(tokens, option + 1).filter(|&n| n < close) {
            Some(n) => n,
            None => break,
        };
    }
    let mut kept = Vec::new();
    if defaults {
        kept.push(token_at(
            Token::make_keyword("INCLUDING"),
            &tokens[first_option],
        ));
        kept.push(token_at(
            Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
            &tokens[first_option],
        ));
        kept.push(token_at(
            Token::make_keyword("DEFAULTS"),
            &tokens[first_option],
        ));
    }
    tokens.splice(first_option..close, kept);
}
