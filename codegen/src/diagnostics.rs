//! One diagnostic type for every stage, and the only place that knows how it is rendered.

use crate::source::{SourceMap, Span};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// Which kind of problem a diagnostic reports: a stable code (`E0302`) users can search for.
/// The table in `docs/diagnostics.md` lists every code; a test keeps the two in step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    // Files and the config: E00xx.
    Io,
    NotUtf8,
    ConfigSyntax,
    ConfigUnknownKey,
    ConfigValue,
    ConfigVersion,
    ConfigEngine,
    ConfigPath,
    ConfigDuplicatePackage,
    ConfigOut,
    ConfigUses,
    ConfigNoPackages,
    Ownership,
    ConfigOutputName,
    // Query files and SQL syntax: E01xx.
    Syntax,
    Annotation,
    MissingCommand,
    UnknownCommand,
    NoStatement,
    ParameterSyntax,
    DuplicateQuery,
    TooDeep,
    TooLarge,
    QueryFileName,
    // The schema: E02xx.
    DuplicateRelation,
    DuplicateType,
    DuplicateColumn,
    UnknownTableInDdl,
    UnknownColumnInDdl,
    UnknownType,
    EnumLabel,
    InheritedColumn,
    // Queries: E03xx.
    UnknownRelation,
    UnknownSchema,
    UnknownColumn,
    AmbiguousColumn,
    MissingFromEntry,
    UnknownFunction,
    FunctionArguments,
    Operator,
    ParameterGap,
    UntypedParameter,
    ParameterTypes,
    NoSuchParameter,
    Unsupported,
    ColumnCount,
    Embed,
    OnConflict,
    FieldAccess,
    NoColumns,
    CopyFromShape,
    InvalidLiteral,
    /// A column neither grouped nor aggregated, or an aggregate where none may stand.
    Grouping,
    /// A `-- sqlgen:` directive (optional condition, sort, keyset) that cannot be honoured.
    Dynamic,
    // Code generation: E04xx.
    NoRustMapping,
    CommandNotGenerated,
    // Warnings.
    IgnoredOption,
    NoSchema,
    EmptyQueryFile,
    NoAnnotation,
    SkippedStatement,
    ExtensionType,
    NoRustfmt,
}

