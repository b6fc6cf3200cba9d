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
            let name = ident(&names::import_name(imp));
            items.push(quote!(pub use #path::models::#name;));
        }
        let derives_postgres = !pkg.enums.is_empty()
            || !pkg.composites.is_empty()
            || (self.opts.domain_newtypes && !pkg.domains.is_empty());
        if self.tm.models_prelude && derives_postgres {
            items.push(quote!(
                use ::postgres_types::{FromSql, ToSql};
            ));
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
                let derives = pg_derives(self.tm.models_prelude, &serde_derives);
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
            let derives = pg_derives(self.tm.models_prelude, &serde_derives);
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
            for (f, fname) in m.fields.iter().zip(&field_names) {
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
                fields.push((attrs, ident(fname), ty));
            }
            let sql = m.table.to_string();
            let generic_doc = if m.is_view {
                format!("A row of view `{sql}`.")
            } else {
                format!("A row of table `{sql}`.")
            };
            let docs = doc(&[m.comment.as_deref().unwrap_or(&generic_doc)]);
            let decoder = super::Decoder::InOrder {
                runtime: quote!(::sqlgen_runtime),
            };
            items.extend(self.decoded_struct(docs, &name, &fields, decoder));
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
        let pg = super::pg_derive_paths(self.tm.models_prelude);
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
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, #pg, #(#serde),*)]
            #[postgres(name = #sql_name)]
            pub enum #name {
                #(
                    #[postgres(name = #labels)]
                    #serde_rename
                    #variants,
                )*
            }
        });
        let from_str = if self.opts.emit_enum_valid_method {
            quote!(FromStr)
        } else {
            quote!()
        };
        items.push(quote! {
            ::sqlgen_runtime::labels!(#name = #sql_name { #(#variants = #labels),* } #from_str);
        });
    }
}
