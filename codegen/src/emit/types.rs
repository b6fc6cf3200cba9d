//! PostgreSQL types to Rust types, owned (results) and borrowed (parameters), as tokens.

use super::names;
use crate::config::TimeCrate;
use crate::ir::PgType;
use proc_macro2::TokenStream;
use quote::quote;

/// Where the type is written from, which decides the path of the models module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    /// A query module: `models`, imported as `use super::models;`.
    QueryModule,
    /// The package's `mod.rs`: `models`.
    Root,
    /// `models.rs` itself: the bare name.
    Models,
}

/// Settings that change the mapping.
#[derive(Debug, Clone)]
pub struct TypeMap {
    pub time: TimeCrate,
    /// Domains as generated newtypes rather than their base type.
    pub newtypes: bool,
    /// Names of user-defined types (`rename`).
    pub naming: names::Naming,
    /// Whether `models.rs` may name `Option`, `Vec` and `String` as the prelude does: none of its
    /// own types takes one of those names. Query modules and `mod.rs` always may (their types
    /// end in `Row` or `Params`, their modules are snake case).
    pub models_prelude: bool,
    /// Set when a query module names a model: it then imports `super::models`.
    pub models_named: std::cell::Cell<bool>,
}

/// Names `models.rs` writes from the prelude (and `postgres_types`' derives, imported) when no
/// generated type there takes them.
pub const PRELUDE: &[&str] = &[
    "Option", "Vec", "String", "Result", "Ok", "Some", "None", "Err", "ToSql", "FromSql",
];

