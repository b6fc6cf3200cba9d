//! The `copyfrom_every_type` fixture's generated code run against PostgreSQL: every supported
//! column type (enum, domain, arrays and NULLs included) through a binary COPY and back.

use std::net::IpAddr;
use std::str::FromStr;

use fixture::models::{Everything, Mood};
use fixture::query::{CopyEventsParams, CopyEverythingParams};
use fixture::Queries as _;
use rust_decimal::Decimal;
use sqlgen_fixture_check::copyfrom_every_type_fixture as fixture;
use sqlgen_runtime::cidr::IpCidr;
use sqlgen_runtime::{Client, Interval};
use time::macros::{date, datetime, time};
use uuid::Uuid;

const SCHEMA: &str = include_str!("../../tests/fixtures/copyfrom_every_type/schema.sql");

#[tokio::test]
async fn every_supported_column_type_goes_through_copy_and_reads_back_equal() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = Client::new(db.client().await);
    let json = serde_json::json!({"a": [1, 2.5, null], "b": "Ωmega 🦀"});
    let texts = vec![
        "x".to_owned(),
        String::new(),
        "a \"quoted\"\tvalue".to_owned(),
    ];
    let ints = [i32::MIN, 0, i32::MAX];
    let bytes = [0u8, 1, 254, 255];
    // 50 characters, 100 bytes: varchar(50) counts characters.
    let varchar = "é".repeat(50);
    let row = |i: i32| CopyEverythingParams {
        c_bool: i % 2 == 0,
        c_int2: i16::MAX - i as i16,
        c_int4: i,
        c_int8: i64::MIN + i64::from(i),
        c_float4: 1.5 * i as f32,
        c_float8: -0.1 * f64::from(i),
        c_numeric: Decimal::from_str("12345678.90").unwrap() - Decimal::from(i),
        c_text: "text with 'quotes', \\ and ünïcödé",
        c_varchar: &varchar,
        c_bpchar: "ab",
        c_char: b'z' as i8,
        c_citext: "MiXeD",
        c_bytea: &bytes,
        c_uuid: Uuid::from_u128(i as u128 + 1),
        c_timestamptz: datetime!(2024-02-29 23:59:59.123456 +00:00),
        c_timestamp: datetime!(1999-12-31 12:00:00),
        c_date: date!(0001 - 01 - 01),
        c_time: time!(23:59:59.999999),
        c_interval: Interval {
            months: 14,
            days: -3,
            microseconds: 1_500_000,
        },
        c_json: &json,
        c_jsonb: &json,
        c_inet: IpAddr::from_str("2001:db8::1").unwrap(),
        c_cidr: IpCidr::from_str("10.0.0.0/8").unwrap(),
        c_oid: u32::MAX,
        c_mood: Mood::ALL[i as usize % 3],
        c_positive: i + 1,
        c_int4_array: &ints,
        c_text_array: if i == 1 { None } else { Some(&texts) },
        c_nullable_text: if i == 2 { Some("present") } else { None },
    };

    let copied = client.copy_everything((0..3).map(row)).await.unwrap();
    assert_eq!(copied, 3);

    let read = client.list_everything().await.unwrap();
    assert_eq!(read.len(), 3);
    for (i, got) in read.iter().enumerate() {
        let w = row(i as i32);
        let expected = Everything {
            c_bool: w.c_bool,
            c_int2: w.c_int2,
            c_int4: w.c_int4,
            c_int8: w.c_int8,
            c_float4: w.c_float4,
            c_float8: w.c_float8,
            c_numeric: w.c_numeric,
            c_text: w.c_text.to_owned(),
            c_varchar: w.c_varchar.to_owned(),
            // char(3) pads to its length.
            c_bpchar: "ab ".to_owned(),
            c_char: w.c_char,
            c_citext: w.c_citext.to_owned(),
            c_bytea: w.c_bytea.to_vec(),
            c_uuid: w.c_uuid,
            c_timestamptz: w.c_timestamptz,
            c_timestamp: w.c_timestamp,
            c_date: w.c_date,
            c_time: w.c_time,
            c_interval: w.c_interval,
            c_json: json.clone(),
            c_jsonb: json.clone(),
            c_inet: w.c_inet,
            c_cidr: w.c_cidr,
            c_oid: w.c_oid,
            c_mood: w.c_mood,
            c_positive: w.c_positive,
            c_int4_array: ints.to_vec(),
            c_text_array: w.c_text_array.map(<[String]>::to_vec),
            c_nullable_text: w.c_nullable_text.map(str::to_owned),
        };
        assert_eq!(got, &expected, "row {i}");
    }

    // COPY checks domains as INSERT does; one refused value loads nothing of its COPY.
    let refused = (3..6).map(|i| CopyEverythingParams {
        c_positive: if i == 4 { 0 } else { i },
        ..row(i)
    });
    let err = client.copy_everything(refused).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::CHECK_VIOLATION),
        "{err}"
    );
    assert_eq!(client.list_everything().await.unwrap().len(), 3);
}

#[tokio::test]
async fn copy_with_parameters_out_of_column_order_into_a_quoted_table() {
    let db = testsupport::fresh_db_from_sql(&[SCHEMA]).await;
    let client = Client::new(db.client().await);
    let at = datetime!(2025-01-02 03:04:05 +00:00);

    let copied = client
        .copy_events([
            CopyEventsParams { kind: "start", at },
            CopyEventsParams { kind: "stop", at },
        ])
        .await
        .unwrap();
    assert_eq!(copied, 2);
    assert_eq!(client.copy_kinds(["a", "b", "c"]).await.unwrap(), 3);

    let pg: &tokio_postgres::Client = &client;
    let rows = pg
        .query(r#"SELECT "Kind", at FROM "Events" ORDER BY id"#, &[])
        .await
        .unwrap();
    let got: Vec<(String, time::OffsetDateTime)> =
        rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(
        got[..2],
        [("start".to_owned(), at), ("stop".to_owned(), at)]
    );
    assert_eq!(got.len(), 5);
    assert!(got[2..].iter().map(|(k, _)| k.as_str()).eq(["a", "b", "c"]));
}
