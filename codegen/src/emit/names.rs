//! Rust names for SQL names: struct and variant names, field and argument names, keyword escapes.

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "else", "enum", "extern", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "static",
    "struct", "trait", "true", "type", "unsafe", "use", "where", "while", "async", "await", "dyn",
    "abstract", "become", "box", "do", "final", "macro", "override", "priv", "typeof", "unsized",
    "virtual", "yield", "try", "gen",
];
/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A field, argument or function name: snake case, keywords as raw identifiers.
pub fn field(name: &str) -> String {
    // Most SQL names are snake case already, which the conversion leaves as it is.
    if is_plain_snake(name) {
        return name.to_string();
    }
    let mut s = name.to_snake_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("_{s}");
    }
    s
}

/// `a_b1_c`: lower-case ASCII words of letters and digits joined by single underscores, starting
/// with a letter.
fn is_plain_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('_')
        && !name.contains("__")
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// An identifier for a snake-case name: keywords as raw identifiers (`r#type`), `self_` for
/// the keywords that cannot be raw.
pub fn ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// Why a query file's name gives no module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleNameProblem {
    /// A character outside ASCII: Rust loads a module of such a name only through `#[path]`, and
    /// file systems store such names in different Unicode forms.
    NotAscii(char),
    /// No letter or digit to make a name of.
    Empty,
}

/// The module of the query file named `stem` (its file is `<module><output_files_suffix>.rs`):
/// the name in snake case (`UserList`, `user-list`, `user list` and `user.list` give `user_list`;
/// `2024_report` gives `_2024_report`), with `_` appended while it is a Rust keyword (`type_`,
/// `self_`, `crate_`), `models`, a device name of Windows (`con_`), or a name whose file is the
/// package's `mod.rs` or models file, compared without case. Two query files may still give one
/// module (`Users.sql`, `users.sql`): the caller reports that.
pub fn query_module(
    stem: &str,
    opts: &crate::config::RustOptions,
) -> Result<String, ModuleNameProblem> {
    if let Some(c) = stem.chars().find(|c| !c.is_ascii()) {
        return Err(ModuleNameProblem::NotAscii(c));
    }
    if !stem.chars().any(|c| c.is_ascii_alphanumeric()) {
        return Err(ModuleNameProblem::Empty);
    }
    let mut module = field(stem);
    let models_file = opts.output_models_file_name.to_ascii_lowercase();
    let taken = |m: &str| {
        let file = format!("{m}{}.rs", opts.output_files_suffix).to_ascii_lowercase();
        KEYWORDS.contains(&m)
            || NOT_RAW.contains(&m)
            || m == "models"
            || crate::config::DEVICE_NAMES.contains(&m)
            || file == "mod.rs"
            || file == models_file
    };
    while taken(&module) {
        module.push('_');
    }
    Ok(module)
}

/// The module of a query file's queries ([`query_module`]); a name that gives none (an error the
/// loader reported, so nothing is written) is the name in snake case.
pub fn module_of(file: &crate::ir::QueryFile, opts: &crate::config::RustOptions) -> String {
    query_module(&file.name, opts).unwrap_or_else(|_| field(&file.name))
}

/// A type or variant name in upper camel case.
pub fn type_name(name: &str) -> String {
    let mut s = name.to_upper_camel_case();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("V{s}");
    }
    if s == "Self" {
        s.push('_');
    }
    s
}

/// The model name of a table, singular as sqlc makes it (`users` to `User`, `"SecretStore"` stays).
pub fn model_name(schema: Option<&str>, table: &str) -> String {
    let base = singular(table);
    match schema {
        Some(s) => type_name(&format!("{s}_{base}")),
        None => type_name(&base),
    }
}

/// The Rust name of an enum type: upper camel case, prefixed by its schema outside `public`.
pub fn enum_name(q: &crate::ir::QualName) -> String {
    match &q.schema {
        Some(s) => type_name(&format!("{s}_{}", q.name)),
        None => type_name(&q.name),
    }
}

/// The Rust name of a model or type another package generates: the name its owner gives it (its
/// `rename` and inflection options).
pub fn import_name(imp: &crate::ir::Import) -> String {
    let owner = Naming::of_owner(&imp.owner_naming);
    match imp.kind {
        crate::ir::ImportKind::Model => owner.model(&imp.name),
        crate::ir::ImportKind::Type => owner.user_type(&imp.name),
    }
}

