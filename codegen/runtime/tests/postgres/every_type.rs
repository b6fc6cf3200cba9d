//! Every runtime and re-exported column type round-tripped through a real server: written as a
//! parameter into a column of its type, read back, and compared, with the server's text form.

use std::fmt::Debug;
use std::ops::Bound::{Excluded, Included, Unbounded};

use rust_decimal::Decimal;
use sqlgen_runtime::bit_vec::BitVec;
use sqlgen_runtime::eui48::MacAddress;
use sqlgen_runtime::geo_types::{Point, Rect};
use sqlgen_runtime::postgres_types::{FromSql, ToSql};
use sqlgen_runtime::tokio_postgres::Client;
use sqlgen_runtime::{
    Cid, Circle, Hstore, JsonPath, Lexeme, LexemePosition, Line, LineSegment, Lsn, Macaddr8, Money,
    Multirange, Path, PgNodeTree, Polygon, Range, Refcursor, RegOid, Snapshot, Tid, TimeTz,
    TsQuery, TsVector, Void, Weight, Xid, Xid8, Xml,
};
use time::macros::{date, datetime};

const SCHEMA: &str = "CREATE EXTENSION hstore; CREATE EXTENSION ltree;";

async fn client() -> (testsupport::TestDb, Client) {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = db.client().await;
    // Text forms that depend on settings: fixed here.
    client
        .batch_execute("SET TIME ZONE 'UTC'; SET lc_monetary = 'C'; SET extra_float_digits = 0")
        .await
        .unwrap();
    (db, client)
}

/// Each value goes in as a parameter of a column of type `ty` and comes back equal; the server
/// prints it as `text`, and reads `text` back as the same value. A NULL row comes back `None`.
async fn round_trips<T>(client: &Client, ty: &str, cases: &[(T, &str)])
where
    T: ToSql + for<'a> FromSql<'a> + PartialEq + Debug + Sync,
{
    let table = format!("t_{}", ty.replace(|c: char| !c.is_alphanumeric(), "_"));
    client
        .batch_execute(&format!("CREATE TABLE {table} (i int, v {ty})"))
        .await
        .unwrap();
    let insert = format!("INSERT INTO {table} VALUES ($1, $2)");
    let select = format!("SELECT v, v::text FROM {table} WHERE i = $1");
    for (i, (value, text)) in cases.iter().enumerate() {
        let i = i32::try_from(i).unwrap();
        client.execute(&insert, &[&i, value]).await.unwrap();
        let row = client.query_one(&select, &[&i]).await.unwrap();
        assert_eq!(row.get::<_, T>(0), *value, "{ty} `{text}` read back");
        assert_eq!(row.get::<_, String>(1), *text, "{ty} printed");
        let parsed = client
            .query_one(&format!("SELECT $1::text::{ty}"), &[text])
            .await
            .unwrap();
        assert_eq!(parsed.get::<_, T>(0), *value, "{ty} `{text}` parsed");
    }
    client.execute(&insert, &[&-1, &None::<T>]).await.unwrap();
    let row = client.query_one(&select, &[&-1]).await.unwrap();
    assert_eq!(row.get::<_, Option<T>>(0), None, "{ty} NULL");
}

#[tokio::test]
async fn bit_strings() {
    let (_db, client) = client().await;
    let bits = |s: &str| s.chars().map(|c| c == '1').collect::<BitVec>();
    round_trips(
        &client,
        "bit(4)",
        &[(bits("1010"), "1010"), (bits("0001"), "0001")],
    )
    .await;
    round_trips(
        &client,
        "varbit",
        &[
            (bits("101"), "101"),
            (bits(""), ""),
            (bits("111100001"), "111100001"),
        ],
    )
    .await;
}

