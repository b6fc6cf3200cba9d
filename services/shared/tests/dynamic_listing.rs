//! `ListProjectRuntimeEnvironments`, a dynamic query (issue 19), against a real PostgreSQL: every
//! shape (optional type and slug conditions, sort by slug or creation time, both directions,
//! first and later keyset pages) returns what the same filter and sort give in Rust, and the
//! plan of a shape uses the index its condition allows where the catch-all form
//! `(sqlc.narg(x) IS NULL OR col = sqlc.narg(x))` cannot.

mod seed;

use shared::db::models::RuntimeEnvironmentType;
use shared::db::runtime_environments::{
    ListProjectRuntimeEnvironmentsParams as Params, ListProjectRuntimeEnvironmentsRow as Row,
    ListProjectRuntimeEnvironmentsSort as Sort, LIST_PROJECT_RUNTIME_ENVIRONMENTS_SHAPES as SHAPES,
};
use shared::db::Queries;
use sqlgen_runtime::Direction;
use uuid::Uuid;

const TYPES: [Option<RuntimeEnvironmentType>; 3] = [
    None,
    Some(RuntimeEnvironmentType::Development),
    Some(RuntimeEnvironmentType::Production),
];

#[tokio::test]
async fn behind_a_transaction_pooler_every_page_is_an_unnamed_statement_of_its_shape() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let project = seed::project(&client, org.id, "web").await;
    for slug in ["c", "a", "d", "b", "e"] {
        let ty = RuntimeEnvironmentType::Preview;
        seed::environment(&client, &project, slug, ty, None).await;
    }
    let pooled = sqlgen_runtime::PoolerClient::new(db.pooler_client().await);
    let listing = Listing {
        project_id: project.id,
        ty: Some(RuntimeEnvironmentType::Preview),
        slug: None,
        by_slug: true,
        direction: Direction::Desc,
    };
    let slugs: Vec<String> = all_pages(&pooled, &listing)
        .await
        .into_iter()
        .map(|r| r.slug)
        .collect();
    assert_eq!(slugs, ["e", "d", "c", "b", "a"]);
}

/// The index of a shape, as the generated function computes it: the filter bits (type 1, slug 2),
/// then the cursor, the direction and the key (slug 0, created_at 1).
fn shape_index(filters: usize, key: usize, direction: Direction, cursor: bool) -> usize {
    (((key * 2 + direction.bit()) * 2 + usize::from(cursor)) << 2) | filters
}

/// One filter, sort and direction of the listing.
struct Listing<'a> {
    project_id: Uuid,
    ty: Option<RuntimeEnvironmentType>,
    slug: Option<&'a str>,
    by_slug: bool,
    direction: Direction,
}

/// Every page of a listing (two rows a page), each after the keyset cursor of the last row.
async fn all_pages(client: &impl sqlgen_runtime::GenericClient, l: &Listing<'_>) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    loop {
        let last = rows.last();
        let sort = match (l.by_slug, last) {
            (true, last) => Sort::Slug(last.map(|r| (r.slug.as_str(), r.id))),
            (false, last) => Sort::CreatedAt(last.map(|r| (r.created_at, r.id))),
        };
        let params = Params {
            project_id: l.project_id,
            r#type: l.ty,
            slug: l.slug,
            sort,
            direction: l.direction,
            limit: 2,
        };
        let page = client
            .list_project_runtime_environments(&params)
            .await
            .unwrap();
        assert!(page.len() <= 2);
        if page.is_empty() {
            return rows;
        }
        rows.extend(page);
    }
}