/// Rust names under a package's naming options: `rename`, `emit_exact_table_names`,
/// `inflection_exclude_table_names`.
#[derive(Debug, Clone, Default)]
pub struct Naming {
    rename: std::collections::BTreeMap<String, String>,
    /// Names given instead of the usual one to a table or type whose usual Rust name another of
    /// the package already has (see [`Naming::resolve_clashes`]).
    clashes: std::collections::BTreeMap<crate::ir::QualName, String>,
    exact_table_names: bool,
    exclude: Vec<String>,
}

impl Naming {
    pub fn new(opts: &crate::config::RustOptions) -> Naming {
        Naming {
            rename: opts.rename.clone(),
            clashes: Default::default(),
            exact_table_names: opts.emit_exact_table_names,
            exclude: opts.inflection_exclude_table_names.clone(),
        }
    }

    /// The naming of the package that owns an import (without its clash resolution, which only
    /// that package's own definitions see).
    fn of_owner(owner: &crate::ir::OwnerNaming) -> Naming {
        Naming {
            rename: owner.rename.clone(),
            clashes: Default::default(),
            exact_table_names: owner.emit_exact_table_names,
            exclude: owner.inflection_exclude_table_names.clone(),
        }
    }

    /// A `rename` entry for `name` (`users`), or for its schema-qualified form (`auth.users`).
    fn renamed(&self, q: &crate::ir::QualName) -> Option<&String> {
        self.rename.get(&q.to_string()).or_else(|| {
            q.schema
                .is_none()
                .then(|| self.rename.get(&format!("public.{}", q.name)))
                .flatten()
        })
    }

    /// Two SQL names that would become one Rust type (table `foos` and enum `foo`, tables `user`
    /// and `users`) get distinct names: tables first, in catalogue order, keep theirs; a later
    /// table takes its exact name (`Users`), an enum, composite or domain the suffix of its kind
    /// (`FooEnum`, `FooType`, `FooDomain`); a name still taken gets a number.
    pub fn resolve_clashes(&mut self, pkg: &crate::ir::Package) {
        let mut taken: std::collections::BTreeSet<String> =
            pkg.imported.iter().map(import_name).collect();
        let mut claim =
            |naming: &mut Naming, q: &crate::ir::QualName, usual: String, other: String| {
                let mut name = usual.clone();
                if taken.contains(&name) {
                    name = other;
                    let mut k = 2;
                    while taken.contains(&name) {
                        name = format!("{usual}{k}");
                        k += 1;
                    }
                    naming.clashes.insert(q.clone(), name.clone());
                }
                taken.insert(name);
            };
        for m in &pkg.models {
            let exact = match &m.table.schema {
                Some(s) => type_name(&format!("{s}_{}", m.table.name)),
                None => type_name(&m.table.name),
            };
            let usual = self.model(&m.table);
            claim(self, &m.table, usual, exact);
        }
        let types = pkg
            .enums
            .iter()
            .map(|e| (&e.name, "Enum"))
            .chain(pkg.composites.iter().map(|c| (&c.name, "Type")))
            .chain(pkg.domains.iter().map(|d| (&d.name, "Domain")));
        for (q, kind) in types {
            let usual = self.user_type(q);
            let other = format!("{usual}{kind}");
            claim(self, q, usual, other);
        }
    }

    /// The model struct of a table or view.
    pub fn model(&self, t: &crate::ir::QualName) -> String {
        if let Some(c) = self.clashes.get(t) {
            return c.clone();
        }
        if let Some(r) = self.renamed(t) {
            return rust_type_name(r);
        }
        let table = t.name.as_str();
        let keep = self.exact_table_names
            || self
                .exclude
                .iter()
                .any(|e| e == table || *e == t.to_string());
        if keep {
            match &t.schema {
                Some(s) => type_name(&format!("{s}_{table}")),
                None => type_name(table),
            }
        } else {
            model_name(t.schema.as_deref(), table)
        }
    }

    /// An enum, composite or domain newtype.
    pub fn user_type(&self, q: &crate::ir::QualName) -> String {
        if let Some(c) = self.clashes.get(q) {
            return c.clone();
        }
        match self.renamed(q) {
            Some(r) => rust_type_name(r),
            None => enum_name(q),
        }
    }

