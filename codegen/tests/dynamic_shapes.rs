//! The rule that lets one analysis type every shape of a dynamic query, checked against the
//! analysis itself: each shape's SQL text, analysed as a query of its own, has the parameter
//! types the generated code passes and the column types it decodes, and no column it may return
//! as NULL is decoded as never NULL.

use codegen::analyze_text;

const SCHEMA: &str = include_str!("fixtures/dynamic_query/schema.sql");
const QUERIES: &str = include_str!("fixtures/dynamic_query/query.sql");

/// Six optional conditions of different types, with a sort and a keyset on top: 256 shapes.
const SIX: &str = "\
-- name: SixConditions :many
-- sqlgen: sort slug, created_at
-- sqlgen: keyset id
SELECT e.id, e.slug, e.created_at, p.name
FROM environments e LEFT JOIN projects p ON p.id = e.project_id
WHERE e.project_id = @project_id
  AND e.type = @type -- sqlgen: optional
  AND e.slug LIKE @slug_prefix || '%' -- sqlgen: optional
  AND e.paused = @paused -- sqlgen: optional
  AND e.created_at >= @since -- sqlgen: optional
  AND coalesce(e.note, '') <> @not_note -- sqlgen: optional
  AND p.name = @project_name -- sqlgen: optional
;
";

fn check_every_shape(queries: &str) -> usize {
    let analysed = analyze_text(SCHEMA, queries).unwrap();
    let mut shapes = 0;
    for q in analysed.iter().filter(|q| q.dynamic.is_some()) {
        for shape in q.statements() {
            shapes += 1;
            let text = format!("-- name: Shape :many\n{};\n", shape.sql);
            let alone = analyze_text(SCHEMA, &text)
                .unwrap_or_else(|e| panic!("{} ({}): {e}\n{}", q.name, shape.label, shape.sql));
            let alone = &alone[0];
            let at = format!("{} ({})", q.name, shape.label);
            let types = |ps: &[&codegen::ir::Param]| -> Vec<String> {
                ps.iter().map(|p| p.ty.to_string()).collect()
            };
            let alone_params: Vec<&codegen::ir::Param> = alone.params.iter().collect();
            assert_eq!(types(&alone_params), types(&shape.params), "{at}");
            assert_eq!(alone.columns.len(), q.columns.len(), "{at}");
            for (a, c) in alone.columns.iter().zip(&q.columns) {
                assert_eq!((&a.name, &a.ty), (&c.name, &c.ty), "{at}");
                assert!(!a.nullable || c.nullable, "{at}: `{}` may be NULL", c.name);
            }
        }
    }
    shapes
}

/// Optional conditions first, last and alone before GROUP BY; comments and strings around them.
const EDGES: &str = "\
-- name: FirstOptional :many
SELECT id FROM environments
WHERE slug = @slug /* kept */ -- sqlgen: optional
  AND paused = false AND note <> 'x AND y';

-- name: AllOptionalThenGroupBy :many
SELECT type, count(*) AS n FROM environments WHERE
      paused = @paused -- sqlgen: optional
  AND created_at < @before -- sqlgen: optional
GROUP BY type
HAVING count(*) > @min_count;

-- name: InCte :many
-- sqlgen: sort slug
WITH recent AS (SELECT * FROM environments WHERE created_at > now() - interval '1 day')
SELECT id, slug FROM recent
WHERE slug LIKE @pattern -- sqlgen: optional
";

#[test]
fn every_shape_of_edge_cases_types_as_the_query_does() {
    assert_eq!(check_every_shape(EDGES), 2 + 4 + 2 * 2);
}

#[test]
fn every_shape_of_the_fixture_types_as_the_query_does() {
    // 4 + 4 + 4 + 16 + 4 + 8 shapes of the fixture's queries.
    assert_eq!(check_every_shape(QUERIES), 40);
}

#[test]
fn every_shape_of_six_conditions_types_as_the_query_does() {
    assert_eq!(check_every_shape(SIX), 64 * 2 * 2 * 2);
}
