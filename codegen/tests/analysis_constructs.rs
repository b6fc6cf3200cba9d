//! Analysis tests for what real projects write beyond the basics: PostgreSQL's own catalogues,
//! mixed parameter styles, DDL that must not stop the schema, statements of every kind.
//! One query in, its analysis as one compact line out (`!` non-null, `?` nullable).

const SCHEMA: &str = r#"
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle text NOT NULL,
    labels varchar(20)[] NOT NULL DEFAULT '{}',
    scores int4[],
    bio text
);
"#;

#[track_caller]
fn check_with(schema: &str, query: &str, expect: &str) {
    let got = codegen::analysis_text(schema, query);
    assert_eq!(got.trim(), expect.trim(), "\n--- got ---\n{got}");
}

#[track_caller]
fn check(query: &str, expect: &str) {
    check_with(SCHEMA, query, expect);
}

#[test]
fn pg_catalog_tables_resolve_unqualified_and_qualified() {
    check(
        "-- name: Tables :many\nSELECT c.oid, c.relname, n.nspname, c.relkind FROM pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1;",
        "Tables(:many) $1 nspname: name! -> oid oid!, relname name!, nspname name!, relkind char!",
    );
}

#[test]
fn pg_catalog_views_have_nullable_columns() {
    check(
        "-- name: Sessions :many\nSELECT pid, datname, state, backend_start FROM pg_stat_activity WHERE usename = $1;",
        "Sessions(:many) $1 usename: name? -> pid int4?, datname name?, state text?, backend_start timestamptz?",
    );
}

#[test]
fn information_schema_domains_are_their_base_types() {
    check(
        "-- name: Columns :many\nSELECT column_name, ordinal_position, is_nullable, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2;",
        "Columns(:many) $1 table_schema: name?, $2 table_name: name? -> column_name name?, ordinal_position int4?, is_nullable varchar?, data_type varchar?",
    );
}

#[test]
fn star_over_a_system_relation_lists_every_column() {
    let got = codegen::analysis_text(SCHEMA, "-- name: Ns :many\nSELECT * FROM pg_namespace;");
    assert_eq!(
        got.trim(),
        "Ns(:many) -> oid oid!, nspname name!, nspowner oid!, nspacl aclitem[]?"
    );
}

#[test]
fn information_schema_is_not_on_the_search_path() {
    let got = codegen::analysis_text(SCHEMA, "-- name: T :many\nSELECT table_name FROM tables;");
    assert!(got.contains("relation `tables` does not exist"), "{got}");
}

#[test]
fn a_user_table_does_not_hide_a_system_one_of_the_same_name() {
    // pg_catalog comes first on the search path unless it is listed explicitly.
    check_with(
        "CREATE TABLE pg_am (id int PRIMARY KEY);",
        "-- name: Am :many\nSELECT amname FROM pg_am;",
        "Am(:many) -> amname name!",
    );
}

#[test]
fn dollar_and_named_parameters_in_one_query_are_numbered_as_sqlc_numbers_them() {
    check(
        "-- name: Find :many\nSELECT id FROM accounts WHERE handle = @handle AND id > $1 AND bio = sqlc.narg(bio);",
        "Find(:many) $1 id: int8!, $2 handle: text!, $3 bio: text? -> id int8!",
    );
}

#[test]
fn slices_are_lists_in_in_and_arrays_elsewhere() {
    check(
        "-- name: ByIds :many\nSELECT handle FROM accounts WHERE id IN (sqlc.slice('ids') /* sqlc writes a marker here */) AND id <> ALL(sqlc.slice(skip));",
        "ByIds(:many) $1 ids: int8[]!, $2 skip: int8[]! -> handle text!",
    );
    check(
        "-- name: NotIn :many\nSELECT handle FROM accounts WHERE handle NOT IN (sqlc.slice(handles));",
        "NotIn(:many) $1 handles: text[]! -> handle text!",
    );
    let got = codegen::analysis_text(
        SCHEMA,
        "-- name: Scalar :many\nSELECT handle FROM accounts WHERE id = sqlc.slice(ids);",
    );
    assert!(
        got.contains("`sqlc.slice` stands for one value here"),
        "{got}"
    );
}

#[test]
fn a_statement_without_annotation_is_skipped() {
    check(
        "CREATE TABLE ignored (id int);\n-- name: One :one\nSELECT 1 AS one;\nSELECT 2;\n",
        "One(:one) -> one int4!",
    );
}
