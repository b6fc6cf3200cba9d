//! The CI run of the differential test: 3,000 queries of seed 1 prepared on PostgreSQL and analysed
//! by sqlgen. It fails on any disagreement outside [`KNOWN`], on a known disagreement whose
//! reproduction no longer disagrees (the fix landed: move it to [`FIXED`]), and on a fixed one that
//! disagrees again.

use difftest::{Class, Disagreement, Options};

/// A class of disagreement found and not fixed yet. `says` are fragments of what PostgreSQL or sqlgen
/// said (for a NULL at run time, of the query as it ran); `repro` is the smallest query showing it.
struct Known {
    class: Class,
    says: &'static [&'static str],
    repro: &'static str,
    reason: &'static str,
}

impl Known {
    fn matches(&self, d: &Disagreement) -> bool {
        d.class == self.class
            && self
                .says
                .iter()
                .any(|s| d.postgres.contains(s) || d.sqlgen.contains(s))
    }
}

/// Disagreements found by this tool and not fixed yet. Each must still show with its `repro`.
const KNOWN: &[Known] = &[];

/// Disagreements found by this tool and fixed since: each must agree from now on.
const FIXED: &[&str] = &[
    "SELECT CASE WHEN true THEN vc ELSE t END FROM t_text",
    "SELECT lead('abc') OVER ()",
    "SELECT ROW(1, '')::pair IN (SELECT 1)",
    "SELECT COALESCE('a'::text, 'b'::\"char\")",
    "SELECT 1 = ANY((SELECT ARRAY[1]))",
    "SELECT 'abc'::date",
    "SELECT js FROM t_misc GROUP BY js",
    "SELECT i4 FROM t_num GROUP BY i2",
    "SELECT a.x FROM t_num CROSS JOIN LATERAL (SELECT max(t_num.i4) AS x) AS a",
    "SELECT sum(max(i4)) FROM t_num",
    "SELECT ARRAY[1] || ARRAY[2]",
    "SELECT ~ 5",
    "SELECT @ (-5)",
    "SELECT |/ 4.0::float8",
    "SELECT ||/ 8.0::float8",
    "SELECT jsonb_build_array()",
    "SELECT jsonb_delete('{}'::jsonb, 'a'::text)",
    "SELECT format('x'::text)",
    "SELECT lag(length('a')) OVER ()",
    "SELECT (NULLIF(NULL::pair, NULL::pair)).a",
    "SELECT NULLIF(pr, pr) FROM t_misc",
    "SELECT CASE WHEN true THEN i2 ELSE i2 END FROM t_num",
    "SELECT 1::int4::int8",
    "SELECT ARRAY['a'::varchar] || ARRAY['b'::varchar]",
    "SELECT 1 || ARRAY[2]",
    "SELECT json_build_object()",
    "SELECT format('%s', 1)",
    "SELECT concat(1)",
    "SELECT lead(i4, 1) OVER (ORDER BY id) FROM t_num",
    "SELECT GREATEST(pr, pr) FROM t_misc",
    "SELECT CASE WHEN true THEN 1 ELSE (CASE WHEN false THEN i2 ELSE i4 END) END FROM t_num",
    "SELECT CASE WHEN true THEN 'ok'::mood ELSE ($1::mood[])[2] END",
    "SELECT lead('(1,abc)'::pair) OVER ()",
    "SELECT format(NULL::text)",
    "SELECT concat_ws(NULL::text, 'a')",
    "SELECT 'abc'::mood",
    "SELECT ARRAY(SELECT 'abc')",
    "SELECT regexp_split_to_array('a b', (SELECT ' '))",
    "SELECT show_trgm((SELECT 'abc' WHERE false))",
    "SELECT upper((SELECT 'abc' WHERE false))",
    "SELECT 'zz:00:2b:01:02:03'::macaddr",
    "SELECT substr('abc', 2)",
    "SELECT substring('abc' FOR 2)",
    "SELECT DISTINCT js FROM t_misc",
    "SELECT js FROM t_misc UNION SELECT js FROM t_misc",
    "SELECT count()",
    "SELECT to_char('1 day'::interval, '')",
    "SELECT stddev_samp(i4) FROM t_num GROUP BY id",
    "SELECT 'a' = ANY('{NULL}'::text[])",
    "SELECT 1 IN (SELECT NULL::int4)",
    "SELECT regexp_substr('abc', 'x')",
    "SELECT corr(i4, i8) FROM t_num GROUP BY id",
    "SELECT 'a' = ANY(ARRAY['a', NULL])",
    "SELECT '{1,x}'::int4[]",
    "SELECT '(1)'::pair",
    "SELECT '{\"\\\"s\\\"\", NULL}'::jsonb[]",
    // Arrays of domains are arrays of the domain, not of its base type.
    "SELECT array_agg(lbl) FROM t_text",
    "SELECT ARRAY(SELECT pos FROM t_num)",
    "SELECT '{1}'::int4[] = (SELECT array_agg(pos) FROM t_num)",
    "SELECT ARRAY[CASE WHEN true THEN lbl END] FROM t_text",
    "SELECT ARRAY[COALESCE(lbl, lbl)] FROM t_text",
    "SELECT array_agg(lbl) || 'x'::text FROM t_text",
    "SELECT array_agg(lbl) || '{x}' FROM t_text",
    // IS DISTINCT FROM and `CASE x WHEN y` compare with `=`, which must exist.
    "SELECT ARRAY[lbl] IS DISTINCT FROM '{a}'::text[] FROM t_text",
    "SELECT CASE $1::int4[] WHEN ARRAY(SELECT pos FROM t_num) THEN 1 END",
    // A call named after a type is a cast through text, or of a quoted constant, when no
    // overload takes the argument as it is.
    "SELECT int4(min($1::\"char\") OVER ())",
    "SELECT text(5)",
    "SELECT int8('5')",
    "SELECT int8('x')",
    // Regular-expression substring of a domain's value may be NULL.
    "SELECT \"substring\"('x y', lbl) FROM t_text",
    // BETWEEN needs >= and <=.
    "SELECT tags BETWEEN ARRAY[lbl] AND '{a}'::text[] FROM t_text",
];

const SEED: u64 = 1;
const QUERIES: u64 = 3_000;

#[tokio::test]
async fn three_thousand_random_queries_agree_with_postgres() {
    let db = difftest::database().await;
    let report = difftest::run(&db, &Options::new(SEED, QUERIES)).await;
    println!("{}", report.summary());
    let mut problems = Vec::new();
    for d in &report.disagreements {
        if !KNOWN.iter().any(|k| k.matches(d)) {
            problems.push(format!("new disagreement:\n{d}"));
        }
    }
    for k in KNOWN {
        let found = difftest::judge_sql(&db, k.repro).await;
        if !found.iter().any(|d| k.matches(d)) {
            problems.push(format!(
                "known disagreement no longer shows ({}): `{}`; move it to FIXED",
                k.reason, k.repro
            ));
        }
    }
    for sql in FIXED {
        for d in difftest::judge_sql(&db, sql).await {
            problems.push(format!("fixed disagreement is back:\n{d}"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n\n{}",
        report.summary(),
        problems.join("\n\n")
    );
    assert!(
        report.accepted * 10 >= report.queries * 9,
        "the generator should write queries PostgreSQL accepts: {}",
        report.summary()
    );
}
