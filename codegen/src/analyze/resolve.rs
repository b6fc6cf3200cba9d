//! Function and operator overload resolution as PostgreSQL does it (parse_func.c, parse_oper.c):
//! exact matches, implicit casts, preferred types, `unknown` literals and polymorphic arguments.

use crate::catalog::pg_catalog::{self as pc, PgCatalog, CATALOG};
use crate::ir::{PgType, QualName};

/// A type as resolution sees it: a catalogue type, or a user enum the catalogue does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RType {
    Oid(u32),
    Enum(QualName),
    EnumArray(QualName),
    /// A value of a domain, with its base type: polymorphic arguments keep it (`array_agg` of a
    /// domain is an array of the domain); everything else sees the base type.
    Domain(QualName, Box<RType>),
    /// An array of a domain, with the base type of its element: a type of its own, which only
    /// polymorphic `anyarray` arguments take as they are.
    DomainArray(QualName, Box<RType>),
    Unknown,
}

impl RType {
    pub fn from_pg(t: &PgType) -> RType {
        let c = &*CATALOG;
        match t {
            PgType::Unknown => RType::Unknown,
            PgType::Enum(q) => RType::Enum(q.clone()),
            PgType::Composite(_) => RType::Oid(pc::RECORD),
            PgType::Domain(q, base) => RType::Domain(q.clone(), Box::new(RType::from_pg(base))),
            PgType::Array(inner) => match inner.as_ref() {
                PgType::Enum(q) => RType::EnumArray(q.clone()),
                PgType::Domain(q, base) => {
                    RType::DomainArray(q.clone(), Box::new(RType::from_pg(base)))
                }
                other => match RType::from_pg(other) {
                    RType::Oid(o) => c
                        .type_info(o)
                        .map(|t| RType::Oid(t.array))
                        .unwrap_or(RType::Unknown),
                    _ => RType::Unknown,
                },
            },
            other => c
                .oid_of(&other.element_name())
                .map(RType::Oid)
                .unwrap_or(RType::Unknown),
        }
    }

    /// A value's type with the domain it is declared with, if any (`ty` being its base).
    pub fn of(ty: &PgType, domain: Option<&QualName>) -> RType {
        match domain {
            Some(q) if !ty.is_array() => RType::Domain(q.clone(), Box::new(RType::from_pg(ty))),
            _ => RType::from_pg(ty),
        }
    }

    /// The domain of a scalar value of a domain.
    pub fn domain(&self) -> Option<&QualName> {
        match self {
            RType::Domain(q, _) => Some(q),
            _ => None,
        }
    }

    /// The type with a scalar domain replaced by its base, as most of resolution sees it.
    pub fn base(&self) -> &RType {
        match self {
            RType::Domain(_, base) => base.base(),
            other => other,
        }
    }

    /// The type as the analysis writes it: a scalar domain as its base type (see [`RType::domain`]).
    pub fn to_pg(&self) -> PgType {
        match self {
            RType::Domain(_, base) => base.to_pg(),
            RType::DomainArray(q, base) => {
                PgType::Array(Box::new(PgType::Domain(q.clone(), Box::new(base.to_pg()))))
            }
            RType::Unknown => PgType::Unknown,
            RType::Enum(q) => PgType::Enum(q.clone()),
            RType::EnumArray(q) => PgType::Array(Box::new(PgType::Enum(q.clone()))),
            RType::Oid(o) => crate::catalog::types::from_oid(*o),
        }
    }

    fn category(&self) -> char {
        match self {
            RType::Oid(o) => CATALOG.type_info(*o).map(|t| t.category).unwrap_or('U'),
            RType::Enum(_) => 'E',
            RType::EnumArray(_) | RType::DomainArray(..) => 'A',
            RType::Domain(_, base) => base.category(),
            RType::Unknown => 'X',
        }
    }

    fn is_array(&self) -> bool {
        self.category() == 'A'
    }