impl Code {
    /// Every code, in the order of the documentation table.
    pub const ALL: &'static [Code] = &[
        Code::Io,
        Code::NotUtf8,
        Code::ConfigSyntax,
        Code::ConfigUnknownKey,
        Code::ConfigValue,
        Code::ConfigVersion,
        Code::ConfigEngine,
        Code::ConfigPath,
        Code::ConfigDuplicatePackage,
        Code::ConfigOut,
        Code::ConfigUses,
        Code::ConfigNoPackages,
        Code::Ownership,
        Code::ConfigOutputName,
        Code::Syntax,
        Code::Annotation,
        Code::MissingCommand,
        Code::UnknownCommand,
        Code::NoStatement,
        Code::ParameterSyntax,
        Code::DuplicateQuery,
        Code::TooDeep,
        Code::TooLarge,
        Code::QueryFileName,
        Code::DuplicateRelation,
        Code::DuplicateType,
        Code::DuplicateColumn,
        Code::UnknownTableInDdl,
        Code::UnknownColumnInDdl,
        Code::UnknownType,
        Code::EnumLabel,
        Code::InheritedColumn,
        Code::UnknownRelation,
        Code::UnknownSchema,
        Code::UnknownColumn,
        Code::AmbiguousColumn,
        Code::MissingFromEntry,
        Code::UnknownFunction,
        Code::FunctionArguments,
        Code::Operator,
        Code::ParameterGap,
        Code::UntypedParameter,
        Code::ParameterTypes,
        Code::NoSuchParameter,
        Code::Unsupported,
        Code::ColumnCount,
        Code::Embed,
        Code::OnConflict,
        Code::FieldAccess,
        Code::NoColumns,
        Code::CopyFromShape,
        Code::InvalidLiteral,
        Code::Grouping,
        Code::Dynamic,
        Code::NoRustMapping,
        Code::CommandNotGenerated,
        Code::IgnoredOption,
        Code::NoSchema,
        Code::EmptyQueryFile,
        Code::NoAnnotation,
        Code::SkippedStatement,
        Code::ExtensionType,
        Code::NoRustfmt,
    ];

    /// The code as printed: `E0302`, `W0201`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "E0001",
            Code::NotUtf8 => "E0002",
            Code::ConfigSyntax => "E0003",
            Code::ConfigUnknownKey => "E0004",
            Code::ConfigValue => "E0005",
            Code::ConfigVersion => "E0006",
            Code::ConfigEngine => "E0007",
            Code::ConfigPath => "E0008",
            Code::ConfigDuplicatePackage => "E0009",
            Code::ConfigOut => "E0010",
            Code::ConfigUses => "E0011",
            Code::ConfigNoPackages => "E0012",
            Code::Ownership => "E0013",
            Code::ConfigOutputName => "E0014",
            Code::Syntax => "E0101",
            Code::Annotation => "E0102",
            Code::MissingCommand => "E0103",
            Code::UnknownCommand => "E0104",
            Code::NoStatement => "E0106",
            Code::ParameterSyntax => "E0108",
            Code::DuplicateQuery => "E0110",
            Code::TooDeep => "E0111",
            Code::TooLarge => "E0112",
            Code::QueryFileName => "E0113",
            Code::DuplicateRelation => "E0201",
            Code::DuplicateType => "E0202",
            Code::DuplicateColumn => "E0203",
            Code::UnknownTableInDdl => "E0204",
            Code::UnknownColumnInDdl => "E0205",
            Code::UnknownType => "E0206",
            Code::EnumLabel => "E0207",
            Code::InheritedColumn => "E0208",
            Code::UnknownRelation => "E0301",
            Code::UnknownSchema => "E0302",
            Code::UnknownColumn => "E0303",
            Code::AmbiguousColumn => "E0304",
            Code::MissingFromEntry => "E0305",
            Code::UnknownFunction => "E0306",
            Code::FunctionArguments => "E0307",
            Code::Operator => "E0308",
            Code::ParameterGap => "E0309",
            Code::UntypedParameter => "E0310",
            Code::ParameterTypes => "E0311",
            Code::NoSuchParameter => "E0312",
            Code::Unsupported => "E0313",
            Code::ColumnCount => "E0314",
            Code::Embed => "E0315",
            Code::OnConflict => "E0316",
            Code::FieldAccess => "E0317",
            Code::NoColumns => "W0301",
            Code::CopyFromShape => "E0319",
            Code::InvalidLiteral => "E0320",
            Code::Grouping => "E0321",
            Code::Dynamic => "E0322",
            Code::NoRustMapping => "E0401",
            Code::CommandNotGenerated => "E0402",
            Code::IgnoredOption => "W0001",
            Code::NoSchema => "W0002",
            Code::EmptyQueryFile => "W0101",
            Code::NoAnnotation => "W0102",
            Code::SkippedStatement => "W0201",
            Code::ExtensionType => "W0202",
            Code::NoRustfmt => "W0401",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message about user input, located when there is a place to point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Where the problem is, with an optional label under the caret.
    pub primary: Option<(Span, String)>,
    /// Other places worth showing (a previous definition, the other use of a parameter).
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
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
        self.render_styled(sources, false)
    }

    /// [`Diagnostic::render`], with ANSI colours when `color` is set (a terminal).
    pub fn render_styled(&self, sources: &SourceMap, color: bool) -> String {
        let paint = Paint(color);
        let mut out = String::new();
        let (kind, kind_style) = match self.severity {
            Severity::Error => ("error", RED),
            Severity::Warning => ("warning", YELLOW),
        };
        let _ = writeln!(
            out,
            "{}{}",
            paint.on(kind_style, &format!("{kind}[{}]", self.code)),
            paint.on(BOLD, &format!(": {}", self.message))
        );
        let spans: Vec<&(Span, String)> =
            self.primary.iter().chain(self.secondary.iter()).collect();
        let width = spans
            .iter()
            .map(|(s, _)| s.start.line.to_string().len())
            .max()
            .unwrap_or(0);
        let pad = " ".repeat(width);
        let gutter = |text: &str| paint.on(BLUE, text);
        // The part of the last shown line that was shown, for labels under the same line.
        let mut window = (0, 0);
        for (i, (span, label)) in spans.iter().enumerate() {
            let file = sources.get(span.file);
            // A label on the line just shown goes under it, without repeating the line.
            let same_line = i > 0 && {
                let prev = spans[i - 1].0;
                prev.file == span.file && prev.start.line == span.start.line
            };
            let arrow = if i == 0 { "-->" } else { ":::" };
            if !same_line {
                let _ = writeln!(
                    out,
                    "{pad}{} {}:{}:{}",
                    gutter(arrow),
                    file.display,
                    span.start.line,
                    span.start.col
                );
            }
            let line: Vec<char> = file.line(span.start.line).chars().collect();
            let start = span.start.col.max(1) as usize;
            let end = if span.end.line == span.start.line && span.end.col > span.start.col {
                span.end.col as usize
            } else if span.end.line > span.start.line {
                line.len() + 1
            } else {
                start + 1
            };
            // A long line (minified SQL, a generated file) is cut to a window around the span.
            let (lo, hi) = if same_line {
                window
            } else if line.len() > LONG_LINE {
                let lo = (start - 1).saturating_sub(CONTEXT).min(line.len());
                let hi = (end.max(start + 1) - 1 + CONTEXT)
                    .min(lo + LONG_LINE)
                    .min(line.len());
                (lo, hi)
            } else {
                (0, line.len())
            };
            window = (lo, hi);
            let (head, tail) = (
                if lo > 0 { "..." } else { "" },
                if hi < line.len() { "..." } else { "" },
            );
            if !same_line {
                let _ = writeln!(out, "{pad} {}", gutter("|"));
                let number = format!("{:>width$} |", span.start.line);
                let _ = writeln!(
                    out,
                    "{} {head}{}{tail}",
                    gutter(&number),
                    shown_line(line[lo..hi].iter().copied())
                );
            }
            // Columns count characters; the caret line counts display cells, as the shown line does.
            let from = (start - 1).clamp(lo, hi);
            let to = (end - 1).clamp(from, hi);
            let before = head.len() + display_width(line[lo..from].iter().copied());
            let under = display_width(line[from..to].iter().copied()).max(1);
            let (mark, style) = if i == 0 {
                ("^", kind_style)
            } else {
                ("-", BLUE)
            };
            let label = if label.is_empty() {
                String::new()
            } else {
                format!(" {label}")
            };
            let _ = writeln!(
                out,
                "{pad} {} {}{}",
                gutter("|"),
                " ".repeat(before),
                paint.on(style, &format!("{}{label}", mark.repeat(under)))
            );
        }
        if !spans.is_empty() && (self.help.is_some() || !self.notes.is_empty()) {
            let _ = writeln!(out, "{pad} {}", gutter("|"));
        }
        for note in &self.notes {
            let _ = writeln!(out, "{pad} {} {note}", gutter("= note:"));
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "{pad} {} {help}", gutter("= help:"));
        }
        out
    }
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";

