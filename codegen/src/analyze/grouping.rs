//! Where aggregates may stand and which columns a grouped SELECT may show, as PostgreSQL's parser
//! decides it (`parse_agg.c`): the analyser reports each column reference and each aggregate call
//! here while it types them, and each SELECT level is checked when its analysis ends.
//!
//! - A grouped level (GROUP BY, HAVING, or an aggregate of its own) may show a column of its FROM
//!   in its select list, HAVING, ORDER BY or window clauses only inside an aggregate of that level,
//!   inside an expression that is grouped, or as a column that is grouped itself or functionally
//!   dependent on grouped columns (every column of a table whose primary key is grouped).
//!   The same holds for its columns used in a subquery there ("subquery uses ungrouped column").
//! - An aggregate belongs to the innermost level whose columns it reads (the level where it is
//!   written when it reads none); it may not stand in that level's WHERE, JOIN conditions, FROM or
//!   GROUP BY, nor inside another aggregate of the same level.
//!
//! Every rule only ever refuses what PostgreSQL refuses: where the analyser cannot tell (a call that
//! may or may not be an aggregate, a system catalogue whose key is not known), the query passes.

use crate::source::Span;

/// The part of a SELECT being analysed, for the rules above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clause {
    From,
    JoinOn,
    Where,
    GroupBy,
    /// The select list, HAVING, ORDER BY, DISTINCT ON and window definitions: evaluated per group.
    Output,
    /// A clause of INSERT, UPDATE or DELETE (`UPDATE` for SET, `RETURNING`), where no aggregate
    /// may stand.
    Elsewhere(&'static str),
}

/// Whether a call is an aggregate of its level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggKind {
    /// An aggregate for sure (a built-in aggregate's name, FILTER, WITHIN GROUP).
    Aggregate,
    /// Could be one (an unknown function): its arguments are not checked, nothing is refused.
    Maybe,
}

#[derive(Debug, Default)]
struct Frame {
    clause: Option<Clause>,
    /// GROUP BY or HAVING: the level is grouped even without an aggregate.
    grouped: bool,
    has_aggregates: bool,
    /// Grouped plain columns: relation name and column name.
    group_columns: Vec<(String, String)>,
    /// Grouped expressions that are not plain columns, as [`expr_key`]s.
    group_exprs: Vec<String>,
    refs: Vec<ColumnRef>,
}

#[derive(Debug)]
struct ColumnRef {
    rel: String,
    column: String,
    at: Option<Span>,
    /// The aggregate calls it is an argument of, innermost last.
    inside: Vec<usize>,
    /// Inside an expression that GROUP BY lists.
    grouped_expr: bool,
    /// Written in a subquery of the level it belongs to.
    from_subquery: bool,
}

#[derive(Debug)]
struct Agg {
    kind: AggKind,
    /// The level it is written at.
    written: usize,
    /// The level it belongs to, once its arguments are analysed.
    level: Option<usize>,
    /// Levels of the columns its arguments read.
    reads: Vec<usize>,
    at: Option<Span>,
    /// Aggregates inside its arguments.
    nested: Vec<usize>,
}

/// The grouping state of one statement's analysis.
#[derive(Debug, Default)]
pub(crate) struct Grouping {
    frames: Vec<Frame>,
    aggs: Vec<Agg>,
    open: Vec<usize>,
    /// Depth of grouped expressions being analysed.
    grouped_expr: usize,
}

/// A refusal: PostgreSQL's message and where it points.
pub(crate) type Refusal = (String, Option<Span>);

impl Grouping {
    /// Starts a SELECT level; its id goes into [`super::scope::Scope::frame`].
    pub(crate) fn push(&mut self) -> usize {
        self.frames.push(Frame::default());
        self.frames.len() - 1
    }

    /// Sets the clause of `frame` being analysed, returning the previous one.
    pub(crate) fn clause(&mut self, frame: Option<usize>, clause: Clause) -> Option<Clause> {
        let f = self.frames.get_mut(frame?)?;
        f.clause.replace(clause)
    }

    /// Puts back a clause [`Grouping::clause`] returned.
    pub(crate) fn restore(&mut self, frame: Option<usize>, clause: Option<Clause>) {
        if let Some(f) = frame.and_then(|i| self.frames.get_mut(i)) {
            f.clause = clause;
        }
    }

    /// Records what `frame` groups by: plain columns and other expressions' keys.
    pub(crate) fn set_groups(
        &mut self,
        frame: usize,
        grouped: bool,
        columns: Vec<(String, String)>,
        exprs: Vec<String>,
    ) {
        let f = &mut self.frames[frame];
        f.grouped = grouped;
        f.group_columns = columns;
        f.group_exprs = exprs;
    }

    /// Whether the innermost level groups by expressions other than plain columns, so that
    /// [`Grouping::is_grouped_expr`] is worth asking.
    pub(crate) fn has_group_exprs(&self) -> bool {
        self.frames
            .last()
            .is_some_and(|f| f.clause == Some(Clause::Output) && !f.group_exprs.is_empty())
    }

    /// Whether `key` is an expression the innermost level groups by.
    pub(crate) fn is_grouped_expr(&self, key: &str) -> bool {
        self.frames
            .last()
            .is_some_and(|f| f.group_exprs.iter().any(|g| g == key))
    }

    /// Enters (`true`) or leaves an expression that GROUP BY lists.
    pub(crate) fn grouped_expr(&mut self, enter: bool) {
        if enter {
            self.grouped_expr += 1;
        } else {
            self.grouped_expr -= 1;
        }
    }