#[tokio::test]
async fn every_shape_returns_the_filtered_rows_in_order_page_after_page() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "acme").await;
    let project = seed::project(&client, org.id, "web").await;
    let other = seed::project(&client, org.id, "api").await;
    let mut envs = Vec::new();
    for (slug, ty) in [
        ("prod", RuntimeEnvironmentType::Production),
        ("dev-ada", RuntimeEnvironmentType::Development),
        ("staging", RuntimeEnvironmentType::Staging),
        ("dev-bob", RuntimeEnvironmentType::Development),
        ("preview", RuntimeEnvironmentType::Preview),
    ] {
        envs.push(seed::environment(&client, &project, slug, ty, None).await);
    }
    seed::environment(
        &client,
        &other,
        "web-prod",
        RuntimeEnvironmentType::Production,
        None,
    )
    .await;

    let mut shapes_run = std::collections::BTreeSet::new();
    for ty in TYPES {
        for slug in [None, Some("prod"), Some("dev-ada"), Some("missing")] {
            for by_slug in [true, false] {
                for direction in [Direction::Asc, Direction::Desc] {
                    let mut expected: Vec<_> = envs
                        .iter()
                        .filter(|e| ty.is_none_or(|t| e.r#type == t))
                        .filter(|e| slug.is_none_or(|s| e.slug == s))
                        .collect();
                    if by_slug {
                        expected.sort_by(|a, b| (&a.slug, a.id).cmp(&(&b.slug, b.id)));
                    } else {
                        expected.sort_by_key(|e| (e.created_at, e.id));
                    }
                    if direction == Direction::Desc {
                        expected.reverse();
                    }
                    let listing = Listing {
                        project_id: project.id,
                        ty,
                        slug,
                        by_slug,
                        direction,
                    };
                    let got = all_pages(&client, &listing).await;
                    let got_ids: Vec<Uuid> = got.iter().map(|r| r.id).collect();
                    let want_ids: Vec<Uuid> = expected.iter().map(|e| e.id).collect();
                    assert_eq!(
                        got_ids, want_ids,
                        "{ty:?} {slug:?} by_slug={by_slug} {direction:?}"
                    );
                    for (r, e) in got.iter().zip(&expected) {
                        assert_eq!(
                            (&r.slug, r.r#type, r.paused, r.created_at),
                            (&e.slug, e.r#type, e.paused, e.created_at)
                        );
                    }
                    // The shapes this run sent: filters, key, direction, with and without a cursor.
                    let filters = usize::from(ty.is_some()) | (usize::from(slug.is_some()) << 1);
                    let key = usize::from(!by_slug);
                    for cursor in [false, !got.is_empty()] {
                        shapes_run.insert(shape_index(filters, key, direction, cursor));
                    }
                }
            }
        }
    }
    assert_eq!(shapes_run.len(), SHAPES.len(), "every shape was sent");

    // Each shape was prepared once on this connection and reused by the runs after (simple
    // query protocol: reading the list prepares nothing itself).
    let pg: &tokio_postgres::Client = &client;
    let prepared: Vec<String> = pg
        .simple_query("SELECT statement FROM pg_prepared_statements")
        .await
        .unwrap()
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_string),
            _ => None,
        })
        .filter(|sql| SHAPES.contains(&sql.as_str()))
        .collect();
    assert_eq!(
        prepared.len(),
        SHAPES.len(),
        "one prepared statement a shape"
    );
}

/// One node of a plan: its type, the index it reads, its index condition, its filter, and how
/// many rows it read and threw away (EXPLAIN ANALYZE).
#[derive(Debug)]
struct Node {
    kind: String,
    index: Option<String>,
    index_cond: Option<String>,
    filter: Option<String>,
    removed_by_filter: i64,
}

/// The nodes of an EXPLAIN (FORMAT JSON) plan, depth first.
fn plan_nodes(plan: &serde_json::Value, out: &mut Vec<Node>) {
    let text = |key: &str| plan[key].as_str().map(str::to_string);
    out.push(Node {
        kind: text("Node Type").unwrap_or_default(),
        index: text("Index Name"),
        index_cond: text("Index Cond"),
        filter: text("Filter"),
        removed_by_filter: plan["Rows Removed by Filter"].as_i64().unwrap_or(0),
    });
    for child in plan["Plans"].as_array().into_iter().flatten() {
        plan_nodes(child, out);
    }
}

