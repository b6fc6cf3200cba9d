//! Expression analysis tests: every expected line is PostgreSQL 15's own typing of the query.
//!
//! Parameter and column types were checked on a real PostgreSQL 15 with this schema:
//! `PREPARE` then `pg_prepared_statements.parameter_types` for parameters, and psql's `\gdesc`
//! for column names and types.
//! PostgreSQL does not report nullability: it follows PostgreSQL's semantics and the rules in
//! `analyze/nullability.rs`.
//! Parameter names and parameter `Option`s are sqlgen's conventions (README), not PostgreSQL's.

const SCHEMA: &str = r#"
CREATE TYPE mood AS ENUM ('happy', 'sad', 'meh');
CREATE TYPE job_state AS ENUM ('queued', 'running', 'done');
CREATE TABLE accounts (
    id int8 PRIMARY KEY,
    handle varchar(40) NOT NULL UNIQUE,
    bio text,
    level int2 NOT NULL DEFAULT 1,
    karma int4,
    balance numeric(12, 2) NOT NULL DEFAULT 0,
    ratio float8,
    active boolean NOT NULL DEFAULT true,
    mood mood,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen timestamp,
    birthday date,
    ext_id uuid NOT NULL,
    prefs jsonb,
    labels text[] NOT NULL DEFAULT '{}',
    lucky int4[]
);
CREATE TABLE events (
    id serial PRIMARY KEY,
    account_id int8 NOT NULL REFERENCES accounts (id),
    kind text NOT NULL,
    amount int4 NOT NULL,
    weight float8 NOT NULL,
    starts_on date NOT NULL,
    duration interval,
    happened_at timestamptz NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    note varchar(200)
);
CREATE TABLE jobs (
    id bigserial PRIMARY KEY,
    queue text NOT NULL,
    priority int2 NOT NULL DEFAULT 0,
    run_at timestamptz,
    attempts int4 NOT NULL DEFAULT 0,
    state job_state NOT NULL DEFAULT 'queued'
);
"#;

#[track_caller]
fn check(query: &str, expect: &str) {
    let got = codegen::analysis_text(SCHEMA, query);
    assert_eq!(
        got.trim(),
        expect.trim(),
        "
--- got ---
{got}"
    );
}

// ---- conditional expressions ------------------------------------------------------------

#[test]
fn searched_case_unifies_branches_and_is_nullable_without_else() {
    check(
        "-- name: Searched :many\nSELECT CASE WHEN karma > 10 THEN 'high' WHEN karma > 0 THEN 'low' ELSE 'none' END AS tier, CASE WHEN active THEN balance END AS maybe_balance, CASE WHEN active THEN level ELSE karma END AS mixed, CASE WHEN karma IS NULL THEN 0 ELSE ratio END AS r, CASE WHEN $1 THEN id END FROM accounts;",
        "Searched(:many) $1 column_1: bool! -> tier text!, maybe_balance numeric?, mixed int4?, r float8?, case int8?",
    );
}

#[test]
fn simple_case_types_its_when_values_like_the_operand() {
    // An unknown branch and a varchar branch resolve to varchar, not text.
    check(
        "-- name: Simple :many\nSELECT CASE mood WHEN 'happy' THEN 1 WHEN 'sad' THEN 2 ELSE 0 END AS score, CASE level WHEN $1 THEN 'one' ELSE handle END AS lvl FROM accounts;",
        "Simple(:many) $1 level: int2! -> score int4!, lvl varchar!",
    );
}

#[test]
fn coalesce_promotes_and_is_non_null_when_any_argument_is() {
    check(
        "-- name: Coalesce :many\nSELECT coalesce(karma, level) AS k, coalesce(bio, handle) AS b, coalesce(ratio, karma) AS r, coalesce(mood, $1) AS m, coalesce(last_seen, created_at) FROM accounts;",
        "Coalesce(:many) $1 column_1: mood! -> k int4!, b text!, r float8?, m mood!, coalesce timestamptz!",
    );
}

#[test]
fn nullif_is_nullable_and_takes_the_type_of_the_resolved_operator() {
    check(
        "-- name: NullIf :many\nSELECT nullif(bio, '') AS b, nullif(level, 0), nullif(karma, level) AS k FROM accounts;",
        "NullIf(:many) -> b text?, nullif int2?, k int4?",
    );
}

