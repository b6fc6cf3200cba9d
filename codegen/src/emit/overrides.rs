//! Rust types and derive paths written in `sqlgen.yaml` (`overrides`, `emit_derives`), parsed and
//! checked with syn.
//!
//! A column type is a path with generic arguments (`chrono::DateTime<chrono::Utc>`,
//! `Foo<Item = T>`), a reference, a slice, an array with a literal length, or a tuple of those.
//! Anything else (`dyn Trait`, `impl Trait`, `fn()`, pointers) is not a column type.

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Nesting allowed in a written type; deeper text is not a column type anyone writes, and syn's
/// parser recurses once per level.
const MAX_DEPTH: usize = 32;

/// `written` parsed as a column type, or `None` when it is not one.
pub fn column_type(written: &str) -> Option<syn::Type> {
    if nesting(written) > MAX_DEPTH {
        return None;
    }
    let ty = syn::parse_str::<syn::Type>(written).ok()?;
    is_column_type(&ty).then_some(ty)
}

/// `written` as tokens, when it is a column type.
pub fn column_type_tokens(written: &str) -> Option<TokenStream> {
    column_type(written).map(|t| t.into_token_stream())
}

/// A derive path (`Hash`, `serde::Serialize`): a path without generic arguments.
pub fn derive_path(written: &str) -> Option<syn::Path> {
    let path = syn::parse_str::<syn::Path>(written.trim()).ok()?;
    path.segments
        .iter()
        .all(|s| s.arguments.is_none())
        .then_some(path)
}

fn nesting(s: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for c in s.chars() {
        match c {
            '<' | '(' | '[' => {
                depth += 1;
                max = max.max(depth);
            }
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn is_column_type(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(p) => p.qself.is_none() && is_path(&p.path),
        syn::Type::Reference(r) => is_column_type(&r.elem),
        syn::Type::Slice(s) => is_column_type(&s.elem),
        syn::Type::Array(a) => {
            matches!(
                &a.len,
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Int(_),
                    ..
                })
            ) && is_column_type(&a.elem)
        }
        syn::Type::Tuple(t) => t.elems.iter().all(is_column_type),
        syn::Type::Paren(p) => is_column_type(&p.elem),
        _ => false,
    }
}

fn is_path(path: &syn::Path) -> bool {
    path.segments.iter().all(|s| match &s.arguments {
        syn::PathArguments::None => true,
        syn::PathArguments::AngleBracketed(a) => a.args.iter().all(|arg| match arg {
            syn::GenericArgument::Lifetime(_) => true,
            syn::GenericArgument::Type(t) => is_column_type(t),
            syn::GenericArgument::AssocType(b) => b.generics.is_none() && is_column_type(&b.ty),
            _ => false,
        }),
        syn::PathArguments::Parenthesized(_) => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn printed(written: &str) -> Option<String> {
        column_type_tokens(written).map(|t| t.to_string())
    }

    #[test]
    fn reads_column_types() {
        for (written, tokens) in [
            (
                "chrono::DateTime < chrono::Utc >",
                "chrono :: DateTime < chrono :: Utc >",
            ),
            ("::std::vec::Vec<u8>", ":: std :: vec :: Vec < u8 >"),
            ("&'a  str", "& 'a str"),
            ("& mut [u8 ; 16]", "& mut [u8 ; 16]"),
            ("(i32,)", "(i32 ,)"),
            ("()", "()"),
            ("Foo<'a, Item=Bar>", "Foo < 'a , Item = Bar >"),
            ("crate::r#type::Id", "crate :: r#type :: Id"),
            ("Vec<Vec<u8>,>", "Vec < Vec < u8 > , >"),
        ] {
            assert_eq!(printed(written).as_deref(), Some(tokens), "{written}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_column_type() {
        let deep = format!("{}u8{}", "Vec<".repeat(40), ">".repeat(40));
        for written in [
            "",
            "Vec<",
            "Vec<u8>>",
            "fn()",
            "dyn Trait",
            "impl Trait",
            "a::",
            "[u8; N]",
            "1",
            "Vec<u8> extra",
            "foo bar",
            "a-b",
            "&",
            "*const u8",
            "<T as Trait>::Assoc",
            "Box<dyn Fn(u8)>",
            deep.as_str(),
        ] {
            assert_eq!(printed(written), None, "{written}");
        }
    }

    #[test]
    fn derive_paths() {
        assert!(derive_path("Hash").is_some());
        assert!(derive_path(" serde::Serialize ").is_some());
        assert!(derive_path("Vec<u8>").is_none());
        assert!(derive_path("a b").is_none());
    }
}