/// ANSI styling that is a no-op when colours are off.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn on(self, style: &str, text: &str) -> String {
        if self.0 {
            format!("{style}{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

const TAB_WIDTH: usize = 4;

/// Lines longer than this many characters are shown as a window around the span.
const LONG_LINE: usize = 160;
/// Characters of context kept on each side of the span in such a window.
const CONTEXT: usize = 60;

/// A source line as printed: tabs become [`TAB_WIDTH`] spaces, other control characters a
/// replacement mark, so that nothing in the input can move the terminal's cursor.
fn shown_line(line: impl Iterator<Item = char>) -> String {
    line.map(|c| match c {
        '\t' => " ".repeat(TAB_WIDTH),
        c if c.is_control() => "\u{fffd}".to_string(),
        c => c.to_string(),
    })
    .collect()
}

/// Terminal cells the characters take in [`shown_line`]: tabs [`TAB_WIDTH`], East Asian wide
/// characters and emoji two, combining marks none, everything else one.
fn display_width(chars: impl Iterator<Item = char>) -> usize {
    chars
        .map(|c| match c as u32 {
            0x09 => TAB_WIDTH,
            0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F => 0,
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

/// Renders every diagnostic, errors and warnings in the order they were found.
pub fn render_all(diags: &[Diagnostic], sources: &SourceMap) -> String {
    render_all_styled(diags, sources, false)
}

/// [`render_all`], with ANSI colours when `color` is set.
pub fn render_all_styled(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for d in diags {
        out.push_str(&d.render_styled(sources, color));
        out.push('\n');
    }
    let errors = diags.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        let _ = writeln!(
            out,
            "{}: aborting due to {errors} previous error{}",
            Paint(color).on(RED, "error"),
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
    // One letter is too little to guess from: `t` is one edit from every other one-letter name.
    let limit = match n {
        0 | 1 => 0,
        2 => 1,
        _ => (n / 3).max(2),
    };
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
        let d = Diagnostic::error(Code::UnknownColumn, "column `emial` does not exist")
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
            "error[E0303]: column `emial` does not exist\n --> q.sql:1:8\n  |\n1 | SELECT emial\n  |        ^^^^^ not found in `users`\n  |\n  = help: did you mean `email`?\n"
        );
    }

    /// The shown source line and the caret line of a one-span rendering.
    fn shown_and_carets(text: &str, line: u32, from: u32, to: u32) -> (String, String) {
        let mut map = SourceMap::default();
        let id = map.add(SourceFile::new("q.sql".into(), "q.sql".into(), text.into()));
        let pos = |col| crate::source::Pos { line, col };
        let out = Diagnostic::error(Code::UnknownColumn, "x")
            .at(Span::new(id, pos(from), pos(to)))
            .render(&map);
        let lines: Vec<&str> = out.lines().collect();
        (lines[3].to_string(), lines[4].to_string())
    }

    #[test]
    fn carets_stay_under_the_span_with_tabs_wide_characters_and_long_lines() {
        let (shown, carets) = shown_and_carets("\tSELECT\tnmae FROM t", 1, 9, 13);
        assert_eq!(shown, "1 |     SELECT    nmae FROM t");
        assert_eq!(carets.find('^'), shown.find("nmae"));
        assert_eq!(carets.matches('^').count(), 4);
        // Two cells per CJK character.
        let (shown, carets) = shown_and_carets("SELECT '世界', nmae", 1, 14, 18);
        assert_eq!(
            carets.find('^').unwrap() - 4,
            "SELECT '世界', ".chars().count() + 2
        );
        assert!(shown.ends_with("nmae"));
        // A 10,000-character line shows a window with the span inside it.
        let long = format!("SELECT {} nmae {}", "1+".repeat(5000), "+1".repeat(5000));
        let col = long.find("nmae").unwrap() as u32 + 1;
        let (shown, carets) = shown_and_carets(&long, 1, col, col + 4);
        assert!(shown.len() < 200, "{shown}");
        assert!(shown.contains("..."), "{shown}");
        assert_eq!(carets.find('^'), shown.find("nmae"));
    }

    #[test]
    fn colour_only_when_asked() {
        let mut map = SourceMap::default();
        let id = map.add(SourceFile::new(
            "q.sql".into(),
            "q.sql".into(),
            "SELECT x".into(),
        ));
        let d = Diagnostic::warning(Code::SkippedStatement, "w").at(Span::point(id, 1, 8));
        assert!(!d.render(&map).contains('\x1b'));
        let styled = d.render_styled(&map, true);
        assert!(
            styled.starts_with("\x1b[1;33mwarning[W0201]\x1b[0m"),
            "{styled:?}"
        );
    }

    #[test]
    fn every_code_is_documented_once() {
        let doc = include_str!("../../docs/diagnostics.md");
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice in Code::ALL");
            assert!(
                doc.contains(&format!("| `{code}` |")),
                "{code} is not in docs/diagnostics.md"
            );
        }
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