    fn element(&self) -> RType {
        match self {
            RType::EnumArray(q) => RType::Enum(q.clone()),
            RType::DomainArray(q, base) => RType::Domain(q.clone(), base.clone()),
            RType::Oid(o) => match CATALOG.type_info(*o) {
                Some(t) if t.category == 'A' => RType::Oid(t.elem),
                _ => self.clone(),
            },
            other => other.clone(),
        }
    }

    fn array_of(&self) -> RType {
        match self {
            RType::Enum(q) => RType::EnumArray(q.clone()),
            RType::Domain(q, base) => RType::DomainArray(q.clone(), base.clone()),
            RType::Oid(o) => CATALOG
                .type_info(*o)
                .filter(|t| t.array != 0)
                .map(|t| RType::Oid(t.array))
                .unwrap_or(RType::Unknown),
            other => other.clone(),
        }
    }
}

pub fn is_polymorphic(oid: u32) -> bool {
    matches!(
        oid,
        pc::ANYELEMENT
            | pc::ANYARRAY
            | pc::ANYNONARRAY
            | pc::ANYENUM
            | pc::ANYCOMPATIBLE
            | pc::ANYCOMPATIBLEARRAY
            | pc::ANYCOMPATIBLENONARRAY
    )
}

/// Whether an argument of type `from` can be passed where `to` is declared, implicitly.
fn can_coerce(c: &PgCatalog, from: &RType, to: u32) -> bool {
    match from {
        RType::Unknown => true,
        _ if to == pc::ANY => true,
        _ if to == pc::ANYELEMENT || to == pc::ANYCOMPATIBLE => true,
        _ if to == pc::ANYNONARRAY || to == pc::ANYCOMPATIBLENONARRAY => !from.is_array(),
        _ if to == pc::ANYARRAY || to == pc::ANYCOMPATIBLEARRAY => from.is_array(),
        RType::Enum(_) => to == pc::ANYENUM,
        RType::EnumArray(_) => false,
        // A domain converts to anything its base type converts to.
        RType::Domain(_, base) => can_coerce(c, base, to),
        // An array of a domain converts to the array of its base, element by element.
        RType::DomainArray(_, base) => can_coerce(c, &base.base().array_of(), to),
        RType::Oid(f) => {
            if *f == to {
                return true;
            }
            if to == pc::RECORD {
                return c.type_info(*f).is_some_and(|t| t.typtype == 'c') || *f == pc::RECORD;
            }
            if to == pc::ANYENUM {
                return false;
            }
            match c.type_info(to) {
                Some(t) if t.typtype == 'p' => {
                    // anyrange and friends: accept the matching kind.
                    let ft = c.type_info(*f);
                    match t.name {
                        "anyrange" | "anycompatiblerange" => ft.is_some_and(|x| x.typtype == 'r'),
                        "anymultirange" | "anycompatiblemultirange" => {
                            ft.is_some_and(|x| x.typtype == 'm')
                        }
                        _ => false,
                    }
                }
                _ => c.casts.get(&(*f, to)) == Some(&'i'),
            }
        }
    }
}

/// A candidate's declared argument types, expanded for the call's arity (variadic, defaults).
fn expand(f_args: &[u32], variadic: u32, ndefaults: usize, nargs: usize) -> Vec<Option<Vec<u32>>> {
    let mut out = Vec::new();
    if f_args.len() == nargs {
        out.push(Some(f_args.to_vec()));
    }
    // A VARIADIC parameter matches one argument at least.
    if variadic != 0 && !f_args.is_empty() && nargs >= f_args.len() {
        let mut v = f_args[..f_args.len() - 1].to_vec();
        while v.len() < nargs {
            v.push(if variadic == pc::ANY {
                pc::ANY
            } else {
                variadic
            });
        }
        if v.len() == nargs {
            out.push(Some(v));
        }
    }
    if ndefaults > 0 && nargs < f_args.len() && nargs + ndefaults >= f_args.len() {
        out.push(Some(f_args[..nargs].to_vec()));
    }
    out
}