#[test]
fn nullif_of_a_varchar_is_text() {
    // nullif(varchar, unknown) resolves the `=` operator as text = text, and takes its left input type.
    check(
        "-- name: NullIfVarchar :many\nSELECT nullif(handle, '') AS h FROM accounts;",
        "NullIfVarchar(:many) -> h text?",
    );
}

#[test]
fn greatest_and_least_ignore_nulls_unless_all_are_null() {
    check(
        "-- name: Greatest :many\nSELECT greatest(level, karma, 0) AS g, least(balance, 1.5) AS l, greatest(karma, ratio) AS gr, greatest(created_at, $1) AS latest, least(birthday, date '2024-01-01') FROM accounts;",
        "Greatest(:many) $1 column_1: timestamptz! -> g int4!, l numeric!, gr float8?, latest timestamptz!, least date!",
    );
}

// ---- predicates -------------------------------------------------------------------------

#[test]
fn is_null_and_is_not_true_are_never_null() {
    check(
        "-- name: IsNull :many\nSELECT bio IS NULL AS no_bio, karma IS NOT NULL AS has_karma, (karma > 0) IS NOT TRUE AS t FROM accounts WHERE mood IS NOT NULL;",
        "IsNull(:many) -> no_bio bool!, has_karma bool!, t bool!",
    );
}

#[test]
fn in_lists_type_parameters_like_the_left_side() {
    check(
        "-- name: InList :many\nSELECT id, karma IN (1, 2) AS lucky, level NOT IN (1, 2) AS low FROM accounts WHERE mood IN ('happy', $1) AND level NOT IN ($2, $3);",
        "InList(:many) $1 mood: mood?, $2 level: int2!, $3 level_2: int2! -> id int8!, lucky bool?, low bool!",
    );
}

#[test]
fn between_types_both_bounds() {
    check(
        "-- name: Between :many\nSELECT created_at BETWEEN $1 AND $2 AS in_range, karma BETWEEN 1 AND 10 AS mid FROM accounts WHERE birthday NOT BETWEEN $3 AND $4;",
        "Between(:many) $1 created_at: timestamptz!, $2 created_at_2: timestamptz!, $3 birthday: date?, $4 birthday_2: date? -> in_range bool!, mid bool?",
    );
}

#[test]
fn like_and_ilike_take_text_patterns() {
    check(
        "-- name: Like :many\nSELECT handle ILIKE $1 AS m, bio LIKE '%x%' AS n, handle NOT LIKE 'a%' AS o FROM accounts WHERE handle LIKE $2;",
        "Like(:many) $1 handle: text!, $2 handle_2: text! -> m bool!, n bool?, o bool!",
    );
}

#[test]
fn like_pattern_compared_with_a_nullable_column_is_optional_like_equality() {
    // Not PostgreSQL's answer but sqlgen's rule: a parameter compared with a nullable column is `Option`.
    check(
        "-- name: LikeNullable :many\nSELECT id FROM accounts WHERE bio ILIKE $1;",
        "LikeNullable(:many) $1 bio: text? -> id int8!",
    );
}

#[test]
fn exists_is_a_non_null_bool_named_exists() {
    check(
        "-- name: Exists :many\nSELECT a.id, EXISTS (SELECT 1 FROM events e WHERE e.account_id = a.id AND e.kind = $1) AS has_kind, EXISTS (SELECT 1 FROM jobs) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM jobs j WHERE j.queue = a.handle);",
        "Exists(:many) $1 kind: text! -> id int8!, has_kind bool!, exists bool!",
    );
}

#[test]
fn scalar_subqueries_are_nullable_and_name_their_column() {
    check(
        "-- name: Scalar :many\nSELECT a.handle, (SELECT e.kind FROM events e WHERE e.account_id = a.id ORDER BY e.happened_at DESC LIMIT 1) AS last_kind, (SELECT max(e.happened_at) FROM events e WHERE e.account_id = a.id) FROM accounts a WHERE a.balance > (SELECT avg(amount) FROM events WHERE kind = $1);",
        "Scalar(:many) $1 kind: text! -> handle varchar!, last_kind text?, max timestamptz?",
    );
}

#[test]
fn row_comparisons_type_each_field() {
    check(
        "-- name: Rows :many\nSELECT id, (account_id, amount) = (1, 2) AS first FROM events WHERE (account_id, kind) = ($1, $2) AND (happened_at, id) > ($3, $4);",
        "Rows(:many) $1 account_id: int8!, $2 kind: text!, $3 happened_at: timestamptz!, $4 id: int4! -> id int4!, first bool!",
    );
}