    /// A field or parameter named after a column (or a query column's name).
    pub fn field(&self, sql: &str) -> String {
        match self.rename.get(sql) {
            Some(r) => field(r),
            None => field(sql),
        }
    }

    /// An enum variant for a label.
    pub fn variant(&self, label: &str) -> String {
        match self.rename.get(label) {
            Some(r) => rust_type_name(r),
            None => type_name(label),
        }
    }
}

/// The name of a query's own type (`GetUserRow`, `GetUserParams`): the query's name when it is
/// already upper camel case, as sqlc's names are, else converted (`list_users` to `ListUsersRow`).
pub fn query_type(query: &str, suffix: &str) -> String {
    let camel = query.starts_with(|c: char| c.is_ascii_uppercase()) && !query.contains('_');
    if camel {
        format!("{query}{suffix}")
    } else {
        format!("{}{suffix}", type_name(query))
    }
}

/// A type name as the user wrote it when it is one (`AuthorRecord`), else in upper camel case.
fn rust_type_name(written: &str) -> String {
    let valid = written.starts_with(|c: char| c.is_ascii_alphabetic())
        && written
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        written.to_string()
    } else {
        type_name(written)
    }
}

/// English singular of the last word of a name, for the common plural endings.
fn singular(name: &str) -> String {
    let (head, last) = match name.rfind('_') {
        Some(i) => name.split_at(i + 1),
        None => ("", name),
    };
    let lower = last.to_ascii_lowercase();
    let cut = |n: usize, add: &str| format!("{head}{}{add}", &last[..last.len() - n]);
    // Words whose plural is not a suffix, and words that only look plural.
    match lower.as_str() {
        "people" => {
            return format!(
                "{head}{}",
                if last.starts_with('P') {
                    "Person"
                } else {
                    "person"
                }
            )
        }
        "news" | "series" | "species" | "data" | "media" | "metadata" | "status" | "analysis"
        | "bus" => {
            return name.to_string();
        }
        _ => {}
    }
    if lower.ends_with("ies") && last.len() > 3 {
        cut(3, if last.ends_with("IES") { "Y" } else { "y" })
    } else if ["sses", "uses", "xes", "ches", "shes", "zzes"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        cut(2, "")
    } else if lower.ends_with("ss")
        || lower.ends_with("us")
        || lower.ends_with("is")
        || !lower.ends_with('s')
    {
        name.to_string()
    } else {
        cut(1, "")
    }
}

/// Makes type or variant names unique by suffixing `2`, `3`... (camel case has no underscores).
pub fn dedupe_types(names: Vec<String>) -> Vec<String> {
    dedupe_with(names, "")
}

/// Makes names unique by suffixing `_2`, `_3`... in order of appearance.
pub fn dedupe(names: Vec<String>) -> Vec<String> {
    dedupe_with(names, "_")
}

