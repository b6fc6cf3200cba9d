//! Analysis tests: one query in, its analysis as one compact line out (`!` non-null, `?` nullable).

const SCHEMA: &str = r#"
CREATE TYPE status AS ENUM ('open', 'closed');
CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name varchar(100),
    age int4,
    score numeric(10, 2) NOT NULL DEFAULT 0,
    admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE posts (
    id bigserial PRIMARY KEY,
    author_id uuid NOT NULL REFERENCES users (id),
    title text NOT NULL,
    body text,
    tags text[] NOT NULL DEFAULT '{}',
    status status NOT NULL DEFAULT 'open',
    published_on date
);
CREATE TABLE "AuditLog" (
    "id" serial,
    "userId" uuid,
    "createdAt" timestamp(3) NOT NULL,
    PRIMARY KEY ("id")
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

#[track_caller]
fn check_sql(query: &str, expect_sql: &str) {
    let qs = codegen::analyze_text(SCHEMA, query).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(qs[0].sql, expect_sql);
}

#[test]
fn select_star_expands_to_the_table_model() {
    check(
        "-- name: GetUser :one\nSELECT * FROM users WHERE id = $1;",
        "GetUser(:one) $1 id: uuid! -> id uuid!, email text!, name varchar?, age int4?, score numeric!, admin bool!, created_at timestamptz! [users]",
    );
    check_sql(
        "-- name: GetUser :one\nSELECT * FROM users WHERE id = $1;",
        "SELECT id, email, name, age, score, admin, created_at FROM users WHERE id = $1",
    );
}

#[test]
fn qualified_star_under_a_join_is_qualified_in_the_sql() {
    check_sql(
        "-- name: PostsWithAuthor :many\nSELECT p.*, u.email FROM posts p JOIN users u ON u.id = p.author_id;",
        "SELECT p.id, p.author_id, p.title, p.body, p.tags, p.status, p.published_on, u.email FROM posts p JOIN users u ON u.id = p.author_id",
    );
}

#[test]
fn quoted_mixed_case_identifiers_stay_quoted() {
    check(
        "-- name: Audit :many\nSELECT * FROM \"AuditLog\" WHERE \"userId\" = @user_id;",
        "Audit(:many) $1 user_id: uuid? -> id int4!, userId uuid?, createdAt timestamp! [AuditLog]",
    );
    check_sql(
        "-- name: Audit :many\nSELECT * FROM \"AuditLog\" WHERE \"userId\" = @user_id;",
        "SELECT id, \"userId\", \"createdAt\" FROM \"AuditLog\" WHERE \"userId\" = $1",
    );
}

#[test]
fn left_join_makes_the_right_side_nullable() {
    check(
        "-- name: UsersPosts :many\nSELECT u.email, p.title FROM users u LEFT JOIN posts p ON p.author_id = u.id;",
        "UsersPosts(:many) -> email text!, title text?",
    );
}

#[test]
fn right_join_makes_the_left_side_nullable() {
    check(
        "-- name: PostsUsers :many\nSELECT u.email, p.title FROM users u RIGHT JOIN posts p ON p.author_id = u.id;",
        "PostsUsers(:many) -> email text?, title text!",
    );
}

#[test]
fn full_join_makes_both_sides_nullable() {
    check(
        "-- name: Both :many\nSELECT u.email, p.title FROM users u FULL JOIN posts p ON p.author_id = u.id;",
        "Both(:many) -> email text?, title text?",
    );
}

#[test]
fn an_inner_join_on_the_nullable_side_of_a_left_join_drops_its_null_rows() {
    check(
        "-- name: Chain :many\nSELECT a.email, p.title, b.email AS other FROM users a LEFT JOIN posts p ON p.author_id = a.id JOIN users b ON b.id = p.author_id;",
        "Chain(:many) -> email text!, title text!, other text!",
    );
}

#[test]
fn star_under_left_join_is_not_the_model() {
    check(
        "-- name: Star :many\nSELECT p.* FROM users u LEFT JOIN posts p ON p.author_id = u.id;",
        "Star(:many) -> id int8?, author_id uuid?, title text?, body text?, tags text[]?, status status?, published_on date?",
    );
}

#[test]
fn named_parameters_in_every_syntax() {
    check(
        "-- name: Find :many\nSELECT id FROM users WHERE email = @email OR name = sqlc.arg(name) OR age = sqlc.narg('age') OR email = @email;",
        "Find(:many) $1 email: text!, $2 name: text?, $3 age: int4? -> id uuid!",
    );
    check_sql(
        "-- name: Find :many\nSELECT id FROM users WHERE email = @email OR name = sqlc.arg(name) OR age = sqlc.narg('age') OR email = @email;",
        "SELECT id FROM users WHERE email = $1 OR name = $2 OR age = $3 OR email = $1",
    );
}

#[test]
fn positional_parameters_are_named_after_their_column() {
    check(
        "-- name: Between :many\nSELECT id FROM users WHERE created_at > $1 AND created_at < $2 AND $3 = admin;",
        "Between(:many) $1 created_at: timestamptz!, $2 created_at_2: timestamptz!, $3 admin: bool! -> id uuid!",
    );
}

/// A parameter compared with a nullable column is `Option`, as sqlc makes it, so a value read
/// from that column can be passed back as is.
#[test]
fn varchar_compared_with_a_parameter_types_it_text_as_postgres_does() {
    check(
        "-- name: ByName :many\nSELECT id FROM users WHERE name = $1;",
        "ByName(:many) $1 name: text? -> id uuid!",
    );
}

#[test]
fn limit_and_offset_are_int8() {
    check(
        "-- name: Page :many\nSELECT id FROM users ORDER BY created_at DESC LIMIT $1 OFFSET $2;",
        "Page(:many) $1 limit: int8!, $2 offset: int8! -> id uuid!",
    );
}

#[test]
fn insert_parameters_take_the_column_types_and_nullability() {
    check(
        "-- name: CreateUser :one\nINSERT INTO users (id, email, name) VALUES ($1, $2, $3) RETURNING *;",
        "CreateUser(:one) $1 id: uuid!, $2 email: text!, $3 name: varchar? -> id uuid!, email text!, name varchar?, age int4?, score numeric!, admin bool!, created_at timestamptz! [users]",
    );
}

#[test]
fn insert_on_conflict_do_update_sees_excluded() {
    check(
        "-- name: Upsert :one\nINSERT INTO users (id, email) VALUES (@id, @email) ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email, age = users.age + 1 RETURNING id, age;",
        "Upsert(:one) $1 id: uuid!, $2 email: text! -> id uuid!, age int4?",
    );
}

#[test]
fn insert_on_conflict_do_nothing_returning_is_opt() {
    check(
        "-- name: Maybe :opt\nINSERT INTO users (id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id;",
        "Maybe(:opt) $1 id: uuid!, $2 email: text! -> id uuid!",
    );
}

#[test]
fn update_from_with_returning() {
    check(
        "-- name: Touch :many\nUPDATE posts SET title = @title, body = @body FROM users u WHERE u.id = posts.author_id AND u.email = @email RETURNING posts.id, u.email;",
        "Touch(:many) $1 title: text!, $2 body: text?, $3 email: text! -> id int8!, email text!",
    );
}

#[test]
fn delete_using_with_returning() {
    check(
        "-- name: Purge :execrows\nDELETE FROM posts USING users WHERE users.id = posts.author_id AND users.admin = $1;",
        "Purge(:execrows) $1 admin: bool!",
    );
    check(
        "-- name: PurgeReturning :many\nDELETE FROM posts p USING users u WHERE u.id = p.author_id RETURNING *;",
        // RETURNING * returns the USING table's columns too, as PostgreSQL does.
        "PurgeReturning(:many) -> id int8!, author_id uuid!, title text!, body text?, tags text[]!, status status!, published_on date?, id uuid!, email text!, name varchar?, age int4?, score numeric!, admin bool!, created_at timestamptz!",
    );
}

#[test]
fn aggregates_count_is_non_null_others_nullable() {
    check(
        "-- name: Stats :one\nSELECT count(*), count(age) AS with_age, sum(age), sum(score) AS total, avg(age), min(created_at), max(email) FROM users;",
        "Stats(:one) -> count int8!, with_age int8!, sum int8?, total numeric?, avg numeric?, min timestamptz?, max text?",
    );
}

#[test]
fn group_by_and_order_by_output_alias() {
    check(
        "-- name: PerAuthor :many\nSELECT author_id, count(*) AS n FROM posts GROUP BY author_id HAVING count(*) > $1 ORDER BY n DESC;",
        "PerAuthor(:many) $1 column_1: int8! -> author_id uuid!, n int8!",
    );
}

#[test]
fn coalesce_is_non_null_when_any_argument_is() {
    // coalesce(varchar, text) is varchar: PostgreSQL keeps the first type when both convert implicitly.
    check(
        "-- name: Names :many\nSELECT coalesce(name, email) AS label, coalesce(name, $1) AS maybe, coalesce(age, 0) FROM users;",
        "Names(:many) $1 column_1: varchar! -> label varchar!, maybe varchar!, coalesce int4!",
    );
}

#[test]
fn strict_functions_follow_their_argument() {
    check(
        "-- name: Lower :many\nSELECT lower(email), upper(name), now(), length(email) FROM users;",
        "Lower(:many) -> lower text!, upper text?, now timestamptz!, length int4!",
    );
}

#[test]
fn casts_keep_nullability_and_name_the_column_after_the_operand() {
    check(
        "-- name: Casts :many\nSELECT age::int8, CAST(score AS float8), $1::text, 1::int2 FROM users;",
        "Casts(:many) $1 column_1: text! -> age int8?, score float8!, text text!, int2 int2!",
    );
}

#[test]
fn arithmetic_types_follow_postgres_promotion() {
    check(
        "-- name: Math :many\nSELECT age + 1 AS a, score * 2 AS b, age * score AS c, age / 2.5 AS d, created_at + interval '1 day' AS e, created_at - created_at AS f FROM users;",
        "Math(:many) -> a int4?, b numeric!, c numeric?, d numeric?, e timestamptz!, f interval!",
    );
}

#[test]
fn cte_columns_keep_types_and_nullability() {
    check(
        "-- name: Recent :many\nWITH recent AS (SELECT id, name FROM users WHERE created_at > $1) SELECT r.id, r.name FROM recent r;",
        "Recent(:many) $1 created_at: timestamptz! -> id uuid!, name varchar?",
    );
}

#[test]
fn subquery_in_from_and_scalar_subquery() {
    check(
        "-- name: Sub :many\nSELECT t.n, (SELECT max(title) FROM posts) AS top FROM (SELECT count(*) AS n FROM users) t;",
        "Sub(:many) -> n int8!, top text?",
    );
}

#[test]
fn in_list_between_like_and_is_null() {
    check(
        "-- name: Filters :many\nSELECT id FROM users WHERE age IN ($1, $2) AND score BETWEEN $3 AND $4 AND email LIKE $5 AND name IS NOT NULL;",
        "Filters(:many) $1 age: int4?, $2 age_2: int4?, $3 score: numeric!, $4 score_2: numeric!, $5 email: text! -> id uuid!",
    );
}

#[test]
fn any_of_an_array_parameter() {
    check(
        "-- name: Many :many\nSELECT email FROM users WHERE id = ANY($1);",
        "Many(:many) $1 id: uuid[]! -> email text!",
    );
}

#[test]
fn enum_and_array_columns() {
    check(
        "-- name: ByStatus :many\nSELECT tags, status FROM posts WHERE status = $1;",
        "ByStatus(:many) $1 status: status! -> tags text[]!, status status!",
    );
}

#[test]
fn literals_name_their_columns_like_postgres() {
    check("-- name: Lits :one\nSELECT 1, 'a', true, 3000000000, 1.5;", "Lits(:one) -> ?column? int4!, ?column? text!, ?column? bool!, ?column? int8!, ?column? numeric!");
}

#[test]
fn nullability_overrides_in_aliases() {
    check(
        "-- name: Over :one\nSELECT max(age) AS \"top!\", email AS \"email?\" FROM users GROUP BY email;",
        "Over(:one) -> top int4!, email text?",
    );
}

#[test]
fn union_is_nullable_if_any_branch_is() {
    check(
        "-- name: U :many\nSELECT email AS v FROM users UNION SELECT body FROM posts;",
        "U(:many) -> v text?",
    );
}

#[test]
fn unknown_column_is_reported_with_a_suggestion() {
    check(
        "-- name: Bad :one\nSELECT emial FROM users;",
        r#"
error[E0303]: column `emial` does not exist
 --> query.sql:2:8
  |
2 | SELECT emial FROM users;
  |        ^^^^^
  |                   ----- `users` has no column `emial`
  |
  = help: did you mean `email`?

error: aborting due to 1 previous error
"#,
    );
}

#[test]
fn every_error_in_the_file_is_reported() {
    let err = codegen::analyze_text(
        SCHEMA,
        "-- name: A :one\nSELECT id FROM usr;\n\n-- name: B :one\nSELECT id FROM users WHERE;\n\n-- name: C :one\nSELECT email FROM users WHERE id = $1 AND email = $1;\n",
    )
    .unwrap_err();
    assert!(err.contains("relation `usr` does not exist"), "{err}");
    assert!(err.contains("help: did you mean `users`?"), "{err}");
    assert!(err.contains("query.sql:5:"), "{err}");
    assert!(
        err.contains("parameter $1 is used both as `uuid` and as `text`"),
        "{err}"
    );
    assert!(err.contains("aborting due to 3 previous errors"), "{err}");
}

#[test]
fn insert_arity_and_unknown_target_columns_are_errors() {
    let err = codegen::analyze_text(
        SCHEMA,
        "-- name: A :exec\nINSERT INTO users (id, emale) VALUES ($1, $2, $3);\n",
    )
    .unwrap_err();
    assert!(
        err.contains("column `emale` of relation `users` does not exist"),
        "{err}"
    );
    assert!(
        err.contains("INSERT has more expressions than target columns"),
        "{err}"
    );
}

#[test]
fn untyped_parameter_is_an_error_with_a_cast_hint() {
    let err = codegen::analyze_text(SCHEMA, "-- name: A :one\nSELECT $1;\n").unwrap_err();
    assert!(
        err.contains("could not determine the type of parameter $1"),
        "{err}"
    );
    assert!(
        err.contains("help: add a cast, such as `$1::text`"),
        "{err}"
    );
}

#[test]
fn ambiguous_column_is_an_error() {
    let err = codegen::analyze_text(
        SCHEMA,
        "-- name: A :many\nSELECT id FROM users JOIN posts ON posts.author_id = users.id;\n",
    )
    .unwrap_err();
    assert!(err.contains("column reference `id` is ambiguous"), "{err}");
}

#[test]
fn statements_without_rows_analyse_to_no_columns() {
    check(
        "-- name: A :exec\nDELETE FROM users WHERE id = $1;",
        "A(:exec) $1 id: uuid!",
    );
    // PostgreSQL accepts the statement, but `:one` promises a row: a warning, and the query is
    // generated as `:exec` (see the `one_without_columns` fixture for the rendered warning).
    check(
        "-- name: A :one\nDELETE FROM users WHERE id = $1;",
        "A(:one) $1 id: uuid!",
    );
    check("-- name: T :exec\nTRUNCATE posts;", "T(:exec)");
}

#[test]
fn system_columns_are_visible_but_not_part_of_star() {
    check(
        "-- name: Sys :many\nSELECT tableoid, xmin, u.ctid FROM users u;",
        "Sys(:many) -> tableoid oid!, xmin xid!, ctid tid!",
    );
}

#[test]
fn views_and_create_table_as_take_columns_from_their_query() {
    let schema = format!("{SCHEMA}\nCREATE VIEW admins AS SELECT id, email, name FROM users WHERE admin;\nCREATE TABLE emails AS SELECT email FROM users;\nCREATE TABLE kids (grade int4 NOT NULL) INHERITS (users);\nCREATE SEQUENCE counter;");
    let qs = codegen::analyze_text(
        &schema,
        "-- name: V :many\nSELECT * FROM admins;\n-- name: E :many\nSELECT * FROM emails;\n-- name: K :many\nSELECT email, grade FROM kids;\n-- name: S :one\nSELECT last_value FROM counter;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        codegen::compact(&qs).trim(),
        "V(:many) -> id uuid!, email text!, name varchar? [admins]\nE(:many) -> email text? [emails]\nK(:many) -> email text!, grade int4!\nS(:one) -> last_value int8!"
    );
}

const TYPES_SCHEMA: &str = r#"
CREATE DOMAIN slug AS text NOT NULL CHECK (VALUE ~ '^[a-z0-9-]+$');
CREATE DOMAIN score AS numeric(5, 2);
CREATE TYPE address AS (line1 text, city text, zip int4);
CREATE TABLE places (
    id int8 PRIMARY KEY,
    slug slug,
    rating score,
    home address,
    tags text[] NOT NULL,
    data jsonb NOT NULL
);
"#;

#[track_caller]
fn check_types(query: &str, expect: &str) {
    let got = codegen::analysis_text(TYPES_SCHEMA, query);
    assert_eq!(
        got.trim(),
        expect.trim(),
        "
--- got ---
{got}"
    );
}

#[test]
fn domains_are_their_base_type_and_keep_not_null() {
    check_types(
        "-- name: P :many\nSELECT slug, rating FROM places WHERE slug = $1 AND rating > $2;",
        "P(:many) $1 slug: text!, $2 rating: numeric? -> slug text!, rating numeric?",
    );
}

#[test]
fn composite_columns_and_field_access() {
    check_types(
        "-- name: Home :many\nSELECT home, (home).city FROM places WHERE id = $1;",
        "Home(:many) $1 id: int8! -> home address?, city text?",
    );
}

#[test]
fn array_subscripts_slices_and_array_subqueries() {
    check_types(
        "-- name: Arr :many\nSELECT tags[1] AS first, tags[1:2] AS two, ARRAY(SELECT id FROM places) AS ids, data['k'] AS k FROM places;",
        "Arr(:many) -> first text?, two text[]!, ids int8[]!, k jsonb?",
    );
}

#[test]
fn row_comparisons_type_each_member() {
    check_types(
        "-- name: Row :many\nSELECT id FROM places WHERE (id, tags) = ($1, $2);",
        "Row(:many) $1 id: int8!, $2 tags: text[]! -> id int8!",
    );
}

#[test]
fn sqlc_slice_becomes_an_array_parameter() {
    let qs = codegen::analyze_text(
        TYPES_SCHEMA,
        "-- name: Many :many\nSELECT id FROM places WHERE id IN (sqlc.slice(ids)) AND slug NOT IN (sqlc.slice('skip'));",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        codegen::compact(&qs).trim(),
        "Many(:many) $1 ids: int8[]!, $2 skip: text[]! -> id int8!"
    );
    assert_eq!(
        qs[0].sql,
        "SELECT id FROM places WHERE id = ANY($1) AND slug <> ALL($2)"
    );
}

#[test]
fn search_path_decides_where_unqualified_names_live() {
    let schema = "CREATE SCHEMA app;\nSET search_path TO app, public;\nCREATE TYPE app_state AS ENUM ('on', 'off');\nCREATE TABLE things (id int4 PRIMARY KEY, state app_state NOT NULL);\nCREATE TABLE public.others (id int8 NOT NULL);";
    let qs = codegen::analyze_text(
        schema,
        "-- name: T :many\nSELECT * FROM things;\n-- name: Q :many\nSELECT t.id, o.id AS other FROM app.things t, others o WHERE t.state = $1;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        codegen::compact(&qs).trim(),
        "T(:many) -> id int4!, state app.app_state! [app.things]\nQ(:many) $1 state: app.app_state! -> id int4!, other int8!"
    );
}

#[test]
fn aggregates_of_non_null_inputs_under_group_by_have_a_value() {
    check(
        "-- name: G :many\nSELECT author_id, max(title) AS last, min(published_on) AS first, sum(id) FILTER (WHERE id > 0) AS pos FROM posts GROUP BY author_id;",
        "G(:many) -> author_id uuid!, last text!, first date?, pos numeric?",
    );
    check(
        "-- name: W :one\nSELECT max(title) FROM posts;",
        "W(:one) -> max text?",
    );
}

#[test]
fn a_scalar_subquery_of_one_aggregate_always_returns_a_row() {
    check(
        "-- name: S :many\nSELECT (SELECT count(*) FROM posts) AS n, (SELECT max(title) FROM posts) AS top, (SELECT title FROM posts LIMIT 1) AS any FROM users;",
        "S(:many) -> n int8!, top text?, any text?",
    );
}

#[test]
fn named_notation_matches_arguments_by_name() {
    check(
        "-- name: I :one\nSELECT make_interval(secs => $1, days => 2);",
        "I(:one) $1 secs: float8! -> make_interval interval!",
    );
}

#[test]
fn a_later_inner_join_or_where_on_the_nullable_side_removes_its_nulls() {
    // The inner join compares p.id: rows where the LEFT JOIN found no post are dropped.
    check(
        "-- name: Chain :many\nSELECT u.email, p.title FROM users u LEFT JOIN posts p ON p.author_id = u.id JOIN posts q ON q.id = p.id;",
        "Chain(:many) -> email text!, title text!",
    );
    check(
        "-- name: Where :many\nSELECT u.email, p.title FROM users u LEFT JOIN posts p ON p.author_id = u.id WHERE p.status = 'open';",
        "Where(:many) -> email text!, title text!",
    );
    // IS NULL keeps exactly those rows, and OR may keep them: still nullable.
    check(
        "-- name: Anti :many\nSELECT u.email, p.title FROM users u LEFT JOIN posts p ON p.author_id = u.id WHERE p.id IS NULL OR p.title = 'x';",
        "Anti(:many) -> email text!, title text?",
    );
}

#[test]
fn intersect_and_except_keep_nulls_only_where_they_can_come_from() {
    check(
        "-- name: I :many\nSELECT name FROM users INTERSECT SELECT title FROM posts;\n-- name: E :many\nSELECT title FROM posts EXCEPT SELECT name FROM users;",
        "I(:many) -> name varchar!\nE(:many) -> title text!",
    );
}

#[test]
fn malformed_input_is_a_diagnostic_never_a_panic() {
    let inputs = [
        "",
        "-- only a comment\n",
        "-- name: A :one",
        "-- name: A :one\nSELECT 'unterminated",
        "-- name: A :one\nSELECT 1 /* unterminated",
        "-- name: A :one\nSELECT $$unterminated",
        "-- name: A :one\nSELECT ;;;",
        "-- name: A :one\nSELECT sqlc.arg(",
        "-- name: A :one\nSELECT @",
        "-- name: A :one\nSELECT $0, $99999999999999999999",
        "-- name: A :many\nSELECT * FROM users u JOIN posts p USING (nosuch);",
        "-- name: é :one\nSELECT 1;",
        "-- name: A :one\nWITH RECURSIVE r AS (SELECT 1 UNION SELECT r.x FROM r) SELECT * FROM r;",
        "-- name: A :one\nSELECT (SELECT 1, 2);",
        "-- name: A :one\nSELECT ARRAY[1, 'a'::text];",
    ];
    for input in inputs {
        // Either result is fine; reaching here without a panic is the point, and errors must be located.
        if let Err(e) = codegen::analyze_text(SCHEMA, input) {
            assert!(e.contains("error"), "{input:?}: {e}");
        }
    }
    for schema in [
        "CREATE TABLE",
        "CREATE TABLE t (a int4",
        "ALTER TABLE nosuch ADD COLUMN b int4;",
        "CREATE TYPE e AS ENUM ('a', 'a');",
    ] {
        let _ = codegen::analyze_text(schema, "-- name: A :one\nSELECT 1;");
    }
}

/// sqlc counts function results as non-null; PostgreSQL's user functions may return NULL whatever
/// their arguments, so sqlgen makes them `Option` (a deliberate difference, see the conformance notes).
#[test]
fn user_function_results_are_nullable() {
    let schema = format!("{SCHEMA}\nCREATE FUNCTION plus(a int4, b int4) RETURNS int4 LANGUAGE sql AS $$ SELECT a + b $$;");
    let qs = codegen::analyze_text(&schema, "-- name: P :one\nSELECT plus(1, $1);")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        codegen::compact(&qs).trim(),
        "P(:one) $1 b: int4! -> plus int4?"
    );
}

