//! One diagnostic type for every stage, and the only place that knows how it is rendered.

use crate::source::{SourceMap, Span};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// A message about user input, located when there is a place to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where the problem is, with an optional label under the caret.
    pub primary: Option<(Span, String)>,
    /// Other places worth showing (a previous definition, the other use of a parameter).
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.primary = Some((span, String::new()));
        self
    }

    pub fn label(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some((span, label.into()));
        self
    }

    pub fn secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column`, or `None` when unlocated.
    pub fn location(&self, sources: &SourceMap) -> Option<String> {
        let (span, _) = self.primary.as_ref()?;
        let file = sources.get(span.file);
        Some(format!(
            "{}:{}:{}",
            file.display, span.start.line, span.start.col
        ))
    }

    /// Renders the diagnostic as rustc does: header, location arrow, source line and carets.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{kind}: {}", self.message);
        let spans: Vec<&(Span, String)> =
            self.primary.iter().chain(self.secondary.iter()).collect();
        let width = spans
            .iter()
            .map(|(s, _)| s.start.line.to_string().len())
            .max()
            .unwrap_or(0);
        let pad = " ".repeat(width);
        for (i, (span, label)) in spans.iter().enumerate() {
            let file = sources.get(span.file);
            let arrow = if i == 0 { "-->" } else { ":::" };
            let _ = writeln!(
                out,
                "{pad}{arrow} {}:{}:{}",
                file.display, span.start.line, span.start.col
            );
            let line = file.line(span.start.line);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(
                out,
                "{:>width$} | {}",
                span.start.line,
                line.replace('\t', " ")
            );
            let start = span.start.col.max(1) as usize;
            let line_len = line.chars().count();
            let end = if span.end.line == span.start.line && span.end.col > span.start.col {
                span.end.col as usize
            } else if span.end.line > span.start.line {
                line_len + 1
            } else {
                start + 1
            };
            let carets = end.saturating_sub(start).max(1);
            let mark = if i == 0 { "^" } else { "-" };
            let label = if label.is_empty() {
                String::new()
            } else {
                format!(" {label}")
            };
            let _ = writeln!(
                out,
                "{pad} | {}{}{label}",
                " ".repeat(start - 1),
                mark.repeat(carets)
            );
        }
        if !spans.is_empty() && (self.help.is_some() || !self.notes.is_empty()) {
            let _ = writeln!(out, "{pad} |");
        }
        for note in &self.notes {
            let _ = writeln!(out, "{pad} = note: {note}");
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{pad} = help: {help}");
        }
        out
    }
}

/// Renders every diagnostic, errors and warnings in the order they were found.
pub fn render_all(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.render(sources));
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "error: aborting due to {errors} previous error{}",
            if errors == 1 { "" } else { "s" }
        );
    }
    out
}

/// The closest candidate within a small edit distance, for `did you mean` help.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word_l = word.to_lowercase();
    let n = word.chars().count();
    let limit = if n >= 3 { (n / 3).max(2) } else { 1 };
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word_l, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.to_string()))
        .map(|(_, c)| c)
}

/// Edit distance where swapping two neighbours counts as one edit (`emial` is one from `email`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{SourceFile, Span};

    #[test]
    fn renders_like_rustc() {
        let mut map = SourceMap::default();
        let id = map.add(SourceFile::new(
            "q.sql".into(),
            "q.sql".into(),
            "SELECT emial\nFROM users;\n".into(),
        ));
        let d = Diagnostic::error("column `emial` does not exist")
            .label(
                Span::new(
                    id,
                    crate::source::Pos { line: 1, col: 8 },
                    crate::source::Pos { line: 1, col: 13 },
                ),
                "not found in `users`",
            )
            .help("did you mean `email`?");
        let text = d.render(&map);
        assert_eq!(
            text,
            "error: column `emial` does not exist\n --> q.sql:1:8\n  |\n1 | SELECT emial\n  |        ^^^^^ not found in `users`\n  |\n  = help: did you mean `email`?\n"
        );
    }

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(did_you_mean("emial", ["email", "name"]), Some("email"));
        assert_eq!(did_you_mean("xyz", ["email", "name"]), None);
        assert_eq!(
            did_you_mean("omit_unused_struct", ["omit_unused_structs", "out"]),
            Some("omit_unused_structs")
        );
    }
}
