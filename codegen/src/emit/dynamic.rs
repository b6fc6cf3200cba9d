//! Dynamic queries (`ir::Dynamic`): the constant array of every shape's SQL, the params struct
//! with an `Option` per optional condition, the sort enum (with each key's keyset cursor), and a
//! function that picks the shape by its index and passes the values that shape takes.

use super::{ident, names, struct_item, Emitter, From};
use crate::ir::{self, PgType};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

/// The names a dynamic query's items take.
pub(super) struct DynamicNames<'a> {
    pub fn_name: &'a Ident,
    pub const_name: &'a Ident,
    pub ret: TokenStream,
    pub helper: Ident,
}

impl Emitter<'_> {
    /// Whether a query's params struct needs a lifetime: a parameter or a cursor value borrows.
    pub(super) fn params_borrow(&self, q: &ir::Query) -> bool {
        q.params
            .iter()
            .chain(cursor_params(q))
            .any(|p| self.param_borrows(p))
    }

    /// Every item of a dynamic query.
    pub(super) fn dynamic_query(
        &mut self,
        items: &mut Vec<TokenStream>,
        q: &ir::Query,
        d: &ir::Dynamic,
        n: DynamicNames<'_>,
    ) {
        let qn = Some(q.name.as_str());
        if q.params
            .iter()
            .chain(cursor_params(q))
            .any(|p| p.domain.is_some() && !self.tm.newtypes)
        {
            self.fail_with(
                crate::diagnostics::Code::CommandNotGenerated,
                qn,
                format!("dynamic query `{}` takes a domain-typed value; set `domain_newtypes: true` to generate it", q.name),
            );
            return;
        }
        let shapes_const = format_ident!("{}_SHAPES", n.const_name);
        items.push(shapes_item(&shapes_const, n.fn_name, &d.shapes));
        let rt = self.rt.clone();
        let borrows = self.params_borrow(q);
        let lt: syn::Lifetime = syn::parse_quote!('a);
        let lt = borrows.then_some(&lt);
        let generics = if borrows { quote!(<'a>) } else { quote!() };
        let anon = if borrows { quote!(<'_>) } else { quote!() };
        let copy = if q
            .params
            .iter()
            .chain(cursor_params(q))
            .any(|p| matches!(p.ty, PgType::Composite(_)))
        {
            quote!()
        } else {
            quote!(Copy,)
        };
        let sname = ident(&names::query_type(&q.name, "Params"));
        let mut field_names = self.param_names(q, false);
        let fixed = field_names.len();
        if d.sort.is_some() {
            field_names.extend(["sort".to_string(), "direction".to_string()]);
        }
        if d.sort.as_ref().is_some_and(|s| s.keyset.is_some()) {
            field_names.push("limit".to_string());
        }
        let field_names = names::dedupe(field_names);
        let mut fields = Vec::new();
        for (i, (p, f)) in q.params.iter().zip(&field_names).enumerate() {
            let ty = self.param_ty(qn, p, lt, From::QueryModule);
            let ty = if d.filters.contains(&i) {
                quote!(Option<#ty>)
            } else {
                ty
            };
            fields.push((TokenStream::new(), ident(f), ty));
        }
        let mut body = self.dynamic_values(q, d, &field_names);
        let mut shape = TokenStream::new();
        if let Some(sort) = &d.sort {
            let ename = ident(&names::query_type(&q.name, "Sort"));
            // The enum borrows only when a cursor value does (the params struct may for others).
            let mut cursors = sort.keyset.iter().flat_map(|k| k.cursors.iter().flatten());
            let sort_generics = if cursors.any(|p| self.param_borrows(p)) {
                generics.clone()
            } else {
                quote!()
            };
            items.push(self.sort_enum(q, sort, &ename, (lt, &sort_generics, &copy)));
            let sort_f = ident(&field_names[fixed]);
            let dir_f = ident(&field_names[fixed + 1]);
            fields.push((
                TokenStream::new(),
                sort_f.clone(),
                quote!(#ename #sort_generics),
            ));
            fields.push((TokenStream::new(), dir_f.clone(), quote!(#rt::Direction)));
            let choice = self.sort_choice(q, sort, &ename, (&sort_f, &dir_f));
            body.statement(choice, sort.keyset.is_some());
            if let Some(keyset) = &sort.keyset {
                let limit_f = ident(&field_names[fixed + 2]);
                let ty = self.param_ty(qn, &keyset.limit, lt, From::QueryModule);
                fields.push((TokenStream::new(), limit_f.clone(), ty));
                body.value(quote!(&params.#limit_f));
            }
            let shift = Literal::usize_unsuffixed(d.filters.len());
            shape.extend(match (d.filters.is_empty(), sort.keyset.is_some()) {
                (true, false) => quote!(let shape = key * 2 + params.#dir_f.bit();),
                (true, true) => quote!(let shape = (key * 2 + params.#dir_f.bit()) * 2 + usize::from(cursor);),
                (false, false) => quote!(let shape = ((key * 2 + params.#dir_f.bit()) << #shift) | shape;),
                (false, true) => quote!(let shape = (((key * 2 + params.#dir_f.bit()) * 2 + usize::from(cursor)) << #shift) | shape;),
            });
        }
        let attrs = quote!(#[derive(Debug, Clone, #copy PartialEq)]);
        items.push(struct_item(attrs, quote!(#sname #generics), &fields));
        let docs = super::queries::query_doc(
            q,
            &[&format!("Sends the shape of [`{shapes_const}`] that the parameters choose: only the optional conditions given, the sort asked for.")],
        );
        let DynamicNames {
            fn_name,
            ret,
            helper,
            ..
        } = n;
        let capacity = q.params.len() + cursor_params(q).count();
        let body = body.into_tokens(&rt, capacity);
        items.push(quote! {
            #docs
            pub async fn #fn_name(client: &impl #rt::GenericClient, params: &#sname #anon) -> #rt::Result<#ret> {
                #body
                #shape
                #rt::#helper(client, #shapes_const[shape], &values).await
            }
        });
    }

    /// Pushes each parameter's value, an optional one only when given (setting its bit).
    fn dynamic_values(&self, q: &ir::Query, d: &ir::Dynamic, field_names: &[String]) -> Values {
        let mut body = Values::default();
        if !d.filters.is_empty() {
            body.prelude = quote!(let mut shape = 0;);
        }
        for (i, f) in field_names.iter().enumerate().take(q.params.len()) {
            let f = ident(f);
            match d.filters.iter().position(|&p| p == i) {
                Some(bit) => {
                    let bit = Literal::usize_unsuffixed(1 << bit);
                    let push = quote! {
                        if let Some(value) = &params.#f {
                            shape |= #bit;
                            values.push(value);
                        }
                    };
                    body.statement(push, true);
                }
                None => body.value(quote!(&params.#f)),
            }
        }
        body
    }

    /// The enum of a query's sort keys; with a keyset, each variant carries its optional cursor.
    fn sort_enum(
        &mut self,
        q: &ir::Query,
        sort: &ir::Sort,
        ename: &Ident,
        (lt, generics, copy): (Option<&syn::Lifetime>, &TokenStream, &TokenStream),
    ) -> TokenStream {
        let qn = Some(q.name.as_str());
        let mut variants = Vec::new();
        for (i, &k) in sort.keys.iter().enumerate() {
            let v = ident(&names::type_name(&q.columns[k].name));
            let Some(keyset) = &sort.keyset else {
                variants.push(quote!(#v));
                continue;
            };
            let tys: Vec<TokenStream> = keyset.cursors[i]
                .iter()
                .map(|p| self.param_ty(qn, p, lt, From::QueryModule))
                .collect();
            variants.push(match &tys[..] {
                [one] => quote!(#v(Option<#one>)),
                _ => quote!(#v(Option<(#(#tys),*)>)),
            });
        }
        let doc = if sort.keyset.is_some() {
            super::doc(&["The sort key; with `Some`, the page after this cursor (the last row's key and tie-breaker), in the chosen direction."])
        } else {
            super::doc(&["The sort key."])
        };
        let eq = if sort.keyset.is_some() {
            quote!()
        } else {
            quote!(Eq, Hash,)
        };
        quote! {
            #doc
            #[derive(Debug, Clone, #copy PartialEq, #eq)]
            pub enum #ename #generics {
                #(#variants),*
            }
        }
    }

    /// Works out `key` (and `cursor`) from the sort field, pushing a cursor's values.
    fn sort_choice(
        &self,
        q: &ir::Query,
        sort: &ir::Sort,
        ename: &Ident,
        (sort_f, _dir_f): (&Ident, &Ident),
    ) -> TokenStream {
        let mut arms = Vec::new();
        for (i, &k) in sort.keys.iter().enumerate() {
            let v = ident(&names::type_name(&q.columns[k].name));
            let key = Literal::usize_unsuffixed(i);
            let Some(keyset) = &sort.keyset else {
                arms.push(quote!(#ename::#v => #key));
                continue;
            };
            let vals: Vec<Ident> = (0..keyset.cursors[i].len())
                .map(|j| format_ident!("value_{}", j + 1))
                .collect();
            let pattern = match &vals[..] {
                [one] => quote!(#one),
                _ => quote!((#(#vals),*)),
            };
            arms.push(quote! {
                #ename::#v(cursor) => {
                    if let Some(#pattern) = cursor {
                        #(values.push(#vals);)*
                    }
                    (#key, cursor.is_some())
                }
            });
        }
        if sort.keyset.is_some() {
            quote!(let (key, cursor) = match &params.#sort_f { #(#arms),* };)
        } else {
            quote!(let key: usize = match params.#sort_f { #(#arms),* };)
        }
    }
}

/// The constant array of every shape's SQL text, at its shape index.
fn shapes_item(name: &Ident, fn_name: &Ident, texts: &[String]) -> TokenStream {
    let count = Literal::usize_unsuffixed(texts.len());
    let doc = super::doc(&[&format!(
        "The SQL of every shape of [`{fn_name}`], at its shape index: bit `i` set when optional condition `i` is sent, then the sort's bits."
    )]);
    quote! {
        #doc
        pub const #name: [&str; #count] = [#(#texts),*];
    }
}

/// The statements that gather a shape's parameter values: values pushed before any condition go
/// in the initial array (which is all of them when nothing is pushed later), the rest follow.
#[derive(Default)]
struct Values {
    prelude: TokenStream,
    leading: Vec<TokenStream>,
    rest: TokenStream,
    pushes_later: bool,
}

impl Values {
    fn value(&mut self, value: TokenStream) {
        if self.pushes_later {
            self.rest.extend(quote!(values.push(#value);));
        } else {
            self.leading.push(value);
        }
    }

    fn statement(&mut self, statement: TokenStream, pushes: bool) {
        self.pushes_later |= pushes;
        self.rest.extend(statement);
    }

    fn into_tokens(self, rt: &Ident, capacity: usize) -> TokenStream {
        let Values {
            prelude,
            leading,
            rest,
            pushes_later,
        } = self;
        let value_ty = quote!(&(dyn #rt::postgres_types::ToSql + Sync));
        let init = if !pushes_later {
            let n = Literal::usize_unsuffixed(leading.len());
            quote!(let values: [#value_ty; #n] = [#(#leading),*];)
        } else if leading.is_empty() {
            let capacity = Literal::usize_unsuffixed(capacity);
            quote!(let mut values: Vec<#value_ty> = Vec::with_capacity(#capacity);)
        } else {
            let n = Literal::usize_unsuffixed(leading.len());
            quote! {
                let required: [#value_ty; #n] = [#(#leading),*];
                let mut values = Vec::from(required);
            }
        };
        quote!(#init #prelude #rest)
    }
}

/// The cursor parameters of a keyset query, every key's.
fn cursor_params(q: &ir::Query) -> impl Iterator<Item = &ir::Param> {
    q.dynamic
        .iter()
        .filter_map(|d| d.sort.as_ref()?.keyset.as_ref())
        .flat_map(|k| k.cursors.iter().flatten().chain([&k.limit]))
}