// ---- arrays -----------------------------------------------------------------------------

#[test]
fn array_constructors_take_the_common_element_type() {
    check(
        "-- name: Arrays :many\nSELECT ARRAY[level, karma] AS pair, ARRAY[bio, handle] AS texts, ARRAY(SELECT e.id FROM events e WHERE e.account_id = a.id ORDER BY e.id) AS event_ids, ARRAY[$1::int8, id], ARRAY[1.5, 2] FROM accounts a;",
        "Arrays(:many) $1 column_1: int8! -> pair int4[]!, texts text[]!, event_ids int4[]!, array int8[]!, array numeric[]!",
    );
}

#[test]
fn array_of_varchar_then_text_is_varchar() {
    // text converts to varchar implicitly as varchar does to text, so the first element's type wins.
    check(
        "-- name: VarcharArray :many\nSELECT ARRAY[handle, bio] AS texts FROM accounts;",
        "VarcharArray(:many) -> texts varchar[]!",
    );
}

#[test]
fn any_and_all_of_array_parameters() {
    // `varchar = ANY($1)` resolves to text = text, so the parameter is text[].
    check(
        "-- name: Any :many\nSELECT id FROM accounts WHERE handle = ANY($1) AND level <> ALL($2);",
        "Any(:many) $1 handle: text[]!, $2 level: int2[]! -> id int8!",
    );
}

#[test]
fn parameter_compared_with_any_element_of_an_array_column() {
    check(
        "-- name: HasLabel :many\nSELECT id FROM accounts WHERE @label = ANY(labels) AND @n <> ALL(lucky);",
        "HasLabel(:many) $1 label: text!, $2 n: int4! -> id int8!",
    );
}

#[test]
fn any_of_an_array_column_is_nullable_because_elements_may_be_null() {
    // `'x' = ANY('{a,NULL}')` is NULL: a NOT NULL array column may still hold NULL elements.
    check(
        "-- name: AnySelect :many\nSELECT karma = ANY(lucky) AS k, 'x' = ANY(labels) AS x FROM accounts;",
        "AnySelect(:many) -> k bool?, x bool?",
    );
}

#[test]
fn array_subscripts_are_nullable_and_slices_keep_the_array_type() {
    // Out of range, `labels[5]` is NULL but `labels[5:6]` is `{}`: a slice is NULL only when an input is.
    check(
        "-- name: Subscripts :many\nSELECT labels[1] AS first_label, labels[1:2] AS first_two, lucky[$1] AS pick, labels[2], lucky[1:1] FROM accounts;",
        "Subscripts(:many) $1 column_1: int4! -> first_label text?, first_two text[]!, pick int4?, labels text?, lucky int4[]?",
    );
}

// ---- JSON -------------------------------------------------------------------------------

#[test]
fn jsonb_operators_on_a_nullable_column() {
    check(
        "-- name: Json :many\nSELECT prefs -> 'theme' AS theme, prefs ->> 'lang' AS lang, prefs #> '{a,b}' AS nested, prefs #>> '{a,b}' AS nested_text, prefs @> $1 AS has, prefs ? 'beta' AS beta FROM accounts;",
        "Json(:many) $1 prefs: jsonb? -> theme jsonb?, lang text?, nested jsonb?, nested_text text?, has bool?, beta bool?",
    );
}

#[test]
fn jsonb_extraction_is_nullable_even_from_a_non_null_column() {
    check(
        "-- name: JsonNotNull :many\nSELECT payload -> 'k', payload ->> 0, payload @> '{\"a\": 1}' AS contains, payload ? 'k' AS has_k, payload ?| array['a', 'b'] AS any_key, payload - 'k' AS without_k FROM events;",
        "JsonNotNull(:many) -> ?column? jsonb?, ?column? text?, contains bool!, has_k bool!, any_key bool!, without_k jsonb!",
    );
}

// ---- operators on strings and times ----------------------------------------------------

#[test]
fn concatenation_with_non_text_operands_is_text() {
    check(
        "-- name: Concat :many\nSELECT handle || '#' || id AS tag, bio || level AS b, 'n=' || karma AS k, handle || $1 FROM accounts;",
        "Concat(:many) $1 handle: text! -> tag text!, b text?, k text?, ?column? text!",
    );
}

