//! Rust types written in `sqlgen.yaml` (`overrides`): checked and printed in rustfmt's spelling.
//!
//! The grammar is the part of Rust's type syntax a column type needs: paths with generic
//! arguments (`chrono::DateTime<chrono::Utc>`, `Foo<Item = T>`), references with a lifetime and
//! `mut`, slices, arrays with a literal length, and tuples. Anything else is not a column type.

/// `written` printed as rustfmt prints it on one line, or `None` when it is not such a type.
pub fn print(written: &str) -> Option<String> {
    let tokens = tokenize(written)?;
    let mut p = Parser { tokens, pos: 0 };
    let mut out = String::new();
    p.ty(&mut out, 0)?;
    (p.pos == p.tokens.len()).then_some(out)
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lifetime(String),
    Number(String),
    Punct(&'static str),
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let word = |i: usize| {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            j
        };
        if c.is_whitespace() {
            i += 1;
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push(Tok::Punct("::"));
            i += 2;
        } else if c == '\'' {
            let j = word(i + 1);
            if j == i + 1 {
                return None;
            }
            out.push(Tok::Lifetime(chars[i..j].iter().collect()));
            i = j;
        } else if c.is_ascii_digit() {
            let j = word(i);
            out.push(Tok::Number(chars[i..j].iter().collect()));
            i = j;
        } else if c.is_alphabetic() || c == '_' {
            let j = word(i);
            let mut w: String = chars[i..j].iter().collect();
            // A raw identifier (`r#type`).
            if w == "r" && chars.get(j) == Some(&'#') {
                let k = word(j + 1);
                w = chars[i..k].iter().collect();
                i = k;
            } else {
                i = j;
            }
            out.push(Tok::Ident(w));
        } else {
            let p = match c {
                '<' => "<",
                '>' => ">",
                ',' => ",",
                '&' => "&",
                '[' => "[",
                ']' => "]",
                '(' => "(",
                ')' => ")",
                ';' => ";",
                '=' => "=",
                _ => return None,
            };
            out.push(Tok::Punct(p));
            i += 1;
        }
    }
    Some(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

/// Keywords that cannot name a type or a path segment (`self`, `super`, `crate` and `Self` can).
const RESERVED: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
];

/// Nesting allowed in a written type; deeper text is not a column type anyone writes.
const MAX_DEPTH: usize = 32;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn eat(&mut self, p: &'static str) -> bool {
        if self.peek() == Some(&Tok::Punct(p)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        match self.peek()? {
            Tok::Ident(w) if !RESERVED.contains(&w.as_str()) => {
                let w = w.clone();
                self.pos += 1;
                Some(w)
            }
            _ => None,
        }
    }

    fn ty(&mut self, out: &mut String, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        if self.eat("&") {
            out.push('&');
            if let Some(Tok::Lifetime(l)) = self.peek() {
                out.push_str(l);
                out.push(' ');
                self.pos += 1;
            }
            if self.peek() == Some(&Tok::Ident("mut".into())) {
                out.push_str("mut ");
                self.pos += 1;
            }
            return self.ty(out, depth + 1);
        }
        if self.eat("[") {
            out.push('[');
            self.ty(out, depth + 1)?;
            if self.eat(";") {
                let Some(Tok::Number(n)) = self.peek().cloned() else {
                    return None;
                };
                self.pos += 1;
                out.push_str("; ");
                out.push_str(&n);
            }
            self.eat("]").then(|| out.push(']'))?;
            return Some(());
        }
        if self.eat("(") {
            out.push('(');
            let mut n = 0;
            while !self.eat(")") {
                if n > 0 {
                    if !self.eat(",") {
                        return None;
                    }
                    if self.eat(")") {
                        break;
                    }
                    out.push_str(", ");
                }
                self.ty(out, depth + 1)?;
                n += 1;
            }
            if n == 1 {
                out.push(',');
            }
            out.push(')');
            return Some(());
        }
        self.path(out, depth)
    }

    fn path(&mut self, out: &mut String, depth: usize) -> Option<()> {
        if self.eat("::") {
            out.push_str("::");
        }
        loop {
            out.push_str(&self.ident()?);
            if self.eat("<") {
                out.push('<');
                let mut first = true;
                while !self.eat(">") {
                    if !first {
                        if !self.eat(",") {
                            return None;
                        }
                        if self.eat(">") {
                            break;
                        }
                        out.push_str(", ");
                    }
                    first = false;
                    self.generic_arg(out, depth + 1)?;
                }
                out.push('>');
            }
            if !self.eat("::") {
                return Some(());
            }
            out.push_str("::");
        }
    }

    fn generic_arg(&mut self, out: &mut String, depth: usize) -> Option<()> {
        if let Some(Tok::Lifetime(l)) = self.peek() {
            out.push_str(l);
            self.pos += 1;
            return Some(());
        }
        // An associated type binding: `Item = T`.
        if let (Some(Tok::Ident(name)), Some(Tok::Punct("="))) =
            (self.tokens.get(self.pos), self.tokens.get(self.pos + 1))
        {
            out.push_str(name);
            out.push_str(" = ");
            self.pos += 2;
        }
        self.ty(out, depth)
    }
}

#[cfg(test)]
mod tests {
    use super::print;

    #[test]
    fn prints_types_as_rustfmt_does() {
        for (written, printed) in [
            (
                "chrono::DateTime < chrono::Utc >",
                "chrono::DateTime<chrono::Utc>",
            ),
            ("::std::vec::Vec<u8>", "::std::vec::Vec<u8>"),
            ("&'a  str", "&'a str"),
            ("& mut [u8 ; 16]", "&mut [u8; 16]"),
            ("(i32,)", "(i32,)"),
            ("( i32 , String , )", "(i32, String)"),
            ("()", "()"),
            ("Foo<'a, Item=Bar>", "Foo<'a, Item = Bar>"),
            ("crate::r#type::Id", "crate::r#type::Id"),
            ("Vec<Vec<u8>,>", "Vec<Vec<u8>>"),
        ] {
            assert_eq!(print(written).as_deref(), Some(printed), "{written}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_column_type() {
        for written in [
            "",
            "Vec<",
            "Vec<u8>>",
            "fn()",
            "dyn Trait",
            "impl Trait",
            "a::",
            "[u8; N]",
            "1",
            "Vec<u8> extra",
            "foo bar",
            "a-b",
            "&",
        ] {
            assert_eq!(print(written), None, "{written}");
        }
    }
}