/// sqlc gets these wrong (identity columns nullable, ADD PRIMARY KEY not implying NOT NULL,
/// serial without NOT NULL nullable); PostgreSQL makes all of them NOT NULL.
#[test]
fn identity_serial_and_added_primary_keys_are_not_null() {
    let schema = "CREATE TABLE t (a int4 GENERATED ALWAYS AS IDENTITY, b serial, c int8, d text GENERATED ALWAYS AS ('x') STORED);\nALTER TABLE t ADD PRIMARY KEY (c);";
    let qs = codegen::analyze_text(schema, "-- name: T :many\nSELECT * FROM t;")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        codegen::compact(&qs).trim(),
        "T(:many) -> a int4!, b int4!, c int8!, d text? [t]"
    );
}

#[test]
fn alter_table_set_schema_moves_the_table() {
    let qs = codegen::analyze_text(
        "CREATE SCHEMA archive;\nCREATE TABLE logs (line text NOT NULL);\nALTER TABLE logs SET SCHEMA archive;",
        "-- name: L :many\nSELECT * FROM archive.logs;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        codegen::compact(&qs).trim(),
        "L(:many) -> line text! [archive.logs]"
    );
    let err = codegen::analyze_text(
        "CREATE TABLE logs (line text);\nALTER TABLE logs SET SCHEMA archive;",
        "-- name: L :many\nSELECT * FROM logs;",
    )
    .unwrap_err();
    assert!(err.contains("relation `logs` does not exist"), "{err}");
}