#[test]
fn date_and_time_arithmetic() {
    check(
        "-- name: DateMath :many\nSELECT created_at + interval '1 day' AS tomorrow, birthday - date '2024-01-01' AS days, birthday + 7 AS week_later, now() - interval '1 hour' AS hour_ago, last_seen - interval '1 day' AS before, birthday + interval '1 day' AS next_day, created_at - created_at AS zero, current_date - birthday FROM accounts;",
        "DateMath(:many) -> tomorrow timestamptz!, days int4?, week_later date?, hour_ago timestamptz!, before timestamp?, next_day timestamp?, zero interval!, ?column? int4?",
    );
}

#[test]
fn date_plus_interval_is_a_timestamp() {
    check(
        "-- name: EventMath :many\nSELECT starts_on + duration AS ends, happened_at - duration AS began, starts_on - 1 AS eve FROM events WHERE happened_at > now() - $1::interval;",
        "EventMath(:many) $1 column_1: interval! -> ends timestamp?, began timestamptz?, eve date!",
    );
}

#[test]
fn casts_name_the_column_after_the_operand_or_the_type() {
    check(
        "-- name: Casts :many\nSELECT karma::int8 AS k, CAST(balance AS float8) AS b, '42'::int2, bio::varchar(10), $1::uuid, CAST($2 AS int4[]), id::text, level::numeric(5, 1), mood::text FROM accounts;",
        "Casts(:many) $1 column_1: uuid!, $2 column_2: int4[]! -> k int8?, b float8!, int2 int2!, bio varchar?, uuid uuid!, int4 int4[]!, id text!, level numeric!, mood text?",
    );
}

#[test]
fn typed_literals_are_named_after_their_type() {
    check(
        "-- name: TypedLiterals :one\nSELECT interval '1 day', date '2024-01-01', timestamptz '2024-01-01 00:00:00+00', timestamp '2024-01-01 00:00:00', uuid '00000000-0000-0000-0000-000000000000', jsonb '{}', int8 '5', text 'x';",
        "TypedLiterals(:one) -> interval interval!, date date!, timestamptz timestamptz!, timestamp timestamp!, uuid uuid!, jsonb jsonb!, int8 int8!, text text!",
    );
}

// ---- functions, aggregates and windows --------------------------------------------------

#[test]
fn scalar_functions_by_overload() {
    check(
        "-- name: Scalars :many\nSELECT length(bio) AS len, length(handle), round(balance, 1) AS r, round(ratio), balance * 2 AS dbl, extract(epoch from created_at) AS epoch, extract(year from birthday), date_trunc('day', created_at) AS day, date_trunc('month', last_seen), abs(karma), upper(handle), char_length(bio) FROM accounts;",
        "Scalars(:many) -> len int4?, length int4!, r numeric!, round float8?, dbl numeric!, epoch numeric!, extract numeric?, day timestamptz!, date_trunc timestamp?, abs int4?, upper text!, char_length int4?",
    );
}

#[test]
fn aggregates_by_overload() {
    check(
        "-- name: Aggregates :one\nSELECT max(created_at), sum(karma), avg(karma), sum(balance), sum(ratio), min(level), sum(level), avg(ratio), count(*), count(DISTINCT mood), max(handle) FROM accounts;",
        "Aggregates(:one) -> max timestamptz?, sum int8?, avg numeric?, sum numeric?, sum float8?, min int2?, sum int8?, avg float8?, count int8!, count int8!, max text?",
    );
}

#[test]
fn aggregate_filter_clauses() {
    check(
        "-- name: Filter :many\nSELECT account_id, count(*) FILTER (WHERE amount > 0) AS positives, sum(amount) FILTER (WHERE kind = $1) AS of_kind, max(happened_at) FILTER (WHERE amount < $2) FROM events GROUP BY account_id;",
        "Filter(:many) $1 kind: text!, $2 amount: int4! -> account_id int8!, positives int8!, of_kind int8?, max timestamptz?",
    );
}

#[test]
fn aggregates_with_order_by_and_distinct() {
    check(
        "-- name: StringAgg :one\nSELECT string_agg(kind, ',' ORDER BY happened_at DESC) AS kinds, array_agg(amount ORDER BY id) AS amounts, array_agg(DISTINCT kind), json_agg(payload ORDER BY id), bool_and(amount > 0) FROM events WHERE account_id = $1;",
        "StringAgg(:one) $1 account_id: int8! -> kinds text?, amounts int4[]?, array_agg text[]?, json_agg json?, bool_and bool?",
    );
}