/// The chosen signature: declared parameter types (for typing untyped arguments) and the result.
#[derive(Debug, Clone)]
pub struct Resolved<T> {
    pub item: T,
    pub params: Vec<RType>,
    pub result: RType,
}

pub enum Failure {
    NoMatch,
    Ambiguous,
    /// The chosen signature's `anyelement`-family arguments are all untyped literals or
    /// parameters, so its polymorphic type cannot be determined.
    Polymorphic,
}

/// Resolves a call of `name` with argument types `args` among `cands` (declared args, variadic, defaults, ret).
pub fn select<T: Clone>(
    cands: Vec<(T, Vec<u32>, u32, usize, u32)>,
    args: &[RType],
) -> Result<Resolved<T>, Failure> {
    let c = &*CATALOG;
    let mut list: Vec<(T, Vec<u32>, u32)> = Vec::new();
    // Signatures a function has as written, which win over a VARIADIC expansion to the same
    // argument types (`jsonb_delete(jsonb, text)` over `jsonb_delete(jsonb, VARIADIC text[])`).
    let written: Vec<Vec<u32>> = cands
        .iter()
        .filter(|(_, decl, _, _, _)| decl.len() == args.len())
        .map(|(_, decl, _, _, _)| decl.clone())
        .collect();
    for (item, decl, variadic, ndefaults, ret) in cands {
        let mut sigs: Vec<Vec<u32>> = expand(&decl, variadic, ndefaults, args.len())
            .into_iter()
            .flatten()
            .collect();
        // `f(text, VARIADIC "any")` called with two arguments: written and expanded are one.
        sigs.dedup();
        for sig in sigs {
            let expanded = sig != decl && variadic != 0;
            if expanded && written.contains(&sig) {
                continue;
            }
            list.push((item.clone(), sig, ret));
        }
    }
    // Exact match: every argument's type is the declared one.
    let exact: Vec<_> = list
        .iter()
        .filter(|(_, sig, _)| {
            sig.iter()
                .zip(args)
                .all(|(p, a)| matches!(a, RType::Oid(o) if o == p))
        })
        .cloned()
        .collect();
    if exact.len() == 1 {
        return finish_checked(exact.into_iter().next().unwrap(), args);
    }
    // Candidates every argument can be implicitly coerced to, with consistent polymorphism.
    let mut list: Vec<_> = list
        .into_iter()
        .filter(|(_, sig, _)| {
            sig.iter().zip(args).all(|(p, a)| can_coerce(c, a, *p))
                && poly_binding(sig, args).is_some()
        })
        .collect();
    if list.len() == 1 {
        return finish_checked(list.pop().unwrap(), args);
    }
    if list.is_empty() {
        return Err(Failure::NoMatch);
    }
    // PostgreSQL's func_select_candidate compares the base types of domain inputs.
    let input_base: Vec<RType> = args.iter().map(|a| a.base().clone()).collect();
    let input_base = input_base.as_slice();
    // Most exact matches on typed inputs.
    let score = |sig: &[u32]| {
        sig.iter()
            .zip(input_base)
            .filter(|(p, a)| matches!(a, RType::Oid(o) if o == *p))
            .count()
    };
    keep_best(&mut list, |(_, sig, _)| score(sig));
    if list.len() == 1 {
        return finish_checked(list.pop().unwrap(), args);
    }
    // Most preferred types where a conversion is needed.
    let pref = |sig: &[u32]| {
        sig.iter()
            .zip(input_base)
            .filter(|(p, a)| !matches!(a, RType::Unknown) && !matches!(a, RType::Oid(o) if o == *p))
            .filter(|(p, _)| c.type_info(**p).is_some_and(|t| t.preferred))
            .count()
    };
    keep_best(&mut list, |(_, sig, _)| pref(sig));
    if list.len() == 1 {
        return finish_checked(list.pop().unwrap(), args);
    }
    unknown_inputs(list, args, input_base)
}

