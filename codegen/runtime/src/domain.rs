//! Values of a domain's base type where PostgreSQL has the domain, or an array of it.

use postgres_types::{to_sql_checked, FromSql, IsNull, Kind, ToSql, Type};
use std::borrow::Cow;
use std::error::Error as StdError;

/// A parameter value for a column declared with a domain (`CREATE DOMAIN url_slug AS text`), or
/// with an array of one (`url_slug[]`).
///
/// PostgreSQL types such a parameter as the domain (or the array of it), which tokio-postgres'
/// `&str` (`&[String]`) refuses; `Domain(&str)` accepts the domain (and the bare base type) and
/// encodes the value as the base type, and `Domain(&[String])` accepts the array of the domain.
/// Generated code wraps these parameters itself; the method signatures keep the base type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain<T>(pub T);

fn base(ty: &Type) -> &Type {
    match ty.kind() {
        Kind::Domain(inner) => base(inner),
        _ => ty,
    }
}

/// The type with domains replaced by their base types, arrays' elements included (`url_slug[]`
/// is read as `text[]`): the type the Rust value's `accepts` knows.
fn smashed(ty: &Type) -> Cow<'_, Type> {
    match ty.kind() {
        Kind::Domain(inner) => smashed(inner),
        Kind::Array(elem) => {
            let base = smashed(elem);
            if *base == *elem {
                return Cow::Borrowed(ty);
            }
            let base = base.into_owned();
            Cow::Owned(Type::new(
                format!("_{}", base.name()),
                0,
                Kind::Array(base),
                ty.schema().to_string(),
            ))
        }
        _ => Cow::Borrowed(ty),
    }
}

impl<T: ToSql> ToSql for Domain<T> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match ty.kind() {
            Kind::Domain(_) => self.0.to_sql(base(ty), out),
            // An array's header names its element type: the server wants the domain's there.
            _ => self.0.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        T::accepts(&smashed(ty))
    }

    to_sql_checked!();
}

/// A column value read as its base type where the column is an array of a domain (`label[]`,
/// which PostgreSQL reports as such, where a domain-typed column is reported as its base type):
/// [`crate::Columns`] reads through it when the Rust type does not accept the column's type.
pub(crate) struct Based<T>(pub T);

impl<'a, T: FromSql<'a>> FromSql<'a> for Based<T> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        T::from_sql(&smashed(ty), raw).map(Based)
    }

    fn from_sql_null(ty: &Type) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        T::from_sql_null(&smashed(ty)).map(Based)
    }

    fn from_sql_nullable(
        ty: &Type,
        raw: Option<&'a [u8]>,
    ) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        T::from_sql_nullable(&smashed(ty), raw).map(Based)
    }

    fn accepts(ty: &Type) -> bool {
        T::accepts(&smashed(ty))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_domain_of_the_base_type_and_the_base_type() {
        let domain = Type::new(
            "url_slug".into(),
            90001,
            Kind::Domain(Type::TEXT),
            "public".into(),
        );
        assert!(<Domain<&str> as ToSql>::accepts(&domain));
        assert!(<Domain<&str> as ToSql>::accepts(&Type::TEXT));
        assert!(!<Domain<i32> as ToSql>::accepts(&domain));
        let mut buf = bytes::BytesMut::new();
        Domain("acme").to_sql_checked(&domain, &mut buf).unwrap();
        assert_eq!(&buf[..], b"acme");
    }
}
