//! Line layout for generated code, following rustfmt's default rules for the few shapes the
//! emitter prints, so that its text is what `cargo fmt` would leave and no formatter has to run.
//!
//! The rules (rustfmt 1.x, `max_width = 100`, default small heuristics):
//! - a list (parameters, arguments, array items, derive paths) stays on one line when it fits,
//!   and for calls and arrays when its one-line text is at most 60 characters; otherwise it goes
//!   one item per line with a trailing comma, or, when every item is a short simple expression
//!   (at most 10 characters), as many items per line as fit;
//! - a type that does not fit breaks its outermost generic arguments, one per line, recursively;
//! - a method chain longer than 60 characters puts each `.call` on its own line;
//! - the right side of a `let` or `const` goes to the next line when it then fits on one line;
//! - a struct literal stays on one line only when its fields take at most 18 characters.
//!
//! `tests/formatting.rs` runs rustfmt over generated code built to hit every boundary.

// Widths are written as sums of their parts (`... + 1` for a `;`), as rustfmt counts them.
#![allow(clippy::int_plus_one)]

/// rustfmt's `max_width`.
pub const WIDTH: usize = 100;
/// `fn_call_width` and `array_width`: the longest one-line argument or item list.
const LIST_WIDTH: usize = 60;
/// `chain_width`.
const CHAIN_WIDTH: usize = 60;
/// `struct_lit_width`.
const STRUCT_LIT_WIDTH: usize = 18;
/// `short_array_element_width_threshold`.
const SHORT_ITEM: usize = 10;

/// The display width of a text (rustfmt counts characters).
pub fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Width of the last line of a multi-line text, counting `col` for a single line.
fn last_line_end(text: &str, col: usize) -> usize {
    match text.rfind('\n') {
        Some(i) => width(&text[i + 1..]),
        None => col + width(text),
    }
}

/// A type written at column `col` on a line indented by `indent`, with `tail` characters after
/// it: one line if it fits, else its generic arguments one per line.
pub fn ty(t: &str, col: usize, indent: usize, tail: usize) -> String {
    // A reference to a slice (`&[T]`, `&'a [T]`) breaks inside its element type.
    if let Some(open) = t
        .find('[')
        .filter(|_| t.starts_with('&') && t.ends_with(']'))
    {
        let prefix = &t[..=open];
        if prefix[1..open]
            .trim()
            .chars()
            .all(|c| c == '\'' || c.is_alphanumeric() || c == '_')
        {
            let inner = &t[open + 1..t.len() - 1];
            // rustfmt keeps two more columns free inside the brackets than the `]` takes.
            return format!(
                "{prefix}{}]",
                ty(inner, col + width(prefix), indent, tail + 3)
            );
        }
    }
    // rustfmt measures an `impl Trait` type without its `impl `, so such a line may pass the margin.
    if col + width(measured(t)) + tail <= WIDTH {
        return t.to_string();
    }
    let Some((head, args, suffix)) = split_generics(t) else {
        return t.to_string();
    };
    let inner = indent + 4;
    let mut out = format!("{head}<\n");
    for a in args {
        pad(&mut out, inner);
        // An associated type binding (`Item = T`) breaks inside its type.
        let (prefix, rest) = match a.split_once(" = ") {
            Some((name, rest)) if name.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                (format!("{name} = "), rest)
            }
            _ => (String::new(), a),
        };
        out.push_str(&prefix);
        out.push_str(&ty(rest, inner + width(&prefix), inner, 1));
        out.push_str(",\n");
    }
    pad(&mut out, indent);
    out.push('>');
    out.push_str(suffix);
    out
}

/// The part of a type rustfmt measures: all of it but an `impl ` in front.
fn measured(t: &str) -> &str {
    t.strip_prefix("impl ").unwrap_or(t)
}

