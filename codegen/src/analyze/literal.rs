//! Input syntax of quoted literals cast to a type (`'42'::int4`, `'{1,2}'::int8[]`, `'ok'::mood`):
//! PostgreSQL reads such a constant when it prepares the statement, so a malformed one is an
//! error before any row is touched. Checked here for the types whose input rules are simple and
//! fixed, and, for date/time, network and money types, where a rule can only refuse what the server
//! refuses too; any other type's literal is left for the server to judge.

use crate::ir::PgType;

/// What the catalogue knows of user types a literal may be read as.
pub trait UserTypes {
    fn enum_labels(&self, q: &crate::ir::QualName) -> Option<&[String]>;
    fn composite_fields(&self, q: &crate::ir::QualName) -> Option<Vec<PgType>>;
}

impl UserTypes for crate::catalog::Catalog {
    fn enum_labels(&self, q: &crate::ir::QualName) -> Option<&[String]> {
        self.enums
            .iter()
            .find(|e| &e.name == q)
            .map(|e| e.values.as_slice())
    }

    fn composite_fields(&self, q: &crate::ir::QualName) -> Option<Vec<PgType>> {
        self.composites
            .iter()
            .find(|c| &c.name == q)
            .map(|c| c.fields.iter().map(|(_, t)| t.clone()).collect())
    }
}

/// Checks `text` as input of `ty`; the error is PostgreSQL's own message.
pub fn check(text: &str, ty: &PgType, types: &dyn UserTypes) -> Result<(), String> {
    match ty {
        PgType::Domain(_, base) => check(text, base, types),
        PgType::Bool => boolean(text),
        PgType::Int2 => integer(text, i16::MIN.into(), i16::MAX.into(), "smallint"),
        PgType::Int4 => integer(text, i32::MIN.into(), i32::MAX.into(), "integer"),
        PgType::Int8 => integer(text, i64::MIN.into(), i64::MAX.into(), "bigint"),
        PgType::Oid => integer(text, i32::MIN.into(), u32::MAX.into(), "oid"),
        PgType::Float4 => float(text, "real"),
        PgType::Float8 => float(text, "double precision"),
        PgType::Numeric => numeric(text),
        PgType::Uuid => uuid(text),
        PgType::Json | PgType::Jsonb => json(text),
        PgType::Macaddr => macaddr(text),
        PgType::Date => datetime(text, "date", DATE_WORDS),
        PgType::Timestamp => datetime(text, "timestamp", DATE_WORDS),
        PgType::Timestamptz => datetime(text, "timestamp with time zone", DATE_WORDS),
        PgType::Time => datetime(text, "time", TIME_WORDS),
        PgType::Timetz => datetime(text, "time with time zone", TIME_WORDS),
        PgType::Interval => interval(text),
        PgType::Inet => network(text, "inet"),
        PgType::Cidr => network(text, "cidr"),
        PgType::Money => money(text),
        PgType::Enum(q) => match types.enum_labels(q) {
            Some(labels) if !labels.iter().any(|l| l == text) => Err(format!(
                "invalid input value for enum {}: \"{text}\"",
                q.name
            )),
            _ => Ok(()),
        },
        PgType::Composite(q) => match types.composite_fields(q) {
            Some(fields) => record(text, &fields, types),
            None => Ok(()),
        },
        PgType::Array(inner) => array(text, inner, types),
        _ => Ok(()),
    }
}

fn invalid(type_name: &str, text: &str) -> String {
    format!("invalid input syntax for type {type_name}: \"{text}\"")
}

fn boolean(text: &str) -> Result<(), String> {
    let t = text.trim().to_ascii_lowercase();
    // A unique prefix of a word is accepted (`tr`, `fa`, `y`); `o` alone is ambiguous.
    let ok = ["true", "false", "yes", "no", "on", "off"]
        .iter()
        .any(|w| !t.is_empty() && w.starts_with(&t) && t != "o")
        || t == "1"
        || t == "0";
    if ok {
        Ok(())
    } else {
        Err(invalid("boolean", text))
    }
}

fn integer(text: &str, min: i128, max: i128, type_name: &str) -> Result<(), String> {
    let t = text.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid(type_name, text));
    }
    match t.parse::<i128>() {
        Ok(v) if v >= min && v <= max => Ok(()),
        _ => Err(format!(
            "value \"{text}\" is out of range for type {type_name}"
        )),
    }
}

/// The spellings of infinities and NaN that float and numeric input take, in any case.
fn special(t: &str) -> bool {
    let t = t.to_ascii_lowercase();
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(&t);
    matches!(unsigned, "infinity" | "inf") || t == "nan"
}

