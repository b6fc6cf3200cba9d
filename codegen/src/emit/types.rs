//! PostgreSQL types to Rust types, owned (results) and borrowed (parameters).

use super::names;
use crate::config::TimeCrate;
use crate::ir::PgType;
use proc_macro2::TokenStream;
use quote::quote;

/// Settings that change the mapping.
#[derive(Debug, Clone)]
pub struct TypeMap {
    pub time: TimeCrate,
    /// Path of the models module from where the type is written (`super::models`).
    pub models: TokenStream,
    /// Domains as generated newtypes rather than their base type.
    pub newtypes: bool,
    /// Names of user-defined types (`rename`).
    pub naming: names::Naming,
}

impl TypeMap {
    /// The owned Rust type of a value, or the reason there is none.
    pub fn owned(&self, ty: &PgType) -> Result<TokenStream, String> {
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
            T::Text | T::Varchar | T::Bpchar | T::Name | T::Citext => quote!(::std::string::String),
            T::Char => quote!(i8),
            T::Bytea => quote!(::std::vec::Vec<u8>),
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
            T::Enum(q) | T::Composite(q) => {
                let name = proc_macro2::Ident::new(
                    &self.naming.user_type(q),
                    proc_macro2::Span::call_site(),
                );
                let models = &self.models;
                quote!(#models::#name)
            }
            T::Array(inner) => {
                let inner = self.owned(inner)?;
                quote!(::std::vec::Vec<#inner>)
            }
            other => return Err(format!("PostgreSQL type `{other}` has no Rust mapping yet")),
        })
    }

    /// The parameter type: borrowed where the owned type allocates.
    /// `lt` is the lifetime to write (`'a` in a params struct) or empty.
    pub fn param(&self, ty: &PgType, lt: &TokenStream) -> Result<TokenStream, String> {
        use PgType as T;
        Ok(match ty {
            T::Text | T::Varchar | T::Bpchar | T::Name | T::Citext => quote!(&#lt str),
            T::Bytea => quote!(&#lt [u8]),
            T::Json | T::Jsonb => quote!(&#lt ::serde_json::Value),
            T::Array(inner) => {
                let inner = self.owned(inner)?;
                quote!(&#lt [#inner])
            }
            other => self.owned(other)?,
        })
    }

    /// The owned type of a value that may come from a domain-typed column.
    pub fn owned_in(
        &self,
        ty: &PgType,
        domain: Option<&crate::ir::QualName>,
    ) -> Result<TokenStream, String> {
        match domain.filter(|_| self.newtypes) {
            Some(d) => {
                let name = proc_macro2::Ident::new(
                    &self.naming.user_type(d),
                    proc_macro2::Span::call_site(),
                );
                let models = &self.models;
                Ok(quote!(#models::#name))
            }
            None => self.owned(ty),
        }
    }

    /// The parameter type of a value PostgreSQL may type as a domain.
    pub fn param_in(
        &self,
        ty: &PgType,
        domain: Option<&crate::ir::QualName>,
        lt: &TokenStream,
    ) -> Result<TokenStream, String> {
        match domain.filter(|_| self.newtypes) {
            Some(_) => {
                let owned = self.owned_in(ty, domain)?;
                Ok(quote!(&#lt #owned))
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

/// `Option<T>` when nullable.
pub fn optional(ty: TokenStream, nullable: bool) -> TokenStream {
    if nullable {
        quote!(::std::option::Option<#ty>)
    } else {
        ty
    }
}
