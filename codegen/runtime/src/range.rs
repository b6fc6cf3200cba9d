//! `Range<T>` and `Multirange<T>`: PostgreSQL's range types (`int4range`, `tstzrange`...) and their multiranges.

use std::ops::Bound;

use bytes::{BufMut, BytesMut};
use postgres_types::{to_sql_checked, FromSql, IsNull, Kind, ToSql, Type};

use crate::wire::{put_length_prefixed, put_value, BoxError, Reader};

/// A range of `T`: empty, or between two bounds, each inclusive, exclusive or infinite.
///
/// Ranges of discrete types (`int4range`, `int8range`, `daterange`) come back from PostgreSQL
/// in canonical form, `[lower, upper)`: `[1, 5]` is stored and read as `[1, 6)`.
/// The bounds are [`std::ops::Bound`]: `Unbounded` is PostgreSQL's infinite bound (`(,5)`),
/// distinct from an `infinity` value of a date or timestamp range.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Range<T> {
    /// `'empty'`: contains nothing, and has no bounds.
    Empty,
    NonEmpty {
        lower: Bound<T>,
        upper: Bound<T>,
    },
}

impl<T> Range<T> {
    pub const fn new(lower: Bound<T>, upper: Bound<T>) -> Self {
        Range::NonEmpty { lower, upper }
    }

    pub const fn is_empty(&self) -> bool {
        matches!(self, Range::Empty)
    }
}

// Flag bits of the first byte (PostgreSQL's rangetypes.h).
const EMPTY: u8 = 0x01;
const LOWER_INCLUSIVE: u8 = 0x02;
const UPPER_INCLUSIVE: u8 = 0x04;
const LOWER_INFINITE: u8 = 0x08;
const UPPER_INFINITE: u8 = 0x10;

/// Reads one range of elements of type `element`.
fn read_range<'a, T: FromSql<'a>>(element: &Type, raw: &'a [u8]) -> Result<Range<T>, BoxError> {
    let mut r = Reader::new("range", raw);
    let flags = r.u8()?;
    if flags & EMPTY != 0 {
        r.finish()?;
        return Ok(Range::Empty);
    }
    let mut bound = |infinite: u8, inclusive: u8| -> Result<Bound<T>, BoxError> {
        if flags & infinite != 0 {
            return Ok(Bound::Unbounded);
        }
        let raw = r.value()?.ok_or_else(|| r.error("NULL bound"))?;
        let value = T::from_sql(element, raw)?;
        Ok(if flags & inclusive != 0 {
            Bound::Included(value)
        } else {
            Bound::Excluded(value)
        })
    };
    let lower = bound(LOWER_INFINITE, LOWER_INCLUSIVE)?;
    let upper = bound(UPPER_INFINITE, UPPER_INCLUSIVE)?;
    r.finish()?;
    Ok(Range::new(lower, upper))
}

/// Writes one range of elements of type `element`.
fn write_range<T: ToSql>(
    range: &Range<T>,
    element: &Type,
    out: &mut BytesMut,
) -> Result<(), BoxError> {
    let (lower, upper) = match range {
        Range::Empty => {
            out.put_u8(EMPTY);
            return Ok(());
        }
        Range::NonEmpty { lower, upper } => (lower, upper),
    };
    let flags = |b: &Bound<T>, infinite: u8, inclusive: u8| match b {
        Bound::Unbounded => infinite,
        Bound::Included(_) => inclusive,
        Bound::Excluded(_) => 0,
    };
    out.put_u8(
        flags(lower, LOWER_INFINITE, LOWER_INCLUSIVE)
            | flags(upper, UPPER_INFINITE, UPPER_INCLUSIVE),
    );
    for b in [lower, upper] {
        if let Bound::Included(v) | Bound::Excluded(v) = b {
            if let IsNull::Yes = put_value(out, element, v)? {
                return Err("a range bound cannot be NULL; use an unbounded bound".into());
            }
        }
    }
    Ok(())
}