/// The last steps of [`select`] (func_select_candidate's), for calls with untyped inputs: the
/// string category or the one category the candidates take there, then the typed inputs' type
/// assumed for the untyped ones.
fn unknown_inputs<T: Clone>(
    mut list: Vec<(T, Vec<u32>, u32)>,
    args: &[RType],
    input_base: &[RType],
) -> Result<Resolved<T>, Failure> {
    let c = &*CATALOG;
    // Unknown inputs: prefer the string category if any candidate takes it there, then preferred types.
    if args.contains(&RType::Unknown) {
        for (i, _) in args
            .iter()
            .enumerate()
            .filter(|(_, a)| **a == RType::Unknown)
        {
            let cats: Vec<(char, bool)> = list
                .iter()
                .map(|(_, sig, _)| {
                    c.type_info(sig[i])
                        .map(|t| (t.category, t.preferred))
                        .unwrap_or(('X', false))
                })
                .collect();
            let chosen = if cats.iter().any(|(k, _)| *k == 'S') {
                Some('S')
            } else if cats.iter().all(|(k, _)| *k == cats[0].0) {
                Some(cats[0].0)
            } else {
                None
            };
            let Some(cat) = chosen else { continue };
            let any_pref = cats.iter().any(|(k, p)| *k == cat && *p);
            let kept: Vec<_> = list
                .iter()
                .zip(&cats)
                .filter(|(_, (k, p))| *k == cat && (!any_pref || *p))
                .map(|(x, _)| x.clone())
                .collect();
            if !kept.is_empty() {
                list = kept;
            }
        }
        if list.len() == 1 {
            return finish_checked(list.pop().unwrap(), args);
        }
        // All typed inputs the same type: assume unknowns are that type too.
        let known: Vec<&RType> = input_base
            .iter()
            .filter(|a| **a != RType::Unknown)
            .collect();
        if let Some(first) = known.first() {
            if known.iter().all(|k| k == first) {
                // Every input taken as that type, polymorphic ones consistently (PostgreSQL's
                // can_coerce_type over all inputs: `text[] || '{x}'` is not `anycompatiblearray
                // || anycompatible`).
                let assumed: Vec<RType> = args
                    .iter()
                    .map(|a| match a {
                        RType::Unknown => (*first).clone(),
                        known => known.clone(),
                    })
                    .collect();
                let kept: Vec<_> = list
                    .iter()
                    .filter(|(_, sig, _)| {
                        sig.iter()
                            .zip(args)
                            .all(|(p, a)| *a != RType::Unknown || can_coerce(c, first, *p))
                            && poly_binding(sig, &assumed).is_some()
                    })
                    .cloned()
                    .collect();
                if kept.len() == 1 {
                    return finish_checked(kept.into_iter().next().unwrap(), args);
                }
            }
        }
    }
    Err(Failure::Ambiguous)
}

fn keep_best<X: Clone>(list: &mut Vec<X>, f: impl Fn(&X) -> usize) {
    let best = list.iter().map(&f).max().unwrap_or(0);
    list.retain(|x| f(x) == best);
}

