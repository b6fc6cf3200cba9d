//! PostgreSQL types to Rust types, owned (results) and borrowed (parameters).

use super::names;
use crate::config::TimeCrate;
use crate::ir::PgType;
use std::string::String as S;

/// Settings that change the mapping.
#[derive(Debug, Clone)]
pub struct TypeMap {
    pub time: TimeCrate,
    /// Path of the models module from where the type is written (`super::models`).
    pub models: &'static str,
    /// Domains as generated newtypes rather than their base type.
    pub newtypes: bool,
    /// Names of user-defined types (`rename`).
    pub naming: names::Naming,
}

impl TypeMap {
    /// The owned Rust type of a value, or the reason there is none.
    pub fn owned(&self, ty: &PgType) -> Result<String, String> {
        use PgType as T;
        let chrono = self.time == TimeCrate::Chrono;
        Ok(match ty {
            T::Bool => S::from("bool"),
            T::Int2 => S::from("i16"),
            T::Int4 => S::from("i32"),
            T::Int8 => S::from("i64"),
            T::Float4 => S::from("f32"),
            T::Float8 => S::from("f64"),
            T::Numeric => S::from("::rust_decimal::Decimal"),
            T::Text | T::Varchar | T::Bpchar | T::Name | T::Citext => {
                S::from("::std::string::String")
            }
            T::Char => S::from("i8"),
            T::Bytea => S::from("::std::vec::Vec<u8>"),
            T::Uuid => S::from("::uuid::Uuid"),
            T::Timestamptz if chrono => S::from("::chrono::DateTime<::chrono::Utc>"),
            T::Timestamptz => S::from("::time::OffsetDateTime"),
            T::Timestamp if chrono => S::from("::chrono::NaiveDateTime"),
            T::Timestamp => S::from("::time::PrimitiveDateTime"),
            T::Date if chrono => S::from("::chrono::NaiveDate"),
            T::Date => S::from("::time::Date"),
            T::Time if chrono => S::from("::chrono::NaiveTime"),
            T::Time => S::from("::time::Time"),
            T::Interval => S::from("::sqlgen_runtime::Interval"),
            T::Json | T::Jsonb => S::from("::serde_json::Value"),
            T::Inet => S::from("::std::net::IpAddr"),
            T::Cidr => S::from("::sqlgen_runtime::cidr::IpCidr"),
            T::Oid => S::from("u32"),
            T::Timetz => S::from("::sqlgen_runtime::TimeTz"),
            T::Macaddr => S::from("::sqlgen_runtime::eui48::MacAddress"),
            T::Money => S::from("::sqlgen_runtime::Money"),
            T::Void => S::from("::sqlgen_runtime::Void"),
            T::Other(name) => match self.by_name(name)? {
                Some((t, _)) => t,
                None => return Err(no_mapping(ty)),
            },
            T::Enum(q) | T::Composite(q) => {
                format!("{}::{}", self.models, self.naming.user_type(q))
            }
            T::Array(inner) => {
                let inner = self.owned(inner)?;
                format!("::std::vec::Vec<{inner}>")
            }
            other => return Err(no_mapping(other)),
        })
    }

    /// The owned Rust type of a type known by name only, and how a parameter takes it.
    fn by_name(&self, name: &str) -> Result<Option<(String, Pass)>, String> {
        // Extension types may be written schema-qualified (`public.hstore`).
        let name = name.rsplit('.').next().unwrap_or(name);
        if let Some(t) = BY_NAME.iter().find(|t| t.0.contains(&name)) {
            return Ok(Some((t.1.to_string(), t.2)));
        }
        let (element, wrapper) = match name.strip_suffix("multirange") {
            Some(e) => (e, "Multirange"),
            None => match name.strip_suffix("range") {
                Some(e) => (e, "Range"),
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
        let element = self.owned(&element)?;
        Ok(Some((
            format!("::sqlgen_runtime::{wrapper}<{element}>"),
            Pass::Ref,
        )))
    }

    /// The parameter type: borrowed where the owned type allocates.
    /// `lt` is the lifetime to write (`'a` in a params struct) or empty.
    pub fn param(&self, ty: &PgType, lt: &str) -> Result<String, String> {
        use PgType as T;
        Ok(match ty {
            T::Text | T::Varchar | T::Bpchar | T::Name | T::Citext => format!("{}str", amp(lt)),
            T::Bytea => format!("{}[u8]", amp(lt)),
            T::Json | T::Jsonb => format!("{}::serde_json::Value", amp(lt)),
            T::Array(inner) => {
                let inner = self.owned(inner)?;
                format!("{}[{inner}]", amp(lt))
            }
            T::Other(name) => match self.by_name(name)? {
                Some((_, Pass::Value)) | None => self.owned(ty)?,
                Some((t, Pass::Ref)) => format!("{}{t}", amp(lt)),
                Some((_, Pass::Str)) => format!("{}str", amp(lt)),
                Some((_, Pass::Slice(element))) => format!("{}[{element}]", amp(lt)),
            },
            other => self.owned(other)?,
        })
    }

    /// The owned type of a value that may come from a domain-typed column.
    pub fn owned_in(
        &self,
        ty: &PgType,
        domain: Option<&crate::ir::QualName>,
    ) -> Result<String, String> {
        match domain.filter(|_| self.newtypes) {
            Some(d) => Ok(format!("{}::{}", self.models, self.naming.user_type(d))),
            None => self.owned(ty),
        }
    }

    /// The parameter type of a value PostgreSQL may type as a domain.
    pub fn param_in(
        &self,
        ty: &PgType,
        domain: Option<&crate::ir::QualName>,
        lt: &str,
    ) -> Result<String, String> {
        match domain.filter(|_| self.newtypes) {
            Some(_) => {
                let owned = self.owned_in(ty, domain)?;
                Ok(format!("{}{owned}", amp(lt)))
            }
            None => self.param(ty, lt),
        }
    }

    /// Whether the parameter type borrows (and a params struct needs a lifetime).
    pub fn param_borrows_in(&self, ty: &PgType, domain: Option<&crate::ir::QualName>) -> bool {
        (self.newtypes && domain.is_some()) || self.param_borrows(ty)
    }

    pub fn param_borrows(&self, ty: &PgType) -> bool {
        if let PgType::Other(name) = ty {
            return matches!(self.by_name(name), Ok(Some((_, p))) if p != Pass::Value);
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

/// `&` or `&'a ` before a borrowed type.
pub fn amp(lt: &str) -> String {
    if lt.is_empty() {
        "&".to_string()
    } else {
        format!("&{lt} ")
    }
}

/// `Option<T>` when nullable.
pub fn optional(ty: String, nullable: bool) -> String {
    if nullable {
        format!("::std::option::Option<{ty}>")
    } else {
        ty
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(time: TimeCrate) -> TypeMap {
        TypeMap {
            time,
            models: "super::models",
            newtypes: false,
            naming: names::Naming::default(),
        }
    }

    /// `name: owned | parameter` under the time crate.
    fn row(time: TimeCrate, ty: PgType) -> String {
        let m = map(time);
        let owned = m.owned(&ty).unwrap_or_else(|e| e);
        let param = m.param(&ty, "").unwrap_or_else(|e| e);
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