#[test]
fn ranking_window_functions_are_never_null() {
    check(
        "-- name: Ranks :many\nSELECT id, row_number() OVER (PARTITION BY account_id ORDER BY happened_at) AS rn, rank() OVER w, dense_rank() OVER w, ntile(4) OVER w, percent_rank() OVER w, cume_dist() OVER (ORDER BY amount) FROM events WINDOW w AS (PARTITION BY account_id ORDER BY amount);",
        "Ranks(:many) -> id int4!, rn int8!, rank int8!, dense_rank int8!, ntile int4!, percent_rank float8!, cume_dist float8!",
    );
}

#[test]
fn value_and_aggregate_window_functions_are_nullable() {
    // A ROWS frame of the previous row alone is empty on the first row, so even this sum is nullable.
    check(
        "-- name: Windows :many\nSELECT id, sum(amount) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING) AS prev_amount, lag(amount) OVER w AS prev, lead(kind, 2) OVER w, first_value(note) OVER w FROM events WINDOW w AS (PARTITION BY account_id ORDER BY amount);",
        "Windows(:many) -> id int4!, prev_amount int8?, prev int4?, lead text?, first_value varchar?",
    );
}

#[test]
fn window_aggregates_over_nullable_inputs() {
    check(
        "-- name: WindowNullable :many\nSELECT handle, sum(karma) OVER (PARTITION BY mood) AS mood_karma, count(karma) OVER (), max(ratio) OVER (ORDER BY created_at) FROM accounts;",
        "WindowNullable(:many) -> handle varchar!, mood_karma int8?, count int8!, max float8?",
    );
}

#[test]
fn generate_series_in_from() {
    check(
        "-- name: SeriesFrom :many\nSELECT g FROM generate_series(1, 10) AS g;",
        "SeriesFrom(:many) -> g int4!",
    );
    check(
        "-- name: SeriesFromAlias :many\nSELECT t.n FROM generate_series(1, $1) AS t(n);",
        "SeriesFromAlias(:many) $1 column_1: int4! -> n int4!",
    );
    check(
        "-- name: SeriesStar :many\nSELECT * FROM generate_series(1, 10);",
        "SeriesStar(:many) -> generate_series int4!",
    );
}

#[test]
fn generate_series_in_select() {
    check(
        "-- name: SeriesSelect :many\nSELECT generate_series(1, 10), generate_series(1, $1) AS n;",
        "SeriesSelect(:many) $1 column_1: int4! -> generate_series int4!, n int4!",
    );
    check(
        "-- name: SeriesTime :many\nSELECT generate_series(now(), now() + interval '1 day', interval '1 hour') AS hour;",
        "SeriesTime(:many) -> hour timestamptz!",
    );
}

// ---- FROM items -------------------------------------------------------------------------

#[test]
fn distinct_on_keeps_column_types() {
    check(
        "-- name: DistinctOn :many\nSELECT DISTINCT ON (account_id) account_id, kind, happened_at FROM events ORDER BY account_id, happened_at DESC;",
        "DistinctOn(:many) -> account_id int8!, kind text!, happened_at timestamptz!",
    );
}

#[test]
fn subquery_in_from_with_a_grouped_aggregate() {
    check(
        "-- name: FromSubquery :many\nSELECT s.mood, s.top FROM (SELECT mood, max(karma) AS top FROM accounts GROUP BY mood) s WHERE s.top > $1;",
        "FromSubquery(:many) $1 top: int4? -> mood mood?, top int4?",
    );
}

#[test]
fn left_join_lateral_nulls_the_lateral_side() {
    check(
        "-- name: LateralLeft :many\nSELECT a.handle, l.kind, l.happened_at FROM accounts a LEFT JOIN LATERAL (SELECT e.kind, e.happened_at FROM events e WHERE e.account_id = a.id ORDER BY e.happened_at DESC LIMIT $1) l ON true;",
        "LateralLeft(:many) $1 limit: int8! -> handle varchar!, kind text?, happened_at timestamptz?",
    );
}

#[test]
fn cross_join_lateral_subquery_and_function() {
    check(
        "-- name: LateralCross :many\nSELECT a.id, c.n, l.label FROM accounts a CROSS JOIN LATERAL (SELECT count(*) AS n FROM events e WHERE e.account_id = a.id) c, LATERAL unnest(a.labels) AS l(label);",
        "LateralCross(:many) -> id int8!, n int8!, label text?",
    );
}