/// The element type polymorphic arguments agree on (`None` when they conflict).
fn poly_binding(sig: &[u32], args: &[RType]) -> Option<Option<RType>> {
    let mut elem: Option<RType> = None;
    let mut compatible: Vec<RType> = Vec::new();
    for (p, a) in sig.iter().zip(args) {
        if *a == RType::Unknown {
            continue;
        }
        let e = match *p {
            pc::ANYELEMENT | pc::ANYNONARRAY | pc::ANYENUM => a.clone(),
            pc::ANYARRAY => a.element(),
            pc::ANYCOMPATIBLE | pc::ANYCOMPATIBLENONARRAY => {
                compatible.push(a.clone());
                continue;
            }
            pc::ANYCOMPATIBLEARRAY => {
                compatible.push(a.element());
                continue;
            }
            _ => continue,
        };
        match &elem {
            None => elem = Some(e),
            Some(x) if *x == e => {}
            Some(_) => return None,
        }
    }
    if compatible.iter().any(|t| t != &compatible[0]) {
        // Domains count as their base types unless every such argument has the same type.
        for t in &mut compatible {
            *t = t.base().clone();
        }
    }
    if !compatible.is_empty() {
        // anycompatible: a type every such argument coerces to implicitly, as select_common_type
        // finds it; without one the candidate does not apply (`text[] || text[]` is not
        // `anycompatible || anycompatiblearray`).
        let c = &*CATALOG;
        let common = compatible
            .iter()
            .find(|cand| compatible.iter().all(|x| x == *cand || matches!((x, cand), (RType::Oid(f), RType::Oid(t)) if c.casts.get(&(*f, *t)) == Some(&'i'))))
            .cloned()?;
        if elem.is_none() {
            elem = Some(common);
        }
    }
    Some(elem)
}

/// [`finish`], refusing a signature whose `anyelement`, `anyarray`, `anynonarray` or `anyenum`
/// arguments are all unknown (`lag('abc')`): only the `anycompatible` family falls back to text.
fn finish_checked<T>(cand: (T, Vec<u32>, u32), args: &[RType]) -> Result<Resolved<T>, Failure> {
    let family = |p: &u32| {
        matches!(
            *p,
            pc::ANYELEMENT | pc::ANYARRAY | pc::ANYNONARRAY | pc::ANYENUM
        )
    };
    let polymorphic = cand.1.iter().any(family);
    let typed = cand
        .1
        .iter()
        .zip(args)
        .any(|(p, a)| family(p) && *a != RType::Unknown);
    if polymorphic && !typed {
        return Err(Failure::Polymorphic);
    }
    Ok(finish(cand, args))
}

fn finish<T>((item, sig, ret): (T, Vec<u32>, u32), args: &[RType]) -> Resolved<T> {
    let elem = poly_binding(&sig, args)
        .flatten()
        .unwrap_or(RType::Oid(pc::TEXT));
    let subst = |o: u32| match o {
        pc::ANYELEMENT
        | pc::ANYNONARRAY
        | pc::ANYENUM
        | pc::ANYCOMPATIBLE
        | pc::ANYCOMPATIBLENONARRAY => elem.clone(),
        pc::ANYARRAY | pc::ANYCOMPATIBLEARRAY => elem.array_of(),
        other if is_polymorphic(other) => elem.clone(),
        other => RType::Oid(other),
    };
    let params = sig.iter().map(|p| subst(*p)).collect();
    Resolved {
        item,
        params,
        result: subst(ret),
    }
}

/// The common type of two branches as PostgreSQL's `select_common_type` picks it: keep the first
/// type unless it is not preferred, converts implicitly to the other, and the other does not convert
/// back (`int4` and `int8` give `int8`; `varchar` and `text` keep `varchar`).
/// Whether two inputs of CASE, COALESCE, UNION, VALUES or ARRAY can have a common type at all:
/// PostgreSQL refuses types of different categories ("types text and \"char\" cannot be
/// matched"). Untyped inputs and types the catalogue does not know always can.
pub fn same_category(a: &PgType, b: &PgType) -> bool {
    let (x, y) = (RType::from_pg(a), RType::from_pg(b));
    if matches!(x, RType::Unknown) || matches!(y, RType::Unknown) || x == y {
        return true;
    }
    let known = |t: &RType| !matches!(t, RType::Oid(o) if CATALOG.type_info(*o).is_none());
    !known(&x) || !known(&y) || x.category() == y.category()
}