/// `Head<A, B> + Rest` into `Head`, `[A, B]` and ` + Rest`, for the first `<` outside brackets.
fn split_generics(t: &str) -> Option<(&str, Vec<&str>, &str)> {
    let mut depth = 0usize;
    let mut start = None;
    let mut args = Vec::new();
    let mut arg_start = 0;
    for (i, c) in t.char_indices() {
        match c {
            '[' | '(' if start.is_none() => return None,
            '<' | '[' | '(' => {
                if start.is_none() {
                    start = Some(i);
                    arg_start = i + 1;
                }
                depth += 1;
            }
            '>' | ']' | ')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    args.push(t[arg_start..i].trim());
                    return Some((&t[..start?], args, &t[i + 1..]));
                }
            }
            ',' if depth == 1 => {
                args.push(t[arg_start..i].trim());
                arg_start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// One parameter of a signature: `name: Type`, or a bare receiver (`&self`).
pub struct Param {
    pub name: String,
    pub ty: Option<String>,
}

impl Param {
    pub fn new(name: impl Into<String>, ty: impl Into<String>) -> Param {
        Param {
            name: name.into(),
            ty: Some(ty.into()),
        }
    }

    pub fn receiver(text: &str) -> Param {
        Param {
            name: text.to_string(),
            ty: None,
        }
    }

    fn one_line(&self) -> String {
        match &self.ty {
            Some(t) => format!("{}: {t}", self.name),
            None => self.name.clone(),
        }
    }
}

/// How a signature ends.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SigEnd {
    /// A body follows: ` {`.
    Body,
    /// A declaration: `;`.
    Decl,
}

/// A function signature, `head` being everything up to and including `(` (`pub fn f<T>(`).
/// Writes the opening `{` of a body.
pub fn sig(
    out: &mut String,
    indent: usize,
    head: &str,
    params: &[Param],
    ret: Option<&str>,
    end: SigEnd,
) {
    let arrow = ret.map(|r| format!(" -> {r}")).unwrap_or_default();
    let list: Vec<String> = params.iter().map(Param::one_line).collect();
    let line = format!("{head}{}){arrow}", list.join(", "));

    let end_width = match end {
        SigEnd::Body => 2,
        SigEnd::Decl => 1,
    };
    pad(out, indent);
    let closing_end;
    let one_line = indent + width(&line) + end_width;
    // A declaration exactly at the margin keeps its parameters and moves the return type to a
    // line of its own (rustfmt counts the `;` twice there); one past it goes vertical.
    if end == SigEnd::Decl && one_line == WIDTH {
        if let Some(r) = ret {
            out.push_str(&format!("{head}{})\n", list.join(", ")));
            pad(out, indent + 4);
            out.push_str(&format!("-> {r};\n"));
            return;
        }
    }
    let fits = match end {
        SigEnd::Decl => one_line < WIDTH,
        SigEnd::Body => one_line <= WIDTH,
    };
    if fits {
        out.push_str(&line);
        // The one-line form was measured whole above: its brace fits.
        closing_end = width(&line);
    } else {
        head_lines(out, indent, head);
        out.push('\n');
        let inner = indent + 4;
        for p in params {
            pad(out, inner);
            match &p.ty {
                Some(t) => {
                    out.push_str(&p.name);
                    out.push_str(": ");
                    out.push_str(&ty(t, inner + width(&p.name) + 2, inner, 1));
                }
                None => out.push_str(&p.name),
            }
            out.push_str(",\n");
        }
        pad(out, indent);
        out.push(')');
        match ret {
            Some(r) => {
                out.push_str(" -> ");
                // rustfmt measures the type as if `-> ` started the line and reserves no room
                // for the `;` or ` {` after it, so this line may pass the margin by two.
                let t = ty(r, indent + 3, indent, 0);
                closing_end = last_line_end(&t, indent + 5);
                out.push_str(&t);
            }
            None => closing_end = indent + 1,
        }
    }
    match end {
        SigEnd::Decl => out.push_str(";\n"),
        // A brace that would pass the margin goes on a line of its own; rustfmt counts the
        // indentation twice when it checks (the closing line already holds it).
        SigEnd::Body if closing_end + indent + 2 > WIDTH => {
            out.push('\n');
            pad(out, indent);
            out.push_str("{\n");
        }
        SigEnd::Body => out.push_str(" {\n"),
    }
}

/// A signature's head up to its `(`: on one line when it fits, else its generic parameters one
/// per line (`pub fn f<\n    C: Bound,\n>(`).
fn head_lines(out: &mut String, indent: usize, head: &str) {
    let generics = head
        .strip_suffix(">(")
        .and_then(|h| h.find('<').map(|i| (&h[..i], &h[i + 1..])));
    match generics {
        Some((name, params)) if indent + width(head) + 2 >= WIDTH => {
            out.push_str(name);
            out.push_str("<\n");
            for p in params.split(", ") {
                pad(out, indent + 4);
                out.push_str(p);
                out.push_str(",\n");
            }
            pad(out, indent);
            out.push_str(">(");
        }
        _ => out.push_str(head),
    }
}

/// Whether every item is a short simple expression (a name, `&name`, `&a.b`), which rustfmt
/// packs several to a line rather than one per line.
fn all_short_simple(items: &[String]) -> bool {
    items.iter().all(|i| {
        width(i) <= SHORT_ITEM
            && i.trim_start_matches('&')
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    })
}

/// Items one per line, or packed when short and simple; each line at `indent`, the last item
/// followed by a comma.
fn list_lines(out: &mut String, items: &[String], indent: usize) {
    if all_short_simple(items) {
        let mut line = String::new();
        for item in items {
            let extra = if line.is_empty() { 0 } else { 1 };
            if !line.is_empty() && indent + width(&line) + extra + width(item) + 1 > WIDTH {
                pad(out, indent);
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(item);
            line.push(',');
        }
        pad(out, indent);
        out.push_str(&line);
        out.push('\n');
    } else {
        for item in items {
            pad(out, indent);
            out.push_str(item);
            out.push_str(",\n");
        }
    }
}

/// A call statement or tail expression at `indent`: `callee(args)` then `tail` (`;` or nothing).
pub fn call(out: &mut String, indent: usize, callee: &str, args: &[String], tail: &str) {
    let joined = args.join(", ");
    pad(out, indent);
    if width(&joined) <= LIST_WIDTH
        && indent + width(callee) + width(&joined) + 2 + width(tail) <= WIDTH
    {
        out.push_str(&format!("{callee}({joined}){tail}\n"));
        return;
    }
    out.push_str(callee);
    out.push_str("(\n");
    list_lines(out, args, indent + 4);
    pad(out, indent);
    out.push(')');
    out.push_str(tail);
    out.push('\n');
}

/// `let NAME: TYPE = &[ITEMS];` (or with `lhs` any `let ... =` head) at `indent`.
pub fn let_array(out: &mut String, indent: usize, lhs: &str, items: &[String]) {
    let joined = items.join(", ");
    let one = format!("&[{joined}]");
    let fits_list = width(&joined) <= LIST_WIDTH;
    pad(out, indent);
    out.push_str(lhs);
    if fits_list && indent + width(lhs) + 1 + width(&one) + 1 <= WIDTH {
        out.push(' ');
        out.push_str(&one);
        out.push_str(";\n");
    } else if fits_list && indent + 4 + width(&one) + 1 <= WIDTH {
        out.push('\n');
        pad(out, indent + 4);
        out.push_str(&one);
        out.push_str(";\n");
    } else {
        out.push_str(" &[\n");
        list_lines(out, items, indent + 4);
        pad(out, indent);
        out.push_str("];\n");
    }
}

/// `LHS = "literal";` (a `const` or `let`): the literal on the next line when it only fits
/// there; a literal too long for either stays where it is, as rustfmt leaves it.
pub fn assign_literal(out: &mut String, indent: usize, lhs: &str, literal: &str) {
    pad(out, indent);
    out.push_str(lhs);
    let same = indent + width(lhs) + 1 + width(literal) + 1;
    let next = indent + 4 + width(literal) + 1;
    if same > WIDTH && next <= WIDTH && !literal.contains('\n') {
        out.push('\n');
        pad(out, indent + 4);
    } else {
        out.push(' ');
    }
    out.push_str(literal);
    out.push_str(";\n");
}

/// `let NAME = ROOT.a(..).b?;`: a method chain on one line when it is short, else one call a
/// line. `links` are the `.call` parts, each with its `?`.
pub fn let_chain(out: &mut String, indent: usize, lhs: &str, root: &str, links: &[&str]) {
    let one: String = std::iter::once(root).chain(links.iter().copied()).collect();
    pad(out, indent);
    if !lhs.is_empty() {
        out.push_str(lhs);
        out.push(' ');
    }
    let start = indent + if lhs.is_empty() { 0 } else { width(lhs) + 1 };
    if width(&one) < CHAIN_WIDTH && start + width(&one) + 1 <= WIDTH {
        out.push_str(&one);
        out.push_str(";\n");
        return;
    }
    out.push_str(root);
    for l in links {
        out.push('\n');
        pad(out, indent + 4);
        out.push_str(l);
    }
    out.push_str(";\n");
}

/// A struct literal `PATH { a: x, b: y }` as the last argument of `wrap(` (`Ok(`), closed by
/// `)` and `tail`, at `indent`.
pub fn struct_lit(out: &mut String, indent: usize, wrap: &str, path: &str, fields: &[String]) {
    let body = fields.join(", ");
    pad(out, indent);
    let one = format!("{wrap}{path} {{ {body} }})");
    if width(&body) <= STRUCT_LIT_WIDTH && indent + width(&one) <= WIDTH {
        out.push_str(&one);
        out.push('\n');
        return;
    }
    out.push_str(wrap);
    // The literal overflows `Ok(` only while its first line stays within the call width;
    // otherwise it goes on a line of its own inside the call, one level deeper.
    if width(path) + 2 > LIST_WIDTH {
        out.push('\n');
        pad(out, indent + 4);
        out.push_str(path);
        out.push_str(" {\n");
        for f in fields {
            pad(out, indent + 8);
            out.push_str(&f.replace('\n', "\n    "));
            out.push_str(",\n");
        }
        pad(out, indent + 4);
        out.push_str("},\n");
        pad(out, indent);
        out.push_str(")\n");
        return;
    }
    out.push_str(path);
    out.push_str(" {\n");
    for f in fields {
        pad(out, indent + 4);
        out.push_str(f);
        out.push_str(",\n");
    }
    pad(out, indent);
    out.push_str("})\n");
}

/// A struct literal field `NAME: CALLEE(ARGS)?` whose line starts at `indent` (returned without
/// that indentation and without its comma): on one line when it fits; else the arguments one per
/// line (or packed) while `NAME: CALLEE(` still fits, as rustfmt breaks a field; else the call on
/// the next line.
pub fn field_call(indent: usize, name: &str, callee: &str, args: &[String]) -> String {
    let one = format!("{name}: {callee}({})?", args.join(", "));
    let head = format!("{name}: {callee}(");
    if indent + width(&one) + 1 <= WIDTH {
        return one;
    }
    if indent + width(&head) + 2 <= WIDTH {
        let mut out = format!("{head}\n");
        list_lines(&mut out, args, indent + 4);
        pad(&mut out, indent);
        out.push_str(")?");
        return out;
    }
    let mut out = format!("{name}:\n");
    pad(&mut out, indent + 4);
    out.push_str(&format!("{callee}({})?", args.join(", ")));
    out
}

/// `#[derive(A, B)]` on one line when it fits, else the paths on one line of their own, else one
/// path a line.
pub fn derive(out: &mut String, indent: usize, paths: &[String]) {
    let one = format!("#[derive({})]", paths.join(", "));
    pad(out, indent);
    if indent + width(&one) <= WIDTH {
        out.push_str(&one);
        out.push('\n');
        return;
    }
    out.push_str("#[derive(\n");
    let inner = format!("{},", paths.join(", "));
    if indent + 4 + width(&inner) <= WIDTH {
        pad(out, indent + 4);
        out.push_str(&inner);
        out.push('\n');
        pad(out, indent);
        out.push_str(")]\n");
        return;
    }
    for p in paths {
        pad(out, indent + 4);
        out.push_str(p);
        out.push_str(",\n");
    }
    pad(out, indent);
    out.push_str(")]\n");
}

/// `///` lines at `indent`; a multi-line text becomes one line each.
pub fn doc(out: &mut String, indent: usize, lines: &[&str]) {
    for text in lines {
        for l in text.lines() {
            pad(out, indent);
            let l = l.trim_end();
            if l.is_empty() {
                out.push_str("///\n");
            } else {
                out.push_str("/// ");
                out.push_str(l);
                out.push('\n');
            }
        }
    }
}

/// A Rust string literal for `s`, escaped as the compiler's own token printer does
/// (`char::escape_debug`, with `'` left alone).
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    // Printable ASCII other than `"` and `\` is written as it is.
    if s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\')
    {
        out.push_str(s);
        out.push('"');
        return out;
    }
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\0' if chars
                .as_str()
                .starts_with(|n: char| ('0'..='7').contains(&n)) =>
            {
                out.push_str("\\x00")
            }
            '\0' => out.push_str("\\0"),
            '\'' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_break_at_their_generics() {
        assert_eq!(ty("Vec<u8>", 0, 0, 0), "Vec<u8>");
        let x = "x".repeat(100);
        assert_eq!(
            ty(&format!("A<B<{x}>, C>"), 4, 4, 1),
            format!("A<\n        B<\n            {x},\n        >,\n        C,\n    >")
        );
        assert_eq!(
            split_generics("impl F<Output = R<T>> + Send"),
            Some(("impl F", vec!["Output = R<T>"], " + Send"))
        );
        assert_eq!(split_generics("&'a [u8]"), None);
        // A slice breaks inside its element type.
        let t = format!("&[query::{}Params<'_>]", "Q".repeat(80));
        assert!(ty(&t, 15, 8, 1).contains("Params<\n"));
    }

    #[test]
    fn short_simple_items_are_packed() {
        let mut out = String::new();
        let items: Vec<String> = (0..30).map(|i| format!("&v{i}")).collect();
        let_array(&mut out, 4, "let p: &P =", &items);
        assert!(out.lines().nth(1).unwrap().starts_with("        &v0, &v1,"));
        assert!(out.ends_with("    ];\n"));
    }

    #[test]
    fn strings_escape_like_the_token_printer() {
        assert_eq!(string("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(string("é"), "\"é\"");
    }
}