/// `[+-]digits[.digits][e[+-]digits]`, with at least one digit before the exponent.
fn decimal(t: &str) -> bool {
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let mut parts = mantissa.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let frac = parts.next().unwrap_or("");
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(whole) && digits(frac) && !(whole.is_empty() && frac.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

fn float(text: &str, type_name: &str) -> Result<(), String> {
    let t = text.trim();
    if special(t) {
        return Ok(());
    }
    if !decimal(t) {
        return Err(invalid(type_name, text));
    }
    let v: f64 = t.parse().map_err(|_| invalid(type_name, text))?;
    let limit = if type_name == "real" {
        f64::from(f32::MAX)
    } else {
        f64::MAX
    };
    if v.is_infinite() || v.abs() > limit {
        return Err(format!("\"{text}\" is out of range for type {type_name}"));
    }
    Ok(())
}

fn numeric(text: &str) -> Result<(), String> {
    let t = text.trim();
    if special(t) || decimal(t) {
        Ok(())
    } else {
        Err(invalid("numeric", text))
    }
}

fn uuid(text: &str) -> Result<(), String> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(t);
    // 32 hex digits; a hyphen may follow any group of four.
    let mut count = 0;
    let mut ok = !t.starts_with('-');
    let mut prev_hyphen = false;
    for c in t.chars() {
        if c == '-' {
            ok &= count % 4 == 0 && !prev_hyphen && count < 32;
            prev_hyphen = true;
        } else if c.is_ascii_hexdigit() {
            count += 1;
            prev_hyphen = false;
        } else {
            ok = false;
        }
    }
    if ok && count == 32 && !prev_hyphen {
        Ok(())
    } else {
        Err(invalid("uuid", text))
    }
}

/// `macaddr` input: PostgreSQL tries seven `sscanf` formats, each `%2x` one or two hex digits
/// after optional spaces: `08:00:2b:01:02:03`, `08-00-...`, `08002b:010203`, `08002b-010203`,
/// `0800.2b01.0203`, `0800-2b01-0203`, `08002b010203`.
fn macaddr(text: &str) -> Result<(), String> {
    const FORMATS: [&str; 7] = [
        "x:x:x:x:x:x",
        "x-x-x-x-x-x",
        "xxx:xxx",
        "xxx-xxx",
        "xx.xx.xx",
        "xx-xx-xx",
        "xxxxxx",
    ];
    let matches = |format: &str| {
        let b = text.as_bytes();
        let mut i = 0;
        for f in format.bytes() {
            if f == b'x' {
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let start = i;
                while i < b.len() && i - start < 2 && b[i].is_ascii_hexdigit() {
                    i += 1;
                }
                if i == start {
                    return false;
                }
            } else if b.get(i) == Some(&f) {
                i += 1;
            } else {
                return false;
            }
        }
        b[i..].iter().all(u8::is_ascii_whitespace)
    };
    if FORMATS.iter().any(|f| matches(f)) {
        Ok(())
    } else {
        Err(invalid("macaddr", text))
    }
}

/// The special values that stand for a whole date (or timestamp) without any digit.
const DATE_WORDS: &[&str] = &["epoch", "infinity", "now", "today", "tomorrow", "yesterday"];
/// The special values that stand for a whole time of day without any digit.
const TIME_WORDS: &[&str] = &["now", "allballs"];

/// Date and time input: PostgreSQL needs a number for a date or a time, so a text without any
/// digit is valid only when it names a special value (`now`, `today`, `epoch`, `allballs`, ...).
/// The full grammar (field orders, month names, time zones) is left to the server: this only
/// refuses what it refuses for every `DateStyle` and time zone setting.
fn datetime(text: &str, type_name: &str, words: &[&str]) -> Result<(), String> {
    let lower = text.to_ascii_lowercase();
    if lower.bytes().any(|b| b.is_ascii_digit()) || words.iter().any(|w| lower.contains(w)) {
        Ok(())
    } else {
        Err(invalid(type_name, text))
    }
}

/// Interval input: a number of some unit is needed, except in the ISO 8601 form (`PT`, which
/// starts with `P`) and for `infinity` (read since PostgreSQL 17).
fn interval(text: &str) -> Result<(), String> {
    let lower = text.trim().to_ascii_lowercase();
    let ok = lower.bytes().any(|b| b.is_ascii_digit())
        || lower.starts_with('p')
        || lower.contains("infinity");
    if ok {
        Ok(())
    } else {
        Err(invalid("interval", text))
    }
}

/// `inet`/`cidr` input: hex digits, dots, colons and a `/bits` suffix, with no space anywhere.
/// Without a colon it is IPv4: decimal only, except that `cidr` also reads a `0x` hex number.
fn network(text: &str, type_name: &str) -> Result<(), String> {
    let allowed = |b: u8| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/' | b'x' | b'X');
    let ipv4 = |t: &str| {
        t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'/'))
    };
    let hex = type_name == "cidr" && (text.starts_with("0x") || text.starts_with("0X"));
    let ok =
        !text.is_empty() && text.bytes().all(allowed) && (text.contains(':') || hex || ipv4(text));
    if ok {
        Ok(())
    } else {
        Err(invalid(type_name, text))
    }
}

