//! Finding the migrations folder and reading the up-migration SQL out of it.

use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root: two levels above this crate (`services/testsupport`).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| {
            panic!(
                "testsupport is not two levels below a workspace root: {}",
                manifest_dir.display()
            )
        })
        .to_path_buf()
}

/// `<workspace root>/db/migrations`, the folder [`crate::fresh_db`] builds from.
pub fn migrations_dir() -> PathBuf {
    workspace_root().join("db").join("migrations")
}

/// The up-migration SQL of every `*.sql` file in `dir`, one string per file, in
/// the order the migrations apply.
///
/// Files are taken in natural order (`9_x.sql` before `10_y.sql`) and each is cut
/// at its goose `-- +goose Down` line.
/// This is the one place that knows the migration file format; it is meant to be
/// replaced by the codegen library's reader, which knows every tool's syntax.
///
/// # Panics
///
/// If the folder or a file cannot be read: a test without its schema must fail
/// loudly, not run against an empty database.
pub fn migration_sql(dir: &Path) -> Vec<String> {
    let entries = fs::read_dir(dir).unwrap_or_else(|error| {
        panic!("cannot read migrations folder `{}`: {error}", dir.display())
    });
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.unwrap_or_else(|error| {
            panic!("cannot read migrations folder `{}`: {error}", dir.display())
        });
        let path = entry.path();
        let is_sql = path.extension().is_some_and(|extension| extension == "sql");
        if is_sql && path.is_file() {
            files.push((entry.file_name().to_string_lossy().into_owned(), path));
        }
    }
    files.sort_by(|(a, _), (b, _)| natural_cmp(a, b));
    files
        .iter()
        .map(|(_, path)| {
            let text = fs::read_to_string(path).unwrap_or_else(|error| {
                panic!("cannot read migration `{}`: {error}", path.display())
            });
            goose_up_section(&text).to_owned()
        })
        .collect()
}

/// The text above the first `-- +goose Down` line (all of it if there is none).
fn goose_up_section(text: &str) -> &str {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if is_goose_down(line) {
            return &text[..offset];
        }
        offset += line.len();
    }
    text
}

/// Whether `line` is goose's down marker; like goose, spacing after `--` does not
/// matter.
fn is_goose_down(line: &str) -> bool {
    let Some(comment) = line.trim().strip_prefix("--") else {
        return false;
    };
    let mut words = comment.split_whitespace();
    words.next() == Some("+goose")
        && words
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("down"))
        && words.next().is_none()
}

/// Compares file names so that runs of digits compare as numbers.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a_rest, mut b_rest) = (a, b);
    loop {
        match (a_rest.chars().next(), b_rest.chars().next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (a_digits, a_after) = split_digits(a_rest);
                let (b_digits, b_after) = split_digits(b_rest);
                // Leading zeros are not significant: compare the remaining digits
                // by length first, then digit by digit, so no width can overflow.
                let (a_number, b_number) = (
                    a_digits.trim_start_matches('0'),
                    b_digits.trim_start_matches('0'),
                );
                let order = a_number
                    .len()
                    .cmp(&b_number.len())
                    .then_with(|| a_number.cmp(b_number));
                if order != Ordering::Equal {
                    return order;
                }
                (a_rest, b_rest) = (a_after, b_after);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a_rest, b_rest) = (&a_rest[x.len_utf8()..], &b_rest[y.len_utf8()..]);
            }
        }
    }
}

fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_prefixes_compare_as_numbers() {
        let mut names = vec![
            "10_votes.sql",
            "9_users.sql",
            "0002_b.sql",
            "1_a.sql",
            "20240101120000_late.sql",
            "100_z.sql",
            "2_a.sql",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "1_a.sql",
                "2_a.sql",
                "0002_b.sql",
                "9_users.sql",
                "10_votes.sql",
                "100_z.sql",
                "20240101120000_late.sql"
            ]
        );
    }

    #[test]
    fn goose_down_section_is_cut_off() {
        let text = "-- +goose Up\nCREATE TABLE t (id int);\n\n-- +goose Down\nDROP TABLE t;\n";
        assert_eq!(
            goose_up_section(text),
            "-- +goose Up\nCREATE TABLE t (id int);\n\n"
        );
        assert_eq!(goose_up_section("--+goose   Down\nDROP TABLE t;"), "");
        assert_eq!(
            goose_up_section("CREATE TABLE t (id int);"),
            "CREATE TABLE t (id int);"
        );
        // Mentioning the marker inside a longer comment is not the marker.
        let mention = "-- see -- +goose Down below\nSELECT 1;\n";
        assert_eq!(goose_up_section(mention), mention);
    }
}