/// EXPLAIN ANALYZE of `sql` as a prepared statement's generic plan (the plan a cached statement
/// keeps after its first executions): its nodes and its estimated total cost.
async fn generic_plan(pg: &tokio_postgres::Client, sql: &str, args: &str) -> (Vec<Node>, f64) {
    pg.batch_execute("SET plan_cache_mode = force_generic_plan; DEALLOCATE ALL")
        .await
        .unwrap();
    pg.batch_execute(&format!("PREPARE shape AS {sql}"))
        .await
        .unwrap();
    let row = pg
        .query_one(
            &format!("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE shape({args})"),
            &[],
        )
        .await
        .unwrap();
    let doc: serde_json::Value = row.get(0);
    let plan = &doc[0]["Plan"];
    let mut nodes = Vec::new();
    plan_nodes(plan, &mut nodes);
    println!(
        "{sql}\n  -> {nodes:?}\n  total cost {}, {} ms",
        plan["Total Cost"], doc[0]["Execution Time"]
    );
    (nodes, plan["Total Cost"].as_f64().unwrap())
}

/// The catch-all form of the same query: one text for every filter, which a generic plan must
/// serve whether the slug is given or not.
const CATCH_ALL: &str = "SELECT id, slug, type, paused, created_at
FROM runtime_environments
WHERE project_id = $1
  AND ($2::runtime_environment_type IS NULL OR type = $2)
  AND ($3::text IS NULL OR slug = $3)
ORDER BY created_at ASC, id ASC
LIMIT $4";

#[tokio::test]
async fn a_shape_with_the_slug_condition_uses_its_index_where_the_catch_all_form_scans() {
    let db = testsupport::fresh_db().await;
    let client = seed::connect(&db).await;
    let org = seed::organization(&client, "big").await;
    let project = seed::project(&client, org.id, "big").await;
    let pg: &tokio_postgres::Client = &client;
    // One project with 20,000 environments: its id selects every row, its slug one.
    pg.execute(
        "INSERT INTO runtime_environments (slug, api_key_hash, api_key_preview, pk_api_key_hash, pk_api_key_preview, type, shortcode, organization_id, project_id)
         SELECT 'env-' || i, 'h' || i, 'p', 'ph' || i, 'p', 'PRODUCTION', 's' || i, $1, $2
         FROM generate_series(1, 20000) AS i",
        &[&org.id, &project.id],
    )
    .await
    .unwrap();
    pg.batch_execute("ANALYZE runtime_environments")
        .await
        .unwrap();

    // The shape sent for a slug (bit 1), sorted by creation time (key 1), ascending, first page.
    let shape = SHAPES[shape_index(0b10, 1, Direction::Asc, false)];
    assert!(
        shape.contains("slug = $2")
            && !shape.contains("type =")
            && shape.contains("ORDER BY created_at ASC, id ASC\nLIMIT $3"),
        "{shape}"
    );
    let (dynamic, dynamic_cost) =
        generic_plan(pg, shape, &format!("'{}', 'env-777', 20", project.id)).await;
    let (catch_all, catch_all_cost) = generic_plan(
        pg,
        CATCH_ALL,
        &format!("'{}', NULL, 'env-777', 20", project.id),
    )
    .await;

    // The shape finds its row through the unique (project_id, slug) index, reading nothing else.
    let scan = dynamic.iter().find(|n| n.kind.contains("Scan")).unwrap();
    assert_eq!(scan.kind, "Index Scan", "{dynamic:?}");
    assert_eq!(
        scan.index.as_deref(),
        Some("runtime_environments_project_id_slug_key")
    );
    assert!(scan.index_cond.as_deref().unwrap().contains("slug = $2"));
    assert_eq!(scan.removed_by_filter, 0);
    // The catch-all plan cannot use the slug for an index: it reads every row of the project
    // (here the whole table, in the order of another index) and filters the slug.
    let scan = catch_all.iter().find(|n| n.kind.contains("Scan")).unwrap();
    assert!(
        scan.index_cond
            .as_deref()
            .is_none_or(|c| !c.contains("slug")),
        "{catch_all:?}"
    );
    assert!(scan.filter.as_deref().unwrap().contains("slug"));
    // The one row matches and the LIMIT is never reached: every other row is read and dropped.
    assert_eq!(scan.removed_by_filter, 19_999);
    assert!(
        dynamic_cost * 10.0 < catch_all_cost,
        "{dynamic_cost} {catch_all_cost}"
    );
}