#[tokio::test]
async fn geometric_types() {
    let (_db, client) = client().await;
    let p = |x: f64, y: f64| Point::new(x, y);
    round_trips(&client, "point", &[(p(1.5, -2.0), "(1.5,-2)")]).await;
    round_trips(
        &client,
        "box",
        &[(Rect::new((0.0, 0.0), (2.0, 3.0)), "(2,3),(0,0)")],
    )
    .await;
    round_trips(
        &client,
        "line",
        &[(
            Line {
                a: 1.0,
                b: -1.0,
                c: 0.5,
            },
            "{1,-1,0.5}",
        )],
    )
    .await;
    round_trips(
        &client,
        "lseg",
        &[(
            LineSegment {
                start: p(0.0, 0.0),
                end: p(1.0, 1.0),
            },
            "[(0,0),(1,1)]",
        )],
    )
    .await;
    let points = vec![p(0.0, 0.0), p(1.0, 1.0), p(2.0, 0.0)];
    round_trips(
        &client,
        "path",
        &[
            (
                Path {
                    closed: false,
                    points: points.clone(),
                },
                "[(0,0),(1,1),(2,0)]",
            ),
            (
                Path {
                    closed: true,
                    points: points.clone(),
                },
                "((0,0),(1,1),(2,0))",
            ),
        ],
    )
    .await;
    round_trips(
        &client,
        "polygon",
        &[(Polygon { points }, "((0,0),(1,1),(2,0))")],
    )
    .await;
    round_trips(
        &client,
        "circle",
        &[(
            Circle {
                center: p(1.0, 2.0),
                radius: 3.0,
            },
            "<(1,2),3>",
        )],
    )
    .await;
}

#[tokio::test]
async fn mac_addresses() {
    let (_db, client) = client().await;
    round_trips(
        &client,
        "macaddr",
        &[(
            MacAddress::new([0x08, 0x00, 0x2b, 0x01, 0x02, 0x03]),
            "08:00:2b:01:02:03",
        )],
    )
    .await;
    round_trips(
        &client,
        "macaddr8",
        &[(
            Macaddr8([0x08, 0x00, 0x2b, 0x01, 0x02, 0x03, 0x04, 0x05]),
            "08:00:2b:01:02:03:04:05",
        )],
    )
    .await;
}

#[tokio::test]
async fn ranges_with_empty_infinite_and_both_kinds_of_bound() {
    let (_db, client) = client().await;
    round_trips(
        &client,
        "int4range",
        &[
            (Range::new(Included(1), Excluded(6)), "[1,6)"),
            (Range::Empty, "empty"),
            (Range::new(Unbounded, Excluded(5)), "(,5)"),
            (Range::new(Included(-3), Unbounded), "[-3,)"),
            (Range::new(Unbounded, Unbounded), "(,)"),
        ],
    )
    .await;
    // Discrete ranges come back canonical: `[1,5]` is `[1,6)`.
    let row = client
        .query_one(
            "SELECT $1::int4range",
            &[&Range::new(Included(1), Included(5))],
        )
        .await
        .unwrap();
    assert_eq!(
        row.get::<_, Range<i32>>(0),
        Range::new(Included(1), Excluded(6))
    );
    round_trips(
        &client,
        "int8range",
        &[(
            Range::new(Included(i64::MIN), Excluded(i64::MAX)),
            "[-9223372036854775808,9223372036854775807)",
        )],
    )
    .await;
    round_trips(
        &client,
        "numrange",
        &[(
            Range::new(
                Excluded(Decimal::new(15, 1)),
                Included(Decimal::new(225, 2)),
            ),
            "(1.5,2.25]",
        )],
    )
    .await;
    round_trips(
        &client,
        "daterange",
        &[
            (
                Range::new(
                    Included(date!(2024 - 01 - 01)),
                    Excluded(date!(2024 - 02 - 01)),
                ),
                "[2024-01-01,2024-02-01)",
            ),
            (Range::Empty, "empty"),
        ],
    )
    .await;
    round_trips(
        &client,
        "tsrange",
        &[(
            Range::new(
                Included(datetime!(2024-01-01 10:00)),
                Included(datetime!(2024-01-01 12:30:00.5)),
            ),
            "[\"2024-01-01 10:00:00\",\"2024-01-01 12:30:00.5\"]",
        )],
    )
    .await;
    round_trips(
        &client,
        "tstzrange",
        &[(
            Range::new(Included(datetime!(2024-01-01 10:00 UTC)), Unbounded),
            "[\"2024-01-01 10:00:00+00\",)",
        )],
    )
    .await;
}