#[test]
fn returning_a_column_just_set_to_a_non_null_value_is_not_null() {
    check(
        "-- name: Rename :one\nUPDATE users SET name = $1, age = NULL WHERE id = $2 RETURNING id, name, age;",
        "Rename(:one) $1 name: varchar?, $2 id: uuid! -> id uuid!, name varchar?, age int4?",
    );
    check(
        "-- name: Stamp :one\nUPDATE users SET name = lower(email) WHERE id = $1 RETURNING name;",
        "Stamp(:one) $1 id: uuid! -> name varchar!",
    );
    // RETURNING * stays the table's model, with the table's own nullability.
    check(
        "-- name: StampAll :one\nUPDATE users SET name = lower(email) WHERE id = $1 RETURNING *;",
        "StampAll(:one) $1 id: uuid! -> id uuid!, email text!, name varchar?, age int4?, score numeric!, admin bool!, created_at timestamptz! [users]",
    );
}

#[test]
fn a_strict_set_returning_function_given_null_returns_no_rows_not_null_rows() {
    check(
        "-- name: Series :many\nSELECT g FROM generate_series(sqlc.narg(start)::int4, 10) AS g;",
        "Series(:many) $1 start: int4? -> g int4!",
    );
    check(
        "-- name: Tags :many\nSELECT t FROM posts, unnest(posts.tags) AS t;",
        "Tags(:many) -> t text?",
    );
}

