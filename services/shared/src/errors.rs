//! What a database failure may say outside a service (its kind, never the server's message or row values) and what it says to logs (everything).
//!
//! PostgreSQL's messages carry data: a unique violation's `DETAIL` is
//! `Key (email)=(ada@example.com) already exists`, a check violation's names
//! the failing row. `sqlgen_runtime::Error`'s `Display` spells all of it out,
//! which is right for logs and wrong for an HTTP response. So every service
//! error prints a database failure with [`write_public`] (a generic sentence
//! and the SQLSTATE), keeps the runtime error as its `source()`, and offers the
//! whole text through [`log_detail`].

use std::error::Error as StdError;
use std::fmt::{self, Write as _};

/// Writes what may be shown to a caller about a failed query: that the
/// database failed, and its SQLSTATE when the server reported one.
pub fn write_public(error: &sqlgen_runtime::Error, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match error.code() {
        Some(code) => write!(f, "internal database error (SQLSTATE {})", code.code()),
        None => f.write_str("internal database error"),
    }
}

/// The full text of an error and of every error below it, for logs: the
/// server's message, `DETAIL` and `HINT` included.
pub fn log_detail(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        // Writing into a String cannot fail.
        let _ = write!(text, ": {inner}");
        if inner.is::<sqlgen_runtime::Error>() {
            // Its Display already spells out the errors below it.
            break;
        }
        cause = inner.source();
    }
    text
}