#[test]
fn values_lists_as_from_items() {
    check(
        "-- name: ValuesFrom :many\nSELECT v.n, v.label FROM (VALUES (1, 'one'), (2, 'two')) AS v(n, label);",
        "ValuesFrom(:many) -> n int4!, label text!",
    );
    check(
        "-- name: ValuesStar :many\nSELECT * FROM (VALUES (1, NULL, 2.5), (2, 'x', 3)) AS v;",
        "ValuesStar(:many) -> column1 int4!, column2 text?, column3 numeric!",
    );
}

#[test]
fn values_rows_type_a_parameter_like_the_other_rows() {
    check(
        "-- name: ValuesJoin :many\nSELECT a.id, v.w FROM accounts a JOIN (VALUES ($1::int8, 1.5), ($2, 2)) AS v(id, w) ON v.id = a.id;",
        "ValuesJoin(:many) $1 column_1: int8!, $2 column_2: int8! -> id int8!, w numeric!",
    );
}

// ---- set operations and CTEs ------------------------------------------------------------

#[test]
fn union_widens_integers() {
    check(
        "-- name: UnionWiden :many\nSELECT level AS v FROM accounts UNION SELECT id FROM accounts;",
        "UnionWiden(:many) -> v int8!",
    );
    check(
        "-- name: UnionAllNullable :many\nSELECT karma FROM accounts UNION ALL SELECT amount FROM events;",
        "UnionAllNullable(:many) -> karma int4?",
    );
    check(
        "-- name: UnionNumeric :many\nSELECT 1 AS n UNION SELECT 2.5 UNION SELECT NULL;",
        "UnionNumeric(:many) -> n numeric?",
    );
}

#[test]
fn union_of_text_then_varchar_is_text() {
    check(
        "-- name: UnionText :many\nSELECT bio FROM accounts UNION SELECT handle FROM accounts;",
        "UnionText(:many) -> bio text?",
    );
}

#[test]
fn union_of_varchar_then_text_is_varchar() {
    // varchar and text convert to each other implicitly, so the first branch's type wins.
    check(
        "-- name: UnionVarchar :many\nSELECT handle FROM accounts UNION SELECT bio FROM accounts;",
        "UnionVarchar(:many) -> handle varchar?",
    );
}

#[test]
fn union_of_timestamps_is_timestamptz() {
    check(
        "-- name: UnionTimes :many\nSELECT created_at AS t FROM accounts UNION SELECT last_seen FROM accounts UNION SELECT happened_at FROM events;",
        "UnionTimes(:many) -> t timestamptz?",
    );
}

#[test]
fn intersect_of_varchar_and_text_is_varchar() {
    check(
        "-- name: Intersect :many\nSELECT handle FROM accounts INTERSECT SELECT kind FROM events;",
        "Intersect(:many) -> handle varchar!",
    );
}

#[test]
fn intersect_and_except() {
    check(
        "-- name: IntersectIds :many\nSELECT id FROM accounts INTERSECT SELECT account_id FROM events;",
        "IntersectIds(:many) -> id int8!",
    );
    check(
        "-- name: Except :many\nSELECT bio FROM accounts EXCEPT SELECT kind FROM events;",
        "Except(:many) -> bio text?",
    );
    check(
        "-- name: ExceptIds :many\nSELECT id FROM accounts EXCEPT SELECT account_id FROM events WHERE kind = $1;",
        "ExceptIds(:many) $1 kind: text! -> id int8!",
    );
}

#[test]
fn recursive_ctes() {
    check(
        "-- name: Recursive :many\nWITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < $1) SELECT n FROM r;",
        "Recursive(:many) $1 n: int4! -> n int4!",
    );
    check(
        "-- name: RecursiveDays :many\nWITH RECURSIVE days AS (SELECT date '2024-01-01' AS d UNION ALL SELECT d + 1 FROM days WHERE d < $1) SELECT d FROM days;",
        "RecursiveDays(:many) $1 d: date! -> d date!",
    );
    check(
        "-- name: RecursiveChain :many\nWITH RECURSIVE chain AS (SELECT id, queue, 0 AS depth FROM jobs WHERE id = $1 UNION ALL SELECT j.id, j.queue, c.depth + 1 FROM jobs j JOIN chain c ON j.id = c.id + 1 WHERE c.depth < 5) SELECT id, queue, depth FROM chain;",
        "RecursiveChain(:many) $1 id: int8! -> id int8!, queue text!, depth int4!",
    );
}