#[tokio::test]
async fn multiranges() {
    let (_db, client) = client().await;
    round_trips(
        &client,
        "int4multirange",
        &[
            (
                Multirange(vec![
                    Range::new(Included(1), Excluded(3)),
                    Range::new(Included(5), Unbounded),
                ]),
                "{[1,3),[5,)}",
            ),
            (Multirange(vec![]), "{}"),
        ],
    )
    .await;
    round_trips(
        &client,
        "datemultirange",
        &[(
            Multirange(vec![Range::new(
                Included(date!(2024 - 01 - 01)),
                Excluded(date!(2024 - 01 - 08)),
            )]),
            "{[2024-01-01,2024-01-08)}",
        )],
    )
    .await;
}

#[tokio::test]
async fn money_time_with_zone_and_void() {
    let (_db, client) = client().await;
    round_trips(
        &client,
        "money",
        &[
            (Money(-1234), "-$12.34"),
            (Money(0), "$0.00"),
            (Money(i64::MAX), "$92,233,720,368,547,758.07"),
        ],
    )
    .await;
    let h = 3_600_000_000_i64;
    round_trips(
        &client,
        "timetz",
        &[
            (TimeTz::new(10 * h + h / 2 + 500_000, 7200), "10:30:00.5+02"),
            (TimeTz::new(0, -(5 * 3600 + 1800)), "00:00:00-05:30"),
            (TimeTz::new(24 * h, 0), "24:00:00+00"),
        ],
    )
    .await;
    let row = client.query_one("SELECT pg_sleep(0)", &[]).await.unwrap();
    assert_eq!(row.get::<_, Void>(0), Void);
}

#[tokio::test]
async fn system_identifiers() {
    let (_db, client) = client().await;
    round_trips(
        &client,
        "xid",
        &[(Xid(42), "42"), (Xid(u32::MAX), "4294967295")],
    )
    .await;
    round_trips(&client, "xid8", &[(Xid8(12_345_678_901), "12345678901")]).await;
    round_trips(&client, "cid", &[(Cid(7), "7")]).await;
    round_trips(
        &client,
        "tid",
        &[(
            Tid {
                block: 3,
                offset: 7,
            },
            "(3,7)",
        )],
    )
    .await;
    round_trips(&client, "pg_lsn", &[(Lsn(0x16_B374_D848), "16/B374D848")]).await;
    round_trips(&client, "regclass", &[(RegOid(1259), "pg_class")]).await;
    round_trips(&client, "regtype", &[(RegOid(23), "integer")]).await;
    round_trips(&client, "regproc", &[(RegOid(1242), "boolin")]).await;
    round_trips(&client, "regnamespace", &[(RegOid(11), "pg_catalog")]).await;
    let snapshot = Snapshot {
        xmin: 10,
        xmax: 20,
        xip: vec![10, 14, 15],
    };
    round_trips(
        &client,
        "pg_snapshot",
        &[(snapshot.clone(), "10:20:10,14,15")],
    )
    .await;
    round_trips(&client, "txid_snapshot", &[(snapshot, "10:20:10,14,15")]).await;
    // A real one, read from the server.
    let row = client
        .query_one(
            "SELECT xmin, ctid, pg_current_snapshot(), pg_current_wal_lsn() FROM pg_class LIMIT 1",
            &[],
        )
        .await
        .unwrap();
    row.get::<_, Xid>(0);
    row.get::<_, Tid>(1);
    assert!(row.get::<_, Snapshot>(2).xmin > 0);
    assert!(row.get::<_, Lsn>(3).0 > 0);
}