fn range_element(ty: &Type) -> Option<&Type> {
    match ty.kind() {
        Kind::Range(element) => Some(element),
        _ => None,
    }
}

fn multirange_element(ty: &Type) -> Option<&Type> {
    match ty.kind() {
        Kind::Multirange(element) => Some(element),
        _ => None,
    }
}

fn element_or_error(ty: &Type, of: fn(&Type) -> Option<&Type>) -> Result<&Type, BoxError> {
    of(ty).ok_or_else(|| format!("`{ty}` is not a range or multirange type of this kind").into())
}

impl<'a, T: FromSql<'a>> FromSql<'a> for Range<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        read_range(element_or_error(ty, range_element)?, raw)
    }

    fn accepts(ty: &Type) -> bool {
        range_element(ty).is_some_and(T::accepts)
    }
}

impl<T: ToSql> ToSql for Range<T> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        write_range(self, element_or_error(ty, range_element)?, out)?;
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        range_element(ty).is_some_and(T::accepts)
    }

    to_sql_checked!();
}

/// A multirange (`int4multirange`, `tstzmultirange`...): ranges in order, none empty,
/// none overlapping or adjacent once PostgreSQL has normalised them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Multirange<T>(pub Vec<Range<T>>);

impl<'a, T: FromSql<'a>> FromSql<'a> for Multirange<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let element = element_or_error(ty, multirange_element)?;
        let mut r = Reader::new("multirange", raw);
        let n = r.count()?;
        let mut ranges = Vec::with_capacity(n.min(raw.len()));
        for _ in 0..n {
            let raw = r.value()?.ok_or_else(|| r.error("NULL range"))?;
            ranges.push(read_range(element, raw)?);
        }
        r.finish()?;
        Ok(Multirange(ranges))
    }

    fn accepts(ty: &Type) -> bool {
        multirange_element(ty).is_some_and(T::accepts)
    }
}

impl<T: ToSql> ToSql for Multirange<T> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let element = element_or_error(ty, multirange_element)?;
        crate::wire::put_len(out, self.0.len())?;
        for range in &self.0 {
            put_length_prefixed(out, |out| {
                write_range(range, element, out)?;
                Ok(IsNull::No)
            })?;
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        multirange_element(ty).is_some_and(T::accepts)
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(range: Range<i32>) -> Range<i32> {
        let mut out = BytesMut::new();
        range.to_sql(&Type::INT4_RANGE, &mut out).unwrap();
        Range::from_sql(&Type::INT4_RANGE, &out).unwrap()
    }

    #[test]
    fn encodes_flags_then_length_prefixed_bounds() {
        let mut out = BytesMut::new();
        Range::new(Bound::Included(1), Bound::Excluded(5))
            .to_sql(&Type::INT4_RANGE, &mut out)
            .unwrap();
        assert_eq!(
            &out[..],
            &[
                LOWER_INCLUSIVE,
                0,
                0,
                0,
                4,
                0,
                0,
                0,
                1,
                0,
                0,
                0,
                4,
                0,
                0,
                0,
                5
            ]
        );
    }

    #[test]
    fn round_trips_every_bound_kind() {
        for range in [
            Range::Empty,
            Range::new(Bound::Unbounded, Bound::Unbounded),
            Range::new(Bound::Excluded(-3), Bound::Included(7)),
            Range::new(Bound::Unbounded, Bound::Excluded(0)),
        ] {
            assert_eq!(round_trip(range.clone()), range);
        }
    }

    #[test]
    fn accepts_ranges_of_its_element_only() {
        assert!(<Range<i32> as ToSql>::accepts(&Type::INT4_RANGE));
        assert!(!<Range<i32> as ToSql>::accepts(&Type::INT8_RANGE));
        assert!(!<Range<i32> as FromSql>::accepts(&Type::INT4MULTI_RANGE));
        assert!(<Multirange<i64> as FromSql>::accepts(
            &Type::INT8MULTI_RANGE
        ));
    }
}