#[test]
fn data_modifying_ctes() {
    check(
        "-- name: DeleteCte :one\nWITH d AS (DELETE FROM jobs WHERE run_at < $1 RETURNING id, queue, run_at) SELECT count(*) AS removed, max(run_at) AS latest FROM d;",
        "DeleteCte(:one) $1 run_at: timestamptz? -> removed int8!, latest timestamptz?",
    );
    check(
        "-- name: MoveCte :many\nWITH moved AS (DELETE FROM jobs WHERE state = $1 RETURNING queue, priority) INSERT INTO jobs (queue, priority) SELECT queue, priority FROM moved RETURNING id, state;",
        "MoveCte(:many) $1 state: job_state! -> id int8!, state job_state!",
    );
    check(
        "-- name: UpdateCte :many\nWITH u AS (UPDATE accounts SET karma = karma + $1 WHERE id = ANY($2) RETURNING id, karma) SELECT u.id, u.karma, a.handle FROM u JOIN accounts a ON a.id = u.id;",
        "UpdateCte(:many) $1 karma: int4?, $2 id: int8[]! -> id int8!, karma int4?, handle varchar!",
    );
}

// ---- data modification ------------------------------------------------------------------

#[test]
fn insert_select_types_parameters_from_the_target_columns() {
    check(
        "-- name: InsertSelect :many\nINSERT INTO jobs (queue, priority, run_at, state) SELECT handle, level, $1, $2 FROM accounts WHERE id = $3 RETURNING id, run_at;",
        "InsertSelect(:many) $1 run_at: timestamptz?, $2 state: job_state!, $3 id: int8! -> id int8!, run_at timestamptz?",
    );
    check(
        "-- name: InsertSelectCast :exec\nINSERT INTO jobs (queue, priority) SELECT kind, amount FROM events WHERE account_id = $1;",
        "InsertSelectCast(:exec) $1 account_id: int8!",
    );
}

#[test]
fn insert_multi_row_values() {
    check(
        "-- name: InsertRows :many\nINSERT INTO accounts (id, handle, bio, ext_id) VALUES ($1, $2, $3, $4), ($5, $6, NULL, $7) RETURNING id, bio;",
        "InsertRows(:many) $1 id: int8!, $2 handle: varchar!, $3 bio: text?, $4 ext_id: uuid!, $5 id_2: int8!, $6 handle_2: varchar!, $7 ext_id_2: uuid! -> id int8!, bio text?",
    );
}

#[test]
fn insert_with_default_returning_star_is_the_model() {
    check(
        "-- name: InsertDefaults :one\nINSERT INTO jobs (queue, priority, run_at) VALUES ($1, DEFAULT, now()) RETURNING *;",
        "InsertDefaults(:one) $1 queue: text! -> id int8!, queue text!, priority int2!, run_at timestamptz?, attempts int4!, state job_state! [jobs]",
    );
}

#[test]
fn update_from_returning_both_tables() {
    check(
        "-- name: UpdateFrom :many\nUPDATE jobs SET attempts = jobs.attempts + 1, run_at = $1 FROM accounts a WHERE a.handle = jobs.queue AND a.id = $2 RETURNING jobs.id, jobs.attempts, a.handle;",
        "UpdateFrom(:many) $1 run_at: timestamptz?, $2 id: int8! -> id int8!, attempts int4!, handle varchar!",
    );
}

#[test]
fn delete_using_returning_both_tables() {
    check(
        "-- name: DeleteUsing :many\nDELETE FROM events e USING accounts a WHERE a.id = e.account_id AND a.active = $1 AND e.happened_at < $2 RETURNING e.id, a.handle;",
        "DeleteUsing(:many) $1 active: bool!, $2 happened_at: timestamptz! -> id int4!, handle varchar!",
    );
}

#[test]
fn returning_expressions() {
    check(
        "-- name: Returning :one\nUPDATE accounts SET bio = $1, mood = $2 WHERE id = $3 RETURNING id, bio, karma * 2 AS double_karma, created_at, upper(bio);",
        "Returning(:one) $1 bio: text?, $2 mood: mood?, $3 id: int8! -> id int8!, bio text?, double_karma int4?, created_at timestamptz!, upper text?",
    );
    check(
        "-- name: ReturningStar :one\nUPDATE jobs SET state = 'running', attempts = attempts + 1 WHERE id = $1 RETURNING *;",
        "ReturningStar(:one) $1 id: int8! -> id int8!, queue text!, priority int2!, run_at timestamptz?, attempts int4!, state job_state! [jobs]",
    );
}