/// `money` input: digits with separators, a sign or parentheses and the currency symbol. Letters
/// are refused as with `lc_monetary` set to `C` or an English locale, whose symbol is `$` (a
/// server whose currency symbol is spelt with letters reads more).
fn money(text: &str) -> Result<(), String> {
    if text.bytes().any(|b| b.is_ascii_alphabetic()) {
        Err(invalid("money", text))
    } else {
        Ok(())
    }
}

fn json(text: &str) -> Result<(), String> {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => Ok(()),
        Err(_) => Err("invalid input syntax for type json".to_string()),
    }
}

/// One element of an array or record literal: its text (`None` for an unquoted NULL) and whether
/// it was quoted (a quoted `"{1}"` is a string, not a nested array; a quoted `""` is not empty).
type Item = (Option<String>, bool);

/// Splits the inside of `{...}` or `(...)` on top-level `sep`, unquoting double-quoted items and
/// marking unquoted `NULL`s (for arrays) as `None`.
fn items(inner: &str, sep: char, nested: bool) -> Option<Vec<Item>> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut depth = 0usize;
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => cur.push(chars.next()?),
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '{' if nested && !quoted => {
                depth += 1;
                cur.push(c);
            }
            '}' if nested && !quoted => {
                depth = depth.checked_sub(1)?;
                cur.push(c);
            }
            c if c == sep && !quoted && depth == 0 => {
                out.push(item(&cur, was_quoted));
                cur.clear();
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    if quoted || depth != 0 {
        return None;
    }
    out.push(item(&cur, was_quoted));
    Some(out)
}

fn item(raw: &str, quoted: bool) -> Item {
    let text = if quoted {
        Some(raw.trim().to_string())
    } else if raw.trim().eq_ignore_ascii_case("null") {
        None
    } else {
        Some(raw.trim().to_string())
    };
    (text, quoted)
}

fn array(text: &str, element: &PgType, types: &dyn UserTypes) -> Result<(), String> {
    let malformed = || format!("malformed array literal: \"{text}\"");
    let t = text.trim();
    // `[1:2]={...}`: explicit bounds before the braces.
    let t = match t.find('=') {
        Some(i) if t.starts_with('[') => t[i + 1..].trim(),
        _ => t,
    };
    let inner = t
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .ok_or_else(malformed)?;
    if inner.trim().is_empty() {
        return Ok(());
    }
    let list = items(inner, ',', true).ok_or_else(malformed)?;
    for (v, quoted) in list {
        let Some(v) = v else { continue };
        if !quoted && v.starts_with('{') {
            array(&v, element, types)?;
        } else if !quoted && v.is_empty() {
            return Err(malformed());
        } else {
            check(&v, element, types)?;
        }
    }
    Ok(())
}