impl TypeMap {
    /// A type generated in `models.rs`, named from `from`.
    pub fn model_path(&self, from: From, name: &str) -> TokenStream {
        let name = super::ident(name);
        match from {
            From::QueryModule => {
                self.models_named.set(true);
                quote!(models::#name)
            }
            From::Root => quote!(models::#name),
            From::Models => quote!(#name),
        }
    }

    fn prelude(&self, from: From) -> bool {
        from != From::Models || self.models_prelude
    }

    /// `Option<T>` when nullable.
    pub fn optional(&self, ty: TokenStream, nullable: bool, from: From) -> TokenStream {
        match (nullable, self.prelude(from)) {
            (false, _) => ty,
            (true, true) => quote!(Option<#ty>),
            (true, false) => quote!(::std::option::Option<#ty>),
        }
    }

    /// `Vec<T>`.
    pub fn vec(&self, ty: TokenStream, from: From) -> TokenStream {
        if self.prelude(from) {
            quote!(Vec<#ty>)
        } else {
            quote!(::std::vec::Vec<#ty>)
        }
    }

    /// The owned Rust type of a value, or the reason there is none.
    pub fn owned(&self, ty: &PgType, from: From) -> Result<TokenStream, String> {
        use PgType as T;
        let chrono = self.time == TimeCrate::Chrono;
        Ok(match ty {
            T::Bool => quote!(bool),
            T::Int2 => quote!(i16),
            T::Int4 => quote!(i32),
            T::Int8 => quote!(i64),
            T::Float4 => quote!(f32),
            T::Float8 => quote!(f64),
            T::Numeric => quote!(::rust_decimal::Decimal),
            T::Text | T::Varchar | T::Bpchar | T::Name | T::Citext if self.prelude(from) => {
                quote!(String)
            }
            T::Text | T::Varchar | T::Bpchar | T::Name | T::Citext => {
                quote!(::std::string::String)
            }
            T::Char => quote!(i8),
            T::Bytea => self.vec(quote!(u8), from),
            T::Uuid => quote!(::uuid::Uuid),
            T::Timestamptz if chrono => quote!(::chrono::DateTime<::chrono::Utc>),
            T::Timestamptz => quote!(::time::OffsetDateTime),
            T::Timestamp if chrono => quote!(::chrono::NaiveDateTime),
            T::Timestamp => quote!(::time::PrimitiveDateTime),
            T::Date if chrono => quote!(::chrono::NaiveDate),
            T::Date => quote!(::time::Date),
            T::Time if chrono => quote!(::chrono::NaiveTime),
            T::Time => quote!(::time::Time),
            T::Interval => quote!(::sqlgen_runtime::Interval),
            T::Json | T::Jsonb => quote!(::serde_json::Value),
            T::Inet => quote!(::std::net::IpAddr),
            T::Cidr => quote!(::sqlgen_runtime::cidr::IpCidr),
            T::Oid => quote!(u32),
            T::Timetz => quote!(::sqlgen_runtime::TimeTz),
            T::Macaddr => quote!(::sqlgen_runtime::eui48::MacAddress),
            T::Money => quote!(::sqlgen_runtime::Money),
            T::Void => quote!(::sqlgen_runtime::Void),
            T::Other(name) => match self.by_name(name, from)? {
                Some((t, _)) => t,
                None => return Err(no_mapping(ty)),
            },
            T::Enum(q) | T::Composite(q) => self.model_path(from, &self.naming.user_type(q)),
            // An array's element of a domain: as a value of the domain's column would be.
            T::Domain(q, _) if self.newtypes => self.model_path(from, &self.naming.user_type(q)),
            T::Domain(_, base) => self.owned(base, from)?,
            T::Array(inner) => {
                let inner = self.owned(inner, from)?;
                self.vec(inner, from)
            }
            other => return Err(no_mapping(other)),
        })
    }

    /// The owned Rust type of a type known by name only, and how a parameter takes it.
    fn by_name(&self, name: &str, from: From) -> Result<Option<(TokenStream, Pass)>, String> {
        // Extension types may be written schema-qualified (`public.hstore`).
        let name = name.rsplit('.').next().unwrap_or(name);
        if let Some(t) = BY_NAME.iter().find(|t| t.0.contains(&name)) {
            let ty: TokenStream = t.1.parse().map_err(|e| format!("{e:?}"))?;
            return Ok(Some((ty, t.2)));
        }
        let (element, multi) = match name.strip_suffix("multirange") {
            Some(e) => (e, true),
            None => match name.strip_suffix("range") {
                Some(e) => (e, false),
                None => return Ok(None),
            },
        };
        let element = match element {
            "int4" => PgType::Int4,
            "int8" => PgType::Int8,
            "num" => PgType::Numeric,
            "ts" => PgType::Timestamp,
            "tstz" => PgType::Timestamptz,
            "date" => PgType::Date,
            _ => return Ok(None),
        };
        let element = self.owned(&element, from)?;
        let ty = if multi {
            quote!(::sqlgen_runtime::Multirange<#element>)
        } else {
            quote!(::sqlgen_runtime::Range<#element>)
        };
        Ok(Some((ty, Pass::Ref)))
    }

    /// The parameter type: borrowed where the owned type allocates.
    /// `lt` is the lifetime to write (`'a` in a params struct), if any.
    pub fn param(
        &self,
        ty: &PgType,
        lt: Option<&syn::Lifetime>,
        from: From,
    ) -> Result<TokenStream, String> {
        use PgType as T;
        Ok(match ty {
            T::Text | T::Varchar | T::Bpchar | T::Name | T::Citext => quote!(&#lt str),
            T::Bytea => quote!(&#lt [u8]),
            T::Json | T::Jsonb => quote!(&#lt ::serde_json::Value),
            T::Array(inner) => {
                let inner = self.owned(inner, from)?;
                quote!(&#lt [#inner])
            }
            T::Other(name) => match self.by_name(name, from)? {
                Some((_, Pass::Value)) | None => self.owned(ty, from)?,
                Some((t, Pass::Ref)) => quote!(&#lt #t),
                Some((_, Pass::Str)) => quote!(&#lt str),
                Some((_, Pass::Slice(element))) => {
                    let element: TokenStream = element.parse().map_err(|e| format!("{e:?}"))?;
                    quote!(&#lt [#element])
                }
            },
            other => self.owned(other, from)?,
        })
    }

    /// The owned type of a value that may come from a domain-typed column.
    pub fn owned_in(
        &self,
        ty: &PgType,
        domain: Option<&crate::ir::QualName>,
        from: From,
    ) -> Result<TokenStream, String> {
        match domain.filter(|_| self.newtypes) {
            Some(d) => Ok(self.model_path(from, &self.naming.user_type(d))),
            None => self.owned(ty, from),
        }
    }

    /// The parameter type of a value PostgreSQL may type as a domain.
    pub fn param_in(
        &self,
        ty: &PgType,
        domain: Option<&crate::ir::QualName>,
        lt: Option<&syn::Lifetime>,
        from: From,
    ) -> Result<TokenStream, String> {
        match domain.filter(|_| self.newtypes) {
            Some(_) => {
                let owned = self.owned_in(ty, domain, from)?;
                Ok(quote!(&#lt #owned))
            }
            None => self.param(ty, lt, from),
        }
    }

    /// Whether the parameter type borrows (and a params struct needs a lifetime).
    pub fn param_borrows_in(&self, ty: &PgType, domain: Option<&crate::ir::QualName>) -> bool {
        (self.newtypes && domain.is_some()) || self.param_borrows(ty)
    }

    pub fn param_borrows(&self, ty: &PgType) -> bool {
        if let PgType::Other(name) = ty {
            return matches!(self.by_name(name, From::QueryModule), Ok(Some((_, p))) if p != Pass::Value);
        }
        matches!(
            ty,
            PgType::Text
                | PgType::Varchar
                | PgType::Bpchar
                | PgType::Name
                | PgType::Citext
                | PgType::Bytea
                | PgType::Json
                | PgType::Jsonb
                | PgType::Array(_)
        )
    }
}

/// How a parameter takes a value of a type known by name only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// By value: the type is `Copy`.
    Value,
    /// As `&T`.
    Ref,
    /// As `&str`, the type being `String`.
    Str,
    /// As `&[T]`, the type being `Vec<T>`.
    Slice(&'static str),
}

/// The built-in and extension types without a `PgType` variant of their own, by `typname`
/// (range and multirange types are built from their element's mapping).
/// A type not here (`aclitem`, which has no binary format; internal ones like `pg_ndistinct`)
/// has no Rust mapping.
#[rustfmt::skip]
const BY_NAME: &[(&[&str], &str, Pass)] = &[
    (&["bit", "varbit"], "::sqlgen_runtime::bit_vec::BitVec", Pass::Ref),
    (&["point"], "::sqlgen_runtime::geo_types::Point<f64>", Pass::Value),
    (&["box"], "::sqlgen_runtime::geo_types::Rect<f64>", Pass::Value),
    (&["line"], "::sqlgen_runtime::Line", Pass::Value),
    (&["lseg"], "::sqlgen_runtime::LineSegment", Pass::Value),
    (&["path"], "::sqlgen_runtime::Path", Pass::Ref),
    (&["polygon"], "::sqlgen_runtime::Polygon", Pass::Ref),
    (&["circle"], "::sqlgen_runtime::Circle", Pass::Value),
    (&["macaddr8"], "::sqlgen_runtime::Macaddr8", Pass::Value),
    (&["xid"], "::sqlgen_runtime::Xid", Pass::Value),
    (&["xid8"], "::sqlgen_runtime::Xid8", Pass::Value),
    (&["cid"], "::sqlgen_runtime::Cid", Pass::Value),
    (&["tid"], "::sqlgen_runtime::Tid", Pass::Value),
    (&["pg_lsn"], "::sqlgen_runtime::Lsn", Pass::Value),
    (&["pg_snapshot", "txid_snapshot"], "::sqlgen_runtime::Snapshot", Pass::Ref),
    (&["regclass", "regtype", "regproc", "regprocedure", "regoper", "regoperator", "regconfig",
      "regdictionary", "regnamespace", "regrole", "regcollation"], "::sqlgen_runtime::RegOid", Pass::Value),
    (&["tsvector"], "::sqlgen_runtime::TsVector", Pass::Ref),
    (&["tsquery"], "::sqlgen_runtime::TsQuery", Pass::Ref),
    (&["xml"], "::sqlgen_runtime::Xml", Pass::Ref),
    (&["jsonpath"], "::sqlgen_runtime::JsonPath", Pass::Ref),
    (&["refcursor"], "::sqlgen_runtime::Refcursor", Pass::Ref),
    (&["pg_node_tree"], "::sqlgen_runtime::PgNodeTree", Pass::Ref),
    (&["hstore"], "::sqlgen_runtime::Hstore", Pass::Ref),
    // postgres-types reads and writes these extension types as text.
    (&["ltree", "lquery", "ltxtquery"], "::std::string::String", Pass::Str),
    // The catalogue's vectors are one-dimensional arrays on the wire.
    (&["int2vector"], "::std::vec::Vec<i16>", Pass::Slice("i16")),
    (&["oidvector"], "::std::vec::Vec<u32>", Pass::Slice("u32")),
];

/// E0401's message.
fn no_mapping(ty: &PgType) -> String {
    match ty {
        PgType::Record => "an anonymous `record` has no Rust mapping; select its fields as columns, or cast it to a composite type".to_string(),
        PgType::Other(name) if name == "aclitem" => "PostgreSQL type `aclitem` has no Rust mapping: it has no binary format; select it as `::text`".to_string(),
        _ => format!("PostgreSQL type `{ty}` has no Rust mapping"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(time: TimeCrate) -> TypeMap {
        TypeMap {
            time,
            newtypes: false,
            naming: names::Naming::default(),
            models_prelude: false,
            models_named: std::cell::Cell::new(false),
        }
    }

    /// `name: owned | parameter` under the time crate, as `models.rs` would write them.
    fn row(time: TimeCrate, ty: PgType) -> String {
        let m = map(time);
        let text = |t: Result<TokenStream, String>| match t {
            Ok(t) => t.to_string().replace(' ', ""),
            Err(e) => e,
        };
        let owned = text(m.owned(&ty, From::Models));
        let param = text(m.param(&ty, None, From::Models));
        format!("{ty}: {owned} | {param}")
    }

    #[test]
    fn types_known_by_name() {
        let other = |n: &str| PgType::Other(n.to_string());
        let rows: Vec<String> = [
            other("varbit"),
            other("point"),
            other("path"),
            other("int4range"),
            other("tstzmultirange"),
            other("public.hstore"),
            other("ltree"),
            other("int2vector"),
            PgType::Array(Box::new(other("hstore"))),
            other("regclass"),
            PgType::Timetz,
            PgType::Macaddr,
            PgType::Money,
            PgType::Void,
            other("aclitem"),
            other("pg_ndistinct"),
            other("anyrange"),
        ]
        .into_iter()
        .map(|t| row(TimeCrate::Time, t))
        .collect();
        assert_eq!(
            rows,
            [
                "varbit: ::sqlgen_runtime::bit_vec::BitVec | &::sqlgen_runtime::bit_vec::BitVec",
                "point: ::sqlgen_runtime::geo_types::Point<f64> | ::sqlgen_runtime::geo_types::Point<f64>",
                "path: ::sqlgen_runtime::Path | &::sqlgen_runtime::Path",
                "int4range: ::sqlgen_runtime::Range<i32> | &::sqlgen_runtime::Range<i32>",
                "tstzmultirange: ::sqlgen_runtime::Multirange<::time::OffsetDateTime> | &::sqlgen_runtime::Multirange<::time::OffsetDateTime>",
                "public.hstore: ::sqlgen_runtime::Hstore | &::sqlgen_runtime::Hstore",
                "ltree: ::std::string::String | &str",
                "int2vector: ::std::vec::Vec<i16> | &[i16]",
                "hstore[]: ::std::vec::Vec<::sqlgen_runtime::Hstore> | &[::sqlgen_runtime::Hstore]",
                "regclass: ::sqlgen_runtime::RegOid | ::sqlgen_runtime::RegOid",
                "timetz: ::sqlgen_runtime::TimeTz | ::sqlgen_runtime::TimeTz",
                "macaddr: ::sqlgen_runtime::eui48::MacAddress | ::sqlgen_runtime::eui48::MacAddress",
                "money: ::sqlgen_runtime::Money | ::sqlgen_runtime::Money",
                "void: ::sqlgen_runtime::Void | ::sqlgen_runtime::Void",
                "aclitem: PostgreSQL type `aclitem` has no Rust mapping: it has no binary format; select it as `::text` | PostgreSQL type `aclitem` has no Rust mapping: it has no binary format; select it as `::text`",
                "pg_ndistinct: PostgreSQL type `pg_ndistinct` has no Rust mapping | PostgreSQL type `pg_ndistinct` has no Rust mapping",
                "anyrange: PostgreSQL type `anyrange` has no Rust mapping | PostgreSQL type `anyrange` has no Rust mapping",
            ]
        );
        assert_eq!(
            row(TimeCrate::Chrono, other("daterange")),
            "daterange: ::sqlgen_runtime::Range<::chrono::NaiveDate> | &::sqlgen_runtime::Range<::chrono::NaiveDate>"
        );
        let m = map(TimeCrate::Time);
        assert!(m.param_borrows(&other("ltree")));
        assert!(m.param_borrows(&other("numrange")));
        assert!(!m.param_borrows(&other("point")));
        assert!(!m.param_borrows(&other("aclitem")));
    }
}