fn dedupe_with(names: Vec<String>, separator: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        let mut candidate = n.clone();
        let mut k = 2;
        while out.contains(&candidate) {
            candidate = format!("{n}{separator}{k}");
            k += 1;
        }
        out.push(candidate);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(model_name(None, "users"), "User");
        assert_eq!(
            model_name(None, "runtime_environments"),
            "RuntimeEnvironment"
        );
        assert_eq!(model_name(None, "SecretStore"), "SecretStore");
        assert_eq!(model_name(None, "ApiIntegrationVote"), "ApiIntegrationVote");
        assert_eq!(model_name(None, "categories"), "Category");
        assert_eq!(model_name(None, "statuses"), "Status");
        assert_eq!(model_name(None, "addresses"), "Address");
        assert_eq!(model_name(None, "news"), "News");
        assert_eq!(model_name(None, "people"), "Person");
        assert_eq!(
            enum_name(&crate::ir::QualName::new(
                Some("billing".into()),
                "invoice_state"
            )),
            "BillingInvoiceState"
        );
        assert_eq!(model_name(Some("billing"), "invoices"), "BillingInvoice");
        assert_eq!(field("createdAt"), "created_at");
        assert_eq!(field("?column?"), "column");
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("self"), "self_");
        assert_eq!(type_name("PRODUCTION"), "Production");
        assert_eq!(type_name("in-progress"), "InProgress");
        assert_eq!(
            dedupe(vec!["id".into(), "id".into(), "id".into()]),
            vec!["id", "id_2", "id_3"]
        );
    }

    #[test]
    fn query_modules() {
        let mut opts = crate::config::RustOptions::with_out("out".into());
        let module = |stem: &str, opts: &crate::config::RustOptions| query_module(stem, opts);
        for (stem, want) in [
            ("users", "users"),
            ("Users", "users"),
            ("UserList", "user_list"),
            ("user-list", "user_list"),
            ("user list", "user_list"),
            ("user.list", "user_list"),
            ("2024_report", "_2024_report"),
            ("mod", "mod_"),
            ("models", "models_"),
            ("Models", "models_"),
            ("self", "self_"),
            ("Self", "self_"),
            ("crate", "crate_"),
            ("super", "super_"),
            ("type", "type_"),
            ("fn", "fn_"),
            ("async", "async_"),
            ("gen", "gen_"),
            ("CON", "con_"),
            ("lpt1", "lpt1_"),
            ("union", "union"),
            ("rt", "rt"),
        ] {
            assert_eq!(module(stem, &opts), Ok(want.to_string()), "{stem}");
        }
        assert_eq!(module("café", &opts), Err(ModuleNameProblem::NotAscii('é')));
        assert_eq!(module("-", &opts), Err(ModuleNameProblem::Empty));
        assert_eq!(module("_", &opts), Err(ModuleNameProblem::Empty));
        // The file a module would be written to is free too, without regard to case.
        opts.output_models_file_name = "Entities.rs".into();
        assert_eq!(module("entities", &opts), Ok("entities_".into()));
        assert_eq!(module("models", &opts), Ok("models_".into()));
        opts.output_files_suffix = "_gen".into();
        assert_eq!(module("entities", &opts), Ok("entities".into()));
        opts.output_models_file_name = "users_gen.rs".into();
        assert_eq!(module("users", &opts), Ok("users_".into()));
        assert_eq!(module("type", &opts), Ok("type_".into()));
    }

    #[test]
    fn plain_snake_names_are_what_the_conversion_gives() {
        // Every name the fast path accepts, over a small alphabet and lengths up to 5.
        let alphabet = ['a', 'z', '0', '9', '_'];
        let mut names = vec![String::new()];
        for _ in 0..5 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| alphabet.iter().map(move |c| format!("{n}{c}")))
                .collect();
            names.extend(longer);
        }
        names.extend(["user_id", "v2_api_key", "a1b2", "x9_y"].map(String::from));
        let mut plain = 0;
        for n in &names {
            if is_plain_snake(n) {
                plain += 1;
                assert_eq!(n.to_snake_case(), *n, "{n}");
            }
        }
        assert!(plain > 500, "{plain}");
    }

    #[test]
    fn naming_options() {
        use crate::ir::QualName;
        let mut opts = crate::config::RustOptions::with_out("out".into());
        let plain = Naming::new(&opts);
        assert_eq!(plain.model(&QualName::new(None, "categories")), "Category");
        opts.rename.insert("authors".into(), "Writer".into());
        opts.rename.insert("auth.sessions".into(), "Login".into());
        opts.rename
            .insert("spotify_url".into(), "SpotifyURL".into());
        opts.rename.insert("op!en".into(), "Open".into());
        opts.inflection_exclude_table_names = vec!["news_items".into()];
        let n = Naming::new(&opts);
        assert_eq!(n.model(&QualName::new(None, "authors")), "Writer");
        assert_eq!(
            n.model(&QualName::new(Some("auth".into()), "sessions")),
            "Login"
        );
        assert_eq!(n.model(&QualName::new(None, "news_items")), "NewsItems");
        assert_eq!(n.model(&QualName::new(None, "users")), "User");
        assert_eq!(n.field("spotify_url"), "spotify_url");
        assert_eq!(n.variant("op!en"), "Open");
        opts.emit_exact_table_names = true;
        let exact = Naming::new(&opts);
        assert_eq!(exact.model(&QualName::new(None, "users")), "Users");
        assert_eq!(
            exact.model(&QualName::new(Some("billing".into()), "invoices")),
            "BillingInvoices"
        );
    }
}