#[test]
fn natural_join_merges_the_common_columns() {
    // A self join shares every column name: one copy of each, as USING (every column) gives.
    check(
        "-- name: N :many\nSELECT * FROM posts NATURAL JOIN posts p2;",
        "N(:many) -> id int8!, author_id uuid!, title text!, body text?, tags text[]!, status status!, published_on date? [posts]",
    );
}

const DOMAIN_ARRAYS: &str = r#"
CREATE DOMAIN tag AS text NOT NULL;
CREATE DOMAIN level AS int2 CHECK (VALUE > 0);
CREATE TABLE notes (id int8 PRIMARY KEY, tag tag, level level, labels tag[] NOT NULL, body text);
"#;

#[track_caller]
fn check_domain_arrays(query: &str, expect: &str) {
    let got = codegen::analysis_text(DOMAIN_ARRAYS, query);
    assert_eq!(got.trim(), expect.trim(), "\n--- got ---\n{got}");
}

#[test]
fn an_array_built_from_values_of_one_domain_is_an_array_of_the_domain() {
    // PostgreSQL reports a domain's value as its base type, but an array of it as `tag[]`.
    check_domain_arrays(
        "-- name: A :one\nSELECT array_agg(tag) AS tags, ARRAY[level, level] AS levels, ARRAY(SELECT tag FROM notes) AS sub, labels[1] AS first, labels[1:2] AS two FROM notes GROUP BY id;",
        "A(:one) -> tags tag[]!, levels level[]!, sub tag[]!, first text?, two tag[]!",
    );
    // Through a subquery's column, a CTE, UNION of one domain, a cast to the domain, and a
    // polymorphic function of the domain (`first_value`, `unnest`).
    check_domain_arrays(
        "-- name: B :many\nWITH c AS (SELECT tag AS t FROM notes UNION SELECT tag FROM notes) SELECT ARRAY[c.t] AS a, ARRAY[body::tag] AS b, ARRAY[first_value(c.t) OVER ()] AS w, (SELECT array_agg(x) FROM unnest(labels) x) AS u FROM c, notes;",
        "B(:many) -> a tag[]!, b tag[]!, w tag[]!, u tag[]?",
    );
}