/// Whether a value of `from` is read as `to` without conversion (`varchar` as `text`): an implicit
/// cast both ways, as between the string types sharing a representation.
pub fn binary_coercible(from: &PgType, to: &PgType) -> bool {
    let (RType::Oid(f), RType::Oid(t)) = (RType::from_pg(from), RType::from_pg(to)) else {
        return false;
    };
    let c = &*CATALOG;
    c.casts.get(&(f, t)) == Some(&'i') && c.casts.get(&(t, f)) == Some(&'i')
}

/// Whether `to(x)` with `x` of type `from` is a cast through text (PostgreSQL's COERCEVIAIO path
/// of a type-named call: `int4(text_col)`, `text(5)`): no cast between the two in the catalogue,
/// one of them of the string category, and not a row written out as a string.
pub fn coerced_via_io(from: &PgType, to: &PgType) -> bool {
    let (RType::Oid(f), RType::Oid(t)) = (RType::from_pg(&from.smashed()), RType::from_pg(to))
    else {
        return false;
    };
    let c = &*CATALOG;
    let category = |o: u32| c.type_info(o).map(|t| t.category);
    let row = f == pc::RECORD || c.type_info(f).is_some_and(|t| t.typtype == 'c');
    !c.casts.contains_key(&(f, t))
        && ((category(t) == Some('S') && !row) || category(f) == Some('S'))
}

pub fn common_type(first: &PgType, next: &PgType) -> Option<PgType> {
    let c = &*CATALOG;
    let (RType::Oid(p), RType::Oid(n)) = (RType::from_pg(first), RType::from_pg(next)) else {
        return None;
    };
    if p == n {
        return Some(first.clone());
    }
    let implicit = |a: u32, b: u32| c.casts.get(&(a, b)) == Some(&'i');
    let preferred = c.type_info(p).is_some_and(|t| t.preferred);
    if !preferred && implicit(p, n) && !implicit(n, p) {
        Some(next.clone())
    } else {
        Some(first.clone())
    }
}

/// Resolves a function call by name.
pub fn function(name: &str, args: &[RType]) -> Result<Resolved<pc::Func>, Failure> {
    let c = &*CATALOG;
    let Some(funcs) = c.funcs.get(name) else {
        return Err(Failure::NoMatch);
    };
    let cands = funcs
        .iter()
        .map(|f| (f.clone(), f.args.clone(), f.variadic, f.ndefaults, f.ret))
        .collect();
    select(cands, args)
}

/// What a call resolved to.
#[derive(Debug, Clone)]
pub enum Callee {
    Builtin(pc::Func),
    /// Index into the catalog's user functions.
    User(usize),
}

/// Resolves a call among the migrations' functions and the catalogue's, as one candidate set.
pub fn call(
    schema: Option<&str>,
    name: &str,
    args: &[RType],
    names: &[Option<String>],
    user: &[crate::catalog::Function],
    windowed: bool,
) -> Result<Resolved<Callee>, Failure> {
    let c = &*CATALOG;
    let mut cands: Vec<(Callee, Vec<u32>, u32, usize, u32)> = Vec::new();
    for (i, f) in user.iter().enumerate() {
        if f.name.name != name || f.name.schema.as_deref() != schema.filter(|s| *s != "public") {
            continue;
        }
        let decl: Vec<u32> = f
            .args
            .iter()
            .map(|(_, t, _)| match RType::from_pg(t) {
                RType::Oid(o) => o,
                RType::Enum(_) => pc::ANYENUM,
                _ => pc::ANY,
            })
            .collect();
        let ndefaults = f.args.iter().rev().take_while(|a| a.2).count();
        cands.push((Callee::User(i), decl, 0, ndefaults, pc::RECORD));
    }
    if schema.is_none() || schema == Some("pg_catalog") {
        // With OVER, ordered-set and hypothetical-set aggregates (`rank(x) WITHIN GROUP`) cannot be
        // meant; without it, window-only functions cannot.
        let fits = |f: &&pc::Func| {
            if windowed {
                f.direct_args.is_none()
            } else {
                f.kind != 'w'
            }
        };
        for f in c.funcs.get(name).into_iter().flatten().filter(fits) {
            cands.push((
                Callee::Builtin(f.clone()),
                f.args.clone(),
                f.variadic,
                f.ndefaults,
                f.ret,
            ));
        }
    }
    if cands.is_empty() {
        return Err(Failure::NoMatch);
    }
    if names.iter().any(Option::is_some) {
        return named_call(cands, args, names, user);
    }
    let mut r = select(cands, args)?;
    if let Callee::User(i) = r.item {
        r.result = RType::from_pg(&user[i].returns);
    }
    Ok(r)
}

