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
            T::Enum(q) | T::Composite(q) => self.model_path(from, &self.naming.user_type(q)),
            T::Array(inner) => {
                let inner = self.owned(inner, from)?;
                self.vec(inner, from)
            }
            other => return Err(format!("PostgreSQL type `{other}` has no Rust mapping yet")),
        })
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
