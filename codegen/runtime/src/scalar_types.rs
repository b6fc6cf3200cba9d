//! Fixed-width built-in types postgres-types has no Rust type for: `money`, `timetz`, `macaddr8`, `void`.

use std::fmt;

use bytes::BufMut;
use postgres_types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

use crate::wire::{newtype_wire, BoxError, Reader};

/// A `money` amount in the currency's smallest unit (cents under most `lc_monetary` settings).
///
/// PostgreSQL stores `money` as a 64-bit integer whose meaning (how many fractional digits,
/// which symbol) depends on the server's `lc_monetary`; the binary format is that integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Money(pub i64);
newtype_wire!(Money, "money", [MONEY], |r| r.i64()?, |v, out| out
    .put_i64(*v));

/// A `macaddr8` (EUI-64) address; `macaddr` (EUI-48) is the re-exported [`eui48::MacAddress`](crate::eui48::MacAddress).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Macaddr8(pub [u8; 8]);
newtype_wire!(
    Macaddr8,
    "macaddr8",
    [MACADDR8],
    |r| {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(r.take(8)?);
        bytes
    },
    |v, out| out.put_slice(v)
);

impl fmt::Display for Macaddr8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A `time with time zone`: a time of day and the UTC offset it was given with.
///
/// PostgreSQL keeps the offset, not a zone name, and compares values by the instant they name
/// on an arbitrary day; equality here is field by field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TimeTz {
    /// Microseconds since midnight, local to the offset (0 to 86,400,000,000 inclusive: `24:00:00` is valid).
    pub microseconds: i64,
    /// Seconds east of UTC (`+02:00` is 7200), as ISO 8601 writes it.
    pub utc_offset_seconds: i32,
}

impl TimeTz {
    pub const fn new(microseconds: i64, utc_offset_seconds: i32) -> Self {
        TimeTz {
            microseconds,
            utc_offset_seconds,
        }
    }
}

impl<'a> FromSql<'a> for TimeTz {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let mut r = Reader::new("timetz", raw);
        let microseconds = r.i64()?;
        // The wire carries seconds west of UTC, POSIX's sign.
        let west = r.i32()?;
        r.finish()?;
        Ok(TimeTz::new(microseconds, -west))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMETZ
    }
}

impl ToSql for TimeTz {
    fn to_sql(&self, _ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        out.put_i64(self.microseconds);
        out.put_i32(-self.utc_offset_seconds);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TIMETZ
    }

    to_sql_checked!();
}

/// The value of a `void` column (`SELECT f()` of a function returning void): nothing.
///
/// A query whose columns are all `void` is generated as `:exec`; this type is for a `void`
/// column next to others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Void;

impl<'a> FromSql<'a> for Void {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        Reader::new("void", raw).finish()?;
        Ok(Void)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::VOID
    }
}

impl ToSql for Void {
    fn to_sql(&self, _ty: &Type, _out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::VOID
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timetz_offset_is_east_of_utc_and_the_wire_is_west() {
        let value = TimeTz::new(3_600_000_000, 7200);
        let mut out = bytes::BytesMut::new();
        value.to_sql(&Type::TIMETZ, &mut out).unwrap();
        assert_eq!(&out[8..], &(-7200_i32).to_be_bytes());
        assert_eq!(TimeTz::from_sql(&Type::TIMETZ, &out).unwrap(), value);
    }

    #[test]
    fn macaddr8_prints_as_postgresql_does() {
        let mac = Macaddr8([0x08, 0x00, 0x2b, 0x01, 0x02, 0x03, 0x04, 0x05]);
        assert_eq!(mac.to_string(), "08:00:2b:01:02:03:04:05");
    }
}
