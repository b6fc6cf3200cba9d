//! The package's `mod.rs`: its modules, and the `Queries` trait whose methods delegate to the
//! query functions, implemented for every `GenericClient`.
//!
//! Every module declaration and item carries `#[rustfmt::skip]`: `cargo fmt` then leaves the
//! generated files alone (a skipped `mod x;` is not followed into `x.rs`), and leaves `mod.rs`
//! as it is too, whatever the crate's edition or `rustfmt.toml`.

use super::queries::{as_generated, per_item};
use super::{doc, ident, names, source, Emitter, From};
use crate::ir::{self, Command};
use proc_macro2::TokenStream;
use quote::quote;

impl Emitter<'_> {
    pub(super) fn root(&mut self, pkg: &ir::Package) -> Vec<TokenStream> {
        let suffix = self.opts.output_files_suffix.clone();
        let rt = self.rt.clone();
        let mut items = vec![quote!(use ::sqlgen_runtime as #rt;)];
        let models_file = &self.opts.output_models_file_name;
        if models_file == "models.rs" {
            items.push(quote! { #[rustfmt::skip] pub mod models; });
        } else {
            items.push(quote! { #[rustfmt::skip] #[path = #models_file] pub mod models; });
        }
        for module in &self.modules {
            let m = ident(module);
            if suffix.is_empty() {
                items.push(quote! { #[rustfmt::skip] pub mod #m; });
            } else {
                let path = format!("{module}{suffix}.rs");
                items.push(quote! { #[rustfmt::skip] #[path = #path] pub mod #m; });
            }
        }
        let mut methods = Vec::new();
        for (f, module) in pkg.files.iter().zip(self.modules.clone()) {
            let m = ident(&module);
            for q in &f.queries {
                let q = &*as_generated(q);
                if q.command == Command::ExecLastId {
                    continue;
                }
                methods.push(self.method(q, &m));
            }
        }
        let docs = doc(&[
            &format!(
                "Every query of package `{}`, callable on any [`sqlgen_runtime::GenericClient`]:",
                pkg.name
            ),
            "a client, a transaction or a pooled connection.",
        ]);
        items.push(quote! {
            #docs
            #[rustfmt::skip]
            pub trait Queries: #rt::GenericClient + Sized {
                #(#methods)*
            }
        });
        items.push(quote! {
            #[rustfmt::skip]
            impl<C: #rt::GenericClient> Queries for C {}
        });
        items
    }

    /// One method of the `Queries` trait: the query function's signature on `&self`, delegating.
    fn method(&mut self, q: &ir::Query, m: &proc_macro2::Ident) -> TokenStream {
        let fn_name = ident(&names::ident(&names::field(&q.name)));
        let qn = Some(q.name.as_str());
        let arg_names = self.arg_names(q);
        let borrows = self.params_borrow(q);
        let is_copy = q.command == Command::CopyFrom;
        let a: syn::Lifetime = syn::parse_quote!('a);
        let rt = self.rt.clone();
        let mut args = Vec::new();
        let mut pass = Vec::new();
        if per_item(q.command) {
            let item = if q.params.len() > 1 {
                let sname = ident(&names::query_type(&q.name, "Params"));
                match (borrows, is_copy) {
                    (true, true) => quote!(#m::#sname<'a>),
                    (true, false) => quote!(#m::#sname<'_>),
                    (false, _) => quote!(#m::#sname),
                }
            } else if let Some(param) = q.params.first() {
                let lt = is_copy.then_some(&a);
                self.param_ty(qn, param, lt, From::Root)
            } else {
                quote!(())
            };
            args.push(if is_copy {
                quote!(items: impl #rt::CopyItems<#item>)
            } else {
                quote!(items: &[#item])
            });
            pass.push(quote!(items));
        } else if q.params.len() > self.opts.params_struct_after || q.dynamic.is_some() {
            let sname = ident(&names::query_type(&q.name, "Params"));
            let anon = if borrows { quote!(<'_>) } else { quote!() };
            args.push(quote!(params: &#m::#sname #anon));
            pass.push(quote!(params));
        } else {
            for (param, n) in q.params.iter().zip(&arg_names) {
                let ty = self.param_ty(qn, param, None, From::Root);
                let n = ident(n);
                args.push(quote!(#n: #ty));
                pass.push(quote!(#n));
            }
        }
        let ret = self.return_type(q, m);
        let generics = if is_copy && borrows {
            quote!(<'a>)
        } else {
            quote!()
        };
        let doc_lines: Vec<&str> = q.doc.iter().map(String::as_str).collect();
        let docs = doc(&doc_lines);
        quote! {
            #docs
            fn #fn_name #generics(
                &self,
                #(#args),*
            ) -> impl #rt::QueryFuture<#ret> {
                #m::#fn_name(self, #(#pass),*)
            }
        }
    }

    fn return_type(&mut self, q: &ir::Query, m: &proc_macro2::Ident) -> TokenStream {
        let qn = Some(q.name.as_str());
        let rt = self.rt.clone();
        let row = if !q.command.returns_rows() {
            quote!()
        } else if let Some(t) = &q.row_model {
            self.tm.model_path(From::Root, &self.naming.model(t))
        } else if q.columns.len() == 1 {
            let c = &q.columns[0];
            self.value_ty(
                qn,
                &c.ty,
                c.domain.as_ref(),
                source(c),
                c.nullable,
                From::Root,
            )
        } else {
            let row = ident(&names::query_type(&q.name, "Row"));
            quote!(#m::#row)
        };
        match q.command {
            Command::One => row,
            Command::Opt => quote!(Option<#row>),
            Command::Many => quote!(Vec<#row>),
            Command::ExecRows | Command::ExecResult | Command::CopyFrom => quote!(u64),
            Command::BatchOne => quote!(Vec<#rt::Result<#row>>),
            Command::BatchMany => quote!(Vec<#rt::Result<Vec<#row>>>),
            Command::BatchExec => quote!(Vec<#rt::Result<()>>),
            Command::Exec | Command::ExecLastId => quote!(()),
        }
    }
}