#[tokio::test]
async fn text_search() {
    let (_db, client) = client().await;
    let at = |position: u16, weight: Weight| LexemePosition { position, weight };
    let vector = TsVector(vec![
        Lexeme {
            word: "a".into(),
            positions: vec![at(1, Weight::A)],
        },
        Lexeme {
            word: "cat".into(),
            positions: vec![at(2, Weight::D), at(5, Weight::C)],
        },
        Lexeme {
            word: "fat".into(),
            positions: vec![],
        },
    ]);
    round_trips(
        &client,
        "tsvector",
        &[(vector, "'a':1A 'cat':2,5C 'fat'"), (TsVector(vec![]), "")],
    )
    .await;
    // A query's tree is PostgreSQL's to build: read from text, then round-tripped.
    for text in [
        "'fat' & !'rat' | 'ca':*AB",
        "'a' <-> 'b' <3> 'c'",
        "!( 'x' | 'y' )",
    ] {
        let row = client
            .query_one("SELECT $1::text::tsquery", &[&text])
            .await
            .unwrap();
        let query: TsQuery = row.get(0);
        assert!(!query.0.is_empty());
        round_trips(&client, "tsquery", &[(query, text)]).await;
        client.batch_execute("DROP TABLE t_tsquery").await.unwrap();
    }
}

#[tokio::test]
async fn text_encoded_types() {
    let (_db, client) = client().await;
    round_trips(
        &client,
        "xml",
        &[
            (
                Xml("<a href=\"x\">1 &amp; 2</a>".into()),
                "<a href=\"x\">1 &amp; 2</a>",
            ),
            (Xml("just text".into()), "just text"),
        ],
    )
    .await;
    round_trips(
        &client,
        "jsonpath",
        &[(JsonPath("$.\"a\"[*]?(@ > 1)".into()), "$.\"a\"[*]?(@ > 1)")],
    )
    .await;
    round_trips(&client, "refcursor", &[(Refcursor("c1".into()), "c1")]).await;
    // pg_node_tree is output only.
    client
        .batch_execute("CREATE TABLE with_default (x int DEFAULT 42)")
        .await
        .unwrap();
    let row = client
        .query_one("SELECT adbin FROM pg_attrdef LIMIT 1", &[])
        .await
        .unwrap();
    assert!(row.get::<_, PgNodeTree>(0).0.starts_with("{CONST"));
}

#[tokio::test]
async fn hstore_with_null_values_and_ltree() {
    let (_db, client) = client().await;
    let map = |pairs: &[(&str, Option<&str>)]| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect::<Hstore>()
    };
    round_trips(
        &client,
        "hstore",
        &[
            (
                map(&[
                    ("a", Some("1")),
                    ("b", None),
                    ("", Some("")),
                    ("key \"q\"", Some("é")),
                ]),
                "\"\"=>\"\", \"a\"=>\"1\", \"b\"=>NULL, \"key \\\"q\\\"\"=>\"é\"",
            ),
            (Hstore::default(), ""),
        ],
    )
    .await;
    round_trips(
        &client,
        "ltree",
        &[
            ("Top.Science.Astronomy".to_string(), "Top.Science.Astronomy"),
            (String::new(), ""),
        ],
    )
    .await;
    round_trips(
        &client,
        "lquery",
        &[("*.Astronomy.*".to_string(), "*.Astronomy.*")],
    )
    .await;
}

#[tokio::test]
async fn catalogue_vectors_read_as_vecs() {
    let (_db, client) = client().await;
    let row = client
        .query_one("SELECT '1 2 -3'::int2vector, '23 25'::oidvector", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, Vec<i16>>(0), vec![1, 2, -3]);
    assert_eq!(row.get::<_, Vec<u32>>(1), vec![23, 25]);
    let row = client
        .query_one(
            "SELECT $1::int2vector::text, $2::oidvector::text",
            &[&[1_i16, 2, -3].as_slice(), &[23_u32, 25].as_slice()],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "1 2 -3");
    assert_eq!(row.get::<_, String>(1), "23 25");
}