#[test]
fn locking_clauses_do_not_change_the_row() {
    check(
        "-- name: SkipLocked :one\nSELECT id, queue FROM jobs WHERE state = 'queued' AND queue = $1 ORDER BY priority DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED;",
        "SkipLocked(:one) $1 queue: text! -> id int8!, queue text!",
    );
    check(
        "-- name: ForShare :many\nSELECT j.id, a.handle FROM jobs j JOIN accounts a ON a.handle = j.queue WHERE a.id = $1 FOR SHARE OF j NOWAIT;",
        "ForShare(:many) $1 id: int8! -> id int8!, handle varchar!",
    );
}

#[test]
fn for_no_key_update_is_accepted() {
    check(
        "-- name: ForNoKeyUpdate :many\nSELECT j.id, a.handle FROM jobs j JOIN accounts a ON a.handle = j.queue WHERE a.id = $1 FOR NO KEY UPDATE OF j NOWAIT;",
        "ForNoKeyUpdate(:many) $1 id: int8! -> id int8!, handle varchar!",
    );
}

// ---- parameters -------------------------------------------------------------------------

#[test]
fn parameters_in_comparisons_on_either_side() {
    check(
        "-- name: Comparisons :many\nSELECT id FROM accounts WHERE karma >= $1 AND $2 < balance AND ext_id <> $3 AND last_seen > $4;",
        "Comparisons(:many) $1 karma: int4?, $2 balance: numeric!, $3 ext_id: uuid!, $4 last_seen: timestamp? -> id int8!",
    );
}

#[test]
fn parameters_as_function_arguments() {
    check(
        "-- name: FunctionArgs :many\nSELECT id, date_trunc($1, created_at) AS bucket FROM accounts WHERE lower(handle) = lower($2) AND length(bio) > $3;",
        "FunctionArgs(:many) $1 column_1: text!, $2 column_2: text!, $3 column_3: int4! -> id int8!, bucket timestamptz!",
    );
}

#[test]
fn limit_and_offset_parameters_are_int8() {
    check(
        "-- name: Paging :many\nSELECT id FROM accounts ORDER BY id LIMIT $1 OFFSET $2;",
        "Paging(:many) $1 limit: int8!, $2 offset: int8! -> id int8!",
    );
}

#[test]
fn array_parameters_from_any_casts_and_containment() {
    check(
        "-- name: ArrayParams :many\nSELECT id FROM accounts WHERE ext_id = ANY($1) AND lucky && $2::int4[] AND labels @> $3;",
        "ArrayParams(:many) $1 ext_id: uuid[]!, $2 column_2: int4[]!, $3 labels: text[]! -> id int8!",
    );
}

#[test]
fn parameter_inside_coalesce_takes_the_common_type() {
    // coalesce(unknown, varchar) is varchar, so the parameter is varchar (not text as in `handle = $1`).
    check(
        "-- name: OptionalFilter :many\nSELECT id FROM accounts WHERE handle = coalesce($1, handle);",
        "OptionalFilter(:many) $1 column_1: varchar! -> id int8!",
    );
}

#[test]
fn parameter_is_named_after_a_comparison_even_after_a_cast_typed_it() {
    // Not PostgreSQL's answer but sqlgen's rule: named after the compared column, `Option` as it is nullable,
    // whichever use comes first (`karma = $1 OR $1::int4 IS NULL` is the same query).
    check(
        "-- name: MaybeKarma :many\nSELECT id FROM accounts WHERE $1::int4 IS NULL OR karma = $1;",
        "MaybeKarma(:many) $1 karma: int4? -> id int8!",
    );
}

#[test]
fn one_parameter_used_as_two_types_is_an_error() {
    // PostgreSQL: `operator does not exist: character varying = bigint`.
    let err = codegen::analyze_text(
        SCHEMA,
        "-- name: Conflict :one\nSELECT id FROM accounts WHERE id = $1 OR handle = $1;",
    )
    .unwrap_err();
    assert!(
        err.contains("parameter $1 is used both as `int8` and as `"),
        "{err}"
    );
    assert!(err.contains("query.sql:2:"), "{err}");
    assert!(err.contains("aborting due to 1 previous error"), "{err}");
}
