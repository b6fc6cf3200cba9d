//! `Interval`: the Rust side of PostgreSQL's `interval`.

use std::error::Error as StdError;

use bytes::{Buf, BufMut, BytesMut};
use postgres_types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

/// A PostgreSQL `interval`, kept in the server's own three fields.
///
/// The fields are not folded into one duration because PostgreSQL does not fold
/// them either: a month has no fixed number of days and a day (across a daylight
/// saving change) no fixed number of microseconds, so `'1 mon'`, `'30 days'` and
/// `'720 hours'` are three different values that only compare equal.
/// Equality here is field by field, which tells them apart.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Whole months (a year is 12).
    pub months: i32,
    /// Whole days, not folded into months.
    pub days: i32,
    /// The time part, not folded into days.
    pub microseconds: i64,
}

impl Interval {
    /// The binary wire format is 16 bytes: microseconds, days, months.
    const WIRE_LEN: usize = 16;

    /// An interval with the fields in the order PostgreSQL prints them.
    pub const fn new(months: i32, days: i32, microseconds: i64) -> Self {
        Interval {
            months,
            days,
            microseconds,
        }
    }
}

impl<'a> FromSql<'a> for Interval {
    fn from_sql(_ty: &Type, mut raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        if raw.len() != Self::WIRE_LEN {
            return Err(format!(
                "invalid interval: expected {} bytes, got {}",
                Self::WIRE_LEN,
                raw.len()
            )
            .into());
        }
        let microseconds = raw.get_i64();
        let days = raw.get_i32();
        let months = raw.get_i32();
        Ok(Interval {
            months,
            days,
            microseconds,
        })
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }
}

impl ToSql for Interval {
    fn to_sql(
        &self,
        _ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        out.reserve(Self::WIRE_LEN);
        out.put_i64(self.microseconds);
        out.put_i32(self.days);
        out.put_i32(self.months);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::INTERVAL
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(interval: Interval) -> Vec<u8> {
        let mut out = BytesMut::new();
        let is_null = interval.to_sql(&Type::INTERVAL, &mut out).unwrap();
        assert!(matches!(is_null, IsNull::No));
        out.to_vec()
    }

    #[test]
    fn encodes_microseconds_days_months_big_endian() {
        // 1 mon 2 days 00:00:03.000004
        let interval = Interval::new(1, 2, 3_000_004);
        let expected: Vec<u8> = [
            3_000_004_i64.to_be_bytes().as_slice(),
            2_i32.to_be_bytes().as_slice(),
            1_i32.to_be_bytes().as_slice(),
        ]
        .concat();
        assert_eq!(encode(interval), expected);
        assert_eq!(
            expected,
            [0, 0, 0, 0, 0, 0x2d, 0xc6, 0xc4, 0, 0, 0, 2, 0, 0, 0, 1]
        );
    }

    #[test]
    fn round_trips_edge_values() {
        let cases = [
            Interval::default(),
            Interval::new(-1, -2, -3),
            Interval::new(i32::MAX, i32::MIN, i64::MIN),
            Interval::new(i32::MIN, i32::MAX, i64::MAX),
            Interval::new(0, 0, 86_400_000_000),
        ];
        for interval in cases {
            let bytes = encode(interval);
            let decoded = Interval::from_sql(&Type::INTERVAL, &bytes).unwrap();
            assert_eq!(decoded, interval);
        }
    }

    #[test]
    fn rejects_wrong_length() {
        let error = Interval::from_sql(&Type::INTERVAL, &[0; 12]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid interval: expected 16 bytes, got 12"
        );
    }

    #[test]
    fn accepts_only_interval() {
        assert!(<Interval as ToSql>::accepts(&Type::INTERVAL));
        assert!(<Interval as FromSql>::accepts(&Type::INTERVAL));
        assert!(!<Interval as ToSql>::accepts(&Type::TIME));
        assert!(!<Interval as FromSql>::accepts(&Type::INT8));
    }

    #[test]
    fn same_length_different_fields_are_not_equal() {
        assert_ne!(Interval::new(1, 0, 0), Interval::new(0, 30, 0));
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serializes_as_its_three_fields() {
        let json = serde_json::to_string(&Interval::new(1, 2, 3)).unwrap();
        assert_eq!(json, r#"{"months":1,"days":2,"microseconds":3}"#);
    }
}
