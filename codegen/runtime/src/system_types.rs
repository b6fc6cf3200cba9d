//! PostgreSQL's system identifiers: transaction and command ids, tuple ids, `reg*` OIDs, WAL positions, snapshots.

use std::fmt;
use std::str::FromStr;

use bytes::BufMut;
use postgres_types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

use crate::wire::{newtype_wire, BoxError, Reader};

/// A 32-bit transaction id (`xid`), as `pg_class.xmin` or `txid_current()::xid` give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Xid(pub u32);
newtype_wire!(Xid, "xid", [XID], |r| r.u32()?, |v, out| out.put_u32(*v));

/// A 64-bit transaction id with epoch (`xid8`, `pg_current_xact_id()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Xid8(pub u64);
newtype_wire!(Xid8, "xid8", [XID8], |r| r.u64()?, |v, out| out.put_u64(*v));

/// A command id within a transaction (`cid`, the `cmin`/`cmax` system columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cid(pub u32);
newtype_wire!(Cid, "cid", [CID], |r| r.u32()?, |v, out| out.put_u32(*v));

/// The OID behind any `reg*` type (`regclass`, `regtype`, `regproc`, `regprocedure`, `regoper`,
/// `regoperator`, `regconfig`, `regdictionary`, `regnamespace`, `regrole`, `regcollation`).
///
/// The binary format of all of them is the bare OID; PostgreSQL prints the object's name only in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RegOid(pub u32);
newtype_wire!(
    RegOid,
    "reg* OID",
    [
        REGPROC,
        REGPROCEDURE,
        REGOPER,
        REGOPERATOR,
        REGCLASS,
        REGTYPE,
        REGCONFIG,
        REGDICTIONARY,
        REGNAMESPACE,
        REGROLE,
        REGCOLLATION
    ],
    |r| r.u32()?,
    |v, out| out.put_u32(*v)
);

/// A write-ahead log position (`pg_lsn`), printed as PostgreSQL prints it (`16/B374D848`).
///
/// postgres-types has `PgLsn` for the same wire format, but without serde or `Hash`, which
/// generated models may derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lsn(pub u64);
newtype_wire!(Lsn, "pg_lsn", [PG_LSN], |r| r.u64()?, |v, out| out
    .put_u64(*v));

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

impl FromStr for Lsn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("invalid pg_lsn `{s}`");
        let (hi, lo) = s.split_once('/').ok_or_else(invalid)?;
        let hi = u32::from_str_radix(hi, 16).map_err(|_| invalid())?;
        let lo = u32::from_str_radix(lo, 16).map_err(|_| invalid())?;
        Ok(Lsn((u64::from(hi) << 32) | u64::from(lo)))
    }
}

/// A tuple's physical position (`tid`, the `ctid` system column): block number and line pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tid {
    pub block: u32,
    pub offset: u16,
}

impl<'a> FromSql<'a> for Tid {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let mut r = Reader::new("tid", raw);
        let tid = Tid {
            block: r.u32()?,
            offset: r.u16()?,
        };
        r.finish()?;
        Ok(tid)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TID
    }
}

impl ToSql for Tid {
    fn to_sql(&self, _ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        out.put_u32(self.block);
        out.put_u16(self.offset);
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::TID
    }

    to_sql_checked!();
}

/// A snapshot of running transactions (`pg_snapshot`, and the older `txid_snapshot`):
/// transactions below `xmin` are finished, from `xmax` on not started, and `xip` lists those
/// in between still in progress.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshot {
    pub xmin: u64,
    pub xmax: u64,
    pub xip: Vec<u64>,
}

impl<'a> FromSql<'a> for Snapshot {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let mut r = Reader::new("pg_snapshot", raw);
        let n = r.count()?;
        let xmin = r.u64()?;
        let xmax = r.u64()?;
        let xip = (0..n).map(|_| r.u64()).collect::<Result<_, _>>()?;
        r.finish()?;
        Ok(Snapshot { xmin, xmax, xip })
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::PG_SNAPSHOT | Type::TXID_SNAPSHOT)
    }
}

impl ToSql for Snapshot {
    fn to_sql(&self, _ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        crate::wire::put_len(out, self.xip.len())?;
        out.put_u64(self.xmin);
        out.put_u64(self.xmax);
        for x in &self.xip {
            out.put_u64(*x);
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(*ty, Type::PG_SNAPSHOT | Type::TXID_SNAPSHOT)
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsn_prints_and_parses_as_postgresql_does() {
        let lsn: Lsn = "16/B374D848".parse().unwrap();
        assert_eq!(lsn, Lsn(0x16_B374_D848));
        assert_eq!(lsn.to_string(), "16/B374D848");
        assert!("16B374D848".parse::<Lsn>().is_err());
    }

    #[test]
    fn tid_refuses_a_short_value() {
        let error = Tid::from_sql(&Type::TID, &[0, 0, 0, 1, 0]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid tid: expected 2 more bytes, got 1"
        );
    }
}
