//! The `every_builtin_type` and `void_function` fixtures' generated code run against PostgreSQL:
//! a row with a column of every mapped type written through the generated INSERT (and through
//! COPY and a batch) and read back equal, the parameters of range, ltree, tsquery and hstore
//! operators, and queries of a function returning void.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Included, Unbounded};

use fixture::models::EveryType;
use fixture::query::{CopyEveryTypeParams, InsertEveryTypeParams, SetAttributesParams};
use fixture::Queries as _;
use rust_decimal::Decimal;
use sqlgen_fixture_check::every_builtin_type_fixture as fixture;
use sqlgen_fixture_check::every_builtin_type_with_chrono::Queries as _;
use sqlgen_fixture_check::void_function_fixture::Queries as _;
use sqlgen_runtime::bit_vec::BitVec;
use sqlgen_runtime::eui48::MacAddress;
use sqlgen_runtime::geo_types::{Point, Rect};
use sqlgen_runtime::{
    Cid, Circle, Client, Hstore, JsonPath, Lexeme, Line, LineSegment, Lsn, Macaddr8, Money,
    Multirange, Path, Polygon, Range, RegOid, Snapshot, Tid, TimeTz, TsQuery, TsVector, Xid, Xid8,
    Xml,
};
use time::macros::{date, datetime};

const SCHEMA: &str = include_str!("../../tests/fixtures/every_builtin_type/schema.sql");
const VOID_SCHEMA: &str = include_str!("../../tests/fixtures/void_function/schema.sql");

fn hstore(pairs: &[(&str, Option<&str>)]) -> Hstore {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect()
}

fn bits(s: &str) -> BitVec {
    s.chars().map(|c| c == '1').collect()
}

/// A row with every column set, in the form PostgreSQL gives back (canonical ranges).
fn full_row(id: i32, query: TsQuery) -> EveryType {
    let p = |x: f64, y: f64| Point::new(x, y);
    EveryType {
        id,
        bits: bits("1010"),
        varbits: Some(bits("110")),
        pt: p(1.5, -2.0),
        ln: Some(Line {
            a: 1.0,
            b: -1.0,
            c: 0.0,
        }),
        seg: Some(LineSegment {
            start: p(0.0, 0.0),
            end: p(1.0, 1.0),
        }),
        bx: Some(Rect::new((0.0, 0.0), (2.0, 3.0))),
        pth: Some(Path {
            closed: true,
            points: vec![p(0.0, 0.0), p(1.0, 1.0), p(2.0, 0.0)],
        }),
        poly: Some(Polygon {
            points: vec![p(0.0, 0.0), p(1.0, 1.0), p(2.0, 0.0)],
        }),
        circ: Some(Circle {
            center: p(1.0, 2.0),
            radius: 3.0,
        }),
        mac: MacAddress::new([8, 0, 0x2b, 1, 2, 3]),
        mac8: Some(Macaddr8([8, 0, 0x2b, 1, 2, 3, 4, 5])),
        i4r: Range::new(Included(1), Excluded(10)),
        i8r: Some(Range::Empty),
        nr: Some(Range::new(Excluded(Decimal::new(15, 1)), Unbounded)),
        tsr: Some(Range::new(
            Included(datetime!(2024-01-01 10:00)),
            Excluded(datetime!(2024-01-01 11:00)),
        )),
        tstzr: Some(Range::new(
            Included(datetime!(2024-01-01 10:00 UTC)),
            Unbounded,
        )),
        dr: Some(Range::new(
            Included(date!(2024 - 01 - 01)),
            Excluded(date!(2024 - 02 - 01)),
        )),
        i4mr: Some(Multirange(vec![
            Range::new(Included(1), Excluded(3)),
            Range::new(Included(5), Excluded(8)),
        ])),
        dmr: Some(Multirange(vec![])),
        price: Money(-1234),
        at_tz: Some(TimeTz::new(37_800_000_000, -18_000)),
        x: Some(Xid(42)),
        x8: Some(Xid8(1 << 40)),
        c: Some(Cid(7)),
        t: Some(Tid {
            block: 3,
            offset: 7,
        }),
        lsn: Some(Lsn(0x16_B374_D848)),
        snap: Some(Snapshot {
            xmin: 10,
            xmax: 20,
            xip: vec![12, 15],
        }),
        doc: Some(TsVector(vec![
            Lexeme {
                word: "cat".into(),
                positions: vec![],
            },
            Lexeme {
                word: "fat".into(),
                positions: vec![],
            },
        ])),
        q: Some(query),
        body: Some(Xml("<a>1</a>".into())),
        jp: Some(JsonPath("$.\"a\"".into())),
        attrs: Some(hstore(&[("color", Some("red")), ("size", None)])),
        tree: "Top.Science.Astronomy".into(),
        rel: Some(RegOid(1259)),
        typ: Some(RegOid(23)),
        attrs_history: vec![hstore(&[]), hstore(&[("a", Some("1"))])],
    }
}