/// A call in named notation: each candidate whose argument names cover the call is tried with the
/// arguments put in its order (the others must have defaults); exactly one must fit.
fn named_call(
    cands: Vec<(Callee, Vec<u32>, u32, usize, u32)>,
    args: &[RType],
    names: &[Option<String>],
    user: &[crate::catalog::Function],
) -> Result<Resolved<Callee>, Failure> {
    let mut fits = Vec::new();
    for (item, decl, _, ndefaults, ret) in cands {
        let arg_names: Vec<&str> = match &item {
            Callee::Builtin(f) => f.arg_names.clone(),
            Callee::User(i) => user[*i]
                .args
                .iter()
                .map(|a| a.0.as_deref().unwrap_or_default())
                .collect(),
        };
        // Position in the candidate of each argument of the call.
        let mut position = Vec::new();
        for (i, n) in names.iter().enumerate() {
            match n {
                None => position.push(Some(i)),
                Some(n) => position.push(arg_names.iter().position(|a| a == n)),
            }
        }
        let Some(position) = position.into_iter().collect::<Option<Vec<usize>>>() else {
            continue;
        };
        let width = decl.len();
        let required = width - ndefaults.min(width);
        let mut ordered: Vec<Option<RType>> = vec![None; width];
        let mut ok = position.iter().all(|p| *p < width);
        for (i, p) in position.iter().enumerate() {
            if ok && ordered[*p].replace(args[i].clone()).is_some() {
                ok = false;
            }
        }
        ok &= ordered
            .iter()
            .enumerate()
            .all(|(i, a)| a.is_some() || i >= required);
        if !ok {
            continue;
        }
        // Unfilled (defaulted) positions match their declared type exactly.
        let filled: Vec<RType> = ordered
            .iter()
            .zip(&decl)
            .map(|(a, d)| a.clone().unwrap_or(RType::Oid(*d)))
            .collect();
        if let Ok(mut r) = select(vec![(item, decl, 0, 0, ret)], &filled) {
            r.params = position.iter().map(|p| r.params[*p].clone()).collect();
            fits.push(r);
        }
    }
    match fits.len() {
        0 => Err(Failure::NoMatch),
        1 => {
            let mut r = fits.pop().unwrap();
            if let Callee::User(i) = r.item {
                r.result = RType::from_pg(&user[i].returns);
            }
            Ok(r)
        }
        _ => Err(Failure::Ambiguous),
    }
}

