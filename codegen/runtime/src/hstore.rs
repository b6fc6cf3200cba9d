//! `Hstore`: the `hstore` extension's map of text keys to text values or NULL.

use std::collections::BTreeMap;

use bytes::BytesMut;
use postgres_types::{to_sql_checked, FromSql, IsNull, ToSql, Type};

use crate::wire::{put_bytes, put_len, BoxError, Reader};

/// An `hstore` value: keys to values, a value `None` where it is SQL NULL (`'a=>NULL'`).
///
/// Keys are unique in PostgreSQL too; a `BTreeMap` keeps them in a stable order.
/// The type is matched by name, as an extension type's OID differs from one database to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hstore(pub BTreeMap<String, Option<String>>);

impl<'a> FromSql<'a> for Hstore {
    fn from_sql(_ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let mut r = Reader::new("hstore", raw);
        let n = r.count()?;
        let mut map = BTreeMap::new();
        for _ in 0..n {
            let key = r.text_value()?.ok_or_else(|| r.error("NULL key"))?;
            let value = r.text_value()?;
            map.insert(key.to_owned(), value.map(str::to_owned));
        }
        r.finish()?;
        Ok(Hstore(map))
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "hstore"
    }
}

impl ToSql for Hstore {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        put_len(out, self.0.len())?;
        for (key, value) in &self.0 {
            put_bytes(out, key.as_bytes())?;
            match value {
                Some(v) => put_bytes(out, v.as_bytes())?,
                None => bytes::BufMut::put_i32(out, -1),
            }
        }
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        ty.name() == "hstore"
    }

    to_sql_checked!();
}

impl FromIterator<(String, Option<String>)> for Hstore {
    fn from_iter<I: IntoIterator<Item = (String, Option<String>)>>(iter: I) -> Self {
        Hstore(iter.into_iter().collect())
    }
}