#[tokio::test]
async fn every_type_goes_in_and_comes_back_through_generated_code() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = Client::new(db.client().await);
    client.batch_execute("SET TIME ZONE 'UTC'").await.unwrap();
    let query: TsQuery = client
        .query_one("SELECT to_tsquery('simple', 'fat & !rat')", &[])
        .await
        .unwrap()
        .get(0);
    let row = full_row(1, query.clone());
    client
        .insert_every_type(&InsertEveryTypeParams {
            id: row.id,
            bits: &row.bits,
            varbits: row.varbits.as_ref(),
            pt: row.pt,
            ln: row.ln,
            seg: row.seg,
            bx: row.bx,
            pth: row.pth.as_ref(),
            poly: row.poly.as_ref(),
            circ: row.circ,
            mac: row.mac,
            mac8: row.mac8,
            i4r: &row.i4r,
            i8r: row.i8r.as_ref(),
            nr: row.nr.as_ref(),
            tsr: row.tsr.as_ref(),
            tstzr: row.tstzr.as_ref(),
            dr: row.dr.as_ref(),
            i4mr: row.i4mr.as_ref(),
            dmr: row.dmr.as_ref(),
            price: row.price,
            at_tz: row.at_tz,
            x: row.x,
            x8: row.x8,
            c: row.c,
            t: row.t,
            lsn: row.lsn,
            snap: row.snap.as_ref(),
            doc: row.doc.as_ref(),
            q: row.q.as_ref(),
            body: row.body.as_ref(),
            jp: row.jp.as_ref(),
            attrs: row.attrs.as_ref(),
            tree: &row.tree,
            rel: row.rel,
            typ: row.typ,
            attrs_history: &row.attrs_history,
        })
        .await
        .unwrap();
    assert_eq!(client.get_every_type(1).await.unwrap(), row);

    // A second row through COPY, its other columns NULL.
    let copied = client
        .copy_every_type([CopyEveryTypeParams {
            id: 2,
            bits: &bits("0001"),
            pt: Point::new(0.0, 0.0),
            mac: MacAddress::new([0; 6]),
            i4r: &Range::new(Unbounded, Excluded(0)),
            price: Money(0),
            tree: "Top.Art",
            attrs: None,
            pth: None,
            attrs_history: &[],
        }])
        .await
        .unwrap();
    assert_eq!(copied, 1);
    let second = client.get_every_type(2).await.unwrap();
    assert_eq!(second.i4r, Range::new(Unbounded, Excluded(0)));
    assert_eq!((second.attrs, second.pth, second.q), (None, None, None));

    let under = client.under_tree("Top.Science").await.unwrap();
    assert_eq!(under.iter().map(|r| r.id).collect::<Vec<_>>(), [1]);
    let overlapping = client
        .overlapping(
            &Range::new(Included(9), Unbounded),
            datetime!(2030-01-01 0:00 UTC),
        )
        .await
        .unwrap();
    assert_eq!(overlapping.len(), 1);
    assert_eq!(overlapping[0].i4r, row.i4r);
    let fat: TsQuery = client
        .query_one("SELECT to_tsquery('simple', 'fat')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(
        client.matching(Some(&fat), Some("size")).await.unwrap(),
        [1]
    );
    assert!(client
        .matching(Some(&fat), Some("weight"))
        .await
        .unwrap()
        .is_empty());

    let recoloured = hstore(&[("color", Some("blue")), ("size", Some("L"))]);
    let results = client
        .set_attributes(&[
            SetAttributesParams {
                id: 1,
                attrs: Some(&recoloured),
                bits: &bits("1111"),
            },
            SetAttributesParams {
                id: 2,
                attrs: None,
                bits: &bits("0000"),
            },
        ])
        .await
        .unwrap();
    assert!(results.iter().all(Result::is_ok));
    let first = client.get_every_type(1).await.unwrap();
    assert_eq!(
        first.attrs.map(|h| h.0),
        Some(BTreeMap::from([
            ("color".to_string(), Some("blue".to_string())),
            ("size".to_string(), Some("L".to_string())),
        ]))
    );
    assert_eq!(first.bits, bits("1111"));

    let state = client.server_state().await.unwrap();
    assert!(state.lsn.0 > 0 && state.xact.0 > 0 && state.snap.xmin > 0);
    assert_eq!((state.key, state.classes), (vec![1, 2], vec![23, 25]));
    assert_eq!(state.path, JsonPath("$.\"a\"".into()));

    let ranges = client.time_ranges(1).await.unwrap();
    assert_eq!(
        ranges.dr,
        Some(Range::new(
            Included(chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()),
            Excluded(chrono::NaiveDate::from_ymd_opt(2024, 2, 1).unwrap()),
        ))
    );
    assert_eq!(ranges.at_tz, row.at_tz);
}

#[tokio::test]
async fn a_function_returning_void_runs_as_exec_or_a_void_field() {
    let db = testsupport::fresh_db_from_sql(&[VOID_SCHEMA]).await;
    let client = Client::new(db.client().await);
    client
        .batch_execute("INSERT INTO counters VALUES (1, 0)")
        .await
        .unwrap();
    client.bump(1).await.unwrap();
    client.bump_one(1).await.unwrap();
    let read = client.bump_and_read(1).await.unwrap();
    assert_eq!(read.bumped, Some(sqlgen_runtime::Void));
    client.notify("channel", "payload").await.unwrap();
    let n: i32 = client
        .query_one("SELECT n FROM counters WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}
