//! Reading and writing PostgreSQL's binary wire format for the runtime's own column types.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use postgres_types::{IsNull, ToSql, Type};

pub(crate) type BoxError = Box<dyn StdError + Sync + Send>;

/// A cursor over one value's bytes whose errors name the PostgreSQL type being read.
pub(crate) struct Reader<'a> {
    raw: &'a [u8],
    type_name: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(type_name: &'static str, raw: &'a [u8]) -> Self {
        Reader { raw, type_name }
    }

    pub(crate) fn error(&self, what: impl std::fmt::Display) -> BoxError {
        format!("invalid {}: {what}", self.type_name).into()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], BoxError> {
        if self.raw.len() < n {
            return Err(self.error(format_args!(
                "expected {n} more bytes, got {}",
                self.raw.len()
            )));
        }
        let (head, rest) = self.raw.split_at(n);
        self.raw = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BoxError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, BoxError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, BoxError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32, BoxError> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, BoxError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i64(&mut self) -> Result<i64, BoxError> {
        Ok(i64::from_be_bytes(self.array()?))
    }

    pub(crate) fn u64(&mut self) -> Result<u64, BoxError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, BoxError> {
        Ok(f64::from_be_bytes(self.array()?))
    }

    /// A count written as an i32, refused when negative.
    pub(crate) fn count(&mut self) -> Result<usize, BoxError> {
        let n = self.i32()?;
        usize::try_from(n).map_err(|_| self.error(format_args!("negative count {n}")))
    }

    /// An i32 length (-1 for NULL) and that many bytes.
    pub(crate) fn value(&mut self) -> Result<Option<&'a [u8]>, BoxError> {
        match self.i32()? {
            -1 => Ok(None),
            n => {
                let n = usize::try_from(n)
                    .map_err(|_| self.error(format_args!("negative length {n}")))?;
                self.take(n).map(Some)
            }
        }
    }

    /// An i32 length and that many bytes of UTF-8.
    pub(crate) fn text_value(&mut self) -> Result<Option<&'a str>, BoxError> {
        match self.value()? {
            Some(bytes) => self.utf8(bytes).map(Some),
            None => Ok(None),
        }
    }

    /// A NUL-terminated UTF-8 string.
    pub(crate) fn c_string(&mut self) -> Result<&'a str, BoxError> {
        let end = self
            .raw
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| self.error("unterminated string"))?;
        let s = self.take(end)?;
        self.take(1)?;
        self.utf8(s)
    }

    /// The rest of the value as UTF-8.
    pub(crate) fn rest_utf8(&mut self) -> Result<&'a str, BoxError> {
        let rest = self.take(self.raw.len())?;
        self.utf8(rest)
    }

    fn utf8(&self, bytes: &'a [u8]) -> Result<&'a str, BoxError> {
        std::str::from_utf8(bytes).map_err(|e| self.error(e))
    }

    /// Fails when bytes are left over.
    pub(crate) fn finish(self) -> Result<(), BoxError> {
        if self.raw.is_empty() {
            Ok(())
        } else {
            Err(self.error(format_args!("{} bytes left over", self.raw.len())))
        }
    }
}

/// A length as the i32 the wire format carries.
pub(crate) fn put_len(out: &mut BytesMut, len: usize) -> Result<(), BoxError> {
    let len = i32::try_from(len).map_err(|_| "value too large to transmit")?;
    out.put_i32(len);
    Ok(())
}

/// An i32 length and the bytes.
pub(crate) fn put_bytes(out: &mut BytesMut, bytes: &[u8]) -> Result<(), BoxError> {
    put_len(out, bytes.len())?;
    out.put_slice(bytes);
    Ok(())
}

/// An i32 length (-1 for NULL) and a value encoded by its own `ToSql` as type `ty`.
pub(crate) fn put_value<T: ToSql>(
    out: &mut BytesMut,
    ty: &Type,
    value: &T,
) -> Result<IsNull, BoxError> {
    put_length_prefixed(out, |out| value.to_sql(ty, out))
}

/// An i32 length (-1 for NULL) and what `write` writes, the length filled in afterwards.
pub(crate) fn put_length_prefixed(
    out: &mut BytesMut,
    write: impl FnOnce(&mut BytesMut) -> Result<IsNull, BoxError>,
) -> Result<IsNull, BoxError> {
    let at = out.len();
    out.put_i32(0);
    let is_null = write(out)?;
    let len = match is_null {
        IsNull::Yes => -1,
        IsNull::No => {
            i32::try_from(out.len() - at - 4).map_err(|_| "value too large to transmit")?
        }
    };
    out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    Ok(is_null)
}

/// `FromSql`/`ToSql` for a one-field tuple struct of the listed PostgreSQL types, given how its
/// field is read from a [`Reader`] and written to the output.
macro_rules! newtype_wire {
    ($name:ident, $pg:literal, [$($ty:ident),+], |$r:ident| $read:expr, |$v:ident, $out:ident| $write:expr) => {
        impl<'a> postgres_types::FromSql<'a> for $name {
            fn from_sql(
                _ty: &postgres_types::Type,
                raw: &'a [u8],
            ) -> Result<Self, crate::wire::BoxError> {
                let mut $r = crate::wire::Reader::new($pg, raw);
                let v = $read;
                $r.finish()?;
                Ok($name(v))
            }

            fn accepts(ty: &postgres_types::Type) -> bool {
                matches!(*ty, $(postgres_types::Type::$ty)|+)
            }
        }

        impl postgres_types::ToSql for $name {
            fn to_sql(
                &self,
                _ty: &postgres_types::Type,
                $out: &mut bytes::BytesMut,
            ) -> Result<postgres_types::IsNull, crate::wire::BoxError> {
                let $v = &self.0;
                $write;
                Ok(postgres_types::IsNull::No)
            }

            fn accepts(ty: &postgres_types::Type) -> bool {
                matches!(*ty, $(postgres_types::Type::$ty)|+)
            }

            postgres_types::to_sql_checked!();
        }
    };
}

pub(crate) use newtype_wire;