    /// A column of relation `rel` found at level `frame`.
    pub(crate) fn column(
        &mut self,
        frame: Option<usize>,
        rel: &str,
        column: &str,
        at: Option<Span>,
    ) {
        let Some(frame) = frame else { return };
        for &a in &self.open {
            self.aggs[a].reads.push(frame);
        }
        let written = self.frames.len().saturating_sub(1);
        let grouped_expr = self.grouped_expr > 0;
        let inside = self.open.clone();
        let Some(f) = self.frames.get_mut(frame) else {
            return;
        };
        if f.clause == Some(Clause::Output) {
            f.refs.push(ColumnRef {
                rel: rel.to_string(),
                column: column.to_string(),
                at,
                inside,
                grouped_expr,
                from_subquery: written > frame,
            });
        }
    }

    /// Starts an aggregate call written at the innermost level; returns its id for
    /// [`Grouping::end_aggregate`].
    pub(crate) fn begin_aggregate(&mut self, kind: AggKind, at: Option<Span>) -> Option<usize> {
        let written = self.frames.len().checked_sub(1)?;
        self.aggs.push(Agg {
            kind,
            written,
            level: None,
            reads: Vec::new(),
            at,
            nested: Vec::new(),
        });
        let id = self.aggs.len() - 1;
        self.open.push(id);
        Some(id)
    }

    /// Ends aggregate `id`: decides its level and whether it may stand where it is.
    pub(crate) fn end_aggregate(&mut self, id: Option<usize>) -> Option<Refusal> {
        let id = id?;
        self.open.pop();
        let agg = &self.aggs[id];
        let level = agg
            .reads
            .iter()
            .copied()
            .filter(|&l| l <= agg.written)
            .max()
            .unwrap_or(agg.written);
        self.aggs[id].level = Some(level);
        if let Some(&outer) = self.open.last() {
            self.aggs[outer].nested.push(id);
        }
        let agg = &self.aggs[id];
        if agg.kind != AggKind::Aggregate {
            return None;
        }
        if agg
            .nested
            .iter()
            .any(|&n| self.aggs[n].kind == AggKind::Aggregate && self.aggs[n].level == Some(level))
        {
            return Some(("aggregate function calls cannot be nested".into(), agg.at));
        }
        let frame = self.frames.get_mut(level)?;
        let place = match frame.clause? {
            Clause::Output => {
                frame.has_aggregates = true;
                return None;
            }
            Clause::Where => "WHERE",
            Clause::JoinOn => "JOIN conditions",
            Clause::GroupBy => "GROUP BY",
            Clause::From => "FROM clause of their own query level",
            Clause::Elsewhere(place) => place,
        };
        Some((
            format!("aggregate functions are not allowed in {place}"),
            agg.at,
        ))
    }

    /// Ends the innermost level: the first column it shows that is neither grouped nor
    /// aggregated. `key_of` gives a relation's primary key by its name in that level (`None` when
    /// it is not known, which lets every column of it pass).
    pub(crate) fn pop(&mut self, key_of: impl Fn(&str) -> Option<Vec<String>>) -> Option<Refusal> {
        let f = self.frames.pop()?;
        let level = self.frames.len();
        if !f.grouped && !f.has_aggregates {
            return None;
        }
        let aggregated = |r: &ColumnRef| {
            r.inside.iter().any(|&a| {
                let agg = &self.aggs[a];
                agg.kind == AggKind::Maybe || agg.level == Some(level) || agg.level.is_none()
            })
        };
        let grouped =
            |rel: &str, column: &str| f.group_columns.iter().any(|(r, c)| r == rel && c == column);
        for r in &f.refs {
            if r.grouped_expr || aggregated(r) || grouped(&r.rel, &r.column) {
                continue;
            }
            let dependent = match key_of(&r.rel) {
                None => true,
                Some(key) => !key.is_empty() && key.iter().all(|k| grouped(&r.rel, k)),
            };
            if dependent {
                continue;
            }
            let name = if r.rel.is_empty() {
                r.column.clone()
            } else {
                format!("{}.{}", r.rel, r.column)
            };
            let message = if r.from_subquery {
                format!("subquery uses ungrouped column `{name}` from outer query")
            } else {
                format!(
                    "column `{name}` must appear in the GROUP BY clause or be used in an aggregate function"
                )
            };
            return Some((message, r.at));
        }
        None
    }
}

/// A key under which two spellings of one expression compare equal: lower case, without
/// whitespace, parentheses, quotes or relation qualifiers. Looser than PostgreSQL's comparison of
/// analysed expressions, so it may take two different expressions for one (and accept), never the
/// reverse.
pub(crate) fn expr_key(e: &sqlparser::ast::Expr) -> String {
    let text = e.to_string().to_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut chars = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '"')
        .peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' || c == '$' {
            word.push(c);
            continue;
        }
        // Drop `name.` before a name (`t.col` is `col`), but keep decimals (`1.5`).
        let qualifier = c == '.'
            && !word.is_empty()
            && !word.chars().all(|w| w.is_ascii_digit())
            && chars.peek().is_some_and(|n| n.is_alphabetic() || *n == '_');
        if !qualifier {
            out.push_str(&word);
            if !matches!(c, '(' | ')') {
                out.push(c);
            }
        }
        word.clear();
    }
    out.push_str(&word);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sql: &str) -> String {
        let e = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(sql)
            .unwrap()
            .parse_expr()
            .unwrap();
        expr_key(&e)
    }

    #[test]
    fn spellings_of_one_expression_share_a_key() {
        assert_eq!(key("lower(T.Name)"), key("LOWER( name )"));
        assert_eq!(key("(a + 1.5) * 2"), key("a+1.5*2"));
        assert_ne!(key("a + 1.5"), key("a + 15"));
        assert_ne!(key("lower(name)"), key("upper(name)"));
    }
}