#[test]
fn mixing_a_domain_with_other_types_gives_arrays_of_the_base_type() {
    // An untyped input (an ELSE-less CASE's NULL, a literal) or another type smashes the domain.
    check_domain_arrays(
        "-- name: C :one\nSELECT ARRAY[CASE WHEN true THEN tag END] AS a, ARRAY[tag, 'x'] AS b, ARRAY[COALESCE(tag, body)] AS c, ARRAY[lower(tag)] AS d, labels || 'x'::text AS e, labels || tag AS f, labels || '{y}' AS g FROM notes WHERE id = 1;",
        "C(:one) -> a text[]!, b text[]!, c text[]!, d text[]!, e text[]?, f tag[]?, g tag[]?",
    );
}

#[test]
fn parameters_of_an_array_of_a_domain_are_typed_as_it() {
    check_domain_arrays(
        "-- name: D :exec\nINSERT INTO notes (id, tag, labels) VALUES ($1, $2, $3);",
        // (A scalar domain's parameter prints as its base type; the domain is beside it.)
        "D(:exec) $1 id: int8!, $2 tag: text!, $3 labels: tag[]!",
    );
    let qs = codegen::analyze_text(
        DOMAIN_ARRAYS,
        "-- name: E :many\nSELECT id FROM notes WHERE labels = $1 AND tag = ANY($2) AND $3::level > 0;",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        codegen::compact(&qs).trim(),
        "E(:many) $1 labels: tag[]!, $2 tag: text[]!, $3 column_3: int2! -> id int8!"
    );
    // A parameter cast to a domain is typed as the domain, as PostgreSQL types it.
    let server: Vec<String> = qs[0].params.iter().map(|p| p.server_name()).collect();
    assert_eq!(server, ["_tag", "_text", "level"]);
}

#[test]
fn an_array_of_a_domain_is_not_its_base_types_array_to_polymorphic_operators() {
    let err = codegen::analyze_text(
        DOMAIN_ARRAYS,
        "-- name: F :many\nSELECT id FROM notes WHERE labels = '{a}'::text[];",
    )
    .unwrap_err();
    assert!(
        err.contains("operator does not exist: tag[] = text[]"),
        "{err}"
    );
}
