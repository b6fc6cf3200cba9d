//! One module per query file: for each query its SQL constant, its row and params structs, and
//! its function, which is one call into `sqlgen_runtime` (`one`, `opt`, `many`, `exec`,
//! `exec_rows`), or a pipelined loop for batches and a binary COPY for `:copyfrom`.

use super::{doc, ident, names, source, struct_item, Emitter, From, LOCALS};
use crate::ir::{self, Command, PgType};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

impl Emitter<'_> {
    pub(super) fn query_file(&mut self, f: &ir::QueryFile) -> Vec<TokenStream> {
        let mut items = Vec::with_capacity(3 * f.queries.len() + 1);
        self.tm.models_named.set(false);
        for q in &f.queries {
            let q = as_generated(q);
            self.query(&mut items, &q);
        }
        // Every query function names the runtime; most name models.
        let mut uses = TokenStream::new();
        if self.tm.models_named.get() {
            uses.extend(quote!(
                use super::models;
            ));
        }
        if f.queries.iter().any(|q| q.command != Command::ExecLastId) {
            let rt = &self.rt;
            uses.extend(quote!(use ::sqlgen_runtime as #rt;));
        }
        if !uses.is_empty() {
            items.insert(0, uses);
        }
        items
    }

    /// The argument names of a query's parameters: a name like one of the body's `LOCALS` gets
    /// a `_` suffix.
    pub(super) fn arg_names(&self, q: &ir::Query) -> Vec<String> {
        self.param_names(q, true)
    }

    /// The names of a query's parameters, made unique; with `escape_locals`, after the `_` suffix
    /// of names like the body's `LOCALS` (struct fields keep the column's name).
    pub(super) fn param_names(&self, q: &ir::Query, escape_locals: bool) -> Vec<String> {
        names::dedupe(
            q.params
                .iter()
                .map(|p| {
                    let n = self.naming.field(&p.name);
                    if escape_locals && LOCALS.contains(&n.as_str()) {
                        format!("{n}_")
                    } else {
                        n
                    }
                })
                .collect(),
        )
    }

    /// The Rust type of a query's row as the query module names it; pushes the row struct and
    /// its decoder when the query needs one. A table's model and a single column decode with
    /// their own `FromRow`.
    fn row_type(&mut self, q: &ir::Query, items: &mut Vec<TokenStream>) -> TokenStream {
        let qn = Some(q.name.as_str());
        if let Some(table) = &q.row_model {
            return self
                .tm
                .model_path(From::QueryModule, &self.naming.model(table));
        }
        if q.columns.len() == 1 {
            let c = &q.columns[0];
            return self.value_ty(
                qn,
                &c.ty,
                c.domain.as_ref(),
                source(c),
                c.nullable,
                From::QueryModule,
            );
        }
        let name = ident(&names::query_type(&q.name, "Row"));
        // Plain columns become fields; each `sqlc.embed(t)` group becomes one field of t's model type.
        let mut slots: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, c) in q.columns.iter().enumerate() {
            match &c.embed {
                Some(e)
                    if i > 0
                        && q.columns[i - 1]
                            .embed
                            .as_ref()
                            .is_some_and(|p| p.group == e.group) =>
                {
                    if let Some(last) = slots.last_mut() {
                        last.1.push(i);
                    }
                }
                Some(e) => slots.push((names::field(&self.naming.model(&e.table)), vec![i])),
                None if c.name == "?column?" => slots.push((format!("column_{}", i + 1), vec![i])),
                None => slots.push((self.naming.field(&c.name), vec![i])),
            }
        }
        let field_names = names::dedupe(slots.iter().map(|(n, _)| n.clone()).collect());
        let rt = self.rt.clone();
        let mut fields = Vec::new();
        // Each field decodes from the next columns (an embedded model from as many as it has
        // fields); a model under an outer join is `None` when its key column is NULL.
        let mut inits = Vec::new();
        let mut outer_join = false;
        for ((_, cols), f) in slots.iter().zip(&field_names) {
            let id = ident(f);
            let first = &q.columns[cols[0]];
            let Some(e) = &first.embed else {
                let ty = self.value_ty(
                    qn,
                    &first.ty,
                    first.domain.as_ref(),
                    source(first),
                    first.nullable,
                    From::QueryModule,
                );
                let attrs = self.field_rename(&first.name, f);
                inits.push(quote!(#id: #rt::FromRow::decode(columns)?));
                fields.push((attrs, id, ty));
                continue;
            };
            let model = self
                .tm
                .model_path(From::QueryModule, &self.naming.model(&e.table));
            if e.nullable {
                let Some(key) = e.key else {
                    self.fail_with(crate::diagnostics::Code::Embed, qn, format!("`sqlc.embed` of `{}` under an outer join needs a NOT NULL column to tell a missing row", e.table));
                    continue;
                };
                outer_join = true;
                fields.push((TokenStream::new(), id.clone(), quote!(Option<#model>)));
                let key = Literal::usize_unsuffixed(key);
                let width = Literal::usize_unsuffixed(cols.len());
                inits.push(quote!(#id: columns.embedded(#key, #width)?));
            } else {
                inits.push(quote!(#id: #rt::FromRow::decode(columns)?));
                fields.push((TokenStream::new(), id, model));
            }
        }
        let docs = TokenStream::new();
        let decoder = if outer_join {
            super::Decoder::Explicit {
                runtime: quote!(#rt),
                inits,
            }
        } else {
            super::Decoder::InOrder {
                runtime: quote!(#rt),
            }
        };
        items.extend(self.decoded_struct(docs, &name, &fields, decoder));
        quote!(#name)
    }

    fn query(&mut self, items: &mut Vec<TokenStream>, q: &ir::Query) {
        let qn = Some(q.name.as_str());
        if q.command == Command::ExecLastId {
            self.fail_with(
                crate::diagnostics::Code::CommandNotGenerated,
                qn,
                "`:execlastid` is MySQL's last insert id and has no PostgreSQL equivalent; use `:one` with `RETURNING id`".to_string(),
            );
            return;
        }
        let snake = names::field(&q.name);
        let fn_name = ident(&names::ident(&snake));
        let const_name = ident(&snake.to_uppercase());
        if let Some(d) = &q.dynamic {
            let row_ty = if q.command.returns_rows() {
                self.row_type(q, items)
            } else {
                quote!(())
            };
            let (ret, helper) = single_return(q.command, row_ty);
            let names = super::dynamic::DynamicNames {
                fn_name: &fn_name,
                const_name: &const_name,
                ret,
                helper,
            };
            self.dynamic_query(items, q, d, names);
            return;
        }
        let sql = &q.sql;
        items.push(quote!(pub const #const_name: &str = #sql;));
        // Row structs go before the function.
        let row_ty = if q.command.returns_rows() {
            self.row_type(q, items)
        } else {
            quote!(())
        };
        let sig = self.signature(items, q);
        let f = QueryFn {
            q,
            snake: &snake,
            fn_name: &fn_name,
            const_name: &const_name,
            row_ty,
            sig,
        };
        match q.command {
            Command::BatchExec | Command::BatchOne | Command::BatchMany => {
                items.push(self.batch_fn(f));
            }
            Command::CopyFrom => self.copy_fn(items, f),
            _ => items.push(self.single_fn(f)),
        }
    }

    /// The arguments of a query's function and the values it passes: plain arguments, or one
    /// struct when there are many (pushed to `items`); batch and copy queries take one item per
    /// execution: the value itself, or the struct.
    fn signature(&mut self, items: &mut Vec<TokenStream>, q: &ir::Query) -> Signature {
        let per_item = per_item(q.command);
        let use_struct = if per_item {
            q.params.len() > 1
        } else {
            q.params.len() > self.opts.params_struct_after
        };
        let rt = self.rt.clone();
        let mut sig = Signature {
            args: vec![quote!(client: &impl #rt::GenericClient)],
            refs: Vec::new(),
            values: None,
            item_ty: quote!(()),
            use_struct,
        };
        if use_struct {
            self.params_struct(items, q, &mut sig);
        } else {
            self.plain_params(q, &mut sig);
        }
        sig
    }

    /// The `XxxParams` struct of a query with many parameters (or of a batch or copy item with
    /// more than one), its `values!` when its fields are the values as they are, and the
    /// function's argument (or item type) that takes it.
    fn params_struct(&mut self, items: &mut Vec<TokenStream>, q: &ir::Query, sig: &mut Signature) {
        let qn = Some(q.name.as_str());
        let per_item = per_item(q.command);
        let rt = self.rt.clone();
        let a: syn::Lifetime = syn::parse_quote!('a);
        let sname = ident(&names::query_type(&q.name, "Params"));
        let borrows = q.params.iter().any(|p| self.param_borrows(p));
        let lt = borrows.then_some(&a);
        let field_names = self.param_names(q, false);
        let mut fields = Vec::new();
        for (p, n) in q.params.iter().zip(&field_names) {
            let ty = self.param_ty(qn, p, lt, From::QueryModule);
            fields.push((TokenStream::new(), ident(n), ty));
        }
        let generics = if borrows { quote!(<'a>) } else { quote!() };
        let anon = if borrows { quote!(<'_>) } else { quote!() };
        // Composite values are passed owned, and their generated structs are not `Copy`.
        let copy = if q
            .params
            .iter()
            .any(|p| matches!(p.ty, PgType::Composite(_)))
        {
            quote!()
        } else {
            quote!(Copy,)
        };
        let attrs = quote!(#[derive(Debug, Clone, #copy PartialEq)]);
        items.push(struct_item(attrs, quote!(#sname #generics), &fields));
        let holder = if per_item {
            format_ident!("item")
        } else {
            format_ident!("params")
        };
        // A params struct whose fields are the values as they are lists them once, in
        // `rt::values!`, and passes `&params.values()`.
        if !q.params.iter().any(|p| wraps_domain(p, self.tm.newtypes)) {
            let names = fields.iter().map(|(_, n, _)| n);
            items.push(quote! {
                impl #sname #anon {
                    #rt::values!(#(#names),*);
                }
            });
            sig.values = Some(quote!(&#holder.values()));
        }
        sig.refs = field_names
            .iter()
            .zip(&q.params)
            .map(|(n, p)| {
                let n = ident(n);
                domain_ref(&rt, quote!(#holder.#n), p, self.tm.newtypes)
            })
            .collect();
        if per_item {
            sig.item_ty = if q.command == Command::CopyFrom {
                quote!(#sname #generics)
            } else {
                quote!(#sname #anon)
            };
        } else {
            sig.args.push(quote!(params: &#sname #anon));
        }
    }

    /// Parameters as plain arguments, or as the item itself for a batch or copy query with one.
    fn plain_params(&mut self, q: &ir::Query, sig: &mut Signature) {
        let qn = Some(q.name.as_str());
        let per_item = per_item(q.command);
        let is_copy = q.command == Command::CopyFrom;
        let rt = self.rt.clone();
        let a: syn::Lifetime = syn::parse_quote!('a);
        let arg_names = self.arg_names(q);
        // A copy item is a generic argument and needs a named lifetime; batch slices elide it.
        let lt = is_copy.then_some(&a);
        for (p, n) in q.params.iter().zip(&arg_names) {
            let ty = self.param_ty(qn, p, lt, From::QueryModule);
            if per_item {
                // A batch item is borrowed from the caller's slice, a copy item is owned.
                let wrapped = wraps_domain(p, self.tm.newtypes);
                sig.refs.push(match (is_copy, wrapped) {
                    (true, _) => domain_ref(&rt, quote!(item), p, self.tm.newtypes),
                    (false, true) => quote!(&#rt::Domain(*item)),
                    (false, false) => quote!(item),
                });
                sig.item_ty = ty;
            } else {
                let n = ident(n);
                sig.refs
                    .push(domain_ref(&rt, quote!(#n), p, self.tm.newtypes));
                sig.args.push(quote!(#n: #ty));
            }
        }
    }

    /// `:batchexec`, `:batchone`, `:batchmany`: one execution per item, pipelined.
    fn batch_fn(&self, f: QueryFn) -> TokenStream {
        let rt = &self.rt;
        let QueryFn {
            q,
            fn_name,
            const_name,
            row_ty,
            sig,
            ..
        } = f;
        let (inner, helper) = match q.command {
            Command::BatchOne => (row_ty, quote!(one)),
            Command::BatchMany => (quote!(Vec<#row_ty>), quote!(many)),
            _ => (quote!(()), quote!(exec)),
        };
        let docs = query_doc(
            q,
            &["Runs once per item, pipelined on one connection; one result per item, in order."],
        );
        let Signature {
            args,
            refs,
            values,
            item_ty,
            ..
        } = sig;
        let params = values.unwrap_or_else(|| quote!(&[#(#refs),*]));
        let item_name = if q.params.is_empty() {
            format_ident!("_item")
        } else {
            format_ident!("item")
        };
        quote! {
            #docs
            pub async fn #fn_name(
                #(#args,)*
                items: &[#item_ty],
            ) -> #rt::Result<Vec<#rt::Result<#inner>>> {
                async fn execute(
                    #(#args,)*
                    #item_name: &#item_ty,
                ) -> #rt::Result<#inner> {
                    #rt::#helper(client, #const_name, #params).await
                }
                if items.is_empty() {
                    return Ok(Vec::new());
                }
                client.prepare_cached(#const_name).await?;
                let executions = items.iter().map(|item| execute(client, item));
                Ok(#rt::pipelined(executions).await)
            }
        }
    }

    /// `:copyfrom`: the COPY statement's constant and the function that writes every item by
    /// binary COPY, with the INSERT's parameter types.
    fn copy_fn(&mut self, items: &mut Vec<TokenStream>, f: QueryFn) {
        let rt = self.rt.clone();
        let QueryFn {
            q,
            snake,
            fn_name,
            const_name,
            sig,
            ..
        } = f;
        let Some(copy) = &q.copy else {
            self.fail(
                Some(q.name.as_str()),
                format!(
                    "`:copyfrom` query `{}` is not a plain INSERT ... VALUES",
                    q.name
                ),
            );
            return;
        };
        let copy_const = format_ident!("{}_COPY", const_name);
        let copy_doc = doc(&[&format!(
            "The binary COPY that [`{snake}`] runs instead of the INSERT."
        )]);
        let copy_sql = &copy.sql;
        items.push(quote! {
            #copy_doc
            pub const #copy_const: &str = #copy_sql;
        });
        let docs = query_doc(
            q,
            &[
                "Loads every item with one binary `COPY ... FROM STDIN`; returns the number of rows copied.",
                "The INSERT is prepared (never run) for its parameter types, which are the columns' types",
                "as the server knows them, enums and domains included.",
            ],
        );
        let borrows = q
            .params
            .iter()
            .any(|p| self.tm.param_borrows_in(&p.ty, p.domain.as_ref()));
        let generics = if borrows { quote!(<'a>) } else { quote!() };
        // Parameters in column order (the usual case) give their types as they are.
        let types = if copy.params.iter().enumerate().all(|(i, &p)| i == p) {
            quote!(let types = insert.params();)
        } else {
            let picked = copy.params.iter().map(|&i| Literal::usize_unsuffixed(i));
            quote! {
                let columns = insert.params();
                let types = &[#(columns[#picked].clone()),*];
            }
        };
        let in_order = copy.params.iter().enumerate().all(|(i, &p)| i == p);
        let Signature {
            args,
            refs,
            values,
            item_ty,
            ..
        } = sig;
        let column_refs = copy.params.iter().map(|&i| &refs[i]);
        let row_values = match values.filter(|_| in_order) {
            Some(v) => v,
            None => quote!(&[#(#column_refs),*]),
        };
        items.push(quote! {
            #docs
            pub async fn #fn_name #generics(
                #(#args,)*
                items: impl #rt::CopyItems<#item_ty>,
            ) -> #rt::Result<u64> {
                let insert = client.prepare_cached(#const_name).await?;
                #types
                let sink = client.copy_in_sql(#copy_const).await?;
                let writer = ::tokio_postgres::binary_copy::BinaryCopyInWriter::new(sink, types);
                let mut writer = ::std::pin::pin!(writer);
                for item in items {
                    let params: &#rt::Params<'_> = #row_values;
                    writer.as_mut().write(params).await?;
                }
                Ok(writer.finish().await?)
            }
        });
    }

    /// `:one`, `:opt`, `:many`, `:exec`, `:execrows`, `:execresult`: one call into the runtime.
    fn single_fn(&self, f: QueryFn) -> TokenStream {
        let rt = &self.rt;
        let QueryFn {
            q,
            fn_name,
            const_name,
            row_ty,
            sig,
            ..
        } = f;
        let (ret, helper) = single_return(q.command, row_ty);
        let docs = query_doc(q, &[]);
        let Signature {
            args,
            refs,
            values,
            use_struct,
            ..
        } = sig;
        // A params struct's values get a line each: named first, the call stays on one line.
        let body = if let Some(v) = values {
            quote!(#rt::#helper(client, #const_name, #v).await)
        } else if use_struct {
            quote! {
                let values: &#rt::Params<'_> = &[#(#refs),*];
                #rt::#helper(client, #const_name, values).await
            }
        } else {
            quote!(#rt::#helper(client, #const_name, &[#(#refs),*]).await)
        };
        quote! {
            #docs
            pub async fn #fn_name(#(#args),*) -> #rt::Result<#ret> {
                #body
            }
        }
    }
}

/// What a one-call query returns and the runtime helper that runs it.
fn single_return(command: Command, row_ty: TokenStream) -> (TokenStream, Ident) {
    match command {
        Command::One => (row_ty, format_ident!("one")),
        Command::Opt => (quote!(Option<#row_ty>), format_ident!("opt")),
        Command::Many => (quote!(Vec<#row_ty>), format_ident!("many")),
        Command::ExecRows | Command::ExecResult => (quote!(u64), format_ident!("exec_rows")),
        _ => (quote!(()), format_ident!("exec")),
    }
}

/// A query function's rustdoc: the SQL comment above the query, if any, then `extra` as a
/// paragraph of its own.
pub(super) fn query_doc(q: &ir::Query, extra: &[&str]) -> TokenStream {
    let mut lines: Vec<&str> = q.doc.iter().map(String::as_str).collect();
    if !extra.is_empty() {
        if !lines.is_empty() {
            lines.push("");
        }
        lines.extend(extra);
    }
    doc(&lines)
}

/// What a query's function takes and passes, worked out once for every command.
struct Signature {
    /// The function's arguments, `client` first.
    args: Vec<TokenStream>,
    /// Each parameter's value as the function passes it, in parameter order.
    refs: Vec<TokenStream>,
    /// `&params.values()` (or `&item.values()`) when a params struct lists its values once.
    values: Option<TokenStream>,
    /// A batch or copy query's item type.
    item_ty: TokenStream,
    /// The parameters are one struct.
    use_struct: bool,
}

/// A query whose function is being built: its names, row type and signature.
struct QueryFn<'q> {
    q: &'q ir::Query,
    snake: &'q str,
    fn_name: &'q Ident,
    const_name: &'q Ident,
    row_ty: TokenStream,
    sig: Signature,
}

/// The query as it is generated: one annotated to return rows whose statement returns no columns
/// (a DELETE without RETURNING under `:one`), or only `void` ones (`SELECT f_returning_void()`),
/// runs as `:exec` (`:batchexec`); analysis warns about it.
pub(super) fn as_generated(q: &ir::Query) -> std::borrow::Cow<'_, ir::Query> {
    if !q.command.returns_rows() || !q.columns.iter().all(|c| c.ty == PgType::Void) {
        return std::borrow::Cow::Borrowed(q);
    }
    let mut q = q.clone();
    q.command = match q.command {
        Command::BatchOne | Command::BatchMany => Command::BatchExec,
        _ => Command::Exec,
    };
    q.row_model = None;
    std::borrow::Cow::Owned(q)
}

/// Whether a query takes one item per execution (batches) or per row (copy) instead of arguments.
pub(super) fn per_item(command: Command) -> bool {
    matches!(
        command,
        Command::BatchExec | Command::BatchOne | Command::BatchMany | Command::CopyFrom
    )
}

/// A reference to a parameter value; one PostgreSQL types as a domain goes through
/// `sqlgen_runtime::Domain`, which tokio-postgres accepts for the domain as for its base type.
/// Whether a parameter's value goes through `rt::Domain` (see [`domain_ref`]).
fn wraps_domain(p: &ir::Param, newtypes: bool) -> bool {
    (p.domain.is_some() || p.ty.has_domain_element()) && !newtypes
}

fn domain_ref(rt: &Ident, value: TokenStream, p: &ir::Param, newtypes: bool) -> TokenStream {
    // A generated newtype implements ToSql for its domain itself.
    if wraps_domain(p, newtypes) {
        quote!(&#rt::Domain(#value))
    } else {
        quote!(&#value)
    }
}
