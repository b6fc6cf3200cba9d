//! The error every generated query method returns.

use std::fmt;

use tokio_postgres::error::{DbError, SqlState};

/// The error of every generated query method.
///
/// `NotFound` is its own variant rather than an `Option` in the return type of
/// `:one` queries, so that callers can use `?` throughout and still tell a missing
/// row apart from a failed query.
#[derive(Debug)]
pub enum Error {
    /// A query that must return exactly one row returned none.
    NotFound,
    /// The database, the connection or the decoding of a value failed.
    Postgres(tokio_postgres::Error),
}

impl Error {
    /// Whether a query that expected one row found none.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound)
    }

    /// The error the server reported, if the failure came from the server.
    pub fn as_db_error(&self) -> Option<&DbError> {
        match self {
            Error::NotFound => None,
            Error::Postgres(error) => error.as_db_error(),
        }
    }

    /// The SQLSTATE of a server-reported error, for checks such as
    /// `err.code() == Some(&SqlState::UNIQUE_VIOLATION)`.
    pub fn code(&self) -> Option<&SqlState> {
        match self {
            Error::NotFound => None,
            Error::Postgres(error) => error.code(),
        }
    }
}

// tokio-postgres keeps the server's message out of its own Display ("db error")
// and in its source. Generated-code errors mostly end up printed with `{}` (logs,
// HTTP error bodies), where "db error" alone says nothing, so the message here
// spells out the whole chain. `source()` still returns the tokio-postgres error,
// for callers that downcast a boxed error back to it.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound => f.write_str("query returned no rows"),
            Error::Postgres(error) => write_chain(f, error),
        }
    }
}

/// Writes `error` and each of its sources, `: ` between them.
pub(crate) fn write_chain(
    f: &mut fmt::Formatter<'_>,
    error: &(dyn std::error::Error + 'static),
) -> fmt::Result {
    write!(f, "{error}")?;
    let mut cause = error.source();
    while let Some(inner) = cause {
        write!(f, ": {inner}")?;
        cause = inner.source();
    }
    Ok(())
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::NotFound => None,
            Error::Postgres(error) => Some(error),
        }
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(error: tokio_postgres::Error) -> Self {
        Error::Postgres(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn not_found_reads_as_a_lower_case_sentence_without_source() {
        let error = Error::NotFound;
        assert_eq!(error.to_string(), "query returned no rows");
        assert!(error.is_not_found());
        assert!(error.source().is_none());
        assert!(error.as_db_error().is_none());
        assert!(error.code().is_none());
    }

    #[test]
    fn error_is_usable_as_a_boxed_error() {
        fn boxed() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
            Err(Error::NotFound)?
        }
        assert_eq!(boxed().unwrap_err().to_string(), "query returned no rows");
    }
}
