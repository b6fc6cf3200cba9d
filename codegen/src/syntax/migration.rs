//! Migration files: natural ordering, and the up part of each file for every common migration tool.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// Orders file names as people number migrations: digit runs compare as numbers,
/// so `9_x.sql` comes before `10_y.sql`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, _) => return Ordering::Less,
            (_, None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let na = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let nb = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let da = trim_zeros(&a[..na]);
                let db = trim_zeros(&b[..nb]);
                let ord = da
                    .len()
                    .cmp(&db.len())
                    .then_with(|| da.cmp(db))
                    .then_with(|| na.cmp(&nb));
                if ord != Ordering::Equal {
                    return ord;
                }
                a = &a[na..];
                b = &b[nb..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|c| **c == b'0').count();
    &d[z.min(d.len().saturating_sub(1))..]
}

/// The `.sql` files of a schema path (a file, or a folder read non-recursively), in natural order,
/// without golang-migrate's `*.down.sql` files.
pub fn schema_files(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Not `is_file`: a `.sql` entry that cannot be read (a dangling link) must be reported, not skipped.
        .filter(|p| !p.is_dir() && p.extension().is_some_and(|e| e == "sql"))
        .filter(|p| !p.to_string_lossy().ends_with(".down.sql"))
        .collect();
    files.sort_by(|a, b| {
        natural_cmp(
            &a.file_name().unwrap().to_string_lossy(),
            &b.file_name().unwrap().to_string_lossy(),
        )
    });
    Ok(files)
}

/// The text of a migration that builds the schema: the down section (goose, dbmate, sql-migrate, tern)
/// and psql meta-command lines are blanked out, keeping line numbers intact for diagnostics.
pub fn up_sql(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut down = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        match marker(t) {
            Some(Marker::Down) => down = true,
            Some(Marker::Up) => down = false,
            None => {}
        }
        if down || t.starts_with('\\') {
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(line);
        }
    }
    out
}

enum Marker {
    Up,
    Down,
}

/// The migration tools' section markers: goose (`-- +goose Down`, also `--+goose down`),
/// dbmate (`-- migrate:down`), sql-migrate (`-- +migrate Down`) and tern's divider line.
fn marker(line: &str) -> Option<Marker> {
    if line == "---- create above / drop below ----" {
        return Some(Marker::Down);
    }
    let body = line.strip_prefix("--")?.trim().to_ascii_lowercase();
    let words: Vec<&str> = body.split_whitespace().collect();
    match words.as_slice() {
        ["+goose", "down", ..] | ["migrate:down", ..] | ["+migrate", "down", ..] => {
            Some(Marker::Down)
        }
        ["+goose", "up", ..] | ["migrate:up", ..] | ["+migrate", "up", ..] => Some(Marker::Up),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["10_b.sql", "9_a.sql", "001_x.sql", "2_c.sql", "a.sql"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            vec!["001_x.sql", "2_c.sql", "9_a.sql", "10_b.sql", "a.sql"]
        );
    }

    #[test]
    fn down_sections_of_every_tool_are_dropped() {
        for (up, down) in [
            ("-- +goose Up", "-- +goose Down"),
            ("-- migrate:up", "-- migrate:down"),
            ("-- +migrate Up", "-- +migrate Down"),
            ("", "---- create above / drop below ----"),
        ] {
            let text = format!(
                "{up}\nCREATE TABLE a (x int);\n\\set ON_ERROR_STOP on\n{down}\nDROP TABLE a;\n"
            );
            let got = up_sql(&text);
            assert!(up_sql("--+goose   Down\nDROP TABLE t;").trim().is_empty());
            let mention = "-- see -- +goose Down below\nSELECT 1;\n";
            assert_eq!(up_sql(mention), mention);
            assert!(got.contains("CREATE TABLE a"), "{got}");
            assert!(!got.contains("DROP TABLE"), "{got}");
            assert!(!got.contains("ON_ERROR_STOP"), "{got}");
            assert_eq!(got.lines().count(), text.lines().count());
        }
    }
}
