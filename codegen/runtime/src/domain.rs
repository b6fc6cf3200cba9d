//! Passing a base-type value where PostgreSQL expects a domain of it.

use postgres_types::{to_sql_checked, IsNull, Kind, ToSql, Type};
use std::error::Error as StdError;

/// A parameter value for a column declared with a domain (`CREATE DOMAIN url_slug AS text`).
///
/// PostgreSQL types such a parameter as the domain, which tokio-postgres' `&str` refuses;
/// `Domain(&str)` accepts the domain (and the bare base type) and encodes the value as the base type.
/// Generated code wraps these parameters itself; the method signatures keep the base type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain<T>(pub T);

fn base(ty: &Type) -> &Type {
    match ty.kind() {
        Kind::Domain(inner) => base(inner),
        _ => ty,
    }
}

impl<T: ToSql> ToSql for Domain<T> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        self.0.to_sql(base(ty), out)
    }

    fn accepts(ty: &Type) -> bool {
        T::accepts(base(ty))
    }

    to_sql_checked!();
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
