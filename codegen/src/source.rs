//! Loaded source files, file ids, spans and the line index used to render and locate diagnostics.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A position in a source file: 1-based line and column, columns counted in characters
/// (as sqlparser counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// A range in one file; `end` is exclusive and may equal `start` for a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(file: FileId, start: Pos, end: Pos) -> Self {
        Span { file, start, end }
    }

    pub fn point(file: FileId, line: u32, col: u32) -> Self {
        let p = Pos { line, col };
        Span {
            file,
            start: p,
            end: p,
        }
    }
}

/// One loaded text: its path as shown to the user and its content.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path shown in diagnostics (relative to the config's folder when possible).
    pub display: String,
    pub path: PathBuf,
    pub text: String,
    /// The text is a lossy stand-in for a file that is not UTF-8: shown in diagnostics, never analysed.
    pub invalid: bool,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(display: String, path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            display,
            path,
            text,
            invalid: false,
            line_starts,
        }
    }

    /// The text of a 1-based line without its line terminator.
    pub fn line(&self, line: u32) -> &str {
        let idx = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(idx) else {
            return "";
        };
        let end = self
            .line_starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> u32 {
        self.line_starts.len() as u32
    }

    /// Byte offset of a position; columns past the end of the line clamp to it.
    pub fn offset(&self, pos: Pos) -> usize {
        let idx = (pos.line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(idx) else {
            return self.text.len();
        };
        let line = self.line(pos.line);
        let col = (pos.col as usize).saturating_sub(1);
        start
            + line
                .char_indices()
                .nth(col)
                .map(|(i, _)| i)
                .unwrap_or(line.len())
    }

    /// Position of a byte offset.
    pub fn pos(&self, offset: usize) -> Pos {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[idx];
        let col = self.text[start..offset].chars().count();
        Pos {
            line: idx as u32 + 1,
            col: col as u32 + 1,
        }
    }
}

/// Every file loaded in one run, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// The first file added for each path: a large project looks its thousand files up often.
    by_path: HashMap<PathBuf, FileId>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.by_path.entry(file.path.clone()).or_insert(id);
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }
}

/// A path as diagnostics and generated headers show it: relative to the config's folder `root`,
/// with `/` separators.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy()
        .replace('\\', "/")
        .trim_start_matches("./")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_positions_count_characters() {
        let f = SourceFile::new("a".into(), "a".into(), "ab\nçd é\nx".into());
        assert_eq!(f.line(2), "çd é");
        assert_eq!(f.line_count(), 3);
        let p = Pos { line: 2, col: 4 };
        let off = f.offset(p);
        assert_eq!(&f.text[off..off + 2], "é");
        assert_eq!(f.pos(off), p);
        assert_eq!(f.pos(0), Pos { line: 1, col: 1 });
        assert_eq!(f.offset(Pos { line: 3, col: 1 }), f.text.len() - 1);
    }
}
