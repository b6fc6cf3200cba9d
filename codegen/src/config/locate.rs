//! Where a key or list item of a package sits in a YAML config, for diagnostics that point at it.

/// Line and column of `item` in the list under `key` of the `pkg`-th package (`key: [a, b]` or a
/// block list below the key).
pub fn locate_item(text: &str, pkg: usize, key: &str, item: &str) -> Option<(u32, u32)> {
    let (line, _) = locate_key(text, Some(pkg), key)?;
    let lines: Vec<&str> = text.lines().collect();
    let key_indent = indent(lines[line as usize - 1]);
    for (i, l) in lines.iter().enumerate().skip(line as usize - 1) {
        if i >= line as usize && indent(l) <= key_indent && !l.trim_start().starts_with('-') {
            break;
        }
        let start = if i == line as usize - 1 {
            l.find(':').map(|c| c + 1).unwrap_or(0)
        } else {
            0
        };
        let mut from = start;
        while let Some(off) = l[from..].find(item) {
            let b = from + off;
            let before = l[..b].chars().last();
            let after = l[b + item.len()..].chars().next();
            let word =
                |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
            if !word(before) && !word(after) {
                return Some((i as u32 + 1, l[..b].chars().count() as u32 + 1));
            }
            from = b + item.len();
        }
    }
    None
}

/// Finds the line and column of `key:` at top level (`pkg == None`) or inside the `pkg`-th `sql:` entry.
/// A plain scan is enough: serde_yaml keeps no positions for values that deserialised fine.
pub fn locate_key(text: &str, pkg: Option<usize>, key: &str) -> Option<(u32, u32)> {
    let lines: Vec<&str> = text.lines().collect();
    let find_in = |from: usize, to: usize| {
        (from..to).find_map(|i| {
            let l = lines[i];
            let trimmed = l.trim_start_matches([' ', '-']);
            let col = l.len() - trimmed.len();
            let rest = trimmed.strip_prefix(key)?;
            rest.trim_start()
                .starts_with(':')
                .then_some((i as u32 + 1, col as u32 + 1))
        })
    };
    let Some(pkg) = pkg else {
        return find_in(0, lines.len());
    };
    let sql = lines.iter().position(|l| l.starts_with("sql:"))?;
    let items: Vec<usize> = (sql + 1..lines.len())
        .filter(|&i| {
            lines[i].trim_start().starts_with("- ")
                && indent(lines[i]) <= indent_of_first_item(&lines, sql)
        })
        .collect();
    let start = *items.get(pkg)?;
    let end = items.get(pkg + 1).copied().unwrap_or(lines.len());
    find_in(start, end).or(Some((start as u32 + 1, indent(lines[start]) as u32 + 1)))
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

fn indent_of_first_item(lines: &[&str], sql: usize) -> usize {
    lines[sql + 1..]
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map(|l| indent(l))
        .unwrap_or(0)
}