/// Resolves a binary (or, with `left == None`, prefix) operator.
pub fn operator(
    name: &str,
    left: Option<&RType>,
    right: &RType,
) -> Result<Resolved<pc::Oper>, Failure> {
    let c = &*CATALOG;
    let Some(ops) = c.opers.get(name) else {
        return Err(Failure::NoMatch);
    };
    let ops: Vec<&pc::Oper> = ops
        .iter()
        .filter(|o| (o.left == 0) == left.is_none())
        .collect();
    // One unknown input: first try the other input's type for both (binary_oper_exact).
    if let Some(l) = left {
        // A domain's operators are its base type's.
        let known = match (l.base(), right.base()) {
            (RType::Unknown, RType::Oid(r)) => Some(*r),
            (RType::Oid(l), RType::Unknown) => Some(*l),
            _ => None,
        };
        if let Some(k) = known {
            if let Some(o) = ops.iter().find(|o| o.left == k && o.right == k) {
                return Ok(Resolved {
                    item: (*o).clone(),
                    params: vec![RType::Oid(k), RType::Oid(k)],
                    result: RType::Oid(o.result),
                });
            }
        }
    }
    let args: Vec<RType> = match left {
        Some(l) => vec![l.clone(), right.clone()],
        None => vec![right.clone()],
    };
    let cands = ops
        .iter()
        .map(|o| {
            let decl = if left.is_some() {
                vec![o.left, o.right]
            } else {
                vec![o.right]
            };
            ((*o).clone(), decl, 0, 0, o.result)
        })
        .collect();
    select(cands, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(name: &str, args: &[PgType]) -> String {
        let a: Vec<RType> = args.iter().map(RType::from_pg).collect();
        match function(name, &a) {
            Ok(r) => r.result.to_pg().to_string(),
            Err(Failure::NoMatch) => "no match".into(),
            Err(Failure::Ambiguous) => "ambiguous".into(),
            Err(Failure::Polymorphic) => "polymorphic".into(),
        }
    }

    fn op(name: &str, l: PgType, r: PgType) -> String {
        match operator(name, Some(&RType::from_pg(&l)), &RType::from_pg(&r)) {
            Ok(r) => r.result.to_pg().to_string(),
            Err(_) => "error".into(),
        }
    }

    #[test]
    fn functions_resolve_like_postgres() {
        use PgType as T;
        assert_eq!(f("length", &[T::Text]), "int4");
        assert_eq!(f("length", &[T::Varchar]), "int4");
        assert_eq!(f("lower", &[T::Unknown]), "text");
        assert_eq!(f("array_length", &[T::Unknown, T::Int4]), "polymorphic");
        assert_eq!(f("array_cat", &[T::Unknown, T::Unknown]), "text[]");
        assert_eq!(f("generate_series", &[T::Int4, T::Int4]), "int4");
        assert_eq!(f("max", &[T::Timestamptz]), "timestamptz");
        assert_eq!(f("sum", &[T::Int4]), "int8");
        assert_eq!(f("round", &[T::Numeric, T::Int4]), "numeric");
        assert_eq!(f("array_agg", &[T::Text]), "text[]");
        assert_eq!(f("unnest", &[T::Array(Box::new(T::Uuid))]), "uuid");
        assert_eq!(f("concat", &[T::Text, T::Int4, T::Unknown]), "text");
        assert_eq!(
            f("date_trunc", &[T::Unknown, T::Timestamptz]),
            "timestamptz"
        );
        assert_eq!(f("now", &[]), "timestamptz");
        assert_eq!(f("nosuch", &[]), "no match");
    }

    #[test]
    fn operators_resolve_like_postgres() {
        use PgType as T;
        assert_eq!(op("+", T::Timestamptz, T::Interval), "timestamptz");
        assert_eq!(op("*", T::Numeric, T::Int4), "numeric");
        assert_eq!(op("+", T::Int4, T::Int8), "int8");
        assert_eq!(op("->>", T::Jsonb, T::Unknown), "text");
        assert_eq!(op("->", T::Jsonb, T::Int4), "jsonb");
        assert_eq!(op("||", T::Text, T::Text), "text");
        assert_eq!(op("=", T::Varchar, T::Unknown), "bool");
        assert_eq!(op("-", T::Date, T::Date), "int4");
        assert_eq!(op("@>", T::Jsonb, T::Unknown), "bool");
        assert_eq!(op("||", T::Array(Box::new(T::Text)), T::Text), "text[]");
    }
}
