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
            T::Enum(q) | T::Composite(q) => {
                format!("{}::{}", self.models, self.naming.user_type(q))
            }
            T::Array(inner) => {
                let inner = self.owned(inner)?;
                format!("::std::vec::Vec<{inner}>")
            }
            other => return Err(format!("PostgreSQL type `{other}` has no Rust mapping yet")),
        })
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
