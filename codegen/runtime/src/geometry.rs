//! Geometric types geo-types has no postgres-types support for: `line`, `lseg`, `path`, `polygon`, `circle`.
//!
//! `point` and `box` are geo-types' `Point<f64>` and `Rect<f64>` (postgres-types' `with-geo-types-0_7`);
//! these types use the same `Point<f64>` for their points. `path` is not geo-types' `LineString`,
//! whose encoding always writes an open path and so loses a closed path's flag.

use bytes::{BufMut, BytesMut};
use geo_types::Point;
use postgres_types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

use crate::wire::{put_len, BoxError, Reader};

/// An infinite line `a·x + b·y + c = 0` (`line`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Line {
    pub a: f64,
    pub b: f64,
    pub c: f64,
}

/// A line segment between two points (`lseg`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LineSegment {
    pub start: Point<f64>,
    pub end: Point<f64>,
}

/// A path (`path`): open (`[(0,0),(1,1)]`) or closed (`((0,0),(1,1),(1,0))`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Path {
    pub closed: bool,
    pub points: Vec<Point<f64>>,
}

/// A polygon by its vertices (`polygon`), closed implicitly.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Polygon {
    pub points: Vec<Point<f64>>,
}

/// A circle (`circle`).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Circle {
    pub center: Point<f64>,
    pub radius: f64,
}

fn read_point(r: &mut Reader<'_>) -> Result<Point<f64>, BoxError> {
    Ok(Point::new(r.f64()?, r.f64()?))
}

fn put_point(out: &mut BytesMut, p: &Point<f64>) {
    out.put_f64(p.x());
    out.put_f64(p.y());
}

fn read_points(r: &mut Reader<'_>) -> Result<Vec<Point<f64>>, BoxError> {
    let n = r.count()?;
    (0..n).map(|_| read_point(r)).collect()
}

fn put_points(out: &mut BytesMut, points: &[Point<f64>]) -> Result<(), BoxError> {
    put_len(out, points.len())?;
    for p in points {
        put_point(out, p);
    }
    Ok(())
}

/// `FromSql`/`ToSql` for a geometric type given its reader and writer.
macro_rules! geometric {
    ($name:ident, $pg:literal, $ty:ident, |$r:ident| $read:expr, |$v:ident, $out:ident| $write:expr) => {
        impl<'a> FromSql<'a> for $name {
            fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
                let mut $r = Reader::new($pg, raw);
                let value = $read;
                $r.finish()?;
                Ok(value)
            }

            fn accepts(ty: &Type) -> bool {
                *ty == Type::$ty
            }
        }

        impl ToSql for $name {
            fn to_sql(&self, _ty: &Type, $out: &mut BytesMut) -> Result<IsNull, BoxError> {
                let $v = self;
                $write;
                Ok(IsNull::No)
            }

            fn accepts(ty: &Type) -> bool {
                *ty == Type::$ty
            }

            to_sql_checked!();
        }
    };
}

geometric!(
    Line,
    "line",
    LINE,
    |r| Line {
        a: r.f64()?,
        b: r.f64()?,
        c: r.f64()?
    },
    |v, out| {
        out.put_f64(v.a);
        out.put_f64(v.b);
        out.put_f64(v.c)
    }
);

geometric!(
    LineSegment,
    "lseg",
    LSEG,
    |r| LineSegment {
        start: read_point(&mut r)?,
        end: read_point(&mut r)?
    },
    |v, out| {
        put_point(out, &v.start);
        put_point(out, &v.end)
    }
);

geometric!(
    Path,
    "path",
    PATH,
    |r| Path {
        closed: r.u8()? != 0,
        points: read_points(&mut r)?
    },
    |v, out| {
        out.put_u8(u8::from(v.closed));
        put_points(out, &v.points)?
    }
);

geometric!(
    Polygon,
    "polygon",
    POLYGON,
    |r| Polygon {
        points: read_points(&mut r)?
    },
    |v, out| put_points(out, &v.points)?
);

geometric!(
    Circle,
    "circle",
    CIRCLE,
    |r| Circle {
        center: read_point(&mut r)?,
        radius: r.f64()?
    },
    |v, out| {
        put_point(out, &v.center);
        out.put_f64(v.radius)
    }
);
