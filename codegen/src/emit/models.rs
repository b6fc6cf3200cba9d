//! `models.rs`: imported models, enums, domain newtypes, composites, and a struct per table with
//! its `FromRow` decoder, shared by every query that returns the table's columns.

use super::{doc, ident, names, pg_derives, struct_item, Emitter};
use crate::ir;
use proc_macro2::TokenStream;
use quote::quote;

impl Emitter<'_> {
    pub(super) fn models(&mut self, pkg: &ir::Package) -> Vec<TokenStream> {
        let (serde_derives, serde_rename) = self.serde_attrs();
        // Checked once per package, whether or not a struct takes them.
        let _ = self.extra_derives();
        let mut items = Vec::new();
        for imp in &pkg.imported {
            // `module_path` was checked to be a Rust path when the config was read.
            let path: TokenStream = match syn::parse_str::<syn::Path>(imp.module_path.trim()) {
                Ok(p) => quote!(#p),
                Err(_) => {
                    self.fail(None, format!("`{}` is not a module path", imp.module_path));
                    continue;
                }
            };
            let name = ident(&imp.rust_name);
            items.push(quote!(pub use #path::models::#name;));
        }
        for en in &pkg.enums {
            self.enum_items(&mut items, en, &serde_derives);
        }
        if self.opts.domain_newtypes {
            for d in &pkg.domains {
                let name = ident(&self.naming.user_type(&d.name));
                let base = self.owned(None, &d.base, false);
                let docs = doc(&[&format!("Domain `{}` over `{}`.", d.name, d.base)]);
                let sql_name = &d.name.name;
                let transparent = if self.opts.emit_json_tags {
                    quote!(#[serde(transparent)])
                } else {
                    TokenStream::new()
                };
                let derives = pg_derives(&serde_derives);
                items.push(quote! {
                    #docs
                    #derives
                    #[postgres(name = #sql_name)]
                    #transparent
                    pub struct #name(pub #base);
                });
            }
        }
        for c in &pkg.composites {
            let name = ident(&self.naming.user_type(&c.name));
            let field_names = names::dedupe(
                c.fields
                    .iter()
                    .map(|f| self.naming.field(&f.name))
                    .collect(),
            );
            let mut fields = Vec::new();
            for (f, fname) in c.fields.iter().zip(&field_names) {
                let ty = self.owned(None, &f.ty, f.nullable);
                // The derive matches attributes by name: keep the SQL name whatever the Rust one.
                let sql = &f.name;
                fields.push((quote!(#[postgres(name = #sql)]), ident(fname), ty));
            }
            let generic_doc = format!("Composite type `{}`; every attribute may be NULL.", c.name);
            let docs = doc(&[c.comment.as_deref().unwrap_or(&generic_doc)]);
            let sql_name = &c.name.name;
            let derives = pg_derives(&serde_derives);
            let attrs = quote! {
                #docs
                #derives
                #[postgres(name = #sql_name)]
                #serde_rename
            };
            items.push(struct_item(attrs, quote!(#name), &fields));
        }
        for m in &pkg.models {
            let name = ident(&self.naming.model(&m.table));
            let field_names = names::dedupe(
                m.fields
                    .iter()
                    .map(|f| self.naming.field(&f.name))
                    .collect(),
            );
            let mut fields = Vec::new();
            let mut inits = Vec::new();
            for (i, (f, fname)) in m.fields.iter().zip(&field_names).enumerate() {
                let ty = self.value_ty(
                    None,
                    &f.ty,
                    f.domain.as_ref(),
                    Some((&m.table, &f.name)),
                    f.nullable,
                    super::From::Models,
                );
                let mut attrs = match &f.comment {
                    Some(comment) => doc(&[comment]),
                    None => TokenStream::new(),
                };
                attrs.extend(self.field_rename(&f.name, fname));
                let id = ident(fname);
                let i = proc_macro2::Literal::usize_unsuffixed(i);
                inits.push(quote!(#id: row.try_get(#i)?));
                fields.push((attrs, id, ty));
            }
            let sql = m.table.to_string();
            let generic_doc = if m.is_view {
                format!("A row of view `{sql}`.")
            } else {
                format!("A row of table `{sql}`.")
            };
            let docs = doc(&[m.comment.as_deref().unwrap_or(&generic_doc)]);
            let prelude = self.tm.models_prelude;
            let name = quote!(#name);
            items.extend(self.decoded_struct(
                docs,
                name,
                &fields,
                TokenStream::new(),
                &inits,
                prelude,
            ));
        }
        items
    }

    fn enum_items(&mut self, items: &mut Vec<TokenStream>, en: &ir::Enum, serde: &[TokenStream]) {
        let name = ident(&self.naming.user_type(&en.name));
        // postgres-types matches the bare type name, without its schema.
        let sql_name = &en.name.name;
        let variants: Vec<_> =
            names::dedupe_types(en.values.iter().map(|v| self.naming.variant(v)).collect())
                .iter()
                .map(|v| ident(v))
                .collect();
        let labels = &en.values;
        let comment: Vec<&str> = en.comment.iter().map(String::as_str).collect();
        let docs = doc(&comment);
        let serde_rename: Vec<TokenStream> = labels
            .iter()
            .map(|l| {
                if self.opts.emit_json_tags {
                    quote!(#[serde(rename = #l)])
                } else {
                    TokenStream::new()
                }
            })
            .collect();
        items.push(quote! {
            #docs
            #[derive(
                Debug,
                Clone,
                Copy,
                PartialEq,
                Eq,
                Hash,
                ::postgres_types::ToSql,
                ::postgres_types::FromSql,
                #(#serde),*
            )]
            #[postgres(name = #sql_name)]
            pub enum #name {
                #(
                    #[postgres(name = #labels)]
                    #serde_rename
                    #variants,
                )*
            }
        });
        let matched = if variants.is_empty() {
            quote!(match *self {})
        } else {
            quote!(match self { #(Self::#variants => #labels,)* })
        };
        items.push(quote! {
            impl #name {
                /// Every value, in the order PostgreSQL sorts them.
                pub const ALL: &'static [Self] = &[#(Self::#variants),*];

                /// The label as stored in PostgreSQL.
                pub fn as_str(&self) -> &'static str {
                    #matched
                }
            }
        });
        items.push(quote! {
            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        });
        if self.opts.emit_enum_valid_method {
            items.push(quote! {
                impl ::std::str::FromStr for #name {
                    type Err = ::sqlgen_runtime::UnknownLabel;

                    /// The value of a PostgreSQL label; any other text is an error.
                    fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                        match s {
                            #(#labels => ::std::result::Result::Ok(Self::#variants),)*
                            _ => ::std::result::Result::Err(
                                ::sqlgen_runtime::UnknownLabel::new(#sql_name, s),
                            ),
                        }
                    }
                }
            });
        }
    }
}