fn record(text: &str, fields: &[PgType], types: &dyn UserTypes) -> Result<(), String> {
    let t = text.trim();
    let inner = t
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .ok_or_else(|| format!("malformed record literal: \"{text}\""))?;
    let list =
        items(inner, ',', false).ok_or_else(|| format!("malformed record literal: \"{text}\""))?;
    if list.len() != fields.len() {
        let which = if list.len() < fields.len() {
            "few"
        } else {
            "many"
        };
        return Err(format!(
            "malformed record literal: \"{text}\"\n  too {which} columns"
        ));
    }
    for ((v, quoted), ty) in list.iter().zip(fields) {
        // An empty unquoted field is NULL in a record.
        if let Some(v) = v.as_deref().filter(|v| *quoted || !v.is_empty()) {
            check(v, ty, types)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::QualName;

    struct Types;

    impl UserTypes for Types {
        fn enum_labels(&self, _: &QualName) -> Option<&[String]> {
            None
        }
        fn composite_fields(&self, _: &QualName) -> Option<Vec<PgType>> {
            Some(vec![PgType::Int4, PgType::Text])
        }
    }

    #[track_caller]
    fn ok(t: &str, ty: PgType) {
        assert!(check(t, &ty, &Types).is_ok(), "{t} as {ty}");
    }

    #[track_caller]
    fn bad(t: &str, ty: PgType) {
        assert!(check(t, &ty, &Types).is_err(), "{t} as {ty}");
    }

    #[test]
    fn accepted_and_refused_as_postgres_reads_them() {
        ok(" tr ", PgType::Bool);
        ok("OFF", PgType::Bool);
        bad("o", PgType::Bool);
        bad("maybe", PgType::Bool);
        ok("-32768", PgType::Int2);
        bad("32768", PgType::Int2);
        bad("1.0", PgType::Int4);
        ok("-1", PgType::Oid);
        ok("4294967295", PgType::Oid);
        ok("1e10", PgType::Float8);
        ok("-Infinity", PgType::Float4);
        bad("1e40", PgType::Float4);
        bad("abc", PgType::Float8);
        ok(".5", PgType::Numeric);
        ok("NaN", PgType::Numeric);
        bad("1.2.3", PgType::Numeric);
        ok("{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}", PgType::Uuid);
        bad("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1", PgType::Uuid);
        ok(r#"{"a": [1, null]}"#, PgType::Jsonb);
        for mac in [
            "08:00:2b:01:02:03",
            "08-00-2b-01-02-03",
            "08002b:010203",
            "0800.2b01.0203",
            "08002b010203",
            " 8:0:2b:1:2:3 ",
        ] {
            ok(mac, PgType::Macaddr);
        }
        for mac in [
            "08:00:2b:01:02",
            "0800:2b01:0203",
            "08:00-2b:01:02:03",
            "zz:00:2b:01:02:03",
            "08.00.2b.01.02.03",
        ] {
            bad(mac, PgType::Macaddr);
        }
        bad("{a: 1}", PgType::Json);
        let ints = PgType::Array(Box::new(PgType::Int4));
        ok("{1, 2, NULL}", ints.clone());
        ok("{{1,2},{3,4}}", ints.clone());
        ok("[0:1]={1,2}", ints.clone());
        ok("{}", ints.clone());
        ok(
            r#"{"", "{1}", "a\"b"}"#,
            PgType::Array(Box::new(PgType::Text)),
        );
        ok(
            r#"{"\"s\"", "{\"a\": 1}"}"#,
            PgType::Array(Box::new(PgType::Jsonb)),
        );
        bad("1,2", ints.clone());
        bad("{1,x}", ints);
        let pair = PgType::Composite(QualName::new(None, "pair"));
        ok("(1,abc)", pair.clone());
        ok("(,)", pair.clone());
        bad("(1)", pair.clone());
        bad("(x,abc)", pair);
    }

    #[test]
    fn dates_and_times_need_a_number_or_a_special_value() {
        for ty in [PgType::Date, PgType::Timestamp, PgType::Timestamptz] {
            for t in [
                "1999-01-08",
                "January 8, 99 BC",
                " Tomorrow ",
                "today allballs",
                "-infinity",
                "epoch utc",
                "J2451187",
            ] {
                ok(t, ty.clone());
            }
            for t in ["", " ", "noon", "midnight utc", "jan", "allballs"] {
                bad(t, ty.clone());
            }
        }
        for ty in [PgType::Time, PgType::Timetz] {
            for t in ["04:05 PM", "now", "allballs", "2024", "040506+02"] {
                ok(t, ty.clone());
            }
            for t in ["", "today", "epoch", "infinity", "pm"] {
                bad(t, ty.clone());
            }
        }
        for t in ["1 day", "@ 3 hours ago", "PT", "P1Y2M", "-1", "infinity"] {
            ok(t, PgType::Interval);
        }
        for t in ["", "day", "@ ago", "now"] {
            bad(t, PgType::Interval);
        }
        let dates = PgType::Array(Box::new(PgType::Date));
        ok("{2024-01-02,NULL,today}", dates.clone());
        bad("{2024-01-02,soon}", dates);
    }

    #[test]
    fn network_addresses_and_money() {
        for t in [
            "192.168.0.0/24",
            "::1",
            "FE80::/64",
            "10/8",
            "::ffff:1.2.3.4",
        ] {
            ok(t, PgType::Inet);
            ok(t, PgType::Cidr);
        }
        ok("0x0a", PgType::Cidr);
        bad("0x0a", PgType::Inet);
        for t in [
            "",
            " 10.0.0.1",
            "10.0.0.1 ",
            "fe80::1%eth0",
            "beef",
            "localhost",
            "g::1",
        ] {
            bad(t, PgType::Inet);
            bad(t, PgType::Cidr);
        }
        for t in ["", "$1,000.50", "(5)", "-$5", "12.34-"] {
            ok(t, PgType::Money);
        }
        for t in ["five", "USD 5", "1e3"] {
            bad(t, PgType::Money);
        }
    }
}
